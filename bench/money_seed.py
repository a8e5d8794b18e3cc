"""Seed data of the money benchmark: one business made with the project's services, a measured customer
with --documents ledger documents and --payments ledger payment rows over three years, a smaller customer
(a tenth of both: the memory comparison) and forty more customers sharing as many rows again, so every
query must filter by contact. The histories (bench/money_history.py) are COPYed in and checked against the
ledger's invariants (see bench/README.md)."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import common
from money_history import Account

SEED_VERSION = 1
START = datetime(2023, 1, 1, tzinfo=UTC)
DAYS = 1095  # 2023-01-01 to 2025-12-31
OTHERS = 40
PRODUCTS = 60
LOCATIONS = ("Main Store", "Harbour Branch")
MAIN, SMALL = ("Bench", "Wholesale"), ("Bench", "Retail")
N = "\\N"

TRANSACTION_COLUMNS = (
    "id, business_id, location_id, type, status, sub_type, payment_status, contact_id, invoice_no, ref_no, "
    "transaction_date, total_before_tax, discount_amount, shipping_charges, final_total, additional_notes, "
    "pay_term_number, pay_term_type, due_date, is_direct_sale, is_recurring, return_parent_id, created_by_id, "
    "created_at, updated_at"
)
PAYMENT_COLUMNS = (
    "id, business_id, transaction_id, parent_id, payment_for_id, amount, method, paid_on, payment_ref_no, "
    "is_return, is_advance, payment_type, due_payment_type, is_reverse, note, created_by_id, created_at, updated_at"
)
LINE_COLUMNS = "business_id, transaction_id, product_id, variation_id, quantity, unit_price, quantity_returned"


@dataclass
class MoneySeed:
    business: object
    token: str
    customer_id: int  # the measured customer
    small_id: int  # a tenth of its rows: the memory comparison
    documents: int
    payments: int
    seed_seconds: float | None = None


def marker(documents: int, payments: int) -> str:
    return f"bench-money v{SEED_VERSION} documents={documents} payments={payments}"


def money(cents: int) -> str:
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def stamp(seconds: int) -> datetime:
    return START + timedelta(seconds=seconds)


def _text(value) -> str:
    if value is None:
        return N
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def _copy(table: str, columns: str, rows) -> int:
    count = 0
    with common.raw_connection().cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = []
        for row in rows:
            buffer.append("\t".join(map(_text, row)) + "\n")
            count += 1
            if len(buffer) == 20_000:
                copy.write("".join(buffer))
                buffer.clear()
        copy.write("".join(buffer))
    return count


def _next_id(table: str) -> int:
    return common.raw_connection().execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]


def _catalog(rng, business_id: int, user_id: int, unit_id: int):
    """Products without stock tracking (a ledger reads no stock): [(product id, variation id, price cents)]."""
    product_id, variation_id, now = _next_id("inventory_product"), _next_id("inventory_variation"), START
    products, variations, catalog = [], [], []
    for i in range(PRODUCTS):
        price = rng.randrange(250, 25_000)
        products.append(
            (product_id + i, business_id, f"Bench item {i + 1:02d}", "single", f"BM{i + 1:04d}", unit_id, False, "")
            + (user_id, now, now)
        )
        variations.append(
            (variation_id + i, business_id, product_id + i, "DUMMY", f"BM{i + 1:04d}", money(price * 3 // 4))
            + (money(price), now)
        )
        catalog.append((product_id + i, variation_id + i, price))
    _copy(
        "inventory_product",
        "id, business_id, name, type, sku, unit_id, enable_stock, variation_template, created_by_id, created_at, "
        "updated_at",
        products,
    )
    _copy(
        "inventory_variation",
        "id, business_id, product_id, name, sub_sku, default_purchase_price, default_sell_price, created_at",
        variations,
    )
    return catalog


def _customer(business, admin, first: str, last: str, term: int = 0):
    from contacts.services import contact_create

    data = {"type": "customer", "contact_type": "individual", "first_name": first, "last_name": last}
    if term:
        data.update(pay_term_number=term, pay_term_type="days")
    return contact_create(business=business, user=admin, data=data)


def _number(docs, pays):
    """Ids in date order across the business, and the reference numbers the counters would have given."""
    counters = dict.fromkeys(("sell_invoice", "sell_return", "opening_balance", "sell_payment"), 0)

    def yearly(counter, prefix, seconds):
        counters[counter] += 1
        return f"{prefix}{stamp(seconds).year}/{counters[counter]:04d}"

    first = _next_id("ledger_transaction")
    for k, doc in enumerate(sorted(docs, key=lambda d: (d.seconds, d.contact, id(d)))):
        doc.id = first + k
        if doc.kind == "sell":
            counters["sell_invoice"] += 1
            doc.number = f"INV{counters['sell_invoice']:04d}"
        elif doc.kind == "sell_return":
            doc.number = yearly("sell_return", "CN", doc.seconds)
        elif doc.kind == "opening_balance":
            doc.number = yearly("opening_balance", "", doc.seconds)
    first = _next_id("ledger_transactionpayment")
    for k, pay in enumerate(sorted(pays, key=lambda p: (p.seconds, p.order))):
        pay.id = first + k
        pay.number = yearly("sell_payment", "SP", pay.seconds)
    return counters


def _rows(business_id, user_id, location_ids, docs, pays):
    def transactions():
        for d in sorted(docs, key=lambda d: d.id):
            when = stamp(d.seconds)
            location = None if d.location is None else location_ids[d.location]
            term, unit = (d.term, "days") if d.term else (None, None)
            yield (
                d.id,
                business_id,
                location,
                d.kind,
                d.status,
                d.sub_type,
                d.payment_status,
                d.contact,
                d.number if d.kind in ("sell", "sell_return") else None,
                d.number if d.kind == "opening_balance" else None,
                when,
                money(d.total),
                "0",
                "0",
                money(d.total),
                d.note,
                term,
                unit,
                stamp(d.seconds + d.term * 86400) if d.term else when,
                d.kind == "sell",
                False,
                d.parent.id if d.parent else None,
                user_id,
                when,
                when,
            )

    def payments():
        for p in sorted(pays, key=lambda p: p.id):
            when = stamp(p.seconds)
            yield (
                p.id,
                business_id,
                p.doc.id if p.doc else None,
                p.parent.id if p.parent else None,
                p.contact,
                money(p.cents),
                p.method,
                when,
                p.number,
                p.is_return,
                p.is_advance,
                p.payment_type,
                p.due_type,
                p.is_reverse,
                p.note,
                user_id,
                when,
                when,
            )

    def lines(catalog):
        for d in sorted(docs, key=lambda d: d.id):
            for product, quantity, price, returned in d.lines:
                yield (business_id, d.id, catalog[product][0], catalog[product][1], quantity, money(price), returned)

    return transactions, payments, lines


def seed(documents: int, payments: int) -> MoneySeed:
    from django.db import transaction

    from contacts.services import walk_in_customer_create
    from core.models import ReferenceCounter
    from core.services.business import business_create, location_create
    from core.services.users import user_create
    from inventory.services import unit_for

    rng = random.Random(marker(documents, payments))
    tables = ("ledger_transaction", "ledger_transactionpayment", "ledger_sellline")
    with common.Stopwatch() as watch:
        with transaction.atomic():  # committed first: bulk_load cannot alter tables with pending FK checks
            business = business_create(name=marker(documents, payments), currency_code="USD")
            admin = user_create(business=business, username="bench-money", admin=True, first_name="Bench")
            walk_in_customer_create(business=business, user=admin)
            location_ids = [location_create(business=business, name=name).pk for name in LOCATIONS]
            catalog = _catalog(rng, business.pk, admin.pk, unit_for(business, None).pk)
            main = _customer(business, admin, *MAIN, term=30)
            small = _customer(business, admin, *SMALL)
            others = [_customer(business, admin, "Customer", f"{k + 1:02d}") for k in range(OTHERS)]
        sizes = [(main, documents, payments), (small, documents // 10, payments // 10)]
        sizes += [(c, documents // OTHERS, payments // OTHERS) for c in others]
        accounts = [
            Account(rng, c.pk, documents=d, payments=p, span_days=DAYS, products=catalog, term=30 if c is main else 0)
            for c, d, p in sizes
        ]
        docs = [d for a in accounts for d in a.docs]
        pays = [p for a in accounts for p in a.pays]
        for order, pay in enumerate(pays):
            pay.order = order
        counters = _number(docs, pays)
        common.say(f"  simulated {len(docs):,} documents and {len(pays):,} payment rows in {watch.elapsed:.1f} s")
        transactions, payment_rows, line_rows = _rows(business.pk, admin.pk, location_ids, docs, pays)
        with transaction.atomic():
            with common.bulk_load(*tables):
                copied = _copy("ledger_transaction", TRANSACTION_COLUMNS, transactions())
                copied += _copy("ledger_transactionpayment", PAYMENT_COLUMNS, payment_rows())
                copied += _copy("ledger_sellline", LINE_COLUMNS, line_rows(catalog))
                common.say(f"  copied {copied:,} rows in {watch.elapsed:.1f} s; rebuilding indexes and foreign keys")
            conn = common.raw_connection()
            for account in accounts:
                conn.execute(
                    "UPDATE contacts_contact SET balance = %s WHERE id = %s", [money(account.balance), account.contact]
                )
            for ref_type, count in {**counters, "product_sku": PRODUCTS}.items():
                ReferenceCounter.objects.update_or_create(
                    business=business, ref_type=ref_type, defaults={"count": count}
                )
            for table in (
                "ledger_transaction",
                "ledger_transactionpayment",
                "inventory_product",
                "inventory_variation",
            ):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with common.Stopwatch() as vacuum:
        common.vacuum_analyze(*tables, "contacts_contact", "inventory_product", "inventory_variation")
    common.say(f"seeded in {watch.seconds:.1f} s (+ {vacuum.seconds:.1f} s VACUUM ANALYZE)")
    seeded = find_seed(documents, payments)
    seeded.seed_seconds = watch.seconds + vacuum.seconds
    return seeded


def find_seed(documents: int, payments: int) -> MoneySeed | None:
    """The kept seed for these sizes, with a fresh token; None when the database holds anything else."""
    from contacts.models import Contact
    from core.models import ApiCredential, Business, User
    from core.services.credentials import credential_issue

    business = Business.objects.filter(name=marker(documents, payments)).first()
    admin = User.objects.filter(business=business, username="bench-money").first() if business else None
    if admin is None:
        return None
    contacts = Contact.objects.for_business(business)
    main = contacts.filter(name=" ".join(MAIN)).first()
    small = contacts.filter(name=" ".join(SMALL)).first()
    if main is None or small is None:
        return None
    token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token
    return MoneySeed(business, token, main.pk, small.pk, documents, payments)


# --- invariants --------------------------------------------------------------------------------------------

PAID = "SELECT transaction_id, SUM(CASE WHEN is_return THEN -amount ELSE amount END) AS paid FROM "
PAID += "ledger_transactionpayment WHERE business_id = %(b)s AND transaction_id IS NOT NULL GROUP BY transaction_id"
PARENTS = (
    "SELECT p.id, p.payment_for_id, p.amount, COALESCE(SUM(c.amount), 0) AS allocated FROM ledger_transactionpayment p "
    "LEFT JOIN ledger_transactionpayment c ON c.parent_id = p.id WHERE p.business_id = %(b)s AND p.parent_id IS NULL "
    "AND p.transaction_id IS NULL AND p.is_advance AND NOT p.is_reverse GROUP BY p.id"
)
# Documents a pay-due payment could allocate to (a customer's: the opening balance and final sells).
SELL_SIDE = "(t.type = 'opening_balance' OR (t.type = 'sell' AND t.status = 'final'))"
INVARIANTS = {
    "payment_status != payments": f"""
        SELECT COUNT(*) FROM ledger_transaction t LEFT JOIN ({PAID}) p ON p.transaction_id = t.id
        WHERE t.business_id = %(b)s AND t.payment_status IS DISTINCT FROM CASE WHEN t.type = 'ledger_discount'
            THEN NULL WHEN COALESCE(p.paid, 0) >= t.final_total THEN 'paid' WHEN COALESCE(p.paid, 0) > 0
            THEN 'partial' ELSE 'due' END""",
    "paid > final_total": f"""
        SELECT COUNT(*) FROM ledger_transaction t JOIN ({PAID}) p ON p.transaction_id = t.id
        WHERE t.business_id = %(b)s AND p.paid > t.final_total""",
    "payments on drafts or ledger discounts": """
        SELECT COUNT(*) FROM ledger_transactionpayment p JOIN ledger_transaction t ON t.id = p.transaction_id
        WHERE p.business_id = %(b)s AND (t.type = 'ledger_discount' OR (t.type = 'sell' AND t.status <> 'final'))""",
    "payment_for != the document's contact": """
        SELECT COUNT(*) FROM ledger_transactionpayment p JOIN ledger_transaction t ON t.id = p.transaction_id
        WHERE p.business_id = %(b)s AND p.payment_for_id IS DISTINCT FROM t.contact_id""",
    "child not of a pay-due parent": """
        SELECT COUNT(*) FROM ledger_transactionpayment c JOIN ledger_transactionpayment p ON p.id = c.parent_id
        WHERE c.business_id = %(b)s AND (p.transaction_id IS NOT NULL OR p.parent_id IS NOT NULL OR NOT p.is_advance
            OR p.is_reverse OR c.transaction_id IS NULL OR c.payment_for_id <> p.payment_for_id
            OR c.payment_type IS DISTINCT FROM p.payment_type OR c.paid_on < p.paid_on)""",
    "parent allocated beyond its amount": f"SELECT COUNT(*) FROM ({PARENTS}) p WHERE p.allocated > p.amount",
    "advance balance != Σ(parent − children)": f"""
        SELECT COUNT(*) FROM contacts_contact k LEFT JOIN (SELECT payment_for_id, SUM(amount - allocated) AS free
            FROM ({PARENTS}) p GROUP BY payment_for_id) f ON f.payment_for_id = k.id
        WHERE k.business_id = %(b)s AND k.balance <> COALESCE(f.free, 0)""",
    "pay-due child on a newer document than an open one": f"""
        WITH oldest_open AS (SELECT DISTINCT ON (t.contact_id) t.contact_id, t.transaction_date, t.id
            FROM ledger_transaction t WHERE t.business_id = %(b)s AND {SELL_SIDE} AND t.payment_status <> 'paid'
            ORDER BY t.contact_id, t.transaction_date, t.id)
        SELECT COUNT(*) FROM ledger_transactionpayment c JOIN ledger_transaction t ON t.id = c.transaction_id
        JOIN oldest_open o ON o.contact_id = t.contact_id
        WHERE c.business_id = %(b)s AND c.parent_id IS NOT NULL AND c.method <> 'advance'
            AND ROW(t.transaction_date, t.id) > ROW(o.transaction_date, o.id)""",
    "sell total != Σ lines": """
        SELECT COUNT(*) FROM ledger_transaction t LEFT JOIN (SELECT transaction_id, SUM(quantity * unit_price) AS s
            FROM ledger_sellline WHERE business_id = %(b)s GROUP BY transaction_id) l ON l.transaction_id = t.id
        WHERE t.business_id = %(b)s AND t.type = 'sell' AND t.final_total IS DISTINCT FROM l.s""",
    "sell return != Σ returned × price of its sell": """
        SELECT COUNT(*) FROM ledger_transaction r JOIN ledger_transaction s ON s.id = r.return_parent_id
        LEFT JOIN (SELECT transaction_id, SUM(quantity_returned * unit_price) AS v FROM ledger_sellline
            WHERE business_id = %(b)s GROUP BY transaction_id) l ON l.transaction_id = s.id
        WHERE r.business_id = %(b)s AND r.type = 'sell_return' AND (r.final_total IS DISTINCT FROM l.v
            OR r.contact_id <> s.contact_id OR r.location_id IS DISTINCT FROM s.location_id OR s.status <> 'final')""",
    "returned quantity on a sell without a return": """
        SELECT COUNT(*) FROM ledger_sellline l WHERE l.business_id = %(b)s AND l.quantity_returned > 0
            AND NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.return_parent_id = l.transaction_id)""",
}


def invariant_violations(business_id: int) -> dict[str, int]:
    conn = common.raw_connection()
    return {name: conn.execute(sql, {"b": business_id}).fetchone()[0] for name, sql in INVARIANTS.items()}


def ledger_counts(business_id: int, contact_id: int) -> dict[str, int]:
    """The contact's ledger rows: documents that count toward dues, and parent or single-document payments."""
    conn = common.raw_connection()
    documents = conn.execute(
        "SELECT COUNT(*) FROM ledger_transaction WHERE business_id = %s AND contact_id = %s "
        "AND (type <> 'sell' OR status = 'final')",
        [business_id, contact_id],
    ).fetchone()[0]
    payments = conn.execute(
        "SELECT COUNT(*) FROM ledger_transactionpayment WHERE business_id = %s AND payment_for_id = %s "
        "AND parent_id IS NULL",
        [business_id, contact_id],
    ).fetchone()[0]
    return {"documents": documents, "payments": payments}


def seed_counts(business_id: int, contact_id: int) -> dict[str, int]:
    """Rows of the seeded business and of the measured customer, for the JSON file."""
    conn = common.raw_connection()
    where = {"b": business_id, "c": contact_id}
    queries = {
        "business_documents": "SELECT COUNT(*) FROM ledger_transaction WHERE business_id = %(b)s",
        "business_payments": "SELECT COUNT(*) FROM ledger_transactionpayment WHERE business_id = %(b)s",
        "business_sell_lines": "SELECT COUNT(*) FROM ledger_sellline WHERE business_id = %(b)s",
        "contacts": "SELECT COUNT(*) FROM contacts_contact WHERE business_id = %(b)s",
    }
    by_kind = (
        "SELECT t.type || CASE WHEN t.type = 'sell' THEN '_' || t.status ELSE '' END, COUNT(*) "
        "FROM ledger_transaction t WHERE t.business_id = %(b)s AND t.contact_id = %(c)s GROUP BY 1 ORDER BY 1"
    )
    payments = (
        "SELECT CASE WHEN parent_id IS NOT NULL AND method = 'advance' THEN 'advance_method_children' "
        "WHEN parent_id IS NOT NULL THEN 'pay_due_children' WHEN is_reverse THEN 'reverse_payments' "
        "WHEN transaction_id IS NULL THEN 'pay_due_parents' WHEN is_return THEN 'change_returns' "
        "ELSE 'single_document_payments' END, COUNT(*) FROM ledger_transactionpayment "
        "WHERE business_id = %(b)s AND payment_for_id = %(c)s GROUP BY 1 ORDER BY 1"
    )
    counts = {name: conn.execute(sql, where).fetchone()[0] for name, sql in queries.items()}
    counts["customer_documents"] = dict(conn.execute(by_kind, where).fetchall())
    counts["customer_payments"] = dict(conn.execute(payments, where).fetchall())
    return counts
