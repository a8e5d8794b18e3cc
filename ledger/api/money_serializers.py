"""Shapes of the money-owed endpoints: balance, opening balance, ledger, contact payments, pay due, ledger
discounts (contacts-api.txt)."""

from rest_framework import serializers

from contacts.models import Contact
from core.api.fields import DocumentDate, Money, PositiveAmount, QueryDate
from core.api.query import DateRangeQuery, SearchQuery
from core.api.serializers import Id, InputSerializer, ScopedPrimaryKey, Text
from core.models import BusinessLocation
from ledger.api.serializers.payments import PaymentRow, PaymentWrite
from ledger.models import TransactionPayment
from ledger.statement import FORMATS

DUE_TYPES = ["sell", "purchase", "sell_return", "purchase_return"]


# --- balance and opening balance -------------------------------------------------------------------------------


class Balance(serializers.Serializer):
    contact_id = serializers.IntegerField()
    due = Money(
        help_text="The contact's all-time ledger closing balance in their direction: for customers and "
        "both, positive = they owe us; for suppliers, positive = we owe them. Negative: they hold credit."
    )
    due_formatted = serializers.CharField(help_text="`due` in the business currency format.")
    sell_due = Money(help_text="Σ what is still due on final sells.")
    purchase_due = Money()
    opening_balance_due = Money()
    sell_return_due = Money()
    purchase_return_due = Money()
    ledger_discount = Money(help_text="Σ ledger discounts.")
    advance_balance = Money(help_text="Money held for the contact: unallocated pay-due payments.")


class OpeningBalanceTransaction(serializers.Serializer):
    id = serializers.IntegerField()
    ref_no = serializers.CharField(allow_null=True)
    final_total = Money()
    total_paid = Money()
    due = Money()
    due_formatted = serializers.CharField()
    payment_status = serializers.CharField(allow_null=True)
    transaction_date = serializers.DateTimeField(allow_null=True)
    location_id = serializers.IntegerField(allow_null=True)
    location_name = serializers.CharField(allow_null=True)


class OpeningBalance(serializers.Serializer):
    contact_id = serializers.IntegerField()
    has_opening_balance = serializers.BooleanField()
    transaction = OpeningBalanceTransaction(allow_null=True)


# --- the ledger ---------------------------------------------------------------------------------------------------


class LedgerProduct(serializers.Serializer):
    product_name = serializers.CharField()
    variation_name = serializers.CharField()
    sub_sku = serializers.CharField()
    quantity = Money()
    unit_price = Money()
    line_total = Money()


class LedgerLine(serializers.Serializer):
    date = serializers.DateTimeField(allow_null=True)
    ref_no = serializers.CharField()
    type = serializers.CharField(
        help_text="Opening Balance, Sell, Purchase, Sell Return, Purchase Return, Sell "
        "Discount, Purchase Discount, Payment, Reverse Payment or Change Return."
    )
    location = serializers.CharField(required=False, help_text="Not in format_4.")
    payment_status = serializers.CharField()
    debit = Money(allow_null=True)
    credit = Money(allow_null=True)
    balance = serializers.CharField(
        help_text="Running balance: absolute value with DR (they owe us) or CR. Empty in format_2."
    )
    note = serializers.CharField()
    transaction_id = serializers.IntegerField(allow_null=True)
    transaction_type = serializers.CharField(allow_null=True)
    payment_method_key = serializers.CharField(allow_null=True)
    final_total = Money(allow_null=True, help_text="format_2.")
    total_due = Money(allow_null=True, help_text="format_2.")
    total_paid = Money(allow_null=True, help_text="format_2.")
    due_date = serializers.DateTimeField(allow_null=True, help_text="format_2: transaction date + pay term.")
    products = LedgerProduct(many=True, required=False, help_text="format_3: the lines of sells and purchases.")


class LedgerSummary(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    beginning_balance = Money(help_text="Brought forward, in the contact's direction (as `due`).")
    balance_due = Money(
        help_text="At the end of the period, after ledger discounts: the closing running balance, "
        "in the contact's direction."
    )
    total_invoice = Money(help_text="Sells − sell returns in the period.")
    total_purchase = Money(help_text="Purchases − purchase returns in the period.")
    total_paid = Money(help_text="Payments in the period (reverse payments apart).")
    total_reverse_payment = Money()
    ledger_discount = Money()
    all_total_invoice = Money()
    all_invoice_paid = Money(help_text="All-time money received on the sell side, net of refunds.")
    all_total_purchase = Money()
    all_purchase_paid = Money(help_text="All-time money paid on the purchase side, net of refunds.")
    all_balance_due = Money(help_text="Equals the balance endpoint's `due` (without a location filter).")
    all_ledger_discount = Money()
    advance_balance = Money(required=False, help_text="format_3 and format_4.")


class Aging(serializers.Serializer):
    current = Money(help_text="Not yet due at end_date.")
    _1_30 = Money()
    _31_60 = Money()
    _61_90 = Money()
    over_90 = Money()
    total = Money()

    def get_fields(self):  # "1_30" is no Python name: declared as _1_30
        fields = super().get_fields()
        return {name.lstrip("_"): field for name, field in fields.items()}


class LedgerData(serializers.Serializer):
    contact_id = serializers.IntegerField()
    lines = LedgerLine(many=True)
    summary = LedgerSummary()
    aging = Aging(required=False, help_text="format_2 and format_4: what is due by days past due at end_date.")


class LedgerMeta(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    location_id = serializers.IntegerField(allow_null=True)
    format = serializers.CharField()
    q = serializers.CharField(allow_null=True)


class LedgerQuery(SearchQuery, DateRangeQuery):
    start_date = QueryDate()
    end_date = QueryDate()
    location_id = ScopedPrimaryKey(BusinessLocation, required=False, help_text="A location of the business.")
    format = serializers.ChoiceField(
        choices=[*FORMATS, "csv"],
        default="format_1",
        help_text="format_1 (default), format_2, format_3, format_4, or csv (every "
        "line in the format_1 layout, streamed; the summary stays JSON-only).",
    )


# --- contact payments ----------------------------------------------------------------------------------------------


class ContactPaymentSummary(serializers.Serializer):
    count = serializers.IntegerField(help_text="Every payment row in the date filter, children included.")
    total_paid = Money(help_text="The money, counted once: children are part of their parent.")
    methods_count = serializers.IntegerField()
    latest_paid_on = serializers.DateTimeField(allow_null=True)


class ContactPaymentsData(serializers.Serializer):
    contact_id = serializers.IntegerField()
    payments = PaymentRow(many=True)
    summary = ContactPaymentSummary()


class PayDueWrite(PaymentWrite):
    method = serializers.ChoiceField(
        choices=[c for c in TransactionPayment.Method.choices if c[0] != "advance"],
        help_text="Any method but `advance`.",
    )
    due_payment_type = serializers.ChoiceField(
        choices=DUE_TYPES,
        required=False,
        allow_null=True,
        help_text="Defaults to sell for customers and both, purchase for suppliers.",
    )
    is_reverse = serializers.BooleanField(
        default=False,
        help_text="Money going the other way: a standalone row, not allocated, the advance balance unchanged.",
    )


class PayDueResult(serializers.Serializer):
    id = serializers.IntegerField()
    contact_id = serializers.IntegerField(source="payment_for_id")
    payment_ref_no = serializers.CharField(allow_null=True)
    amount = Money()
    method = serializers.CharField()
    paid_on = serializers.DateTimeField()
    is_advance = serializers.BooleanField()
    payment_type = serializers.CharField(allow_null=True)


# --- ledger discounts ----------------------------------------------------------------------------------------------


class LedgerDiscountRow(serializers.Serializer):
    id = serializers.IntegerField()
    contact_id = serializers.IntegerField()
    contact_name = serializers.CharField(source="contact.name")
    contact_type = serializers.ChoiceField(source="contact.type", choices=Contact.Type.choices)
    sub_type = serializers.CharField()
    amount = Money(source="final_total")
    note = serializers.CharField(source="additional_notes", allow_null=True)
    transaction_date = serializers.DateTimeField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)


class LedgerDiscountUpdate(InputSerializer):
    echo_fields = frozenset({"id", "contact_name", "contact_type", "transaction_date", "created_by"})

    date = DocumentDate(required=True, help_text="`Y-m-d` or `Y-m-d H:i:s`, business time zone.")
    amount = PositiveAmount()
    note = Text(max_length=None)
    sub_type = serializers.ChoiceField(
        choices=["sell_discount", "purchase_discount"],
        required=False,
        allow_null=True,
        help_text="Required only for `both` contacts.",
    )


class LedgerDiscountWrite(LedgerDiscountUpdate):
    contact_id = Id()
