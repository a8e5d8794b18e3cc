"""What the accounts benchmark checks of its seed before timing anything (invariants in SQL), and the counts it
records in the JSON file."""

import common

PAID = (
    "SELECT transaction_id, SUM(CASE WHEN is_return THEN -amount ELSE amount END) AS paid FROM "
    "ledger_transactionpayment WHERE business_id = %(b)s AND transaction_id IS NOT NULL GROUP BY transaction_id"
)
# How a payment moves its account (ledger.services.payments.document_money_side).
MONEY_SIDE = (
    "COALESCE(p.payment_type, CASE WHEN p.is_return THEN 'debit' WHEN d.type IN ('sell', 'purchase_return') "
    "THEN 'credit' WHEN d.type = 'opening_balance' AND c.type <> 'supplier' THEN 'credit' ELSE 'debit' END)"
)
INVARIANTS = {
    "payment_status != payments": f"""
        SELECT COUNT(*) FROM ledger_transaction t LEFT JOIN ({PAID}) p ON p.transaction_id = t.id
        WHERE t.business_id = %(b)s AND t.payment_status IS DISTINCT FROM CASE WHEN COALESCE(p.paid, 0) >= t.final_total
            THEN 'paid' WHEN COALESCE(p.paid, 0) > 0 THEN 'partial' ELSE 'due' END""",
    "paid > final_total": f"""
        SELECT COUNT(*) FROM ledger_transaction t JOIN ({PAID}) p ON p.transaction_id = t.id
        WHERE t.business_id = %(b)s AND p.paid > t.final_total""",
    "payment on a draft or quotation": """
        SELECT COUNT(*) FROM ledger_transactionpayment p JOIN ledger_transaction t ON t.id = p.transaction_id
        WHERE p.business_id = %(b)s AND t.type = 'sell' AND t.status <> 'final'""",
    "payment_for != the document's contact": """
        SELECT COUNT(*) FROM ledger_transactionpayment p JOIN ledger_transaction t ON t.id = p.transaction_id
        WHERE p.business_id = %(b)s AND p.payment_for_id IS DISTINCT FROM t.contact_id""",
    "child not of a pay-due parent": """
        SELECT COUNT(*) FROM ledger_transactionpayment c JOIN ledger_transactionpayment p ON p.id = c.parent_id
        WHERE c.business_id = %(b)s AND (p.transaction_id IS NOT NULL OR p.parent_id IS NOT NULL OR NOT p.is_advance
            OR c.transaction_id IS NULL OR c.payment_for_id <> p.payment_for_id OR c.paid_on <> p.paid_on
            OR c.payment_type IS DISTINCT FROM p.payment_type)""",
    "parent allocated beyond its amount": """
        SELECT COUNT(*) FROM (SELECT p.amount, SUM(c.amount) AS allocated FROM ledger_transactionpayment p
            JOIN ledger_transactionpayment c ON c.parent_id = p.id WHERE p.business_id = %(b)s GROUP BY p.id) a
        WHERE a.allocated > a.amount""",
    "advance balance != Σ(parent − children)": """
        SELECT COUNT(*) FROM contacts_contact k LEFT JOIN (
            SELECT p.payment_for_id, SUM(p.amount - COALESCE(c.allocated, 0)) AS advance
            FROM ledger_transactionpayment p LEFT JOIN (SELECT parent_id, SUM(amount) AS allocated
                FROM ledger_transactionpayment WHERE business_id = %(b)s AND parent_id IS NOT NULL GROUP BY parent_id
            ) c ON c.parent_id = p.id
            WHERE p.business_id = %(b)s AND p.parent_id IS NULL AND p.transaction_id IS NULL AND p.is_advance
            GROUP BY p.payment_for_id) a ON a.payment_for_id = k.id
        WHERE k.business_id = %(b)s AND k.balance <> COALESCE(a.advance, 0)""",
    "payment with an account but not its movement": """
        SELECT COUNT(*) FROM ledger_transactionpayment p LEFT JOIN accounts_accounttransaction m
            ON m.id = p.account_transaction_id
        WHERE p.business_id = %(b)s AND p.account_id IS NOT NULL AND (m.id IS NULL OR m.account_id <> p.account_id
            OR m.amount <> p.amount OR m.operation_date <> p.paid_on OR m.transaction_payment_id <> p.id
            OR m.payment_ref_no IS DISTINCT FROM p.payment_ref_no OR m.payment_method <> p.method
            OR m.transaction_id IS DISTINCT FROM p.transaction_id OR m.sub_type IS NOT NULL)""",
    "movement on the wrong side of its payment": f"""
        SELECT COUNT(*) FROM accounts_accounttransaction m
        JOIN ledger_transactionpayment p ON p.id = m.transaction_payment_id
        LEFT JOIN ledger_transaction d ON d.id = p.transaction_id JOIN contacts_contact c ON c.id = p.payment_for_id
        WHERE m.business_id = %(b)s AND m.type <> {MONEY_SIDE}""",
    "movement of no payment, or of an allocation": """
        SELECT COUNT(*) FROM accounts_accounttransaction m LEFT JOIN ledger_transactionpayment p
            ON p.id = m.transaction_payment_id
        WHERE m.business_id = %(b)s AND m.transaction_payment_id IS NOT NULL
            AND (p.id IS NULL OR p.account_transaction_id IS DISTINCT FROM m.id OR p.parent_id IS NOT NULL)""",
    "transfer or deposit legs not linked both ways": """
        SELECT COUNT(*) FROM accounts_accounttransaction m LEFT JOIN accounts_accounttransaction o
            ON o.id = m.transfer_transaction_id
        WHERE m.business_id = %(b)s AND (m.transfer_transaction_id IS NOT NULL OR m.sub_type = 'fund_transfer')
            AND (o.id IS NULL OR o.transfer_transaction_id <> m.id OR o.account_id = m.account_id
                OR o.amount <> m.amount OR o.type = m.type OR o.operation_date <> m.operation_date
                OR o.sub_type IS DISTINCT FROM m.sub_type OR m.sub_type NOT IN ('deposit', 'fund_transfer'))""",
    "legs of transfers not summing to zero": """
        SELECT COUNT(*) FROM (SELECT 1 FROM accounts_accounttransaction WHERE business_id = %(b)s
            AND transfer_transaction_id IS NOT NULL
            HAVING SUM(CASE WHEN type = 'debit' THEN -amount ELSE amount END) <> 0) s""",
    "closed account moved after it was closed": """
        SELECT COUNT(*) FROM accounts_accounttransaction m JOIN accounts_account a ON a.id = m.account_id
        WHERE m.business_id = %(b)s AND a.is_closed AND m.operation_date > (SELECT MAX(operation_date)
            FROM accounts_accounttransaction x WHERE x.account_id = a.id AND x.type = 'debit')""",
}


def invariant_violations(business_id: int) -> dict[str, int]:
    conn = common.raw_connection()
    return {name: conn.execute(sql, {"b": business_id}).fetchone()[0] for name, sql in INVARIANTS.items()}


def seed_counts(business_id: int) -> dict:
    """What the seed holds, for the JSON file and the README."""
    conn = common.raw_connection()
    where = {"b": business_id}

    def grouped(sql):
        return {str(k): n for k, n in conn.execute(sql, where).fetchall()}

    return {
        "account_transactions": grouped(
            "SELECT CASE WHEN transaction_payment_id IS NOT NULL THEN 'posted by a payment' "
            "WHEN transfer_transaction_id IS NOT NULL THEN sub_type || ' (linked legs)' ELSE sub_type END, COUNT(*) "
            "FROM accounts_accounttransaction WHERE business_id = %(b)s GROUP BY 1 ORDER BY 1"
        ),
        "documents": grouped(
            "SELECT type || CASE WHEN type = 'sell' THEN '_' || status ELSE '' END, COUNT(*) FROM ledger_transaction "
            "WHERE business_id = %(b)s GROUP BY 1 ORDER BY 1"
        ),
        "payments": grouped(
            "SELECT CASE WHEN parent_id IS NOT NULL THEN 'pay-due allocations' WHEN transaction_id IS NULL "
            "THEN 'pay-due parents' WHEN is_return THEN 'change returns' ELSE 'single-document payments' END "
            "|| CASE WHEN account_id IS NULL AND parent_id IS NULL THEN ' without an account' ELSE '' END, COUNT(*) "
            "FROM ledger_transactionpayment WHERE business_id = %(b)s GROUP BY 1 ORDER BY 1"
        ),
        "purchase_lines": conn.execute(
            "SELECT COUNT(*) FROM ledger_purchaseline WHERE business_id = %(b)s", where
        ).fetchone()[0],
        "contacts": grouped("SELECT type, COUNT(*) FROM contacts_contact WHERE business_id = %(b)s GROUP BY 1"),
        "accounts": conn.execute("SELECT COUNT(*) FROM accounts_account WHERE business_id = %(b)s", where).fetchone()[
            0
        ],
    }
