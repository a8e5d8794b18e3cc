"""DELETE /contacts/{id} (spec "Delete contact"; RULES §2): blockers, soft delete and its side effects."""

import pytest
from django.utils import timezone

from contacts.models import Contact
from contacts.tests.helpers import activities_of, contact_url, footprint, make_contact
from core.tests.factories import make_token, make_user
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized, ids_in
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import make_product, make_purchase, make_sell


def test_delete_answers_200_with_the_deleted_id(api, business):
    contact = make_contact(business)

    response = api.delete(contact_url(contact.pk))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "Contact deleted successfully", "data": {"id": contact.pk}}


def test_delete_is_soft_and_the_contact_disappears(api, business):
    contact = make_contact(business, name="Soon Gone")

    api.delete(contact_url(contact.pk))

    row = Contact.all_objects.get(pk=contact.pk)
    assert row.deleted_at is not None
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert_not_found(api, "get", contact_url(contact.pk))
    assert_not_found(api, "get", f"{contact_url(contact.pk)}/activities")
    assert_not_found(api, "delete", contact_url(contact.pk))
    assert contact.pk not in ids_in(api.get(f"{BASE}/contacts?kind=customer&contact_status=all&q=Soon"))


def test_delete_logs_contact_deleted_with_the_old_values(api, business):
    contact = make_contact(business, name="Soon Gone", city="Oslo")

    api.delete(contact_url(contact.pk))

    [activity] = activities_of(contact)
    assert (activity.description, activity.event, activity.causer_id) == ("contact_deleted", "deleted", api.user.pk)
    assert activity.properties["old"]["name"] == "Soon Gone"
    assert activity.properties["old"]["city"] == "Oslo"


def test_delete_disables_login_of_users_linked_to_the_contact(api, business):
    contact = make_contact(business)
    portal_user = make_user(business, "customer.view_own")
    portal_user.crm_contact = contact
    portal_user.save(update_fields=["crm_contact"])
    bystander = make_user(business, "customer.view_own")
    token = make_token(portal_user)

    api.delete(contact_url(contact.pk))

    portal_user.refresh_from_db()
    bystander.refresh_from_db()
    assert portal_user.is_active is False
    assert bystander.is_active is True
    response = api.__class__().get(f"{BASE}/contacts?kind=customer", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_walk_in_customer_cannot_be_deleted(api, business):
    walk_in = business.contacts.get(is_default=True)
    before = footprint(business)

    response = api.delete(contact_url(walk_in.pk))

    assert response.status_code == 422
    assert response.json() == {"message": "The default contact (walk-in customer) cannot be deleted."}
    assert footprint(business) == before


def test_walk_in_refusal_matches_schema(api, business):
    response = api.delete(contact_url(business.contacts.get(is_default=True).pk))

    assert response.status_code == 422
    assert_matches_schema(response)


@pytest.mark.parametrize("side", ["customer", "supplier"])
def test_contact_referenced_by_a_transaction_cannot_be_deleted(api, business, side):
    # A real document points at the contact: a final sell for a customer, a received purchase for a supplier.
    location = business.locations.order_by("id").first()
    widget = make_product(business, api.user)
    supplier = make_contact(business, type="supplier")
    make_purchase(business, api.user, supplier=supplier, location=location, lines=[(widget, "5", "6.00")])
    contact = supplier
    if side == "customer":
        contact = make_contact(business, type="customer")
        make_sell(business, api.user, customer=contact, location=location, lines=[(widget, "1", "10.00")])
    before = footprint(business)

    response = api.delete(contact_url(contact.pk))

    assert response.status_code == 422
    assert response.json() == {"message": "The contact cannot be deleted because it has transactions."}
    assert_matches_schema(response)
    assert footprint(business) == before
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_both_contact_needs_delete_permission_on_both_sides(actors, business):
    both = make_contact(business, type="both")
    one_side = actors.client("customer.delete", "customer.view", "supplier.view")

    assert_unauthorized(one_side.delete(contact_url(both.pk)))
    assert Contact.objects.filter(pk=both.pk).exists()

    both_sides = actors.client("customer.delete", "supplier.delete", "customer.view")
    assert both_sides.delete(contact_url(both.pk)).status_code == 200


def test_customer_deleter_cannot_delete_a_supplier(actors, business):
    supplier = make_contact(business, type="supplier")
    client = actors.client("customer.delete", "customer.view", "supplier.view")

    response = client.delete(contact_url(supplier.pk))

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_view_own_user_deletes_own_but_not_others(actors, business):
    client = actors.client("customer.view_own")
    own = make_contact(business, created_by=client.user)
    theirs = make_contact(business)

    assert_unauthorized(client.delete(contact_url(theirs.pk)))
    assert Contact.objects.filter(pk=theirs.pk).exists()
    assert client.delete(contact_url(own.pk)).status_code == 200


def test_delete_of_another_business_contact_is_404(api, other_business):
    foreign = make_contact(other_business)

    response = api.delete(contact_url(foreign.pk))

    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}
    assert_matches_schema(response)
    assert Contact.objects.filter(pk=foreign.pk).exists()


def test_delete_of_an_already_deleted_contact_is_404(api, business):
    gone = make_contact(business, deleted_at=timezone.now())

    assert_not_found(api, "delete", contact_url(gone.pk))
