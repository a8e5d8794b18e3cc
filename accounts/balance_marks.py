"""The one place where a write that changes a balance tells the balance snapshots about itself.

Three tables carry every balance the reports read: documents (ledger.Transaction), payments
(ledger.TransactionPayment) and account movements (accounts.AccountTransaction). Their models and querysets use the
two mixins below, so every ORM write — save(), delete(), QuerySet.update()/delete()/bulk_create() — and the two
bulk writers (core.bulk.bulk_insert, core.sql.insert_rows) end in `balance_rows_written(business_id, moments)`, in
the writing transaction, after the rows were written. One statement reads the business's horizon (how far
snapshots reach) and, when the write is dated before it, adds a stale mark for the part of the snapshots the row
counts toward (the dues, or the account balances): those figures of the snapshots after that moment stop counting
for the reports until the next build. A mark names the scope its row counts in — an account movement its account, a
document or payment its contact (`BalanceRow.balance_scope_field`) —: only that account's balance, or that contact's
dues, in the later snapshots stops counting (the other accounts and contacts keep the latest snapshot). A write
that moves a row to another account or contact, or touches rows of many at once without naming them, names none:
every account's, or every contact's, figures. Documents and payments inserted in a transaction leave exact marks:
they also say what the rows add to their contact's dues, and the reports add that to the latest snapshot instead of
reading the contact's rows again. Nothing is a database trigger: the same code runs on SQLite and
PostgreSQL.

Why after the write: a build raises the horizon, then waits for every transaction that was running (they have
written, so they hold a transaction id) before reading; a writer that has not read the horizon yet reads the new
one. See accounts/reports/snapshots.py for the build side.
"""

import datetime

from django.db import connection, models, transaction
from django.utils import timezone

EPOCH = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)


DUES, ACCOUNTS, BOTH = "dues", "accounts", "both"


#: an insert of more rows than this dated before the horizon leaves plain marks (one per contact), not exact ones
EXACT_ROWS = 200

_MARK_COLUMNS = "business_id, stale_from, part, account_id, contact_id, created_at"


def balance_rows_written(business_id, moments, part=BOTH, scope_id=None, *, inserted=None) -> None:
    """Mark the business's snapshots after the earliest of `moments` stale for `part` (the dues, the account
    balances or both) — only the account (account balances) or the contact (dues) `scope_id` when given — if any
    snapshot may reach there.
    Outside a transaction: one statement, an INSERT … SELECT that writes a row only when the business's horizon is
    later than the moment. Inside one, the horizon is read once (the first balance write of the transaction) and a
    mark is inserted only for a write dated before it.
    `inserted` — (model, [(pk, scope_id, moment)]) of rows just inserted, of any scopes (`scope_id` is then not
    used) — leaves a mark per scope; for documents and payments inside a transaction the marks are exact: one per
    contact and moment, with what those rows add to its dues (none for rows that add nothing), so the reports keep
    reading the latest snapshot for that contact too. A mark and its rows commit together, so a build sees both or
    neither (see `exact_marks_cleared` in accounts/reports/snapshots.py for a build racing them)."""
    moments = [m for m in moments if m is not None]
    if not moments or business_id is None:
        return
    if inserted is None:
        _plain_marks(business_id, part, {scope_id: min(moments)})
        return
    model, rows = inserted
    rows = [row for row in rows if row[2] is not None]
    if part != DUES or not connection.in_atomic_block:
        _plain_marks(business_id, part, _earliest_by_scope(rows))
        return
    with connection.cursor() as cursor:
        horizon = _transaction_horizon(cursor, business_id)
        if horizon is None or horizon <= min(moments):
            return
        back = [row for row in rows if row[2] < horizon]
        exact = _exact_marks(model, business_id, back)
        if exact is None:
            marks = [(scope, moment, None, None) for scope, moment in _earliest_by_scope(back).items()]
        else:
            marks = [(contact_id, at, customer, supplier) for (contact_id, at), (customer, supplier) in exact.items()]
        _insert_marks(cursor, business_id, part, marks)


def _mark_table() -> str:
    from accounts.models import BalanceStaleMark

    return connection.ops.quote_name(BalanceStaleMark._meta.db_table)


def _earliest_by_scope(rows) -> dict:
    """{scope_id: earliest moment} of (pk, scope_id, moment) rows."""
    return earliest_by_key(*({scope_id: moment} for _, scope_id, moment in rows))


def _mark_values(part, scope_id, moment, now) -> list:
    """stale_from, part, account_id, contact_id, created_at of a mark naming `scope_id` (None: every scope)."""
    account_id = scope_id if part == ACCOUNTS else None
    contact_id = scope_id if part == DUES else None  # a mark of both parts names neither
    return [connection.ops.adapt_datetimefield_value(moment), part, account_id, contact_id, now]


def _insert_marks(cursor, business_id, part, marks) -> None:
    """Inside a transaction: one INSERT of (scope_id, moment, customer_delta, supplier_delta) marks (the deltas None:
    a plain mark)."""
    if not marks:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())

    def money(value):
        return None if value is None else ops.adapt_decimalfield_value(value, 22, 4)

    cursor.executemany(
        f"INSERT INTO {_mark_table()} ({_MARK_COLUMNS}, customer_delta, supplier_delta) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            [business_id, *_mark_values(part, scope_id, moment, now), money(customer), money(supplier)]
            for scope_id, moment, customer, supplier in marks
        ],
    )


def _plain_marks(business_id, part, earliest: dict) -> None:
    """A mark per scope ({scope_id: earliest moment}; None: every scope) dated before the business's horizon."""
    from accounts.models import BalanceScope

    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            scope = connection.ops.quote_name(BalanceScope._meta.db_table)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            for scope_id, moment in earliest.items():
                row = _mark_values(part, scope_id, moment, now)
                cursor.execute(
                    f"INSERT INTO {_mark_table()} ({_MARK_COLUMNS}) "
                    f"SELECT business_id, %s, %s, %s, %s, %s FROM {scope} WHERE business_id = %s AND horizon > %s",
                    [*row, business_id, row[0]],
                )
            return
        horizon = _transaction_horizon(cursor, business_id)
        if horizon is not None:
            marks = [(scope_id, moment, None, None) for scope_id, moment in earliest.items() if horizon > moment]
            _insert_marks(cursor, business_id, part, marks)


def _exact_marks(model, business_id, rows) -> dict | None:
    """{(contact_id, moment): (customer, supplier)} that the inserted (pk, contact_id, moment) rows add to the dues
    (zero sums left out), or None (too many rows, or rows without a key): plain marks then."""
    from ledger.contact_ledger import dues_of_rows

    if len(rows) > EXACT_ROWS or any(pk is None for pk, _, _ in rows):
        return None
    dated = {pk: moment for pk, _, moment in rows}
    sums: dict = {}
    for pk, (contact_id, customer, supplier) in dues_of_rows(model, business_id, list(dated)).items():
        was = sums.get((contact_id, dated[pk]), (0, 0))
        sums[(contact_id, dated[pk])] = (was[0] + customer, was[1] + supplier)
    return {key: deltas for key, deltas in sums.items() if deltas[0] or deltas[1]}


def _transaction_horizon(cursor, business_id):
    """The business's horizon as this transaction read it at its first balance write (a query only then).

    Why once is enough: the first read comes after this transaction wrote a row, so it holds a transaction id
    (PostgreSQL) or the write lock (SQLite). A build that raises the horizon after that read waits for this
    transaction to end before it reads anything (accounts/reports/snapshots.py), so it sees every later row of
    this transaction too: those rows need a mark only if they are older than the horizon read. The memo lives in
    the transaction's on-commit list, so it ends with the transaction (commit, rollback, or the rollback of the
    savepoint it was read in) and is never used by the next one."""
    from accounts.models import BalanceScope

    memo = _memo(business_id)
    for _, callback, _ in connection.run_on_commit:
        if callback is memo:
            return memo.horizon
    scope = connection.ops.quote_name(BalanceScope._meta.db_table)
    cursor.execute(f"SELECT horizon FROM {scope} WHERE business_id = %s", [business_id])
    row = cursor.fetchone()
    horizon = row[0] if row else None
    if horizon is not None and not isinstance(horizon, datetime.datetime):  # SQLite returns text
        horizon = models.DateTimeField().to_python(horizon)
    if horizon is not None and timezone.is_naive(horizon):
        horizon = timezone.make_aware(horizon, datetime.UTC)
    memo.horizon = horizon
    transaction.on_commit(memo)
    return horizon


class _HorizonMemo:
    """An on-commit entry that only carries the horizon a transaction read (calling it does nothing)."""

    horizon = None

    def __call__(self):
        pass


def _memo(business_id) -> _HorizonMemo:
    memos = connection.__dict__.setdefault("_balance_horizon_memos", {})
    if business_id not in memos:
        memos[business_id] = _HorizonMemo()
    return memos[business_id]


def horizon_changed(business_id) -> None:
    """The horizon of a business was raised in this connection (a build): this transaction reads it again."""
    memos = connection.__dict__.get("_balance_horizon_memos", {})
    memos.pop(business_id, None)


def contact_reclassified(business_id, contact_id=None) -> None:
    """A contact's type decides on which side its rows count: a change reaches back to its first row."""
    balance_rows_written(business_id, [EPOCH], DUES, contact_id)


def earliest_by_key(*groups: dict) -> dict:
    """{key: earliest moment} over dicts of {key: moment}."""
    merged: dict = {}
    for group in groups:
        for key, moment in group.items():
            if moment is not None:
                merged[key] = min(moment, merged.get(key, moment))
    return merged


def objects_written(model, objects) -> None:
    """After a bulk insert of model instances (or of rows given as instances)."""
    field = getattr(model, "balance_date_field", None)
    if field is None:
        return
    scope = f"{model.balance_scope_field}_id" if model.balance_scope_field else None
    _inserted(model, ((o.business_id, o.pk, getattr(o, scope) if scope else None, getattr(o, field)) for o in objects))


def rows_written(model, columns: list[str], rows) -> None:
    """After core.sql.insert_rows: plain tuples in `columns` order (their keys unknown: plain marks)."""
    field = getattr(model, "balance_date_field", None)
    if field is None:
        return
    business, date = columns.index("business"), columns.index(field)
    scope = columns.index(model.balance_scope_field) if model.balance_scope_field in columns else None
    _inserted(model, ((row[business], None, row[scope] if scope is not None else None, row[date]) for row in rows))


def _inserted(model, rows) -> None:
    """(business_id, pk, scope_id, moment) rows just inserted (pk None when unknown): one call per business."""
    by_business: dict = {}
    for business_id, pk, scope_id, moment in rows:
        by_business.setdefault(business_id, []).append((pk, scope_id, moment))
    for business_id, group in by_business.items():
        moments = [moment for _, _, moment in group]
        balance_rows_written(business_id, moments, model.balance_part, inserted=(model, group))


class BalanceRowQuerySet(models.QuerySet):
    """Writes through a queryset note the earliest moment they touch (before and, for update(), after)."""

    def _touched(self, *, every_scope=False) -> dict:
        """{(business_id, scope_id): earliest moment} of the rows (scope_id None: no scope, or every one)."""
        field, scope = self.model.balance_date_field, self.model.balance_scope_field
        if not scope or every_scope:
            rows = self.order_by().values_list("business_id").annotate(first=models.Min(field))
            return {(business_id, None): first for business_id, first in rows}
        rows = self.order_by().values_list("business_id", f"{scope}_id").annotate(first=models.Min(field))
        return {(business_id, scope_id): first for business_id, scope_id, first in rows}

    def update(self, **kwargs):
        if not self.model.balance_fields.intersection(kwargs):
            return super().update(**kwargs)
        scope = self.model.balance_scope_field
        touched = self._touched(every_scope=bool(scope) and bool({scope, f"{scope}_id"} & set(kwargs)))
        done = super().update(**kwargs)
        new = kwargs.get(self.model.balance_date_field)
        for (business_id, scope_id), first in touched.items():
            moments = [first, new if isinstance(new, datetime.datetime) else None]
            balance_rows_written(business_id, moments, self.model.balance_part, scope_id)
        return done

    update.alters_data = True

    def delete(self):
        touched = earliest_by_key(self._touched(), self.model.cascaded_moments(self))
        done = super().delete()
        for (business_id, scope_id), first in touched.items():
            balance_rows_written(business_id, [first], self.model.balance_part, scope_id)
        return done

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        objects_written(self.model, created)
        return created


class BalanceRow(models.Model):
    """A row that counts toward a balance: `balance_date_field` dates it; `balance_fields` change what it counts;
    `balance_part` says which snapshot figures it counts toward (documents and payments: the dues; movements: the
    account balances), so a backdated deposit leaves the dues of every snapshot valid."""

    balance_date_field: str = ""
    balance_part: str = BOTH
    balance_fields: frozenset = frozenset()
    #: the account a movement moves, or the contact whose dues a document or payment counts in: its marks name it,
    #: so the other accounts' balances and the other contacts' dues in the snapshots stay valid
    balance_scope_field: str = ""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # as loaded (never a query: a deferred date stays unknown, and save() then reads the current one)
        instance._balance_loaded = instance.__dict__.get(cls.balance_date_field)
        if cls.balance_scope_field:
            instance._balance_loaded_scope = instance.__dict__.get(f"{cls.balance_scope_field}_id")
        return instance

    def _marked_scope(self, *, unknown_is_same: bool):
        """The account or contact this row's mark names: its own, or None (every one) when the row has none, or
        moved to another one since it was loaded (or was never loaded, unless `unknown_is_same`)."""
        if not self.balance_scope_field:
            return None
        scope = getattr(self, f"{self.balance_scope_field}_id")
        was = getattr(self, "_balance_loaded_scope", scope if unknown_is_same else None)
        return scope if was == scope else None

    @classmethod
    def cascaded_moments(cls, queryset) -> dict:
        """{(business_id, scope_id): earliest moment} of rows that deleting `queryset` deletes with it (none by
        default)."""
        return {}

    @classmethod
    def objects_inserted(cls, objects) -> None:
        objects_written(cls, objects)

    @classmethod
    def rows_inserted(cls, columns, rows) -> None:
        rows_written(cls, columns, rows)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not self.balance_fields.intersection(update_fields):
            return super().save(*args, **kwargs)
        loaded = getattr(self, "_balance_loaded", None)
        if loaded is None and not self._state.adding and self.pk is not None:
            # loaded without its date (deferred): the date it had is the database's
            loaded = type(self)._base_manager.filter(pk=self.pk).values_list(self.balance_date_field, flat=True).first()
        adding = self._state.adding
        super().save(*args, **kwargs)
        moment = getattr(self, self.balance_date_field)
        scope = self._marked_scope(unknown_is_same=adding)
        inserted = (type(self), [(self.pk, scope, moment)]) if adding else None
        balance_rows_written(self.business_id, [moment, loaded], self.balance_part, scope, inserted=inserted)
        self._balance_loaded = moment
        if self.balance_scope_field:
            self._balance_loaded_scope = getattr(self, f"{self.balance_scope_field}_id")

    def delete(self, *args, **kwargs):
        cascaded = type(self).cascaded_moments(type(self)._base_manager.filter(pk=self.pk))
        moments = [getattr(self, self.balance_date_field), getattr(self, "_balance_loaded", None)]
        own = {(self.business_id, self._marked_scope(unknown_is_same=True)): min(m for m in moments if m is not None)}
        done = super().delete(*args, **kwargs)
        for (business_id, scope_id), first in earliest_by_key(own, cascaded).items():
            balance_rows_written(business_id, [first], self.balance_part, scope_id)
        return done
