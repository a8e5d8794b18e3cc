"""List filters: one `django_filters.FilterSet` per list, validated into the house 422 envelope.

A list view names its FilterSet per action (`filterset_classes = {"list": ContactFilter}`); DRF's
`filter_queryset()` applies it (`FilterBackend`) to what `get_queryset()` already walled off (`for_business`,
`visible_to`): a FilterSet only narrows. drf-spectacular lists its filters as the operation's query parameters,
described by each filter's `help_text`. Pagination and `format` are not filters (`core.api.query.ListPageQuery`).

The query-string rules every list shares:
- an empty parameter is the value it is, validated like any other (`?kind=` is a 422), except search text:
  an empty `q` is no search;
- messages name the parameter: `{field}` in a message is the parameter's name with spaces
  ("The location id must be an integer.");
- form-level rules (start_date and end_date together) run only when every parameter is valid, as DRF's did.

Per request django-filter deep-copies a FilterSet's filters and builds a form class from them, and Django deep-copies
that form's fields: about 1 ms of work that repeats settings fixed at import. Here the form class is built once per
FilterSet class, and the copies are shallow (filters, re-bound to their FilterSet) or skipped (form fields, which
nothing changes or renders while a query is validated).
"""

import copy
import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework import exceptions

from core.api.fields import DATE_FORMATS, DATE_OUT_OF_RANGE, DATE_PATTERN, parse_request_date, parse_sync_datetime
from core.api.serializers import MAX_ID, integer_of, numeric_id
from core.dates import EARLIEST_DATE, LATEST_DATE, day_bounds

SEARCH_HELP = "Search text, at least 2 characters (an empty `q` is no search)."
SEARCH_TOO_SHORT = "The q field must be at least 2 characters."
TOGETHER = "start_date and end_date must be provided together."
END_BEFORE_START = "The end date must be a date after or equal to start date."


# --- form fields: a sent empty value is validated, never taken as absent --------------------------------------
class QueryFieldMixin:
    #: only an absent parameter (None) is empty; "" is a value like any other and is validated.
    empty_values = [None]

    def __deepcopy__(self, memo):
        return self  # shared by every form of its FilterSet: validating a value changes nothing on the field


class SearchField(QueryFieldMixin, forms.CharField):
    default_error_messages = {"min_length": SEARCH_TOO_SHORT}

    def __init__(self, **kwargs):
        super().__init__(min_length=2, **kwargs)

    def to_python(self, value):
        return None if value is None else super().to_python(value)


class ChoiceField(QueryFieldMixin, forms.ChoiceField):
    default_error_messages = {"invalid_choice": '"%(value)s" is not a valid choice.'}

    def to_python(self, value):
        return None if value is None else str(value)

    def validate(self, value):
        if value is None:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        if not self.valid_value(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class IdField(QueryFieldMixin, forms.Field):
    """A record id: a positive integer within 64 bits (core.api.serializers.Id)."""

    default_error_messages = {
        "invalid": "The {field} must be an integer.",
        "min_value": "The {field} must be a record id (1 or more).",
        "max_value": f"The {{field}} must be a record id (at most {MAX_ID}).",
    }

    def to_python(self, value):
        if value is None:
            return None
        number = integer_of(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if number < 1:
            raise ValidationError(self.error_messages["min_value"], code="min_value")
        if number > MAX_ID:
            raise ValidationError(self.error_messages["max_value"], code="max_value")
        return number


class _MomentField(QueryFieldMixin, forms.Field):
    """A date or date-time parameter: `parse(text)` reads it (None: not one), then the 1900–9998 range applies."""

    parse = None

    def to_python(self, value):
        if value is None:
            return None
        moment = type(self).parse(value)
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return self.value_of(moment)


class DateField(_MomentField):
    """`Y-m-d`, or `Y-m-d H:i:s` whose time is ignored (RULES §10), between 1900-01-01 and 9998-12-31."""

    default_error_messages = {
        "invalid": f"The {{field}} must be a date as {DATE_FORMATS}.",
        "out_of_range": DATE_OUT_OF_RANGE,
    }
    parse = staticmethod(parse_request_date)

    def value_of(self, moment) -> datetime.date:
        return moment.date()


class SyncDateTimeField(_MomentField):
    """`updated_since`: an ISO-8601 date-time (core.api.fields.parse_sync_datetime)."""

    default_error_messages = {
        "invalid": "The {field} field must be an ISO-8601 date-time.",
        "out_of_range": DATE_OUT_OF_RANGE,
    }
    parse = staticmethod(parse_sync_datetime)

    def value_of(self, moment) -> datetime.datetime:
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# --- filters: each states its OpenAPI schema; the description is its help_text ---------------------------------
class QueryFilter(django_filters.Filter):
    #: the parameter's OpenAPI schema (type, bounds, pattern); enum and default are added from the filter.
    schema: dict = {"type": "string"}

    def __init__(self, *args, help_text: str | None = None, default=None, **kwargs):
        super().__init__(*args, help_text=help_text, **kwargs)
        self.default = default
        schema = dict(self.schema)
        if default is not None:
            schema["default"] = default
        set_override(self, "field", schema)

    def __deepcopy__(self, memo):
        clone = copy.copy(self)  # the settings are shared; model and parent are set on the copy per FilterSet
        if self.method is not None:
            clone.method = self.method  # a method filter calls its own FilterSet, not the original's
        return clone


class SearchFilter(QueryFilter):
    """`q`: a FilterSet's `search(queryset, name, value)` method does the matching."""

    field_class = SearchField
    schema = {"type": "string", "minLength": 2}

    def __init__(self, *, method="search", help_text=SEARCH_HELP, **kwargs):
        super().__init__(method=method, help_text=help_text, **kwargs)


class ChoiceFilter(QueryFilter):
    field_class = ChoiceField

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, choices=choices, **kwargs)
        self._spectacular_annotation["field"] |= {"enum": [value for value, _ in choices], "minLength": 1}


class IdFilter(QueryFilter):
    field_class = IdField
    schema = {"type": "integer", "maximum": MAX_ID, "minimum": 1, "format": "int64"}


class DateFilter(QueryFilter):
    field_class = DateField
    schema = {"type": "string", "pattern": DATE_PATTERN}


class UpdatedSinceFilter(QueryFilter):
    field_class = SyncDateTimeField
    schema = {"type": "string", "format": "date-time"}

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault(
            "help_text",
            "ISO-8601 date-time; only rows updated at or after it. Without an offset it is read in the business "
            "time zone. Between 1900-01-01 and 9998-12-31.",
        )
        super().__init__(**kwargs)


# --- filter sets ---------------------------------------------------------------------------------------------
class QueryForm(forms.Form):
    #: False when the list's other parameters (page, per_page, format) failed: the rules across parameters then
    #: wait, as DRF's validate() waited for every field of the query serializer (IntegrationViewSet.filtered_list).
    run_checks = True

    def clean(self):
        cleaned = super().clean()
        if not self._errors and self.run_checks:  # like DRF's validate(): only once every parameter is valid
            self.check(cleaned)
        return cleaned

    def check(self, cleaned: dict) -> None:
        """Rules across parameters: raise ValidationError({name: message})."""


class FilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet. The view's `get_queryset()` is the wall; this only narrows it."""

    #: parameters whose empty value means "not sent"
    empty_means_absent = frozenset({"q"})

    class Meta:
        form = QueryForm

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name in self.empty_means_absent:
                if data.get(name) == "":
                    del data[name]
        super().__init__(data, queryset, request=request, **kwargs)

    @property
    def business(self):
        return self.request.user.business

    @property
    def values(self) -> dict:
        """The validated parameters (None when not sent; a choice's default when it has one)."""
        cleaned = self.form.cleaned_data
        return {
            name: cleaned.get(name) if cleaned.get(name) is not None else getattr(f, "default", None)
            for name, f in self.filters.items()
        }

    @classmethod
    def form_class(cls) -> type[forms.Form]:
        """The query form of this FilterSet, built once (django-filter builds one per request)."""
        if "_query_form" not in cls.__dict__:
            fields = {name: f.field for name, f in cls.base_filters.items()}
            cls._query_form = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._query_form

    def get_form_class(self):
        return self.form_class()

    def filter_queryset(self, queryset):
        for name, value in self.values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def api_errors(self) -> dict[str, list[str]]:
        """The form's errors keyed by parameter, `{field}` in a message filled with the parameter's name."""
        out = {}
        for name, errors in self.form.errors.as_data().items():
            label = name.replace("_", " ")
            out[name] = [(e.message % (e.params or ())).replace("{field}", label) for e in errors]
        return out


class SearchFilterSet(FilterSet):
    """A list with `q`: define `search(self, queryset, name, value)`."""

    q = SearchFilter()

    def search(self, queryset, name, value):
        raise NotImplementedError


class DateRangeForm(QueryForm):
    def check(self, cleaned):
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if (start is None) != (end is None):
            raise ValidationError({"end_date" if end is None else "start_date": TOGETHER})
        if start and end and end < start:
            raise ValidationError({"end_date": END_BEFORE_START})


class DateRangeFilterSet(FilterSet):
    """`start_date`/`end_date`: inclusive days in the business time zone, sent together or not at all. Set
    `date_field` to the datetime field they bound."""

    date_field = "created_at"
    start_date = DateFilter(
        method="in_date_range",
        help_text="First day, inclusive, in the business time zone. Sent together with end_date or not at all (422).",
    )
    end_date = DateFilter(
        method="in_date_range",
        help_text="Last day, inclusive; on or after start_date. Sent together with start_date or not at all (422).",
    )

    class Meta:
        form = DateRangeForm

    def date_bounds(self) -> tuple:
        """[start, end) datetimes of the validated range, or (None, None) when none was sent."""
        values = self.form.cleaned_data
        if not values.get("start_date"):
            return None, None
        return day_bounds(self.business, values["start_date"], values["end_date"])

    def in_date_range(self, queryset, name, value):
        if name != "start_date":
            return queryset  # the pair is applied once, on start_date
        start, end = self.date_bounds()
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend with the house 422 (messages naming their parameter)."""

    def get_filterset_class(self, view, queryset=None):
        return getattr(view, "filterset_class", None)

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        view.filterset = filterset
        filterset.form.run_checks = not getattr(view, "page_query_invalid", False)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.api_errors())
        if not filterset.form.run_checks:
            return queryset  # a 422 for the other parameters follows: nothing to narrow, and the rules were not run
        return filterset.qs


# --- more filters: booleans as DRF reads them, and text matching ----------------------------------------------
class BooleanField(QueryFieldMixin, forms.Field):
    """true/false as DRF's BooleanField reads them (t, y, yes, true, on, 1 / f, n, no, false, off, 0, any case);
    with allow_null, also null or an empty value (no filter)."""

    default_error_messages = {"invalid": "Must be a valid boolean."}
    TRUE_VALUES = frozenset({"t", "y", "yes", "true", "on", "1"})
    FALSE_VALUES = frozenset({"f", "n", "no", "false", "off", "0"})

    def __init__(self, *, allow_null=False, **kwargs):
        self.allow_null = allow_null
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None:
            return None
        lowered = value.lower()
        if lowered in self.TRUE_VALUES:
            return True
        if lowered in self.FALSE_VALUES:
            return False
        if self.allow_null and lowered in ("", "null"):
            return None
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(QueryFilter):
    field_class = BooleanField

    def __init__(self, *args, allow_null=False, **kwargs):
        self.schema = {"type": ["boolean", "null"] if allow_null else "boolean"}
        super().__init__(*args, allow_null=allow_null, **kwargs)


def matching(q: str, *fields: str, by_id: bool = True) -> Q:
    """`q` in any of the text fields (icontains), or, with by_id, the row's numeric id."""
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": q})
    if by_id and numeric_id(q) is not None:
        match |= Q(pk=numeric_id(q))
    return match
