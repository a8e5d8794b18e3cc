"""Input conventions shared by every write endpoint."""

from collections.abc import Mapping

from rest_framework import serializers


class Text(serializers.CharField):
    """Optional free text. An empty string is stored as null, as the reference system does."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 191)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return value or None


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
