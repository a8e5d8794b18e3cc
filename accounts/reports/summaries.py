"""Balance sheet and trial balance (RULES §9), as of the end of a day. Customer and supplier dues come from the
ledger engine (the same rows as every contact's ledger), so they always agree with the contacts' balances; dues and
account balances are read through the month-end balance snapshots (accounts/reports/snapshots.py) when a valid one
exists, with the same numbers."""

from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import Coalesce

from accounts.models import Account
from accounts.reports.snapshots import Figures, report_figures
from ledger.models import PurchaseLine
from ledger.querysets import ZERO


def account_balances(user, totals: dict) -> list[dict]:
    """Every visible account's balance (closed accounts included) from {account_id: balance} of the figures."""
    accounts = Account.objects.visible_to(user).order_by("name", "id").values("id", "name", "account_number")
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


def _accounts_part(user, figures):
    accounts = account_balances(user, figures.account_totals)
    return {
        "account_balances": {row["name"]: row["balance"] for row in accounts},
        "accounts": accounts,
        "capital_account_details": None,
    }


def balance_sheet(*, user, end_date, before, location_id=None, use_snapshots=True) -> tuple[dict, Figures]:
    figures = report_figures(user.business, before, location_id, use_snapshots=use_snapshots)
    data = {
        "end_date": end_date.isoformat(),
        "supplier_due": figures.supplier_due,
        "customer_due": figures.customer_due,
        "closing_stock": closing_stock(user.business, before, location_id),
        **_accounts_part(user, figures),
    }
    return data, figures


def trial_balance(*, user, end_date, before, location_id=None, use_snapshots=True) -> tuple[dict, Figures]:
    figures = report_figures(user.business, before, location_id, use_snapshots=use_snapshots)
    part = _accounts_part(user, figures)
    debit = figures.customer_due + sum((row["balance"] for row in part["accounts"]), Decimal(0))
    data = {
        "end_date": end_date.isoformat(),
        "supplier_due": figures.supplier_due,
        "customer_due": figures.customer_due,
        **part,
        "debit_total": debit,
        "credit_total": figures.supplier_due,
    }
    return data, figures
