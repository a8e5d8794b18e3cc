"""Payment accounts under real concurrency, on PostgreSQL (RULES §9 Decision: both legs of a deposit or transfer in
one database transaction, the two accounts locked in id order; a closed account takes no money).

Every racer is a thread with its own API client and token (so its own database connection, closed when the thread
ends); a barrier releases them together; each request is one database transaction (ATOMIC_REQUESTS). Each race runs
three times.

- 20 fund transfers back and forth between two accounts: all 201, no deadlock; the two balances always add up to
  the same total — after the race and in every snapshot a reader takes while it runs —; every transfer has both legs,
  linked to each other (no orphaned leg), and each balance is what the transfers add up to.
- Deposits (half of them from a source account) racing the close of their target account: the close succeeds; each
  deposit is either 201 and written before the close, or 422 and writes nothing — no leg lands on a closed account,
  and no debit leg is left on the source without its credit.
- Sell payments into an account racing its close: the same, for the movements payments post.
"""

import datetime
import random
import threading
import time
from collections import Counter
from decimal import Decimal as D

import pytest
from django.db import connection

from accounts.models import Account, AccountTransaction
from accounts.tests.fixtures_books import client_of, create_account, enable_accounts
from core.tests.factories import make_business, make_user
from core.tests.matrix import BASE
from ledger.models import Transaction, TransactionPayment
from ledger.tests.builders import api_data, make_customer, make_product, make_sell, money_json, variation_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = range(3)


class Books:
    """A committed business with the account module, an admin (a token per racer) and an API client."""

    def __init__(self):
        self.business = enable_accounts(make_business(name="Account Race", locations=1))
        self.admin = make_user(self.business, admin=True)
        self.location = self.business.locations.get()
        self.client = client_of(self.admin)


@pytest.fixture
def books():
    return Books()


def race(books, calls, watch=None) -> list:
    """Run calls[i](client) in thread i, all released at once by a barrier; the responses in call order. `watch`,
    when given, runs in one more thread (with its own client) until the racers are done."""
    clients = [client_of(books.admin) for _ in calls]
    watcher = client_of(books.admin) if watch else None
    barrier = threading.Barrier(len(calls) + (1 if watch else 0))
    results = [None] * len(calls)
    done = threading.Event()
    seen = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index](clients[index])
        except Exception as exc:  # noqa: BLE001 - reported below, not swallowed
            results[index] = exc
        finally:
            connection.close()

    def observe():
        try:
            barrier.wait(timeout=30)
            while not done.is_set():
                seen.append(watch(watcher))
        except Exception as exc:  # noqa: BLE001 - reported below
            seen.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    observer = threading.Thread(target=observe) if watch else None
    for thread in [*threads, *([observer] if observer else [])]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    if observer:
        observer.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not [s for s in seen if isinstance(s, Exception)], seen
    return (results, seen) if watch else results


def _post(url, body):
    return lambda client: client.post(f"{BASE}{url}", body, format="json")


def _balances(client, *accounts) -> dict:
    response = client.get(f"{BASE}/accounts?per_page=100")
    assert response.status_code == 200
    wanted = {a["id"] for a in accounts}
    return {row["id"]: row["balance"] for row in money_json(response)["data"] if row["id"] in wanted}


def assert_linked(legs):
    """Each leg points at its partner, which points back: same amount and date, one credit and one debit."""
    by_id = {leg.pk: leg for leg in legs}
    for leg in legs:
        other = by_id[leg.transfer_transaction_id]
        assert other.transfer_transaction_id == leg.pk
        assert (other.amount, other.operation_date, {leg.type, other.type}) == (
            leg.amount,
            leg.operation_date,
            {"credit", "debit"},
        )


@pytest.mark.parametrize("run", RUNS)
def test_parallel_transfers_back_and_forth_keep_the_total(books, run):
    first = create_account(books.client, "First", "F-1", opening="1000.00")
    second = create_account(books.client, "Second", "S-1", opening="500.00")
    moves = []
    for i in range(20):
        source, target = (first, second) if i % 2 == 0 else (second, first)
        moves.append((source["id"], target["id"], D(i + 1) + D("0.25")))
    calls = [
        _post(
            "/accounts/fund-transfer",
            {"from_account_id": s, "to_account_id": t, "amount": str(amount), "operation_date": "2026-03-01 10:00:00"},
        )
        for s, t, amount in moves
    ]
    responses, snapshots = race(books, calls, watch=lambda client: _balances(client, first, second))

    assert Counter(r.status_code for r in responses) == {201: 20}, [r.content[:200] for r in responses]
    for (source, target, amount), response in zip(moves, responses, strict=True):
        legs = money_json(response)["data"]
        debit, credit = legs["debit"], legs["credit"]
        assert (debit["account_id"], credit["account_id"], debit["amount"], credit["amount"]) == (
            source,
            target,
            amount,
            amount,
        )
        assert (debit["transfer_transaction_id"], credit["transfer_transaction_id"]) == (credit["id"], debit["id"])
    # every snapshot taken while the transfers ran, and the end: the same total
    assert snapshots, "the reader saw nothing"
    assert {sum(s.values(), D(0)) for s in snapshots} == {D("1500.00")}
    final = _balances(books.client, first, second)
    sent = sum((a for s, _, a in moves if s == first["id"]), D(0))
    received = sum((a for s, _, a in moves if s == second["id"]), D(0))
    assert final == {first["id"]: D("1000.00") - sent + received, second["id"]: D("500.00") + sent - received}
    legs = list(AccountTransaction.objects.filter(sub_type="fund_transfer"))
    assert len(legs) == 40
    assert all(leg.transfer_transaction_id for leg in legs), "an orphaned leg"
    assert_linked(legs)


@pytest.mark.parametrize("run", RUNS)
def test_deposits_never_land_on_an_account_closed_under_them(books, run):
    target = create_account(books.client, "Target", "T-1", opening="100.00")
    source = create_account(books.client, "Source", "S-1", opening="1000.00")
    deposits = []
    for i in range(12):
        body = {"account_id": target["id"], "amount": f"{i + 1}.50", "operation_date": "2026-03-01 10:00:00"}
        if i % 2:
            body["from_account_id"] = source["id"]
        deposits.append(body)
    delay = random.Random(run).uniform(0, 0.05)

    def close(client):
        time.sleep(delay)  # somewhere among the deposits
        return client.post(f"{BASE}/accounts/{target['id']}/close")

    responses = race(books, [close, *(_post("/accounts/deposit", body) for body in deposits)])
    closing, answers = responses[0], responses[1:]
    assert closing.status_code == 200, closing.content
    assert set(Counter(r.status_code for r in answers)) <= {201, 422}, [r.content[:200] for r in answers]
    for response in answers:
        if response.status_code == 422:
            assert "closed" in response.json()["message"], response.json()

    account = Account.objects.get(pk=target["id"])
    assert account.is_closed
    accepted = [body for body, r in zip(deposits, answers, strict=True) if r.status_code == 201]
    credits = list(AccountTransaction.objects.filter(account_id=target["id"], sub_type="deposit"))
    # what was accepted is exactly what was written, and all of it before the close
    assert sorted(c.amount for c in credits) == sorted(D(body["amount"]) for body in accepted)
    assert all(c.created_at < account.updated_at for c in credits), (
        account.updated_at,
        [c.created_at for c in credits],
    )
    # no debit left on the source without its credit, and every credit from the source linked to its debit
    debits = list(AccountTransaction.objects.filter(account_id=source["id"], sub_type="deposit"))
    linked = [c for c in credits if c.transfer_transaction_id]
    assert len(debits) == len(linked) == len([body for body in accepted if "from_account_id" in body])
    assert_linked(linked + debits)
    balances = _balances(books.client, target, source)
    assert balances[target["id"]] == D("100.00") + sum((D(b["amount"]) for b in accepted), D(0))
    assert balances[source["id"]] == D("1000.00") - sum(
        (D(b["amount"]) for b in accepted if "from_account_id" in b), D(0)
    )
    late = books.client.post(f"{BASE}/accounts/deposit", deposits[0], format="json")
    assert late.status_code == 422


@pytest.mark.parametrize("run", RUNS)
def test_payments_never_post_to_an_account_closed_under_them(books, run):
    till = create_account(books.client, "Till", "T-1")
    service = variation_of(make_product(books.business, books.admin, name="Service", enable_stock=False))
    sells = []
    for i in range(10):
        customer = make_customer(books.business, name=f"Racer {i}")
        sells.append(
            make_sell(
                books.business,
                books.admin,
                customer=customer,
                location=books.location,
                lines=[(service, "1", "50.00")],
                transaction_date=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC),
            )
        )
    delay = random.Random(run).uniform(0.03, 0.15)  # a payment takes longer than a deposit

    def close(client):
        time.sleep(delay)
        return client.post(f"{BASE}/accounts/{till['id']}/close")

    calls = [
        _post(f"/sells/{sell.pk}/payments", {"amount": f"{i + 10}.00", "method": "cash", "account_id": till["id"]})
        for i, sell in enumerate(sells)
    ]
    responses = race(books, [close, *calls])
    assert responses[0].status_code == 200, responses[0].content
    answers = responses[1:]
    assert set(Counter(r.status_code for r in answers)) <= {201, 422}, [r.content[:200] for r in answers]

    account = Account.objects.get(pk=till["id"])
    movements = list(AccountTransaction.objects.filter(account_id=till["id"]))
    payments = list(TransactionPayment.objects.filter(account_id=till["id"]))
    assert len(payments) == len(movements) == Counter(r.status_code for r in answers)[201]
    assert {p.account_transaction_id for p in payments} == {m.pk for m in movements}
    assert all(m.created_at < account.updated_at for m in movements)
    for sell, response in zip(sells, answers, strict=True):
        paid = TransactionPayment.objects.filter(transaction=sell).count()
        assert paid == (1 if response.status_code == 201 else 0)
        assert Transaction.objects.get(pk=sell.pk).payment_status == ("partial" if paid else "due")
    assert api_data(books.client, "get", f"/accounts/{till['id']}", status=200)["balance"] == sum(
        (m.amount for m in movements), D(0)
    )
