"""GET /contacts/{id}/ledger in format_2 (open documents and aging), format_3 (products and the advance balance)
and format_4 (the partner ledger) (contacts-api "Get contact ledger"; RULES §6 Formats)."""

from decimal import Decimal

import pytest

from contacts.tests.helpers import body
from core.tests.matrix import BASE
from core.tests.openapi import assert_matches_schema
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    AGING,
    LEDGER_LINE,
    LEDGER_PRODUCT,
    LEDGER_SUMMARY,
    backdate,
    cash,
    give_advance,
    line_of,
    make_customer,
    make_ledger_discount,
    make_opening_balance,
    make_purchase,
    make_sell,
    moment,
    open_shop,
    pay_due,
)

FIRST_HALF = "start_date=2026-01-01&end_date=2026-06-30"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="100")


def ledger(client, contact, fmt, query=FIRST_HALF) -> dict:
    response = client.get(f"{BASE}/contacts/{contact.pk}/ledger?{query}&format={fmt}")
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def sell(world, quantity, when, **fields):
    return make_sell(
        world.business,
        world.user,
        customer=fields.pop("customer", world.customer),
        location=world.shop,
        lines=[(world.widget, quantity, None)],
        transaction_date=when,
        **fields,
    )


@pytest.fixture
def open_books(world):
    """What Carla still owes at 30 June 2026, by days past due (pay terms give each its due date)."""
    b, u, carla = world.business, world.user, world.customer
    thirty_days = {"pay_term_number": 30, "pay_term_type": "days"}
    world.a = sell(world, "10", moment(2026, 1, 10))  # 100.00, due 10 Jan: over 90 days
    world.ob = backdate(make_opening_balance(b, carla, "15"), moment(2026, 3, 1))  # 121 days: over 90
    world.ret = backdate(
        sell_return_save(
            business=b,
            user=u,
            sell=world.a,
            data={"lines": [{"sell_line_id": line_of(world.a).pk, "quantity": Decimal("1")}]},
        ),
        moment(2026, 4, 1),
    )  # 10.00 we owe back, 90 days: 61–90, lowering what she owes
    world.b = sell(world, "5", moment(2026, 4, 15), **thirty_days)  # due 15 May: 46 days, 31–60
    sell(world, "2", moment(2026, 5, 1), payments=[cash("20", paid_on=moment(2026, 5, 1))])  # paid: not listed
    world.e = sell(
        world, "3", moment(2026, 6, 1), payments=[cash("10", paid_on=moment(2026, 6, 1))]
    )  # 20.00 left, 1–30
    world.c = sell(world, "4", moment(2026, 6, 20), **thirty_days)  # due 20 July: current
    sell(world, "7", moment(2026, 7, 5))  # after end_date
    make_ledger_discount(b, u, carla, "2", when=moment(2026, 6, 2))  # no document to pay
    return world


def test_format_2_lists_the_open_documents_with_what_is_due_on_each(api, open_books):
    data = ledger(api, open_books.customer, "format_2")["data"]

    assert set(data) == {"contact_id", "lines", "aging", "summary"}
    assert all(list(line) == LEDGER_LINE for line in data["lines"])
    shown = [
        (ln["transaction_id"], ln["final_total"], ln["total_paid"], ln["total_due"], ln["due_date"])
        for ln in data["lines"]
    ]
    w = open_books
    assert shown == [
        (w.a.pk, Decimal("100"), Decimal("0"), Decimal("100"), "2026-01-10T10:00:00+00:00"),
        (w.ob.pk, Decimal("15"), Decimal("0"), Decimal("15"), "2026-03-01T10:00:00+00:00"),
        (w.ret.pk, Decimal("10"), Decimal("0"), Decimal("10"), "2026-04-01T10:00:00+00:00"),
        (w.b.pk, Decimal("50"), Decimal("0"), Decimal("50"), "2026-05-15T10:00:00+00:00"),
        (w.e.pk, Decimal("30"), Decimal("10"), Decimal("20"), "2026-06-01T10:00:00+00:00"),
        (w.c.pk, Decimal("40"), Decimal("0"), Decimal("40"), "2026-07-20T10:00:00+00:00"),
    ]
    first, _, ret, *_ = data["lines"]
    assert (first["type"], first["ref_no"], first["debit"], first["credit"], first["balance"]) == (
        "Sell",
        w.a.invoice_no,
        Decimal("100"),
        None,
        "",
    )
    assert (first["location"], first["payment_status"], first["date"]) == (
        w.shop.name,
        "due",
        "2026-01-10T10:00:00+00:00",
    )
    assert (ret["type"], ret["debit"], ret["credit"]) == ("Sell Return", None, Decimal("10"))


def test_format_2_ages_what_is_due_by_days_past_due_at_end_date(api, open_books):
    aging = ledger(api, open_books.customer, "format_2")["data"]["aging"]

    assert list(aging) == AGING
    assert aging == {
        "current": Decimal("40"),
        "1_30": Decimal("20"),
        "31_60": Decimal("50"),
        "61_90": Decimal("-10"),
        "over_90": Decimal("115"),
        "total": Decimal("215"),
    }


def test_format_2_keeps_the_summary_and_has_no_opening_row(api, open_books):
    payload = ledger(api, open_books.customer, "format_2")

    assert "Opening Balance" not in [ln["type"] for ln in payload["data"]["lines"] if ln["transaction_type"] is None]
    assert list(payload["data"]["summary"]) == LEDGER_SUMMARY
    assert payload["data"]["summary"] == ledger(api, open_books.customer, "format_1")["data"]["summary"]
    assert payload["meta"]["format"] == "format_2"


def test_a_fully_paid_contact_has_an_empty_statement(api, business, world):
    sell(world, "1", moment(2026, 2, 1), payments=[cash("10", paid_on=moment(2026, 2, 1))])

    data = ledger(api, world.customer, "format_2")["data"]

    assert data["lines"] == []
    assert data["aging"] == dict.fromkeys(AGING, Decimal("0"))


def test_format_2_is_the_statement_at_end_date(api, business, world):
    """What was due at end_date: a payment made after it does not count yet."""
    sold = sell(world, "4", moment(2026, 6, 1), payments=[cash("15", paid_on=moment(2026, 6, 30, 23))])
    pay_due(business, world.user, world.customer, "25", paid_on=moment(2026, 7, 1))

    line, *others = ledger(api, world.customer, "format_2")["data"]["lines"]

    assert (line["transaction_id"], line["total_paid"], line["total_due"], others) == (
        sold.pk,
        Decimal("15"),
        Decimal("25"),
        [],
    )


def test_format_2_lines_are_narrowed_by_q(api, open_books):
    lines = ledger(api, open_books.customer, "format_2", f"{FIRST_HALF}&q={open_books.b.invoice_no}")["data"]["lines"]

    assert [ln["transaction_id"] for ln in lines] == [open_books.b.pk]


# --- format_3 and format_4 ------------------------------------------------------------------------------------


@pytest.fixture
def partner(world):
    """A customer-and-supplier: a sell of 2 widgets (20.00) paid 5.00, a purchase of 3 from them at 6.00, and
    7.00 held as advance."""
    b, u = world.business, world.user
    both = make_customer(b, type="both", name="Pat Partner")
    world.both = both
    world.sold = sell(world, "2", moment(2026, 2, 1), customer=both, payments=[cash("5", paid_on=moment(2026, 2, 1))])
    world.bought = make_purchase(
        b,
        u,
        supplier=both,
        location=world.shop,
        lines=[(world.widget, "3", "6.00")],
        transaction_date=moment(2026, 2, 2),
    )
    advance = give_advance(b, both, "7", user=u)
    advance.paid_on = moment(2026, 2, 3)
    advance.save(update_fields=["paid_on"])
    return world


def test_format_3_puts_the_products_under_each_sell_and_purchase(api, partner):
    lines = ledger(api, partner.both, "format_3")["data"]["lines"]

    assert [ln["type"] for ln in lines] == ["Opening Balance", "Sell", "Payment", "Purchase", "Payment"]
    opening, sold, paid, bought, advance = lines
    widget = {"product_name": "Widget", "variation_name": "Widget", "sub_sku": partner.variation.sub_sku}
    assert list(sold) == [*LEDGER_LINE, "products"]
    assert all(list(p) == LEDGER_PRODUCT for p in sold["products"] + bought["products"])
    assert sold["products"] == [widget | {"quantity": 2, "unit_price": 10, "line_total": 20}]
    assert bought["products"] == [widget | {"quantity": 3, "unit_price": 6, "line_total": 18}]
    assert all("products" not in ln for ln in (opening, paid, advance))
    assert [ln["balance"] for ln in lines] == ["$ 0.00", "$ 20.00 DR", "$ 15.00 DR", "$ 3.00 CR", "$ 10.00 CR"]


def test_format_3_and_4_add_the_advance_balance_to_the_summary(api, partner):
    format_1 = ledger(api, partner.both, "format_1")["data"]["summary"]

    for fmt in ("format_3", "format_4"):
        summary = ledger(api, partner.both, fmt)["data"]["summary"]
        assert list(summary) == [*LEDGER_SUMMARY, "advance_balance"]
        assert summary == format_1 | {"advance_balance": Decimal("7")}
    assert "advance_balance" not in format_1


def test_format_4_is_the_partner_ledger_without_location_or_products_with_aging(api, partner):
    payload = ledger(api, partner.both, "format_4")

    data = payload["data"]
    assert set(data) == {"contact_id", "lines", "aging", "summary"}
    without_location = [f for f in LEDGER_LINE if f != "location"]
    assert all(list(line) == without_location for line in data["lines"])
    format_3 = ledger(api, partner.both, "format_3")["data"]["lines"]
    assert [(ln["type"], ln["balance"]) for ln in data["lines"]] == [(ln["type"], ln["balance"]) for ln in format_3]
    # a both contact's aging is in the direction of `due`: the sell (15.00 left) less the purchase (18.00)
    assert data["aging"]["total"] == Decimal("-3")
    assert payload["meta"]["format"] == "format_4"


def test_every_format_answers_the_same_summary(api, partner):
    summaries = [ledger(api, partner.both, f"format_{n}")["data"]["summary"] for n in range(1, 5)]

    assert all({k: s[k] for k in LEDGER_SUMMARY} == summaries[0] for s in summaries)


@pytest.mark.parametrize("fmt", ["format_2", "format_4"])
def test_aging_buckets_by_whole_days_past_due_in_the_business_time_zone(api, business, world, fmt):
    """end_date 2026-06-30 in New York. Sells without a pay term are due on their own date; each bucket's edges:
    due that day or later → current; 1 and 30 days → 1_30; 31 and 60 → 31_60; 61 and 90 → 61_90; 91 → over_90.
    The amounts are powers of two, so every bucket shows which sells it holds."""
    business.time_zone = "America/New_York"
    business.save()
    customer = make_customer(business, name="Aging Anna")
    due_on = {  # local due date -> sell total (1 unit at that price)
        (2026, 6, 30): "1",
        (2026, 6, 29): "2",
        (2026, 5, 31): "4",
        (2026, 5, 30): "8",
        (2026, 5, 1): "16",
        (2026, 4, 30): "32",
        (2026, 4, 1): "64",
        (2026, 3, 31): "128",
    }
    for (year, month, day), price in due_on.items():
        # 23:30 local is already the next day in UTC: the bucket must follow the business's calendar
        when = moment(year, month, day, 23, 30, zone="America/New_York")
        make_sell(
            business,
            world.user,
            customer=customer,
            location=world.shop,
            lines=[(world.widget, "1", price)],
            transaction_date=when,
        )

    aging = ledger(api, customer, fmt, "start_date=2026-01-01&end_date=2026-06-30")["data"]["aging"]

    assert {k: Decimal(str(v)) for k, v in aging.items()} == {
        "current": Decimal("1"),
        "1_30": Decimal("6"),
        "31_60": Decimal("24"),
        "61_90": Decimal("96"),
        "over_90": Decimal("128"),
        "total": Decimal("255"),
    }
