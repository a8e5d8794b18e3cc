"""python manage.py send_statements --business ID --start-date Y-m-d --end-date Y-m-d [--format format_1]
[--contact ID ...] [--subject ... --body ...] [--dry-run] [--json]"""

import sys

from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from core.management.base import OperatorCommand, business_or_fail, date_option
from core.money import format_currency, wire_text
from ledger.services.statements import (
    DEFAULT_BODY,
    DEFAULT_SUBJECT,
    StatementMail,
    StatementNotSent,
    addresses_of,
    customer_balances_due,
)
from ledger.statement import FORMATS
from ledger.tasks import send_statement_task


class Command(OperatorCommand):
    help = (
        "E-mail each customer (and customer-and-supplier) of a business its statement for a period: one statement "
        "per contact with an e-mail address and a balance due other than zero at the end of the period, through "
        "the task queue (sent inline without a broker). Contacts without an e-mail address are listed."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--business", type=int, required=True, help="The business whose customers to serve.")
        parser.add_argument("--start-date", required=True, help="First day of the period (Y-m-d).")
        parser.add_argument("--end-date", required=True, help="Last day of the period (Y-m-d).")
        parser.add_argument("--format", default="format_1", choices=FORMATS, help="Ledger layout (format_1).")
        parser.add_argument(
            "--contact", type=int, action="append", dest="contacts", help="Only this contact id (repeatable)."
        )
        parser.add_argument("--subject", default=DEFAULT_SUBJECT, help="Subject; placeholders as in the body.")
        parser.add_argument(
            "--body",
            default=DEFAULT_BODY,
            help="Body text; {balance_due}, {contact_name}, {business_name}, {start_date}, {end_date} are replaced.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Send nothing; report who would get one.")

    def handle(self, *args, **options):
        business = business_or_fail(options["business"])
        start = date_option(options["start_date"], "--start-date")
        end = date_option(options["end_date"], "--end-date")
        if end < start:
            raise CommandError("--end-date must be on or after --start-date.")
        candidates = customer_balances_due(business, end, options["contacts"])
        if options["contacts"]:
            missing = sorted(set(options["contacts"]) - {contact.pk for contact, _ in candidates})
            if missing:
                raise CommandError(f"Not customers of business {business.pk}: {', '.join(map(str, missing))}.")
        inline = settings.CELERY_TASK_ALWAYS_EAGER
        summary = {
            "business_id": business.pk,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "format": options["format"],
            "dry_run": options["dry_run"],
            "contacts_seen": len(candidates),
            "sent" if inline else "queued": 0,
            "zero_balance": 0,
            "without_email": [],
            "invalid_email": [],
            "failures": [],
            "statements": [],
        }
        done = "sent" if inline else "queued"
        for contact, due in _progress(candidates):
            row = {"contact_id": contact.pk, "contact_code": contact.contact_id, "name": contact.name}
            if not due:
                summary["zero_balance"] += 1
                continue
            addresses = addresses_of(contact.email)
            if addresses is None:
                summary["invalid_email"].append({**row, "email": contact.email})
                continue
            if not addresses:
                summary["without_email"].append(row)
                continue
            row.update(to=addresses, balance_due=wire_text(due), balance_due_formatted=format_currency(due, business))
            if not options["dry_run"]:
                mail = StatementMail(
                    contact_id=contact.pk,
                    ledger_format=options["format"],
                    start_date=start.isoformat(),
                    end_date=end.isoformat(),
                    to=addresses,
                    subject=options["subject"],
                    body=options["body"],
                )
                try:
                    send_statement_task.delay(business_id=business.pk, user_id=None, **mail.as_task_kwargs())
                except StatementNotSent as exc:
                    summary["failures"].append({**row, "reason": exc.message})
                    continue
                summary[done] += 1
            summary["statements"].append(row)
        for failure in summary["failures"]:
            self.stderr.write(f"contact {failure['contact_id']}: {failure['reason']}")
        self.emit(options, summary, _human(summary, done))


def _progress(candidates):
    """A progress bar on stderr when it is a terminal (never on stdout, which --json keeps for its one object)."""
    return tqdm(candidates, unit="contact", file=sys.stderr, disable=not sys.stderr.isatty())


def _human(summary: dict, done: str) -> str:
    count = len(summary["statements"])
    head = (f"{count} statements would be {done}" if summary["dry_run"] else f"{summary[done]} statements {done}") + (
        f" for {summary['start_date']} – {summary['end_date']} ({summary['format']}); {summary['contacts_seen']} "
        f"customers looked at, {summary['zero_balance']} with nothing due, {len(summary['without_email'])} without "
        f"an e-mail address, {len(summary['invalid_email'])} with an invalid one, {len(summary['failures'])} failed."
    )
    lines = [head]
    lines += [f"  {row['name']} ({row['contact_id']}): {row['balance_due_formatted']}" for row in summary["statements"]]
    if summary["without_email"]:
        lines.append("Without an e-mail address:")
        lines += [f"  {row['name']} ({row['contact_id']})" for row in summary["without_email"]]
    if summary["invalid_email"]:
        lines.append("With an invalid e-mail address:")
        lines += [f"  {row['name']} ({row['contact_id']}): {row['email']}" for row in summary["invalid_email"]]
    return "\n".join(lines)
