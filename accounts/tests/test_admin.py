from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, AccountTransaction
from accounts.services import account_create, deposit, fund_transfer
from accounts.tests.builders import enable_on
from core.exceptions import BusinessRuleViolation
from core.tests.factories import make_business, make_user
from core.tests.factories import staff_client as staff


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


def transfer(client, source, target=None, amount="80.00"):
    return client.post(
        "/admin/accounts/account/",
        {
            "action": "transfer_from",
            "_selected_action": [source.pk],
            "apply": "1",
            "amount": amount,
            "operation_date": "2026-11-20 11:00:00",
            **({"other_account": target.pk} if target is not None else {}),
        },
    )


def test_the_transfer_action_moves_money_between_two_accounts_with_linked_legs(books):
    admin, bank, till = books

    response = transfer(staff(admin), bank, till)

    assert response.status_code in (200, 302)
    debit = AccountTransaction.objects.get(account=bank, sub_type="fund_transfer")
    credit = AccountTransaction.objects.get(account=till, sub_type="fund_transfer")
    assert (debit.type, credit.type, debit.amount, credit.amount) == ("debit", "credit", Decimal("80"), Decimal("80"))
    assert credit.transfer_transaction_id == debit.pk and debit.transfer_transaction_id == credit.pk


def test_a_transfer_without_a_target_is_refused_and_writes_nothing(books):
    admin, bank, _ = books
    before = AccountTransaction.objects.count()

    page = transfer(staff(admin), bank).content.decode()

    assert "Choose the account to transfer to." in page
    assert AccountTransaction.objects.count() == before


def test_location_restricted_staff_see_and_move_only_the_accounts_of_their_locations(business, books):
    """RULES §9 as in the API: a user restricted to the shop sees the accounts enabled on the shop only, and
    cannot pick another as the other side of a deposit."""
    admin, bank, till = books
    shop = business.locations.order_by("id").first()
    enable_on(shop, till, method="cash")
    clerk = staff(make_user(business, "account.access", locations=[shop]))

    listing = clerk.get("/admin/accounts/account/").content.decode()
    assert "Till" in listing and ">Bank<" not in listing
    assert clerk.get(f"/admin/accounts/account/{bank.pk}/change/").status_code in (302, 404)
    before = AccountTransaction.objects.count()
    transfer(clerk, till, bank)
    assert AccountTransaction.objects.count() == before


def test_a_deposit_or_transfer_never_joins_two_businesses(books):
    admin, bank, _ = books
    other_admin = make_user(make_business(name="Else"), admin=True)
    foreign = account_create(
        business=other_admin.business, user=other_admin, data={"name": "Foreign", "account_number": "F1"}
    )
    before = AccountTransaction.objects.count()

    with pytest.raises(BusinessRuleViolation):
        deposit(
            business=bank.business,
            user=admin,
            account=bank,
            amount=Decimal("5"),
            operation_date=timezone.now(),
            from_account=foreign,
        )
    with pytest.raises(BusinessRuleViolation):
        fund_transfer(
            business=bank.business,
            user=admin,
            from_account=bank,
            to_account=foreign,
            amount=Decimal("5"),
            operation_date=timezone.now(),
        )
    assert AccountTransaction.objects.count() == before


def test_with_the_account_module_off_the_accounts_admin_is_closed_to_the_business(business, books):
    """As the API's ModuleEnabled rule: the account module switched off hides accounts, types and movements."""
    admin, bank, _ = books
    business.enabled_modules = []
    business.save()
    client = staff(admin)

    for url in ("/admin/accounts/account/", "/admin/accounts/accounttype/", "/admin/accounts/accounttransaction/"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/admin/accounts/account/{bank.pk}/change/").status_code in (302, 403)
