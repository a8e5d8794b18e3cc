"""GET /accounts/reports/balance-sheet and /trial-balance (payment-accounts-api; RULES §9): dues, closing stock and
account balances as of the end of end_date (default today, business time zone), capital_account_details always
null, our `accounts` extension (ids, since names repeat), an optional location of the business the user is
permitted on (404 Location not found / 403), and the csv of section / field / value rows."""

import re
from decimal import Decimal

import pytest

from accounts.tests.builders import (
    BALANCE_SHEET,
    BALANCE_SHEET_FIELDS,
    LOCATION_NOT_FOUND,
    SUMMARY_ACCOUNT,
    TRIAL_BALANCE,
    TRIAL_BALANCE_FIELDS,
    account_url,
    assert_invalid,
    backdate,
    make_account,
    moment,
    open_books,
    put_in,
    today,
)
from contacts.tests.helpers import body
from core.tests.matrix import assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.services.payments import payment_add
from ledger.services.sells import sell_return_save
from ledger.tests.builders import download_rows, line_of, make_opening_balance, make_purchase, make_sell

REPORTS = [BALANCE_SHEET, TRIAL_BALANCE]
FEB_END = "end_date=2026-02-28"


def pay(books, document, amount, account, when):
    return payment_add(
        business=books.business,
        user=books.user,
        document=document,
        data={"amount": Decimal(amount), "method": "cash", "paid_on": when, "account": account},
    )


@pytest.fixture
def trading(business, admin_user):
    """By the end of February 2026: Supply Co's purchase of 10 widgets at 6.00 (10 Jan, 60.00) paid 20.00 from the
    bank (3 Feb); Carla's sell of 3 widgets at 10.00 (1 Feb, 30.00) paid 12.00 into the till (2 Feb) and one widget
    returned (5 Feb, 10.00). Later: a deposit of 500.00 into the vault (10 Mar) and an unpaid purchase of 5 widgets
    at 6.00 at the depot (1 Jun). Accounts at the end of February: bank 980, till 62, safe 300, vault 0."""
    books = open_books(business, admin_user)
    b, u = business, admin_user
    backdate(books.purchase, moment(2026, 1, 10))
    books.sell = make_sell(
        b,
        u,
        customer=books.customer,
        location=books.shop,
        lines=[(books.widget, "3", None)],
        transaction_date=moment(2026, 2, 1),
    )
    pay(books, books.sell, "12", books.till, moment(2026, 2, 2))
    pay(books, books.purchase, "20", books.bank, moment(2026, 2, 3))
    sell_return_save(
        business=b,
        user=u,
        sell=books.sell,
        data={
            "lines": [{"sell_line_id": line_of(books.sell).pk, "quantity": Decimal("1")}],
            "transaction_date": moment(2026, 2, 5),
        },
    )
    put_in(b, u, books.vault, "500", when=moment(2026, 3, 10))
    make_purchase(
        b,
        u,
        supplier=books.supplier,
        location=books.depot,
        lines=[(books.widget, "5", "6")],
        transaction_date=moment(2026, 6, 1),
    )
    return books


def report(client, url, query: str = "") -> dict:
    response = client.get(url + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    payload = body(response)
    assert list(payload) == ["data", "meta"]
    assert list(payload["meta"]) == ["as_of_snapshot"]
    return payload["data"]


def accounts_part(books, balances) -> tuple[dict, list]:
    """(account_balances, accounts) for the four accounts (ordered by name, then id) with these balances."""
    named = sorted(zip(books.accounts, balances, strict=True), key=lambda pair: (pair[0].name, pair[0].pk))
    return (
        {a.name: Decimal(v) for a, v in named},
        [{"id": a.pk, "name": a.name, "account_number": a.account_number, "balance": Decimal(v)} for a, v in named],
    )


def test_the_balance_sheet_at_the_end_of_a_day(api, trading):
    data = report(api, BALANCE_SHEET, FEB_END)

    balances, accounts = accounts_part(trading, ["980", "62", "300", "0"])
    assert list(data) == BALANCE_SHEET_FIELDS
    assert data == {
        "end_date": "2026-02-28",
        "supplier_due": Decimal("40"),  # 60 − 20
        "customer_due": Decimal("8"),  # 30 − 12 − the 10 returned
        "closing_stock": Decimal("48"),  # (10 − 3 + 1) × 6
        "account_balances": balances,
        "accounts": accounts,
        "capital_account_details": None,
    }
    assert all(list(row) == SUMMARY_ACCOUNT for row in data["accounts"])


def test_the_trial_balance_at_the_end_of_a_day(api, trading):
    data = report(api, TRIAL_BALANCE, FEB_END)

    balances, accounts = accounts_part(trading, ["980", "62", "300", "0"])
    assert list(data) == TRIAL_BALANCE_FIELDS
    assert data == {
        "end_date": "2026-02-28",
        "supplier_due": Decimal("40"),
        # Documented deviation from RULES §9 ("customer_due without returns"): one engine, one number.
        "customer_due": Decimal("8"),
        "account_balances": balances,
        "accounts": accounts,
        "capital_account_details": None,
        "debit_total": Decimal("1350"),  # 8 + 980 + 62 + 300 + 0
        "credit_total": Decimal("40"),
    }


def test_the_end_date_defaults_to_today_and_counts_everything_up_to_it(api, business, trading):
    sheet = report(api, BALANCE_SHEET)
    trial = report(api, TRIAL_BALANCE)

    assert sheet["end_date"] == trial["end_date"] == today(business).isoformat()
    assert (sheet["supplier_due"], sheet["customer_due"], sheet["closing_stock"]) == (
        Decimal("70"),
        Decimal("8"),
        Decimal("78"),
    )
    assert sheet["account_balances"]["Head Office Vault"] == Decimal("500")
    assert trial["debit_total"] == Decimal("1850")


def test_an_earlier_end_date_leaves_out_later_movements_and_documents(api, trading):
    data = report(api, BALANCE_SHEET, "end_date=2026-01-31")

    assert (data["supplier_due"], data["customer_due"], data["closing_stock"]) == (
        Decimal("60"),
        Decimal("0"),
        Decimal("48"),
    )  # stock sold since is as it stands now
    assert data["account_balances"] == accounts_part(trading, ["1000", "50", "300", "0"])[0]
    before_any = report(api, BALANCE_SHEET, "end_date=2025-12-31")
    assert set(before_any["account_balances"].values()) == {Decimal("0")}


@pytest.mark.parametrize(
    ("where", "expected"),
    [("shop", ("40", "8", "48")), ("depot", ("30", "0", "30"))],
)
def test_a_location_narrows_the_dues_and_the_stock(api, trading, where, expected):
    location = getattr(trading, where)

    sheet = report(api, BALANCE_SHEET, f"location_id={location.pk}")
    trial = report(api, TRIAL_BALANCE, f"location_id={location.pk}")

    assert (sheet["supplier_due"], sheet["customer_due"], sheet["closing_stock"]) == tuple(map(Decimal, expected))
    assert (trial["supplier_due"], trial["customer_due"]) == tuple(map(Decimal, expected[:2]))
    assert len(sheet["accounts"]) == 4  # account balances are not location-bound


def test_opening_balances_count_in_the_dues(api, business, trading):
    backdate(make_opening_balance(business, trading.customer, "25"), moment(2026, 1, 2))
    backdate(make_opening_balance(business, trading.supplier, "15"), moment(2026, 1, 2))

    data = report(api, BALANCE_SHEET, FEB_END)

    assert (data["customer_due"], data["supplier_due"]) == (Decimal("33"), Decimal("55"))


def test_closed_accounts_keep_counting_and_repeated_names_stay_apart_in_accounts(api, business, trading):
    api.post(account_url(trading.safe, "close"))
    twin = make_account(business, trading.user, "Main Bank", "BNK-002", opening="7", when=moment(2026, 1, 3))

    data = report(api, BALANCE_SHEET, FEB_END)

    assert {row["id"]: row["balance"] for row in data["accounts"]} == {
        trading.bank.pk: Decimal("980"),
        twin.pk: Decimal("7"),
        trading.till.pk: Decimal("62"),
        trading.safe.pk: Decimal("300"),
        trading.vault.pk: Decimal("0"),
    }
    assert len(data["account_balances"]) == 4  # a map by name cannot hold both banks
    assert data["account_balances"]["Depot Safe"] == Decimal("300")


# --- csv ----------------------------------------------------------------------------------------------------------


def test_the_balance_sheet_csv_is_section_field_value_rows(api, business, trading):
    response = api.get(f"{BALANCE_SHEET}?{FEB_END}&format=csv")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert re.fullmatch(
        rf'attachment; filename="balance-sheet-{business.pk}-\d{{14}}\.csv"', response["Content-Disposition"]
    )
    rows = [(r["section"], r["field"], r["value"]) for r in download_rows(response)]
    t = trading
    assert rows == [
        ("summary", "end_date", "2026-02-28"),
        ("summary", "supplier_due", "40.0000"),
        ("summary", "customer_due", "8.0000"),
        ("summary", "closing_stock", "48.0000"),
        ("account_balances", "Depot Safe", "300.0000"),
        ("account_balances", "Head Office Vault", "0.0000"),
        ("account_balances", "Main Bank", "980.0000"),
        ("account_balances", "Shop Till", "62.0000"),
        ("accounts", f"{t.safe.pk}: Depot Safe (SAF-001)", "300.0000"),
        ("accounts", f"{t.vault.pk}: Head Office Vault (VLT-001)", "0.0000"),
        ("accounts", f"{t.bank.pk}: Main Bank (BNK-001)", "980.0000"),
        ("accounts", f"{t.till.pk}: Shop Till (TIL-001)", "62.0000"),
        ("summary", "capital_account_details", ""),
    ]


def test_the_trial_balance_csv_adds_its_totals(api, business, trading):
    response = api.get(f"{TRIAL_BALANCE}?{FEB_END}&format=csv")

    assert re.fullmatch(
        rf'attachment; filename="trial-balance-{business.pk}-\d{{14}}\.csv"', response["Content-Disposition"]
    )
    rows = [(r["section"], r["field"], r["value"]) for r in download_rows(response)]
    assert [row for row in rows if row[0] == "summary"] == [
        ("summary", "end_date", "2026-02-28"),
        ("summary", "supplier_due", "40.0000"),
        ("summary", "customer_due", "8.0000"),
        ("summary", "capital_account_details", ""),
        ("summary", "debit_total", "1350.0000"),
        ("summary", "credit_total", "40.0000"),
    ]
    assert len([row for row in rows if row[0] == "accounts"]) == 4


def test_account_names_are_neutralised_in_the_csv(api, business, trading):
    make_account(business, trading.user, "=cmd|' /C calc'!A0", "X-1", opening="1")

    rows = download_rows(api.get(f"{BALANCE_SHEET}?format=csv"))

    assert ("account_balances", "'=cmd|' /C calc'!A0", "1.0000") in [
        (r["section"], r["field"], r["value"]) for r in rows
    ]


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("end_date=28/02/2026", "end_date"),
        ("end_date=2026-02-30", "end_date"),
        ("location_id=shop", "location_id"),
        ("format=xlsx", "format"),
    ],
)
def test_a_bad_query_string_is_422(api, trading, url, query, field):
    response = api.get(f"{url}?{query}")

    assert_invalid(response, field)
    assert_matches_schema(response)


@pytest.mark.parametrize("url", REPORTS)
def test_a_location_of_another_business_is_404_location_not_found(api, other_business, trading, url):
    theirs = other_business.locations.get()

    for location_id in (theirs.pk, theirs.pk + 1000):
        response = api.get(f"{url}?location_id={location_id}")
        assert response.status_code == 404
        assert response.json() == LOCATION_NOT_FOUND
        assert_matches_schema(response)


@pytest.mark.parametrize("url", REPORTS)
def test_a_location_outside_the_users_permitted_ones_is_403(actors, trading, url):
    clerk = actors.client("account.access", locations=[trading.shop])

    response = clerk.get(f"{url}?location_id={trading.depot.pk}")

    assert_unauthorized(response)
    assert_matches_schema(response)
    assert report(clerk, url, f"location_id={trading.shop.pk}")["supplier_due"] == Decimal("40")
