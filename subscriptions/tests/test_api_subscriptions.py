"""GET /subscriptions, GET /subscriptions/{id} and GET /contacts/{id}/subscriptions (contacts-api.txt): the
SubscriptionRow, filters, search, exports, the envelope, and a query count that does not grow with the page."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.matrix import BASE
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import download_rows, make_customer, money_json, row_ids
from subscriptions.generation import generate_due_invoices
from subscriptions.services import subscription_stop
from subscriptions.tests.builders import (
    PAGE_META,
    SUBSCRIPTION_ROW,
    SUBSCRIPTIONS,
    children,
    frozen,
    make_subscription,
    moment,
    subscription_shop,
)


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


@pytest.fixture
def billed(shop):
    """A monthly subscription from 31 Jan 2026 billed to 15 May (Feb 28, Mar 31, Apr 30), seen on 15 May."""
    parent = make_subscription(shop, when=moment(2026, 1, 31, 10, 30), repetitions=12)
    with frozen(2026, 5, 15, 8):
        generate_due_invoices()
    return parent


def test_a_subscription_row_is_the_documented_shape(api, shop, billed):
    with frozen(2026, 5, 15, 9):
        response = api.get(f"{SUBSCRIPTIONS}/{billed.pk}")

    assert response.status_code == 200
    assert_matches_schema(response)
    data = money_json(response)["data"]
    assert list(data) == SUBSCRIPTION_ROW
    kids = children(billed)
    assert data == {
        "id": billed.pk,
        "contact_id": shop.customer.pk,
        "contact_name": "Sam Subscriber",
        "transaction_date": "2026-01-31T10:30:00+00:00",
        "invoice_no": "INV0001",
        "subscription_no": f"{datetime.date.today().year}/0001",
        "location_id": shop.location.pk,
        "location_name": shop.location.name,
        "is_direct_sale": True,
        "recur_stopped_on": None,
        "is_stopped": False,
        "recur_interval": 1,
        "subscription_repeat_on": None,
        "recur_repetitions": 12,
        "recur_interval_type": "months",
        "recur_interval_label": "Every month",
        "generated_invoices": [
            {
                "id": kids[0].pk,
                "invoice_no": "INV0002",
                "transaction_date": "2026-02-28T10:30:00+00:00",
                "status": "final",
            },
            {
                "id": kids[1].pk,
                "invoice_no": "INV0003",
                "transaction_date": "2026-03-31T10:30:00+00:00",
                "status": "final",
            },
            {
                "id": kids[2].pk,
                "invoice_no": "INV0004",
                "transaction_date": "2026-04-30T10:30:00+00:00",
                "status": "final",
            },
        ],
        "generated_invoice_count": 3,
        "last_generated_at": "2026-05-15T08:00:00+00:00",
        "upcoming_invoice_date": "2026-05-31",
    }


def test_times_are_in_the_business_time_zone(api, shop, billed):
    shop.business.time_zone = "America/New_York"
    shop.business.save(update_fields=["time_zone"])

    data = api.get(f"{SUBSCRIPTIONS}/{billed.pk}").json()["data"]

    assert data["transaction_date"] == "2026-01-31T05:30:00-05:00"
    assert data["generated_invoices"][0]["transaction_date"] == "2026-02-28T05:30:00-05:00"


def test_a_stopped_subscription_has_no_upcoming_date(api, shop, billed, admin_user):
    with frozen(2026, 5, 20, 14):
        subscription_stop(business=shop.business, user=admin_user, parent=billed)

    data = api.get(f"{SUBSCRIPTIONS}/{billed.pk}").json()["data"]

    assert (data["is_stopped"], data["recur_stopped_on"], data["upcoming_invoice_date"]) == (
        True,
        "2026-05-20T14:00:00+00:00",
        None,
    )


def test_used_up_repetitions_have_no_upcoming_date(api, shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1), repetitions=1, unit="days", interval=2, repeat_on=None)
    with frozen(2026, 2, 1):
        generate_due_invoices()

    data = api.get(f"{SUBSCRIPTIONS}/{parent.pk}").json()["data"]

    assert (data["generated_invoice_count"], data["upcoming_invoice_date"]) == (1, None)
    assert data["recur_interval_label"] == "Every 2 days"


def test_the_list_is_newest_first_with_page_meta_echoing_the_filters(api, shop):
    older = make_subscription(shop, when=moment(2026, 1, 5))
    newer = make_subscription(shop, when=moment(2026, 2, 5), repeat_on=10)

    response = api.get(f"{SUBSCRIPTIONS}?per_page=1")

    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [row["id"] for row in body["data"]] == [newer.pk]
    assert body["meta"] == {
        "current_page": 1,
        "last_page": 2,
        "per_page": 1,
        "total": 2,
        "location_id": None,
        "contact_id": None,
        "start_date": None,
        "end_date": None,
        "q": None,
    }
    assert list(body["meta"])[:4] == PAGE_META
    assert row_ids(api.get(f"{SUBSCRIPTIONS}?per_page=1&page=2")) == [older.pk]
    assert api.get(f"{SUBSCRIPTIONS}?per_page=1&page=3").json()["data"] == []
    assert body["data"][0]["recur_interval_label"] == "Every month on day 10"


def test_ordinary_sells_are_not_subscriptions(api, shop):
    from ledger.tests.builders import make_sell

    make_sell(
        shop.business, shop.user, customer=shop.customer, location=shop.location, lines=[(shop.product, "1", None)]
    )

    assert api.get(SUBSCRIPTIONS).json()["meta"]["total"] == 0


def test_filters_date_range_location_contact(api, shop, business):
    second_location = business.locations.order_by("id")[1]
    other_customer = make_customer(business, name="Olga Other")
    jan = make_subscription(shop, when=moment(2026, 1, 15, 23, 30))
    feb = make_subscription(shop, when=moment(2026, 2, 15), location=second_location)
    mar = make_subscription(shop, when=moment(2026, 3, 15), customer=other_customer)

    def ids(query):
        response = api.get(f"{SUBSCRIPTIONS}?{query}")
        assert response.status_code == 200, response.json()
        return row_ids(response)

    assert ids("start_date=2026-01-15&end_date=2026-02-15") == [feb.pk, jan.pk]
    assert ids("start_date=2026-01-16&end_date=2026-03-31") == [mar.pk, feb.pk]
    assert ids(f"location_id={second_location.pk}") == [feb.pk]
    assert ids(f"contact_id={other_customer.pk}") == [mar.pk]
    meta = api.get(f"{SUBSCRIPTIONS}?start_date=2026-01-01&end_date=2026-01-31&location_id={shop.location.pk}").json()[
        "meta"
    ]
    assert (meta["start_date"], meta["end_date"], meta["location_id"]) == ("2026-01-01", "2026-01-31", shop.location.pk)


def test_a_date_filter_reads_the_business_time_zone(api, shop):
    shop.business.time_zone = "Asia/Tokyo"
    shop.business.save(update_fields=["time_zone"])
    late = make_subscription(shop, when=moment(2026, 1, 15, 23, 30))  # 16 Jan 08:30 in Tokyo

    assert row_ids(api.get(f"{SUBSCRIPTIONS}?start_date=2026-01-16&end_date=2026-01-16")) == [late.pk]
    assert row_ids(api.get(f"{SUBSCRIPTIONS}?start_date=2026-01-15&end_date=2026-01-15")) == []


def test_q_matches_invoice_no_subscription_no_location_customer_and_id(api, shop, business):
    second_location = business.locations.order_by("id")[1]
    second_location.name = "Harbour Branch"
    second_location.save()
    a = make_subscription(shop, when=moment(2026, 1, 1))  # INV0001
    b = make_subscription(shop, when=moment(2026, 1, 2), location=second_location)
    c = make_subscription(shop, when=moment(2026, 1, 3), customer=make_customer(business, name="Zoë Zimmer"))

    def ids(q):
        return sorted(row_ids(api.get(f"{SUBSCRIPTIONS}?q={q}")))

    assert ids("INV0001") == [a.pk]
    assert ids(b.subscription_no) == [b.pk]
    assert ids("harbour") == [b.pk]
    assert ids("zimmer") == [c.pk]
    assert ids(f"0000{c.pk}") == [c.pk]  # the numeric id (no number holds these zeros)
    assert ids("nothing-like-it") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=x", "q"),
        ("start_date=2026-01-01", "end_date"),
        ("start_date=2026-02-01&end_date=2026-01-01", "end_date"),
        ("start_date=01/02/2026&end_date=2026-01-01", "start_date"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("location_id=abc", "location_id"),
        ("contact_id=0", "contact_id"),
        ("format=pdf", "format"),
    ],
)
def test_a_bad_query_string_is_422(api, shop, query, field):
    response = api.get(f"{SUBSCRIPTIONS}?{query}")

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_csv_and_xlsx_hold_every_row_with_nested_values_json_encoded(api, shop, billed):
    other = make_subscription(shop, when=moment(2026, 4, 1))

    for fmt in ("csv", "xlsx"):
        response = api.get(f"{SUBSCRIPTIONS}?format={fmt}&per_page=1")
        assert response.status_code == 200
        rows = download_rows(response)
        assert list(rows[0]) == SUBSCRIPTION_ROW
        assert [int(row["id"]) for row in rows] == [other.pk, billed.pk]
        invoices = json.loads(rows[1]["generated_invoices"])
        assert [i["invoice_no"] for i in invoices] == ["INV0002", "INV0003", "INV0004"]
        assert str(rows[1]["generated_invoice_count"]) == "3"
    assert 'filename="subscriptions-' in api.get(f"{SUBSCRIPTIONS}?format=csv")["Content-Disposition"]


def test_detail_csv_is_one_data_json_row(api, shop, billed):
    response = api.get(f"{SUBSCRIPTIONS}/{billed.pk}?format=csv")

    [row] = download_rows(response)
    assert json.loads(row["data_json"]) == api.get(f"{SUBSCRIPTIONS}/{billed.pk}").json()["data"]
    assert f'filename="subscription-{billed.pk}-' in response["Content-Disposition"]


def test_an_ordinary_sell_or_an_unknown_id_is_404(api, shop):
    from ledger.tests.builders import make_sell

    sell = make_sell(
        shop.business, shop.user, customer=shop.customer, location=shop.location, lines=[(shop.product, "1", None)]
    )

    for pk in (sell.pk, 999999):
        response = api.get(f"{SUBSCRIPTIONS}/{pk}")
        assert (response.status_code, response.json()) == (404, {"message": "Not found"})


# --- a customer's subscriptions --------------------------------------------------------------------------------------


def test_a_customer_s_subscriptions(api, shop, business, billed):
    other = make_subscription(shop, when=moment(2026, 2, 1), customer=make_customer(business, name="Other One"))
    url = f"{BASE}/contacts/{shop.customer.pk}/subscriptions"

    response = api.get(url)

    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [row["id"] for row in body["data"]] == [billed.pk]
    assert list(body["meta"]) == [*PAGE_META, "location_id", "start_date", "end_date", "q"]
    assert body["data"][0] == api.get(f"{SUBSCRIPTIONS}/{billed.pk}").json()["data"]
    assert row_ids(api.get(f"{BASE}/contacts/{other.contact_id}/subscriptions")) == [other.pk]
    # q on this route does not match the customer's name (the reference lists invoice, subscription, location, id).
    assert row_ids(api.get(f"{url}?q=Subscriber")) == []
    assert row_ids(api.get(f"{url}?q=INV0001")) == [billed.pk]
    assert row_ids(api.get(f"{url}?format=csv")) == [billed.pk]
    assert f'filename="contact-{shop.customer.pk}-subscriptions-' in api.get(f"{url}?format=csv")["Content-Disposition"]


def test_a_customer_route_takes_customers_and_both_only(api, shop, business):
    from ledger.tests.builders import make_supplier

    supplier = make_supplier(business)
    both = make_customer(business, type="both")
    make_subscription(shop, when=moment(2026, 1, 1), customer=both)

    response = api.get(f"{BASE}/contacts/{supplier.pk}/subscriptions")
    assert response.status_code == 422
    assert "not a customer" in response.json()["message"]
    assert api.get(f"{BASE}/contacts/{both.pk}/subscriptions").json()["meta"]["total"] == 1
    assert api.get(f"{BASE}/contacts/999999/subscriptions").status_code == 404
    assert api.get(f"{BASE}/contacts/{shop.customer.pk}/subscriptions?q=x").status_code == 422


# --- performance ----------------------------------------------------------------------------------------------------


def queries_for(client, url) -> tuple[int, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries), len(response.json()["data"])


def test_query_count_is_constant_in_page_size(api, shop, admin_user, django_assert_max_num_queries):
    for i in range(30):
        parent = make_subscription(shop, when=moment(2026, 1, 1 + i % 28), unit="days" if i % 3 else "months")
        if i % 5 == 0:
            with frozen(2026, 1, 28):
                subscription_stop(business=shop.business, user=admin_user, parent=parent)
    with frozen(2026, 3, 1):
        generate_due_invoices()

    for path in (SUBSCRIPTIONS, f"{BASE}/contacts/{shop.customer.pk}/subscriptions"):
        small, small_rows = queries_for(api, f"{path}?per_page=3")
        large, large_rows = queries_for(api, f"{path}?per_page=30")
        assert (small_rows, large_rows) == (3, 30)
        assert small == large
    with django_assert_max_num_queries(small):
        api.get(f"{SUBSCRIPTIONS}?per_page=100")
