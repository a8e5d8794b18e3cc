"""Document and payment numbers (RULES §3): per-business counters under a row lock, and a number that is
already taken (typed by hand, say) is skipped, so no two documents ever share one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.dates import now_in
from core.services.counters import next_count, padded, yearly_reference

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


def _generate(business, counter: str, is_taken) -> str:
    while True:
        count = next_count(business, counter)
        if counter == "sell_invoice":
            number = f"{business.invoice_prefix}{padded(count)}"
        else:
            number = yearly_reference(YEARLY[counter], count, year=_current_year(business))
        if not is_taken(number):
            return number


def document_number(business, counter: str, field: str) -> str:
    """The next free number of a document kind, for its `invoice_no` or `ref_no` field."""
    from ledger.models import Transaction

    return _generate(
        business, counter, lambda n: Transaction.objects.for_business(business).filter(**{field: n}).exists()
    )


def payment_number(business, counter: str) -> str:
    from ledger.models import TransactionPayment

    return _generate(
        business, counter, lambda n: TransactionPayment.objects.for_business(business).filter(payment_ref_no=n).exists()
    )


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
