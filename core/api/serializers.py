"""Input conventions shared by every write endpoint."""

import re
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
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


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,30}")


def integer_of(data) -> int | None:
    """`data` as an integer when it is one: a JSON integer or a string of digits (query strings, multipart
    fields). Never a boolean, a fraction (`5.0`, `"5.0"`) or a float: an id is written as the integer it is."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str) and _INTEGER_TEXT.fullmatch(data.strip()):
        return int(data)
    return None


class Id(serializers.IntegerField):
    """A record id: a positive integer that fits the database's 64-bit keys. The one id field of requests (bodies
    and query strings): anything else, `5.0`, `-1` or `2^63` included, is a 422 naming the field, never a
    lookup. Whether a well-formed id names a row is each route's rule (a 422, or the 404 a reference documents)."""

    default_error_messages = {
        "invalid": "The {field} must be an integer.",
        "min_value": "The {field} must be a record id (1 or more).",
        "max_value": "The {field} must be a record id (at most {max_value}).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = integer_of(data)
        if number is None:
            self.fail("invalid")
        if number < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        if number > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return number

    def fail(self, key, **kwargs):
        kwargs.setdefault("field", (self.field_name or "id").replace("_", " "))
        super().fail(key, **kwargs)


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
        number = integer_of(data)
        if number is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)

    def fail(self, key, **kwargs):
        kwargs.setdefault("field", self.field_name.replace("_", " "))
        super().fail(key, **kwargs)


NULL_CHARACTERS = "Null characters are not allowed."
LONE_SURROGATES = "Unpaired surrogate characters are not allowed (the text is not valid Unicode)."
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return NULL_CHARACTERS
    if _SURROGATE.search(text):
        return LONE_SURROGATES
    return None


def unstorable_text(data) -> dict[str, list[str]]:
    """Every string of a request body, at any depth and in object keys too, that no database column can store
    (NUL, or a lone surrogate that is not Unicode), by dotted path: `{"account_details.0.value": [...]}`.
    A bad object key is reported at the object holding it. Iterative, so no body can exhaust the stack."""
    problems: dict[str, list[str]] = {}
    if hasattr(data, "lists"):  # a multipart or form body: every value of every key
        items = [(key, values if len(values) != 1 else values[0]) for key, values in data.lists()]
        stack = [("", dict(items))]
    else:
        stack = [("", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            problem = _text_problem(node)
            if problem:
                problems[path or "non_field_errors"] = [problem]
        elif isinstance(node, Mapping):
            for key, value in node.items():
                key = str(key)
                problem = _text_problem(key)
                if problem:
                    problems[path or "non_field_errors"] = [problem]
                    continue
                stack.append((f"{path}.{key}" if path else key, value))
        elif isinstance(node, (list, tuple)):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(node))
    return problems


class InputSerializer(serializers.Serializer):
    """Rejects fields it does not know (422), so a typo never passes silently.

    `echo_fields` are response-only fields a client may send back unchanged (GET, edit, PUT);
    they are ignored rather than refused.
    """

    echo_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        # The whole body is checked once, at the root, before any field sees it: text no column can store is a
        # 422 naming where it is, for every field, JSON values included.
        unstorable = unstorable_text(data) if self.root is self else {}
        errors = {}
        value = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors.update(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        if isinstance(data, Mapping):
            for key in sorted(set(data) - set(self.fields) - self.echo_fields):
                if not _text_problem(str(key)):
                    errors[key] = ["This field is not allowed."]
        if unstorable:
            fields = {path.split(".", 1)[0] for path in unstorable}
            errors = {key: messages for key, messages in errors.items() if key not in fields}
            errors.update(unstorable)
        if errors:
            raise serializers.ValidationError(errors)
        return value


@extend_schema_field({"oneOf": [{"type": "object"}, {"type": "array"}]})
class ObjectOrArray(serializers.JSONField):
    """A free-form JSON value that must be an object or an array (or null where allowed), at any depth made of
    JSON values only."""

    default_error_messages = {"not_object_or_array": "The {field} must be an array or an object."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, (dict, list)):
            self.fail("not_object_or_array", field=(self.field_name or "value").replace("_", " "))
        return value
