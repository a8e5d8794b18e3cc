"""python manage.py generate_subscription_invoices [--date Y-m-d] [--business ID] [--dry-run] [--json]"""

import sys

from django.core.management.base import CommandError
from tqdm import tqdm

from core.management.base import OperatorCommand, business_or_fail, date_option
from subscriptions.generation import MODULE, generate_due_invoices


class Command(OperatorCommand):
    help = (
        "Generate the invoices of every running subscription whose next period has come: one per missed period up "
        "to the date (default: today in each business's time zone). Safe to run any number of times a day."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--date", help="Bill the periods up to this date (Y-m-d) instead of today.")
        parser.add_argument("--business", type=int, help="Only this business.")
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; report what would be done.")

    def handle(self, *args, **options):
        day = date_option(options["date"], "--date") if options["date"] else None
        business = None
        if options["business"] is not None:
            business = business_or_fail(options["business"])
            if not business.has_module(MODULE):
                raise CommandError(f"The {MODULE} module is not enabled for business {business.pk}.")
        summary = generate_due_invoices(date=day, business=business, dry_run=options["dry_run"], progress=_progress)
        payload = summary.as_dict()
        for failure in payload["failures"]:
            self.stderr.write(f"subscription {failure['parent_id']}: failed: {failure['reason']}")
        self.emit(options, payload, _human(payload))


def _progress(candidates, total):
    """A progress bar on stderr when it is a terminal (never on stdout, which --json keeps for its one object)."""
    return tqdm(candidates, total=total, unit="subscription", file=sys.stderr, disable=not sys.stderr.isatty())


def _human(payload: dict) -> str:
    verb = "would create" if payload["dry_run"] else "created"
    lines = [
        f"{payload['parents_seen']} subscriptions looked at; {verb} {payload['children_created']} invoices, "
        f"{len(payload['drafts'])} of them drafts (stock short); {len(payload['failures'])} failed."
    ]
    for business_id, totals in payload["businesses"].items():
        lines.append(
            f"  business {business_id} (up to {totals['date']}): {totals['children_created']} invoices, "
            f"{totals['drafts']} drafts, {totals['failures']} failed"
        )
    for draft in payload["drafts"]:
        number = draft["invoice_no"] or "-"
        lines.append(
            f"  draft {number} of subscription {draft['parent_id']} for {draft['period_date']}: {draft['reason']}"
        )
    return "\n".join(lines)
