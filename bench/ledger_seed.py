"""Seed data of the ledger benchmark: one business made with the project's services, its catalog and
contacts, and two years of trading (bench/ledger_history.py) COPYed in, checked against the ledger's
invariants (see bench/README.md)."""

import math
import random
from dataclasses import dataclass

import common
import ledger_history as history
from contacts_seed import COPY_COLUMNS as CONTACT_COLUMNS
from contacts_seed import contact_rows
from ledger_history import LOCATIONS, START, money

SEED_VERSION = 2
CUSTOMERS, SUPPLIERS = 400, 12


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


ADJECTIVES = words(
    "Organic Premium Classic Fresh Deluxe Eco Smart Compact Heavy-Duty Wireless Stainless Natural Vintage Ultra "
    "Mini Pro Everyday Artisan Rustic Golden Arctic Coastal Urban Nordic"
)
NOUNS = words(
    "Green Tea|Coffee Beans|Olive Oil|Water Bottle|Notebook|Desk Lamp|Headphones|Backpack|T-Shirt|Sneakers|Rice|"
    "Pasta|Honey|Shampoo|Soap Bar|Towel|Mug|Cutting Board|Screwdriver Set|Hammer|Drill Bits|Paint Brush|Phone Case|"
    "USB Cable|Charger|Batteries|Candle|Plant Pot|Dog Food|Cat Litter|Jeans|Jacket|Socks|Cap|Sunglasses|Wallet|"
    "Umbrella|Keyboard|Mouse|Monitor Stand|Granola|Dark Chocolate|Sparkling Water|Dish Soap|Light Bulb",
    "|",
)
SPECS = ("250g", "500g", "1kg", "750ml", "1L", "Large", "Small", "x12", "Set of 3", "", "", "")
TEMPLATES = (
    ("Size", ("S", "M", "L", "XL", "XXL")),
    ("Color", ("Red", "Blue", "Black", "White", "Green")),
    ("Pack", ("Single", "6-Pack", "12-Pack", "24-Pack")),
)


@dataclass
class LedgerSeed:
    business: object
    admin: object
    token: str
    location_ids: list[int]
    walk_in_id: int
    sells: int
    products: int
    supplier_id: int  # the supplier of the supplier-stock figure
    supplier_lines: int
    supplier_variations: int
    seed_seconds: float | None = None  # when seeded by this run


def _marker(sells: int, products: int) -> str:
    return f"bench-ledger v{SEED_VERSION} sells={sells} products={products}"


def _copy_text(table: str, columns: str, lines: list[str]) -> None:
    with common.raw_connection().cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), 20_000):
            copy.write("".join(lines[start : start + 20_000]))


# --- catalog and contacts ----------------------------------------------------------------------------


def _catalog(rng, business_id: int, user_id: int, unit_id: int, products: int):
    """COPY the products and their variations; return [(variation_id, product_index, purchase, sell cents)]."""
    product_id, variation_id = history.next_id("inventory_product"), history.next_id("inventory_variation")
    now = START.isoformat()
    product_rows, variation_rows, variations = [], [], []
    for i in range(products):
        name = " ".join(p for p in (rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(SPECS)) if p)
        sku = f"SKU{i + 1:04d}"
        variable = rng.random() < 0.25
        template, values = rng.choice(TEMPLATES) if variable else ("", ("DUMMY",))
        if variable:
            values = values[: rng.randint(2, len(values))]
        kind = "variable" if variable else "single"
        product_rows.append(
            f"{product_id}\t{business_id}\t{name}\t{kind}\t{sku}\t{unit_id}\tt\t{template}\t{user_id}\t{now}\t{now}\n"
        )
        base = int(math.exp(rng.uniform(math.log(150), math.log(20_000))))
        for k, value in enumerate(values, start=1):
            cost = base + base * k // 20
            price = cost * rng.randint(120, 180) // 100
            sub_sku = sku if not variable else f"{sku}-{k}"
            variation_rows.append(
                f"{variation_id}\t{business_id}\t{product_id}\t{value}\t{sub_sku}\t{money(cost)}\t{money(price)}\t{now}\n"
            )
            variations.append((variation_id, i, product_id, cost, price))
            variation_id += 1
        product_id += 1
    _copy_text(
        "inventory_product",
        "id, business_id, name, type, sku, unit_id, enable_stock, variation_template, created_by_id, created_at, "
        "updated_at",
        product_rows,
    )
    _copy_text(
        "inventory_variation",
        "id, business_id, product_id, name, sub_sku, default_purchase_price, default_sell_price, created_at",
        variation_rows,
    )
    return variations


def _contacts(rng, business_id: int, user_id: int) -> tuple[list[int], list[int]]:
    """COPY a few hundred customers and a dozen suppliers (the walk-in customer exists); return their ids."""
    type_at, number_at, status_at = (CONTACT_COLUMNS.index(c) for c in ("type", "contact_id", "contact_status"))
    wanted = {"customer": CUSTOMERS, "supplier": SUPPLIERS}
    number = 2  # CO0001 is the walk-in customer
    with (
        common.raw_connection().cursor() as cur,
        cur.copy(f"COPY contacts_contact ({', '.join(CONTACT_COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in contact_rows(rng, business_id=business_id, user_id=user_id, first_number=2):
            side = "supplier" if row[type_at] == "supplier" else "customer"
            if not wanted[side]:
                if not any(wanted.values()):
                    break
                continue
            wanted[side] -= 1
            row = list(row)
            row[number_at], row[status_at] = f"CO{number:04d}", "active"
            copy.write_row(row)
            number += 1
    rows = common.raw_connection().execute(
        "SELECT id, type FROM contacts_contact WHERE business_id = %s AND NOT is_default ORDER BY id", [business_id]
    )
    customers, suppliers = [], []
    for contact_id, kind in rows:
        (suppliers if kind == "supplier" else customers).append(contact_id)
    return customers, suppliers


def seed(sells: int, products: int, supplier_lines: int) -> LedgerSeed:
    from django.db import transaction

    from contacts.services import walk_in_customer_create
    from core.models import ReferenceCounter
    from core.services.business import business_create, location_create
    from core.services.users import user_create
    from inventory.services import unit_for

    rng = random.Random(_marker(sells, products))
    tables = (
        "ledger_transaction",
        "ledger_sellline",
        "ledger_purchaseline",
        "ledger_selllinepurchaseline",
        "ledger_transactionpayment",
        "inventory_variationlocationstock",
    )
    with common.Stopwatch() as watch:
        with transaction.atomic():  # committed first: bulk_load cannot alter tables with pending FK checks
            business = business_create(name=_marker(sells, products), currency_code="USD")
            admin = user_create(business=business, username="bench-ledger", admin=True, first_name="Bench")
            walk_in = walk_in_customer_create(business=business, user=admin)
            location_ids = [location_create(business=business, name=name).pk for name, _ in LOCATIONS]
            variations = _catalog(rng, business.pk, admin.pk, unit_for(business, None).pk, products)
            customer_ids, supplier_ids = _contacts(rng, business.pk, admin.pk)
        trading = history.sells_of(rng, sells, variations, len(customer_ids))
        first_line_id = history.next_id("ledger_sellline")
        orders, mapping, sold, on_hand = history.simulate(trading, first_line_id)
        supplier_of = history.assign_suppliers(rng, orders, variations, products, len(supplier_ids), supplier_lines)
        rows = history.Rows(
            rng,
            business_id=business.pk,
            user_id=admin.pk,
            location_ids=location_ids,
            walk_in_id=walk_in.pk,
            customer_ids=customer_ids,
        )
        line_ids = history.write_ledger(
            rows, trading, variations, orders, sold, supplier_of, supplier_ids, first_line_id
        )
        common.say(f"  simulated {len(trading):,} sells and {len(orders):,} purchase lines in {watch.elapsed:.1f} s")
        with transaction.atomic():
            with common.bulk_load(*tables):
                _copy_text("ledger_transaction", history.TRANSACTION_COLUMNS, rows.transactions)
                _copy_text("ledger_sellline", history.SELL_LINE_COLUMNS, rows.sell_lines)
                _copy_text("ledger_purchaseline", history.PURCHASE_LINE_COLUMNS, rows.purchase_lines)
                _copy_text("ledger_transactionpayment", history.PAYMENT_COLUMNS, rows.payments)
                _copy_text(
                    "ledger_selllinepurchaseline",
                    "sell_line_id, purchase_line_id, quantity",
                    [f"{s}\t{line_ids[k]}\t{q}\n" for s, k, q in mapping],
                )
                _copy_text(
                    "inventory_variationlocationstock",
                    "business_id, variation_id, location_id, qty_available",
                    [f"{business.pk}\t{variations[v][0]}\t{location_ids[at]}\t{q}\n" for (v, at), q in on_hand.items()],
                )
                copied = sum(
                    map(len, (rows.transactions, rows.sell_lines, rows.purchase_lines, rows.payments, mapping))
                )
                common.say(f"  copied {copied:,} rows in {watch.elapsed:.1f} s; rebuilding indexes and foreign keys")
            counts = {**rows.counters, "product_sku": products, "contact": 1 + len(customer_ids) + len(supplier_ids)}
            for ref_type, count in counts.items():
                ReferenceCounter.objects.update_or_create(
                    business=business, ref_type=ref_type, defaults={"count": count}
                )
            for table in (
                "ledger_transaction",
                "ledger_sellline",
                "ledger_purchaseline",
                "inventory_product",
                "inventory_variation",
            ):
                common.raw_connection().execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    with common.Stopwatch() as vacuum:
        common.vacuum_analyze(
            *tables, "inventory_product", "inventory_variation", "contacts_contact", "core_referencecounter"
        )
    common.say(f"seeded in {watch.seconds:.1f} s (+ {vacuum.seconds:.1f} s VACUUM ANALYZE)")
    problems = invariant_violations(business.pk)
    if any(problems.values()):
        raise SystemExit(f"bench/ledger_seed.py: the seed breaks the ledger's invariants: {problems}")
    seeded = find_seed(sells, products)
    seeded.seed_seconds = watch.seconds + vacuum.seconds
    return seeded


INVARIANTS = {
    "quantity_sold != Σ mapping": """
        SELECT COUNT(*) FROM ledger_purchaseline pl
        LEFT JOIN (SELECT purchase_line_id, SUM(quantity) AS q FROM ledger_selllinepurchaseline
                   GROUP BY purchase_line_id) m ON m.purchase_line_id = pl.id
        WHERE pl.business_id = %(b)s AND (pl.quantity_sold <> COALESCE(m.q, 0) OR pl.quantity_sold > pl.quantity)""",
    "stock != received - sold": """
        SELECT COUNT(*) FROM inventory_variationlocationstock s
        FULL JOIN (SELECT variation_id, location_id, SUM(quantity - quantity_sold - quantity_returned) AS q
                   FROM ledger_purchaseline WHERE business_id = %(b)s AND is_received
                   GROUP BY variation_id, location_id) p USING (variation_id, location_id)
        WHERE (s.business_id = %(b)s OR s.business_id IS NULL)
          AND (s.qty_available IS DISTINCT FROM p.q OR s.qty_available < 0)""",
    "sell line net quantity != Σ mapping": """
        SELECT COUNT(*) FROM ledger_sellline l JOIN ledger_transaction t ON t.id = l.transaction_id
        LEFT JOIN (SELECT sell_line_id, SUM(quantity) AS q FROM ledger_selllinepurchaseline
                   GROUP BY sell_line_id) m ON m.sell_line_id = l.id
        WHERE l.business_id = %(b)s
          AND COALESCE(m.q, 0) <> CASE WHEN t.status = 'final' THEN l.quantity - l.quantity_returned ELSE 0 END""",
    "payment_status != payments": """
        SELECT COUNT(*) FROM ledger_transaction t
        LEFT JOIN (SELECT transaction_id, SUM(CASE WHEN is_return THEN -amount ELSE amount END) AS paid
                   FROM ledger_transactionpayment GROUP BY transaction_id) p ON p.transaction_id = t.id
        WHERE t.business_id = %(b)s AND t.payment_status IS DISTINCT FROM CASE
            WHEN COALESCE(p.paid, 0) >= t.final_total THEN 'paid' WHEN COALESCE(p.paid, 0) > 0 THEN 'partial'
            ELSE 'due' END""",
}


def invariant_violations(business_id: int) -> dict[str, int]:
    conn = common.raw_connection()
    return {name: conn.execute(sql, {"b": business_id}).fetchone()[0] for name, sql in INVARIANTS.items()}


def seed_counts(business_id: int) -> dict[str, int]:
    """Rows of the seeded business, for the JSON file."""
    conn = common.raw_connection()
    tables = {
        "sells": "ledger_transaction WHERE type = 'sell' AND business_id = %(b)s",
        "purchases": "ledger_transaction WHERE type = 'purchase' AND business_id = %(b)s",
        "sell_returns": "ledger_transaction WHERE type = 'sell_return' AND business_id = %(b)s",
        "sell_lines": "ledger_sellline WHERE business_id = %(b)s",
        "purchase_lines": "ledger_purchaseline WHERE business_id = %(b)s",
        "fifo_rows": "ledger_selllinepurchaseline m JOIN ledger_sellline l ON l.id = m.sell_line_id "
        "WHERE l.business_id = %(b)s",
        "payments": "ledger_transactionpayment WHERE business_id = %(b)s",
        "stock_rows": "inventory_variationlocationstock WHERE business_id = %(b)s",
        "variations": "inventory_variation WHERE business_id = %(b)s",
        "contacts": "contacts_contact WHERE business_id = %(b)s",
    }
    return {
        name: conn.execute(f"SELECT COUNT(*) FROM {t}", {"b": business_id}).fetchone()[0] for name, t in tables.items()
    }


def _issue_token(admin) -> str:
    from core.models import ApiCredential
    from core.services.credentials import credential_issue

    return credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token


def find_seed(sells: int, products: int) -> LedgerSeed | None:
    """The kept seed for these sizes, with a fresh token; None when the database holds anything else."""
    from contacts.models import Contact
    from core.models import Business, BusinessLocation, User
    from inventory.models import Product
    from ledger.models import PurchaseLine, Transaction

    business = Business.objects.filter(name=_marker(sells, products)).first()
    admin = User.objects.filter(business=business, username="bench-ledger").first() if business else None
    if admin is None:
        return None
    if (
        Transaction.objects.for_business(business).filter(type="sell").count() != sells
        or Product.objects.for_business(business).count() != products
    ):
        return None
    contacts = Contact.objects.for_business(business)
    supplier = contacts.filter(type="supplier").order_by("id").first()
    lines = PurchaseLine.objects.for_business(business).filter(transaction__contact=supplier)
    return LedgerSeed(
        business=business,
        admin=admin,
        token=_issue_token(admin),
        location_ids=list(BusinessLocation.objects.for_business(business).order_by("id").values_list("id", flat=True)),
        walk_in_id=contacts.get(is_default=True).pk,
        sells=sells,
        products=products,
        supplier_id=supplier.pk,
        supplier_lines=lines.count(),
        supplier_variations=lines.values("variation_id").distinct().count(),
    )
