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
import time
from contextlib import ExitStack
from decimal import Decimal
from unittest import mock

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
    from django.db import transaction
    from django.db.models import Count

    from accounts.models import Account, BalanceSnapshot
    from accounts.reports.snapshots import build_balance_snapshots, report_figures, verify_balance_snapshots
    from contacts.models import Contact
    from core.dates import day_bounds, now_in

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
    # a backdated write, then the report: each run in a transaction rolled back at its end (the request's own
    # transaction is a savepoint in it), so every run starts from valid snapshots and the plain report can be
    # interleaved with it
    latest = BalanceSnapshot.objects.filter(business=business, location=None).order_by("-before").first()
    account = Account.objects.filter(business=business, is_closed=False).order_by("id").first()
    in_month = datetime.datetime.combine(latest.period_end, datetime.time(12), tzinfo=datetime.UTC)
    year_back = in_month - datetime.timedelta(days=365)
    trial = "/accounts/reports/trial-balance"

    def deposit_on(when):
        response = api.client.post(
            f"{API}/accounts/deposit",
            {"account_id": account.pk, "amount": "0.0001", "operation_date": when.strftime("%Y-%m-%d %H:%M:%S")},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]

    customers = Contact.objects.filter(business=business, type="customer", deleted_at=None)
    customer = customers.order_by("id").first()
    # the seed's first customer is its busiest (about 30 % of the documents); a contact of median size beside it
    by_size = list(customers.annotate(rows=Count("transactions")).order_by("rows", "id").values_list("pk", flat=True))
    median = Contact.objects.get(pk=by_size[len(by_size) // 2]) if by_size else None

    def pay_due_on(when, contact=None):
        response = api.client.post(
            f"{API}/contacts/{(contact or customer).pk}/payments",
            {
                "amount": "0.0001",
                "method": "cash",
                "paid_on": when.strftime("%Y-%m-%d %H:%M:%S"),
                "account_id": account.pk,
            },
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content[:300]

    def rolled_back(when, *, time_write, verify=None, write=deposit_on):
        def run():
            with transaction.atomic():
                start = time.perf_counter()
                if when is not None:
                    write(when)
                report_start = time.perf_counter()
                body = api.json(trial, {})
                end = time.perf_counter()
                if verify:
                    verify(body)
                transaction.set_rollback(True)
            return common.SelfTimed(end - (start if time_write else report_start))

        return run

    def same_as_full(label):
        """Inside the write's transaction (the raw SQL's connection cannot see it): the full computation's figures,
        to the last digit."""

        def verify(body):
            today = now_in(business).date()
            full = report_figures(business, day_bounds(business, today, today)[1], use_snapshots=False)
            data = body["data"]
            assert Decimal(str(data["customer_due"])) == full.customer_due, label
            assert Decimal(str(data["supplier_due"])) == full.supplier_due, label
            for row in data["accounts"]:
                assert Decimal(str(row["balance"])) == full.account_totals.get(row["id"], Decimal(0)), label
            seen["as_of"] = body["meta"]["as_of_snapshot"]

        return verify

    seen = {}
    scenarios = [("a deposit", deposit_on, "in the latest snapshot's month", in_month)]
    scenarios.append(("a deposit", deposit_on, "a year back", year_back))
    if customer is not None:
        scenarios.append(("a pay-due", pay_due_on, "in the latest snapshot's month", in_month))
        scenarios.append(("a pay-due", pay_due_on, "a year back", year_back))
    if median is not None:
        scenarios.append(
            ("a median customer's pay-due", lambda when: pay_due_on(when, median), "a year back", year_back)
        )
    for what, write, label, when in scenarios:
        after = rolled_back(when, time_write=False, write=write)
        rolled_back(
            when, time_write=False, write=write, verify=same_as_full(f"trial-balance after {what} dated {label}")
        )()
        as_of = seen["as_of"]
        samples = common.interleaved(
            {
                "after": after,
                "with the write": rolled_back(when, time_write=True, write=write),
                "plain": rolled_back(None, time_write=False),
            },
            runs=args.runs,
            warmup=args.warmup,
        )
        extra = {"as_of_snapshot_after_write": as_of, "write_dated": when.isoformat()}
        _figure(
            report,
            f"GET trial-balance after {what} dated {label}",
            samples["after"],
            samples["plain"],
            "trial balance via snapshot",
            goal=2.0,
            extra=extra,
        )
        _figure(
            report,
            f"{what} dated {label} + GET trial-balance",
            samples["with the write"],
            samples["plain"],
            "trial balance via snapshot",
            extra=extra,
        )
        report.note(
            f"after {what} dated {label} ({when:%Y-%m-%d}) the trial balance reads the snapshot of {as_of} (the "
            "dues of the other contacts and the other accounts keep the latest snapshot; the write's account, and "
            "a pay-due's contact with a plain mark, alone read the latest snapshot before the write, plus their rows "
            "since; a pay-due's exact mark adds its amount to its contact's part of the latest snapshot)."
        )

    # the same write left in place, then the rebuild
    deposit_on(in_month)
    with common.Stopwatch() as rebuild:
        again = build_balance_snapshots(business)
    report.note(
        f"rebuild after {again.marks} stale mark(s): {again.dropped} snapshots dropped, {again.written} written in "
        f"{rebuild.seconds:.2f} s."
    )
    account_list_figure(report, args, api)

    # the write cost: the same requests with the stale-mark check and without it
    write_cost_figures(report, args, api, business, account, Contact)


def write_cost_figures(report, args, api, business, account, contact_model):
    import accounts.balance_marks as marks

    customer = contact_model.objects.filter(business=business, type="customer", deleted_at=None).order_by("id").first()
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    real = marks.balance_rows_written

    def without(fn):
        def run():
            marks.balance_rows_written = lambda business_id, moments, part=None, scope_id=None, inserted=None: None
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

    def pay_due(paid_on=today):
        response = api.client.post(
            f"{API}/contacts/{customer.pk}/payments",
            {"amount": str(Decimal("0.0001")), "method": "cash", "paid_on": paid_on, "account_id": account.pk},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content[:300]

    # dated a year back: the write leaves its marks (an exact one for the pay-due, with what it adds to the dues)
    year_back = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S")
    writes = [("POST deposit", deposit), ("POST pay-due", pay_due)]
    writes.append(("POST pay-due dated a year back", lambda: pay_due(year_back)))
    for name, fn in writes:
        if name.startswith("POST pay-due") and customer is None:
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


def account_list_figure(report, args, api):
    """GET /accounts (every account with its balance) through the snapshots, beside the same request with today's
    computation (each balance summed over all of the account's movements), same numbers checked first."""
    from accounts.querysets import AccountQuerySet

    real = AccountQuerySet.with_balance
    far = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)

    def full(fn):
        def run():
            with ExitStack() as stack:
                stack.enter_context(mock.patch.object(AccountQuerySet, "with_balance", lambda qs: real(qs, far)))
                return fn()

        return run

    def accounts():
        return api.json("/accounts", {"per_page": 100})

    ours, theirs = accounts(), full(accounts)()
    assert [(r["id"], Decimal(str(r["balance"]))) for r in ours["data"]] == [
        (r["id"], Decimal(str(r["balance"]))) for r in theirs["data"]
    ], "GET /accounts: the balances through the snapshots differ from the full computation"
    samples = common.interleaved({"ours": accounts, "full": full(accounts)}, runs=args.runs, warmup=args.warmup)
    _figure(
        report,
        "GET /accounts through snapshots",
        samples["ours"],
        samples["full"],
        "the same, every movement summed",
        extra={"accounts": len(ours["data"])},
    )
