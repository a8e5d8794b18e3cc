"""The back office's "Send statement" action on contacts: a form for the period, then one statement per selected
contact with an e-mail address through the same task as the API (inline here, to a real SMTP server)."""

import pytest
from django.test import Client

from core.models import Activity
from core.tests.factories import make_user
from ledger.tests.builders import make_customer
from ledger.tests.statement_books import pdf_text, statement_books

CHANGELIST = "/admin/contacts/contact/"


@pytest.fixture
def books(business, admin_user):
    return statement_books(business, admin_user)


@pytest.fixture
def boss(business):
    user = make_user(business, admin=True, username="backoffice")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def action(client, contacts, **form):
    data = {"action": "send_statement", "_selected_action": [c.pk for c in contacts], **form}
    return client.post(CHANGELIST, data, follow=bool(form))


FORM = {
    "apply": "1",
    "start_date": "2026-01-01",
    "end_date": "2026-06-30",
    "ledger_format": "format_4",
    "subject": "Statement {start_date} – {end_date}",
    "body": "Dear {contact_name}, you owe {balance_due}.",
}


def test_the_action_asks_for_the_period_and_lists_the_recipients(boss, books, smtp):
    nomail = make_customer(books.business, name="Nomail Ltd", email=None)
    response = action(boss, [books.customer, nomail])

    assert response.status_code == 200
    page = response.content.decode()
    assert "Send statement" in page and 'name="start_date"' in page and 'name="ledger_format"' in page
    assert "carla@example.com" in page and "no e-mail address, skipped" in page
    assert smtp.envelopes == []


def test_sending_mails_each_selected_contact_with_an_address(boss, books, smtp):
    nomail = make_customer(books.business, name="Nomail Ltd", email=None)
    response = action(boss, [books.customer, nomail], **FORM)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Statement sent to 1 contact(s): Carla Customer." in page
    assert "No valid e-mail address, not sent: Nomail Ltd." in page
    [message] = smtp.messages()
    assert message["To"] == "carla@example.com"
    assert message["Subject"] == "Statement 01/01/2026 – 06/30/2026"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == (
        "Dear Carla Customer, you owe $ 280.50."
    )
    [attachment] = list(message.iter_attachments())
    assert "Partner ledger" in pdf_text(attachment.get_content())
    activity = Activity.objects.get(subject_id=books.customer.pk, event="statement_sent")
    assert activity.causer == boss.user and activity.properties["format"] == "format_4"


def test_a_bad_period_shows_the_form_again(boss, books, smtp):
    response = action(boss, [books.customer], **{**FORM, "end_date": "2025-01-01"})

    assert "The end date must be on or after the start date." in response.content.decode()
    assert smtp.envelopes == []


def test_a_mail_server_failure_is_shown(boss, books, smtp_down):
    response = action(boss, [books.customer], **FORM)

    assert "The statement could not be sent" in response.content.decode()
    assert not Activity.objects.filter(event="statement_sent").exists()


def test_refused_in_demo_mode(boss, books, smtp, settings):
    settings.ERP_DEMO_MODE = True
    response = action(boss, [books.customer], **FORM)

    assert "This action is disabled in demo mode." in response.content.decode()
    assert smtp.envelopes == []
