"""Payment account report (RULES §9): the payments that moved money — pay-due parents and single-document
payments, not their allocations and not those paid from an advance — with their document, account and contact."""

from django.db.models import Q

from core.api.serializers import numeric_id
from ledger.models import TransactionPayment


def payment_account_rows(*, user, start=None, end=None, account=None, no_account=False, q=None):
    payments = (
        TransactionPayment.objects.for_business(user.business)
        .filter(parent__isnull=True)
        .exclude(method=TransactionPayment.Method.ADVANCE)
    )
    permitted = user.permitted_location_ids()
    if permitted is not None:  # restricted users: payments of documents at their locations only
        payments = payments.filter(transaction__location_id__in=permitted)
    if start is not None:
        payments = payments.filter(paid_on__gte=start, paid_on__lt=end)
    if no_account:
        payments = payments.filter(account__isnull=True)
    elif account is not None:
        payments = payments.filter(account=account)
    if q:
        match = Q()
        for name in (
            "account__name",
            "account__account_number",
            "transaction__invoice_no",
            "transaction__ref_no",
            "payment_ref_no",
            "payment_for__name",
            "payment_for__supplier_business_name",
            "payment_for__contact_id",
            "payment_for__mobile",
        ):
            match |= Q(**{f"{name}__icontains": q})
        if numeric_id(q) is not None:
            match |= Q(pk=numeric_id(q)) | Q(transaction_id=numeric_id(q))
        payments = payments.filter(match)
    return payments.order_by("-paid_on", "-id")
