"""POST /sells/{id}/return and POST /purchases/{id}/return (supporting-api "Sells", "Purchases")."""

from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine, Transaction
from ledger.tests.builders import (
    RETURN_ROW,
    footprint,
    line_of,
    make_purchase,
    make_sell,
    open_shop,
    reference_year,
    stock_of,
)

SELLS = f"{BASE}/sells"
PURCHASES = f"{BASE}/purchases"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="10")


@pytest.fixture
def sold(world):
    """A final sell of 4 widgets at 10.00 (6 left on the shelf)."""
    return make_sell(
        world.business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "4", "10.00")]
    )


def sell_return(api, sell, quantity, **fields):
    lines = [{"sell_line_id": line_of(sell).pk, "quantity": quantity}]
    return api.post(f"{SELLS}/{sell.pk}/return", {"lines": lines, **fields}, format="json")


def purchase_return(api, purchase, quantity, **fields):
    lines = [{"purchase_line_id": line_of(purchase).pk, "quantity": quantity}]
    return api.post(f"{PURCHASES}/{purchase.pk}/return", {"lines": lines, **fields}, format="json")


# --- sell returns --------------------------------------------------------------------------------------


def test_sell_return_answers_201_with_the_return_row(api, business, world, sold):
    response = sell_return(api, sold, "1.5", transaction_date="2026-03-05")

    assert response.status_code == 201
    assert_matches_schema(response)
    data = body(response)["data"]
    assert set(RETURN_ROW) <= set(data) and set(data) - set(RETURN_ROW) == {"ref_no"}
    assert data["invoice_no"] == f"CN{reference_year(business)}/0001"
    assert (data["return_parent_id"], data["transaction_date"]) == (sold.pk, "2026-03-05T00:00:00+00:00")
    assert (data["final_total"], data["payment_status"]) == (Decimal("15"), "due")
    [line] = data["lines"]
    assert (line["line_id"], line["quantity"], line["unit_price"], line["line_total"]) == (
        line_of(sold).pk,
        Decimal("1.5"),
        Decimal("10"),
        Decimal("15"),
    )


def test_sell_return_puts_stock_back_and_releases_fifo(api, world, sold):
    sell_return(api, sold, "3")

    assert stock_of(world.widget, world.shop) == Decimal("9")
    assert line_of(sold).quantity_returned == Decimal("3")
    assert SellLinePurchaseLine.objects.get(sell_line=line_of(sold)).quantity == Decimal("1")
    assert line_of(world.purchase).quantity_sold == Decimal("1")
    assert body(api.get(f"{SELLS}/{sold.pk}"))["data"]["lines"][0]["quantity_returned"] == Decimal("3")


def test_a_second_return_updates_the_one_return_with_totals_not_increments(api, business, world, sold):
    first = body(sell_return(api, sold, "1"))["data"]
    again = body(sell_return(api, sold, "1"))["data"]  # a retry changes nothing
    more = body(sell_return(api, sold, "3", discount_type="fixed", discount_amount="2"))["data"]
    less = body(sell_return(api, sold, "2"))["data"]  # sends no discount: the return keeps its 2.00 off

    assert first["id"] == again["id"] == more["id"] == less["id"]
    assert first["invoice_no"] == less["invoice_no"] == f"CN{reference_year(business)}/0001"
    assert (again["final_total"], more["final_total"], less["final_total"]) == (
        Decimal("10"),
        Decimal("28"),
        Decimal("18"),
    )
    assert Transaction.objects.filter(return_parent=sold).count() == 1
    assert stock_of(world.widget, world.shop) == Decimal("8")
    assert line_of(world.purchase).quantity_sold == Decimal("2")


def test_a_return_may_not_fall_below_what_was_refunded_on_it(api, business, world, sold):
    ret = sell_return(api, sold, "2").json()["data"]
    api.post(f"{BASE}/transactions/{ret['id']}/payments", {"amount": "15", "method": "cash"}, format="json")
    before = footprint(business)

    response = sell_return(api, sold, "1")

    assert response.status_code == 422
    assert response.json() == {"message": "The return would fall below what has already been refunded on it."}
    assert_matches_schema(response)
    assert footprint(business) == before
    assert sell_return(api, sold, "1.5").status_code == 201


def test_sell_return_numbers_count_up_across_sells(api, business, world, sold):
    other = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)]
    )

    numbers = [
        sell_return(api, sold, "1").json()["data"]["invoice_no"],
        sell_return(api, other, "1").json()["data"]["invoice_no"],
    ]

    year = reference_year(business)
    assert numbers == [f"CN{year}/0001", f"CN{year}/0002"]


def test_returning_more_than_sold_is_422_and_writes_nothing(api, business, sold):
    sell_return(api, sold, "1")
    before = footprint(business)

    response = sell_return(api, sold, "4.0001")

    data = assert_validation_error(response, "lines.0.quantity")
    assert data["errors"]["lines.0.quantity"] == ["Cannot return more than was sold (4)."]
    assert_matches_schema(response)
    assert footprint(business) == before


def test_a_line_of_another_sell_is_422(api, business, world, sold):
    other = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)]
    )
    before = footprint(business)

    response = api.post(
        f"{SELLS}/{sold.pk}/return", {"lines": [{"sell_line_id": line_of(other).pk, "quantity": 1}]}, format="json"
    )

    assert_validation_error(response, "lines.0.sell_line_id")
    assert footprint(business) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "lines"),
        ({"lines": [{"sell_line_id": 1, "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sell_line_id": 1, "quantity": -1}]}, "lines.0.quantity"),
        ({"lines": [{"quantity": 1}]}, "lines.0.sell_line_id"),
        ({"lines": [{"sell_line_id": 1, "quantity": 1}], "discount_type": "half"}, "discount_type"),
    ],
)
def test_malformed_sell_return_is_422(api, business, sold, payload, field):
    before = footprint(business)

    assert_validation_error(api.post(f"{SELLS}/{sold.pk}/return", payload, format="json"), field)
    assert footprint(business) == before


@pytest.mark.parametrize("route", [SELLS, PURCHASES])
def test_an_empty_return_is_422_on_lines(api, world, sold, route):
    document = sold if route == SELLS else world.purchase

    response = api.post(f"{route}/{document.pk}/return", {"lines": []}, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines"]


@pytest.mark.parametrize("status", ["draft", "quotation"])
def test_only_a_final_sell_can_be_returned(api, business, world, status):
    draft = make_sell(
        business,
        world.user,
        customer=world.customer,
        location=world.shop,
        lines=[(world.widget, "1", None)],
        status=status,
    )
    before = footprint(business)

    response = sell_return(api, draft, "1")

    assert response.status_code == 422
    assert response.json() == {"message": "Only a final sell can be returned."}
    assert_matches_schema(response)
    assert footprint(business) == before


def test_returning_a_purchase_through_the_sells_route_is_404(api, world):
    assert_not_found(
        api, "post", f"{SELLS}/{world.purchase.pk}/return", {"lines": [{"sell_line_id": 1, "quantity": 1}]}
    )


# --- purchase returns ----------------------------------------------------------------------------------


def test_purchase_return_answers_201_and_takes_stock_off_the_shelf(api, business, world):
    response = purchase_return(api, world.purchase, "2.5")

    assert response.status_code == 201
    assert_matches_schema(response)
    data = body(response)["data"]
    assert data["ref_no"] == f"PR{reference_year(business)}/0001"
    assert data["invoice_no"] is None
    assert (data["return_parent_id"], data["final_total"], data["payment_status"]) == (
        world.purchase.pk,
        Decimal("15"),
        "due",
    )
    assert [(line["line_id"], line["quantity"], line["unit_price"]) for line in data["lines"]] == [
        (line_of(world.purchase).pk, Decimal("2.5"), Decimal("6"))
    ]
    assert stock_of(world.widget, world.shop) == Decimal("7.5")
    assert line_of(world.purchase).quantity_returned == Decimal("2.5")
    assert api.get(f"{PURCHASES}/{world.purchase.pk}").json()["data"]["return_exists"] is True


def test_purchase_return_updates_the_one_return(api, business, world):
    first = purchase_return(api, world.purchase, "3").json()["data"]
    second = body(purchase_return(api, world.purchase, "1", transaction_date="2026-04-01"))["data"]

    assert first["id"] == second["id"]
    assert (second["final_total"], second["transaction_date"]) == (Decimal("6"), "2026-04-01T00:00:00+00:00")
    assert stock_of(world.widget, world.shop) == Decimal("9")
    assert Transaction.objects.filter(return_parent=world.purchase).count() == 1


def test_returning_more_than_bought_minus_sold_is_422_and_writes_nothing(api, business, world, sold):
    before = footprint(business)

    response = purchase_return(api, world.purchase, "6.5")  # 10 bought, 4 sold

    data = assert_validation_error(response, "lines.0.quantity")
    assert data["errors"]["lines.0.quantity"] == [
        "Cannot return more than is still on hand from this purchase line (6)."
    ]
    assert_matches_schema(response)
    assert footprint(business) == before
    assert purchase_return(api, world.purchase, "6").status_code == 201


def test_a_line_of_another_purchase_is_422(api, business, world):
    other = make_purchase(
        business, world.user, supplier=world.supplier, location=world.shop, lines=[(world.widget, "1", None)]
    )
    before = footprint(business)

    response = api.post(
        f"{PURCHASES}/{world.purchase.pk}/return",
        {"lines": [{"purchase_line_id": line_of(other).pk, "quantity": 1}]},
        format="json",
    )

    assert_validation_error(response, "lines.0.purchase_line_id")
    assert footprint(business) == before


@pytest.mark.parametrize("status", ["pending", "ordered"])
def test_only_a_received_purchase_can_be_returned(api, business, world, status):
    waiting = make_purchase(
        business,
        world.user,
        supplier=world.supplier,
        location=world.shop,
        lines=[(world.widget, "2", None)],
        status=status,
    )
    before = footprint(business)

    response = purchase_return(api, waiting, "1")

    assert response.status_code == 422
    assert "received" in response.json()["message"]
    assert footprint(business) == before


def test_purchase_return_rejects_sell_return_fields(api, world):
    response = purchase_return(api, world.purchase, "1", discount_amount="1")

    assert_validation_error(response, "discount_amount")


def test_a_sold_out_line_cannot_be_returned_but_the_sell_return_frees_it(api, business, world):
    make_sell(business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "10", None)])
    sold_out = SellLine.objects.get(transaction__type="sell")

    assert_validation_error(purchase_return(api, world.purchase, "1"), "lines.0.quantity")
    api.post(
        f"{SELLS}/{sold_out.transaction_id}/return",
        {"lines": [{"sell_line_id": sold_out.pk, "quantity": 2}]},
        format="json",
    )

    assert purchase_return(api, world.purchase, "2").status_code == 201
    assert PurchaseLine.objects.get(pk=line_of(world.purchase).pk).quantity_returned == Decimal("2")
    assert stock_of(world.widget, world.shop) == Decimal("0")
