"""Ledger benchmark: the sells list (plain, filtered, searched), the supplier stock report and creating a
sell, through the real request stack, each beside the raw SQL PostgreSQL needs for the same work
(see bench/README.md).

    make bench-ledger                                    # 200,000 sells, fresh database, dropped after
    make bench-ledger BENCH_ARGS="--keep"                # keep erp_bench_ledger and reuse it next time
    make bench-ledger BENCH_ARGS="--keep --runs 31"
"""

import datetime
import json
import sys
from collections import Counter
from contextlib import ExitStack
from functools import partial

import common
import ledger_baselines as sql
from ledger_seed import LedgerSeed, find_seed, invariant_violations, seed, seed_counts

API = "/api/v1/integration"
FLAG = 3.0  # no goals for this benchmark; a ratio above this is worth a look
PER_PAGE = 100


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0],
        database="erp_bench_ledger",
        rows=200_000,
        runs=15,
        rows_option="--sells",
        rows_what="sells (3 lines each)",
    )
    parser.add_argument("--products", type=int, default=1000, help="products to seed (default 1,000)")
    parser.add_argument(
        "--supplier-lines", type=int, default=5000, help="purchase lines of the supplier-stock supplier (5,000)"
    )
    parser.add_argument("--q", help="search text of the search figure (default: the surname of a regular customer)")
    parser.add_argument("--month", default="2025-06", help="month of the filtered figure, YYYY-MM (default 2025-06)")
    parser.add_argument("--lines", type=int, default=10, help="lines of the created sell (default 10)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL Django runs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per figure")
    return parser.parse_args(argv)


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str, params: dict) -> dict:
        response = self.client.get(API + path, params)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}: {response.content[:500]!r}")
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(API + path, json.dumps(body), content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"POST {path} answered {response.status_code}: {response.content[:800]!r}")
        return response.json()


def reading(statements: list[str], *tables: str) -> list[str]:
    """The SELECTs among `statements` that read one of `tables` (the request's own data, not auth)."""
    return [s for s in statements if s.lstrip().startswith("SELECT") and any(f'"{t}"' in s for t in tables)]


def main_table(statement: str) -> str:
    """The table a statement writes, or the one its outermost FROM reads (not a subquery's)."""
    words = statement.split()
    if words[0].upper() in ("INSERT", "UPDATE"):
        return next((w.strip('"(') for w in words[1:] if w.startswith('"')), "")
    depth = 0
    for i, char in enumerate(statement):
        depth += (char == "(") - (char == ")")
        if depth == 0 and statement.startswith(" FROM ", i):
            return statement[i + 6 :].split()[0].strip('"')
    return ""


def kinds(statements: list[str]) -> Counter:
    """Statements by verb and table: what a request spends its round trips on."""
    return Counter(f"{s.split()[0].upper()} {main_table(s)}".strip() for s in statements)


# --- list figures ------------------------------------------------------------------------------------


def same_values(name, body: dict, rows: list[tuple], columns: dict[str, int]):
    """The endpoint's computed columns equal the baseline's (amounts arrive as JSON numbers)."""
    for item, row in zip(body["data"], rows, strict=True):
        for key, index in columns.items():
            ours, theirs = item[key], row[index]
            same = ours == theirs if isinstance(theirs, bool) else abs(float(ours) - float(theirs)) < 1e-6
            assert same, f"{name}: {key} of row {row[0]} is {ours}, the baseline says {theirs}"


def patched(setups, fn):
    """`fn` run with the proposals `setups` monkeypatched in, and undone after each call."""

    def run():
        with ExitStack() as stack:
            for setup in setups:
                setup(stack)
            return fn()

    return run


def check_list(name, api, path, params, baseline: sql.PageSQL, *, key, columns) -> tuple[int, int]:
    """The baseline answers with the endpoint's rows: same ids in the same order, same total, same values."""
    body = api.get(path, params)
    rows, total = baseline.run(common.raw_connection())
    assert [r[key] for r in body["data"]] == [r[0] for r in rows], f"{name}: the baseline returns other rows"
    assert body["meta"]["total"] == total, f"{name}: the baseline counts {total}, the endpoint {body['meta']['total']}"
    assert rows, f"{name}: the page is empty"
    same_values(name, body, rows, columns)
    return len(rows), total


def list_figure(report, args, api, name, path, params, baseline, tables, *, key="id", columns=None, variants=None):
    """One list figure, and one more per proposal in `variants` ({label: [setup, …]}), all timed in the same
    interleaved loop so they share the noise."""
    conn = common.raw_connection()
    columns = columns or sql.SELL_CHECKED
    variants = variants or {}
    shown, total = check_list(name, api, path, params, baseline, key=key, columns=columns)
    for label, setups in variants.items():
        check = partial(check_list, f"{label} {name}", api, path, params, baseline, key=key, columns=columns)
        patched(setups, check)()

    def fetch():
        return api.get(path, params)

    own = {"ours": reading(common.captured(fetch), *tables)}
    for label, setups in variants.items():
        own[label] = reading(patched(setups, lambda: common.captured(fetch))(), *tables)
    if args.explain:
        for label, statements in own.items():
            common.explain(conn, name if label == "ours" else f"{label} {name}", statements)
        common.explain(conn, f"{name} (baseline)", baseline.statements())
    if args.profile:
        common.profile(name, fetch)
    samples = common.interleaved(
        {
            "ours": fetch,
            **{label: patched(setups, fetch) for label, setups in variants.items()},
            "raw": lambda: baseline.run(conn),
            **{f"sql {label}": lambda st=st: common.run_statements(conn, st) for label, st in own.items()},
        },
        runs=args.runs,
        warmup=args.warmup,
    )
    raw = common.median(samples["raw"])
    for label in own:
        ours, django_sql = common.median(samples[label]), common.median(samples[f"sql {label}"])
        figure_name = name if label == "ours" else f"{label} {name}"
        report.add(
            common.Figure(
                name=figure_name,
                ours=ours,
                baseline=raw,
                unit="s",
                baseline_label="raw SQL",
                goal_text="none",
                flag_above=FLAG,
                ours_samples=samples[label],
                baseline_samples=samples["raw"],
                extra={
                    "request": f"GET {API}{path}",
                    "params": params,
                    "proposals": None if label == "ours" else label,
                    "rows": shown,
                    "total": total,
                    "django_sql": own[label],
                    "django_sql_median_s": django_sql,
                    "django_sql_samples": samples[f"sql {label}"],
                    "baseline_sql": baseline.statements(),
                },
            )
        )
        report.note(
            f"{figure_name}: {shown} of {total:,} rows; Django's own SQL {common.human(django_sql, 's')} "
            f"({django_sql / raw:.2f}× the raw SQL), the rest {common.human(max(0.0, ours - django_sql), 's')} "
            "is Python (auth, DRF, row shaping, JSON)."
        )


def default_q(seeded: LedgerSeed) -> str:
    """The surname of the 10th busiest customer who is a person: a real search on a contact name."""
    from django.db.models import Count

    from contacts.models import Contact

    people = (
        Contact.objects.for_business(seeded.business)
        .filter(contact_type="individual", is_default=False)
        .annotate(sells=Count("transactions"))
        .order_by("-sells", "id")
        .values_list("last_name", flat=True)
    )
    return people[min(9, people.count() - 1)]


def month_filter(seeded: LedgerSeed, args):
    """The filtered figure's location (the second store), month, and its first and last day."""
    year, month = (int(p) for p in args.month.split("-"))
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return seeded.location_ids[1], args.month, first, last


def list_figures(report, args, api, seeded: LedgerSeed):
    b = seeded.business.pk
    proposed = {}  # {"plain": {label: [setup, ...]}, ...} to time a monkeypatched alternative beside each figure
    location, _, first, last = month_filter(seeded, args)
    tables = ("ledger_transaction",)
    list_figure(
        report,
        args,
        api,
        "GET /sells",
        "/sells",
        {"per_page": PER_PAGE},
        sql.sells(b),
        tables,
        variants=proposed.get("plain"),
    )
    filters = {"location_id": location, "payment_status": "due", "start_date": str(first), "end_date": str(last)}
    list_figure(
        report,
        args,
        api,
        f"GET /sells location+due+{args.month}",
        "/sells",
        {**filters, "per_page": PER_PAGE},
        sql.sells(b, location_id=location, payment_status="due", dates=sql.day_bounds(first, last)),
        tables,
        variants=proposed.get("filtered"),
    )
    q = args.q or default_q(seeded)
    list_figure(
        report,
        args,
        api,
        f"GET /sells q={q}",
        "/sells",
        {"q": q, "per_page": PER_PAGE},
        sql.sells(b, q=q),
        tables,
        variants=proposed.get("search"),
    )
    list_figure(
        report,
        args,
        api,
        "GET supplier-stock",
        f"/contacts/{seeded.supplier_id}/supplier-stock",
        {"per_page": PER_PAGE},
        sql.supplier_stock(b, seeded.supplier_id),
        ("inventory_variation",),
        key="variation_id",
        columns=sql.STOCK_CHECKED,
        variants=proposed.get("supplier_stock"),
    )


# --- creating a sell -----------------------------------------------------------------------------------


def rotating(specs):
    """A callable that takes the next spec on each call (ours and the baseline each get their own)."""
    state = {"i": 0}

    def take():
        spec = specs[state["i"] % len(specs)]
        state["i"] += 1
        return spec

    return take


def post_sell(api, spec: sql.SellSpec, inspect=None):
    """POST /sells inside a transaction that is rolled back: every run sees the same stock."""
    from django.db import transaction

    with transaction.atomic():
        body = api.post("/sells", spec.body())
        result = inspect(body["data"]["id"]) if inspect else body
        transaction.set_rollback(True)
    return result


def check_create(name, api, raw, specs, lines: int) -> int:
    """Sell by sell, the endpoint and the hand-written SQL map the same FIFO links and leave the same stock.
    Returns the links of the sells checked (more than their lines when FIFO spans purchase lines)."""
    conn, links = common.raw_connection(), 0
    for spec in specs[:8]:
        ours = post_sell(api, spec, inspect=lambda sell_id, s=spec: sql.sell_effect(conn, sell_id, s))
        theirs = raw.run(conn, spec, inspect=lambda sell_id, s=spec: sql.sell_effect(conn, sell_id, s))
        assert ours == theirs, f"{name}: the baseline maps or moves stock differently:\n{ours}\n{theirs}"
        assert len(ours[0]) >= lines, f"{name}: the created sell was not mapped to purchase lines"
        links += len(ours[0])
    return links


def create_figure(report, args, api, seeded: LedgerSeed, name="POST /sells", variants=None):
    """POST /sells, and one more figure per proposal in `variants`, interleaved with the hand-written SQL;
    each gets the same sequence of distinct sells."""
    conn = common.raw_connection()
    specs = sql.sell_specs(seeded, args.lines)
    raw = sql.SellInsert(seeded.business.pk, seeded.admin.pk)
    setups = {"ours": [], **(variants or {})}
    links = {
        label: patched(s, lambda: check_create(name, api, raw, specs, args.lines))() for label, s in setups.items()
    }

    # Without the benchmark's own BEGIN … ROLLBACK around the request (the request's transaction then shows
    # as a SAVEPOINT … RELEASE pair, its BEGIN … COMMIT in production).
    def statements_of(label):
        sent = patched(setups[label], lambda: common.captured(lambda: post_sell(api, specs[0])))()
        return [s for s in sent if s not in ("BEGIN", "ROLLBACK")]

    statements = {label: statements_of(label) for label in setups}
    if args.explain:
        common.explain(conn, name, [s for s in statements["ours"] if "FOR UPDATE" in s][:1])
    if args.profile:
        common.profile(name, lambda: post_sell(api, specs[0]), limit=45)
    calls = {}
    for label, setup in setups.items():
        take = rotating(specs)
        calls[label] = patched(setup, lambda take=take: post_sell(api, take()))
    raw_next = rotating(specs)
    samples = common.interleaved(
        {**calls, "raw": lambda: raw.run(conn, raw_next())}, runs=args.runs, warmup=args.warmup
    )
    for label in setups:
        by_kind = kinds(statements[label])
        figure_name = name if label == "ours" else f"{label} {name}"
        report.add(
            common.Figure(
                name=figure_name,
                ours=common.median(samples[label]),
                baseline=common.median(samples["raw"]),
                unit="s",
                baseline_label=f"raw SQL ({raw.statement_count(specs[0])} statements)",
                goal_text="none",
                flag_above=FLAG,
                ours_samples=samples[label],
                baseline_samples=samples["raw"],
                extra={
                    "proposals": None if label == "ours" else label,
                    "lines": args.lines,
                    "distinct_sells": len(specs),
                    "fifo_links_of_8_checked_sells": links[label],
                    "queries_per_request": len(statements[label]),
                    "queries_by_kind": dict(by_kind.most_common()),
                    "django_sql": statements[label],
                    "baseline_sql": raw.statements(specs[0]),
                },
            )
        )
        top = ", ".join(f"{n} {k}" for k, n in by_kind.most_common(6))
        report.note(f"{figure_name}: {len(statements[label])} statements per request ({top}, …).")
    return samples, statements


def run(args, seeded: LedgerSeed) -> common.Report:
    report = common.Report(
        "ledger",
        f"Ledger benchmark: {seeded.sells:,} sells × 3 lines, {seeded.products:,} products in one business, "
        f"median of {args.runs} runs, PostgreSQL {common.server_version()}",
    )
    api = Api(seeded.token)
    list_figures(report, args, api, seeded)
    stale_mark_cost_figure(report, args, api, seeded)
    return report


def stale_mark_cost_figure(report, args, api, seeded: LedgerSeed):
    """POST /sells as it is and with the balance snapshots' stale-mark check taken out
    (accounts.balance_marks.balance_rows_written a no-op), in the same interleaved loop, against a business whose
    snapshot horizon is set as a build leaves it (the start of this month), so the check reads a real horizon."""
    from unittest import mock

    from django.utils import timezone

    import accounts.balance_marks as marks
    from accounts.reports.snapshots import _raise_horizon, month_ends

    ends = month_ends(seeded.business, timezone.now() - datetime.timedelta(days=40), timezone.now())
    _raise_horizon(seeded.business, ends[-1][1])
    label = "without the stale-mark check"

    def no_mark(business_id, moments, part=marks.BOTH, scope_id=None, *, inserted=None):
        return None

    off = [lambda stack: stack.enter_context(mock.patch.object(marks, "balance_rows_written", new=no_mark))]
    samples, statements = create_figure(report, args, api, seeded, variants={label: off})
    report.add(
        common.Figure(
            name="POST /sells with the stale-mark check",
            ours=common.median(samples["ours"]),
            baseline=common.median(samples[label]),
            unit="s",
            baseline_label=label,
            goal=1.10,
            goal_text="≤ 1.1×",
            ours_samples=samples["ours"],
            baseline_samples=samples[label],
            extra={"statements_with": len(statements["ours"]), "statements_without": len(statements[label])},
        )
    )
    report.note(
        f"POST /sells: {len(statements['ours'])} statements with the stale-mark check, "
        f"{len(statements[label])} without it."
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(
        args,
        find=lambda: find_seed(args.sells, args.products),
        make=lambda: seed(args.sells, args.products, args.supplier_lines),
    ) as seeded:
        invariants = common.checked_invariants(lambda: invariant_violations(seeded.business.pk))
        report = run(args, seeded)
        report.meta = {
            **common.environment(),
            "database": args.database,
            "sells": args.sells,
            "products": args.products,
            "supplier_lines": seeded.supplier_lines,
            "supplier_variations": seeded.supplier_variations,
            "seed_seconds": seeded.seed_seconds,
            "seed_rows": seed_counts(seeded.business.pk),
            "invariant_violations": invariants,
            "runs": args.runs,
        }
        common.publish(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
