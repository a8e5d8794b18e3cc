"""Subscriptions in the demo business: a few recurring sells of services (one of them stopped), billed up to today by
the same generator the command and Celery run."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contacts.models import Contact
from inventory.services import product_create
from ledger.models import Transaction
from ledger.services.sells import sell_create
from subscriptions.generation import generate_due_invoices
from subscriptions.services import subscription_stop

PLANS = (
    # (product, price, interval, unit, repeat on, repetitions)
    ("Managed hosting", "49.00", 1, "months", None, None),
    ("Support plan", "120.00", 3, "months", 1, None),
    ("Window cleaning", "35.00", 14, "days", None, 12),
    ("Annual maintenance", "480.00", 1, "years", None, None),
)


def seed_subscriptions(*, business, admin):
    if Transaction.objects.for_business(business).filter(is_recurring=True).exists():
        return
    now = timezone.now().replace(microsecond=0)
    location = business.locations.order_by("id").first()
    customers = list(
        Contact.objects.for_business(business)
        .filter(type__in=("customer", "both"), contact_status="active", is_default=False)
        .order_by("id")[:4]
    )
    parents = []
    for index, ((name, price, interval, unit, repeat_on, repetitions), customer) in enumerate(
        zip(PLANS, customers, strict=False)
    ):
        product = product_create(
            business=business,
            user=admin,
            data={"name": name, "purchase_price": Decimal(0), "sell_price": Decimal(price), "enable_stock": False},
        )
        parents.append(
            sell_create(
                business=business,
                user=admin,
                data={
                    "contact": customer,
                    "location": location,
                    "transaction_date": now - timedelta(days=130 - 7 * index),
                    "lines": [
                        {"variation": product.variations.get(), "quantity": Decimal(1), "unit_price": Decimal(price)}
                    ],
                    "is_recurring": True,
                    "recur_interval": interval,
                    "recur_interval_type": unit,
                    "subscription_repeat_on": repeat_on,
                    "recur_repetitions": repetitions,
                },
            )
        )
    generate_due_invoices(business=business)
    # One customer has paused window cleaning: nothing is billed until it is resumed, and the visits that fall due
    # meanwhile never are.
    if len(parents) > 2:
        subscription_stop(business=business, user=admin, parent=parents[2])
