"""GET /contacts/{id}/sells and GET /contacts/{id}/purchases (contacts reference "List contact sells",
"List contact purchases"): the sells and purchases lists with contact_id fixed by the path."""

import pytest
from django.utils import timezone

from contacts.tests.helpers import assert_validation_error, share
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import (
    PURCHASE_ROW,
    SELL_ROW,
    cash,
    download_rows,
    make_customer,
    make_purchase,
    make_sell,
    make_supplier,
    open_shop,
    row_ids,
    stock_up,
)

CONTACTS = f"{BASE}/contacts"


@pytest.fixture
def world(business, admin_user):
    world = open_shop(business, admin_user, stock="100")
    stock_up(business, admin_user, location=world.depot, product=world.widget, quantity="100")
    return world


def sell_to(world, customer, location=None, **fields):
    return make_sell(
        world.business,
        world.user,
        customer=customer,
        location=location or world.shop,
        lines=[(world.widget, "1", None)],
        **fields,
    )


def buy_from(world, supplier, location=None, **fields):
    return make_purchase(
        world.business,
        world.user,
        supplier=supplier,
        location=location or world.shop,
        lines=[(world.widget, "1", None)],
        **fields,
    )


def test_contact_sells_are_that_contacts_sells_only(api, business, world):
    mine = [sell_to(world, world.customer), sell_to(world, world.customer, location=world.depot)]
    sell_to(world, make_customer(business))

    response = api.get(f"{CONTACTS}/{world.customer.pk}/sells")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert row_ids(response) == [mine[1].pk, mine[0].pk]
    assert all(set(row) == set(SELL_ROW) for row in response.json()["data"])
    assert response.json()["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 2}


def test_the_path_wins_over_a_contact_id_in_the_query(api, business, world):
    mine = sell_to(world, world.customer)
    other = make_customer(business)
    sell_to(world, other)

    assert row_ids(api.get(f"{CONTACTS}/{world.customer.pk}/sells?contact_id={other.pk}")) == [mine.pk]


def test_contact_sells_take_the_sell_filters(api, world, actors):
    clerk = actors.user("sell.create")
    at_depot = sell_to(world, world.customer, location=world.depot)
    paid = sell_to(world, world.customer, payments=[cash("10")])
    draft = sell_to(world, world.customer, status="draft")
    theirs = make_sell(
        world.business, clerk, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)]
    )
    url = f"{CONTACTS}/{world.customer.pk}/sells"

    assert row_ids(api.get(f"{url}?location_id={world.depot.pk}")) == [at_depot.pk]
    assert row_ids(api.get(f"{url}?payment_status=paid")) == [paid.pk]
    assert row_ids(api.get(f"{url}?status=draft")) == [draft.pk]
    assert row_ids(api.get(f"{url}?created_by={clerk.pk}")) == [theirs.pk]
    assert row_ids(api.get(f"{url}?q={draft.invoice_no}")) == [draft.pk]
    today = timezone.localdate().isoformat()
    assert len(row_ids(api.get(f"{url}?start_date={today}&end_date={today}"))) == 4
    assert_validation_error(api.get(f"{url}?start_date={today}"), "end_date")
    assert_validation_error(api.get(f"{url}?per_page=0"), "per_page")
    assert_matches_schema(api.get(f"{url}?per_page=0"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contact_sells_download_every_row(api, business, world, fmt):
    made = {sell_to(world, world.customer).pk for _ in range(23)}
    sell_to(world, make_customer(business))

    response = api.get(f"{CONTACTS}/{world.customer.pk}/sells?format={fmt}&per_page=5")

    assert response.status_code == 200
    assert f'filename="contact-{world.customer.pk}-sells-{business.pk}-' in response["Content-Disposition"]
    assert set(row_ids(response)) == made
    assert set(download_rows(response)[0]) == set(SELL_ROW)


def test_contact_purchases_are_that_suppliers_purchases_only(api, business, world):
    other = make_supplier(business)
    mine = buy_from(world, world.supplier, status="ordered")
    buy_from(world, other)

    response = api.get(f"{CONTACTS}/{world.supplier.pk}/purchases")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert row_ids(response) == [mine.pk, world.purchase.pk]
    assert all(set(row) == set(PURCHASE_ROW) for row in response.json()["data"])
    assert row_ids(api.get(f"{CONTACTS}/{world.supplier.pk}/purchases?status=ordered")) == [mine.pk]
    assert row_ids(api.get(f"{CONTACTS}/{world.supplier.pk}/purchases?q={mine.ref_no}")) == [mine.pk]
    rows = download_rows(api.get(f"{CONTACTS}/{world.supplier.pk}/purchases?format=csv"))
    assert {int(r["id"]) for r in rows} == {mine.pk, world.purchase.pk}


def test_a_both_contact_has_sells_and_purchases(api, business, world):
    both = make_customer(business, type="both")
    sold = sell_to(world, both)
    bought = buy_from(world, both)

    assert row_ids(api.get(f"{CONTACTS}/{both.pk}/sells")) == [sold.pk]
    assert row_ids(api.get(f"{CONTACTS}/{both.pk}/purchases")) == [bought.pk]


# --- the contact rule: 404, 403, 422 ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sells", "purchases"])
def test_an_unknown_foreign_or_deleted_contact_is_404(api, business, other_business, kind):
    foreign = make_customer(other_business, type="both")
    deleted = make_customer(business, type="both", deleted_at=timezone.now())

    for pk in (foreign.pk, deleted.pk, 99999999):
        assert_not_found(api, "get", f"{CONTACTS}/{pk}/{kind}")
        assert_not_found(api, "get", f"{CONTACTS}/{pk}/{kind}?format=csv")
    assert_matches_schema(api.get(f"{CONTACTS}/{foreign.pk}/{kind}"))


def test_a_supplier_has_no_sells_and_a_customer_no_purchases(api, world):
    for url in (f"{CONTACTS}/{world.supplier.pk}/sells", f"{CONTACTS}/{world.customer.pk}/purchases"):
        response = api.get(url)
        assert response.status_code == 422
        assert "is not a" in response.json()["message"]
        assert_matches_schema(response)


def test_a_contact_the_user_may_not_see_is_403(actors, business, world):
    seller = actors.client("sell.view", "customer.view_own", all_locations=True)
    own = make_customer(business, created_by=seller.user)
    shared = share(make_customer(business), seller.user)
    sold = sell_to(world, own)

    assert_unauthorized(seller.get(f"{CONTACTS}/{world.customer.pk}/sells"))
    assert_matches_schema(seller.get(f"{CONTACTS}/{world.customer.pk}/sells"))
    assert_unauthorized(seller.get(f"{CONTACTS}/{world.customer.pk}/sells?format=csv"))
    assert row_ids(seller.get(f"{CONTACTS}/{own.pk}/sells")) == [sold.pk]
    assert seller.get(f"{CONTACTS}/{shared.pk}/sells").status_code == 200
    # A supplier is not visible on the customer side at all: 403, not 422.
    assert_unauthorized(seller.get(f"{CONTACTS}/{world.supplier.pk}/sells"))


def test_contact_purchases_of_an_invisible_supplier_are_403(actors, world):
    buyer = actors.client("purchase.view", "supplier.view_own")

    assert_unauthorized(buyer.get(f"{CONTACTS}/{world.supplier.pk}/purchases"))


def test_contact_sells_need_a_sell_list_permission(actors, world):
    check_permissions(
        actors,
        "get",
        f"{CONTACTS}/{world.customer.pk}/sells",
        allowed=[("sell.view", "customer.view"), ("direct_sell.access", "customer.view")],
        denied=[(), ("customer.view",), ("sell.create", "customer.view"), ("purchase.view", "customer.view")],
        ok=200,
    )


def test_contact_purchases_need_a_purchase_list_permission(actors, world):
    check_permissions(
        actors,
        "get",
        f"{CONTACTS}/{world.supplier.pk}/purchases",
        allowed=[("purchase.view", "supplier.view"), ("view_own_purchase", "supplier.view")],
        denied=[(), ("supplier.view",), ("purchase.create", "supplier.view"), ("sell.view", "supplier.view")],
        ok=200,
    )


def test_contact_lists_keep_the_users_rules(actors, business, world):
    """view_own_sell_only and view_own_purchase, and permitted locations, apply as on the main lists."""
    clerk = actors.client(
        "sell.view", "view_own_sell_only", "view_own_purchase", "customer.view", "supplier.view", locations=[world.shop]
    )
    own_sell = make_sell(
        business, clerk.user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)]
    )
    sell_to(world, world.customer)
    own_purchase = make_purchase(
        business, clerk.user, supplier=world.supplier, location=world.shop, lines=[(world.widget, "1", None)]
    )
    make_purchase(
        business, clerk.user, supplier=world.supplier, location=world.depot, lines=[(world.widget, "1", None)]
    )

    assert row_ids(clerk.get(f"{CONTACTS}/{world.customer.pk}/sells")) == [own_sell.pk]
    assert row_ids(clerk.get(f"{CONTACTS}/{world.supplier.pk}/purchases")) == [own_purchase.pk]
    assert_unauthorized(clerk.get(f"{CONTACTS}/{world.customer.pk}/sells?location_id={world.depot.pk}"))
