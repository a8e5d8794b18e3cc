"""POST /sells (supporting-api "Sells"): the created document, totals, numbering, stock and payments."""

import datetime
from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE
from core.tests.openapi import assert_matches_schema
from ledger.models import SellLinePurchaseLine, Transaction
from ledger.tests.builders import (
    DETAIL_EXTRA,
    PAYMENT_ROW,
    SELL_LINE,
    SELL_ROW,
    footprint,
    line_of,
    make_product,
    make_sell,
    open_shop,
    reference_year,
    stock_of,
)

SELLS = f"{BASE}/sells"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="20")


def sell_body(world, *lines, **fields):
    lines = lines or ({"variation_id": world.variation.pk, "quantity": "2", "unit_price": "10.00"},)
    return {"contact_id": world.customer.pk, "location_id": world.shop.pk, "lines": list(lines), **fields}


def test_create_answers_201_with_message_and_the_sell(api, world):
    response = api.post(SELLS, sell_body(world, transaction_date="2026-03-04 10:30:00"), format="json")

    assert response.status_code == 201
    assert_matches_schema(response)
    payload = body(response)
    assert payload["message"] == "Sell added successfully"
    data = payload["data"]
    assert set(data) == {*SELL_ROW, *DETAIL_EXTRA, "lines", "payments"}
    assert data["contact"] == {
        "id": world.customer.pk,
        "name": "Carla Customer",
        "contact_id": world.customer.contact_id,
    }
    assert data["location"] == {"id": world.shop.pk, "name": world.shop.name}
    assert (data["status"], data["payment_status"], data["is_direct_sale"], data["is_recurring"]) == (
        "final",
        "due",
        True,
        False,
    )
    assert (data["final_total"], data["total_paid"], data["total_due"]) == (
        Decimal("20.0"),
        Decimal("0.0"),
        Decimal("20.0"),
    )
    assert data["transaction_date"] == "2026-03-04T10:30:00+00:00"
    assert (data["created_by"], data["return_exists"], data["subscription_no"], data["recur_parent_id"]) == (
        api.user.pk,
        False,
        None,
        None,
    )
    [line] = data["lines"]
    assert list(line) == SELL_LINE
    assert (line["product_name"], line["variation_name"], line["sub_sku"]) == ("Widget", "Widget", world.widget.sku)
    assert (line["quantity"], line["quantity_returned"], line["unit_price"], line["line_total"]) == (
        Decimal("2.0"),
        Decimal("0.0"),
        Decimal("10.0"),
        Decimal("20.0"),
    )
    assert data["payments"] == []


def test_dates_are_read_in_the_business_time_zone(api, business, world):
    business.time_zone = "Asia/Tokyo"
    business.save(update_fields=["time_zone"])

    data = api.post(SELLS, sell_body(world, transaction_date="2026-03-04"), format="json").json()["data"]

    assert data["transaction_date"] == "2026-03-04T00:00:00+09:00"


@pytest.mark.parametrize(
    ("fields", "total"),
    [
        ({}, Decimal("25.50")),
        ({"discount_type": "fixed", "discount_amount": "5.25"}, Decimal("20.25")),
        ({"discount_type": "percentage", "discount_amount": "10"}, Decimal("22.95")),
        ({"shipping_charges": "4.50"}, Decimal("30.00")),
        ({"discount_type": "percentage", "discount_amount": "10", "shipping_charges": "1"}, Decimal("23.95")),
    ],
)
def test_final_total_is_lines_minus_discount_plus_shipping(api, world, fields, total):
    lines = (
        {"variation_id": world.variation.pk, "quantity": "2", "unit_price": "10.00"},
        {"variation_id": world.variation.pk, "quantity": "1", "unit_price": "5.50"},
    )

    response = api.post(SELLS, sell_body(world, *lines, **fields), format="json")

    assert response.status_code == 201, response.json()
    assert body(response)["data"]["final_total"] == total
    assert Transaction.objects.get(pk=response.json()["data"]["id"]).final_total == total


def test_final_total_rounds_half_up_at_business_precision(api, world):
    line = {"variation_id": world.variation.pk, "quantity": "3", "unit_price": "3.335"}

    data = body(api.post(SELLS, sell_body(world, line), format="json"))["data"]

    assert data["final_total"] == Decimal("10.01")  # 10.005 → 10.01
    assert data["lines"][0]["line_total"] == Decimal("10.005")


def test_a_discount_above_the_total_is_422(api, business, world):
    before = footprint(business)

    response = api.post(SELLS, sell_body(world, discount_type="fixed", discount_amount="20.01"), format="json")

    assert_validation_error(response, "discount_amount")
    assert footprint(business) == before


def test_unit_price_defaults_to_the_variation_sell_price(api, world):
    line = {"variation_id": world.variation.pk, "quantity": "3"}

    data = body(api.post(SELLS, sell_body(world, line), format="json"))["data"]

    assert data["lines"][0]["unit_price"] == Decimal("10.00")
    assert data["final_total"] == Decimal("30.00")


def test_pay_term_defaults_to_the_contacts_and_sets_the_due_date(api, world):
    world.customer.pay_term_number, world.customer.pay_term_type = 15, "days"
    world.customer.save()

    data = api.post(SELLS, sell_body(world, transaction_date="2026-03-01"), format="json").json()["data"]
    own = api.post(
        SELLS, sell_body(world, transaction_date="2026-01-31", pay_term_number=1, pay_term_type="months"), format="json"
    ).json()["data"]

    assert (data["pay_term_number"], data["pay_term_type"], data["due_date"]) == (
        15,
        "days",
        "2026-03-16T00:00:00+00:00",
    )
    assert (own["pay_term_number"], own["due_date"]) == (1, "2026-02-28T00:00:00+00:00")


def test_a_pay_term_number_without_a_type_does_not_make_a_new_sell_overdue(api, world):
    response = api.post(SELLS, sell_body(world, pay_term_number=30), format="json")

    # Either fix is fine: refuse the half pay term (422 on pay_term_type), or do not call the sell overdue.
    assert response.status_code == 422 or response.json()["data"]["payment_status"] == "due"
    assert api.get(f"{SELLS}?payment_status=overdue").json()["meta"]["total"] == 0


def test_is_direct_sale_may_be_false(api, world):
    assert (
        api.post(SELLS, sell_body(world, is_direct_sale=False), format="json").json()["data"]["is_direct_sale"] is False
    )


def test_a_both_contact_may_buy(api, business, world):
    world.customer.type = "both"
    world.customer.save()

    assert api.post(SELLS, sell_body(world), format="json").status_code == 201


# --- numbering -----------------------------------------------------------------------------------------


def test_invoice_numbers_come_from_the_business_scheme(api, world):
    numbers = [api.post(SELLS, sell_body(world), format="json").json()["data"]["invoice_no"] for _ in range(3)]

    assert numbers == ["INV0001", "INV0002", "INV0003"]


def test_drafts_and_quotations_take_invoice_numbers_too(api, world):
    draft = api.post(SELLS, sell_body(world, status="draft"), format="json").json()["data"]
    quote = api.post(SELLS, sell_body(world, status="quotation"), format="json").json()["data"]

    assert (draft["invoice_no"], quote["invoice_no"]) == ("INV0001", "INV0002")


def test_a_supplied_invoice_no_is_kept_and_the_scheme_skips_it(api, world):
    typed = api.post(SELLS, sell_body(world, invoice_no="INV0002"), format="json").json()["data"]
    first = api.post(SELLS, sell_body(world), format="json").json()["data"]
    second = api.post(SELLS, sell_body(world), format="json").json()["data"]

    assert typed["invoice_no"] == "INV0002"
    assert (first["invoice_no"], second["invoice_no"]) == ("INV0001", "INV0003")


def test_a_taken_invoice_no_is_422_and_writes_nothing(api, business, world):
    make_sell(business, api.user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)])
    before = footprint(business)

    response = api.post(SELLS, sell_body(world, invoice_no="INV0001"), format="json")

    data = assert_validation_error(response, "invoice_no")
    assert data["errors"]["invoice_no"] == ["The invoice no has already been taken."]
    assert_matches_schema(response)
    assert footprint(business) == before


def test_an_invoice_no_of_another_business_is_free(api, other_business, world):
    foreign = open_shop(other_business, None)
    make_sell(
        other_business, None, customer=foreign.customer, location=foreign.shop, lines=[(foreign.widget, "1", None)]
    )

    assert api.post(SELLS, sell_body(world, invoice_no="INV0001"), format="json").status_code == 201


def test_the_invoice_prefix_is_the_business_setting(api, business, world):
    business.invoice_prefix = "ACME-"
    business.save(update_fields=["invoice_prefix"])

    assert api.post(SELLS, sell_body(world), format="json").json()["data"]["invoice_no"] == "ACME-0001"


# --- stock ---------------------------------------------------------------------------------------------


def test_a_final_sell_takes_stock_and_maps_it_to_purchase_lines(api, world):
    data = api.post(SELLS, sell_body(world), format="json").json()["data"]

    assert stock_of(world.widget, world.shop) == Decimal("18")
    [link] = SellLinePurchaseLine.objects.filter(sell_line_id=data["lines"][0]["id"])
    assert (link.purchase_line_id, link.quantity) == (line_of(world.purchase).pk, Decimal("2"))


@pytest.mark.parametrize("status", ["draft", "quotation"])
def test_drafts_and_quotations_leave_stock_alone(api, world, status):
    response = api.post(SELLS, sell_body(world, status=status), format="json")

    assert response.json()["data"]["status"] == status
    assert stock_of(world.widget, world.shop) == Decimal("20")
    assert not SellLinePurchaseLine.objects.exists()


def test_short_stock_is_422_naming_the_variation_and_writes_nothing(api, business, world):
    before = footprint(business)
    lines = (
        {"variation_id": world.variation.pk, "quantity": "20"},
        {"variation_id": world.variation.pk, "quantity": "0.5"},
    )

    response = api.post(SELLS, sell_body(world, *lines), format="json")

    data = assert_validation_error(response, "lines.1.quantity")
    assert f"Widget ({world.widget.sku})" in data["errors"]["lines.1.quantity"][0]
    assert_matches_schema(response)
    assert footprint(business) == before


def test_short_stock_at_this_location_even_when_another_has_it(api, business, world):
    before = footprint(business)

    response = api.post(SELLS, sell_body(world, location_id=world.depot.pk), format="json")

    assert_validation_error(response, "lines.0.quantity")
    assert footprint(business) == before


def test_overselling_businesses_may_go_below_zero(api, business, world):
    business.allow_overselling = True
    business.save(update_fields=["allow_overselling"])

    response = api.post(SELLS, sell_body(world, location_id=world.depot.pk), format="json")

    assert response.status_code == 201
    assert stock_of(world.widget, world.depot) == Decimal("-2")


def test_a_unit_without_decimals_takes_whole_quantities_only(api, business, world):
    unit = world.widget.unit
    unit.allow_decimal = False
    unit.save(update_fields=["allow_decimal"])
    before = footprint(business)

    response = api.post(SELLS, sell_body(world, {"variation_id": world.variation.pk, "quantity": "1.5"}), format="json")

    assert_validation_error(response, "lines.0.quantity")
    assert footprint(business) == before
    assert (
        api.post(
            SELLS, sell_body(world, {"variation_id": world.variation.pk, "quantity": "2.0"}), format="json"
        ).status_code
        == 201
    )


def test_untracked_products_need_no_stock(api, business, world):
    service = make_product(business, name="Service", enable_stock=False)
    line = {"variation_id": service.variations.get().pk, "quantity": "5"}

    assert api.post(SELLS, sell_body(world, line), format="json").status_code == 201


# --- payments with the sell ------------------------------------------------------------------------------


def test_payments_with_the_sell_set_its_payment_status(api, business, world):
    year = reference_year(business)
    paid = {"amount": "20", "method": "cash", "paid_on": "2026-03-04 12:00:00"}
    partial = {"amount": "5", "method": "card", "card_transaction_number": "T-9"}

    full = body(api.post(SELLS, sell_body(world, payments=[paid]), format="json"))["data"]
    part = body(api.post(SELLS, sell_body(world, payments=[partial]), format="json"))["data"]

    assert (full["payment_status"], full["total_paid"], full["total_due"]) == ("paid", Decimal("20"), Decimal("0"))
    [payment] = full["payments"]
    assert list(payment) == [*PAYMENT_ROW[:-1], "note", "child_payments"]
    assert (payment["payment_ref_no"], payment["method"], payment["paid_on"]) == (
        f"SP{year}/0001",
        "cash",
        "2026-03-04T12:00:00+00:00",
    )
    assert (payment["transaction_id"], payment["invoice_no"], payment["transaction_type"]) == (
        full["id"],
        full["invoice_no"],
        "sell",
    )
    assert (part["payment_status"], part["total_due"]) == ("partial", Decimal("15"))
    assert part["payments"][0]["card_transaction_number"] == "T-9"
    assert part["payments"][0]["payment_ref_no"] == f"SP{year}/0002"


def test_a_zero_total_sell_is_paid(api, world):
    line = {"variation_id": world.variation.pk, "quantity": "1", "unit_price": "0"}

    assert api.post(SELLS, sell_body(world, line), format="json").json()["data"]["payment_status"] == "paid"


def test_recurring_sells_need_the_subscription_module(api, business, world):
    before = footprint(business)

    response = api.post(SELLS, sell_body(world, is_recurring=True, recur_interval_type="months"), format="json")

    assert_validation_error(response, "is_recurring")
    assert footprint(business) == before


def test_a_subscription_sell_gets_a_subscription_number(api, business, world):
    business.enabled_modules = ["subscription"]
    business.save(update_fields=["enabled_modules"])

    data = api.post(
        SELLS,
        sell_body(world, is_recurring=True, recur_interval_type="months", subscription_repeat_on=5),
        format="json",
    ).json()["data"]

    assert (data["is_recurring"], data["subscription_no"]) == (True, f"{reference_year(business)}/0001")


def test_created_at_is_now(api, world):
    before = datetime.datetime.now(datetime.UTC)

    data = api.post(SELLS, sell_body(world), format="json").json()["data"]

    assert datetime.datetime.fromisoformat(data["created_at"]) >= before - datetime.timedelta(seconds=1)
