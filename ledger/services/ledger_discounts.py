"""Ledger discounts (RULES §7): an amount taken off what a contact owes (sell_discount) or what we owe them
(purchase_discount), with no location and no payment status."""

from django.core.exceptions import ValidationError
from django.db import transaction as db

from contacts.models import Contact
from core.services.activity import log_created, log_deleted, logged_update
from ledger.models import Transaction

FIELDS = ("contact", "sub_type", "final_total", "transaction_date", "additional_notes")
SUB_TYPE_OF = {Contact.Type.CUSTOMER: "sell_discount", Contact.Type.SUPPLIER: "purchase_discount"}


def _sub_type(contact: Contact, wanted: str | None, current: str | None = None) -> str:
    """customer → sell_discount, supplier → purchase_discount; a `both` contact must say which."""
    fixed = SUB_TYPE_OF.get(contact.type)
    if fixed:
        if wanted and wanted != fixed:
            raise ValidationError({"sub_type": [f"A {contact.type}'s ledger discount is a {fixed}."]})
        return fixed
    choice = wanted or current
    if choice not in ("sell_discount", "purchase_discount"):
        raise ValidationError(
            {
                "sub_type": [
                    "The sub type field is required for a customer-and-supplier contact: "
                    "sell_discount or purchase_discount."
                ]
            }
        )
    return choice


def ledger_discount_create(*, business, user, contact: Contact, data: dict) -> Transaction:
    with db.atomic():
        discount = Transaction.objects.create(
            business=business,
            location=None,
            type=Transaction.Type.LEDGER_DISCOUNT,
            status=Transaction.Status.FINAL,
            sub_type=_sub_type(contact, data.get("sub_type")),
            contact=contact,
            transaction_date=data["date"],
            due_date=data["date"],
            total_before_tax=data["amount"],
            final_total=data["amount"],
            additional_notes=data.get("note"),
            payment_status=None,
            created_by=user,
        )
        log_created(business=business, user=user, instance=discount, fields=FIELDS)
    return discount


def ledger_discount_update(*, business, user, discount: Transaction, data: dict) -> Transaction:
    with db.atomic():
        discount = Transaction.objects.select_for_update().select_related("contact").get(pk=discount.pk)
        with logged_update(business=business, user=user, instance=discount, fields=FIELDS):
            discount.sub_type = _sub_type(discount.contact, data.get("sub_type"), current=discount.sub_type)
            if "date" in data:
                discount.transaction_date = discount.due_date = data["date"]
            if "amount" in data:
                discount.final_total = discount.total_before_tax = data["amount"]
            if "note" in data:
                discount.additional_notes = data["note"]
            discount.save()
    return discount


def ledger_discount_delete(*, business, user, discount: Transaction) -> int:
    with db.atomic():
        pk = discount.pk
        log_deleted(business=business, user=user, instance=discount, fields=FIELDS)
        discount.delete()
    return pk
