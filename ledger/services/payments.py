"""Payments on one document (supporting-api "Payments on one document", RULES §4)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.db.models import F, Sum
from django.utils import timezone

from accounts.services import payment_posting, payment_posting_remove
from contacts.models import Contact
from core.exceptions import BusinessRuleViolation
from core.money import check_storable
from core.services.activity import log_created, log_deleted
from ledger.models import Transaction, TransactionPayment
from ledger.services.numbering import payment_number
from ledger.services.payment_status import refresh_payment_status, total_paid

PAYABLE = ("sell", "purchase", "sell_return", "purchase_return", "opening_balance")
DETAIL_FIELDS = (
    "note",
    "card_last4",
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
    "account",
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


ADVANCE_DOCUMENTS = ("sell", "purchase", "opening_balance")


def _advance_direction(document: Transaction) -> str:
    """Which advances pay this document: money the contact paid us (credit) pays sells and a customer's opening
    balance; money we paid a supplier ahead (debit) pays purchases and a supplier's opening balance."""
    if document.type == "sell" or (
        document.type == "opening_balance" and document.contact.type != Contact.Type.SUPPLIER
    ):
        return "credit"
    return "debit"


def spend_advance(*, business, user, document: Transaction, data: dict, field: str) -> list[TransactionPayment]:
    """Method `advance`: the amount is taken from the contact's unallocated pay-due payments, oldest first, as
    child payments of them (one per advance it draws on). So the advance balance stays Σ(parent − children)
    and the money is never counted twice. The caller holds the contact's lock."""
    if document.type not in ADVANCE_DOCUMENTS:
        raise ValidationError({field: ["The advance balance pays sells, purchases and opening balances only."]})
    contact = document.contact
    parents = list(
        TransactionPayment.objects.select_for_update()
        .filter(
            payment_for=contact,
            parent__isnull=True,
            transaction__isnull=True,
            is_advance=True,
            is_reverse=False,
            payment_type=_advance_direction(document),
        )
        .order_by("paid_on", "id")
    )
    allocated = dict(
        TransactionPayment.objects.filter(parent__in=parents)
        .values("parent_id")
        .annotate(total=Sum("amount"))
        .values_list("parent_id", "total")
    )
    free = [(parent, parent.amount - allocated.get(parent.pk, Decimal(0))) for parent in parents]
    amount = data["amount"]
    available = sum((left for _, left in free if left > 0), Decimal(0))
    if available < amount:
        raise ValidationError(
            {
                field: [
                    f"The advance balance of {contact.name} that can pay this document is "
                    f"{format(available.normalize(), 'f')}, less than {format(amount.normalize(), 'f')}."
                ]
            }
        )
    children, remaining = [], amount
    for parent, left in free:
        if remaining <= 0:
            break
        if left <= 0:
            continue
        take = min(left, remaining)
        children.append(
            TransactionPayment.objects.create(
                business=business,
                transaction=document,
                parent=parent,
                payment_for=contact,
                amount=take,
                method=TransactionPayment.Method.ADVANCE,
                paid_on=data.get("paid_on") or timezone.now(),
                payment_ref_no=payment_number(business, payment_counter(document)),
                payment_type=parent.payment_type,
                created_by=user,
                **{f: data.get(f) for f in DETAIL_FIELDS},
            )
        )
        remaining -= take
    Contact.all_objects.filter(pk=contact.pk).update(balance=F("balance") - amount)
    return children


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
        children = spend_advance(
            business=business, user=user, document=document, data=data, field=f"{field_prefix}amount"
        )
        for child in children:
            log_created(business=business, user=user, instance=child, fields=LOGGED_FIELDS)
        children[0].pieces = children  # an advance drawn from several earlier payments is one piece per payment
        return children[0]
    payment = TransactionPayment.objects.create(
        business=business,
        transaction=document,
        payment_for=document.contact,
        amount=amount,
        method=data["method"],
        paid_on=data.get("paid_on") or timezone.now(),
        payment_ref_no=payment_number(business, payment_counter(document)),
        account=data.get("account"),
        created_by=user,
        **{f: data.get(f) for f in DETAIL_FIELDS},
    )
    post_to_account(business=business, user=user, payment=payment, type=document_money_side(document, payment))
    log_created(business=business, user=user, instance=payment, fields=LOGGED_FIELDS)
    return payment


def document_money_side(document: Transaction, payment: TransactionPayment) -> str:
    """How a payment on a document moves its account (RULES §4): its payment_type when set; otherwise money comes in
    (credit) for sells, purchase returns and a customer's opening balance, goes out (debit) for purchases, sell
    returns and a supplier's opening balance; change returned is a debit."""
    if payment.payment_type:
        return payment.payment_type
    if payment.is_return:
        return "debit"
    if document.type in ("sell", "purchase_return"):
        return "credit"
    if document.type == "opening_balance" and document.contact.type != Contact.Type.SUPPLIER:
        return "credit"
    return "debit"


def post_to_account(*, business, user, payment: TransactionPayment, type: str):
    """A payment with an account writes its account movement, in the payment's database transaction. Allocations
    (children) and advance-method payments never do: their money moved when their parent was paid."""
    if payment.account_id is None or payment.parent_id is not None:
        return
    movement = payment_posting(
        business=business,
        user=user,
        account=payment.account,
        type=type,
        amount=payment.amount,
        operation_date=payment.paid_on,
        note=payment.note,
        transaction_id=payment.transaction_id,
        payment_id=payment.pk,
        payment_ref_no=payment.payment_ref_no,
        payment_method=payment.method,
    )
    payment.account_transaction = movement
    payment.save(update_fields=["account_transaction"])


def payment_add(*, business, user, document: Transaction, data: dict) -> TransactionPayment:
    """POST /sells|purchases|transactions/{id}/payments."""
    with db.atomic():
        # The house lock order: the contact first (pay due holds it while it allocates), then the document.
        Contact.all_objects.select_for_update().get(pk=document.contact_id)
        document = Transaction.objects.select_for_update(of=("self",)).select_related("contact").get(pk=document.pk)
        check_payable(document)
        payment = record_payment(business=business, user=user, document=document, data=data)
        refresh_payment_status(document)
    return payment


def payment_rows_delete(document: Transaction):
    """Remove a document's payments (its document is going). Allocations of pay-due or advance money put that
    money back into the contact's advance balance."""
    allocated = TransactionPayment.objects.filter(transaction=document, parent__isnull=False).aggregate(
        total=Sum("amount")
    )["total"]
    if allocated:
        balance = Contact.all_objects.filter(pk=document.contact_id).values_list("balance", flat=True).get()
        check_storable(balance + allocated, field="id", what="the contact's advance balance")
        Contact.all_objects.filter(pk=document.contact_id).update(balance=F("balance") + allocated)
    payments = TransactionPayment.objects.filter(transaction=document)
    payment_posting_remove(movement_ids=list(payments.values_list("account_transaction_id", flat=True)))
    payments.delete()


def payment_delete(*, business, user, payment: TransactionPayment) -> int:
    """DELETE /payments/{id} (business admins). A pay-due parent goes with its children and its unallocated part
    comes off the advance balance; an allocation (a child) puts its amount back into the advance balance; the
    statuses of the documents involved are recomputed."""
    with db.atomic():
        if payment.payment_for_id:
            contact = Contact.all_objects.select_for_update().get(pk=payment.payment_for_id)
        payment = TransactionPayment.objects.select_for_update().get(pk=payment.pk)
        children = list(TransactionPayment.objects.filter(parent=payment))
        documents = {p.transaction_id for p in (payment, *children) if p.transaction_id}
        list(Transaction.objects.select_for_update().filter(pk__in=documents).order_by("id").values_list("pk"))
        change = Decimal(0)
        if payment.parent_id is not None:
            change = payment.amount
        elif payment.is_advance and payment.transaction_id is None:
            change = -(payment.amount - sum((c.amount for c in children), Decimal(0)))
            if contact.balance + change < 0:
                raise BusinessRuleViolation(
                    "This payment's advance has already been spent on other documents: delete those payments first."
                )
        if change:
            check_storable(contact.balance + change, field="id", what="the contact's advance balance")
            Contact.all_objects.filter(pk=contact.pk).update(balance=F("balance") + change)
        pk = payment.pk
        log_deleted(business=business, user=user, instance=payment, fields=LOGGED_FIELDS)
        payment_posting_remove(movement_ids=[payment.account_transaction_id])
        payment.delete()
        for document in Transaction.objects.filter(pk__in=documents):
            refresh_payment_status(document)
    return pk
