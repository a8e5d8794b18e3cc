"""PATCH and PUT /contacts/{id} (spec "Update contact"; RULES §1-2): both update only the fields sent."""

from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.models import UserContactAccess
from contacts.tests.helpers import (
    activities_of,
    assert_validation_error,
    body,
    contact_url,
    expire_subscription,
    footprint,
    make_contact,
)
from core.tests.factories import CustomerGroupFactory
from core.tests.matrix import assert_not_found, assert_unauthorized
from core.tests.openapi import assert_matches_schema


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_only_the_fields_sent(api, business, method):
    contact = make_contact(business, name="Old Name", city="Oslo", email="a@example.com", credit_limit=Decimal("5.00"))

    response = getattr(api, method)(contact_url(contact.pk), {"city": "Bergen"}, format="json")

    assert response.status_code == 200
    assert response.json()["message"] == "Contact updated successfully"
    data = body(response)["data"]
    assert data["city"] == "Bergen"
    assert (data["name"], data["email"], data["credit_limit"]) == ("Old Name", "a@example.com", Decimal("5.00"))
    assert data == body(api.get(contact_url(contact.pk)))["data"]


def test_update_response_matches_schema(api, business):
    contact = make_contact(business, shipping_custom_field_details={"gate": "A"})

    response = api.patch(contact_url(contact.pk), {"contact_status": "inactive"}, format="json")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json()["data"]["contact_status"] == "inactive"


@pytest.mark.parametrize("payload", [{}, {"id": 5, "balance": "10"}])
def test_update_without_updatable_fields_is_422(api, business, payload):
    contact = make_contact(business)

    response = api.patch(contact_url(contact.pk), payload, format="json")

    assert response.status_code == 422
    assert response.json() == {"message": "No valid fields to update"}


def test_update_without_fields_matches_schema(api, business):
    contact = make_contact(business)

    response = api.patch(contact_url(contact.pk), {}, format="json")

    assert response.status_code == 422
    assert_matches_schema(response)


def test_update_field_errors_are_422(api, business):
    contact = make_contact(business)

    response = api.patch(contact_url(contact.pk), {"email": "nope", "nickname": "x"}, format="json")

    assert_validation_error(response, "email", "nickname")
    assert_matches_schema(response)


@pytest.mark.parametrize("empty", [None, ""])
def test_mobile_emptied_is_null(api, business, empty):
    contact = make_contact(business, mobile="0700")

    response = api.patch(contact_url(contact.pk), {"mobile": empty}, format="json")

    assert response.json()["data"]["mobile"] is None
    contact.refresh_from_db()
    assert contact.mobile is None


def test_name_parts_are_merged_with_the_stored_parts(api, business):
    contact = make_contact(business, first_name="Ada", last_name="Byron", name="Ada Byron")

    data = api.patch(contact_url(contact.pk), {"last_name": "Lovelace"}, format="json").json()["data"]

    assert data["name"] == "Ada Lovelace"


def test_name_alone_is_kept(api, business):
    contact = make_contact(business, first_name="Ada", last_name="Byron", name="Ada Byron")

    data = api.patch(contact_url(contact.pk), {"name": "The Countess"}, format="json").json()["data"]

    assert data["name"] == "The Countess"


def test_is_export_false_ignores_export_fields(api, business):
    contact = make_contact(business, is_export=True, export_custom_field_1="OLD")

    data = api.patch(
        contact_url(contact.pk), {"is_export": False, "export_custom_field_1": "NEW"}, format="json"
    ).json()["data"]

    assert data["is_export"] is False
    assert data["export_custom_field_1"] == "OLD"


def test_export_fields_are_ignored_while_stored_is_export_is_false(api, business):
    contact = make_contact(business, is_export=False)

    response = api.patch(contact_url(contact.pk), {"export_custom_field_2": "NEW", "city": "Rome"}, format="json")

    assert response.json()["data"]["export_custom_field_2"] is None


def test_export_fields_are_stored_with_is_export(api, business):
    contact = make_contact(business, is_export=True)

    data = api.patch(contact_url(contact.pk), {"export_custom_field_3": "HS 1"}, format="json").json()["data"]

    assert data["export_custom_field_3"] == "HS 1"


def test_update_to_a_duplicate_contact_id_is_422(api, business):
    make_contact(business, contact_id="TAKEN-1")
    contact = make_contact(business, contact_id="MINE-1")
    before = footprint(business)

    response = api.patch(contact_url(contact.pk), {"contact_id": "TAKEN-1", "city": "Rome"}, format="json")

    data = assert_validation_error(response, "contact_id")
    assert data["errors"]["contact_id"] == ["The contact id has already been taken."]
    assert footprint(business) == before


def test_update_keeping_the_own_contact_id_is_fine(api, business):
    contact = make_contact(business, contact_id="MINE-1")

    response = api.put(contact_url(contact.pk), {"contact_id": "MINE-1", "name": "Renamed"}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["contact_id"] == "MINE-1"


def test_update_to_the_code_of_a_deleted_contact_is_fine(api, business):
    make_contact(business, contact_id="FREED-1", deleted_at=timezone.now())
    contact = make_contact(business)

    assert api.patch(contact_url(contact.pk), {"contact_id": "FREED-1"}, format="json").status_code == 200


def test_update_replaces_the_assigned_users(api, actors, business):
    first, second = actors.user("customer.view_own"), actors.user("supplier.view_own")
    contact = make_contact(business)
    UserContactAccess.objects.create(contact=contact, user=first)

    data = api.patch(contact_url(contact.pk), {"assigned_to_users": [second.pk]}, format="json").json()["data"]

    assert data["assigned_to_users"] == [second.pk]


def test_update_can_clear_the_customer_group(api, business):
    contact = make_contact(business, customer_group=CustomerGroupFactory(business=business))

    data = api.patch(contact_url(contact.pk), {"customer_group_id": None}, format="json").json()["data"]

    assert data["customer_group_id"] is None


@pytest.mark.parametrize("new_type", ["supplier", "both"])
def test_effective_type_must_pass_the_update_check(actors, business, new_type):
    client = actors.client("customer.update", "customer.view")
    contact = make_contact(business, type="customer")

    response = client.patch(contact_url(contact.pk), {"type": new_type}, format="json")

    assert_unauthorized(response)
    contact.refresh_from_db()
    assert contact.type == "customer"


def test_type_change_with_both_sides_allowed(actors, business):
    client = actors.client("customer.update", "customer.view", "supplier.update")
    contact = make_contact(business, type="customer")

    response = client.patch(contact_url(contact.pk), {"type": "both"}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["type"] == "both"


def test_updating_a_both_contact_needs_both_sides(actors, business):
    client = actors.client("customer.update", "customer.view")
    contact = make_contact(business, type="both")

    assert_unauthorized(client.patch(contact_url(contact.pk), {"city": "Rome"}, format="json"))


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_of_another_business_contact_is_404(api, other_business, method):
    foreign = make_contact(other_business, city="Oslo")

    assert_not_found(api, method, contact_url(foreign.pk), {"city": "Rome"})
    foreign.refresh_from_db()
    assert foreign.city == "Oslo"


def test_update_of_unknown_or_deleted_contact_is_404(api, business):
    gone = make_contact(business, deleted_at=timezone.now())

    response = api.patch(contact_url(gone.pk), {"city": "Rome"}, format="json")

    assert response.status_code == 404
    assert_matches_schema(response)
    assert_not_found(api, "patch", contact_url(987654), {"city": "Rome"})


def test_update_of_an_invisible_contact_is_403(actors, business):
    client = actors.client("customer.view_own")
    theirs = make_contact(business, city="Oslo")

    response = client.patch(contact_url(theirs.pk), {"city": "Rome"}, format="json")

    assert_unauthorized(response)
    theirs.refresh_from_db()
    assert theirs.city == "Oslo"


def test_view_own_user_updates_own_contact(actors, business):
    client = actors.client("customer.view_own")
    own = make_contact(business, created_by=client.user)

    assert client.patch(contact_url(own.pk), {"city": "Rome"}, format="json").status_code == 200


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_is_402_when_the_subscription_is_not_active(api, business, settings, method):
    contact = make_contact(business, city="Oslo")
    expire_subscription(business, settings)

    response = getattr(api, method)(contact_url(contact.pk), {"city": "Rome"}, format="json")

    assert response.status_code == 402
    assert_matches_schema(response)
    contact.refresh_from_db()
    assert contact.city == "Oslo"


def test_update_logs_old_and_new_values_of_changed_fields_only(api, business):
    contact = make_contact(business, city="Oslo", credit_limit=Decimal("5.00"), email="a@example.com")

    api.patch(
        contact_url(contact.pk),
        {"city": "Bergen", "credit_limit": "7.25", "email": "a@example.com"},
        format="json",
    )

    [activity] = activities_of(contact)
    assert (activity.description, activity.event, activity.causer_id) == ("edited", "updated", api.user.pk)
    assert activity.properties == {
        "old": {"city": "Oslo", "credit_limit": "5"},
        "attributes": {"city": "Bergen", "credit_limit": "7.25"},
    }
