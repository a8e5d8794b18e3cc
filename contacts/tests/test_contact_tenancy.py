"""The tenant wall on every contacts and customer-groups route (RULES §1): another business's ids are 404
everywhere and its rows never appear in lists, CSV, XLSX, the map, activity trails or duplicate checks."""

import pytest
from django.contrib.contenttypes.models import ContentType

from contacts.models import Contact
from contacts.tests.helpers import (
    CONTACTS,
    GROUPS,
    MAP,
    VALIDATE_MOBILE,
    activities_url,
    contact_url,
    group_url,
    make_contact,
)
from core.models import Activity
from core.tests.factories import CustomerGroupFactory
from core.tests.matrix import assert_not_found, ids_in

# --- another business ----------------------------------------------------------------------------


@pytest.fixture
def foreign(other_business):
    contact = make_contact(other_business, type="both", name="Zqxwv Foreign", mobile="999123", position="1,1")
    return {"contact": contact, "group": CustomerGroupFactory(business=other_business, name="Zqxwv Group")}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "contact", None),
        ("get", "contact?format=csv", None),
        ("patch", "contact", {"city": "Rome"}),
        ("put", "contact", {"city": "Rome"}),
        ("delete", "contact", None),
        ("get", "activities", None),
        ("get", "activities?format=csv", None),
        ("get", "group", None),
        ("get", "group?format=csv", None),
        ("patch", "group", {"name": "Mine"}),
        ("put", "group", {"name": "Mine"}),
        ("delete", "group", None),
    ],
)
def test_another_business_ids_are_404_on_every_route(api, foreign, method, path, data):
    target, _, query = path.partition("?")
    url = {
        "contact": contact_url(foreign["contact"].pk),
        "activities": activities_url(foreign["contact"].pk),
        "group": group_url(foreign["group"].pk),
    }[target]

    assert_not_found(api, method, f"{url}?{query}" if query else url, data)


def test_another_business_rows_are_untouched_after_the_attempts(api, foreign):
    for method in ("patch", "put", "delete"):
        api.generic(method.upper(), contact_url(foreign["contact"].pk), '{"city": "Rome"}', "application/json")
        api.generic(method.upper(), group_url(foreign["group"].pk), '{"name": "Mine"}', "application/json")

    contact = Contact.objects.get(pk=foreign["contact"].pk)
    assert (contact.city, contact.deleted_at) == (None, None)
    assert type(foreign["group"]).objects.get(pk=foreign["group"].pk).name == "Zqxwv Group"


@pytest.mark.parametrize(
    "url",
    [
        f"{CONTACTS}?kind=customer&contact_status=all",
        f"{CONTACTS}?kind=supplier&contact_status=all&format=csv",
        f"{CONTACTS}?kind=customer&format=xlsx",
        f"{CONTACTS}?kind=customer&q=zqxw",
        f"{MAP}",
        f"{MAP}?format=csv",
        f"{MAP}?format=xlsx",
    ],
)
def test_another_business_contacts_never_appear_in_lists_exports_or_the_map(api, business, foreign, url):
    mine = make_contact(business, type="both", name="Zqxwv Mine", position="1,1")

    response = api.get(url)

    assert response.status_code == 200
    found = ids_in(response)
    assert mine.pk in found
    assert foreign["contact"].pk not in found


@pytest.mark.parametrize("url", [GROUPS, f"{GROUPS}?format=csv", f"{GROUPS}?format=xlsx&q=zqxw"])
def test_another_business_groups_never_appear_in_lists_or_exports(api, business, foreign, url):
    mine = CustomerGroupFactory(business=business, name="Zqxwv Mine")

    response = api.get(url)

    assert response.status_code == 200
    assert ids_in(response) == {mine.pk}


def test_map_contact_ids_of_another_business_are_ignored(api, foreign):
    response = api.get(f"{MAP}?contact_ids[]={foreign['contact'].pk}")

    assert response.json()["data"] == []


def test_another_business_activity_never_appears_in_a_trail(api, business, other_business):
    contact = make_contact(business)
    Activity.objects.create(
        business=other_business,
        description="planted",
        subject_type=ContentType.objects.get_for_model(Contact),
        subject_id=contact.pk,
        properties={},
    )

    response = api.get(activities_url(contact.pk))

    assert response.json()["data"]["activities"] == []


def test_duplicate_checks_never_name_another_business_contacts(api, foreign):
    assert api.get(f"{VALIDATE_MOBILE}?mobile_number=999123").json()["data"]["matching_contact_names"] == []
