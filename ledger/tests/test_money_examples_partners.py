"""Worked examples of money owed for a supplier and a customer-and-supplier (`both`) contact over the first
quarter of 2026, exact to the cent, through the HTTP API (the customer is in test_money_examples.py).

Supplier (signs: CR = we owe them; `due` = closing, positive = we owe them):

    date     document                                   debit    credit   running
    01-01    Opening Balance (OB 400.00 of 2025-12-20)            400.00   400.00 CR
    01-08    PO/0001 Widget 50 × 4.20                             210.00   610.00 CR
    01-22    PO/0002 Widget 10 × 8.75 + Gadget 6 × 12.50          162.50   772.50 CR   (ordered: counts anyway)
    02-05    PR/0001 return 5 of PO/0001                  21.00            751.50 CR
    02-20    purchase discount "Early payment"            12.25            739.25 CR
    03-02    PP/0001 pay due 800.00 bank transfer        800.00             60.75 DR   OB + PO/0001 + PO/0002;
                                                                                       27.50 left as advance
    03-10    PO/0003 Widget 30 × 7.00                             210.00   149.25 CR
    03-11    27.50 advance on PO/0003 (a child of PP/0001: no line)
    03-25    PP/0006 reverse payment 40.00 (the supplier paid us back)    40.00   189.25 CR
    03-28    PP/0007 cash on PO/0003                     100.00             89.25 CR

`both` (signs as a customer: DR = they owe us; `due` = −closing):

    01-01    Opening Balance (OB 120.00 of 01-03)        120.00            120.00 DR
    01-12    INV0001 6 × 15.00                            90.00            210.00 DR
    01-18    PO/0002 40 × 2.50 bought from them                   100.00   110.00 DR
    01-28    INV0002 4 × 12.00                            48.00            158.00 DR
    02-02    CN/0001 return 1 of INV0001                           15.00   143.00 DR
    02-09    sell discount "Goodwill"                               5.00   138.00 DR
    02-10    purchase discount "Volume"                    3.00            141.00 DR
    02-14    SP/0001 pay due (sell) 300.00                        300.00   159.00 CR   OB + INV0001 + INV0002;
                                                                                       42.00 left as advance
    02-20    PP/0001 pay due (purchase) 60.00              60.00             99.00 CR   60.00 of PO/0002
    03-03    PO/0003 10 × 9.90                                     99.00   198.00 CR
    03-08    INV0003 5 × 14.00                            70.00            128.00 CR
    03-09    42.00 advance on INV0003 (a child of SP/0001: no line)
    03-16    SP/0006 reverse payment 7.50                  7.50            120.50 CR
"""

import datetime
from decimal import Decimal as D

import pytest

from core.tests.matrix import BASE, csv_rows
from ledger.models import Transaction
from ledger.tests.builders import (
    api_data,
    backdate,
    ledger_data,
    ledger_rows,
    make_product,
    reference_year,
    stock_up,
    variation_of,
)

Q1 = ("2026-01-01", "2026-03-31")
MONTHS = (("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"))
NO_AGING = dict.fromkeys(("current", "1_30", "31_60", "61_90", "over_90", "total"), D("0"))


def _contact(api, kind, name, opening, opened_on):
    body = {"type": kind, "name": name, "mobile": f"+1555{len(name):04d}", "opening_balance": opening}
    cid = api_data(
        api, "post", "/contacts", {**body, "pay_term_number": 30 if kind == "both" else 15, "pay_term_type": "days"}
    )["id"]
    backdate(Transaction.objects.get(contact_id=cid, type="opening_balance"), opened_on)
    return cid


def _document(api, kind, cid, location, when, lines, **extra):
    price = "unit_price" if kind == "sells" else "purchase_price"
    body = {
        "contact_id": cid,
        "location_id": location.pk,
        "transaction_date": when,
        "lines": [{"variation_id": v.pk, "quantity": q, price: p} for v, q, p in lines],
        **extra,
    }
    return api_data(api, "post", f"/{kind}", body)


def _pay(api, cid, amount, method, when, **extra):
    return api_data(
        api, "post", f"/contacts/{cid}/payments", {"amount": amount, "method": method, "paid_on": when, **extra}
    )


@pytest.fixture
def story(api, business):
    user = api.user
    shop = business.locations.order_by("id").first()
    widget = variation_of(make_product(business, user, name="Widget", purchase_price="4.00", sell_price="15.00"))
    gadget = variation_of(make_product(business, user, name="Gadget", purchase_price="12.50", sell_price="20.00"))
    return user, shop, widget, gadget, reference_year(business)


@pytest.fixture
def sam(api, story):
    """The supplier's quarter."""
    _, shop, widget, gadget, year = story
    cid = _contact(api, "supplier", "Sam Supplier", "400.00", datetime.datetime(2025, 12, 20, 10, tzinfo=datetime.UTC))
    p1 = _document(api, "purchases", cid, shop, "2026-01-08 10:00:00", [(widget, "50", "4.20")])
    _document(
        api,
        "purchases",
        cid,
        shop,
        "2026-01-22 15:00:00",
        [(widget, "10", "8.75"), (gadget, "6", "12.50")],
        status="ordered",
    )
    api_data(
        api,
        "post",
        f"/purchases/{p1['id']}/return",
        {
            "transaction_date": "2026-02-05 16:00:00",
            "lines": [{"purchase_line_id": p1["lines"][0]["id"], "quantity": "5"}],
        },
    )
    api_data(
        api,
        "post",
        "/ledger-discounts",
        {"contact_id": cid, "date": "2026-02-20 10:00:00", "amount": "12.25", "note": "Early payment"},
    )
    _pay(api, cid, "800.00", "bank_transfer", "2026-03-02 10:00:00")
    p3 = _document(api, "purchases", cid, shop, "2026-03-10 11:00:00", [(widget, "30", "7.00")])
    api_data(
        api,
        "post",
        f"/purchases/{p3['id']}/payments",
        {"amount": "27.50", "method": "advance", "paid_on": "2026-03-11 09:00:00"},
    )
    _pay(api, cid, "40.00", "cash", "2026-03-25 12:00:00", is_reverse=True)
    api_data(
        api,
        "post",
        f"/purchases/{p3['id']}/payments",
        {"amount": "100.00", "method": "cash", "paid_on": "2026-03-28 15:00:00"},
    )
    return cid, shop.name, widget.sub_sku, gadget.sub_sku, year


def _sam_rows(shop, year):
    po, pr, pp = (lambda n, prefix=prefix: f"{prefix}{year}/{n:04d}" for prefix in ("PO", "PR", "PP"))
    return [
        ("2026-01-01T00:00:00+00:00", "", "Opening Balance", "", "", None, D("400.00"), "$ 400.00 CR"),
        ("2026-01-08T10:00:00+00:00", po(1), "Purchase", shop, "paid", None, D("210.00"), "$ 610.00 CR"),
        ("2026-01-22T15:00:00+00:00", po(2), "Purchase", shop, "paid", None, D("162.50"), "$ 772.50 CR"),
        ("2026-02-05T16:00:00+00:00", pr(1), "Purchase Return", shop, "due", D("21.00"), None, "$ 751.50 CR"),
        ("2026-02-20T10:00:00+00:00", "", "Purchase Discount", "", "", D("12.25"), None, "$ 739.25 CR"),
        ("2026-03-02T10:00:00+00:00", pp(1), "Payment", "", "", D("800.00"), None, "$ 60.75 DR"),
        ("2026-03-10T11:00:00+00:00", po(3), "Purchase", shop, "partial", None, D("210.00"), "$ 149.25 CR"),
        ("2026-03-25T12:00:00+00:00", pp(6), "Reverse Payment", "", "", None, D("40.00"), "$ 189.25 CR"),
        ("2026-03-28T15:00:00+00:00", pp(7), "Payment", shop, "", D("100.00"), None, "$ 89.25 CR"),
    ]


SAM_SUMMARY = {
    "start_date": "2026-01-01",
    "end_date": "2026-03-31",
    "beginning_balance": D("400.00"),
    "balance_due": D("89.25"),
    "total_invoice": D("0"),
    "total_purchase": D("561.50"),  # 210.00 + 162.50 + 210.00 − 21.00
    "total_paid": D("900.00"),  # 800.00 + 100.00
    "total_reverse_payment": D("40.00"),
    "ledger_discount": D("12.25"),
    "all_total_invoice": D("0"),
    "all_invoice_paid": D("0"),
    "all_total_purchase": D("561.50"),
    "all_purchase_paid": D("900.00"),
    "all_balance_due": D("89.25"),
    "all_ledger_discount": D("12.25"),
}
# 31 March: PO/0003 owes 82.50 since 25 March (6 days); the supplier owes us the 21.00 return since 5 Feb (54).
SAM_AGING = {**NO_AGING, "1_30": D("82.50"), "31_60": D("-21.00"), "total": D("61.50")}


def test_supplier_quarter_all_formats(api, sam):
    cid, shop, widget_sku, gadget_sku, year = sam
    rows = _sam_rows(shop, year)
    f1, f2, f3, f4 = (ledger_data(api, cid, *Q1, fmt=f"format_{n}") for n in (1, 2, 3, 4))
    assert ledger_rows(f1["lines"]) == rows
    assert ledger_rows(f3["lines"]) == rows
    assert ledger_rows(f4["lines"], location=False) == [r[:3] + r[4:] for r in rows]
    assert f1["summary"] == f2["summary"] == SAM_SUMMARY
    assert f3["summary"] == f4["summary"] == {**SAM_SUMMARY, "advance_balance": D("0")}
    assert f2["aging"] == f4["aging"] == SAM_AGING
    assert [
        (ln["ref_no"], ln["debit"], ln["credit"], ln["final_total"], ln["total_paid"], ln["total_due"], ln["due_date"])
        for ln in f2["lines"]
    ] == [
        (f"PR{year}/0001", D("21.00"), None, D("21.00"), D("0"), D("21.00"), "2026-02-05T16:00:00+00:00"),
        (f"PO{year}/0003", None, D("210.00"), D("210.00"), D("127.50"), D("82.50"), "2026-03-25T11:00:00+00:00"),
    ]
    products = [
        [(p["sub_sku"], p["quantity"], p["unit_price"], p["line_total"]) for p in ln.get("products", [])]
        for ln in f3["lines"]
    ]
    assert products == [
        [],
        [(widget_sku, D("50"), D("4.20"), D("210.00"))],
        [(widget_sku, D("10"), D("8.75"), D("87.50")), (gadget_sku, D("6"), D("12.50"), D("75.00"))],
        [],
        [],
        [],
        [(widget_sku, D("30"), D("7.00"), D("210.00"))],
        [],
        [],
    ]
    response = api.get(f"{BASE}/contacts/{cid}/ledger?start_date=2026-01-01&end_date=2026-03-31&format=csv")
    assert [(r["ref_no"], r["debit"], r["credit"], r["balance"]) for r in csv_rows(response)] == [
        (ref, _text(debit), _text(credit), balance) for _, ref, _, _, _, debit, credit, balance in rows
    ]


def _text(amount):
    return "" if amount is None else f"{amount:.4f}"  # csv amounts at the stored scale


def test_supplier_months_balance_and_late_aging(api, sam):
    cid, shop, *_ = sam
    months = [ledger_data(api, cid, *m)["lines"] for m in MONTHS]
    assert [[ln["balance"] for ln in lines] for lines in months] == [
        ["$ 400.00 CR", "$ 610.00 CR", "$ 772.50 CR"],
        ["$ 772.50 CR", "$ 751.50 CR", "$ 739.25 CR"],
        ["$ 739.25 CR", "$ 60.75 DR", "$ 149.25 CR", "$ 189.25 CR", "$ 89.25 CR"],
    ]
    assert [(ln["debit"], ln["credit"]) for ln in (months[1][0], months[2][0])] == [
        (None, D("772.50")),
        (None, D("739.25")),
    ]
    assert api_data(api, "get", f"/contacts/{cid}/balance", status=200) == {
        "contact_id": cid,
        "due": D("89.25"),
        "due_formatted": "$ 89.25",
        "sell_due": D("0"),
        "purchase_due": D("82.50"),
        "opening_balance_due": D("0"),
        "sell_return_due": D("0"),
        "purchase_return_due": D("21.00"),
        "ledger_discount": D("12.25"),
        "advance_balance": D("0"),
    }
    # Aged at 31 May: the return is 115 days past due, PO/0003 67 days.
    late = ledger_data(api, cid, "2026-04-01", "2026-05-31", fmt="format_4")
    assert late["aging"] == {**NO_AGING, "61_90": D("82.50"), "over_90": D("-21.00"), "total": D("61.50")}
    assert ledger_rows(late["lines"], location=False) == [
        ("2026-04-01T00:00:00+00:00", "", "Opening Balance", "", None, D("89.25"), "$ 89.25 CR")
    ]


@pytest.fixture
def bo(api, business, story):
    """The customer-and-supplier's quarter."""
    user, shop, widget, _, year = story
    stock_up(
        business,
        user,
        location=shop,
        product=widget,
        quantity="500",
        transaction_date=datetime.datetime(2025, 12, 1, 8, tzinfo=datetime.UTC),
    )
    cid = _contact(api, "both", "Bo Both", "120.00", datetime.datetime(2026, 1, 3, 9, tzinfo=datetime.UTC))
    s1 = _document(api, "sells", cid, shop, "2026-01-12 10:00:00", [(widget, "6", "15.00")])
    _document(api, "purchases", cid, shop, "2026-01-18 13:00:00", [(widget, "40", "2.50")])
    _document(api, "sells", cid, shop, "2026-01-28 10:00:00", [(widget, "4", "12.00")])
    api_data(
        api,
        "post",
        f"/sells/{s1['id']}/return",
        {"transaction_date": "2026-02-02 10:00:00", "lines": [{"sell_line_id": s1["lines"][0]["id"], "quantity": "1"}]},
    )
    for day, sub_type, amount, note in (
        ("09", "sell_discount", "5.00", "Goodwill"),
        ("10", "purchase_discount", "3.00", "Volume"),
    ):
        api_data(
            api,
            "post",
            "/ledger-discounts",
            {
                "contact_id": cid,
                "date": f"2026-02-{day} 10:00:00",
                "amount": amount,
                "note": note,
                "sub_type": sub_type,
            },
        )
    _pay(api, cid, "300.00", "cash", "2026-02-14 12:00:00")
    _pay(api, cid, "60.00", "bank_transfer", "2026-02-20 12:00:00", due_payment_type="purchase")
    _document(api, "purchases", cid, shop, "2026-03-03 10:00:00", [(widget, "10", "9.90")])
    s3 = _document(api, "sells", cid, shop, "2026-03-08 10:00:00", [(widget, "5", "14.00")])
    api_data(
        api,
        "post",
        f"/sells/{s3['id']}/payments",
        {"amount": "42.00", "method": "advance", "paid_on": "2026-03-09 10:00:00"},
    )
    _pay(api, cid, "7.50", "cash", "2026-03-16 12:00:00", is_reverse=True)
    return cid, shop.name, year


def _bo_rows(shop, year):
    po, cn, sp, pp = (lambda n, prefix=prefix: f"{prefix}{year}/{n:04d}" for prefix in ("PO", "CN", "SP", "PP"))
    return [
        ("2026-01-01T00:00:00+00:00", "", "Opening Balance", "", "", D("120.00"), None, "$ 120.00 DR"),
        ("2026-01-12T10:00:00+00:00", "INV0001", "Sell", shop, "paid", D("90.00"), None, "$ 210.00 DR"),
        ("2026-01-18T13:00:00+00:00", po(2), "Purchase", shop, "partial", None, D("100.00"), "$ 110.00 DR"),
        ("2026-01-28T10:00:00+00:00", "INV0002", "Sell", shop, "paid", D("48.00"), None, "$ 158.00 DR"),
        ("2026-02-02T10:00:00+00:00", cn(1), "Sell Return", shop, "due", None, D("15.00"), "$ 143.00 DR"),
        ("2026-02-09T10:00:00+00:00", "", "Sell Discount", "", "", None, D("5.00"), "$ 138.00 DR"),
        ("2026-02-10T10:00:00+00:00", "", "Purchase Discount", "", "", D("3.00"), None, "$ 141.00 DR"),
        ("2026-02-14T12:00:00+00:00", sp(1), "Payment", "", "", None, D("300.00"), "$ 159.00 CR"),
        ("2026-02-20T12:00:00+00:00", pp(1), "Payment", "", "", D("60.00"), None, "$ 99.00 CR"),
        ("2026-03-03T10:00:00+00:00", po(3), "Purchase", shop, "due", None, D("99.00"), "$ 198.00 CR"),
        ("2026-03-08T10:00:00+00:00", "INV0003", "Sell", shop, "partial", D("70.00"), None, "$ 128.00 CR"),
        ("2026-03-16T12:00:00+00:00", sp(6), "Reverse Payment", "", "", D("7.50"), None, "$ 120.50 CR"),
    ]


BO_SUMMARY = {
    "start_date": "2026-01-01",
    "end_date": "2026-03-31",
    "beginning_balance": D("120.00"),  # the opening balance of 3 January, folded into the opening row
    "balance_due": D("-120.50"),
    "total_invoice": D("193.00"),  # 90.00 + 48.00 + 70.00 − 15.00
    "total_purchase": D("199.00"),
    "total_paid": D("360.00"),
    "total_reverse_payment": D("7.50"),
    "ledger_discount": D("8.00"),  # 5.00 sell discount + 3.00 purchase discount
    "all_total_invoice": D("193.00"),
    "all_invoice_paid": D("300.00"),
    "all_total_purchase": D("199.00"),
    "all_purchase_paid": D("60.00"),
    "all_balance_due": D("-120.50"),
    "all_ledger_discount": D("8.00"),
}
# 31 March, in Bo's direction (what they owe us): PO/0002's 40.00 and the 15.00 return are 42 and 57 days past
# due (we owe them); PO/0003 (99.00, due 2 April) and INV0003 (28.00, due 7 April) are not due yet.
BO_AGING = {**NO_AGING, "current": D("-71.00"), "31_60": D("-55.00"), "total": D("-126.00")}


def test_both_quarter_all_formats(api, bo):
    cid, shop, year = bo
    rows = _bo_rows(shop, year)
    f1, f2, f3, f4 = (ledger_data(api, cid, *Q1, fmt=f"format_{n}") for n in (1, 2, 3, 4))
    assert ledger_rows(f1["lines"]) == ledger_rows(f3["lines"]) == rows
    assert ledger_rows(f4["lines"], location=False) == [r[:3] + r[4:] for r in rows]
    assert f1["summary"] == f2["summary"] == BO_SUMMARY
    assert f3["summary"] == f4["summary"] == {**BO_SUMMARY, "advance_balance": D("0")}
    assert f2["aging"] == f4["aging"] == BO_AGING
    assert [(ln["ref_no"], ln["type"], ln["total_due"], ln["due_date"][:10]) for ln in f2["lines"]] == [
        (f"PO{year}/0002", "Purchase", D("40.00"), "2026-02-17"),
        (f"CN{year}/0001", "Sell Return", D("15.00"), "2026-02-02"),
        (f"PO{year}/0003", "Purchase", D("99.00"), "2026-04-02"),
        ("INV0003", "Sell", D("28.00"), "2026-04-07"),
    ]
    response = api.get(f"{BASE}/contacts/{cid}/ledger?start_date=2026-01-01&end_date=2026-03-31&format=csv")
    assert [r["balance"] for r in csv_rows(response)] == [r[-1] for r in rows]


def test_both_months_and_balance(api, bo):
    cid, *_ = bo
    months = [ledger_data(api, cid, *m) for m in MONTHS]
    assert [[ln["balance"] for ln in m["lines"]] for m in months] == [
        ["$ 120.00 DR", "$ 210.00 DR", "$ 110.00 DR", "$ 158.00 DR"],
        ["$ 158.00 DR", "$ 143.00 DR", "$ 138.00 DR", "$ 141.00 DR", "$ 159.00 CR", "$ 99.00 CR"],
        ["$ 99.00 CR", "$ 198.00 CR", "$ 128.00 CR", "$ 120.50 CR"],
    ]
    assert [(m["summary"]["beginning_balance"], m["summary"]["balance_due"]) for m in months] == [
        (D("120.00"), D("158.00")),
        (D("158.00"), D("-99.00")),
        (D("-99.00"), D("-120.50")),
    ]
    assert api_data(api, "get", f"/contacts/{cid}/balance", status=200) == {
        "contact_id": cid,
        "due": D("-120.50"),
        "due_formatted": "$ -120.50",
        "sell_due": D("28.00"),
        "purchase_due": D("139.00"),
        "opening_balance_due": D("0"),
        "sell_return_due": D("15.00"),
        "purchase_return_due": D("0"),
        "ledger_discount": D("8.00"),
        "advance_balance": D("0"),
    }
