"""python manage.py build_balance_snapshots [--business ID] [--verify] [--json]"""

from django.core.management.base import CommandError

from accounts.reports.snapshots import BuildBusy, build_all, verify_balance_snapshots
from core.management.base import OperatorCommand, business_or_fail
from core.models import Business


class Command(OperatorCommand):
    help = (
        "(Re)build the month-end balance snapshots the balance sheet and trial balance read: the invalid ones "
        "(a write dated before them) are dropped and every missing month up to the last one that has ended is "
        "written. Safe to run at any time, alongside writes. --verify then recomputes every valid snapshot from "
        "the beginning and reports any difference (exit status 1 if there is one)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--business", type=int, help="Only this business.")
        parser.add_argument("--verify", action="store_true", help="Recompute every snapshot from scratch and compare.")

    def handle(self, *args, **options):
        businesses = (
            [business_or_fail(options["business"])]
            if options["business"] is not None
            else list(Business.objects.order_by("id"))
        )
        try:
            results = build_all(businesses)
        except BuildBusy as exc:
            raise CommandError(f"Nothing written: {exc}.") from exc
        differences = {}
        if options["verify"]:
            differences = {b.pk: found for b in businesses if (found := verify_balance_snapshots(b))}
        payload = {"businesses": [r.as_dict() for r in results]}
        if options["verify"]:
            payload["differences"] = {str(k): v for k, v in differences.items()}
        lines = [
            f"business {r.business_id}: {r.written} snapshot(s) written, {r.dropped} dropped, {r.marks} stale mark(s) "
            f"consumed, through {r.through or '-'}"
            for r in results
        ]
        if options["verify"]:
            lines += [f"business {pk}: {line}" for pk, found in differences.items() for line in found]
            lines.append("verified: no difference" if not differences else "verified: DIFFERENCES FOUND")
        self.emit(options, payload, "\n".join(lines))
        if differences:
            raise SystemExit(1)
