"""Seed data of the accounts benchmark: one business made with the project's services (users, locations, 50 payment
accounts), the ledger benchmark's catalog and contacts, and two years of money (bench/accounts_history.py) COPYed
in with exactly --rows account transactions, then checked against the invariants (see bench/README.md)."""

import random
from dataclasses import dataclass
from datetime import timedelta

import common
import ledger_seed
from accounts_history import History, account_plan, size_trading
from ledger_history import LOCATIONS, START, assign_suppliers, money, next_id, sells_of, simulate

SEED_VERSION = 1
PRODUCTS = 1_000
BOTH_SUPPLIERS = 3  # contacts of type `both` that also sell to us: the balance sheet's mixed side
N = "\\N"

TRANSACTION_COLUMNS = (
    "id, business_id, location_id, type, status, payment_status, contact_id, invoice_no, ref_no, transaction_date, "
    "total_before_tax, discount_type, discount_amount, shipping_charges, final_total, pay_term_number, pay_term_type, "
    "due_date, is_direct_sale, is_recurring, return_parent_id, created_by_id, created_at, updated_at"
)
PAYMENT_COLUMNS = (
    "id, business_id, transaction_id, parent_id, payment_for_id, amount, method, paid_on, payment_ref_no, is_return, "
    "is_advance, payment_type, due_payment_type, is_reverse, account_id, account_transaction_id, created_by_id, "
    "created_at, updated_at"
)
MOVEMENT_COLUMNS = (
    "id, business_id, account_id, type, sub_type, amount, operation_date, note, transfer_transaction_id, "
    "transaction_id, transaction_payment_id, payment_ref_no, payment_method, created_by_id, created_at"
)
PURCHASE_LINE_COLUMNS = (
    "id, business_id, transaction_id, location_id, product_id, variation_id, quantity, purchase_price, quantity_sold, "
    "quantity_returned, is_received"
)
TABLES = ("ledger_transaction", "ledger_transactionpayment", "ledger_purchaseline", "accounts_accounttransaction")


@dataclass
class AccountsSeed:
    business: object
    admin: object
    token: str
    rows: int
    account_ids: list[int]
    busiest_id: int  # the account whose ledger is timed
    busiest_rows: int
    seed_seconds: float | None = None


def marker(rows: int) -> str:
    return f"bench-accounts v{SEED_VERSION} rows={rows}"


def _stamp(seconds: int) -> str:
    return (START + timedelta(seconds=seconds)).isoformat()


def _copy(table: str, columns: str, lines) -> int:
    count, buffer = 0, []
    with common.raw_connection().cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for line in lines:
            buffer.append(line)
            if len(buffer) == 20_000:
                copy.write("".join(buffer))
                count += len(buffer)
                buffer.clear()
        copy.write("".join(buffer))
    return count + len(buffer)


def _v(value) -> str:
    return N if value is None else str(value)


def _lines(h: History, b: int, ids: dict, location_ids, user_ids, account_ids):
    """COPY text of the four tables; `ids` holds each table's first id."""
    doc0, pay0, move0, line0 = ids["doc"], ids["pay"], ids["move"], ids["line"]

    def documents():
        for d in h.docs:
            when = _stamp(d.seconds)
            invoice, ref = (d.number, N) if d.kind in ("sell", "sell_return") else (N, d.number)
            due = _stamp(d.seconds + d.term * 86400) if d.term else when
            yield (
                f"{doc0 + d.id}\t{b}\t{location_ids[d.location]}\t{d.kind}\t{d.status}\t{d.payment_status}\t"
                f"{d.contact}\t{invoice}\t{ref}\t{when}\t{money(d.subtotal)}\t{_v(d.discount[0])}\t"
                f"{money(d.discount[1])}\t{money(d.shipping)}\t{money(d.final)}\t{_v(d.term)}\t"
                f"{'days' if d.term else N}\t{due}\t{'t' if d.kind == 'sell' else 'f'}\tf\t"
                f"{doc0 + d.parent.id if d.parent else N}\t{user_ids[1]}\t{when}\t{when}\n"
            )

    def payments():
        for p in h.payments:
            when = _stamp(p.seconds)
            yield (
                f"{pay0 + p.id - 1}\t{b}\t{doc0 + p.doc.id if p.doc else N}\t"
                f"{pay0 + p.parent.id - 1 if p.parent else N}\t{p.contact}\t{money(p.cents)}\t{p.method}\t{when}\t"
                f"{p.number}\t{'t' if p.is_return else 'f'}\t{'t' if p.is_advance else 'f'}\t{_v(p.payment_type)}\t"
                f"{_v(p.due_type)}\tf\t{account_ids[p.account] if p.move else N}\t"
                f"{move0 + p.move.id - 1 if p.move else N}\t{user_ids[p.user]}\t{when}\t{when}\n"
            )

    def movements():
        for m in h.movements:
            when, p = _stamp(m.seconds), m.pay
            links = f"{N}\t{N}\t{N}\t{N}"
            if p is not None:
                document = doc0 + p.doc.id if p.doc else N
                links = f"{document}\t{pay0 + p.id - 1}\t{p.number}\t{p.method}"
            yield (
                f"{move0 + m.id - 1}\t{b}\t{account_ids[m.account]}\t{m.type}\t{_v(m.sub_type)}\t{money(m.cents)}\t"
                f"{when}\t{_v(m.note)}\t{move0 + m.pair.id - 1 if m.pair else N}\t{links}\t{user_ids[m.user]}\t"
                f"{when}\n"
            )

    def purchase_lines():
        for line_id, d, location, variation, quantity, price, sold in sorted(h.purchase_lines, key=lambda r: r[0]):
            yield (
                f"{line0 + line_id}\t{b}\t{doc0 + d.id}\t{location_ids[location]}\t{variation[2]}\t{variation[0]}\t"
                f"{quantity}\t{money(price)}\t{sold}\t0\tt\n"
            )

    return documents, payments, movements, purchase_lines


def _accounts(business, admin, plan, location_ids) -> list[int]:
    from accounts.models import AccountType
    from accounts.services import account_create
    from core.models import BusinessLocation

    bank = AccountType.objects.create(business=business, name="Bank accounts")
    types = {
        "Bank accounts": bank,
        "Current accounts": AccountType.objects.create(business=business, name="Current accounts", parent=bank),
        **{name: AccountType.objects.create(business=business, name=name) for name in ("Cash", "Credit", "Loans")},
    }
    ids = []
    for a in plan:  # opening balances are COPYed with the history, dated its first day
        data = {"name": a["name"], "account_number": a["number"], "account_type": types[a["type"]]}
        ids.append(account_create(business=business, user=admin, data=data).pk)
    at = {a["key"]: ids[k] for k, a in enumerate(plan)}
    for k, location_id in enumerate(location_ids):
        BusinessLocation.objects.filter(pk=location_id).update(
            default_payment_accounts={
                "cash": {"is_enabled": True, "account_id": at[("till", k, 0)]},
                "card": {"is_enabled": True, "account_id": at["card"]},
                "bank_transfer": {"is_enabled": True, "account_id": at["bank"]},
                "cheque": {"is_enabled": True, "account_id": at["cheque"]},
            }
        )
    return ids


def seed(rows: int) -> AccountsSeed:
    from django.db import transaction

    from accounts.models import Account
    from accounts.services import account_close
    from contacts.services import walk_in_customer_create
    from core.models import ReferenceCounter
    from core.services.business import business_create, location_create
    from core.services.users import user_create
    from inventory.services import unit_for

    rng = random.Random(marker(rows))
    plan = account_plan()
    with common.Stopwatch() as watch:
        with transaction.atomic():  # committed first: bulk_load cannot alter tables with pending FK checks
            business = business_create(name=marker(rows), currency_code="USD", modules=["account"])
            admin = user_create(business=business, username="bench-accounts", admin=True, first_name="Bench")
            staff = [("accountant", "Alex", "Ledger"), ("office", "Olive", "Office")]
            staff += [(f"cashier{k + 1}", "Casey", name) for k, (name, _) in enumerate(LOCATIONS)]
            users = [admin] + [
                user_create(business=business, username=u, first_name=f, last_name=last) for u, f, last in staff
            ]
            walk_in = walk_in_customer_create(business=business, user=admin)
            location_ids = [location_create(business=business, name=name).pk for name, _ in LOCATIONS]
            account_ids = _accounts(business, admin, plan, location_ids)
            variations = ledger_seed._catalog(rng, business.pk, admin.pk, unit_for(business, None).pk, PRODUCTS)
            customer_ids, supplier_ids = ledger_seed._contacts(rng, business.pk, admin.pk)
        conn = common.raw_connection()
        both = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM contacts_contact WHERE id = ANY(%s) AND type = 'both' ORDER BY id", [customer_ids]
            )
        ]
        suppliers = supplier_ids + both[:BOTH_SUPPLIERS]
        sells = sells_of(rng, size_trading(rows), variations, len(customer_ids))
        orders, _, sold, _ = simulate(sells, 1)
        supplier_of = assign_suppliers(rng, orders, variations, PRODUCTS, len(suppliers), len(orders) // len(suppliers))
        h = History(rng, accounts=plan, customers=customer_ids, suppliers=suppliers, walk_in=walk_in.pk, rows=rows)
        h.opening_balances()
        h.trading(sells, variations, orders, sold, supplier_of)
        h.bookkeeping()
        h.number_everything()
        common.say(
            f"  simulated {len(h.docs):,} documents, {len(h.payments):,} payments and {len(h.movements):,} account "
            f"transactions in {watch.elapsed:.1f} s"
        )
        ids = {
            "doc": next_id("ledger_transaction"),
            "pay": next_id("ledger_transactionpayment"),
            "move": next_id("accounts_accounttransaction"),
            "line": next_id("ledger_purchaseline"),
        }
        documents, payments, movements, purchase_lines = _lines(
            h, business.pk, ids, location_ids, [u.pk for u in users], account_ids
        )
        with transaction.atomic():
            with common.bulk_load(*TABLES):
                copied = _copy("ledger_transaction", TRANSACTION_COLUMNS, documents())
                copied += _copy("ledger_purchaseline", PURCHASE_LINE_COLUMNS, purchase_lines())
                copied += _copy("ledger_transactionpayment", PAYMENT_COLUMNS, payments())
                copied += _copy("accounts_accounttransaction", MOVEMENT_COLUMNS, movements())
                common.say(f"  copied {copied:,} rows in {watch.elapsed:.1f} s; rebuilding indexes and foreign keys")
            if h.advance:
                contacts, cents = zip(*h.advance.items(), strict=True)
                conn.execute(
                    "UPDATE contacts_contact c SET balance = v.b FROM (SELECT unnest(%s::bigint[]) AS id, "
                    "unnest(%s::numeric[]) AS b) v WHERE c.id = v.id",
                    [list(contacts), [money(c) for c in cents]],
                )
            counts = {**h.counters, "product_sku": PRODUCTS, "contact": 1 + len(customer_ids) + len(supplier_ids)}
            for ref_type, count in counts.items():
                ReferenceCounter.objects.update_or_create(
                    business=business, ref_type=ref_type, defaults={"count": count}
                )
            for table in (*TABLES, "inventory_product", "inventory_variation"):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            for k, a in enumerate(plan):
                if a["closed"]:
                    account_close(business=business, user=admin, account=Account.objects.get(pk=account_ids[k]))
    with common.Stopwatch() as vacuum:
        common.vacuum_analyze(
            *TABLES, "contacts_contact", "inventory_product", "inventory_variation", "accounts_account"
        )
    common.say(f"seeded in {watch.seconds:.1f} s (+ {vacuum.seconds:.1f} s VACUUM ANALYZE)")
    seeded = find_seed(rows)
    seeded.seed_seconds = watch.seconds + vacuum.seconds
    return seeded


def find_seed(rows: int) -> AccountsSeed | None:
    """The kept seed for --rows, with a fresh token; None when the database holds anything else."""
    from core.models import ApiCredential, Business, User
    from core.services.credentials import credential_issue

    business = Business.objects.filter(name=marker(rows)).first()
    admin = User.objects.filter(business=business, username="bench-accounts").first() if business else None
    if admin is None:
        return None
    conn = common.raw_connection()
    held = conn.execute(
        "SELECT account_id, COUNT(*) FROM accounts_accounttransaction WHERE business_id = %s GROUP BY account_id "
        "ORDER BY 2 DESC, 1",
        [business.pk],
    ).fetchall()
    if sum(n for _, n in held) != rows:
        return None
    accounts = [
        r[0] for r in conn.execute("SELECT id FROM accounts_account WHERE business_id = %s ORDER BY id", [business.pk])
    ]
    token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token
    return AccountsSeed(business, admin, token, rows, accounts, held[0][0], held[0][1])
