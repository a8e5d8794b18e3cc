"""GET /accounts/reports/cash-flow (payment-accounts-api "Cash flow"; RULES §9): CashFlowReportRow rows ascending
by (operation_date, id), each with its account's balance after it (all time) and the selected accounts' combined
balance after it; the date range applies only when both dates are sent; type, account_id, location_id, q and
only_payment_recovered filters; pagination with the q echoed; the csv of every row."""

import datetime
import re
from decimal import Decimal
from urllib.parse import quote

import pytest

from accounts.models import Account, AccountTransaction
from accounts.tests.builders import (
    CASH_FLOW,
    CASH_FLOW_ROW,
    LOCATION_NOT_FOUND,
    PAGE_META,
    account_url,
    assert_invalid,
    backdate_movements,
    make_account,
    moment,
    move,
    open_books,
    pay_due,
    put_in,
)
from contacts.tests.helpers import body
from core.tests.factories import make_user
from core.tests.matrix import assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.services.payments import payment_add
from ledger.tests.builders import download_rows, make_sell


def pay(books, document, amount, account, when, method="cash", **fields):
    return payment_add(
        business=books.business,
        user=books.user,
        document=document,
        data={"amount": Decimal(amount), "method": method, "paid_on": when, "account": account, **fields},
    )


@pytest.fixture
def flow(business, admin_user):
    """Openings (1 Jan): bank 1000, till 50, safe 300. 1 Feb: 12.00 by card into the bank on Carla's sell of 30.00
    (20 Jan). 5 Feb: Carla's pay-due of 20.00 into the till (18.00 to the sell, 2.00 advance). 10 Feb: 100.00 from
    the bank to the vault. 15 Feb: 25.00 from the bank on Supply Co's purchase, by voucher (custom_pay_1, VCH-9)."""
    books = open_books(business, admin_user)
    b, u = business, admin_user
    business.custom_labels = {"payments": {"custom_pay_1": "Voucher"}}
    business.save()
    books.supplier.supplier_business_name = "Supply Co Ltd"
    books.supplier.save()
    books.sell = make_sell(
        b,
        u,
        customer=books.customer,
        location=books.shop,
        lines=[(books.widget, "3", None)],
        transaction_date=moment(2026, 1, 20),
    )
    books.card = pay(books, books.sell, "12", books.bank, moment(2026, 2, 1), method="card")
    books.due = pay_due(b, u, books.customer, "20", paid_on=moment(2026, 2, 5), account=books.till)
    books.out, books.into = move(b, u, books.bank, books.vault, "100", when=moment(2026, 2, 10))
    books.voucher = pay(
        books, books.purchase, "25", books.bank, moment(2026, 2, 15), method="custom_pay_1", transaction_no_1="VCH-9"
    )
    books.opening = {m.account_id: m.pk for m in AccountTransaction.objects.filter(sub_type="opening_balance")}
    return books


def rows_of(client, query: str = "") -> dict:
    response = client.get(CASH_FLOW + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def line_ids(flow) -> dict:
    return {
        "bank opening": flow.opening[flow.bank.pk],
        "till opening": flow.opening[flow.till.pk],
        "safe opening": flow.opening[flow.safe.pk],
        "card": flow.card.account_transaction_id,
        "due": flow.due.account_transaction_id,
        "out": flow.out.pk,
        "into": flow.into.pk,
        "voucher": flow.voucher.account_transaction_id,
    }


def summary(rows) -> list[tuple]:
    return [(r["id"], r["account_balance_after"], r["combined_balance_after"]) for r in rows]


def test_rows_run_in_date_order_with_the_balances_after_each(api, flow):
    payload = rows_of(api)

    ids = line_ids(flow)
    assert list(payload) == ["data", "meta"]
    assert all(list(row) == CASH_FLOW_ROW for row in payload["data"])
    assert summary(payload["data"]) == [
        (ids["bank opening"], Decimal("1000"), Decimal("1000")),
        (ids["till opening"], Decimal("50"), Decimal("1050")),
        (ids["safe opening"], Decimal("300"), Decimal("1350")),
        (ids["card"], Decimal("1012"), Decimal("1362")),
        (ids["due"], Decimal("70"), Decimal("1382")),
        (ids["out"], Decimal("912"), Decimal("1282")),
        (ids["into"], Decimal("100"), Decimal("1382")),
        (ids["voucher"], Decimal("887"), Decimal("1357")),
    ]
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 8, "q": None}


def test_a_payment_row_names_its_method_contact_and_creator(api, flow):
    rows = {r["id"]: r for r in rows_of(api)["data"]}

    card = rows[flow.card.account_transaction_id]
    assert card == {
        "id": flow.card.account_transaction_id,
        "account_id": flow.bank.pk,
        "account_name": "Main Bank",
        "type": "credit",
        "sub_type": None,
        "amount": Decimal("12"),
        "debit": None,
        "credit": Decimal("12"),
        "operation_date": "2026-02-01T10:00:00+00:00",
        "method": "card",
        "method_label": "Card",
        "payment_ref_no": flow.card.payment_ref_no,
        "transaction_no": None,
        "is_return": 0,
        "is_advance": 0,
        "payment_for_contact": "Carla Customer",
        "payment_for_type": "customer",
        "payment_for_business_name": None,
        "added_by": "boss",
        "total_recovered": Decimal("12"),
        "child_invoice_numbers": None,
        "account_balance_after": Decimal("1012"),
        "combined_balance_after": Decimal("1362"),
    }
    voucher = rows[flow.voucher.account_transaction_id]
    assert (voucher["type"], voucher["debit"], voucher["credit"]) == ("debit", Decimal("25"), None)
    assert (voucher["method"], voucher["method_label"], voucher["transaction_no"]) == (
        "custom_pay_1",
        "Voucher",
        "VCH-9",
    )
    assert (voucher["payment_for_contact"], voucher["payment_for_type"], voucher["payment_for_business_name"]) == (
        "Supply Co",
        "supplier",
        "Supply Co Ltd",
    )


def test_a_pay_due_row_shows_what_it_recovered_and_which_documents(api, flow):
    due = next(r for r in rows_of(api)["data"] if r["id"] == flow.due.account_transaction_id)

    assert (due["is_advance"], due["total_recovered"], due["child_invoice_numbers"]) == (
        1,
        Decimal("18"),
        flow.sell.invoice_no,
    )
    assert (due["payment_ref_no"], due["account_name"], due["payment_for_contact"]) == (
        flow.due.payment_ref_no,
        "Shop Till",
        "Carla Customer",
    )


def test_a_movement_without_a_payment_has_no_payment_fields(api, flow):
    out = next(r for r in rows_of(api)["data"] if r["id"] == flow.out.pk)

    assert {
        k: out[k]
        for k in (
            "sub_type",
            "method",
            "method_label",
            "payment_ref_no",
            "transaction_no",
            "payment_for_contact",
            "total_recovered",
            "child_invoice_numbers",
        )
    } == {
        "sub_type": "fund_transfer",
        "method": None,
        "method_label": None,
        "payment_ref_no": None,
        "transaction_no": None,
        "payment_for_contact": None,
        "total_recovered": None,
        "child_invoice_numbers": None,
    }
    assert (out["is_return"], out["is_advance"], out["debit"]) == (0, 0, Decimal("100"))


def test_the_date_range_applies_only_with_both_dates_and_keeps_all_time_balances(api, flow):
    ids = line_ids(flow)

    ranged = rows_of(api, "start_date=2026-02-01&end_date=2026-02-10")["data"]

    assert summary(ranged) == [
        (ids["card"], Decimal("1012"), Decimal("1362")),
        (ids["due"], Decimal("70"), Decimal("1382")),
        (ids["out"], Decimal("912"), Decimal("1282")),
        (ids["into"], Decimal("100"), Decimal("1382")),
    ]
    for one_date in ("start_date=2026-02-01", "end_date=2026-02-01"):
        assert rows_of(api, one_date)["meta"]["total"] == 8  # one date alone is ignored, not 422


def test_the_date_range_is_read_in_the_business_time_zone(api, business, flow):
    business.time_zone = "Asia/Tokyo"
    business.save()
    late, _ = put_in(business, flow.user, flow.safe, "7", when=moment(2026, 2, 28, 20))  # 1 Mar 05:00 in Tokyo
    early, _ = put_in(business, flow.user, flow.safe, "9", when=moment(2026, 1, 31, 16))  # 1 Feb 01:00 in Tokyo

    rows = rows_of(api, f"account_id={flow.safe.pk}&start_date=2026-02-01&end_date=2026-02-28")["data"]

    assert [(r["id"], r["operation_date"]) for r in rows] == [(early.pk, "2026-02-01T01:00:00+09:00")]
    assert rows[0]["account_balance_after"] == Decimal("309")


def test_reversed_dates_are_not_an_error_and_match_nothing(api, flow):
    # The spec gives the cash flow no date-pair rule: the filter applies and keeps no row.
    assert rows_of(api, "start_date=2026-03-01&end_date=2026-02-01")["data"] == []


def test_account_id_selects_the_accounts_whose_balances_combine(api, flow):
    ids = line_ids(flow)

    rows = rows_of(api, f"account_id={flow.bank.pk}")["data"]

    assert summary(rows) == [
        (ids["bank opening"], Decimal("1000"), Decimal("1000")),
        (ids["card"], Decimal("1012"), Decimal("1012")),
        (ids["out"], Decimal("912"), Decimal("912")),
        (ids["voucher"], Decimal("887"), Decimal("887")),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=debit", ["out", "voucher"]),
        ("type=credit&start_date=2026-02-01&end_date=2026-02-28", ["card", "due", "into"]),
        ("q=carla", ["card", "due"]),  # the contact
        ("q=supply co lt", ["voucher"]),  # the supplier's business name
        ("q=main bank", ["bank opening", "card", "out", "voucher"]),  # the account name
        ("q=VCH-9", ["voucher"]),  # a custom method's transaction number
        ("q=TIL-0", ["till opening", "due"]),  # the account number
    ],
)
def test_type_and_q_filter_the_rows(api, flow, query, expected):
    ids = line_ids(flow)

    payload = rows_of(api, query)

    assert [r["id"] for r in payload["data"]] == [ids[name] for name in expected]


def test_q_matches_references_invoices_and_numeric_ids(api, business, flow):
    ids = line_ids(flow)
    while put_in(business, flow.user, flow.safe, "1", when=moment(2026, 4, 1))[0].pk < 10:
        pass  # a numeric q needs 2 characters
    late, _ = put_in(business, flow.user, flow.safe, "1", when=moment(2026, 4, 2))

    assert [r["id"] for r in rows_of(api, f"q={flow.due.payment_ref_no}")["data"]] == [ids["due"]]
    assert [r["id"] for r in rows_of(api, f"q={flow.sell.invoice_no}")["data"]] == [ids["card"]]
    assert late.pk in [r["id"] for r in rows_of(api, f"q={late.pk}")["data"]]
    assert [r["id"] for r in rows_of(api, f"q={flow.purchase.ref_no}")["data"]] == [ids["voucher"]]
    assert rows_of(api, "q=carla")["meta"]["q"] == "carla"


def test_q_matches_the_creators_name_and_a_numeric_account_id(api, business, flow):
    zelda = make_user(business, admin=True, first_name="Zelda", last_name="Zhou", username="zelda")
    counted, _ = put_in(business, zelda, flow.safe, "6", when=moment(2026, 4, 1))
    while (spare := make_account(business, flow.user, "Spare", "SP-1")).pk < 10:
        pass  # a numeric q needs 2 characters
    spare_line, _ = put_in(business, flow.user, spare, "2", when=moment(2026, 4, 2))

    by_name = rows_of(api, "q=zelda")["data"]
    by_account = rows_of(api, f"q={spare.pk}")["data"]

    assert [(r["id"], r["added_by"]) for r in by_name] == [(counted.pk, "Zelda Zhou")]
    assert spare_line.pk in [r["id"] for r in by_account]
    # Rows of a contact may also match on its mobile; the rest only on the account or the line id.
    uncontacted = [r for r in by_account if r["payment_for_contact"] is None]
    assert all(r["account_id"] == spare.pk or r["id"] == spare.pk for r in uncontacted)
    assert counted.pk not in [r["id"] for r in by_account]


@pytest.mark.parametrize("q", ["%%", "__"])
def test_q_is_literal_text_not_a_like_pattern(api, flow, q):
    assert rows_of(api, f"q={quote(q)}")["data"] == []


def test_location_id_keeps_payments_on_that_locations_documents(api, flow):
    ids = line_ids(flow)

    assert [r["id"] for r in rows_of(api, f"location_id={flow.shop.pk}")["data"]] == [ids["card"], ids["voucher"]]
    assert rows_of(api, f"location_id={flow.depot.pk}")["data"] == []


def test_pages_carry_the_paginator_meta_and_q(api, flow):
    payload = rows_of(api, "per_page=3&page=2")

    assert [r["id"] for r in payload["data"]] == [line_ids(flow)[k] for k in ("card", "due", "out")]
    assert list(payload["meta"]) == [*PAGE_META, "q"]
    assert payload["meta"] == {"current_page": 2, "last_page": 3, "per_page": 3, "total": 8, "q": None}
    assert rows_of(api, "per_page=3&page=9")["data"] == []


@pytest.mark.parametrize("query", ["", "type=debit", "q=main bank", "start_date=2026-02-01&end_date=2026-02-28"])
@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_every_page_carries_the_same_balances_as_the_whole_report(api, flow, query, per_page):
    """A page computes its balances alone (brought forward to its first row, then a window over the page): each
    row on every page, filtered or not, has the balances it has in the unfiltered report."""
    whole = {r["id"]: r for r in rows_of(api, "per_page=100")["data"]}
    wanted = [r["id"] for r in rows_of(api, f"{query}&per_page=100")["data"]]
    seen = []
    for page in range(1, len(wanted) // per_page + 2):
        for row in rows_of(api, f"{query}&per_page={per_page}&page={page}")["data"]:
            seen.append(row["id"])
            assert row == whole[row["id"]]
    assert seen == wanted and len(wanted) >= 2


def test_closed_accounts_keep_counting(api, flow):
    api.post(account_url(flow.safe, "close"))

    assert rows_of(api)["meta"]["total"] == 8


def test_the_csv_holds_every_row(api, business, flow):
    response = api.get(f"{CASH_FLOW}?format=csv&per_page=1")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert re.fullmatch(
        rf'attachment; filename="cash-flow-{business.pk}-\d{{14}}\.csv"', response["Content-Disposition"]
    )
    rows = download_rows(response)
    assert list(rows[0]) == CASH_FLOW_ROW
    assert [int(r["id"]) for r in rows] == list(line_ids(flow).values())
    assert rows[6]["account_name"] == "Head Office Vault"
    due = rows[4]
    assert (due["is_advance"], due["total_recovered"], due["account_balance_after"], due["credit"], due["debit"]) == (
        "1",
        "18.0000",
        "70.0000",
        "20.0000",
        "",
    )


def test_csv_cells_that_would_run_as_formulas_are_neutralised(api, flow):
    Account.objects.filter(pk=flow.vault.pk).update(name="=HYPERLINK(1)")

    rows = download_rows(api.get(f"{CASH_FLOW}?format=csv&type=credit&start_date=2026-02-10&end_date=2026-02-10"))

    assert [r["account_name"] for r in rows] == ["'=HYPERLINK(1)"]


# --- only_payment_recovered ---------------------------------------------------------------------------------------


def test_only_payment_recovered_keeps_todays_payments_on_older_documents_and_todays_advances(api, business, flow):
    b, u = business, flow.user
    now = datetime.datetime.now(datetime.UTC)
    older = make_sell(
        b,
        u,
        customer=flow.customer,
        location=flow.shop,
        lines=[(flow.widget, "1", None)],
        transaction_date=now - datetime.timedelta(days=3),
    )
    fresh = make_sell(b, u, customer=flow.customer, location=flow.shop, lines=[(flow.widget, "1", None)])
    recovered = pay(flow, older, "4", flow.till, now)
    pay(flow, fresh, "5", flow.till, now)  # today's document: not recovered
    stale = pay(flow, older, "1", flow.till, now)
    backdate_movements(stale, now - datetime.timedelta(days=2))  # recovered, but not today
    advance = pay_due(b, u, flow.supplier, "3", account=flow.bank, paid_on=now)
    put_in(b, u, flow.vault, "9", when=now)  # no payment

    rows = rows_of(api, "only_payment_recovered=1")["data"]

    assert [r["id"] for r in rows] == [recovered.account_transaction_id, advance.account_transaction_id]


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=c", "q"),
        ("type=both", "type"),
        ("account_id=abc", "account_id"),
        ("account_id=none", "account_id"),
        ("location_id=x", "location_id"),
        ("start_date=01/02/2026", "start_date"),
        ("per_page=500", "per_page"),
        ("only_payment_recovered=maybe", "only_payment_recovered"),
    ],
)
def test_a_bad_query_string_is_422(api, flow, query, field):
    response = api.get(f"{CASH_FLOW}?{query}")

    assert_invalid(response, field)
    assert_matches_schema(response)


def test_a_location_of_another_business_is_404_location_not_found(api, other_business, flow):
    response = api.get(f"{CASH_FLOW}?location_id={other_business.locations.get().pk}")

    assert response.status_code == 404
    assert response.json() == LOCATION_NOT_FOUND
    assert_matches_schema(response)


def test_a_location_outside_the_users_permitted_ones_is_403(actors, flow):
    clerk = actors.client("account.access", locations=[flow.shop])

    response = clerk.get(f"{CASH_FLOW}?location_id={flow.depot.pk}")

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_an_account_id_that_is_not_ours_shows_nothing(api, other_business, flow):
    theirs = make_account(other_business, None, "Their Bank", "THR-1", opening="900")

    assert rows_of(api, f"account_id={theirs.pk}")["data"] == []
    assert rows_of(api, f"account_id={theirs.pk + 1000}")["data"] == []
