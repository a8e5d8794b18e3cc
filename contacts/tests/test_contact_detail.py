"""GET /contacts/{id}: one contact of the business, active or inactive (spec "Get contact")."""

import datetime
import json
from decimal import Decimal

from django.utils import timezone

from contacts.tests.helpers import DETAIL_SPEC_FIELDS, LIST_FIELDS, body, contact_url, csv_text, make_contact, share
from core.tests.factories import CustomerGroupFactory
from core.tests.matrix import assert_not_found, assert_unauthorized, csv_rows
from core.tests.openapi import assert_matches_schema


def test_detail_has_every_spec_field(api, business):
    contact = make_contact(business, shipping_custom_field_details=[])

    response = api.get(contact_url(contact.pk))

    assert response.status_code == 200
    assert_matches_schema(response)
    data = response.json()["data"]
    assert set(response.json()) == {"data"}
    assert set(DETAIL_SPEC_FIELDS) <= set(data), sorted(set(DETAIL_SPEC_FIELDS) - set(data))
    assert list(data)[: len(LIST_FIELDS)] == LIST_FIELDS


def test_detail_with_null_shipping_custom_fields_matches_schema(api, business):
    contact = make_contact(business, shipping_custom_field_details=None)

    response = api.get(contact_url(contact.pk))

    assert response.status_code == 200
    assert_matches_schema(response)


def test_detail_values(api, business, actors):
    creator = actors.user("customer.create", "customer.view_own")
    group = CustomerGroupFactory(business=business)
    contact = make_contact(
        business,
        type="both",
        prefix="Dr",
        first_name="Ada",
        middle_name="King",
        last_name="Lovelace",
        name="Dr Ada King Lovelace",
        address_line_1="12 St James's Square",
        address_line_2="Flat 2",
        zip_code="SW1Y",
        shipping_address="Dock 4",
        alternate_number="0777",
        balance=Decimal("125.40"),
        credit_limit=Decimal("1000.00"),
        pay_term_number=30,
        pay_term_type="days",
        dob=datetime.date(1815, 12, 10),
        created_by=creator,
        customer_group=group,
        custom_field1="North",
        custom_field10="Gold",
        shipping_custom_field_details=[{"label": "Gate", "value": "B"}],
        is_export=True,
        export_custom_field_1="EORI GB1",
        export_custom_field_6="HS 8471",
    )

    data = body(api.get(contact_url(contact.pk)))["data"]

    assert data["id"] == contact.pk
    assert data["name"] == "Dr Ada King Lovelace"
    assert (data["prefix"], data["first_name"], data["middle_name"], data["last_name"]) == (
        "Dr",
        "Ada",
        "King",
        "Lovelace",
    )
    assert (data["address_line_1"], data["address_line_2"], data["zip_code"]) == (
        "12 St James's Square",
        "Flat 2",
        "SW1Y",
    )
    assert data["shipping_address"] == "Dock 4"
    assert data["alternate_number"] == "0777"
    assert data["balance"] == Decimal("125.40")
    assert data["credit_limit"] == Decimal("1000.00")
    assert (data["pay_term_number"], data["pay_term_type"]) == (30, "days")
    assert data["dob"] == "1815-12-10"
    assert data["is_default"] is False
    assert data["created_by"] == creator.pk
    assert data["customer_group_id"] == group.pk
    assert data["custom_field1"] == "North"
    assert data["custom_field10"] == "Gold"
    assert data["custom_field2"] is None
    assert data["shipping_custom_field_details"] == [{"label": "Gate", "value": "B"}]
    assert data["is_export"] is True
    assert data["export_custom_field_1"] == "EORI GB1"
    assert data["export_custom_field_6"] == "HS 8471"
    assert data["export_custom_field_2"] is None


def test_timestamps_are_iso_8601_in_business_time_zone(api, business):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])
    contact = make_contact(business)
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    type(contact).all_objects.filter(pk=contact.pk).update(created_at=moment, updated_at=moment)

    data = api.get(contact_url(contact.pk)).json()["data"]

    assert data["created_at"] == "2026-01-02T08:34:05+05:30"
    assert datetime.datetime.fromisoformat(data["updated_at"]) == moment


def test_walk_in_customer_is_the_default_contact(api, business):
    walk_in = business.contacts.get(is_default=True)

    data = body(api.get(contact_url(walk_in.pk)))["data"]

    assert data["is_default"] is True
    assert data["name"] == "Walk-In Customer"
    assert data["type"] == "customer"
    assert data["credit_limit"] == Decimal("0")


def test_custom_field_labels_come_from_the_business_contact_labels(api, business):
    business.custom_labels = {
        "contact": {"custom_field_1": "Region", "custom_field_10": "Tier"},
        "payments": {"custom_pay_1": "Voucher"},
    }
    business.save(update_fields=["custom_labels"])
    contact = make_contact(business)

    labels = api.get(contact_url(contact.pk)).json()["data"]["custom_field_labels"]

    assert labels == {
        "custom_field_1": "Region",
        **{f"custom_field_{i}": None for i in range(2, 10)},
        "custom_field_10": "Tier",
    }


def test_custom_field_labels_without_business_labels_are_null(api, business):
    contact = make_contact(business)

    labels = api.get(contact_url(contact.pk)).json()["data"]["custom_field_labels"]

    assert labels == {f"custom_field_{i}": None for i in range(1, 11)}


def test_csv_is_one_data_json_row_equal_to_the_json_data(api, business):
    contact = make_contact(
        business,
        name="=cmd|' /C calc'!A0",
        balance=Decimal("10.50"),
        shipping_custom_field_details={"gate": "B"},
        dob=datetime.date(1990, 5, 17),
    )
    as_json = api.get(contact_url(contact.pk)).json()["data"]

    response = api.get(f"{contact_url(contact.pk)}?format=csv")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="contact-{contact.pk}-{business.pk}-' in response["Content-Disposition"]
    assert csv_text(response).startswith("\ufeffdata_json\r\n")
    [row] = csv_rows(response)
    assert list(row) == ["data_json"]
    assert json.loads(row["data_json"]) == as_json


def test_unknown_format_is_422(api, business):
    contact = make_contact(business)

    response = api.get(f"{contact_url(contact.pk)}?format=xml")

    assert response.status_code == 422
    assert "format" in response.json()["errors"]


def test_unknown_id_is_404(api):
    response = api.get(contact_url(987654))

    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}
    assert_matches_schema(response)


def test_another_business_contact_is_404(api, other_business):
    foreign = make_contact(other_business)

    assert_not_found(api, "get", contact_url(foreign.pk))


def test_soft_deleted_contact_is_404(api, business):
    gone = make_contact(business, deleted_at=timezone.now())

    assert_not_found(api, "get", contact_url(gone.pk))


def test_view_own_user_gets_403_on_someone_elses_contact(actors, business):
    client = actors.client("customer.view_own")
    theirs = make_contact(business, created_by=actors.user(admin=True))

    response = client.get(contact_url(theirs.pk))

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_view_own_user_reads_own_and_shared_contacts(actors, business):
    client = actors.client("customer.view_own")
    own = make_contact(business, created_by=client.user)
    shared = share(make_contact(business), client.user)

    assert client.get(contact_url(own.pk)).status_code == 200
    assert client.get(contact_url(shared.pk)).status_code == 200


def test_inactive_contacts_are_still_readable(api, business):
    inactive = make_contact(business, contact_status="inactive")

    response = api.get(contact_url(inactive.pk))

    assert response.status_code == 200
    assert response.json()["data"]["contact_status"] == "inactive"


def test_supplier_reader_cannot_read_a_customer(actors, business):
    customer = make_contact(business, type="customer")

    assert_unauthorized(actors.client("supplier.view").get(contact_url(customer.pk)))


def test_both_contact_is_readable_from_either_side(actors, business):
    both = make_contact(business, type="both")

    assert actors.client("supplier.view").get(contact_url(both.pk)).status_code == 200
    assert actors.client("customer.view").get(contact_url(both.pk)).status_code == 200


def test_assigned_users_are_listed(api, actors, business):
    contact = make_contact(business)
    first, second = actors.user("customer.view_own"), actors.user("supplier.view_own")
    share(contact, second)
    share(contact, first)

    data = api.get(contact_url(contact.pk)).json()["data"]

    assert data["assigned_to_users"] == sorted([first.pk, second.pk])
