"""GET /contacts/{id}/ledger, format_1 and csv (contacts-api "Get contact ledger"; RULES §6): the opening row, the
period's lines with their running balance, the summary, the echoed filters, validation and the csv download.
format_2, format_3 and format_4 are in test_api_money_ledger_formats.py."""

from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    LEDGER_CSV,
    LEDGER_LINE,
    LEDGER_META,
    LEDGER_SUMMARY,
    backdate,
    cash,
    download_rows,
    line_of,
    make_customer,
    make_ledger_discount,
    make_opening_balance,
    make_purchase,
    make_sell,
    make_supplier,
    moment,
    money_footprint,
    open_shop,
    pay_due,
    stock_up,
)

FEBRUARY = "start_date=2026-02-01&end_date=2026-02-28"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="100")


def ledger_url(contact, query=FEBRUARY) -> str:
    return f"{BASE}/contacts/{contact.pk}/ledger?{query}"


def ledger(client, contact, query=FEBRUARY) -> dict:
    response = client.get(ledger_url(contact, query))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def sell(world, quantity, when, **fields):
    return make_sell(
        world.business,
        world.user,
        customer=fields.pop("customer", world.customer),
        location=fields.pop("location", world.shop),
        lines=[(world.widget, quantity, None)],
        transaction_date=when,
        **fields,
    )


@pytest.fixture
def books(world):
    """Carla, February 2026. Before it: an opening balance of 40.00 and a sell of 30.00 (brought forward: 70.00 DR).
    In it: a sell of 20.00 with 5.00 cash at the same moment, a 3.00 discount, a pay-due of 50.00, a draft sell (not
    shown), a return of 10.00 and a reverse payment of 4.00. After it: a sell of 10.00."""
    b, u, carla = world.business, world.user, world.customer
    backdate(make_opening_balance(b, carla, "40"), moment(2026, 1, 5))
    world.s1 = sell(world, "3", moment(2026, 1, 20))
    world.s2 = sell(world, "2", moment(2026, 2, 3), payments=[cash("5", paid_on=moment(2026, 2, 3))])
    world.discount = make_ledger_discount(b, u, carla, "3", when=moment(2026, 2, 10), note="loyalty")
    world.parent = pay_due(b, u, carla, "50", paid_on=moment(2026, 2, 15))
    sell(world, "9", moment(2026, 2, 16), status="draft")
    world.ret = sell_return_save(
        business=b,
        user=u,
        sell=world.s2,
        data={"lines": [{"sell_line_id": line_of(world.s2).pk, "quantity": Decimal("1")}]},
    )
    backdate(world.ret, moment(2026, 2, 20))
    world.reverse = pay_due(b, u, carla, "4", paid_on=moment(2026, 2, 25), is_reverse=True)
    sell(world, "1", moment(2026, 3, 5))
    return world


def test_format_1_lists_the_period_after_an_opening_row(api, books):
    payload = ledger(api, books.customer)

    assert list(payload) == ["data", "meta"]
    assert list(payload["data"]) == ["contact_id", "lines", "summary"]
    assert payload["data"]["contact_id"] == books.customer.pk
    lines = payload["data"]["lines"]
    assert all(list(line) == LEDGER_LINE for line in lines)
    shown = [(ln["type"], ln["ref_no"], ln["debit"], ln["credit"], ln["balance"]) for ln in lines]
    assert shown == [
        ("Opening Balance", "", Decimal("70"), None, "$ 70.00 DR"),
        ("Sell", books.s2.invoice_no, Decimal("20"), None, "$ 90.00 DR"),
        ("Payment", books.s2.payments.get().payment_ref_no, None, Decimal("5"), "$ 85.00 DR"),
        ("Sell Discount", "", None, Decimal("3"), "$ 82.00 DR"),
        ("Payment", books.parent.payment_ref_no, None, Decimal("50"), "$ 32.00 DR"),
        ("Sell Return", books.ret.invoice_no, None, Decimal("10"), "$ 22.00 DR"),
        ("Reverse Payment", books.reverse.payment_ref_no, Decimal("4"), None, "$ 26.00 DR"),
    ]


def test_each_line_says_what_it_is(api, books):
    opening, s2, cash_payment, discount, parent, ret, reverse = ledger(api, books.customer)["data"]["lines"]

    assert opening == dict.fromkeys(LEDGER_LINE) | {
        "date": "2026-02-01T00:00:00+00:00",
        "ref_no": "",
        "type": "Opening Balance",
        "location": "",
        "payment_status": "",
        "note": "",
        "debit": Decimal("70"),
        "balance": "$ 70.00 DR",
    }
    assert (s2["date"], s2["location"], s2["payment_status"], s2["transaction_id"], s2["transaction_type"]) == (
        "2026-02-03T10:00:00+00:00",
        books.shop.name,
        "partial",
        books.s2.pk,
        "sell",
    )
    assert s2["payment_method_key"] is None
    assert (cash_payment["transaction_id"], cash_payment["payment_method_key"], cash_payment["location"]) == (
        books.s2.pk,
        "cash",
        books.shop.name,
    )
    assert (discount["note"], discount["location"], discount["payment_status"], discount["transaction_id"]) == (
        "loyalty",
        "",
        "",
        books.discount.pk,
    )
    # a pay-due parent has no document and carries its children's amount
    assert (parent["transaction_id"], parent["transaction_type"], parent["location"]) == (None, None, "")
    assert (ret["transaction_type"], reverse["payment_method_key"]) == ("sell_return", "cash")
    assert all(ln[k] is None for ln in (s2, parent) for k in ("final_total", "total_due", "total_paid", "due_date"))


def test_the_summary_of_the_period_and_of_all_time(api, books):
    summary = ledger(api, books.customer)["data"]["summary"]

    assert list(summary) == LEDGER_SUMMARY
    assert summary == {
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
        "beginning_balance": Decimal("70"),
        "balance_due": Decimal("26"),
        "total_invoice": Decimal("10"),
        "total_purchase": Decimal("0"),
        "total_paid": Decimal("55"),
        "total_reverse_payment": Decimal("4"),
        "ledger_discount": Decimal("3"),
        "all_total_invoice": Decimal("50"),
        "all_invoice_paid": Decimal("55"),
        "all_total_purchase": Decimal("0"),
        "all_purchase_paid": Decimal("0"),
        "all_balance_due": Decimal("36"),
        "all_ledger_discount": Decimal("3"),
    }


def test_the_filters_are_echoed_in_meta(api, books):
    assert ledger(api, books.customer)["meta"] == {
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
        "location_id": None,
        "format": "format_1",
        "q": None,
    }
    query = f"{FEBRUARY}&location_id={books.shop.pk}&format=format_1&q=loyalty"
    meta = ledger(api, books.customer, query)["meta"]
    assert list(meta) == LEDGER_META
    assert (meta["location_id"], meta["format"], meta["q"]) == (books.shop.pk, "format_1", "loyalty")


def test_a_suppliers_ledger_runs_the_other_way(api, business, world):
    supplier = make_supplier(business)
    backdate(make_opening_balance(business, supplier, "25"), moment(2026, 1, 5))
    purchase = make_purchase(
        business,
        world.user,
        supplier=supplier,
        location=world.shop,
        lines=[(world.widget, "10", "6.00")],
        transaction_date=moment(2026, 2, 3),
        payments=[cash("15", paid_on=moment(2026, 2, 4))],
    )
    pay_due(business, world.user, supplier, "20", paid_on=moment(2026, 2, 10))
    make_ledger_discount(business, world.user, supplier, "5", when=moment(2026, 2, 12))

    data = ledger(api, supplier)["data"]

    shown = [(ln["type"], ln["debit"], ln["credit"], ln["balance"]) for ln in data["lines"]]
    assert shown == [
        ("Opening Balance", None, Decimal("25"), "$ 25.00 CR"),
        ("Purchase", None, Decimal("60"), "$ 85.00 CR"),
        ("Payment", Decimal("15"), None, "$ 70.00 CR"),
        ("Payment", Decimal("20"), None, "$ 50.00 CR"),
        ("Purchase Discount", Decimal("5"), None, "$ 45.00 CR"),
    ]
    assert data["lines"][1]["transaction_id"] == purchase.pk
    summary = data["summary"]
    assert (summary["beginning_balance"], summary["balance_due"], summary["all_balance_due"]) == (
        Decimal("25"),
        Decimal("45"),
        Decimal("45"),
    )
    assert (summary["total_purchase"], summary["total_paid"], summary["all_purchase_paid"]) == (
        Decimal("60"),
        Decimal("35"),
        Decimal("35"),
    )


@pytest.mark.parametrize(
    ("purchase_total", "opening"),
    [(None, ("debit", Decimal("10"), "$ 10.00 DR")), ("15", ("credit", Decimal("5"), "$ 5.00 CR"))],
)
def test_the_opening_row_of_a_both_contact_is_signed(api, business, world, purchase_total, opening):
    both = make_customer(business, type="both")
    backdate(make_opening_balance(business, both, "10"), moment(2026, 1, 5))
    if purchase_total:
        make_purchase(
            business,
            world.user,
            supplier=both,
            location=world.shop,
            lines=[(world.widget, "1", purchase_total)],
            transaction_date=moment(2026, 1, 6),
        )

    row = ledger(api, both)["data"]["lines"][0]

    side, amount, text = opening
    assert (row[side], row["debit" if side == "credit" else "credit"], row["balance"]) == (amount, None, text)


def test_opening_balances_inside_the_period_fold_into_the_opening_row(api, business, world):
    backdate(make_opening_balance(business, world.customer, "40"), moment(2026, 2, 10))
    sell(world, "1", moment(2026, 2, 11))

    data = ledger(api, world.customer)["data"]

    assert [(ln["type"], ln["debit"], ln["balance"]) for ln in data["lines"]] == [
        ("Opening Balance", Decimal("40"), "$ 40.00 DR"),
        ("Sell", Decimal("10"), "$ 50.00 DR"),
    ]
    assert data["summary"]["beginning_balance"] == Decimal("40")


def test_an_opening_balance_after_the_period_counts_only_all_time(api, business, world):
    backdate(make_opening_balance(business, world.customer, "40"), moment(2026, 4, 1))

    data = ledger(api, world.customer)["data"]

    assert (data["lines"][0]["debit"], data["lines"][0]["credit"], data["lines"][0]["balance"]) == (
        None,
        None,
        "$ 0.00",
    )
    assert (data["summary"]["balance_due"], data["summary"]["all_balance_due"]) == (Decimal("0"), Decimal("40"))


def test_a_document_at_midnight_of_start_date_is_in_the_period(api, world):
    first = sell(world, "1", moment(2026, 2, 1, 0))
    sell(world, "1", moment(2026, 3, 1, 0))  # midnight after end_date: the next period

    lines = ledger(api, world.customer)["data"]["lines"]

    assert [(ln["type"], ln["transaction_id"]) for ln in lines] == [("Opening Balance", None), ("Sell", first.pk)]
    assert lines[0]["balance"] == "$ 0.00"


def test_the_period_is_read_in_the_business_time_zone(api, business, world):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])
    inside = sell(world, "1", moment(2026, 1, 31, 20))  # 1 February, 01:30 in Kolkata
    sell(world, "2", moment(2026, 2, 28, 19))  # 1 March, 00:30 in Kolkata

    lines = ledger(api, world.customer)["data"]["lines"]

    assert lines[0]["date"] == "2026-02-01T00:00:00+05:30"
    assert [(ln["transaction_id"], ln["date"]) for ln in lines[1:]] == [(inside.pk, "2026-02-01T01:30:00+05:30")]


def test_q_narrows_the_lines_not_the_running_balance_or_the_summary(api, books):
    full = ledger(api, books.customer)["data"]

    data = ledger(api, books.customer, f"{FEBRUARY}&q=LOYAL")["data"]

    assert [(ln["type"], ln["balance"]) for ln in data["lines"]] == [
        ("Opening Balance", "$ 70.00 DR"),
        ("Sell Discount", "$ 82.00 DR"),
    ]
    assert data["summary"] == full["summary"]
    by_ref = ledger(api, books.customer, f"{FEBRUARY}&q={books.s2.invoice_no}")["data"]["lines"]
    assert [ln["transaction_id"] for ln in by_ref[1:]] == [books.s2.pk]
    by_type = ledger(api, books.customer, f"{FEBRUARY}&q=Reverse")["data"]["lines"]
    assert [ln["ref_no"] for ln in by_type[1:]] == [books.reverse.payment_ref_no]


def test_q_matches_a_numeric_transaction_id(api, books):
    pk, q = books.discount.pk, f"{books.discount.pk:02d}"
    searched = ("ref_no", "type", "location", "payment_status", "note")

    lines = ledger(api, books.customer, f"{FEBRUARY}&q={q}")["data"]["lines"][1:]

    assert pk in [ln["transaction_id"] for ln in lines]
    assert all(ln["transaction_id"] == pk or any(q in ln[f] for f in searched) for ln in lines)


@pytest.mark.parametrize(("q", "notes"), [("0%", ["50% off"]), ("__", [])])
def test_q_matches_percent_and_underscore_literally(api, business, world, q, notes):
    make_ledger_discount(business, world.user, world.customer, "1", when=moment(2026, 2, 2), note="50% off")
    make_ledger_discount(business, world.user, world.customer, "1", when=moment(2026, 2, 3), note="500 off")

    lines = ledger(api, world.customer, f"{FEBRUARY}&q={q.replace('%', '%25')}")["data"]["lines"]

    assert [ln["note"] for ln in lines[1:]] == notes


@pytest.mark.parametrize("q", ["Müller", "müller"])
def test_q_matches_non_ascii_text(api, business, world, q):
    make_ledger_discount(business, world.user, world.customer, "1", when=moment(2026, 2, 2), note="Müller & Söhne")

    lines = ledger(api, world.customer, f"{FEBRUARY}&q={q}")["data"]["lines"]

    assert [ln["note"] for ln in lines[1:]] == ["Müller & Söhne"]


def test_a_location_keeps_ledger_discounts_and_contact_level_payments(api, business, world):
    stock_up(business, world.user, location=world.depot, product=world.widget, quantity="10")
    at_shop = sell(world, "2", moment(2026, 2, 3))
    sell(world, "3", moment(2026, 1, 3), location=world.depot)  # brought forward only without the filter
    sell(world, "3", moment(2026, 2, 4), location=world.depot)
    make_ledger_discount(business, world.user, world.customer, "1", when=moment(2026, 2, 5))
    parent = pay_due(business, world.user, world.customer, "100", paid_on=moment(2026, 2, 6))

    data = ledger(api, world.customer, f"{FEBRUARY}&location_id={world.shop.pk}")["data"]

    assert [(ln["type"], ln["transaction_id"] or ln["ref_no"]) for ln in data["lines"]] == [
        ("Opening Balance", ""),
        ("Sell", at_shop.pk),
        ("Sell Discount", data["lines"][2]["transaction_id"]),
        ("Payment", parent.payment_ref_no),
    ]
    assert data["summary"]["beginning_balance"] == Decimal("0")
    assert data["lines"][-1]["balance"] == "$ 81.00 CR"


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "start_date"),
        ("end_date=2026-02-28", "start_date"),
        ("start_date=2026-02-01", "end_date"),
        ("start_date=2026-02-28&end_date=2026-02-01", "end_date"),
        ("start_date=2026/02/01&end_date=2026-02-28", "start_date"),
        ("start_date=2026-02-01&end_date=2026-02-30", "end_date"),
        (f"{FEBRUARY}&q=x", "q"),
        (f"{FEBRUARY}&format=json", "format"),
        (f"{FEBRUARY}&format=pdf", "format"),
        (f"{FEBRUARY}&format=format_5", "format"),
        (f"{FEBRUARY}&location_id=99999999", "location_id"),
        (f"{FEBRUARY}&location_id=abc", "location_id"),
    ],
)
def test_invalid_queries_are_422(api, business, world, query, field):
    before = money_footprint(business)

    response = api.get(ledger_url(world.customer, query))

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_one_day_is_a_valid_period(api, world):
    assert ledger(api, world.customer, "start_date=2026-02-01&end_date=2026-02-01")["meta"]["end_date"] == "2026-02-01"


def test_a_location_of_another_business_is_422(api, other_business, world):
    response = api.get(ledger_url(world.customer, f"{FEBRUARY}&location_id={other_business.locations.get().pk}"))

    assert_validation_error(response, "location_id")


def test_an_unknown_contact_is_404(api, world):
    assert_not_found(api, "get", f"{BASE}/contacts/99999999/ledger?{FEBRUARY}")
    assert_matches_schema(api.get(f"{BASE}/contacts/99999999/ledger?{FEBRUARY}"))


# --- csv -----------------------------------------------------------------------------------------------------


def as_cells(line: dict) -> dict:
    """A JSON ledger line as the csv writes it."""

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value:.4f}"  # at the stored scale, as on the wire
        return str(value)

    return {k: cell(line[k]) for k in LEDGER_CSV}


def test_csv_is_every_format_1_line_with_the_opening_row_streamed(api, business, books):
    for day in range(1, 28):  # more lines than a page holds
        make_ledger_discount(business, books.user, books.customer, "0.5", when=moment(2026, 2, day, 23))

    response = api.get(ledger_url(books.customer, f"{FEBRUARY}&format=csv"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="contact-ledger-{books.customer.pk}-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == LEDGER_CSV
    lines = ledger(api, books.customer)["data"]["lines"]
    assert len(rows) == len(lines) == 7 + 27
    assert rows == [as_cells(line) for line in lines]
    assert rows[0]["type"] == "Opening Balance"


def test_csv_takes_the_filters_and_neutralises_formulas(api, business, books):
    make_ledger_discount(business, books.user, books.customer, "1", when=moment(2026, 2, 11), note="=HYPERLINK(1)")

    rows = download_rows(api.get(ledger_url(books.customer, f"{FEBRUARY}&format=csv&q=HYPERLINK")))

    assert [(r["type"], r["note"], r["balance"]) for r in rows] == [
        ("Opening Balance", "", "$ 70.00 DR"),
        ("Sell Discount", "'=HYPERLINK(1)", "$ 81.00 DR"),
    ]
