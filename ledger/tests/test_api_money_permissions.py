"""The permission matrix of every money-owed route: balance, opening balance, ledger, contact payments and pay
due, ledger discounts, payment deletion (ARCHITECTURE rule 11; contacts-api; RULES §1, §4, §7). No permission is
403; view_own users reach only their own and shared contacts (403 on others'); another business's ids are 404
everywhere and never listed."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from contacts.services import contact_delete
from contacts.tests.helpers import share
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized, check_permissions, ids_in
from core.tests.openapi import assert_matches_schema
from ledger.api.urls import urlpatterns as ledger_routes
from ledger.tests.builders import (
    make_customer,
    make_ledger_discount,
    make_opening_balance,
    make_sell,
    moment,
    money_footprint,
    open_shop,
    pay_due,
)

NOTHING = ()
READERS = [("customer.view",), ("customer.view", "supplier.view")]
NOT_READERS = [NOTHING, ("supplier.view",), ("sell.view", "sell.payments", "purchase.payments", "customer.create")]
EVERYTHING_BUT_ADMIN = (
    "customer.view",
    "customer.update",
    "customer.delete",
    "supplier.view",
    "sell.payments",
    "purchase.payments",
    "sell.delete",
    "access_all_locations",
)
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
FEBRUARY = "start_date=2026-02-01&end_date=2026-02-28"


@dataclass
class Route:
    name: str
    route: tuple[str, str]  # (url pattern, method): what the coverage test checks
    url: object  # (world, user, contact) -> url; `contact` is the contact the route is about
    ok: int
    allowed: list
    denied: list
    data: object = None  # (world, user, contact) -> body
    contact_bound: bool = True  # reaches a contact (view_own applies)


def a_discount(w, user, contact):
    return make_ledger_discount(w.business, w.user, contact, "1", when=moment(2026, 2, 2))


def a_payment(w, user, contact):
    return pay_due(w.business, w.user, contact, "1")


def update_body(w, user, contact):
    return {"date": "2026-02-03", "amount": "2"}


CASES = [
    Route(
        "balance",
        ("contacts/<id:pk>/balance", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/balance",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "opening balance",
        ("contacts/<id:pk>/opening-balance", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/opening-balance",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "ledger",
        ("contacts/<id:pk>/ledger", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/ledger?{FEBRUARY}",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "ledger csv",
        ("contacts/<id:pk>/ledger", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/ledger?{FEBRUARY}&format=csv",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "ledger pdf",
        ("contacts/<id:pk>/ledger/pdf", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/ledger/pdf?{FEBRUARY}&ledger_format=format_1",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "send ledger",
        ("contacts/<id:pk>/ledger/send", "post"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/ledger/send",
        200,
        READERS,
        NOT_READERS,
        lambda w, u, c: {
            "to_email": "accounts@example.com",
            "subject": "Statement",
            "email_body": "Due: {balance_due}",
            "ledger_format": "format_1",
            "start_date": "2026-02-01",
            "end_date": "2026-02-28",
        },
    ),
    Route(
        "contact payments",
        ("contacts/<id:pk>/payments", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/payments",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "pay due",
        ("contacts/<id:pk>/payments", "post"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/payments",
        201,
        [("customer.view", "sell.payments")],
        [NOTHING, ("customer.view",), ("customer.view", "purchase.payments"), ("sell.payments",)],
        lambda w, u, c: {"amount": "1", "method": "cash"},
    ),
    Route(
        "contact ledger discounts",
        ("contacts/<id:pk>/ledger-discounts", "get"),
        lambda w, u, c: f"{BASE}/contacts/{c.pk}/ledger-discounts",
        200,
        READERS,
        NOT_READERS,
    ),
    Route(
        "list ledger discounts",
        ("ledger-discounts", "get"),
        lambda w, u, c: f"{BASE}/ledger-discounts",
        200,
        [("customer.view",), ("supplier.view_own",)],
        [NOTHING, ("sell.view", "sell.payments", "purchase.payments")],
        contact_bound=False,
    ),
    Route(
        "add ledger discount",
        ("ledger-discounts", "post"),
        lambda w, u, c: f"{BASE}/ledger-discounts",
        201,
        READERS,
        NOT_READERS,
        lambda w, u, c: {"contact_id": c.pk, "date": "2026-02-02", "amount": "1"},
    ),
    Route(
        "get ledger discount",
        ("ledger-discounts/<id:pk>", "get"),
        lambda w, u, c: f"{BASE}/ledger-discounts/{a_discount(w, u, c).pk}",
        200,
        READERS,
        NOT_READERS,
    ),
    *(
        Route(
            f"{method} ledger discount",
            ("ledger-discounts/<id:pk>", method),
            lambda w, u, c: f"{BASE}/ledger-discounts/{a_discount(w, u, c).pk}",
            200,
            [],
            [NOTHING, EVERYTHING_BUT_ADMIN],
            update_body if method != "delete" else None,
            contact_bound=False,
        )
        for method in ("patch", "put", "delete")
    ),
    Route(
        "delete payment",
        ("payments/<id:pk>", "delete"),
        lambda w, u, c: f"{BASE}/payments/{a_payment(w, u, c).pk}",
        200,
        [],
        [NOTHING, EVERYTHING_BUT_ADMIN],
        contact_bound=False,
    ),
]
CONTACT_BOUND = [c for c in CASES if c.contact_bound]


@pytest.fixture
def world(business, admin_user):
    world = open_shop(business, admin_user, stock="10")
    make_opening_balance(business, world.customer, "30")
    make_sell(business, admin_user, customer=world.customer, location=world.shop, lines=[(world.widget, "1", None)])
    make_ledger_discount(business, admin_user, world.customer, "1", when=moment(2026, 2, 5))
    pay_due(business, admin_user, world.customer, "12", paid_on=moment(2026, 2, 6))
    return world


def call(client, case, world, contact, user=None):
    user = user or client.user
    data = case.data(world, user, contact) if case.data else None
    return getattr(client, case.route[1])(case.url(world, user, contact), data=data, format="json")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(actors, world, case):
    check_permissions(
        actors,
        case.route[1],
        lambda user: case.url(world, user, world.customer),
        data=(lambda user: case.data(world, user, world.customer)) if case.data else None,
        allowed=case.allowed,
        denied=case.denied,
        ok=case.ok,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_business_admin_passes_every_route(actors, world, case):
    response = call(actors.client(admin=True), case, world, world.customer)

    assert response.status_code == case.ok, (case.name, response.status_code, response.content[:300])
    assert_matches_schema(response)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_route_needs_credentials(world, case):
    response = call(APIClient(), case, world, world.customer, user=world.user)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert_matches_schema(response)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_refusals_match_the_schema(actors, world, case):
    response = call(actors.client(), case, world, world.customer)

    assert_unauthorized(response)
    assert_matches_schema(response)


# --- view_own: own and shared contacts only --------------------------------------------------------------------

VIEW_OWN = ("customer.view_own", "sell.payments")


@pytest.mark.parametrize("case", CONTACT_BOUND, ids=lambda case: case.name)
def test_view_own_reaches_own_and_shared_contacts_and_is_403_on_others(actors, business, world, case):
    clerk = actors.client(*VIEW_OWN)
    own = make_customer(business, created_by=clerk.user)
    shared = share(make_customer(business), clerk.user)

    for contact in (own, shared):
        response = call(clerk, case, world, contact)
        assert response.status_code == case.ok, (case.name, response.status_code, response.content[:300])
    response = call(clerk, case, world, world.customer)
    assert_unauthorized(response)
    assert_matches_schema(response)


def test_view_own_lists_only_own_and_shared_discounts(actors, business, world):
    clerk = actors.client(*VIEW_OWN)
    own = make_customer(business, created_by=clerk.user)
    mine = make_ledger_discount(business, world.user, own, "1", when=moment(2026, 2, 1))
    shared = make_ledger_discount(
        business, world.user, share(make_customer(business), clerk.user), "1", when=moment(2026, 2, 1)
    )

    for fmt in ("json", "csv"):
        assert ids_in(clerk.get(f"{BASE}/ledger-discounts?format={fmt}")) == {mine.pk, shared.pk}


# --- which contacts exist: inactive ones do, deleted ones do not ------------------------------------------------


@pytest.mark.parametrize("case", CONTACT_BOUND, ids=lambda case: case.name)
def test_inactive_contacts_answer_every_route(api, business, world, case):
    Contact.objects.filter(pk=world.customer.pk).update(contact_status="inactive")

    response = call(api, case, world, world.customer)

    assert response.status_code == case.ok, (case.name, response.status_code, response.content[:300])


def test_deleted_contacts_are_404_everywhere(api, business, world):
    gone = make_customer(business)
    contact_delete(business=business, user=world.user, contact=gone)
    before = money_footprint(business)

    for route in ("balance", "opening-balance", f"ledger?{FEBRUARY}", "payments", "ledger-discounts"):
        assert_not_found(api, "get", f"{BASE}/contacts/{gone.pk}/{route}")
    assert_not_found(api, "post", f"{BASE}/contacts/{gone.pk}/payments", {"amount": "1", "method": "cash"})
    assert_not_found(api, "get", f"{BASE}/ledger-discounts?contact_id={gone.pk}")
    assert_not_found(
        api, "post", f"{BASE}/ledger-discounts", {"contact_id": gone.pk, "date": "2026-02-02", "amount": "1"}
    )
    assert money_footprint(business) == before


# --- another business: its ids do not exist ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_another_business_gets_404_on_every_route(other_actors, business, world, case):
    client = other_actors.client(admin=True)
    if case.name == "list ledger discounts":  # no id in the path: the contact filter names ours
        url, data = f"{BASE}/ledger-discounts?contact_id={world.customer.pk}", None
    else:
        url = case.url(world, world.user, world.customer)
        data = case.data(world, world.user, world.customer) if case.data else None
    before = money_footprint(business)

    response = getattr(client, case.route[1])(url, data=data, format="json")

    assert response.status_code == 404, (case.name, response.status_code, response.content[:300])
    assert response.json() == {"message": "Not found"}
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_another_business_never_appears_in_our_lists(api, business, other_business, other_actors, world):
    them = open_shop(other_business, other_actors.user(admin=True), stock="10")
    theirs = make_ledger_discount(other_business, them.user, them.customer, "9", when=moment(2026, 2, 3), note="Carla")
    make_opening_balance(other_business, them.customer, "5")
    their_payment = pay_due(other_business, them.user, them.customer, "9", paid_on=moment(2026, 2, 3))
    their_payments = {their_payment.pk, *their_payment.children.values_list("pk", flat=True)}

    for url in (
        f"{BASE}/ledger-discounts",
        f"{BASE}/ledger-discounts?format=csv",
        f"{BASE}/ledger-discounts?q=Carla",
        f"{BASE}/contacts/{world.customer.pk}/ledger-discounts?format=csv",
    ):
        response = api.get(url)
        assert response.status_code == 200
        assert theirs.pk not in ids_in(response), url
    for url in (
        f"{BASE}/contacts/{world.customer.pk}/payments",
        f"{BASE}/contacts/{world.customer.pk}/payments?format=csv",
    ):
        assert not their_payments & ids_in(api.get(url)), url
    before = money_footprint(other_business)
    for method, url, data in (
        ("get", f"{BASE}/contacts/{them.customer.pk}/ledger?{FEBRUARY}&format=csv", None),
        ("get", f"{BASE}/ledger-discounts/{theirs.pk}?format=csv", None),
        ("get", f"{BASE}/ledger-discounts?contact_id={them.customer.pk}&format=csv", None),
        ("post", f"{BASE}/contacts/{them.customer.pk}/payments", {"amount": "1", "method": "cash"}),
        ("post", f"{BASE}/ledger-discounts", {"contact_id": them.customer.pk, "date": "2026-02-02", "amount": "1"}),
        ("patch", f"{BASE}/ledger-discounts/{theirs.pk}", {"date": "2026-02-02", "amount": "1"}),
        ("delete", f"{BASE}/ledger-discounts/{theirs.pk}", None),
        ("delete", f"{BASE}/payments/{their_payment.pk}", None),
    ):
        assert_not_found(api, method, url, data)
    assert money_footprint(other_business) == before


def test_matrix_covers_every_money_route_and_method():
    routes = {
        (str(p.pattern), method)
        for p in ledger_routes
        if p.name in MONEY_ROUTE_NAMES
        for method in p.callback.actions
        if method != "head"
    }

    assert {p.name for p in ledger_routes} >= MONEY_ROUTE_NAMES
    assert {case.route for case in CASES} == routes
