"""Shared setup of the payment-accounts suite: a business with the account module, accounts made visible per
location through `default_payment_accounts`, restricted users, and helpers that call the integration API and
read money exactly (every JSON number as a Decimal).

    enable_accounts(business)
    bank = create_account(api, "Bank", "B-001", opening="5000.00")
    show_on(shop, cash=till, card=card)            # the shop's default payment accounts
    clerk = restricted_client(business, shop)      # account.access, permitted on the shop only

The helpers only wrap HTTP calls; what a test checks is written out in the test.
"""

import datetime
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, When
from django.db.models.functions import Coalesce
from rest_framework.test import APIClient

from accounts.models import Account, AccountTransaction
from core.money import MONEY
from core.tests.factories import make_token, make_user
from core.tests.matrix import BASE
from ledger.tests.builders import api_data, download_rows, money_json

UTC = datetime.UTC
ZERO = Decimal(0)


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def enable_accounts(business):
    business.enabled_modules = ["account"]
    business.save(update_fields=["enabled_modules"])
    return business


def show_on(location, **methods):
    """Set a location's default payment accounts: show_on(shop, cash=till, card=card)."""
    location.default_payment_accounts = {
        method: {"is_enabled": True, "account_id": account if isinstance(account, int) else account["id"]}
        for method, account in methods.items()
    }
    location.save(update_fields=["default_payment_accounts"])


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
    client.user = user
    return client


def restricted_client(business, *locations, permissions=("account.access",)) -> APIClient:
    """A user with `permissions`, permitted on `locations` only (no access_all_locations)."""
    return client_of(make_user(business, *permissions, locations=locations))


def get(client, url: str, status: int = 200):
    """GET under the integration API; the whole JSON body with exact Decimals."""
    response = client.get(f"{BASE}{url}")
    assert response.status_code == status, (url, response.status_code, response.content[:800])
    return money_json(response)


def get_rows(client, url: str) -> list[dict]:
    """A csv download's rows."""
    response = client.get(f"{BASE}{url}")
    assert response.status_code == 200, (url, response.status_code)
    return download_rows(response)


def create_account(client, name, number, opening=None, status=201) -> dict:
    body = {"name": name, "account_number": number}
    if opening is not None:
        body["opening_balance"] = opening
    return api_data(client, "post", "/accounts", body, status=status)


def deposit(client, account, amount, when, source=None, status=201, **extra):
    body = {"account_id": _id(account), "amount": amount, "operation_date": when, **extra}
    if source is not None:
        body["from_account_id"] = _id(source)
    return api_data(client, "post", "/accounts/deposit", body, status=status)


def transfer(client, source, target, amount, when, status=201, **extra):
    body = {"from_account_id": _id(source), "to_account_id": _id(target), "amount": amount, "operation_date": when}
    return api_data(client, "post", "/accounts/fund-transfer", {**body, **extra}, status=status)


def _id(account):
    return account if isinstance(account, int) else account["id"] if isinstance(account, dict) else account.pk


def all_cash_flow(client, query: str = "") -> list[dict]:
    """Every cash-flow row of a query, page after page (per_page 100)."""
    rows, page = [], 1
    while True:
        body = get(client, f"/accounts/reports/cash-flow?per_page=100&page={page}{'&' + query if query else ''}")
        rows += body["data"]
        if page >= body["meta"]["last_page"]:
            return rows
        page += 1


SIGNED = Case(When(type="debit", then=-F("amount")), default=F("amount"), output_field=DecimalField(**MONEY))


def movements_sum(account_id) -> Decimal:
    """Σ credit − Σ debit of an account's movements, read from the rows."""
    total = AccountTransaction.objects.filter(account_id=account_id).aggregate(t=Coalesce(Sum(SIGNED), ZERO))["t"]
    return Decimal(total)


def backdate_opening(account, when):
    """Account opening balances are dated when the account is created; a worked example over a past quarter moves
    the opening movement to the day the story opens the account (as ledger.tests.builders.backdate does for a
    contact's opening balance)."""
    AccountTransaction.objects.filter(account_id=_id(account), sub_type="opening_balance").update(operation_date=when)


def account_of(account) -> Account:
    return Account.objects.get(pk=_id(account))
