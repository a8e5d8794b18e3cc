"""The balance-snapshot figures of `make bench-accounts` (accounts/reports/snapshots.py):

- the build (every month of the seed, the business and each location), and with --verify-snapshots its --verify
  (each report through the snapshots is also checked against the raw SQL's numbers);
- GET trial-balance and balance-sheet through the snapshots, beside the raw SQL of the full computation (goal for
  the trial balance: ≤ 0.1×; the balance sheet also sums closing stock over every purchase line, which no snapshot
  can hold exactly: FIFO keeps no history of when stock left);
- a backdated write (a deposit dated in the last snapshot's month) followed by the trial balance, beside the
  snapshot figure (goal ≤ 2×), and the rebuild that follows;
- the cost the stale-mark check adds to a write: POST deposit and POST pay-due with the check, beside the same
  requests with it taken out (goal ≤ 1.10×).
"""

import datetime
from decimal import Decimal

import common

API = "/api/v1/integration"


def _figure(report, name, samples_ours, samples_base, baseline_label, goal=None, extra=None):
    ours, base = common.median(samples_ours), common.median(samples_base)
    report.add(
        common.Figure(
            name=name,
            ours=ours,
            baseline=base,
            unit="s",
            baseline_label=baseline_label,
            goal=goal,
            goal_text=f"≤ {goal:g}×" if goal else "none",
            ours_samples=samples_ours,
            baseline_samples=samples_base,
            extra=extra or {},
        )
    )
    return ours


def snapshot_figures(report, args, api, seeded, *, raw_summary, check_summary):
    from accounts.models import Account, BalanceSnapshot
    from accounts.reports.snapshots import build_balance_snapshots, verify_balance_snapshots
    from contacts.models import Contact

    business = seeded.business
    with common.Stopwatch() as build:
        result = build_balance_snapshots(business)
    report.note(
        f"build_balance_snapshots: {result.written} snapshots (every month through {result.through}, the business "
        f"and each location) in {build.seconds:.1f} s."
    )
    if args.verify_snapshots:
        with common.Stopwatch() as verify:
            differences = verify_balance_snapshots(business)
        assert differences == [], differences[:5]
        report.note(f"--verify: every snapshot recomputed from scratch in {verify.seconds:.1f} s: no difference.")

    raw = {}
    for kind in ("trial-balance", "balance-sheet"):
        stock = kind == "balance-sheet"
        path = f"/accounts/reports/{kind}"
        body = api.json(path, {})
        assert body["meta"]["as_of_snapshot"], f"{kind} did not read a snapshot"
        check_summary(f"{kind} through snapshots", body["data"], raw_summary(stock), stock=stock)
        samples = common.interleaved(
            {"ours": lambda path=path: api.json(path, {}), "raw": lambda stock=stock: raw_summary(stock)},
            runs=args.runs,
            warmup=args.warmup,
        )
        raw[kind] = samples
        _figure(
            report,
            f"GET {kind} through snapshots",
            samples["ours"],
            samples["raw"],
            "raw SQL (full)",
            goal=0.1 if not stock else None,
            extra={"as_of_snapshot": body["meta"]["as_of_snapshot"], "snapshots": result.as_dict()},
        )
    snapshot_tb = common.median(raw["trial-balance"]["ours"])

    # a backdated write: a deposit dated in the month of the latest snapshot, then the report
    latest = BalanceSnapshot.objects.filter(business=business, location=None).order_by("-before").first()
    account = Account.objects.filter(business=business, is_closed=False).order_by("id").first()
    when = datetime.datetime.combine(latest.period_end, datetime.time(12), tzinfo=datetime.UTC)
    token = {"n": 0}

    def backdated_then_report():
        token["n"] += 1
        response = api.client.post(
            f"{API}/accounts/deposit",
            {
                "account_id": account.pk,
                "amount": "0.0001",
                "operation_date": when.strftime("%Y-%m-%d %H:%M:%S"),
                "note": f"bench {token['n']}",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]
        return api.json("/accounts/reports/trial-balance", {})

    body = backdated_then_report()
    check_summary("trial-balance after a backdated write", body["data"], raw_summary(False), stock=False)
    samples = common.interleaved(
        {"ours": backdated_then_report, "raw": lambda: api.json("/accounts/reports/trial-balance", {})},
        runs=args.runs,
        warmup=args.warmup,
    )
    _figure(
        report,
        "backdated deposit + GET trial-balance",
        samples["ours"],
        [snapshot_tb] * len(samples["ours"]),
        "trial balance via snapshot",
        goal=2.0,
        extra={"as_of_snapshot_after_write": body["meta"]["as_of_snapshot"], "write_dated": when.isoformat()},
    )
    report.note(
        f"after the backdated writes the trial balance reads the snapshot of {body['meta']['as_of_snapshot']} "
        f"(the one before the write) plus the rows since."
    )
    with common.Stopwatch() as rebuild:
        again = build_balance_snapshots(business)
    report.note(
        f"rebuild after {again.marks} stale marks: {again.dropped} snapshots dropped, {again.written} written in "
        f"{rebuild.seconds:.2f} s."
    )

    # the write cost: the same requests with the stale-mark check and without it
    write_cost_figures(report, args, api, business, account, Contact)


def write_cost_figures(report, args, api, business, account, contact_model):
    import accounts.balance_marks as marks

    customer = contact_model.objects.filter(business=business, type="customer", deleted_at=None).order_by("id").first()
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    real = marks.balance_rows_written

    def without(fn):
        def run():
            marks.balance_rows_written = lambda business_id, moments: None
            try:
                return fn()
            finally:
                marks.balance_rows_written = real

        return run

    def deposit():
        response = api.client.post(
            f"{API}/accounts/deposit",
            {"account_id": account.pk, "amount": "0.0001", "operation_date": today},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]

    def pay_due():
        response = api.client.post(
            f"{API}/contacts/{customer.pk}/payments",
            {"amount": str(Decimal("0.0001")), "method": "cash", "paid_on": today, "account_id": account.pk},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content[:300]

    for name, fn in (("POST deposit", deposit), ("POST pay-due", pay_due)):
        if fn is pay_due and customer is None:
            continue
        samples = common.interleaved({"ours": fn, "raw": without(fn)}, runs=args.runs, warmup=args.warmup)
        _figure(
            report,
            f"{name} with the stale-mark check",
            samples["ours"],
            samples["raw"],
            "without the check",
            goal=1.10,
        )
