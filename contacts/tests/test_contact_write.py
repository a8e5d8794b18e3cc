"""POST /contacts (spec "Add contact"; RULES §1-2).

PATCH and PUT are in test_contact_update.py, DELETE in test_contact_delete.py.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.models import Contact, UserContactAccess
from contacts.tests.helpers import (
    CONTACTS,
    DETAIL_SPEC_FIELDS,
    activities_of,
    assert_validation_error,
    body,
    contact_counter,
    contact_url,
    expire_subscription,
    footprint,
    make_contact,
)
from core.tests.factories import CustomerGroupFactory, make_user
from core.tests.matrix import assert_unauthorized
from core.tests.openapi import assert_matches_schema


def created(response) -> Contact:
    assert response.status_code == 201, response.json()
    return Contact.objects.get(pk=response.json()["data"]["id"])


# --- create --------------------------------------------------------------------------------------


def test_create_returns_201_with_message_and_contact_detail(api, business):
    response = api.post(
        CONTACTS,
        {
            "type": "customer",
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "mobile": "+1 555 0100",
            "credit_limit": "2500.75",
            "city": "Arlington",
            "shipping_custom_field_details": [{"label": "Dock", "value": "4"}],
        },
        format="json",
    )

    assert response.status_code == 201
    assert_matches_schema(response)
    assert set(response.json()) == {"message", "data"}
    assert response.json()["message"] == "Contact added successfully"
    data = body(response)["data"]
    assert set(DETAIL_SPEC_FIELDS) <= set(data)
    assert data["credit_limit"] == Decimal("2500.75")
    assert data["balance"] == Decimal("0")
    assert data["contact_status"] == "active"
    assert data["is_default"] is False
    assert data["created_by"] == api.user.pk
    assert data == body(api.get(contact_url(data["id"])))["data"]


def test_create_stores_the_contact_in_the_callers_business(api, business):
    contact = created(api.post(CONTACTS, {"type": "supplier", "name": "Parts Ltd"}, format="json"))

    assert contact.business_id == business.pk
    assert contact.created_by_id == api.user.pk
    assert contact.type == "supplier"


def test_name_is_the_name_parts_joined_with_single_spaces(api):
    response = api.post(
        CONTACTS,
        {"type": "customer", "name": "ignored", "prefix": " Dr ", "first_name": "Ada", "last_name": "Lovelace"},
        format="json",
    )

    data = response.json()["data"]
    assert data["name"] == "Dr Ada Lovelace"
    assert data["middle_name"] is None


def test_name_is_kept_as_given_without_parts(api):
    response = api.post(CONTACTS, {"type": "customer", "name": "  ACME  Wholesale "}, format="json")

    assert response.json()["data"]["name"] == "ACME  Wholesale"


def test_name_is_kept_when_every_part_is_empty(api):
    response = api.post(
        CONTACTS, {"type": "customer", "name": "Kept", "first_name": "", "last_name": None}, format="json"
    )

    assert response.json()["data"]["name"] == "Kept"


@pytest.mark.parametrize("payload", [{}, {"contact_id": ""}, {"contact_id": None}, {"contact_id": "   "}])
def test_blank_contact_id_is_generated_from_the_counter(api, payload):
    # The walk-in customer took CO0001 when the business was created.
    response = api.post(CONTACTS, {"type": "customer", "name": "New", **payload}, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["contact_id"] == "CO0002"


def test_counter_advances_on_every_create(api, business):
    first = api.post(CONTACTS, {"type": "customer", "name": "A"}, format="json").json()["data"]
    typed = api.post(CONTACTS, {"type": "customer", "name": "B", "contact_id": "VIP-1"}, format="json").json()["data"]
    third = api.post(CONTACTS, {"type": "customer", "name": "C"}, format="json").json()["data"]

    assert (first["contact_id"], typed["contact_id"], third["contact_id"]) == ("CO0002", "VIP-1", "CO0004")
    assert contact_counter(business) == 4


def test_generated_code_skips_a_code_typed_by_hand(api, business):
    make_contact(business, contact_id="CO0002")

    response = api.post(CONTACTS, {"type": "customer", "name": "New"}, format="json")

    assert response.json()["data"]["contact_id"] == "CO0003"


def test_duplicate_contact_id_is_422(api, business):
    make_contact(business, contact_id="DUP-1")

    response = api.post(CONTACTS, {"type": "customer", "name": "Again", "contact_id": "DUP-1"}, format="json")

    data = assert_validation_error(response, "contact_id")
    assert data["errors"]["contact_id"] == ["The contact id has already been taken."]
    assert_matches_schema(response)


def test_walk_in_code_is_taken(api):
    assert_validation_error(
        api.post(CONTACTS, {"type": "customer", "name": "X", "contact_id": "CO0001"}, format="json"), "contact_id"
    )


def test_contact_id_of_another_business_is_free(api, other_business):
    make_contact(other_business, contact_id="SHARED-1")

    response = api.post(CONTACTS, {"type": "customer", "name": "X", "contact_id": "SHARED-1"}, format="json")

    assert response.status_code == 201


def test_contact_id_of_a_soft_deleted_contact_is_reusable(api, business):
    make_contact(business, contact_id="REUSE-1", deleted_at=timezone.now())

    response = api.post(CONTACTS, {"type": "customer", "name": "X", "contact_id": "REUSE-1"}, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["contact_id"] == "REUSE-1"


@pytest.mark.parametrize("field", ["nickname", "balance_due"])
def test_fields_not_accepted_are_422(api, business, field):
    before = footprint(business)

    response = api.post(CONTACTS, {"type": "customer", "name": "X", field: "100"}, format="json")

    data = assert_validation_error(response, field)
    assert data["errors"][field] == [f"The {field.replace('_', ' ')} field is not allowed."]
    assert footprint(business) == before


def test_response_only_fields_sent_back_are_ignored(api):
    response = api.post(
        CONTACTS,
        {"type": "customer", "name": "X", "id": 999, "balance": "500", "is_default": True, "created_by": 1},
        format="json",
    )

    data = body(response)["data"]
    assert data["id"] != 999
    assert data["balance"] == Decimal("0")
    assert data["is_default"] is False


@pytest.mark.parametrize(
    ("payload", "stored"),
    [({}, None), ({"mobile": None}, None), ({"mobile": ""}, None), ({"mobile": "0700"}, "0700")],
)
def test_mobile_is_null_when_omitted_or_empty(api, payload, stored):
    response = api.post(CONTACTS, {"type": "customer", "name": "X", **payload}, format="json")

    assert response.json()["data"]["mobile"] == stored


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X"}, "type"),
        ({"type": "customer"}, "name"),
        ({"type": "vendor", "name": "X"}, "type"),
        ({"type": "customer", "name": "X", "email": "not-an-email"}, "email"),
        ({"type": "customer", "name": "X", "contact_type": "robot"}, "contact_type"),
        ({"type": "customer", "name": "X", "contact_status": "archived"}, "contact_status"),
        ({"type": "customer", "name": "X", "dob": "17/05/1990"}, "dob"),
        ({"type": "customer", "name": "X", "pay_term_type": "weeks"}, "pay_term_type"),
        ({"type": "customer", "name": "X", "pay_term_number": -1}, "pay_term_number"),
        ({"type": "customer", "name": "X", "credit_limit": "-0.01"}, "credit_limit"),
        ({"type": "customer", "name": "X", "credit_limit": "abc"}, "credit_limit"),
        ({"type": "customer", "name": "X", "position": "north pole"}, "position"),
        ({"type": "customer", "name": "X", "position": "91,0"}, "position"),
        ({"type": "customer", "name": "X", "shipping_custom_field_details": "text"}, "shipping_custom_field_details"),
        ({"type": "customer", "name": "X", "customer_group_id": 987654}, "customer_group_id"),
        ({"type": "customer", "name": "X", "assigned_to_users": [987654]}, "assigned_to_users"),
        ({"type": "customer", "name": "X" * 256}, "name"),
        ({"type": "customer", "name": "X", "first_name": "A" * 150, "last_name": "B" * 150}, "name"),
    ],
)
def test_invalid_payload_is_422_and_writes_nothing(api, business, payload, field):
    before = footprint(business)

    response = api.post(CONTACTS, payload, format="json")

    assert_validation_error(response, field)
    assert footprint(business) == before


def test_customer_group_of_another_business_is_422(api, business, other_business):
    foreign = CustomerGroupFactory(business=other_business)
    before = footprint(business)

    response = api.post(CONTACTS, {"type": "customer", "name": "X", "customer_group_id": foreign.pk}, format="json")

    data = assert_validation_error(response, "customer_group_id")
    assert data["errors"]["customer_group_id"] == ["The selected customer group id is invalid."]
    assert footprint(business) == before


def test_customer_group_of_the_business_is_linked(api, business):
    group = CustomerGroupFactory(business=business)

    response = api.post(CONTACTS, {"type": "customer", "name": "X", "customer_group_id": group.pk}, format="json")

    assert response.json()["data"]["customer_group_id"] == group.pk


def test_assigned_users_of_another_business_are_422(api, business, other_business):
    stranger = make_user(other_business)
    before = footprint(business)

    response = api.post(CONTACTS, {"type": "customer", "name": "X", "assigned_to_users": [stranger.pk]}, format="json")

    assert_validation_error(response, "assigned_to_users")
    assert footprint(business) == before


def test_assigned_user_ids_beyond_64_bits_are_422(api, business):
    before = footprint(business)

    response = api.post(
        CONTACTS, {"type": "customer", "name": "X", "assigned_to_users": [int("9" * 25)]}, format="json"
    )

    assert_validation_error(response, "assigned_to_users.0")  # Laravel-style key of the offending item
    assert footprint(business) == before


def test_assigned_users_share_the_contact(api, actors):
    seller = actors.user("customer.view_own")

    contact = created(
        api.post(
            CONTACTS, {"type": "customer", "name": "X", "assigned_to_users": [seller.pk, seller.pk]}, format="json"
        )
    )

    assert list(UserContactAccess.objects.filter(contact=contact).values_list("user_id", flat=True)) == [seller.pk]
    assert actors.client(user=seller).get(contact_url(contact.pk)).status_code == 200


def test_export_fields_are_ignored_unless_is_export(api):
    plain = api.post(
        CONTACTS, {"type": "customer", "name": "X", "export_custom_field_1": "EORI"}, format="json"
    ).json()["data"]
    export = api.post(
        CONTACTS, {"type": "customer", "name": "Y", "is_export": True, "export_custom_field_1": "EORI"}, format="json"
    ).json()["data"]

    assert (plain["is_export"], plain["export_custom_field_1"]) == (False, None)
    assert (export["is_export"], export["export_custom_field_1"]) == (True, "EORI")


def test_empty_text_is_stored_as_null(api):
    data = api.post(CONTACTS, {"type": "customer", "name": "X", "city": "", "tax_number": ""}, format="json").json()

    assert data["data"]["city"] is None
    assert data["data"]["tax_number"] is None


@pytest.mark.parametrize("contact_type", ["supplier", "both"])
def test_customer_only_user_cannot_create_supplier_or_both(actors, business, contact_type):
    client = actors.client("customer.create", "customer.view")
    before = footprint(business)

    response = client.post(CONTACTS, {"type": contact_type, "name": "X"}, format="json")

    assert_unauthorized(response)
    assert_matches_schema(response)
    assert footprint(business) == before


def test_both_needs_both_sides(actors):
    client = actors.client("customer.create", "supplier.view_own")

    assert client.post(CONTACTS, {"type": "both", "name": "X"}, format="json").status_code == 201


def test_view_own_user_may_create_and_then_sees_the_contact(actors):
    client = actors.client("customer.view_own")

    contact = created(client.post(CONTACTS, {"type": "customer", "name": "Mine"}, format="json"))

    assert contact.created_by_id == client.user.pk
    assert client.get(contact_url(contact.pk)).status_code == 200


def test_create_is_402_when_the_subscription_is_not_active(api, business, settings):
    expire_subscription(business, settings)
    before = footprint(business)

    response = api.post(CONTACTS, {"type": "customer", "name": "X"}, format="json")

    assert response.status_code == 402
    assert set(response.json()) == {"message"}
    assert_matches_schema(response)
    assert footprint(business) == before


def test_expired_subscription_is_fine_without_package_enforcement(api, business):
    business.subscription_status = "expired"
    business.save(update_fields=["subscription_status"])

    assert api.post(CONTACTS, {"type": "customer", "name": "X"}, format="json").status_code == 201


def test_create_logs_an_added_activity_with_the_new_values(api):
    contact = created(
        api.post(CONTACTS, {"type": "customer", "name": "X", "city": "Oslo", "credit_limit": "10.50"}, format="json")
    )

    [activity] = activities_of(contact)
    assert (activity.description, activity.event, activity.causer_id) == ("added", "created", api.user.pk)
    assert "old" not in activity.properties
    new = activity.properties["attributes"]
    assert new["name"] == "X"
    assert new["city"] == "Oslo"
    assert new["contact_id"] == contact.contact_id
    assert Decimal(new["credit_limit"]) == Decimal("10.50")


def test_malformed_json_is_400(api):
    response = api.generic("POST", CONTACTS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "message" in response.json()
