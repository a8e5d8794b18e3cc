"""The generator under real concurrency, on PostgreSQL (RULES §8 Decision: a child is never generated twice for the
same period): generators started together on the same date, each a thread with its own database connection, create
each child exactly once, with distinct invoice numbers, and stock is taken once per child."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from ledger.models import Transaction
from ledger.tests.builders import make_product, stock_of, stock_up
from subscriptions.generation import generate_due_invoices
from subscriptions.models import SubscriptionPeriod
from subscriptions.services import subscription_toggle
from subscriptions.tests.builders import frozen, make_subscription, moment, subscription_shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNNERS = 4


def together(count, fn):
    """Run fn(i) in `count` threads released at once; their results (or exceptions) in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


def test_generators_started_together_create_each_child_exactly_once(shop):
    box = make_product(shop.business, shop.user, name="Box")
    stock_up(shop.business, shop.user, location=shop.location, product=box, quantity="100")
    parents = [make_subscription(shop, when=moment(2025, 12, 1 + i)) for i in range(6)]
    parents.append(make_subscription(shop, when=moment(2025, 12, 10), lines=[(box, "2", "9.00")]))

    def generate(i):
        with frozen(2026, 6, 15):
            return generate_due_invoices()

    summaries = together(RUNNERS, generate)

    assert not [s for s in summaries if isinstance(s, Exception)], summaries
    assert sum(s.children_created for s in summaries) == 7 * 6  # Jan … Jun for each, once
    assert not any(s.failures for s in summaries)
    children = Transaction.objects.filter(recur_parent__in=parents)
    per_period = Counter(children.values_list("recur_parent_id", "transaction_date"))
    assert len(per_period) == 42 and set(per_period.values()) == {1}
    numbers = list(Transaction.objects.filter(business=shop.business).values_list("invoice_no", flat=True))
    assert len(numbers) == len(set(numbers))
    assert SubscriptionPeriod.objects.filter(parent__in=parents).count() == 42
    assert stock_of(box, shop.location) == Decimal("100") - 2 - 6 * 2  # the parent and its six children


def test_a_toggle_racing_a_generator_leaves_a_consistent_schedule(shop, admin_user):
    parent = make_subscription(shop, when=moment(2025, 12, 1), unit="days")

    def act(i):
        with frozen(2026, 1, 31):
            if i == 0:
                return generate_due_invoices()
            return subscription_toggle(business=shop.business, user=admin_user, parent=parent)

    results = together(2, act)

    assert not [r for r in results if isinstance(r, Exception)], results
    parent.refresh_from_db()
    assert parent.recur_stopped_on is not None
    billed = SubscriptionPeriod.objects.filter(parent=parent).count()
    # Either the generator ran first (every day of January and the 31st: 61 days) or the stop did (nothing).
    assert billed in (0, 61)
    assert Transaction.objects.filter(recur_parent=parent).count() == billed
