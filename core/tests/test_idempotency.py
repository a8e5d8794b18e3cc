"""Idempotency-Key on every write of the Integration API: the first request runs, a repeat replays its stored
answer (`Idempotent-Replayed: true`), a different request with the same key is 422, a key still running is 409,
5xx answers are not kept, 4xx answers are; keys are per user and expire (purged by a command and a task)."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test.client import encode_multipart
from django.utils import timezone

from contacts.models import Contact, DocumentNote
from contacts.tests.helpers import make_contact
from contacts.tests.notes import PDF, notes_url, upload
from core.models import IdempotencyKey
from core.tasks import purge_idempotency_keys
from core.tests.matrix import BASE
from ledger.models import TransactionPayment
from ledger.tests.builders import make_customer

INVALID = "The Idempotency-Key header must be 1 to 255 printable ASCII characters."
REUSED = "This Idempotency-Key was used with a different request."
IN_PROGRESS = "A request with this Idempotency-Key is in progress."


@pytest.fixture
def customer(business):
    return make_customer(business, name="Carla Customer")


def pay(client, customer, key=None, amount="10.00", **extra):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"{BASE}/contacts/{customer.pk}/payments",
        {"amount": amount, "method": "cash", **extra},
        format="json",
        headers=headers,
    )


def payments_of(customer) -> int:
    return TransactionPayment.objects.filter(payment_for=customer, parent_id__isnull=True).count()


# --- the first request runs; a repeat replays ---------------------------------------------------------------


def test_a_repeated_pay_due_replays_the_first_answer_and_pays_once(api, customer):
    first = pay(api, customer, key="pay-2026-0001")
    again = pay(api, customer, key="pay-2026-0001")

    assert first.status_code == 201, first.json()
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert payments_of(customer) == 1
    assert Contact.objects.get(pk=customer.pk).balance == Decimal("10.0000")


def test_without_a_key_every_request_runs(api, customer):
    assert pay(api, customer).status_code == 201
    assert pay(api, customer).status_code == 201
    assert payments_of(customer) == 2


def test_the_stored_answer_records_the_request(api, customer):
    pay(api, customer, key="k-1")

    record = IdempotencyKey.objects.get(key="k-1")
    assert (record.user, record.business_id, record.method) == (api.user, api.user.business_id, "POST")
    assert record.path == f"{BASE}/contacts/{customer.pk}/payments"
    assert record.state == "completed" and record.status_code == 201
    assert len(record.fingerprint) == 64
    assert record.expires_at - record.created_at == datetime.timedelta(hours=24)


def test_the_lifetime_is_a_setting(api, customer, settings):
    settings.ERP_IDEMPOTENCY_TTL_HOURS = 2
    pay(api, customer, key="k-1")
    record = IdempotencyKey.objects.get(key="k-1")
    assert record.expires_at - record.created_at == datetime.timedelta(hours=2)


def test_the_same_json_in_another_key_order_and_spacing_is_the_same_request(api, customer):
    url = f"{BASE}/contacts/{customer.pk}/payments"
    first = api.generic(
        "POST", url, '{"amount": 10.50, "method": "cash"}', "application/json", headers={"Idempotency-Key": "k"}
    )
    again = api.generic(
        "POST", url, '{"method":"cash","amount":10.50}', "application/json", headers={"Idempotency-Key": "k"}
    )
    assert first.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert payments_of(customer) == 1


def test_a_number_and_a_string_of_the_same_digits_are_different_requests(api, customer):
    url = f"{BASE}/contacts/{customer.pk}/payments"
    api.generic(
        "POST", url, '{"amount": 10.50, "method": "cash"}', "application/json", headers={"Idempotency-Key": "k"}
    )
    other = api.generic(
        "POST", url, '{"amount": "10.50", "method": "cash"}', "application/json", headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 422 and other.json()["message"] == REUSED


def test_a_delete_replays_instead_of_answering_404(api, business):
    contact = make_contact(business)
    url = f"{BASE}/contacts/{contact.pk}"
    first = api.delete(url, headers={"Idempotency-Key": "delete-it"})
    again = api.delete(url, headers={"Idempotency-Key": "delete-it"})
    assert first.status_code == 200, first.content
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert api.delete(url).status_code == 404


def test_a_patch_takes_a_key_too(api, business):
    contact = make_contact(business)
    url = f"{BASE}/contacts/{contact.pk}"
    first = api.patch(url, {"city": "Leeds"}, format="json", headers={"Idempotency-Key": "patch"})
    again = api.patch(url, {"city": "Leeds"}, format="json", headers={"Idempotency-Key": "patch"})
    assert first.status_code == 200, first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_reads_ignore_the_header(api, customer):
    response = api.get(f"{BASE}/contacts/{customer.pk}", headers={"Idempotency-Key": "\x07"})
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


# --- the header -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "caf\u00e9", "bell\x07"])
def test_a_malformed_key_is_422_naming_the_header_and_nothing_is_written(api, customer, key):
    response = pay(api, customer, key=key)

    assert response.status_code == 422
    assert response.json() == {"message": INVALID, "errors": {"Idempotency-Key": [INVALID]}}
    assert payments_of(customer) == 0
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["a", "x" * 255, "order 42/retry #1 ~!@$%^&*()"])
def test_keys_of_1_to_255_printable_characters_are_taken(api, customer, key):
    assert pay(api, customer, key=key).status_code == 201
    assert IdempotencyKey.objects.filter(key=key).exists()


def test_without_credentials_the_key_is_not_looked_at(client, customer):
    response = client.post(
        f"{BASE}/contacts/{customer.pk}/payments",
        {"amount": "1"},
        content_type="application/json",
        headers={"Idempotency-Key": ""},
    )
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


# --- the same key for another request -------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_422(api, customer):
    pay(api, customer, key="k", amount="10.00")
    response = pay(api, customer, key="k", amount="11.00")

    assert response.status_code == 422
    assert response.json() == {"message": REUSED, "errors": {"Idempotency-Key": [REUSED]}}
    assert payments_of(customer) == 1


def test_the_same_key_on_another_path_or_method_is_422(api, business, customer):
    other = make_customer(business, name="Other")
    pay(api, customer, key="k")

    assert pay(api, other, key="k").json()["message"] == REUSED
    deleted = api.delete(f"{BASE}/contacts/{customer.pk}/payments", headers={"Idempotency-Key": "k"})
    assert deleted.status_code == 422 and deleted.json()["message"] == REUSED
    query = api.post(
        f"{BASE}/contacts/{customer.pk}/payments?x=1",
        {"amount": "10.00", "method": "cash"},
        format="json",
        headers={"Idempotency-Key": "k"},
    )
    assert query.json()["message"] == REUSED
    assert payments_of(customer) + payments_of(other) == 1


def test_keys_belong_to_their_user(actors, customer):
    boss, clerk = actors.client(admin=True), actors.client("sell.payments", "customer.view")

    assert pay(boss, customer, key="shared-key").status_code == 201
    second = pay(clerk, customer, key="shared-key", amount="5.00")

    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert payments_of(customer) == 2


def test_every_credential_of_a_user_shares_its_keys(actors, customer):
    from core.tests.factories import make_token

    boss = actors.client(admin=True)
    pay(boss, customer, key="k")
    boss.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(boss.user)}")
    assert pay(boss, customer, key="k")["Idempotent-Replayed"] == "true"


# --- which answers are kept -----------------------------------------------------------------------------------


def test_a_4xx_is_stored_and_replayed(api, customer):
    first = pay(api, customer, key="bad", amount="-1")
    again = pay(api, customer, key="bad", amount="-1")

    assert first.status_code == 422
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert IdempotencyKey.objects.get(key="bad").status_code == 422
    assert payments_of(customer) == 0


def test_a_5xx_is_not_stored_so_the_retry_runs(api, customer, monkeypatch):
    from ledger.api.views import money

    real = money.pay_contact_due

    def broken(**kwargs):
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(money, "pay_contact_due", broken)
    failed = pay(api, customer, key="retry-me")
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert payments_of(customer) == 0  # the request's transaction rolled back

    monkeypatch.setattr(money, "pay_contact_due", real)
    retried = pay(api, customer, key="retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert payments_of(customer) == 1


def test_a_key_still_running_is_409(api, customer, settings):
    settings.ERP_IDEMPOTENCY_WAIT_SECONDS = 0.1
    pay(api, customer, key="running")
    IdempotencyKey.objects.filter(key="running").update(state="in_progress", status_code=None, body=None)

    response = pay(api, customer, key="running")

    assert response.status_code == 409
    assert response.json() == {"message": IN_PROGRESS}
    assert payments_of(customer) == 1


def test_a_claim_abandoned_past_the_lock_timeout_is_taken_over(api, customer, settings):
    pay(api, customer, key="crashed")
    TransactionPayment.objects.all().delete()  # the crashed request's transaction never committed
    Contact.objects.filter(pk=customer.pk).update(balance=0)
    IdempotencyKey.objects.filter(key="crashed").update(
        state="in_progress", status_code=None, body=None, locked_at=timezone.now() - datetime.timedelta(minutes=3)
    )

    response = pay(api, customer, key="crashed")

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert payments_of(customer) == 1
    assert IdempotencyKey.objects.get(key="crashed").state == "completed"


# --- expiry and the purge -------------------------------------------------------------------------------------


def test_an_expired_key_runs_again(api, customer):
    pay(api, customer, key="old")
    IdempotencyKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = pay(api, customer, key="old", amount="12.00")

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert payments_of(customer) == 2


def test_the_command_and_the_task_purge_expired_keys(api, customer, capsys):
    for key in ("a", "b", "c"):
        pay(api, customer, key=key, amount="1")
    IdempotencyKey.objects.filter(key__in=["a", "b"]).update(expires_at=timezone.now() - datetime.timedelta(hours=1))

    call_command("purge_idempotency_keys", "--json")
    assert capsys.readouterr().out.strip() == '{"deleted": 2}'
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["c"]

    IdempotencyKey.objects.update(expires_at=timezone.now())
    assert purge_idempotency_keys.delay().get() == {"deleted": 1}
    assert not IdempotencyKey.objects.exists()


def test_beat_queues_the_purge_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry["task"] == "core.purge_idempotency_keys"
    assert entry["schedule"].minute == {17}


# --- multipart: the fields and the files' bytes ---------------------------------------------------------------


def post_multipart(client, url, data, key, boundary):
    return client.generic(
        "POST",
        url,
        encode_multipart(boundary, data),
        f"multipart/form-data; boundary={boundary}",
        headers={"Idempotency-Key": key},
    )


def test_a_multipart_retry_with_another_boundary_replays(api, business):
    contact = make_contact(business)
    data = {"heading": "Contract", "files[]": [upload("a.pdf", PDF + b"1")]}
    first = post_multipart(api, notes_url(contact), data, "note-1", "first-boundary")
    data = {"heading": "Contract", "files[]": [upload("a.pdf", PDF + b"1")]}
    again = post_multipart(api, notes_url(contact), data, "note-1", "another-boundary-xyz")

    assert first.status_code == 201, first.json()
    assert first.json()["data"]["media"][0]["size"] == len(PDF) + 1  # the view read the whole file
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert DocumentNote.objects.filter(contact=contact).count() == 1


def test_a_multipart_request_with_other_file_bytes_is_422(api, business):
    contact = make_contact(business)
    post_multipart(api, notes_url(contact), {"heading": "C", "files[]": [upload("a.pdf", PDF + b"1")]}, "n", "b1")
    response = post_multipart(
        api, notes_url(contact), {"heading": "C", "files[]": [upload("a.pdf", PDF + b"2")]}, "n", "b1"
    )
    assert response.status_code == 422 and response.json()["message"] == REUSED


def test_a_multipart_request_with_other_fields_is_422(api, business):
    contact = make_contact(business)
    post_multipart(api, notes_url(contact), {"heading": "C", "files[]": [upload()]}, "n", "b1")
    response = post_multipart(api, notes_url(contact), {"heading": "D", "files[]": [upload()]}, "n", "b1")
    assert response.status_code == 422 and response.json()["message"] == REUSED


def test_a_keyed_multipart_body_over_the_limit_is_413(api, business, settings):
    settings.ERP_IDEMPOTENCY_MAX_BODY = 1000
    contact = make_contact(business)
    response = post_multipart(
        api, notes_url(contact), {"heading": "C", "files[]": [upload("a.pdf", PDF + b"\0" * 2000)]}, "n", "b1"
    )
    assert response.status_code == 413
    assert response.json() == {"message": "A request with an Idempotency-Key may carry at most 1,000 bytes."}
    assert not IdempotencyKey.objects.exists()


def test_a_keyed_json_body_over_the_memory_limit_is_413(api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = pay(api, customer, key="k", note="x" * 200)
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is larger than the 100 bytes this API accepts."}


def test_a_keyed_multipart_patch_runs_once_with_its_files(api, business):
    from contacts.models import NoteMedia
    from contacts.tests.notes import make_note, note_url

    contact = make_contact(business)
    note = make_note(business, contact, api.user)
    data = {"heading": "Changed", "files[]": [upload("b.pdf", PDF + b"22")]}
    url = note_url(contact, note)
    first = api.generic(
        "PATCH", url, encode_multipart("p1", data), "multipart/form-data; boundary=p1", headers={"Idempotency-Key": "p"}
    )
    data = {"heading": "Changed", "files[]": [upload("b.pdf", PDF + b"22")]}
    again = api.generic(
        "PATCH", url, encode_multipart("p2", data), "multipart/form-data; boundary=p2", headers={"Idempotency-Key": "p"}
    )

    assert first.status_code == 200, first.json()
    assert DocumentNote.objects.get(pk=note.pk).heading == "Changed"
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert NoteMedia.objects.filter(note=note).count() == 1
    assert NoteMedia.objects.get(note=note).size == len(PDF) + 2


def test_a_failure_before_the_view_is_the_house_500(api, customer, monkeypatch):
    from core.api import idempotency

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(idempotency, "_insert", broken)
    response = pay(api, customer, key="k")
    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert payments_of(customer) == 0
