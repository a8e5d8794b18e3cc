"""GET /accounts/reports/payment-account-report (payment-accounts-api "Payment account report"; RULES §4, §9): the
payments that moved money — pay-due parents and single-document payments, not their allocations, not those made
with the advance method — newest first, with their document, account and contact; the date pair, account_id (an id
or `none`) and q/search filters; restricted users see payments of documents at their locations; csv of every row."""

import json
import re
from decimal import Decimal

import pytest

from accounts.tests.builders import (
    PAGE_META,
    PAYMENT_REPORT,
    PAYMENT_REPORT_ROW,
    REPORT_ACCOUNT,
    REPORT_CONTACT,
    REPORT_TRANSACTION,
    account_url,
    assert_invalid,
    make_account,
    moment,
    open_books,
    pay_due,
)
from contacts.tests.helpers import body
from core.tests.openapi import assert_matches_schema
from ledger.models import TransactionPayment
from ledger.services.payments import payment_add
from ledger.tests.builders import download_rows, make_purchase, make_sell


def pay(books, document, amount, account, when, method="cash", **fields):
    return payment_add(
        business=books.business,
        user=books.user,
        document=document,
        data={"amount": Decimal(amount), "method": method, "paid_on": when, "account": account, **fields},
    )


@pytest.fixture
def paid(business, admin_user):
    """1 Feb: 12.00 by card into the bank on Carla's sell (shop, 30.00). 5 Feb: Carla's pay-due of 20.00 into the
    till (18.00 to the sell, 2.00 advance). 8 Feb: that advance pays 2.00 of a second sell (method advance). 15 Feb:
    25.00 by cheque from the bank on Supply Co's purchase (shop). 20 Feb: 9.00 cash without an account on a depot
    purchase."""
    books = open_books(business, admin_user)
    b, u = business, admin_user
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
    second = make_sell(b, u, customer=books.customer, location=books.shop, lines=[(books.widget, "1", None)])
    books.from_advance = pay(books, second, "2", books.till, moment(2026, 2, 8), method="advance")
    books.cheque = pay(books, books.purchase, "25", books.bank, moment(2026, 2, 15), method="cheque")
    books.depot_purchase = make_purchase(
        b, u, supplier=books.supplier, location=books.depot, lines=[(books.widget, "2", "6")]
    )
    books.unlinked = pay(books, books.depot_purchase, "9", None, moment(2026, 2, 20))
    return books


def report(client, query: str = "") -> dict:
    response = client.get(PAYMENT_REPORT + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def ids(payload) -> list[int]:
    return [row["id"] for row in payload["data"]]


def test_parents_and_single_document_payments_newest_first(api, paid):
    payload = report(api)

    assert ids(payload) == [paid.unlinked.pk, paid.cheque.pk, paid.due.pk, paid.card.pk]
    assert all(list(row) == PAYMENT_REPORT_ROW for row in payload["data"])
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 4, "q": None}
    children = TransactionPayment.objects.filter(parent=paid.due)
    assert children.count() == 2  # the allocation and the advance spent: neither is listed
    assert not set(children.values_list("pk", flat=True)) & set(ids(payload))


def test_a_row_carries_its_document_account_and_contact(api, paid):
    rows = {row["id"]: row for row in report(api)["data"]}

    assert rows[paid.card.pk] == {
        "id": paid.card.pk,
        "paid_on": "2026-02-01T10:00:00+00:00",
        "amount": Decimal("12"),
        "payment_ref_no": paid.card.payment_ref_no,
        "method": "card",
        "method_label": "Card",
        "is_advance": 0,
        "is_return": 0,
        "transaction": {
            "id": paid.sell.pk,
            "type": "sell",
            "ref_no": None,
            "invoice_no": paid.sell.invoice_no,
            "location_id": paid.shop.pk,
        },
        "account": {"id": paid.bank.pk, "name": "Main Bank", "account_number": "BNK-001"},
        "contact": {"name": "Carla Customer", "type": "customer"},
    }
    assert list(rows[paid.card.pk]["transaction"]) == REPORT_TRANSACTION
    assert list(rows[paid.card.pk]["account"]) == REPORT_ACCOUNT
    assert list(rows[paid.card.pk]["contact"]) == REPORT_CONTACT
    cheque = rows[paid.cheque.pk]
    assert (cheque["transaction"]["type"], cheque["transaction"]["ref_no"], cheque["contact"]) == (
        "purchase",
        paid.purchase.ref_no,
        {"name": "Supply Co", "type": "supplier"},
    )
    assert (rows[paid.unlinked.pk]["account"], rows[paid.unlinked.pk]["transaction"]["location_id"]) == (
        None,
        paid.depot.pk,
    )


def test_a_pay_due_row_is_labelled_advance_and_has_no_document(api, paid):
    due = next(row for row in report(api)["data"] if row["id"] == paid.due.pk)

    assert (due["is_advance"], due["transaction"], due["amount"]) == (1, None, Decimal("20"))
    assert due["account"] == {"id": paid.till.pk, "name": "Shop Till", "account_number": "TIL-001"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start_date=2026-02-01&end_date=2026-02-05", ["due", "card"]),
        ("start_date=2026-02-15&end_date=2026-02-15", ["cheque"]),
        ("account_id={bank}", ["cheque", "card"]),
        ("account_id={till}", ["due"]),
        ("account_id=none", ["unlinked"]),
        ("account_id={vault}", []),
        ("q=carla", ["due", "card"]),
        ("search=carla", ["due", "card"]),
        ("q=main bank", ["cheque", "card"]),
        ("q=til-001", ["due"]),
        ("q={invoice}", ["card"]),
        ("q={purchase_ref}", ["cheque"]),
        ("start_date=2026-02-01&end_date=2026-02-28&account_id={bank}&q=supply", ["cheque"]),
    ],
)
def test_filters(api, paid, query, expected):
    names = {"due": paid.due.pk, "card": paid.card.pk, "cheque": paid.cheque.pk, "unlinked": paid.unlinked.pk}
    query = query.format(
        bank=paid.bank.pk,
        till=paid.till.pk,
        vault=paid.vault.pk,
        invoice=paid.sell.invoice_no,
        purchase_ref=paid.purchase.ref_no,
    )

    assert ids(report(api, query)) == [names[name] for name in expected]


def test_q_matches_payment_references_and_numeric_ids(api, paid):
    assert ids(report(api, f"q={paid.due.payment_ref_no}")) == [paid.due.pk]
    assert report(api, f"search={paid.due.payment_ref_no}")["meta"]["q"] == paid.due.payment_ref_no
    while (extra := pay(paid, paid.purchase, "1", None, moment(2026, 3, 1))).pk < 10:
        pass  # a numeric q needs 2 characters
    assert extra.pk in ids(report(api, f"q={extra.pk}"))


def test_pages_carry_the_paginator_meta_and_q(api, paid):
    payload = report(api, "per_page=3&page=2&q=co")

    assert list(payload["meta"]) == [*PAGE_META, "q"]
    assert payload["meta"]["q"] == "co"
    assert payload["meta"]["per_page"] == 3
    assert report(api, "per_page=1&page=3")["data"][0]["id"] == paid.due.pk


def test_restricted_users_see_payments_of_documents_at_their_locations(actors, paid):
    shop_clerk = actors.client("account.access", locations=[paid.shop])
    depot_clerk = actors.client("account.access", locations=[paid.depot])
    everywhere = actors.client("account.access", all_locations=True)

    assert ids(report(shop_clerk)) == [paid.cheque.pk, paid.card.pk]  # pay-due rows have no location
    assert ids(report(depot_clerk)) == [paid.unlinked.pk]
    assert ids(report(everywhere)) == [paid.unlinked.pk, paid.cheque.pk, paid.due.pk, paid.card.pk]


def test_the_csv_holds_every_row_with_nested_values_as_json(api, business, paid):
    response = api.get(f"{PAYMENT_REPORT}?format=csv&per_page=1")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert re.fullmatch(
        rf'attachment; filename="payment-account-report-{business.pk}-\d{{14}}\.csv"', response["Content-Disposition"]
    )
    rows = download_rows(response)
    assert list(rows[0]) == PAYMENT_REPORT_ROW
    assert [int(r["id"]) for r in rows] == [paid.unlinked.pk, paid.cheque.pk, paid.due.pk, paid.card.pk]
    card = rows[3]
    assert json.loads(card["account"]) == {"id": paid.bank.pk, "name": "Main Bank", "account_number": "BNK-001"}
    assert json.loads(card["transaction"])["invoice_no"] == paid.sell.invoice_no
    assert (rows[0]["account"], rows[2]["transaction"], rows[2]["is_advance"]) == ("", "", "1")


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-02-01", "end_date"),
        ("end_date=2026-02-01", "start_date"),
        ("start_date=2026-03-01&end_date=2026-02-01", "end_date"),
        ("account_id=abc", "account_id"),
        ("account_id=0", "account_id"),
        ("account_id=-1", "account_id"),
        ("account_id=1.5", "account_id"),
        ("account_id=NONE", "account_id"),
        ("account_id=99999999999999999999", "account_id"),
        ("q=c", "q"),
        ("search=c", "search"),
        ("per_page=0", "per_page"),
    ],
)
def test_a_bad_query_string_is_422(api, paid, query, field):
    response = api.get(f"{PAYMENT_REPORT}?{query}")

    assert_invalid(response, field)
    assert_matches_schema(response)


def test_an_account_that_is_not_ours_or_not_visible_is_an_invalid_account_id(api, actors, other_business, paid):
    theirs = make_account(other_business, None, "Their Bank", "THR-1")
    shop_clerk = actors.client("account.access", locations=[paid.shop])

    for client, account_id in ((api, theirs.pk), (api, theirs.pk + 1000), (shop_clerk, paid.safe.pk)):
        response = client.get(f"{PAYMENT_REPORT}?account_id={account_id}")
        assert_invalid(response, "account_id")
        assert_matches_schema(response)


def test_a_closed_account_still_filters_the_report(api, paid):
    api.post(account_url(paid.bank, "close"))

    assert ids(report(api, f"account_id={paid.bank.pk}")) == [paid.cheque.pk, paid.card.pk]
