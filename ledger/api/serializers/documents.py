"""Sells and purchases: list rows, details and lines, the request bodies that write them, supplier stock rows."""

from django.utils import timezone
from rest_framework import serializers

from contacts.models import Contact
from core.api.fields import ZERO, DocumentDate, Money, Quantity
from core.api.rows import Batched, Computed
from core.api.serializers import Id, InputSerializer, ScopedPrimaryKey, Text
from core.models import BusinessLocation
from inventory.models import Variation
from ledger.api.serializers.payments import PaymentRow, PaymentWrite, document_payments
from ledger.models import PurchaseLine, SellLine, Transaction
from ledger.selectors import document_lines, variation_display_name

# --- shared pieces ---------------------------------------------------------------------------------


class ContactSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    contact_id = serializers.CharField(allow_null=True)


class LocationSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def shown_payment_status(row, ctx):
    """due/partial past the due date of a document with a pay term show as overdue/partial-overdue."""
    status = row["payment_status"]
    has_term = row["pay_term_number"] and row["pay_term_type"]
    if status in ("due", "partial") and has_term and row["due_date"] < timezone.now():
        return "overdue" if status == "due" else "partial-overdue"
    return status


def _contact(row, ctx):
    return {"id": row["contact_id"], "name": row["contact__name"], "contact_id": row["contact__contact_id"]}


def _location(row, ctx):
    if row["location_id"] is None:
        return None
    return {"id": row["location_id"], "name": row["location__name"]}


# --- lines -------------------------------------------------------------------------------------------


class SellLineRow(serializers.Serializer):
    id = serializers.IntegerField()
    variation_id = serializers.IntegerField()
    product_name = serializers.CharField()
    variation_name = serializers.CharField()
    sub_sku = serializers.CharField()
    quantity = Money()
    quantity_returned = Money()
    unit_price = Money(help_text="Tax included.")
    line_total = Money(help_text="quantity × unit_price.")


class PurchaseLineRow(serializers.Serializer):
    id = serializers.IntegerField()
    variation_id = serializers.IntegerField()
    product_name = serializers.CharField()
    variation_name = serializers.CharField()
    sub_sku = serializers.CharField()
    quantity = Money()
    quantity_returned = Money(help_text="Returned to the supplier.")
    quantity_sold = Money(help_text="Sold from this line (first in, first out), net of sell returns.")
    purchase_price = Money(help_text="Unit cost, tax included.")
    line_total = Money(help_text="quantity × purchase_price.")


def sell_lines(ids, ctx):
    return document_lines(SellLine, "unit_price", ids)


def purchase_lines(ids, ctx):
    return document_lines(PurchaseLine, "purchase_price", ids, extra=("quantity_sold",))


# --- documents ----------------------------------------------------------------------------------------


#: The contract's field order of SellRow (PurchaseRow mirrors it with ref_no for invoice_no).
ROW_ORDER = (
    "id",
    "number",
    "transaction_date",
    "status",
    "payment_status",
    "contact",
    "location",
    "final_total",
    "total_paid",
    "total_due",
    "pay_term_number",
    "pay_term_type",
    "due_date",
    "is_direct_sale",
    "is_recurring",
    "subscription_no",
    "recur_parent_id",
    "return_exists",
    "created_by",
    "created_at",
)


class DocumentRow(serializers.Serializer):
    number_field = "invoice_no"

    id = serializers.IntegerField()
    transaction_date = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Transaction.Status.choices)
    payment_status = Computed(
        sources=("payment_status", "pay_term_number", "pay_term_type", "due_date"),
        compute=shown_payment_status,
        field=serializers.ChoiceField(choices=["paid", "due", "partial", "overdue", "partial-overdue"]),
        help_text="paid, due or partial; due and partial show as overdue / partial-overdue past the due date of a "
        "document with a pay term.",
    )
    contact = Computed(
        sources=("contact_id", "contact__name", "contact__contact_id"), compute=_contact, field=ContactSummary()
    )
    location = Computed(
        sources=("location_id", "location__name"), compute=_location, field=LocationSummary(allow_null=True)
    )
    final_total = Money()
    total_paid = Money(help_text="Σ payments; change returned counts negative.")
    total_due = Money(help_text="final_total − total_paid.")
    pay_term_number = serializers.IntegerField(allow_null=True)
    pay_term_type = serializers.CharField(allow_null=True)
    due_date = serializers.DateTimeField(help_text="transaction_date + pay term (the date itself without one).")
    is_direct_sale = serializers.BooleanField(help_text="Always false for purchases.")
    is_recurring = serializers.BooleanField(help_text="A subscription parent (sells only).")
    subscription_no = serializers.CharField(allow_null=True)
    recur_parent_id = serializers.IntegerField(allow_null=True)
    return_exists = serializers.BooleanField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        order = [self.number_field if name == "number" else name for name in ROW_ORDER]
        return {**{name: fields.pop(name) for name in order}, **fields}


class SellRow(DocumentRow):
    invoice_no = serializers.CharField()


class PurchaseRow(DocumentRow):
    number_field = "ref_no"

    ref_no = serializers.CharField()


class SellDetail(SellRow):
    discount_type = serializers.CharField(allow_null=True)
    discount_amount = Money()
    shipping_charges = Money()
    additional_notes = serializers.CharField(allow_null=True)
    lines = Batched(loader=sell_lines, default=[], field=SellLineRow(many=True))
    payments = Batched(loader=document_payments, default=[], field=PaymentRow(many=True))


class PurchaseDetail(PurchaseRow):
    discount_type = serializers.CharField(allow_null=True)
    discount_amount = Money()
    shipping_charges = Money()
    additional_notes = serializers.CharField(allow_null=True)
    lines = Batched(loader=purchase_lines, default=[], field=PurchaseLineRow(many=True))
    payments = Batched(loader=document_payments, default=[], field=PaymentRow(many=True))


# --- request bodies ------------------------------------------------------------------------------------


class VisibleContact(ScopedPrimaryKey):
    """A contact of the business that the user may see; anything else is 422 'invalid'."""

    def get_queryset(self):
        return Contact.objects.for_business(self.context["business"]).visible_to(self.context["request"].user)


class SellLineWrite(InputSerializer):
    price_field, default_price = "unit_price", "default_sell_price"

    variation_id = Id(help_text="A variation of this business.")
    quantity = Quantity()
    unit_price = Money(min_value=0, required=False, help_text="Tax included; the variation's sell price when omitted.")


class PurchaseLineWrite(InputSerializer):
    price_field, default_price = "purchase_price", "default_purchase_price"

    variation_id = Id(help_text="A variation of this business.")
    quantity = Quantity()
    purchase_price = Money(
        min_value=0, required=False, help_text="Unit cost, tax included; the variation's purchase price when omitted."
    )


def require_lines(value):
    if not value:
        raise serializers.ValidationError("At least one line is required.")
    return value


def resolve_lines(lines: list[dict], line_serializer, business) -> list[dict]:
    """Every line's variation in one query (with product and unit): unknown or foreign ids, quantities a unit
    does not allow, and default prices, all decided here."""
    variations = (
        Variation.objects.for_business(business)
        .select_related("product__unit")
        .in_bulk({line["variation_id"] for line in lines})
    )
    errors = {}
    for index, line in enumerate(lines):
        variation = variations.get(line["variation_id"])
        if variation is None:
            errors[f"{index}.variation_id"] = ["The selected variation id is invalid."]
            continue
        unit = variation.product.unit
        if not unit.allow_decimal and line["quantity"] != line["quantity"].to_integral_value():
            errors[f"{index}.quantity"] = [f"{unit} takes whole quantities only."]
        line["variation"] = variation
        if line.get(line_serializer.price_field) is None:
            line[line_serializer.price_field] = getattr(variation, line_serializer.default_price)
    if errors:
        raise serializers.ValidationError(errors)
    return lines


class DocumentWrite(InputSerializer):
    contact_id = VisibleContact(Contact, source="contact")
    location_id = ScopedPrimaryKey(BusinessLocation, source="location")
    transaction_date = DocumentDate(help_text="Defaults to now; `Y-m-d` or `Y-m-d H:i:s` in the business time zone.")
    pay_term_number = serializers.IntegerField(
        min_value=0, max_value=10000, required=False, allow_null=True, help_text="Defaults to the contact's pay term."
    )
    pay_term_type = serializers.ChoiceField(choices=Transaction.PayTerm.choices, required=False, allow_null=True)
    discount_type = serializers.ChoiceField(choices=Transaction.DiscountType.choices, required=False, allow_null=True)
    discount_amount = Money(min_value=0, required=False, allow_null=True)
    shipping_charges = Money(min_value=0, required=False, allow_null=True)
    additional_notes = Text(max_length=None)
    payments = PaymentWrite(many=True, required=False)

    def validate_lines(self, value):
        return resolve_lines(require_lines(value), self.fields["lines"].child, self.context["business"])

    def validate(self, attrs):
        number, unit = attrs.get("pay_term_number"), attrs.get("pay_term_type")
        if (number is None) != (unit is None) and ("pay_term_number" in attrs or "pay_term_type" in attrs):
            missing = "pay_term_type" if unit is None else "pay_term_number"
            raise serializers.ValidationError({missing: ["A pay term needs both pay_term_number and pay_term_type."]})
        return attrs


class SellWrite(DocumentWrite):
    status = serializers.ChoiceField(choices=["final", "draft", "quotation"], default="final")
    invoice_no = Text(help_text="Unique in the business; from the business invoice scheme (INV0001) when empty.")
    is_direct_sale = serializers.BooleanField(default=True)
    lines = SellLineWrite(many=True)
    is_recurring = serializers.BooleanField(
        default=False,
        help_text="Makes the sell a subscription parent (RULES §8): the business needs the `subscription` module, the "
        "sell must be final (422 for drafts and quotations), and it gets a `subscription_no` (`2026/0001`). The "
        "generator then bills one child invoice per period, computed from this sell's date.",
    )
    recur_interval = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="Every how many days, months or years (1 to 1000; default 1). Only with is_recurring.",
    )
    recur_interval_type = serializers.ChoiceField(
        choices=Transaction.RecurInterval.choices,
        required=False,
        allow_null=True,
        help_text="`days`, `months` or `years`; required with is_recurring.",
    )
    recur_repetitions = serializers.IntegerField(
        min_value=0,
        max_value=100000,
        required=False,
        allow_null=True,
        help_text="How many invoices to generate (the parent not counted); 0 or null: no end.",
    )
    subscription_repeat_on = serializers.IntegerField(
        min_value=1,
        max_value=30,
        required=False,
        allow_null=True,
        help_text="Day of the month the invoices fall on, 1 to 30 (clamped to shorter months); months only (422 "
        "with days or years).",
    )


class PurchaseWrite(DocumentWrite):
    status = serializers.ChoiceField(choices=["received", "pending", "ordered"], default="received")
    ref_no = Text(help_text="Unique in the business; PO2026/0001… when empty.")
    lines = PurchaseLineWrite(many=True)


# --- supplier stock ------------------------------------------------------------------------------------


def _product_label(row, ctx):
    name = row["product__name"]
    if row["name"] != Variation.SINGLE_NAME:
        name = f"{name} - {row['name']}"
    return f"{name} ({row['sub_sku']})"


class SupplierStockRow(serializers.Serializer):
    variation_id = serializers.IntegerField(source="id")
    product_label = Computed(
        sources=("product__name", "name", "sub_sku"),
        compute=_product_label,
        field=serializers.CharField(help_text="`Product - Variation (SKU)`."),
    )
    product_name = serializers.CharField(source="product.name")
    variation_name = Computed(
        sources=("product__name", "name"),
        compute=lambda row, ctx: variation_display_name(row["product__name"], row["name"]),
        field=serializers.CharField(),
    )
    product_variation_name = Computed(
        sources=("product__variation_template",),
        compute=lambda row, ctx: row["product__variation_template"] or None,
        field=serializers.CharField(allow_null=True, help_text="The varying attribute (Size); null for single."),
    )
    product_type = serializers.CharField(source="product.type")
    sub_sku = serializers.CharField()
    unit = serializers.CharField(source="product.unit.short_name")
    purchase_quantity = Money()
    total_quantity_returned = Money(help_text="Returned to the supplier.")
    total_quantity_sold = Money(help_text="Sold from these purchase lines (FIFO), net of sell returns.")
    total_quantity_transfered = Computed(
        compute=lambda row, ctx: ZERO,
        field=Money(help_text="Always 0: there are no stock transfers in this system."),
    )
    stock_value = Money(help_text="Σ on hand × purchase price, per purchase line.")
    current_stock = Money(help_text="purchase_quantity − total_quantity_returned − total_quantity_sold.")
