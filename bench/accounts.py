"""Accounts benchmark: the trial balance, the balance sheet (in full and through the balance snapshots, with a
backdated write and what the snapshots add to a write: bench/accounts_snapshots.py), the cash flow (page 1 and a
deep page) and one account's ledger (page 1, a deep page, a month), through the real request stack, each beside the
raw SQL PostgreSQL needs for the same numbers and rows (see bench/README.md).

    make bench-accounts                                   # 1,000,000 account transactions, dropped after
    make bench-accounts BENCH_ARGS="--keep"               # keep erp_bench_accounts and reuse it next time
    make bench-accounts BENCH_ARGS="--keep --runs 31 --explain --profile"   # EXPLAIN ANALYZE + cProfile to stderr
"""

import datetime
import json
import sys
from decimal import Decimal

import accounts_baselines as sql
import common
from accounts_checks import invariant_violations, seed_counts
from accounts_seed import find_seed, seed
from accounts_snapshots import snapshot_figures

API = "/api/v1/integration"
GOAL = 2.0  # the trial balance and the balance sheet within 2× of the raw aggregate
FLAG = 3.0  # no goal for the pages; above 3× is worth a look
PER_PAGE = 100
CENT = Decimal("0.005")
TABLES = ('"accounts_accounttransaction"', "accounts_accounttransaction", '"ledger_transaction"', "ledger_purchaseline")


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0], database="erp_bench_accounts", rows=1_000_000, runs=15, rows_what="account transactions"
    )
    parser.add_argument("--deep-page", type=int, default=5_000, help="the cash flow's deep page (default 5,000)")
    parser.add_argument("--month", default="2025-06", help="month of the ledger's date-range figure (default 2025-06)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL Django runs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per figure")
    parser.add_argument(
        "--verify-snapshots", action="store_true", help="also recompute every balance snapshot from scratch"
    )
    parser.add_argument(
        "--snapshots-only", action="store_true", help="only the balance-snapshot figures (no full reports, pages)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def json(self, path: str, params: dict) -> dict:
        response = self.client.get(API + path, params)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}: {response.content[:500]!r}")
        return json.loads(response.content, parse_float=Decimal)


def same(label: str, name: str, ours, theirs) -> None:
    ours, theirs = Decimal(0 if ours is None else str(ours)), Decimal(0 if theirs is None else str(theirs))
    assert abs(ours - theirs) <= CENT, f"{label}: {name} is {ours}, the raw SQL says {theirs}"


def reading(statements: list[str]) -> list[str]:
    """The SELECTs among `statements` that read the report (not authentication or the account's permission)."""
    return [s for s in statements if s.lstrip().startswith("SELECT") and any(t in s for t in TABLES)]


# --- checks: the baseline answers with the endpoint's numbers and rows ------------------------------------------


def check_summary(label: str, data: dict, raw: dict, *, stock: bool) -> None:
    for name in ("customer_due", "supplier_due", *(["closing_stock"] if stock else [])):
        same(label, name, data[name], raw[name])
    accounts = [(r["id"], r["name"], r["account_number"]) for r in data["accounts"]]
    assert accounts == [r[:3] for r in raw["accounts"]], f"{label}: the accounts differ"
    for row, theirs in zip(data["accounts"], raw["accounts"], strict=True):
        same(label, f"balance of {row['name']}", row["balance"], theirs[3])
        same(label, f"account_balances[{row['name']}]", data["account_balances"][row["name"]], theirs[3])
    if not stock:
        same(label, "debit_total", data["debit_total"], raw["customer_due"] + sum(r[3] for r in raw["accounts"]))
        same(label, "credit_total", data["credit_total"], raw["supplier_due"])


def check_cash_flow(label: str, body: dict, raw) -> int:
    total, rows, children = raw
    assert body["meta"]["total"] == total, f"{label}: total {body['meta']['total']}, the raw SQL {total}"
    names = sql.CASH_FLOW_COLUMNS.replace("AS ", "").split(", ")
    names = [n.split()[-1].split(".")[-1] for n in names]
    recovered: dict[int, list] = {}
    for parent, amount, invoice, ref in children:
        entry = recovered.setdefault(parent, [Decimal(0), []])
        entry[0] += amount
        entry[1].append(invoice or ref or "")
    assert len(body["data"]) == len(rows), f"{label}: {len(body['data'])} rows, the raw SQL {len(rows)}"
    for line, values in zip(body["data"], rows, strict=True):
        r = dict(zip(names, values, strict=True))
        assert (line["id"], line["account_id"], line["account_name"], line["type"]) == (
            r["id"],
            r["account_id"],
            r["account_name"],
            r["type"],
        ), f"{label}: row {line['id']} is not {r['id']}"
        for name in ("amount", "account_balance_after", "combined_balance_after"):
            same(label, f"{name} of {r['id']}", line[name], r[name])
        added_by = " ".join(p for p in (r["first_name"], r["last_name"]) if p) or r["username"]
        assert (line["payment_ref_no"], line["payment_for_contact"], line["added_by"]) == (
            r["payment_ref_no"],
            r["contact_name"],
            added_by,
        ), f"{label}: the payment of row {r['id']} differs"
        if r["payment_id"] in recovered:
            same(label, f"total_recovered of {r['id']}", line["total_recovered"], recovered[r["payment_id"]][0])
            assert line["child_invoice_numbers"] == ", ".join(n for n in recovered[r["payment_id"]][1] if n)
    return total


def check_ledger(label: str, body: dict, raw) -> int:
    beginning, total, rows = raw
    data = body["data"]
    assert body["meta"]["total"] == total, f"{label}: total {body['meta']['total']}, the raw SQL {total}"
    if beginning is None:
        assert data["beginning_balance"] is None, f"{label}: a beginning balance without a date range"
    else:
        same(label, "beginning_balance", data["beginning_balance"], beginning)
    assert [line["id"] for line in data["lines"]] == [r[0] for r in rows], f"{label}: the lines differ"
    for line, r in zip(data["lines"], rows, strict=True):
        same(label, f"amount of {r[0]}", line["amount"], r[4])
        assert (line["type"], line["payment_ref_no"], line["transfer_transaction_id"]) == (r[2], r[10], r[9])
    return total


# --- figures ----------------------------------------------------------------------------------------------------


def time_figure(report, args, name, fetch, raw, *, raw_sql, goal=None, extra=None):
    """`fetch` (the request) interleaved with `raw` and with a replay of the SQL Django sent for it."""
    conn = common.raw_connection()
    own = reading(common.captured(fetch))
    if args.explain:
        common.explain(conn, name, own)
        common.explain(conn, f"{name} (raw SQL)", raw_sql)
    if args.profile:
        common.profile(name, fetch, limit=40)
    samples = common.interleaved(
        {"ours": fetch, "raw": raw, "sql": lambda: common.run_statements(conn, own)},
        runs=args.runs,
        warmup=args.warmup,
    )
    ours, baseline, replay = (common.median(samples[k]) for k in ("ours", "raw", "sql"))
    report.add(
        common.Figure(
            name=name,
            ours=ours,
            baseline=baseline,
            unit="s",
            baseline_label="raw SQL",
            goal=goal,
            goal_text=f"≤ {goal:g}×" if goal else "none",
            flag_above=None if goal else FLAG,
            ours_samples=samples["ours"],
            baseline_samples=samples["raw"],
            extra={
                **(extra or {}),
                "raw_sql": raw_sql,
                "django_sql": own,
                "django_sql_median_s": replay,
                "django_sql_samples": samples["sql"],
            },
        )
    )
    report.note(
        f"{name}: Django's own SQL {common.human(replay, 's')} ({replay / baseline:.2f}× the raw SQL), "
        f"the rest {common.human(max(0.0, ours - replay), 's')} is Python (auth, shaping, JSON)."
    )


def end_of_today(business) -> datetime.datetime:
    from core.dates import day_bounds, now_in

    today = now_in(business).date()
    return day_bounds(business, today, today)[1]


def summary_figure(report, args, api, seeded, kind: str):
    conn = common.raw_connection()
    stock = kind == "balance-sheet"
    path = f"/accounts/reports/{kind}"
    where = {"b": seeded.business.pk, "before": end_of_today(seeded.business)}
    data = api.json(path, {})["data"]
    check_summary(kind, data, sql.summary(conn, where, stock=stock), stock=stock)
    time_figure(
        report,
        args,
        f"GET {kind}",
        lambda: api.json(path, {}),
        lambda: sql.summary(conn, where, stock=stock),
        raw_sql=sql.summary_statements(conn, where, stock=stock),
        goal=GOAL,
        extra={
            "request": f"GET {API}{path}",
            "customer_due": data["customer_due"],
            "supplier_due": data["supplier_due"],
        },
    )


def cash_flow_figures(report, args, api, seeded):
    conn = common.raw_connection()
    last_page = -(-seeded.rows // PER_PAGE)
    for page in (1, min(args.deep_page, last_page)):
        params = {"per_page": PER_PAGE, "page": page}
        where = {"b": seeded.business.pk, "accounts": seeded.account_ids, "limit": PER_PAGE}
        where["offset"] = (page - 1) * PER_PAGE
        body = api.json("/accounts/reports/cash-flow", params)
        check_cash_flow(f"cash flow page {page}", body, sql.cash_flow(conn, where))
        time_figure(
            report,
            args,
            f"GET cash-flow page {page:,}",
            lambda params=params: api.json("/accounts/reports/cash-flow", params),
            lambda where=where: sql.cash_flow(conn, where),
            raw_sql=sql.cash_flow_statements(conn, where),
            extra={"request": f"GET {API}/accounts/reports/cash-flow", "params": params},
        )


def ledger_figures(report, args, api, seeded):
    from core.dates import day_bounds

    conn = common.raw_connection()
    year, month = (int(p) for p in args.month.split("-"))
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    start, end = day_bounds(seeded.business, first, last)
    deep = -(-seeded.busiest_rows // PER_PAGE) // 2 or 1
    path = f"/accounts/{seeded.busiest_id}/transactions"
    cases = (
        ("page 1", {}, {}),
        (f"page {deep:,}", {"page": deep}, {}),
        (f"{args.month}", {"start_date": str(first), "end_date": str(last)}, {"start": start, "end": end}),
    )
    for title, extra_params, extra_where in cases:
        params = {"per_page": PER_PAGE, **extra_params}
        where = {"account": seeded.busiest_id, "limit": PER_PAGE, "offset": (params.get("page", 1) - 1) * PER_PAGE}
        where.update(extra_where)
        total = check_ledger(f"ledger {title}", api.json(path, params), sql.ledger(conn, where))
        time_figure(
            report,
            args,
            f"GET account ledger, {title}",
            lambda params=params: api.json(path, params),
            lambda where=where: sql.ledger(conn, where),
            raw_sql=[sql.mogrify(conn, s, where) for s in sql.ledger_statements(where)],
            extra={"request": f"GET {API}{path}", "params": params, "total": total},
        )
        report.note(f"GET account ledger, {title}: {total:,} lines on the account ({seeded.busiest_rows:,} in all).")


def run(args, seeded) -> common.Report:
    report = common.Report(
        "accounts",
        f"Accounts benchmark: {seeded.rows:,} account transactions on {len(seeded.account_ids)} accounts, median of "
        f"{args.runs} runs, PostgreSQL {common.server_version()}",
    )
    api = Api(seeded.token)
    from accounts.models import BalanceSnapshot

    BalanceSnapshot.objects.filter(business=seeded.business).delete()  # the full computation first (kept seeds)
    if not args.snapshots_only:
        summary_figure(report, args, api, seeded, "trial-balance")
        summary_figure(report, args, api, seeded, "balance-sheet")
    conn = common.raw_connection()
    where = {"b": seeded.business.pk, "before": end_of_today(seeded.business)}
    snapshot_figures(
        report,
        args,
        api,
        seeded,
        raw_summary=lambda stock: sql.summary(conn, where, stock=stock),
        check_summary=check_summary,
    )
    if not args.snapshots_only:
        cash_flow_figures(report, args, api, seeded)
        ledger_figures(report, args, api, seeded)
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(args, find=lambda: find_seed(args.rows), make=lambda: seed(args.rows)) as seeded:
        invariants = common.checked_invariants(lambda: invariant_violations(seeded.business.pk))
        report = run(args, seeded)
        report.meta = {
            **common.environment(),
            "database": args.database,
            "rows": args.rows,
            "seed_seconds": seeded.seed_seconds,
            "seed_rows": seed_counts(seeded.business.pk),
            "measured_account": {"id": seeded.busiest_id, "rows": seeded.busiest_rows},
            "invariant_violations": invariants,
            "runs": args.runs,
        }
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
