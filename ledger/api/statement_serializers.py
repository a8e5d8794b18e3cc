"""Shapes of the statement endpoints: the ledger PDF download and Send ledger (contacts-api "Send contact
ledger")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from rest_framework import serializers

from core.api.fields import QueryDate
from core.api.query import DateRangeQuery
from core.api.serializers import InputSerializer, ScopedPrimaryKey
from core.models import BusinessLocation
from ledger.statement import FORMATS

FORMAT_HELP = (
    "format_1 (lines and summary), format_2 (open documents and aging), format_3 (lines with products, running "
    "balance), format_4 (partner ledger, landscape, with aging)."
)
#: An e-mail list no SMTP server refuses for its size; every address is checked.
MAX_ADDRESSES = 50


class LedgerPdfQuery(DateRangeQuery):
    start_date = QueryDate(help_text="First day, inclusive (business time zone).")
    end_date = QueryDate(help_text="Last day, inclusive; on or after start_date.")
    location_id = ScopedPrimaryKey(BusinessLocation, required=False, help_text="A location of the business.")
    ledger_format = serializers.ChoiceField(choices=FORMATS, default="format_1", help_text=FORMAT_HELP)


class AddressList(serializers.CharField):
    """One or several e-mail addresses, comma-separated (semicolons and spaces around them are tolerated): the
    parsed list; every address must be valid (422 naming the field and the address)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 5000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        addresses = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not addresses:
            if self.required:
                raise serializers.ValidationError(f"The {self.field_name} field must name at least one address.")
            return []
        if len(addresses) > MAX_ADDRESSES:
            raise serializers.ValidationError(
                f"The {self.field_name} field may name at most {MAX_ADDRESSES} addresses."
            )
        for address in addresses:
            try:
                validate_email(address)
            except DjangoValidationError:
                raise serializers.ValidationError(
                    f"The {self.field_name} field holds an invalid e-mail address: {address!r}."
                ) from None
        return addresses


class LedgerSendWrite(InputSerializer):
    to_email = AddressList(help_text="Recipients, comma-separated (one or several addresses).")
    subject = serializers.CharField(max_length=255, help_text="The e-mail's subject.")
    email_body = serializers.CharField(
        max_length=20000,
        help_text="The e-mail's text. `{balance_due}` is replaced by the period's balance due in the business currency "
        "format; beyond the reference also `{contact_name}`, `{business_name}`, `{start_date}` and `{end_date}` "
        "(dates in the business date format). Line breaks are kept (the HTML part shows them too).",
    )
    ledger_format = serializers.ChoiceField(choices=FORMATS, help_text=FORMAT_HELP)
    start_date = QueryDate(help_text="First day of the attached ledger, Y-m-d.")
    end_date = QueryDate(help_text="Last day, Y-m-d, on or after start_date.")
    cc = AddressList(required=False, allow_null=True, allow_blank=True, help_text="CC addresses, comma-separated.")
    bcc = AddressList(required=False, allow_null=True, allow_blank=True, help_text="BCC addresses, comma-separated.")
    location_id = ScopedPrimaryKey(
        BusinessLocation, required=False, allow_null=True, help_text="Optional location filter of the ledger."
    )

    def validate(self, attrs):
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError(
                {"end_date": ["The end date must be a date after or equal to start date."]}
            )
        return super().validate(attrs)


class Message(serializers.Serializer):
    message = serializers.CharField()
