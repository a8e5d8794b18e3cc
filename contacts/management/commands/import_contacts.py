import json
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import CommandError
from tqdm import tqdm

from contacts.api.importer import ImportRefused, ImportSummary, import_contacts
from core.api.errors import PaymentRequired
from core.api.renderers import json_dumps
from core.management.base import OperatorCommand, business_or_fail
from core.models import User


def error_lines(errors: dict[str, list[str]]) -> list[str]:
    """`row 3, email: Invalid email id in row no. 3`; `file: …` for the file itself."""
    lines = []
    for key, messages in errors.items():
        if key.startswith("rows."):
            _, number, field = key.split(".", 2)
            where = f"row {number}, {field}"
        else:
            where = "file"
        lines += [f"{where}: {message}" for message in messages]
    return lines


class Command(OperatorCommand):
    help = (
        "Import contacts from a csv, txt, xls, xlsx or ods file in the import template's 27 columns, as the given "
        "user (their create rights per contact type apply). Every row is checked first; on any error nothing is "
        "written, each error is printed on stderr as `row N, field: message`, and the exit status is 1."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--business", type=int, required=True)
        parser.add_argument("--user", required=True, metavar="USERNAME", help="The user the contacts are created by.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        business = business_or_fail(options["business"])
        user = User.objects.for_business(business).filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r} in business {business.pk}.")
        if settings.ERP_ENFORCE_PACKAGES and business.subscription_status != "active":
            raise CommandError(str(PaymentRequired.default_detail))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        bar = tqdm(desc="Checking rows", unit=" rows", file=self.stderr._out, leave=False, dynamic_ncols=True)
        try:
            with path.open("rb") as handle:
                summary = import_contacts(
                    business=business,
                    user=user,
                    upload=File(handle, name=path.name),
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
        except ImportRefused as exc:
            bar.close()
            for line in error_lines(exc.errors):
                self.stderr.write(line)
            if options["json"]:
                self.stdout.write(json.dumps({"imported": 0, "dry_run": options["dry_run"], "errors": exc.errors}))
            raise CommandError(exc.message) from None
        bar.close()
        self._report(options, summary)

    def _report(self, options, summary: ImportSummary):
        if options["json"]:
            self.stdout.write(json_dumps({**summary.as_dict(), "errors": {}}))
            return
        types = ", ".join(f"{count} {kind}" for kind, count in summary.by_type.items())
        verb = "Would import" if summary.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {summary.contacts} contacts ({types}); {summary.opening_balances} opening balances totalling "
            f"{format(summary.opening_balance_total, 'f')}."
            + (" Nothing was written (dry run)." if summary.dry_run else "")
        )
