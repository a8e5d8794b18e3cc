"""Payment accounts in the demo business: a bank, two tills and savings, wired to the locations' payment
methods, with deposits, transfers and payments posted to them."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, AccountType
from accounts.services import account_create, deposit, fund_transfer
from ledger.models import Transaction
from ledger.services.payments import payment_add

D = Decimal


def seed_accounts(*, business, admin):
    if Account.objects.for_business(business).exists():
        return
    now = timezone.now().replace(microsecond=0)
    bank_type = AccountType.objects.create(business=business, name="Bank accounts")
    current = AccountType.objects.create(business=business, name="Current accounts", parent=bank_type)
    cash_type = AccountType.objects.create(business=business, name="Cash")
    bank = account_create(
        business=business,
        user=admin,
        data={
            "name": "Main bank",
            "account_number": "GB29 NWBK 6016 1331 9268 19",
            "account_type": current,
            "opening_balance": D("10000.00"),
            "account_details": [{"label": "BIC", "value": "NWBKGB2L"}],
        },
    )
    savings = account_create(
        business=business,
        user=admin,
        data={
            "name": "Savings",
            "account_number": "GB94 BARC 1020 1530 0934 59",
            "account_type": bank_type,
            "opening_balance": D("5000.00"),
        },
    )
    locations = list(business.locations.order_by("id"))
    tills = []
    for location in locations:
        till = account_create(
            business=business,
            user=admin,
            data={
                "name": f"Till – {location.name}",
                "account_number": f"TILL-{location.location_code}",
                "account_type": cash_type,
                "opening_balance": D("150.00"),
            },
        )
        tills.append(till)
        location.default_payment_accounts = {
            "cash": {"is_enabled": True, "account_id": till.pk},
            "card": {"is_enabled": True, "account_id": bank.pk},
            "bank_transfer": {"is_enabled": True, "account_id": bank.pk},
        }
        location.save(update_fields=["default_payment_accounts"])

    deposit(
        business=business,
        user=admin,
        account=tills[0],
        amount=D("300.00"),
        from_account=bank,
        operation_date=now - timedelta(days=20),
        note="Change float",
    )
    fund_transfer(
        business=business,
        user=admin,
        from_account=bank,
        to_account=savings,
        amount=D("2500.00"),
        operation_date=now - timedelta(days=14),
        note="Monthly savings",
    )
    fund_transfer(
        business=business,
        user=admin,
        from_account=tills[0],
        to_account=bank,
        amount=D("250.00"),
        operation_date=now - timedelta(days=7),
        note="Cash banked",
    )
    deposit(
        business=business,
        user=admin,
        account=bank,
        amount=D("1200.00"),
        operation_date=now - timedelta(days=3),
        note="Owner's capital",
    )

    # Recent unpaid sells are paid at the till or by card, posting to the accounts of their location.
    open_sells = Transaction.objects.for_business(business).filter(type="sell", status="final", payment_status="due")
    for index, sell in enumerate(open_sells.order_by("-transaction_date")[:6]):
        till = tills[locations.index(next(loc for loc in locations if loc.pk == sell.location_id))]
        account, method = (till, "cash") if index % 2 else (bank, "card")
        payment_add(
            business=business,
            user=admin,
            document=sell,
            data={
                "amount": sell.final_total,
                "method": method,
                "account": account,
                "paid_on": sell.transaction_date + timedelta(hours=2),
            },
        )
    open_purchase = (
        Transaction.objects.for_business(business)
        .filter(type="purchase")
        .exclude(payment_status="paid")
        .order_by("transaction_date")
        .first()
    )
    if open_purchase is not None:
        due = open_purchase.final_total - Transaction.objects.filter(pk=open_purchase.pk).with_paid().get().total_paid
        payment_add(
            business=business,
            user=admin,
            document=open_purchase,
            data={"amount": due, "method": "bank_transfer", "account": bank, "paid_on": now - timedelta(days=1)},
        )
