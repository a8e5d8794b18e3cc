"""Writes to payment accounts (RULES §9): accounts, deposits, fund transfers, and the movements payments post.
Every write is one database transaction; two accounts are always locked in id order."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from accounts.models import Account, AccountTransaction
from core.exceptions import BusinessRuleViolation
from core.money import check_storable
from core.services.activity import log_created, logged_update

ACCOUNT_FIELDS = ("name", "account_number", "account_type", "note", "account_details", "is_closed")
LINE_FIELDS = ("account", "type", "sub_type", "amount", "operation_date", "note", "transfer_transaction")


def clean_details(rows) -> list[dict] | None:
    """Detail rows without the empty ones (both label and value blank)."""
    if rows is None:
        return None
    return [
        {"label": (row.get("label") or "").strip(), "value": (row.get("value") or "").strip()}
        for row in rows
        if (row.get("label") or "").strip() or (row.get("value") or "").strip()
    ]


def _movement(*, business, user, account, type, amount, sub_type=None, operation_date=None, note=None, **links):
    line = AccountTransaction.objects.create(
        business=business,
        account=account,
        type=type,
        sub_type=sub_type,
        amount=amount,
        operation_date=operation_date or timezone.now(),
        note=note,
        created_by=user,
        **links,
    )
    log_created(business=business, user=user, instance=line, fields=LINE_FIELDS)
    _check_balance(account)
    return line


def _check_balance(account: Account, field: str = "amount"):
    """The account's balance after a write must stay within what an amount may be (one indexed aggregate)."""
    balance = Account.objects.filter(pk=account.pk).with_balance().values_list("balance", flat=True).first()
    check_storable(balance or Decimal(0), field=field, what=f"the balance of the account {account.name}")


def account_create(*, business, user, data: dict) -> Account:
    opening = data.pop("opening_balance", None)
    with db.atomic():
        account = Account(
            business=business,
            created_by=user,
            **{**data, "account_details": clean_details(data.get("account_details"))},
        )
        account.full_clean()
        account.save()
        log_created(business=business, user=user, instance=account, fields=ACCOUNT_FIELDS)
        if opening:  # positive: money in the account (credit); negative: owed on it (debit)
            _movement(
                business=business,
                user=user,
                account=account,
                type="credit" if opening > 0 else "debit",
                amount=abs(opening),
                sub_type=AccountTransaction.SubType.OPENING_BALANCE,
                note="Opening balance",
            )
    return account


def account_update(*, business, user, account: Account, data: dict) -> Account:
    with db.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        with logged_update(business=business, user=user, instance=account, fields=ACCOUNT_FIELDS):
            for field, value in data.items():
                setattr(account, field, clean_details(value) if field == "account_details" else value)
            account.full_clean()
            account.save()
    return account


def account_close(*, business, user, account: Account) -> Account:
    with db.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.is_closed:
            raise BusinessRuleViolation("The account is already closed.")
        with logged_update(business=business, user=user, instance=account, fields=ACCOUNT_FIELDS, description="closed"):
            account.is_closed = True
            account.save(update_fields=["is_closed", "updated_at"])
    return account


def _lock_open(business, accounts: list[Account]) -> list[Account]:
    """Both accounts of a deposit or transfer, locked in id order; closed ones take no money (422), and both
    must be the business's own (the API resolves ids within the business; this guards every other caller)."""
    locked = {
        a.pk: a
        for a in Account.objects.for_business(business)
        .select_for_update()
        .filter(pk__in=[a.pk for a in accounts])
        .order_by("id")
    }
    if len(locked) != len({a.pk for a in accounts}):
        raise BusinessRuleViolation("Both accounts must belong to the business.")
    for account in locked.values():
        if account.is_closed:
            raise BusinessRuleViolation(f"The account {account.name} is closed.")
    return [locked[a.pk] for a in accounts]


def _check_pair(amount: Decimal, first: Account, second: Account | None, fields=("account_id", "from_account_id")):
    if amount <= 0:
        raise ValidationError({"amount": ["The amount must be greater than 0."]})
    if second is not None and first.pk == second.pk:
        raise ValidationError({fields[1]: ["The two accounts must be different."]})


def _linked_legs(*, first: dict, second: dict, **common) -> tuple[AccountTransaction, AccountTransaction]:
    """Two movements of the same amount and sub type that point at each other, `first` created first."""
    leg = _movement(**common, **first)
    other = _movement(**common, **second, transfer_transaction=leg)
    leg.transfer_transaction = other
    leg.save(update_fields=["transfer_transaction"])
    return leg, other


def deposit(
    *, business, user, account: Account, amount: Decimal, operation_date, from_account: Account | None = None, note=None
) -> tuple[AccountTransaction, AccountTransaction | None]:
    """A credit on the account; with from_account, also the paired debit there. Both legs in one transaction,
    each pointing at the other."""
    _check_pair(amount, account, from_account)
    common = {
        "business": business,
        "user": user,
        "amount": amount,
        "sub_type": AccountTransaction.SubType.DEPOSIT,
        "operation_date": operation_date,
        "note": note,
    }
    with db.atomic():
        _lock_open(business, [account] + ([from_account] if from_account else []))
        if from_account is None:
            return _movement(**common, account=account, type="credit"), None
        return _linked_legs(
            first={"account": account, "type": "credit"}, second={"account": from_account, "type": "debit"}, **common
        )


def fund_transfer(
    *, business, user, from_account: Account, to_account: Account, amount: Decimal, operation_date, note=None
) -> tuple[AccountTransaction, AccountTransaction]:
    """A debit on from_account and a credit on to_account, linked both ways: the legs always sum to zero."""
    _check_pair(amount, from_account, to_account, fields=("from_account_id", "to_account_id"))
    with db.atomic():
        _lock_open(business, [from_account, to_account])
        return _linked_legs(
            first={"account": from_account, "type": "debit"},
            second={"account": to_account, "type": "credit"},
            business=business,
            user=user,
            amount=amount,
            sub_type=AccountTransaction.SubType.FUND_TRANSFER,
            operation_date=operation_date,
            note=note,
        )


# --- movements that payments post -------------------------------------------------------------------------------


def payment_posting(
    *,
    business,
    user,
    account: Account,
    type: str,
    amount: Decimal,
    operation_date,
    note,
    transaction_id,
    payment_id,
    payment_ref_no,
    payment_method,
) -> AccountTransaction:
    """The account movement of a payment (called by the ledger's payment services, in their transaction)."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.is_closed:
        raise ValidationError({"account_id": [f"The account {locked.name} is closed."]})
    return _movement(
        business=business,
        user=user,
        account=locked,
        type=type,
        amount=amount,
        operation_date=operation_date,
        note=note,
        transaction_id=transaction_id,
        transaction_payment_id=payment_id,
        payment_ref_no=payment_ref_no,
        payment_method=payment_method,
    )


def payment_posting_remove(*, movement_ids):
    movements = AccountTransaction.objects.filter(pk__in=[pk for pk in movement_ids if pk])
    accounts = list(Account.objects.filter(pk__in=movements.values("account_id")).order_by("id"))
    movements.delete()
    for account in accounts:
        _check_balance(account)
