"""Shapes of the payment-accounts endpoints (payment-accounts-api.txt)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import AccountTransaction, AccountType
from core.api.fields import DocumentDate, Money, QueryDate
from core.api.query import ListPageQuery, ListQuery, QuerySerializer
from core.api.rows import Computed
from core.api.serializers import Id, InputSerializer, ScopedPrimaryKey, Text


class AccountTypeParent(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AccountTypeSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent = AccountTypeParent(allow_null=True)


class AccountDetailEntry(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)


@extend_schema_field(AccountDetailEntry(many=True, allow_null=True))
class AccountDetailsField(serializers.JSONField):
    """The stored [{label, value}] list (or null), answered as it is."""


@extend_schema_field({"type": "null"})
class AlwaysNull(serializers.JSONField):
    """A field the contract keeps for compatibility and always answers null."""


def _account_type(row, ctx):
    if row["account_type_id"] is None:
        return None
    parent = None
    if row["account_type__parent_id"] is not None:
        parent = {"id": row["account_type__parent_id"], "name": row["account_type__parent__name"]}
    return {"id": row["account_type_id"], "name": row["account_type__name"], "parent": parent}


class AccountListItem(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account_number = serializers.CharField()
    note = serializers.CharField(allow_null=True)
    is_closed = serializers.BooleanField()
    balance = Money(help_text="Σ credit − Σ debit of the account's movements.")
    account_type = Computed(
        sources=("account_type_id", "account_type__name", "account_type__parent_id", "account_type__parent__name"),
        compute=_account_type,
        field=AccountTypeSummary(allow_null=True),
    )
    account_details = AccountDetailsField(help_text="[{label, value}] or null.")


class AccountDetail(AccountListItem):
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)


class AccountLine(serializers.Serializer):
    """AccountTransactionLine."""

    id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=AccountTransaction.Type.choices)
    sub_type = serializers.CharField(
        allow_null=True, help_text="opening_balance, deposit, fund_transfer, or null for a payment's movement."
    )
    amount = Money()
    operation_date = serializers.DateTimeField()
    note = serializers.CharField(allow_null=True)
    transaction_id = serializers.IntegerField(allow_null=True)
    transaction_payment_id = serializers.IntegerField(allow_null=True)
    transfer_transaction_id = serializers.IntegerField(allow_null=True)
    payment_ref_no = serializers.CharField(allow_null=True)
    payment_method = serializers.CharField(allow_null=True)


class AccountLinesData(serializers.Serializer):
    account_id = serializers.IntegerField()
    beginning_balance = Money(allow_null=True, help_text="The balance before start_date; null without a date range.")
    lines = AccountLine(many=True)


class DepositData(serializers.Serializer):
    credit = AccountLine()
    debit = AccountLine(allow_null=True)


class TransferData(serializers.Serializer):
    debit = AccountLine()
    credit = AccountLine()


# --- requests ----------------------------------------------------------------------------------------------------


class AccountDetailWrite(InputSerializer):
    label = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=191)
    value = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=1000)


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "description": 'A number, or text in the business\'s number format ("1.234,50"); at most 4 decimal places '
        "and 18 digits before the point.",
    }
)
class AmountText(Money):
    """An amount given as a number, or as text in the business's number format ("1.234,50" where the decimal
    separator is a comma); the same precision rules as every other amount (decimal(22,4))."""

    def validate_empty_values(self, data):
        # "" (or null) is no amount; blank text that is not empty is no number (422), not a silent null.
        if isinstance(data, str) and data and not data.strip():
            return (False, data)
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if isinstance(data, str):
            business = self.context["business"]
            data = data.strip()
            if business.thousand_separator:
                data = data.replace(business.thousand_separator, "")
            if business.decimal_separator != ".":
                data = data.replace(business.decimal_separator, ".")
        return super().to_internal_value(data)


class AccountWrite(InputSerializer):
    echo_fields = frozenset({"id", "is_closed", "balance", "account_type", "created_by"})

    name = serializers.CharField(max_length=191)
    account_number = serializers.CharField(max_length=191)
    account_type_id = ScopedPrimaryKey(AccountType, source="account_type", required=False, allow_null=True)
    note = Text(max_length=2000)
    account_details = AccountDetailWrite(
        many=True, required=False, allow_null=True, help_text="[{label, value}]; rows with neither are dropped."
    )
    opening_balance = AmountText(
        required=False,
        allow_null=True,
        help_text="Positive: a credit (money in the account); negative: a debit. Numbers "
        "or text in the business's number format.",
    )


class AccountUpdate(AccountWrite):
    opening_balance = None  # the history of an account is never rewritten by an update


class DepositWrite(InputSerializer):
    account_id = Id()
    amount = AmountText()
    operation_date = DocumentDate(required=True)
    from_account_id = Id(required=False, allow_null=True)
    note = Text(max_length=1000)


class TransferWrite(InputSerializer):
    from_account_id = Id()
    to_account_id = Id()
    amount = AmountText()
    operation_date = DocumentDate(required=True)
    note = Text(max_length=1000)


# --- query strings -------------------------------------------------------------------------------------------------


class AccountLinesPageQuery(ListPageQuery):
    """The ledger's page and format besides its FilterSet (accounts.api.filters.AccountLineFilter)."""

    format = serializers.ChoiceField(
        choices=["json", "csv"],
        default="json",
        help_text="json (default) or csv: every matching line, with an opening_balance "
        "row first when a date range is sent.",
    )


# --- reports -------------------------------------------------------------------------------------------------------


class AccountBalanceRow(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account_number = serializers.CharField()
    balance = Money()


class BalanceSheet(serializers.Serializer):
    end_date = serializers.DateField()
    supplier_due = Money(
        help_text="What we owe suppliers (and the supplier side of `both` contacts), from the ledger engine."
    )
    customer_due = Money(help_text="What customers owe us (and the customer side of `both` contacts).")
    closing_stock = Money(help_text="Σ over received purchase lines dated up to end_date of on hand × unit cost.")
    account_balances = serializers.DictField(child=Money(), help_text="Account name → balance at end_date.")
    accounts = AccountBalanceRow(
        many=True, help_text="Beyond the reference: the same balances with ids (names can repeat)."
    )
    capital_account_details = AlwaysNull(help_text="Always null.")


class TrialBalance(serializers.Serializer):
    end_date = serializers.DateField()
    supplier_due = Money()
    customer_due = Money()
    account_balances = serializers.DictField(child=Money())
    accounts = AccountBalanceRow(many=True)
    capital_account_details = AlwaysNull(help_text="Always null.")
    debit_total = Money(help_text="customer_due + Σ account balances.")
    credit_total = Money(help_text="supplier_due.")


class SummaryQuery(QuerySerializer):
    end_date = QueryDate(required=False, help_text="Defaults to today.")
    location_id = Id(
        required=False, help_text="A location of the business the user is permitted on (404 Location not found / 403)."
    )
    format = serializers.ChoiceField(
        choices=["json", "csv"], default="json", help_text="csv: section, field, value rows."
    )


class CashFlowQuery(ListQuery):
    start_date = QueryDate(required=False, help_text="Applied only together with end_date.")
    end_date = QueryDate(required=False)
    type = serializers.ChoiceField(choices=AccountTransaction.Type.choices, required=False)
    location_id = Id(required=False, help_text="Movements of payments on documents of this location.")
    account_id = Id(required=False)
    only_payment_recovered = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Payments made today on documents from before today, and advance payments made today.",
    )


class CashFlowRow(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    account_name = serializers.CharField()
    type = serializers.CharField()
    sub_type = serializers.CharField(allow_null=True)
    amount = Money()
    debit = Money(allow_null=True)
    credit = Money(allow_null=True)
    operation_date = serializers.DateTimeField()
    method = serializers.CharField(allow_null=True)
    method_label = serializers.CharField(allow_null=True)
    payment_ref_no = serializers.CharField(allow_null=True)
    transaction_no = serializers.CharField(allow_null=True)
    is_return = serializers.IntegerField()
    is_advance = serializers.IntegerField()
    payment_for_contact = serializers.CharField(allow_null=True)
    payment_for_type = serializers.CharField(allow_null=True)
    payment_for_business_name = serializers.CharField(allow_null=True)
    added_by = serializers.CharField(allow_null=True)
    total_recovered = Money(
        allow_null=True, help_text="What a payment paid on documents (for a pay-due payment, Σ its allocations)."
    )
    child_invoice_numbers = serializers.CharField(allow_null=True, help_text="The documents a pay-due payment paid.")
    account_balance_after = Money(help_text="This account's balance after this movement (all time).")
    combined_balance_after = Money(help_text="The selected accounts' combined balance after this movement.")


def _document_summary(row, ctx):
    if row["transaction_id"] is None:
        return None
    return {
        "id": row["transaction_id"],
        "type": row["transaction__type"],
        "ref_no": row["transaction__ref_no"],
        "invoice_no": row["transaction__invoice_no"],
        "location_id": row["transaction__location_id"],
    }


def _account_summary(row, ctx):
    if row["account_id"] is None:
        return None
    return {"id": row["account_id"], "name": row["account__name"], "account_number": row["account__account_number"]}


def _contact_summary(row, ctx):
    if row["payment_for_id"] is None:
        return None
    return {"name": row["payment_for__name"], "type": row["payment_for__type"]}


class ReportDocument(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    ref_no = serializers.CharField(allow_null=True)
    invoice_no = serializers.CharField(allow_null=True)
    location_id = serializers.IntegerField(allow_null=True)


class ReportAccount(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account_number = serializers.CharField()


class ReportContact(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()


class PaymentReportRow(serializers.Serializer):
    id = serializers.IntegerField()
    paid_on = serializers.DateTimeField()
    amount = Money()
    payment_ref_no = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    method_label = Computed(
        sources=("method",), compute=lambda row, ctx: ctx["method_label"](row["method"]), field=serializers.CharField()
    )
    is_advance = Computed(
        sources=("is_advance",), compute=lambda row, ctx: int(row["is_advance"]), field=serializers.IntegerField()
    )
    is_return = Computed(
        sources=("is_return",), compute=lambda row, ctx: int(row["is_return"]), field=serializers.IntegerField()
    )
    transaction = Computed(
        sources=(
            "transaction_id",
            "transaction__type",
            "transaction__ref_no",
            "transaction__invoice_no",
            "transaction__location_id",
        ),
        compute=_document_summary,
        field=ReportDocument(allow_null=True, help_text="Null for a pay-due payment."),
    )
    account = Computed(
        sources=("account_id", "account__name", "account__account_number"),
        compute=_account_summary,
        field=ReportAccount(allow_null=True),
    )
    contact = Computed(
        sources=("payment_for_id", "payment_for__name", "payment_for__type"),
        compute=_contact_summary,
        field=ReportContact(allow_null=True),
    )
