"""Worked examples of money owed (RULES §3–§7, contacts-api "Get contact balance", "Get contact ledger", "List
contact payments", "Pay contact due"), exact to the cent, through the HTTP API.

One customer over the first quarter of 2026: an opening balance (dated 2 January, when their account was opened:
opening balances are dated when they are set, so the story moves it there), three final sells and a draft, a
return, a ledger discount, a pay-due that pays the opening balance and two sells and leaves an advance, an
advance-method payment on a later sell, and a reverse payment. Every line, running balance and summary field
is written out by hand below; the supplier and the `both` contact are in test_money_examples_partners.py.

    date        document                         debit    credit   running
    01-01       Opening Balance (OB of 01-02)   250.00             250.00 DR
    01-10       INV0001 12 × 25.50              306.00             556.00 DR
    01-20       INV0002  3 × 99.99              299.97             855.97 DR
    (01-25      INV0003 draft 5 × 10.00: not in the ledger)
    02-03       CN/0001 return 2 of INV0001               51.00    804.97 DR
    02-10       sell discount "Loyalty"                   15.50    789.47 DR
    02-15       SP/0001 pay due 900.00 cash              900.00    110.53 CR   OB 250 + INV0001 306 + INV0002
                                                                               299.97; 44.03 left as advance
    03-05       INV0004  4 × 20.00               80.00             30.53 CR
    03-06       30.00 advance on INV0004 (a child of SP/0001: no line; advance 44.03 → 14.03)
    03-20       SP/0006 reverse payment 10.00     10.00             20.53 CR
"""

import datetime
from decimal import Decimal as D

import pytest

from core.tests.matrix import BASE, csv_rows
from ledger.models import Transaction, TransactionPayment
from ledger.statement import LINE_FIELDS
from ledger.tests.builders import (
    api_data,
    backdate,
    ledger_data,
    ledger_rows,
    make_product,
    money_json,
    reference_year,
    stock_up,
    variation_of,
)

UTC = datetime.UTC
Q1 = ("2026-01-01", "2026-03-31")
JAN, FEB, MAR = ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")


@pytest.fixture
def carla(api, business):
    """The customer's quarter, built through the API. Returns a namespace of what the assertions need."""
    user = api.user
    shop = business.locations.order_by("id").first()
    widget = make_product(business, user, name="Widget", purchase_price="6.00", sell_price="10.00")
    variation = variation_of(widget)
    stock_up(business, user, location=shop, product=widget, quantity="1000", transaction_date=_at(2025, 12, 1, 8))

    customer = api_data(
        api,
        "post",
        "/contacts",
        {
            "type": "customer",
            "name": "Carla Customer",
            "mobile": "+15550100",
            "pay_term_number": 30,
            "pay_term_type": "days",
            "opening_balance": "250.00",
        },
    )
    cid = customer["id"]
    backdate(Transaction.objects.get(contact_id=cid, type="opening_balance"), _at(2026, 1, 2, 9))

    def sell(when, quantity, price, **extra):
        line = {"variation_id": variation.pk, "quantity": quantity, "unit_price": price}
        body = {"contact_id": cid, "location_id": shop.pk, "transaction_date": when, "lines": [line], **extra}
        return api_data(api, "post", "/sells", body)

    s1 = sell("2026-01-10 10:00:00", "12", "25.50")
    sell("2026-01-20 11:00:00", "3", "99.99")
    sell("2026-01-25 16:00:00", "5", "10.00", status="draft")
    ret = api_data(
        api,
        "post",
        f"/sells/{s1['id']}/return",
        {"transaction_date": "2026-02-03 14:00:00", "lines": [{"sell_line_id": s1["lines"][0]["id"], "quantity": "2"}]},
    )
    api_data(
        api,
        "post",
        "/ledger-discounts",
        {"contact_id": cid, "date": "2026-02-10 09:30:00", "amount": "15.50", "note": "Loyalty"},
    )
    pay_due = api_data(
        api,
        "post",
        f"/contacts/{cid}/payments",
        {"amount": "900.00", "method": "cash", "paid_on": "2026-02-15 12:00:00"},
    )
    s4 = sell("2026-03-05 10:00:00", "4", "20.00")
    advance = api_data(
        api,
        "post",
        f"/sells/{s4['id']}/payments",
        {"amount": "30.00", "method": "advance", "paid_on": "2026-03-06 10:00:00"},
    )
    reverse = api_data(
        api,
        "post",
        f"/contacts/{cid}/payments",
        {"amount": "10.00", "method": "cash", "paid_on": "2026-03-20 12:00:00", "is_reverse": True},
    )
    year = reference_year(business)
    return _Story(
        id=cid,
        shop=shop.name,
        sub_sku=variation.sub_sku,
        cn=f"CN{year}/0001",
        sp=lambda n: f"SP{year}/{n:04d}",
        s1=s1,
        s4=s4,
        ret=ret,
        pay_due=pay_due,
        advance=advance,
        reverse=reverse,
    )


class _Story:
    def __init__(self, **values):
        self.__dict__.update(values)


def _at(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _quarter_rows(c):
    return [
        ("2026-01-01T00:00:00+00:00", "", "Opening Balance", "", "", D("250.00"), None, "$ 250.00 DR"),
        ("2026-01-10T10:00:00+00:00", "INV0001", "Sell", c.shop, "paid", D("306.00"), None, "$ 556.00 DR"),
        ("2026-01-20T11:00:00+00:00", "INV0002", "Sell", c.shop, "paid", D("299.97"), None, "$ 855.97 DR"),
        ("2026-02-03T14:00:00+00:00", c.cn, "Sell Return", c.shop, "due", None, D("51.00"), "$ 804.97 DR"),
        ("2026-02-10T09:30:00+00:00", "", "Sell Discount", "", "", None, D("15.50"), "$ 789.47 DR"),
        ("2026-02-15T12:00:00+00:00", c.sp(1), "Payment", "", "", None, D("900.00"), "$ 110.53 CR"),
        ("2026-03-05T10:00:00+00:00", "INV0004", "Sell", c.shop, "partial", D("80.00"), None, "$ 30.53 CR"),
        ("2026-03-20T12:00:00+00:00", c.sp(6), "Reverse Payment", "", "", D("10.00"), None, "$ 20.53 CR"),
    ]


QUARTER_SUMMARY = {
    "start_date": "2026-01-01",
    "end_date": "2026-03-31",
    "beginning_balance": D("250.00"),  # the opening balance of 2 January, folded into the opening row
    "balance_due": D("-20.53"),  # the customer holds 20.53 of credit
    "total_invoice": D("634.97"),  # 306.00 + 299.97 + 80.00 − 51.00
    "total_purchase": D("0"),
    "total_paid": D("900.00"),
    "total_reverse_payment": D("10.00"),
    "ledger_discount": D("15.50"),
    "all_total_invoice": D("634.97"),
    "all_invoice_paid": D("900.00"),
    "all_total_purchase": D("0"),
    "all_purchase_paid": D("0"),
    "all_balance_due": D("-20.53"),
    "all_ledger_discount": D("15.50"),
}
# Open at 31 March: the return (51.00 owed to Carla, due since 3 Feb: 56 days) and INV0004 (50.00, due 4 April).
QUARTER_AGING = {
    "current": D("50.00"),
    "1_30": D("0"),
    "31_60": D("-51.00"),
    "61_90": D("0"),
    "over_90": D("0"),
    "total": D("-1.00"),
}


def test_customer_quarter_format_1(api, carla):
    data = ledger_data(api, carla.id, *Q1)
    assert ledger_rows(data["lines"]) == _quarter_rows(carla)
    assert [set(line) for line in data["lines"]] == [set(LINE_FIELDS)] * 8
    assert data["summary"] == QUARTER_SUMMARY
    assert "aging" not in data
    payment, discount, reverse = data["lines"][5], data["lines"][4], data["lines"][7]
    assert (payment["payment_method_key"], payment["transaction_id"], payment["note"]) == ("cash", None, "")
    assert (discount["note"], discount["transaction_type"]) == ("Loyalty", "ledger_discount")
    assert reverse["payment_method_key"] == "cash"
    assert data["lines"][1]["transaction_id"] == carla.s1["id"]


def test_customer_quarter_format_2_open_documents_and_aging(api, carla):
    data = ledger_data(api, carla.id, *Q1, fmt="format_2")
    assert data["summary"] == QUARTER_SUMMARY
    assert data["aging"] == QUARTER_AGING
    rows = [
        (
            line["date"],
            line["ref_no"],
            line["type"],
            line["payment_status"],
            line["debit"],
            line["credit"],
            line["final_total"],
            line["total_paid"],
            line["total_due"],
            line["due_date"],
            line["balance"],
        )
        for line in data["lines"]
    ]
    assert rows == [
        (
            "2026-02-03T14:00:00+00:00",
            carla.cn,
            "Sell Return",
            "due",
            None,
            D("51.00"),
            D("51.00"),
            D("0"),
            D("51.00"),
            "2026-02-03T14:00:00+00:00",
            "",
        ),
        (
            "2026-03-05T10:00:00+00:00",
            "INV0004",
            "Sell",
            "partial",
            D("80.00"),
            None,
            D("80.00"),
            D("30.00"),
            D("50.00"),
            "2026-04-04T10:00:00+00:00",
            "",
        ),
    ]


def test_customer_quarter_format_3_products_and_advance(api, carla):
    data = ledger_data(api, carla.id, *Q1, fmt="format_3")
    assert ledger_rows(data["lines"]) == _quarter_rows(carla)
    assert data["summary"] == {**QUARTER_SUMMARY, "advance_balance": D("14.03")}  # 900 − 855.97 − 30.00
    products = {line["ref_no"]: line.get("products") for line in data["lines"]}
    widget = {"product_name": "Widget", "variation_name": "Widget", "sub_sku": carla.sub_sku}
    assert products == {
        "": None,
        "INV0001": [{**widget, "quantity": D("12"), "unit_price": D("25.50"), "line_total": D("306.00")}],
        "INV0002": [{**widget, "quantity": D("3"), "unit_price": D("99.99"), "line_total": D("299.97")}],
        carla.cn: None,
        carla.sp(1): None,
        "INV0004": [{**widget, "quantity": D("4"), "unit_price": D("20.00"), "line_total": D("80.00")}],
        carla.sp(6): None,
    }


def test_customer_quarter_format_4_partner_ledger(api, carla):
    data = ledger_data(api, carla.id, *Q1, fmt="format_4")
    assert ledger_rows(data["lines"], location=False) == [
        (d, ref, kind, status, debit, credit, balance)
        for d, ref, kind, _, status, debit, credit, balance in _quarter_rows(carla)
    ]
    assert all("location" not in line and "products" not in line for line in data["lines"])
    assert data["summary"] == {**QUARTER_SUMMARY, "advance_balance": D("14.03")}
    assert data["aging"] == QUARTER_AGING


def test_customer_quarter_csv(api, carla):
    response = api.get(f"{BASE}/contacts/{carla.id}/ledger?start_date=2026-01-01&end_date=2026-03-31&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert list(rows[0]) == [f for f in LINE_FIELDS if f not in ("final_total", "total_due", "total_paid", "due_date")]
    as_text = [
        (d, ref, kind, location, status, _text(debit), _text(credit), balance)
        for d, ref, kind, location, status, debit, credit, balance in _quarter_rows(carla)
    ]
    assert [tuple(r[k] for k in list(r)[:8]) for r in rows] == as_text
    assert [r["payment_method_key"] for r in rows] == ["", "", "", "", "", "cash", "", "cash"]
    assert rows[4]["note"] == "Loyalty"


def _text(amount):
    return "" if amount is None else f"{amount:.4f}"  # csv amounts at the stored scale


def test_customer_months_carry_forward(api, carla):
    """Each month opens on the previous one's closing: the opening row and beginning_balance."""
    jan, feb, mar = (ledger_data(api, carla.id, *month) for month in (JAN, FEB, MAR))
    assert [line["balance"] for line in jan["lines"]] == ["$ 250.00 DR", "$ 556.00 DR", "$ 855.97 DR"]
    assert ledger_rows(feb["lines"])[0] == (
        "2026-02-01T00:00:00+00:00",
        "",
        "Opening Balance",
        "",
        "",
        D("855.97"),
        None,
        "$ 855.97 DR",
    )
    assert [line["balance"] for line in feb["lines"]] == ["$ 855.97 DR", "$ 804.97 DR", "$ 789.47 DR", "$ 110.53 CR"]
    assert ledger_rows(mar["lines"])[0] == (
        "2026-03-01T00:00:00+00:00",
        "",
        "Opening Balance",
        "",
        "",
        None,
        D("110.53"),
        "$ 110.53 CR",
    )
    assert [line["balance"] for line in mar["lines"]] == ["$ 110.53 CR", "$ 30.53 CR", "$ 20.53 CR"]
    summaries = [(m["summary"]["beginning_balance"], m["summary"]["balance_due"]) for m in (jan, feb, mar)]
    assert summaries == [
        (D("250.00"), D("855.97")),
        (D("855.97"), D("-110.53")),
        (D("-110.53"), D("-20.53")),
    ]
    assert feb["summary"] | {"start_date": None, "end_date": None} == {
        **QUARTER_SUMMARY,
        "start_date": None,
        "end_date": None,
        "beginning_balance": D("855.97"),
        "balance_due": D("-110.53"),
        "total_invoice": D("-51.00"),
        "total_reverse_payment": D("0"),
    }
    # format_2 for February: what was still open of the documents dated up to its end, aged at 28 February
    assert ledger_data(api, carla.id, *FEB, fmt="format_2")["aging"] == {
        **dict.fromkeys(QUARTER_AGING, D("0")),
        "1_30": D("-51.00"),
        "total": D("-51.00"),
    }


def test_customer_balance(api, carla):
    assert api_data(api, "get", f"/contacts/{carla.id}/balance", status=200) == {
        "contact_id": carla.id,
        "due": D("-20.53"),
        "due_formatted": "$ -20.53",
        "sell_due": D("50.00"),
        "purchase_due": D("0"),
        "opening_balance_due": D("0"),
        "sell_return_due": D("51.00"),
        "purchase_return_due": D("0"),
        "ledger_discount": D("15.50"),
        "advance_balance": D("14.03"),
    }
    opening = api_data(api, "get", f"/contacts/{carla.id}/opening-balance", status=200)["transaction"]
    assert (opening["final_total"], opening["total_paid"], opening["due"], opening["payment_status"]) == (
        D("250.00"),
        D("250.00"),
        D("0"),
        "paid",
    )


def test_customer_pay_due_children_and_payments_list(api, carla):
    assert carla.pay_due | {"id": None, "contact_id": None} == {
        "id": None,
        "contact_id": None,
        "payment_ref_no": carla.sp(1),
        "amount": D("900.00"),
        "method": "cash",
        "paid_on": "2026-02-15T12:00:00+00:00",
        "is_advance": True,
        "payment_type": "credit",
    }
    assert (carla.reverse["is_advance"], carla.reverse["payment_type"]) == (False, "debit")
    children = TransactionPayment.objects.filter(parent_id=carla.pay_due["id"]).order_by("id")
    assert [(c.transaction.type, c.amount, c.method, c.payment_ref_no) for c in children] == [
        ("opening_balance", D("250.00"), "cash", carla.sp(2)),
        ("sell", D("306.00"), "cash", carla.sp(3)),
        ("sell", D("299.97"), "cash", carla.sp(4)),
        ("sell", D("30.00"), "advance", carla.sp(5)),  # the advance-method payment on INV0004
    ]
    assert (carla.advance["method"], carla.advance["transaction_id"]) == ("advance", carla.s4["id"])

    response = api.get(f"{BASE}/contacts/{carla.id}/payments")
    data = money_json(response)["data"]
    assert [(p["payment_ref_no"], p["amount"]) for p in data["payments"]] == [
        (carla.sp(6), D("10.00")),
        (carla.sp(1), D("900.00")),
    ]
    assert [(c["payment_ref_no"], c["amount"]) for c in data["payments"][1]["child_payments"]] == [
        (carla.sp(2), D("250.00")),
        (carla.sp(3), D("306.00")),
        (carla.sp(4), D("299.97")),
        (carla.sp(5), D("30.00")),
    ]
    assert data["summary"] == {
        "count": 6,  # two parents and four children
        "total_paid": D("910.00"),  # the money once: 900.00 + 10.00
        "methods_count": 2,  # cash, advance
        "latest_paid_on": "2026-03-20T12:00:00+00:00",
    }
    february = money_json(api.get(f"{BASE}/contacts/{carla.id}/payments?start_date=2026-02-01&end_date=2026-02-28"))
    assert february["data"]["summary"] == {
        "count": 4,
        "total_paid": D("900.00"),
        "methods_count": 1,
        "latest_paid_on": "2026-02-15T12:00:00+00:00",
    }
