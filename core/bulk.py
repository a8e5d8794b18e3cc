"""Inserting many new rows at once (imports, generation): `bulk_insert(Model, objects)`.

On PostgreSQL the rows go in by COPY, after one `nextval` over the id sequence gives them their ids: Django's
bulk_create binds parameters on the client (psycopg's ClientCursor), which quotes every value in Python — for
large inserts most of the time (measured by `make bench-import`). The values are what Django itself would send
(each field's pre_save and get_db_prep_save), so defaults, auto_now and JSON behave as in bulk_create. Other
databases use bulk_create. Either way each object gets its primary key and is marked saved.
"""

import time
from operator import attrgetter

from django.db import connection, models

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


def _row_maker(fields):
    """`row(obj)`: the values Django would send for `fields` of an object — get_db_prep_save(pre_save(...)) —
    read in one C-level getter, with only the values that need it prepared: fields with a pre_save of their own or
    a type that is not sent as it is, and values of another type than their column's plain one."""
    getter = attrgetter(*(f.attname for f in fields))
    special, plain = [], []
    for index, field in enumerate(fields):
        kind = _plain_type(field)
        if type(field).pre_save is not models.Field.pre_save or kind is None:
            special.append((index, field))
        else:
            plain.append((index, kind, field.get_db_prep_save))

    checked: set[tuple] = set()  # rows of these value types need nothing more (most rows of a batch look alike)

    def row(obj) -> list:
        values = list(getter(obj)) if len(fields) > 1 else [getter(obj)]
        for index, field in special:
            values[index] = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        types = tuple(map(type, values))
        if types not in checked:
            fixed = False
            for index, kind, prepare in plain:
                value = values[index]
                if value is not None and type(value) is not kind:
                    values[index], fixed = prepare(value, connection), True
            if not fixed:
                checked.add(types)
        return values

    return row


def bulk_insert(model: type[models.Model], objects: list[models.Model]) -> list[models.Model]:
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, batch_size=BATCH)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    table, pk = meta.db_table, meta.pk.column
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(table)} ({connection.ops.quote_name(pk)}, {columns}) FROM STDIN"
    make_row = _row_maker(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(objects)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        started = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for obj, pk_value in zip(objects, ids, strict=True):
                copy.write_row([pk_value, *make_row(obj)])
    if connection.queries_logged:  # COPY bypasses the cursor wrapper; count it like any statement
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(objects)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    for obj, pk_value in zip(objects, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding, obj._state.db = False, connection.alias
    if written := getattr(model, "objects_inserted", None):  # rows that count toward balances (balance snapshots)
        written(objects)
    return objects
