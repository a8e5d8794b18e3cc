"""Reads of payment accounts: lists, one account's ledger."""

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountTransaction
from accounts.querysets import SIGNED, ZERO
from core.api.serializers import numeric_id


def account_list(*, user, q=None, is_closed=None):
    accounts = Account.objects.visible_to(user).with_balance()
    if is_closed is not None:
        accounts = accounts.filter(is_closed=is_closed)
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(account_number__icontains=q))
    return accounts.order_by("id")


def account_lines(*, account, start=None, end=None, line_type=None, q=None):
    """One account's movements in date order (operation_date, id), with the balance before the range."""
    lines = AccountTransaction.objects.filter(account=account)
    beginning = None
    if start is not None:
        beginning = lines.filter(operation_date__lt=start).aggregate(total=Coalesce(Sum(SIGNED), ZERO))["total"]
        lines = lines.filter(operation_date__gte=start, operation_date__lt=end)
    if line_type:
        lines = lines.filter(type=line_type)
    if q:
        match = Q(note__icontains=q) | Q(sub_type__icontains=q) | Q(payment_ref_no__icontains=q)
        if numeric_id(q) is not None:
            match |= Q(pk=numeric_id(q))
        lines = lines.filter(match)
    return lines.order_by("operation_date", "id"), beginning
