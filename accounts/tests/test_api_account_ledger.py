"""GET /accounts/{id}/transactions (payment-accounts-api "Account ledger"; RULES §9): AccountTransactionLine rows in
(operation_date, id) order, beginning_balance before start_date when a date range is sent (both dates or neither,
inclusive, business time zone), type and q filters, echoed meta, pagination, and the csv of every line with an
opening_balance row first when a range is sent."""

import re
from decimal import Decimal

import pytest

from accounts.models import AccountTransaction
from accounts.tests.builders import (
    ACCOUNT_LINE,
    LEDGER_META,
    account_url,
    assert_invalid,
    make_account,
    moment,
    move,
    open_books,
    put_in,
)
from contacts.tests.helpers import body
from core.tests.matrix import assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.services.payments import payment_add
from ledger.tests.builders import download_rows, make_sell

FEBRUARY = "start_date=2026-02-01&end_date=2026-02-28"


@pytest.fixture
def story(business, admin_user):
    """The Main Bank: opening 1000.00 (1 Jan); a cash deposit of 200.00 (10 Feb, "Cash sales"); a card payment of
    15.00 on a sell (20 Feb); a transfer of 150.00 to the vault (28 Feb 23:30, "Sweep"); a deposit of 40.00 from it
    into the till (1 Mar 00:00)."""
    books = open_books(business, admin_user)
    b, u = business, admin_user
    (books.cash_in, _) = put_in(b, u, books.bank, "200", when=moment(2026, 2, 10), note="Cash sales")
    books.sell = make_sell(b, u, customer=books.customer, location=books.shop, lines=[(books.widget, "2", None)])
    books.card = payment_add(
        business=b,
        user=u,
        document=books.sell,
        data={"amount": Decimal("15"), "method": "card", "paid_on": moment(2026, 2, 20), "account": books.bank},
    )
    books.sweep, books.swept = move(
        b, u, books.bank, books.vault, "150", when=moment(2026, 2, 28, 23, 30), note="Sweep"
    )
    books.float_in, books.float_out = put_in(
        b, u, books.till, "40", when=moment(2026, 3, 1, 0), from_account=books.bank
    )
    books.opening = AccountTransaction.objects.get(account=books.bank, sub_type="opening_balance")
    return books


def ledger(client, account, query: str = "") -> dict:
    response = client.get(account_url(account, "transactions") + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def test_the_ledger_lists_every_line_in_date_order(api, story):
    payload = ledger(api, story.bank)

    assert list(payload) == ["data", "meta"]
    assert list(payload["data"]) == ["account_id", "beginning_balance", "lines"]
    assert (payload["data"]["account_id"], payload["data"]["beginning_balance"]) == (story.bank.pk, None)
    lines = payload["data"]["lines"]
    assert all(list(line) == ACCOUNT_LINE for line in lines)
    assert [(line["type"], line["sub_type"], line["amount"]) for line in lines] == [
        ("credit", "opening_balance", Decimal("1000")),
        ("credit", "deposit", Decimal("200")),
        ("credit", None, Decimal("15")),
        ("debit", "fund_transfer", Decimal("150")),
        ("debit", "deposit", Decimal("40")),
    ]
    assert payload["meta"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 5,
        "start_date": None,
        "end_date": None,
        "type": None,
        "q": None,
    }


def test_a_line_carries_its_links(api, story):
    lines = {line["id"]: line for line in ledger(api, story.bank)["data"]["lines"]}

    assert lines[story.card.account_transaction_id] == {
        "id": story.card.account_transaction_id,
        "account_id": story.bank.pk,
        "type": "credit",
        "sub_type": None,
        "amount": Decimal("15"),
        "operation_date": "2026-02-20T10:00:00+00:00",
        "note": None,
        "transaction_id": story.sell.pk,
        "transaction_payment_id": story.card.pk,
        "transfer_transaction_id": None,
        "payment_ref_no": story.card.payment_ref_no,
        "payment_method": "card",
    }
    sweep = lines[story.sweep.pk]
    assert (sweep["transfer_transaction_id"], sweep["note"], sweep["operation_date"]) == (
        story.swept.pk,
        "Sweep",
        "2026-02-28T23:30:00+00:00",
    )
    assert lines[story.float_out.pk]["transfer_transaction_id"] == story.float_in.pk
    assert lines[story.opening.pk]["note"] == "Opening balance"


def test_lines_at_the_same_moment_are_ordered_by_id(api, story):
    b, u = story.business, story.user
    first, _ = put_in(b, u, story.safe, "1", when=moment(2026, 4, 1))
    second, _ = put_in(b, u, story.safe, "2", when=moment(2026, 4, 1))
    earlier, _ = put_in(b, u, story.safe, "3", when=moment(2026, 3, 31))

    ids = [line["id"] for line in ledger(api, story.safe)["data"]["lines"]]

    assert ids[-3:] == [earlier.pk, first.pk, second.pk]


def test_a_date_range_brings_the_balance_forward(api, story):
    payload = ledger(api, story.bank, FEBRUARY)

    assert payload["data"]["beginning_balance"] == Decimal("1000")
    assert [line["id"] for line in payload["data"]["lines"]] == [
        story.cash_in.pk,
        story.card.account_transaction_id,
        story.sweep.pk,  # 28 Feb 23:30: the end date is inclusive
    ]
    assert (payload["meta"]["start_date"], payload["meta"]["end_date"], payload["meta"]["total"]) == (
        "2026-02-01",
        "2026-02-28",
        3,
    )
    march = ledger(api, story.bank, "start_date=2026-03-01&end_date=2026-03-01")["data"]
    assert march["beginning_balance"] == Decimal("1065")  # 1000 + 200 + 15 − 150
    assert [line["id"] for line in march["lines"]] == [story.float_out.pk]


def test_the_beginning_balance_is_signed(api, business, story):
    overdraft = make_account(business, story.user, "Overdraft", "OD-1", opening="-80", when=moment(2026, 1, 5))

    payload = ledger(api, overdraft, FEBRUARY)

    assert (payload["data"]["beginning_balance"], payload["data"]["lines"]) == (Decimal("-80"), [])


def test_the_range_is_read_in_the_business_time_zone(api, business, story):
    business.time_zone = "Asia/Tokyo"
    business.save()
    b, u = business, story.user
    late, _ = put_in(b, u, story.safe, "7", when=moment(2026, 2, 28, 20))  # 1 Mar 05:00 in Tokyo
    early, _ = put_in(b, u, story.safe, "9", when=moment(2026, 1, 31, 16))  # 1 Feb 01:00 in Tokyo

    payload = ledger(api, story.safe, FEBRUARY)

    assert [line["id"] for line in payload["data"]["lines"]] == [early.pk]
    assert payload["data"]["lines"][0]["operation_date"] == "2026-02-01T01:00:00+09:00"
    assert payload["data"]["beginning_balance"] == Decimal("300")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=debit", ["sweep", "float_out"]),
        ("type=credit", ["opening", "cash_in", "card"]),
        ("q=SWEEP", ["sweep"]),  # the note, case-insensitive
        ("q=fund_tr", ["sweep"]),  # the sub type
        ("q=cash sa", ["cash_in"]),
        (f"{FEBRUARY}&type=debit", ["sweep"]),
    ],
)
def test_type_and_q_filter_the_lines(api, story, query, expected):
    ids = {
        "opening": story.opening.pk,
        "cash_in": story.cash_in.pk,
        "card": story.card.account_transaction_id,
        "sweep": story.sweep.pk,
        "float_out": story.float_out.pk,
    }

    payload = ledger(api, story.bank, query)

    assert [line["id"] for line in payload["data"]["lines"]] == [ids[name] for name in expected]


def test_q_matches_the_payment_reference_and_a_numeric_line_id(api, story):
    b, u = story.business, story.user
    while put_in(b, u, story.safe, "1", when=moment(2026, 4, 1))[0].pk < 10:  # q needs 2 characters
        pass
    out, into = move(b, u, story.bank, story.vault, "5", when=moment(2026, 4, 2))

    by_ref = ledger(api, story.bank, f"q={story.card.payment_ref_no}")
    by_id = ledger(api, story.bank, f"q={out.pk}")
    other_accounts_line = ledger(api, story.bank, f"q={into.pk}")  # the vault's leg

    assert [line["id"] for line in by_ref["data"]["lines"]] == [story.card.account_transaction_id]
    assert by_ref["meta"]["q"] == story.card.payment_ref_no
    assert out.pk in [line["id"] for line in by_id["data"]["lines"]]
    assert into.pk not in [line["id"] for line in other_accounts_line["data"]["lines"]]


def test_filters_are_echoed_in_the_meta(api, story):
    meta = ledger(api, story.bank, f"{FEBRUARY}&type=credit&q=cash&per_page=1&page=1")["meta"]

    assert list(meta) == LEDGER_META
    assert meta == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 1,
        "total": 1,
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
        "type": "credit",
        "q": "cash",
    }


def test_pages_keep_the_beginning_balance_of_the_range(api, story):
    payload = ledger(api, story.bank, f"{FEBRUARY}&per_page=2&page=2")

    assert payload["data"]["beginning_balance"] == Decimal("1000")
    assert [line["id"] for line in payload["data"]["lines"]] == [story.sweep.pk]
    assert (payload["meta"]["current_page"], payload["meta"]["last_page"], payload["meta"]["total"]) == (2, 2, 3)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-02-01", "end_date"),
        ("end_date=2026-02-28", "start_date"),
        ("start_date=2026-03-01&end_date=2026-02-01", "end_date"),
        ("start_date=01/02/2026&end_date=2026-02-28", "start_date"),
        ("type=transfer", "type"),
        ("q=s", "q"),
        ("per_page=101", "per_page"),
        ("format=xlsx", "format"),
    ],
)
def test_a_bad_query_string_is_422(api, story, query, field):
    response = api.get(account_url(story.bank, "transactions") + f"?{query}")

    assert_invalid(response, field)
    assert_matches_schema(response)


def test_an_unknown_account_is_404(api, story):
    assert_not_found(api, "get", account_url(story.vault.pk + 1000, "transactions"))


def test_a_closed_accounts_ledger_is_still_readable(api, story):
    api.post(account_url(story.bank, "close"))

    assert ledger(api, story.bank)["meta"]["total"] == 5


# --- csv ----------------------------------------------------------------------------------------------------------


def test_the_csv_holds_every_line_without_an_opening_row_when_no_range_is_sent(api, business, story):
    response = api.get(account_url(story.bank, "transactions") + "?format=csv&per_page=1")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert re.fullmatch(
        rf'attachment; filename="payment-account-{story.bank.pk}-transactions-{business.pk}-\d{{14}}\.csv"',
        response["Content-Disposition"],
    )
    rows = download_rows(response)
    assert list(rows[0]) == ACCOUNT_LINE
    assert [r["id"] for r in rows] == [
        str(pk)
        for pk in (
            story.opening.pk,
            story.cash_in.pk,
            story.card.account_transaction_id,
            story.sweep.pk,
            story.float_out.pk,
        )
    ]
    card = rows[2]
    assert (card["amount"], card["payment_ref_no"], card["payment_method"], card["sub_type"]) == (
        "15.0000",
        story.card.payment_ref_no,
        "card",
        "",
    )


def test_the_csv_of_a_range_starts_with_the_opening_balance_row(api, story):
    rows = download_rows(api.get(account_url(story.bank, "transactions") + f"?format=csv&{FEBRUARY}&per_page=1"))

    assert rows[0] == {
        "id": "",
        "account_id": str(story.bank.pk),
        "type": "credit",
        "sub_type": "opening_balance",
        "amount": "1000.0000",
        "operation_date": "2026-02-01T00:00:00+00:00",
        "note": "Opening balance",
        "transaction_id": "",
        "transaction_payment_id": "",
        "transfer_transaction_id": "",
        "payment_ref_no": "",
        "payment_method": "",
    }
    assert [r["id"] for r in rows[1:]] == [
        str(story.cash_in.pk),
        str(story.card.account_transaction_id),
        str(story.sweep.pk),
    ]


def test_a_negative_opening_row_is_a_debit_of_its_absolute_value(api, business, story):
    overdraft = make_account(business, story.user, "Overdraft", "OD-1", opening="-80.5", when=moment(2026, 1, 5))

    rows = download_rows(api.get(account_url(overdraft, "transactions") + f"?format=csv&{FEBRUARY}"))

    assert [(r["type"], r["sub_type"], r["amount"]) for r in rows] == [("debit", "opening_balance", "80.5000")]
