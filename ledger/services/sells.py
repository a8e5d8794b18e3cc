"""Sells and sell returns (supporting-api "Sells"; RULES §3)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from contacts.models import Contact
from core.dates import LATEST_DATE, add_term
from core.exceptions import BusinessRuleViolation
from core.services.activity import log_created, log_deleted
from inventory.services import InsufficientStock, stock_add, stock_remove
from ledger.models import SellLine, Transaction, TransactionPayment
from ledger.services import fifo
from ledger.services.numbering import create_numbered, document_number, number_taken
from ledger.services.payment_status import refresh_payment_status
from ledger.services.payments import payment_rows_delete, record_payment
from ledger.services.returns import checked_return_lines, return_save
from ledger.services.totals import document_totals

DOCUMENT_FIELDS = (
    "type",
    "status",
    "contact",
    "location",
    "invoice_no",
    "ref_no",
    "transaction_date",
    "final_total",
    "discount_type",
    "discount_amount",
    "shipping_charges",
    "payment_status",
)
RECURRING_FIELDS = ("recur_interval", "recur_interval_type", "recur_repetitions", "subscription_repeat_on")


def _stock_error(index: int, exc: InsufficientStock) -> ValidationError:
    return ValidationError({f"lines.{index}.quantity": [str(exc)]})


def take_stock(business, lines: list[tuple[int, SellLine]], location_id: int):
    """Final sell lines leave the shelf: stock down (refused when short, unless overselling is allowed), then
    their quantities mapped to purchase lines FIFO. Stock rows are taken in variation order, all before any
    purchase line, so concurrent documents always lock in the same order."""
    stocked = sorted(((i, line) for i, line in lines if line.product.enable_stock), key=lambda p: p[1].variation_id)
    for index, line in stocked:
        _move_stock(business, line, -line.quantity, location_id, index)
    fifo.allocate([(line, line.quantity) for _, line in stocked], location_id)


def _move_stock(business, line: SellLine, delta: Decimal, location_id: int, index: int):
    if delta > 0:
        stock_add(variation=line.variation, location_id=location_id, quantity=delta)
    elif delta < 0:
        try:
            stock_remove(
                variation=line.variation,
                location_id=location_id,
                quantity=-delta,
                allow_negative=business.allow_overselling,
            )
        except InsufficientStock as exc:
            raise _stock_error(index, exc) from exc


def _check_recurring(business, data):
    """A subscription parent's schedule (RULES §8): a final sell in a business with the subscription module, an
    interval type, `subscription_repeat_on` only with months. Schedule fields without `is_recurring` are refused
    rather than ignored."""
    fields = {f: data.get(f) for f in RECURRING_FIELDS}
    if not data.get("is_recurring"):
        sent = [f for f, value in fields.items() if value is not None]
        if sent:
            raise ValidationError({f: ["Only a subscription (is_recurring true) takes a schedule."] for f in sent})
        return {}
    if not business.has_module("subscription"):
        raise ValidationError({"is_recurring": ["The subscription module is not enabled for this business."]})
    if data.get("status", "final") != "final":
        raise ValidationError({"is_recurring": ["Only a final sell can be a subscription."]})
    fields["recur_interval"] = fields["recur_interval"] or 1
    if not fields["recur_interval_type"]:
        raise ValidationError({"recur_interval_type": ["The recur interval type is required for a subscription."]})
    if fields["subscription_repeat_on"] is not None and fields["recur_interval_type"] != "months":
        raise ValidationError({"subscription_repeat_on": ["The repeat-on day applies to monthly subscriptions only."]})
    return {
        "is_recurring": True,
        **fields,
        "subscription_no": document_number(business, "subscription", "subscription_no"),
    }


def document_header(*, business, user, data: dict, contact: Contact, subtotal: Decimal) -> dict:
    """The Transaction fields a new sell or purchase takes from its request: location, contact, date, totals,
    discount, shipping, notes and pay term (the contact's when the request names none) with its due date."""
    _, final_total = document_totals(
        subtotal=subtotal,
        discount_type=data.get("discount_type"),
        discount_amount=data.get("discount_amount"),
        shipping_charges=data.get("shipping_charges"),
        precision=business.currency_precision,
    )
    when = data.get("transaction_date") or timezone.now()
    pay_term_number = data.get("pay_term_number", contact.pay_term_number)
    pay_term_type = data.get("pay_term_type", contact.pay_term_type)
    try:
        due_date = add_term(when, pay_term_number, pay_term_type)
    except (OverflowError, ValueError):
        due_date = None
    if due_date is None or due_date.date() > LATEST_DATE:
        raise ValidationError({"pay_term_number": [f"The pay term takes the due date past {LATEST_DATE}."]})
    return {
        "business": business,
        "location": data["location"],
        "contact": contact,
        "transaction_date": when,
        "total_before_tax": subtotal,
        "discount_type": data.get("discount_type"),
        "discount_amount": data.get("discount_amount") or 0,
        "shipping_charges": data.get("shipping_charges") or 0,
        "final_total": final_total,
        "additional_notes": data.get("additional_notes"),
        "pay_term_number": pay_term_number,
        "pay_term_type": pay_term_type,
        "due_date": due_date,
        "payment_status": Transaction.PaymentStatus.DUE,
        "created_by": user,
    }


def sell_create(*, business, user, data: dict) -> Transaction:
    contact: Contact = data["contact"]
    if contact.type not in (Contact.Type.CUSTOMER, Contact.Type.BOTH):
        raise ValidationError({"contact_id": ["A sell needs a customer (or customer-and-supplier) contact."]})
    status = data.get("status") or Transaction.Status.FINAL
    payments = data.get("payments") or []
    if payments and status != Transaction.Status.FINAL:
        raise ValidationError({"payments": [f"A {status} sell takes no payments: only final sells do."]})
    lines = data["lines"]
    subtotal = sum((line["quantity"] * line["unit_price"] for line in lines), Decimal(0))
    header = document_header(business=business, user=user, data=data, contact=contact, subtotal=subtotal)

    with db.atomic():
        if any(p["method"] == TransactionPayment.Method.ADVANCE for p in payments):
            Contact.all_objects.select_for_update().get(pk=contact.pk)
        invoice_no = (data.get("invoice_no") or "").strip()
        if invoice_no and number_taken(business, "invoice_no", invoice_no):
            raise ValidationError({"invoice_no": ["The invoice no has already been taken."]})
        recurring = _check_recurring(business, data)
        sell = create_numbered(
            business=business,
            counter="sell_invoice",
            field="invoice_no",
            typed=invoice_no,
            create=lambda number: Transaction.objects.create(
                invoice_no=number,
                type=Transaction.Type.SELL,
                status=status,
                is_direct_sale=data.get("is_direct_sale", True),
                **header,
                **recurring,
            ),
        )
        rows = SellLine.objects.bulk_create(
            [
                SellLine(
                    business=business,
                    transaction=sell,
                    product=line["variation"].product,
                    variation=line["variation"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                )
                for line in lines
            ]
        )
        if status == Transaction.Status.FINAL:
            take_stock(business, list(enumerate(rows)), sell.location_id)
        for index, payment in enumerate(payments):
            record_payment(business=business, user=user, document=sell, data=payment, field_prefix=f"payments.{index}.")
        refresh_payment_status(sell)
        log_created(business=business, user=user, instance=sell, fields=DOCUMENT_FIELDS)
    return sell


def sell_return_save(*, business, user, sell: Transaction, data: dict) -> Transaction:
    """Create or update the sell's one return. Each listed line's returned quantity becomes the quantity sent
    (so a retried request changes nothing); lines not listed keep theirs."""
    with db.atomic():
        sell = Transaction.objects.select_for_update().get(pk=sell.pk)
        if sell.type != Transaction.Type.SELL or sell.status != Transaction.Status.FINAL:
            raise BusinessRuleViolation("Only a final sell can be returned.")
        existing = Transaction.objects.select_for_update().filter(return_parent=sell).first()
        lines = {
            line.pk: line
            for line in SellLine.objects.select_related("product", "variation__product").filter(transaction=sell)
        }
        changes = checked_return_lines(
            data["lines"],
            lines,
            key="sell_line_id",
            document="sell",
            returnable=lambda line: line.quantity,
            too_many="Cannot return more than was sold",
        )
        _return_lines(business, changes, sell.location_id)
        # An update that sends no discount keeps the return's discount.
        discount = {
            field: data[field] if field in data else getattr(existing, field, None)
            for field in ("discount_type", "discount_amount")
        }
        return return_save(
            business=business,
            user=user,
            parent=sell,
            existing=existing,
            subtotal=sum((line.quantity_returned * line.unit_price for line in lines.values()), Decimal(0)),
            discount=discount,
            when=data.get("transaction_date"),
            fields=DOCUMENT_FIELDS,
            refunded="The return would fall below what has already been refunded on it.",
        )


def _return_lines(business, changes: list[tuple[int, SellLine, Decimal]], location_id: int):
    """Set each line's returned quantity: the difference goes back on the shelf (or leaves it again when less is
    returned than before), stock rows first in variation order, then the FIFO mapping."""
    releases, allocations = [], []
    # Within a variation, what comes back on the shelf first, then what leaves it again.
    for index, line, quantity in sorted(changes, key=lambda c: (c[1].variation_id, c[2] < c[1].quantity_returned)):
        delta = quantity - line.quantity_returned
        if delta and line.product.enable_stock:
            _move_stock(business, line, delta, location_id, index)
            (releases if delta > 0 else allocations).append((line, abs(delta)))
        line.quantity_returned = quantity
    fifo.release(releases)
    fifo.allocate(allocations, location_id)
    SellLine.objects.bulk_update([line for _, line, _ in changes], ["quantity_returned"])


def sell_delete(*, business, user, sell: Transaction):
    """Delete a sell (back office): its stock goes back, FIFO is released, its return and payments go too."""
    with db.atomic():
        Contact.all_objects.select_for_update().get(pk=sell.contact_id)  # lock order: the contact first
        sell = Transaction.objects.select_for_update().get(pk=sell.pk, type=Transaction.Type.SELL)
        documents = [sell, *Transaction.objects.filter(return_parent=sell)]
        if sell.status == Transaction.Status.FINAL:
            stocked = list(
                SellLine.objects.select_related("product", "variation")
                .filter(transaction=sell, product__enable_stock=True)
                .order_by("variation_id")
            )
            for line in stocked:
                stock_add(
                    variation=line.variation,
                    location_id=sell.location_id,
                    quantity=line.quantity - line.quantity_returned,
                )
            fifo.release_all(stocked)
        for document in documents:
            payment_rows_delete(document)
        log_deleted(business=business, user=user, instance=sell, fields=DOCUMENT_FIELDS)
        sell.delete()
