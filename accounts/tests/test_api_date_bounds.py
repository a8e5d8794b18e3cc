"""Dates the API accepts (RULES §10: `Y-m-d` or `Y-m-d H:i:s`), and the years it refuses: a date filter or a
movement date outside 1900-01-01 … 9998-12-31 is a 422 naming the field, never a 500 from a date that cannot be
turned into the day's bounds or into UTC, and nothing is written."""

import pytest

from accounts.tests.builders import (
    BALANCE_SHEET,
    CASH_FLOW,
    DEPOSIT,
    PAYMENT_REPORT,
    TRANSFER,
    TRIAL_BALANCE,
    account_url,
    assert_invalid,
    books_footprint,
    open_books,
)
from contacts.tests.helpers import body
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import footprint

OUT_OF_RANGE = "Dates must lie between 1900-01-01 and 9998-12-31."


@pytest.fixture
def books(business, admin_user):
    return open_books(business, admin_user)


def date_range_urls(books) -> list[str]:
    return [
        account_url(books.bank, "transactions"),
        CASH_FLOW,
        PAYMENT_REPORT,
        f"/api/v1/integration/contacts/{books.customer.pk}/ledger",
        f"/api/v1/integration/contacts/{books.customer.pk}/payments",
        f"/api/v1/integration/contacts/{books.customer.pk}/ledger-discounts",
        "/api/v1/integration/ledger-discounts",
        "/api/v1/integration/sells",
        "/api/v1/integration/purchases",
        f"/api/v1/integration/contacts/{books.customer.pk}/sells",
    ]


@pytest.mark.parametrize(("start", "end"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "2026-01-01")])
def test_a_date_range_outside_the_supported_years_is_422(api, books, start, end):
    for url in date_range_urls(books):
        response = api.get(url, {"start_date": start, "end_date": end})

        data = assert_invalid(response, "start_date" if start.startswith("0") else "end_date")
        assert OUT_OF_RANGE in str(data["errors"]), url
        assert_matches_schema(response)


@pytest.mark.parametrize("url", [BALANCE_SHEET, TRIAL_BALANCE])
def test_an_end_date_outside_the_supported_years_is_422(api, books, url):
    response = api.get(url, {"end_date": "9999-12-31"})

    assert assert_invalid(response, "end_date")["errors"]["end_date"] == [OUT_OF_RANGE]
    assert_matches_schema(response)


def test_a_date_filter_may_carry_a_time_which_is_ignored(api, books):
    """RULES §10: API input dates are `Y-m-d` or `Y-m-d H:i:s`; a filter is by whole days."""
    url = account_url(books.bank, "transactions")

    with_time = api.get(url, {"start_date": "2026-01-01 13:45:00", "end_date": "2026-12-31 00:00:00"})
    plain = api.get(url, {"start_date": "2026-01-01", "end_date": "2026-12-31"})

    assert with_time.status_code == 200, with_time.content[:300]
    assert body(with_time)["data"]["lines"] == body(plain)["data"]["lines"]
    assert body(with_time)["data"]["lines"], "an empty ledger proves nothing"
    sheet = api.get(BALANCE_SHEET, {"end_date": "2026-12-31 23:59:59"})
    assert sheet.status_code == 200 and body(sheet)["data"]["end_date"] == "2026-12-31"


@pytest.mark.parametrize("when", ["0001-01-01", "1899-12-31 23:59:59", "9999-12-31 23:59:59", "9999-12-31"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_a_movement_dated_outside_the_supported_years_is_422_and_writes_nothing(api, business, books, when, zone):
    business.time_zone = zone
    business.save()
    before = books_footprint(business)
    payloads = {
        DEPOSIT: {"account_id": books.till.pk, "amount": "10", "operation_date": when},
        TRANSFER: {
            "from_account_id": books.bank.pk,
            "to_account_id": books.till.pk,
            "amount": "10",
            "operation_date": when,
        },
    }
    for url, payload in payloads.items():
        response = api.post(url, payload, format="json")

        assert assert_invalid(response, "operation_date")["errors"]["operation_date"] == [OUT_OF_RANGE]
        assert_matches_schema(response)
    assert books_footprint(business) == before


def test_a_sell_dated_outside_the_supported_years_is_422_and_writes_nothing(api, business, books):
    business.time_zone = "Asia/Tokyo"
    business.save()
    before = footprint(business)
    response = api.post(
        "/api/v1/integration/sells",
        {
            "contact_id": books.customer.pk,
            "location_id": books.shop.pk,
            "transaction_date": "0001-01-01",
            "lines": [{"variation_id": books.trade.variation.pk, "quantity": "1", "unit_price": "10"}],
        },
        format="json",
    )

    assert assert_invalid(response, "transaction_date")["errors"]["transaction_date"] == [OUT_OF_RANGE]
    assert footprint(business) == before


def test_a_cash_flow_page_far_past_the_end_is_empty(api, books):
    response = api.get(CASH_FLOW, {"page": 10**30, "per_page": 100})

    assert response.status_code == 200, response.content[:300]
    assert body(response)["data"] == []
    assert body(response)["meta"]["total"] > 0


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31 23:59:59"])
def test_money_owed_writes_dated_outside_the_supported_years_are_422_and_write_nothing(api, business, books, when):
    business.time_zone = "Asia/Tokyo" if when.startswith("0") else "America/New_York"
    business.save()
    before = books_footprint(business)
    writes = {
        f"/api/v1/integration/contacts/{books.customer.pk}/payments": (
            {"amount": "5", "method": "cash", "paid_on": when},
            "paid_on",
        ),
        "/api/v1/integration/ledger-discounts": (
            {"contact_id": books.customer.pk, "date": when, "amount": "5"},
            "date",
        ),
    }
    for url, (payload, field) in writes.items():
        response = api.post(url, payload, format="json")

        assert assert_invalid(response, field)["errors"][field] == [OUT_OF_RANGE], url
        assert_matches_schema(response)
    assert books_footprint(business) == before
