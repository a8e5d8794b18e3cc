"""Money benchmark: a customer's balance, a month of its ledger (format_1 and format_3) and its all-time ledger
csv, through the real request stack, each beside the raw SQL PostgreSQL needs for the same numbers and rows
(see bench/README.md).

    make bench-money                                   # 20,000 documents + 20,000 payments, dropped after
    make bench-money BENCH_ARGS="--keep"               # keep erp_bench_money and reuse it next time
    make bench-money BENCH_ARGS="--keep --runs 31 --explain --profile"
"""

import csv
import datetime
import io
import sys
from decimal import Decimal

import common
import money_baselines as sql
from money_seed import find_seed, invariant_violations, ledger_counts, seed, seed_counts

API = "/api/v1/integration"
GOAL = 3.0  # the balance and a month of ledger within 3× of the raw SQL
FLAT_GOAL = 2.0  # csv peak memory at all rows within 2× of the peak at a tenth of them
CSV_FLAG = 5.0  # no goal for the csv's time; above the contacts export's 5× of COPY is worth a look
CENT = Decimal("0.01")


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0],
        database="erp_bench_money",
        rows=20_000,
        runs=15,
        rows_option="--documents",
        rows_what="ledger documents of the measured customer",
    )
    parser.add_argument(
        "--payments", type=int, default=20_000, help="ledger payment rows of the measured customer (20,000)"
    )
    parser.add_argument("--month", default="2024-06", help="month of the ledger figures, YYYY-MM (default 2024-06)")
    parser.add_argument("--csv-runs", type=int, default=7, help="timed runs of each csv download (default 7)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL Django runs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per figure")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str, params: dict):
        response = self.client.get(API + path, params)
        if response.status_code != 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            raise SystemExit(f"GET {path} {params} answered {response.status_code}: {body[:500]!r}")
        return response

    def json(self, path: str, params: dict) -> dict:
        return self.get(path, params).json()

    def download(self, path: str, params: dict) -> int:
        """The csv, read to the end and thrown away chunk by chunk, as a client would."""
        return sum(len(chunk) for chunk in self.get(path, params).streaming_content)

    def download_text(self, path: str, params: dict) -> str:
        return b"".join(self.get(path, params).streaming_content).decode("utf-8-sig")


def signed_balance(text: str) -> Decimal:
    """'$ 1,234.50 DR' -> -1234.50 (DR: the contact owes us, negative)."""
    number = text.replace("$", "").replace(",", "").split()
    value = Decimal(number[0]) if number else Decimal(0)
    return -value if number[-1:] == ["DR"] else value


def amount(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def same(label: str, name: str, ours, theirs) -> None:
    ours, theirs = amount(ours), amount(theirs)
    assert abs(ours - theirs) < Decimal("0.00005"), f"{label}: {name} is {ours}, the raw SQL says {theirs}"


def reading(statements: list[str]) -> list[str]:
    """The SELECTs among `statements` that read the ledger (not authentication, the contact or its permission);
    a server-side cursor's DECLARE … FOR SELECT as its SELECT."""
    tables = ('"ledger_transaction"', '"ledger_sellline"', "ledger_transactionpayment")
    selects = [s[s.index(" FOR SELECT ") + 5 :] if s.startswith("DECLARE ") else s for s in statements]
    return [s for s in selects if s.lstrip().startswith("SELECT") and any(t in s for t in tables)]


# --- checks: the baseline answers with the endpoint's numbers and rows ------------------------------------------


def check_balance(label, body: dict, raw: dict, reverse_total: Decimal) -> None:
    data = body["data"]
    for name, theirs in raw.items():
        same(label, name, data[name], theirs)
    parts = (
        amount(data["sell_due"])
        + amount(data["opening_balance_due"])
        - amount(data["sell_return_due"])
        - amount(data["ledger_discount"])
        - amount(data["advance_balance"])
        + reverse_total
    )
    same(
        label,
        "sell + opening − returns − discounts − advance + reverse payments (the seed adds up)",
        data["due"],
        parts,
    )


def check_ledger(label, body: dict, raw, *, fmt: str) -> int:
    totals, lines, extra = raw
    data = body["data"]
    shown = data["lines"]
    assert len(shown) == len(lines) + 1, f"{label}: {len(shown) - 1} lines, the raw SQL {len(lines)}"
    assert lines, f"{label}: the period is empty"
    forward = totals.brought_forward
    assert signed_balance(shown[0]["balance"]) == forward.quantize(CENT), f"{label}: the opening row differs"
    for line, row in zip(shown[1:], lines, strict=True):
        row = dict(zip(sql.LINE_COLUMNS, row, strict=True))
        assert (line["ref_no"], line["type"], line["transaction_id"]) == (
            row["r_ref"],
            row["r_label"],
            row["r_transaction_id"],
        ), f"{label}: line {line['ref_no']} is not {row['r_ref']}"
        same(label, f"debit of {row['r_ref']}", line["debit"], row["r_debit"] or None)
        same(label, f"credit of {row['r_ref']}", line["credit"], row["r_credit"] or None)
        running = (forward + row["r_running"]).quantize(CENT)
        assert signed_balance(line["balance"]) == running, f"{label}: balance of {row['r_ref']} is not {running}"
    summary = data["summary"]
    same(label, "beginning_balance", summary["beginning_balance"], -totals.brought_forward)
    same(label, "balance_due", summary["balance_due"], -totals.closing)
    same(label, "all_balance_due", summary["all_balance_due"], -totals.all_closing)
    for name in (
        "total_invoice",
        "total_purchase",
        "total_paid",
        "total_reverse_payment",
        "ledger_discount",
        "all_total_invoice",
        "all_invoice_paid",
        "all_total_purchase",
        "all_purchase_paid",
        "all_ledger_discount",
    ):
        same(label, name, summary[name], getattr(totals, name))
    if fmt == "format_3":
        products = sum(len(line.get("products", ())) for line in shown)
        assert products == len(extra["products"]), (
            f"{label}: {products} product lines, the raw SQL {len(extra['products'])}"
        )
        same(label, "advance_balance", summary["advance_balance"], extra["advance_balance"])
    return len(lines)


def check_csv(label, text: str, conn, params: dict) -> int:
    """The download and the raw lines agree line by line (refs, running balances); returns the line count."""
    ours = list(csv.reader(io.StringIO(text)))
    header, opening, rows = ours[0], ours[1], ours[2:]
    out = io.BytesIO()
    forward, _ = sql.run_copy(conn, params, sink=out)
    theirs = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert len(rows) == len(theirs), f"{label}: {len(rows)} lines, COPY {len(theirs)}"
    balance, ref = header.index("balance"), header.index("ref_no")
    assert signed_balance(opening[balance]) == Decimal(forward).quantize(CENT), f"{label}: the opening row differs"
    at = sql.LINE_COLUMNS.index("r_ref")
    for line, row in zip(rows, theirs, strict=True):
        assert line[ref] == row[at], f"{label}: {line[ref]} is not {row[at]}"
        expected = (forward + Decimal(row[sql.RUNNING])).quantize(CENT)
        assert signed_balance(line[balance]) == expected, f"{label}: balance of {line[ref]} is not {expected}"
    return len(rows)


# --- figures ----------------------------------------------------------------------------------------------------


def time_figure(
    report,
    args,
    name,
    fetch,
    raw,
    *,
    variants,
    goal=None,
    flag_above=None,
    runs=None,
    extra=None,
    baseline_label="raw SQL",
):
    """`fetch` (the request) and each proposal in `variants` ({label: [setup, …]}) interleaved with `raw` and with
    a replay of the SQL Django sent; one figure per request variant."""
    conn = common.raw_connection()
    own = {"ours": reading(common.captured(fetch))}
    for label, setups in variants.items():
        own[label] = reading(common.patched(setups, lambda: common.captured(fetch))())
    setups_of = {"ours": [], **variants}  # replays and plans run under the proposal too (P2 is a session setting)
    if args.explain:
        for label, statements in own.items():
            title = name if label == "ours" else f"{label}: {name}"
            common.patched(setups_of[label], lambda title=title, st=statements: common.explain(conn, title, st))()
        raw_sql = [
            s[len("COPY (") : s.rindex(") TO STDOUT")] if s.startswith("COPY (") else s for s in extra["raw_sql"]
        ]
        common.explain(conn, f"{name} (raw SQL)", raw_sql)
    if args.profile:
        common.profile(name, fetch, limit=40)
    samples = common.interleaved(
        {
            "ours": fetch,
            **{label: common.patched(setups, fetch) for label, setups in variants.items()},
            "raw": raw,
            **{
                f"sql {label}": common.patched(setups_of[label], lambda st=st: common.run_statements(conn, st))
                for label, st in own.items()
            },
        },
        runs=runs or args.runs,
        warmup=args.warmup,
    )
    baseline = common.median(samples["raw"])
    for label, statements in own.items():
        ours, replay = common.median(samples[label]), common.median(samples[f"sql {label}"])
        figure_name = name if label == "ours" else f"{label}: {name}"
        report.add(
            common.Figure(
                name=figure_name,
                ours=ours,
                baseline=baseline,
                unit="s",
                baseline_label=baseline_label,
                goal=goal,
                goal_text=f"< {goal:g}×" if goal else "none",
                flag_above=flag_above,
                ours_samples=samples[label],
                baseline_samples=samples["raw"],
                extra={
                    **(extra or {}),
                    "proposal": None if label == "ours" else label,
                    "django_sql": statements,
                    "django_sql_median_s": replay,
                    "django_sql_samples": samples[f"sql {label}"],
                },
            )
        )
        report.note(
            f"{figure_name}: Django's own SQL {common.human(replay, 's')} ({replay / baseline:.2f}× the raw SQL), "
            f"the rest {common.human(max(0.0, ours - replay), 's')} is Python (auth, shaping, JSON or csv)."
        )


def month_bounds(month: str):
    year, number = (int(p) for p in month.split("-"))
    first = datetime.date(year, number, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


def sql_params(seeded, contact_id: int, first: datetime.date, last: datetime.date) -> dict:
    """The raw SQL's parameters: [first 00:00, the day after last 00:00) in the business time zone (UTC)."""
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    return {"b": seeded.business.pk, "c": contact_id, "start": start, "end": end}


def all_time(seeded, contact_id: int) -> tuple[datetime.date, datetime.date]:
    """A range from the day before the contact's first row to the day after its last."""
    first, last = (
        common.raw_connection()
        .execute(
            "SELECT LEAST(MIN(t.transaction_date), (SELECT MIN(paid_on) FROM ledger_transactionpayment WHERE "
            "payment_for_id = %(c)s)), GREATEST(MAX(t.transaction_date), (SELECT MAX(paid_on) FROM "
            "ledger_transactionpayment WHERE payment_for_id = %(c)s)) FROM ledger_transaction t "
            "WHERE t.contact_id = %(c)s",
            {"c": contact_id},
        )
        .fetchone()
    )
    return first.date() - datetime.timedelta(days=1), last.date() + datetime.timedelta(days=1)


def balance_figure(report, args, api, seeded, variants):
    conn = common.raw_connection()
    path, params = f"/contacts/{seeded.customer_id}/balance", {}
    where = {"b": seeded.business.pk, "c": seeded.customer_id}
    reverse_total = conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM ledger_transactionpayment WHERE business_id = %(b)s "
        "AND payment_for_id = %(c)s AND is_reverse",
        where,
    ).fetchone()[0]
    for label, setups in {"ours": [], **variants}.items():
        body = common.patched(setups, lambda: api.json(path, params))()
        check_balance(f"{label} balance", body, sql.balance(conn, where), reverse_total)
    time_figure(
        report,
        args,
        "GET balance",
        lambda: api.json(path, params),
        lambda: sql.balance(conn, where),
        variants=variants,
        goal=GOAL,
        extra={"request": f"GET {API}{path}", "due": body["data"]["due"], "raw_sql": balance_statements(conn, where)},
    )


def balance_statements(conn, where) -> list[str]:
    return [sql.mogrify(conn, sql.closing_sql(False), where), sql.mogrify(conn, sql.BREAKDOWN_SQL, where)]


def ledger_figure(report, args, api, seeded, fmt: str, variants):
    conn = common.raw_connection()
    first, last = month_bounds(args.month)
    path = f"/contacts/{seeded.customer_id}/ledger"
    params = {"start_date": str(first), "end_date": str(last), "format": fmt}
    where = sql_params(seeded, seeded.customer_id, first, last)
    products = fmt == "format_3"
    for label, setups in {"ours": [], **variants}.items():
        body = common.patched(setups, lambda: api.json(path, params))()
        lines = check_ledger(f"{label} {fmt}", body, sql.ledger(conn, where, products=products), fmt=fmt)
    time_figure(
        report,
        args,
        f"GET ledger {fmt} {args.month}",
        lambda: api.json(path, params),
        lambda: sql.ledger(conn, where, products=products),
        variants=variants,
        goal=GOAL,
        extra={
            "request": f"GET {API}{path}",
            "params": params,
            "lines": lines,
            "raw_sql": [
                sql.mogrify(conn, sql.totals_sql(False), where),
                sql.mogrify(conn, sql.lines_sql(False, few=True), where),
            ],
        },
    )
    report.note(f"GET ledger {fmt} {args.month}: {lines:,} lines after the opening row.")


def csv_figures(report, args, api, seeded, variants):
    conn = common.raw_connection()
    path = "/contacts/{}/ledger"
    measured = {}
    for contact_id, label in ((seeded.customer_id, "all"), (seeded.small_id, "small")):
        first, last = all_time(seeded, contact_id)
        params = {"start_date": str(first), "end_date": str(last), "format": "csv"}
        where = sql_params(seeded, contact_id, first, last)
        url = path.format(contact_id)
        for variant, setups in {"ours": [], **variants}.items():
            text = common.patched(setups, lambda url=url, params=params: api.download_text(url, params))()
            lines = check_csv(f"{variant} csv {label}", text, conn, where)
        measured[label] = (url, params, lines)
        if label == "all":
            time_figure(
                report,
                args,
                f"GET ledger csv, all time ({lines:,} lines)",
                lambda url=url, params=params: api.download(url, params),
                lambda where=where: sql.run_copy(conn, where),
                variants=variants,
                flag_above=CSV_FLAG,
                runs=args.csv_runs,
                extra={
                    "request": f"GET {API}{url}",
                    "params": params,
                    "lines": lines,
                    "raw_sql": [sql.mogrify(conn, sql.brought_forward_sql(False), where), sql.copy_sql(conn, where)],
                },
                baseline_label="raw SQL + COPY",
            )

    # Peak memory: the small download once untraced and once traced first, so one-off allocations (imports,
    # caches, compiled patterns) are not charged to whichever download runs first.
    small_url, small_params, small_lines = measured["small"]
    api.download(small_url, small_params)
    common.traced_peak(lambda: api.download(small_url, small_params))
    for variant, setups in {"ours": [], **variants}.items():
        peaks = {}
        for label in ("small", "all"):
            url, params, _ = measured[label]
            _, peaks[label] = common.traced_peak(
                common.patched(setups, lambda url=url, params=params: api.download(url, params))
            )
        large_lines = measured["all"][2]
        report.add(
            common.Figure(
                name=("" if variant == "ours" else f"{variant}: ") + f"csv peak Python memory, {large_lines:,} lines",
                ours=peaks["all"],
                baseline=peaks["small"],
                unit="bytes",
                baseline_label=f"at {small_lines:,} lines",
                goal=FLAT_GOAL,
                goal_text=f"flat: ≤ {FLAT_GOAL:g}× for {large_lines / small_lines:.1f}× lines",
                extra={
                    "lines": large_lines,
                    "baseline_lines": small_lines,
                    "proposal": None if variant == "ours" else variant,
                },
            )
        )


def run(args, seeded) -> common.Report:
    report = common.Report(
        "money",
        f"Money benchmark: a customer with {seeded.documents:,} documents and {seeded.payments:,} payments over "
        f"three years, median of {args.runs} runs ({args.csv_runs} for the csv), PostgreSQL {common.server_version()}",
    )
    api = Api(seeded.token)
    proposals = {}  # {"balance": {label: [setup, ...]}, ...} times monkeypatched alternatives beside each figure
    balance_figure(report, args, api, seeded, proposals.get("balance", {}))
    ledger_figure(report, args, api, seeded, "format_1", proposals.get("format_1", {}))
    ledger_figure(report, args, api, seeded, "format_3", proposals.get("format_3", {}))
    csv_figures(report, args, api, seeded, proposals.get("csv", {}))
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(
        args,
        find=lambda: find_seed(args.documents, args.payments),
        make=lambda: seed(args.documents, args.payments),
    ) as seeded:
        invariants = common.checked_invariants(lambda: invariant_violations(seeded.business.pk))
        counts = ledger_counts(seeded.business.pk, seeded.customer_id)
        wanted = {"documents": args.documents, "payments": args.payments}
        assert counts == wanted, f"the measured customer's ledger holds {counts}, not {wanted}"
        report = run(args, seeded)
        report.meta = {
            **common.environment(),
            "database": args.database,
            "documents": args.documents,
            "payments": args.payments,
            "month": args.month,
            "seed_seconds": seeded.seed_seconds,
            "seed_rows": seed_counts(seeded.business.pk, seeded.customer_id),
            "invariant_violations": invariants,
            "runs": args.runs,
            "csv_runs": args.csv_runs,
        }
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
