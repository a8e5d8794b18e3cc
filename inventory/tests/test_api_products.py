"""POST /products and GET /products/{id} (supporting-api "Products")."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found, check_permissions
from core.tests.openapi import assert_matches_schema
from inventory.models import Product, Unit, Variation
from ledger.tests.builders import (
    PRODUCT,
    STOCK_ROW,
    VARIATION,
    download_rows,
    footprint,
    make_product,
    make_variable_product,
    stock_up,
)

PRODUCTS = f"{BASE}/products"


def single(**fields):
    return {"name": "Widget", "purchase_price": "6.00", "sell_price": "10.00", **fields}


def variable(**fields):
    return {
        "name": "Shirt",
        "type": "variable",
        "variation_template": "Size",
        "variations": [
            {"name": "S", "purchase_price": "5.00", "sell_price": "9.00"},
            {"name": "L", "sub_sku": "SHIRT-L", "purchase_price": "6.00", "sell_price": "11.50"},
        ],
        **fields,
    }


# --- create -------------------------------------------------------------------------------------------


def test_create_single_product_answers_201_with_the_product_object(api):
    response = api.post(PRODUCTS, single(sku="W-1", unit="kg"), format="json")

    assert response.status_code == 201
    assert_matches_schema(response)
    data = body(response)["data"]
    assert set(PRODUCT) <= set(data) and set(data) - set(PRODUCT) == {"variation_template"}
    assert (data["name"], data["type"], data["sku"], data["unit"], data["enable_stock"]) == (
        "Widget",
        "single",
        "W-1",
        "kg",
        True,
    )
    [variation] = data["variations"]
    assert list(variation) == VARIATION
    # A single product's one variation is DUMMY inside and shown with the product's name; its sub_sku is the sku.
    assert variation["name"] == "Widget"
    assert Variation.objects.get(pk=variation["id"]).name == "DUMMY"
    assert variation["sub_sku"] == "W-1"
    assert variation["default_purchase_price"] == Decimal("6.00")
    assert variation["default_sell_price"] == Decimal("10.00")
    assert variation["stock"] == []


def test_create_defaults_unit_pcs_and_stock_tracking(api):
    data = api.post(PRODUCTS, single(), format="json").json()["data"]

    assert data["unit"] == "Pc(s)"
    assert data["enable_stock"] is True


def test_generated_skus_count_up_per_business(api):
    first = api.post(PRODUCTS, single(), format="json").json()["data"]
    second = api.post(PRODUCTS, single(name="Gadget", sku=""), format="json").json()["data"]

    assert (first["sku"], second["sku"]) == ("SKU0001", "SKU0002")


def test_create_variable_product_with_its_variations(api):
    response = api.post(PRODUCTS, variable(sku="SHIRT"), format="json")

    assert response.status_code == 201
    assert_matches_schema(response)
    data = body(response)["data"]
    assert (data["type"], data["variation_template"]) == ("variable", "Size")
    assert [(v["name"], v["sub_sku"], v["default_sell_price"]) for v in data["variations"]] == [
        ("S", "SHIRT-1", Decimal("9.00")),
        ("L", "SHIRT-L", Decimal("11.50")),
    ]


def test_a_unit_is_created_on_first_use_and_reused(api, business):
    api.post(PRODUCTS, single(unit="kg"), format="json")
    api.post(PRODUCTS, single(name="Flour", unit="kg"), format="json")

    assert Unit.objects.filter(business=business, short_name="kg").count() == 1


def test_enable_stock_false_is_kept(api):
    data = api.post(PRODUCTS, single(enable_stock=False), format="json").json()["data"]

    assert data["enable_stock"] is False


# --- refused creates: 422 with the field named, nothing written -----------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"purchase_price": "6.00", "sell_price": "10.00"}, "name"),
        (single(purchase_price=None), "purchase_price"),
        ({"name": "Widget", "sell_price": "1"}, "purchase_price"),
        ({"name": "Widget", "purchase_price": "1"}, "sell_price"),
        (single(sell_price="-0.01"), "sell_price"),
        (single(purchase_price="-1"), "purchase_price"),
        (single(type="bundle"), "type"),
        (single(colour="red"), "colour"),
        (variable(variation_template=""), "variation_template"),
        (variable(variations=[]), "variations"),
        ({"name": "Shirt", "type": "variable", "variation_template": "Size"}, "variations"),
        (
            variable(variations=[{"name": "S", "purchase_price": "-1", "sell_price": "1"}]),
            "variations.0.purchase_price",
        ),
    ],
)
def test_invalid_product_is_422_naming_the_field(api, business, payload, field):
    before = footprint(business)

    response = api.post(PRODUCTS, payload, format="json")

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert footprint(business) == before


def test_a_taken_sku_is_422(api, business, admin_user):
    make_product(business, admin_user, sku="TAKEN")
    before = footprint(business)

    response = api.post(PRODUCTS, single(sku="TAKEN"), format="json")

    data = assert_validation_error(response, "sku")
    assert data["errors"]["sku"] == ["The sku TAKEN has already been taken."]
    assert footprint(business) == before


def test_a_sku_taken_by_a_variation_sub_sku_is_422(api, business, admin_user):
    make_variable_product(business, admin_user)  # sub_skus SKU0001-1, SKU0001-2
    before = footprint(business)

    assert_validation_error(api.post(PRODUCTS, single(sku="SKU0001-2"), format="json"), "sku")
    assert footprint(business) == before


def test_a_taken_sub_sku_is_422_on_its_variation(api, business, admin_user):
    make_product(business, admin_user, sku="SHIRT-L")
    before = footprint(business)

    response = api.post(PRODUCTS, variable(sku="SHIRT"), format="json")

    assert_validation_error(response, "variations.1.sub_sku")
    assert footprint(business) == before


def test_two_variations_with_one_sub_sku_are_422(api, business):
    payload = variable()
    payload["variations"][0]["sub_sku"] = "SHIRT-L"

    response = api.post(PRODUCTS, payload, format="json")

    assert_validation_error(response, "variations.0.sub_sku", "variations.1.sub_sku")
    assert not Product.objects.filter(business=business).exists()


def test_two_variations_reusing_the_product_sku_are_422_not_500(api, business):
    payload = variable(sku="SHIRT")
    for v in payload["variations"]:
        v["sub_sku"] = "SHIRT"

    response = api.post(PRODUCTS, payload, format="json")

    assert response.status_code == 422


def test_the_same_sku_is_free_in_another_business(api, other_business):
    make_product(other_business, sku="SHARED")

    assert api.post(PRODUCTS, single(sku="SHARED"), format="json").status_code == 201


def test_create_needs_product_create(actors):
    check_permissions(
        actors,
        "post",
        PRODUCTS,
        data=single(),
        allowed=[("product.create",)],
        denied=[(), ("product.view",), ("sell.create", "purchase.create")],
        ok=201,
    )


# --- detail -------------------------------------------------------------------------------------------


def test_detail_answers_the_product_with_stock_per_location(api, business, admin_user):
    shop, depot = business.locations.order_by("id")
    widget = make_product(business, admin_user)
    stock_up(business, admin_user, location=shop, product=widget, quantity="7")
    stock_up(business, admin_user, location=depot, product=widget, quantity="2.5")

    response = api.get(f"{PRODUCTS}/{widget.pk}")

    assert response.status_code == 200
    assert_matches_schema(response)
    [variation] = body(response)["data"]["variations"]
    assert [list(row) for row in variation["stock"]] == [STOCK_ROW, STOCK_ROW]
    assert [(row["location_id"], row["location_name"], row["qty_available"]) for row in variation["stock"]] == [
        (shop.pk, shop.name, Decimal("7")),
        (depot.pk, depot.name, Decimal("2.5")),
    ]


def test_detail_csv_is_one_data_json_row(api, business, admin_user):
    widget = make_product(business, admin_user)
    as_json = api.get(f"{PRODUCTS}/{widget.pk}").json()["data"]

    response = api.get(f"{PRODUCTS}/{widget.pk}?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="product-{widget.pk}-{business.pk}-' in response["Content-Disposition"]
    [row] = download_rows(response)
    assert json.loads(row["data_json"]) == as_json


def test_detail_stock_is_limited_to_permitted_locations(actors, business, admin_user):
    shop, depot = business.locations.order_by("id")
    widget = make_product(business, admin_user)
    stock_up(business, admin_user, location=shop, product=widget, quantity="7")
    stock_up(business, admin_user, location=depot, product=widget, quantity="3")
    clerk = actors.client("product.view", locations=[depot])

    [variation] = clerk.get(f"{PRODUCTS}/{widget.pk}").json()["data"]["variations"]

    assert [row["location_id"] for row in variation["stock"]] == [depot.pk]


def test_detail_of_unknown_or_foreign_product_is_404(api, other_business):
    foreign = make_product(other_business)

    for url in (f"{PRODUCTS}/{foreign.pk}", f"{PRODUCTS}/{foreign.pk}?format=csv", f"{PRODUCTS}/999999"):
        assert_not_found(api, "get", url)
    assert_matches_schema(api.get(f"{PRODUCTS}/{foreign.pk}"))


def test_detail_with_a_malformed_location_id_is_not_a_server_error(api, business, admin_user):
    widget = make_product(business, admin_user)

    response = api.get(f"{PRODUCTS}/{widget.pk}?location_id=abc")

    assert response.status_code in (200, 422)


def test_detail_format_refusal_is_documented(api, business, admin_user):
    widget = make_product(business, admin_user)

    response = api.get(f"{PRODUCTS}/{widget.pk}?format=xlsx")

    assert_validation_error(response, "format")
    assert_matches_schema(response)


def test_detail_needs_product_view(actors, business, admin_user):
    widget = make_product(business, admin_user)

    check_permissions(
        actors,
        "get",
        f"{PRODUCTS}/{widget.pk}",
        allowed=[("product.view",)],
        denied=[(), ("product.create",), ("sell.view", "purchase.view")],
        ok=200,
    )


@pytest.mark.parametrize(("method", "url"), [("get", PRODUCTS), ("post", PRODUCTS), ("get", f"{PRODUCTS}/1")])
def test_products_need_credentials(db, method, url):
    response = getattr(APIClient(), method)(url, data={}, format="json")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert_matches_schema(response)
