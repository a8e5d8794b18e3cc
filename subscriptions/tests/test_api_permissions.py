"""Who may call the subscription routes (contacts-api.txt; RULES §1): the module gate, the permission matrix,
permitted locations, demo mode, view_own contacts and own sells, and another business's ids."""

import pytest
from django.test import override_settings

from contacts.models import UserContactAccess
from core.tests.factories import make_user
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized, check_permissions, ids_in
from ledger.tests.builders import make_customer
from subscriptions.tests.builders import SUBSCRIPTIONS, make_subscription, moment, subscription_shop

# Rows are limited to permitted locations: the matrix's users may use every location.
ALL = "access_all_locations"
READERS = [("sell.view", ALL), ("direct_sell.access", ALL)]
NON_READERS = [(), ("sell.create",), ("customer.view",), ("sell.payments",)]


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


@pytest.fixture
def parent(shop):
    return make_subscription(shop, when=moment(2026, 1, 15))


def routes(parent):
    return [
        ("get", SUBSCRIPTIONS),
        ("get", f"{SUBSCRIPTIONS}/{parent.pk}"),
        ("get", f"{SUBSCRIPTIONS}/{parent.pk}/schedule"),
        ("get", f"{BASE}/contacts/{parent.contact_id}/subscriptions"),
        ("post", f"{SUBSCRIPTIONS}/{parent.pk}/toggle-recurring"),
    ]


def test_a_business_without_the_subscription_module_gets_403_on_every_route(api, shop, parent):
    shop.business.enabled_modules = []
    shop.business.save(update_fields=["enabled_modules"])

    for method, url in routes(parent):
        response = getattr(api, method)(url)
        assert response.status_code == 403, (method, url)
        assert response.json() == {"message": "The subscription module is not enabled for this business."}


def test_read_needs_sell_view_or_direct_sell_access(actors, parent):
    for method, url in routes(parent)[:3]:
        check_permissions(actors, method, url, allowed=READERS, denied=NON_READERS, ok=200)


def test_a_customer_s_subscriptions_need_the_read_permission_and_the_contact(actors, parent):
    url = f"{BASE}/contacts/{parent.contact_id}/subscriptions"
    check_permissions(
        actors,
        "get",
        url,
        allowed=[("sell.view", "customer.view", ALL), ("direct_sell.access", "customer.view", ALL)],
        denied=[(), ("customer.view",), ("sell.create", "customer.view")],
        ok=200,
    )


def test_a_contact_the_user_may_not_see_is_403_and_a_view_own_user_sees_their_own(actors, business, parent):
    view_own = actors.client("sell.view", "customer.view_own", ALL)
    url = f"{BASE}/contacts/{parent.contact_id}/subscriptions"

    assert_unauthorized(view_own.get(url))
    UserContactAccess.objects.create(contact_id=parent.contact_id, user=view_own.user)
    assert view_own.get(url).status_code == 200
    assert_unauthorized(actors.client("sell.view", ALL).get(url))  # sells, but no contact access at all


def test_toggle_needs_sell_create(actors, parent):
    url = f"{SUBSCRIPTIONS}/{parent.pk}/toggle-recurring"
    check_permissions(
        actors,
        "post",
        url,
        allowed=[("sell.create", ALL)],
        denied=[(ALL,), ("sell.view", ALL), ("direct_sell.access", ALL)],
        ok=200,
    )


def test_demo_mode_refuses_the_toggle_and_changes_nothing(api, parent):
    with override_settings(ERP_DEMO_MODE=True):
        response = api.post(f"{SUBSCRIPTIONS}/{parent.pk}/toggle-recurring")
        assert api.get(f"{SUBSCRIPTIONS}/{parent.pk}").status_code == 200  # reads still work

    assert (response.status_code, response.json()) == (403, {"message": "This action is disabled in demo mode."})
    parent.refresh_from_db()
    assert parent.recur_stopped_on is None


def test_permitted_locations_filter_rows_and_hide_the_others(actors, shop, business):
    first, second = business.locations.order_by("id")[:2]
    here = make_subscription(shop, when=moment(2026, 1, 1), location=first)
    there = make_subscription(shop, when=moment(2026, 1, 2), location=second)
    clerk = actors.client("sell.view", "sell.create", "customer.view", locations=[first])

    assert ids_in(clerk.get(SUBSCRIPTIONS)) >= {here.pk} and there.pk not in ids_in(clerk.get(SUBSCRIPTIONS))
    assert there.pk not in ids_in(clerk.get(f"{SUBSCRIPTIONS}?format=csv"))
    assert there.pk not in ids_in(clerk.get(f"{BASE}/contacts/{shop.customer.pk}/subscriptions"))
    for method, url in (
        ("get", f"{SUBSCRIPTIONS}/{there.pk}"),
        ("get", f"{SUBSCRIPTIONS}/{there.pk}/schedule"),
        ("post", f"{SUBSCRIPTIONS}/{there.pk}/toggle-recurring"),
    ):
        assert_not_found(clerk, method, url)
    there.refresh_from_db()
    assert there.recur_stopped_on is None
    # Asking for a location the user may not use is 403; an id that is no location of the business lists nothing
    # (as on GET /sells).
    assert_unauthorized(clerk.get(f"{SUBSCRIPTIONS}?location_id={second.pk}"))
    assert clerk.get(f"{SUBSCRIPTIONS}?location_id=999999").json()["data"] == []
    everywhere = actors.client("sell.view", all_locations=True)
    assert {here.pk, there.pk} <= ids_in(everywhere.get(SUBSCRIPTIONS))


def test_view_own_sell_only_sees_the_subscriptions_of_sells_they_created(actors, shop, business):
    clerk = make_user(business, "sell.view", "sell.create", "view_own_sell_only", all_locations=True)
    mine = make_subscription(shop, when=moment(2026, 1, 1), user=clerk)
    theirs = make_subscription(shop, when=moment(2026, 1, 2))
    client = actors.client(user=clerk)

    assert ids_in(client.get(SUBSCRIPTIONS)) & {mine.pk, theirs.pk} == {mine.pk}
    assert_not_found(client, "get", f"{SUBSCRIPTIONS}/{theirs.pk}")


def test_another_business_s_ids_are_404_and_never_listed(other_actors, other_business, parent, shop):
    from subscriptions.tests.builders import enable_subscriptions

    enable_subscriptions(other_business)
    foreign = other_actors.client(admin=True)
    for method, url in routes(parent):
        if url != SUBSCRIPTIONS:
            assert_not_found(foreign, method, url)
    assert foreign.get(SUBSCRIPTIONS).json()["data"] == []
    assert parent.pk not in ids_in(foreign.get(f"{SUBSCRIPTIONS}?format=csv"))
    assert foreign.get(f"{SUBSCRIPTIONS}?contact_id={shop.customer.pk}").json()["data"] == []
    parent.refresh_from_db()
    assert parent.recur_stopped_on is None


def test_an_unauthenticated_call_is_401(client, parent):
    for method, url in routes(parent):
        response = getattr(client, method)(url)
        assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


def test_a_customer_filter_for_a_foreign_contact_lists_nothing(api, other_business, parent):
    stranger = make_customer(other_business)

    assert api.get(f"{SUBSCRIPTIONS}?contact_id={stranger.pk}").json()["data"] == []
