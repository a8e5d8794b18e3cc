"""Purchases and purchase returns (supporting-api "Purchases"; RULES §3)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db

from contacts.models import Contact
from core.exceptions import BusinessRuleViolation
from core.services.activity import log_created, log_deleted
from inventory.services import InsufficientStock, lock_stock, stock_add, stock_remove
from ledger.models import PurchaseLine, Transaction, TransactionPayment
from ledger.services.numbering import create_numbered, number_taken
from ledger.services.payment_status import refresh_payment_status
from ledger.services.payments import payment_rows_delete, record_payment
from ledger.services.returns import checked_return_lines, return_save
from ledger.services.sells import DOCUMENT_FIELDS, document_header


def purchase_create(*, business, user, data: dict) -> Transaction:
    contact: Contact = data["contact"]
    if contact.type not in (Contact.Type.SUPPLIER, Contact.Type.BOTH):
        raise ValidationError({"contact_id": ["A purchase needs a supplier (or customer-and-supplier) contact."]})
    status = data.get("status") or Transaction.Status.RECEIVED
    received = status == Transaction.Status.RECEIVED
    lines = data["lines"]
    subtotal = sum((line["quantity"] * line["purchase_price"] for line in lines), Decimal(0))
    header = document_header(business=business, user=user, data=data, contact=contact, subtotal=subtotal)
    payments = data.get("payments") or []

    with db.atomic():
        if any(p["method"] == TransactionPayment.Method.ADVANCE for p in payments):
            Contact.all_objects.select_for_update().get(pk=contact.pk)
        ref_no = (data.get("ref_no") or "").strip()
        if ref_no and number_taken(business, "ref_no", ref_no):
            raise ValidationError({"ref_no": ["The ref no has already been taken."]})
        purchase = create_numbered(
            business=business,
            counter="purchase",
            field="ref_no",
            typed=ref_no,
            create=lambda number: Transaction.objects.create(
                ref_no=number, type=Transaction.Type.PURCHASE, status=status, **header
            ),
        )
        rows = PurchaseLine.objects.bulk_create(
            [
                PurchaseLine(
                    business=business,
                    transaction=purchase,
                    location=data["location"],
                    product=line["variation"].product,
                    variation=line["variation"],
                    quantity=line["quantity"],
                    purchase_price=line["purchase_price"],
                    is_received=received,
                )
                for line in lines
            ]
        )
        if received:
            for row in sorted(rows, key=lambda r: r.variation_id):
                if row.product.enable_stock:
                    stock_add(variation=row.variation, location_id=purchase.location_id, quantity=row.quantity)
        for index, payment in enumerate(payments):
            record_payment(
                business=business, user=user, document=purchase, data=payment, field_prefix=f"payments.{index}."
            )
        refresh_payment_status(purchase)
        log_created(business=business, user=user, instance=purchase, fields=DOCUMENT_FIELDS)
    return purchase


def purchase_return_save(*, business, user, purchase: Transaction, data: dict) -> Transaction:
    """Create or update the purchase's one return. Each listed line's returned quantity becomes the quantity
    sent; it cannot exceed what is still on hand from that line (bought − sold)."""
    with db.atomic():
        purchase = Transaction.objects.select_for_update().get(pk=purchase.pk)
        if purchase.type != Transaction.Type.PURCHASE or purchase.status != Transaction.Status.RECEIVED:
            raise BusinessRuleViolation("Only a received purchase can be returned: nothing else is in stock.")
        existing = Transaction.objects.select_for_update().filter(return_parent=purchase).first()
        lock_stock(
            variation_ids=purchase.purchase_lines.values_list("variation_id", flat=True),
            location_id=purchase.location_id,
        )
        lines = {
            line.pk: line
            for line in PurchaseLine.objects.select_for_update()
            .select_related("product", "variation__product")
            .filter(transaction=purchase)
        }
        changes = checked_return_lines(
            data["lines"],
            lines,
            key="purchase_line_id",
            document="purchase",
            returnable=lambda line: line.quantity - line.quantity_sold,
            too_many="Cannot return more than is still on hand from this purchase line",
        )
        for index, line, quantity in sorted(changes, key=lambda change: change[1].variation_id):
            _return_line(business, line, quantity, purchase.location_id, index)
        return return_save(
            business=business,
            user=user,
            parent=purchase,
            existing=existing,
            subtotal=sum((line.quantity_returned * line.purchase_price for line in lines.values()), Decimal(0)),
            discount={"discount_type": None, "discount_amount": None},
            when=data.get("transaction_date"),
            fields=DOCUMENT_FIELDS,
            refunded="The return would fall below what the supplier already refunded on it.",
        )


def _return_line(business, line: PurchaseLine, quantity: Decimal, location_id: int, index: int):
    delta = quantity - line.quantity_returned
    if delta and line.product.enable_stock:
        if delta > 0:
            try:
                stock_remove(
                    variation=line.variation,
                    location_id=location_id,
                    quantity=delta,
                    allow_negative=business.allow_overselling,
                )
            except InsufficientStock as exc:
                raise ValidationError({f"lines.{index}.quantity": [str(exc)]}) from exc
        else:
            stock_add(variation=line.variation, location_id=location_id, quantity=-delta)
    PurchaseLine.objects.filter(pk=line.pk).update(quantity_returned=quantity)
    line.quantity_returned = quantity


def purchase_delete(*, business, user, purchase: Transaction):
    """Delete a purchase (back office); refused once any of its stock has been sold."""
    with db.atomic():
        Contact.all_objects.select_for_update().get(pk=purchase.contact_id)  # lock order: the contact first
        purchase = Transaction.objects.select_for_update().get(pk=purchase.pk, type=Transaction.Type.PURCHASE)
        lock_stock(
            variation_ids=purchase.purchase_lines.values_list("variation_id", flat=True),
            location_id=purchase.location_id,
        )
        lines = list(
            PurchaseLine.objects.select_for_update()
            .select_related("product", "variation")
            .filter(transaction=purchase)
            .order_by("variation_id")
        )
        if any(line.quantity_sold > 0 for line in lines):
            raise BusinessRuleViolation("Stock from this purchase has been sold: it cannot be deleted.")
        documents = [purchase, *Transaction.objects.filter(return_parent=purchase)]
        for line in lines:
            if line.is_received and line.product.enable_stock:
                try:
                    stock_remove(
                        variation=line.variation,
                        location_id=purchase.location_id,
                        quantity=line.quantity - line.quantity_returned,
                        allow_negative=business.allow_overselling,
                    )
                except InsufficientStock as exc:
                    raise BusinessRuleViolation(str(exc)) from exc
        for document in documents:
            payment_rows_delete(document)
        log_deleted(business=business, user=user, instance=purchase, fields=DOCUMENT_FIELDS)
        purchase.delete()
