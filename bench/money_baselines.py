"""The raw SQL of the money benchmark's baselines: what a hand-written implementation sends PostgreSQL for the
same numbers and rows as GET /contacts/{id}/balance and /contacts/{id}/ledger (RULES §5–6), on Django's own
psycopg connection, with client-side binding like Django's cursors.

The ledger is one union of the contact's documents (sells only when final) and its parent or single-document
payments, each row with its debit and credit; the running balance is a window SUM over (date, documents
before payments, id). Hand-written, each arm filters on plain columns (so a period reads its index range,
not the whole contact), carries only the columns the figure needs, and the all-time totals are grouped by
the few things they depend on, then added up in Python from a dozen groups."""

from dataclasses import dataclass
from decimal import Decimal

import psycopg

ZERO = Decimal(0)
LABELS = (
    "CASE t.type WHEN 'sell' THEN 'Sell' WHEN 'purchase' THEN 'Purchase' WHEN 'sell_return' THEN 'Sell Return' "
    "WHEN 'purchase_return' THEN 'Purchase Return' WHEN 'opening_balance' THEN 'Opening Balance' "
    "WHEN 'ledger_discount' THEN CASE WHEN t.sub_type = 'sell_discount' THEN 'Sell Discount' "
    "ELSE 'Purchase Discount' END END"
)
PAYMENT_LABEL = "CASE WHEN p.is_reverse THEN 'Reverse Payment' WHEN p.is_return THEN 'Change Return' ELSE 'Payment' END"


def _sides(supplier: bool) -> tuple[str, str, str]:
    """Which document rows are debits, which payment rows are debits, which payments are on the purchase side."""
    document_debit = "(t.type IN ('sell', 'purchase_return') OR t.sub_type = 'purchase_discount'"
    document_debit += ")" if supplier else " OR t.type = 'opening_balance')"
    debit_documents = "'purchase', 'sell_return'" + (", 'opening_balance'" if supplier else "")
    payment_debit = (
        f"(p.payment_type = 'debit' OR (p.payment_type IS NULL AND (p.is_return OR d.type IN ({debit_documents}))))"
    )
    purchase_types = "'purchase', 'purchase_return'" + (", 'opening_balance'" if supplier else "")
    purchase_side = (
        "(p.due_payment_type IN ('purchase', 'purchase_return') OR "
        f"(p.due_payment_type IS NULL AND d.type IN ({purchase_types})))"
    )
    return document_debit, payment_debit, purchase_side


DOCUMENTS = "t.business_id = %(b)s AND t.contact_id = %(c)s AND (t.type <> 'sell' OR t.status = 'final')"
PAYMENTS = "p.business_id = %(b)s AND p.payment_for_id = %(c)s AND p.parent_id IS NULL"


def lines_sql(supplier: bool, *, few: bool) -> str:
    """The lines of [start, end) in ledger order with the running balance from the start of the range (add the
    brought-forward balance); the opening-balance document is folded into the opening row, not a line."""
    document_debit, payment_debit, _ = _sides(supplier)
    documents = DOCUMENTS + " AND t.type <> 'opening_balance'"
    documents += " AND t.transaction_date >= %(start)s AND t.transaction_date < %(end)s"
    payments = PAYMENTS + " AND p.paid_on >= %(start)s AND p.paid_on < %(end)s"
    if few:
        # A month's few hundred payments find their document by primary key (a nested loop); written as a join,
        # PostgreSQL's default costs pick a hash of every document of the business (~15 ms instead of ~1 ms).
        documents_of_payments = (
            "LEFT JOIN LATERAL (SELECT d.type, l.name AS location FROM ledger_transaction d LEFT JOIN "
            "core_businesslocation l ON l.id = d.location_id WHERE d.id = p.transaction_id OFFSET 0) d ON true"
        )
    else:  # all of them: one hash join
        documents_of_payments = (
            "LEFT JOIN (SELECT d.id, d.type, l.name AS location FROM ledger_transaction d LEFT JOIN "
            "core_businesslocation l ON l.id = d.location_id) d ON d.id = p.transaction_id"
        )
    union = (
        "SELECT t.transaction_date AS r_date, 0 AS r_grp, t.id AS r_id, COALESCE(t.invoice_no, t.ref_no, '') AS r_ref, "
        f"{LABELS} AS r_label, l.name AS r_location, t.payment_status AS r_payment_status, "
        f"CASE WHEN {document_debit} THEN t.final_total ELSE 0 END AS r_debit, "
        f"CASE WHEN {document_debit} THEN 0 ELSE t.final_total END AS r_credit, t.additional_notes AS r_note, "
        "t.id AS r_transaction_id, t.type AS r_transaction_type, NULL AS r_method "
        f"FROM ledger_transaction t LEFT JOIN core_businesslocation l ON l.id = t.location_id WHERE {documents} "
        "UNION ALL "
        "SELECT p.paid_on, 1, p.id, COALESCE(p.payment_ref_no, ''), "
        f"{PAYMENT_LABEL}, d.location, NULL, CASE WHEN {payment_debit} THEN p.amount ELSE 0 END, "
        f"CASE WHEN {payment_debit} THEN 0 ELSE p.amount END, p.note, p.transaction_id, d.type, p.method "
        f"FROM ledger_transactionpayment p {documents_of_payments} WHERE {payments}"
    )
    return (
        "SELECT u.*, SUM(u.r_credit - u.r_debit) OVER (ORDER BY u.r_date, u.r_grp, u.r_id "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r_running FROM ({union}) u "
        "ORDER BY u.r_date, u.r_grp, u.r_id"
    )


LINE_COLUMNS = [
    "r_date",
    "r_grp",
    "r_id",
    "r_ref",
    "r_label",
    "r_location",
    "r_payment_status",
    "r_debit",
    "r_credit",
    "r_note",
    "r_transaction_id",
    "r_transaction_type",
    "r_method",
    "r_running",
]
RUNNING = LINE_COLUMNS.index("r_running")


def totals_sql(supplier: bool) -> str:
    """All-time totals grouped by what they depend on: kind, brought forward or in the period, reverse, side."""
    document_debit, payment_debit, purchase_side = _sides(supplier)
    flags = (
        "CASE WHEN r_date < %(start)s OR (r_opening AND r_date < %(end)s) THEN 1 "
        "WHEN r_date < %(end)s THEN 2 ELSE 0 END"
    )
    union = (
        f"SELECT t.transaction_date AS r_date, t.type AS r_kind, t.type = 'opening_balance' AS r_opening, "
        f"CASE WHEN {document_debit} THEN -t.final_total ELSE t.final_total END AS r_effect, "
        "t.final_total AS r_final_total, false AS r_reverse, NULL AS r_purchase "
        f"FROM ledger_transaction t WHERE {DOCUMENTS} "
        "UNION ALL "
        f"SELECT p.paid_on, 'payment', false, CASE WHEN {payment_debit} THEN -p.amount ELSE p.amount END, p.amount, "
        f"p.is_reverse, {purchase_side} "
        f"FROM ledger_transactionpayment p LEFT JOIN ledger_transaction d ON d.id = p.transaction_id WHERE {PAYMENTS}"
    )
    return (
        f"SELECT {flags} AS r_when, r_kind, r_reverse, COALESCE(r_purchase, false), SUM(r_effect), "
        f"SUM(r_final_total) FROM ({union}) u GROUP BY 1, 2, 3, 4"
    )


@dataclass
class Totals:
    """The same numbers as ledger.contact_ledger.LedgerTotals (signed: credit − debit)."""

    brought_forward: Decimal
    closing: Decimal
    total_invoice: Decimal
    total_purchase: Decimal
    total_paid: Decimal
    total_reverse_payment: Decimal
    ledger_discount: Decimal
    all_closing: Decimal
    all_total_invoice: Decimal
    all_total_purchase: Decimal
    all_invoice_paid: Decimal
    all_purchase_paid: Decimal
    all_ledger_discount: Decimal

    @classmethod
    def of(cls, groups) -> "Totals":
        def total(want, when=(0, 1, 2), column=4):
            return sum((g[column] for g in groups if g[0] in when and want(g)), ZERO)

        def invoice(when):
            sold = total(lambda g: g[1] == "sell", when, 5)
            return sold - total(lambda g: g[1] == "sell_return", when, 5)

        def purchased(when):
            bought = total(lambda g: g[1] == "purchase", when, 5)
            return bought - total(lambda g: g[1] == "purchase_return", when, 5)

        paid = lambda g: g[1] == "payment" and not g[2]  # noqa: E731
        return cls(
            brought_forward=total(lambda g: True, (1,)),
            closing=total(lambda g: True, (1, 2)),
            total_invoice=invoice((2,)),
            total_purchase=purchased((2,)),
            total_paid=total(paid, (2,), 5),
            total_reverse_payment=total(lambda g: g[1] == "payment" and g[2], (2,), 5),
            ledger_discount=total(lambda g: g[1] == "ledger_discount", (2,), 5),
            all_closing=total(lambda g: True),
            all_total_invoice=invoice((0, 1, 2)),
            all_total_purchase=purchased((0, 1, 2)),
            all_invoice_paid=total(lambda g: paid(g) and not g[3]),
            all_purchase_paid=-total(lambda g: paid(g) and g[3]),
            all_ledger_discount=total(lambda g: g[1] == "ledger_discount", column=5),
        )


def closing_sql(supplier: bool) -> str:
    """Σ credit − debit over the whole union: the all-time closing balance `due` is read from."""
    document_debit, payment_debit, _ = _sides(supplier)
    return (
        "SELECT SUM(e) FROM ("
        f"SELECT CASE WHEN {document_debit} THEN -t.final_total ELSE t.final_total END AS e "
        f"FROM ledger_transaction t WHERE {DOCUMENTS} "
        f"UNION ALL SELECT CASE WHEN {payment_debit} THEN -p.amount ELSE p.amount END "
        f"FROM ledger_transactionpayment p LEFT JOIN ledger_transaction d ON d.id = p.transaction_id WHERE {PAYMENTS}"
        ") u"
    )


BREAKDOWN_KINDS = ("sell", "purchase", "opening_balance", "sell_return", "purchase_return")
# What is still due on each kind of document, ledger discounts, and the advance balance. The contact's payments are
# summed per document once, in one grouped pass (payment_for is the document's contact: checked on the seed).
BREAKDOWN_SQL = (
    "SELECT "
    + ", ".join(
        f"COALESCE(SUM(GREATEST(t.final_total - COALESCE(p.paid, 0), 0)) FILTER (WHERE t.type = '{kind}'), 0)"
        for kind in BREAKDOWN_KINDS
    )
    + ", COALESCE(SUM(t.final_total) FILTER (WHERE t.type = 'ledger_discount'), 0), "
    "(SELECT balance FROM contacts_contact WHERE id = %(c)s) "
    "FROM ledger_transaction t LEFT JOIN (SELECT transaction_id, SUM(CASE WHEN is_return THEN -amount ELSE amount "
    "END) AS paid FROM ledger_transactionpayment WHERE business_id = %(b)s AND payment_for_id = %(c)s "
    f"AND transaction_id IS NOT NULL GROUP BY transaction_id) p ON p.transaction_id = t.id WHERE {DOCUMENTS}"
)
BREAKDOWN_FIELDS = (*(f"{kind}_due" for kind in BREAKDOWN_KINDS), "ledger_discount", "advance_balance")

PRODUCTS_SQL = (
    "SELECT l.id, l.transaction_id, pr.name, v.name, v.sub_sku, l.quantity, l.unit_price, l.quantity * l.unit_price "
    "FROM ledger_sellline l JOIN inventory_product pr ON pr.id = l.product_id "
    "JOIN inventory_variation v ON v.id = l.variation_id WHERE l.transaction_id = ANY(%(ids)s) ORDER BY l.id"
)
BALANCE_SQL = "SELECT balance FROM contacts_contact WHERE id = %(c)s"


def run(conn, sql: str, params: dict) -> list[tuple]:
    with psycopg.ClientCursor(conn) as cur:
        return cur.execute(sql, params, prepare=False).fetchall()


def mogrify(conn, sql: str, params: dict) -> str:
    with psycopg.ClientCursor(conn) as cur:
        return cur.mogrify(sql, params)


def balance(conn, params: dict, supplier: bool = False) -> dict:
    """GET /contacts/{id}/balance by hand: the closing balance and the breakdown."""
    closing = run(conn, closing_sql(supplier), params)[0][0] or ZERO
    parts = dict(zip(BREAKDOWN_FIELDS, run(conn, BREAKDOWN_SQL, params)[0], strict=True))
    return {"due": closing if supplier else -closing, **parts}


def ledger(conn, params: dict, supplier: bool = False, *, products: bool = False):
    """GET /contacts/{id}/ledger for a period by hand: the totals, the lines with the running balance, and for
    format_3 the sells' products and the advance balance."""
    totals = Totals.of(run(conn, totals_sql(supplier), params))
    lines = run(conn, lines_sql(supplier, few=True), params)
    extra = {}
    if products:
        sells = [r[2] for r in lines if r[1] == 0 and r[11] == "sell"]
        extra["products"] = run(conn, PRODUCTS_SQL, {"ids": sells})
        extra["advance_balance"] = run(conn, BALANCE_SQL, params)[0][0]
    return totals, lines, extra


def brought_forward_sql(supplier: bool) -> str:
    """The balance brought forward alone: rows before the start, and opening balances up to the end."""
    document_debit, payment_debit, _ = _sides(supplier)
    return (
        "SELECT COALESCE(SUM(e), 0) FROM ("
        f"SELECT CASE WHEN {document_debit} THEN -t.final_total ELSE t.final_total END AS e "
        f"FROM ledger_transaction t WHERE {DOCUMENTS} AND (t.transaction_date < %(start)s OR "
        "(t.type = 'opening_balance' AND t.transaction_date < %(end)s)) "
        f"UNION ALL SELECT CASE WHEN {payment_debit} THEN -p.amount ELSE p.amount END "
        f"FROM ledger_transactionpayment p LEFT JOIN ledger_transaction d ON d.id = p.transaction_id WHERE {PAYMENTS} "
        "AND p.paid_on < %(start)s) u"
    )


def copy_sql(conn, params: dict, supplier: bool = False) -> str:
    """COPY of the lines of [start, end) with the running balance from the start, as CSV."""
    lines = lines_sql(supplier, few=False)
    return f"COPY ({mogrify(conn, lines, params)}) TO STDOUT WITH CSV"


def run_copy(conn, params: dict, supplier: bool = False, sink=None) -> tuple[Decimal, int]:
    """The csv by hand: the balance brought forward, then COPY of every line. Returns (brought forward, bytes)."""
    forward = run(conn, brought_forward_sql(supplier), params)[0][0]
    size = 0
    with conn.cursor() as cur, cur.copy(copy_sql(conn, params, supplier)) as copy:
        for block in copy:
            size += len(block)
            if sink is not None:
                sink.write(block)
    return forward, size
