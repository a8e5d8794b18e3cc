"""Who may call the payment-accounts routes (payment-accounts-api; ARCHITECTURE rules 1, 3, 11; RULES §1, §9): the
shared permission matrix on every route (account.access, or a business admin; nothing else), the `account` module
switch, demo mode on the writes, credentials, and another business's ids: 404 everywhere, never in lists, csv or
reports."""

import json
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.api.urls import urlpatterns as account_routes
from accounts.models import Account, AccountTransaction
from accounts.tests.builders import (
    ACCOUNT_NOT_FOUND,
    ACCOUNTS,
    BALANCE_SHEET,
    CASH_FLOW,
    DEMO,
    DEPOSIT,
    LOCATION_NOT_FOUND,
    MODULE_OFF,
    PAYMENT_REPORT,
    TRANSFER,
    TRIAL_BALANCE,
    account_url,
    books_footprint,
    enable_on,
    make_account,
    moment,
    open_books,
    pay_due,
)
from core.permissions import ALL_PERMISSIONS
from core.services.business import business_settings_update
from core.tests.matrix import assert_not_found, assert_unauthorized, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.models import TransactionPayment
from ledger.tests.builders import download_rows

ALLOWED = [("account.access",), ("account.access", "access_all_locations")]
EVERYTHING_BUT = tuple(sorted(ALL_PERMISSIONS - {"account.access"}))
DENIED = [(), ("access_all_locations",), EVERYTHING_BUT]
MOVE = {"amount": "1", "operation_date": "2026-03-04"}


@dataclass
class Route:
    name: str
    route: tuple[str, str]  # (url pattern, method): what the coverage test checks
    url: object  # (books, user) -> url
    ok: int
    data: object = None  # (books, user) -> body
    writes: bool = False  # refused in demo mode


def at_the_shop(books, user):
    """A restricted user works at the shop, where the bank (card) and the till (cash) are enabled."""
    if user.permitted_location_ids() is not None:
        user.permitted_locations.add(books.shop)
    return user


def fresh_account(books, user):
    """A new open account the user can see (for the routes that close their target)."""
    account = make_account(books.business, books.user, "Fresh", "FR-1")
    enable_on(books.shop, account, method="cheque")
    return account


CASES = [
    Route("list", ("accounts", "get"), lambda b, u: ACCOUNTS, 200),
    Route("list csv", ("accounts", "get"), lambda b, u: f"{ACCOUNTS}?format=csv", 200),
    Route(
        "create",
        ("accounts", "post"),
        lambda b, u: ACCOUNTS,
        201,
        lambda b, u: {"name": "New", "account_number": "N-1", "opening_balance": "5"},
        writes=True,
    ),
    Route("detail", ("accounts/<id:pk>", "get"), lambda b, u: account_url(b.till), 200),
    Route("detail csv", ("accounts/<id:pk>", "get"), lambda b, u: account_url(b.till) + "?format=csv", 200),
    Route(
        "patch",
        ("accounts/<id:pk>", "patch"),
        lambda b, u: account_url(b.till),
        200,
        lambda b, u: {"note": "patched"},
        writes=True,
    ),
    Route(
        "put",
        ("accounts/<id:pk>", "put"),
        lambda b, u: account_url(b.till),
        200,
        lambda b, u: {"name": "Till", "account_number": "TIL-001"},
        writes=True,
    ),
    Route(
        "close",
        ("accounts/<id:pk>/close", "post"),
        lambda b, u: account_url(fresh_account(b, u), "close"),
        200,
        writes=True,
    ),
    Route(
        "ledger",
        ("accounts/<id:pk>/transactions", "get"),
        lambda b, u: account_url(b.bank, "transactions") + "?start_date=2026-01-01&end_date=2026-12-31",
        200,
    ),
    Route(
        "ledger csv",
        ("accounts/<id:pk>/transactions", "get"),
        lambda b, u: account_url(b.bank, "transactions") + "?format=csv",
        200,
    ),
    Route(
        "deposit",
        ("accounts/deposit", "post"),
        lambda b, u: DEPOSIT,
        201,
        lambda b, u: {"account_id": b.till.pk, "from_account_id": b.bank.pk, **MOVE},
        writes=True,
    ),
    Route(
        "fund transfer",
        ("accounts/fund-transfer", "post"),
        lambda b, u: TRANSFER,
        201,
        lambda b, u: {"from_account_id": b.bank.pk, "to_account_id": b.till.pk, **MOVE},
        writes=True,
    ),
    Route("balance sheet", ("accounts/reports/balance-sheet", "get"), lambda b, u: BALANCE_SHEET, 200),
    Route(
        "balance sheet csv", ("accounts/reports/balance-sheet", "get"), lambda b, u: f"{BALANCE_SHEET}?format=csv", 200
    ),
    Route("trial balance", ("accounts/reports/trial-balance", "get"), lambda b, u: TRIAL_BALANCE, 200),
    Route("cash flow", ("accounts/reports/cash-flow", "get"), lambda b, u: CASH_FLOW, 200),
    Route("cash flow csv", ("accounts/reports/cash-flow", "get"), lambda b, u: f"{CASH_FLOW}?format=csv", 200),
    Route(
        "payment account report", ("accounts/reports/payment-account-report", "get"), lambda b, u: PAYMENT_REPORT, 200
    ),
]
WRITES = [case for case in CASES if case.writes]
READS = [case for case in CASES if not case.writes]


@pytest.fixture
def books(business, admin_user):
    books = open_books(business, admin_user)
    pay_due(business, admin_user, books.customer, "5", paid_on=moment(2026, 2, 1), account=books.till)
    return books


def prepare(case, books, user) -> tuple[str, object]:
    """(url, body) of a case for a user; the close route makes its target here, so take footprints after."""
    return case.url(books, user), case.data(books, user) if case.data else None


def send(client, case, prepared):
    url, data = prepared
    return getattr(client, case.route[1])(url, data=data, format="json")


def call(client, case, books, user=None):
    return send(client, case, prepare(case, books, user or client.user))


def test_every_accounts_route_is_in_the_matrix():
    routes = {
        (str(pattern.pattern), method)
        for pattern in account_routes
        for method in pattern.callback.actions
        if method != "head"  # DRF answers HEAD wherever there is a GET
    }

    assert routes == {case.route for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(actors, books, case):
    check_permissions(
        actors,
        case.route[1],
        lambda user: case.url(books, at_the_shop(books, user)),
        data=(lambda user: case.data(books, user)) if case.data else None,
        allowed=ALLOWED,
        denied=DENIED,
        ok=case.ok,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_business_admin_passes_every_route(api, books, case):
    response = call(api, case, books)

    assert response.status_code == case.ok, (case.name, response.status_code, response.content[:300])
    assert_matches_schema(response)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_route_needs_credentials(business, books, case):
    prepared = prepare(case, books, books.user)
    before = books_footprint(business)

    response = send(APIClient(), case, prepared)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert_matches_schema(response)
    assert books_footprint(business) == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_refusals_match_the_schema_and_write_nothing(actors, business, books, case):
    client = actors.client("sell.view", "customer.view", "access_all_locations")
    prepared = prepare(case, books, client.user)
    before = books_footprint(business)

    response = send(client, case, prepared)

    assert_unauthorized(response)
    assert_matches_schema(response)
    assert books_footprint(business) == before


# --- the account module and demo mode ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_without_the_account_module_every_route_is_403(actors, business, books, case):
    business_settings_update(business=business, disable_modules=["account"])
    clients = [actors.client(admin=True), actors.client("account.access", all_locations=True)]
    prepared = [prepare(case, books, client.user) for client in clients]
    before = books_footprint(business)

    for client, (url, data) in zip(clients, prepared, strict=True):
        response = send(client, case, (url, data))
        assert response.status_code == 403, (case.name, response.status_code, response.content[:300])
        assert response.json() == MODULE_OFF
        assert_matches_schema(response)
    assert books_footprint(business) == before


@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.name)
def test_demo_mode_refuses_every_write(settings, api, business, books, case):
    settings.ERP_DEMO_MODE = True
    prepared = prepare(case, books, api.user)
    before = books_footprint(business)

    response = send(api, case, prepared)

    assert response.status_code == 403
    assert response.json() == DEMO
    assert_matches_schema(response)
    assert books_footprint(business) == before


@pytest.mark.parametrize("case", READS, ids=lambda case: case.name)
def test_demo_mode_still_reads(settings, api, books, case):
    settings.ERP_DEMO_MODE = True

    assert call(api, case, books).status_code == case.ok


# --- another business -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "put"])
def test_another_business_account_is_404(other_actors, business, other_business, books, method):
    business_settings_update(business=other_business, enable_modules=["account"])
    stranger = other_actors.client(admin=True)
    before = books_footprint(business)

    for account in books.accounts:
        assert_not_found(stranger, method, account_url(account), {"name": "Mine now"})
        assert_not_found(stranger, "get", account_url(account, "transactions"))
        assert_not_found(stranger, "get", account_url(account) + "?format=csv")
    response = stranger.get(account_url(books.bank))
    assert_matches_schema(response)
    assert books_footprint(business) == before


def test_closing_another_business_account_is_404(other_actors, business, other_business, books):
    business_settings_update(business=other_business, enable_modules=["account"])
    stranger = other_actors.client(admin=True)
    before = books_footprint(business)

    assert_not_found(stranger, "post", account_url(books.till, "close"))
    assert books_footprint(business) == before


def test_another_business_cannot_move_our_money(other_actors, business, other_business, books):
    them = open_books(other_business, other_actors.user(admin=True))
    stranger = other_actors.client(admin=True)
    before, their_before = books_footprint(business), books_footprint(other_business)

    for url, payload in (
        (DEPOSIT, {"account_id": books.till.pk}),
        (DEPOSIT, {"account_id": them.till.pk, "from_account_id": books.bank.pk}),
        (TRANSFER, {"from_account_id": books.bank.pk, "to_account_id": them.till.pk}),
        (TRANSFER, {"from_account_id": them.bank.pk, "to_account_id": books.till.pk}),
    ):
        response = stranger.post(url, {**payload, **MOVE}, format="json")
        assert response.status_code == 404, (url, payload, response.content[:300])
        assert response.json() == ACCOUNT_NOT_FOUND
        assert_matches_schema(response)
    assert (books_footprint(business), books_footprint(other_business)) == (before, their_before)


@pytest.mark.parametrize("url", [BALANCE_SHEET, TRIAL_BALANCE, CASH_FLOW])
def test_our_locations_are_not_found_for_another_business(other_actors, other_business, books, url):
    business_settings_update(business=other_business, enable_modules=["account"])

    response = other_actors.client(admin=True).get(f"{url}?location_id={books.shop.pk}")

    assert response.status_code == 404
    assert response.json() == LOCATION_NOT_FOUND
    assert_matches_schema(response)


def test_another_business_never_appears_in_our_lists_csv_or_reports(api, business, other_business, other_actors, books):
    them = open_books(other_business, other_actors.user(admin=True))
    pay_due(other_business, them.user, them.customer, "9", paid_on=moment(2026, 2, 2), account=them.till)
    for account in them.accounts:  # same names as ours otherwise: make theirs tell
        Account.objects.filter(pk=account.pk).update(name=f"Their {account.name}")
    ours, theirs = {a.pk for a in books.accounts}, {a.pk for a in them.accounts}
    their_payments = set(TransactionPayment.objects.filter(business=other_business).values_list("pk", flat=True))
    their_movements = set(AccountTransaction.objects.filter(business=other_business).values_list("pk", flat=True))

    assert {r["id"] for r in api.get(f"{ACCOUNTS}?per_page=100").json()["data"]} == ours
    assert {int(r["id"]) for r in download_rows(api.get(f"{ACCOUNTS}?format=csv"))} == ours
    for url in (BALANCE_SHEET, TRIAL_BALANCE):
        data = api.get(url).json()["data"]
        assert {row["id"] for row in data["accounts"]} == ours
        assert not any(name.startswith("Their") for name in data["account_balances"])
        assert not any("Their" in r["field"] for r in download_rows(api.get(f"{url}?format=csv")))
    for rows in (
        api.get(f"{CASH_FLOW}?per_page=100").json()["data"],
        download_rows(api.get(f"{CASH_FLOW}?format=csv")),
    ):
        assert {int(r["account_id"]) for r in rows} == ours - {books.vault.pk}  # the vault has no movement
        assert not {int(r["id"]) for r in rows} & their_movements
    assert api.get(f"{CASH_FLOW}?account_id={them.till.pk}").json()["data"] == []
    for rows in (
        api.get(f"{PAYMENT_REPORT}?per_page=100").json()["data"],
        download_rows(api.get(f"{PAYMENT_REPORT}?format=csv")),
    ):
        assert rows and not {int(r["id"]) for r in rows} & their_payments
        accounts = [
            r["account"] if isinstance(r["account"], dict) else json.loads(r["account"] or "null") for r in rows
        ]
        assert {a["id"] for a in accounts if a} <= ours
    assert not theirs & ours
