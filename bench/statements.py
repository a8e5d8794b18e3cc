"""Statements benchmark: the ledger PDF of a 2,000-line and a 10,000-line customer ledger in format_1 and format_3,
beside xhtml2pdf rendering the same rows as one plain table (the naive way, measured in the same run) and the
JSON ledger of the same period (the PDF's floor); render time and peak Python memory (see bench/README.md).

    make bench-statements                                  # fresh erp_bench_statements, dropped after
    make bench-statements BENCH_ARGS="--keep --runs 5"     # keep the seed and reuse it
"""

import io
import random
from datetime import UTC, date, datetime, timedelta

import common

SEED_VERSION = 1
SIZES = (2_000, 10_000)
FORMATS = ("format_1", "format_3")
TIME_GOAL = 0.25  # at 2,000 lines: a quarter of the naive table's time
LINEAR_GOAL = 1.25  # 10,000 lines take at most 1.25 × five times 2,000 lines
YEAR = 2025
N = "\\N"


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0], database="erp_bench_statements", rows=SIZES[-1], runs=3, rows_what="lines (largest)"
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="ledger lines, two sizes (2000,10000)")
    parser.add_argument("--large-runs", type=int, default=1, help="timed runs at the largest size (default 1)")
    parser.add_argument(
        "--memory-at-large", action="store_true", help="also trace peak memory at the largest size (slow: 2× time)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    parser.set_defaults(warmup=1)
    args = parser.parse_args(argv)
    args.sizes = tuple(int(n) for n in args.sizes.split(","))
    if len(args.sizes) != 2 or args.sizes[0] >= args.sizes[1]:
        parser.error("--sizes takes two sizes, the smaller first")
    return args


# --- seed: one business, a customer per size with half sells (two products each) and half payments ---------------


def _marker(sizes) -> str:
    return f"bench-statements v{SEED_VERSION} lines={','.join(map(str, sizes))}"


def _text(value) -> str:
    if value is None:
        return N
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def _copy(table: str, columns: str, rows) -> None:
    with common.raw_connection().cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write("\t".join(map(_text, row)) + "\n")


def _next_id(table: str) -> int:
    return common.raw_connection().execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]


def seed(sizes) -> dict:
    from django.db import transaction

    from contacts.services import contact_create
    from core.services.business import business_create, location_create
    from core.services.users import user_create
    from inventory.services import product_create

    rng = random.Random(7)
    with common.Stopwatch() as watch, transaction.atomic():
        business = business_create(name=_marker(sizes))
        admin = user_create(business=business, username="bench-statements", admin=True)
        location = location_create(business=business, name="Main Store", city="Leeds", country="United Kingdom")
        products = [
            product_create(
                business=business,
                user=admin,
                data={
                    "name": f"Bench item {i:02d}",
                    "purchase_price": "5",
                    "sell_price": str(8 + i),
                    "enable_stock": False,
                },
            )
            for i in range(20)
        ]
        variations = [p.variations.get() for p in products]
        contacts = {}
        for size in sizes:
            contacts[size] = contact_create(
                business=business,
                user=admin,
                data={"type": "customer", "name": f"Customer {size}", "contact_id": f"C{size}", "mobile": "555"},
            )
        conn = common.raw_connection()
        start = datetime(YEAR, 1, 1, 8, tzinfo=UTC)
        doc_id, pay_id, invoice = _next_id("ledger_transaction"), _next_id("ledger_transactionpayment"), 0
        for size, contact in contacts.items():
            docs, lines, pays = [], [], []
            step = timedelta(seconds=int(364 * 86400 / size))
            for k in range(size // 2):
                when = start + step * (2 * k)
                invoice += 1
                a, b = rng.sample(variations, 2)
                qa, qb = rng.randint(1, 9), rng.randint(1, 9)
                total = qa * a.default_sell_price + qb * b.default_sell_price
                docs.append(
                    (doc_id, business.pk, location.pk, "sell", "final", None, "paid", contact.pk, f"INV{invoice:06d}")
                    + (None, when, total, 0, 0, total, None, None, None, when, True, False, None, admin.pk, when, when)
                )
                for variation, quantity in ((a, qa), (b, qb)):
                    lines.append(
                        (
                            business.pk,
                            doc_id,
                            variation.product_id,
                            variation.pk,
                            quantity,
                            variation.default_sell_price,
                        )
                        + (0,)
                    )
                paid = when + step
                pays.append(
                    (
                        pay_id,
                        business.pk,
                        doc_id,
                        None,
                        contact.pk,
                        total,
                        rng.choice(("cash", "card", "bank_transfer")),
                    )
                    + (paid, f"SP{YEAR}/{pay_id:06d}", False, False, None, None, False, None, admin.pk, paid, paid)
                )
                doc_id, pay_id = doc_id + 1, pay_id + 1
            _copy(
                "ledger_transaction",
                "id, business_id, location_id, type, status, sub_type, payment_status, contact_id, invoice_no, "
                "ref_no, transaction_date, total_before_tax, discount_amount, shipping_charges, final_total, "
                "additional_notes, pay_term_number, pay_term_type, due_date, is_direct_sale, is_recurring, "
                "return_parent_id, created_by_id, created_at, updated_at",
                docs,
            )
            _copy(
                "ledger_sellline",
                "business_id, transaction_id, product_id, variation_id, quantity, unit_price, quantity_returned",
                lines,
            )
            _copy(
                "ledger_transactionpayment",
                "id, business_id, transaction_id, parent_id, payment_for_id, amount, method, paid_on, "
                "payment_ref_no, is_return, is_advance, payment_type, due_payment_type, is_reverse, note, "
                "created_by_id, created_at, updated_at",
                pays,
            )
        for table in ("ledger_transaction", "ledger_transactionpayment"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    common.vacuum_analyze("ledger_transaction", "ledger_sellline", "ledger_transactionpayment")
    common.say(f"seeded {', '.join(f'{s:,}' for s in sizes)}-line ledgers in {watch.seconds:.1f} s")
    return find_seed(sizes)


def find_seed(sizes):
    from contacts.models import Contact
    from core.models import Business, User

    business = Business.objects.filter(name=_marker(sizes)).first()
    if business is None:
        return None
    admin = User.objects.get(business=business, username="bench-statements")
    contacts = {size: Contact.objects.get(business=business, contact_id=f"C{size}") for size in sizes}
    return {"business": business, "admin": admin, "contacts": contacts}


# --- what is measured --------------------------------------------------------------------------------------------


def statement(seeded, size):
    from ledger.statement import ContactStatement

    return ContactStatement(
        business=seeded["business"],
        contact=seeded["contacts"][size],
        start_date=date(YEAR, 1, 1),
        end_date=date(YEAR, 12, 31),
    )


def ours(seeded, size, fmt):
    from ledger.statement_pdf import render_statement_pdf

    return render_statement_pdf(statement(seeded, size), fmt)


def naive(seeded, size, fmt):
    """The same rows, as xhtml2pdf renders them given one plain table with a repeated header row (and the same
    font): what a template without chunking does."""
    from django.conf import settings
    from django.utils.html import escape
    from xhtml2pdf import pisa

    from ledger.statement_pdf import COLUMNS, FONT_FILE, StatementDocument, static_only

    document = StatementDocument(statement(seeded, size), fmt)
    context = {
        "columns": COLUMNS[fmt],
        "font_regular": f"{settings.STATIC_URL}{FONT_FILE}",
        "rows": [
            {
                "cells": document._cells(line),
                "products": [document._product_text(p) for p in line.get("products") or ()],
            }
            for line in document.statement.payload(fmt)["lines"]
        ],
    }
    cells = len(context["columns"])
    out = [
        "<html><head><style>",
        f'@font-face {{ font-family: Statement; src: url("{context["font_regular"]}"); }}',
        "@page { size: a4; margin: 1.5cm 1cm; } body { font-family: Statement; font-size: 7.5pt; }",
        "td { padding: 2px 3px 1px 3px; vertical-align: top; }",
        "</style></head><body><table repeat='1'><thead><tr>",
        *(f"<th>{escape(c.label)}</th>" for c in context["columns"]),
        "</tr></thead>",
    ]
    for row in context["rows"]:
        out.append("<tr>" + "".join(f"<td>{escape(text)}</td>" for text, _ in row["cells"]) + "</tr>")
        if row.get("products"):
            out.append(f"<tr><td></td><td colspan='{cells - 1}'>{'<br>'.join(map(escape, row['products']))}</td></tr>")
    out.append("</table></body></html>")
    buffer = io.BytesIO()
    pisa.CreatePDF("".join(out), dest=buffer, link_callback=static_only, encoding="utf-8")
    return buffer.getvalue()


def json_ledger(client, seeded, size, fmt):
    contact = seeded["contacts"][size]
    response = client.get(
        f"/api/v1/integration/contacts/{contact.pk}/ledger",
        {"start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-12-31", "format": fmt},
    )
    assert response.status_code == 200, response.content[:300]
    return response.content


def cpu_interleaved(fns: dict, *, runs: int, warmup: int) -> dict[str, list[float]]:
    """common.interleaved, timed in CPU seconds of this process: rendering is single-threaded and CPU-bound, and on
    a shared machine wall time mostly measures the neighbours."""
    import gc
    import time

    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    samples = {name: [] for name in names}
    for i in range(runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            start = time.process_time()
            fns[name]()
            samples[name].append(time.process_time() - start)
    return samples


def _pages(content: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def figures(report, args, seeded, client):
    medians, sizes = {}, args.sizes
    for fmt in FORMATS:
        for size in sizes:
            runs = args.runs if size != sizes[-1] else args.large_runs
            pdf, plain = ours(seeded, size, fmt), naive(seeded, size, fmt)
            samples = cpu_interleaved(
                {
                    "ours": lambda size=size, fmt=fmt: ours(seeded, size, fmt),
                    "naive": lambda size=size, fmt=fmt: naive(seeded, size, fmt),
                    "json": lambda size=size, fmt=fmt: json_ledger(client, seeded, size, fmt),
                },
                runs=runs,
                warmup=args.warmup if size != sizes[-1] else 0,
            )
            t_ours, t_naive, t_json = (common.median(samples[k]) for k in ("ours", "naive", "json"))
            medians[fmt, size] = t_ours
            report.add(
                common.Figure(
                    name=f"{fmt} PDF, {size:,} lines ({_pages(pdf)} pages): render CPU time",
                    ours=t_ours,
                    baseline=t_naive,
                    unit="s",
                    baseline_label=f"one plain table ({_pages(plain)} pages)",
                    goal=TIME_GOAL if size == sizes[0] else None,
                    goal_text=f"≤ {TIME_GOAL:g}×" if size == sizes[0] else "",
                    ours_samples=samples["ours"],
                    baseline_samples=samples["naive"],
                    extra={"json_samples": samples["json"], "pdf_bytes": len(pdf), "naive_bytes": len(plain)},
                )
            )
            report.add(
                common.Figure(
                    name=f"{fmt} PDF, {size:,} lines: beside the JSON ledger of the period",
                    ours=t_ours,
                    baseline=t_json,
                    unit="s",
                    baseline_label="JSON ledger",
                    ours_samples=samples["ours"],
                    baseline_samples=samples["json"],
                )
            )
            if size == sizes[-1] and not args.memory_at_large:
                common.say(f"{fmt} {size:,}: ours {t_ours:.2f} s, naive {t_naive:.2f} s, JSON {t_json:.3f} s")
                continue
            _, peak_ours = common.traced_peak(lambda size=size, fmt=fmt: ours(seeded, size, fmt))
            _, peak_naive = common.traced_peak(lambda size=size, fmt=fmt: naive(seeded, size, fmt))
            report.add(
                common.Figure(
                    name=f"{fmt} PDF, {size:,} lines: peak Python memory",
                    ours=peak_ours,
                    baseline=peak_naive,
                    unit="bytes",
                    baseline_label="one plain table",
                    flag_above=1.0,
                )
            )
            common.say(f"{fmt} {size:,}: ours {t_ours:.2f} s, naive {t_naive:.2f} s, JSON {t_json:.3f} s")
        small, large = sizes
        growth = medians[fmt, large] / (medians[fmt, small] * large / small)
        report.add(
            common.Figure(
                name=f"{fmt}: time per line at {large:,} lines beside {small:,} lines",
                ours=medians[fmt, large] / large,
                baseline=medians[fmt, small] / small,
                unit="s",
                baseline_label=f"at {small:,}",
                goal=LINEAR_GOAL,
                goal_text=f"≤ {LINEAR_GOAL:g}× (linear)",
                extra={"growth": growth},
            )
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(args, find=lambda: find_seed(args.sizes), make=lambda: seed(args.sizes)) as seeded:
        from django.test import Client

        from core.models import ApiCredential
        from core.services.credentials import credential_issue

        token = credential_issue(user=seeded["admin"], kind=ApiCredential.Kind.TOKEN, name="bench").token
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        report = common.Report(
            "statements",
            f"Statements benchmark: ledger PDFs of {' and '.join(f'{s:,}' for s in args.sizes)} lines, median of "
            f"{args.runs} runs ({args.large_runs} at {args.sizes[-1]:,}), PostgreSQL {common.server_version()}",
        )
        figures(report, args, seeded, client)
        report.meta = {**common.environment(), "database": args.database, "runs": args.runs}
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    raise SystemExit(main())
