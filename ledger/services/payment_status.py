"""payment_status (RULES §3): paid when Σ payments ≥ final_total (a zero total is paid), partial when
something but not all is paid, due otherwise. Recomputed in the transaction of every change to it."""

from decimal import Decimal

from django.db.models import Case, F, Sum, When
from django.db.models.functions import Coalesce

from ledger.querysets import ZERO


def total_paid(transaction) -> Decimal:
    from ledger.models import TransactionPayment

    signed = Case(When(is_return=True, then=-F("amount")), default=F("amount"))
    return TransactionPayment.objects.filter(transaction_id=transaction.pk).aggregate(
        total=Coalesce(Sum(signed), ZERO)
    )["total"]


def status_for(final_total: Decimal, paid: Decimal) -> str:
    if paid >= final_total:
        return "paid"
    if paid > 0:
        return "partial"
    return "due"


def refresh_payment_status(transaction) -> str:
    from ledger.models import Transaction

    status = status_for(transaction.final_total, total_paid(transaction))
    if transaction.payment_status != status:
        Transaction.objects.filter(pk=transaction.pk).update(payment_status=status)
        transaction.payment_status = status
    return status
