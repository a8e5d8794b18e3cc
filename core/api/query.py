"""Query-string contracts. A view validates its query with one of these (422 on failure), and the
OpenAPI schema lists the same fields as parameters."""

from rest_framework import serializers

from core.api.fields import QueryDate

PER_PAGE_MAX = 100


class QuerySerializer(serializers.Serializer):
    """Base for query strings: every field optional unless declared otherwise.

    An empty parameter is the empty value it is, never taken as absent: `?format=` or `?per_page=` is a 422 like
    any other invalid value. The one exception is search text (`q`, `search`): empty means no search."""

    empty_means_absent = frozenset({"q", "search"})

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            # DRF reads an empty form value of an optional field as "not sent"; a plain mapping keeps it.
            data = {
                name: data.getlist(name) if isinstance(field, serializers.ListField) else data[name]
                for name, field in self.fields.items()
                if name in data and not (name in self.empty_means_absent and data[name] == "")
            }
        return super().to_internal_value(data)


class PageQuery(QuerySerializer):
    page = serializers.IntegerField(
        min_value=1,
        default=1,
        help_text="Page number, from 1. A page past the last one is empty.",
        error_messages={
            "min_value": "The page field must be at least 1.",
            "invalid": "The page field must be an integer.",
        },
    )
    per_page = serializers.IntegerField(
        min_value=1,
        max_value=PER_PAGE_MAX,
        default=20,
        help_text="Rows per page, 1 to 100. Defaults to 20.",
        error_messages={
            "min_value": "The per page field must be between 1 and 100.",
            "max_value": "The per page field must be between 1 and 100.",
            "invalid": "The per page field must be an integer.",
        },
    )


class SearchQuery(QuerySerializer):
    q = serializers.CharField(
        min_length=2,
        required=False,
        help_text="Search text, at least 2 characters (an empty `q` is no search).",
        error_messages={
            "min_length": "The q field must be at least 2 characters.",
            "blank": "The q field must be at least 2 characters.",
        },
    )


class ObjectFormatQuery(QuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        default="json",
        help_text="`json` (default) or `csv`: one row whose `data_json` cell holds the JSON `data` object.",
    )


class ListFormatQuery(QuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "csv", "xlsx"],
        default="json",
        help_text="`json` (default), `csv` (UTF-8 with BOM) or `xlsx`. csv and xlsx hold every matching row "
        "and ignore `page` and `per_page`.",
    )


class ListPageQuery(PageQuery, ListFormatQuery):
    """What a list takes besides its FilterSet (core.api.filtering): the page and the format."""


class ListQuery(PageQuery, SearchQuery, ListFormatQuery):
    """The page, the format and `q` of a list whose filters are not yet a FilterSet."""


class DateRangeQuery(QuerySerializer):
    start_date = QueryDate(
        required=False,
        help_text="First day, inclusive, in the business time zone. Sent together with end_date or not at all (422).",
    )
    end_date = QueryDate(
        required=False,
        help_text="Last day, inclusive; on or after start_date. Sent together with start_date or not at all (422).",
    )

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if (start is None) != (end is None):
            missing = "end_date" if end is None else "start_date"
            raise serializers.ValidationError({missing: ["start_date and end_date must be provided together."]})
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": ["The end date must be a date after or equal to start date."]}
            )
        return super().validate(attrs)
