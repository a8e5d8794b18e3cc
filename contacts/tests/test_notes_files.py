"""Note attachments on the local disk: limits with nothing written, storage names, MIME types, downloads, and
files that follow their transaction (removed on rollback, deleted after the commit of a delete)."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from contacts.api.notes import ContactNoteViewSet
from contacts.models import DocumentNote, NoteMedia
from contacts.tests.helpers import assert_validation_error, make_contact
from contacts.tests.notes import (
    HTML,
    PDF,
    big,
    downloaded,
    footprint,
    make_note,
    media_url,
    note_url,
    notes_url,
    post_note,
    stored_files,
    upload,
)


@pytest.fixture
def contact(business):
    return make_contact(business)


def nothing_written(business, root, before):
    assert footprint(business) == before
    assert stored_files(root) == []


# --- limits: 422 naming the file, nothing written --------------------------------------------------


def test_ten_files_of_five_million_bytes_pass_the_limits(api, contact, local_media):
    files = [upload(f"f{i}.pdf", big(5_000_000 if i == 0 else 100).getvalue()) for i in range(10)]

    response = post_note(api, contact, files)

    assert response.status_code == 201, response.json()
    media = response.json()["data"]["media"]
    assert len(media) == 10 and media[0]["size"] == 5_000_000
    assert (local_media / media[0]["file_name"]).stat().st_size == 5_000_000


def test_eleven_files_are_422_and_nothing_is_written(api, contact, business, local_media):
    before = footprint(business)

    response = post_note(api, contact, [upload(f"f{i}.pdf") for i in range(11)])

    data = assert_validation_error(response, "files")
    assert data["errors"]["files"] == ["At most 10 files may be attached in one request (11 were sent)."]
    nothing_written(business, local_media, before)


def test_a_file_over_five_million_bytes_is_422_and_nothing_is_written(api, contact, business, local_media):
    before = footprint(business)

    response = post_note(api, contact, [upload("ok.pdf"), upload("huge.pdf", big(5_000_001).getvalue())])

    data = assert_validation_error(response, "files.1")
    assert data["errors"]["files.1"] == ["The file may not be greater than 5,000,000 bytes (5,000,001 sent)."]
    assert "files.0" not in data["errors"]
    nothing_written(business, local_media, before)


def test_an_empty_file_is_422(api, contact, business, local_media):
    before = footprint(business)

    response = post_note(api, contact, [upload("empty.pdf", b"")])

    assert assert_validation_error(response, "files.0")["errors"]["files.0"] == ["The file is empty."]
    nothing_written(business, local_media, before)


def test_every_file_problem_is_reported_at_once(api, contact, settings):
    settings.ERP_NOTE_MAX_FILE_SIZE = 100

    response = post_note(api, contact, [upload("a.pdf", b""), upload("b.pdf", b"x" * 101), upload("c.pdf", b"ok")])

    data = assert_validation_error(response, "files.0", "files.1")
    assert "files.2" not in data["errors"]


def test_the_limits_are_settings(api, contact, settings, business, local_media):
    settings.ERP_NOTE_MAX_FILES = 2
    settings.ERP_NOTE_MAX_FILE_SIZE = 1_000
    before = footprint(business)

    assert_validation_error(post_note(api, contact, [upload(), upload(), upload()]), "files")
    assert_validation_error(post_note(api, contact, [upload("big.pdf", big(1_001).getvalue())]), "files.0")
    nothing_written(business, local_media, before)
    assert post_note(api, contact, [upload("ok.pdf", big(1_000).getvalue()), upload()]).status_code == 201


def test_an_update_over_the_limits_writes_nothing(api, contact, business, admin_user, local_media):
    note = make_note(business, contact, admin_user)
    before = footprint(business)

    response = api.patch(
        note_url(contact, note),
        {"heading": "Changed", "files[]": [upload(f"f{i}.pdf") for i in range(11)]},
        format="multipart",
    )

    assert_validation_error(response, "files")
    nothing_written(business, local_media, before)


# --- request bodies too large: 413 in the house envelope ---------------------------------------------


def test_a_body_longer_than_the_files_can_be_is_413(api, contact, settings, business, local_media):
    settings.ERP_NOTE_MAX_FILES = 1
    settings.ERP_NOTE_MAX_FILE_SIZE = 1_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    before = footprint(business)

    response = post_note(api, contact, [upload("big.pdf", big(20_000).getvalue())])

    assert response.status_code == 413
    assert response.json()["message"].startswith("The request body is too large:")
    assert list(response.json()) == ["message"]
    nothing_written(business, local_media, before)


def test_a_json_body_over_the_memory_limit_is_413(api, contact, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = api.post(notes_url(contact), {"heading": "Long", "description": "x" * 2_000}, format="json")

    assert response.status_code == 413
    assert "at most 1,000 bytes of JSON" in response.json()["message"]
    assert not DocumentNote.objects.exists()


def test_multipart_fields_over_the_memory_limit_are_413(api, contact, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = post_note(api, contact, [upload()], description="x" * 2_000)

    assert response.status_code == 413
    assert response.json()["message"].startswith("The form fields are too large")
    assert not DocumentNote.objects.exists()


def test_more_files_than_django_parses_is_422(api, contact, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3

    response = post_note(api, contact, [upload() for _ in range(4)])

    assert_validation_error(response, "files")
    assert not DocumentNote.objects.exists()


# --- names and types ---------------------------------------------------------------------------------


def test_storage_names_are_generated(api, contact, business, local_media):
    first = post_note(api, contact, [upload("same.pdf"), upload("same.pdf")]).json()["data"]
    names = [m["file_name"] for m in first["media"]]

    assert len(set(names)) == 2
    assert all(n.startswith(f"contact-notes/{business.pk}/{first['id']}/") for n in names)
    assert stored_files(local_media) == sorted(names)


def test_no_extension_is_taken_from_an_odd_name(api, contact):
    media = post_note(api, contact, [upload("archive.tar.<script>", PDF)]).json()["data"]["media"][0]

    assert media["display_name"] == "archive.tar.<script>"
    assert "." not in media["file_name"].rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("content", "declared", "sniffed"),
    [
        (PDF, "image/png", "application/pdf"),
        (HTML, "application/pdf", "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/png", "image/svg+xml"),
        (b"plain words\n", "application/x-msdownload", "text/plain"),
    ],
)
def test_mime_types_are_sniffed_from_the_content(api, contact, content, declared, sniffed):
    media = post_note(api, contact, [upload("file.bin", content, declared)]).json()["data"]["media"][0]

    assert media["mime_type"] == sniffed
    assert NoteMedia.objects.get(pk=media["id"]).mime_type == sniffed


# --- downloads ---------------------------------------------------------------------------------------


def test_download_streams_the_file_as_an_attachment(api, contact, local_media):
    media = post_note(api, contact, [upload("page.html", HTML)]).json()["data"]["media"][0]

    response = api.get(media["url"])

    assert response.status_code == 200
    assert response.streaming  # FileResponse: read in blocks, never whole
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/html"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Length"] == str(len(HTML))
    assert downloaded(response) == HTML


def test_download_names_keep_non_ascii_characters(api, contact):
    media = post_note(api, contact, [upload("Überweisung März.pdf")]).json()["data"]["media"][0]

    response = api.get(media["url"])

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%C3%9Cberweisung%20M%C3%A4rz.pdf"
    downloaded(response)


def test_a_file_missing_from_storage_is_404(api, contact, local_media):
    media = post_note(api, contact, [upload()]).json()["data"]["media"][0]
    (local_media / media["file_name"]).unlink()

    response = api.get(media["url"])

    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}


def test_download_needs_credentials(contact, api):
    from rest_framework.test import APIClient

    media = post_note(api, contact, [upload()]).json()["data"]["media"][0]

    response = APIClient().get(media["url"])

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


# --- files follow their transaction ----------------------------------------------------------------


class FailingStorage:
    """Local storage whose n-th save fails, as a full disk or an unreachable bucket would."""

    def __init__(self, monkeypatch, fail_on: int):
        self.calls = 0
        original = FileSystemStorage._save

        def save(storage, name, content):
            self.calls += 1
            if self.calls == fail_on:
                raise OSError("No space left on device")
            return original(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", save)


def test_a_storage_failure_removes_the_files_already_stored(api, contact, business, local_media, monkeypatch):
    before = footprint(business)
    storage = FailingStorage(monkeypatch, fail_on=3)

    response = post_note(api, contact, [upload("a.pdf"), upload("b.pdf"), upload("c.pdf")])

    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert storage.calls == 3
    nothing_written(business, local_media, before)


@pytest.mark.django_db(transaction=True)
def test_a_rollback_after_the_files_were_stored_removes_them(api, contact, business, local_media, monkeypatch):
    """The note service succeeded, then the request failed: its transaction rolls back and the middleware deletes
    the files stored for it."""
    assert not connection.in_atomic_block
    before = footprint(business)

    def broken_row(self, note):
        raise RuntimeError("the response could not be built")

    monkeypatch.setattr(ContactNoteViewSet, "row", broken_row)

    response = post_note(api, contact, [upload("a.pdf"), upload("b.pdf")])

    assert response.status_code == 500
    nothing_written(business, local_media, before)


@pytest.mark.django_db(transaction=True)
def test_committed_files_stay(api, contact, local_media):
    response = post_note(api, contact, [upload("a.pdf")])

    assert response.status_code == 201
    assert stored_files(local_media) == [response.json()["data"]["media"][0]["file_name"]]


def test_deleting_a_note_deletes_its_files_after_the_commit(
    api, contact, local_media, django_capture_on_commit_callbacks
):
    note = post_note(api, contact, [upload("a.pdf"), upload("b.pdf")]).json()["data"]
    other = post_note(api, contact, [upload("c.pdf")]).json()["data"]

    with django_capture_on_commit_callbacks() as callbacks:
        assert api.delete(note_url(contact, note["id"])).status_code == 200
        # the rows are gone, the files wait for the commit
        assert len(stored_files(local_media)) == 3
    for callback in callbacks:
        callback()

    assert stored_files(local_media) == [other["media"][0]["file_name"]]


def test_deleting_a_file_deletes_it_after_the_commit(api, contact, local_media, django_capture_on_commit_callbacks):
    note = post_note(api, contact, [upload("keep.pdf"), upload("drop.pdf")]).json()["data"]
    keep, drop = note["media"]

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(media_url(contact, note["id"], drop["id"])).status_code == 200

    assert stored_files(local_media) == [keep["file_name"]]


def test_a_failed_delete_keeps_rows_and_files(
    api, contact, local_media, monkeypatch, django_capture_on_commit_callbacks
):
    note = post_note(api, contact, [upload()]).json()["data"]
    monkeypatch.setattr(
        "contacts.services.log_activity", lambda **kw: (_ for _ in ()).throw(RuntimeError("log unavailable"))
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.delete(note_url(contact, note["id"]))

    assert response.status_code == 500
    assert callbacks == []
    assert DocumentNote.objects.filter(pk=note["id"]).exists()
    assert stored_files(local_media) == [note["media"][0]["file_name"]]


def test_a_storage_failure_on_update_keeps_the_note_as_it_was(api, contact, local_media, monkeypatch):
    created = post_note(api, contact, [upload("first.pdf")]).json()["data"]
    before = (DocumentNote.objects.filter(pk=created["id"]).values().get(), stored_files(local_media))
    FailingStorage(monkeypatch, fail_on=2)

    response = api.patch(
        note_url(contact, created["id"]),
        {"heading": "Changed", "files[]": [upload("second.pdf"), upload("third.pdf")]},
        format="multipart",
    )

    assert response.status_code == 500
    assert (DocumentNote.objects.filter(pk=created["id"]).values().get(), stored_files(local_media)) == before
    assert NoteMedia.objects.filter(note_id=created["id"]).count() == 1
