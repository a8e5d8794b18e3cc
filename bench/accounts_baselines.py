"""The raw SQL of the accounts benchmark's baselines: what a hand-written implementation sends PostgreSQL for the
same numbers and rows as the account reports and an account's ledger, on Django's own psycopg connection, with
client-side binding like Django's cursors.

Dues: the contact ledger's rows (documents counting toward dues, parent and single-document payments), grouped
first by (contact type, side) in each arm, so the outer sums read a handful of groups. Account balances: one
grouped pass over the movements instead of a correlated subquery per account. Cash flow: the page's movements
first (the index in report order, LIMIT/OFFSET), then the balances brought forward to the page by one grouped
sum and the running balances by a window over the page alone."""

import psycopg

DOCUMENT_DEBIT = (
    "t.type IN ('sell', 'purchase_return') OR (t.type = 'ledger_discount' AND t.sub_type = 'purchase_discount') "
    "OR (t.type = 'opening_balance' AND c.type <> 'supplier')"
)
DOCUMENT_CREDIT = (
    "t.type IN ('purchase', 'sell_return') OR (t.type = 'ledger_discount' AND t.sub_type = 'sell_discount') "
    "OR (t.type = 'opening_balance' AND c.type = 'supplier')"
)
DOCUMENT_PURCHASE = (
    "t.type IN ('purchase', 'purchase_return') OR t.sub_type = 'purchase_discount' "
    "OR (t.type = 'opening_balance' AND c.type = 'supplier')"
)
SUPPLIER_OPENING = "(d.type = 'opening_balance' AND c.type = 'supplier')"
PAYMENT_DEBIT = (
    "p.payment_type = 'debit' OR (p.payment_type IS NULL AND (p.is_return OR d.type IN ('purchase', 'sell_return') "
    f"OR {SUPPLIER_OPENING}))"
)
PAYMENT_PURCHASE = (
    "p.due_payment_type IN ('purchase', 'purchase_return') OR (p.due_payment_type IS NULL AND "
    f"(d.type IN ('purchase', 'purchase_return') OR {SUPPLIER_OPENING}))"
)
# effect = credit − debit; customer_due = −Σ effect on the customer side, supplier_due = Σ effect on the supplier's.
DUES_SQL = (
    "SELECT COALESCE(-SUM(g.effect) FILTER (WHERE g.ct = 'customer' OR (g.ct = 'both' AND NOT g.purchase)), 0), "
    "COALESCE(SUM(g.effect) FILTER (WHERE g.ct = 'supplier' OR (g.ct = 'both' AND g.purchase)), 0) FROM ("
    f"SELECT c.type AS ct, COALESCE({DOCUMENT_PURCHASE}, false) AS purchase, "
    f"SUM(CASE WHEN {DOCUMENT_DEBIT} THEN -t.final_total WHEN {DOCUMENT_CREDIT} THEN t.final_total ELSE 0 END) "
    "AS effect FROM ledger_transaction t JOIN contacts_contact c ON c.id = t.contact_id "
    "WHERE t.business_id = %(b)s AND t.transaction_date < %(before)s AND (t.type <> 'sell' OR t.status = 'final') "
    "GROUP BY 1, 2 "
    "UNION ALL "
    f"SELECT c.type, COALESCE({PAYMENT_PURCHASE}, false), "
    f"SUM(CASE WHEN {PAYMENT_DEBIT} THEN -p.amount ELSE p.amount END) "
    "FROM ledger_transactionpayment p JOIN contacts_contact c ON c.id = p.payment_for_id "
    "LEFT JOIN ledger_transaction d ON d.id = p.transaction_id "
    "WHERE p.business_id = %(b)s AND p.parent_id IS NULL AND p.paid_on < %(before)s GROUP BY 1, 2) g"
)
ACCOUNTS_SQL = (
    "SELECT a.id, a.name, a.account_number, COALESCE(m.balance, 0) FROM accounts_account a LEFT JOIN ("
    "SELECT account_id, SUM(CASE WHEN type = 'debit' THEN -amount ELSE amount END) AS balance "
    "FROM accounts_accounttransaction WHERE business_id = %(b)s AND operation_date < %(before)s GROUP BY account_id"
    ") m ON m.account_id = a.id WHERE a.business_id = %(b)s ORDER BY a.name, a.id"
)
CLOSING_STOCK_SQL = (
    "SELECT COALESCE(SUM((pl.quantity - pl.quantity_sold - pl.quantity_returned) * pl.purchase_price), 0) "
    "FROM ledger_purchaseline pl JOIN ledger_transaction t ON t.id = pl.transaction_id "
    "WHERE pl.business_id = %(b)s AND pl.is_received AND t.transaction_date < %(before)s"
)

SIGNED = "CASE WHEN m.type = 'debit' THEN -m.amount ELSE m.amount END"
SELECTED = "m.business_id = %(b)s AND m.account_id = ANY(%(accounts)s::bigint[])"  # as int2[], a slower plan
CASH_FLOW_COUNT_SQL = f"SELECT COUNT(*) FROM accounts_accounttransaction m WHERE {SELECTED}"
CASH_FLOW_COLUMNS = (
    "t.id, t.account_id, a.name AS account_name, t.type, t.sub_type, t.amount, t.operation_date, "
    "p.id AS payment_id, p.method, p.payment_ref_no, p.is_return, p.is_advance, p.transaction_id, "
    "p.transaction_no_1, p.transaction_no_2, p.transaction_no_3, p.transaction_no_4, p.transaction_no_5, "
    "p.transaction_no_6, p.transaction_no_7, c.name AS contact_name, c.type AS contact_type, "
    "c.supplier_business_name, u.first_name, u.last_name, u.username, t.account_balance_after, "
    "t.combined_balance_after"
)
# The page with its running sums within the page; the balances brought forward to it are added from BROUGHT_SQL
# (sent with the page's first key as literals: planned from a CTE, the grouped sum took a slower bitmap plan).
CASH_FLOW_PAGE_SQL = (
    "WITH page AS MATERIALIZED (SELECT m.id, m.account_id, m.type, m.sub_type, m.amount, m.operation_date, "
    f"m.created_by_id, {SIGNED} AS signed FROM accounts_accounttransaction m WHERE {SELECTED} "
    "ORDER BY m.operation_date, m.id LIMIT %(limit)s OFFSET %(offset)s), "
    "t AS (SELECT page.*, SUM(page.signed) OVER (PARTITION BY page.account_id ORDER BY page.operation_date, page.id "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS account_balance_after, SUM(page.signed) OVER (ORDER BY "
    "page.operation_date, page.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS combined_balance_after "
    "FROM page) "
    f"SELECT {CASH_FLOW_COLUMNS} FROM t JOIN accounts_account a ON a.id = t.account_id "
    "LEFT JOIN ledger_transactionpayment p ON p.account_transaction_id = t.id "
    "LEFT JOIN contacts_contact c ON c.id = p.payment_for_id LEFT JOIN core_user u ON u.id = t.created_by_id "
    "ORDER BY t.operation_date, t.id"
)
BROUGHT_SQL = (
    f"SELECT m.account_id, SUM({SIGNED}) FROM accounts_accounttransaction m WHERE {SELECTED} "
    "AND (m.operation_date, m.id) < (%(first_date)s, %(first_id)s) GROUP BY m.account_id"
)
RECOVERED_SQL = (
    "SELECT p.parent_id, p.amount, d.invoice_no, d.ref_no FROM ledger_transactionpayment p "
    "LEFT JOIN ledger_transaction d ON d.id = p.transaction_id WHERE p.parent_id = ANY(%(ids)s) "
    "ORDER BY p.parent_id, p.id"
)

LINE_COLUMNS = (
    "id, account_id, type, sub_type, amount, operation_date, note, transaction_id, transaction_payment_id, "
    "transfer_transaction_id, payment_ref_no, payment_method"
)
RANGE = " AND operation_date >= %(start)s AND operation_date < %(end)s"
LEDGER_COUNT_SQL = "SELECT COUNT(*) FROM accounts_accounttransaction WHERE account_id = %(account)s"
LEDGER_PAGE_SQL = (
    f"SELECT {LINE_COLUMNS} FROM accounts_accounttransaction WHERE account_id = %(account)s{{range}} "
    "ORDER BY operation_date, id LIMIT %(limit)s OFFSET %(offset)s"
)
BEGINNING_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN type = 'debit' THEN -amount ELSE amount END), 0) FROM accounts_accounttransaction "
    "WHERE account_id = %(account)s AND operation_date < %(start)s"
)


def run(conn, sql: str, params: dict) -> list[tuple]:
    with psycopg.ClientCursor(conn) as cur:
        return cur.execute(sql, params, prepare=False).fetchall()


def mogrify(conn, sql: str, params: dict) -> str:
    with psycopg.ClientCursor(conn) as cur:
        return cur.mogrify(sql, params)


def summary(conn, params: dict, *, stock: bool) -> dict:
    """The balance sheet (stock=True) or the trial balance by hand."""
    customer_due, supplier_due = run(conn, DUES_SQL, params)[0]
    out = {"customer_due": customer_due, "supplier_due": supplier_due}
    if stock:
        out["closing_stock"] = run(conn, CLOSING_STOCK_SQL, params)[0][0]
    out["accounts"] = run(conn, ACCOUNTS_SQL, params)
    return out


def summary_statements(conn, params: dict, *, stock: bool) -> list[str]:
    return [mogrify(conn, s, params) for s in (DUES_SQL, *([CLOSING_STOCK_SQL] if stock else []), ACCOUNTS_SQL)]


def cash_flow(conn, params: dict) -> tuple[int, list[tuple], list[tuple]]:
    """A page of the cash flow by hand: the total, the rows (with both balances), the allocations of its pay-due
    payments."""
    names = [c.split()[-1].split(".")[-1] for c in CASH_FLOW_COLUMNS.split(", ")]
    at = {name: names.index(name) for name in ("id", "account_id", "operation_date", "payment_id")}
    account_after, combined_after = names.index("account_balance_after"), names.index("combined_balance_after")
    total = run(conn, CASH_FLOW_COUNT_SQL, params)[0][0]
    rows = [list(r) for r in run(conn, CASH_FLOW_PAGE_SQL, params)]
    if rows:
        first = {"first_date": rows[0][at["operation_date"]], "first_id": rows[0][at["id"]]}
        brought = dict(run(conn, BROUGHT_SQL, {**params, **first}))
        combined = sum(brought.values(), 0)
        for r in rows:
            r[account_after] += brought.get(r[at["account_id"]], 0)
            r[combined_after] += combined
    recovered = run(conn, RECOVERED_SQL, {"ids": [r[at["payment_id"]] for r in rows if r[at["payment_id"]]]})
    return total, rows, recovered


def cash_flow_statements(conn, params: dict) -> list[str]:
    rows = run(conn, CASH_FLOW_PAGE_SQL, params)
    first = {"first_date": rows[0][6], "first_id": rows[0][0]} if rows else {"first_date": None, "first_id": None}
    statements = (CASH_FLOW_COUNT_SQL, CASH_FLOW_PAGE_SQL, BROUGHT_SQL)
    return [mogrify(conn, s, {**params, **first}) for s in statements]


def ledger_statements(params: dict) -> list[str]:
    ranged = "start" in params
    statements = [BEGINNING_SQL] if ranged else []
    statements += [LEDGER_COUNT_SQL + (RANGE if ranged else ""), LEDGER_PAGE_SQL.format(range=RANGE if ranged else "")]
    return statements


def ledger(conn, params: dict) -> tuple:
    """An account's ledger page by hand: (beginning balance or None, total, rows)."""
    statements = ledger_statements(params)
    beginning = run(conn, statements.pop(0), params)[0][0] if "start" in params else None
    total = run(conn, statements[0], params)[0][0]
    return beginning, total, run(conn, statements[1], params)
