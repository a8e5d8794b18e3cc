"""A snapshot build racing a backdated write, on PostgreSQL, with real transactions on two connections.

1. The write is in flight (written, not committed) when the build starts: the build raises the horizon and waits
   for it, so the snapshot it writes includes the write.
2. The write commits while the build computes (after the build read the stale marks): it read the new horizon, so
   it left a mark the build did not consume; the reports skip the snapshots after it until the next build.
3. The control: with the wait taken out, case 1 leaves a snapshot that misses the write — the wait is what
   prevents it.
4. An inserted document's exact mark committed while the build computes: the build may have seen the document, so
   it makes the mark plain; committed after the build, the mark stays exact and the reports add it to the latest
   snapshot. Either way the reports give what the rows give.
"""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from accounts.models import BalanceSnapshot, BalanceStaleMark
from accounts.reports import snapshots
from accounts.reports.snapshots import build_balance_snapshots, report_figures, verify_balance_snapshots
from accounts.tests.builders import make_account, moment, put_in
from accounts.tests.fixtures_books import enable_accounts
from core.dates import day_bounds
from core.tests.factories import make_business, make_user
from ledger.tests.builders import make_customer, make_ledger_discount

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
JULY = moment(2026, 7, 15)
FEB = moment(2026, 2, 10)


@pytest.fixture
def books():
    business = enable_accounts(make_business(name="Snapshot Race", locations=1))
    user = make_user(business, admin=True)
    bank = make_account(business, user, "Bank", "B-1", opening="100", when=moment(2026, 1, 2))
    put_in(business, user, bank, "10", when=moment(2026, 3, 5))
    # the backdated deposits go to an account without movements: a snapshot row of an account the writer has
    # locked would make the build wait on that lock (a foreign key), which would hide what the tests look at
    cash = make_account(business, user, "Cash", "C-1")
    return business, user, cash


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def backdated_writer(business, user, bank, written: threading.Event, go: threading.Event):
    def write():
        with transaction.atomic():
            put_in(business, user, bank, "7.0001", when=FEB)
            written.set()
            assert go.wait(30)

    return write


def paused(fill):
    """A `_fill` that says when the build has read the marks, and waits for `go` before it computes."""
    marks_read, go = threading.Event(), threading.Event()

    def paused_fill(*args, **kwargs):
        marks_read.set()
        assert go.wait(30)
        return fill(*args, **kwargs)

    return marks_read, go, paused_fill


def february(business):
    return day_bounds(business, datetime.date(2026, 2, 28), datetime.date(2026, 2, 28))[1]


def test_a_build_waits_for_a_backdated_write_in_flight(books):
    business, user, bank = books
    written, go = threading.Event(), threading.Event()
    writer, wrote = in_thread(backdated_writer(business, user, bank, written, go))
    assert written.wait(30)
    builder, built = in_thread(lambda: build_balance_snapshots(business, now=JULY))
    time.sleep(1)
    assert builder.is_alive(), "the build did not wait for the write in flight"
    go.set()
    writer.join(30)
    builder.join(30)
    assert "error" not in wrote and "error" not in built, (wrote, built)
    assert not BalanceStaleMark.objects.filter(business=business).exists()  # no mark needed: the build saw it
    figures = report_figures(business, february(business))
    assert figures.as_of == datetime.date(2026, 2, 28)
    assert figures.account_totals[bank.pk] == D("7.0001")
    assert verify_balance_snapshots(business) == []


def test_a_backdated_write_committed_while_the_build_computes_stays_marked(books, monkeypatch):
    business, user, bank = books
    fill = snapshots._fill
    marks_read, go, paused_fill = paused(fill)
    monkeypatch.setattr(snapshots, "_fill", paused_fill)
    builder, built = in_thread(lambda: build_balance_snapshots(business, now=JULY))
    assert marks_read.wait(30)
    writer, wrote = in_thread(lambda: put_in(business, user, bank, "7.0001", when=FEB))
    writer.join(30)
    assert "error" not in wrote, wrote
    go.set()
    builder.join(30)
    assert "error" not in built, built
    (mark,) = BalanceStaleMark.objects.filter(business=business)
    assert mark.stale_from == FEB
    figures = report_figures(business, february(business))
    assert figures.as_of is None or figures.as_of < datetime.date(2026, 2, 10)
    assert figures.account_totals[bank.pk] == D("7.0001")
    monkeypatch.setattr(snapshots, "_fill", fill)
    build_balance_snapshots(business, now=JULY)
    assert not BalanceStaleMark.objects.filter(business=business).exists()
    assert report_figures(business, february(business)).as_of == datetime.date(2026, 2, 28)
    assert verify_balance_snapshots(business) == []


def test_without_the_wait_a_snapshot_would_miss_the_write(books, monkeypatch):
    business, user, bank = books
    monkeypatch.setattr(snapshots, "wait_for_running_writers", lambda timeout=0: None)
    written, go = threading.Event(), threading.Event()
    writer, wrote = in_thread(backdated_writer(business, user, bank, written, go))
    assert written.wait(30)
    builder, built = in_thread(lambda: build_balance_snapshots(business, now=JULY))
    builder.join(30)
    assert not builder.is_alive()
    go.set()
    writer.join(30)
    assert "error" not in wrote and "error" not in built, (wrote, built)
    assert BalanceSnapshot.objects.filter(business=business).exists()
    assert not BalanceStaleMark.objects.filter(business=business).exists()
    assert verify_balance_snapshots(business) != []


def _dues_of(business):
    figures = report_figures(business, february(business))
    return figures, report_figures(business, february(business), use_snapshots=False)


@pytest.mark.parametrize("when", ["while the build computes", "after the build"])
def test_an_exact_mark_racing_a_build(books, monkeypatch, when):
    business, user, _ = books
    customer = make_customer(business, name="Racing customer")
    make_ledger_discount(business, user, customer, "3", when=moment(2026, 1, 20))  # a row before the build
    build_balance_snapshots(business, now=JULY)
    fill = snapshots._fill
    marks_read, go, paused_fill = paused(fill)
    put_in(business, user, books[2], "1", when=moment(2026, 4, 1))  # a mark, so the build drops and refills
    monkeypatch.setattr(snapshots, "_fill", paused_fill)
    builder, built = in_thread(lambda: build_balance_snapshots(business, now=JULY))
    assert marks_read.wait(30)

    def discount():
        with transaction.atomic():
            make_ledger_discount(business, user, customer, "1.2345", when=FEB)

    if when == "after the build":
        go.set()
        builder.join(30)
    writer, wrote = in_thread(discount)
    writer.join(30)
    go.set()
    builder.join(30)
    assert "error" not in wrote and "error" not in built, (wrote, built)
    (mark,) = BalanceStaleMark.objects.filter(business=business, contact=customer)
    assert mark.stale_from == FEB
    if when == "after the build":
        assert mark.customer_delta == D("-1.2345")  # exact: the build did not see it
    else:
        assert mark.customer_delta is None  # the build may have seen it: plain
    through, full = _dues_of(business)
    assert (through.customer_due, through.supplier_due) == (full.customer_due, full.supplier_due)
    assert verify_balance_snapshots(business) == []
    monkeypatch.setattr(snapshots, "_fill", fill)
    build_balance_snapshots(business, now=JULY)
    through, full = _dues_of(business)
    assert (through.customer_due, through.supplier_due) == (full.customer_due, full.supplier_due)
    assert verify_balance_snapshots(business) == []
