"""GET /contacts: the active contact directory of one kind (spec "List contacts", RULES §2)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact
from contacts.tests.helpers import CONTACTS, LIST_FIELDS, assert_validation_error, body, csv_text, make_contact
from core.tests.matrix import csv_rows, ids_in, xlsx_rows
from core.tests.openapi import assert_matches_schema


def walk_in(business):
    return Contact.objects.get(business=business, is_default=True)


# --- kind --------------------------------------------------------------------------------------


def test_kind_is_required(api):
    response = api.get(CONTACTS)

    data = assert_validation_error(response, "kind")
    assert data["errors"]["kind"] == ["The kind field is required."]
    assert_matches_schema(response)


def test_kind_must_be_customer_or_supplier(api):
    assert_validation_error(api.get(f"{CONTACTS}?kind=both"), "kind")


def test_customer_kind_lists_customers_and_both(api, business):
    customer = make_contact(business, type="customer")
    both = make_contact(business, type="both")
    supplier = make_contact(business, type="supplier")

    response = api.get(f"{CONTACTS}?kind=customer")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert ids_in(response) == {walk_in(business).pk, customer.pk, both.pk}
    assert supplier.pk not in ids_in(response)


def test_supplier_kind_lists_suppliers_and_both(api, business):
    make_contact(business, type="customer")
    both = make_contact(business, type="both")
    supplier = make_contact(business, type="supplier")

    response = api.get(f"{CONTACTS}?kind=supplier")

    assert response.status_code == 200
    assert ids_in(response) == {both.pk, supplier.pk}


def test_rows_are_ordered_by_id(api, business):
    made = [make_contact(business).pk for _ in range(3)]

    response = api.get(f"{CONTACTS}?kind=customer")

    assert [row["id"] for row in response.json()["data"]] == [walk_in(business).pk, *made]


# --- status --------------------------------------------------------------------------------------


def test_only_active_contacts_by_default(api, business):
    active = make_contact(business)
    inactive = make_contact(business, contact_status="inactive")

    response = api.get(f"{CONTACTS}?kind=customer")

    assert active.pk in ids_in(response)
    assert inactive.pk not in ids_in(response)


@pytest.mark.parametrize(
    ("status", "expect_active", "expect_inactive"),
    [("active", True, False), ("inactive", False, True), ("all", True, True)],
)
def test_contact_status_extension(api, business, status, expect_active, expect_inactive):
    active = make_contact(business)
    inactive = make_contact(business, contact_status="inactive")

    response = api.get(f"{CONTACTS}?kind=customer&contact_status={status}")

    assert response.status_code == 200
    assert (active.pk in ids_in(response)) is expect_active
    assert (inactive.pk in ids_in(response)) is expect_inactive


def test_unknown_contact_status_is_422(api):
    assert_validation_error(api.get(f"{CONTACTS}?kind=customer&contact_status=archived"), "contact_status")


def test_soft_deleted_contacts_never_appear(api, business):
    gone = make_contact(business, name="Deleted Person", deleted_at=timezone.now())
    url = f"{CONTACTS}?kind=customer&contact_status=all"

    assert gone.pk not in ids_in(api.get(url))
    assert gone.pk not in ids_in(api.get(f"{url}&q=Deleted"))
    assert gone.pk not in ids_in(api.get(f"{url}&format=csv"))
    assert gone.pk not in ids_in(api.get(f"{url}&format=xlsx"))


# --- q -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["name", "supplier_business_name", "mobile", "landline", "alternate_number", "email", "contact_id"],
)
def test_q_matches_each_searchable_field(api, business, field):
    values = {
        "name": "Plain Person",
        "email": "plain@example.com",
        "mobile": "000",
        "contact_id": "PLAIN-1",
    }
    values[field] = {"email": "zqxwv@example.com"}.get(field, "Zqxwv 42")
    match = make_contact(business, **values)
    make_contact(business, name="Other Person", email="other@example.com", mobile="111", contact_id="OTHER-1")

    response = api.get(f"{CONTACTS}?kind=customer&q=zqxw")

    assert response.status_code == 200
    assert ids_in(response) == {match.pk}


def test_q_of_one_character_is_422(api):
    response = api.get(f"{CONTACTS}?kind=customer&q=a")

    assert response.status_code == 422
    assert set(response.json()) == {"message", "errors"}
    assert response.json()["errors"] == {"q": ["The q field must be at least 2 characters."]}
    assert_matches_schema(response)


def test_q_does_not_match_other_fields(api, business):
    make_contact(business, city="Zqxwville", tax_number="ZQXW-TAX")

    response = api.get(f"{CONTACTS}?kind=customer&q=zqxw")

    assert response.json()["data"] == []


# --- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", ["0", "101", "x"])
def test_per_page_outside_1_to_100_is_422(api, per_page):
    response = api.get(f"{CONTACTS}?kind=customer&per_page={per_page}")

    assert_validation_error(response, "per_page")


def test_page_must_be_positive(api):
    assert_validation_error(api.get(f"{CONTACTS}?kind=customer&page=0"), "page")


def test_pagination_meta(api, business):
    for _ in range(4):
        make_contact(business)  # 5 customers with the walk-in

    response = api.get(f"{CONTACTS}?kind=customer&per_page=2&page=2")

    assert response.status_code == 200
    assert response.json()["meta"] == {"current_page": 2, "last_page": 3, "per_page": 2, "total": 5}
    assert len(response.json()["data"]) == 2


def test_default_page_size_is_20(api, business):
    for _ in range(21):
        make_contact(business)

    response = api.get(f"{CONTACTS}?kind=customer")

    assert response.json()["meta"] == {"current_page": 1, "last_page": 2, "per_page": 20, "total": 22}
    assert len(response.json()["data"]) == 20


def test_page_past_the_end_is_empty(api, business):
    response = api.get(f"{CONTACTS}?kind=customer&page=9")

    assert response.status_code == 200
    assert response.json() == {"data": [], "meta": {"current_page": 9, "last_page": 1, "per_page": 20, "total": 1}}


def test_empty_directory_has_one_last_page(actors):
    client = actors.client("supplier.view")

    response = client.get(f"{CONTACTS}?kind=supplier")

    assert response.json()["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 0}


# --- updated_since -------------------------------------------------------------------------------


def test_updated_since_keeps_rows_updated_at_or_after_it(api, business):
    old = make_contact(business)
    recent = make_contact(business)
    cutoff = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    Contact.all_objects.filter(business=business).update(updated_at=cutoff - datetime.timedelta(days=1))
    Contact.all_objects.filter(pk=recent.pk).update(updated_at=cutoff)

    response = api.get(f"{CONTACTS}?kind=customer&updated_since=2026-03-01T12:00:00Z")

    assert response.status_code == 200
    assert ids_in(response) == {recent.pk}
    assert old.pk not in ids_in(response)


def test_updated_since_without_offset_is_read_in_business_time_zone(api, business):
    business.time_zone = "Asia/Kolkata"  # UTC+05:30
    business.save(update_fields=["time_zone"])
    contact = make_contact(business)
    Contact.all_objects.filter(business=business).update(
        updated_at=datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC)
    )
    Contact.all_objects.filter(pk=contact.pk).update(
        updated_at=datetime.datetime(2026, 3, 1, 6, 30, tzinfo=datetime.UTC)
    )

    # 12:00 in Kolkata is 06:30 UTC.
    response = api.get(f"{CONTACTS}?kind=customer&updated_since=2026-03-01T12:00:00")

    assert ids_in(response) == {contact.pk}


def test_invalid_updated_since_is_422(api):
    response = api.get(f"{CONTACTS}?kind=customer&updated_since=yesterday")

    data = assert_validation_error(response, "updated_since")
    assert data["errors"]["updated_since"] == ["The updated since field must be an ISO-8601 date-time."]


# --- row shape -----------------------------------------------------------------------------------


def test_each_row_has_exactly_the_contact_list_item_fields(api, business):
    make_contact(
        business,
        type="both",
        name="Ada Lovelace",
        supplier_business_name="Engines Ltd",
        contact_id="ADA-1",
        email="ada@example.com",
        mobile="+44 20 0000",
        landline="020 1111",
        city="London",
        state="Greater London",
        country="UK",
        tax_number="GB123",
        credit_limit=Decimal("1500.50"),
    )

    response = api.get(f"{CONTACTS}?kind=supplier")

    assert response.status_code == 200
    assert_matches_schema(response)
    [row] = body(response)["data"]
    assert list(row) == LIST_FIELDS
    assert {k: v for k, v in row.items() if k != "id"} == {
        "type": "both",
        "name": "Ada Lovelace",
        "supplier_business_name": "Engines Ltd",
        "contact_id": "ADA-1",
        "email": "ada@example.com",
        "mobile": "+44 20 0000",
        "landline": "020 1111",
        "city": "London",
        "state": "Greater London",
        "country": "UK",
        "tax_number": "GB123",
        "contact_status": "active",
        "credit_limit": Decimal("1500.50"),
    }


def test_credit_limit_null_means_no_limit_and_zero_means_no_credit(api, business):
    unlimited = make_contact(business, credit_limit=None)
    no_credit = make_contact(business, credit_limit=Decimal("0.00"))

    rows = {row["id"]: row for row in body(api.get(f"{CONTACTS}?kind=customer"))["data"]}

    assert rows[unlimited.pk]["credit_limit"] is None
    assert rows[no_credit.pk]["credit_limit"] == Decimal("0")


# --- csv and xlsx --------------------------------------------------------------------------------


def test_csv_has_bom_header_in_spec_order_and_every_row_unpaginated(api, business):
    made = [make_contact(business) for _ in range(25)]

    response = api.get(f"{CONTACTS}?kind=customer&format=csv&per_page=5&page=2")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_matches_schema(response)
    text = csv_text(response)
    assert text.startswith("\ufeff")
    assert text[1:].splitlines()[0] == ",".join(LIST_FIELDS)
    rows = csv_rows(response)
    assert [int(r["id"]) for r in rows] == [walk_in(business).pk, *(c.pk for c in made)]


def test_csv_download_name(api, business):
    response = api.get(f"{CONTACTS}?kind=customer&format=csv")

    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="contacts-{business.pk}-')
    assert disposition.endswith('.csv"')


def test_csv_neutralises_formulas_and_writes_plain_values(api, business):
    contact = make_contact(
        business,
        name='=HYPERLINK("http://x")',
        supplier_business_name="@SUM(A1)",
        mobile="+1 555",
        landline="-2",
        city=None,
        credit_limit=Decimal("1500.5000"),
    )

    rows = {int(r["id"]): r for r in csv_rows(api.get(f"{CONTACTS}?kind=customer&format=csv"))}

    row = rows[contact.pk]
    assert row["name"] == '\'=HYPERLINK("http://x")'
    assert row["supplier_business_name"] == "'@SUM(A1)"
    assert row["mobile"] == "'+1 555"
    assert row["landline"] == "'-2"
    assert row["city"] == ""
    assert row["credit_limit"] == "1500.5000"
    assert row["contact_status"] == "active"


def test_csv_honours_filters(api, business):
    match = make_contact(business, name="Zqxwv One")
    make_contact(business, name="Other")

    response = api.get(f"{CONTACTS}?kind=customer&format=csv&q=zqxw")

    assert ids_in(response) == {match.pk}


def test_xlsx_is_readable_with_the_same_header(api, business):
    contact = make_contact(business, name="=1+1", credit_limit=Decimal("10.25"))

    response = api.get(f"{CONTACTS}?kind=customer&format=xlsx")

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert_matches_schema(response)
    rows = xlsx_rows(response)
    assert list(rows[0]) == LIST_FIELDS
    row = next(r for r in rows if r["id"] == contact.pk)
    assert row["name"] == "=1+1"  # stored as text, never run as a formula
    assert Decimal(str(row["credit_limit"])) == Decimal("10.25")
    assert len(rows) == 2


def test_unknown_format_is_422(api):
    assert_validation_error(api.get(f"{CONTACTS}?kind=customer&format=pdf"), "format")


# --- cost ----------------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{CONTACTS}?kind=customer&per_page=100")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_page(actors, business):
    client = actors.client("customer.view_own")  # the costlier visibility path
    user = client.user
    Contact.objects.bulk_create(
        [
            Contact(business=business, type="customer", name=f"C{i}", contact_id=f"Q{i}", created_by=user)
            for i in range(5)
        ]
    )
    _list_queries(client)  # warm the per-process caches (content types, ...)
    five = _list_queries(client)

    Contact.objects.bulk_create(
        [
            Contact(business=business, type="customer", name=f"C{i}", contact_id=f"Q{i}", created_by=user)
            for i in range(5, 100)
        ]
    )
    hundred = _list_queries(client)

    assert hundred == five
