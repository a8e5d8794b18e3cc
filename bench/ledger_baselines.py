"""The raw SQL of the ledger benchmark's baselines: what a hand-written implementation sends PostgreSQL for
the same rows, on Django's own psycopg connection, with client-side binding like Django's cursors; and the
sells the POST figure creates, with what each did (its FIFO links, the stock it left)."""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg


@dataclass
class PageSQL:
    """A list page: the count and the page SELECT."""

    count: str
    page: str
    params: list = field(default_factory=list)

    def run(self, conn) -> tuple[list[tuple], int]:
        with psycopg.ClientCursor(conn) as cur:
            total = cur.execute(self.count, self.params, prepare=False).fetchone()[0]
            rows = cur.execute(self.page, self.params, prepare=False).fetchall()
        return rows, total

    def statements(self) -> list[str]:
        with psycopg.ClientCursor(conn_of_django()) as cur:
            return [cur.mogrify(self.count, self.params), cur.mogrify(self.page, self.params)]


def conn_of_django():
    import common

    return common.raw_connection()


def day_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The filter's inclusive dates in the business time zone (UTC in the seed), as Django's __range sends
    them: BETWEEN first 00:00 AND the day after last, 00:00."""
    lower = datetime.datetime.combine(first, datetime.time.min, tzinfo=datetime.UTC)
    return lower, datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)


SELL_COLUMNS = (
    "t.id, t.invoice_no, t.transaction_date, t.status, t.payment_status, t.pay_term_number, t.due_date, "
    "t.contact_id, c.name, c.contact_id AS contact_code, t.location_id, l.name AS location_name, t.final_total, "
    "t.pay_term_type, t.created_by_id, t.created_at, t.is_direct_sale, t.is_recurring, t.subscription_no, "
    "t.recur_parent_id"
)
PAID = (
    "COALESCE((SELECT SUM(CASE WHEN p.is_return THEN -p.amount ELSE p.amount END) FROM ledger_transactionpayment p "
    "WHERE p.transaction_id = t.id), 0)"
)
# `IS NOT NULL` is redundant, but lets PostgreSQL read the small partial index one_return_per_document:
# without it the planner hashes every row of ledger_transaction (it sizes the EXISTS for all sells, not
# for the 100 of the page) and the page costs ~17 ms instead of ~0.5 ms at 200,000 sells.
RETURNED = (
    "EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.return_parent_id = t.id AND r.return_parent_id IS NOT NULL)"
)


# Response field -> column of the baseline row, compared row by row before timing.
SELL_CHECKED = {"final_total": 12, "total_paid": 20, "return_exists": 21, "total_due": 22}
STOCK_CHECKED = {
    "purchase_quantity": 7,
    "total_quantity_returned": 8,
    "total_quantity_sold": 9,
    "current_stock": 10,
    "stock_value": 11,
}


def sells(business_id: int, *, location_id=None, payment_status=None, dates=None, q=None, page=1, per_page=100):
    """GET /sells by hand: the count, then one page with Σ payments and 'has a return' for its rows only."""
    where, params = ["t.business_id = %s", "t.type = 'sell'"], [business_id]
    if location_id is not None:
        where.append("t.location_id = %s")
        params.append(location_id)
    if dates is not None:
        where.append("t.transaction_date BETWEEN %s AND %s")
        params += list(dates)
    if payment_status is not None:
        where.append("t.payment_status = %s")
        params.append(payment_status)
    if q is not None:
        # The contact names are matched once each (a few hundred), not once per sell through the join: the
        # page then walks txn_list_idx newest first and stops at 100 matches.
        where.append(
            "(UPPER(t.invoice_no) LIKE UPPER(%s) OR t.contact_id IN (SELECT id FROM contacts_contact "
            "WHERE business_id = %s AND UPPER(name) LIKE UPPER(%s)))"
        )
        params += [f"%{q}%", business_id, f"%{q}%"]
    condition = " AND ".join(where)
    joins = " JOIN contacts_contact c ON c.id = t.contact_id"
    page_sql = (
        f"SELECT *, final_total - total_paid AS total_due FROM (SELECT {SELL_COLUMNS}, {PAID} AS total_paid, "
        f"{RETURNED} AS return_exists FROM ledger_transaction t{joins} "
        f"LEFT JOIN core_businesslocation l ON l.id = t.location_id WHERE {condition} "
        f"ORDER BY t.transaction_date DESC, t.id DESC LIMIT {per_page} OFFSET {(page - 1) * per_page}) page "
        "ORDER BY transaction_date DESC, id DESC"
    )
    count_sql = f"SELECT COUNT(*) FROM ledger_transaction t WHERE {condition}"
    return PageSQL(count_sql, page_sql, params)


def supplier_stock(business_id: int, supplier_id: int, *, page=1, per_page=100):
    """GET /contacts/{id}/supplier-stock by hand: the supplier's received purchase lines grouped by variation,
    then named and ordered."""
    grouped = (
        "SELECT pl.variation_id, SUM(pl.quantity) AS purchase_quantity, SUM(pl.quantity_returned) AS returned, "
        "SUM(pl.quantity_sold) AS sold, SUM(pl.quantity - pl.quantity_sold - pl.quantity_returned) AS current_stock, "
        "SUM((pl.quantity - pl.quantity_sold - pl.quantity_returned) * pl.purchase_price) AS stock_value "
        "FROM ledger_purchaseline pl JOIN ledger_transaction t ON t.id = pl.transaction_id "
        "WHERE pl.business_id = %s AND t.contact_id = %s AND pl.is_received GROUP BY pl.variation_id"
    )
    page_sql = (
        f"SELECT v.id, p.name, v.name, v.sub_sku, p.variation_template, p.type, u.short_name, s.purchase_quantity, "
        f"s.returned, s.sold, s.current_stock, s.stock_value FROM ({grouped}) s "
        "JOIN inventory_variation v ON v.id = s.variation_id JOIN inventory_product p ON p.id = v.product_id "
        "JOIN inventory_unit u ON u.id = p.unit_id "
        f"ORDER BY p.name, v.name, v.id LIMIT {per_page} OFFSET {(page - 1) * per_page}"
    )
    return PageSQL(f"SELECT COUNT(*) FROM ({grouped}) s", page_sql, [business_id, supplier_id])


# --- creating a sell -------------------------------------------------------------------------------------


@dataclass
class SellSpec:
    contact_id: int
    location_id: int
    lines: list[tuple[int, int, int, "object"]]  # (variation_id, product_id, quantity, unit price)

    def body(self) -> dict:
        return {
            "contact_id": self.contact_id,
            "location_id": self.location_id,
            "status": "final",
            "lines": [{"variation_id": v, "quantity": q} for v, _, q, _ in self.lines],
        }


OLDEST_ON_HAND = """
    SELECT DISTINCT ON (pl.variation_id) pl.variation_id, pl.quantity - pl.quantity_sold - pl.quantity_returned
    FROM ledger_purchaseline pl JOIN ledger_transaction t ON t.id = pl.transaction_id
    WHERE pl.location_id = %s AND pl.is_received AND pl.quantity - pl.quantity_sold - pl.quantity_returned > 0
    ORDER BY pl.variation_id, t.transaction_date, pl.transaction_id, pl.id"""


def sell_specs(seeded, lines: int) -> list[SellSpec]:
    """Distinct sells: each takes `lines` stock-tracked variations with FIFO purchase lines on hand at the
    main store, from a rotating pool: 1 to 3 of most, and of every third line one more than its oldest
    purchase line holds (when that is under 30 and a later one holds more), so FIFO spans two purchase lines."""
    from contacts.models import Contact
    from inventory.models import VariationLocationStock

    location = seeded.location_ids[0]
    oldest = dict(conn_of_django().execute(OLDEST_ON_HAND, [location]).fetchall())
    pool = list(
        VariationLocationStock.objects.for_business(seeded.business)
        .filter(location_id=location, qty_available__gte=13, variation__product__enable_stock=True)
        .order_by("variation_id")
        .values_list("variation_id", "variation__product_id", "variation__default_sell_price", "qty_available")
    )
    customers = list(
        Contact.objects.for_business(seeded.business)
        .filter(type="customer")
        .order_by("id")
        .values_list("id", flat=True)
    )
    specs = []
    for k in range(len(pool) // lines):
        chosen = pool[k * lines : (k + 1) * lines]
        specs.append(
            SellSpec(
                customers[k % len(customers)],
                location,
                [
                    (v, p, int(oldest[v]) + 1 if i % 3 == 0 and oldest[v] < min(30, left) else 1 + (k + i) % 3, price)
                    for i, (v, p, price, left) in enumerate(chosen)
                ],
            )
        )
    if not specs:
        raise SystemExit("no variation has 13 units on hand at the main store: seed more sells")
    return specs


def sell_effect(conn, sell_id: int, spec: SellSpec):
    """What a created sell did: its FIFO mapping and the stock left of its variations."""
    mapping = conn.execute(
        "SELECT l.variation_id, m.purchase_line_id, m.quantity FROM ledger_selllinepurchaseline m "
        "JOIN ledger_sellline l ON l.id = m.sell_line_id WHERE l.transaction_id = %s ORDER BY 1, 2",
        [sell_id],
    ).fetchall()
    stock = conn.execute(
        "SELECT variation_id, qty_available FROM inventory_variationlocationstock WHERE location_id = %s "
        "AND variation_id = ANY(%s) ORDER BY 1",
        [spec.location_id, [v for v, *_ in spec.lines]],
    ).fetchall()
    return mapping, stock


COUNTER = (
    "UPDATE core_referencecounter SET count = count + 1 WHERE business_id = %s AND ref_type = 'sell_invoice' "
    "RETURNING count"
)
INSERT_SELL = (
    "INSERT INTO ledger_transaction (business_id, location_id, type, status, payment_status, contact_id, invoice_no, "
    "transaction_date, total_before_tax, discount_amount, shipping_charges, final_total, due_date, is_direct_sale, "
    "is_recurring, created_by_id, created_at, updated_at) VALUES (%s, %s, 'sell', 'final', 'due', %s, %s, %s, %s, 0, "
    "0, %s, %s, true, false, %s, %s, %s) RETURNING id"
)
INSERT_LINES = (
    "INSERT INTO ledger_sellline (business_id, transaction_id, product_id, variation_id, quantity, unit_price, "
    "quantity_returned) VALUES {} RETURNING id"
)
TAKE_STOCK = (
    "UPDATE inventory_variationlocationstock SET qty_available = qty_available - %s "
    "WHERE variation_id = %s AND location_id = %s AND qty_available >= %s"
)
FIFO = (
    "SELECT pl.id, pl.quantity - pl.quantity_sold - pl.quantity_returned FROM ledger_purchaseline pl "
    "JOIN ledger_transaction t ON t.id = pl.transaction_id WHERE pl.variation_id = %s AND pl.location_id = %s "
    "AND pl.is_received AND pl.quantity - pl.quantity_sold - pl.quantity_returned > 0 "
    "ORDER BY t.transaction_date, pl.transaction_id, pl.id FOR UPDATE OF pl"
)
INSERT_MAPPING = "INSERT INTO ledger_selllinepurchaseline (sell_line_id, purchase_line_id, quantity) VALUES {}"
MARK_SOLD = (
    "UPDATE ledger_purchaseline pl SET quantity_sold = pl.quantity_sold + v.take FROM (VALUES {}) AS v(id, take) "
    "WHERE pl.id = v.id"
)
LOG = (
    "INSERT INTO core_activity (business_id, log_name, description, event, subject_type_id, subject_id, causer_id, "
    "properties, created_at) VALUES (%s, 'default', 'added', 'created', %s, %s, %s, %s::jsonb, %s)"
)


class SellInsert:
    """POST /sells by hand, in one transaction that is rolled back: the invoice counter, the sell, its lines in
    one INSERT, a conditional stock UPDATE per line, a FIFO SELECT … FOR UPDATE per line, the mapping in one
    INSERT, quantity_sold in one UPDATE, and the activity row."""

    def __init__(self, business_id: int, user_id: int):
        from django.contrib.contenttypes.models import ContentType

        from ledger.models import Transaction

        self.business_id, self.user_id = business_id, user_id
        self.content_type = ContentType.objects.get_for_model(Transaction).pk

    def statement_count(self, spec) -> int:
        return 3 + 2 * len(spec.lines) + 3

    def statements(self, spec) -> list[str]:
        n = len(spec.lines)
        lines = INSERT_LINES.format(", ".join(["(…)"] * n))
        return [COUNTER, INSERT_SELL, lines, *[TAKE_STOCK] * n, *[FIFO] * n, INSERT_MAPPING, MARK_SOLD, LOG]

    def run(self, conn, spec, inspect=None):
        now = datetime.datetime.now(datetime.UTC)
        lines = sorted(spec.lines)  # stock rows and purchase lines locked in variation order, like the service
        total = sum((Decimal(q) * price for _, _, q, price in lines), Decimal(0)).quantize(Decimal("0.01"))
        with conn.transaction(force_rollback=True), psycopg.ClientCursor(conn) as cur:
            count = cur.execute(COUNTER, [self.business_id], prepare=False).fetchone()[0]
            sell_id = cur.execute(
                INSERT_SELL,
                [self.business_id, spec.location_id, spec.contact_id, f"INV{count:04d}", now, total, total, now]
                + [self.user_id, now, now],
                prepare=False,
            ).fetchone()[0]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, 0)"] * len(lines))
            params = [x for v, p, q, price in lines for x in (self.business_id, sell_id, p, v, q, price)]
            line_ids = [r[0] for r in cur.execute(INSERT_LINES.format(values), params, prepare=False).fetchall()]
            for v, _, q, _ in lines:
                cur.execute(TAKE_STOCK, [q, v, spec.location_id, q], prepare=False)
                assert cur.rowcount == 1, f"not enough stock of variation {v}"
            taken = []
            for line_id, (v, _, q, _) in zip(line_ids, lines, strict=True):
                left = Decimal(q)
                for purchase_line_id, on_hand in cur.execute(FIFO, [v, spec.location_id], prepare=False).fetchall():
                    take = min(on_hand, left)
                    taken.append((line_id, purchase_line_id, take))
                    left -= take
                    if not left:
                        break
            cur.execute(
                INSERT_MAPPING.format(", ".join(["(%s, %s, %s)"] * len(taken))),
                [x for row in taken for x in row],
                prepare=False,
            )
            cur.execute(
                MARK_SOLD.format(", ".join(["(%s::bigint, %s::numeric)"] * len(taken))),
                [x for _, purchase_line_id, take in taken for x in (purchase_line_id, take)],
                prepare=False,
            )
            properties = {"attributes": {"type": "sell", "status": "final", "final_total": str(total)}}
            cur.execute(
                LOG,
                [self.business_id, self.content_type, sell_id, self.user_id, json.dumps(properties), now],
                prepare=False,
            )
            return inspect(sell_id) if inspect else sell_id
