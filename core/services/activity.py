"""The activity log: every write records who changed what, with the values before and after."""

import datetime
import functools
from decimal import Decimal
from itertools import islice
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.bulk import bulk_insert_values, model_values
from core.models import Activity


def json_value(value):
    """A value as the activity log stores it: decimals without trailing zeros, dates in ISO-8601, rows by id."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


@functools.cache
def _attnames(model, fields: tuple) -> tuple[str, ...]:
    names = []
    for name in fields:
        field = model._meta.get_field(name)
        names.append(field.attname if getattr(field, "many_to_one", False) else name)
    return tuple(names)


def snapshot(instance: models.Model, fields) -> dict:
    """JSON-safe values of the named fields (foreign keys by id)."""
    return {attname: json_value(getattr(instance, attname)) for attname in _attnames(type(instance), tuple(fields))}


def present(values: dict) -> dict:
    """The values that are set (not null): what a `created` activity records of a new row. A field it leaves out
    was null — an import of 50,000 contacts stores a few values per contact, not fifty nulls each."""
    return {name: value for name, value in values.items() if value is not None}


def created_snapshot(instance: models.Model, fields) -> dict:
    """What a `created` activity records of a new row: present() of its snapshot."""
    return present(snapshot(instance, fields))


#: types json_value returns as they are
_AS_IS = frozenset((str, int, bool, float, type(None)))


@functools.cache
def _values_getter(model, fields: tuple):
    """The attnames, one getter of their values from a dict, and the names of decimal fields (a default of 0 there
    is recorded as the amount "0", as an instance's would be once saved)."""
    names = _attnames(model, fields)
    decimals = frozenset(name for name in names if isinstance(model._meta.get_field(name), models.DecimalField))
    return names, itemgetter(*names) if len(names) > 1 else (lambda values: (values[names[0]],)), decimals


def created_values(model: type[models.Model], values: dict, fields) -> dict:
    """created_snapshot() of a row given as core.bulk.model_values (by attname) instead of an instance."""
    names, getter, decimals = _values_getter(model, tuple(fields))
    out = {}
    for name, value in zip(names, getter(values), strict=True):
        if value is None:
            continue
        if name in decimals and type(value) is int:
            value = Decimal(value)
        out[name] = value if type(value) in _AS_IS else json_value(value)
    return out


def changed(old: dict, new: dict) -> tuple[dict, dict]:
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def log_activity(**fields) -> Activity:
    """Record one activity now: the fields of activity_row."""
    activity = activity_row(**fields)
    activity.save()
    return activity


def activity_fields(
    *,
    business,
    subject=None,
    causer,
    description: str,
    event: str | None,
    old: dict | None = None,
    new: dict | None = None,
    extra: dict | None = None,
    log_name: str = "default",
    subject_type=None,
    subject_id=None,
) -> dict:
    """The keyword arguments of an activity row: about `subject` (an instance), or `subject_type` (a ContentType)
    and `subject_id` for a row written without an instance."""
    properties = dict(extra or {})
    if new is not None:
        properties["attributes"] = new
    if old is not None:
        properties["old"] = old
    if subject is not None:
        subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        subject_id = subject.pk
    return {
        "business": business,
        "log_name": log_name,
        "description": description,
        "event": event,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "causer": causer if getattr(causer, "pk", None) else None,
        "properties": properties,
    }


def activity_row(**fields) -> Activity:
    """The unsaved activity row of log_activity (the fields of activity_fields)."""
    return Activity(**activity_fields(**fields))


def log_created(*, business, user, instance, fields, description: str = "added") -> Activity:
    return log_activity(
        business=business,
        subject=instance,
        causer=user,
        description=description,
        event="created",
        new=created_snapshot(instance, fields),
    )


def log_created_many(*, business, user, instances, fields, description: str = "added", batch_size: int = 5000) -> None:
    """log_created for many saved rows: one insert per batch, only one batch of rows in memory at a time."""
    remaining = iter(instances)
    while batch := list(islice(remaining, batch_size)):
        _insert_created(
            business=business,
            user=user,
            subjects=[
                (ContentType.objects.get_for_model(i, for_concrete_model=False), i.pk, created_snapshot(i, fields))
                for i in batch
            ],
            description=description,
        )


def log_created_values(*, business, user, model, rows, ids, fields, description: str = "added") -> None:
    """log_created_many for rows written with core.bulk.bulk_insert_values: `rows` as model_values, `ids` theirs."""
    subject_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    _insert_created(
        business=business,
        user=user,
        subjects=[(subject_type, pk, created_values(model, row, fields)) for row, pk in zip(rows, ids, strict=True)],
        description=description,
    )


def _insert_created(*, business, user, subjects, description: str) -> None:
    """One `created` activity per (subject type, id, new values): the fields every row shares made once, as
    activity_fields and model_values make them, and each row given its subject and attributes."""
    shared = activity_fields(business=business, causer=user, description=description, event="created", new={})
    base = model_values(Activity, shared)
    properties = shared["properties"]
    rows = []
    for subject_type, subject_id, new in subjects:
        row = base.copy()
        row["subject_type_id"], row["subject_id"] = subject_type.pk, subject_id
        row["properties"] = {**properties, "attributes": new}
        rows.append(row)
    bulk_insert_values(Activity, rows)


def log_deleted(*, business, user, instance, fields, description: str = "deleted") -> Activity:
    return log_activity(
        business=business,
        subject=instance,
        causer=user,
        description=description,
        event="deleted",
        old=snapshot(instance, fields),
    )


class logged_update:  # noqa: N801 - used as a context manager, reads as a clause
    """Log an update of `instance`: the values of `fields` before the block and after it (changed ones only).

    with logged_update(business=b, user=u, instance=contact, fields=LOGGED_FIELDS):
        contact.name = "New"
        contact.save()
    """

    def __init__(self, *, business, user, instance, fields, description: str = "edited"):
        self.business, self.user, self.instance, self.fields = business, user, instance, fields
        self.description = description

    def __enter__(self):
        self.old = snapshot(self.instance, self.fields)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            before, after = changed(self.old, snapshot(self.instance, self.fields))
            log_activity(
                business=self.business,
                subject=self.instance,
                causer=self.user,
                description=self.description,
                event="updated",
                old=before,
                new=after,
            )
        return False
