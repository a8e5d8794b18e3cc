"""GET /sells and GET /sells/{id} (supporting-api "Sells"): rows, filters, pagination, downloads, detail."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction
from ledger.tests.builders import (
    DETAIL_EXTRA,
    SELL_LINE,
    SELL_ROW,
    cash,
    download_rows,
    make_customer,
    make_sell,
    open_shop,
    row_ids,
    stock_up,
)

SELLS = f"{BASE}/sells"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="500")


def sell(world, *, user=None, customer=None, location=None, quantity="1", price="10.00", **fields):
    return make_sell(
        world.business,
        user or world.user,
        customer=customer or world.customer,
        location=location or world.shop,
        lines=[(world.widget, quantity, price)],
        **fields,
    )


def at(text: str) -> datetime.datetime:
    """A moment in the business time zone (UTC for the test business)."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def test_rows_have_the_sell_row_fields_newest_first(api, world):
    older = sell(world, transaction_date=at("2026-01-05 09:00"))
    newer = sell(world, transaction_date=at("2026-02-05 09:00"))
    same_day = sell(world, transaction_date=at("2026-02-05 09:00"))

    response = api.get(SELLS)

    assert response.status_code == 200
    assert_matches_schema(response)
    assert row_ids(response) == [same_day.pk, newer.pk, older.pk]
    assert all(set(row) == set(SELL_ROW) for row in response.json()["data"])
    assert response.json()["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 3}


def test_row_values(api, world):
    made = sell(world, quantity="3", price="4.10", payments=[cash("2.30")], transaction_date=at("2026-02-01 08:00"))

    [row] = body(api.get(SELLS))["data"]

    assert row["invoice_no"] == made.invoice_no
    assert (row["final_total"], row["total_paid"], row["total_due"]) == (
        Decimal("12.3"),
        Decimal("2.3"),
        Decimal("10.0"),
    )
    assert (row["status"], row["payment_status"], row["return_exists"]) == ("final", "partial", False)
    assert row["contact"]["id"] == world.customer.pk and row["location"]["id"] == world.shop.pk
    assert row["transaction_date"] == row["due_date"] == "2026-02-01T08:00:00+00:00"


def test_csv_header_follows_the_contract_order(api, world):
    sell(world)

    assert list(download_rows(api.get(f"{SELLS}?format=csv"))[0]) == SELL_ROW


# --- filters ------------------------------------------------------------------------------------------


def test_location_contact_and_created_by_filters(api, actors, business, world):
    clerk = actors.user("sell.create")
    other_customer = make_customer(business)
    stock_up(business, world.user, location=world.depot, product=world.widget, quantity="5")
    at_shop = sell(world)
    at_depot = sell(world, location=world.depot)
    theirs = sell(world, customer=other_customer, user=clerk)

    assert set(row_ids(api.get(f"{SELLS}?location_id={world.depot.pk}"))) == {at_depot.pk}
    assert set(row_ids(api.get(f"{SELLS}?contact_id={other_customer.pk}"))) == {theirs.pk}
    assert set(row_ids(api.get(f"{SELLS}?created_by={clerk.pk}"))) == {theirs.pk}
    assert set(row_ids(api.get(f"{SELLS}?created_by={world.user.pk}"))) == {at_shop.pk, at_depot.pk}


def test_date_range_is_inclusive_of_both_days(api, world):
    before = sell(world, transaction_date=at("2026-02-28 23:59:59"))
    first = sell(world, transaction_date=at("2026-03-01 00:00:00"))
    last = sell(world, transaction_date=at("2026-03-31 23:59:59"))
    sell(world, transaction_date=at("2026-04-01 08:00:00"))

    response = api.get(f"{SELLS}?start_date=2026-03-01&end_date=2026-03-31")

    assert set(row_ids(response)) == {first.pk, last.pk}
    assert before.pk not in row_ids(api.get(f"{SELLS}?start_date=2026-03-01&end_date=2026-03-01"))


def test_a_sell_at_midnight_after_end_date_is_outside_the_range(api, world):
    sell(world, transaction_date=at("2026-03-02 00:00:00"))

    assert row_ids(api.get(f"{SELLS}?start_date=2026-03-01&end_date=2026-03-01")) == []


def test_date_range_follows_the_business_time_zone(api, business, world):
    business.time_zone = "America/New_York"
    business.save(update_fields=["time_zone"])
    late_evening = sell(world, transaction_date=at("2026-03-02 03:00"))  # 1 March, 22:00 in New York

    assert row_ids(api.get(f"{SELLS}?start_date=2026-03-01&end_date=2026-03-01")) == [late_evening.pk]
    assert row_ids(api.get(f"{SELLS}?start_date=2026-03-02&end_date=2026-03-02")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-03-01", "end_date"),
        ("end_date=2026-03-01", "start_date"),
        ("start_date=2026-03-02&end_date=2026-03-01", "end_date"),
        ("start_date=01/03/2026&end_date=2026-03-05", "start_date"),
    ],
)
def test_date_range_needs_both_ends_in_order(api, query, field):
    response = api.get(f"{SELLS}?{query}")

    assert_validation_error(response, field)
    assert_matches_schema(response)


def test_payment_status_filter_including_overdue(api, world):
    paid = sell(world, payments=[cash("10")])
    partial = sell(world, payments=[cash("4")])
    due = sell(world)
    long_ago = timezone.now() - datetime.timedelta(days=40)
    overdue = sell(world, transaction_date=long_ago, pay_term_number=30, pay_term_type="days")
    partly_overdue = sell(
        world, transaction_date=long_ago, pay_term_number=1, pay_term_type="months", payments=[cash("1")]
    )
    sell(world, transaction_date=long_ago)  # no pay term: never overdue

    def ids(status):
        return set(row_ids(api.get(f"{SELLS}?payment_status={status}")))

    assert ids("paid") == {paid.pk}
    assert ids("partial") == {partial.pk, partly_overdue.pk}
    assert {due.pk, overdue.pk} <= ids("due")
    assert ids("overdue") == {overdue.pk, partly_overdue.pk}
    shown = {row["id"]: row["payment_status"] for row in api.get(SELLS).json()["data"]}
    assert (shown[overdue.pk], shown[partly_overdue.pk], shown[due.pk]) == ("overdue", "partial-overdue", "due")
    assert_validation_error(api.get(f"{SELLS}?payment_status=late"), "payment_status")


def test_status_is_direct_sale_and_only_shipments_filters(api, world):
    final = sell(world)
    draft = sell(world, status="draft")
    quotation = sell(world, status="quotation")
    not_direct = sell(world, is_direct_sale=False)
    shipped = sell(world, shipping_charges=Decimal("3.00"))

    assert set(row_ids(api.get(f"{SELLS}?status=draft"))) == {draft.pk}
    assert set(row_ids(api.get(f"{SELLS}?status=quotation"))) == {quotation.pk}
    assert set(row_ids(api.get(f"{SELLS}?is_direct_sale=false"))) == {not_direct.pk}
    assert not_direct.pk not in row_ids(api.get(f"{SELLS}?is_direct_sale=true"))
    assert set(row_ids(api.get(f"{SELLS}?only_shipments=true"))) == {shipped.pk}
    assert final.pk in row_ids(api.get(f"{SELLS}?only_shipments=false"))
    assert_validation_error(api.get(f"{SELLS}?status=received"), "status")


def test_q_matches_invoice_no_contact_name_and_numeric_id(api, business, world):
    named = sell(world, customer=make_customer(business, name="Zelda Quux"))
    typed = sell(world, invoice_no="SPECIAL-77")
    plain = sell(world)

    assert row_ids(api.get(f"{SELLS}?q=zelda")) == [named.pk]
    assert row_ids(api.get(f"{SELLS}?q=cial-7")) == [typed.pk]
    assert plain.pk in row_ids(api.get(f"{SELLS}?q={plain.pk:02d}"))
    assert_validation_error(api.get(f"{SELLS}?q=z"), "q")


# --- pagination and downloads ---------------------------------------------------------------------------


def test_pagination_and_per_page_bounds(api, world):
    made = [sell(world, transaction_date=at(f"2026-01-{day:02d} 10:00")).pk for day in range(1, 6)]

    page = api.get(f"{SELLS}?per_page=2&page=2").json()

    assert [r["id"] for r in page["data"]] == made[::-1][2:4]
    assert page["meta"] == {"current_page": 2, "last_page": 3, "per_page": 2, "total": 5}
    for bad in ("0", "101"):
        assert_validation_error(api.get(f"{SELLS}?per_page={bad}"), "per_page")
    assert api.get(f"{SELLS}?per_page=100").json()["meta"]["per_page"] == 100


def test_csv_holds_every_row_with_bom_and_encoded_nested_values(api, business, world):
    made = [sell(world).pk for _ in range(22)]
    made_first = sell(world, transaction_date=at("2020-01-01 00:00"))

    response = api.get(f"{SELLS}?format=csv&per_page=5")

    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="sells-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert set(rows[0]) == set(SELL_ROW)
    assert {int(r["id"]) for r in rows} == {*made, made_first.pk}
    assert int(rows[-1]["id"]) == made_first.pk  # newest first, like the JSON list
    assert json.loads(rows[-1]["contact"])["id"] == world.customer.pk
    assert rows[-1]["transaction_date"] == "2020-01-01T00:00:00+00:00"
    assert rows[-1]["final_total"] == "10.0000"


def test_xlsx_holds_every_row(api, world):
    made = [sell(world).pk for _ in range(3)]

    response = api.get(f"{SELLS}?format=xlsx&per_page=1")

    assert response.status_code == 200
    assert set(row_ids(response)) == set(made)
    assert set(download_rows(response)[0]) == set(SELL_ROW)


def test_downloads_apply_the_filters(api, world):
    draft = sell(world, status="draft")
    sell(world)

    assert row_ids(api.get(f"{SELLS}?format=csv&status=draft")) == [draft.pk]
    assert row_ids(api.get(f"{SELLS}?format=xlsx&status=draft")) == [draft.pk]


# --- detail ---------------------------------------------------------------------------------------------


def test_detail_adds_lines_and_payments(api, world):
    made = sell(
        world, quantity="2", price="7.25", payments=[cash("5"), cash("1.50", method="cheque", cheque_number="C1")]
    )

    response = api.get(f"{SELLS}/{made.pk}")

    assert response.status_code == 200
    assert_matches_schema(response)
    data = body(response)["data"]
    assert set(data) == {*SELL_ROW, *DETAIL_EXTRA, "lines", "payments"}
    assert [list(line) for line in data["lines"]] == [SELL_LINE]
    assert data["lines"][0]["line_total"] == Decimal("14.5")
    assert [(p["amount"], p["method"], p["method_label"], p["cheque_number"]) for p in data["payments"]] == [
        (Decimal("5"), "cash", "Cash", None),
        (Decimal("1.5"), "cheque", "Cheque", "C1"),
    ]
    assert (data["total_paid"], data["payment_status"]) == (Decimal("6.5"), "partial")


def test_detail_csv_is_one_data_json_row(api, business, world):
    made = sell(world)
    as_json = api.get(f"{SELLS}/{made.pk}").json()["data"]

    response = api.get(f"{SELLS}/{made.pk}?format=csv")

    assert f'filename="sell-{made.pk}-{business.pk}-' in response["Content-Disposition"]
    [row] = download_rows(response)
    assert list(row) == ["data_json"]
    assert json.loads(row["data_json"]) == as_json


@pytest.mark.parametrize("route", ["sells", "purchases"])
def test_detail_format_refusal_is_documented(api, world, route):
    document = sell(world) if route == "sells" else world.purchase

    response = api.get(f"{BASE}/{route}/{document.pk}?format=xlsx")

    assert_validation_error(response, "format")
    assert_matches_schema(response)


def test_detail_of_a_purchase_or_unknown_id_is_404(api, world):
    for url in (f"{SELLS}/{world.purchase.pk}", f"{SELLS}/99999999", f"{SELLS}/{world.purchase.pk}?format=csv"):
        assert_not_found(api, "get", url)
    assert_matches_schema(api.get(f"{SELLS}/99999999"))


def test_return_exists_after_a_return(api, world):
    made = sell(world, quantity="2")
    api.post(
        f"{SELLS}/{made.pk}/return",
        {"lines": [{"sell_line_id": made.sell_lines.get().pk, "quantity": 1}]},
        format="json",
    )

    assert api.get(f"{SELLS}/{made.pk}").json()["data"]["return_exists"] is True
    assert row_ids(api.get(SELLS)) == [made.pk]  # the return is not a sell row
    assert Transaction.objects.filter(return_parent=made).count() == 1
