"""Document and payment numbers (RULES §3): per-business counters under a row lock, and a number that is
already taken (typed by hand, say) is skipped, so no two documents ever share one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.dates import now_in
from core.services.counters import next_counts, padded, yearly_reference

# counter name -> prefix of the yearly reference ("SP2026/0001"); "" gives "2026/0001".
YEARLY = {
    "sell_return": "CN",
    "purchase": "PO",
    "purchase_return": "PR",
    "opening_balance": "",
    "subscription": "",
    "sell_payment": "SP",
    "purchase_payment": "PP",
}


def _current_year(business) -> int:
    return now_in(business).year


def _generate(business, counter: str, taken_among, how_many: int = 1) -> list[str]:
    """The next `how_many` free numbers of a counter; `taken_among(numbers)` says which of them are already used
    (typed by hand), and those are skipped."""
    numbers: list[str] = []
    year = None if counter == "sell_invoice" else _current_year(business)
    while len(numbers) < how_many:
        counts = next_counts(business, counter, how_many - len(numbers))
        if counter == "sell_invoice":
            candidates = [f"{business.invoice_prefix}{padded(count)}" for count in counts]
        else:
            candidates = [yearly_reference(YEARLY[counter], count, year=year) for count in counts]
        taken = taken_among(candidates)
        numbers.extend(number for number in candidates if number not in taken)
    return numbers


def document_numbers(business, counter: str, field: str, how_many: int) -> list[str]:
    """The next `how_many` free numbers of a document kind, for its `invoice_no` or `ref_no` field, taken at once."""
    from ledger.models import Transaction

    def taken_among(numbers):
        rows = Transaction.objects.for_business(business).filter(**{f"{field}__any": numbers})
        return set(rows.values_list(field, flat=True))

    return _generate(business, counter, taken_among, how_many)


def document_number(business, counter: str, field: str) -> str:
    """The next free number of a document kind, for its `invoice_no` or `ref_no` field."""
    return document_numbers(business, counter, field, 1)[0]


def payment_number(business, counter: str) -> str:
    from ledger.models import TransactionPayment

    def taken_among(numbers):
        rows = TransactionPayment.objects.for_business(business).filter(payment_ref_no__any=numbers)
        return set(rows.values_list("payment_ref_no", flat=True))

    return _generate(business, counter, taken_among)[0]


def number_taken(business, field: str, number: str, exclude_pk=None) -> bool:
    from ledger.models import Transaction

    rows = Transaction.objects.for_business(business).filter(**{field: number})
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.exists()


def create_numbered(*, business, counter: str, field: str, typed: str | None, create):
    """Run `create(number)` in a savepoint with the typed number, or the next generated one. The unique constraint
    decides races: a typed number another request took meanwhile is a 422; a generated number that lost to one
    typed by hand meanwhile is simply generated again."""
    for _ in range(10):
        number = typed or document_number(business, counter, field)
        try:
            with transaction.atomic():
                return create(number)
        except IntegrityError:
            if not number_taken(business, field, number):
                raise  # another constraint: not ours to explain
            if typed:
                raise ValidationError({field: [f"The {field.replace('_', ' ')} has already been taken."]}) from None
    raise RuntimeError(f"No free {field} after ten attempts")
