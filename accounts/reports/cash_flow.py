"""Cash flow (RULES §9): account movements ascending by (operation_date, id), each with the balance of its account
after it (all time) and the combined balance of the selected accounts after it, computed with window functions
before any other filter narrows the rows shown."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection

from accounts.models import Account, AccountTransaction
from contacts.models import Contact
from core.models import User
from core.sql import contains_any_sql, db_datetimes
from ledger.models import Transaction, TransactionPayment

T = {
    "movement": AccountTransaction._meta.db_table,
    "account": Account._meta.db_table,
    "payment": TransactionPayment._meta.db_table,
    "document": Transaction._meta.db_table,
    "contact": Contact._meta.db_table,
    "user": User._meta.db_table,
}
SIGNED = "CASE WHEN m.type = 'debit' THEN -m.amount ELSE m.amount END"
MOVEMENT = "m.id, m.account_id, m.type, m.sub_type, m.amount, m.operation_date, m.created_by_id"
SELECTED = "m.business_id = %s AND m.account_id IN ({accounts})"
RUNNING = (
    f"SUM({SIGNED}) OVER (PARTITION BY m.account_id ORDER BY m.operation_date, m.id "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS account_run, "
    f"SUM({SIGNED}) OVER (ORDER BY m.operation_date, m.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
    "AS combined_run"
)
# Every selected movement with its two running balances (all time): what the csv streams.
WINDOWED = (
    f"SELECT {MOVEMENT}, account_run AS account_balance_after, combined_run AS combined_balance_after FROM ("
    f"SELECT {MOVEMENT}, {RUNNING} FROM {{movement}} m WHERE {SELECTED}) m"
)
# The selected movements without balances: what a count and a page's keys need.
PLAIN = (
    f"SELECT {MOVEMENT}, NULL AS account_balance_after, NULL AS combined_balance_after "
    f"FROM {{movement}} m WHERE {SELECTED}"
)
# A page's movements with their balances: brought forward from before the page's first row (one grouped sum per
# account), plus a window over the rows from its first to its last only.
PAGE = (
    f"WITH brought AS (SELECT m.account_id, SUM({SIGNED}) AS total FROM {{movement}} m WHERE {SELECTED} "
    "AND m.operation_date <= %s AND (m.operation_date, m.id) < (%s, %s) GROUP BY m.account_id), "
    f"span AS (SELECT {MOVEMENT}, {RUNNING} FROM {{movement}} m WHERE {SELECTED} "
    "AND m.operation_date >= %s AND (m.operation_date, m.id) >= (%s, %s) "
    "AND m.operation_date <= %s AND (m.operation_date, m.id) <= (%s, %s)) "
    f"SELECT {MOVEMENT}, COALESCE(b.total, 0) + m.account_run AS account_balance_after, "
    "(SELECT COALESCE(SUM(total), 0) FROM brought) + m.combined_run AS combined_balance_after "
    "FROM span m LEFT JOIN brought b ON b.account_id = m.account_id WHERE m.id IN ({ids})"
)
COLUMNS = (
    "t.id, t.account_id, a.name AS account_name, t.type, t.sub_type, t.amount, t.operation_date, "
    "p.id AS payment_id, p.method, p.payment_ref_no, p.is_return, p.is_advance, p.transaction_id, "
    "p.transaction_no_1, p.transaction_no_2, p.transaction_no_3, p.transaction_no_4, p.transaction_no_5, "
    "p.transaction_no_6, p.transaction_no_7, c.name AS contact_name, c.type AS contact_type, "
    "c.supplier_business_name, u.first_name, u.last_name, u.username, t.account_balance_after, "
    "t.combined_balance_after"
)
JOINS = (
    "JOIN {account} a ON a.id = t.account_id "
    "LEFT JOIN {payment} p ON p.account_transaction_id = t.id "
    "LEFT JOIN {document} d ON d.id = p.transaction_id "
    "LEFT JOIN {contact} c ON c.id = p.payment_for_id "
    "LEFT JOIN {user} u ON u.id = t.created_by_id"
)
ORDER = " ORDER BY t.operation_date, t.id"


class CashFlow:
    """The cash flow of some accounts under some filters. The running balances are those of all the selected
    accounts' movements (filters narrow the rows shown, never the balances): the csv computes them with a window
    over every movement; a page finds its rows first, then computes their balances alone."""

    def __init__(self, *, business, account_ids, filters: dict):
        """`filters`: start, end (both or neither), type, location_id, today (start, end) for
        only_payment_recovered, q."""
        account_ids = list(account_ids) or [0]  # no visible account: no row
        self.accounts = ", ".join(["%s"] * len(account_ids))
        self.selected = [business.pk, *account_ids]
        self.where, self.params = self._filters(filters)
        # only the text, location and recovered-today filters read the joined tables; LEFT JOINs on unique keys
        # (and the account's own row) neither add nor drop movements, so counts and page keys can skip them
        self.joined = bool(filters.get("q") or filters.get("location_id") or filters.get("today"))

    @staticmethod
    def _filters(filters: dict) -> tuple[list[str], list]:
        where, params = [], []
        if filters.get("start") is not None:
            where.append("t.operation_date >= %s AND t.operation_date < %s")
            params += db_datetimes(filters["start"], filters["end"])
        if filters.get("type"):
            where.append("t.type = %s")
            params.append(filters["type"])
        if filters.get("location_id"):
            where.append("d.location_id = %s")
            params.append(filters["location_id"])
        if filters.get("today"):
            today_start, today_end = filters["today"]
            # recovered today: a payment made today on a document from before today, or an advance payment today
            where.append(
                "t.operation_date >= %s AND t.operation_date < %s AND p.id IS NOT NULL "
                "AND (d.transaction_date < %s OR p.is_advance = %s)"
            )
            params += [*db_datetimes(today_start, today_end, today_start), True]
        q = filters.get("q")
        if q:
            fields = (
                "a.name",
                "a.account_number",
                "p.payment_ref_no",
                "d.invoice_no",
                "d.ref_no",
                "c.name",
                "c.supplier_business_name",
                "c.contact_id",
                "c.mobile",
                "u.first_name",
                "u.last_name",
                "u.username",
                *(f"p.transaction_no_{i}" for i in range(1, 8)),
            )
            match, matching = contains_any_sql(fields, q)
            params += matching
            if q.isascii() and q.isdigit() and len(q) < 19:
                match += ["t.id = %s", "t.account_id = %s"]
                params += [int(q), int(q)]
            where.append("(" + " OR ".join(match) + ")")
        return where, params

    def _from(self, source: str, *, joins: bool) -> tuple[str, list]:
        """FROM (`source`) t [JOINS] WHERE filters; `source` takes the selected accounts' parameters first."""
        sql = f"FROM ({source.format(movement=T['movement'], accounts=self.accounts)}) t"
        if joins:
            sql += " " + JOINS.format(**T)
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        return sql, [*self.selected, *self.params]

    def count(self) -> int:
        sql, params = self._from(PLAIN, joins=self.joined)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {sql}", params)
            return cursor.fetchone()[0]

    def stream(self):
        """Every row (dicts) in report order, in batches, from a server-side cursor."""
        sql, params = self._from(WINDOWED, joins=True)
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {COLUMNS} {sql}{ORDER}", params)
            names = [column[0] for column in cursor.description]
            while batch := cursor.fetchmany(2000):
                yield [dict(zip(names, values, strict=True)) for values in batch]

    def page(self, *, offset: int, limit: int) -> list[dict]:
        """One page of rows (dicts) in report order."""
        sql, params = self._from(PLAIN, joins=self.joined)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t.operation_date, t.id {sql}{ORDER} LIMIT %s OFFSET %s", [*params, limit, offset])
            keys = cursor.fetchall()
            if not keys:
                return []
            (first_at, first_id), (last_at, last_id) = keys[0], keys[-1]
            ids = [key[1] for key in keys]
            page = PAGE.format(movement=T["movement"], accounts=self.accounts, ids=", ".join(["%s"] * len(ids)))
            page_params = [
                *self.selected,
                *(first_at, first_at, first_id),
                *self.selected,
                *(first_at, first_at, first_id, last_at, last_at, last_id),
                *ids,
            ]
            cursor.execute(f"SELECT {COLUMNS} FROM ({page}) t {JOINS.format(**T)}{ORDER}", page_params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def recovered(payment_ids) -> dict[int, tuple[Decimal, str]]:
    """For pay-due payments: what their allocations recovered and the documents they paid ("INV0001, INV0007")."""
    out = defaultdict(lambda: [Decimal(0), []])
    children = (
        TransactionPayment.objects.filter(parent_id__in=payment_ids)
        .order_by("parent_id", "id")
        .values_list("parent_id", "amount", "transaction__invoice_no", "transaction__ref_no")
    )
    for parent_id, amount, invoice_no, ref_no in children:
        out[parent_id][0] += amount
        out[parent_id][1].append(invoice_no or ref_no or "")
    return {pk: (total, ", ".join(n for n in numbers if n)) for pk, (total, numbers) in out.items()}
