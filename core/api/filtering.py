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
- rules across parameters (`QueryForm.check`) run only when every parameter is valid, as DRF's did.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework import exceptions

from core.api.fields import DATE_OUT_OF_RANGE, parse_sync_datetime
from core.dates import EARLIEST_DATE, LATEST_DATE

SEARCH_HELP = "Search text, at least 2 characters (an empty `q` is no search)."
SEARCH_TOO_SHORT = "The q field must be at least 2 characters."


# --- form fields: a sent empty value is validated, never taken as absent --------------------------------------
class QueryFieldMixin:
    #: only an absent parameter (None) is empty; "" is a value like any other and is validated.
    empty_values = [None]


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


class SyncDateTimeField(QueryFieldMixin, forms.Field):
    """`updated_since`: an ISO-8601 date-time (core.api.fields.parse_sync_datetime)."""

    default_error_messages = {
        "invalid": "The {field} field must be an ISO-8601 date-time.",
        "out_of_range": DATE_OUT_OF_RANGE,
    }

    def to_python(self, value):
        if value is None:
            return None
        moment = parse_sync_datetime(value)
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
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
    def clean(self):
        cleaned = super().clean()
        if not self._errors:  # like DRF's validate(): only once every parameter is valid
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


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend with the house 422 (messages naming their parameter)."""

    def get_filterset_class(self, view, queryset=None):
        return getattr(view, "filterset_class", None)

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        view.filterset = filterset
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.api_errors())
        return filterset.qs
