"""GET /contacts/{id}/payments (contacts-api "List contact payments"; RULES §4): parent and single-document payments
with the pay-due splits nested, the summary over every row in the date filter, echoed filters, pagination, csv."""

import json
from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.services.payments import payment_add
from ledger.tests.builders import (
    CHILD_PAYMENT,
    PAGE_META,
    PAYMENT_ROW,
    PAYMENT_SUMMARY,
    backdate,
    download_rows,
    make_customer,
    make_opening_balance,
    make_sell,
    moment,
    money_footprint,
    open_shop,
    pay_due,
)


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="100")


def url(contact, query="") -> str:
    return f"{BASE}/contacts/{contact.pk}/payments" + (f"?{query}" if query else "")


def payments(client, contact, query="") -> dict:
    response = client.get(url(contact, query))
    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    return body(response)


@pytest.fixture
def paid(world):
    """Carla owes an opening balance of 40.00 (5 Jan) and a sell of 30.00 (20 Jan). Paid: 5.00 by card on the sell
    (1 Feb), a pay-due of 50.00 cash (15 Feb: 40.00 to the opening balance, 10.00 to the sell) and a pay-due of
    12.00 by cheque (1 Mar: to the sell). Another customer's payment is not hers."""
    b, u, carla = world.business, world.user, world.customer
    backdate(make_opening_balance(b, carla, "40"), moment(2026, 1, 5))
    world.sell = make_sell(
        b,
        u,
        customer=carla,
        location=world.shop,
        lines=[(world.widget, "3", None)],
        transaction_date=moment(2026, 1, 20),
    )
    world.card = payment_add(
        business=b,
        user=u,
        document=world.sell,
        data={
            "amount": Decimal("5"),
            "method": "card",
            "paid_on": moment(2026, 2, 1),
            "card_transaction_number": "CT-77",
            "note": "front desk",
        },
    )
    world.bulk = pay_due(b, u, carla, "50", paid_on=moment(2026, 2, 15), note="bulk")
    world.cheque = pay_due(b, u, carla, "12", method="cheque", paid_on=moment(2026, 3, 1), cheque_number="CHQ-1")
    pay_due(b, u, make_customer(b), "99", paid_on=moment(2026, 2, 15))
    return world


def test_parents_and_single_document_payments_newest_first(api, paid):
    payload = payments(api, paid.customer)

    assert list(payload) == ["data", "meta"]
    assert list(payload["data"]) == ["contact_id", "payments", "summary"]
    assert payload["data"]["contact_id"] == paid.customer.pk
    rows = payload["data"]["payments"]
    assert [r["id"] for r in rows] == [paid.cheque.pk, paid.bulk.pk, paid.card.pk]
    assert all(set(r) == {*PAYMENT_ROW, "note"} for r in rows)


def test_a_single_document_payment_names_its_document(api, paid):
    card = payments(api, paid.customer)["data"]["payments"][2]

    assert card == {
        "id": paid.card.pk,
        "amount": Decimal("5"),
        "is_return": False,
        "method": "card",
        "method_label": "Card",
        "paid_on": "2026-02-01T10:00:00+00:00",
        "payment_ref_no": paid.card.payment_ref_no,
        "transaction_no": None,
        "invoice_no": paid.sell.invoice_no,
        "ref_no": None,
        "transaction_type": "sell",
        "transaction_id": paid.sell.pk,
        "return_parent_id": None,
        "cheque_number": None,
        "card_transaction_number": "CT-77",
        "bank_account_number": None,
        "note": "front desk",
        "child_payments": [],
    }


def test_a_pay_due_parent_carries_its_splits(api, paid):
    cheque, bulk, _ = payments(api, paid.customer)["data"]["payments"]

    assert (bulk["amount"], bulk["transaction_id"], bulk["invoice_no"], bulk["note"]) == (
        Decimal("50"),
        None,
        None,
        "bulk",
    )
    assert all(set(child) == set(CHILD_PAYMENT) for child in bulk["child_payments"])
    children = paid.bulk.children.order_by("paid_on", "id")
    assert bulk["child_payments"] == [
        {
            "id": child.pk,
            "amount": amount,
            "method": "cash",
            "method_label": "Cash",
            "paid_on": "2026-02-15T10:00:00+00:00",
            "payment_ref_no": child.payment_ref_no,
        }
        for child, amount in zip(children, [Decimal("40"), Decimal("10")], strict=True)
    ]
    assert (cheque["cheque_number"], cheque["method_label"], len(cheque["child_payments"])) == ("CHQ-1", "Cheque", 1)


def test_the_summary_counts_every_row_and_the_money_once(api, paid):
    summary = payments(api, paid.customer)["data"]["summary"]

    assert list(summary) == PAYMENT_SUMMARY
    assert summary == {
        "count": 6,  # three listed rows and three splits
        "total_paid": Decimal("67"),
        "methods_count": 3,
        "latest_paid_on": "2026-03-01T10:00:00+00:00",
    }


def test_the_date_filter_narrows_rows_and_summary_and_is_echoed(api, paid):
    payload = payments(api, paid.customer, "start_date=2026-02-10&end_date=2026-02-28")

    assert [r["id"] for r in payload["data"]["payments"]] == [paid.bulk.pk]
    assert payload["data"]["summary"] == {
        "count": 3,
        "total_paid": Decimal("50"),
        "methods_count": 1,
        "latest_paid_on": "2026-02-15T10:00:00+00:00",
    }
    assert payload["meta"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 1,
        "start_date": "2026-02-10",
        "end_date": "2026-02-28",
        "q": None,
    }


def test_no_filter_echoes_nulls(api, paid):
    meta = payments(api, paid.customer)["meta"]

    assert list(meta) == [*PAGE_META, "start_date", "end_date", "q"]
    assert (meta["start_date"], meta["end_date"], meta["q"], meta["total"]) == (None, None, None, 3)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("chq-", ["cheque"]),
        ("FRONT desk", ["card"]),
        ("bulk", ["bulk"]),
        ("CT-77", ["card"]),
        ("cheque", ["cheque"]),
        ("{invoice}", ["cheque", "bulk", "card"]),  # the card's document, and the documents the splits paid
    ],
)
def test_q_narrows_the_rows_not_the_summary(api, paid, q, expected):
    q = q.format(invoice=paid.sell.invoice_no)
    full = payments(api, paid.customer)["data"]["summary"]

    payload = payments(api, paid.customer, f"q={q}")

    assert [r["id"] for r in payload["data"]["payments"]] == [getattr(paid, name).pk for name in expected]
    assert payload["data"]["summary"] == full
    assert payload["meta"]["q"] == q


def test_q_matches_a_numeric_payment_id(api, paid):
    rows = payments(api, paid.customer, f"q={paid.card.pk:02d}")["data"]["payments"]

    assert paid.card.pk in [r["id"] for r in rows]


def test_pages_keep_the_summary(api, paid):
    first = payments(api, paid.customer, "per_page=2")
    second = payments(api, paid.customer, "per_page=2&page=2")
    past = payments(api, paid.customer, "per_page=2&page=3")

    assert [r["id"] for r in first["data"]["payments"]] == [paid.cheque.pk, paid.bulk.pk]
    assert [r["id"] for r in second["data"]["payments"]] == [paid.card.pk]
    assert past["data"]["payments"] == []
    assert {k: second["meta"][k] for k in PAGE_META} == {"current_page": 2, "last_page": 2, "per_page": 2, "total": 3}
    assert first["data"]["summary"] == second["data"]["summary"] == past["data"]["summary"]


def test_a_contact_without_payments(api, business):
    payload = payments(api, make_customer(business))

    assert payload["data"]["payments"] == []
    assert payload["data"]["summary"] == {
        "count": 0,
        "total_paid": Decimal("0"),
        "methods_count": 0,
        "latest_paid_on": None,
    }


def test_csv_is_every_listed_row_with_the_splits_json_encoded(api, business, paid):
    response = api.get(url(paid.customer, "format=csv&per_page=1&q=CHQ"))
    everything = api.get(url(paid.customer, "format=csv&per_page=1"))

    assert response.status_code == everything.status_code == 200
    assert f'filename="contact-{paid.customer.pk}-payments-{business.pk}-' in everything["Content-Disposition"]
    rows = download_rows(everything)
    json_rows = payments(api, paid.customer)["data"]["payments"]
    assert list(rows[0]) == list(json_rows[0])
    assert [int(r["id"]) for r in rows] == [r["id"] for r in json_rows]
    assert [json.loads(r["child_payments"], parse_float=Decimal) for r in rows] == [
        r["child_payments"] for r in json_rows
    ]
    assert (rows[2]["amount"], rows[2]["is_return"], rows[2]["card_transaction_number"], rows[2]["invoice_no"]) == (
        "5.0000",
        "false",
        "CT-77",
        paid.sell.invoice_no,
    )
    assert [int(r["id"]) for r in download_rows(response)] == [paid.cheque.pk]


def test_csv_splits_are_in_the_business_time_zone(api, business, paid):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])

    rows = download_rows(api.get(url(paid.customer, "format=csv")))

    assert rows[1]["paid_on"] == "2026-02-15T15:30:00+05:30"
    assert [child["paid_on"] for child in json.loads(rows[1]["child_payments"])] == ["2026-02-15T15:30:00+05:30"] * 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-02-01", "end_date"),
        ("end_date=2026-02-28", "start_date"),
        ("start_date=2026-02-28&end_date=2026-02-01", "end_date"),
        ("start_date=01-02-2026&end_date=2026-02-28", "start_date"),
        ("q=x", "q"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("format=pdf", "format"),
    ],
)
def test_invalid_queries_are_422(api, business, paid, query, field):
    before = money_footprint(business)

    response = api.get(url(paid.customer, query))

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_an_unknown_contact_is_404(api, world):
    assert_not_found(api, "get", f"{BASE}/contacts/99999999/payments")
    assert_matches_schema(api.get(f"{BASE}/contacts/99999999/payments"))
