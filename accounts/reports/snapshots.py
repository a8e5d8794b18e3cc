"""Balance snapshots: the balance sheet and trial balance as of a day read the latest valid month-end snapshot and
the rows after it, not all of history.

A snapshot holds what the reports' own engine computes for a moment `before` (a local midnight that starts a
month): the customer and supplier dues (ledger.contact_ledger.business_dues, for the whole business and for each
location as the location filter counts it), every account's balance (Σ credit − Σ debit of its movements) and, in
the whole business's, each contact's part of the dues (ledger.contact_ledger.dues_by_contact; a row in the months
it changed). A month's snapshot is the previous one plus the same engine's sums over that month, so a build reads
each row once.

A stale mark names an account or a contact when its write touched one: the whole-business figures then keep the
latest snapshot for everything else, and only that account's balance, or that contact's dues, is read from the
latest snapshot before its mark plus its rows since (all its rows when there is none). The location snapshots keep
one scope for the dues: any dues mark sends them back to the latest snapshot before it.

Never stale: a write dated before the horizon leaves a stale mark (accounts/balance_marks.py); a snapshot taken
after the earliest mark does not count. A build (1) raises the horizon to the last month end it will write and
commits, (2) waits until every transaction that was running then has ended (PostgreSQL; on SQLite the horizon
write itself waited for the one writer), so every write it cannot see from then on has read the new horizon and
marks itself, (3) in one transaction with the scope row locked: reads the marks, drops the snapshots they
invalidate, computes the missing months, writes them and deletes exactly the marks it read. A mark written while
(3) runs is not among them and keeps invalidating what (3) wrote until the next build.
"""

import datetime
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db import transaction as db
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from accounts.balance_marks import horizon_changed
from accounts.models import (
    AccountTransaction,
    BalanceScope,
    BalanceSnapshot,
    BalanceSnapshotAccount,
    BalanceSnapshotContact,
    BalanceStaleMark,
)
from accounts.querysets import SIGNED
from core.dates import business_zone, day_bounds
from core.models import BusinessLocation
from core.money import WIRE_QUANTUM, db_decimal
from ledger.contact_ledger import business_dues, dues_by_contact
from ledger.models import Transaction, TransactionPayment

logger = logging.getLogger(__name__)

#: how long a build waits for the transactions running when it raised the horizon
WAIT_SECONDS = 30.0


class BuildBusy(Exception):
    """Transactions that were running when the horizon rose did not end in time: nothing was written."""


# --- months -------------------------------------------------------------------------------------------------------


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_ends(business, first: datetime.datetime, now: datetime.datetime) -> list[tuple[datetime.date, datetime]]:
    """(last day, the next local midnight) of every month from the one of `first` to the last one that has ended."""
    zone = business_zone(business)
    month = _month_start(timezone.localtime(first, zone).date())
    current = _month_start(timezone.localtime(now, zone).date())
    ends = []
    while month < current:
        last_day = _next_month(month) - datetime.timedelta(days=1)
        ends.append((last_day, day_bounds(business, last_day, last_day)[1]))
        month = _next_month(month)
    return ends


def first_moment(business) -> datetime.datetime | None:
    """The earliest date of any row that counts toward a balance (three indexed reads)."""
    moments = [
        Transaction._base_manager.filter(business=business).aggregate(m=Min("transaction_date"))["m"],
        TransactionPayment._base_manager.filter(business=business).aggregate(m=Min("paid_on"))["m"],
        AccountTransaction._base_manager.filter(business=business).aggregate(m=Min("operation_date"))["m"],
    ]
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None


# --- the engine's sums over a range ---------------------------------------------------------------------------------


def account_movements(business_id, before, since=None, account_ids=None) -> dict[int, Decimal]:
    """{account_id: Σ credit − Σ debit} of movements in [since, before): one grouped pass."""
    movements = AccountTransaction._base_manager.filter(business_id=business_id, operation_date__lt=before)
    if since is not None:
        movements = movements.filter(operation_date__gte=since)
    if account_ids is not None:
        movements = movements.filter(account_id__in=account_ids)
    rows = movements.order_by().values("account_id").annotate(total=Sum(SIGNED)).values_list("account_id", "total")
    # quantized: SQLite sums in binary floating point (PostgreSQL's numeric is exact already)
    return {account_id: db_decimal(total).quantize(WIRE_QUANTUM) for account_id, total in rows}


# --- reading -------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What the balance sheet and trial balance need as of `before`: the dues (with the location filter, if any)
    and the balance of every account with movements; `dues_as_of` and `accounts_as_of` are the snapshots each part
    read (None: full computation), `as_of` the earlier of them."""

    customer_due: Decimal
    supplier_due: Decimal
    account_totals: dict = field(default_factory=dict)
    dues_as_of: datetime.date | None = None
    accounts_as_of: datetime.date | None = None

    @property
    def as_of(self) -> datetime.date | None:
        used = [day for day in (self.dues_as_of, self.accounts_as_of) if day is not None]
        return min(used) if used else None


@dataclass
class Stale:
    """The earliest stale mark of each part of the snapshots (None: that part of every snapshot is valid), each
    split in two: `dues` for every contact's dues and `by_contact` for one contact's; `accounts` for every account's
    balance and `by_account` for one account's."""

    dues: datetime.datetime | None = None
    accounts: datetime.datetime | None = None
    by_account: dict = field(default_factory=dict)
    by_contact: dict = field(default_factory=dict)
    #: the contacts whose every mark is exact: {contact_id: [(stale_from, customer, supplier)]}, and those marks' ids
    exact: dict = field(default_factory=dict)
    exact_ids: list = field(default_factory=list)

    def gained(self, contact_id, before) -> tuple[Decimal, Decimal]:
        """What a contact's exact marks dated before `before` add to its part in a snapshot taken then."""
        return summed((c, s) for at, c, s in self.exact.get(contact_id, ()) if at < before)

    @property
    def any_account(self) -> datetime.datetime | None:
        """The earliest mark touching any account balance."""
        return _earliest(self.accounts, *self.by_account.values())

    @property
    def any_dues(self) -> datetime.datetime | None:
        """The earliest mark touching any contact's dues (the location snapshots' one scope)."""
        return _earliest(self.dues, *self.by_contact.values())


def stale_from(business_id) -> Stale:
    """One grouped read of the business's marks: a mark of `both` counts for each part, for every scope."""
    Part = BalanceStaleMark.Part
    marks = BalanceStaleMark.objects.filter(business_id=business_id)
    rows = (
        marks.order_by()
        .values_list("part", "account_id", "contact_id")
        .annotate(first=Min("stale_from"), plain=Count("pk", filter=Q(customer_delta__isnull=True)))
    )
    stale = Stale()
    exact = set()
    for part, account_id, contact_id, first, plain in rows:
        if part == Part.DUES and contact_id is not None:
            stale.by_contact[contact_id] = _earlier(stale.by_contact.get(contact_id), first)
            if not plain:
                exact.add(contact_id)
        elif part != Part.ACCOUNTS:
            stale.dues = _earlier(stale.dues, first)
        if part == Part.DUES:
            continue
        if account_id is None:
            stale.accounts = _earlier(stale.accounts, first)
        else:
            stale.by_account[account_id] = _earlier(stale.by_account.get(account_id), first)
    if exact:  # a contact with a plain mark reads its rows again: its exact marks are not needed
        held = marks.filter(part=Part.DUES, contact_id__in=exact).values_list(
            "pk", "contact_id", "stale_from", "customer_delta", "supplier_delta"
        )
        found: dict = {}
        for pk, contact_id, at, customer, supplier in held:
            found.setdefault(contact_id, []).append((pk, at, customer, supplier))
        for contact_id, rows in found.items():
            if any(customer is None for _, _, customer, _ in rows):  # made plain since the first read
                continue
            stale.exact[contact_id] = [(at, customer, supplier) for _, at, customer, supplier in rows]
            stale.exact_ids += [pk for pk, _, _, _ in rows]
    return stale


def exact_marks_held(stale: Stale) -> bool:
    """Whether every exact mark `stale` read is still there and exact: a build that committed since then consumed or
    cleared some, and the snapshots read may already count them."""
    ids = stale.exact_ids
    return not ids or BalanceStaleMark.objects.filter(pk__in=ids, customer_delta__isnull=False).count() == len(ids)


#: a contact's part of the dues with no rows: (customer_due, supplier_due)
NO_DUES = (Decimal(0), Decimal(0))


def summed(parts) -> tuple[Decimal, Decimal]:
    """(Σ customer_due, Σ supplier_due) of (customer_due, supplier_due) pairs."""
    customer = supplier = Decimal(0)
    for more_customer, more_supplier in parts:
        customer, supplier = customer + more_customer, supplier + more_supplier
    return customer, supplier


def _earliest(*moments):
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None


def _earlier(a, b):
    return b if a is None or b < a else a


def _latest(business_id, before, stale, location_id):
    snapshots = BalanceSnapshot.objects.filter(business_id=business_id, location_id=location_id, before__lte=before)
    if stale is not None:
        snapshots = snapshots.filter(before__lte=stale)
    return snapshots.order_by("-before").first()


#: reads of the snapshots a build may overtake (it consumed or cleared exact marks the read added) before the
#: report computes everything instead
EXACT_READS = 3


def report_figures(business, before, location_id=None, *, use_snapshots=True) -> Figures:
    """The latest valid snapshot at or before `before` plus the rows after it, or (none valid, or
    use_snapshots=False) everything from the beginning. Both give the same numbers to the last digit. The dues and
    the account balances each read the latest snapshot whose part is valid: a backdated deposit sends the account
    balances back to an earlier snapshot, and leaves the dues on the latest.
    Exact marks are added to snapshots a build had not seen their rows in; when a build committed while the report
    read (some of those marks are gone or plain now), the report reads again."""
    for _ in range(EXACT_READS if use_snapshots else 0):
        figures, stale = _report_figures(business, before, location_id, use_snapshots=True)
        if location_id is not None or exact_marks_held(stale):
            return figures
    return _report_figures(business, before, location_id, use_snapshots=False)[0]


def _report_figures(business, before, location_id, *, use_snapshots) -> tuple[Figures, Stale | None]:
    dues = whole = stale = None
    if use_snapshots:
        stale = stale_from(business.pk)
        dues = _latest(business.pk, before, stale.dues if location_id is None else stale.any_dues, location_id)
        whole = dues if location_id is None and stale.accounts == stale.dues else None
        whole = whole or _latest(business.pk, before, stale.accounts, None)
    dues_as_of = None
    if dues is not None:
        customer, supplier = business_dues(business, before, location_id, since=dues.before)
        customer, supplier = dues.customer_due + customer, dues.supplier_due + supplier
        dues_as_of = dues.period_end
        if location_id is None:
            more_customer, more_supplier, dues_as_of = _touched_contacts(business, dues, stale)
            customer, supplier = customer + more_customer, supplier + more_supplier
    else:
        customer, supplier = business_dues(business, before, location_id)
    accounts_as_of = None
    if whole is not None:
        totals = dict(BalanceSnapshotAccount.objects.filter(snapshot=whole).values_list("account_id", "balance"))
        for account_id, delta in account_movements(business.pk, before, since=whole.before).items():
            totals[account_id] = totals.get(account_id, Decimal(0)) + delta
        accounts_as_of = _touched_accounts(business.pk, before, whole, stale.by_account, totals)
    else:
        totals = account_movements(business.pk, before)
    figures = Figures(customer, supplier, totals, dues_as_of=dues_as_of, accounts_as_of=accounts_as_of)
    return figures, stale


def _older_snapshots(business_id, marks: dict) -> list[tuple]:
    """(pk, before, period_end) of the whole-business snapshots up to the latest of `marks`, oldest first."""
    older = BalanceSnapshot.objects.filter(business_id=business_id, location=None, before__lte=max(marks.values()))
    return list(older.order_by("before").values_list("pk", "before", "period_end"))


def _group_by_snapshot(marks: dict, older: list) -> dict:
    """{the latest of `older` at or before each mark (None: there is none): [the ids marked]}."""
    groups: dict = {}
    for scope_id, mark in marks.items():
        usable = [snapshot for snapshot in older if snapshot[1] <= mark]
        groups.setdefault(usable[-1] if usable else None, []).append(scope_id)
    return groups


def _touched_contacts(business, snapshot, stale: Stale) -> tuple[Decimal, Decimal, datetime.date]:
    """What to add to the dues read from `snapshot` (+ every row after it) so that each contact with a mark of its
    own dated before the snapshot counts its dues in the latest snapshot before its mark plus its rows since (all its
    rows when there is none), instead of its part in `snapshot` — or, when its every mark is exact, its part in
    `snapshot` plus what those marks dated before it add: (customer, supplier, the earliest snapshot read)."""
    customer, supplier = summed(stale.gained(contact_id, snapshot.before) for contact_id in stale.exact)
    touched = {
        contact_id: mark
        for contact_id, mark in stale.by_contact.items()
        if mark < snapshot.before and contact_id not in stale.exact
    }
    used = snapshot.period_end
    if not touched:
        return customer, supplier, used
    held: dict = {}  # contact id -> [(before, customer_due, supplier_due)], oldest first
    rows = BalanceSnapshotContact.objects.filter(
        contact_id__in=list(touched), snapshot__business_id=business.pk, snapshot__location=None
    ).filter(snapshot__before__lte=snapshot.before)
    for contact_id, moment, due_customer, due_supplier in rows.order_by("snapshot__before").values_list(
        "contact_id", "snapshot__before", "customer_due", "supplier_due"
    ):
        held.setdefault(contact_id, []).append((moment, due_customer, due_supplier))

    def part_in(contact_id, moment) -> tuple[Decimal, Decimal]:
        found = [(c, s) for at, c, s in held.get(contact_id, ()) if at <= moment]
        return found[-1] if found else NO_DUES

    for older, contact_ids in _group_by_snapshot(touched, _older_snapshots(business.pk, touched)).items():
        since = older[1] if older is not None else None
        moved = dues_by_contact(business, snapshot.before, since=since, contact_ids=contact_ids)
        if older is not None:
            used = min(used, older[2])
        for contact_id in contact_ids:
            then = part_in(contact_id, since) if since is not None else NO_DUES
            stored = part_in(contact_id, snapshot.before)
            more = moved.get(contact_id, NO_DUES)
            customer += then[0] - stored[0] + more[0]
            supplier += then[1] - stored[1] + more[1]
    return customer, supplier, used


def _touched_accounts(business_id, before, whole, by_account: dict, totals: dict) -> datetime.date:
    """The accounts with a mark of their own dated before `whole` get, in `totals`, their balance in the latest
    snapshot before their mark plus their movements since (all their movements when there is none): only the
    touched accounts go back. The earliest snapshot read, for `accounts_as_of`."""
    touched = {account_id: mark for account_id, mark in by_account.items() if mark < whole.before}
    if not touched:
        return whole.period_end
    used = whole.period_end
    for snapshot, account_ids in _group_by_snapshot(touched, _older_snapshots(business_id, touched)).items():
        held = {}
        if snapshot is not None:
            rows = BalanceSnapshotAccount.objects.filter(snapshot_id=snapshot[0], account_id__in=account_ids)
            held = dict(rows.values_list("account_id", "balance"))
            used = min(used, snapshot[2])
        since = snapshot[1] if snapshot is not None else None
        moved = account_movements(business_id, before, since=since, account_ids=account_ids)
        for account_id in account_ids:
            totals[account_id] = held.get(account_id, Decimal(0)) + moved.get(account_id, Decimal(0))
    return used


# --- building ------------------------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    business_id: int
    written: int = 0
    dropped: int = 0
    marks: int = 0
    through: datetime.date | None = None

    def as_dict(self) -> dict:
        through = self.through.isoformat() if self.through else None
        return {
            "business_id": self.business_id,
            "written": self.written,
            "dropped": self.dropped,
            "marks": self.marks,
            "through": through,
        }


def _raise_horizon(business, horizon) -> None:
    with db.atomic():
        scope, _ = BalanceScope.objects.select_for_update().get_or_create(business=business)
        if scope.horizon is None or scope.horizon < horizon:
            scope.horizon = horizon
            scope.save(update_fields=["horizon"])
    horizon_changed(business.pk)


def wait_for_running_writers(timeout: float = WAIT_SECONDS) -> None:
    """Wait until every transaction of this database that has written something and is running now (but this
    one) has ended. PostgreSQL: the transactions with a transaction id in pg_stat_activity (sessions of the same
    role, or any with pg_read_all_stats). SQLite needs no wait: a write excludes every other, so the horizon's
    commit already came after the last writer's."""
    if connection.vendor != "postgresql":
        return
    running_sql = (
        "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
    )
    with connection.cursor() as cursor:
        cursor.execute(running_sql)
        waiting = set(cursor.fetchall())
        deadline = time.monotonic() + timeout
        while waiting:
            time.sleep(0.005)
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is cached
            cursor.execute(running_sql)
            waiting &= set(cursor.fetchall())
            if waiting and time.monotonic() > deadline:
                raise BuildBusy(f"{len(waiting)} transaction(s) still running after {timeout:.0f} s")


def build_balance_snapshots(business, *, now=None, wait: float = WAIT_SECONDS) -> BuildResult:
    """Write the missing month-end snapshots of the business (after dropping the invalid ones)."""
    result = BuildResult(business.pk)
    now = now or timezone.now()
    first = first_moment(business)
    ends = month_ends(business, first, now) if first is not None else []
    if not ends:
        return result
    _raise_horizon(business, ends[-1][1])
    wait_for_running_writers(wait)
    with db.atomic():
        scope = BalanceScope.objects.select_for_update().get(business=business)
        marks = list(BalanceStaleMark.objects.filter(business=business).values_list("id", "stale_from"))
        result.marks = len(marks)
        if marks:
            stale = min(moment for _, moment in marks)
            _, deleted = BalanceSnapshot.objects.filter(business=business, before__gt=stale).delete()
            result.dropped = deleted.get(BalanceSnapshot._meta.label, 0)  # not their account rows
        locations = [None, *BusinessLocation.objects.for_business(business).order_by("id").values_list("pk", flat=True)]
        result.written = _fill(business, ends, locations)
        BalanceStaleMark.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
        exact_marks_cleared(business)
        scope.version += 1
        scope.built_at = timezone.now()
        scope.save(update_fields=["version", "built_at"])
    result.through = ends[-1][0]
    return result


def exact_marks_cleared(business) -> int:
    """Make plain every exact mark left (committed while the build ran, after it read the marks): the build may have
    seen their rows, so adding them to its snapshots could count them twice; a plain mark sends its contact to its
    rows instead. A mark committed after this statement belongs to rows the build did not see: it stays exact."""
    left = BalanceStaleMark.objects.filter(business=business, customer_delta__isnull=False)
    return left.update(customer_delta=None, supplier_delta=None)


def _fill(business, ends, locations) -> int:
    """Write the snapshots missing after the latest remaining one of each scope (whole business, each location)."""
    written = 0
    for location_id in locations:
        latest = BalanceSnapshot.objects.filter(business=business, location_id=location_id).order_by("-before").first()
        since = latest.before if latest else None
        customer = latest.customer_due if latest else Decimal(0)
        supplier = latest.supplier_due if latest else Decimal(0)
        whole = location_id is None
        balances = dict(latest.accounts.values_list("account_id", "balance")) if latest and whole else {}
        parts = _contact_parts(business, latest.before) if latest and whole else {}
        for last_day, before in ends:
            if since is not None and before <= since:
                continue
            if whole:
                moved = dues_by_contact(business, before, since=since)
                more_customer, more_supplier = summed(moved.values())
            else:
                more_customer, more_supplier = business_dues(business, before, location_id, since=since)
            customer, supplier = customer + more_customer, supplier + more_supplier
            snapshot = BalanceSnapshot.objects.create(
                business=business,
                location_id=location_id,
                period_end=last_day,
                before=before,
                customer_due=customer,
                supplier_due=supplier,
            )
            if whole:
                for account_id, delta in account_movements(business.pk, before, since=since).items():
                    balances[account_id] = balances.get(account_id, Decimal(0)) + delta
                BalanceSnapshotAccount.objects.bulk_create(
                    BalanceSnapshotAccount(snapshot=snapshot, account_id=account_id, balance=balance)
                    for account_id, balance in balances.items()
                )
                _write_contact_parts(snapshot, parts, moved)
            written += 1
            since = before
    return written


def _contact_parts(business, before) -> dict:
    """{contact_id: (customer_due, supplier_due)} of every contact in the whole-business snapshot of `before` (the
    latest row of each at or before it)."""
    rows = BalanceSnapshotContact.objects.filter(
        snapshot__business=business, snapshot__location=None, snapshot__before__lte=before
    )
    rows = rows.order_by("snapshot__before").values_list("contact_id", "customer_due", "supplier_due")
    return {contact_id: (customer, supplier) for contact_id, customer, supplier in rows}


def _write_contact_parts(snapshot, parts: dict, moved: dict) -> None:
    """A row for each contact whose dues changed in the snapshot's month (`parts` carried forward in place)."""
    changed = []
    for contact_id, (customer, supplier) in moved.items():
        if not customer and not supplier:
            continue
        was_customer, was_supplier = parts.get(contact_id, NO_DUES)
        parts[contact_id] = (was_customer + customer, was_supplier + supplier)
        changed.append(
            BalanceSnapshotContact(
                snapshot=snapshot,
                contact_id=contact_id,
                customer_due=parts[contact_id][0],
                supplier_due=parts[contact_id][1],
            )
        )
    BalanceSnapshotContact.objects.bulk_create(changed, batch_size=2000)


# --- verifying -----------------------------------------------------------------------------------------------------


def verify_balance_snapshots(business) -> list[str]:
    """Every valid part of every snapshot against the full computation from the beginning: the differences (there
    must be none). A contact or account with a mark of its own before a snapshot is left out of that snapshot's
    comparison (its part there is not valid), the others are compared."""
    stale = stale_from(business.pk)
    differences = []
    parts: dict = {}  # the whole-business snapshots' contact parts so far (each contact's latest row)
    for snapshot in BalanceSnapshot.objects.filter(business=business).order_by("location_id", "before"):
        where = f"{snapshot.period_end} location {snapshot.location_id or 'all'}"
        if snapshot.location_id is None:
            parts.update(
                (contact_id, (customer, supplier))
                for contact_id, customer, supplier in snapshot.contacts.values_list(
                    "contact_id", "customer_due", "supplier_due"
                )
            )
            if stale.dues is None or snapshot.before <= stale.dues:
                differences += _verify_contact_parts(business, snapshot, parts, stale, where)
        elif stale.any_dues is None or snapshot.before <= stale.any_dues:
            customer, supplier = business_dues(business, snapshot.before, snapshot.location_id)
            if (customer, supplier) != (snapshot.customer_due, snapshot.supplier_due):
                differences.append(
                    f"{where}: dues {snapshot.customer_due}/{snapshot.supplier_due}, computed {customer}/{supplier}"
                )
        if snapshot.location_id is None and (stale.accounts is None or snapshot.before <= stale.accounts):
            touched = {a for a, mark in stale.by_account.items() if mark < snapshot.before}  # not valid: not compared
            stored = {a: b for a, b in snapshot.accounts.values_list("account_id", "balance") if b and a not in touched}
            computed = {
                a: b for a, b in account_movements(business.pk, snapshot.before).items() if b and a not in touched
            }
            if stored != computed:
                differences.append(f"{where}: account balances {stored}, computed {computed}")
    return differences


def _verify_contact_parts(business, snapshot, parts: dict, stale: Stale, where: str) -> list[str]:
    """The snapshot's dues and each contact's part in them against dues_by_contact from the beginning, leaving out
    the contacts with a plain mark before it (from its totals too); a contact with only exact marks is compared with
    what they add (its part plus them must be its rows)."""
    touched = {c for c, mark in stale.by_contact.items() if mark < snapshot.before and c not in stale.exact}
    computed = {c: due for c, due in dues_by_contact(business, snapshot.before).items() if any(due)}
    gained = {contact_id: stale.gained(contact_id, snapshot.before) for contact_id in stale.exact}
    stored = dict(parts)
    for contact_id, more in gained.items():
        stored[contact_id] = summed([stored.get(contact_id, NO_DUES), more])
    stored = {c: due for c, due in stored.items() if any(due)}
    differences = []
    customer, supplier = summed([(snapshot.customer_due, snapshot.supplier_due), *gained.values()])
    for contact_id in touched:
        held = stored.pop(contact_id, NO_DUES)
        computed.pop(contact_id, None)
        customer, supplier = customer - held[0], supplier - held[1]
    total_customer, total_supplier = summed(computed.values())
    if (customer, supplier) != (total_customer, total_supplier):
        differences.append(f"{where}: dues {customer}/{supplier}, computed {total_customer}/{total_supplier}")
    if stored != computed:
        wrong = sorted(c for c in stored.keys() | computed.keys() if stored.get(c) != computed.get(c))
        differences.append(f"{where}: the dues of contacts {wrong[:20]} differ from their rows")
    return differences


def build_all(businesses) -> list[BuildResult]:
    """build_balance_snapshots for each business, one after the other (each in its own transactions)."""
    return [build_balance_snapshots(business) for business in businesses]
