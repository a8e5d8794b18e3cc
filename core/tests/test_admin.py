"""The Django admin as back office: one business-scoped base for every ModelAdmin."""

import re

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from contacts.models import Contact
from core.admin_base import BusinessScopedMixin
from core.models import Activity, ApiCredential, User
from core.permissions import CATALOG
from core.tests.factories import ContactFactory, make_user, staff_client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root-123")


def test_every_model_admin_is_business_scoped():
    for model, model_admin in site._registry.items():
        if model._meta.app_label in ("core", "contacts", "inventory", "ledger"):
            assert isinstance(model_admin, BusinessScopedMixin), model


def test_staff_see_only_their_business_rows(business, other_business):
    mine = ContactFactory(business=business, name="Mine Ltd")
    theirs = ContactFactory(business=other_business, name="Theirs Ltd")
    client = staff_client(make_user(business, admin=True))
    page = client.get("/admin/contacts/contact/").content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" not in page
    assert client.get(f"/admin/contacts/contact/{theirs.pk}/change/").status_code == 302  # not found → redirect
    assert client.get(f"/admin/contacts/contact/{mine.pk}/change/").status_code == 200


def test_superusers_see_every_business(business, other_business, superuser):
    ContactFactory(business=business, name="Mine Ltd")
    ContactFactory(business=other_business, name="Theirs Ltd")
    page = staff_client(superuser).get("/admin/contacts/contact/").content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" in page


def test_non_admin_staff_get_what_their_permissions_grant(business):
    viewer = staff_client(make_user(business, "customer.view"))
    assert viewer.get("/admin/contacts/contact/").status_code == 200
    assert viewer.get("/admin/contacts/contact/add/").status_code == 403
    assert viewer.get("/admin/core/role/").status_code == 403
    nobody = staff_client(make_user(business))
    assert nobody.get("/admin/contacts/contact/").status_code == 403


def test_adding_a_contact_in_the_admin_goes_through_the_service(business):
    admin = make_user(business, admin=True)
    client = staff_client(admin)
    response = client.post(
        "/admin/contacts/contact/add/",
        {
            "type": "customer",
            "name": "Admin Made",
            "contact_id": "",
            "contact_status": "active",
            "mobile": "123",
            "balance": "0",
            "user_access-TOTAL_FORMS": "0",
            "user_access-INITIAL_FORMS": "0",
            "core-activity-subject_type-subject_id-TOTAL_FORMS": "0",
            "core-activity-subject_type-subject_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contact = Contact.objects.get(name="Admin Made")
    assert contact.business == business and contact.created_by == admin
    assert re.fullmatch(r"CO\d{4}", contact.contact_id)
    assert Activity.objects.filter(subject_id=contact.pk, description="added").exists()


def test_the_walk_in_customer_cannot_be_deleted_from_the_admin(business):
    client = staff_client(make_user(business, admin=True))
    walk_in = Contact.objects.get(business=business, is_default=True)
    assert client.get(f"/admin/contacts/contact/{walk_in.pk}/delete/").status_code == 403


def test_credentials_are_issued_in_the_admin_with_the_secret_shown_once(business):
    admin = make_user(business, admin=True)
    target = make_user(business, "customer.view")
    client = staff_client(admin)
    response = client.post(
        "/admin/core/apicredential/add/", {"user": target.pk, "kind": "token", "name": "shop"}, follow=True
    )
    page = response.content.decode()
    match = re.search(r"Bearer token: ([0-9a-f]{24}\.[\w-]+)", page)
    assert match, page[:2000]
    token = match.group(1)
    credential = ApiCredential.objects.get(user=target)
    assert token.split(".")[1] not in credential.secret_hash
    assert token not in client.get(f"/admin/core/apicredential/{credential.pk}/change/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/integration/contacts?kind=customer").status_code == 200


def test_credentials_for_another_business_user_cannot_be_issued(business, other_business):
    client = staff_client(make_user(business, admin=True))
    stranger = make_user(other_business, "customer.view")
    response = client.post("/admin/core/apicredential/add/", {"user": stranger.pk, "kind": "token"})
    assert response.status_code == 200  # form error: not a valid choice
    assert not ApiCredential.objects.filter(user=stranger).exists()


def test_roles_are_edited_with_the_permission_catalog_as_choices(business):
    page = staff_client(make_user(business, admin=True)).get("/admin/core/role/add/").content.decode()
    for name in CATALOG:
        assert f'value="{name}"' in page
