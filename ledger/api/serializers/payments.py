"""Payments: rows of a document's or contact's payments (with child payments), the request body, payment methods."""

import re
from collections import defaultdict

from rest_framework import serializers

from accounts.models import Account
from core.api.fields import DocumentDate, Money, PositiveAmount
from core.api.rows import Batched, Computed
from core.api.serializers import InputSerializer, ScopedPrimaryKey, Text
from core.dates import local_iso
from core.payment_methods import method_label
from ledger.models import TransactionPayment


class ChildPayment(serializers.Serializer):
    id = serializers.IntegerField()
    amount = Money()
    method = serializers.CharField()
    method_label = serializers.CharField()
    paid_on = serializers.DateTimeField()
    payment_ref_no = serializers.CharField(allow_null=True)


def child_payments(ids, ctx) -> dict[int, list[dict]]:
    out = defaultdict(list)
    rows = (
        TransactionPayment.objects.filter(parent_id__in=ids)
        .order_by("paid_on", "id")
        .values("id", "parent_id", "amount", "method", "paid_on", "payment_ref_no")
    )
    for row in rows:
        out[row.pop("parent_id")].append(
            {
                **row,
                "method_label": method_label(row["method"], ctx["business"]),
                "paid_on": local_iso(row["paid_on"], ctx["business"]),
            }
        )
    return out


def _custom_reference(row, ctx):
    method = row["method"]
    if method.startswith("custom_pay_"):
        return row[f"transaction_no_{method.rsplit('_', 1)[1]}"]
    return None


class PaymentRow(serializers.Serializer):
    """ContactPaymentRow of the contacts reference."""

    id = serializers.IntegerField()
    amount = Money()
    is_return = serializers.BooleanField()
    method = serializers.CharField()
    method_label = Computed(
        sources=("method",),
        compute=lambda row, ctx: method_label(row["method"], ctx["business"]),
        field=serializers.CharField(),
    )
    paid_on = serializers.DateTimeField()
    payment_ref_no = serializers.CharField(allow_null=True)
    transaction_no = Computed(
        sources=("method", *(f"transaction_no_{i}" for i in range(1, 8))),
        compute=_custom_reference,
        field=serializers.CharField(allow_null=True, help_text="The reference of a custom payment method."),
    )
    invoice_no = serializers.CharField(source="transaction.invoice_no", allow_null=True)
    ref_no = serializers.CharField(source="transaction.ref_no", allow_null=True)
    transaction_type = serializers.CharField(source="transaction.type", allow_null=True)
    transaction_id = serializers.IntegerField(allow_null=True)
    return_parent_id = serializers.IntegerField(source="transaction.return_parent_id", allow_null=True)
    cheque_number = serializers.CharField(allow_null=True)
    card_transaction_number = serializers.CharField(allow_null=True)
    bank_account_number = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    child_payments = Batched(loader=child_payments, default=[], field=ChildPayment(many=True))


def document_payments(ids, ctx) -> dict[int, list[dict]]:
    from ledger.api.shapes import PAYMENT_SHAPE

    out = defaultdict(list)
    rows = TransactionPayment.objects.filter(transaction_id__in=ids).order_by("paid_on", "id")
    for row in PAYMENT_SHAPE.rows(rows, ctx):
        out[row["transaction_id"]].append(row)
    return out


class PaymentAccount(ScopedPrimaryKey):
    """A payment's account: one the user may see and that is open (RULES §4, §9), in a business with the account
    module; anything else is 422."""

    default_error_messages = {
        **ScopedPrimaryKey.default_error_messages,
        "closed": "The account {name} is closed.",
        "no_module": "The account module is not enabled for this business.",
    }

    def get_queryset(self):
        return Account.objects.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if not self.context["business"].has_module("account"):
            self.fail("no_module")
        account = super().to_internal_value(data)
        if account.is_closed:
            self.fail("closed", name=account.name)
        return account


CARD_NUMBER = re.compile(r"[0-9][0-9 -]*")


class PaymentWrite(InputSerializer):
    amount = PositiveAmount()
    method = serializers.ChoiceField(choices=TransactionPayment.Method.choices)
    paid_on = DocumentDate(help_text="Defaults to now.")
    account_id = PaymentAccount(
        Account,
        source="account",
        required=False,
        allow_null=True,
        help_text="A visible, open payment account: the payment writes its movement there (not for `advance`).",
    )
    note = Text(max_length=None)
    card_number = Text(
        help_text="Digits, spaces or dashes. Only its last four digits are kept (`card_last4`); the full number is "
        "never stored or echoed."
    )
    card_holder_name = Text()
    card_transaction_number = Text()
    card_type = Text(max_length=50)
    card_month = Text(max_length=10)
    card_year = Text(max_length=10)
    card_security = Text(max_length=10, help_text="Accepted for compatibility and never stored (PCI DSS).")
    cheque_number = Text()
    bank_account_number = Text()
    transaction_no_1 = Text()
    transaction_no_2 = Text()
    transaction_no_3 = Text()
    transaction_no_4 = Text()
    transaction_no_5 = Text()
    transaction_no_6 = Text()
    transaction_no_7 = Text()

    def validate_card_number(self, value):
        if value is not None and not CARD_NUMBER.fullmatch(value):
            raise serializers.ValidationError("The card number may contain only digits, spaces and dashes.")
        return value

    def validate(self, attrs):
        attrs.pop("card_security", None)
        number = attrs.pop("card_number", None)
        if number is not None:
            attrs["card_last4"] = re.sub(r"[^0-9]", "", number)[-4:]
        return attrs


class PaymentMethodRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
