"""POST /purchases, GET /purchases and GET /purchases/{id} (supporting-api "Purchases")."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.models import PurchaseLine
from ledger.tests.builders import (
    DETAIL_EXTRA,
    PURCHASE_LINE,
    PURCHASE_ROW,
    cash,
    download_rows,
    footprint,
    make_purchase,
    make_sell,
    make_supplier,
    open_shop,
    reference_year,
    row_ids,
    stock_of,
)

PURCHASES = f"{BASE}/purchases"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="10")


def purchase_body(world, *lines, **fields):
    lines = lines or ({"variation_id": world.variation.pk, "quantity": "4", "purchase_price": "6.50"},)
    return {"contact_id": world.supplier.pk, "location_id": world.shop.pk, "lines": list(lines), **fields}


def purchase(world, *, supplier=None, location=None, quantity="1", price="6.00", **fields):
    return make_purchase(
        world.business,
        world.user,
        supplier=supplier or world.supplier,
        location=location or world.shop,
        lines=[(world.widget, quantity, price)],
        **fields,
    )


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


# --- create ---------------------------------------------------------------------------------------------


def test_create_answers_201_with_message_and_the_purchase(api, business, world):
    response = api.post(PURCHASES, purchase_body(world, transaction_date="2026-03-04"), format="json")

    assert response.status_code == 201
    assert_matches_schema(response)
    payload = body(response)
    assert payload["message"] == "Purchase added successfully"
    data = payload["data"]
    assert set(data) == {*PURCHASE_ROW, *DETAIL_EXTRA, "lines", "payments"}
    assert data["ref_no"] == f"PO{reference_year(business)}/0002"  # the world's stock purchase is /0001
    assert (data["status"], data["payment_status"], data["final_total"]) == ("received", "due", Decimal("26"))
    assert data["contact"] == {"id": world.supplier.pk, "name": "Supply Co", "contact_id": world.supplier.contact_id}
    assert data["transaction_date"] == "2026-03-04T00:00:00+00:00"
    [line] = data["lines"]
    assert set(line) == {*PURCHASE_LINE, "quantity_sold"}
    assert (line["quantity"], line["purchase_price"], line["quantity_sold"], line["line_total"]) == (
        Decimal("4"),
        Decimal("6.5"),
        Decimal("0"),
        Decimal("26"),
    )


def test_purchase_refs_count_up_per_year(api, business, world):
    year = reference_year(business)

    refs = [api.post(PURCHASES, purchase_body(world), format="json").json()["data"]["ref_no"] for _ in range(2)]

    assert world.purchase.ref_no == f"PO{year}/0001"
    assert refs == [f"PO{year}/0002", f"PO{year}/0003"]


def test_a_supplied_ref_no_is_kept_and_a_taken_one_is_422(api, business, world):
    assert api.post(PURCHASES, purchase_body(world, ref_no="SUP-INV-9"), format="json").json()["data"]["ref_no"] == (
        "SUP-INV-9"
    )
    before = footprint(business)

    response = api.post(PURCHASES, purchase_body(world, ref_no="SUP-INV-9"), format="json")

    data = assert_validation_error(response, "ref_no")
    assert data["errors"]["ref_no"] == ["The ref no has already been taken."]
    assert_matches_schema(response)
    assert footprint(business) == before


def test_purchase_price_defaults_and_totals(api, world):
    line = {"variation_id": world.variation.pk, "quantity": "3"}
    fields = {"discount_type": "percentage", "discount_amount": "50", "shipping_charges": "2.25"}

    data = body(api.post(PURCHASES, purchase_body(world, line, **fields), format="json"))["data"]

    assert data["lines"][0]["purchase_price"] == Decimal("6.00")
    assert data["final_total"] == Decimal("11.25")  # 18 − 9 + 2.25


def test_only_received_purchases_add_stock(api, world):
    for status in ("pending", "ordered"):
        response = api.post(PURCHASES, purchase_body(world, status=status), format="json")
        assert response.json()["data"]["status"] == status
    assert stock_of(world.widget, world.shop) == Decimal("10")

    api.post(PURCHASES, purchase_body(world), format="json")

    assert stock_of(world.widget, world.shop) == Decimal("14")
    assert PurchaseLine.objects.filter(transaction__status="pending", is_received=False).count() == 1


def test_payments_with_the_purchase(api, business, world):
    year = reference_year(business)

    data = body(
        api.post(PURCHASES, purchase_body(world, payments=[{"amount": "26", "method": "bank_transfer"}]), format="json")
    )["data"]

    assert (data["payment_status"], data["total_paid"], data["total_due"]) == ("paid", Decimal("26"), Decimal("0"))
    [payment] = data["payments"]
    assert (payment["payment_ref_no"], payment["ref_no"], payment["invoice_no"], payment["transaction_type"]) == (
        f"PP{year}/0001",
        data["ref_no"],
        None,
        "purchase",
    )


def test_an_ordered_purchase_takes_payments(api, world):
    body_ = purchase_body(world, status="ordered", payments=[{"amount": "1", "method": "cash"}])

    assert api.post(PURCHASES, body_, format="json").json()["data"]["payment_status"] == "partial"


# --- list -----------------------------------------------------------------------------------------------


def test_rows_have_the_purchase_row_fields_newest_first(api, world):
    older = purchase(world, transaction_date=at("2020-01-01 10:00"))
    newer = purchase(world)

    response = api.get(PURCHASES)

    assert response.status_code == 200
    assert_matches_schema(response)
    assert row_ids(response)[:2] == [newer.pk, world.purchase.pk] and row_ids(response)[-1] == older.pk
    assert all(set(row) == set(PURCHASE_ROW) for row in response.json()["data"])
    assert response.json()["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 3}


def test_filters(api, business, world):
    other = make_supplier(business, name="Zed Imports")
    at_depot = purchase(world, location=world.depot, supplier=other, transaction_date=at("2026-01-10 10:00"))
    ordered = purchase(world, status="ordered", transaction_date=at("2026-01-20 10:00"))
    paid = purchase(world, payments=[cash("6")], transaction_date=at("2026-02-01 10:00"))
    long_ago = timezone.now() - datetime.timedelta(days=60)
    overdue = purchase(world, transaction_date=long_ago, pay_term_number=10, pay_term_type="days")

    def ids(query):
        return set(row_ids(api.get(f"{PURCHASES}?{query}")))

    assert ids(f"location_id={world.depot.pk}") == {at_depot.pk}
    assert ids(f"contact_id={other.pk}") == {at_depot.pk}
    assert ids("start_date=2026-01-15&end_date=2026-02-01") == {ordered.pk, paid.pk}
    assert ids("payment_status=paid") == {paid.pk}
    assert ids("payment_status=overdue") == {overdue.pk}
    assert ids("status=ordered") == {ordered.pk}
    assert ids("q=zed") == {at_depot.pk}
    assert ids(f"q={ordered.ref_no[2:]}") == {ordered.pk}
    assert_validation_error(api.get(f"{PURCHASES}?status=final"), "status")
    assert_validation_error(api.get(f"{PURCHASES}?start_date=2026-01-15"), "end_date")
    assert_validation_error(api.get(f"{PURCHASES}?start_date=2026-02-15&end_date=2026-02-14"), "end_date")
    assert_validation_error(api.get(f"{PURCHASES}?per_page=101"), "per_page")


def test_csv_and_xlsx_hold_every_row(api, business, world):
    made = {purchase(world).pk for _ in range(21)} | {world.purchase.pk}

    csv_response = api.get(f"{PURCHASES}?format=csv&per_page=2")
    xlsx_response = api.get(f"{PURCHASES}?format=xlsx&per_page=2")

    assert f'filename="purchases-{business.pk}-' in csv_response["Content-Disposition"]
    assert set(download_rows(csv_response)[0]) == set(PURCHASE_ROW)
    assert set(row_ids(csv_response)) == made
    assert set(row_ids(xlsx_response)) == made
    assert json.loads(download_rows(csv_response)[0]["location"]) == {"id": world.shop.pk, "name": world.shop.name}


# --- detail ---------------------------------------------------------------------------------------------


def test_detail_shows_lines_with_sold_quantities(api, world):
    make_sell(
        world.business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "3", None)]
    )

    response = api.get(f"{PURCHASES}/{world.purchase.pk}")

    assert response.status_code == 200
    assert_matches_schema(response)
    [line] = body(response)["data"]["lines"]
    assert (line["quantity"], line["quantity_sold"], line["quantity_returned"]) == (
        Decimal("10"),
        Decimal("3"),
        Decimal("0"),
    )


def test_detail_csv_is_one_data_json_row(api, world):
    as_json = api.get(f"{PURCHASES}/{world.purchase.pk}").json()["data"]

    [row] = download_rows(api.get(f"{PURCHASES}/{world.purchase.pk}?format=csv"))

    assert json.loads(row["data_json"]) == as_json


def test_detail_of_a_sell_or_unknown_id_is_404(api, world):
    sold = make_sell(
        world.business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)]
    )

    assert_not_found(api, "get", f"{PURCHASES}/{sold.pk}")
    assert_not_found(api, "get", f"{PURCHASES}/99999999")
