"""Response rows straight from the database.

A response shape is declared once, as a DRF serializer (that is what the OpenAPI schema reads).
`RowShape` compiles it into one `.values()` query plus a cheap conversion per column, so a page
of 100 rows or an export of a million costs the same handful of queries and no model instances.

    class ContactListItem(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        group_name = serializers.CharField(source="customer_group.name", allow_null=True)
        labels = Computed(compute=lambda row, ctx: ..., field=serializers.DictField())
        users = Batched(loader=lambda ids, ctx: {...}, field=serializers.ListField(...))
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.utils import timezone
from rest_framework import serializers

from core.api.export import FORMULA_START, bool_text, cells_of, csv_cell, decimal_text


class Computed(serializers.Field):
    """A column computed from other columns of the same row (`sources`) and the request context."""

    def __init__(self, *, compute, field: serializers.Field, sources: Iterable[str] = (), **kwargs):
        self.compute = compute
        self.sources = tuple(sources)
        self.schema_field = field
        kwargs.setdefault("help_text", field.help_text)
        super().__init__(read_only=True, **kwargs)


class Batched(serializers.Field):
    """A column loaded for a batch of rows at once: `loader(ids, context) -> {id: value}`."""

    def __init__(self, *, loader, field: serializers.Field, default=None, **kwargs):
        self.loader = loader
        self.schema_field = field
        self.missing = default
        kwargs.setdefault("help_text", field.help_text)
        super().__init__(read_only=True, **kwargs)


def _iso_datetime(value, tz):
    return timezone.localtime(value, tz).isoformat() if value is not None else None


def _iso_date(value, tz):
    return value.isoformat() if value is not None else None


def _converter(field):
    if isinstance(field, serializers.DateTimeField):
        return _iso_datetime
    if isinstance(field, serializers.DateField):
        return _iso_date
    return None


TEXT_FIELDS = (serializers.CharField, serializers.ChoiceField)
PASS_THROUGH = (serializers.IntegerField, serializers.FloatField)


def _csv_converter(field):
    """How a plain column becomes a CSV cell: "text" (formula-neutralised), None (as is: numbers, and
    None which the csv module writes as an empty cell), or a function of (value, tz)."""
    if isinstance(field, serializers.BooleanField):
        return lambda value, tz: bool_text(value)
    if isinstance(field, TEXT_FIELDS):
        return "text"
    if isinstance(field, PASS_THROUGH):
        return None
    if isinstance(field, serializers.DecimalField):
        return lambda value, tz: decimal_text(value)
    convert = _converter(field)
    if convert is not None:
        return convert
    return lambda value, tz: csv_cell(value)


class RowShape:
    BATCH = 2000

    def __init__(self, serializer_class):
        self.serializer_class = serializer_class
        fields = serializer_class().fields
        self.names: list[str] = list(fields)
        self.paths: list[str] = ["id"]
        self.plan = []  # (name, kind, payload)
        self.batched = []
        for name, field in fields.items():
            if isinstance(field, Computed):
                self.paths.extend(field.sources)
                self.plan.append((name, "computed", field.compute))
            elif isinstance(field, Batched):
                self.batched.append((name, field))
                self.plan.append((name, "batched", None))
            else:
                path = field.source.replace(".", "__") if field.source not in (None, "*") else name
                self.paths.append(path)
                self.plan.append((name, "column", (path, _converter(field))))
        self.paths = list(dict.fromkeys(self.paths))
        self.columns_only = all(kind == "column" for _, kind, _ in self.plan)
        if self.columns_only:
            self.column_paths = [payload[0] for _, _, payload in self.plan]
            converters = [_csv_converter(field) for field in fields.values()]
            self.csv_text = [i for i, c in enumerate(converters) if c == "text"]
            self.csv_other = [(i, c) for i, c in enumerate(converters) if callable(c)]

    def _convert(self, raw: dict, context, tz) -> dict:
        row = {}
        for name, kind, payload in self.plan:
            if kind == "column":
                path, convert = payload
                value = raw[path]
                row[name] = convert(value, tz) if convert is not None else value
            elif kind == "computed":
                row[name] = payload(raw, context)
            else:
                row[name] = None
        return row

    def _fill_batched(self, raws: list[dict], rows: list[dict], context):
        if not self.batched or not rows:
            return
        ids = [raw["id"] for raw in raws]
        for name, field in self.batched:
            values = field.loader(ids, context)
            for raw, row in zip(raws, rows, strict=True):
                row[name] = values.get(raw["id"], field.missing)

    def rows(self, queryset, context=None, *, stream: bool = False) -> Iterator[dict]:
        """Response rows for the queryset, in its order. `stream` reads it with a server-side cursor.

        The time zone is fixed now, not when the rows are consumed: a streamed download is read
        after the view has returned and the request's time zone has been switched off.
        """
        return self._generate(queryset, context or {}, timezone.get_current_timezone(), stream)

    def _generate(self, queryset, context, tz, stream):
        values = queryset.values(*self.paths)
        source = values.iterator(chunk_size=self.BATCH) if stream else iter(values)
        while True:
            raws = list(islice(source, self.BATCH))
            if not raws:
                return
            rows = [self._convert(raw, context, tz) for raw in raws]
            self._fill_batched(raws, rows, context)
            yield from rows

    def csv_rows(self, queryset, context=None) -> Iterator[list]:
        """Rows as CSV-ready cells in `names` order, streamed. Shapes made only of plain columns take a fast
        path (tuples from values_list, a conversion only where a column needs one); the rest go through
        `rows()`."""
        tz = timezone.get_current_timezone()
        if not self.columns_only:
            return cells_of(self.names, self._generate(queryset, context or {}, tz, True))
        return self._csv_tuples(queryset, tz)

    def _csv_tuples(self, queryset, tz):
        text, other = self.csv_text, self.csv_other
        for values in queryset.values_list(*self.column_paths).iterator(chunk_size=self.BATCH):
            row = list(values)
            for i in text:
                value = row[i]
                if value and value[0] in FORMULA_START:
                    row[i] = "'" + value
            for i, convert in other:
                value = row[i]
                if value is not None:
                    row[i] = convert(value, tz)
            yield row

    def one(self, queryset, context=None) -> dict | None:
        return next(self.rows(queryset, context), None)
