"""GET /contacts/{id}/supplier-stock (contacts reference "Supplier stock report")."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.services.purchases import purchase_return_save
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    SUPPLIER_STOCK_ROW,
    download_rows,
    line_of,
    make_customer,
    make_product,
    make_purchase,
    make_sell,
    make_supplier,
    make_variable_product,
    open_shop,
    row_ids,
    variation_of,
)

CONTACTS = f"{BASE}/contacts"


def report_url(contact, query=""):
    return f"{CONTACTS}/{contact.pk}/supplier-stock{'?' + query if query else ''}"


@pytest.fixture
def world(business, admin_user):
    """The supplier delivered 10 widgets at 6.00 (open_shop) and then 6 more at 7.00, both to the shop."""
    world = open_shop(business, admin_user, stock="10")
    world.second = make_purchase(
        business, admin_user, supplier=world.supplier, location=world.shop, lines=[(world.widget, "6", "7.00")]
    )
    return world


def rows_by_variation(response):
    return {row["variation_id"]: row for row in body(response)["data"]}


def test_report_rows_have_the_supplier_stock_fields(api, world):
    response = api.get(report_url(world.supplier))

    assert response.status_code == 200
    assert_matches_schema(response)
    [row] = body(response)["data"]
    assert list(row) == SUPPLIER_STOCK_ROW
    assert (row["variation_id"], row["product_label"], row["product_name"], row["variation_name"]) == (
        world.variation.pk,
        f"Widget ({world.widget.sku})",
        "Widget",
        "Widget",
    )
    assert (row["product_variation_name"], row["product_type"], row["sub_sku"], row["unit"]) == (
        None,
        "single",
        world.widget.sku,
        "Pc(s)",
    )
    assert (row["purchase_quantity"], row["current_stock"], row["stock_value"]) == (
        Decimal("16"),
        Decimal("16"),
        Decimal("102"),
    )
    assert response.json()["meta"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 50,
        "total": 1,
        "location_id": None,
        "q": None,
    }


def test_sells_split_over_two_purchase_lines_count_once(api, business, world):
    sold = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "12", None)]
    )

    [row] = body(api.get(report_url(world.supplier)))["data"]

    # FIFO: 10 from the first purchase, 2 from the second; 4 left at 7.00.
    assert (row["total_quantity_sold"], row["current_stock"], row["stock_value"]) == (
        Decimal("12"),
        Decimal("4"),
        Decimal("28"),
    )
    sell_return_save(
        business=business,
        user=world.user,
        sell=sold,
        data={"lines": [{"sell_line_id": line_of(sold).pk, "quantity": Decimal("3")}]},
    )
    [row] = body(api.get(report_url(world.supplier)))["data"]
    # The return goes back to the latest purchase first: all 6 at 7.00 and 1 at 6.00 are on hand again.
    assert (row["total_quantity_sold"], row["current_stock"], row["stock_value"]) == (
        Decimal("9"),
        Decimal("7"),
        Decimal("48"),
    )


def test_returns_to_the_supplier_are_counted(api, business, world):
    purchase_return_save(
        business=business,
        user=world.user,
        purchase=world.second,
        data={"lines": [{"purchase_line_id": line_of(world.second).pk, "quantity": Decimal("2.5")}]},
    )

    [row] = body(api.get(report_url(world.supplier)))["data"]

    assert (row["purchase_quantity"], row["total_quantity_returned"], row["current_stock"]) == (
        Decimal("16"),
        Decimal("2.5"),
        Decimal("13.5"),
    )
    assert row["stock_value"] == Decimal("84.5")  # 10 × 6.00 + 3.5 × 7.00
    assert row["total_quantity_transfered"] == 0


def test_only_this_suppliers_received_lines(api, business, world):
    make_purchase(
        business,
        world.user,
        supplier=world.supplier,
        location=world.shop,
        lines=[(world.widget, "50", None)],
        status="ordered",
    )
    make_purchase(
        business, world.user, supplier=make_supplier(business), location=world.shop, lines=[(world.widget, "40", None)]
    )
    gadget = make_product(business, world.user, name="Gadget")
    make_purchase(
        business, world.user, supplier=make_supplier(business), location=world.shop, lines=[(gadget, "5", None)]
    )

    [row] = body(api.get(report_url(world.supplier)))["data"]

    assert row["purchase_quantity"] == Decimal("16")


def test_variations_are_rows_ordered_by_product_and_variation_name(api, business, world):
    shirt = make_variable_product(
        business, world.user, name="Apron", template="Colour", variations=[("Red", "1", "2"), ("Blue", "1", "2")]
    )
    make_purchase(
        business,
        world.user,
        supplier=world.supplier,
        location=world.depot,
        lines=[(variation_of(shirt, "Red"), "2", "1.00"), (variation_of(shirt, "Blue"), "3", "1.00")],
    )

    rows = body(api.get(report_url(world.supplier)))["data"]

    assert [(r["product_name"], r["variation_name"]) for r in rows] == [
        ("Apron", "Blue"),
        ("Apron", "Red"),
        ("Widget", "Widget"),
    ]
    blue = rows[0]
    assert blue["product_label"] == f"Apron - Blue ({blue['sub_sku']})"
    assert (blue["product_variation_name"], blue["product_type"], blue["current_stock"]) == (
        "Colour",
        "variable",
        Decimal("3"),
    )


def test_location_filter_and_q(api, business, world):
    apron = make_variable_product(business, world.user, name="Apron", template="Colour", variations=[("Red", "1", "2")])
    red = variation_of(apron, "Red")
    make_purchase(
        business,
        world.user,
        supplier=world.supplier,
        location=world.depot,
        lines=[(red, "2", "1.00"), (world.widget, "1", "6.00")],
    )

    def ids(query):
        return set(row_ids(api.get(report_url(world.supplier, query)), key="variation_id"))

    assert ids(f"location_id={world.depot.pk}") == {red.pk, world.variation.pk}
    depot_widget = rows_by_variation(api.get(report_url(world.supplier, f"location_id={world.depot.pk}")))[
        world.variation.pk
    ]
    assert depot_widget["purchase_quantity"] == Decimal("1")
    assert ids("q=apr") == ids("q=RED") == ids("q=colour") == ids(f"q={red.sub_sku}") == {red.pk}
    assert ids(f"q={red.pk:02d}") >= {red.pk}
    meta = api.get(report_url(world.supplier, f"location_id={world.depot.pk}&q=apr")).json()["meta"]
    assert (meta["location_id"], meta["q"]) == (world.depot.pk, "apr")
    assert_validation_error(api.get(report_url(world.supplier, "q=a")), "q")


def test_pagination_defaults_to_50_and_stays_within_1_to_100(api, business, world):
    for i in range(4):
        product = make_product(business, world.user, name=f"Item {i}")
        make_purchase(business, world.user, supplier=world.supplier, location=world.shop, lines=[(product, "1", None)])

    page = api.get(report_url(world.supplier, "per_page=2&page=3")).json()

    assert page["meta"] | {"location_id": None, "q": None} == {
        "current_page": 3,
        "last_page": 3,
        "per_page": 2,
        "total": 5,
        "location_id": None,
        "q": None,
    }
    assert [r["product_name"] for r in page["data"]] == ["Widget"]
    for bad in ("0", "101"):
        response = api.get(report_url(world.supplier, f"per_page={bad}"))
        assert_validation_error(response, "per_page")
        assert_matches_schema(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_hold_every_row(api, business, world, fmt):
    for i in range(3):
        product = make_product(business, world.user, name=f"Item {i}")
        make_purchase(business, world.user, supplier=world.supplier, location=world.shop, lines=[(product, "1", None)])

    response = api.get(report_url(world.supplier, f"format={fmt}&per_page=1"))

    assert response.status_code == 200
    assert f'filename="supplier-stock-{world.supplier.pk}-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == SUPPLIER_STOCK_ROW
    assert len(rows) == 4
    widget = [r for r in rows if r["product_name"] == "Widget"][0]
    assert str(widget["stock_value"]) == ("102.0000" if fmt == "csv" else "102")  # csv: at the stored scale


# --- the contact rule, permissions, tenancy ------------------------------------------------------------------


def test_a_customer_is_422_a_foreign_or_unknown_contact_404(api, business, other_business, world):
    response = api.get(report_url(world.customer))

    assert response.status_code == 422
    assert_matches_schema(response)
    for contact in (make_supplier(other_business), make_supplier(business, deleted_at=world.purchase.created_at)):
        assert_not_found(api, "get", report_url(contact))
    assert_not_found(api, "get", f"{CONTACTS}/99999999/supplier-stock")


def test_a_both_contact_has_a_report(api, business, world):
    both = make_customer(business, type="both")
    make_purchase(business, world.user, supplier=both, location=world.shop, lines=[(world.widget, "2", None)])

    assert body(api.get(report_url(both)))["data"][0]["purchase_quantity"] == Decimal("2")


def test_needs_supplier_view_or_view_own_and_the_contact_visible(actors, business, world):
    check_permissions(
        actors,
        "get",
        report_url(world.supplier),
        allowed=[("supplier.view",)],
        denied=[(), ("customer.view",), ("purchase.view",), ("supplier.view_own",)],
        ok=200,
    )
    own_view = actors.client("supplier.view_own")
    own = make_supplier(business, created_by=own_view.user)
    assert own_view.get(report_url(own)).status_code == 200
    assert_unauthorized(own_view.get(report_url(world.supplier)))
    assert_matches_schema(own_view.get(report_url(world.supplier)))


def test_another_business_never_appears(api, business, other_business, world):
    foreign = open_shop(other_business, None)

    for fmt in ("json", "csv", "xlsx"):
        response = api.get(report_url(world.supplier, f"format={fmt}"))
        assert row_ids(response, key="variation_id") == [world.variation.pk]
    assert_not_found(api, "get", report_url(foreign.supplier))


def test_query_count_does_not_grow_with_the_page(api, business, world):
    for i in range(55):
        product = make_product(business, world.user, name=f"Item {i:02d}")
        make_purchase(
            business, world.user, supplier=world.supplier, location=world.shop, lines=[(product, "2", "1.00")]
        )

    counts = {}
    for per_page in (5, 50):
        api.get(report_url(world.supplier, f"per_page={per_page}"))  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = api.get(report_url(world.supplier, f"per_page={per_page}"))
        assert len(response.json()["data"]) == per_page
        counts[per_page] = len(queries.captured_queries)

    assert counts[5] == counts[50]
