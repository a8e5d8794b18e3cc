"""Contacts benchmark: the contacts list, search and CSV export through the real request stack,
each beside what PostgreSQL alone needs for the same rows (see bench/README.md).

    make bench-contacts                                   # 100,000 contacts, fresh database, dropped after
    make bench-contacts BENCH_ARGS="--keep"               # keep erp_bench and reuse it next time
    make bench-contacts BENCH_ARGS="--keep --runs 31"     # more runs on the kept seed
"""

import cProfile
import csv
import io
import math
import pstats
import sys
from dataclasses import dataclass

import common
from contacts_seed import SeededBusiness, find_seed, seed

LIST_PATH = "/api/v1/integration/contacts"
LIST_GOAL = 3.0  # a list page within 3× of the raw SQL
CSV_GOAL = 5.0  # a CSV export within 5× of COPY
FLAT_GOAL = 2.0  # peak memory at all rows within 2× of the peak at 10,000 rows


def parse_args(argv=None):
    parser = common.base_parser(__doc__.split("\n")[0], database="erp_bench", rows=100_000, runs=15)
    parser.add_argument("--csv-runs", type=int, default=5, help="timed runs of each CSV export (default 5)")
    parser.add_argument("--page", type=int, default=500, help="page of the list figure (default 500)")
    parser.add_argument("--q", default="son", help="search text of the search figure (default 'son')")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL Django runs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per figure")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


# --- the raw SQL baselines ---------------------------------------------------------------------


def _select_list(shape) -> str:
    """The columns the response shape reads, as the SQL a hand-written query would name."""
    from contacts.models import Contact

    columns = []
    for path in shape.paths:
        if "__" in path:
            raise SystemExit(f"bench/contacts.py: {path} crosses a relation; extend the baseline SQL by hand")
        columns.append(f'"{Contact._meta.get_field(path).column}"')
    return ", ".join(columns)


def _where(business_id: int, q: str | None) -> tuple[str, list]:
    sql = "business_id = %s AND deleted_at IS NULL AND type IN ('customer', 'both') AND contact_status = 'active'"
    params: list = [business_id]
    if q:
        columns = ("name", "supplier_business_name", "mobile", "landline", "alternate_number", "email", "contact_id")
        # UPPER(...) LIKE UPPER(...), not ILIKE: the same matches, and PostgreSQL runs it faster.
        sql += " AND (" + " OR ".join(f"UPPER({c}) LIKE UPPER(%s)" for c in columns) + ")"
        params += [f"%{q}%"] * len(columns)
    return sql, params


@dataclass
class PageSQL:
    page: str
    count: str
    params: list

    def run(self, conn) -> tuple[list[tuple], int]:
        import psycopg

        with psycopg.ClientCursor(conn) as cur:  # client-side binding, like Django's cursors
            total = cur.execute(self.count, self.params, prepare=False).fetchone()[0]
            rows = cur.execute(self.page, self.params, prepare=False).fetchall()
        return rows, total


def page_sql(shape, business_id: int, *, page: int, per_page: int, q: str | None = None) -> PageSQL:
    where, params = _where(business_id, q)
    return PageSQL(
        page=f"SELECT {_select_list(shape)} FROM contacts_contact WHERE {where} "
        f"ORDER BY id LIMIT {per_page} OFFSET {(page - 1) * per_page}",
        count=f"SELECT COUNT(*) FROM contacts_contact WHERE {where}",
        params=params,
    )


def copy_sql(shape, business_id: int) -> str:
    import psycopg

    where, params = _where(business_id, None)
    query = f"SELECT {_select_list(shape)} FROM contacts_contact WHERE {where} ORDER BY id"
    query = psycopg.ClientCursor(common.raw_connection()).mogrify(query, params)
    return f"COPY ({query}) TO STDOUT WITH CSV HEADER"


def run_copy(conn, sql: str) -> int:
    size = 0
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for block in copy:
            size += len(block)
    return size


def run_statements(conn, statements: list[str]) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement, prepare=False)
            if cur.description is not None:
                cur.fetchall()


# --- the requests ------------------------------------------------------------------------------


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, params: dict):
        response = self.client.get(LIST_PATH, params)
        if response.status_code != 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            raise SystemExit(f"GET {LIST_PATH} {params} answered {response.status_code}: {body[:500]!r}")
        return response

    def download(self, params: dict) -> int:
        """The CSV download, read to the end and thrown away chunk by chunk, as a client would."""
        response = self.get(params)
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size

    def download_text(self, params: dict) -> str:
        return b"".join(self.get(params).streaming_content).decode("utf-8-sig")


def captured(fn) -> tuple[list[str], list[str]]:
    """The SQL statements Django sends for one call of `fn`: all of them, and those reading contacts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries], [
        q["sql"] for q in queries.captured_queries if "contacts_contact" in q["sql"]
    ]


def profile(label: str, fn) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    common.say(f"\n=== cProfile: {label} ===\n{out.getvalue()}")


def explain(conn, label: str, statements: list[str]) -> None:
    for statement in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, prepare=False).fetchall()
        common.say(f"\n=== EXPLAIN ANALYZE: {label} ===\n{statement}\n" + "\n".join(r[0] for r in plan))


# --- the figures -------------------------------------------------------------------------------


def list_figure(report, args, api, business_id, name, params, sql: PageSQL, per_page: int):
    conn = common.raw_connection()
    # Check once that the baseline answers with the same rows the endpoint does.
    response = api.get(params)
    body = response.json()
    rows, total = sql.run(conn)
    assert [r["id"] for r in body["data"]] == [r[0] for r in rows], f"{name}: baseline returns other rows"
    assert body["meta"]["total"] == total, f"{name}: baseline counts {total}, endpoint {body['meta']['total']}"
    assert rows, f"{name}: the page is empty"
    all_sql, contact_sql = captured(lambda: api.get(params))
    if args.explain:
        explain(conn, name, contact_sql)
    if args.profile:
        profile(name, lambda: api.get(params))

    samples = common.interleaved(
        {
            "ours": lambda: api.get(params),
            "raw": lambda: sql.run(conn),
            "django_sql": lambda: run_statements(conn, contact_sql),
        },
        runs=args.runs,
        warmup=args.warmup,
    )
    ours, raw, django_sql = (common.median(samples[k]) for k in ("ours", "raw", "django_sql"))
    report.add(
        common.Figure(
            name=name,
            ours=ours,
            baseline=raw,
            unit="s",
            baseline_label="raw SQL",
            goal=LIST_GOAL,
            goal_text=f"≤ {LIST_GOAL:g}×",
            ours_samples=samples["ours"],
            baseline_samples=samples["raw"],
            extra={
                "rows": len(rows),
                "total": total,
                "queries_per_request": len(all_sql),
                "django_sql": contact_sql,
                "django_sql_median_s": django_sql,
                "django_sql_samples": samples["django_sql"],
                "baseline_sql": [sql.count, sql.page],
                "baseline_params": sql.params,
            },
        )
    )
    report.note(
        f"{name}: {len(all_sql)} queries per request; Django's own contacts SQL takes "
        f"{common.human(django_sql, 's')} ({django_sql / raw:.2f}× the raw SQL), the rest of the request "
        f"{common.human(max(0.0, ours - django_sql), 's')} is Python (auth, DRF, row shaping, JSON)."
    )


def _csv_check(api, params, conn, copy: str, label: str) -> int:
    """The download and COPY hold the same contacts in the same order; returns the row count."""
    ours = list(csv.reader(io.StringIO(api.download_text(params))))
    out = io.BytesIO()
    with conn.cursor() as cur, cur.copy(copy) as stream:
        for block in stream:
            out.write(block)
    theirs = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert ours[0] == theirs[0], f"{label}: header {ours[0]} != {theirs[0]}"
    assert [r[0] for r in ours[1:]] == [r[0] for r in theirs[1:]], f"{label}: the download holds other rows"
    return len(ours) - 1


def csv_figures(report, args, large: SeededBusiness, small: SeededBusiness):
    from contacts.api.views import LIST_SHAPE

    conn = common.raw_connection()
    params = {"kind": "customer", "format": "csv"}
    measured = {}
    for seeded, label in ((large, "all"), (small, "small")):
        api = Api(seeded.token)
        copy = copy_sql(LIST_SHAPE, seeded.business.pk)
        rows = _csv_check(api, params, conn, copy, label)
        assert rows == seeded.customer_active, f"CSV holds {rows} rows, expected {seeded.customer_active}"
        if args.explain:
            explain(conn, f"CSV {label}", [copy[len("COPY (") : copy.rindex(") TO STDOUT")]])
        if args.profile:
            profile(f"CSV export, {rows:,} rows", lambda api=api: api.download(params))
        samples = common.interleaved(
            {"ours": lambda api=api: api.download(params), "copy": lambda copy=copy: run_copy(conn, copy)},
            runs=args.csv_runs,
            warmup=1,
        )
        ours_bytes, copy_bytes = api.download(params), run_copy(conn, copy)
        measured[label] = (api, rows)
        report.add(
            common.Figure(
                name=f"CSV export, kind=customer ({rows:,} rows)",
                ours=common.median(samples["ours"]),
                baseline=common.median(samples["copy"]),
                unit="s",
                baseline_label="COPY",
                goal=CSV_GOAL,
                goal_text=f"≤ {CSV_GOAL:g}×",
                ours_samples=samples["ours"],
                baseline_samples=samples["copy"],
                extra={"rows": rows, "bytes": ours_bytes, "copy_bytes": copy_bytes, "copy_sql": copy},
            )
        )

    # Peak memory: the small download once untraced and once traced first, so one-off allocations
    # (imports, caches, compiled patterns) are not charged to whichever export runs first.
    (small_api, small_rows), (_, large_rows) = measured["small"], measured["all"]
    small_api.download(params)
    common.traced_peak(lambda: small_api.download(params))
    peaks = {}
    for label, (api, _) in (("small", measured["small"]), ("all", measured["all"])):
        _, peaks[label] = common.traced_peak(lambda api=api: api.download(params))
    report.add(
        common.Figure(
            name=f"CSV peak Python memory, {large_rows:,} rows",
            ours=peaks["all"],
            baseline=peaks["small"],
            unit="bytes",
            baseline_label=f"at {small_rows:,} rows",
            goal=FLAT_GOAL,
            goal_text=f"flat: ≤ {FLAT_GOAL:g}× for {large_rows / small_rows:.1f}× rows",
            extra={"rows": large_rows, "baseline_rows": small_rows},
        )
    )


def run(args, large: SeededBusiness, small: SeededBusiness) -> common.Report:
    from contacts.api.views import LIST_SHAPE

    report = common.Report(
        "contacts",
        f"Contacts benchmark: {large.contacts:,} contacts in one business "
        f"({large.customer_active:,} active customer-side), median of {args.runs} runs "
        f"({args.csv_runs} for CSV), PostgreSQL {common.server_version()}",
    )
    api = Api(large.token)
    per_page = 100
    page = min(args.page, max(1, math.ceil(large.customer_active / per_page)))  # a full page when seeded small
    list_figure(
        report,
        args,
        api,
        large.business.pk,
        f"List page {page}, kind=customer, per_page={per_page}",
        {"kind": "customer", "per_page": per_page, "page": page},
        page_sql(LIST_SHAPE, large.business.pk, page=page, per_page=per_page),
        per_page,
    )
    list_figure(
        report,
        args,
        api,
        large.business.pk,
        f"Search q={args.q}, kind=customer, per_page={per_page}",
        {"kind": "customer", "per_page": per_page, "q": args.q},
        page_sql(LIST_SHAPE, large.business.pk, page=1, per_page=per_page, q=args.q),
        per_page,
    )
    csv_figures(report, args, large, small)
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(args, find=lambda: find_seed(args.rows), make=lambda: seed(args.rows)) as seeded:
        report = run(args, *seeded)
        report.meta = {**common.environment(), "database": args.database, "rows": args.rows, "runs": args.runs}
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
