"""A contact's opening balance (RULES §3): one opening_balance document per contact, at the business's first
location. For a customer (and `both`) it is what they owed us when their account was opened; for a supplier,
what we owed them."""

from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from contacts.models import Contact
from core.bulk import bulk_insert_values, model_values
from core.models import BusinessLocation
from core.services.activity import log_created, log_created_values, log_deleted, logged_update
from ledger.models import Transaction
from ledger.services.numbering import document_number, document_numbers
from ledger.services.payment_status import refresh_payment_status, status_for, total_paid
from ledger.services.sells import DOCUMENT_FIELDS

FIELD = "opening_balance"


def check_type_change(*, contact: Contact, old_type: str) -> None:
    """The opening balance's direction follows the contact's type (a supplier's is what we owed them, anyone
    else's what they owed us), so a type change that would flip it is refused while one exists (422 on
    `type`); remove it first (opening_balance 0), or keep the side (customer <-> both)."""
    supplier = Contact.Type.SUPPLIER
    if (old_type == supplier) == (contact.type == supplier):
        return
    if Transaction.objects.filter(contact=contact, type=Transaction.Type.OPENING_BALANCE).exists():
        raise ValidationError(
            {
                "type": [
                    "The contact has an opening balance, whose direction depends on the type: set opening_balance "
                    "to 0 first, or keep the same side."
                ]
            }
        )


def _first_location(business):
    return BusinessLocation.objects.for_business(business).order_by("id").first()


def _document_fields(*, business, user, location, contact: Contact | int, amount: Decimal, ref_no: str, now) -> dict:
    """The keyword arguments of the opening-balance document of a contact (an instance, or its id) that has none
    yet (nothing is paid on it)."""
    return {
        "business": business,
        "location": location,
        "type": Transaction.Type.OPENING_BALANCE,
        "status": Transaction.Status.FINAL,
        **({"contact": contact} if isinstance(contact, Contact) else {"contact_id": contact}),
        "ref_no": ref_no,
        "transaction_date": now,
        "due_date": now,
        "total_before_tax": amount,
        "final_total": amount,
        "payment_status": status_for(amount, Decimal(0)),
        "created_by": user,
    }


def _new_document(**fields) -> Transaction:
    """The unsaved opening-balance document of _document_fields."""
    return Transaction(**_document_fields(**fields))


def opening_balances_create(*, business, user, amounts, batch_size: int = 5000) -> int:
    """Opening balances for new contacts that have none yet, in bulk (the import): `amounts` yields
    (contact, amount) pairs with amount > 0, a contact given as an instance or by id. Per batch: one counter step
    for the reference numbers, one insert of the documents, one of their activity rows.
    Returns how many documents were written."""
    location, now, written = _first_location(business), timezone.now(), 0
    remaining = iter(amounts)
    with db.atomic():
        while batch := list(islice(remaining, batch_size)):
            if any(amount <= 0 for _, amount in batch):
                raise ValidationError({FIELD: ["An opening balance written in bulk must be greater than 0."]})
            numbers = document_numbers(business, "opening_balance", "ref_no", len(batch))
            documents = [
                model_values(
                    Transaction,
                    _document_fields(
                        business=business, user=user, location=location, contact=c, amount=a, ref_no=n, now=now
                    ),
                )
                for (c, a), n in zip(batch, numbers, strict=True)
            ]
            ids = bulk_insert_values(Transaction, documents)
            log_created_values(
                business=business, user=user, model=Transaction, rows=documents, ids=ids, fields=DOCUMENT_FIELDS
            )
            written += len(documents)
    return written


def opening_balance_set(*, business, user, contact: Contact, amount: Decimal) -> Transaction | None:
    """Create or change the contact's opening balance to `amount` (the full opening amount, not a change).
    Zero removes an unpaid one; it may never drop below what was already paid on it."""
    if amount < 0:
        raise ValidationError({FIELD: ["The opening balance cannot be negative."]})
    with db.atomic():
        Contact.all_objects.select_for_update().get(pk=contact.pk)  # lock order: the contact first
        existing = (
            Transaction.objects.select_for_update()
            .filter(contact=contact, type=Transaction.Type.OPENING_BALANCE)
            .first()
        )
        if existing is None:
            if amount == 0:
                return None
            document = _new_document(
                business=business,
                user=user,
                location=_first_location(business),
                contact=contact,
                amount=amount,
                ref_no=document_number(business, "opening_balance", "ref_no"),
                now=timezone.now(),
            )
            document.save()
            log_created(business=business, user=user, instance=document, fields=DOCUMENT_FIELDS)
            return document
        paid = total_paid(existing)
        if amount < paid:
            raise ValidationError(
                {
                    FIELD: [
                        f"The opening balance cannot be less than what was already paid on it "
                        f"({format(paid.normalize(), 'f')})."
                    ]
                }
            )
        if amount == 0:
            log_deleted(business=business, user=user, instance=existing, fields=DOCUMENT_FIELDS)
            existing.delete()
            return None
        with logged_update(business=business, user=user, instance=existing, fields=DOCUMENT_FIELDS):
            existing.final_total = existing.total_before_tax = amount
            existing.save(update_fields=["final_total", "total_before_tax", "updated_at"])
            refresh_payment_status(existing)
        return existing
