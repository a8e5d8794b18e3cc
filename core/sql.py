"""Helpers for the raw SQL the ledger engine and the reports run: parameters the adapter understands and one
way to search text."""

import datetime
import functools
import json
import threading
from decimal import Decimal

from django.db import connection, connections, models, router
from django.db.models.query import ModelIterable, get_related_populators


def db_datetimes(*moments) -> list:
    """Datetimes as the database adapter wants them in raw SQL (SQLite compares text: UTC, its own format)."""
    return [connection.ops.adapt_datetimefield_value(moment) for moment in moments]


class CompiledFirstRow:
    """A queryset's first row, its SQL compiled once per database and thread instead of on every call:
    `build(**slots)` makes the queryset (with select_related and annotations, as any), called once with a sentinel
    per slot; each `first(**values)` runs that SQL with the sentinels' parameters swapped for the values and makes
    the row into model instances the way iterating the queryset does (the related objects, the annotations). For
    look-ups run on every request (the API credential) or every row of a long run, where compiling the query costs
    more than running it. A slot given None gets a text sentinel; give a number one the field accepts (an unlikely
    id) for a number. A values()/values_list() queryset gives its first row as a tuple. (Not to be confused with
    core.api.compiled.CompiledFirst, which validates a body by a serializer's compiled fields first.)"""

    def __init__(self, build, **slots):
        self._build = build
        self._sentinels = {name: f"\x00{name}\x00" if value is None else value for name, value in slots.items()}
        # per thread: a compiler holds the connection of the thread that made it (gunicorn's gthread workers)
        self._local = threading.local()

    def _compile(self, alias: str):
        queryset = self._build(**self._sentinels)
        queryset = (queryset if queryset.ordered else queryset.order_by("pk"))[:1]  # what first() runs
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = {}
        for name, sentinel in self._sentinels.items():
            (slots[name],) = [i for i, value in enumerate(params) if value == sentinel]
        info, select = compiler.klass_info, compiler.select
        if queryset._iterable_class is not ModelIterable:  # values() / values_list(): the row as it is
            return sql, params, slots, compiler, None, None, ()
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(info, select, alias)
        return sql, params, slots, compiler, info["model"], (start, end, names), populators

    @functools.cached_property
    def model(self):
        return self._build(**self._sentinels).model

    def first(self, **values):
        alias = router.db_for_read(self.model)
        compiled = self._local.__dict__.setdefault("compiled", {})
        key = (alias, connections[alias].vendor)
        if key not in compiled:
            compiled[key] = self._compile(alias)
        sql, params, slots, compiler, model, fields, populators = compiled[key]
        params = list(params)
        for name, index in slots.items():
            params[index] = values[name]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchmany(1)
        if not rows:
            return None
        row = next(iter(compiler.results_iter([rows])))
        if model is None:
            return tuple(row)
        start, end, names = fields
        obj = model.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, index in compiler.annotation_col_map.items():
            setattr(obj, name, row[index])
        return obj


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE ... ESCAPE '\\'`, upper-cased, with the wildcards the user typed taken literally."""
    escaped = text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_any_sql(columns, text: str) -> tuple[list[str], list]:
    """Case-insensitive "contains `text`" over each column: one condition per column (OR them) and its
    parameters. Non-ASCII letters fold too: PostgreSQL's UPPER follows the database's UTF-8 ctype, and on
    SQLite `UPPER` is replaced by Python's (see `register_sqlite_functions`)."""
    pattern = like_pattern(text)
    conditions = [f"UPPER(COALESCE({column}, '')) LIKE %s ESCAPE '\\'" for column in columns]
    return conditions, [pattern] * len(conditions)


def _unicode_upper(value):
    return value.upper() if isinstance(value, str) else value


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite's built-in UPPER folds ASCII only; give it Python's so "müller" finds "Müller" as on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UPPER", 1, _unicode_upper, deterministic=True)


ROWS_PER_INSERT = 500


def _adapter(field):
    """How a value reaches the driver: through the field's own preparation where the backends differ (dates and
    times, JSON, decimals), as it is otherwise (ints, text, booleans, None)."""
    if isinstance(field, (models.DateField, models.JSONField, models.DecimalField)):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_statements(
    model, columns: list[str], rows: list[tuple], *, returning: bool = False, executed_now: bool = False
) -> list:
    """Statements (sql, params) inserting rows of plain values (one tuple per row, in `columns` order, foreign keys
    by id), with `RETURNING id` (in row order) when asked.

    On PostgreSQL one statement carries all the rows as a single JSON parameter (`jsonb_to_recordset`): the driver
    binds one string instead of a placeholder per value, which is most of the cost of a multi-row insert from
    Python. Elsewhere, `INSERT … VALUES (…), (…)` of at most 500 rows each."""
    if getattr(model, "rows_inserted", None) and not executed_now:
        # rows that count toward balances go through insert_rows, which tells the balance snapshots
        raise TypeError(f"{model.__name__} rows are inserted with insert_rows")
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    suffix = f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}" if returning else ""
    if connection.vendor == "postgresql":
        types = ", ".join(f"c{i} {_record_type(f)}" for i, f in enumerate(fields))
        picked = ", ".join(f"x.c{i}" for i in range(len(fields)))
        sql = (
            f"INSERT INTO {table} ({quoted}) SELECT {picked} FROM jsonb_to_recordset(%s::jsonb) "
            f"AS x(n integer, {types}) ORDER BY x.n{suffix}"
        )
        records = [{"n": n, **{f"c{i}": value for i, value in enumerate(row)}} for n, row in enumerate(rows)]
        return [(sql, [json.dumps(records, default=_json_default)])]
    adapters = [(i, adapt) for i, adapt in enumerate(_adapter(f) for f in fields) if adapt is not None]
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    statements = []
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        params = []
        for row in chunk:
            if adapters:
                row = list(row)
                for i, adapt in adapters:
                    row[i] = adapt(row[i])
            params.extend(row)
        sql = f"INSERT INTO {table} ({quoted}) VALUES "
        statements.append((sql + ", ".join([one_row] * len(chunk)) + suffix, params))
    return statements


def _record_type(field) -> str:
    """The column's type without its modifiers (`numeric`, `varchar`), as jsonb_to_recordset wants it."""
    return field.db_type(connection).split("(")[0]


def _json_default(value):
    """Decimals, dates and times travel as their text (PostgreSQL reads them back exactly)."""
    if isinstance(value, (Decimal, datetime.date)):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


def insert_rows(model, columns: list[str], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """Insert rows of plain values (see insert_statements) and return the new ids in row order when `returning`.

    For bulk writes that would otherwise build a model instance per row: the invoice generator writes thousands of
    rows per second this way. Nothing of the model's Python runs (no defaults, no auto_now): every NOT NULL column is
    given."""
    ids: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in insert_statements(model, columns, rows, returning=returning, executed_now=True):
            cursor.execute(sql, params)
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    if written := getattr(model, "rows_inserted", None):  # rows that count toward balances (balance snapshots)
        written(columns, rows)
    return ids


def _binds_client_side(cursor) -> bool:
    import psycopg

    return isinstance(cursor, psycopg.ClientCursor)


def execute_together(statements: list) -> None:
    """Run (sql, params) statements whose results nobody reads, in one round trip where the driver allows it
    (PostgreSQL with the client-side parameter binding Django uses by default: one simple-protocol query holding
    them all), one by one elsewhere. Either way they run in order, in the caller's transaction."""
    statements = [s for s in statements if s]
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and _binds_client_side(cursor.cursor):
            cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def native_timestamps(cursor) -> None:
    """Read the timestamptz columns of this cursor (a Django cursor on PostgreSQL) with psycopg's own loader, its C
    implementation, instead of the pure-Python subclass Django registers: an export reads one on every line
    (`make bench-money`). Both give aware datetimes, Django's in UTC and psycopg's in the session's time zone, which
    Django sets to UTC; the caller converts to the business's zone either way."""
    if connection.vendor != "postgresql":
        return
    from psycopg.types.datetime import TimestamptzLoader

    cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
