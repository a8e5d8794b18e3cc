"""The trading-documents issue's list of bad input: each is refused with a field-level 422 (a location outside
the user's permitted ones with 403) and leaves no trace: no document, line, payment, stock movement, FIFO
mapping, counter step, balance change or activity entry."""

import pytest
from django.db import connection

from contacts.tests.helpers import assert_validation_error
from core.tests.factories import make_user
from core.tests.matrix import BASE, assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import footprint, give_advance, line_of, make_product, make_sell, open_shop

SELLS, PURCHASES = f"{BASE}/sells", f"{BASE}/purchases"


@pytest.fixture
def world(business, admin_user, other_business):
    world = open_shop(business, admin_user, stock="10")
    world.foreign = open_shop(other_business, None)
    give_advance(business, world.customer, "5.00")
    return world


def sell_body(w, **changes):
    line = {"variation_id": w.variation.pk, "quantity": "2", "unit_price": "10.00"}
    line.update(changes.pop("line", {}))
    return {"contact_id": w.customer.pk, "location_id": w.shop.pk, "lines": [line], **changes}


def purchase_body(w, **changes):
    line = {"variation_id": w.variation.pk, "quantity": "2", "purchase_price": "6.00"}
    line.update(changes.pop("line", {}))
    return {"contact_id": w.supplier.pk, "location_id": w.shop.pk, "lines": [line], **changes}


# (case id, route, body builder, field named in the 422)
CREATE_CASES = [
    ("sell: unknown variation", SELLS, lambda w: sell_body(w, line={"variation_id": 99999999}), "lines.0.variation_id"),
    (
        "sell: foreign variation",
        SELLS,
        lambda w: sell_body(w, line={"variation_id": w.foreign.variation.pk}),
        "lines.0.variation_id",
    ),
    ("sell: unknown contact", SELLS, lambda w: sell_body(w, contact_id=99999999), "contact_id"),
    ("sell: foreign contact", SELLS, lambda w: sell_body(w, contact_id=w.foreign.customer.pk), "contact_id"),
    ("sell: unknown location", SELLS, lambda w: sell_body(w, location_id=99999999), "location_id"),
    ("sell: foreign location", SELLS, lambda w: sell_body(w, location_id=w.foreign.shop.pk), "location_id"),
    ("sell: a supplier", SELLS, lambda w: sell_body(w, contact_id=w.supplier.pk), "contact_id"),
    ("sell: zero quantity", SELLS, lambda w: sell_body(w, line={"quantity": "0"}), "lines.0.quantity"),
    ("sell: negative quantity", SELLS, lambda w: sell_body(w, line={"quantity": "-1"}), "lines.0.quantity"),
    ("sell: negative price", SELLS, lambda w: sell_body(w, line={"unit_price": "-0.01"}), "lines.0.unit_price"),
    ("sell: no lines", SELLS, lambda w: sell_body(w) | {"lines": []}, "lines"),
    (
        "sell: payment on a draft",
        SELLS,
        lambda w: sell_body(w, status="draft", payments=[{"amount": "1", "method": "cash"}]),
        "payments",
    ),
    (
        "sell: overpayment",
        SELLS,
        lambda w: sell_body(w, payments=[{"amount": "15", "method": "cash"}, {"amount": "5.01", "method": "card"}]),
        "payments.1.amount",
    ),
    (
        "sell: advance beyond the balance",
        SELLS,
        lambda w: sell_body(w, payments=[{"amount": "5.01", "method": "advance"}]),
        "payments.0.amount",
    ),
    ("sell: short stock", SELLS, lambda w: sell_body(w, line={"quantity": "10.5"}), "lines.0.quantity"),
    (
        "sell: a due date past the calendar",
        SELLS,
        lambda w: sell_body(w, transaction_date="9998-12-31", pay_term_number=1, pay_term_type="months"),
        "pay_term_number",
    ),
    (
        "sell: a pay term beyond any calendar",
        SELLS,
        lambda w: sell_body(w, pay_term_number=10**9, pay_term_type="days"),
        "pay_term_number",
    ),
    ("sell: a date before 1900", SELLS, lambda w: sell_body(w, transaction_date="1899-12-31"), "transaction_date"),
    (
        "purchase: a total beyond the money column",
        PURCHASES,
        lambda w: purchase_body(w, line={"quantity": "99999999999", "purchase_price": "99999999999"}),
        "lines",
    ),
    (
        "purchase: shipping beyond the money column",
        PURCHASES,
        lambda w: purchase_body(w, shipping_charges="999999999999999999"),
        # SQLite cannot hold 18 significant digits exactly: refused on the field before any total is computed
        "shipping_charges" if connection.vendor == "sqlite" else "lines",
    ),
    (
        "purchase: unknown variation",
        PURCHASES,
        lambda w: purchase_body(w, line={"variation_id": 99999999}),
        "lines.0.variation_id",
    ),
    (
        "purchase: foreign variation",
        PURCHASES,
        lambda w: purchase_body(w, line={"variation_id": w.foreign.variation.pk}),
        "lines.0.variation_id",
    ),
    ("purchase: unknown contact", PURCHASES, lambda w: purchase_body(w, contact_id=99999999), "contact_id"),
    (
        "purchase: foreign contact",
        PURCHASES,
        lambda w: purchase_body(w, contact_id=w.foreign.supplier.pk),
        "contact_id",
    ),
    ("purchase: unknown location", PURCHASES, lambda w: purchase_body(w, location_id=99999999), "location_id"),
    (
        "purchase: foreign location",
        PURCHASES,
        lambda w: purchase_body(w, location_id=w.foreign.shop.pk),
        "location_id",
    ),
    ("purchase: a customer", PURCHASES, lambda w: purchase_body(w, contact_id=w.customer.pk), "contact_id"),
    ("purchase: zero quantity", PURCHASES, lambda w: purchase_body(w, line={"quantity": 0}), "lines.0.quantity"),
    (
        "purchase: negative price",
        PURCHASES,
        lambda w: purchase_body(w, line={"purchase_price": "-1"}),
        "lines.0.purchase_price",
    ),
    (
        "purchase: overpayment",
        PURCHASES,
        lambda w: purchase_body(w, payments=[{"amount": "12.01", "method": "cash"}]),
        "payments.0.amount",
    ),
    (
        "purchase: advance beyond the balance",
        PURCHASES,
        lambda w: purchase_body(w, payments=[{"amount": "0.01", "method": "advance"}]),
        "payments.0.amount",
    ),
    ("purchase: unknown field", PURCHASES, lambda w: purchase_body(w, invoice_no="X"), "invoice_no"),
]


@pytest.mark.parametrize(
    ("route", "make_body", "field"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES]
)
def test_bad_create_is_422_on_the_field_and_leaves_no_trace(api, business, world, route, make_body, field):
    before = footprint(business)

    response = api.post(route, make_body(world), format="json")

    data = assert_validation_error(response, field)
    assert_matches_schema(response)
    assert data["message"] == data["errors"][field][0] or data["message"].startswith(data["errors"][field][0])
    assert footprint(business) == before


def test_a_customer_contact_named_as_supplier_message(api, world):
    data = api.post(PURCHASES, purchase_body(world, contact_id=world.customer.pk), format="json").json()

    assert data["errors"]["contact_id"] == ["A purchase needs a supplier (or customer-and-supplier) contact."]
    sell = api.post(SELLS, sell_body(world, contact_id=world.supplier.pk), format="json").json()
    assert sell["errors"]["contact_id"] == ["A sell needs a customer (or customer-and-supplier) contact."]


def test_foreign_and_unknown_ids_read_the_same(api, world):
    unknown = api.post(SELLS, sell_body(world, contact_id=99999999), format="json").json()
    foreign = api.post(SELLS, sell_body(world, contact_id=world.foreign.customer.pk), format="json").json()

    assert (
        unknown
        == foreign
        == {
            "message": "The selected contact id is invalid.",
            "errors": {"contact_id": ["The selected contact id is invalid."]},
        }
    )


def test_an_invisible_contact_is_422_like_an_unknown_one(actors, business, world):
    clerk = actors.client("sell.create", "customer.view_own", locations=[world.shop])
    before = footprint(business)

    response = clerk.post(SELLS, sell_body(world), format="json")

    assert_validation_error(response, "contact_id")
    assert footprint(business) == before


@pytest.mark.parametrize(("route", "permission"), [(SELLS, "sell.create"), (PURCHASES, "purchase.create")])
def test_a_location_outside_the_users_permitted_ones_is_403(actors, business, world, route, permission):
    first = world.shop
    clerk = actors.client(user=make_user(business, permission, "customer.view", "supplier.view", locations=[first]))
    make_body = sell_body if route == SELLS else purchase_body
    before = footprint(business)

    response = clerk.post(route, make_body(world, location_id=world.depot.pk), format="json")

    assert_unauthorized(response)
    assert_matches_schema(response)
    assert footprint(business) == before
    assert clerk.post(route, make_body(world), format="json").status_code == 201


# --- returns and payments --------------------------------------------------------------------------------


def test_a_sell_return_above_what_was_sold_leaves_no_trace(api, business, world):
    sold = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "3", None)]
    )
    before = footprint(business)

    response = api.post(
        f"{SELLS}/{sold.pk}/return", {"lines": [{"sell_line_id": line_of(sold).pk, "quantity": "3.5"}]}, format="json"
    )

    assert_validation_error(response, "lines.0.quantity")
    assert footprint(business) == before


def test_a_purchase_return_above_bought_minus_sold_leaves_no_trace(api, business, world):
    make_sell(business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "7", None)])
    before = footprint(business)

    response = api.post(
        f"{PURCHASES}/{world.purchase.pk}/return",
        {"lines": [{"purchase_line_id": line_of(world.purchase).pk, "quantity": "3.01"}]},
        format="json",
    )

    assert_validation_error(response, "lines.0.quantity")
    assert footprint(business) == before


def test_a_multi_line_sell_refused_on_its_last_line_rolls_back_the_first(api, business, world):
    gadget = make_product(business, world.user, name="Gadget")
    before = footprint(business)
    body = sell_body(world)
    body["lines"].append({"variation_id": gadget.variations.get().pk, "quantity": "1"})

    response = api.post(SELLS, body, format="json")

    assert_validation_error(response, "lines.1.quantity")
    assert footprint(business) == before


@pytest.mark.parametrize(
    ("make_payment", "field"),
    [
        (lambda w, sold, draft: (f"{SELLS}/{draft.pk}", {"amount": "1", "method": "cash"}), "transaction"),
        (lambda w, sold, draft: (f"{SELLS}/{sold.pk}", {"amount": "20.01", "method": "cash"}), "amount"),
        (lambda w, sold, draft: (f"{SELLS}/{sold.pk}", {"amount": "5.01", "method": "advance"}), "amount"),
        (
            lambda w, sold, draft: (f"{PURCHASES}/{w.purchase.pk}", {"amount": "60.01", "method": "cheque"}),
            "amount",
        ),
    ],
    ids=["payment on a draft", "overpayment", "advance beyond balance", "purchase overpayment"],
)
def test_bad_payment_leaves_no_trace(api, business, world, make_payment, field):
    sold = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "2", None)]
    )
    draft = make_sell(
        business,
        world.user,
        customer=world.customer,
        location=world.shop,
        lines=[(world.widget, "2", None)],
        status="draft",
    )
    url, payload = make_payment(world, sold, draft)
    before = footprint(business)

    response = api.post(f"{url}/payments", payload, format="json")

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert footprint(business) == before
