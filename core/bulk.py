"""Inserting many new rows at once (imports, generation): `bulk_insert(Model, objects)` for model instances,
`bulk_insert_values(Model, rows)` for rows given as the keyword arguments a model would be made with (no instance
is built: the importer writes tens of thousands of rows this way).

On PostgreSQL the rows go in by COPY, after one `nextval` over the id sequence gives them their ids: Django's
bulk_create binds parameters on the client (psycopg's ClientCursor), which quotes every value in Python — for
large inserts most of the time (measured by `make bench-import`). The values are what Django itself would send
(each field's pre_save and get_db_prep_save), so defaults, auto_now and JSON behave as in bulk_create. Other
databases use bulk_create. Either way each object gets its primary key and is marked saved.
"""

import datetime
import decimal
import functools
import time
from operator import attrgetter, itemgetter

from django.db import connection, connections, models

#: rows per bulk_create on databases without COPY
BATCH = 1000


#: field types whose database value is the Python value itself when it already has that type
PLAIN = {
    "CharField": str,
    "TextField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
    "BooleanField": bool,
    "AutoField": int,
    "BigAutoField": int,
}


def _plain_type(field):
    return PLAIN.get((field.target_field if field.is_relation else field).get_internal_type())


_DJANGO_FIELDS = "django.db.models.fields"
#: immutable values whose preparation by a Django field depends on the value alone (datetimes excluded: unique)
_MEMO_TYPES = frozenset((type(None), int, str, bool, decimal.Decimal, datetime.date))
_MEMO_SIZE = 10_000
_NOT_YET = object()


class _Attributes:
    """A row (a dict keyed by attname) seen as an object, for the fields whose pre_save reads or sets the value
    on the instance (auto_now): `pre_save(_Attributes(row), add=True)` does to the row what it does to an object."""

    def __init__(self, row: dict):
        self.__dict__ = row


_DATE_PRE_SAVES = (models.DateField.pre_save, models.DateTimeField.pre_save)


def _stamps(field) -> bool:
    """A date or datetime field of Django's own that sets itself on insert (auto_now, auto_now_add)."""
    return type(field).pre_save in _DATE_PRE_SAVES and (field.auto_now or field.auto_now_add)


def _own_pre_save(field) -> bool:
    """Whether pre_save does more than read the value: not Field's, nor a date field's that does not set itself."""
    pre_save = type(field).pre_save
    return pre_save is not models.Field.pre_save and not (pre_save in _DATE_PRE_SAVES and not _stamps(field))


def _row_maker(fields, *, of_dicts: bool = False):
    """`rows(db)` → `row(obj)`: the values Django would send for `fields` of an object — get_db_prep_save(pre_save(...))
    — read in one C-level getter, with only the values that need it prepared: fields with a pre_save of their own or
    a type that is not sent as it is, and values of another type than their column's plain one. With `of_dicts`,
    `row(values)` reads a dict keyed by attname (bulk_insert_values) the same way. `db`: the connection itself (not
    the django.db.connection proxy, a thread-local look-up per use).

    The rows of one `rows(db)` are one insert: their auto_now and auto_now_add fields take the moment of its first
    row (its first datetime field's pre_save, the same for created_at and updated_at), prepared once — as
    PostgreSQL's now() is one moment for a whole statement — where bulk_create would read the clock and prepare a
    datetime per row and field."""
    names = [f.attname for f in fields]
    getter = (itemgetter if of_dicts else attrgetter)(*names)
    special, plain, stamped = [], [], []
    for index, field in enumerate(fields):
        kind = _plain_type(field)
        own_pre_save = _own_pre_save(field)
        if _stamps(field):
            stamped.append((index, field))
        elif own_pre_save or kind is None:
            special.append((index, field, own_pre_save))
        else:
            plain.append((index, kind, field.get_db_prep_save))

    checked: set[tuple] = set()  # rows of these value types need nothing more (most rows of a batch look alike)
    pre_saving = any(own for _, _, own in special)
    # What a special field of Django's own sends for a value it was given (not one its pre_save makes), prepared
    # once per value and connection: None, and repeated amounts, dates and codes (balance 0, a credit limit).
    prepared: dict = {}
    memo = {index for index, field, own in special if not own and type(field).__module__.startswith(_DJANGO_FIELDS)}

    def rows(db):
        stamps: list[tuple] = []  # (index, attname, the value, as sent), from the first row

        def row(obj) -> list:
            values = list(getter(obj)) if len(fields) > 1 else [getter(obj)]
            if stamped:
                if not stamps:
                    target, moments = (_Attributes(obj) if of_dicts else obj), {}
                    for index, field in stamped:
                        kind = type(field).pre_save  # one moment for created_at and updated_at alike
                        value = moments[kind] if kind in moments else field.pre_save(target, add=True)
                        moments[kind] = value
                        stamps.append((index, field.attname, value, field.get_db_prep_save(value, db)))
                for index, attname, value, sent in stamps:
                    if of_dicts:
                        obj[attname] = value
                    else:
                        setattr(obj, attname, value)
                    values[index] = sent
            target = _Attributes(obj) if of_dicts and pre_saving else obj
            for index, field, own_pre_save in special:
                if own_pre_save or not of_dicts:
                    value = field.pre_save(target, add=True)
                else:
                    value = values[index]
                    if index in memo and type(value) in _MEMO_TYPES:
                        key = (index, db.alias, type(value), str(value))  # by text: Decimal 1.0 and 1.00 differ
                        done = prepared.get(key, _NOT_YET)
                        if done is _NOT_YET:
                            done = field.get_db_prep_save(value, db)
                            if len(prepared) < _MEMO_SIZE:
                                prepared[key] = done
                        values[index] = done
                        continue
                values[index] = field.get_db_prep_save(value, db)
            types = tuple(map(type, values))
            if types not in checked:
                fixed = False
                for index, kind, prepare in plain:
                    value = values[index]
                    if value is not None and type(value) is not kind:
                        values[index], fixed = prepare(value, db), True
                if not fixed:
                    checked.add(types)
            return values

        return row

    return rows


@functools.cache
def _shape(model: type[models.Model]):
    """The concrete fields COPY writes (all but the key), with the row maker of each input kind."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    return fields, {False: _row_maker(fields), True: _row_maker(fields, of_dicts=True)}


@functools.cache
def _defaults(model: type[models.Model]) -> tuple[dict, tuple]:
    """What a model's __init__ gives a field it is not passed: constant defaults once, callables per row."""
    constant, call = {}, []
    for field in model._meta.concrete_fields:
        if field is model._meta.pk:
            continue
        if field.has_default() and callable(field.default):
            call.append((field.attname, field.get_default))
        else:
            constant[field.attname] = field.get_default()
    return constant, tuple(call)


@functools.cache
def _names(model: type[models.Model]) -> dict[str, tuple[str, bool]]:
    """Keyword -> (attname, is a relation given as an object), as a model's __init__ reads its keywords."""
    out = {}
    for field in model._meta.concrete_fields:
        out[field.attname] = (field.attname, False)
        if field.is_relation:
            out[field.name] = (field.attname, True)
    return out


def model_values(model: type[models.Model], data: dict) -> dict:
    """The values by attname that `model(**data)` would hold for every concrete field: what is given (a related
    object by its key), defaults for the rest. A keyword the model does not have is a TypeError, as in __init__."""
    constant, call = _defaults(model)
    values = dict(constant)
    for attname, default in call:
        values[attname] = default()
    names = _names(model)
    for key, value in data.items():
        try:
            attname, related = names[key]
        except KeyError:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: '{key}'") from None
        values[attname] = value.pk if related and value is not None else value
    return values


def _copy(model, items: list, make_rows) -> list[int]:
    meta = model._meta
    fields, _ = _shape(model)
    table, pk = meta.db_table, meta.pk.column
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(table)} ({connection.ops.quote_name(pk)}, {columns}) FROM STDIN"
    row = make_rows(connections[connection.alias])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(items)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        started = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for item, pk_value in zip(items, ids, strict=True):
                write([pk_value, *row(item)])
    if connection.queries_logged:  # COPY bypasses the cursor wrapper; count it like any statement
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(items)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    return ids


def bulk_insert(model: type[models.Model], objects: list[models.Model]) -> list[models.Model]:
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, batch_size=BATCH)
    ids = _copy(model, objects, _shape(model)[1][False])
    for obj, pk_value in zip(objects, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding, obj._state.db = False, connection.alias
    if written := getattr(model, "objects_inserted", None):  # rows that count toward balances (balance snapshots)
        written(objects)
    return objects


def bulk_insert_values(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert rows given as model_values dicts (by attname, every concrete field but the key) without making an
    instance of each; returns the new ids in row order. The values are prepared as bulk_insert prepares an
    instance's (pre_save, get_db_prep_save), and auto_now fields are set in the dicts as on an instance."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return [obj.pk for obj in objects]
    return _copy(model, rows, _shape(model)[1][True])
