"""Subscriptions in the back office: listed with status, next date and generated invoices; Stop, Resume and
Generate due invoices now through the same services as the API and the command; scoped like the rest."""

import datetime

import pytest

from core.tests.factories import make_business, make_user
from core.tests.factories import staff_client as staff
from ledger.models import Transaction
from subscriptions.generation import generate_due_invoices
from subscriptions.models import SubscriptionPause
from subscriptions.tests.builders import child_dates, children, frozen, make_subscription, moment, subscription_shop

LIST = "/admin/subscriptions/subscription/"


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


@pytest.fixture
def parents(shop):
    running = make_subscription(shop, when=moment(2026, 1, 31))
    stopped = make_subscription(shop, when=moment(2026, 1, 10), unit="days", interval=3)
    finished = make_subscription(shop, when=moment(2026, 1, 1), repetitions=1)
    with frozen(2026, 3, 1):
        generate_due_invoices()
    stopped.recur_stopped_on = moment(2026, 2, 1)
    stopped.save(update_fields=["recur_stopped_on"])
    return {"running": running, "stopped": stopped, "finished": finished}


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_status_next_date_and_generated_count(shop, parents, admin_user):
    client = staff(admin_user)
    with frozen(2026, 3, 1):
        html = page(client, LIST)

    for parent in parents.values():
        assert parent.subscription_no in html
    assert "Running" in html and "Stopped" in html and "Finished" in html
    assert "March 31, 2026" in html or "2026-03-31" in html  # the running one's next invoice
    assert "Every 3 days" in html and "Every month" in html
    assert parents["stopped"].subscription_no not in page(client, LIST, status="running")
    assert parents["running"].subscription_no in page(client, LIST, status="running")
    assert parents["finished"].subscription_no in page(client, LIST, status="finished")
    assert parents["stopped"].subscription_no in page(client, LIST, status="stopped")
    assert parents["running"].subscription_no not in page(client, LIST, status="stopped")


def test_the_list_costs_the_same_queries_for_3_and_30_subscriptions(shop, admin_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff(admin_user)

    def count():
        page(client, LIST)
        with CaptureQueriesContext(connection) as queries:
            page(client, LIST)
        return len(queries.captured_queries)

    for i in range(3):
        make_subscription(shop, when=moment(2026, 1, 1 + i))
    small = count()
    for i in range(27):
        parent = make_subscription(shop, when=moment(2026, 2, 1 + i % 28))
        SubscriptionPause.objects.create(
            business=shop.business, parent=parent, stopped_on=moment(2026, 2, 2), resumed_on=moment(2026, 2, 5)
        )
    assert count() == small


def test_the_change_page_shows_the_generated_invoices_the_stops_and_the_schedule(shop, parents, admin_user):
    client = staff(admin_user)
    running = parents["running"]
    with frozen(2026, 3, 1):
        html = page(client, f"{LIST}{running.pk}/change/")

    [child] = children(running)
    assert child.invoice_no in html and f"/admin/ledger/selldocument/{child.pk}/change/" in html
    assert "generated invoices" in html.lower()
    assert "2026-03-31 (scheduled)" in html
    assert 'name="_save"' not in html  # nothing to edit


def test_stop_and_resume_actions_call_the_services(shop, parents, admin_user):
    client = staff(admin_user)
    running, stopped = parents["running"], parents["stopped"]

    with frozen(2026, 3, 5):
        response = client.post(
            LIST, {"action": "stop_selected", "_selected_action": [running.pk, stopped.pk]}, follow=True
        )
    assert "1 subscription(s) stopped." in response.content.decode()
    running.refresh_from_db()
    assert running.recur_stopped_on == moment(2026, 3, 5, 12)

    with frozen(2026, 3, 20):
        response = client.post(LIST, {"action": "resume_selected", "_selected_action": [stopped.pk]}, follow=True)
    assert "1 subscription(s) resumed" in response.content.decode()
    stopped.refresh_from_db()
    assert stopped.recur_stopped_on is None
    assert SubscriptionPause.objects.filter(parent=stopped).count() == 1


def test_generate_due_invoices_now_bills_the_selected_ones_only(shop, admin_user):
    a = make_subscription(shop, when=moment(2026, 1, 10))
    b = make_subscription(shop, when=moment(2026, 1, 10))
    client = staff(admin_user)

    with frozen(2026, 3, 15):
        response = client.post(LIST, {"action": "generate_now", "_selected_action": [a.pk]}, follow=True)

    assert "2 invoice(s) generated for 1 subscription(s), 0 saved as drafts." in response.content.decode()
    assert child_dates(a) == [datetime.date(2026, 2, 10), datetime.date(2026, 3, 10)]
    assert children(b) == []
    assert {c.created_by_id for c in children(a)} == {a.created_by_id}


def test_staff_without_sell_create_may_look_but_not_act(shop, parents, business):
    viewer = staff(make_user(business, "sell.view", all_locations=True))
    running = parents["running"]

    html = page(viewer, LIST)
    assert running.subscription_no in html
    assert "stop_selected" not in html and "generate_now" not in html
    viewer.post(LIST, {"action": "stop_selected", "_selected_action": [running.pk]})
    running.refresh_from_db()
    assert running.recur_stopped_on is None


def test_the_page_is_scoped_to_the_business_its_locations_and_the_module(shop, parents, business, admin_user):
    other = staff(make_user(make_business(name="Elsewhere"), admin=True))
    assert other.get(LIST).status_code == 403  # no subscription module there
    outsider_business = make_business(name="Elsewhere Too")
    outsider_business.enabled_modules = ["subscription"]
    outsider_business.save()
    outsider = staff(make_user(outsider_business, admin=True))
    assert parents["running"].subscription_no not in page(outsider, LIST)
    assert outsider.get(f"{LIST}{parents['running'].pk}/change/").status_code == 302

    second = business.locations.order_by("id")[1]
    elsewhere = make_subscription(shop, when=moment(2026, 1, 1), location=second)
    clerk = staff(make_user(business, "sell.view", locations=[business.locations.order_by("id")[0]]))
    html = page(clerk, LIST)
    assert parents["running"].subscription_no in html and elsewhere.subscription_no not in html

    business.enabled_modules = []
    business.save()
    assert staff(admin_user).get(LIST).status_code == 403


def test_ordinary_sells_are_not_listed(shop, admin_user):
    from ledger.tests.builders import make_sell

    sell = make_sell(
        shop.business, shop.user, customer=shop.customer, location=shop.location, lines=[(shop.product, "1", None)]
    )

    assert Transaction.objects.filter(pk=sell.pk).exists()
    assert sell.invoice_no not in page(staff(admin_user), LIST)
