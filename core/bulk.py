"""Inserting many new rows at once (imports, generation): `bulk_insert(Model, objects)`.

On PostgreSQL the rows go in by COPY, after one `nextval` over the id sequence gives them their ids: Django's
bulk_create binds parameters on the client (psycopg's ClientCursor), which quotes every value in Python — for
large inserts most of the time (measured by `make bench-import`). The values are what Django itself would send
(each field's pre_save and get_db_prep_save), so defaults, auto_now and JSON behave as in bulk_create. Other
databases use bulk_create. Either way each object gets its primary key and is marked saved.
"""

import time

from django.db import connection, models

#: rows per bulk_create on databases without COPY
BATCH = 1000


#: field types whose database value is the Python value itself when it already has the plain type
PLAIN = {
    "CharField": str,
    "TextField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
    "BooleanField": bool,
}


def _value_of(field):
    """The value Django would send for `field` of an object, as one call: get_db_prep_save(pre_save(...)), with
    the work skipped where it changes nothing (an empty cell, text already text, a key already an int)."""
    prepare = field.get_db_prep_save
    if type(field).pre_save is not models.Field.pre_save:
        return lambda obj: prepare(field.pre_save(obj, add=True), connection)
    attname = field.attname
    plain = PLAIN.get((field.target_field if field.is_relation else field).get_internal_type())
    if field.is_relation and plain is None and field.target_field.get_internal_type() in ("AutoField", "BigAutoField"):
        plain = int

    def value(obj):
        raw = getattr(obj, attname)
        if raw is None or type(raw) is plain:
            return raw
        return prepare(raw, connection)

    return value


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
    values = [_value_of(field) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(objects)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        started = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for obj, pk_value in zip(objects, ids, strict=True):
                copy.write_row([pk_value, *(value(obj) for value in values)])
    if connection.queries_logged:  # COPY bypasses the cursor wrapper; count it like any statement
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(objects)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    for obj, pk_value in zip(objects, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding, obj._state.db = False, connection.alias
    return objects
