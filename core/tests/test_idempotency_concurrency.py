"""Idempotency-Key under real concurrency, on PostgreSQL: parallel pay-dues with one key pay once.

Every racer is a thread with its own API client and token (so its own database connection); a barrier releases
them together. Exactly one request runs; the others wait for it and replay its answer, or (when it outlasts
their wait) answer 409 — never a second payment.
"""

import threading
import time
from collections import Counter
from decimal import Decimal as D

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contacts.models import Contact
from core.models import IdempotencyKey
from core.tests.factories import make_business, make_token, make_user
from core.tests.matrix import BASE
from ledger.models import TransactionPayment
from ledger.tests.builders import make_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

IN_PROGRESS = {"message": "A request with this Idempotency-Key is in progress."}


@pytest.fixture
def world():
    business = make_business(name="Retry Race", locations=1)
    admin = make_user(business, admin=True)
    return admin, make_customer(business, name="Racing Customer")


def race(user, count, call) -> list:
    tokens = [make_token(user) for _ in range(count)]
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        try:
            barrier.wait(timeout=30)
            results[index] = call(client)
        except Exception as exc:  # noqa: BLE001 - reported below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def pay(customer, key, amount="25.00"):
    def call(client):
        return client.post(
            f"{BASE}/contacts/{customer.pk}/payments",
            {"amount": amount, "method": "cash"},
            format="json",
            headers={"Idempotency-Key": key},
        )

    return call


def test_parallel_pay_dues_with_one_key_pay_once_and_all_get_the_same_answer(world):
    admin, customer = world

    responses = race(admin, 8, pay(customer, "race-key"))

    assert Counter(r.status_code for r in responses) == {201: 8}
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert len({r.content for r in responses}) == 1
    assert TransactionPayment.objects.filter(payment_for=customer).count() == 1
    assert Contact.objects.get(pk=customer.pk).balance == D("25.0000")
    assert IdempotencyKey.objects.get(key="race-key").state == "completed"


def test_parallel_pay_dues_with_different_keys_all_pay(world):
    admin, customer = world
    counter = iter(range(100))
    lock = threading.Lock()

    def call(client):
        with lock:
            key = f"key-{next(counter)}"
        return pay(customer, key, amount="1.00")(client)

    responses = race(admin, 6, call)

    assert Counter(r.status_code for r in responses) == {201: 6}
    assert TransactionPayment.objects.filter(payment_for=customer).count() == 6
    assert Contact.objects.get(pk=customer.pk).balance == D("6.0000")


def test_a_racer_that_outwaits_its_patience_gets_409_and_its_retry_replays(world, settings, monkeypatch):
    from ledger.api.views import money

    admin, customer = world
    settings.ERP_IDEMPOTENCY_WAIT_SECONDS = 0.2
    real = money.pay_contact_due

    def slow(**kwargs):
        time.sleep(1.5)
        return real(**kwargs)

    monkeypatch.setattr(money, "pay_contact_due", slow)
    responses = race(admin, 4, pay(customer, "slow-key"))

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 3}
    assert all(r.json() == IN_PROGRESS for r in responses if r.status_code == 409)
    assert TransactionPayment.objects.filter(payment_for=customer).count() == 1

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(admin)}")
    retry = pay(customer, "slow-key")(client)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert TransactionPayment.objects.filter(payment_for=customer).count() == 1
