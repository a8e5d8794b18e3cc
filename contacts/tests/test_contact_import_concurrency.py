"""Imports racing each other (and POST /contacts) on PostgreSQL: RULES §2 Decision — one wins, the others are 422,
never a 500 or a duplicate code; generated codes never repeat."""

from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from contacts.tests.helpers import CONTACTS, contact_counter, in_parallel
from contacts.tests.import_files import IMPORT, csv_bytes, row
from core.tests.factories import make_business, make_token, make_user
from ledger.models import Transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(token, requests) -> list:
    """Send every (kind, payload) at once: an import of the csv bytes, or a POST /contacts of the body."""

    def send(kind, payload):
        if kind == "import":
            return lambda client: client.post(
                IMPORT, {"contacts_csv": SimpleUploadedFile("contacts.csv", payload)}, format="multipart"
            )
        return lambda client: client.post(CONTACTS, payload, format="json")

    return in_parallel([token] * len(requests), [send(kind, payload) for kind, payload in requests])


@pytest.fixture
def setup():
    business = make_business(name="Race Co")
    return business, make_token(make_user(business, admin=True))


def test_imports_of_the_same_contact_id_one_wins_the_others_are_422(setup):
    business, token = setup
    files = [csv_bytes([row(first_name=f"Racer {i}", opening_balance="5"), row(contact_id="RACE-1")]) for i in range(4)]

    responses = race(token, [("import", f) for f in files])

    assert Counter(r.status_code for r in responses) == {201: 1, 422: 3}
    for response in responses:
        if response.status_code == 422:
            assert response.json()["errors"] == {"rows.2.contact_id": ["Contact ID already exists in row no. 2"]}
    assert Contact.objects.filter(business=business, contact_id="RACE-1").count() == 1
    # The losers wrote nothing: only the winner's two contacts and one opening balance.
    assert Contact.objects.filter(business=business, is_default=False).count() == 2
    assert Transaction.objects.filter(business=business, type="opening_balance").count() == 1


def test_an_import_and_a_post_racing_for_one_code(setup):
    business, token = setup

    responses = race(
        token,
        [
            ("import", csv_bytes([row(contact_id="BOTH-1")])),
            ("post", {"type": "customer", "name": "P", "contact_id": "BOTH-1"}),
        ],
    )

    assert sorted(r.status_code for r in responses) == [201, 422]
    assert Contact.objects.filter(business=business, contact_id="BOTH-1").count() == 1


def test_imports_with_generated_codes_in_parallel_never_share_one(setup):
    business, token = setup

    responses = race(token, [("import", csv_bytes([row(first_name=f"{i}-{n}") for n in range(50)])) for i in range(3)])

    assert [r.status_code for r in responses] == [201] * 3
    codes = list(Contact.objects.filter(business=business).values_list("contact_id", flat=True))
    assert len(codes) == len(set(codes)) == 151
    assert set(codes) == {f"CO{n:04d}" for n in range(1, 152)}
    assert contact_counter(business) == 151
