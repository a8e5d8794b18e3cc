"""The five documents-and-notes operations of the contacts reference, plus the media delete (RULES §11)."""

import json
import re

import pytest

from contacts.models import DocumentNote, NoteMedia
from contacts.tests.helpers import activities_of, assert_validation_error, make_contact
from contacts.tests.notes import (
    HTML,
    MEDIA_FIELDS,
    NOTE_FIELDS,
    PDF,
    PNG,
    make_note,
    media_url,
    note_url,
    notes_url,
    post_note,
    upload,
)
from core.tests.factories import make_user
from core.tests.matrix import csv_rows, xlsx_rows
from core.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.usefixtures("local_media")


@pytest.fixture
def grace(business):
    return make_user(business, admin=True, username="ghopper", first_name="Grace", last_name="Hopper")


@pytest.fixture
def client(actors, grace):
    return actors.client(user=grace)


@pytest.fixture
def contact(business):
    return make_contact(business, name="Ada Lovelace")


# --- create ------------------------------------------------------------------------------------


def test_create_from_json(client, contact, grace):
    response = client.post(
        notes_url(contact), {"heading": "Call", "description": "Wants a quote", "is_private": True}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert_matches_schema(response)
    body = response.json()
    assert body["message"] == "Document/note added successfully"
    data = body["data"]
    assert list(data) == NOTE_FIELDS
    assert data["heading"] == "Call"
    assert data["description"] == "Wants a quote"
    assert data["is_private"] is True
    assert data["created_by"] == grace.pk
    assert data["created_by_name"] == "Grace Hopper"
    assert data["media"] == [] and data["media_count"] == 0
    assert data["created_at"].endswith("+00:00")
    note = DocumentNote.objects.get(pk=data["id"])
    assert (note.contact_id, note.business_id, note.created_by_id) == (contact.pk, contact.business_id, grace.pk)


def test_create_multipart_with_files(client, contact, business):
    response = post_note(
        client,
        contact,
        [upload("contract.pdf", PDF), upload("scan.png", PNG, "application/pdf")],
        description="Signed copy",
        is_private="1",
    )

    assert response.status_code == 201, response.json()
    assert_matches_schema(response)
    data = response.json()["data"]
    assert data["is_private"] is True and data["description"] == "Signed copy"
    assert data["media_count"] == 2
    first, second = data["media"]
    assert list(first) == MEDIA_FIELDS
    assert (first["display_name"], first["size"], first["mime_type"]) == ("contract.pdf", len(PDF), "application/pdf")
    # the MIME type comes from the bytes, not from what the client declared
    assert (second["display_name"], second["mime_type"]) == ("scan.png", "image/png")
    assert re.fullmatch(rf"contact-notes/{business.pk}/{data['id']}/[0-9a-f]{{32}}\.pdf", first["file_name"])
    assert first["url"] == f"http://testserver{media_url(contact, data['id'], first['id'])}"


@pytest.mark.parametrize("key", ["files[]", "files"])
def test_files_under_either_key(client, contact, key):
    response = post_note(client, contact, [upload("a.pdf"), upload("b.pdf")], key=key)

    assert response.status_code == 201, response.json()
    assert [m["display_name"] for m in response.json()["data"]["media"]] == ["a.pdf", "b.pdf"]


def test_files_with_indexed_keys(client, contact):
    data = {"heading": "Indexed", "files[0]": upload("a.pdf"), "files[1]": upload("b.pdf")}
    response = client.post(notes_url(contact), data, format="multipart")

    assert response.status_code == 201, response.json()
    assert [m["display_name"] for m in response.json()["data"]["media"]] == ["a.pdf", "b.pdf"]


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../x.html", "x.html"),
        ("..\\..\\windows\\evil.svg", "evil.svg"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("/etc/passwd", "passwd"),
        ("Überweisung März.pdf", "Überweisung März.pdf"),
    ],
)
def test_display_names_are_stripped_of_paths(client, contact, local_media, sent, shown):
    response = post_note(client, contact, [upload(sent, HTML)])

    assert response.status_code == 201, response.json()
    media = response.json()["data"]["media"][0]
    assert media["display_name"] == shown
    # wherever the name pointed, the file is where the generated name says, under the media root
    assert (local_media / media["file_name"]).read_bytes() == HTML
    assert ".." not in media["file_name"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"heading": ""}, {"heading": None}, {"description": "no heading"}],
)
def test_heading_is_required(client, contact, payload):
    assert_validation_error(client.post(notes_url(contact), payload, format="json"), "heading")
    assert not DocumentNote.objects.exists()


def test_bad_fields_are_422(client, contact):
    response = client.post(
        notes_url(contact),
        {"heading": "x" * 192, "is_private": "maybe", "colour": "red", "files": ["not a file"]},
        format="json",
    )

    data = assert_validation_error(response, "heading", "is_private", "colour", "files.0")
    assert data["errors"]["heading"] == ["The heading may not be greater than 191 characters."]
    assert not DocumentNote.objects.exists()


def test_multipart_without_heading_is_422(client, contact):
    response = client.post(notes_url(contact), {"files[]": [upload()]}, format="multipart")

    assert_validation_error(response, "heading")
    assert not NoteMedia.objects.exists()


def test_malformed_json_is_400(client, contact):
    response = client.post(notes_url(contact), data="{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed request body")


# --- list and show -----------------------------------------------------------------------------


def test_list_newest_first_with_pagination(client, contact, grace, business):
    notes = [make_note(business, contact, grace, heading=f"Note {i}") for i in range(3)]

    response = client.get(notes_url(contact), {"per_page": 2})

    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [n["id"] for n in body["data"]] == [notes[2].pk, notes[1].pk]
    assert body["meta"] == {"current_page": 1, "last_page": 2, "per_page": 2, "total": 3, "q": None}
    assert all(list(n) == NOTE_FIELDS for n in body["data"])
    assert client.get(notes_url(contact), {"per_page": 2, "page": 2}).json()["data"][0]["id"] == notes[0].pk


def test_list_search(client, contact, grace, business):
    for _ in range(10):  # note ids of two digits at least: q is 2 characters or more
        make_note(business, make_contact(business), grace)
    quote = make_note(business, contact, grace, heading="Quote request")
    text = make_note(business, contact, grace, heading="Visit", description="Asked for a QUOTE again")
    other = make_note(business, contact, grace, heading="Birthday")

    def found(q):
        response = client.get(notes_url(contact), {"q": q})
        assert response.status_code == 200
        assert response.json()["meta"]["q"] == q
        return {n["id"] for n in response.json()["data"]}

    assert found("quote") == {quote.pk, text.pk}
    assert found(str(other.pk)) == {other.pk}
    assert found("nothing here") == set()


@pytest.mark.parametrize("query", [{"q": "a"}, {"per_page": 101}, {"page": 0}, {"format": "pdf"}])
def test_list_query_validation(client, contact, query):
    assert_validation_error(client.get(notes_url(contact), query), *query)


def test_list_is_only_this_contacts_notes(client, contact, grace, business):
    mine = make_note(business, contact, grace)
    make_note(business, make_contact(business), grace)

    assert [n["id"] for n in client.get(notes_url(contact)).json()["data"]] == [mine.pk]


def test_show_matches_the_list_row(client, contact):
    created = post_note(client, contact, [upload()]).json()["data"]

    response = client.get(note_url(contact, created["id"]))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"data": created}
    assert client.get(notes_url(contact)).json()["data"] == [created]


def test_show_csv_is_one_data_json_row(client, contact):
    created = post_note(client, contact, [upload()]).json()["data"]

    response = client.get(note_url(contact, created["id"]), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    (row,) = csv_rows(response)
    assert json.loads(row["data_json"]) == created


def test_list_csv_and_xlsx(client, contact, grace, business):
    post_note(client, contact, [upload("a.pdf"), upload("b.pdf")], heading="=HYPERLINK()")
    make_note(business, contact, grace, heading="Plain")

    csv_response = client.get(notes_url(contact), {"format": "csv", "per_page": 1})
    rows = csv_rows(csv_response)
    assert re.match(
        rf'attachment; filename="contact-{contact.pk}-documents-and-notes-{business.pk}-\d{{14}}\.csv"',
        csv_response["Content-Disposition"],
    )
    assert list(rows[0]) == NOTE_FIELDS
    assert [r["heading"] for r in rows] == ["Plain", "'=HYPERLINK()"]  # every row, formula neutralised
    media = json.loads(rows[1]["media"])
    assert [m["display_name"] for m in media] == ["a.pdf", "b.pdf"] and rows[1]["media_count"] == "2"
    assert rows[0]["media"] == "[]"

    sheet = xlsx_rows(client.get(notes_url(contact), {"format": "xlsx"}))
    assert [r["heading"] for r in sheet] == ["Plain", "=HYPERLINK()"]
    assert [m["display_name"] for m in json.loads(sheet[1]["media"])] == ["a.pdf", "b.pdf"]


def test_a_note_under_another_contact_is_404(client, contact, grace, business):
    elsewhere = make_contact(business)
    note = make_note(business, elsewhere, grace)
    created = post_note(client, elsewhere, [upload()]).json()["data"]

    for method in ("get", "patch", "put", "delete"):
        response = getattr(client, method)(note_url(contact, note), {"heading": "x"}, format="json")
        assert response.status_code == 404, method
        assert response.json() == {"message": "Not found"}
    media = created["media"][0]
    assert client.get(media_url(contact, created["id"], media["id"])).status_code == 404
    assert client.delete(media_url(contact, created["id"], media["id"])).status_code == 404
    # a file id of another note of the same contact is not this note's file
    assert client.get(media_url(elsewhere, note, media["id"])).status_code == 404
    assert DocumentNote.objects.filter(pk=note.pk).exists()


# --- update --------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_and_appends_files(client, contact):
    created = post_note(client, contact, [upload("first.pdf")], description="Before", is_private="true").json()["data"]

    response = client.patch(
        note_url(contact, created["id"]), {"heading": "Renamed", "files[]": [upload("second.pdf")]}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    assert_matches_schema(response)
    body = response.json()
    assert body["message"] == "Document/note updated successfully"
    data = body["data"]
    assert (data["heading"], data["description"], data["is_private"]) == ("Renamed", "Before", True)
    assert [m["display_name"] for m in data["media"]] == ["first.pdf", "second.pdf"]
    assert data["media"][0] == created["media"][0]


def test_patch_from_json(client, contact, grace, business):
    note = make_note(business, contact, grace, description="Old")

    response = client.patch(note_url(contact, note), {"description": "", "is_private": True}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["heading"], data["description"], data["is_private"]) == ("Call notes", None, True)


def test_patch_with_only_files(client, contact, grace, business):
    note = make_note(business, contact, grace)

    response = client.patch(note_url(contact, note), {"files[]": [upload()]}, format="multipart")

    assert response.status_code == 200
    assert response.json()["data"]["media_count"] == 1


def test_patch_with_nothing_is_422(client, contact, grace, business):
    note = make_note(business, contact, grace)

    response = client.patch(note_url(contact, note), {}, format="json")

    assert response.status_code == 422
    assert response.json() == {"message": "No valid fields to update"}


def test_put_requires_heading(client, contact, grace, business):
    note = make_note(business, contact, grace, private=True)

    assert_validation_error(client.put(note_url(contact, note), {"description": "x"}, format="json"), "heading")

    response = client.put(note_url(contact, note), {"heading": "Full"}, format="json")
    assert response.status_code == 200
    # an omitted is_private keeps its value: a private note never turns public by omission
    assert response.json()["data"]["is_private"] is True
    assert response.json()["data"]["heading"] == "Full"


def test_patch_heading_cannot_be_emptied(client, contact, grace, business):
    note = make_note(business, contact, grace)

    assert_validation_error(client.patch(note_url(contact, note), {"heading": " "}, format="json"), "heading")
    note.refresh_from_db()
    assert note.heading == "Call notes"


# --- delete --------------------------------------------------------------------------------------


def test_delete_note(client, contact):
    created = post_note(client, contact, [upload(), upload()]).json()["data"]

    response = client.delete(note_url(contact, created["id"]))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "Document/note deleted successfully", "data": {"id": created["id"]}}
    assert not DocumentNote.objects.exists() and not NoteMedia.objects.exists()
    assert client.get(note_url(contact, created["id"])).status_code == 404
    assert client.get(created["media"][0]["url"]).status_code == 404
    assert client.delete(note_url(contact, created["id"])).status_code == 404


def test_delete_one_file(client, contact):
    created = post_note(client, contact, [upload("keep.pdf"), upload("drop.pdf")]).json()["data"]
    keep, drop = created["media"]

    response = client.delete(media_url(contact, created["id"], drop["id"]))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "File deleted successfully", "data": {"id": drop["id"]}}
    assert client.get(note_url(contact, created["id"])).json()["data"]["media"] == [keep]
    assert client.get(drop["url"]).status_code == 404
    assert client.delete(media_url(contact, created["id"], drop["id"])).status_code == 404


# --- the activity trail --------------------------------------------------------------------------


def test_writes_are_logged_on_the_contact(client, contact, grace):
    created = post_note(client, contact, [upload("a.pdf")], description="First").json()["data"]
    client.patch(note_url(contact, created["id"]), {"heading": "Second"}, format="json")
    client.delete(media_url(contact, created["id"], created["media"][0]["id"]))
    client.delete(note_url(contact, created["id"]))

    added, edited, file_deleted, deleted = activities_of(contact)
    assert [a.description for a in (added, edited, file_deleted, deleted)] == [
        "document_note_added",
        "document_note_edited",
        "document_note_file_deleted",
        "document_note_deleted",
    ]
    assert all(a.causer_id == grace.pk for a in (added, edited, file_deleted, deleted))
    assert added.properties == {
        "document_note_id": created["id"],
        "files": ["a.pdf"],
        "attributes": {"id": created["id"], "heading": "Contract", "description": "First", "is_private": False},
    }
    assert edited.properties["old"] == {"heading": "Contract"}
    assert edited.properties["attributes"] == {"heading": "Second"}
    assert file_deleted.properties["files"] == ["a.pdf"]
    assert deleted.event == "deleted" and deleted.properties["old"]["heading"] == "Second"


def test_the_trail_names_a_private_note_by_id_only(client, contact):
    created = post_note(client, contact, [upload("secret.pdf")], heading="Secret", is_private="1").json()["data"]
    client.patch(note_url(contact, created["id"]), {"description": "more secrets"}, format="json")

    added, edited = activities_of(contact)
    assert added.properties == {
        "document_note_id": created["id"],
        "files": 1,
        "attributes": {"id": created["id"], "is_private": True},
    }
    assert "secrets" not in json.dumps(edited.properties) and "Secret" not in json.dumps(added.properties)


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", [2, 50])
def test_list_query_count_is_constant_in_page_size(
    client, contact, grace, business, django_assert_max_num_queries, per_page
):
    for i in range(50):
        note = make_note(business, contact, grace, heading=f"N{i}")
        NoteMedia.objects.bulk_create(
            NoteMedia(business=business, note=note, file=f"x/{i}-{k}", display_name="f", size=1, mime_type="text/plain")
            for k in range(2)
        )
    client.get(notes_url(contact))  # warm the credential cache alike for both sizes

    with django_assert_max_num_queries(9):
        response = client.get(notes_url(contact), {"per_page": per_page})

    assert len(response.json()["data"]) == per_page
    assert all(n["media_count"] == 2 for n in response.json()["data"])
