"""GET /contacts/map: active, visible contacts whose position parses to valid coordinates (spec "Contact map")."""

import pytest
from django.utils import timezone

from contacts.tests.helpers import MAP, MAP_FIELDS, csv_text, make_contact, share
from core.tests.matrix import assert_unauthorized, csv_rows, ids_in, xlsx_rows
from core.tests.openapi import assert_matches_schema


def test_rows_and_meta(api, business):
    contact = make_contact(
        business,
        type="both",
        name="Harbour Ltd",
        contact_id="HB-1",
        supplier_business_name="Harbour Holdings",
        shipping_address="Pier 4",
        position="51.5072,-0.1276",
    )

    response = api.get(MAP)

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {
        "data": [
            {
                "id": contact.pk,
                "name": "Harbour Ltd",
                "contact_id": "HB-1",
                "type": "both",
                "supplier_business_name": "Harbour Holdings",
                "shipping_address": "Pier 4",
                "latitude": 51.5072,
                "longitude": -0.1276,
            }
        ],
        "meta": {"kind": "all", "total": 1},
    }


@pytest.mark.parametrize(
    "position", ["-90,-180", "90,180", " 10.5 , 20.25 ", "0,0"], ids=["south-west", "north-east", "spaces", "zero"]
)
def test_valid_positions_appear(api, business, position):
    contact = make_contact(business, position=position)

    assert ids_in(api.get(MAP)) == {contact.pk}


@pytest.mark.parametrize(
    "position",
    ["", None, "51.5", "abc,def", "91,0", "-90.01,0", "0,180.5", "0,-181", "1,2,3", "nan,nan", "inf,0", "51.5;0.1"],
)
def test_unparseable_or_out_of_range_positions_never_appear(api, business, position):
    make_contact(business, position=position)

    response = api.get(MAP)

    assert response.json() == {"data": [], "meta": {"kind": "all", "total": 0}}


def test_only_active_contacts(api, business):
    active = make_contact(business, position="1,1")
    make_contact(business, position="2,2", contact_status="inactive")
    make_contact(business, position="3,3", deleted_at=timezone.now())

    assert ids_in(api.get(MAP)) == {active.pk}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("all", {"customer", "supplier", "both"}), ("customer", {"customer", "both"}), ("supplier", {"supplier", "both"})],
)
def test_kind_filter(api, business, kind, expected):
    made = {t: make_contact(business, type=t, position="1,1").pk for t in ("customer", "supplier", "both")}

    response = api.get(f"{MAP}?kind={kind}")

    assert ids_in(response) == {made[t] for t in expected}
    assert response.json()["meta"] == {"kind": kind, "total": len(expected)}


def test_unknown_kind_is_422(api):
    response = api.get(f"{MAP}?kind=both")

    assert response.status_code == 422
    assert "kind" in response.json()["errors"]
    assert_matches_schema(response)


def test_contact_ids_narrow_the_result(api, business):
    first, second, _third = (make_contact(business, position="1,1") for _ in range(3))

    response = api.get(f"{MAP}?contact_ids[]={first.pk}&contact_ids[]={second.pk}")

    assert ids_in(response) == {first.pk, second.pk}
    assert response.json()["meta"]["total"] == 2


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_bad_contact_ids_are_422(api, value):
    response = api.get(f"{MAP}?contact_ids[]={value}")

    assert response.status_code == 422
    assert set(response.json()) == {"message", "errors"}
    assert any(key.startswith("contact_ids[]") for key in response.json()["errors"])


def test_contact_ids_beyond_64_bits_are_never_a_server_error(api, business):
    make_contact(business, position="1,1")

    response = api.get(f"{MAP}?contact_ids[]={'9' * 25}")

    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["data"] == []


def test_contact_ids_cannot_reach_invisible_or_foreign_contacts(actors, business, other_business):
    client = actors.client("customer.view_own")
    own = make_contact(business, position="1,1", created_by=client.user)
    theirs = make_contact(business, position="1,1")
    foreign = make_contact(other_business, position="1,1")

    response = client.get(f"{MAP}?contact_ids[]={own.pk}&contact_ids[]={theirs.pk}&contact_ids[]={foreign.pk}")

    assert ids_in(response) == {own.pk}


def test_view_own_sees_own_and_shared_markers(actors, business):
    client = actors.client("customer.view_own")
    own = make_contact(business, position="1,1", created_by=client.user)
    shared = share(make_contact(business, position="2,2"), client.user)
    make_contact(business, position="3,3")

    assert ids_in(client.get(MAP)) == {own.pk, shared.pk}
    assert ids_in(client.get(f"{MAP}?format=csv")) == {own.pk, shared.pk}


def test_customer_reader_sees_no_suppliers_and_may_not_ask_for_them(actors, business):
    client = actors.client("customer.view")
    customer = make_contact(business, type="customer", position="1,1")
    make_contact(business, type="supplier", position="1,1")

    assert ids_in(client.get(MAP)) == {customer.pk}
    assert_unauthorized(client.get(f"{MAP}?kind=supplier"))


def test_csv_is_not_paginated_and_has_the_map_columns(api, business):
    made = [make_contact(business, name=f"=M{i}", position=f"{i},{i}") for i in range(25)]

    response = api.get(f"{MAP}?format=csv&per_page=5")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert f'filename="contacts-map-{business.pk}-' in response["Content-Disposition"]
    assert csv_text(response)[1:].splitlines()[0] == ",".join(MAP_FIELDS)
    rows = csv_rows(response)
    assert [int(r["id"]) for r in rows] == [c.pk for c in made]
    assert rows[3]["name"] == "'=M3"
    assert (float(rows[3]["latitude"]), float(rows[3]["longitude"])) == (3.0, 3.0)


def test_xlsx_has_the_map_columns(api, business):
    contact = make_contact(business, position="1.5,2.5")

    rows = xlsx_rows(api.get(f"{MAP}?format=xlsx"))

    assert list(rows[0]) == MAP_FIELDS
    assert (rows[0]["id"], rows[0]["latitude"], rows[0]["longitude"]) == (contact.pk, 1.5, 2.5)


def test_map_needs_a_contact_read_permission(actors):
    response = actors.client("customer.create").get(MAP)

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_shared_schema_helper_resolves_the_map_route(api, business):
    make_contact(business, position="1,1")

    assert_matches_schema(api.get(MAP))
