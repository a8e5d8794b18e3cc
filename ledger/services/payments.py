"""Payments on one document (supporting-api "Payments on one document", RULES §4)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from contacts.models import Contact
from core.exceptions import BusinessRuleViolation
from core.services.activity import log_created
from ledger.models import Transaction, TransactionPayment
from ledger.services.numbering import payment_number
from ledger.services.payment_status import refresh_payment_status, total_paid

PAYABLE = ("sell", "purchase", "sell_return", "purchase_return", "opening_balance")
DETAIL_FIELDS = (
    "note",
    "card_number",
    "card_holder_name",
    "card_transaction_number",
    "card_type",
    "card_month",
    "card_year",
    "cheque_number",
    "bank_account_number",
    *(f"transaction_no_{i}" for i in range(1, 8)),
)
LOGGED_FIELDS = (
    "amount",
    "method",
    "paid_on",
    "payment_ref_no",
    "transaction",
    "payment_for",
    "is_return",
    "is_advance",
    "payment_type",
    "note",
)


def payment_counter(document: Transaction) -> str:
    """SP… for sells and sell returns, PP… for purchases and purchase returns; an opening balance by the
    contact's side (a supplier's is a purchase payment)."""
    if document.type in ("sell", "sell_return"):
        return "sell_payment"
    if document.type in ("purchase", "purchase_return"):
        return "purchase_payment"
    return "purchase_payment" if document.contact.type == Contact.Type.SUPPLIER else "sell_payment"


def check_payable(document: Transaction, field: str = "transaction"):
    if document.type not in PAYABLE:
        raise BusinessRuleViolation(f"A {document.get_type_display().lower()} takes no payments.")
    if document.type == "sell" and document.status != "final":
        raise ValidationError({field: [f"A {document.status} sell takes no payments: only final sells do."]})


def _draw_advance(contact: Contact, amount: Decimal, field: str):
    """Method `advance` spends money the contact holds with us (their advance balance)."""
    contact.refresh_from_db(fields=["balance"])
    if contact.balance < amount:
        raise ValidationError(
            {
                field: [
                    f"The advance balance of {contact.name} is {format(contact.balance.normalize(), 'f')}, less than "
                    f"{format(amount.normalize(), 'f')}."
                ]
            }
        )
    contact.balance -= amount
    contact.save(update_fields=["balance", "updated_at"])


def record_payment(*, business, user, document: Transaction, data: dict, field_prefix: str = "") -> TransactionPayment:
    """Record one payment on a document that the caller has locked; no overpayment for any method.
    The caller refreshes the payment status (once, after all its payments)."""
    amount = data["amount"]
    due = document.final_total - total_paid(document)
    if amount > due:
        raise ValidationError(
            {
                f"{field_prefix}amount": [
                    f"The amount {format(amount.normalize(), 'f')} exceeds the amount due "
                    f"({format(max(due, Decimal(0)).normalize(), 'f')})."
                ]
            }
        )
    if data["method"] == TransactionPayment.Method.ADVANCE:
        _draw_advance(document.contact, amount, f"{field_prefix}amount")
    payment = TransactionPayment.objects.create(
        business=business,
        transaction=document,
        payment_for=document.contact,
        amount=amount,
        method=data["method"],
        paid_on=data.get("paid_on") or timezone.now(),
        payment_ref_no=payment_number(business, payment_counter(document)),
        created_by=user,
        **{f: data.get(f) for f in DETAIL_FIELDS},
    )
    # Payments with an account post their account transaction here (payment accounts).
    log_created(business=business, user=user, instance=payment, fields=LOGGED_FIELDS)
    return payment


def payment_add(*, business, user, document: Transaction, data: dict) -> TransactionPayment:
    """POST /sells|purchases|transactions/{id}/payments."""
    with db.atomic():
        if data["method"] == TransactionPayment.Method.ADVANCE:
            Contact.all_objects.select_for_update().get(pk=document.contact_id)  # lock order: contact first
        document = Transaction.objects.select_for_update().select_related("contact").get(pk=document.pk)
        check_payable(document)
        payment = record_payment(business=business, user=user, document=document, data=data)
        refresh_payment_status(document)
    return payment


def payment_rows_delete(document: Transaction):
    """Remove a document's payments, giving back what was drawn from the advance balance."""
    from django.db.models import F, Sum

    advance = TransactionPayment.objects.filter(transaction=document, method="advance").aggregate(s=Sum("amount"))["s"]
    if advance:
        Contact.all_objects.filter(pk=document.contact_id).update(balance=F("balance") + advance)
    TransactionPayment.objects.filter(transaction=document).delete()
