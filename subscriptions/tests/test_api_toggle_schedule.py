"""POST /subscriptions/{id}/toggle-recurring (contacts-api.txt) and, beyond the reference,
GET /subscriptions/{id}/schedule: stop, resume without back-billing, and the preview of the next invoice dates."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import Activity
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction
from ledger.tests.builders import download_rows, footprint
from subscriptions.generation import generate_due_invoices
from subscriptions.models import SubscriptionPause, SubscriptionSchedule
from subscriptions.tests.builders import (
    SUBSCRIPTION_ROW,
    SUBSCRIPTIONS,
    child_dates,
    frozen,
    make_subscription,
    moment,
    subscription_shop,
)

date = datetime.date


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


@pytest.fixture
def parent(shop):
    return make_subscription(shop, when=moment(2026, 1, 31), repetitions=6)


def toggle(api, parent, **body):
    return api.post(f"{SUBSCRIPTIONS}/{parent.pk}/toggle-recurring", body or None, format="json")


def preview(api, parent, query=""):
    response = api.get(f"{SUBSCRIPTIONS}/{parent.pk}/schedule{query}")
    assert response.status_code == 200, response.content[:300]
    assert_matches_schema(response)
    return response.json()["data"]


def test_toggle_stops_then_resumes_and_logs_each(api, parent):
    with frozen(2026, 3, 10, 9, 15):
        stopped = toggle(api, parent)
    assert stopped.status_code == 200
    assert_matches_schema(stopped)
    row = stopped.json()["data"]
    assert list(row) == SUBSCRIPTION_ROW
    assert (row["is_stopped"], row["recur_stopped_on"], row["upcoming_invoice_date"]) == (
        True,
        "2026-03-10T09:15:00+00:00",
        None,
    )
    assert SubscriptionSchedule.objects.get(parent=parent).next_date is None

    with frozen(2026, 5, 15):
        resumed = toggle(api, parent).json()["data"]
    # 28 Feb fell due before the stop and was never billed (no run since): it is still next. 31 Mar and 30 Apr fell
    # due while stopped: skipped.
    assert (resumed["is_stopped"], resumed["recur_stopped_on"], resumed["upcoming_invoice_date"]) == (
        False,
        None,
        "2026-02-28",
    )
    assert list(SubscriptionPause.objects.filter(parent=parent).values_list("stopped_on", "resumed_on")) == [
        (moment(2026, 3, 10, 9, 15), moment(2026, 5, 15, 12))
    ]
    assert SubscriptionSchedule.objects.get(parent=parent).next_date == date(2026, 2, 28)
    with frozen(2026, 5, 15):
        generate_due_invoices()
    assert child_dates(parent) == [date(2026, 2, 28)]
    assert api.get(f"{SUBSCRIPTIONS}/{parent.pk}").json()["data"]["upcoming_invoice_date"] == "2026-05-31"

    logged = Activity.objects.filter(
        subject_type=ContentType.objects.get_for_model(Transaction), subject_id=parent.pk, event="updated"
    ).order_by("id")
    assert [(a.description, a.causer_id) for a in logged] == [
        ("subscription stopped", api.user.pk),
        ("subscription resumed", api.user.pk),
    ]
    assert logged[0].properties == {
        "old": {"recur_stopped_on": None},
        "attributes": {"recur_stopped_on": "2026-03-10T09:15:00+00:00"},
    }


def test_resuming_does_not_back_bill_through_the_api(api, parent):
    with frozen(2026, 2, 28, 6):
        generate_due_invoices()  # Feb 28
    with frozen(2026, 3, 10):
        toggle(api, parent)
    with frozen(2026, 5, 15):
        toggle(api, parent)
    with frozen(2026, 6, 1):
        generate_due_invoices()

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 5, 31)]


def test_a_toggle_with_a_body_is_422_and_changes_nothing(api, shop, parent):
    before = footprint(shop.business)

    response = toggle(api, parent, recur_stopped_on="2026-01-01")

    assert response.status_code == 422
    assert response.json()["errors"] == {"recur_stopped_on": ["The recur stopped on field is not allowed."]}
    assert footprint(shop.business) == before


def test_a_sell_that_is_not_a_subscription_cannot_be_toggled(api, shop):
    from ledger.tests.builders import make_sell

    sell = make_sell(
        shop.business, shop.user, customer=shop.customer, location=shop.location, lines=[(shop.product, "1", None)]
    )

    assert api.post(f"{SUBSCRIPTIONS}/{sell.pk}/toggle-recurring").status_code == 404


# --- the schedule preview -----------------------------------------------------------------------------------------


def test_the_preview_lists_the_next_dates_up_to_the_repetitions(api, parent):
    with frozen(2026, 3, 15):
        generate_due_invoices()  # Feb 28: one of six billed
        data = preview(api, parent)

    assert data == {
        "subscription_id": parent.pk,
        "today": "2026-03-15",
        "is_stopped": False,
        "recur_stopped_on": None,
        "recur_interval_label": "Every month",
        "billed_periods": 1,
        "remaining_repetitions": 5,
        "upcoming_invoice_date": "2026-03-31",
        "periods": [
            {"sequence": 2, "date": "2026-03-31", "status": "scheduled"},
            {"sequence": 3, "date": "2026-04-30", "status": "scheduled"},
            {"sequence": 4, "date": "2026-05-31", "status": "scheduled"},
            {"sequence": 5, "date": "2026-06-30", "status": "scheduled"},
            {"sequence": 6, "date": "2026-07-31", "status": "scheduled"},
        ],
        "skipped_periods": [],
    }


def test_periods_that_have_come_but_are_not_billed_yet_are_due(api, shop):
    parent = make_subscription(shop, when=moment(2026, 1, 10), unit="days", interval=7)
    with frozen(2026, 1, 25):
        data = preview(api, parent, "?count=3")

    assert [(p["date"], p["status"]) for p in data["periods"]] == [
        ("2026-01-17", "due"),
        ("2026-01-24", "due"),
        ("2026-01-31", "scheduled"),
    ]
    assert data["remaining_repetitions"] is None
    with frozen(2026, 1, 25):
        assert api.get(f"{SUBSCRIPTIONS}/{parent.pk}").json()["data"]["upcoming_invoice_date"] == "2026-01-17"


def test_a_stopped_subscription_previews_nothing_and_says_what_its_stop_skips(api, parent):
    with frozen(2026, 3, 10):
        toggle(api, parent)
    with frozen(2026, 5, 2):
        data = preview(api, parent)

    assert (data["is_stopped"], data["periods"], data["upcoming_invoice_date"]) == (True, [], None)
    assert data["skipped_periods"] == [
        {
            "stopped_on": "2026-03-10",
            "resumed_on": None,
            "first_sequence": 2,
            "first_date": "2026-03-31",
            "last_sequence": 3,
            "last_date": "2026-04-30",
            "count": 2,
        }
    ]


def test_the_preview_writes_nothing(api, shop, parent):
    before = footprint(shop.business)
    with frozen(2026, 9, 1):
        data = preview(api, parent)

    assert [p["status"] for p in data["periods"]] == ["due"] * 6
    assert footprint(shop.business) == before
    assert not SubscriptionSchedule.objects.exists()


@pytest.mark.parametrize("query", ["?count=0", "?count=101", "?count=abc", "?format=xlsx"])
def test_a_bad_preview_query_is_422(api, parent, query):
    assert api.get(f"{SUBSCRIPTIONS}/{parent.pk}/schedule{query}").status_code == 422


def test_the_preview_as_csv_is_one_data_json_row(api, parent):
    with frozen(2026, 2, 1):
        response = api.get(f"{SUBSCRIPTIONS}/{parent.pk}/schedule?format=csv&count=2")
        data = preview(api, parent, "?count=2")

    [row] = download_rows(response)
    assert json.loads(row["data_json"]) == data
