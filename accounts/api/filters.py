"""The payment accounts' list filters: one FilterSet per list (core.api.filtering). Each narrows what the view
already walled off: the accounts the user may see, one account's movements, the business's payments that moved
money."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import AccountTransaction
from core.api.filtering import (
    ChoiceFilter,
    DateRangeFilterSet,
    QueryFieldMixin,
    QueryFilter,
    SearchField,
    SearchFilter,
    SearchFilterSet,
    matching,
)
from core.api.serializers import MAX_ID, numeric_id


class AliasSearchField(SearchField):
    """`search`: read as DRF read it (its own messages, not q's)."""

    default_error_messages = {
        "min_length": "Ensure this field has at least 2 characters.",
        "blank": "This field may not be blank.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value == "":  # only blanks: the empty value itself is "not sent" (FilterSet.empty_means_absent)
            raise ValidationError(self.error_messages["blank"], code="blank")
        return value


class AliasSearchFilter(SearchFilter):
    field_class = AliasSearchField


class QOrSearchFilterSet(SearchFilterSet):
    """`q`, and `search` for the same when q is not sent. Subclasses define `match_text(queryset, value)` (a method
    named `search` would hide the `search` parameter)."""

    empty_means_absent = frozenset({"q", "search"})

    q = SearchFilter(method="by_text")
    search = AliasSearchFilter(method="by_text", help_text="The same as q.")

    def by_text(self, queryset, name, value):
        if name == "search" and self.form.cleaned_data.get("q"):
            return queryset  # q wins
        return self.match_text(queryset, value)

    def match_text(self, queryset, value):
        raise NotImplementedError

    @property
    def text(self) -> str | None:
        """The search text applied: q, else search."""
        return self.form.cleaned_data.get("q") or self.form.cleaned_data.get("search")


class AccountFilter(QOrSearchFilterSet):
    """`GET /accounts`: `q` (or `search`) matches the name or the account number."""

    is_closed = ChoiceFilter(choices=[("0", "0"), ("1", "1")], method="of_closed", help_text="0 open, 1 closed.")

    def of_closed(self, queryset, name, value):
        return queryset.filter(is_closed=value == "1")

    def match_text(self, queryset, value):
        return queryset.filter(matching(value, "name", "account_number", by_id=False))


class AccountLineFilter(SearchFilterSet, DateRangeFilterSet):
    """`GET /accounts/{id}/transactions`: the date range bounds operation_date; `q` matches the note, the sub type,
    the payment reference or the numeric line id."""

    date_field = "operation_date"
    type = ChoiceFilter(choices=AccountTransaction.Type.choices)

    class Meta(DateRangeFilterSet.Meta):
        pass

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "note", "sub_type", "payment_ref_no"))


class AccountIdOrNoneField(QueryFieldMixin, forms.Field):
    """An account id, or `none`; surrounding blanks are ignored, as DRF's CharField trimmed them."""

    default_error_messages = {
        "blank": "This field may not be blank.",
        "invalid": "The account id must be an account id or none.",
    }

    def to_python(self, value):
        if value is None:
            return None
        value = value.strip()
        if value == "":
            raise ValidationError(self.error_messages["blank"], code="blank")
        if value == "none":
            return value
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class AccountIdOrNoneFilter(QueryFilter):
    field_class = AccountIdOrNoneField
    schema = {"type": "string", "minLength": 1}


class PaymentReportFilter(QOrSearchFilterSet, DateRangeFilterSet):
    """The payment account report: the date range bounds paid_on; `q` (or `search`) matches the account, the
    document number, the payment reference or the contact, or the numeric payment or document id. An `account_id`
    must name an account the user may see: the view checks it (422), after every parameter is valid."""

    date_field = "paid_on"
    account_id = AccountIdOrNoneFilter(
        method="of_account", help_text="An account id, or `none` for payments without one."
    )

    class Meta(DateRangeFilterSet.Meta):
        pass

    def of_account(self, queryset, name, value):
        return queryset.filter(account__isnull=True) if value == "none" else queryset.filter(account_id=value)

    def match_text(self, queryset, value):
        match = matching(
            value,
            "account__name",
            "account__account_number",
            "transaction__invoice_no",
            "transaction__ref_no",
            "payment_ref_no",
            "payment_for__name",
            "payment_for__supplier_business_name",
            "payment_for__contact_id",
            "payment_for__mobile",
        )
        if numeric_id(value) is not None:
            match |= Q(transaction_id=numeric_id(value))
        return queryset.filter(match)
