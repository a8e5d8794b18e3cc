"""Reads of payment accounts: lists, one account's ledger."""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountTransaction
from accounts.querysets import SIGNED, ZERO


def account_list(*, user):
    """The accounts the user may see, with their balance, by id (accounts.api.filters.AccountFilter narrows it)."""
    return Account.objects.visible_to(user).with_balance().order_by("id")


def account_lines(*, account):
    """One account's movements in date order (operation_date, id)."""
    return AccountTransaction.objects.filter(account=account).order_by("operation_date", "id")


def balance_before(*, account, start):
    """The account's balance before `start`: a ledger's beginning balance for a date range."""
    before = AccountTransaction.objects.filter(account=account, operation_date__lt=start)
    return before.aggregate(total=Coalesce(Sum(SIGNED), ZERO))["total"]
