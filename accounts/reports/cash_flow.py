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
WINDOWED = (
    "SELECT m.id, m.account_id, m.type, m.sub_type, m.amount, m.operation_date, m.created_by_id, "
    f"SUM({SIGNED}) OVER (PARTITION BY m.account_id ORDER BY m.operation_date, m.id "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS account_balance_after, "
    f"SUM({SIGNED}) OVER (ORDER BY m.operation_date, m.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
    "AS combined_balance_after "
    "FROM {movement} m WHERE m.business_id = %s AND m.account_id IN ({accounts})"
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


def cash_flow_sql(*, business, account_ids, filters: dict) -> tuple[str, list]:
    """`filters`: start, end (both or neither), type, location_id, today (start, end) for only_payment_recovered,
    q. Returns the FROM … WHERE part over which rows and counts are read."""
    if not account_ids:
        account_ids = [0]  # no visible account: no row
    windowed = WINDOWED.format(movement=T["movement"], accounts=", ".join(["%s"] * len(account_ids)))
    params: list = [business.pk, *account_ids]
    where = []
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
    sql = f"FROM ({windowed}) t " + JOINS.format(**T)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def count(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {sql}", params)
        return cursor.fetchone()[0]


def rows(sql: str, params: list, *, offset=None, limit=None, stream=False):
    """Raw rows (dicts) in report order, a page of them or all of them (streamed)."""
    query = f"SELECT {COLUMNS} {sql} ORDER BY t.operation_date, t.id"
    page_params = list(params)
    if limit is not None:
        query += " LIMIT %s OFFSET %s"
        page_params += [limit, offset or 0]
    cursor = connection.chunked_cursor() if stream else connection.cursor()
    with cursor:
        cursor.execute(query, page_params)
        names = [column[0] for column in cursor.description]
        while batch := cursor.fetchmany(2000):
            yield [dict(zip(names, values, strict=True)) for values in batch]


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
