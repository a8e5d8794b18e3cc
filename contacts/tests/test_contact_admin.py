"""Contacts in the back office: deleting one with documents says why and offers deactivation, view_own staff see
their own contacts only, the list's search and totals follow the API's rules."""

from decimal import Decimal

import pytest

from contacts.models import Contact
from core.models import Activity
from core.tests.factories import ContactFactory, make_user
from core.tests.factories import staff_client as staff
from ledger.tests.builders import make_opening_balance

LIST = "/admin/contacts/contact/"


@pytest.fixture
def admin(business):
    return staff(make_user(business, admin=True))


@pytest.fixture
def owing(business):
    contact = ContactFactory(business=business, type="customer", name="Owing Ltd")
    make_opening_balance(business, contact, Decimal("120.50"))
    return contact


def test_deleting_a_contact_with_documents_says_why_and_offers_to_deactivate_it(admin, owing):
    response = admin.get(f"{LIST}{owing.pk}/delete/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "cannot be deleted" in page and "it has 1 document" in page
    assert 'name="action" value="deactivate_selected"' in page and f'value="{owing.pk}"' in page

    response = admin.post(LIST, {"action": "deactivate_selected", "_selected_action": [owing.pk]})
    assert response.status_code == 302
    owing.refresh_from_db()
    assert owing.contact_status == "inactive" and owing.deleted_at is None
    assert Activity.objects.filter(subject_id=owing.pk, description="edited").exists()


def test_bulk_delete_removes_what_it_may_and_keeps_contacts_with_documents(admin, business, owing):
    free = ContactFactory(business=business, type="customer", name="Free Ltd")
    chosen = {"action": "delete_contacts", "_selected_action": [owing.pk, free.pk]}
    page = admin.post(LIST, chosen).content.decode()
    assert "Free Ltd" in page and "it has 1 document" in page and "permission" not in page

    admin.post(LIST, {**chosen, "post": "yes"})
    assert not Contact.objects.filter(pk=free.pk).exists()
    assert Contact.objects.filter(pk=owing.pk).exists()


def test_view_own_staff_see_only_the_contacts_they_created(business):
    clerk = make_user(business, "customer.view_own", "customer.create")
    own = ContactFactory(business=business, type="customer", name="Mine Ltd", created_by=clerk)
    other = ContactFactory(business=business, type="customer", name="Theirs Ltd")
    client = staff(clerk)
    page = client.get(LIST).content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" not in page
    assert client.get(f"{LIST}{own.pk}/change/").status_code == 200
    assert client.get(f"{LIST}{other.pk}/change/").status_code == 302  # not there for them: back to the index


def test_the_list_searches_as_the_api_and_totals_the_dues_of_what_it_lists(admin, business, owing):
    ContactFactory(business=business, type="customer", name="Other", landline="0207 946 0000")
    assert "Other" in admin.get(LIST, {"q": "946 0000"}).content.decode()  # landline: the API's q matches it

    assert "Value(" not in admin.get(LIST).content.decode()  # a contact without ledger rows is due $ 0.00

    page = admin.get(LIST, {"owed": "due"}).content.decode()
    assert "Owing Ltd" in page and "Other" not in page
    assert 'Customers listed owe: <span class="money">$ 120.50</span>' in page


def test_the_contact_page_is_the_hub(admin, owing):
    page = admin.get(f"{LIST}{owing.pk}/change/").content.decode()
    for panel in ("Balance", "Last documents", "Last payments", "Ledger, last 90 days"):
        assert f"<h2>{panel}</h2>" in page
    assert "They owe us" in page and "$ 120.50" in page and "Date of birth" in page
