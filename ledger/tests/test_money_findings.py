"""Money owed: worked examples of the edges, and the production bugs found while writing the money suite, each
pinned as a strict xfail with its failing example (test_money_concurrency.py pins the PostgreSQL deadlock).

- SQLite only: the ledger's period bounds are compared as text (test_period_bounds_are_business_days).
- Pay due allocates to the opening balance whatever its direction
  (test_pay_due_pays_the_opening_balance_only_in_its_direction).

And one worked example of decision (1): deleting a pay-due parent takes the advance payments drawn on it along.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection

from ledger.models import Transaction, TransactionPayment
from ledger.tests.builders import api_data, backdate, ledger_data, make_product, variation_of


def _at(year, month, day, hour):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


ON_SQLITE = connection.vendor == "sqlite"


@pytest.mark.parametrize(
    ("zone", "inside", "after"),
    [
        ("UTC", "2026-01-01 00:00:00", "2026-02-01 00:00:00"),
        ("America/New_York", "2026-01-31 22:00:00", "2026-02-01 00:00:00"),
    ],
)
def test_period_bounds_are_business_days(api, business, zone, inside, after):
    """A document dated inside [start_date, end_date] in the business time zone is a line of the period; one
    dated on the next day is not (RULES §6: dates inclusive)."""
    type(business).objects.filter(pk=business.pk).update(time_zone=zone)
    user = api.user
    shop = business.locations.order_by("id").first()
    service = variation_of(make_product(business, user, name="Service", enable_stock=False))
    cid = api_data(api, "post", "/contacts", {"type": "customer", "name": "Midnight", "mobile": "+15550111"})["id"]
    for when, price in ((inside, "10.00"), (after, "20.00")):
        api_data(
            api,
            "post",
            "/sells",
            {
                "contact_id": cid,
                "location_id": shop.pk,
                "transaction_date": when,
                "lines": [{"variation_id": service.pk, "quantity": "1", "unit_price": price}],
            },
        )
    january = ledger_data(api, cid, "2026-01-01", "2026-01-31")
    assert [(ln["type"], ln["debit"]) for ln in january["lines"]] == [("Opening Balance", None), ("Sell", D("10.00"))]
    assert (january["summary"]["beginning_balance"], january["summary"]["balance_due"]) == (D("0"), D("10.00"))
    february = ledger_data(api, cid, "2026-02-01", "2026-02-28")
    assert [(ln["type"], ln["debit"]) for ln in february["lines"]] == [
        ("Opening Balance", D("10.00")),
        ("Sell", D("20.00")),
    ]


@pytest.mark.parametrize("case", ["purchase payment to both", "sell-return refund to customer"])
def test_pay_due_pays_the_opening_balance_only_in_its_direction(api, business, case):
    user = api.user
    shop = business.locations.order_by("id").first()
    service = variation_of(make_product(business, user, name="Service", enable_stock=False))
    kind, due_type = ("both", "purchase") if case.startswith("purchase") else ("customer", "sell_return")
    cid = api_data(
        api, "post", "/contacts", {"type": kind, "name": "Opening", "mobile": "+15550222", "opening_balance": "100.00"}
    )["id"]
    backdate(Transaction.objects.get(contact_id=cid, type="opening_balance"), _at(2026, 1, 2, 9))
    line = {"variation_id": service.pk, "quantity": "1", "unit_price": "50.00", "purchase_price": "50.00"}
    if kind == "both":
        line.pop("unit_price")
        api_data(
            api,
            "post",
            "/purchases",
            {"contact_id": cid, "location_id": shop.pk, "transaction_date": "2026-01-10 10:00:00", "lines": [line]},
        )
        amount, expected = "80.00", {"opening_balance_due": D("100.00"), "purchase_due": D("0"), "due": D("130.00")}
    else:
        line.pop("purchase_price")
        sell = api_data(
            api,
            "post",
            "/sells",
            {
                "contact_id": cid,
                "location_id": shop.pk,
                "lines": [line],
                "transaction_date": "2026-01-10 10:00:00",
                "payments": [{"amount": "50.00", "method": "cash"}],
            },
        )
        api_data(
            api,
            "post",
            f"/sells/{sell['id']}/return",
            {
                "transaction_date": "2026-01-20 10:00:00",
                "lines": [{"sell_line_id": sell["lines"][0]["id"], "quantity": "0.4"}],
            },
        )
        amount, expected = "20.00", {"opening_balance_due": D("100.00"), "sell_return_due": D("0"), "due": D("100.00")}
    api_data(
        api,
        "post",
        f"/contacts/{cid}/payments",
        {"amount": amount, "method": "cash", "paid_on": "2026-01-25 10:00:00", "due_payment_type": due_type},
    )
    opening = Transaction.objects.get(contact_id=cid, type="opening_balance")
    balance = api_data(api, "get", f"/contacts/{cid}/balance", status=200)
    assert ({k: balance[k] for k in expected}, opening.payment_status) == (expected, "due")


def test_deleting_a_pay_due_takes_the_advance_spent_from_it_along(api, business):
    """Decision (1): an advance-method payment is a child of the pay-due it draws on. Deleting that child puts
    the money back into the advance; deleting the parent removes every child, the advance ones too (RULES §4), so
    the documents they paid are due again and the advance balance stays Σ(parent − children)."""
    shop = business.locations.order_by("id").first()
    service = variation_of(make_product(business, api.user, name="Service", enable_stock=False))
    cid = api_data(api, "post", "/contacts", {"type": "customer", "name": "Ada Advance", "mobile": "+15550333"})["id"]
    parent = api_data(api, "post", f"/contacts/{cid}/payments", {"amount": "100.00", "method": "cash"})
    line = {"variation_id": service.pk, "quantity": "1", "unit_price": "80.00"}
    sell = api_data(api, "post", "/sells", {"contact_id": cid, "location_id": shop.pk, "lines": [line]})

    def state():
        balance = api_data(api, "get", f"/contacts/{cid}/balance", status=200)
        status = Transaction.objects.get(pk=sell["id"]).payment_status
        return balance["due"], balance["advance_balance"], balance["sell_due"], status

    spent = api_data(api, "post", f"/sells/{sell['id']}/payments", {"amount": "50.00", "method": "advance"})
    assert TransactionPayment.objects.get(pk=spent["id"]).parent_id == parent["id"]
    assert state() == (D("-20.00"), D("50.00"), D("30.00"), "partial")
    api_data(api, "delete", f"/payments/{spent['id']}", status=200)
    assert state() == (D("-20.00"), D("100.00"), D("80.00"), "due")
    api_data(api, "post", f"/sells/{sell['id']}/payments", {"amount": "30.00", "method": "advance"})
    assert state() == (D("-20.00"), D("70.00"), D("50.00"), "partial")
    api_data(api, "delete", f"/payments/{parent['id']}", status=200)
    assert state() == (D("80.00"), D("0"), D("80.00"), "due")
    assert not TransactionPayment.objects.filter(payment_for_id=cid).exists()
