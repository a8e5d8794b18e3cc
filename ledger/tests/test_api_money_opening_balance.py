"""`opening_balance` on POST /contacts and PATCH/PUT /contacts/{id} (contacts-api "Add contact", "Update contact"),
read back with GET /contacts/{id}/opening-balance (RULES §3: one opening-balance document per contact, at the
business's first location; a new value is the full opening amount and may not drop below what was paid)."""

from decimal import Decimal

import pytest

from contacts.models import Contact
from contacts.tests.helpers import CONTACTS, assert_validation_error, body
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction
from ledger.tests.builders import (
    make_customer,
    make_opening_balance,
    money_footprint,
    open_shop,
    pay_due,
    reference_year,
)

LEDGER_WINDOW = "start_date=2020-01-01&end_date=2035-12-31"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="10")


def opening_document(contact):
    return Transaction.objects.filter(contact=contact, type="opening_balance").first()


def opening_state(client, contact_id) -> dict:
    response = client.get(f"{CONTACTS}/{contact_id}/opening-balance")
    assert response.status_code == 200
    return body(response)["data"]


def create(client, **fields):
    return client.post(CONTACTS, {"type": "customer", "name": "Opening Olga", **fields}, format="json")


# --- on create ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact_type", "due", "side"),
    [("customer", "25.5", "debit"), ("supplier", "25.5", "credit"), ("both", "25.5", "debit")],
)
def test_create_with_an_opening_balance_makes_its_document(api, business, world, contact_type, due, side):
    response = create(api, type=contact_type, opening_balance="25.50")

    assert response.status_code == 201, response.json()
    assert_matches_schema(response)
    contact = Contact.objects.get(pk=response.json()["data"]["id"])
    document = opening_document(contact)
    assert (document.type, document.status, document.payment_status, document.final_total) == (
        "opening_balance",
        "final",
        "due",
        Decimal("25.5"),
    )
    assert (document.location_id, document.ref_no, document.created_by_id) == (
        world.shop.pk,
        f"{reference_year(business)}/0001",
        api.user.pk,
    )
    state = opening_state(api, contact.pk)
    assert (state["has_opening_balance"], state["transaction"]["id"], state["transaction"]["due"]) == (
        True,
        document.pk,
        Decimal("25.5"),
    )
    # RULES §3 and §5: customers and both owe it to us, we owe it to suppliers; `due` is positive either way
    assert body(api.get(f"{CONTACTS}/{contact.pk}/balance"))["data"]["due"] == Decimal(due)
    opening_row = body(api.get(f"{CONTACTS}/{contact.pk}/ledger?{LEDGER_WINDOW}"))["data"]["lines"][0]
    assert (opening_row["type"], opening_row[side]) == ("Opening Balance", Decimal("25.5"))


@pytest.mark.parametrize("amount", ["0", None])
def test_a_zero_or_null_opening_balance_makes_no_document(api, business, amount):
    response = create(api, opening_balance=amount)

    assert response.status_code == 201
    contact_id = response.json()["data"]["id"]
    assert opening_state(api, contact_id) == {
        "contact_id": contact_id,
        "has_opening_balance": False,
        "transaction": None,
    }
    assert not Transaction.objects.filter(business=business).exists()


@pytest.mark.parametrize("amount", ["-0.01", "-25", "abc", "1.23456"])
def test_an_invalid_opening_balance_on_create_is_422_and_writes_nothing(api, business, world, amount):
    before = money_footprint(business)

    response = create(api, opening_balance=amount)

    assert_validation_error(response, "opening_balance")
    assert_matches_schema(response)
    assert money_footprint(business) == before


# --- on update ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_creates_an_opening_balance_where_there_was_none(api, world, method):
    response = getattr(api, method)(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": "12"}, format="json")

    assert response.status_code == 200, response.json()
    assert_matches_schema(response)
    assert opening_document(world.customer).final_total == Decimal("12")


@pytest.mark.parametrize("method", ["patch", "put"])
def test_the_new_value_is_the_full_opening_amount(api, business, world, method):
    document = make_opening_balance(business, world.customer, "25")
    pay_due(business, world.user, world.customer, "15")

    response = getattr(api, method)(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": "40"}, format="json")

    assert response.status_code == 200
    row = opening_state(api, world.customer.pk)["transaction"]
    assert (row["id"], row["final_total"], row["total_paid"], row["due"], row["payment_status"]) == (
        document.pk,
        Decimal("40"),
        Decimal("15"),
        Decimal("25"),
        "partial",
    )
    assert Transaction.objects.filter(contact=world.customer, type="opening_balance").count() == 1


def test_lowering_it_to_what_was_paid_makes_it_paid(api, business, world):
    make_opening_balance(business, world.customer, "25")
    pay_due(business, world.user, world.customer, "15")

    api.patch(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": "15.00"}, format="json")

    row = opening_state(api, world.customer.pk)["transaction"]
    assert (row["final_total"], row["due"], row["payment_status"]) == (Decimal("15"), Decimal("0"), "paid")


@pytest.mark.parametrize("amount", ["0", None])
def test_zero_or_null_removes_an_unpaid_opening_balance(api, business, world, amount):
    make_opening_balance(business, world.customer, "25")

    response = api.patch(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": amount}, format="json")

    assert response.status_code == 200
    assert opening_state(api, world.customer.pk)["has_opening_balance"] is False
    assert opening_document(world.customer) is None
    assert body(api.get(f"{CONTACTS}/{world.customer.pk}/balance"))["data"]["due"] == 0


def test_an_update_without_opening_balance_leaves_it_alone(api, business, world):
    document = make_opening_balance(business, world.customer, "25")

    response = api.patch(f"{CONTACTS}/{world.customer.pk}", {"city": "Lyon"}, format="json")

    assert response.status_code == 200
    assert opening_document(world.customer).pk == document.pk
    assert opening_document(world.customer).final_total == Decimal("25")


@pytest.mark.parametrize("amount", ["14.99", "0", None])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_below_what_was_paid_is_422_and_nothing_of_the_update_is_written(api, business, world, amount, method):
    make_opening_balance(business, world.customer, "25")
    pay_due(business, world.user, world.customer, "15")
    before = money_footprint(business)

    response = getattr(api, method)(
        f"{CONTACTS}/{world.customer.pk}", {"name": "Renamed", "city": "Lyon", "opening_balance": amount}, format="json"
    )

    data = assert_validation_error(response, "opening_balance")
    assert data["errors"]["opening_balance"] == [
        "The opening balance cannot be less than what was already paid on it (15)."
    ]
    assert_matches_schema(response)
    assert money_footprint(business) == before
    assert Contact.objects.get(pk=world.customer.pk).name == "Carla Customer"


@pytest.mark.parametrize("amount", ["-1", "ten"])
def test_an_invalid_opening_balance_on_update_is_422_and_writes_nothing(api, business, world, amount):
    make_opening_balance(business, world.customer, "25")
    before = money_footprint(business)

    response = api.patch(
        f"{CONTACTS}/{world.customer.pk}", {"name": "Renamed", "opening_balance": amount}, format="json"
    )

    assert_validation_error(response, "opening_balance")
    assert money_footprint(business) == before


def test_each_contact_has_its_own_opening_balance(api, business, world):
    other = make_customer(business)
    make_opening_balance(business, other, "7")

    api.patch(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": "9"}, format="json")
    api.patch(f"{CONTACTS}/{world.customer.pk}", {"opening_balance": "0"}, format="json")

    assert opening_document(other).final_total == Decimal("7")
    assert opening_document(world.customer) is None


@pytest.mark.parametrize("new_type", ["supplier"])
def test_a_type_change_that_would_flip_the_opening_balance_is_422_and_writes_nothing(api, business, world, new_type):
    """A customer's opening balance is what they owed us; as a supplier it would read as what we owed them."""
    make_opening_balance(business, world.customer, "100")
    before = money_footprint(business)

    response = api.patch(f"{CONTACTS}/{world.customer.pk}", {"type": new_type, "city": "Lyon"}, format="json")

    data = assert_validation_error(response, "type")
    assert "opening balance" in data["errors"]["type"][0]
    assert_matches_schema(response)
    assert money_footprint(business) == before
    assert Contact.objects.get(pk=world.customer.pk).type == "customer"


def test_a_type_change_that_keeps_the_side_or_removes_the_opening_balance_first_is_allowed(api, business, world):
    make_opening_balance(business, world.customer, "100")

    assert api.patch(f"{CONTACTS}/{world.customer.pk}", {"type": "both"}, format="json").status_code == 200
    response = api.patch(f"{CONTACTS}/{world.customer.pk}", {"type": "supplier", "opening_balance": 0}, format="json")

    assert response.status_code == 200, response.content[:300]
    assert opening_document(world.customer) is None
    assert Contact.objects.get(pk=world.customer.pk).type == "supplier"
