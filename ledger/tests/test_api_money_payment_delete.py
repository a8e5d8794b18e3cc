"""DELETE /payments/{id} (business admins; RULES §4): a pay-due parent goes with its children, the documents they
paid are due again and its unallocated part comes off the advance balance; a child puts its amount back into the
advance balance; a single-document payment only changes its document's status."""

from decimal import Decimal

import pytest

from contacts.models import Contact
from contacts.tests.helpers import body
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction, TransactionPayment
from ledger.services.payments import payment_add
from ledger.tests.builders import (
    backdate,
    make_opening_balance,
    make_sell,
    moment,
    money_footprint,
    open_shop,
    pay_due,
)


@pytest.fixture
def world(business, admin_user):
    """Carla owes an opening balance of 40.00 and a sell of 30.00, and pays 100.00 at once: both are paid and 30.00
    is left as her advance."""
    world = open_shop(business, admin_user, stock="100")
    b, u, carla = business, admin_user, world.customer
    world.ob = backdate(make_opening_balance(b, carla, "40"), moment(2026, 1, 5))
    world.sell = make_sell(
        b,
        u,
        customer=carla,
        location=world.shop,
        lines=[(world.widget, "3", None)],
        transaction_date=moment(2026, 1, 20),
    )
    world.parent = pay_due(b, u, carla, "100", paid_on=moment(2026, 2, 1))
    return world


def delete(client, payment):
    return client.delete(f"{BASE}/payments/{payment.pk}")


def advance_of(contact) -> Decimal:
    return Contact.objects.get(pk=contact.pk).balance


def status_of(document) -> str:
    return Transaction.objects.get(pk=document.pk).payment_status


def books_agree(client, contact):
    """The balance endpoint and the ledger still tell one story (RULES §5)."""
    balance = body(client.get(f"{BASE}/contacts/{contact.pk}/balance"))["data"]
    ledger = body(client.get(f"{BASE}/contacts/{contact.pk}/ledger?start_date=2020-01-01&end_date=2035-12-31"))
    assert balance["due"] == ledger["data"]["summary"]["all_balance_due"]
    return balance


def test_deleting_a_pay_due_parent_takes_its_children_and_its_advance(api, world):
    assert (status_of(world.ob), status_of(world.sell), advance_of(world.customer)) == ("paid", "paid", Decimal("30"))
    children = list(world.parent.children.values_list("pk", flat=True))

    response = delete(api, world.parent)

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "Payment deleted successfully", "data": {"id": world.parent.pk}}
    assert not TransactionPayment.objects.filter(pk__in=[world.parent.pk, *children]).exists()
    assert (status_of(world.ob), status_of(world.sell), advance_of(world.customer)) == ("due", "due", Decimal("0"))
    balance = books_agree(api, world.customer)
    assert (balance["due"], balance["opening_balance_due"], balance["sell_due"]) == (
        Decimal("70"),
        Decimal("40"),
        Decimal("30"),
    )


def test_deleting_a_child_puts_its_amount_back_into_the_advance(api, world):
    child = world.parent.children.get(transaction=world.sell)

    response = delete(api, child)

    assert response.status_code == 200
    assert (status_of(world.sell), status_of(world.ob), advance_of(world.customer)) == ("due", "paid", Decimal("60"))
    assert TransactionPayment.objects.filter(pk=world.parent.pk).exists()
    assert books_agree(api, world.customer)["due"] == Decimal("-30")


def test_deleting_a_single_document_payment_recomputes_its_status(api, business, world):
    sell = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "2", None)]
    )
    payment = payment_add(
        business=business, user=world.user, document=sell, data={"amount": Decimal("20"), "method": "card"}
    )
    assert status_of(sell) == "paid"

    assert delete(api, payment).status_code == 200

    assert (status_of(sell), advance_of(world.customer)) == ("due", Decimal("30"))


def test_deleting_an_advance_spent_on_a_document_gives_it_back(api, business, world):
    sell = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "2", None)]
    )
    payment_add(business=business, user=world.user, document=sell, data={"amount": Decimal("20"), "method": "advance"})
    spent = TransactionPayment.objects.get(transaction=sell, method="advance")
    assert (spent.parent_id, advance_of(world.customer)) == (world.parent.pk, Decimal("10"))

    assert delete(api, spent).status_code == 200

    assert (status_of(sell), advance_of(world.customer)) == ("due", Decimal("30"))
    books_agree(api, world.customer)


def test_deleting_a_reverse_payment_leaves_the_advance_alone(api, business, world):
    reverse = pay_due(business, world.user, world.customer, "4", is_reverse=True)

    assert delete(api, reverse).status_code == 200

    assert advance_of(world.customer) == Decimal("30")
    books_agree(api, world.customer)


def test_deleting_a_parent_takes_what_its_advance_paid_later(api, business, world):
    """The documented decision (DELETE /payments/{id}): a pay-due parent goes with every allocation of its money,
    to the documents it paid and to those later paid from its advance, which are due again."""
    sell = make_sell(
        business, world.user, customer=world.customer, location=world.shop, lines=[(world.widget, "2", None)]
    )
    payment_add(business=business, user=world.user, document=sell, data={"amount": Decimal("20"), "method": "advance"})
    spent = TransactionPayment.objects.get(transaction=sell, method="advance")

    response = delete(api, world.parent)

    assert response.status_code == 200
    assert not TransactionPayment.objects.filter(pk=spent.pk).exists()
    assert [status_of(d) for d in (world.ob, world.sell, sell)] == ["due", "due", "due"]
    assert advance_of(world.customer) == Decimal("0")
    assert books_agree(api, world.customer)["due"] == Decimal("90")


def test_only_business_admins_delete_payments(actors, business, world):
    before = money_footprint(business)
    everything = ("customer.view", "sell.payments", "purchase.payments", "sell.delete", "access_all_locations")

    for permissions in [(), everything]:
        assert_unauthorized(delete(actors.client(*permissions), world.parent))

    assert_matches_schema(delete(actors.client(*everything), world.parent))
    assert money_footprint(business) == before


def test_an_unknown_payment_is_404(api, world):
    assert_not_found(api, "delete", f"{BASE}/payments/99999999")
    assert_matches_schema(api.delete(f"{BASE}/payments/99999999"))
