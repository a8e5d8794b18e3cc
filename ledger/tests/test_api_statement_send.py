"""POST /contacts/{id}/ledger/send (contacts-api "Send contact ledger"): the ledger PDF e-mailed through a real SMTP
server started by the test, the activity that records it, validation, demo mode and mail server failures."""

import hashlib
import io
import smtplib

import pypdf
import pytest

from core.models import Activity
from core.tests.matrix import BASE, assert_not_found
from core.tests.openapi import assert_matches_schema
from ledger.services.statements import StatementNotSent, is_transient
from ledger.tasks import send_statement_task
from ledger.tests.builders import ledger_data
from ledger.tests.statement_books import FIRST_HALF, pdf_text, statement_books


@pytest.fixture
def books(business, admin_user):
    return statement_books(business, admin_user)


def send_url(contact) -> str:
    return f"{BASE}/contacts/{contact.pk}/ledger/send"


def request_body(**changes) -> dict:
    body = {
        "to_email": "carla@example.com, accounts@carla.example",
        "subject": "Statement for {contact_name}",
        "email_body": "Dear {contact_name},\n\nyour balance due is {balance_due} for {start_date} to {end_date}.\n"
        "Kind regards,\n{business_name} <accounts> {not_a_placeholder}",
        "ledger_format": "format_1",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "cc": "manager@carla.example",
        "bcc": "archive@acme.example",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def sent_activities(contact):
    return Activity.objects.filter(subject_id=contact.pk, event="statement_sent")


def test_sends_the_statement_to_every_recipient_with_the_pdf_attached(api, books, smtp):
    response = api.post(send_url(books.customer), request_body(), format="json")

    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"message": "Ledger sent successfully"}
    assert_matches_schema(response)
    [envelope] = smtp.envelopes
    assert envelope.mail_from == "billing@acme.example"
    assert sorted(envelope.rcpt_tos) == sorted(
        ["carla@example.com", "accounts@carla.example", "manager@carla.example", "archive@acme.example"]
    )
    [message] = smtp.messages()
    assert message["To"] == "carla@example.com, accounts@carla.example"
    assert message["Cc"] == "manager@carla.example"
    assert message["Bcc"] is None  # blind copies are in the envelope only
    assert message["Subject"] == "Statement for Carla Customer"
    assert message["From"] == "Acme Trading <billing@acme.example>"


def test_the_body_has_the_balance_due_and_the_other_placeholders_substituted(api, books, smtp):
    api.post(send_url(books.customer), request_body(), format="json")

    [message] = smtp.messages()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.replace("\r\n", "\n") == (
        "Dear Carla Customer,\n\nyour balance due is $ 280.50 for 01/01/2026 to 06/30/2026.\n"
        "Kind regards,\nAcme Trading <accounts> {not_a_placeholder}"
    )
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<p>Dear Carla Customer,</p>" in html
    assert "06/30/2026.<br>Kind regards,<br>Acme Trading &lt;accounts&gt;" in html
    balance = ledger_data(api, books.customer.pk, **FIRST_HALF)["summary"]["balance_due"]
    assert f"$ {balance:,.2f}" in text


def test_the_attachment_is_the_ledger_pdf_of_the_period(api, books, smtp):
    api.post(send_url(books.customer), request_body(ledger_format="format_3"), format="json")

    [message] = smtp.messages()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "ledger-CO0042-2026-01-01-2026-06-30.pdf"
    content = attachment.get_content()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Ledger with products" in text and "Carla Customer" in text and "Balance due $ 280.50" in text
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) >= 1


def test_each_statement_sent_logs_an_activity_with_what_was_sent(api, books, smtp):
    api.post(send_url(books.customer), request_body(ledger_format="format_2"), format="json")

    [activity] = sent_activities(books.customer)
    [attachment] = list(smtp.messages()[0].iter_attachments())
    pdf = attachment.get_content()
    assert activity.causer == api.user
    assert activity.description == "statement sent"
    props = activity.properties
    assert props["recipients"] == {
        "to": ["carla@example.com", "accounts@carla.example"],
        "cc": ["manager@carla.example"],
        "bcc": ["archive@acme.example"],
    }
    assert props["format"] == "format_2"
    assert props["period"] == {"start_date": "2026-01-01", "end_date": "2026-06-30"}
    assert props["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert props["pdf_bytes"] == len(pdf)
    assert props["subject"] == "Statement for Carla Customer"


def test_a_location_filter_reaches_the_pdf(api, books, smtp):
    body = request_body(location_id=books.shop.pk, cc=None, bcc="")
    response = api.post(send_url(books.customer), body, format="json")

    assert response.status_code == 200, response.content[:300]
    [envelope] = smtp.envelopes
    assert sorted(envelope.rcpt_tos) == ["accounts@carla.example", "carla@example.com"]
    [attachment] = list(smtp.messages()[0].iter_attachments())
    assert f"Location: {books.shop.name}" in pdf_text(attachment.get_content())
    assert sent_activities(books.customer).get().properties["location_id"] == books.shop.pk


def test_a_mail_server_that_is_down_is_422_and_nothing_is_logged(api, books, smtp_down):
    response = api.post(send_url(books.customer), request_body(), format="json")

    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert set(body) == {"message"}
    assert body["message"].startswith("The statement could not be sent: the mail server failed")
    assert_matches_schema(response)
    assert not sent_activities(books.customer).exists()


def test_a_mail_server_that_refuses_the_message_is_422(api, books, smtp):
    smtp.reply = "554 5.7.1 Message rejected"
    response = api.post(send_url(books.customer), request_body(), format="json")

    assert response.status_code == 422
    assert "554" in response.json()["message"]
    assert not sent_activities(books.customer).exists()


def test_403_in_demo_mode_and_nothing_is_sent(api, books, smtp, settings):
    settings.ERP_DEMO_MODE = True
    response = api.post(send_url(books.customer), request_body(), format="json")

    assert response.status_code == 403
    assert response.json() == {"message": "This action is disabled in demo mode."}
    assert_matches_schema(response)
    assert smtp.envelopes == [] and not sent_activities(books.customer).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_email": "carla@example.com, not-an-address"}, "to_email"),
        ({"to_email": ""}, "to_email"),
        ({"to_email": " , "}, "to_email"),
        ({"to_email": ...}, "to_email"),
        ({"cc": "manager@carla"}, "cc"),
        ({"bcc": "archive@acme.example, @acme.example"}, "bcc"),
        ({"subject": ...}, "subject"),
        ({"subject": ""}, "subject"),
        ({"email_body": ...}, "email_body"),
        ({"ledger_format": ...}, "ledger_format"),
        ({"ledger_format": "csv"}, "ledger_format"),
        ({"start_date": ...}, "start_date"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"end_date": "30/06/2026"}, "end_date"),
        ({"location_id": 999999}, "location_id"),
        ({"attach": True}, "attach"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_sends_nothing(api, books, smtp, changes, field):
    response = api.post(send_url(books.customer), request_body(**changes), format="json")

    assert response.status_code == 422, response.content[:300]
    assert field in response.json()["errors"], response.json()
    assert_matches_schema(response)
    assert smtp.envelopes == [] and not sent_activities(books.customer).exists()


def test_the_invalid_address_is_named(api, books, smtp):
    response = api.post(send_url(books.customer), request_body(cc="ok@example.com, broken@"), format="json")
    assert response.json()["errors"]["cc"] == ["The cc field holds an invalid e-mail address: 'broken@'."]


def test_view_own_users_get_403_on_a_contact_they_may_not_see(actors, books, smtp):
    response = actors.client("customer.view_own").post(send_url(books.customer), request_body(), format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "Unauthorized"}
    assert smtp.envelopes == []


def test_another_business_contact_is_404(other_actors, books, smtp):
    assert_not_found(other_actors.client(admin=True), "post", send_url(books.customer), request_body())
    assert smtp.envelopes == []


# --- the task: queued with a worker, retried when the failure is transient ------------------------------------


def test_with_a_worker_the_route_answers_once_the_mail_is_queued(api, books, settings, monkeypatch):
    queued = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(send_statement_task, "delay", lambda **kwargs: queued.append(kwargs))

    response = api.post(send_url(books.customer), request_body(), format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Ledger queued to be sent"}
    [kwargs] = queued
    assert kwargs["contact_id"] == books.customer.pk and kwargs["business_id"] == books.business.pk
    assert kwargs["to"] == ["carla@example.com", "accounts@carla.example"]
    assert (kwargs["start_date"], kwargs["end_date"], kwargs["ledger_format"]) == (
        "2026-01-01",
        "2026-06-30",
        "format_1",
    )


def task_kwargs(books, **changes):
    return {
        "business_id": books.business.pk,
        "user_id": books.user.pk,
        "contact_id": books.customer.pk,
        "ledger_format": "format_1",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "to": ["carla@example.com"],
        "subject": "Statement",
        "body": "Due {balance_due}",
        **changes,
    }


def test_the_worker_retries_a_server_that_is_down_with_backoff(books, smtp_down, monkeypatch):
    retries = []

    class Retried(Exception):
        pass

    def retry(**kwargs):
        retries.append(kwargs)
        return Retried()

    monkeypatch.setattr(send_statement_task, "retry", retry)
    with pytest.raises(Retried):
        send_statement_task(**task_kwargs(books))  # called as a worker does: not eager
    [call] = retries
    assert call["countdown"] == 60
    assert isinstance(call["exc"], StatementNotSent) and call["exc"].transient


def test_the_worker_does_not_retry_a_permanent_refusal(books, smtp, monkeypatch):
    smtp.reply = "550 5.1.1 No such user"
    monkeypatch.setattr(send_statement_task, "retry", lambda **kwargs: pytest.fail("retried a permanent failure"))
    with pytest.raises(StatementNotSent) as failure:
        send_statement_task(**task_kwargs(books))
    assert not failure.value.transient


def test_the_task_sends_and_returns_the_activity(books, smtp):
    result = send_statement_task.delay(**task_kwargs(books)).get()
    activity = sent_activities(books.customer).get()
    assert result == {"activity_id": activity.pk, "pdf_sha256": activity.properties["pdf_sha256"]}
    assert activity.causer == books.user
    assert len(smtp.envelopes) == 1


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPSenderRefused(421, b"busy", "a@b.c"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"no such user")}), False),
        (smtplib.SMTPRecipientsRefused({"x@y.z": (450, b"mailbox busy")}), True),
    ],
)
def test_which_failures_are_transient(exc, transient):
    assert is_transient(exc) is transient
