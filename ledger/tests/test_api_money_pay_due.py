"""POST /contacts/{id}/payments (contacts-api "Pay contact due"; RULES §4): a parent row, allocated oldest first to
the contact's open documents of the due type and the opening balance, the rest held as advance; the permission
follows the due type; refusals write nothing."""

from decimal import Decimal

import pytest

from contacts.models import Contact
from contacts.tests.helpers import assert_validation_error, body
from core.tests.matrix import BASE, assert_not_found, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction, TransactionPayment
from ledger.services.purchases import purchase_return_save
from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    PAY_DUE_RESULT,
    backdate,
    line_of,
    make_customer,
    make_opening_balance,
    make_purchase,
    make_sell,
    make_supplier,
    moment,
    money_footprint,
    open_shop,
    reference_year,
)


@pytest.fixture
def world(business, admin_user):
    return open_shop(business, admin_user, stock="100")


def pay(client, contact, amount="10", method="cash", **fields):
    return client.post(
        f"{BASE}/contacts/{contact.pk}/payments", {"amount": amount, "method": method, **fields}, format="json"
    )


def paid(response) -> TransactionPayment:
    assert response.status_code == 201, response.json()
    assert_matches_schema(response)
    return TransactionPayment.objects.get(pk=response.json()["data"]["id"])


def status_of(document) -> str:
    return Transaction.objects.get(pk=document.pk).payment_status


def advance_of(contact) -> Decimal:
    return Contact.objects.get(pk=contact.pk).balance


@pytest.fixture
def dues(world):
    """Carla owes an opening balance of 40.00 (5 Jan), a sell of 10.00 dated 25 Jan but entered first, and two sells
    of 30.00 and 20.00 on 20 Jan (in that order): 100.00. A draft sell of 90.00 does not count."""
    b, u, carla = world.business, world.user, world.customer

    def sell(quantity, when, **fields):
        return make_sell(
            b,
            u,
            customer=carla,
            location=world.shop,
            lines=[(world.widget, quantity, None)],
            transaction_date=when,
            **fields,
        )

    world.ob = backdate(make_opening_balance(b, carla, "40"), moment(2026, 1, 5))
    world.late = sell("1", moment(2026, 1, 25))
    world.s1 = sell("3", moment(2026, 1, 20))
    world.s2 = sell("2", moment(2026, 1, 20))
    world.draft = sell("9", moment(2026, 1, 2), status="draft")
    return world


def test_pay_due_answers_201_with_the_compact_summary(api, business, dues):
    response = pay(api, dues.customer, "12.5", paid_on="2026-03-04 09:15:00")

    parent = paid(response)
    assert set(response.json()) == {"message", "data"}
    assert response.json()["message"] == "Payment added successfully"
    data = body(response)["data"]
    assert list(data) == PAY_DUE_RESULT
    assert data == {
        "id": parent.pk,
        "contact_id": dues.customer.pk,
        "payment_ref_no": f"SP{reference_year(business)}/0001",
        "amount": Decimal("12.5"),
        "method": "cash",
        "paid_on": "2026-03-04T09:15:00+00:00",
        "is_advance": True,
        "payment_type": "credit",
    }
    assert (parent.transaction_id, parent.parent_id, parent.payment_for_id) == (None, None, dues.customer.pk)


def test_the_payment_goes_to_the_oldest_documents_first(api, business, dues):
    parent = paid(pay(api, dues.customer, "80", method="bank_transfer", bank_account_number="DE44"))

    children = list(parent.children.order_by("id"))
    assert [(c.transaction_id, c.amount) for c in children] == [
        (dues.ob.pk, Decimal("40")),
        (dues.s1.pk, Decimal("30")),
        (dues.s2.pk, Decimal("10")),
    ]
    year = reference_year(business)
    assert [c.payment_ref_no for c in children] == [f"SP{year}/000{n}" for n in (2, 3, 4)]
    assert {(c.method, c.paid_on, c.payment_type, c.payment_for_id) for c in children} == {
        ("bank_transfer", parent.paid_on, "credit", dues.customer.pk)
    }
    assert [status_of(d) for d in (dues.ob, dues.s1, dues.s2, dues.late, dues.draft)] == [
        "paid",
        "paid",
        "partial",
        "due",
        "due",
    ]
    assert advance_of(dues.customer) == Decimal("0")
    listed = body(api.get(f"{BASE}/contacts/{dues.customer.pk}/payments"))["data"]["payments"]
    assert [child["id"] for child in listed[0]["child_payments"]] == [c.pk for c in children]


def test_what_remains_is_held_as_advance(api, dues):
    paid(pay(api, dues.customer, "110"))

    assert advance_of(dues.customer) == Decimal("10")
    balance = body(api.get(f"{BASE}/contacts/{dues.customer.pk}/balance"))["data"]
    assert (balance["due"], balance["advance_balance"], balance["sell_due"]) == (
        Decimal("-10"),
        Decimal("10"),
        Decimal("0"),
    )


def test_with_nothing_due_it_is_all_advance(api, world):
    parent = paid(pay(api, world.customer, "25"))

    assert (parent.children.count(), parent.is_advance, advance_of(world.customer)) == (0, True, Decimal("25"))


@pytest.mark.parametrize(
    ("contact_type", "due_type", "payment_type", "prefix"),
    [
        ("supplier", None, "debit", "PP"),
        ("supplier", "purchase_return", "credit", "PP"),
        ("customer", None, "credit", "SP"),
        ("customer", "sell_return", "debit", "SP"),
        ("both", None, "credit", "SP"),
        ("both", "purchase", "debit", "PP"),
    ],
)
def test_the_due_type_sets_side_and_reference(api, business, contact_type, due_type, payment_type, prefix):
    contact = make_customer(business, type=contact_type)
    fields = {"due_payment_type": due_type} if due_type else {}

    data = body(pay(api, contact, "5", **fields))["data"]

    assert (data["payment_type"], data["payment_ref_no"]) == (payment_type, f"{prefix}{reference_year(business)}/0001")
    expected = due_type or ("purchase" if contact_type == "supplier" else "sell")
    assert TransactionPayment.objects.get(pk=data["id"]).due_payment_type == expected


def test_a_supplier_payment_pays_their_purchases_and_opening_balance(api, business, world):
    ob = backdate(make_opening_balance(business, world.supplier, "25"), moment(2026, 1, 1))

    parent = paid(pay(api, world.supplier, "100"))

    assert [(c.transaction_id, c.amount) for c in parent.children.order_by("id")] == [
        (ob.pk, Decimal("25")),
        (world.purchase.pk, Decimal("75")),
    ]
    assert (status_of(ob), status_of(world.purchase)) == ("paid", "partial")


def test_purchase_return_dues_pay_only_purchase_returns(api, business, world):
    make_opening_balance(business, world.supplier, "25")
    ret = purchase_return_save(
        business=business,
        user=world.user,
        purchase=world.purchase,
        data={"lines": [{"purchase_line_id": line_of(world.purchase).pk, "quantity": Decimal("2")}]},
    )

    parent = paid(pay(api, world.supplier, "20", due_payment_type="purchase_return"))

    assert [(c.transaction_id, c.amount) for c in parent.children.all()] == [(ret.pk, Decimal("12"))]
    assert (status_of(ret), advance_of(world.supplier)) == ("paid", Decimal("8"))


def test_sell_return_dues_pay_the_customers_returns(api, business, world):
    sold = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "3", None)]
    )
    ret = sell_return_save(
        business=business,
        user=world.user,
        sell=sold,
        data={"lines": [{"sell_line_id": line_of(sold).pk, "quantity": Decimal("1")}]},
    )

    parent = paid(pay(api, world.customer, "10", due_payment_type="sell_return"))

    assert [(c.transaction_id, c.amount, c.payment_type) for c in parent.children.all()] == [
        (ret.pk, Decimal("10"), "debit")
    ]
    assert (status_of(ret), status_of(sold)) == ("paid", "due")


@pytest.mark.parametrize("contact_type", ["customer", "both"])
def test_money_going_out_never_pays_a_receivable_opening_balance(api, business, world, contact_type):
    """A sell-return refund to a customer, or a purchase payment to a customer-and-supplier, goes the other way
    from the opening balance they owe us: it pays their document, never that opening balance."""
    contact = make_customer(business, type=contact_type)
    ob = backdate(make_opening_balance(business, contact, "40"), moment(2026, 1, 1))
    if contact_type == "customer":
        sold = make_sell(business, world.user, customer=contact, location=world.shop, lines=[(world.widget, "2", None)])
        document = sell_return_save(
            business=business,
            user=world.user,
            sell=sold,
            data={"lines": [{"sell_line_id": line_of(sold).pk, "quantity": Decimal("1")}]},
        )
        due_type = "sell_return"
    else:
        document = make_purchase(
            business, world.user, supplier=contact, location=world.shop, lines=[(world.widget, "1", "10.00")]
        )
        due_type = "purchase"

    parent = paid(pay(api, contact, "25", due_payment_type=due_type))

    assert [(c.transaction_id, c.amount) for c in parent.children.all()] == [(document.pk, Decimal("10"))]
    assert (status_of(ob), status_of(document)) == ("due", "paid")


def test_a_reverse_payment_stands_alone_the_other_way(api, dues):
    before = [status_of(d) for d in (dues.ob, dues.s1)]

    response = pay(api, dues.customer, "7", is_reverse=True)

    parent = paid(response)
    data = response.json()["data"]
    assert (data["is_advance"], data["payment_type"]) == (False, "debit")
    assert (parent.is_reverse, parent.children.count(), advance_of(dues.customer)) == (True, 0, Decimal("0"))
    assert [status_of(d) for d in (dues.ob, dues.s1)] == before


@pytest.mark.parametrize(
    ("paid_on", "shown"),
    [("2026-03-04", "2026-03-04T00:00:00+05:30"), ("2026-03-04 23:30:00", "2026-03-04T23:30:00+05:30")],
)
def test_paid_on_is_read_in_the_business_time_zone(api, business, world, paid_on, shown):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])

    assert body(pay(api, world.customer, paid_on=paid_on))["data"]["paid_on"] == shown


def test_method_details_are_stored_and_card_security_is_not(api, business, world):
    business.custom_labels = {"payments": {"custom_pay_3": "Voucher"}}
    business.save(update_fields=["custom_labels"])
    fields = {
        "note": "at the counter",
        "card_number": "4111 1111 1111 1234",
        "card_holder_name": "C. Customer",
        "card_type": "visa",
        "card_month": "12",
        "card_year": "2030",
        "card_security": "Zq9Xk",
        "transaction_no_3": "V-1",
    }

    parent = paid(pay(api, world.customer, "3", method="custom_pay_3", **fields))

    row = TransactionPayment.objects.filter(pk=parent.pk).values().get()
    kept = {k: v for k, v in fields.items() if k not in ("card_security", "card_number")}
    assert {k: row[k] for k in kept} == kept
    # Only the last four digits of a card are kept (PCI DSS), the security code never
    assert row["card_last4"] == "1234"
    assert "Zq9Xk" not in str(row)
    assert "4111" not in str(row)
    listed = body(api.get(f"{BASE}/contacts/{world.customer.pk}/payments"))["data"]["payments"][0]
    assert (listed["method_label"], listed["transaction_no"]) == ("Voucher", "V-1")
    assert "4111" not in str(listed)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "10", "method": "advance"}, "method"),
        ({"amount": "10", "method": "bitcoin"}, "method"),
        ({"amount": "10"}, "method"),
        ({"amount": "0", "method": "cash"}, "amount"),
        ({"amount": "-5", "method": "cash"}, "amount"),
        ({"amount": "ten", "method": "cash"}, "amount"),
        ({"amount": "1.00001", "method": "cash"}, "amount"),
        ({"method": "cash"}, "amount"),
        ({"amount": "10", "method": "cash", "due_payment_type": "opening_balance"}, "due_payment_type"),
        ({"amount": "10", "method": "cash", "due_payment_type": "bogus"}, "due_payment_type"),
        ({"amount": "10", "method": "cash", "paid_on": "yesterday"}, "paid_on"),
        ({"amount": "10", "method": "cash", "is_reverse": "perhaps"}, "is_reverse"),
        ({"amount": "10", "method": "cash", "parent_id": 1}, "parent_id"),
    ],
)
def test_refused_payments_are_422_and_write_nothing(api, business, dues, payload, field):
    before = money_footprint(business)

    response = api.post(f"{BASE}/contacts/{dues.customer.pk}/payments", payload, format="json")

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_an_unknown_contact_is_404_and_writes_nothing(api, business, world):
    before = money_footprint(business)

    assert_not_found(api, "post", f"{BASE}/contacts/99999999/payments", {"amount": "1", "method": "cash"})
    assert_matches_schema(pay(api, Contact(pk=99999999)))
    assert money_footprint(business) == before


# --- the permission follows the due type (RULES §4.1) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("contact_type", "due_type", "allowed", "denied"),
    [
        ("customer", None, [("sell.payments", "customer.view")], [("purchase.payments", "customer.view")]),
        ("customer", "sell_return", [("sell.payments", "customer.view")], [("purchase.payments", "customer.view")]),
        ("customer", "purchase", [("purchase.payments", "customer.view")], [("sell.payments", "customer.view")]),
        ("supplier", None, [("purchase.payments", "supplier.view")], [("sell.payments", "supplier.view")]),
        (
            "supplier",
            "purchase_return",
            [("purchase.payments", "supplier.view")],
            [("sell.payments", "supplier.view")],
        ),
        ("supplier", "sell", [("sell.payments", "supplier.view")], [("purchase.payments", "supplier.view")]),
        ("both", None, [("sell.payments", "customer.view")], [("purchase.payments", "supplier.view")]),
        ("both", "purchase", [("purchase.payments", "supplier.view")], [("sell.payments", "customer.view")]),
    ],
)
def test_the_permission_follows_the_due_type(actors, business, contact_type, due_type, allowed, denied):
    contact = make_customer(business, type=contact_type)
    data = {"amount": "1", "method": "cash", **({"due_payment_type": due_type} if due_type else {})}
    before = money_footprint(business)

    check_permissions(
        actors,
        "post",
        f"{BASE}/contacts/{contact.pk}/payments",
        data=data,
        allowed=[],
        denied=[(), ("customer.view", "supplier.view"), *denied],
    )
    assert money_footprint(business) == before
    check_permissions(
        actors, "post", f"{BASE}/contacts/{contact.pk}/payments", data=data, allowed=allowed, denied=[], ok=201
    )


def test_a_payment_permission_without_seeing_the_contact_is_403(actors, business, world):
    response = pay(actors.client("sell.payments", "purchase.payments"), world.customer)

    assert response.status_code == 403
    assert response.json() == {"message": "Unauthorized"}
    assert_matches_schema(response)


def test_other_documents_of_the_business_are_untouched(api, business, dues):
    other = make_customer(business)
    theirs = make_sell(business, dues.user, customer=other, location=dues.shop, lines=[(dues.widget, "1", None)])
    make_purchase(
        business, dues.user, supplier=make_supplier(business), location=dues.shop, lines=[(dues.widget, "1", None)]
    )

    paid(pay(api, dues.customer, "500"))

    assert status_of(theirs) == "due"
    assert advance_of(other) == Decimal("0")


# --- account_id: the parent posts the money to a payment account (RULES §4, §9) ------------------------------


@pytest.fixture
def till(business, admin_user):
    from accounts.services import account_create

    business.enabled_modules = ["account"]
    business.save(update_fields=["enabled_modules"])
    return account_create(business=business, user=admin_user, data={"name": "Till", "account_number": "T-1"})


def movements(business) -> list[tuple]:
    from accounts.models import AccountTransaction

    rows = AccountTransaction.objects.filter(business=business).order_by("id")
    return list(rows.values_list("account_id", "type", "amount", "transaction_payment_id", "payment_ref_no"))


@pytest.mark.parametrize(
    ("contact", "fields", "side"),
    [("customer", {}, "credit"), ("supplier", {}, "debit"), ("customer", {"is_reverse": True}, "debit")],
)
def test_with_an_account_the_parent_posts_one_movement(api, business, dues, till, contact, fields, side):
    parent = paid(pay(api, getattr(dues, contact), "80", account_id=till.pk, **fields))

    assert movements(business) == [(till.pk, side, Decimal("80"), parent.pk, parent.payment_ref_no)]
    assert parent.children.filter(account_transaction__isnull=False).count() == 0


def test_deleting_the_parent_removes_its_movement(api, business, dues, till):
    parent = paid(pay(api, dues.customer, "80", account_id=till.pk))

    assert api.delete(f"{BASE}/payments/{parent.pk}").status_code == 200

    assert movements(business) == []


@pytest.mark.parametrize("problem", ["foreign", "unknown", "closed", "no module"])
def test_an_account_that_cannot_take_the_payment_is_422_and_writes_nothing(
    api, business, other_business, dues, till, problem
):
    from accounts.services import account_create

    account_id = till.pk
    if problem == "foreign":
        account_id = account_create(
            business=other_business, user=None, data={"name": "Theirs", "account_number": "X"}
        ).pk
    elif problem == "unknown":
        account_id = 99999999
    elif problem == "closed":
        till.is_closed = True
        till.save(update_fields=["is_closed"])
    else:
        business.enabled_modules = []
        business.save(update_fields=["enabled_modules"])
    before = money_footprint(business)

    response = pay(api, dues.customer, "80", account_id=account_id)

    assert_validation_error(response, "account_id")
    assert_matches_schema(response)
    assert money_footprint(business) == before
