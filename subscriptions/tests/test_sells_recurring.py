"""POST /sells with `is_recurring` (supporting-api "Sells"; RULES §3, §8): the schedule is validated, drafts and
quotations are refused, the parent gets its subscription number, and it is a subscription at once."""

import pytest

from contacts.tests.helpers import assert_validation_error
from core.tests.matrix import BASE
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction
from ledger.tests.builders import footprint, reference_year
from subscriptions.tests.builders import SUBSCRIPTIONS, frozen, subscription_shop

SELLS = f"{BASE}/sells"


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


def body(shop, **fields):
    return {
        "contact_id": shop.customer.pk,
        "location_id": shop.location.pk,
        "transaction_date": "2026-01-31 09:00:00",
        "lines": [{"variation_id": shop.product.variations.get().pk, "quantity": "1", "unit_price": "25.00"}],
        **fields,
    }


def test_a_recurring_sell_is_a_numbered_subscription_at_once(api, shop):
    with frozen(2026, 2, 1):
        first = api.post(
            SELLS, body(shop, is_recurring=True, recur_interval_type="months", recur_repetitions=3), format="json"
        )
        second = api.post(
            SELLS, body(shop, is_recurring=True, recur_interval=2, recur_interval_type="days"), format="json"
        )

    assert first.status_code == 201, first.json()
    assert_matches_schema(first)
    data = first.json()["data"]
    year = reference_year(shop.business)
    assert (data["is_recurring"], data["subscription_no"], data["recur_parent_id"]) == (True, f"{year}/0001", None)
    assert second.json()["data"]["subscription_no"] == f"{year}/0002"
    parent = Transaction.objects.get(pk=data["id"])
    assert (
        parent.recur_interval,
        parent.recur_interval_type,
        parent.recur_repetitions,
        parent.subscription_repeat_on,
    ) == (
        1,
        "months",
        3,
        None,
    )
    with frozen(2026, 2, 1):
        row = api.get(f"{SUBSCRIPTIONS}/{data['id']}").json()["data"]
    assert (row["upcoming_invoice_date"], row["generated_invoice_count"]) == ("2026-02-28", 0)


@pytest.mark.parametrize("status", ["draft", "quotation"])
def test_drafts_and_quotations_cannot_be_subscriptions(api, shop, status):
    before = footprint(shop.business)

    response = api.post(
        SELLS, body(shop, status=status, is_recurring=True, recur_interval_type="months"), format="json"
    )

    assert_validation_error(response, "is_recurring")
    assert footprint(shop.business) == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"recur_interval": 0, "recur_interval_type": "months"}, "recur_interval"),
        ({"recur_interval": -1, "recur_interval_type": "months"}, "recur_interval"),
        ({"recur_interval": 1001, "recur_interval_type": "months"}, "recur_interval"),
        ({"recur_interval_type": "weeks"}, "recur_interval_type"),
        ({}, "recur_interval_type"),
        ({"recur_interval_type": "months", "subscription_repeat_on": 0}, "subscription_repeat_on"),
        ({"recur_interval_type": "months", "subscription_repeat_on": 31}, "subscription_repeat_on"),
        ({"recur_interval_type": "days", "subscription_repeat_on": 5}, "subscription_repeat_on"),
        ({"recur_interval_type": "years", "subscription_repeat_on": 5}, "subscription_repeat_on"),
        ({"recur_interval_type": "months", "recur_repetitions": -1}, "recur_repetitions"),
    ],
)
def test_a_bad_schedule_is_422_and_writes_nothing(api, shop, fields, error):
    before = footprint(shop.business)

    response = api.post(SELLS, body(shop, is_recurring=True, **fields), format="json")

    assert_validation_error(response, error)
    assert footprint(shop.business) == before


def test_schedule_fields_without_is_recurring_are_refused_not_ignored(api, shop):
    response = api.post(SELLS, body(shop, recur_interval_type="months", subscription_repeat_on=5), format="json")

    assert_validation_error(response, "recur_interval_type")
    assert set(response.json()["errors"]) == {"recur_interval_type", "subscription_repeat_on"}
    # null values are what a client echoing a plain sell sends: accepted.
    plain = api.post(
        SELLS, body(shop, is_recurring=False, recur_interval=None, recur_interval_type=None), format="json"
    )
    assert plain.status_code == 201
    assert (plain.json()["data"]["is_recurring"], plain.json()["data"]["subscription_no"]) == (False, None)


def test_repeat_on_with_months_and_no_interval_defaults_to_every_month(api, shop):
    response = api.post(
        SELLS, body(shop, is_recurring=True, recur_interval_type="months", subscription_repeat_on=30), format="json"
    )

    parent = Transaction.objects.get(pk=response.json()["data"]["id"])
    assert (parent.recur_interval, parent.subscription_repeat_on) == (1, 30)
