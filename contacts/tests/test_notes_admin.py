"""Documents and notes in the back office: the contact's page lists them (private ones to their creator only)
with download links under the same visibility check, and staff add notes with files through the same service."""

import re

import pytest
from django.test import Client

from contacts.models import DocumentNote, NoteMedia
from contacts.services import note_create
from contacts.tests.helpers import activities_of, make_contact
from contacts.tests.notes import HTML, PDF, big, footprint, stored_files, upload
from core.tests.factories import make_user
from core.tests.test_admin import staff_client as staff

pytestmark = pytest.mark.usefixtures("local_media")


@pytest.fixture
def grace(business):
    return make_user(business, admin=True, username="grace")


@pytest.fixture
def alan(business):
    return make_user(business, admin=True, username="alan")


@pytest.fixture
def contact(business):
    return make_contact(business, name="Ada Lovelace")


def change_page(client, contact) -> str:
    response = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def add_url(contact) -> str:
    return f"/admin/contacts/contact/{contact.pk}/notes/add/"


def download_links(page: str) -> dict[str, str]:
    return {
        name: url
        for url, name in re.findall(r'<a href="(/admin/contacts/contact/\d+/notes/\d+/media/[^"]+)">([^<]+)</a>', page)
    }


def test_the_contact_page_lists_visible_notes_with_download_links(business, contact, grace, alan):
    note_create(
        business=business, user=grace, contact=contact, data={"heading": "Public call"}, files=[upload("p.pdf")]
    )
    note_create(
        business=business,
        user=grace,
        contact=contact,
        data={"heading": "Grace only", "is_private": True},
        files=[upload("secret.pdf")],
    )
    note_create(business=business, user=alan, contact=contact, data={"heading": "Alan only", "is_private": True})

    page = change_page(staff(grace), contact)

    assert "Public call" in page and "Grace only" in page and "Alan only" not in page
    assert set(download_links(page)) == {"p.pdf", "secret.pdf"}
    assert f'href="{add_url(contact)}"' in page

    others = change_page(staff(alan), contact)
    assert "Grace only" not in others and "secret.pdf" not in others and "Alan only" in others


def test_admin_downloads_go_through_the_same_visibility_check(business, contact, grace, alan):
    note_create(
        business=business,
        user=grace,
        contact=contact,
        data={"heading": "Mine", "is_private": True},
        files=[upload("page.html", HTML)],
    )
    url = download_links(change_page(staff(grace), contact))["page.html"]

    response = staff(grace).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == HTML

    assert staff(alan).get(url).status_code == 404  # someone else's private note: no such file
    assert Client().get(url).status_code == 302  # to the login page


def test_admin_downloads_need_the_contact_view_permission(business, contact, grace):
    note_create(business=business, user=grace, contact=contact, data={"heading": "Call"}, files=[upload()])
    url = download_links(change_page(staff(grace), contact))["contract.pdf"]

    assert staff(make_user(business)).get(url).status_code == 403
    assert staff(make_user(business, "customer.view")).get(url).status_code == 200


def test_staff_add_a_note_with_files_through_the_service(business, contact, grace, local_media):
    client = staff(grace)
    assert client.get(add_url(contact)).status_code == 200

    response = client.post(
        add_url(contact),
        {
            "heading": "Signed contract",
            "description": "Both copies",
            "is_private": "on",
            "files": [upload("contract.pdf", PDF), upload("../../annex.html", HTML)],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/contacts/contact/{contact.pk}/change/"
    note = DocumentNote.objects.get()
    assert (note.heading, note.description, note.is_private, note.created_by) == (
        "Signed contract",
        "Both copies",
        True,
        grace,
    )
    media = list(note.media.order_by("id"))
    assert [(m.display_name, m.mime_type) for m in media] == [
        ("contract.pdf", "application/pdf"),
        ("annex.html", "text/html"),
    ]
    assert stored_files(local_media) == sorted(m.file.name for m in media)
    assert [a.description for a in activities_of(contact)] == ["document_note_added"]


def test_the_admin_form_keeps_the_limits_and_writes_nothing(business, contact, grace, local_media, settings):
    settings.ERP_NOTE_MAX_FILE_SIZE = 1_000
    client = staff(grace)
    before = footprint(business)

    too_many = client.post(add_url(contact), {"heading": "x", "files": [upload(f"{i}.pdf") for i in range(11)]})
    too_big = client.post(add_url(contact), {"heading": "x", "files": [upload("huge.pdf", big(1_001).getvalue())]})
    no_heading = client.post(add_url(contact), {"heading": "", "files": [upload()]})

    assert too_many.status_code == 200 and "At most 10 files" in too_many.content.decode()
    assert too_big.status_code == 200 and "huge.pdf: The file may not be greater than 1,000 bytes" in (
        too_big.content.decode()
    )
    assert no_heading.status_code == 200 and "This field is required" in no_heading.content.decode()
    assert footprint(business) == before
    assert stored_files(local_media) == [] and not NoteMedia.objects.exists()


def test_adding_needs_the_change_permission(business, contact):
    viewer = staff(make_user(business, "customer.view"))
    assert viewer.get(add_url(contact)).status_code == 403
    assert viewer.post(add_url(contact), {"heading": "x"}).status_code == 403
    assert "notes/add" not in change_page(viewer, contact)
    assert not DocumentNote.objects.exists()


def test_the_add_form_checks_csrf(business, contact, grace):
    client = Client(enforce_csrf_checks=True)
    grace.is_staff = True
    grace.save()
    client.force_login(grace)

    assert client.post(add_url(contact), {"heading": "Forged"}).status_code == 403
    assert not DocumentNote.objects.exists()


def test_another_business_contact_is_not_found(other_business, grace):
    theirs = make_contact(other_business)
    assert staff(grace).get(add_url(theirs)).status_code == 404


def test_the_contact_page_reads_files_in_one_query(business, contact, grace, django_assert_max_num_queries):
    client = staff(grace)
    note_create(business=business, user=grace, contact=contact, data={"heading": "One"}, files=[upload()])
    change_page(client, contact)
    with django_assert_max_num_queries(40) as few:
        change_page(client, contact)
    for i in range(10):
        note_create(
            business=business, user=grace, contact=contact, data={"heading": f"N{i}"}, files=[upload(f"{i}.pdf")]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = change_page(client, contact)
    assert len(download_links(page)) == 11
