"""GET /contacts/{id}/balance and GET /contacts/{id}/opening-balance (contacts-api "Get contact balance", "Get
contact opening balance"; RULES §3 opening balance, §5 balance and due)."""

import json
from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.services.payments import payment_add
from ledger.services.purchases import purchase_return_save
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    BALANCE,
    OPENING_BALANCE_TRANSACTION,
    backdate,
    cash,
    download_rows,
    line_of,
    make_customer,
    make_ledger_discount,
    make_opening_balance,
    make_purchase,
    make_sell,
    moment,
    open_shop,
    pay_due,
    reference_year,
)

CONTACTS = f"{BASE}/contacts"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="10")


def balance_of(client, contact) -> dict:
    response = client.get(f"{CONTACTS}/{contact.pk}/balance")
    assert response.status_code == 200, response.content[:300]
    assert_matches_schema(response)
    return body(response)["data"]


def all_balance_due(client, contact) -> Decimal:
    response = client.get(f"{CONTACTS}/{contact.pk}/ledger?start_date=2020-01-01&end_date=2030-12-31")
    return body(response)["data"]["summary"]["all_balance_due"]


@pytest.fixture
def customer_books(world):
    """Carla: an opening balance of 40.00 (5 Jan), a final sell of 30.00 (1 Feb) with 5.00 cash, a draft sell of
    50.00 (not counted), a return of one widget (10.00, unpaid), a 3.00 sell discount and a pay-due of 20.00 that
    goes to the opening balance (the oldest open document)."""
    b, u, carla = world.business, world.user, world.customer
    backdate(make_opening_balance(b, carla, "40"), moment(2026, 1, 5))
    sell = make_sell(
        b,
        u,
        customer=carla,
        location=world.shop,
        lines=[(world.widget, "3", None)],
        transaction_date=moment(2026, 2, 1),
        payments=[cash("5", paid_on=moment(2026, 2, 1, 11))],
    )
    make_sell(b, u, customer=carla, location=world.shop, lines=[(world.widget, "5", None)], status="draft")
    sell_return_save(
        business=b,
        user=u,
        sell=sell,
        data={"lines": [{"sell_line_id": line_of(sell).pk, "quantity": Decimal("1")}]},
    )
    make_ledger_discount(b, u, carla, "3", when=moment(2026, 2, 15))
    pay_due(b, u, carla, "20", paid_on=moment(2026, 2, 20))
    return world


def test_a_customers_balance_is_what_they_owe_with_the_parts_behind_it(api, customer_books):
    data = balance_of(api, customer_books.customer)

    assert list(data) == BALANCE
    # owed: 40 + 30 − (5 + 10 + 3 + 20) = 32
    assert (data["contact_id"], data["due"], data["due_formatted"]) == (
        customer_books.customer.pk,
        Decimal("32"),
        "$ 32.00",
    )
    assert {k: data[k] for k in BALANCE[3:]} == {
        "sell_due": Decimal("25"),
        "purchase_due": Decimal("0"),
        "opening_balance_due": Decimal("20"),
        "sell_return_due": Decimal("10"),
        "purchase_return_due": Decimal("0"),
        "ledger_discount": Decimal("3"),
        "advance_balance": Decimal("0"),
    }


def test_the_balance_equals_the_ledgers_all_balance_due(api, customer_books):
    assert balance_of(api, customer_books.customer)["due"] == all_balance_due(api, customer_books.customer)


def test_a_suppliers_balance_is_what_we_owe_them(api, business, world):
    """Supply Co: the purchase of 60.00 with 15.00 paid, a return of one widget (6.00), an opening balance of
    25.00: we owe 60 + 25 − 15 − 6 = 64."""
    purchase = world.purchase
    payment_add(business=business, user=world.user, document=purchase, data={"amount": Decimal("15"), "method": "cash"})
    purchase_return_save(
        business=business,
        user=world.user,
        purchase=purchase,
        data={"lines": [{"purchase_line_id": line_of(purchase).pk, "quantity": Decimal("1")}]},
    )
    make_opening_balance(business, world.supplier, "25")

    data = balance_of(api, world.supplier)

    assert (data["due"], data["due_formatted"]) == (Decimal("64"), "$ 64.00")
    assert (data["purchase_due"], data["opening_balance_due"], data["purchase_return_due"], data["sell_due"]) == (
        Decimal("45"),
        Decimal("25"),
        Decimal("6"),
        Decimal("0"),
    )
    assert data["due"] == all_balance_due(api, world.supplier)


def test_an_unallocated_advance_makes_the_due_negative(api, business, world):
    pay_due(business, world.user, world.customer, "50")

    data = balance_of(api, world.customer)

    assert (data["due"], data["due_formatted"], data["advance_balance"]) == (
        Decimal("-50"),
        "$ -50.00",
        Decimal("50"),
    )
    assert data["due"] == all_balance_due(api, world.customer)


def test_a_both_contact_owes_us_their_opening_balance_less_what_we_bought(api, business, world):
    both = make_customer(business, type="both")
    make_opening_balance(business, both, "10")
    make_purchase(business, world.user, supplier=both, location=world.shop, lines=[(world.widget, "2", "7.50")])

    data = balance_of(api, both)

    assert (data["due"], data["opening_balance_due"], data["purchase_due"]) == (
        Decimal("-5"),
        Decimal("10"),
        Decimal("15"),
    )


def test_a_contact_without_documents_owes_nothing(api, business):
    data = balance_of(api, make_customer(business))

    assert all(data[k] == 0 for k in BALANCE if k not in ("contact_id", "due_formatted"))
    assert data["due_formatted"] == "$ 0.00"


def test_due_formatted_follows_the_business_currency(api, business, world):
    business.currency_symbol, business.currency_symbol_placement = "€", "after"
    business.thousand_separator, business.decimal_separator = ".", ","
    business.save()
    make_opening_balance(business, world.customer, "1234.5")

    assert balance_of(api, world.customer)["due_formatted"] == "1.234,50 €"


def test_balance_csv_is_one_data_json_row(api, business, customer_books):
    contact = customer_books.customer
    response = api.get(f"{CONTACTS}/{contact.pk}/balance?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="contact-{contact.pk}-balance-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert [list(row) for row in rows] == [["data_json"]]
    data = json.loads(rows[0]["data_json"], parse_float=Decimal)
    assert data == body(api.get(f"{CONTACTS}/{contact.pk}/balance"))["data"]


@pytest.mark.parametrize("route", ["balance", "opening-balance"])
def test_unknown_ids_and_formats(api, world, route):
    assert_not_found(api, "get", f"{CONTACTS}/99999999/{route}")
    assert_matches_schema(api.get(f"{CONTACTS}/99999999/{route}"))

    response = api.get(f"{CONTACTS}/{world.customer.pk}/{route}?format=xlsx")

    assert_validation_error(response, "format")
    assert_matches_schema(response)


# --- GET /contacts/{id}/opening-balance --------------------------------------------------------------------


def opening_of(client, contact) -> dict:
    response = client.get(f"{CONTACTS}/{contact.pk}/opening-balance")
    assert response.status_code == 200, response.content[:300]
    assert_matches_schema(response)
    return body(response)["data"]


def test_no_opening_balance_is_a_null_transaction(api, world):
    assert opening_of(api, world.customer) == {
        "contact_id": world.customer.pk,
        "has_opening_balance": False,
        "transaction": None,
    }


def test_the_opening_balance_document_with_what_was_paid_on_it(api, business, world):
    document = backdate(make_opening_balance(business, world.customer, "40"), moment(2026, 1, 5, 9, 30))
    pay_due(business, world.user, world.customer, "15")

    data = opening_of(api, world.customer)

    assert (data["contact_id"], data["has_opening_balance"]) == (world.customer.pk, True)
    row = data["transaction"]
    assert set(row) == set(OPENING_BALANCE_TRANSACTION)
    assert row == {
        "id": document.pk,
        "ref_no": f"{reference_year(business)}/0001",
        "final_total": Decimal("40"),
        "total_paid": Decimal("15"),
        "due": Decimal("25"),
        "due_formatted": "$ 25.00",
        "payment_status": "partial",
        "transaction_date": "2026-01-05T09:30:00+00:00",
        "location_id": world.shop.pk,
        "location_name": world.shop.name,
    }


def test_the_opening_balance_date_is_shown_in_the_business_time_zone(api, business, world):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])
    backdate(make_opening_balance(business, world.supplier, "8"), moment(2026, 1, 5, 20))

    assert opening_of(api, world.supplier)["transaction"]["transaction_date"] == "2026-01-06T01:30:00+05:30"


def test_opening_balance_csv_is_one_data_json_row(api, business, world):
    make_opening_balance(business, world.customer, "12.34")
    response = api.get(f"{CONTACTS}/{world.customer.pk}/opening-balance?format=csv")

    assert response.status_code == 200
    assert f'filename="contact-{world.customer.pk}-opening-balance-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == ["data_json"] and len(rows) == 1
    assert json.loads(rows[0]["data_json"], parse_float=Decimal) == opening_of(api, world.customer)
