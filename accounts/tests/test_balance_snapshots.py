"""Balance snapshots (accounts/reports/snapshots.py): the balance sheet and trial balance read the latest valid
month-end snapshot plus the rows after it, and give exactly what the full computation gives; a write dated before a
snapshot makes it stale in its own transaction (accounts/balance_marks.py); `build_balance_snapshots` rebuilds and
`--verify` finds no difference; the Celery task runs the same build."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from accounts.models import (
    AccountTransaction,
    BalanceScope,
    BalanceSnapshot,
    BalanceSnapshotContact,
    BalanceStaleMark,
)
from accounts.reports.snapshots import build_balance_snapshots, report_figures, stale_from, verify_balance_snapshots
from accounts.tasks import build_balance_snapshots as build_task
from accounts.tests.builders import BALANCE_SHEET, TRIAL_BALANCE, moment, open_books, pay_due, put_in
from contacts.services import contact_update
from contacts.tests.helpers import body
from core.dates import day_bounds
from ledger.models import Transaction, TransactionPayment
from ledger.services.payments import payment_delete
from ledger.services.sells import sell_delete
from ledger.tests.builders import cash, make_customer, make_ledger_discount, make_product, make_purchase, make_sell

JULY = moment(2026, 7, 15)


@pytest.fixture
def books(business, admin_user):
    """Open books (accounts opened 1 Jan 2026) with a sell, purchases and payments in January to May."""
    books = open_books(business, admin_user)
    b, u = business, admin_user
    books.service = make_product(b, u, name="Service", enable_stock=False, purchase_price="1", sell_price="1")
    books.sells = [
        make_sell(
            b,
            u,
            customer=books.customer,
            location=books.shop if month % 2 else books.depot,
            lines=[(books.service, "1", str(10 * month))],
            payments=[cash("3.3333", paid_on=moment(2026, month, 20), account=books.till)],
            transaction_date=moment(2026, month, 15),
        )
        for month in range(1, 6)
    ]
    make_purchase(
        b,
        u,
        supplier=books.supplier,
        location=books.depot,
        lines=[(books.service, "2", "7.25")],
        transaction_date=moment(2026, 3, 2),
    )
    put_in(b, u, books.vault, "12.3456", when=moment(2026, 4, 30, 23, 59))
    return books


def full(books, before, location=None):
    return report_figures(books.business, before, location, use_snapshots=False)


def through_snapshots(books, before, location=None):
    return report_figures(books.business, before, location)


def same(a, b) -> bool:
    nonzero = lambda totals: {k: v for k, v in totals.items() if v}  # noqa: E731
    return (a.customer_due, a.supplier_due, nonzero(a.account_totals)) == (
        b.customer_due,
        b.supplier_due,
        nonzero(b.account_totals),
    )


def end_of(books, day: datetime.date):
    return day_bounds(books.business, day, day)[1]


def test_a_build_writes_every_ended_month_and_reports_read_them(books):
    result = build_balance_snapshots(books.business, now=JULY)
    locations = 1 + books.business.locations.count()
    assert result.written == 6 * locations  # January to June, for the business and each location
    assert result.through == datetime.date(2026, 6, 30)
    for day in (datetime.date(2026, 3, 31), datetime.date(2026, 4, 30), datetime.date(2026, 5, 17)):
        for location in (None, books.shop.pk, books.depot.pk):
            figures = through_snapshots(books, end_of(books, day), location)
            last_month_end = day.replace(day=1) - datetime.timedelta(days=1)
            assert figures.as_of == (day if day.month != (day + datetime.timedelta(days=1)).month else last_month_end)
            assert same(figures, full(books, end_of(books, day), location))
    assert verify_balance_snapshots(books.business) == []


def test_before_the_first_snapshot_the_report_computes_everything(books):
    build_balance_snapshots(books.business, now=JULY)
    figures = through_snapshots(books, end_of(books, datetime.date(2026, 1, 20)))
    assert figures.as_of is None
    assert same(figures, full(books, end_of(books, datetime.date(2026, 1, 20))))


@pytest.mark.parametrize("report", [BALANCE_SHEET, TRIAL_BALANCE])
def test_the_reports_say_which_snapshot_they_read(api, books, report):
    build_balance_snapshots(books.business, now=JULY)
    response = api.get(f"{report}?end_date=2026-05-17")
    assert response.status_code == 200
    payload = body(response)
    assert payload["meta"] == {"as_of_snapshot": "2026-04-30"}
    BalanceSnapshot.objects.all().delete()
    again = body(api.get(f"{report}?end_date=2026-05-17"))
    assert again["meta"] == {"as_of_snapshot": None}
    assert again["data"] == payload["data"]


def _backdated_writes(books):
    """Each write that changes a balance, dated in February (before the snapshots of February to June)."""
    b, u = books.business, books.user
    feb = moment(2026, 2, 10)
    return {
        "sell": lambda: make_sell(
            b, u, customer=books.customer, location=books.shop, lines=[(books.service, "1", "5")], transaction_date=feb
        ),
        "purchase": lambda: make_purchase(
            b, u, supplier=books.supplier, location=books.depot, lines=[(books.service, "1", "4")], transaction_date=feb
        ),
        "deposit": lambda: put_in(b, u, books.bank, "1.0001", when=feb),
        "pay due": lambda: pay_due(b, u, books.customer, "2", paid_on=feb, account=books.bank),
        "ledger discount": lambda: make_ledger_discount(b, u, books.customer, "1.5", when=feb),
        "payment delete": lambda: payment_delete(
            business=b, user=u, payment=TransactionPayment.objects.filter(transaction=books.sells[1]).get()
        ),
        "sell delete": lambda: sell_delete(business=b, user=u, sell=books.sells[1]),
        "redate": lambda: Transaction.objects.filter(pk=books.sells[3].pk).update(transaction_date=feb),
        "movement delete": lambda: AccountTransaction.objects.filter(account=books.vault).delete(),
        "contact type": lambda: contact_update(business=b, user=u, contact=books.customer, data={"type": "both"}),
    }


WRITES = [
    "sell",
    "purchase",
    "deposit",
    "pay due",
    "ledger discount",
    "payment delete",
    "sell delete",
    "redate",
    "movement delete",
    "contact type",
]


@pytest.mark.parametrize("write", WRITES)
def test_a_backdated_write_makes_the_later_snapshots_stale_at_once(books, write):
    build_balance_snapshots(books.business, now=JULY)
    _backdated_writes(books)[write]()
    stale = stale_from(books.business.pk)
    assert stale.any_dues is not None or stale.any_account is not None
    for day in (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 6, 3)):
        for location in (None, books.shop.pk, books.depot.pk):
            figures = through_snapshots(books, end_of(books, day), location)
            assert same(figures, full(books, end_of(books, day), location)), (write, day, location)
            # the dues of the whole business keep the latest snapshot for a mark that names its contact (that
            # contact alone goes back, to before its mark when there is a snapshot there); a location's go back
            dues_mark = stale.dues if location is None else stale.any_dues
            for used, mark in ((figures.dues_as_of, dues_mark), (figures.accounts_as_of, stale.accounts)):
                assert used is None or mark is None or end_of(books, used) <= mark, (write, day, location)
    assert verify_balance_snapshots(books.business) == []  # what is still valid agrees with the rows
    again = build_balance_snapshots(books.business, now=JULY)
    assert again.marks >= 1 and again.written > 0
    assert again.dropped == again.written  # the same months, written again
    assert not BalanceStaleMark.objects.filter(business=books.business).exists()
    assert verify_balance_snapshots(books.business) == []
    figures = through_snapshots(books, end_of(books, datetime.date(2026, 6, 3)))
    assert figures.as_of == datetime.date(2026, 5, 31)
    assert same(figures, full(books, end_of(books, datetime.date(2026, 6, 3))))


def test_a_write_dated_after_the_horizon_leaves_no_mark(books):
    build_balance_snapshots(books.business, now=JULY)
    assert BalanceScope.objects.get(business=books.business).horizon == end_of(books, datetime.date(2026, 6, 30))
    put_in(books.business, books.user, books.bank, "1", when=moment(2026, 7, 2))
    make_sell(
        books.business,
        books.user,
        customer=books.customer,
        location=books.shop,
        lines=[(books.service, "1", "5")],
        transaction_date=moment(2026, 7, 3),
    )
    assert not BalanceStaleMark.objects.exists()


def test_in_one_transaction_the_horizon_is_read_once_and_a_backdated_write_still_marks(
    books, django_assert_num_queries
):
    from django.db import transaction

    build_balance_snapshots(books.business, now=JULY)
    with transaction.atomic():
        put_in(books.business, books.user, books.bank, "1", when=moment(2026, 7, 2))
        with django_assert_num_queries(0):  # the horizon this transaction read is remembered
            from accounts.balance_marks import balance_rows_written

            balance_rows_written(books.business.pk, [moment(2026, 7, 9)], "accounts")
        put_in(books.business, books.user, books.bank, "1", when=moment(2026, 3, 9))
    assert list(BalanceStaleMark.objects.values_list("stale_from", "part")) == [(moment(2026, 3, 9), "accounts")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_the_next_transaction_reads_the_horizon_again(books, ending):
    """A horizon remembered by one transaction is not used by the next: between them another connection's build
    may have raised it (here: an update that bypasses this connection)."""
    from django.db import transaction

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            put_in(books.business, books.user, books.bank, "1", when=moment(2026, 3, 9))  # no scope yet: no mark
            if ending == "rollback":
                raise Abort
    except Abort:
        pass
    assert not BalanceStaleMark.objects.exists()
    BalanceScope.objects.update_or_create(business=books.business, defaults={"horizon": moment(2026, 6, 30)})
    with transaction.atomic():
        put_in(books.business, books.user, books.bank, "1", when=moment(2026, 3, 10))
    assert list(BalanceStaleMark.objects.values_list("stale_from", flat=True)) == [moment(2026, 3, 10)]


def test_a_new_contact_type_reaches_back_to_the_first_row(books):
    build_balance_snapshots(books.business, now=JULY)
    other = make_customer(books.business, type="customer", name="Other")
    contact_update(business=books.business, user=books.user, contact=other, data={"type": "both"})
    assert BalanceStaleMark.objects.get().stale_from.year == 1


def test_the_command_builds_and_verifies(books):
    out = StringIO()
    call_command("build_balance_snapshots", "--business", str(books.business.pk), "--verify", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["differences"] == {}
    (built,) = payload["businesses"]
    assert built["business_id"] == books.business.pk and built["written"] > 0
    human = StringIO()
    call_command("build_balance_snapshots", "--verify", stdout=human)
    assert "verified: no difference" in human.getvalue()
    assert "0 snapshot(s) written" in human.getvalue()


def test_verify_reports_a_snapshot_that_differs(books):
    build_balance_snapshots(books.business, now=JULY)
    BalanceSnapshot.objects.filter(business=books.business, location=None).update(customer_due=Decimal("0.0001"))
    differences = verify_balance_snapshots(books.business)
    assert differences and "dues 0.0001" in differences[0]
    with pytest.raises(SystemExit):
        call_command("build_balance_snapshots", "--business", str(books.business.pk), "--verify", stdout=StringIO())


def test_the_command_refuses_an_unknown_business(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No business with id 999999"):
        call_command("build_balance_snapshots", "--business", "999999")


def test_the_celery_task_runs_the_build(books, settings):
    payload = build_task.delay(books.business.pk).get()
    assert payload["businesses"][0]["business_id"] == books.business.pk
    assert BalanceSnapshot.objects.filter(business=books.business).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["build-balance-snapshots"]
    assert entry["task"] == "accounts.build_balance_snapshots"
    from erp.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_row_loaded_without_its_date_costs_no_query_and_still_marks_its_old_date(books, django_assert_num_queries):
    build_balance_snapshots(books.business, now=JULY)
    with django_assert_num_queries(1):
        (sell,) = Transaction.objects.only("id").filter(pk=books.sells[4].pk)
    sell.transaction_date = moment(2026, 6, 20)  # from May: the old date is the earlier one
    sell.save()
    assert BalanceStaleMark.objects.get().stale_from == moment(2026, 5, 15)


def test_bulk_writers_mark_too(books):
    from core.sql import insert_rows, insert_statements

    build_balance_snapshots(books.business, now=JULY)
    columns = ["business", "account", "type", "amount", "operation_date", "created_at"]
    when = moment(2026, 3, 3)
    insert_rows(AccountTransaction, columns, [(books.business.pk, books.bank.pk, "credit", D2, when, when)])
    assert BalanceStaleMark.objects.get().stale_from == when
    with pytest.raises(TypeError, match="insert_rows"):
        insert_statements(AccountTransaction, columns, [])
    assert same(
        through_snapshots(books, end_of(books, datetime.date(2026, 6, 3))),
        full(books, end_of(books, datetime.date(2026, 6, 3))),
    )


D2 = Decimal("2.0002")


def _listed(api):
    response = api.get("/api/v1/integration/accounts?per_page=100")
    assert response.status_code == 200
    return {row["id"]: row["balance"] for row in body(response)["data"]}


def test_the_account_list_reads_the_snapshots_with_the_same_balances(api, books):
    before = _listed(api)
    build_balance_snapshots(books.business, now=JULY)
    assert _listed(api) == before
    put_in(books.business, books.user, books.bank, "1.0001", when=moment(2026, 2, 10))  # before the snapshots
    after = _listed(api)
    assert Decimal(str(after[books.bank.pk])) == Decimal(str(before[books.bank.pk])) + Decimal("1.0001")
    assert {k: v for k, v in after.items() if k != books.bank.pk} == {
        k: v for k, v in before.items() if k != books.bank.pk
    }
    assert stale_from(books.business.pk).dues is None  # a deposit changes no due: the dues stay valid


def _balances_of_get_accounts(books) -> dict:
    from accounts.models import Account

    accounts = Account.objects.for_business(books.business)
    return dict(accounts.with_balance().values_list("id", "balance"))


def _full_balances(books) -> dict:
    from accounts.models import Account

    far = end_of(books, datetime.date(2030, 1, 1))
    return dict(Account.objects.for_business(books.business).with_balance(before=far).values_list("id", "balance"))


def test_a_backdated_movement_sends_only_its_account_back(books):
    """A deposit dated in March names its account: that account's balance reads February's snapshot plus its own
    movements since; every other account and the dues keep May's."""
    build_balance_snapshots(books.business, now=JULY)
    put_in(books.business, books.user, books.bank, "1.2345", when=moment(2026, 3, 9))

    ((part, account_id, when),) = BalanceStaleMark.objects.values_list("part", "account_id", "stale_from")
    assert (part, account_id, when) == ("accounts", books.bank.pk, moment(2026, 3, 9))
    stale = stale_from(books.business.pk)
    assert (stale.dues, stale.accounts, stale.by_account) == (None, None, {books.bank.pk: moment(2026, 3, 9)})
    june = end_of(books, datetime.date(2026, 6, 3))
    figures = through_snapshots(books, june)
    assert same(figures, full(books, june))
    assert (figures.dues_as_of, figures.accounts_as_of) == (datetime.date(2026, 5, 31), datetime.date(2026, 2, 28))
    assert _balances_of_get_accounts(books) == _full_balances(books)
    assert verify_balance_snapshots(books.business) == []  # the valid accounts of every snapshot still agree


def test_a_backdated_movement_before_the_first_snapshot_recomputes_its_account_alone(books):
    build_balance_snapshots(books.business, now=JULY)
    put_in(books.business, books.user, books.till, "3", when=moment(2025, 12, 30))

    june = end_of(books, datetime.date(2026, 6, 3))
    figures = through_snapshots(books, june)
    assert same(figures, full(books, june))
    assert figures.accounts_as_of == datetime.date(2026, 5, 31)  # no snapshot before the mark: none read for it
    assert _balances_of_get_accounts(books) == _full_balances(books)


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_movement_moved_to_another_account_marks_every_account(books, how):
    build_balance_snapshots(books.business, now=JULY)
    movement = AccountTransaction.objects.filter(account=books.vault).order_by("id").first()
    if how == "save":
        movement.account = books.safe
        movement.save()
    else:
        AccountTransaction.objects.filter(pk=movement.pk).update(account=books.safe)

    ((account_id, part),) = set(BalanceStaleMark.objects.values_list("account_id", "part"))
    assert (account_id, part) == (None, "accounts")
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))
    assert _balances_of_get_accounts(books) == _full_balances(books)


def test_a_deleted_movement_marks_its_account(books):
    build_balance_snapshots(books.business, now=JULY)
    movement = AccountTransaction.objects.filter(account=books.vault).order_by("id").first()
    AccountTransaction.objects.filter(pk=movement.pk).delete()

    assert list(BalanceStaleMark.objects.values_list("account_id", flat=True)) == [books.vault.pk]
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))
    assert _balances_of_get_accounts(books) == _full_balances(books)


def _second_customer(books):
    """Another customer with a sell in March and April (before the build)."""
    other = make_customer(books.business, type="customer", name="Second")
    for month in (3, 4):
        make_sell(
            books.business,
            books.user,
            customer=other,
            location=books.shop,
            lines=[(books.service, "1", "8.5")],
            transaction_date=moment(2026, month, 5),
        )
    return other


def test_a_build_writes_each_contacts_part_in_the_months_it_changed(books):
    other = _second_customer(books)
    build_balance_snapshots(books.business, now=JULY)
    rows = BalanceSnapshotContact.objects.filter(contact=other).order_by("snapshot__before")
    assert [(r.snapshot.period_end, r.customer_due, r.supplier_due) for r in rows] == [
        (datetime.date(2026, 3, 31), Decimal("8.5000"), Decimal("0.0000")),
        (datetime.date(2026, 4, 30), Decimal("17.0000"), Decimal("0.0000")),
    ]
    for snapshot in BalanceSnapshot.objects.filter(business=books.business, location=None):
        parts = BalanceSnapshotContact.objects.filter(
            snapshot__business=books.business, snapshot__before__lte=snapshot.before
        )
        latest = {}
        for contact_id, customer, supplier in parts.order_by("snapshot__before").values_list(
            "contact_id", "customer_due", "supplier_due"
        ):
            latest[contact_id] = (customer, supplier)
        # the parts add up to the snapshot's dues
        assert sum(c for c, _ in latest.values()) == snapshot.customer_due
        assert sum(s for _, s in latest.values()) == snapshot.supplier_due


@pytest.mark.parametrize(
    ("write", "read"),
    [
        ("sell", datetime.date(2026, 5, 31)),
        ("pay due", datetime.date(2026, 5, 31)),
        ("sell delete", datetime.date(2026, 1, 31)),
    ],
)
def test_a_backdated_write_of_one_contact_sends_only_that_contact_back(books, write, read):
    """A sell, pay-due or deleted sell dated in February names its contact; every other contact keeps May's
    snapshot, and a location's dues go back. The inserted sell and pay-due leave exact marks (the contact keeps May's
    too, plus what the marks add); the delete's plain mark sends the contact to January's plus its rows since."""
    other = _second_customer(books)
    build_balance_snapshots(books.business, now=JULY)
    _backdated_writes(books)[write]()

    assert set(BalanceStaleMark.objects.filter(part="dues").values_list("contact_id", flat=True)) == {books.customer.pk}
    stale = stale_from(books.business.pk)
    assert stale.dues is None and set(stale.by_contact) == {books.customer.pk}
    june = end_of(books, datetime.date(2026, 6, 3))
    figures = through_snapshots(books, june)
    assert same(figures, full(books, june))
    first = stale.by_contact[books.customer.pk]
    assert figures.dues_as_of == read
    shop = through_snapshots(books, june, books.shop.pk)
    assert same(shop, full(books, june, books.shop.pk))
    assert shop.dues_as_of is None or end_of(books, shop.dues_as_of) <= first
    assert verify_balance_snapshots(books.business) == []
    # every other contact's dues come from May's snapshot: a cent more in it shows in the report
    BalanceSnapshot.objects.filter(
        business=books.business, location=None, period_end=datetime.date(2026, 5, 31)
    ).update(customer_due=F("customer_due") + Decimal("0.0001"))
    assert through_snapshots(books, june).customer_due == full(books, june).customer_due + Decimal("0.0001")
    assert other.pk not in stale.by_contact


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_document_moved_to_another_contact_marks_every_contact(books, how):
    other = _second_customer(books)
    build_balance_snapshots(books.business, now=JULY)
    sell = Transaction.objects.get(pk=books.sells[1].pk)
    if how == "save":
        sell.contact = other
        sell.save()
    else:
        Transaction.objects.filter(pk=sell.pk).update(contact=other)

    assert set(BalanceStaleMark.objects.values_list("contact_id", "part")) == {(None, "dues")}
    assert stale_from(books.business.pk).dues == sell.transaction_date
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))


def test_verify_reports_a_contact_part_that_differs(books):
    build_balance_snapshots(books.business, now=JULY)
    BalanceSnapshotContact.objects.filter(
        contact=books.customer, snapshot__period_end=datetime.date(2026, 3, 31)
    ).update(customer_due=Decimal("1.0000"))
    differences = verify_balance_snapshots(books.business)
    assert any(f"contacts [{books.customer.pk}]" in d for d in differences), differences


# --- exact marks: rows inserted dated before the horizon say what they add ------------------------------------------


def _marks(books):
    return sorted(
        BalanceStaleMark.objects.filter(business=books.business, part="dues").values_list(
            "contact_id", "stale_from", "customer_delta", "supplier_delta"
        )
    )


def test_inserted_rows_leave_exact_marks_of_what_they_add(books):
    """A backdated sell adds its total to the customer's due, a purchase its total to the supplier's, a pay-due
    takes its amount off (its allocations add nothing and leave no mark), a draft sell counts for nothing."""
    build_balance_snapshots(books.business, now=JULY)
    writes = _backdated_writes(books)
    feb = moment(2026, 2, 10)
    writes["sell"]()
    writes["purchase"]()
    writes["pay due"]()
    make_sell(
        books.business,
        books.user,
        customer=books.customer,
        location=books.shop,
        lines=[(books.service, "1", "99")],
        status="draft",
        transaction_date=feb,
    )
    customer, supplier = books.customer.pk, books.supplier.pk
    assert _marks(books) == sorted(
        [
            (customer, feb, Decimal("5.0000"), Decimal("0.0000")),
            (supplier, feb, Decimal("0.0000"), Decimal("4.0000")),
            (customer, feb, Decimal("-2.0000"), Decimal("0.0000")),
        ]
    )
    stale = stale_from(books.business.pk)
    assert set(stale.exact) == {customer, supplier} and len(stale.exact_ids) == 3
    for day in (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 6, 3)):
        before = end_of(books, day)
        figures = through_snapshots(books, before)
        assert same(figures, full(books, before)), day
    assert through_snapshots(books, end_of(books, datetime.date(2026, 6, 3))).dues_as_of == datetime.date(2026, 5, 31)
    assert verify_balance_snapshots(books.business) == []


def test_the_reports_add_the_exact_marks_and_verify_checks_them(books):
    """The contact's dues are its part in May's snapshot plus its marks: a cent more in a mark shows in the report,
    and verify finds it."""
    build_balance_snapshots(books.business, now=JULY)
    _backdated_writes(books)["sell"]()
    june = end_of(books, datetime.date(2026, 6, 3))
    right = full(books, june).customer_due
    BalanceStaleMark.objects.filter(contact=books.customer).update(
        customer_delta=F("customer_delta") + Decimal("0.0001")
    )
    assert through_snapshots(books, june).customer_due == right + Decimal("0.0001")
    differences = verify_balance_snapshots(books.business)
    assert any(f"contacts [{books.customer.pk}]" in d for d in differences), differences


def test_a_plain_mark_beside_exact_ones_sends_the_contact_to_its_rows(books):
    """An exact mark in March and a plain one (a deleted sell) later: the contact reads the snapshot before its
    earliest mark, February's, plus its rows since; the exact mark is not added on top."""
    build_balance_snapshots(books.business, now=JULY)
    make_sell(
        books.business,
        books.user,
        customer=books.customer,
        location=books.shop,
        lines=[(books.service, "1", "6")],
        transaction_date=moment(2026, 3, 10),
    )
    sell_delete(business=books.business, user=books.user, sell=books.sells[3])  # April's
    stale = stale_from(books.business.pk)
    assert stale.exact == {} and stale.by_contact[books.customer.pk] == moment(2026, 3, 10)
    june = end_of(books, datetime.date(2026, 6, 3))
    figures = through_snapshots(books, june)
    assert same(figures, full(books, june))
    assert figures.dues_as_of == datetime.date(2026, 2, 28)
    assert verify_balance_snapshots(books.business) == []


def test_too_many_rows_in_one_insert_leave_a_plain_mark(books, monkeypatch):
    from accounts import balance_marks

    monkeypatch.setattr(balance_marks, "EXACT_ROWS", 0)
    build_balance_snapshots(books.business, now=JULY)
    _backdated_writes(books)["sell"]()
    assert _marks(books) == [(books.customer.pk, moment(2026, 2, 10), None, None)]
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))


def test_a_build_makes_plain_the_exact_marks_it_did_not_read(books, monkeypatch):
    """A sell committed while a build fills its months (after it read the marks) may be in what it wrote: its exact
    mark becomes plain, so the report does not count the sell twice."""
    from accounts.reports import snapshots

    build_balance_snapshots(books.business, now=JULY)
    put_in(books.business, books.user, books.bank, "1", when=moment(2026, 4, 1))  # a mark for the build to read
    fill = snapshots._fill

    def racing_fill(*args):
        _backdated_writes(books)["sell"]()
        assert _marks(books)[0][2] == Decimal("5.0000")  # exact when written
        return fill(*args)

    monkeypatch.setattr(snapshots, "_fill", racing_fill)
    build_balance_snapshots(books.business, now=JULY)
    monkeypatch.setattr(snapshots, "_fill", fill)
    assert _marks(books) == [(books.customer.pk, moment(2026, 2, 10), None, None)]
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))
    assert verify_balance_snapshots(books.business) == []


def test_a_report_overtaken_by_a_build_reads_again(books, monkeypatch):
    """A build that commits after the report read the exact marks and before it read the snapshot: the snapshot
    counts the sell already, and the marks the report holds are gone. The report sees that and reads again."""
    from accounts.reports import snapshots

    build_balance_snapshots(books.business, now=JULY)
    _backdated_writes(books)["sell"]()
    latest, reads = snapshots._latest, []

    def overtaken(*args):
        if not reads:
            build_balance_snapshots(books.business, now=JULY)
        reads.append(args)
        return latest(*args)

    monkeypatch.setattr(snapshots, "_latest", overtaken)
    june = end_of(books, datetime.date(2026, 6, 3))
    figures = through_snapshots(books, june)
    monkeypatch.setattr(snapshots, "_latest", latest)
    assert same(figures, full(books, june))
    assert len(reads) == 2  # the latest snapshot (for the dues and the accounts alike), read twice


def test_a_bulk_insert_of_payments_leaves_exact_marks_in_one_read(books, django_assert_num_queries):
    """bulk_create of two contacts' payments (one a pay-due's allocation) in a transaction: one read of what they
    add, one insert of the marks; the allocation adds nothing and leaves none."""
    from django.db import transaction

    other = _second_customer(books)
    build_balance_snapshots(books.business, now=JULY)
    sell = books.sells[0]
    parent = TransactionPayment.objects.filter(transaction=sell).get()
    feb, mar = moment(2026, 2, 11), moment(2026, 3, 12)
    common = {"business": books.business, "method": "cash"}
    rows = [
        TransactionPayment(**common, transaction=sell, payment_for=books.customer, amount=Decimal("1.1"), paid_on=feb),
        TransactionPayment(**common, transaction=sell, payment_for=other, amount=Decimal("2.2"), paid_on=mar),
        TransactionPayment(
            **common, transaction=sell, payment_for=books.customer, parent=parent, amount=1, paid_on=feb
        ),
    ]
    with transaction.atomic():
        TransactionPayment.objects.filter(pk=-1).exists()  # the transaction's first statement
        with django_assert_num_queries(4):  # the insert, the horizon, what the rows add, the marks
            TransactionPayment.objects.bulk_create(rows)
    assert _marks(books) == sorted(
        [
            (books.customer.pk, feb, Decimal("-1.1000"), Decimal("0.0000")),
            (other.pk, mar, Decimal("-2.2000"), Decimal("0.0000")),
        ]
    )
    june = end_of(books, datetime.date(2026, 6, 3))
    assert same(through_snapshots(books, june), full(books, june))
    assert through_snapshots(books, june).dues_as_of == datetime.date(2026, 5, 31)
    assert verify_balance_snapshots(books.business) == []
