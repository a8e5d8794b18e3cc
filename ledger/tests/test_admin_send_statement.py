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


# --- the contact's page: the statement panel, its PDF download and Send statement for that contact ---------------


def test_the_contact_page_offers_the_statement_in_each_layout_and_sending_it(boss, books):
    page = boss.get(f"/admin/contacts/contact/{books.customer.pk}/change/").content.decode()

    assert "Statement" in page and "Send statement…" in page
    pdf = f"/admin/contacts/contact/{books.customer.pk}/statement.pdf"
    assert all(f"{pdf}?start_date=" in page and f"ledger_format={f}" in page for f in ("format_1", "format_4"))


def test_the_pdf_download_is_the_statement_the_api_makes(boss, books, api):
    query = {"start_date": "2026-01-01", "end_date": "2026-06-30", "ledger_format": "format_3"}
    response = boss.get(f"/admin/contacts/contact/{books.customer.pk}/statement.pdf", query)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename=ledger-CO0042-2026-01-01-2026-06-30.pdf"
    text = pdf_text(response.content)
    closing = api.get(f"/api/v1/integration/contacts/{books.customer.pk}/ledger", query).json()["data"]
    assert "Carla Customer" in text and all(line["ref_no"] in text for line in closing["lines"] if line["ref_no"])


def test_a_bad_period_for_the_pdf_goes_back_to_the_contact_with_the_reason(boss, books):
    url = f"/admin/contacts/contact/{books.customer.pk}/statement.pdf"
    response = boss.get(url, {"start_date": "2026-06-30", "end_date": "2026-01-01", "ledger_format": "format_1"})

    assert response.status_code == 302 and response["Location"].endswith(f"/{books.customer.pk}/change/")
    assert "must be on or after" in boss.get(response["Location"]).content.decode()


def test_the_pdf_of_a_contact_outside_the_staff_members_scope_is_not_found(books, other_business):
    stranger = make_user(other_business, admin=True, username="elsewhere")
    stranger.is_staff = True
    stranger.save()
    client = Client()
    client.force_login(stranger)
    query = {"start_date": "2026-01-01", "end_date": "2026-06-30", "ledger_format": "format_1"}

    assert client.get(f"/admin/contacts/contact/{books.customer.pk}/statement.pdf", query).status_code == 404
    assert client.get(f"/admin/contacts/contact/{books.customer.pk}/send-statement/").status_code == 404


def test_send_statement_from_the_contact_page_mails_that_contact(boss, books, smtp):
    url = f"/admin/contacts/contact/{books.customer.pk}/send-statement/"
    form = boss.get(url)
    assert form.status_code == 200 and "carla@example.com" in form.content.decode()

    response = boss.post(url, FORM, follow=True)

    assert "Statement sent to 1 contact(s): Carla Customer." in response.content.decode()
    [message] = smtp.messages()
    assert message["To"] == "carla@example.com"
