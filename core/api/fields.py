"""Request fields shared by write endpoints of every domain."""

from decimal import Decimal

from rest_framework import serializers

from core.dates import EARLIEST_DATE, LATEST_DATE
from core.money import MONEY, QUANTITY

DATE_INPUTS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "iso-8601"]
DATE_OUT_OF_RANGE = f"Dates must lie between {EARLIEST_DATE} and {LATEST_DATE}."


class Money(serializers.DecimalField):
    """An amount: a JSON number (or numeric string) with at most 4 decimal places, never a float in code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**MONEY, **kwargs)

    def validate_precision(self, value):
        # Trailing zeros are not precision: "12.500000" is 12.5, within 4 places.
        return super().validate_precision(value.normalize())


class PositiveAmount(Money):
    default_error_messages = {"not_positive": "The {field} must be greater than 0."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive", field=self.field_name.replace("_", " "))
        return value


class Quantity(serializers.DecimalField):
    default_error_messages = {"not_positive": "The quantity must be greater than 0."}

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**QUANTITY, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


class DocumentDate(serializers.DateTimeField):
    """`Y-m-d` or `Y-m-d H:i:s` (or ISO-8601), read in the business time zone when it carries no offset."""

    default_error_messages = {"out_of_range": DATE_OUT_OF_RANGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUTS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        # before the time zone is applied: at the ends of the calendar that would overflow
        if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            self.fail("out_of_range")
        return super().enforce_timezone(value)


class QueryDate(serializers.DateField):
    """A date filter: `Y-m-d`, or `Y-m-d H:i:s` whose time is ignored (RULES §10)."""

    default_error_messages = {"out_of_range": DATE_OUT_OF_RANGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed


ZERO = Decimal(0)
