"""Payments with an account_id (RULES §4, §9): POST /sells (embedded payments), /sells|purchases/{id}/payments,
/transactions/{id}/payments and /contacts/{id}/payments (pay due) each write exactly one account movement of the
right type — the payment's payment_type when set; otherwise credit for sells and purchase returns, debit for
purchases and sell returns — never for allocations (children) or advance-method payments; an account the user
cannot see, a closed one, another business's, or the account module switched off is 422 with nothing written;
DELETE /payments/{id} takes the movement away."""

from decimal import Decimal

import pytest

from accounts.models import AccountTransaction
from accounts.tests.builders import (
    account_url,
    assert_invalid,
    balance_of,
    books_footprint,
    make_account,
    open_books,
)
from contacts.tests.helpers import body
from core.services.business import business_settings_update
from core.tests.matrix import BASE
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction, TransactionPayment
from ledger.services.payments import document_money_side
from ledger.services.purchases import purchase_return_save
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    give_advance,
    line_of,
    make_customer,
    make_opening_balance,
    make_sell,
    make_supplier,
)


@pytest.fixture
def books(business, admin_user):
    books = open_books(business, admin_user)
    books.sell = make_sell(
        business, admin_user, customer=books.customer, location=books.shop, lines=[(books.widget, "3", None)]
    )  # 30.00 due
    return books


def post(client, url, payload):
    return client.post(f"{BASE}{url}", payload, format="json")


def added(client, url, payload) -> dict:
    response = post(client, url, payload)
    assert response.status_code == 201, response.content[:500]
    assert_matches_schema(response)
    return body(response)


def movement_of(payment_id) -> AccountTransaction:
    payment = TransactionPayment.objects.get(pk=payment_id)
    movement = AccountTransaction.objects.get(transaction_payment_id=payment_id)
    assert payment.account_transaction_id == movement.pk
    return movement


def sell_body(books, payments) -> dict:
    return {
        "contact_id": books.customer.pk,
        "location_id": books.shop.pk,
        "lines": [{"variation_id": books.variation.pk, "quantity": "2"}],
        "payments": payments,
    }


# --- one movement per payment ---------------------------------------------------------------------------------


def test_a_new_sells_payments_each_write_one_credit(api, business, books):
    before = AccountTransaction.objects.count()

    sell = added(
        api,
        "/sells",
        sell_body(
            books,
            [
                {"amount": "5", "method": "cash", "account_id": books.till.pk, "paid_on": "2026-03-04 09:00:00"},
                {"amount": "7.5", "method": "card", "account_id": books.bank.pk, "note": "Visa"},
                {"amount": "1", "method": "cash"},
            ],
        ),
    )["data"]

    payments = TransactionPayment.objects.filter(transaction_id=sell["id"]).order_by("id")
    assert AccountTransaction.objects.count() == before + 2
    cash, card, plain = payments
    till_line, bank_line = movement_of(cash.pk), movement_of(card.pk)
    assert (till_line.account_id, till_line.type, till_line.sub_type, till_line.amount) == (
        books.till.pk,
        "credit",
        None,
        Decimal("5"),
    )
    assert (till_line.transaction_id, till_line.payment_ref_no, till_line.payment_method) == (
        sell["id"],
        cash.payment_ref_no,
        "cash",
    )
    assert till_line.operation_date == cash.paid_on
    assert (bank_line.account_id, bank_line.type, bank_line.amount, bank_line.note) == (
        books.bank.pk,
        "credit",
        Decimal("7.5"),
        "Visa",
    )
    assert plain.account_transaction_id is None
    assert (balance_of(books.till), balance_of(books.bank)) == (Decimal("55"), Decimal("1007.5"))


@pytest.mark.parametrize("route", ["sells", "transactions"])
def test_a_sell_payment_is_a_credit(api, books, route):
    payment = added(
        api, f"/{route}/{books.sell.pk}/payments", {"amount": "12", "method": "cash", "account_id": books.till.pk}
    )["data"]

    line = movement_of(payment["id"])
    assert (line.account_id, line.type, line.amount, line.transaction_id, line.transaction_payment_id) == (
        books.till.pk,
        "credit",
        Decimal("12"),
        books.sell.pk,
        payment["id"],
    )
    assert AccountTransaction.objects.filter(transaction_payment_id__isnull=False).count() == 1


@pytest.mark.parametrize("route", ["purchases", "transactions"])
def test_a_purchase_payment_is_a_debit(api, books, route):
    payment = added(
        api,
        f"/{route}/{books.purchase.pk}/payments",
        {"amount": "20", "method": "bank_transfer", "account_id": books.bank.pk},
    )["data"]

    line = movement_of(payment["id"])
    assert (line.account_id, line.type, line.amount, line.payment_method) == (
        books.bank.pk,
        "debit",
        Decimal("20"),
        "bank_transfer",
    )
    assert balance_of(books.bank) == Decimal("980")


def test_return_and_opening_balance_payments_move_money_their_way(api, business, books):
    sell_return = sell_return_save(
        business=business,
        user=books.user,
        sell=books.sell,
        data={"lines": [{"sell_line_id": line_of(books.sell).pk, "quantity": Decimal("1")}]},
    )
    purchase_return = purchase_return_save(
        business=business,
        user=books.user,
        purchase=books.purchase,
        data={"lines": [{"purchase_line_id": line_of(books.purchase).pk, "quantity": Decimal("1")}]},
    )
    customer_opening = make_opening_balance(business, make_customer(business), "30")
    supplier_opening = make_opening_balance(business, make_supplier(business), "30")

    sides = {}
    for name, document in (
        ("sell_return", sell_return),
        ("purchase_return", purchase_return),
        ("customer opening", customer_opening),
        ("supplier opening", supplier_opening),
    ):
        payment = added(
            api, f"/transactions/{document.pk}/payments", {"amount": "4", "method": "cash", "account_id": books.till.pk}
        )["data"]
        sides[name] = movement_of(payment["id"]).type

    assert sides == {
        "sell_return": "debit",
        "purchase_return": "credit",
        "customer opening": "credit",
        "supplier opening": "debit",
    }


@pytest.mark.parametrize(
    ("who", "extra", "side"),
    [
        ("customer", {}, "credit"),
        ("supplier", {}, "debit"),
        ("customer", {"is_reverse": True}, "debit"),  # the payment_type flips, and it decides
        ("supplier", {"is_reverse": True}, "credit"),
        ("customer", {"due_payment_type": "sell_return"}, "debit"),
    ],
)
def test_a_pay_due_writes_one_movement_for_the_parent_only(api, books, who, extra, side):
    contact = getattr(books, who)

    result = added(
        api,
        f"/contacts/{contact.pk}/payments",
        {"amount": "50", "method": "cash", "account_id": books.bank.pk, **extra},
    )["data"]

    parent = TransactionPayment.objects.get(pk=result["id"])
    line = movement_of(parent.pk)
    assert (line.type, line.amount, line.transaction_id, line.payment_ref_no) == (
        side,
        Decimal("50"),
        None,
        parent.payment_ref_no,
    )
    assert line.type == parent.payment_type == result["payment_type"]
    assert AccountTransaction.objects.filter(transaction_payment_id__isnull=False).count() == 1
    assert not TransactionPayment.objects.filter(parent=parent, account_transaction__isnull=False).exists()


def test_a_change_return_is_a_debit_unless_its_payment_type_says_otherwise():
    """No API route records a change return (is_return) yet: the rule that posts one is checked directly."""
    sell = Transaction(type="sell")

    assert document_money_side(sell, TransactionPayment(is_return=True)) == "debit"
    assert document_money_side(sell, TransactionPayment(is_return=False)) == "credit"
    assert document_money_side(sell, TransactionPayment(is_return=True, payment_type="credit")) == "credit"
    assert document_money_side(Transaction(type="purchase"), TransactionPayment(payment_type="credit")) == "credit"


def test_a_pay_due_allocations_never_write_movements(api, books):
    result = added(
        api, f"/contacts/{books.customer.pk}/payments", {"amount": "50", "method": "cash", "account_id": books.till.pk}
    )["data"]

    children = TransactionPayment.objects.filter(parent_id=result["id"])
    assert children.count() == 1 and children.get().amount == Decimal("30")
    assert list(AccountTransaction.objects.filter(account=books.till).values_list("type", "amount")) == [
        ("credit", Decimal("50")),
        ("credit", Decimal("50")),
    ]  # the opening balance and the pay due
    assert children.get().account_id is None and children.get().account_transaction_id is None


def test_an_advance_method_payment_never_writes_a_movement(api, business, books):
    give_advance(business, books.customer, "10")
    before = AccountTransaction.objects.count()

    payment = added(
        api, f"/sells/{books.sell.pk}/payments", {"amount": "10", "method": "advance", "account_id": books.till.pk}
    )["data"]

    assert AccountTransaction.objects.count() == before
    assert TransactionPayment.objects.get(pk=payment["id"]).account_transaction_id is None


def test_a_payment_without_an_account_writes_no_movement(api, books):
    before = AccountTransaction.objects.count()

    added(api, f"/sells/{books.sell.pk}/payments", {"amount": "3", "method": "cash"})
    added(api, f"/contacts/{books.customer.pk}/payments", {"amount": "3", "method": "cash", "account_id": None})

    assert AccountTransaction.objects.count() == before


# --- refused accounts: 422, nothing written -----------------------------------------------------------------------

ROUTES = ["sell create", "sell payment", "transaction payment", "purchase payment", "pay due"]


def attempt(client, books, route, account_id):
    payment = {"amount": "2", "method": "cash", "account_id": account_id}
    if route == "sell create":
        return post(client, "/sells", sell_body(books, [payment])), "payments.0.account_id"
    url = {
        "sell payment": f"/sells/{books.sell.pk}/payments",
        "transaction payment": f"/transactions/{books.sell.pk}/payments",
        "purchase payment": f"/purchases/{books.purchase.pk}/payments",
        "pay due": f"/contacts/{books.customer.pk}/payments",
    }[route]
    return post(client, url, payment), "account_id"


def refused(response, field, business, before):
    assert_invalid(response, field)
    assert_matches_schema(response)
    assert books_footprint(business) == before


@pytest.mark.parametrize("route", ROUTES)
def test_an_account_the_user_cannot_see_is_422(actors, business, books, route):
    clerk = actors.client(
        "sell.create",
        "sell.view",
        "sell.payments",
        "purchase.view",
        "purchase.payments",
        "customer.view",
        locations=[books.shop],
    )
    before = books_footprint(business)

    response, field = attempt(clerk, books, route, books.safe.pk)  # enabled at the depot only

    refused(response, field, business, before)
    assert attempt(clerk, books, route, books.till.pk)[0].status_code == 201  # enabled at the shop


@pytest.mark.parametrize("route", ROUTES)
def test_a_closed_account_is_422(api, business, books, route):
    api.post(account_url(books.till, "close"))
    before = books_footprint(business)

    response, field = attempt(api, books, route, books.till.pk)

    refused(response, field, business, before)
    assert "closed" in response.json()["message"]


@pytest.mark.parametrize("route", ROUTES)
def test_another_business_account_or_an_unknown_id_is_422(api, business, other_business, books, route):
    theirs = make_account(other_business, None, "Their Bank", "THR-1")
    before = books_footprint(business)

    for account_id in (theirs.pk, theirs.pk + 1000, "abc"):
        response, field = attempt(api, books, route, account_id)
        refused(response, field, business, before)


@pytest.mark.parametrize("route", ROUTES)
def test_an_account_id_without_the_account_module_is_422(api, business, books, route):
    business_settings_update(business=business, disable_modules=["account"])
    before = books_footprint(business)

    response, field = attempt(api, books, route, books.till.pk)

    refused(response, field, business, before)
    assert attempt(api, books, route, None)[0].status_code == 201  # without an account, payments still work


# --- deleting the payment takes its movement away -----------------------------------------------------------------


def test_deleting_a_single_document_payment_removes_its_movement(api, books):
    payment = added(
        api, f"/sells/{books.sell.pk}/payments", {"amount": "12", "method": "cash", "account_id": books.till.pk}
    )["data"]
    kept = added(
        api, f"/sells/{books.sell.pk}/payments", {"amount": "3", "method": "cash", "account_id": books.till.pk}
    )["data"]
    movement = movement_of(payment["id"])

    response = api.delete(f"{BASE}/payments/{payment['id']}")

    assert response.status_code == 200, response.content[:300]
    assert not AccountTransaction.objects.filter(pk=movement.pk).exists()
    assert movement_of(kept["id"]).amount == Decimal("3")
    assert balance_of(books.till) == Decimal("53")


def test_deleting_a_pay_due_removes_its_one_movement(api, books):
    result = added(
        api, f"/contacts/{books.supplier.pk}/payments", {"amount": "70", "method": "cash", "account_id": books.bank.pk}
    )["data"]
    assert balance_of(books.bank) == Decimal("930")

    response = api.delete(f"{BASE}/payments/{result['id']}")

    assert response.status_code == 200, response.content[:300]
    assert not AccountTransaction.objects.filter(transaction_payment_id=result["id"]).exists()
    assert balance_of(books.bank) == Decimal("1000")
    ledger = body(api.get(account_url(books.bank, "transactions")))["data"]["lines"]
    assert [line["sub_type"] for line in ledger] == ["opening_balance"]


def test_deleting_an_allocation_leaves_its_parents_movement(api, books):
    result = added(
        api, f"/contacts/{books.customer.pk}/payments", {"amount": "50", "method": "cash", "account_id": books.till.pk}
    )["data"]
    child = TransactionPayment.objects.get(parent_id=result["id"])

    response = api.delete(f"{BASE}/payments/{child.pk}")

    assert response.status_code == 200, response.content[:300]
    assert movement_of(result["id"]).amount == Decimal("50")
    assert balance_of(books.till) == Decimal("100")
