"""Payments on one document: POST /sells|purchases|transactions/{id}/payments, and GET /payment-methods
(supporting-api "Payments on one document"; RULES §3, §4)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction, TransactionPayment
from ledger.services.purchases import purchase_return_save
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    PAYMENT_ROW,
    download_rows,
    footprint,
    give_advance,
    line_of,
    make_customer,
    make_opening_balance,
    make_sell,
    make_supplier,
    open_shop,
    reference_year,
)

SELLS, PURCHASES, TRANSACTIONS = f"{BASE}/sells", f"{BASE}/purchases", f"{BASE}/transactions"
METHODS = f"{BASE}/payment-methods"


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="10")


@pytest.fixture
def sold(world):
    """A final sell of 2 widgets at 10.00: 20.00 due."""
    return make_sell(
        world.business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "2", None)]
    )


def pay(client, url, amount, method="cash", **fields):
    return client.post(f"{url}/payments", {"amount": amount, "method": method, **fields}, format="json")


def test_a_sell_payment_answers_201_with_the_contact_payment_row(api, business, sold):
    response = pay(api, f"{SELLS}/{sold.pk}", "12.5", paid_on="2026-03-04 09:15:00", note="first half")

    assert response.status_code == 201
    assert_matches_schema(response)
    payload = body(response)
    assert payload["message"] == "Payment added successfully"
    row = payload["data"]
    assert set(row) == {*PAYMENT_ROW, "note"}
    assert (row["amount"], row["method"], row["method_label"], row["is_return"]) == (
        Decimal("12.5"),
        "cash",
        "Cash",
        False,
    )
    assert (row["payment_ref_no"], row["paid_on"], row["note"]) == (
        f"SP{reference_year(business)}/0001",
        "2026-03-04T09:15:00+00:00",
        "first half",
    )
    assert (row["transaction_id"], row["transaction_type"], row["invoice_no"], row["ref_no"]) == (
        sold.pk,
        "sell",
        sold.invoice_no,
        None,
    )
    assert (row["return_parent_id"], row["transaction_no"], row["child_payments"]) == (None, None, [])


def test_payments_recompute_the_payment_status(api, sold):
    assert api.get(f"{SELLS}/{sold.pk}").json()["data"]["payment_status"] == "due"

    pay(api, f"{SELLS}/{sold.pk}", "5")
    partial = body(api.get(f"{SELLS}/{sold.pk}"))["data"]
    pay(api, f"{SELLS}/{sold.pk}", "15")
    paid = body(api.get(f"{SELLS}/{sold.pk}"))["data"]

    assert (partial["payment_status"], partial["total_paid"], partial["total_due"]) == (
        "partial",
        Decimal("5"),
        Decimal("15"),
    )
    assert (paid["payment_status"], paid["total_due"], len(paid["payments"])) == ("paid", Decimal("0"), 2)
    assert Transaction.objects.get(pk=sold.pk).payment_status == "paid"


def test_a_purchase_payment_takes_a_pp_reference(api, business, world):
    response = pay(api, f"{PURCHASES}/{world.purchase.pk}", "59.99", method="bank_transfer", bank_account_number="DE12")

    assert response.status_code == 201
    assert_matches_schema(response)
    row = response.json()["data"]
    assert (row["payment_ref_no"], row["ref_no"], row["transaction_type"], row["bank_account_number"]) == (
        f"PP{reference_year(business)}/0001",
        world.purchase.ref_no,
        "purchase",
        "DE12",
    )
    assert Transaction.objects.get(pk=world.purchase.pk).payment_status == "partial"


def test_payment_refs_count_up_per_kind(api, business, world, sold):
    year = reference_year(business)

    refs = [
        pay(api, f"{SELLS}/{sold.pk}", "1").json()["data"]["payment_ref_no"],
        pay(api, f"{PURCHASES}/{world.purchase.pk}", "1").json()["data"]["payment_ref_no"],
        pay(api, f"{SELLS}/{sold.pk}", "1").json()["data"]["payment_ref_no"],
    ]

    assert refs == [f"SP{year}/0001", f"PP{year}/0001", f"SP{year}/0002"]


def test_custom_methods_carry_their_label_and_reference(api, business, sold):
    business.custom_labels = {"payments": {"custom_pay_2": "Voucher"}}
    business.save(update_fields=["custom_labels"])

    row = pay(api, f"{SELLS}/{sold.pk}", "3", method="custom_pay_2", transaction_no_2="V-77").json()["data"]

    assert (row["method_label"], row["transaction_no"]) == ("Voucher", "V-77")


def test_card_security_is_accepted_and_never_stored(api, sold):
    row = pay(
        api, f"{SELLS}/{sold.pk}", "3", method="card", card_security="Zq9Xk", card_transaction_number="CT1"
    ).json()["data"]

    assert row["card_transaction_number"] == "CT1"
    assert "Zq9Xk" not in str(TransactionPayment.objects.filter(pk=row["id"]).values().get())


# --- refused payments: 422, nothing written ------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "quotation"])
@pytest.mark.parametrize("route", [SELLS, TRANSACTIONS])
def test_drafts_and_quotations_take_no_payments(api, business, world, status, route):
    draft = make_sell(
        business,
        world.user,
        customer=world.customer,
        location=world.shop,
        lines=[(world.widget, "1", None)],
        status=status,
    )
    before = footprint(business)

    response = pay(api, f"{route}/{draft.pk}", "1")

    data = assert_validation_error(response, "transaction")
    assert status in data["errors"]["transaction"][0]
    assert_matches_schema(response)
    assert footprint(business) == before


@pytest.mark.parametrize("method", ["cash", "card", "advance"])
def test_an_amount_above_the_due_is_refused_for_every_method(api, business, world, sold, method):
    give_advance(business, world.customer, "100")
    pay(api, f"{SELLS}/{sold.pk}", "15")
    before = footprint(business)

    response = pay(api, f"{SELLS}/{sold.pk}", "5.01", method=method)

    data = assert_validation_error(response, "amount")
    assert data["errors"]["amount"] == ["The amount 5.01 exceeds the amount due (5)."]
    assert footprint(business) == before
    assert pay(api, f"{SELLS}/{sold.pk}", "5", method=method).status_code == 201


def test_a_paid_document_takes_no_more(api, business, sold):
    pay(api, f"{SELLS}/{sold.pk}", "20")
    before = footprint(business)

    assert_validation_error(pay(api, f"{SELLS}/{sold.pk}", "0.01"), "amount")
    assert footprint(business) == before


def test_advance_draws_on_the_contacts_advance_balance(api, world, sold):
    give_advance(world.customer.business, world.customer, "8.00")

    response = pay(api, f"{SELLS}/{sold.pk}", "7.5", method="advance")

    assert response.status_code == 201
    assert response.json()["data"]["method_label"] == "Advance"
    assert Contact.objects.get(pk=world.customer.pk).balance == Decimal("0.5")


def test_advance_beyond_the_balance_is_422_and_writes_nothing(api, business, world, sold):
    give_advance(business, world.customer, "7.00")
    before = footprint(business)

    response = pay(api, f"{SELLS}/{sold.pk}", "7.01", method="advance")

    data = assert_validation_error(response, "amount")
    assert "advance balance" in data["errors"]["amount"][0]
    assert_matches_schema(response)
    assert footprint(business) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "0", "method": "cash"}, "amount"),
        ({"amount": "-5", "method": "cash"}, "amount"),
        ({"amount": "abc", "method": "cash"}, "amount"),
        ({"method": "cash"}, "amount"),
        ({"amount": "1", "method": "bitcoin"}, "method"),
        ({"amount": "1"}, "method"),
        ({"amount": "1", "method": "cash", "paid_on": "yesterday"}, "paid_on"),
        ({"amount": "1", "method": "cash", "is_return": True}, "is_return"),
    ],
)
def test_malformed_payments_are_422(api, business, sold, payload, field):
    before = footprint(business)

    response = api.post(f"{SELLS}/{sold.pk}/payments", payload, format="json")

    assert_validation_error(response, field)
    assert footprint(business) == before


# --- POST /transactions/{id}/payments: any payable document ---------------------------------------------


def test_transactions_route_pays_every_payable_type(api, business, world, sold):
    year = reference_year(business)
    sell_ret = sell_return_save(
        business=business,
        user=world.user,
        sell=sold,
        data={"lines": [{"sell_line_id": line_of(sold).pk, "quantity": Decimal("1")}]},
    )
    purchase_ret = purchase_return_save(
        business=business,
        user=world.user,
        purchase=world.purchase,
        data={"lines": [{"purchase_line_id": line_of(world.purchase).pk, "quantity": Decimal("1")}]},
    )
    customer_ob = make_opening_balance(business, make_customer(business), "30")
    supplier_ob = make_opening_balance(business, make_supplier(business), "30")
    both_ob = make_opening_balance(business, make_customer(business, type="both"), "30")

    refs = {}
    for document in (sold, world.purchase, sell_ret, purchase_ret, customer_ob, supplier_ob, both_ob):
        response = pay(api, f"{TRANSACTIONS}/{document.pk}", "1")
        assert response.status_code == 201, (document.type, response.json())
        assert_matches_schema(response)
        row = response.json()["data"]
        assert (row["transaction_id"], row["transaction_type"]) == (document.pk, document.type)
        refs[document.pk] = row["payment_ref_no"][:2]

    assert [refs[d.pk] for d in (sold, world.purchase, sell_ret, purchase_ret)] == ["SP", "PP", "SP", "PP"]
    assert [refs[d.pk] for d in (customer_ob, supplier_ob, both_ob)] == ["SP", "PP", "SP"]
    assert TransactionPayment.objects.get(transaction=sell_ret).payment_ref_no == f"SP{year}/0002"
    assert Transaction.objects.get(pk=customer_ob.pk).payment_status == "partial"


def test_a_return_payment_names_its_parent(api, business, world, sold):
    ret = sell_return_save(
        business=business,
        user=world.user,
        sell=sold,
        data={"lines": [{"sell_line_id": line_of(sold).pk, "quantity": Decimal("2")}]},
    )

    row = pay(api, f"{TRANSACTIONS}/{ret.pk}", "20").json()["data"]

    assert (row["return_parent_id"], row["invoice_no"]) == (sold.pk, ret.invoice_no)
    assert Transaction.objects.get(pk=ret.pk).payment_status == "paid"
    assert_validation_error(pay(api, f"{TRANSACTIONS}/{ret.pk}", "0.01"), "amount")


def test_a_ledger_discount_or_unknown_id_is_404(api, business, world):
    discount = Transaction.objects.create(
        business=business,
        type="ledger_discount",
        status="final",
        sub_type="sell_discount",
        contact=world.customer,
        transaction_date=world.purchase.transaction_date,
        due_date=world.purchase.transaction_date,
        final_total=Decimal("5"),
    )

    for pk in (discount.pk, 99999999):
        assert_not_found(api, "post", f"{TRANSACTIONS}/{pk}/payments", {"amount": "1", "method": "cash"})
    assert_matches_schema(pay(api, f"{TRANSACTIONS}/99999999", "1"))


def test_a_purchase_through_the_sells_route_is_404(api, world, sold):
    assert_not_found(api, "post", f"{SELLS}/{world.purchase.pk}/payments", {"amount": "1", "method": "cash"})
    assert_not_found(api, "post", f"{PURCHASES}/{sold.pk}/payments", {"amount": "1", "method": "cash"})


@pytest.mark.parametrize(
    ("contact_type", "allowed", "denied"),
    [
        ("customer", [("sell.payments", "customer.view")], [("purchase.payments", "customer.view")]),
        ("supplier", [("purchase.payments", "supplier.view")], [("sell.payments", "supplier.view")]),
        (
            "both",
            [("sell.payments", "customer.view"), ("purchase.payments", "supplier.view")],
            [("customer.view", "supplier.view")],
        ),
    ],
)
def test_opening_balances_take_either_payment_permission_by_contact_type(
    actors, business, contact_type, allowed, denied
):
    contact = make_customer(business, type=contact_type)

    check_permissions(
        actors,
        "post",
        lambda user: f"{TRANSACTIONS}/{make_opening_balance(business, contact, '10').pk}/payments",
        data={"amount": "1", "method": "cash"},
        allowed=allowed,
        denied=denied,
        ok=201,
    )


# --- GET /payment-methods -----------------------------------------------------------------------------


EXPECTED_KEYS = [
    "cash",
    "card",
    "cheque",
    "bank_transfer",
    "other",
    *(f"custom_pay_{i}" for i in range(1, 8)),
    "advance",
]


def test_payment_methods_for_any_authenticated_user(actors, business):
    business.custom_labels = {"payments": {"custom_pay_1": "Gift card"}}
    business.save(update_fields=["custom_labels"])

    response = actors.client().get(METHODS)

    assert response.status_code == 200
    assert_matches_schema(response)
    data = response.json()["data"]
    assert [m["key"] for m in data] == EXPECTED_KEYS
    labels = {m["key"]: m["label"] for m in data}
    assert (labels["cash"], labels["custom_pay_1"], labels["custom_pay_2"], labels["advance"]) == (
        "Cash",
        "Gift card",
        "Custom payment 2",
        "Advance",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_payment_methods_download(api, business, fmt):
    response = api.get(f"{METHODS}?format={fmt}")

    assert response.status_code == 200
    assert f'filename="payment-methods-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == ["key", "label"]
    assert [r["key"] for r in rows] == EXPECTED_KEYS


def test_payment_methods_need_credentials_and_a_valid_format(api, db):
    response = APIClient().get(METHODS)

    assert response.status_code == 401
    assert_matches_schema(response)
    assert_validation_error(api.get(f"{METHODS}?format=pdf"), "format")
    assert_matches_schema(api.get(f"{METHODS}?format=pdf"))
