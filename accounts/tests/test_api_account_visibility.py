"""Which accounts a user sees (RULES §1, §9; payment-accounts-api "Visibility"): admins and users with
access_all_locations see every account; others only the accounts enabled in default_payment_accounts
({method: {is_enabled, account_id}}) of their permitted locations — the same set in the list and its csv, the
detail, the ledger, the writes (404), deposits and transfers (404 Account not found), and the reports' balances and
cash-flow rows."""

from decimal import Decimal

import pytest

from accounts.tests.builders import (
    ACCOUNT_NOT_FOUND,
    ACCOUNTS,
    BALANCE_SHEET,
    CASH_FLOW,
    DEPOSIT,
    TRANSFER,
    TRIAL_BALANCE,
    account_url,
    books_footprint,
    enable_on,
    make_account,
    moment,
    open_books,
    put_in,
)
from contacts.tests.helpers import body
from core.tests.matrix import assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import download_rows

MOVE = {"amount": "1", "operation_date": "2026-03-04"}


@pytest.fixture
def books(business, admin_user):
    books = open_books(business, admin_user)
    put_in(business, admin_user, books.vault, "40", when=moment(2026, 2, 1), from_account=books.safe)
    return books


def visible(client) -> list[int]:
    response = client.get(f"{ACCOUNTS}?per_page=100")
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["data"]]


def names(books, *accounts) -> list[int]:
    return [getattr(books, name).pk for name in accounts]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ({"admin": True}, ["bank", "till", "safe", "vault"]),
        ({"all_locations": True}, ["bank", "till", "safe", "vault"]),
        ({"locations": ["shop"]}, ["bank", "till"]),
        ({"locations": ["depot"]}, ["safe"]),
        ({"locations": ["shop", "depot"]}, ["bank", "till", "safe"]),
        ({}, []),  # no permitted location: no account
    ],
)
def test_the_list_and_its_csv_show_the_accounts_of_the_users_locations(actors, books, who, expected):
    if "locations" in who:
        who = {"locations": [getattr(books, name) for name in who["locations"]]}
    client = actors.client(*(() if who.get("admin") else ("account.access",)), **who)

    assert visible(client) == names(books, *expected)
    assert [int(r["id"]) for r in download_rows(client.get(f"{ACCOUNTS}?format=csv"))] == names(books, *expected)


@pytest.mark.parametrize(
    ("setting", "seen"),
    [
        ({"is_enabled": 1}, True),
        ({"is_enabled": "1"}, True),
        ({"is_enabled": True}, True),
        ({"is_enabled": 0}, False),
        ({"is_enabled": "0"}, False),
        ({"is_enabled": False}, False),
        ({}, False),
    ],
)
def test_only_enabled_entries_count(actors, books, setting, seen):
    clerk = actors.client("account.access", locations=[books.depot])
    books.depot.default_payment_accounts = {
        **books.depot.default_payment_accounts,
        "cheque": {**setting, "account_id": str(books.vault.pk)},  # ids may be stored as text
    }
    books.depot.save()

    assert (books.vault.pk in visible(clerk)) is seen


def test_an_account_of_another_business_named_in_a_location_stays_invisible(actors, other_business, books):
    theirs = make_account(other_business, None, "Their Bank", "THR-1", opening="900")
    enable_on(books.depot, theirs, method="bank_transfer")
    clerk = actors.client("account.access", locations=[books.depot])

    assert visible(clerk) == [books.safe.pk]
    assert_not_found(clerk, "get", account_url(theirs))


def test_visibility_follows_the_location_settings(actors, books):
    clerk = actors.client("account.access", locations=[books.shop])
    enable_on(books.shop, books.vault, method="bank_transfer")
    assert books.vault.pk in visible(clerk)

    enable_on(books.shop, books.vault, method="bank_transfer", enabled=False)
    assert books.vault.pk not in visible(clerk)


# --- hidden accounts on the object routes: 404 ----------------------------------------------------------------------


@pytest.fixture
def clerk(actors, books):
    """A shop user: sees the bank and the till, not the safe (depot) nor the vault (nowhere)."""
    return actors.client("account.access", locations=[books.shop])


@pytest.mark.parametrize("hidden", ["safe", "vault"])
def test_a_hidden_account_is_404_on_its_routes_and_nothing_changes(clerk, business, books, hidden):
    account = getattr(books, hidden)
    before = books_footprint(business)

    for method, url, data in (
        ("get", account_url(account), None),
        ("get", account_url(account) + "?format=csv", None),
        ("get", account_url(account, "transactions"), None),
        ("get", account_url(account, "transactions") + "?format=csv", None),
        ("patch", account_url(account), {"name": "Mine"}),
        ("put", account_url(account), {"name": "Mine"}),
        ("post", account_url(account, "close"), None),
    ):
        assert_not_found(clerk, method, url, data)
    assert_matches_schema(clerk.get(account_url(account)))
    assert books_footprint(business) == before


def test_a_visible_account_answers_on_its_routes(clerk, books):
    for url in (account_url(books.till), account_url(books.till, "transactions")):
        assert clerk.get(url).status_code == 200
    assert clerk.patch(account_url(books.till), {"note": "ok"}, format="json").status_code == 200
    assert clerk.post(account_url(books.till, "close")).status_code == 200


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (DEPOSIT, {"account_id": "safe"}),
        (DEPOSIT, {"account_id": "till", "from_account_id": "vault"}),
        (TRANSFER, {"from_account_id": "safe", "to_account_id": "till"}),
        (TRANSFER, {"from_account_id": "bank", "to_account_id": "vault"}),
    ],
)
def test_a_hidden_account_takes_no_deposit_or_transfer(clerk, business, books, url, payload):
    before = books_footprint(business)

    response = clerk.post(url, {**{k: getattr(books, v).pk for k, v in payload.items()}, **MOVE}, format="json")

    assert response.status_code == 404, response.content[:300]
    assert response.json() == ACCOUNT_NOT_FOUND
    assert_matches_schema(response)
    assert books_footprint(business) == before


def test_visible_accounts_take_deposits_and_transfers(clerk, books):
    deposit = clerk.post(
        DEPOSIT, {"account_id": books.till.pk, "from_account_id": books.bank.pk, **MOVE}, format="json"
    )
    transfer = clerk.post(
        TRANSFER, {"from_account_id": books.till.pk, "to_account_id": books.bank.pk, **MOVE}, format="json"
    )

    assert (deposit.status_code, transfer.status_code) == (201, 201)


# --- reports --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [BALANCE_SHEET, TRIAL_BALANCE])
def test_summary_reports_hold_the_visible_accounts_only(clerk, books, url):
    data = body(clerk.get(url))["data"]

    assert [row["id"] for row in data["accounts"]] == [books.bank.pk, books.till.pk]
    assert data["account_balances"] == {"Main Bank": Decimal("1000"), "Shop Till": Decimal("50")}
    fields = {r["field"] for r in download_rows(clerk.get(f"{url}?format=csv")) if r["section"] != "summary"}
    assert fields == {
        "Main Bank",
        "Shop Till",
        f"{books.bank.pk}: Main Bank (BNK-001)",
        f"{books.till.pk}: Shop Till (TIL-001)",
    }


def test_the_trial_balance_debit_side_counts_the_visible_accounts_only(clerk, api, books):
    mine, everything = body(clerk.get(TRIAL_BALANCE))["data"], body(api.get(TRIAL_BALANCE))["data"]

    assert mine["debit_total"] == mine["customer_due"] + Decimal("1050")
    assert everything["debit_total"] == everything["customer_due"] + Decimal("1350")


def test_the_cash_flow_holds_the_visible_accounts_rows_and_combines_them_only(clerk, books):
    rows = body(clerk.get(CASH_FLOW))["data"]

    assert [(r["account_id"], r["account_balance_after"], r["combined_balance_after"]) for r in rows] == [
        (books.bank.pk, Decimal("1000"), Decimal("1000")),
        (books.till.pk, Decimal("50"), Decimal("1050")),
    ]
    csv_rows = download_rows(clerk.get(f"{CASH_FLOW}?format=csv"))
    assert {int(r["account_id"]) for r in csv_rows} == {books.bank.pk, books.till.pk}
    assert body(clerk.get(f"{CASH_FLOW}?account_id={books.safe.pk}"))["data"] == []


def test_the_depot_user_sees_the_safe_and_its_movements(actors, books):
    depot_clerk = actors.client("account.access", locations=[books.depot])

    rows = body(depot_clerk.get(CASH_FLOW))["data"]

    assert [(r["account_id"], r["type"], r["account_balance_after"]) for r in rows] == [
        (books.safe.pk, "credit", Decimal("300")),
        (books.safe.pk, "debit", Decimal("260")),  # the deposit into the vault, whose leg stays hidden
    ]
