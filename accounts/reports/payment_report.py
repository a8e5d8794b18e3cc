"""Payment account report (RULES §9): the payments that moved money — pay-due parents and single-document
payments, not their allocations and not those paid from an advance — with their document, account and contact."""

from ledger.models import TransactionPayment


def payment_account_rows(*, user):
    """The report's rows, newest first: the business's payments that moved money, at the user's permitted locations
    (accounts.api.filters.PaymentReportFilter narrows them)."""
    payments = (
        TransactionPayment.objects.for_business(user.business)
        .filter(parent__isnull=True)
        .exclude(method=TransactionPayment.Method.ADVANCE)
    )
    permitted = user.permitted_location_ids()
    if permitted is not None:  # restricted users: payments of documents at their locations only
        payments = payments.filter(transaction__location_id__in=permitted)
    return payments.order_by("-paid_on", "-id")
