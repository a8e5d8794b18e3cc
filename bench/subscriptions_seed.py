"""Seed data of the subscriptions benchmark: one business (made with the project's services, subscription module on)
holding --parents running monthly subscriptions of 3 lines each, dated in June 2025, that the generator has not run
for since: on the run date (2026-06-30) each has exactly 12 missed months to bill. 2,000 customers share them; a
fifth repeat on a fixed day of the month. Products are services (no stock tracking), as subscriptions mostly are.
Everything is COPYed in, as the services would have written it (parents, lines, the generator's index of due dates,
counters)."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import common
from contacts_seed import COPY_COLUMNS as CONTACT_COLUMNS
from contacts_seed import TYPE, contact_rows
from money_seed import _catalog, _copy, _next_id, money

SEED_VERSION = 1
CUSTOMERS = 2_000
LINES = 3
RUN_DATE = date(2026, 6, 30)  # every parent is dated in June 2025: periods July 2025 … June 2026
MISSED = 12
USERNAME = "bench-subscriptions"

TRANSACTION_COLUMNS = (
    "id, business_id, location_id, type, status, payment_status, contact_id, invoice_no, transaction_date, "
    "total_before_tax, discount_amount, shipping_charges, final_total, due_date, is_direct_sale, is_recurring, "
    "recur_interval, recur_interval_type, subscription_repeat_on, recur_repetitions, subscription_no, created_by_id, "
    "created_at, updated_at"
)
LINE_COLUMNS = "business_id, transaction_id, product_id, variation_id, quantity, unit_price, quantity_returned"
SCHEDULE_COLUMNS = "parent_id, business_id, next_date, updated_at"


@dataclass
class SubscriptionSeed:
    business: object
    admin: object
    token: str
    parents: int
    seed_seconds: float | None = None


def marker(parents: int) -> str:
    return f"bench-subscriptions v{SEED_VERSION} parents={parents}"


def _first_period(day: date, repeat_on: int | None) -> date:
    """July 2025 on the parent's day (or its repeat-on day): every seeded parent is dated in June 2025 (days 1-30)."""
    return date(2025, 7, repeat_on or day.day)


def seed(parents: int) -> SubscriptionSeed:
    from django.db import transaction

    from contacts.services import walk_in_customer_create
    from core.models import ReferenceCounter
    from core.services.business import business_create, location_create
    from core.services.users import user_create
    from inventory.services import unit_for

    rng = random.Random(marker(parents))
    tables = ("ledger_transaction", "ledger_sellline", "subscriptions_subscriptionschedule")
    with common.Stopwatch() as watch:
        with transaction.atomic():  # committed first: bulk_load cannot alter tables with pending FK checks
            business = business_create(name=marker(parents), currency_code="USD")
            business.enabled_modules = ["subscription"]
            business.save(update_fields=["enabled_modules"])
            admin = user_create(business=business, username=USERNAME, admin=True, first_name="Bench")
            walk_in_customer_create(business=business, user=admin)
            location_ids = [location_create(business=business, name=name).pk for name in ("Online", "Counter")]
            catalog = _catalog(rng, business.pk, admin.pk, unit_for(business, None).pk)
            customers = (
                row
                for row in contact_rows(rng, business_id=business.pk, user_id=admin.pk, first_number=2)
                if row[TYPE] in ("customer", "both")
            )
            first_contact = _next_id("contacts_contact")
            _copy("contacts_contact", ", ".join(CONTACT_COLUMNS), (next(customers) for _ in range(CUSTOMERS)))
        customer_ids = list(range(first_contact, first_contact + CUSTOMERS))
        first_id = _next_id("ledger_transaction")
        now = datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
        parent_rows, line_rows, schedule_rows = [], [], []
        for i in range(parents):
            pk = first_id + i
            when = datetime(2025, 6, 1 + i % 30, 9, tzinfo=UTC) + timedelta(seconds=(i * 7) % 28_800)
            repeat_on = 1 + i % 28 if i % 5 == 0 else None
            items = [rng.choice(catalog) for _ in range(LINES)]
            quantities = [rng.randint(1, 3) for _ in items]
            total = sum(price * q for (_, _, price), q in zip(items, quantities, strict=True))
            parent_rows.append(
                (pk, business.pk, location_ids[i % 2], "sell", "final", "due", customer_ids[i % CUSTOMERS])
                + (f"INV{i + 1:04d}", when, money(total), "0", "0", money(total), when, True, True)
                + (1, "months", repeat_on, None, f"2025/{i + 1:04d}", admin.pk, when, when)
            )
            for (product_id, variation_id, price), quantity in zip(items, quantities, strict=True):
                line_rows.append((business.pk, pk, product_id, variation_id, quantity, money(price), 0))
            schedule_rows.append((pk, business.pk, _first_period(when.date(), repeat_on), now))
        common.say(f"  built {parents:,} parents and {len(line_rows):,} lines in {watch.elapsed:.1f} s")
        with transaction.atomic():
            with common.bulk_load(*tables):
                copied = _copy("ledger_transaction", TRANSACTION_COLUMNS, parent_rows)
                copied += _copy("ledger_sellline", LINE_COLUMNS, line_rows)
                copied += _copy("subscriptions_subscriptionschedule", SCHEDULE_COLUMNS, schedule_rows)
                common.say(f"  copied {copied:,} rows in {watch.elapsed:.1f} s; rebuilding indexes and foreign keys")
            for ref_type, count in {"sell_invoice": parents, "subscription": parents, "contact": CUSTOMERS + 1}.items():
                ReferenceCounter.objects.update_or_create(
                    business=business, ref_type=ref_type, defaults={"count": count}
                )
            conn = common.raw_connection()
            for table in ("ledger_transaction", "ledger_sellline", "contacts_contact"):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            # What every run starts from: the generator's index as seeded (reset() puts it back).
            conn.execute("DROP TABLE IF EXISTS bench_schedule_seeded")
            conn.execute(
                "CREATE TABLE bench_schedule_seeded AS SELECT parent_id, next_date FROM "
                "subscriptions_subscriptionschedule WHERE business_id = %s",
                [business.pk],
            )
    with common.Stopwatch() as vacuum:
        common.vacuum_analyze(*tables, "contacts_contact", "inventory_product", "inventory_variation")
    common.say(f"seeded in {watch.seconds:.1f} s (+ {vacuum.seconds:.1f} s VACUUM ANALYZE)")
    seeded = find_seed(parents)
    seeded.seed_seconds = watch.seconds + vacuum.seconds
    return seeded


def find_seed(parents: int) -> SubscriptionSeed | None:
    from core.models import ApiCredential, Business, User
    from core.services.credentials import credential_issue

    business = Business.objects.filter(name=marker(parents)).first()
    admin = User.objects.filter(business=business, username=USERNAME).first() if business else None
    if admin is None:
        return None
    token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token
    return SubscriptionSeed(business, admin, token, parents)


# --- between runs ---------------------------------------------------------------------------------------------


def reset(business_id: int, parents: int) -> None:
    """Back to the seed: no children, periods or their activity; the counter and the generator's index as seeded;
    then VACUUM ANALYZE, so every run starts from the same tables."""
    from django.db import transaction

    with transaction.atomic():
        conn = common.raw_connection()
        conn.execute("DELETE FROM core_activity WHERE business_id = %s", [business_id])
        conn.execute("DELETE FROM subscriptions_subscriptionperiod WHERE business_id = %s", [business_id])
        conn.execute(
            "DELETE FROM ledger_sellline l USING ledger_transaction t WHERE l.transaction_id = t.id "
            "AND t.business_id = %s AND t.recur_parent_id IS NOT NULL",
            [business_id],
        )
        conn.execute(
            "DELETE FROM ledger_transaction WHERE business_id = %s AND recur_parent_id IS NOT NULL", [business_id]
        )
        conn.execute(
            "UPDATE core_referencecounter SET count = %s WHERE business_id = %s AND ref_type = 'sell_invoice'",
            [parents, business_id],
        )
        conn.execute(
            "UPDATE subscriptions_subscriptionschedule s SET next_date = b.next_date FROM bench_schedule_seeded b "
            "WHERE s.parent_id = b.parent_id AND s.next_date IS DISTINCT FROM b.next_date"
        )
    common.vacuum_analyze(
        "ledger_transaction",
        "ledger_sellline",
        "subscriptions_subscriptionperiod",
        "core_activity",
        "subscriptions_subscriptionschedule",
    )


def fingerprint(business_id: int) -> dict:
    """What a run wrote, in a form two writers can be compared by: counts, totals and digests of every child,
    line, period, activity row and next date."""
    conn = common.raw_connection()
    row = conn.execute(
        """
        SELECT
          (SELECT COUNT(*) FROM ledger_transaction WHERE business_id = %(b)s AND recur_parent_id IS NOT NULL),
          (SELECT SUM(final_total) FROM ledger_transaction WHERE business_id = %(b)s AND recur_parent_id IS NOT NULL),
          (SELECT md5(string_agg(concat_ws(':', recur_parent_id, transaction_date, invoice_no, status, payment_status,
                  due_date, location_id, contact_id, created_by_id), ',' ORDER BY recur_parent_id, transaction_date))
             FROM ledger_transaction WHERE business_id = %(b)s AND recur_parent_id IS NOT NULL),
          (SELECT COUNT(*) FROM ledger_sellline l JOIN ledger_transaction t ON t.id = l.transaction_id
             WHERE t.business_id = %(b)s AND t.recur_parent_id IS NOT NULL),
          (SELECT md5(string_agg(concat_ws(':', t.recur_parent_id, t.transaction_date, l.variation_id, l.quantity,
                  l.unit_price), ',' ORDER BY t.recur_parent_id, t.transaction_date, l.variation_id, l.quantity,
                  l.unit_price))
             FROM ledger_sellline l JOIN ledger_transaction t ON t.id = l.transaction_id
             WHERE t.business_id = %(b)s AND t.recur_parent_id IS NOT NULL),
          (SELECT md5(string_agg(concat_ws(':', p.parent_id, p.sequence, p.period_date, t.invoice_no), ','
                  ORDER BY p.parent_id, p.sequence))
             FROM subscriptions_subscriptionperiod p JOIN ledger_transaction t ON t.id = p.invoice_id
             WHERE p.business_id = %(b)s),
          (SELECT string_agg(concat_ws('=', event, n), ',' ORDER BY event) FROM (SELECT event, COUNT(*) AS n
             FROM core_activity WHERE business_id = %(b)s GROUP BY event) a),
          (SELECT md5(string_agg(concat_ws(':', parent_id, next_date), ',' ORDER BY parent_id))
             FROM subscriptions_subscriptionschedule WHERE business_id = %(b)s)
        """,
        {"b": business_id},
    ).fetchone()
    names = (
        "children",
        "children_total",
        "children_digest",
        "lines",
        "lines_digest",
        "periods_digest",
        "activities",
        "schedule_digest",
    )
    return dict(zip(names, (str(value) for value in row), strict=True))
