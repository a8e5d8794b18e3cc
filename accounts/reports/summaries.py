"""Balance sheet and trial balance (RULES §9), as of the end of a day. Customer and supplier dues come from the
ledger engine (the same rows as every contact's ledger), so they always agree with the contacts' balances."""

from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountTransaction
from accounts.querysets import SIGNED
from ledger.contact_ledger import business_dues
from ledger.models import PurchaseLine
from ledger.querysets import ZERO


def account_balances(user, before) -> list[dict]:
    """Every visible account's balance from its movements before `before`, closed accounts included: one grouped
    pass over the movements (a correlated sum per account re-reads the table once per account)."""
    accounts = list(Account.objects.visible_to(user).order_by("name", "id").values("id", "name", "account_number"))
    totals = dict(
        AccountTransaction.objects.filter(
            business=user.business, account_id__in=[a["id"] for a in accounts], operation_date__lt=before
        )
        .order_by()
        .values("account_id")
        .annotate(total=Sum(SIGNED))
        .values_list("account_id", "total")
    )
    return [{**account, "balance": totals.get(account["id"]) or Decimal(0)} for account in accounts]


def closing_stock(business, before, location_id=None) -> Decimal:
    """Σ over received purchase lines dated before `before` of what is still on hand × unit cost. The sold and
    returned quantities are as they stand now: the FIFO mapping keeps no history of when stock left."""
    lines = PurchaseLine.objects.for_business(business).filter(
        is_received=True, transaction__transaction_date__lt=before
    )
    if location_id:
        lines = lines.filter(location_id=location_id)
    on_hand = F("quantity") - F("quantity_sold") - F("quantity_returned")
    return lines.aggregate(total=Coalesce(Sum(on_hand * F("purchase_price")), ZERO))["total"]


def _accounts_part(user, before):
    accounts = account_balances(user, before)
    return {
        "account_balances": {row["name"]: row["balance"] for row in accounts},
        "accounts": accounts,
        "capital_account_details": None,
    }


def balance_sheet(*, user, end_date, before, location_id=None) -> dict:
    customer_due, supplier_due = business_dues(user.business, before, location_id)
    return {
        "end_date": end_date.isoformat(),
        "supplier_due": supplier_due,
        "customer_due": customer_due,
        "closing_stock": closing_stock(user.business, before, location_id),
        **_accounts_part(user, before),
    }


def trial_balance(*, user, end_date, before, location_id=None) -> dict:
    customer_due, supplier_due = business_dues(user.business, before, location_id)
    part = _accounts_part(user, before)
    debit = customer_due + sum((row["balance"] for row in part["accounts"]), Decimal(0))
    return {
        "end_date": end_date.isoformat(),
        "supplier_due": supplier_due,
        "customer_due": customer_due,
        **part,
        "debit_total": debit,
        "credit_total": supplier_due,
    }
