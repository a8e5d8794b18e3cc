"""Who sees which document (supporting-api; RULES §1): view_own_sell_only and view_own_purchase, permitted
locations, and another business's rows, which do not exist (404 on every route, never in a list or download)."""

from decimal import Decimal

import pytest

from core.tests.matrix import BASE, assert_not_found, assert_unauthorized
from ledger.models import Transaction
from ledger.services.sells import sell_return_save
from ledger.tests.builders import line_of, make_opening_balance, make_purchase, make_sell, open_shop, row_ids, stock_up

SELLS, PURCHASES, TRANSACTIONS = f"{BASE}/sells", f"{BASE}/purchases", f"{BASE}/transactions"
PAYMENT = {"amount": "1", "method": "cash"}


@pytest.fixture
def world(business, admin_user):
    world = open_shop(business, admin_user, stock="100")
    stock_up(business, admin_user, location=world.depot, product=world.widget, quantity="100")
    return world


def sell(world, user, location=None, **fields):
    return make_sell(
        world.business,
        user,
        customer=world.customer,
        location=location or world.shop,
        lines=[(world.widget, "5", None)],
        **fields,
    )


def purchase(world, user, location=None):
    return make_purchase(
        world.business,
        user,
        supplier=world.supplier,
        location=location or world.shop,
        lines=[(world.widget, "5", None)],
    )


def return_body(document):
    key = "sell_line_id" if document.type == "sell" else "purchase_line_id"
    return {"lines": [{key: line_of(document).pk, "quantity": 1}]}


def routes_of(document):
    """(method, url, body) of every route that names the document."""
    base = SELLS if document.type == "sell" else PURCHASES
    return [
        ("get", f"{base}/{document.pk}", None),
        ("get", f"{base}/{document.pk}?format=csv", None),
        ("post", f"{base}/{document.pk}/return", return_body(document)),
        ("post", f"{base}/{document.pk}/payments", PAYMENT),
        ("post", f"{TRANSACTIONS}/{document.pk}/payments", PAYMENT),
    ]


# --- view_own_sell_only / view_own_purchase ------------------------------------------------------------


def test_view_own_sell_only_sees_and_touches_only_own_sells(actors, world):
    perms = ("sell.view", "view_own_sell_only", "access_sell_return", "sell.payments", "access_all_locations")
    clerk = actors.client(*perms)
    own = sell(world, clerk.user)
    theirs = sell(world, world.user)

    for fmt in ("json", "csv", "xlsx"):
        assert row_ids(clerk.get(f"{SELLS}?format={fmt}")) == [own.pk]
    for method, url, data in routes_of(theirs):
        assert_not_found(clerk, method, url, data)
    for method, url, data in routes_of(own):
        assert getattr(clerk, method)(url, data=data, format="json").status_code in (200, 201), url


def test_view_own_sell_only_also_limits_sell_returns_on_the_transactions_route(actors, business, world):
    clerk = actors.client("sell.view", "view_own_sell_only", "sell.payments", "access_all_locations")
    theirs = sell(world, world.user)
    lines = [{"sell_line_id": line_of(theirs).pk, "quantity": Decimal("1")}]
    ret = sell_return_save(business=business, user=world.user, sell=theirs, data={"lines": lines})

    assert_not_found(clerk, "post", f"{TRANSACTIONS}/{ret.pk}/payments", PAYMENT)


def test_sell_view_and_admins_see_every_sell(actors, world):
    clerk = actors.client("sell.view", "access_all_locations")
    made = {sell(world, clerk.user).pk, sell(world, world.user).pk}

    assert set(row_ids(clerk.get(SELLS))) == made
    assert set(row_ids(actors.client(admin=True).get(SELLS))) == made


def test_view_own_purchase_sees_and_touches_only_own_purchases(actors, world):
    clerk = actors.client("view_own_purchase", "purchase.update", "purchase.payments", "access_all_locations")
    own = purchase(world, clerk.user)
    theirs = purchase(world, world.user)

    for fmt in ("json", "csv", "xlsx"):
        assert row_ids(clerk.get(f"{PURCHASES}?format={fmt}")) == [own.pk]
    for method, url, data in routes_of(theirs):
        assert_not_found(clerk, method, url, data)
    for method, url, data in routes_of(own):
        assert getattr(clerk, method)(url, data=data, format="json").status_code in (200, 201), url


def test_purchase_view_sees_every_purchase_even_with_view_own(actors, business, world):
    clerk = actors.client("purchase.view", "view_own_purchase", "access_all_locations")
    purchase(world, clerk.user)

    everything = Transaction.objects.filter(business=business, type="purchase").values_list("pk", flat=True)
    assert set(row_ids(clerk.get(PURCHASES))) == set(everything)


# --- permitted locations ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sell", "purchase"])
def test_permitted_locations_filter_lists_and_hide_other_locations(actors, business, world, kind):
    perms = {
        "sell": ("sell.view", "access_sell_return", "sell.payments", "customer.view"),
        "purchase": ("purchase.view", "purchase.update", "purchase.payments", "supplier.view"),
    }[kind]
    clerk = actors.client(*perms, locations=[world.shop])
    make = sell if kind == "sell" else purchase
    here, there = make(world, world.user), make(world, world.user, location=world.depot)
    base = SELLS if kind == "sell" else PURCHASES
    contact = world.customer if kind == "sell" else world.supplier

    for fmt in ("json", "csv", "xlsx"):
        ids = row_ids(clerk.get(f"{base}?format={fmt}"))
        assert here.pk in ids and there.pk not in ids
        ids = row_ids(clerk.get(f"{BASE}/contacts/{contact.pk}/{kind}s?format={fmt}"))
        assert here.pk in ids and there.pk not in ids
    assert_unauthorized(clerk.get(f"{base}?location_id={world.depot.pk}"))
    assert row_ids(clerk.get(f"{base}?location_id={world.shop.pk}"))
    for method, url, data in routes_of(there):
        assert_not_found(clerk, method, url, data)
    for method, url, data in routes_of(here):
        assert getattr(clerk, method)(url, data=data, format="json").status_code in (200, 201), url


def test_a_user_without_locations_sees_no_documents(actors, world):
    clerk = actors.client("sell.view", "purchase.view")
    sell(world, world.user)

    assert row_ids(clerk.get(SELLS)) == []
    assert row_ids(clerk.get(PURCHASES)) == []


def test_opening_balances_are_scoped_by_contact_visibility_not_location(actors, business, world):
    balance = make_opening_balance(business, world.customer, "10", location=world.depot)
    clerk = actors.client("sell.payments", "customer.view", locations=[world.shop])
    blind = actors.client("sell.payments", "supplier.view", locations=[world.shop, world.depot])

    assert clerk.post(f"{TRANSACTIONS}/{balance.pk}/payments", PAYMENT, format="json").status_code == 201
    assert_not_found(blind, "post", f"{TRANSACTIONS}/{balance.pk}/payments", PAYMENT)


# --- another business -------------------------------------------------------------------------------------


@pytest.fixture
def foreign(other_business):
    foreign = open_shop(other_business, None, stock="50")
    foreign.sell = make_sell(
        other_business, None, customer=foreign.customer, location=foreign.shop, lines=[(foreign.widget, "5", None)]
    )
    return foreign


def test_another_business_documents_are_404_on_every_route(api, foreign):
    for document in (foreign.sell, foreign.purchase):
        for method, url, data in routes_of(document):
            assert_not_found(api, method, url, data)
    assert_not_found(api, "get", f"{BASE}/products/{foreign.widget.pk}")
    for path in (
        f"{foreign.customer.pk}/sells",
        f"{foreign.supplier.pk}/purchases",
        f"{foreign.supplier.pk}/supplier-stock",
    ):
        assert_not_found(api, "get", f"{BASE}/contacts/{path}")
        assert_not_found(api, "get", f"{BASE}/contacts/{path}?format=csv")


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_another_business_rows_never_appear(api, business, world, foreign, fmt):
    mine_sell = sell(world, world.user)
    my_purchases = set(Transaction.objects.filter(business=business, type="purchase").values_list("pk", flat=True))

    assert row_ids(api.get(f"{SELLS}?format={fmt}")) == [mine_sell.pk]
    assert set(row_ids(api.get(f"{PURCHASES}?format={fmt}"))) == my_purchases
    assert row_ids(api.get(f"{BASE}/products?format={fmt}")) == [world.widget.pk]
    # Filters and searches naming another business's rows find nothing.
    assert row_ids(api.get(f"{SELLS}?format={fmt}&contact_id={foreign.customer.pk}")) == []
    assert row_ids(api.get(f"{SELLS}?format={fmt}&location_id={foreign.shop.pk}")) == []
    assert foreign.sell.pk not in row_ids(api.get(f"{SELLS}?format={fmt}&q={foreign.sell.pk:02d}"))


def test_another_business_documents_cannot_be_returned_or_paid_by_line_id(api, world, foreign):
    mine = sell(world, world.user)

    response = api.post(
        f"{SELLS}/{mine.pk}/return",
        {"lines": [{"sell_line_id": line_of(foreign.sell).pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines.0.sell_line_id"]
