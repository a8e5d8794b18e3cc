"""Writing the contacts of a checked import in bulk: the service side of the import (RULES §2, §12).

Each contact is made by contacts.services.contact_fields, as every create makes it (written as values, without a
model instance per row: core.bulk.bulk_insert_values); the contact counter advances once
for the whole file (by one count per contact, as that many creates would) and blank codes take their row's count
(`CO0001`…, skipping codes already typed); contacts and their `imported` activity rows go in with one insert per
batch. The partial unique index on live codes decides a race with another import or create: a typed code taken
meanwhile is CodesTaken (the caller answers 422); a generated one is simply generated again.
"""

from django.db import IntegrityError, transaction

from contacts.models import Contact
from contacts.services import LOGGED_FIELDS, codes_taken, contact_fields, generated_codes
from core.bulk import bulk_insert_values, model_values
from core.services.activity import log_created_values
from core.services.counters import next_counts

BATCH = 5000
ATTEMPTS = 5


class CodesTaken(Exception):
    """Typed contact ids another request stored after the file was checked."""

    def __init__(self, codes: set[str]):
        super().__init__(", ".join(sorted(codes)))
        self.codes = codes


def contacts_import_write(*, business, user, rows: list[dict], on_batch=None, batch_size: int = BATCH) -> int:
    """Create one contact per validated row (Add-contact data; `opening_balance` is left to `on_batch`, called with
    each batch's new contact ids and their rows inside the same transaction). Returns the number written."""
    with transaction.atomic():
        counts = next_counts(business, "contact", len(rows))
        typed = frozenset(row["contact_id"] for row in rows if row.get("contact_id"))
        blank = [count for count, row in zip(counts, rows, strict=True) if not row.get("contact_id")]
        codes = iter(generated_codes(business, blank, reserved=typed))
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            contacts = []
            for row in batch:
                data = row
                if "opening_balance" in row:
                    data = row.copy()
                    del data["opening_balance"]
                values = model_values(Contact, contact_fields(business=business, user=user, data=data))
                values["contact_id"] = values["contact_id"] or next(codes)
                contacts.append(values)
            ids = _insert(business, contacts, typed)
            log_created_values(
                business=business,
                user=user,
                model=Contact,
                rows=contacts,
                ids=ids,
                fields=LOGGED_FIELDS,
                description="imported",
            )
            if on_batch is not None:
                on_batch(ids, batch)
    return len(rows)


def _insert(business, contacts: list[dict], typed: frozenset[str]) -> list[int]:
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return bulk_insert_values(Contact, contacts)
        except IntegrityError:
            taken = codes_taken(business, [c["contact_id"] for c in contacts])
            if not taken:
                raise  # another constraint: not ours to explain
            if taken & typed:
                raise CodesTaken(taken & typed) from None
            # A code typed by hand elsewhere meanwhile took one we generated: take further counts for those.
            lost = [c for c in contacts if c["contact_id"] in taken]
            reserved = typed | {c["contact_id"] for c in contacts}
            fresh = generated_codes(business, next_counts(business, "contact", len(lost)), reserved=reserved)
            for contact, code in zip(lost, fresh, strict=True):
                contact["contact_id"] = code
    raise RuntimeError(f"No free contact codes after {ATTEMPTS} attempts")
