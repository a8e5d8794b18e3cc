"""POST /ledger-discounts, GET/PATCH/PUT/DELETE /ledger-discounts/{id} (contacts-api "Get ledger discount", "Add
ledger discount", "Update ledger discount", "Delete ledger discount"; RULES §7). The lists are in
test_api_money_discount_lists.py."""

import json
from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body, share
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction
from ledger.tests.builders import (
    LEDGER_DISCOUNT_ROW,
    download_rows,
    make_customer,
    make_ledger_discount,
    moment,
    money_footprint,
    open_shop,
)

DISCOUNTS = f"{BASE}/ledger-discounts"
DEMO_MESSAGE = "This action is disabled in demo mode."


@pytest.fixture
def world(business, admin_user):
    world = open_shop(business, admin_user, stock="10")
    world.both = make_customer(business, type="both", name="Bo Both")
    world.discount = make_ledger_discount(business, admin_user, world.customer, "5", when=moment(2026, 2, 10))
    return world


def add(client, contact, amount="4.5", date="2026-03-04", **fields):
    payload = {"contact_id": getattr(contact, "pk", contact), "date": date, "amount": amount, **fields}
    return client.post(DISCOUNTS, payload, format="json")


def discount_url(discount) -> str:
    return f"{DISCOUNTS}/{discount.pk}"


# --- create --------------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_row(api, business, world):
    response = add(api, world.customer, note="Loyalty, Q1")

    assert response.status_code == 201
    assert_matches_schema(response)
    assert response.json()["message"] == "Ledger discount added successfully"
    data = body(response)["data"]
    assert list(data) == LEDGER_DISCOUNT_ROW
    created = Transaction.objects.get(pk=data["id"])
    assert data == {
        "id": created.pk,
        "contact_id": world.customer.pk,
        "contact_name": "Carla Customer",
        "contact_type": "customer",
        "sub_type": "sell_discount",
        "amount": Decimal("4.5"),
        "note": "Loyalty, Q1",
        "transaction_date": "2026-03-04T00:00:00+00:00",
        "created_by": api.user.pk,
    }
    # RULES §7: no location, no payment status, the amount as final_total, the note in additional_notes
    assert (created.type, created.status, created.location_id, created.payment_status) == (
        "ledger_discount",
        "final",
        None,
        None,
    )
    assert (created.final_total, created.additional_notes) == (Decimal("4.5"), "Loyalty, Q1")


@pytest.mark.parametrize(
    ("contact_type", "sub_type", "expected", "side"),
    [
        ("customer", None, "sell_discount", "credit"),
        ("customer", "sell_discount", "sell_discount", "credit"),
        ("supplier", None, "purchase_discount", "debit"),
        ("supplier", "purchase_discount", "purchase_discount", "debit"),
        ("both", "sell_discount", "sell_discount", "credit"),
        ("both", "purchase_discount", "purchase_discount", "debit"),
    ],
)
def test_the_sub_type_follows_the_contact_type(api, business, contact_type, sub_type, expected, side):
    contact = make_customer(business, type=contact_type)

    data = body(add(api, contact, "6", **({"sub_type": sub_type} if sub_type else {})))["data"]

    assert (data["sub_type"], data["contact_type"]) == (expected, contact_type)
    ledger = body(api.get(f"{BASE}/contacts/{contact.pk}/ledger?start_date=2026-03-01&end_date=2026-03-31"))
    line = ledger["data"]["lines"][1]
    assert (line["transaction_id"], line[side], line["location"]) == (data["id"], Decimal("6"), "")


def test_the_date_is_read_in_the_business_time_zone(api, business, world):
    business.time_zone = "America/New_York"
    business.save(update_fields=["time_zone"])

    data = body(add(api, world.customer, date="2026-03-04 18:30:00"))["data"]

    assert data["transaction_date"] == "2026-03-04T18:30:00-05:00"


@pytest.mark.parametrize(
    ("contact", "payload", "field"),
    [
        ("both", {}, "sub_type"),
        ("both", {"sub_type": None}, "sub_type"),
        ("both", {"sub_type": "discount"}, "sub_type"),
        ("customer", {"sub_type": "purchase_discount"}, "sub_type"),
        ("supplier", {"sub_type": "sell_discount"}, "sub_type"),
        ("customer", {"amount": "0"}, "amount"),
        ("customer", {"amount": "-3"}, "amount"),
        ("customer", {"amount": "lots"}, "amount"),
        ("customer", {"amount": None}, "amount"),
        ("customer", {"date": "04/03/2026"}, "date"),
        ("customer", {"date": None}, "date"),
        ("customer", {"contact_id": None}, "contact_id"),
        ("customer", {"contact_id": "abc"}, "contact_id"),
        ("customer", {"contact_id": 0}, "contact_id"),
        ("customer", {"location_id": 1}, "location_id"),
    ],
)
def test_invalid_discounts_are_422_and_write_nothing(api, business, world, contact, payload, field):
    target = {"both": world.both, "customer": world.customer, "supplier": world.supplier}[contact]
    before = money_footprint(business)

    response = add(api, target, **payload)

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_missing_fields_are_named(api, business, world):
    response = api.post(DISCOUNTS, {}, format="json")

    assert set(assert_validation_error(response, "contact_id", "date", "amount")["errors"]) == {
        "contact_id",
        "date",
        "amount",
    }


@pytest.mark.parametrize("contact_id", ["foreign", 99999999])
def test_a_contact_outside_the_business_is_404_and_writes_nothing(api, business, other_business, contact_id):
    if contact_id == "foreign":
        contact_id = make_customer(other_business).pk
    before = money_footprint(business)

    response = add(api, contact_id)

    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}
    assert_matches_schema(response)
    assert money_footprint(business) == before
    assert not Transaction.objects.filter(type="ledger_discount", contact_id=contact_id).exists()


def test_anyone_who_reads_the_contacts_ledger_may_add_one(actors, business, world):
    clerk = actors.client("customer.view_own")
    share(world.customer, clerk.user)

    assert add(clerk, world.customer).status_code == 201
    assert_unauthorized(add(clerk, world.supplier))
    assert_unauthorized(add(actors.client("supplier.view"), world.customer))
    assert_unauthorized(add(actors.client("sell.payments", "sell.create"), world.customer))


# --- read ----------------------------------------------------------------------------------------------------


def test_get_answers_the_row(api, world):
    response = api.get(discount_url(world.discount))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert set(response.json()) == {"data"}
    data = body(response)["data"]
    assert list(data) == LEDGER_DISCOUNT_ROW
    assert (data["id"], data["amount"], data["note"], data["transaction_date"]) == (
        world.discount.pk,
        Decimal("5"),
        None,
        "2026-02-10T10:00:00+00:00",
    )


def test_get_as_csv_is_one_data_json_row(api, business, world):
    response = api.get(f"{discount_url(world.discount)}?format=csv")

    assert response.status_code == 200
    assert f'filename="ledger-discount-{world.discount.pk}-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert len(rows) == 1 and list(rows[0]) == ["data_json"]
    assert json.loads(rows[0]["data_json"], parse_float=Decimal) == body(api.get(discount_url(world.discount)))["data"]


def test_other_documents_are_not_ledger_discounts(api, world):
    for pk in (world.purchase.pk, 99999999):
        for method in ("get", "patch", "put", "delete"):
            assert_not_found(api, method, f"{DISCOUNTS}/{pk}", {"date": "2026-03-04", "amount": "1"})
    assert_matches_schema(api.get(f"{DISCOUNTS}/99999999"))


# --- update (business admins) -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_admin_updates_date_amount_and_note(api, world, method):
    response = getattr(api, method)(
        discount_url(world.discount), {"date": "2026-02-12", "amount": "7.25", "note": "revised"}, format="json"
    )

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json()["message"] == "Ledger discount updated successfully"
    data = body(response)["data"]
    assert (data["id"], data["amount"], data["note"], data["transaction_date"], data["sub_type"]) == (
        world.discount.pk,
        Decimal("7.25"),
        "revised",
        "2026-02-12T00:00:00+00:00",
        "sell_discount",
    )
    assert Transaction.objects.get(pk=world.discount.pk).final_total == Decimal("7.25")


def test_a_both_contacts_discount_keeps_or_changes_its_sub_type(api, business, world):
    discount = make_ledger_discount(
        business, world.user, world.both, "3", when=moment(2026, 2, 1), sub_type="purchase_discount"
    )

    kept = body(api.patch(discount_url(discount), {"date": "2026-02-02", "amount": "4"}, format="json"))["data"]
    changed = body(
        api.put(
            discount_url(discount), {"date": "2026-02-02", "amount": "4", "sub_type": "sell_discount"}, format="json"
        )
    )["data"]

    assert (kept["sub_type"], changed["sub_type"]) == ("purchase_discount", "sell_discount")


def test_a_row_read_back_may_be_sent_with_its_response_only_fields(api, world):
    row = api.get(discount_url(world.discount)).json()["data"]
    payload = {k: v for k, v in row.items() if k not in ("contact_id", "amount", "transaction_date")}

    response = api.put(discount_url(world.discount), {**payload, "date": "2026-02-11", "amount": "6"}, format="json")

    assert response.status_code == 200, response.json()


INVALID_UPDATES = [
    ({"date": "2026-02-12", "amount": "0"}, "amount"),
    ({"date": "2026-02-12", "amount": "7", "sub_type": "purchase_discount"}, "sub_type"),
    ({"date": "2026-02-12", "amount": "7", "contact_id": 1}, "contact_id"),
    ({"date": "2026-2-12", "amount": "7"}, "date"),
]


@pytest.mark.parametrize(
    ("method", "payload", "field"),
    [
        ("put", {"amount": "7"}, "date"),
        ("put", {"date": "2026-02-12"}, "amount"),
        *(("put", payload, field) for payload, field in INVALID_UPDATES),
        *(("patch", payload, field) for payload, field in INVALID_UPDATES),
        ("patch", {"amount": "-1"}, "amount"),
    ],
)
def test_invalid_updates_are_422_and_write_nothing(api, business, world, payload, field, method):
    before = money_footprint(business)

    response = getattr(api, method)(discount_url(world.discount), payload, format="json")

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_patch_updates_only_the_fields_sent(api, world):
    before = api.get(discount_url(world.discount)).json()["data"]

    response = api.patch(discount_url(world.discount), {"amount": "7.5"}, format="json")

    assert response.status_code == 200, response.json()
    after = response.json()["data"]
    assert after["amount"] == Decimal("7.5000")
    assert after["transaction_date"] == before["transaction_date"]
    assert after["note"] == before["note"]
    assert_matches_schema(response)

    response = api.patch(discount_url(world.discount), {"note": "moved"}, format="json")
    assert response.json()["data"]["amount"] == Decimal("7.5000")
    assert response.json()["data"]["note"] == "moved"


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_only_business_admins_change_or_delete(actors, business, world, method):
    before = money_footprint(business)
    everything = ("customer.view", "supplier.view", "customer.update", "customer.delete", "sell.payments")

    for permissions in [(), everything]:
        response = getattr(actors.client(*permissions), method)(
            discount_url(world.discount), {"date": "2026-02-12", "amount": "1"}, format="json"
        )
        assert_unauthorized(response)
        assert_matches_schema(response)
    assert money_footprint(business) == before


# --- delete ----------------------------------------------------------------------------------------------------


def test_an_admin_deletes_a_discount(api, business, world):
    response = api.delete(discount_url(world.discount))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "Ledger discount deleted successfully", "data": {"id": world.discount.pk}}
    assert not Transaction.objects.filter(pk=world.discount.pk).exists()
    assert_not_found(api, "get", discount_url(world.discount))
    assert body(api.get(f"{BASE}/contacts/{world.customer.pk}/balance"))["data"]["ledger_discount"] == 0


# --- demo mode ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_demo_mode_refuses_every_write(api, business, world, settings, method):
    settings.ERP_DEMO_MODE = True
    before = money_footprint(business)
    url = DISCOUNTS if method == "post" else discount_url(world.discount)
    payload = {"contact_id": world.customer.pk, "date": "2026-03-04", "amount": "1"}
    if method != "post":
        payload.pop("contact_id")

    response = getattr(api, method)(url, payload, format="json")

    assert response.status_code == 403
    assert response.json() == {"message": DEMO_MESSAGE}
    assert_matches_schema(response)
    assert money_footprint(business) == before
    assert api.get(discount_url(world.discount)).status_code == 200
    assert api.get(DISCOUNTS).status_code == 200


# --- 500: an unexpected failure is logged and rolled back ---------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "method"),
    [("ledger_discount_create", "post"), ("ledger_discount_update", "patch"), ("ledger_discount_delete", "delete")],
)
def test_an_unexpected_failure_is_500_and_writes_nothing(api, business, world, monkeypatch, service, method):
    from ledger.api.views import ledger_discounts as views

    real = getattr(views, service)

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, service, fails_after_writing)
    url = DISCOUNTS if method == "post" else discount_url(world.discount)
    payload = {"date": "2026-03-04", "amount": "1", **({"contact_id": world.customer.pk} if method == "post" else {})}
    before = money_footprint(business)

    response = getattr(api, method)(url, payload, format="json")

    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_the_schema_requires_date_and_amount_on_put_and_nothing_on_patch():
    """PUT requires `date` and `amount` (the reference); PATCH is partial (README: PATCH updates what is sent)."""
    from core.tests.openapi import openapi_document

    document = openapi_document()
    item = document["paths"]["/api/v1/integration/ledger-discounts/{id}"]
    required = {}
    for method in ("put", "patch"):
        ref = item[method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        required[method] = set(schema.get("required", []))
    assert {"date", "amount"} <= required["put"]
    assert required["patch"] == set()
