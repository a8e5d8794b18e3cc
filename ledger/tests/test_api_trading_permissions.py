"""The permission matrix of every trading route: products, sells, purchases, returns, payments, payment methods
and the contact-bound lists (ARCHITECTURE rule 11; supporting-api; RULES §1, §4).

Allowed sets carry `access_all_locations` where the route is location-bound, so the permission under test is
the only thing that decides; test_api_trading_visibility.py covers locations and view_own."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from core.tests.matrix import BASE, check_permissions
from core.tests.openapi import assert_matches_schema
from inventory.api.urls import urlpatterns as inventory_routes
from ledger.api.urls import urlpatterns as ledger_routes
from ledger.tests.builders import line_of, make_purchase, make_sell, open_shop

ALL = "access_all_locations"
NOTHING = ()


@dataclass
class Route:
    name: str
    route: tuple[str, str]  # (url pattern, method): what the coverage test checks
    url: object  # (world, user) -> url
    allowed: list
    denied: list
    ok: int
    data: object = None  # (world, user) -> body


def own_sell(w, user):
    return make_sell(w.business, user, customer=w.customer, location=w.shop, lines=[(w.widget, "5", None)])


def own_purchase(w, user):
    return make_purchase(w.business, user, supplier=w.supplier, location=w.shop, lines=[(w.widget, "5", None)])


def sell_body(w, user):
    return {
        "contact_id": w.customer.pk,
        "location_id": w.shop.pk,
        "lines": [{"variation_id": w.variation.pk, "quantity": 1}],
    }


def purchase_body(w, user):
    return {
        "contact_id": w.supplier.pk,
        "location_id": w.shop.pk,
        "lines": [{"variation_id": w.variation.pk, "quantity": 1}],
    }


def sell_return_body(w, user):
    return {"lines": [{"sell_line_id": line_of(w.sell).pk, "quantity": 1}]}


def purchase_return_body(w, user):
    return {"lines": [{"purchase_line_id": line_of(w.purchase).pk, "quantity": 1}]}


def one_cash(w, user):
    return {"amount": "1", "method": "cash"}


CASES = [
    Route(
        "list products",
        ("products", "get"),
        lambda w, u: f"{BASE}/products",
        [("product.view",)],
        [NOTHING, ("product.create",), ("sell.view", "purchase.view")],
        200,
    ),
    Route(
        "create product",
        ("products", "post"),
        lambda w, u: f"{BASE}/products",
        [("product.create",)],
        [NOTHING, ("product.view",), ("sell.create", "purchase.create")],
        201,
        lambda w, u: {"name": "Thing", "purchase_price": 1, "sell_price": 2},
    ),
    Route(
        "get product",
        ("products/<id:pk>", "get"),
        lambda w, u: f"{BASE}/products/{w.widget.pk}",
        [("product.view",)],
        [NOTHING, ("product.create",)],
        200,
    ),
    Route(
        "list sells",
        ("sells", "get"),
        lambda w, u: f"{BASE}/sells",
        [("sell.view",), ("direct_sell.access",)],
        [
            NOTHING,
            ("sell.create", ALL),
            ("view_own_sell_only", ALL),
            ("access_sell_return", "sell.payments", "purchase.view"),
        ],
        200,
    ),
    Route(
        "create sell",
        ("sells", "post"),
        lambda w, u: f"{BASE}/sells",
        [("sell.create", "customer.view", ALL), ("direct_sell.access", "customer.view", ALL)],
        [
            NOTHING,
            ("sell.view", "customer.view", ALL),
            ("purchase.create", "customer.view", ALL),
            ("customer.create", ALL),
        ],
        201,
        sell_body,
    ),
    Route(
        "get sell",
        ("sells/<id:pk>", "get"),
        lambda w, u: f"{BASE}/sells/{w.sell.pk}",
        [("sell.view", ALL), ("direct_sell.access", ALL)],
        [NOTHING, ("sell.create", ALL), ("access_sell_return", ALL), ("purchase.view", ALL)],
        200,
    ),
    Route(
        "return sell",
        ("sells/<id:pk>/return", "post"),
        lambda w, u: f"{BASE}/sells/{w.sell.pk}/return",
        [("access_sell_return", ALL), ("sell.create", ALL)],
        [NOTHING, ("sell.view", ALL), ("sell.update", ALL), ("purchase.update", "purchase.create", ALL)],
        201,
        sell_return_body,
    ),
    Route(
        "pay sell",
        ("sells/<id:pk>/payments", "post"),
        lambda w, u: f"{BASE}/sells/{w.sell.pk}/payments",
        [("sell.payments", ALL)],
        [NOTHING, ("sell.view", "sell.create", ALL), ("purchase.payments", ALL)],
        201,
        one_cash,
    ),
    Route(
        "list purchases",
        ("purchases", "get"),
        lambda w, u: f"{BASE}/purchases",
        [("purchase.view",), ("view_own_purchase",)],
        [NOTHING, ("purchase.create", ALL), ("sell.view", ALL)],
        200,
    ),
    Route(
        "create purchase",
        ("purchases", "post"),
        lambda w, u: f"{BASE}/purchases",
        [("purchase.create", "supplier.view", ALL)],
        [
            NOTHING,
            ("purchase.view", "supplier.view", ALL),
            ("purchase.update", "supplier.view", ALL),
            ("sell.create", ALL),
        ],
        201,
        purchase_body,
    ),
    Route(
        "get purchase",
        ("purchases/<id:pk>", "get"),
        lambda w, u: f"{BASE}/purchases/{own_purchase(w, u).pk}",
        [("purchase.view", ALL), ("view_own_purchase", ALL)],
        [NOTHING, ("purchase.create", ALL), ("sell.view", ALL)],
        200,
    ),
    Route(
        "return purchase",
        ("purchases/<id:pk>/return", "post"),
        lambda w, u: f"{BASE}/purchases/{w.purchase.pk}/return",
        [("purchase.update", "purchase.view", ALL), ("purchase.create", "purchase.view", ALL)],
        [NOTHING, ("purchase.view", ALL), ("purchase.delete", ALL), ("access_sell_return", "sell.create", ALL)],
        201,
        purchase_return_body,
    ),
    Route(
        "pay purchase",
        ("purchases/<id:pk>/payments", "post"),
        lambda w, u: f"{BASE}/purchases/{own_purchase(w, u).pk}/payments",
        [("purchase.payments", ALL)],
        [NOTHING, ("purchase.view", "purchase.create", ALL), ("sell.payments", ALL)],
        201,
        one_cash,
    ),
    Route(
        "pay a sell through transactions",
        ("transactions/<id:pk>/payments", "post"),
        lambda w, u: f"{BASE}/transactions/{w.sell.pk}/payments",
        [("sell.payments", ALL)],
        [NOTHING, ("purchase.payments", ALL), ("sell.view", "sell.create", ALL)],
        201,
        one_cash,
    ),
    Route(
        "pay a purchase through transactions",
        ("transactions/<id:pk>/payments", "post"),
        lambda w, u: f"{BASE}/transactions/{own_purchase(w, u).pk}/payments",
        [("purchase.payments", ALL)],
        [NOTHING, ("sell.payments", ALL), ("purchase.view", "purchase.create", ALL)],
        201,
        one_cash,
    ),
    Route(
        "payment methods",
        ("payment-methods", "get"),
        lambda w, u: f"{BASE}/payment-methods",
        [NOTHING, ("sell.view",)],
        [],
        200,
    ),
    Route(
        "contact sells",
        ("contacts/<id:pk>/sells", "get"),
        lambda w, u: f"{BASE}/contacts/{w.customer.pk}/sells",
        [("sell.view", "customer.view"), ("direct_sell.access", "customer.view")],
        [NOTHING, ("customer.view",), ("sell.create", "customer.view")],
        200,
    ),
    Route(
        "contact purchases",
        ("contacts/<id:pk>/purchases", "get"),
        lambda w, u: f"{BASE}/contacts/{w.supplier.pk}/purchases",
        [("purchase.view", "supplier.view"), ("view_own_purchase", "supplier.view")],
        [NOTHING, ("supplier.view",), ("purchase.create", "supplier.view")],
        200,
    ),
    Route(
        "supplier stock",
        ("contacts/<id:pk>/supplier-stock", "get"),
        lambda w, u: f"{BASE}/contacts/{w.supplier.pk}/supplier-stock",
        [("supplier.view",)],
        [NOTHING, ("customer.view",), ("purchase.view", "product.view")],
        200,
    ),
]


@pytest.fixture
def world(business, admin_user):
    world = open_shop(business, admin_user, stock="100")
    world.sell = make_sell(
        business, admin_user, customer=world.customer, location=world.shop, lines=[(world.widget, "50", None)]
    )
    return world


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(actors, world, case):
    check_permissions(
        actors,
        case.route[1],
        lambda user: case.url(world, user),
        data=(lambda user: case.data(world, user)) if case.data else None,
        allowed=case.allowed,
        denied=case.denied,
        ok=case.ok,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_business_admin_passes_every_route(actors, world, case):
    client = actors.client(admin=True)
    data = case.data(world, client.user) if case.data else None

    response = getattr(client, case.route[1])(case.url(world, client.user), data=data, format="json")

    assert response.status_code == case.ok, (case.name, response.status_code, response.content[:300])
    assert_matches_schema(response)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_route_needs_credentials(world, case):
    response = getattr(APIClient(), case.route[1])(case.url(world, world.user), data={}, format="json")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert_matches_schema(response)


@pytest.mark.parametrize("case", [c for c in CASES if c.denied], ids=lambda case: case.name)
def test_refusals_match_the_schema(actors, world, case):
    response = getattr(actors.client(), case.route[1])(case.url(world, world.user), data={}, format="json")

    assert response.status_code == 403
    assert_matches_schema(response)


# The money-owed routes (balance, ledger, payments of a contact, ledger discounts, payment deletion) have their
# own matrix in test_api_money_permissions.py.
MONEY_ROUTE_NAMES = {
    "contact-balance",
    "contact-opening-balance",
    "contact-ledger",
    "contact-ledger-pdf",
    "contact-ledger-send",
    "contact-payments",
    "contact-ledger-discounts",
    "ledger-discounts",
    "ledger-discount",
    "payment",
}


def test_matrix_covers_every_route_and_method():
    routes = {
        (str(p.pattern), method)
        for p in [*ledger_routes, *inventory_routes]
        if p.name not in MONEY_ROUTE_NAMES
        for method in p.callback.actions
        if method != "head"
    }

    assert {case.route for case in CASES} == routes
