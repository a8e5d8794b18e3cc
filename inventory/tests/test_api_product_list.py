"""GET /products (supporting-api "Products"): filters, pagination, downloads, tenancy and query count."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, check_permissions
from core.tests.openapi import assert_matches_schema
from inventory.models import Product
from ledger.tests.builders import PRODUCT, download_rows, make_product, make_variable_product, row_ids, stock_up

PRODUCTS = f"{BASE}/products"


@pytest.fixture
def catalogue(business, admin_user):
    return {
        "widget": make_product(business, admin_user, name="Widget", sku="WID-1"),
        "gadget": make_product(business, admin_user, name="Gadget", sku="GAD-1"),
        "shirt": make_variable_product(business, admin_user, name="Shirt"),
    }


def test_list_answers_products_ordered_by_id_with_page_meta(api, catalogue):
    response = api.get(PRODUCTS)

    assert response.status_code == 200
    assert_matches_schema(response)
    data = response.json()
    assert row_ids(response) == [catalogue[name].pk for name in ("widget", "gadget", "shirt")]
    assert all(set(PRODUCT) <= set(row) for row in data["data"])
    assert data["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 3}


def test_q_matches_name_sku_sub_sku_and_numeric_id(api, catalogue):
    assert row_ids(api.get(f"{PRODUCTS}?q=widg")) == [catalogue["widget"].pk]
    assert row_ids(api.get(f"{PRODUCTS}?q=GAD-")) == [catalogue["gadget"].pk]
    sub_sku = catalogue["shirt"].variations.order_by("id").last().sub_sku
    assert row_ids(api.get(f"{PRODUCTS}?q={sub_sku}")) == [catalogue["shirt"].pk]
    assert catalogue["gadget"].pk in row_ids(api.get(f"{PRODUCTS}?q={catalogue['gadget'].pk:02d}"))


def test_q_of_one_character_is_422(api):
    response = api.get(f"{PRODUCTS}?q=w")

    data = assert_validation_error(response, "q")
    assert data["errors"]["q"] == ["The q field must be at least 2 characters."]
    assert_matches_schema(response)


def test_type_filter(api, catalogue):
    assert row_ids(api.get(f"{PRODUCTS}?type=variable")) == [catalogue["shirt"].pk]
    assert row_ids(api.get(f"{PRODUCTS}?type=single")) == [catalogue["widget"].pk, catalogue["gadget"].pk]
    assert_validation_error(api.get(f"{PRODUCTS}?type=combo"), "type")


def test_location_id_keeps_only_that_locations_stock_rows(api, business, admin_user, catalogue):
    shop, depot = business.locations.order_by("id")
    stock_up(business, admin_user, location=shop, product=catalogue["widget"], quantity="4")
    stock_up(business, admin_user, location=depot, product=catalogue["widget"], quantity="9")

    rows = body(api.get(f"{PRODUCTS}?location_id={depot.pk}"))["data"]

    assert len(rows) == 3  # the products are all listed; only their stock rows are filtered
    [widget] = [row for row in rows if row["id"] == catalogue["widget"].pk]
    assert [(s["location_id"], s["qty_available"]) for s in widget["variations"][0]["stock"]] == [
        (depot.pk, Decimal("9"))
    ]


def test_stock_rows_are_limited_to_permitted_locations(actors, business, admin_user, catalogue):
    shop, depot = business.locations.order_by("id")
    stock_up(business, admin_user, location=shop, product=catalogue["widget"], quantity="4")
    stock_up(business, admin_user, location=depot, product=catalogue["widget"], quantity="9")
    clerk = actors.client("product.view", locations=[shop])

    rows = clerk.get(PRODUCTS).json()["data"]

    [widget] = [row for row in rows if row["id"] == catalogue["widget"].pk]
    assert [s["location_id"] for s in widget["variations"][0]["stock"]] == [shop.pk]
    assert clerk.get(f"{PRODUCTS}?location_id={depot.pk}").json() == {"message": "Unauthorized"}


# --- pagination --------------------------------------------------------------------------------------------


def test_pages_split_the_list(api, business):
    made = [make_product(business, name=f"P{i}").pk for i in range(5)]

    first = api.get(f"{PRODUCTS}?per_page=2").json()
    last = api.get(f"{PRODUCTS}?per_page=2&page=3").json()
    past = api.get(f"{PRODUCTS}?per_page=2&page=4").json()

    assert [r["id"] for r in first["data"]] == made[:2]
    assert first["meta"] == {"current_page": 1, "last_page": 3, "per_page": 2, "total": 5}
    assert [r["id"] for r in last["data"]] == made[4:]
    assert past["data"] == [] and past["meta"]["current_page"] == 4


@pytest.mark.parametrize("per_page", ["0", "101", "x"])
def test_per_page_outside_1_to_100_is_422(api, per_page):
    response = api.get(f"{PRODUCTS}?per_page={per_page}")

    assert_validation_error(response, "per_page")
    assert_matches_schema(response)


@pytest.mark.parametrize("per_page", ["1", "100"])
def test_per_page_bounds_are_accepted(api, per_page):
    assert api.get(f"{PRODUCTS}?per_page={per_page}").json()["meta"]["per_page"] == int(per_page)


def test_page_zero_is_422(api):
    assert_validation_error(api.get(f"{PRODUCTS}?page=0"), "page")


# --- downloads ---------------------------------------------------------------------------------------------


def test_csv_holds_every_row_with_bom_and_header(api, business):
    made = [make_product(business, name=f"P{i}").pk for i in range(23)]

    response = api.get(f"{PRODUCTS}?format=csv&per_page=5")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="products-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == [*PRODUCT[:-2], "variation_template", *PRODUCT[-2:]]
    assert [int(r["id"]) for r in rows] == made
    variations = json.loads(rows[0]["variations"])
    assert variations[0]["sub_sku"] == Product.objects.get(pk=made[0]).sku


def test_xlsx_holds_every_row(api, business):
    made = [make_product(business, name=f"P{i}").pk for i in range(3)]

    response = api.get(f"{PRODUCTS}?format=xlsx&per_page=1")

    assert response.status_code == 200
    rows = download_rows(response)
    assert [r["id"] for r in rows] == made
    assert rows[0]["name"] == "P0"


def test_downloads_neutralise_formulas(api, business):
    make_product(business, name="=HYPERLINK(1)")

    [row] = download_rows(api.get(f"{PRODUCTS}?format=csv"))

    assert row["name"] == "'=HYPERLINK(1)"


# --- tenancy, permissions, query count ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_another_business_products_never_appear(api, business, other_business, fmt):
    mine = make_product(business, name="Mine")
    foreign = make_product(other_business, name="Mine too")

    ids = row_ids(api.get(f"{PRODUCTS}?format={fmt}&q=Mine"))

    assert ids == [mine.pk]
    assert foreign.pk not in ids


def test_list_needs_product_view(actors):
    check_permissions(
        actors,
        "get",
        PRODUCTS,
        allowed=[("product.view",)],
        denied=[(), ("product.create",), ("sell.view", "purchase.view", "supplier.view")],
        ok=200,
    )


def test_query_count_does_not_grow_with_the_page(api, business, admin_user):
    shop, depot = business.locations.order_by("id")
    for i in range(50):
        product = make_variable_product(business, name=f"P{i}") if i % 2 else make_product(business, name=f"P{i}")
        if i % 5 == 0:
            stock_up(business, admin_user, location=shop if i % 10 else depot, product=product.variations.first())

    counts = {}
    for per_page in (5, 50):
        api.get(f"{PRODUCTS}?per_page={per_page}")  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{PRODUCTS}?per_page={per_page}")
        assert len(response.json()["data"]) == per_page
        counts[per_page] = len(queries.captured_queries)

    assert counts[5] == counts[50]


def test_prices_are_numbers_with_decimal_value(api, business):
    make_product(business, purchase_price="0.1", sell_price="1234.5678")

    [row] = body(api.get(PRODUCTS))["data"]

    assert row["variations"][0]["default_purchase_price"] == Decimal("0.1")
    assert row["variations"][0]["default_sell_price"] == Decimal("1234.5678")
