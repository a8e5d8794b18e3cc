"""GET /contacts/{id}/activities: the contact's audit trail, newest first (spec "List contact activities")."""

import json

import pytest

from contacts.tests.helpers import ACTIVITY_FIELDS, CONTACTS, activities_url, contact_url, csv_text, make_contact
from core.models import Activity
from core.services.activity import log_activity
from core.tests.factories import make_user
from core.tests.matrix import assert_not_found, assert_unauthorized, csv_rows
from core.tests.openapi import assert_matches_schema


@pytest.fixture
def grace(business):
    return make_user(
        business, admin=True, username="ghopper", first_name="Grace", last_name="Hopper", email="cobol@navy.example"
    )


@pytest.fixture
def grace_client(actors, grace):
    return actors.client(user=grace)


@pytest.fixture
def trail(grace_client, business):
    """A contact created and edited twice through the API, by Grace."""
    response = grace_client.post(CONTACTS, {"type": "customer", "name": "Ada"}, format="json")
    pk = response.json()["data"]["id"]
    grace_client.patch(contact_url(pk), {"city": "Oslo"}, format="json")
    grace_client.patch(contact_url(pk), {"city": "Bergen"}, format="json")
    return pk


def test_envelope_and_newest_first(grace_client, trail):
    response = grace_client.get(activities_url(trail))

    assert response.status_code == 200
    assert_matches_schema(response)
    payload = response.json()
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 3, "q": None}
    assert payload["data"]["contact_id"] == trail
    activities = payload["data"]["activities"]
    assert [a["description"] for a in activities] == ["edited", "edited", "added"]
    ids = [a["id"] for a in activities]
    assert ids == sorted(ids, reverse=True)
    assert all(list(a) == ACTIVITY_FIELDS for a in activities)


def test_rows_carry_event_causer_and_properties(grace_client, grace, trail):
    latest, middle, first = grace_client.get(activities_url(trail)).json()["data"]["activities"]

    assert latest["event"] == "updated"
    assert latest["log_name"] == "default"
    assert latest["causer"] == {"id": grace.pk, "name": "Grace Hopper"}
    assert latest["properties"] == {"old": {"city": "Oslo"}, "attributes": {"city": "Bergen"}}
    assert middle["properties"] == {"old": {"city": None}, "attributes": {"city": "Oslo"}}
    assert first["event"] == "created"
    assert first["properties"]["attributes"]["name"] == "Ada"
    assert "old" not in first["properties"]
    assert latest["created_at"].endswith("+00:00")


def test_causer_name_falls_back_to_the_username(actors, business):
    user = make_user(business, admin=True, username="integration-bot")
    client = actors.client(user=user)
    contact = make_contact(business)
    client.patch(contact_url(contact.pk), {"city": "Rome"}, format="json")

    [row] = client.get(activities_url(contact.pk)).json()["data"]["activities"]

    assert row["causer"] == {"id": user.pk, "name": "integration-bot"}


def test_activity_without_causer_has_null_causer(api, business):
    walk_in = business.contacts.get(is_default=True)  # created with the business, by nobody

    [row] = api.get(activities_url(walk_in.pk)).json()["data"]["activities"]

    assert row["causer"] is None
    assert row["description"] == "added"


def test_only_this_contacts_activities(api, business):
    contact, other = make_contact(business), make_contact(business)
    api.patch(contact_url(other.pk), {"city": "Rome"}, format="json")

    response = api.get(activities_url(contact.pk))

    assert response.json()["data"]["activities"] == []
    assert response.json()["meta"]["total"] == 0


@pytest.mark.parametrize(("q", "expected"), [("dit", 2), ("ADDED", 1), ("Hopp", 3), ("ghopp", 3), ("cobol@", 3)])
def test_q_matches_description_and_causer_name_username_or_email(grace_client, trail, q, expected):
    response = grace_client.get(f"{activities_url(trail)}?q={q}")

    assert response.status_code == 200
    assert len(response.json()["data"]["activities"]) == expected
    assert response.json()["meta"]["q"] == q


def test_q_matches_the_numeric_activity_id(api, business):
    contact = make_contact(business)
    log_activity(business=business, subject=contact, causer=None, description="imported", event="created")
    target = Activity.objects.create(
        id=98765,
        business=business,
        description="noted",
        event="updated",
        subject=contact,
        properties={},
    )

    response = api.get(f"{activities_url(contact.pk)}?q=98765")

    assert [row["id"] for row in response.json()["data"]["activities"]] == [target.pk]


def test_q_of_non_decimal_digits_is_a_plain_search(api, trail):
    response = api.get(f"{activities_url(trail)}?q=²³")

    assert response.status_code == 200
    assert response.json()["data"]["activities"] == []


def test_q_of_one_character_is_422(api, trail):
    response = api.get(f"{activities_url(trail)}?q=e")

    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["The q field must be at least 2 characters."]}
    assert_matches_schema(response)


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "format=pdf"])
def test_bad_paging_or_format_is_422(api, trail, query):
    assert api.get(f"{activities_url(trail)}?{query}").status_code == 422


def test_pagination(grace_client, trail):
    response = grace_client.get(f"{activities_url(trail)}?per_page=2&page=2")

    payload = response.json()
    assert payload["meta"] == {"current_page": 2, "last_page": 2, "per_page": 2, "total": 3, "q": None}
    assert [a["description"] for a in payload["data"]["activities"]] == ["added"]


def test_csv_has_every_activity_with_json_encoded_causer_and_properties(grace_client, grace, trail, business):
    response = grace_client.get(f"{activities_url(trail)}?format=csv&per_page=1")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert f'filename="contact-{trail}-activities-{business.pk}-' in response["Content-Disposition"]
    assert csv_text(response)[1:].splitlines()[0] == ",".join(ACTIVITY_FIELDS)
    rows = csv_rows(response)
    assert [r["description"] for r in rows] == ["edited", "edited", "added"]
    assert json.loads(rows[0]["causer"]) == {"id": grace.pk, "name": "Grace Hopper"}
    assert json.loads(rows[0]["properties"]) == {"old": {"city": "Oslo"}, "attributes": {"city": "Bergen"}}


def test_csv_of_a_causer_less_activity_has_an_empty_causer_cell(api, business):
    walk_in = business.contacts.get(is_default=True)

    [row] = csv_rows(api.get(f"{activities_url(walk_in.pk)}?format=csv"))

    assert row["causer"] == ""


def test_view_own_user_gets_403_on_someone_elses_contact(actors, business, trail):
    client = actors.client("customer.view_own")

    response = client.get(activities_url(trail))

    assert_unauthorized(response)
    assert_matches_schema(response)


def test_view_own_user_reads_the_trail_of_an_own_contact(actors):
    client = actors.client("customer.view_own")
    pk = client.post(CONTACTS, {"type": "customer", "name": "Mine"}, format="json").json()["data"]["id"]

    assert client.get(activities_url(pk)).json()["meta"]["total"] == 1


def test_another_business_contact_is_404(api, other_business):
    foreign = make_contact(other_business)

    response = api.get(activities_url(foreign.pk))

    assert response.status_code == 404
    assert_matches_schema(response)


def test_unknown_contact_is_404(api):
    assert_not_found(api, "get", activities_url(987654))
