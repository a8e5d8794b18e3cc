"""A faster run of an input serializer over flat bodies of text (the rows of an import), derived from its fields.

DRF spends most of a small body's validation in its own machinery: per field the run_validation wrappers, the
empty-value checks, the validators loop with its error collection, get_value and set_value, and per body the
unstorable-text walk. `CompiledInput(serializer)` reads each field once and keeps only the work that can change the
result for a body of non-blank strings: the field's own conversion and its validators (with the few that can
never fail on such text dropped: NUL and surrogate checks once the body is known to hold neither, length limits as
one comparison), then the serializer's `validate_<field>` method.

It never decides a refusal, nor anything it is unsure of: `validate(body)` returns the validated data, or None when
the body is anything but plainly valid (a value that is not a non-blank string, a field the serializer does not
know, a required field left out, any exception raised by a field or validator). The caller then runs the
serializer itself, which reports the errors in its own words. So the serializer stays the one statement of the
rules; this only skips what does nothing for a given field (the equivalence is tested against the serializer,
core/tests/test_compiled_input.py).

The body's fields are those an import row sends: a field left out is not run unless it is required (as
contacts.api.import_rows.ImportRowSerializer runs them).
"""

from django.core import validators as django_validators
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.api.fields import RequestDateMixin
from core.api.serializers import _SURROGATE, InputSerializer, Text

#: run_validation methods that, for non-blank text, are: validate_empty_values (a no-op for it), to_internal_value,
#: the validators; Text's also turns "" into None and CharField's first refuses blank text (which never gets here)
_RUN_VALIDATION = {
    drf_fields.Field.run_validation: "field",
    drf_fields.CharField.run_validation: "field",
    Text.run_validation: "text",
}
#: validate_empty_values methods that pass non-blank text through unchanged
_EMPTY_VALUES = {
    drf_fields.Field.validate_empty_values,
    drf_fields.DecimalField.validate_empty_values,
    RequestDateMixin.validate_empty_values,
}
#: validators that cannot fail on text already known to hold no NUL and no lone surrogate
_TEXT_SAFE = (django_validators.ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)
#: get_value methods that read a plain dict (not HTML form input) as `body.get(name, empty)`
_GET_VALUE = {
    drf_fields.Field.get_value,
    drf_fields.ListField.get_value,
    drf_fields.DictField.get_value,
    drf_fields.JSONField.get_value,
}
_MISSING = object()


class _Unsure(Exception):
    """The fast run cannot vouch for this body: the serializer decides."""


def _field_plan(serializer, name: str, field):
    """`plan(text) -> value` for one field, raising on anything but a plainly valid value; None when the field
    cannot be run apart from the serializer (its value is not set under one key)."""
    if len(field.source_attrs) != 1:
        return None
    method = getattr(serializer, f"validate_{name}", None)
    kind = _RUN_VALIDATION.get(type(field).run_validation)
    if kind is None or type(field).validate_empty_values not in _EMPTY_VALUES:
        run = field.run_validation  # a field of its own: run as DRF runs it
    else:
        run = _direct(field, kind)
    if method is None:
        return run

    def plan(text):
        return method(run(text))

    return plan


def _direct(field, kind: str):
    char = type(field).to_internal_value is drf_fields.CharField.to_internal_value
    choice = type(field).to_internal_value is drf_fields.ChoiceField.to_internal_value
    trim = getattr(field, "trim_whitespace", False)
    convert = field.to_internal_value
    longest, shortest, others = None, None, []
    for validator in field.validators:
        if getattr(validator, "requires_context", False):
            others.append(lambda value, v=validator: v(value, field))
        elif char and type(validator) in _TEXT_SAFE:
            continue  # the text is a stripped copy of a body value, which holds neither
        elif char and type(validator) is django_validators.MaxLengthValidator and not callable(validator.limit_value):
            longest = validator.limit_value
        elif char and type(validator) is django_validators.MinLengthValidator and not callable(validator.limit_value):
            shortest = validator.limit_value
        else:
            others.append(validator)
    choices = field.choice_strings_to_values if choice else None

    def run(text):
        if char:
            value = text.strip() if trim else text
        elif choice:
            value = choices.get(text, _MISSING)
            if value is _MISSING:
                raise _Unsure
        else:
            value = convert(text)
        if longest is not None and len(value) > longest:
            raise _Unsure
        if shortest is not None and len(value) < shortest:
            raise _Unsure
        for validator in others:
            validator(value)
        if kind == "text" and value == "":
            return None
        return value

    return run


def neutral(method):
    """Marks a serializer method override that changes nothing a compiled run vouches for (it records what was
    sent, say, or calls the compiled run first), so the serializer may still be compiled."""
    method.compiled_neutral = True
    return method


#: the serializer-level methods a compiled run stands for, and the definitions of them it reproduces
_KNOWN = {
    "run_validation": {serializers.Serializer.run_validation},
    "to_internal_value": {serializers.Serializer.to_internal_value, InputSerializer.to_internal_value},
    "validate": {serializers.Serializer.validate},
    "run_validators": {serializers.Serializer.run_validators, serializers.BaseSerializer.run_validators},
}


def _reproducible(cls) -> bool:
    """Whether the first definition of each of those methods, past the neutral ones, is one reproduced."""
    for name, known in _KNOWN.items():
        for klass in cls.__mro__:
            method = klass.__dict__.get(name)
            if method is None or getattr(method, "compiled_neutral", False):
                continue
            if method not in known:
                return False
            break
    return True


class CompiledInput:
    def __init__(self, serializer: InputSerializer):
        self.fields = serializer.fields
        self.echo = serializer.echo_fields
        # Anything beyond the fields (serializer-wide validators, an own validate() or to_internal_value) and the
        # fast run is off: every body goes to the serializer.
        self.usable = (
            isinstance(serializer, InputSerializer)
            and _reproducible(type(serializer))
            and not serializer.validators
            and not getattr(serializer, "partial", False)
        )
        self.plans = {}  # writable field -> (its place among the fields, the key it sets, its plan)
        self.required = []
        for name, field in self.fields.items():
            if field.read_only:
                continue
            if type(field).get_value not in _GET_VALUE:
                self.usable = False  # it may read more of the body than its own key
            if field.required:
                self.required.append(name)
            target = field.source_attrs[0] if field.source_attrs else name
            self.plans[name] = (len(self.plans), target, _field_plan(serializer, name, field))

    def validate(self, data) -> dict | None:
        """The serializer's validated data for `data`, or None when the serializer must decide."""
        if not self.usable or type(data) is not dict:
            return None
        for name in self.required:
            if name not in data:
                return None
        fields, echo, plans = self.fields, self.echo, self.plans
        sent = []
        for key, value in data.items():
            if type(value) is not str or not value or value.isspace():  # blank: the serializer decides
                return None
            entry = plans.get(key)
            if entry is None:
                if key not in fields and key not in echo:
                    return None
                continue  # read-only or echoed: ignored, as the serializer ignores it
            if entry[2] is None:
                return None
            sent.append((entry[0], entry[1], entry[2], value))
        joined = "\x01".join(data.values())
        if "\x00" in joined or _SURROGATE.search(joined):
            return None
        sent.sort()  # the serializer's field order (places are unique)
        out = {}
        try:
            for _, target, plan, text in sent:
                out[target] = plan(text)
        except Exception:  # noqa: BLE001 - whatever it is, the serializer itself will say (or raise) it
            return None
        return out


class CompiledFirst:
    """Mixin for an InputSerializer: run_validation tries the compiled run first (built once per serializer)."""

    @neutral
    def run_validation(self, data=serializers.empty):
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = CompiledInput(self)
        validated = compiled.validate(data)
        if validated is not None:
            return validated
        return super().run_validation(data)
