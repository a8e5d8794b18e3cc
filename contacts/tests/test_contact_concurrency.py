"""Concurrent POST /contacts on PostgreSQL (RULES §2 Decision: a contact_id race yields one 201 and 422s,
never a 500; generated codes never repeat)."""

from collections import Counter

import pytest

from contacts.models import Contact
from contacts.tests.helpers import CONTACTS, contact_counter, in_parallel
from core.tests.factories import make_business, make_token, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def race(tokens, payloads) -> list:
    """POST every payload at once, one thread and one client each; returns the responses."""
    return in_parallel(tokens, [lambda client, p=p: client.post(CONTACTS, p, format="json") for p in payloads])


@pytest.fixture
def tokens():
    business = make_business(name="Race Co")
    user = make_user(business, admin=True)
    return business, [make_token(user) for _ in range(THREADS)]


def test_same_contact_id_in_parallel_gives_one_201_and_nine_422(tokens):
    business, keys = tokens

    responses = race(keys, [{"type": "customer", "name": f"Racer {i}", "contact_id": "RACE-1"} for i in range(THREADS)])

    assert Counter(r.status_code for r in responses) == {201: 1, 422: THREADS - 1}
    for response in responses:
        if response.status_code == 422:
            assert response.json()["errors"]["contact_id"] == ["The contact id has already been taken."]
    assert Contact.objects.filter(business=business, contact_id="RACE-1").count() == 1


def test_blank_contact_ids_in_parallel_get_distinct_generated_codes(tokens):
    business, keys = tokens

    responses = race(keys, [{"type": "customer", "name": f"Racer {i}"} for i in range(THREADS)])

    assert [r.status_code for r in responses] == [201] * THREADS
    codes = {r.json()["data"]["contact_id"] for r in responses}
    # The walk-in customer holds CO0001; the ten creates share CO0002..CO0011 between them.
    assert codes == {f"CO{n:04d}" for n in range(2, THREADS + 2)}
    assert contact_counter(business) == THREADS + 1
