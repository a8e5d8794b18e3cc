"""GET /accounts and GET /accounts/{id} (payment-accounts-api "List payment accounts", "Get payment account";
RULES §9): PaymentAccountListItem rows with their balance (Σ credit − Σ debit), type hierarchy and detail rows,
ordered by id; is_closed and q/search filters; pagination; csv with every row; the detail with created_by and its
data_json csv."""

import json
import re
from decimal import Decimal

import pytest

from accounts.tests.builders import (
    ACCOUNT_DETAIL,
    ACCOUNT_ITEM,
    ACCOUNTS,
    PAGE_META,
    account_url,
    make_account,
    make_account_type,
    moment,
    move,
    open_books,
    put_in,
)
from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import download_rows


@pytest.fixture
def books(business, admin_user):
    return open_books(business, admin_user)


def listed(client, query: str = "") -> dict:
    response = client.get(ACCOUNTS + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def test_the_list_shows_every_account_by_id_with_its_balance(api, books):
    payload = listed(api)

    assert list(payload) == ["data", "meta"]
    assert all(list(row) == ACCOUNT_ITEM for row in payload["data"])
    assert [(r["id"], r["name"], r["account_number"], r["balance"]) for r in payload["data"]] == [
        (books.bank.pk, "Main Bank", "BNK-001", Decimal("1000")),
        (books.till.pk, "Shop Till", "TIL-001", Decimal("50")),
        (books.safe.pk, "Depot Safe", "SAF-001", Decimal("300")),
        (books.vault.pk, "Head Office Vault", "VLT-001", Decimal("0")),
    ]
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 4}


def test_the_balance_is_credits_minus_debits_of_every_movement(api, books):
    b, u = books.business, books.user
    put_in(b, u, books.vault, "80.25", when=moment(2026, 2, 1))
    put_in(b, u, books.till, "30", when=moment(2026, 2, 2), from_account=books.bank)
    move(b, u, books.bank, books.vault, "100.50", when=moment(2026, 2, 3))
    make_account(b, u, "Overdraft", "OD-1", opening="-75.40")

    balances = {row["name"]: row["balance"] for row in listed(api)["data"]}

    assert balances == {
        "Main Bank": Decimal("869.5"),  # 1000 − 30 − 100.50
        "Shop Till": Decimal("80"),
        "Depot Safe": Decimal("300"),
        "Head Office Vault": Decimal("180.75"),
        "Overdraft": Decimal("-75.4"),  # a negative opening balance is a debit
    }


def test_a_row_carries_its_type_with_its_parent_and_its_detail_rows(api, business, books):
    assets = make_account_type(business, "Assets")
    current = make_account_type(business, "Current assets", parent=assets)
    typed = make_account(
        business,
        books.user,
        "Petty Cash",
        "PC-1",
        account_type=current,
        note="Front desk",
        details=[{"label": "IBAN", "value": "DE44 5001"}, {"label": "Branch", "value": "Main St"}],
    )
    top = make_account(business, books.user, "Reserve", "RS-1", account_type=assets)

    rows = {row["id"]: row for row in listed(api)["data"]}

    assert rows[typed.pk]["account_type"] == {
        "id": current.pk,
        "name": "Current assets",
        "parent": {"id": assets.pk, "name": "Assets"},
    }
    assert rows[typed.pk]["account_details"] == [
        {"label": "IBAN", "value": "DE44 5001"},
        {"label": "Branch", "value": "Main St"},
    ]
    assert (rows[typed.pk]["note"], rows[typed.pk]["is_closed"]) == ("Front desk", False)
    assert rows[top.pk]["account_type"] == {"id": assets.pk, "name": "Assets", "parent": None}
    assert (rows[books.bank.pk]["account_type"], rows[books.bank.pk]["account_details"]) == (None, None)


def test_is_closed_keeps_open_or_closed_accounts(api, business, books):
    old = make_account(business, books.user, "Old Bank", "OLD-1", opening="12", closed=True)

    assert [r["id"] for r in listed(api, "is_closed=1")["data"]] == [old.pk]
    assert [r["id"] for r in listed(api, "is_closed=0")["data"]] == [a.pk for a in books.accounts]
    assert len(listed(api)["data"]) == 5  # closed accounts are listed without the filter
    assert listed(api, "is_closed=1")["data"][0]["is_closed"] is True


@pytest.mark.parametrize("param", ["q", "search"])
def test_q_and_search_match_the_name_or_the_account_number(api, books, param):
    assert [r["id"] for r in listed(api, f"{param}=bank")["data"]] == [books.bank.pk]
    assert [r["id"] for r in listed(api, f"{param}=til-0")["data"]] == [books.till.pk]
    assert [r["id"] for r in listed(api, f"{param}=001")["data"]] == [a.pk for a in books.accounts]
    assert listed(api, f"{param}=nothing-like-it")["data"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=b", "q"),
        ("search=b", "search"),
        ("is_closed=2", "is_closed"),
        ("is_closed=true", "is_closed"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("format=pdf", "format"),
    ],
)
def test_a_bad_query_string_is_422(api, books, query, field):
    response = api.get(f"{ACCOUNTS}?{query}")

    assert_validation_error(response, field)
    assert_matches_schema(response)


def test_pages_carry_the_paginator_meta(api, books):
    payload = listed(api, "per_page=3&page=2")

    assert [r["id"] for r in payload["data"]] == [books.vault.pk]
    assert list(payload["meta"]) == PAGE_META
    assert payload["meta"] == {"current_page": 2, "last_page": 2, "per_page": 3, "total": 4}
    assert listed(api, "per_page=3&page=5")["data"] == []


def test_the_csv_holds_every_row_with_a_bom_and_json_encoded_nested_values(api, business, books):
    assets = make_account_type(business, "Assets")
    make_account(
        business, books.user, "=HYPERLINK(1)", "X-1", account_type=assets, details=[{"label": "IBAN", "value": "DE"}]
    )

    response = api.get(f"{ACCOUNTS}?format=csv&per_page=1&page=2")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        rf'attachment; filename="payment-accounts-{business.pk}-\d{{14}}\.csv"', response["Content-Disposition"]
    )
    rows = download_rows(response)  # checks the BOM
    assert list(rows[0]) == ACCOUNT_ITEM
    assert [r["name"] for r in rows] == ["Main Bank", "Shop Till", "Depot Safe", "Head Office Vault", "'=HYPERLINK(1)"]
    assert (rows[0]["balance"], rows[0]["is_closed"], rows[0]["account_type"], rows[0]["note"]) == (
        "1000.0000",
        "false",
        "",
        "",
    )
    assert json.loads(rows[4]["account_type"]) == {"id": assets.pk, "name": "Assets", "parent": None}
    assert json.loads(rows[4]["account_details"]) == [{"label": "IBAN", "value": "DE"}]


def test_the_csv_keeps_the_filters(api, books):
    rows = download_rows(api.get(f"{ACCOUNTS}?format=csv&q=safe"))

    assert [int(r["id"]) for r in rows] == [books.safe.pk]


# --- GET /accounts/{id} -----------------------------------------------------------------------------------------


def test_the_detail_is_the_list_row_plus_created_by(api, business, books, admin_user):
    response = api.get(account_url(books.bank))

    assert response.status_code == 200
    assert_matches_schema(response)
    payload = body(response)
    assert list(payload) == ["data"]
    assert list(payload["data"]) == ACCOUNT_DETAIL
    assert payload["data"] == {
        "id": books.bank.pk,
        "name": "Main Bank",
        "account_number": "BNK-001",
        "note": None,
        "is_closed": False,
        "balance": Decimal("1000"),
        "account_type": None,
        "account_details": None,
        "created_by": admin_user.pk,
    }
    row = next(r for r in listed(api)["data"] if r["id"] == books.bank.pk)
    assert {k: v for k, v in payload["data"].items() if k != "created_by"} == row


def test_a_closed_account_is_still_readable(api, business, books):
    old = make_account(business, books.user, "Old Bank", "OLD-1", opening="12", closed=True)

    payload = body(api.get(account_url(old)))

    assert (payload["data"]["is_closed"], payload["data"]["balance"]) == (True, Decimal("12"))


def test_the_detail_csv_is_one_data_json_row(api, business, books):
    expected = api.get(account_url(books.till)).json()["data"]

    response = api.get(account_url(books.till) + "?format=csv")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert re.fullmatch(
        rf'attachment; filename="payment-account-{books.till.pk}-{business.pk}-\d{{14}}\.csv"',
        response["Content-Disposition"],
    )
    rows = download_rows(response)
    assert len(rows) == 1 and list(rows[0]) == ["data_json"]
    assert json.loads(rows[0]["data_json"]) == expected


def test_an_unknown_account_is_404(api, books):
    assert_not_found(api, "get", account_url(books.vault.pk + 1000))
    response = api.get(account_url(books.vault.pk + 1000))
    assert_matches_schema(response)


def test_a_bad_detail_format_is_422(api, books):
    response = api.get(account_url(books.bank) + "?format=xlsx")

    assert_validation_error(response, "format")
    assert_matches_schema(response)
