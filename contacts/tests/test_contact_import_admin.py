"""The back office's "Import contacts" page: upload, dry-run preview, confirm; the same importer as the API."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts.importing import staging
from contacts.models import Contact
from contacts.tests.helpers import activities_of, footprint
from contacts.tests.import_files import csv_bytes, row, supplier, xlsx_bytes
from core.models import User
from core.tests.factories import make_user
from core.tests.factories import staff_client as staff

PAGE = "/admin/contacts/contact/import/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def boss(business):
    return staff(make_user(business, admin=True))


def preview(client, content, name="contacts.csv", **extra):
    return client.post(PAGE, {"contacts_csv": SimpleUploadedFile(name, content), **extra})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def staged_files(business) -> list[str]:
    try:
        return default_storage.listdir(f"{staging.PREFIX}/{business.pk}")[1]
    except FileNotFoundError:
        return []


def imported(business):
    return list(Contact.objects.for_business(business).filter(is_default=False).order_by("id"))


def test_the_changelist_links_to_the_import_page_and_its_templates(boss):
    page = boss.get("/admin/contacts/contact/").content.decode()
    assert 'href="/admin/contacts/contact/import/"' in page and "Import contacts" in page

    form = boss.get(PAGE)
    assert form.status_code == 200
    assert 'type="file"' in form.content.decode()
    assert boss.get("/admin/contacts/contact/import/template.xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert boss.get("/admin/contacts/contact/import/template.csv").content.startswith(b"\xef\xbb\xbf")


def test_preview_shows_the_counts_and_writes_nothing_then_confirm_imports(boss, business):
    before = footprint(business)
    response = preview(boss, csv_bytes([row(opening_balance="10"), row(), supplier(opening_balance="2.5")]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Import 3 contacts" in page and "$ 12.50 (2 opening-balance documents)" in page
    assert footprint(business) == before
    assert len(staged_files(business)) == 1

    done = boss.post(PAGE, {"token": token_of(response), "business_id": business.pk, "confirm": "1"})

    assert done.status_code == 302 and done["Location"] == "/admin/contacts/contact/"
    contacts = imported(business)
    assert len(contacts) == 3
    assert [a.description for a in activities_of(contacts[0])] == ["imported"]
    assert contacts[0].created_by.username == User.objects.get(pk=contacts[0].created_by_id).username
    assert staged_files(business) == []
    followed = boss.get(done["Location"]).content.decode()
    assert "Imported 3 contacts from contacts.csv" in followed


def test_preview_lists_every_row_error_and_offers_no_confirm(boss, business):
    before = footprint(business)
    response = preview(boss, xlsx_bytes([row(email="bad"), row(type="7", mobile="")]), "c.xlsx")

    page = response.content.decode()
    assert "The file has 3 errors in 2 rows; nothing was imported." in page
    for message in (
        "Invalid email id in row no. 1",
        "Invalid contact type 7 in row no. 2",
        "Mobile number is required in row no. 2",
    ):
        assert message in page
    assert 'name="token"' not in page
    assert staged_files(business) == [] and footprint(business) == before


def test_an_unreadable_file_is_said_on_the_page(boss, business):
    page = preview(boss, b"", "c.csv").content.decode()
    assert "The contacts csv file is empty." in page or "The submitted file is empty." in page
    page = preview(boss, b"x", "c.pdf").content.decode()
    assert "must be a file of type" in page


def test_cancel_discards_the_staged_file(boss, business):
    token = token_of(preview(boss, csv_bytes([row()])))

    response = boss.post(PAGE, {"token": token, "business_id": business.pk, "cancel": "1"})

    assert response.status_code == 302
    assert staged_files(business) == [] and imported(business) == []


def test_a_confirmation_is_redeemed_once_and_only_by_its_user(boss, business):
    token = token_of(preview(boss, csv_bytes([row()])))
    other = staff(make_user(business, admin=True))

    assert other.post(PAGE, {"token": token, "confirm": "1"}).status_code == 302
    assert imported(business) == []
    boss.post(PAGE, {"token": token, "confirm": "1"})
    boss.post(PAGE, {"token": token, "confirm": "1"})
    assert len(imported(business)) == 1


def test_a_code_taken_between_preview_and_confirm_is_reported_then(boss, business):
    token = token_of(preview(boss, csv_bytes([row(contact_id="LATE")])))
    Contact.objects.create(business=business, type="customer", name="First", contact_id="LATE")

    page = boss.post(PAGE, {"token": token, "confirm": "1"}).content.decode()

    assert "Contact ID already exists in row no. 1" in page
    assert Contact.objects.filter(business=business, contact_id="LATE").count() == 1
    assert staged_files(business) == []


def test_staff_without_a_create_right_cannot_import(business):
    viewer = staff(make_user(business, "customer.view"))
    assert viewer.get(PAGE).status_code == 403
    assert "Import contacts" not in viewer.get("/admin/contacts/contact/").content.decode()


def test_rows_of_a_type_the_staff_member_may_not_create_are_refused(business):
    clerk = staff(make_user(business, "customer.create", "customer.view"))
    page = preview(clerk, csv_bytes([row(), supplier()])).content.decode()

    assert "Creating supplier contacts needs supplier.create (row no. 2)" in page
    assert 'name="token"' not in page


def test_demo_mode_and_an_expired_package_are_refused_on_the_page(boss, business, settings):
    settings.ERP_DEMO_MODE = True
    assert "disabled in demo mode" in preview(boss, csv_bytes([row()])).content.decode()
    settings.ERP_DEMO_MODE = False
    settings.ERP_ENFORCE_PACKAGES = True
    business.subscription_status = "expired"
    business.save()
    assert "subscription is not active" in preview(boss, csv_bytes([row()])).content.decode()
    assert imported(business) == [] and staged_files(business) == []


def test_a_superuser_picks_the_business(business, other_business):
    root = User.objects.create_superuser("root", "root@example.com", "pw-root-123")
    client = Client()
    client.force_login(root)

    assert "This field is required" in preview(client, csv_bytes([row()])).content.decode()
    response = preview(client, csv_bytes([row(first_name="Theirs")]), business=other_business.pk)
    client.post(PAGE, {"token": token_of(response), "business_id": other_business.pk, "confirm": "1"})

    assert [c.first_name for c in imported(other_business)] == ["Theirs"]
    assert imported(business) == []


def test_stale_previews_are_purged_by_the_next_one(boss, business, monkeypatch):
    preview(boss, csv_bytes([row()]))
    monkeypatch.setattr(staging, "MAX_AGE", -1)
    preview(boss, csv_bytes([row()]))
    assert len(staged_files(business)) == 1
