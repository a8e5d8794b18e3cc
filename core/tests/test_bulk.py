"""core.bulk.bulk_insert and bulk_insert_values: what bulk_create would store (COPY on PostgreSQL), keys set,
errors as Django's."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from contacts.models import Contact
from core.bulk import bulk_insert, bulk_insert_values, model_values
from core.models import Activity


def test_rows_are_stored_as_bulk_create_would_and_get_their_keys(business, admin_user):
    contacts = [
        Contact(
            business=business,
            type="customer",
            name=f"Bulk {i}",
            contact_id=f"B{i}",
            shipping_custom_field_details=[{"label": "Dock", "value": i}] if i else None,
            created_by=admin_user,
            credit_limit="12.5" if i else None,
        )
        for i in range(3)
    ]

    saved = bulk_insert(Contact, contacts)

    assert saved == contacts and all(c.pk and not c._state.adding for c in contacts)
    rows = list(Contact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("pk"))
    assert [r.name for r in rows] == ["Bulk 0", "Bulk 1", "Bulk 2"]
    assert rows[0].shipping_custom_field_details is None
    assert rows[2].shipping_custom_field_details == [{"label": "Dock", "value": 2}]
    assert str(rows[1].credit_limit) == "12.5000" and rows[0].credit_limit is None
    assert all(r.created_at and r.updated_at and r.created_by_id == admin_user.pk for r in rows)
    assert rows[0].mobile is None and rows[0].balance == 0 and rows[0].contact_status == "active"


def test_json_properties_round_trip(business, admin_user):
    contact = Contact.objects.create(business=business, type="customer", name="Subject")
    rows = [Activity(business=business, description="x", subject=contact, properties={"a": [1, "é"]})]

    bulk_insert(Activity, rows)

    assert Activity.objects.get(pk=rows[0].pk).properties == {"a": [1, "é"]}


def test_a_unique_violation_is_djangos_integrity_error(business):
    Contact.objects.create(business=business, type="customer", name="Taken", contact_id="SAME")

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Contact, [Contact(business=business, type="customer", name="Again", contact_id="SAME")])
    assert Contact.objects.filter(contact_id="SAME").count() == 1


def test_nothing_to_insert():
    assert bulk_insert(Contact, []) == []


def _stored(pks):
    skip = {"id", "contact_id", "created_at", "updated_at"}
    return [{k: v for k, v in row.items() if k not in skip} for row in Contact.objects.filter(pk__in=pks).values()]


def test_values_are_stored_as_the_same_instances_would_be(business, admin_user):
    def kwargs(i):
        return {
            "business": business,
            "type": "supplier",
            "name": f"Values {i}",
            "contact_id": f"V{i}",
            "shipping_custom_field_details": {"dock": i} if i else None,
            "created_by": admin_user,
            "credit_limit": "12.5" if i else None,
            "pay_term_number": 30,
        }

    instances = bulk_insert(Contact, [Contact(**kwargs(i)) for i in range(3)])
    rows = [model_values(Contact, {**kwargs(i), "contact_id": f"W{i}"}) for i in range(3)]

    ids = bulk_insert_values(Contact, rows)

    assert len(ids) == 3 and len(set(ids)) == 3 and not set(ids) & {c.pk for c in instances}
    assert _stored(ids) == _stored([c.pk for c in instances])
    assert [c.contact_id for c in Contact.objects.filter(pk__in=ids).order_by("pk")] == ["W0", "W1", "W2"]
    assert all(c.created_at and c.updated_at for c in Contact.objects.filter(pk__in=ids))


def test_model_values_are_what_an_instance_holds(business, admin_user):
    values = model_values(Contact, {"business": business, "type": "customer", "name": "N", "created_by": admin_user})
    instance = Contact(business=business, type="customer", name="N", created_by=admin_user)

    assert values == {f.attname: getattr(instance, f.attname) for f in Contact._meta.concrete_fields if f.name != "id"}
    with pytest.raises(TypeError):
        model_values(Contact, {"business": business, "no_such_field": 1})


def test_a_unique_violation_of_values_is_djangos_integrity_error(business):
    Contact.objects.create(business=business, type="customer", name="Taken", contact_id="SAME")

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert_values(
            Contact,
            [model_values(Contact, {"business": business, "type": "customer", "name": "A", "contact_id": "SAME"})],
        )
    assert bulk_insert_values(Contact, []) == []


def test_one_insert_stamps_its_rows_with_one_moment_and_keeps_given_dates(business, admin_user):
    from django.utils import timezone

    dob, gone = datetime.date(1990, 5, 1), timezone.now() - datetime.timedelta(days=3)
    rows = [
        model_values(
            Contact,
            {
                "business": business,
                "type": "customer",
                "name": f"S{i}",
                "contact_id": f"S{i}",
                "dob": dob if i % 2 else None,
                "deleted_at": gone if i == 2 else None,
            },
        )
        for i in range(4)
    ]
    before = timezone.now()
    ids = bulk_insert_values(Contact, rows)
    after = timezone.now()

    stored = list(Contact.all_objects.filter(pk__in=ids).order_by("pk"))
    moments = {c.created_at for c in stored} | {c.updated_at for c in stored}
    assert all(before <= moment <= after for moment in moments)
    if connection.vendor == "postgresql":  # COPY: one moment per insert (bulk_create elsewhere: one per row)
        assert len(moments) == 1
        assert {r["created_at"] for r in rows} == {stored[0].created_at}  # set on the rows, as on instances
    assert [c.dob for c in stored] == [None, dob, None, dob]
    assert [c.deleted_at for c in stored] == [None, None, gone, None]
    later = bulk_insert(Contact, [Contact(business=business, type="customer", name="Later", contact_id="S9")])
    assert later[0].created_at >= max(moments)
    if connection.vendor == "postgresql":
        assert later[0].created_at == later[0].updated_at
