"""Trading documents under real concurrency, on PostgreSQL (RULES §3 Decision: no two documents share a number
under any concurrency; §4 Decision: concurrent payments never allocate the same due twice; supporting-api:
stock never goes below zero unless the business oversells).

Every racer is a thread with its own API client and token (its own database connection, closed at the end); a
barrier releases them together. Each request is one database transaction (ATOMIC_REQUESTS), as in production.
"""

import threading
import time
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.models import Contact
from core.models import BusinessLocation
from core.tests.factories import ContactFactory, make_business, make_token, make_user
from core.tests.matrix import BASE
from inventory.models import VariationLocationStock
from inventory.services import product_create
from ledger.models import PurchaseLine, SellLinePurchaseLine, Transaction, TransactionPayment
from ledger.services import fifo
from ledger.services import sells as sell_services
from ledger.services.pay_due import pay_contact_due
from ledger.services.payments import payment_add
from ledger.services.purchases import purchase_create
from ledger.services.sells import sell_create, sell_delete

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
THREADS = 8


class Shop:
    """A committed business with two locations, a customer, a supplier, a product and an admin with tokens."""

    def __init__(self):
        self.business = make_business(name="Race Trading", locations=2)
        self.admin = make_user(self.business, admin=True)
        self.location, self.other_location = BusinessLocation.objects.filter(business=self.business).order_by("id")
        self.customer = ContactFactory(business=self.business, type=Contact.Type.CUSTOMER)
        self.supplier = ContactFactory(business=self.business, type=Contact.Type.SUPPLIER)
        product = product_create(
            business=self.business,
            user=self.admin,
            data={"name": "Widget", "purchase_price": D("2.00"), "sell_price": D("5.00")},
        )
        self.variation = product.variations.get()

    def tokens(self, count):
        return [make_token(self.admin) for _ in range(count)]

    def purchase(self, quantity, location=None, **extra):
        return purchase_create(
            business=self.business,
            user=self.admin,
            data={
                "contact": self.supplier,
                "location": location or self.location,
                "lines": [{"variation": self.variation, "quantity": D(quantity), "purchase_price": D("2.00")}],
                **extra,
            },
        )

    def sell(self, quantity, unit_price):
        return sell_create(
            business=self.business,
            user=self.admin,
            data={
                "contact": self.customer,
                "location": self.location,
                "lines": [{"variation": self.variation, "quantity": D(quantity), "unit_price": D(unit_price)}],
            },
        )

    def give_advance(self, amount):
        """Advance money held for the customer: a pay-due payment with no open due of its type (the customer has
        no purchase returns), so all of it stays as their advance balance (it pays sells)."""
        pay_contact_due(
            business=self.business,
            user=self.admin,
            contact=self.customer,
            data={"amount": D(amount), "method": "cash", "due_payment_type": "purchase_return"},
        )

    def stock(self, location=None) -> Decimal:
        return VariationLocationStock.objects.get(
            variation=self.variation, location=location or self.location
        ).qty_available


@pytest.fixture
def shop():
    return Shop()


def race(tokens, calls) -> list:
    """Run calls[i](client) in thread i, all released at once; returns the responses (or the exceptions)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        try:
            barrier.wait(timeout=20)
            results[index] = calls[index](client)
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not thread.is_alive() for thread in threads), "a request did not finish"
    for result in results:
        assert not isinstance(result, Exception), repr(result)
    return results


@contextmanager
def watching_stock(shop):
    """Sample the committed stock level while the block runs; yields the list of samples."""
    samples, done = [], threading.Event()

    def watch():
        try:
            while not done.is_set():
                samples.append(shop.stock())
                time.sleep(0.002)
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield samples
    finally:
        done.set()
        watcher.join(timeout=30)


def statuses(responses) -> Counter:
    return Counter(r.status_code for r in responses)


def test_parallel_final_sells_never_sell_more_than_is_in_stock(shop):
    bought = shop.purchase(5)
    shop.purchase(10, location=shop.other_location)  # another location's stock is not for these sells
    payload = {
        "contact_id": shop.customer.pk,
        "location_id": shop.location.pk,
        "lines": [{"variation_id": shop.variation.pk, "quantity": 1, "unit_price": 5}],
    }

    with watching_stock(shop) as samples:
        responses = race(shop.tokens(THREADS), [lambda c: c.post(f"{BASE}/sells", payload, format="json")] * THREADS)

    assert statuses(responses) == {201: 5, 422: THREADS - 5}, [r.content[:300] for r in responses]
    for response in responses:
        if response.status_code == 422:
            message = response.json()["errors"]["lines.0.quantity"][0]
            assert message.startswith("Not enough stock of Widget ("), message
            assert "0 available at this location, 1 requested" in message
    assert shop.stock() == 0
    assert shop.stock(shop.other_location) == 10
    assert samples and min(samples) >= 0
    sold = [r.json()["data"]["id"] for r in responses if r.status_code == 201]
    assert Transaction.objects.filter(type="sell").count() == 5
    links = SellLinePurchaseLine.objects.filter(sell_line__transaction_id__in=sold)
    assert sum(link.quantity for link in links) == 5
    assert {link.purchase_line.transaction_id for link in links} == {bought.pk}
    assert PurchaseLine.objects.get(transaction=bought).quantity_sold == 5
    assert len({r.json()["data"]["invoice_no"] for r in responses if r.status_code == 201}) == 5


def test_parallel_purchases_get_distinct_reference_numbers(shop):
    year = timezone.localdate().year
    payload = {
        "contact_id": shop.supplier.pk,
        "location_id": shop.location.pk,
        "lines": [{"variation_id": shop.variation.pk, "quantity": 1, "purchase_price": 2}],
    }
    count = 20

    responses = race(shop.tokens(count), [lambda c: c.post(f"{BASE}/purchases", payload, format="json")] * count)

    assert statuses(responses) == {201: count}, [r.content[:300] for r in responses]
    refs = {r.json()["data"]["ref_no"] for r in responses}
    assert refs == {f"PO{year}/{n:04d}" for n in range(1, count + 1)}
    assert shop.stock() == count


def test_parallel_payments_never_overpay_a_sell(shop):
    shop.purchase(5)
    sell = shop.sell(4, "25.00")  # 100.00 due
    url = f"{BASE}/sells/{sell.pk}/payments"

    responses = race(
        shop.tokens(THREADS),
        [lambda c: c.post(url, {"amount": 30, "method": "cash"}, format="json")] * THREADS,
    )

    assert statuses(responses) == {201: 3, 422: THREADS - 3}, [r.content[:300] for r in responses]
    for response in responses:
        if response.status_code == 422:
            assert response.json()["errors"]["amount"] == ["The amount 30 exceeds the amount due (10)."]
    paid = sum(TransactionPayment.objects.filter(transaction=sell).values_list("amount", flat=True))
    assert paid == D("90.00") <= sell.final_total
    sell.refresh_from_db()
    assert sell.payment_status == "partial"
    refs = TransactionPayment.objects.filter(transaction=sell).values_list("payment_ref_no", flat=True)
    assert len(set(refs)) == 3


def test_parallel_advance_payments_never_overdraw_the_contact_balance(shop):
    shop.purchase(THREADS)
    sells = [shop.sell(1, "20.00") for _ in range(THREADS)]
    shop.give_advance("50.00")

    def pay(sell):
        return lambda c: c.post(f"{BASE}/sells/{sell.pk}/payments", {"amount": 10, "method": "advance"}, format="json")

    responses = race(shop.tokens(THREADS), [pay(sell) for sell in sells])

    assert statuses(responses) == {201: 5, 422: THREADS - 5}, [r.content[:300] for r in responses]
    for response in responses:
        if response.status_code == 422:
            assert "advance balance" in response.json()["errors"]["amount"][0]
    shop.customer.refresh_from_db()
    assert shop.customer.balance == D("0.00")
    drawn = TransactionPayment.objects.filter(payment_for=shop.customer, method="advance")
    assert sum(p.amount for p in drawn) == D("50.00")
    assert Counter(Transaction.objects.filter(type="sell").values_list("payment_status", flat=True)) == {
        "partial": 5,
        "due": THREADS - 5,
    }


def test_parallel_advance_payments_on_one_sell_respect_both_due_and_balance(shop):
    shop.purchase(5)
    sell = shop.sell(1, "35.00")
    shop.give_advance("100.00")
    url = f"{BASE}/sells/{sell.pk}/payments"

    responses = race(
        shop.tokens(THREADS), [lambda c: c.post(url, {"amount": 10, "method": "advance"}, format="json")] * THREADS
    )

    assert statuses(responses) == {201: 3, 422: THREADS - 3}
    shop.customer.refresh_from_db()
    assert shop.customer.balance == D("70.00")
    sell.refresh_from_db()
    assert (sell.payment_status, sell.final_total) == ("partial", D("35.00"))


def test_parallel_sells_and_sell_returns_keep_stock_and_fifo_consistent(shop):
    """Sells taking stock and returns putting it back, at once: stock and FIFO still add up."""
    bought = shop.purchase(6)
    earlier = [shop.sell(1, "5.00") for _ in range(3)]  # 3 left on the shelf
    payload = {
        "contact_id": shop.customer.pk,
        "location_id": shop.location.pk,
        "lines": [{"variation_id": shop.variation.pk, "quantity": 1, "unit_price": 5}],
    }

    def give_back(sell):
        line = sell.sell_lines.get()
        body = {"lines": [{"sell_line_id": line.pk, "quantity": 1}]}
        return lambda c: c.post(f"{BASE}/sells/{sell.pk}/return", body, format="json")

    calls = [lambda c: c.post(f"{BASE}/sells", payload, format="json")] * 5 + [give_back(s) for s in earlier]
    responses = race(shop.tokens(len(calls)), calls)

    assert all(r.status_code in (201, 422) for r in responses), [r.content[:300] for r in responses]
    assert all(r.status_code == 201 for r in responses[5:])  # returns always fit
    new_sells = sum(1 for r in responses[:5] if r.status_code == 201)
    # 3 on the shelf + 3 returned: every one of the 5 new sells finds stock (returns may come late, though).
    assert 3 <= new_sells <= 5
    assert shop.stock() == 6 - new_sells
    line = PurchaseLine.objects.get(transaction=bought)
    mapped = sum(SellLinePurchaseLine.objects.filter(purchase_line=line).values_list("quantity", flat=True))
    assert line.quantity_sold == mapped == new_sells


def test_multi_line_sells_in_any_line_order_and_a_purchase_return_never_deadlock(shop):
    """Stock rows are taken in variation order whatever the order of the lines, then purchase lines: sells listing
    two variations in opposite orders, and a return of both, all go through."""
    gadget = product_create(
        business=shop.business,
        user=shop.admin,
        data={"name": "Gadget", "purchase_price": D("3.00"), "sell_price": D("7.00")},
    ).variations.get()
    bought = purchase_create(
        business=shop.business,
        user=shop.admin,
        data={
            "contact": shop.supplier,
            "location": shop.location,
            "lines": [
                {"variation": shop.variation, "quantity": D(10), "purchase_price": D("2.00")},
                {"variation": gadget, "quantity": D(10), "purchase_price": D("3.00")},
            ],
        },
    )
    widget_line, gadget_line = bought.purchase_lines.order_by("variation_id")

    def sell(order):
        lines = [{"variation_id": v.pk, "quantity": 1, "unit_price": 5} for v in order]
        payload = {"contact_id": shop.customer.pk, "location_id": shop.location.pk, "lines": lines}
        return lambda c: c.post(f"{BASE}/sells", payload, format="json")

    back = {"lines": [{"purchase_line_id": line.pk, "quantity": 1} for line in (gadget_line, widget_line)]}
    calls = [sell((shop.variation, gadget) if i % 2 else (gadget, shop.variation)) for i in range(THREADS)]
    calls.append(lambda c: c.post(f"{BASE}/purchases/{bought.pk}/return", back, format="json"))

    responses = race(shop.tokens(len(calls)), calls)

    assert statuses(responses) == {201: THREADS + 1}, [r.content[:300] for r in responses]
    assert shop.stock() == 10 - THREADS - 1
    assert VariationLocationStock.objects.get(variation=gadget, location=shop.location).qty_available == 1
    for line in (widget_line, gadget_line):
        line.refresh_from_db()
        assert (line.quantity_sold, line.quantity_returned) == (THREADS, 1)


@pytest.mark.parametrize(
    ("route", "field", "side", "message"),
    [
        ("sells", "invoice_no", "customer", "The invoice no has already been taken."),
        ("purchases", "ref_no", "supplier", "The ref no has already been taken."),
    ],
)
def test_parallel_documents_with_the_same_typed_number_give_one_201_and_422s(shop, route, field, side, message):
    """A number typed by hand that several requests send at once: the unique constraint decides, and the losers
    are told so (422), as for contact codes (RULES §2 Decision), never a 500."""
    shop.purchase(THREADS)
    price = "unit_price" if route == "sells" else "purchase_price"
    payload = {
        "contact_id": getattr(shop, side).pk,
        "location_id": shop.location.pk,
        field: "HAND-1",
        "lines": [{"variation_id": shop.variation.pk, "quantity": 1, price: 5}],
    }

    responses = race(shop.tokens(THREADS), [lambda c: c.post(f"{BASE}/{route}", payload, format="json")] * THREADS)

    assert Transaction.objects.filter(**{field: "HAND-1"}).count() == 1  # the database never lets two through
    assert statuses(responses) == {201: 1, 422: THREADS - 1}, [(r.status_code, r.content[:200]) for r in responses]
    for response in responses:
        if response.status_code == 422:
            assert response.json()["errors"] == {field: [message]}


def wait_until_another_backend_waits_for_a_lock(timeout=10):
    """Poll pg_stat_activity (from the calling thread's connection) until another session of this database is
    blocked on a lock; False on timeout."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view stays as first read in the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def test_a_purchase_return_racing_a_sell_of_the_same_stock_does_not_deadlock(shop):
    """The lock order (stock rows, then purchase lines) holds for purchase returns too. Forces the interleaving
    that deadlocked when purchase_return_save locked the purchase lines first: the sell has taken its stock and
    is about to map it FIFO when the return of the same line starts; the sell goes on once the return waits for
    a lock. Both must succeed, in turn."""
    bought = shop.purchase(5)
    line = PurchaseLine.objects.get(transaction=bought)
    sell_took_stock = threading.Event()
    real_allocate = fifo.allocate

    def allocate(*args, **kwargs):  # in the sell, after stock_remove
        sell_took_stock.set()
        wait_until_another_backend_waits_for_a_lock()
        return real_allocate(*args, **kwargs)

    sell_payload = {
        "contact_id": shop.customer.pk,
        "location_id": shop.location.pk,
        "lines": [{"variation_id": shop.variation.pk, "quantity": 1, "unit_price": 5}],
    }
    return_payload = {"lines": [{"purchase_line_id": line.pk, "quantity": 1}]}

    def return_once_the_sell_holds_stock(client):
        assert sell_took_stock.wait(timeout=20)
        return client.post(f"{BASE}/purchases/{bought.pk}/return", return_payload, format="json")

    with mock.patch.object(fifo, "allocate", allocate):
        responses = race(
            shop.tokens(2),
            [lambda c: c.post(f"{BASE}/sells", sell_payload, format="json"), return_once_the_sell_holds_stock],
        )

    assert [r.status_code for r in responses] == [201, 201], [r.content[:200] for r in responses]
    assert shop.stock() == 3
    line.refresh_from_db()
    assert (line.quantity_sold, line.quantity_returned) == (1, 1)


def test_deleting_a_sell_while_an_advance_payment_is_made_on_it_does_not_deadlock(shop):
    shop.purchase(5)
    sell = shop.sell(2, "10.00")
    shop.give_advance("50.00")
    advance = {"amount": D("5.00"), "method": "advance"}
    payment_add(business=shop.business, user=shop.admin, document=sell, data=advance)
    sell_locked, go = threading.Event(), threading.Event()
    real_rows_delete = sell_services.payment_rows_delete
    results = {}

    def rows_delete(document):  # in sell_delete, with the sell locked
        sell_locked.set()
        go.wait(timeout=10)
        return real_rows_delete(document)

    def delete():
        try:
            sell_delete(business=shop.business, user=shop.admin, sell=sell)
            results["delete"] = "ok"
        except Exception as exc:  # noqa: BLE001
            results["delete"] = exc
        finally:
            connection.close()

    def pay():
        try:
            sell_locked.wait(timeout=10)
            payment_add(business=shop.business, user=shop.admin, document=sell, data=advance)
            results["pay"] = "ok"
        except Exception as exc:  # noqa: BLE001
            results["pay"] = exc
        finally:
            connection.close()

    with mock.patch.object(sell_services, "payment_rows_delete", rows_delete):
        threads = [threading.Thread(target=delete), threading.Thread(target=pay)]
        for thread in threads:
            thread.start()
        sell_locked.wait(timeout=10)
        wait_until_another_backend_waits_for_a_lock()  # the payment holds the contact and waits for the sell
        go.set()
        for thread in threads:
            thread.join(timeout=60)

    assert results["delete"] == "ok", results
    # The payment either came first (and was deleted with the sell) or found the sell gone.
    assert results["pay"] == "ok" or isinstance(results["pay"], Transaction.DoesNotExist), results
    shop.customer.refresh_from_db()
    assert shop.customer.balance == D("50.00")
