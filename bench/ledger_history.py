"""The two years of trading the ledger benchmark seeds, simulated in Python (see bench/README.md).

The history is consistent with the ledger's invariants, as if every document had gone through the
services: weekly purchase orders restock each (variation, location) before the week's sells need it;
each final sell line is mapped first-in-first-out onto the received purchase lines (net of what was
returned), so PurchaseLine.quantity_sold = Σ mapping and stock = received − sold; payment_status
follows the payments (change returned counts negative). The rows come out as COPY text with the ids
and reference numbers the services would have given."""

import math
import random
from bisect import bisect
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import common

START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 730
WEEK = 7 * 86400
LOCATIONS = (("Main Store", 0.4), ("Harbour Branch", 0.3), ("Airport Kiosk", 0.2), ("Warehouse Outlet", 0.1))
WALK_IN_SHARE = 0.3
LINES_PER_SELL = 3
PACK = 12  # purchase quantities are whole packs
COVER = 4  # a reorder covers about this many weeks of the week's demand
QUANTITIES = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 10)
METHODS = (("cash", 0.5), ("card", 0.3), ("bank_transfer", 0.15), ("cheque", 0.05))
N = "\\N"


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat()


def year_of(seconds: float) -> int:
    return (START + timedelta(seconds=seconds)).year


def picker(rng: random.Random, weights):
    """A fast weighted choice of an index."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    return lambda: bisect(cumulative, rng.random() * total)


def next_id(table: str) -> int:
    return common.raw_connection().execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]


# --- the simulation ------------------------------------------------------------------------------------


def sells_of(rng, count: int, variations, customers: int):
    """The sells, oldest first: (seconds, location, customer index or -1, status, lines, discount, shipping,
    pay term); a line is (variation index, quantity, unit price cents, quantity returned)."""
    popularity = list(range(len(variations)))
    rng.shuffle(popularity)
    pick_variation = picker(rng, [1 / (rank + 10) ** 0.9 for rank in popularity])
    pick_location = picker(rng, [w for _, w in LOCATIONS])
    pick_customer = picker(rng, [1 / (rank + 1) ** 0.8 for rank in range(customers)])
    span = DAYS * 86400 / count
    sells = []
    for i in range(count):
        seconds = int((i + rng.random()) * span)
        roll = rng.random()
        status = "draft" if roll < 0.02 else "quotation" if roll < 0.03 else "final"
        customer = -1 if rng.random() < WALK_IN_SHARE else pick_customer()
        chosen: list[int] = []
        while len(chosen) < LINES_PER_SELL:
            v = pick_variation()
            if v not in chosen:
                chosen.append(v)
        lines = []
        returned_line = rng.randrange(LINES_PER_SELL) if status == "final" and rng.random() < 0.01 else -1
        for k, v in enumerate(chosen):
            quantity = rng.choice(QUANTITIES)
            returned = rng.randint(1, quantity) if k == returned_line else 0
            lines.append((v, quantity, variations[v][4], returned))
        roll = rng.random()
        discount = ("fixed", 500) if roll < 0.05 else ("percentage", 1000) if roll < 0.08 else (None, 0)
        shipping = rng.randrange(499, 1999) if rng.random() < 0.05 else 0
        term = 30 if customer >= 0 and rng.random() < 0.3 else None
        sells.append((seconds, pick_location(), customer, status, tuple(lines), discount, shipping, term))
    return sells


def simulate(sells, first_line_id: int):
    """Weekly reorders and FIFO. Returns the purchase orders [(week, variation, location, quantity)], the
    mapping [(sell line id, order index, quantity)], each order's quantity sold, and the stock left."""
    orders: list[tuple[int, int, int, int]] = []
    sold: list[int] = []
    shelves: dict[tuple[int, int], deque] = defaultdict(deque)  # (variation, location) -> [order, left]
    on_hand: dict[tuple[int, int], int] = defaultdict(int)
    mapping: list[tuple[int, int, int]] = []
    line_id, i = first_line_id, 0
    while i < len(sells):
        week = sells[i][0] // WEEK
        j = i
        demand: dict[tuple[int, int], int] = defaultdict(int)
        while j < len(sells) and sells[j][0] // WEEK == week:
            if sells[j][3] == "final":
                for v, quantity, _, returned in sells[j][4]:
                    demand[(v, sells[j][1])] += quantity - returned
            j += 1
        for pair in sorted(demand):
            need = demand[pair]
            if on_hand[pair] < 2 * need:  # reordered while some is left: the shelf often spans two deliveries
                quantity = PACK * math.ceil((COVER * need - on_hand[pair]) / PACK)
                shelves[pair].append([len(orders), quantity])
                orders.append((week, pair[0], pair[1], quantity))
                sold.append(0)
                on_hand[pair] += quantity
            on_hand[pair] -= need
        for _, location, _, status, lines, *_ in sells[i:j]:
            for v, quantity, _, returned in lines:
                left = quantity - returned if status == "final" else 0
                shelf = shelves[(v, location)]
                while left:
                    entry = shelf[0]
                    take = min(entry[1], left)
                    mapping.append((line_id, entry[0], take))
                    sold[entry[0]] += take
                    entry[1] -= take
                    left -= take
                    if not entry[1]:
                        shelf.popleft()
                line_id += 1
        i = j
    return orders, mapping, sold, on_hand


def assign_suppliers(rng, orders, variations, products: int, suppliers: int, target: int) -> list[int]:
    """Each product comes from one supplier; supplier 0 gets products until it holds about `target` lines."""
    lines_of = [0] * products
    for _, v, _, _ in orders:
        lines_of[variations[v][1]] += 1
    order = list(range(products))
    rng.shuffle(order)
    supplier_of = [0] * products
    held, rest = 0, 1
    for p in order:
        if held < target * 0.98 and held + lines_of[p] <= target * 1.02:
            held += lines_of[p]
        else:
            supplier_of[p] = rest
            rest = rest % (suppliers - 1) + 1
    return supplier_of


# --- the rows ------------------------------------------------------------------------------------------

TRANSACTION_COLUMNS = (
    "id, business_id, location_id, type, status, payment_status, contact_id, invoice_no, ref_no, transaction_date, "
    "total_before_tax, discount_type, discount_amount, shipping_charges, final_total, pay_term_number, pay_term_type, "
    "due_date, is_direct_sale, is_recurring, return_parent_id, created_by_id, created_at, updated_at"
)
SELL_LINE_COLUMNS = "id, business_id, transaction_id, product_id, variation_id, quantity, unit_price, quantity_returned"
PURCHASE_LINE_COLUMNS = (
    "id, business_id, transaction_id, location_id, product_id, variation_id, quantity, purchase_price, "
    "quantity_sold, quantity_returned, is_received"
)
PAYMENT_COLUMNS = (
    "business_id, transaction_id, payment_for_id, amount, method, paid_on, payment_ref_no, is_return, is_advance, "
    "is_reverse, created_by_id, created_at, updated_at"
)


class Rows:
    """COPY text of every ledger table, with the ids and reference numbers the services would have given."""

    def __init__(self, rng, *, business_id: int, user_id: int, location_ids, walk_in_id: int, customer_ids):
        self.rng, self.business_id, self.user_id = rng, business_id, user_id
        self.location_ids, self.walk_in_id, self.customer_ids = location_ids, walk_in_id, customer_ids
        self.pick_method = picker(rng, [w for _, w in METHODS])
        self.transactions: list[str] = []
        self.sell_lines: list[str] = []
        self.purchase_lines: list[str] = []
        self.payments: list[str] = []
        self.next_transaction = next_id("ledger_transaction")
        self.counters = dict.fromkeys(
            ("sell_invoice", "sell_return", "purchase", "sell_payment", "purchase_payment"), 0
        )

    def number(self, counter: str, prefix: str, seconds: float) -> str:
        self.counters[counter] += 1
        count = self.counters[counter]
        return f"{prefix}{count:04d}" if counter == "sell_invoice" else f"{prefix}{year_of(seconds)}/{count:04d}"

    def transaction(
        self,
        *,
        kind,
        status,
        payment_status,
        contact_id,
        location,
        number,
        seconds,
        subtotal,
        discount=(None, 0),
        shipping=0,
        final,
        term=None,
        return_parent=N,
    ) -> int:
        txn_id = self.next_transaction
        self.next_transaction += 1
        when = stamp(seconds)
        invoice, ref = (number, N) if kind in ("sell", "sell_return") else (N, number)
        due = stamp(seconds + term * 86400) if term else when
        self.transactions.append(
            f"{txn_id}\t{self.business_id}\t{self.location_ids[location]}\t{kind}\t{status}\t{payment_status}\t"
            f"{contact_id}\t{invoice}\t{ref}\t{when}\t{money(subtotal)}\t{discount[0] or N}\t{money(discount[1])}\t"
            f"{money(shipping)}\t{money(final)}\t{term or N}\t{'days' if term else N}\t{due}\t"
            f"{'t' if kind == 'sell' else 'f'}\tf\t{return_parent}\t{self.user_id}\t{when}\t{when}\n"
        )
        return txn_id

    def payment(self, txn_id, contact_id, cents, method, seconds, counter, prefix, is_return=False):
        when = stamp(seconds)
        self.payments.append(
            f"{self.business_id}\t{txn_id}\t{contact_id}\t{money(cents)}\t{method}\t{when}\t"
            f"{self.number(counter, prefix, seconds)}\t{'t' if is_return else 'f'}\tf\tf\t"  # is_advance, is_reverse
            f"{self.user_id}\t{when}\t{when}\n"
        )

    def sell(self, sell, variations, line_id: int) -> int:
        """One sell, its lines, payments and return; returns the next sell line id."""
        rng = self.rng
        seconds, location, customer, status, lines, discount, shipping, term = sell
        contact_id = self.walk_in_id if customer < 0 else self.customer_ids[customer]
        subtotal = sum(quantity * price for _, quantity, price, _ in lines)
        off = discount[1] if discount[0] == "fixed" else (subtotal * discount[1] // 100 + 50) // 100
        if subtotal - off + shipping < 0:
            discount, off = (None, 0), 0
        final = subtotal - off + shipping
        paid: list[tuple[int, str, bool]] = []
        if status == "final":
            roll = 0.0 if customer < 0 else rng.random()
            if roll < 0.55 or final <= 1:
                shape = rng.random()
                if shape < 0.03:  # cash tendered, change given back
                    tendered = (final // 1000 + 1) * 1000
                    paid = [(tendered, "cash", False), (tendered - final, "cash", True)]
                elif shape < 0.15:
                    part = max(1, min(final - 1, final * rng.randint(20, 80) // 100))
                    paid = [(part, self.pick_method_name(), False), (final - part, self.pick_method_name(), False)]
                else:
                    paid = [(final, self.pick_method_name(), False)]
            elif roll < 0.70:
                paid = [(max(1, min(final - 1, final * rng.randint(10, 90) // 100)), self.pick_method_name(), False)]
        total_paid = sum(-c if is_return else c for c, _, is_return in paid)
        payment_status = "paid" if total_paid >= final else "partial" if total_paid > 0 else "due"
        txn_id = self.transaction(
            kind="sell",
            status=status,
            payment_status=payment_status,
            contact_id=contact_id,
            location=location,
            number=self.number("sell_invoice", "INV", seconds),
            seconds=seconds,
            subtotal=subtotal,
            discount=discount,
            shipping=shipping,
            final=final,
            term=term,
        )
        paid_on = seconds if customer < 0 else seconds + rng.randrange(0, 30 * 86400)
        for cents, method, is_return in paid:
            if cents > 0:
                self.payment(txn_id, contact_id, cents, method, paid_on, "sell_payment", "SP", is_return)
        returned_total = 0
        for v, quantity, price, returned in lines:
            self.sell_lines.append(
                f"{line_id}\t{self.business_id}\t{txn_id}\t{variations[v][2]}\t{variations[v][0]}\t{quantity}\t"
                f"{money(price)}\t{returned}\n"
            )
            returned_total += returned * price
            line_id += 1
        if returned_total:
            when = seconds + 3 * 86400
            self.transaction(
                kind="sell_return",
                status="final",
                payment_status="due",
                contact_id=contact_id,
                location=location,
                number=self.number("sell_return", "CN", when),
                seconds=when,
                subtotal=returned_total,
                final=returned_total,
                return_parent=txn_id,
            )
        return line_id

    def pick_method_name(self) -> str:
        return METHODS[self.pick_method()][0]

    def purchase(self, week, supplier_id, location, items, variations, line_ids) -> None:
        """One received purchase order of the week: items are (order index, variation, quantity, sold)."""
        seconds = week * WEEK - 7200
        priced = [(k, v, q, s, variations[v][3] * (95 + (week * 7 + v) % 11) // 100) for k, v, q, s in items]
        total = sum(q * price for _, _, q, _, price in priced)
        paid = seconds < (DAYS - 60) * 86400
        txn_id = self.transaction(
            kind="purchase",
            status="received",
            payment_status="paid" if paid else "due",
            contact_id=supplier_id,
            location=location,
            number=self.number("purchase", "PO", seconds),
            seconds=seconds,
            subtotal=total,
            final=total,
            term=30,
        )
        if paid:
            self.payment(txn_id, supplier_id, total, "bank_transfer", seconds + 14 * 86400, "purchase_payment", "PP")
        for k, v, quantity, sold, price in priced:
            self.purchase_lines.append(
                f"{line_ids[k]}\t{self.business_id}\t{txn_id}\t{self.location_ids[location]}\t{variations[v][2]}\t"
                f"{variations[v][0]}\t{quantity}\t{money(price)}\t{sold}\t0\tt\n"
            )


def write_ledger(rows: Rows, sells, variations, orders, sold, supplier_of, supplier_ids, first_line_id):
    """Purchase orders grouped by (week, supplier, location) into documents, each week's before its sells."""
    keyed = sorted(
        range(len(orders)),
        key=lambda k: (orders[k][0], supplier_of[variations[orders[k][1]][1]], orders[k][2], orders[k][1]),
    )
    first = next_id("ledger_purchaseline")
    line_ids = [0] * len(orders)
    for position, k in enumerate(keyed):
        line_ids[k] = first + position
    documents = []  # (week, supplier, location, items)
    for k in keyed:
        week, v, location, quantity = orders[k]
        key = (week, supplier_of[variations[v][1]], location)
        if not documents or documents[-1][:3] != key:
            documents.append((*key, []))
        documents[-1][3].append((k, v, quantity, sold[k]))
    line_id, d = first_line_id, 0
    for sell in sells:
        while d < len(documents) and documents[d][0] <= sell[0] // WEEK:
            week, supplier, location, items = documents[d]
            rows.purchase(week, supplier_ids[supplier], location, items, variations, line_ids)
            d += 1
        line_id = rows.sell(sell, variations, line_id)
    return line_ids
