"""Input conventions shared by every write endpoint."""

from collections.abc import Mapping

from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a 64-bit key holds


class Text(serializers.CharField):
    """Optional free text. An empty string is stored as null, as the reference system does."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 191)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # CharField returns "" before to_internal_value runs, so the conversion belongs here.
        value = super().run_validation(data)
        return None if value == "" else value


class Id(serializers.IntegerField):
    """A record id: a positive integer that fits the database's 64-bit keys (larger ones are 422, not a crash)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def numeric_id(text: str | None) -> int | None:
    """`q` as a record id when it is one (ASCII digits, within 64 bits), else None."""
    if text and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None


class ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
    """An id that must name a row of the request's business; anything else is a 422."""

    default_error_messages = {
        "does_not_exist": "The selected {field} is invalid.",
        "incorrect_type": "The {field} must be an integer.",
    }

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model._default_manager.for_business(self.context["business"])

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            if not 1 <= int(data) <= MAX_ID:
                self.fail("does_not_exist", pk_value=data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

    def fail(self, key, **kwargs):
        kwargs.setdefault("field", self.field_name.replace("_", " "))
        super().fail(key, **kwargs)


class InputSerializer(serializers.Serializer):
    """Rejects fields it does not know (422), so a typo never passes silently.

    `echo_fields` are response-only fields a client may send back unchanged (GET, edit, PUT);
    they are ignored rather than refused.
    """

    echo_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        errors = {}
        value = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors.update(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        if isinstance(data, Mapping):
            for key in sorted(set(data) - set(self.fields) - self.echo_fields):
                errors[key] = ["This field is not allowed."]
        if errors:
            raise serializers.ValidationError(errors)
        return value
