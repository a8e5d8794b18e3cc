"""Builders for subscription tests: a business with the subscription module, subscriptions made through POST /sells'
own service (so numbering, stock and validation are the real thing), frozen clocks, and readers of what the
generator wrote.

    shop = subscription_shop(business, admin_user)
    parent = make_subscription(shop, when=moment(2026, 1, 31), unit="months")
    with frozen(2026, 5, 15):
        summary = generate_due_invoices()
    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import time_machine

from contacts.models import Contact
from core.tests.matrix import BASE
from inventory.models import Product
from ledger.models import Transaction
from ledger.tests.builders import make_customer, make_product, make_sell

SUBSCRIPTIONS = f"{BASE}/subscriptions"
UTC = datetime.UTC

# SubscriptionRow, in the order of the contacts reference.
SUBSCRIPTION_ROW = [
    "id",
    "contact_id",
    "contact_name",
    "transaction_date",
    "invoice_no",
    "subscription_no",
    "location_id",
    "location_name",
    "is_direct_sale",
    "recur_stopped_on",
    "is_stopped",
    "recur_interval",
    "subscription_repeat_on",
    "recur_repetitions",
    "recur_interval_type",
    "recur_interval_label",
    "generated_invoices",
    "generated_invoice_count",
    "last_generated_at",
    "upcoming_invoice_date",
]
PAGE_META = ["current_page", "last_page", "per_page", "total"]


def moment(year, month, day, hour=10, minute=0, zone="UTC") -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))


def frozen(year, month, day, hour=12, minute=0, zone="UTC"):
    """The clock stopped at that local moment (`with frozen(2026, 5, 15): ...`)."""
    return time_machine.travel(moment(year, month, day, hour, minute, zone), tick=False)


def enable_subscriptions(business):
    business.enabled_modules = sorted({*(business.enabled_modules or []), "subscription"})
    business.save(update_fields=["enabled_modules"])
    return business


@dataclass
class SubscriptionShop:
    business: object
    user: object
    location: object
    customer: Contact
    product: Product  # a service: no stock tracking, 25.00


def subscription_shop(business, user) -> SubscriptionShop:
    enable_subscriptions(business)
    location = business.locations.order_by("id").first()
    customer = make_customer(business, name="Sam Subscriber")
    product = make_product(business, user, name="Hosting", sell_price="25.00", enable_stock=False)
    return SubscriptionShop(business, user, location, customer, product)


def make_subscription(
    shop,
    *,
    when,
    unit="months",
    interval=1,
    repeat_on=None,
    repetitions=None,
    lines=None,
    customer=None,
    location=None,
    user=None,
    **fields,
) -> Transaction:
    """A final recurring sell through ledger.services.sells.sell_create. `lines` as in make_sell: (product, qty,
    price); default one Hosting at 25.00."""
    return make_sell(
        shop.business,
        user or shop.user,
        customer=customer or shop.customer,
        location=location or shop.location,
        lines=lines or [(shop.product, "1", "25.00")],
        transaction_date=when,
        is_recurring=True,
        recur_interval=interval,
        recur_interval_type=unit,
        subscription_repeat_on=repeat_on,
        recur_repetitions=repetitions,
        **fields,
    )


def children(parent) -> list[Transaction]:
    return list(Transaction.objects.filter(recur_parent=parent).order_by("transaction_date", "id"))


def child_dates(parent, zone="UTC") -> list[datetime.date]:
    tz = zoneinfo.ZoneInfo(zone)
    return [child.transaction_date.astimezone(tz).date() for child in children(parent)]


def D(value) -> Decimal:  # noqa: N802 - reads as the literal it builds
    return Decimal(value)
