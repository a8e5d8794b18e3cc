"""The contact importer (RULES §12), one for the Integration API, the back office and the import_contacts command.

It lives in contacts/api because it writes opening balances through the ledger's service, and a contacts module may
call a higher app only from its API layer (ARCHITECTURE: "a contact created with an opening balance"); the admin
page and the command are thin edges over it, so all three read, check and write the same way:

1. read the file (contacts.importing.reading); a file that cannot be read is refused on `contacts_csv`;
2. check every row (import_rows, with the Add-contact serializer) and collect every error; rows of a type the
   user may not create make the import forbidden, any other error refuses the whole file — nothing is written;
3. in one database transaction: the contacts in bulk with their `imported` activity (contacts.importing.writing),
   and per batch the opening-balance documents of the non-zero opening balances (ledger, in bulk).
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction

from contacts.api.import_rows import CheckedRows, RowChecker
from contacts.importing.reading import FILE_FIELD, FileRejected, read_table
from contacts.importing.writing import CodesTaken, contacts_import_write
from ledger.services.opening_balance import opening_balances_create  # an API may call a higher app's service


class ImportRefused(Exception):
    """The file or its rows are refused (422), or rows need a right the user lacks (403, `forbidden`)."""

    def __init__(self, message: str, errors: dict[str, list[str]], *, forbidden: bool = False):
        super().__init__(message)
        self.message, self.errors, self.forbidden = message, errors, forbidden


@dataclass
class ImportSummary:
    dry_run: bool
    imported: int  # contacts written (0 on a dry run)
    contacts: int  # contacts the file holds
    by_type: dict[str, int]
    opening_balances: int
    opening_balance_total: Decimal
    opening_balance_by_type: dict[str, Decimal]

    def as_dict(self) -> dict:
        return asdict(self)


def _refused_rows(errors: dict[str, list[str]]) -> ImportRefused:
    rows = len({key.split(".")[1] for key in errors})
    count = sum(len(messages) for messages in errors.values())
    return ImportRefused(
        f"The file has {count} error{'s' if count != 1 else ''} in {rows} row{'s' if rows != 1 else ''}; "
        "nothing was imported.",
        errors,
    )


def check_file(*, business, user, upload, progress: Callable[[int], None] | None = None) -> CheckedRows:
    """Read and check every row; raises ImportRefused with every error found."""
    try:
        table = read_table(upload)
        checked = RowChecker(business=business, user=user).check(table, progress)
    except FileRejected as exc:
        raise ImportRefused(exc.message, {FILE_FIELD: [exc.message]}) from None
    if checked.forbidden:
        raise ImportRefused("Unauthorized", CheckedRows.keyed(checked.forbidden), forbidden=True)
    if checked.errors:
        raise _refused_rows(CheckedRows.keyed(checked.errors))
    return checked


def import_contacts(
    *, business, user, upload, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ImportSummary:
    checked = check_file(business=business, user=user, upload=upload, progress=progress)
    summary = ImportSummary(
        dry_run=dry_run,
        imported=0,
        contacts=len(checked.rows),
        by_type=checked.by_type,
        opening_balances=checked.opening_balances,
        opening_balance_total=sum(checked.opening_by_type.values(), Decimal("0.0000")),
        opening_balance_by_type=checked.opening_by_type,
    )
    if dry_run:
        return summary

    def opening_balances(ids, rows):
        amounts = [
            (pk, row["opening_balance"]) for pk, row in zip(ids, rows, strict=True) if row.get("opening_balance")
        ]
        opening_balances_create(business=business, user=user, amounts=amounts)

    try:
        with transaction.atomic():
            summary.imported = contacts_import_write(
                business=business, user=user, rows=checked.rows, on_batch=opening_balances
            )
    except CodesTaken as exc:
        # Another import or create stored one of the file's codes after the check: the file is refused as if the
        # code had been there before (RULES §2: a race yields one success and 422s, never a 500 or a duplicate).
        errors = {
            f"rows.{number}.contact_id": [f"Contact ID already exists in row no. {number}"]
            for number, row in zip(checked.numbers, checked.rows, strict=True)
            if row.get("contact_id") in exc.codes
        }
        raise _refused_rows(errors) from None
    return summary
