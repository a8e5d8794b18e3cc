"""Money owed in the demo business: opening balances, payments against dues, advances, discounts."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contacts.models import Contact
from ledger.models import Transaction, TransactionPayment
from ledger.services.ledger_discounts import ledger_discount_create
from ledger.services.opening_balance import opening_balance_set
from ledger.services.pay_due import pay_contact_due
from ledger.services.payments import payment_add

D = Decimal


def seed_money(*, business, admin):
    if TransactionPayment.objects.for_business(business).filter(is_advance=True).exists():
        return
    now = timezone.now().replace(microsecond=0)
    contacts = Contact.objects.for_business(business).filter(contact_status="active", is_default=False).order_by("id")
    customers = list(contacts.filter(type="customer"))
    suppliers = list(contacts.filter(type="supplier"))
    both = list(contacts.filter(type="both"))

    for contact, amount in (
        (customers[1], "150.00"),
        (customers[2], "80.00"),
        (both[0], "220.00"),
        (suppliers[0], "500.00"),
        (suppliers[1], "125.50"),
    ):
        opening_balance_set(business=business, user=admin, contact=contact, amount=D(amount))

    # Customers settle what they owe in one payment each: oldest documents first, the rest kept as advance.
    for index, customer in enumerate(customers[1:6]):
        open_total = sum(
            (
                t.final_total - t.total_paid
                for t in Transaction.objects.filter(contact=customer)
                .with_paid()
                .exclude(payment_status="paid")
                .exclude(type="ledger_discount")
            ),
            D(0),
        )
        if open_total > 0:
            pay_contact_due(
                business=business,
                user=admin,
                contact=customer,
                data={
                    "amount": (open_total * D(["0.6", "1", "1.1", "0.5", "1.2"][index])).quantize(D("0.01")),
                    "method": ["bank_transfer", "cash", "card", "cheque", "cash"][index],
                    "paid_on": now - timedelta(days=10 - index),
                },
            )
    # We pay the first supplier what we owe, with something extra ahead of the next delivery.
    pay_contact_due(
        business=business,
        user=admin,
        contact=suppliers[0],
        data={"amount": D("1500.00"), "method": "bank_transfer", "paid_on": now - timedelta(days=5)},
    )
    # A refund to a customer who overpaid, going the other way.
    pay_contact_due(
        business=business,
        user=admin,
        contact=customers[3],
        data={"amount": D("5.00"), "method": "cash", "is_reverse": True, "paid_on": now - timedelta(days=2)},
    )

    for contact, amount, sub_type, note in (
        (customers[1], "7.50", None, "Late delivery"),
        (both[0], "12.00", "sell_discount", "Loyalty"),
        (suppliers[1], "20.00", None, "Damaged pallet"),
    ):
        ledger_discount_create(
            business=business,
            user=admin,
            contact=contact,
            data={"date": now - timedelta(days=3), "amount": D(amount), "sub_type": sub_type, "note": note},
        )

    # A customer spends their advance on a new sell.
    spender = customers[3]
    spender.refresh_from_db()
    if spender.balance > 0:
        sell = (
            Transaction.objects.filter(contact=spender, type="sell", status="final")
            .exclude(payment_status="paid")
            .first()
        )
        if sell is not None:
            due = sell.final_total - Transaction.objects.filter(pk=sell.pk).with_paid().get().total_paid
            payment_add(
                business=business,
                user=admin,
                document=sell,
                data={"amount": min(due, spender.balance), "method": "advance"},
            )
