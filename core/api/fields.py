"""Request fields shared by write endpoints of every domain."""

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from core.dates import EARLIEST_DATE, LATEST_DATE
from core.money import MONEY, QUANTITY

DATE_OUT_OF_RANGE = f"Dates must lie between {EARLIEST_DATE} and {LATEST_DATE}."
DATE_FORMATS = "Y-m-d or Y-m-d H:i:s"
# Y-m-d or Y-m-d H:i:s, digits exactly so (RULES §10): not 20261101, 2026-1-1 or an ISO offset.
_DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}))?")
# The same, as the OpenAPI pattern of every request date: years 1900 to 9998 (the calendar bound below).
DATE_PATTERN = (
    r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$"
)
#: At most this many significant digits on SQLite, which keeps numbers as binary doubles (development only).
SQLITE_DIGITS = 15


def parse_request_date(data) -> datetime.datetime | None:
    """The one reading of a request date (bodies and query strings): `Y-m-d` or `Y-m-d H:i:s`, naive, or None
    when `data` is not one. The caller checks the calendar bound."""
    if not isinstance(data, str):
        return None
    match = _DATE_TEXT.fullmatch(data)
    if match is None:
        return None
    parts = [int(part) for part in match.groups(default="0")]
    try:
        return datetime.datetime(*parts)
    except ValueError:
        return None


def parse_sync_datetime(data) -> datetime.datetime | None:
    """An ISO-8601 date-time (a date alone is its midnight; an offset is allowed), or None when `data` is not one.
    The caller checks the calendar bound and applies the time zone."""
    if not isinstance(data, str):
        return None
    try:
        return parse_datetime(data.strip())
    except ValueError:
        return None


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


class ExactDecimal(serializers.DecimalField):
    """A decimal at the stored scale (22 digits, 4 places): a JSON number (or numeric string), read as Decimal,
    never a float; refused (422) when the database could not keep it exactly."""

    default_error_messages = {
        "max_significant_digits": f"Ensure that there are no more than {SQLITE_DIGITS} significant digits in total "
        "(the limit of this SQLite development database).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**self.shape, **kwargs)

    shape = MONEY

    def validate_precision(self, value):
        # Trailing zeros are not precision: "12.500000" is 12.5, within 4 places.
        value = super().validate_precision(value.normalize())
        if len(value.as_tuple().digits) > SQLITE_DIGITS and value != 0 and _sqlite():  # the look-up last: it costs
            self.fail("max_significant_digits")
        return value


class Money(ExactDecimal):
    """An amount, in requests and in response shapes alike (written at 4 places on the wire)."""


class PositiveAmount(Money):
    default_error_messages = {"not_positive": "The {field} must be greater than 0."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive", field=self.field_name.replace("_", " "))
        return value


class Quantity(ExactDecimal):
    default_error_messages = {"not_positive": "The quantity must be greater than 0."}
    shape = QUANTITY

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


class RequestDateMixin:
    """Shared by the date fields of requests: one format rule, one calendar bound, and an empty string in an
    optional nullable body field is null (as empty optional text is)."""

    default_error_messages = {
        "invalid": f"The {{field}} must be a date as {DATE_FORMATS}.",
        "out_of_range": DATE_OUT_OF_RANGE,
    }

    def validate_empty_values(self, data):
        if data == "" and self.allow_null:
            return True, None
        return super().validate_empty_values(data)

    def read(self, data) -> datetime.datetime:
        moment = parse_request_date(data)
        if moment is None:
            self.fail("invalid", field=(self.field_name or "date").replace("_", " "))
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            self.fail("out_of_range")
        return moment


class DocumentDate(RequestDateMixin, serializers.DateTimeField):
    """`Y-m-d` or `Y-m-d H:i:s` between 1900-01-01 and 9998-12-31, in the business time zone."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        # the bound is checked before the time zone is applied: at the ends of the calendar that would overflow
        return self.enforce_timezone(self.read(value))


class QueryDate(RequestDateMixin, serializers.DateField):
    """A date: `Y-m-d`, or `Y-m-d H:i:s` whose time is ignored (RULES §10), between 1900-01-01 and 9998-12-31.
    Filters and date-only body fields (`dob`) alike."""

    def to_internal_value(self, value):
        return self.read(value).date()


ZERO = Decimal(0)
