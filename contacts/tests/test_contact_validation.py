"""GET /contacts/validate/mobile and /contacts/validate/tax-number: duplicate warnings (RULES §2)."""

import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from contacts.tests.helpers import VALIDATE_MOBILE, VALIDATE_TAX, assert_validation_error, make_contact
from core.tests.matrix import assert_unauthorized, csv_rows
from core.tests.openapi import assert_matches_schema


def check_mobile(client, mobile, **params):
    return client.get(f"{VALIDATE_MOBILE}?{urlencode({'mobile_number': mobile, **params})}")


def check_tax(client, tax_number, **params):
    return client.get(f"{VALIDATE_TAX}?{urlencode({'tax_number': tax_number, **params})}")


# --- mobile --------------------------------------------------------------------------------------


def test_mobile_matches_contacts_whose_mobile_ends_with_the_number(api, business):
    make_contact(business, name="Ada", mobile="+44 7700 900123")
    make_contact(business, name="Bob", mobile="0900123")
    make_contact(business, name="Cy", mobile="900124")

    response = check_mobile(api, "900123")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {
        "data": {
            "is_mobile_exists": True,
            "msg": "900123 Already registered for Ada, Bob",
            "matching_contact_names": ["Ada", "Bob"],
        }
    }


def test_mobile_match_is_a_suffix_not_a_substring_or_prefix(api, business):
    make_contact(business, name="Ada", mobile="+44 7700 900123")

    for number in ("7700", "+44", "44 7700 90012"):
        assert check_mobile(api, number).json()["data"]["is_mobile_exists"] is False, number


def test_mobile_match_is_case_insensitive_without_normalisation(api, business):
    make_contact(business, name="Ada", mobile="0700-CALL-ADA")

    assert check_mobile(api, "call-ada").json()["data"]["matching_contact_names"] == ["Ada"]
    assert check_mobile(api, "CALLADA").json()["data"]["is_mobile_exists"] is False  # no normalisation


def test_mobile_wildcards_are_literal(api, business):
    make_contact(business, name="Ada", mobile="555123")

    assert check_mobile(api, "%").json()["data"]["is_mobile_exists"] is False
    assert check_mobile(api, "_23").json()["data"]["is_mobile_exists"] is False


def test_mobile_without_match(api, business):
    make_contact(business, name="Ada", mobile="555123")

    response = check_mobile(api, "999")

    assert response.json()["data"] == {"is_mobile_exists": False, "msg": "", "matching_contact_names": []}


def test_mobile_counts_inactive_but_not_deleted_or_foreign_contacts(api, business, other_business):
    make_contact(business, name="Sleeping", mobile="555123", contact_status="inactive")
    make_contact(business, name="Gone", mobile="555123", deleted_at=timezone.now())
    make_contact(other_business, name="Foreign", mobile="555123")

    assert check_mobile(api, "555123").json()["data"]["matching_contact_names"] == ["Sleeping"]


def test_mobile_excludes_the_contact_being_edited(api, business):
    editing = make_contact(business, name="Ada", mobile="555123")
    make_contact(business, name="Bob", mobile="555123")

    response = check_mobile(api, "555123", contact_id=editing.pk)

    assert response.json()["data"]["matching_contact_names"] == ["Bob"]
    assert response.json()["data"]["msg"] == "555123 Already registered for Bob"


def test_mobile_excluded_contact_of_another_business_is_422(api, other_business):
    foreign = make_contact(other_business)

    response = check_mobile(api, "555", contact_id=foreign.pk)

    data = assert_validation_error(response, "contact_id")
    assert data["errors"]["contact_id"] == ["The selected contact id is invalid."]
    assert_matches_schema(response)


@pytest.mark.parametrize("contact_id", ["987654", "abc"])
def test_mobile_excluded_contact_must_exist(api, contact_id):
    assert_validation_error(check_mobile(api, "555", contact_id=contact_id), "contact_id")


def test_mobile_excluded_contact_must_be_visible(actors, business):
    client = actors.client("customer.view_own")
    theirs = make_contact(business, mobile="555123")

    response = check_mobile(client, "555123", contact_id=theirs.pk)

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_mobile_number_is_required(api):
    for url in (VALIDATE_MOBILE, f"{VALIDATE_MOBILE}?mobile_number="):
        data = assert_validation_error(api.get(url), "mobile_number")
        assert data["errors"]["mobile_number"] == ["The mobile number field is required."]


def test_mobile_csv_is_one_data_json_row(api, business):
    make_contact(business, name="=Ada", mobile="555123")
    as_json = check_mobile(api, "555123").json()["data"]

    response = check_mobile(api, "555123", format="csv")

    assert response.status_code == 200
    assert_matches_schema(response)
    [row] = csv_rows(response)
    assert json.loads(row["data_json"]) == as_json


# --- tax number ----------------------------------------------------------------------------------


def test_tax_number_matches_exactly(api, business):
    make_contact(business, name="Ada", tax_number="GB123")
    make_contact(business, name="Bob", tax_number="GB1234")
    make_contact(business, name="Cy", tax_number="XGB123")
    make_contact(business, name="Dee", tax_number="GB123")

    response = check_tax(api, "GB123")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {
        "data": {
            "is_tax_number_exists": True,
            "msg": "Tax Number GB123 already registered for Ada, Dee",
            "matching_contact_names": ["Ada", "Dee"],
        }
    }


def test_tax_number_msg_is_empty_when_none(api, business):
    make_contact(business, name="Ada", tax_number="GB123")

    response = check_tax(api, "GB12")

    assert response.json()["data"] == {"is_tax_number_exists": False, "msg": "", "matching_contact_names": []}


def test_tax_number_ignores_deleted_and_foreign_contacts(api, business, other_business):
    make_contact(business, name="Gone", tax_number="GB123", deleted_at=timezone.now())
    make_contact(other_business, name="Foreign", tax_number="GB123")

    assert check_tax(api, "GB123").json()["data"]["is_tax_number_exists"] is False


def test_tax_number_excludes_the_contact_being_edited(api, business):
    editing = make_contact(business, name="Ada", tax_number="GB123")

    response = check_tax(api, "GB123", contact_id=editing.pk)

    assert response.json()["data"]["is_tax_number_exists"] is False


def test_tax_number_excluded_contact_rules(actors, business, other_business):
    client = actors.client("customer.view_own")
    theirs = make_contact(business, tax_number="GB123")
    foreign = make_contact(other_business, tax_number="GB123")

    assert_unauthorized(check_tax(client, "GB123", contact_id=theirs.pk))
    assert_validation_error(check_tax(client, "GB123", contact_id=foreign.pk), "contact_id")


def test_tax_number_is_required(api):
    response = api.get(VALIDATE_TAX)

    data = assert_validation_error(response, "tax_number")
    assert data["errors"]["tax_number"] == ["The tax number field is required."]
    assert_matches_schema(response)


def test_tax_number_csv_is_one_data_json_row(api, business):
    make_contact(business, name="Ada", tax_number="GB123")

    [row] = csv_rows(check_tax(api, "GB123", format="csv"))

    assert json.loads(row["data_json"])["matching_contact_names"] == ["Ada"]


def test_validation_needs_a_contact_read_permission(actors):
    client = actors.client("sell.view")

    assert_unauthorized(check_mobile(client, "555"))
    assert_unauthorized(check_tax(client, "GB1"))
