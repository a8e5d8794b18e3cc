"""core.lookups: `field__any=values` selects what `field__in=values` selects, as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact


@pytest.fixture
def stored(business):
    codes = ["A1", "A2", "B1", "x" * 20]
    return {
        code: Contact.objects.create(business=business, type="customer", name=code, contact_id=code) for code in codes
    }


@pytest.mark.parametrize(
    "codes",
    [
        ["A1", "B1"],
        ["A1", None, "Z9"],
        ["x" * 20, "x" * 25],  # a longer value matches nothing: no cut to the column's length
        ("A2",),
        {"A1", "A2"},
        [],
        [None],
    ],
)
def test_any_selects_what_in_selects(business, stored, codes):
    by_any = set(Contact.objects.filter(business=business, contact_id__any=codes).values_list("contact_id", flat=True))
    by_in = set(Contact.objects.filter(business=business, contact_id__in=codes).values_list("contact_id", flat=True))
    assert by_any == by_in


def test_any_of_integers_and_keys(business, stored):
    ids = [stored["A1"].pk, stored["B1"].pk, 10**12]
    assert set(Contact.objects.filter(pk__any=ids).values_list("contact_id", flat=True)) == {"A1", "B1"}
    assert Contact.objects.filter(pk__any=[str(stored["A2"].pk)]).count() == 1  # prepared as the field prepares
    left = Contact.objects.exclude(contact_id__any=list(stored)).filter(business=business)
    assert list(left.values_list("contact_id", flat=True)) == ["CO0001"]  # the business's walk-in customer


def test_a_long_list_is_one_array_parameter_on_postgresql(business, stored):
    codes = [f"C{i}" for i in range(3000)] + ["A1"]
    with CaptureQueriesContext(connection) as queries:
        found = list(
            Contact.objects.filter(business=business, contact_id__any=codes).values_list("contact_id", flat=True)
        )
    assert found == ["A1"]
    [sql] = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert '"contact_id" = ANY(' in sql and "::text[]" in sql and " IN (" not in sql
    else:
        assert '"contact_id" IN (' in sql
