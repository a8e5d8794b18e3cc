"""Subscriptions benchmark: the recurring-invoice generator catching up 12 missed months of --parents subscriptions,
the same run again with nothing to do, and GET /subscriptions at that size, each beside the raw SQL PostgreSQL needs
(see bench/README.md).

    make bench-subscriptions                         # 20,000 parents; fresh erp_bench_subscriptions, dropped after
    make bench-subscriptions BENCH_ARGS="--keep"     # keep the seed and reuse it next time
    make bench-subscriptions BENCH_ARGS="--parents 2000 --generation-runs 1 --profile"
"""

import sys

import common
import subscriptions_baselines as sql
from subscriptions_seed import MISSED, RUN_DATE, find_seed, fingerprint, reset, seed

API = "/api/v1/integration"
GENERATION_GOAL = 5.0
NOTHING_GOAL, NOTHING_SECONDS = 3.0, 1.0
LIST_GOAL = 3.0


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0],
        database="erp_bench_subscriptions",
        rows=20_000,
        runs=15,
        rows_option="--parents",
        rows_what="running monthly subscriptions of 3 lines, 12 missed months each",
    )
    parser.add_argument(
        "--generation-runs", type=int, default=3, help="timed generator runs of ours and of the SQL each (default 3)"
    )
    parser.add_argument("--deep-page", type=int, default=150, help="the list's deep page at per_page=100 (150)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one generator run (to stderr)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


def _content_types():
    from django.contrib.contenttypes.models import ContentType

    from contacts.models import Contact
    from ledger.models import Transaction

    return ContentType.objects.get_for_model(Transaction).pk, ContentType.objects.get_for_model(Contact).pk


def generation_figure(report, args, seeded):
    """(a) Children per second: our generator (one transaction per parent, through the services) and the set-based
    SQL, alternating, each run from the seed (the reset and VACUUM between runs are not timed). The first run of each
    is compared with the other's: the same children, numbers, dates, lines, periods, activity counts and next
    dates."""
    from subscriptions.generation import generate_due_invoices

    business_id, children = seeded.business.pk, seeded.parents * MISSED
    document_type, contact_type = _content_types()

    def ours():
        summary = generate_due_invoices(date=RUN_DATE)
        assert (summary.children_created, summary.failures) == (children, []), summary.as_dict()

    def baseline():
        counts = sql.generate(
            common.raw_connection(),
            business_id=business_id,
            children=children,
            missed=MISSED,
            document_type=document_type,
            contact_type=contact_type,
        )
        assert counts[0] == children, counts

    samples, prints, last = {"ours": [], "sql": []}, {}, None
    for i in range(args.generation_runs):
        for name in ("ours", "sql") if i % 2 == 0 else ("sql", "ours"):
            last = name
            reset(business_id, seeded.parents)
            common.say(f"  generation run {i + 1}: {name} …")
            with common.Stopwatch() as watch:
                (ours if name == "ours" else baseline)()
            samples[name].append(watch.seconds)
            common.say(f"    {watch.seconds:.1f} s ({children / watch.seconds:,.0f} children/s)")
            written = fingerprint(business_id)
            assert prints.setdefault(name, written) == written, f"{name} wrote something else on run {i + 1}"
    assert prints["ours"] == prints["sql"], f"ours and the SQL differ:\n{prints['ours']}\n{prints['sql']}"
    if args.profile:
        reset(business_id, seeded.parents)
        common.profile("generator", ours, limit=40)
    elif last != "ours":
        reset(business_id, seeded.parents)  # the figures below read what the generator itself wrote
        ours()
    t_ours, t_sql = common.median(samples["ours"]), common.median(samples["sql"])
    report.add(
        common.Figure(
            name=f"generator: {children:,} children ({seeded.parents:,} parents × {MISSED} months)",
            ours=t_ours,
            baseline=t_sql,
            unit="s",
            baseline_label="set-based SQL",
            goal=GENERATION_GOAL,
            goal_text=f"≤ {GENERATION_GOAL:g}×",
            ours_samples=samples["ours"],
            baseline_samples=samples["sql"],
            extra={
                "children_per_second": children / t_ours,
                "baseline_children_per_second": children / t_sql,
                "fingerprint": prints["ours"],
            },
        )
    )
    report.note(
        f"generator: {children / t_ours:,.0f} children/s against {children / t_sql:,.0f}/s for the SQL; each child "
        f"with {3} lines, its period and 3 activity rows ({fingerprint_rows(prints['ours'])})."
    )


def fingerprint_rows(prints: dict) -> str:
    return f"{int(prints['children']):,} children, {int(prints['lines']):,} lines, activity {prints['activities']}"


def nothing_figure(report, args, seeded):
    """(b) The same command right after: nothing to do. Beside one indexed query over the parents."""
    from subscriptions.generation import generate_due_invoices

    business_id = seeded.business.pk

    def ours():
        summary = generate_due_invoices(date=RUN_DATE)
        assert summary.children_created == 0 and summary.parents_seen == 0, summary.as_dict()

    def baseline():
        assert len(sql.parents(common.raw_connection(), business_id)) == seeded.parents

    ours()
    times = common.interleaved({"ours": ours, "sql": baseline}, runs=args.runs, warmup=args.warmup)
    t_ours, t_sql = common.median(times["ours"]), common.median(times["sql"])
    report.add(
        common.Figure(
            name="the same run again: nothing to do",
            ours=t_ours,
            baseline=t_sql,
            unit="s",
            baseline_label="one indexed query over the parents",
            # The goal: within 1 s, or within 3× of that query.
            goal=max(NOTHING_GOAL, NOTHING_SECONDS / t_sql),
            goal_text=f"≤ {NOTHING_SECONDS:g} s or ≤ {NOTHING_GOAL:g}×",
            ours_samples=times["ours"],
            baseline_samples=times["sql"],
        )
    )
    statements = common.captured(ours)
    report.note(f"nothing to do: {len(statements)} statements ({'; '.join(s[:60] for s in statements)})")


def list_figures(report, args, seeded):
    """(c) GET /subscriptions?per_page=100, page 1 and a deep page, beside the same rows by hand."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {seeded.token}")
    business_id = seeded.business.pk

    last_page = -(-seeded.parents // 100)
    for page in (1, min(args.deep_page, last_page)):

        def ours(page=page):
            response = client.get(f"{API}/subscriptions", {"per_page": 100, "page": page})
            assert response.status_code == 200, response.content[:300]
            return response.json()

        def baseline(page=page):
            return sql.list_page(common.raw_connection(), business_id, page)

        body, raw = ours(), baseline()
        total, rows, children = raw[0], raw[1], raw[2]
        assert body["meta"]["total"] == total == seeded.parents
        assert [r["id"] for r in body["data"]] == [row[0] for row in rows]
        by_parent = {}
        for child in children:
            by_parent.setdefault(child[0], []).append(child[1])
        assert all([g["id"] for g in r["generated_invoices"]] == by_parent.get(r["id"], []) for r in body["data"])
        assert {len(r["generated_invoices"]) for r in body["data"]} == {MISSED}
        times = common.interleaved({"ours": ours, "sql": baseline}, runs=args.runs, warmup=args.warmup)
        report.add(
            common.Figure(
                name=f"GET /subscriptions?per_page=100&page={page}",
                ours=common.median(times["ours"]),
                baseline=common.median(times["sql"]),
                unit="s",
                baseline_label="raw SQL",
                goal=LIST_GOAL,
                goal_text=f"≤ {LIST_GOAL:g}×",
                ours_samples=times["ours"],
                baseline_samples=times["sql"],
            )
        )


def run(args, seeded) -> common.Report:
    report = common.Report(
        "subscriptions",
        f"Subscriptions benchmark: {seeded.parents:,} monthly subscriptions × 3 lines, {MISSED} missed months "
        f"({seeded.parents * MISSED:,} children), PostgreSQL {common.server_version()}",
    )
    generation_figure(report, args, seeded)
    nothing_figure(report, args, seeded)
    list_figures(report, args, seeded)
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(args, find=lambda: find_seed(args.parents), make=lambda: seed(args.parents)) as seeded:
        report = run(args, seeded)
        report.meta = {
            **common.environment(),
            "database": args.database,
            "parents": args.parents,
            "missed_months": MISSED,
            "run_date": RUN_DATE.isoformat(),
            "seed_seconds": seeded.seed_seconds,
            "runs": args.runs,
            "generation_runs": args.generation_runs,
        }
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
