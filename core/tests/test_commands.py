"""The operator commands of operations.md: exact arguments, exact JSON, nothing written on bad input."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from contacts.models import Contact
from core.models import ApiCredential, Business, BusinessLocation, Role, User
from core.tests.matrix import BASE
from ledger.models import Transaction


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    text = out.getvalue()
    assert text.count("\n") <= 1, "exactly one JSON object on stdout"
    return json.loads(text)


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.django_db
def test_bootstrap_business_creates_what_a_business_needs():
    out = run(
        "bootstrap_business",
        "--name",
        "Kiosk",
        "--currency",
        "EUR",
        "--modules",
        "account,subscription",
        "--locations",
        "3",
        "--admin-username",
        "owner",
        "--admin-password",
        "s3cret-pass!",
    )
    assert set(out) == {"business_id", "location_ids", "walk_in_customer_id", "admin"}
    assert set(out["admin"]) == {"user_id", "username", "token"}
    business = Business.objects.get(pk=out["business_id"])
    assert (business.name, business.currency_code, business.currency_symbol) == ("Kiosk", "EUR", "€")
    assert business.enabled_modules == ["account", "subscription"]
    codes = list(BusinessLocation.objects.filter(pk__in=out["location_ids"]).values_list("location_code", flat=True))
    assert codes == ["BL0001", "BL0002", "BL0003"]
    walk_in = Contact.objects.get(pk=out["walk_in_customer_id"])
    assert (walk_in.contact_id, walk_in.name, walk_in.type, walk_in.is_default) == (
        "CO0001",
        "Walk-In Customer",
        "customer",
        True,
    )
    assert walk_in.credit_limit == 0
    admin = User.objects.get(pk=out["admin"]["user_id"])
    assert admin.username == "owner" and admin.is_business_admin and admin.check_password("s3cret-pass!")
    response = bearer(out["admin"]["token"]).get(f"{BASE}/contacts?kind=customer")
    assert response.status_code == 200
    assert [row["contact_id"] for row in response.json()["data"]] == ["CO0001"]


@pytest.mark.django_db
def test_bootstrap_business_defaults():
    out = run("bootstrap_business", "--name", "Plain")
    business = Business.objects.get(pk=out["business_id"])
    assert business.currency_code == "USD" and business.enabled_modules == []
    assert len(out["location_ids"]) == 1
    assert out["admin"]["username"] == f"admin-{business.pk}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("--name", "X", "--modules", "account,teleport"),
        ("--name", "X", "--locations", "0"),
        ("--name", "   "),
        ("--name", "X", "--currency", "dollars"),
    ],
)
def test_bootstrap_business_bad_input_fails_and_writes_nothing(args):
    with pytest.raises(CommandError) as failure:
        call_command("bootstrap_business", *args, "--json", stdout=StringIO())
    assert "\n" not in str(failure.value)
    assert not Business.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_create_api_user_with_exact_permissions_and_both_credentials(business):
    first = business.locations.first()
    out = run(
        "create_api_user",
        "--business",
        str(business.pk),
        "--username",
        "clerk",
        "--permission",
        "customer.view",
        "--permission",
        "supplier.view_own",
        "--location",
        str(first.pk),
    )
    assert set(out) == {"user_id", "username", "token", "api_key", "api_secret"}
    user = User.objects.get(pk=out["user_id"])
    assert user.erp_permissions == {"customer.view", "supplier.view_own"}
    assert user.permitted_location_ids() == {first.pk}
    assert not user.is_business_admin
    assert bearer(out["token"]).get(f"{BASE}/contacts?kind=customer").status_code == 200
    key_client = APIClient()
    key_client.credentials(HTTP_X_API_KEY=out["api_key"], HTTP_X_API_SECRET=out["api_secret"])
    assert key_client.get(f"{BASE}/contacts?kind=customer").status_code == 200
    assert bearer(out["token"]).post(f"{BASE}/customer-groups", {}, format="json").status_code == 403


@pytest.mark.django_db
def test_create_api_user_admin_and_all_locations(business):
    admin = run("create_api_user", "--business", str(business.pk), "--username", "a2", "--admin")
    assert User.objects.get(pk=admin["user_id"]).is_business_admin
    wide = run(
        "create_api_user",
        "--business",
        str(business.pk),
        "--username",
        "w",
        "--permission",
        "sell.view",
        "--all-locations",
    )
    user = User.objects.get(pk=wide["user_id"])
    assert user.permitted_location_ids() is None
    assert "access_all_locations" in user.erp_permissions


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        ("--permission", "customer.veiw"),
        ("--location", "999999"),
        ("--username", "boss"),  # taken
    ],
)
def test_create_api_user_bad_input_fails_and_writes_nothing(business, admin_user, extra, other_business):
    args = ["create_api_user", "--business", str(business.pk), "--username", "newbie", *extra]
    users, roles, creds = User.objects.count(), Role.objects.count(), ApiCredential.objects.count()
    with pytest.raises(CommandError) as failure:
        call_command(*args, "--json", stdout=StringIO())
    assert "\n" not in str(failure.value)
    assert (User.objects.count(), Role.objects.count(), ApiCredential.objects.count()) == (users, roles, creds)


@pytest.mark.django_db
def test_create_api_user_refuses_another_business_location(business, other_business):
    foreign = other_business.locations.first()
    with pytest.raises(CommandError, match="Not a location"):
        call_command(
            "create_api_user",
            "--business",
            str(business.pk),
            "--username",
            "x",
            "--location",
            str(foreign.pk),
            stdout=StringIO(),
        )


@pytest.mark.django_db
def test_unknown_business_fails(db):
    with pytest.raises(CommandError, match="No business with id 4242"):
        call_command("create_api_user", "--business", "4242", "--username", "x", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("business_settings", "--business", "4242", stdout=StringIO())


@pytest.mark.django_db
def test_business_settings_switches(business):
    out = run(
        "business_settings",
        "--business",
        str(business.pk),
        "--enable-module",
        "account",
        "--enable-module",
        "subscription",
        "--subscription",
        "expired",
        "--allow-overselling",
        "yes",
    )
    assert out == {
        "business_id": business.pk,
        "name": business.name,
        "currency_code": "USD",
        "enabled_modules": ["account", "subscription"],
        "subscription_status": "expired",
        "allow_overselling": True,
    }
    out = run(
        "business_settings",
        "--business",
        str(business.pk),
        "--disable-module",
        "account",
        "--subscription",
        "active",
        "--allow-overselling",
        "no",
    )
    assert out["enabled_modules"] == ["subscription"]
    assert (out["subscription_status"], out["allow_overselling"]) == ("active", False)
    with pytest.raises(CommandError):
        call_command("business_settings", "--business", str(business.pk), "--enable-module", "warp", stdout=StringIO())
    business.refresh_from_db()
    assert business.enabled_modules == ["subscription"]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_a_working_token():
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert Business.objects.count() == 1
    business = Business.objects.get()
    assert Contact.objects.for_business(business).count() == 51
    assert set(Contact.objects.for_business(business).values_list("type", flat=True)) == {
        "customer",
        "supplier",
        "both",
    }
    assert business.locations.count() == 2
    subscriptions = Transaction.objects.for_business(business).filter(is_recurring=True)
    assert subscriptions.count() == 4 and subscriptions.filter(recur_stopped_on__isnull=False).count() == 1
    assert Transaction.objects.for_business(business).filter(recur_parent__isnull=False).count() >= 4
    clerk = User.objects.get(username="demo-clerk")
    assert "customer.view_own" in clerk.erp_permissions and "customer.view" not in clerk.erp_permissions
    token = second.getvalue().split("API token:")[1].split()[0]
    old_token = first.getvalue().split("API token:")[1].split()[0]
    assert f"Bearer {token}" in second.getvalue() and "contacts?kind=customer" in second.getvalue()
    assert bearer(token).get(f"{BASE}/contacts?kind=customer").status_code == 200
    assert bearer(old_token).get(f"{BASE}/contacts?kind=customer").status_code == 401
    assert User.objects.get(username="demo-admin").check_password("demo-admin-password")
