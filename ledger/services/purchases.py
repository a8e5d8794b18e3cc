"""Purchases and purchase returns (supporting-api "Purchases"; RULES §3)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from contacts.models import Contact
from core.exceptions import BusinessRuleViolation
from core.services.activity import log_created, log_deleted, logged_update
from inventory.services import InsufficientStock, lock_stock, stock_add, stock_remove
from ledger.models import PurchaseLine, Transaction, TransactionPayment
from ledger.services.numbering import create_numbered, document_number, number_taken
from ledger.services.payment_status import refresh_payment_status, total_paid
from ledger.services.payments import payment_rows_delete, record_payment
from ledger.services.sells import DOCUMENT_FIELDS, document_header
from ledger.services.totals import document_totals


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
        requested = data["lines"]
        seen = set()
        for index, item in enumerate(requested):
            if item["purchase_line_id"] in seen:
                raise ValidationError({f"lines.{index}.purchase_line_id": ["This line is listed twice."]})
            seen.add(item["purchase_line_id"])
            line = lines.get(item["purchase_line_id"])
            if line is None:
                raise ValidationError({f"lines.{index}.purchase_line_id": ["Not a line of this purchase."]})
            returnable = line.quantity - line.quantity_sold
            if item["quantity"] > returnable:
                raise ValidationError(
                    {
                        f"lines.{index}.quantity": [
                            f"Cannot return more than is still on hand from this purchase line "
                            f"({format(returnable.normalize(), 'f')})."
                        ]
                    }
                )
        for index, item in sorted(enumerate(requested), key=lambda p: lines[p[1]["purchase_line_id"]].variation_id):
            _return_line(business, lines[item["purchase_line_id"]], item["quantity"], purchase.location_id, index)

        subtotal = sum((line.quantity_returned * line.purchase_price for line in lines.values()), Decimal(0))
        _, final_total = document_totals(
            subtotal=subtotal,
            discount_type=None,
            discount_amount=None,
            shipping_charges=None,
            precision=business.currency_precision,
        )
        when = data.get("transaction_date")
        if existing is None:
            ret = Transaction(
                business=business,
                location_id=purchase.location_id,
                type=Transaction.Type.PURCHASE_RETURN,
                status=Transaction.Status.FINAL,
                contact_id=purchase.contact_id,
                return_parent=purchase,
                ref_no=document_number(business, "purchase_return", "ref_no"),
                transaction_date=when or timezone.now(),
                created_by=user,
                total_before_tax=subtotal,
                final_total=final_total,
                payment_status=Transaction.PaymentStatus.DUE,
            )
            ret.due_date = ret.transaction_date
            ret.save()
            log_created(business=business, user=user, instance=ret, fields=DOCUMENT_FIELDS)
        else:
            ret = existing
            with logged_update(business=business, user=user, instance=ret, fields=DOCUMENT_FIELDS):
                if when:
                    ret.transaction_date = ret.due_date = when
                ret.total_before_tax, ret.final_total = subtotal, final_total
                if total_paid(ret) > ret.final_total:
                    raise BusinessRuleViolation("The return would fall below what the supplier already refunded on it.")
                ret.save()
        refresh_payment_status(ret)
    return ret


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
