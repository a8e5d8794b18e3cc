"""Query counts of the money-owed reads (ARCHITECTURE rule 6): GET /contacts/{id}/payments and GET /ledger-discounts
cost the same for a page of 5 rows and of 50; GET /contacts/{id}/ledger costs the same for 5 and for 50 documents in
the period (format_3 adds a constant number of queries for the product lines)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.matrix import BASE, content_of
from ledger.tests.builders import (
    cash,
    make_customer,
    make_ledger_discount,
    make_opening_balance,
    make_purchase,
    make_sell,
    moment,
    open_shop,
    pay_due,
)


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="1000")


def queries_for(client, url) -> tuple[int, object]:
    """(queries, response) of a warm GET; a streamed body is read inside the count (its queries run then)."""
    content_of(client.get(url))  # warm up: permission caches, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = content_of(response)
    assert response.status_code == 200, body[:300]
    response.body = body
    return len(queries.captured_queries), response


def test_contact_payments_cost_the_same_for_5_and_50_rows(api, business, world):
    make_opening_balance(business, world.customer, "10000")
    for day in range(55):  # pay-due parents, each with a split on the opening balance
        pay_due(business, world.user, world.customer, "10", paid_on=moment(2026, 1, 1 + day % 28))
    url = f"{BASE}/contacts/{world.customer.pk}/payments?q=SP&start_date=2026-01-01&end_date=2026-12-31"

    small, small_response = queries_for(api, f"{url}&per_page=5")
    large, large_response = queries_for(api, f"{url}&per_page=50")

    assert (len(small_response.json()["data"]["payments"]), len(large_response.json()["data"]["payments"])) == (5, 50)
    assert all(len(row["child_payments"]) == 1 for row in large_response.json()["data"]["payments"])
    assert small == large


@pytest.mark.parametrize("query", ["", "&q=deal", "&contact_id={customer}"])
def test_ledger_discounts_cost_the_same_for_5_and_50_rows(api, business, world, query):
    for day in range(55):
        contact = world.customer if day % 5 else world.supplier
        make_ledger_discount(business, world.user, contact, "1", when=moment(2026, 1, 1 + day % 28), note="deal")
    url = f"{BASE}/ledger-discounts?start_date=2026-01-01&end_date=2026-12-31" + query.format(
        customer=world.customer.pk
    )

    small, small_response = queries_for(api, f"{url}&per_page=5")
    large, large_response = queries_for(api, f"{url}&per_page=50")

    assert (len(small_response.json()["data"]), len(large_response.json()["data"])) == (
        5,
        44 if "contact" in query else 50,
    )
    assert small == large


@pytest.fixture
def busy(world):
    """A customer-and-supplier with 5 sells (each paid at once), 5 purchases (two lines each) and 5 discounts in
    January 2026, and 50 of each in February."""
    b, u = world.business, world.user
    world.both = both = make_customer(b, type="both")
    for month, count in ((1, 5), (2, 50)):
        for i in range(count):
            when = moment(2026, month, 1 + i % 28, 9)
            two_lines = [(world.widget, "1", None), (world.widget, "2", "7.00")]
            make_sell(
                b,
                u,
                customer=both,
                location=world.shop,
                lines=two_lines,
                transaction_date=when,
                payments=[cash("5", paid_on=when)],
            )
            make_purchase(b, u, supplier=both, location=world.shop, lines=two_lines, transaction_date=when)
            make_ledger_discount(b, u, both, "1", when=when, sub_type="sell_discount")
    return world


@pytest.mark.parametrize("fmt", ["format_1", "format_2", "format_3", "format_4", "csv"])
def test_the_ledger_costs_the_same_for_5_and_50_documents(api, busy, fmt):
    url = f"{BASE}/contacts/{busy.both.pk}/ledger?format={fmt}"

    small, small_response = queries_for(api, f"{url}&start_date=2026-01-01&end_date=2026-01-31")
    large, large_response = queries_for(api, f"{url}&start_date=2026-02-01&end_date=2026-02-28")

    if fmt == "csv":
        assert large_response.body.count(b"\n") > 150
    else:
        assert len(large_response.json()["data"]["lines"]) > len(small_response.json()["data"]["lines"])
    assert small == large


def test_format_3_adds_a_constant_number_of_queries_for_the_products(api, busy):
    url = f"{BASE}/contacts/{busy.both.pk}/ledger?start_date=2026-02-01&end_date=2026-02-28"

    format_1, _ = queries_for(api, f"{url}&format=format_1")
    format_3, response = queries_for(api, f"{url}&format=format_3")

    assert all("products" in ln for ln in response.json()["data"]["lines"] if ln["transaction_type"] == "purchase")
    assert format_3 - format_1 <= 3
