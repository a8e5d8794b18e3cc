"""Property test of balance snapshots: Hypothesis draws random books (sells and purchases at two locations, paid into
accounts or not, deposits, transfers, pay-dues, ledger discounts, opening balances) over January to June 2026 in a
business time zone it also draws, builds the snapshots at a random point, then applies random writes — most of them
dated before the snapshots: new documents and payments, deleted payments and sells, redated documents and payments,
a contact that becomes `both` — sometimes rebuilding in between. After every write, for every month end and for
drawn days and times, with and without each location, the figures through the snapshots equal the full
computation to the last digit, and so do the account balances of GET /accounts; at the end a rebuild leaves no
mark and `verify` finds no difference.

Each example runs inside one atomic block rolled back at its end. `HYPOTHESIS_MAX_EXAMPLES=n` changes the count;
`HYPOTHESIS_EXPLORE=1` draws new examples.
"""

import datetime
import os
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from accounts.models import Account, AccountTransaction, BalanceSnapshot
from accounts.reports.snapshots import build_balance_snapshots, report_figures, verify_balance_snapshots
from accounts.tests.builders import enable_accounts, make_account, move, pay_due, put_in
from contacts.models import Contact
from contacts.services import contact_update
from core.dates import day_bounds
from ledger.models import Transaction, TransactionPayment
from ledger.services.payments import payment_delete
from ledger.services.sells import sell_delete
from ledger.tests.builders import cash, make_customer, make_ledger_discount, make_product, make_purchase, make_sell

EXPLORE = os.environ.get("HYPOTHESIS_EXPLORE") == "1"
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "10")),
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
JAN = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 7, 20, tzinfo=datetime.UTC)
FAR = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
ZONES = ["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Kiritimati"]
MONTH_ENDS = [datetime.date(2026, m + 1, 1) - datetime.timedelta(days=1) for m in range(1, 6)] + [
    datetime.date(2026, 6, 30)
]


@pytest.fixture
def world(business, admin_user):
    enable_accounts(business)
    shop, depot = business.locations.order_by("id")
    service = make_product(business, admin_user, name="Service", enable_stock=False, purchase_price="1", sell_price="1")
    return SimpleNamespace(
        business=business,
        user=admin_user,
        locations=[shop, depot],
        service=service,
        contacts=[
            make_customer(business, type=kind, name=f"Random {kind}") for kind in ("customer", "supplier", "both")
        ],
        accounts=[
            make_account(business, admin_user, f"Account {i}", f"A-{i}", opening=opening, when=JAN)
            for i, opening in enumerate(["100.0001", "-25.5", None])
        ],
    )


def _when(data, label="date"):
    minutes = data.draw(st.integers(0, 181 * 24 * 60 - 1), label=f"{label} minutes")
    snap = data.draw(st.booleans(), label=f"{label} at midnight")
    moment = JAN + datetime.timedelta(minutes=minutes)
    return moment.replace(hour=0, minute=0) if snap else moment


def _cents(data, label="amount"):
    # Whole cents: a document's total is rounded to the business precision (2), so a sub-cent price totals 0.00
    # and a payment of it would be an overpayment the services refuse.
    return D(data.draw(st.integers(1, 10_000_000), label=label)) / 100


def _pick(data, rows, label):
    rows = list(rows)
    return rows[data.draw(st.integers(0, len(rows) - 1), label=label)] if rows else None


def _contacts(w, *, without=None):
    """The three contacts as they are now (a step may have changed a type; examples roll back)."""
    contacts = Contact.objects.filter(pk__in=[c.pk for c in w.contacts]).order_by("id")
    return [c for c in contacts if c.type != without]


def op_sell(w, data):
    contact = _pick(data, _contacts(w, without="supplier"), "customer")
    account = _pick(data, [None, *w.accounts], "account")
    amount = _cents(data)
    payments = []
    if data.draw(st.booleans(), label="paid"):
        payments = [cash(str(min(amount, _cents(data, "paid"))), paid_on=_when(data, "paid_on"), account=account)]
    make_sell(
        w.business,
        w.user,
        customer=contact,
        location=_pick(data, w.locations, "location"),
        lines=[(w.service, "1", str(amount))],
        payments=payments,
        transaction_date=_when(data),
    )


def op_purchase(w, data):
    contact = _pick(data, _contacts(w, without="customer"), "supplier")
    make_purchase(
        w.business,
        w.user,
        supplier=contact,
        location=_pick(data, w.locations, "location"),
        lines=[(w.service, "1", str(_cents(data)))],
        transaction_date=_when(data),
    )


def op_deposit(w, data):
    source = _pick(data, [None, *w.accounts], "from")
    target = _pick(data, [a for a in w.accounts if a != source], "to")
    put_in(w.business, w.user, target, _cents(data), when=_when(data), from_account=source)


def op_transfer(w, data):
    source = _pick(data, w.accounts, "from")
    target = _pick(data, [a for a in w.accounts if a != source], "to")
    move(w.business, w.user, source, target, _cents(data), when=_when(data))


def op_pay_due(w, data):
    contact = _pick(data, _contacts(w), "contact")
    pay_due(w.business, w.user, contact, _cents(data), paid_on=_when(data), account=_pick(data, w.accounts, "a"))


def op_discount(w, data):
    contact = _pick(data, _contacts(w), "contact")
    sub_type = _pick(data, ["sell_discount", "purchase_discount"], "sub type") if contact.type == "both" else None
    make_ledger_discount(w.business, w.user, contact, _cents(data), when=_when(data), sub_type=sub_type)


def op_delete_payment(w, data):
    payment = _pick(data, list(TransactionPayment.objects.filter(business=w.business, parent=None)), "payment")
    if payment is not None:
        payment_delete(business=w.business, user=w.user, payment=payment)


def op_delete_sell(w, data):
    sell = _pick(data, list(Transaction.objects.filter(business=w.business, type="sell", returns=None)), "sell")
    if sell is not None:
        sell_delete(business=w.business, user=w.user, sell=sell)


def op_redate(w, data):
    document = _pick(data, list(Transaction.objects.filter(business=w.business)), "document")
    if document is not None:
        Transaction.objects.filter(pk=document.pk).update(transaction_date=_when(data))
    movement = _pick(data, list(AccountTransaction.objects.filter(business=w.business)), "movement")
    if movement is not None:
        movement.operation_date = _when(data, "movement date")
        movement.save()


def op_retype(w, data):
    contact = _pick(data, _contacts(w, without="both"), "contact")
    if contact is not None:
        contact_update(business=w.business, user=w.user, contact=contact, data={"type": "both"})


BOOKS = [op_sell] * 3 + [op_purchase] * 2 + [op_deposit, op_transfer, op_pay_due, op_discount]
WRITES = BOOKS + [op_delete_payment, op_delete_sell, op_redate, op_redate, op_retype]


def check(w, data, *, label):
    """Every month end and one drawn moment's day, for the whole business and one drawn location."""
    days = [*MONTH_ENDS, _when(data, f"{label} report").date()]
    location = data.draw(st.sampled_from([loc.pk for loc in w.locations]), label=f"{label} location")
    used = 0
    for day in days:
        before = day_bounds(w.business, day, day)[1]
        for scope in (None, location):
            quick = report_figures(w.business, before, scope)
            slow = report_figures(w.business, before, scope, use_snapshots=False)
            where = (label, day, scope, quick.as_of)
            assert (quick.customer_due, quick.supplier_due) == (slow.customer_due, slow.supplier_due), where
            assert {k: v for k, v in quick.account_totals.items() if v} == {
                k: v for k, v in slow.account_totals.items() if v
            }, (*where, quick.account_totals, slow.account_totals)
            used += quick.as_of is not None
    event(f"{label}: reports through a snapshot: {'some' if used else 'none'}")
    # the account balances of GET /accounts and of a write's balance check, through the snapshots and in full
    accounts = Account.objects.for_business(w.business).order_by("id")
    assert list(accounts.with_balance().values_list("id", "balance")) == list(
        accounts.with_balance(before=FAR).values_list("id", "balance")
    ), label


@SETTINGS
@given(data=st.data())
def test_reports_through_snapshots_equal_the_full_computation(world, data):
    with transaction.atomic():
        world.business.time_zone = data.draw(st.sampled_from(ZONES), label="time zone")
        world.business.save(update_fields=["time_zone"])
        for _ in range(data.draw(st.integers(3, 12), label="books")):
            op = data.draw(st.sampled_from(BOOKS), label="book op")
            note(f"book: {op.__name__}")
            op(world, data)
        build_balance_snapshots(world.business, now=NOW)
        assert BalanceSnapshot.objects.filter(business=world.business).exists()
        check(world, data, label="built")
        for _ in range(data.draw(st.integers(1, 5), label="writes")):
            op = data.draw(st.sampled_from(WRITES), label="write")
            note(f"write: {op.__name__}")
            op(world, data)
            check(world, data, label="after a write")
            if data.draw(st.integers(0, 3), label="rebuild") == 0:
                note(f"rebuilt: {build_balance_snapshots(world.business, now=NOW)}")
                check(world, data, label="rebuilt")
        result = build_balance_snapshots(world.business, now=NOW)
        note(str(result))
        assert verify_balance_snapshots(world.business) == []
        check(world, data, label="final")
        transaction.set_rollback(True)
