from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Account, AccountTransaction
from accounts.services import account_create
from core.tests.factories import make_business, make_user


def staff(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def books(business):
    business.enabled_modules = ["account"]
    business.save()
    admin = make_user(business, admin=True)
    bank = account_create(
        business=business, user=admin, data={"name": "Bank", "account_number": "B1", "opening_balance": Decimal("500")}
    )
    till = account_create(business=business, user=admin, data={"name": "Till", "account_number": "T1"})
    return admin, bank, till


def test_accounts_are_scoped_and_show_their_balance(books):
    admin, bank, _ = books
    page = staff(admin).get("/admin/accounts/account/").content.decode()
    assert "Bank" in page and "500" in page
    stranger = staff(make_user(make_business(name="Else"), admin=True))
    assert "Bank" not in stranger.get("/admin/accounts/account/").content.decode()


def test_the_deposit_action_records_both_linked_legs_through_the_service(books):
    admin, bank, till = books
    client = staff(admin)
    response = client.post(
        "/admin/accounts/account/",
        {
            "action": "deposit_into",
            "_selected_action": [till.pk],
            "apply": "1",
            "amount": "120.00",
            "operation_date_0": "2026-11-20",
            "operation_date_1": "10:00:00",
            "operation_date": "2026-11-20 10:00:00",
            "other_account": bank.pk,
            "note": "float",
        },
    )
    assert response.status_code in (200, 302)
    credit = AccountTransaction.objects.get(account=till, sub_type="deposit")
    debit = AccountTransaction.objects.get(account=bank, sub_type="deposit")
    assert (credit.type, debit.type, credit.amount) == ("credit", "debit", Decimal("120"))
    assert credit.transfer_transaction_id == debit.pk and debit.transfer_transaction_id == credit.pk


def test_movements_are_read_only_and_accounts_are_closed_not_deleted(books):
    admin, bank, _ = books
    client = staff(admin)
    movement = AccountTransaction.objects.get(account=bank)
    page = client.get(f"/admin/accounts/accounttransaction/{movement.pk}/change/").content.decode()
    assert 'name="amount"' not in page
    assert client.get(f"/admin/accounts/account/{bank.pk}/delete/").status_code == 403
    client.post("/admin/accounts/account/", {"action": "close_accounts", "_selected_action": [bank.pk]})
    assert Account.objects.get(pk=bank.pk).is_closed
