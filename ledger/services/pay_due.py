"""Pay contact due (RULES §4): one payment against a contact's dues, allocated to their open documents oldest
first, with whatever is left held as their advance balance. One database transaction, the contact row locked,
so two payments never allocate the same due twice."""

from decimal import Decimal

from django.db import transaction as db
from django.utils import timezone

from contacts.models import Contact
from core.money import check_storable
from core.services.activity import log_created
from ledger.models import Transaction, TransactionPayment
from ledger.services.numbering import payment_number
from ledger.services.payment_status import refresh_payment_status
from ledger.services.payments import DETAIL_FIELDS, LOGGED_FIELDS, post_to_account

CREDIT_DUES = ("sell", "purchase_return")  # money comes in: a credit on the contact's ledger
DUE_TYPES_VALID = ("sell", "purchase", "sell_return", "purchase_return")


def default_due_type(contact: Contact) -> str:
    return "purchase" if contact.type == Contact.Type.SUPPLIER else "sell"


def due_permission(due_type: str) -> str:
    return "sell.payments" if due_type in ("sell", "sell_return") else "purchase.payments"


def _counter(due_type: str) -> str:
    return "sell_payment" if due_type in ("sell", "sell_return") else "purchase_payment"


def _candidates(contact: Contact, due_type: str, payment_type: str):
    """Open documents of the due type, oldest first, and the opening balance when the money goes its way: money
    received (credit) pays what a customer (or both) owed at opening, money paid out (debit) what we owed a supplier.
    (A sell-return refund or a purchase payment of a `both` contact never pays their receivable opening balance.)"""
    types = [due_type]
    pays_opening = (payment_type == "credit") == (contact.type != Contact.Type.SUPPLIER)
    if due_type != "purchase_return" and pays_opening:
        types.append("opening_balance")
    documents = (
        Transaction.objects.filter(contact=contact, type__in=types)
        .exclude(payment_status=Transaction.PaymentStatus.PAID)
        .exclude(type="sell", status__in=("draft", "quotation"))
    )
    # Lock in id order (the house lock order), then allocate in date order.
    locked = list(documents.select_for_update().order_by("id").values_list("id", flat=True))
    return Transaction.objects.filter(pk__in=locked).with_paid().order_by("transaction_date", "id")


def pay_contact_due(*, business, user, contact: Contact, data: dict) -> TransactionPayment:
    due_type = data.get("due_payment_type") or default_due_type(contact)
    payment_type = "credit" if due_type in CREDIT_DUES else "debit"
    reverse = bool(data.get("is_reverse"))
    if reverse:
        payment_type = "debit" if payment_type == "credit" else "credit"
    common = {
        "business": business,
        "payment_for": contact,
        "method": data["method"],
        "paid_on": data.get("paid_on") or timezone.now(),
        "payment_type": payment_type,
        "due_payment_type": due_type,
        "created_by": user,
    }
    with db.atomic():
        contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
        parent = TransactionPayment.objects.create(
            amount=data["amount"],
            payment_ref_no=payment_number(business, _counter(due_type)),
            is_advance=not reverse,
            is_reverse=reverse,
            account=data.get("account"),
            **common,
            **{f: data.get(f) for f in DETAIL_FIELDS},
        )
        post_to_account(business=business, user=user, payment=parent, type=payment_type)
        log_created(business=business, user=user, instance=parent, fields=LOGGED_FIELDS)
        if reverse:  # a standalone row the other way: not allocated, the advance balance untouched
            return parent
        remaining = parent.amount
        for document in _candidates(contact, due_type, payment_type):
            if remaining <= 0:
                break
            due = document.final_total - document.total_paid
            if due <= 0:
                continue
            take = min(due, remaining)
            TransactionPayment.objects.create(
                transaction=document,
                parent=parent,
                amount=take,
                payment_ref_no=payment_number(business, _counter(due_type)),
                **common,
            )
            refresh_payment_status(document)
            remaining -= take
        if remaining > Decimal(0):
            check_storable(contact.balance + remaining, field="amount", what="the contact's advance balance")
            contact.balance += remaining
            contact.save(update_fields=["balance", "updated_at"])
    return parent
