"""Who may read and write a contact's notes, and who a private note exists for (RULES §1, §11)."""

import pytest

from contacts.models import Contact, DocumentNote, NoteMedia
from contacts.tests.helpers import make_contact, share
from contacts.tests.notes import make_note, media_url, note_url, notes_url, post_note, upload
from core.tests.factories import make_user
from core.tests.matrix import assert_not_found, assert_unauthorized, check_permissions, csv_rows, ids_in, xlsx_rows

pytestmark = pytest.mark.usefixtures("local_media")


@pytest.fixture
def customer(business):
    return make_contact(business, type=Contact.Type.CUSTOMER)


@pytest.fixture
def author(actors):
    """The admin who writes the notes."""
    return actors.client(admin=True)


@pytest.fixture
def public(author, customer):
    """A public note with one file, written through the API."""
    return post_note(author, customer, [upload("public.pdf")], heading="Public").json()["data"]


@pytest.fixture
def private(author, customer):
    return post_note(author, customer, [upload("private.pdf")], heading="Private", is_private="1").json()["data"]


def routes(contact, note, media_id):
    """Every route of one note: (method, url, body)."""
    return [
        ("get", note_url(contact, note), None),
        ("patch", note_url(contact, note), {"heading": "Changed"}),
        ("put", note_url(contact, note), {"heading": "Changed"}),
        ("delete", note_url(contact, note), None),
        ("get", media_url(contact, note, media_id), None),
        ("delete", media_url(contact, note, media_id), None),
    ]


# --- reading ---------------------------------------------------------------------------------------


def test_reading_needs_the_contacts_read_access(actors, customer, public):
    media = public["media"][0]["id"]
    for url in (notes_url(customer), note_url(customer, public["id"]), media_url(customer, public["id"], media)):
        check_permissions(
            actors,
            "get",
            url,
            allowed=[("customer.view",)],
            denied=[(), ("customer.create",), ("customer.update",), ("sell.view",)],
            ok=200,
        )


def test_view_own_reads_the_notes_of_its_own_contacts(actors, business, author):
    client = actors.client("customer.view_own")
    own = make_contact(business, created_by=client.user)
    shared = share(make_contact(business), client.user)
    for contact in (own, shared):
        note = post_note(author, contact, [upload()]).json()["data"]
        assert client.get(notes_url(contact)).json()["meta"]["total"] == 1
        assert client.get(note_url(contact, note["id"])).status_code == 200
        assert client.get(note["media"][0]["url"]).status_code == 200


def test_a_contact_out_of_view_own_scope_is_403_everywhere(actors, customer, public):
    client = actors.client("customer.view_own", "customer.update")
    assert_unauthorized(client.get(notes_url(customer)))
    assert_unauthorized(client.post(notes_url(customer), {"heading": "x"}, format="json"))
    for method, url, data in routes(customer, public["id"], public["media"][0]["id"]):
        assert_unauthorized(getattr(client, method)(url, data, format="json"))


def test_a_supplier_reader_cannot_read_a_customers_notes(actors, customer, public):
    assert_unauthorized(actors.client("supplier.view").get(notes_url(customer)))


# --- writing ---------------------------------------------------------------------------------------


def test_writing_needs_update_access_for_the_contact_type(actors, customer):
    check_permissions(
        actors,
        "post",
        notes_url(customer),
        data={"heading": "Allowed"},
        allowed=[("customer.view", "customer.update")],
        denied=[(), ("customer.view",), ("customer.create",), ("customer.delete",), ("supplier.update",)],
        ok=201,
    )


def test_write_routes_refuse_readers(actors, customer, public):
    reader = actors.client("customer.view")
    for method, url, data in routes(customer, public["id"], public["media"][0]["id"]):
        if method != "get":
            assert_unauthorized(getattr(reader, method)(url, data, format="json"))
    assert NoteMedia.objects.count() == 1 and DocumentNote.objects.get().heading == "Public"


def test_view_own_writes_the_notes_of_its_own_contacts(actors, business):
    client = actors.client("customer.view_own")
    own = make_contact(business, created_by=client.user)
    created = post_note(client, own, [upload()])
    assert created.status_code == 201
    note = created.json()["data"]
    assert client.patch(note_url(own, note["id"]), {"heading": "Mine"}, format="json").status_code == 200
    assert client.delete(media_url(own, note["id"], note["media"][0]["id"])).status_code == 200
    assert client.delete(note_url(own, note["id"])).status_code == 200


def test_a_both_contact_needs_both_sides(actors, business):
    both = make_contact(business, type=Contact.Type.BOTH)
    assert_unauthorized(
        actors.client("customer.view", "customer.update").post(notes_url(both), {"heading": "x"}, format="json")
    )
    response = actors.client("customer.view", "customer.update", "supplier.update").post(
        notes_url(both), {"heading": "x"}, format="json"
    )
    assert response.status_code == 201


# --- private notes ---------------------------------------------------------------------------------


def test_a_private_note_exists_for_its_creator(author, customer, private, public):
    listed = author.get(notes_url(customer)).json()["data"]
    assert {n["id"] for n in listed} == {private["id"], public["id"]}
    assert author.get(note_url(customer, private["id"])).status_code == 200
    assert author.get(private["media"][0]["url"]).status_code == 200


def test_a_private_note_does_not_exist_for_another_admin(actors, business, customer, private, public):
    other_admin = actors.client(user=make_user(business, admin=True))

    listed = other_admin.get(notes_url(customer))
    assert [n["id"] for n in listed.json()["data"]] == [public["id"]]
    assert listed.json()["meta"]["total"] == 1
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(other_admin.get(notes_url(customer), {"format": fmt}))
        assert [int(r["id"]) for r in rows] == [public["id"]], fmt
    assert other_admin.get(notes_url(customer), {"q": "Private"}).json()["data"] == []
    assert other_admin.get(notes_url(customer), {"q": str(private["id"]).zfill(2)}).json()["data"] == []
    for method, url, data in routes(customer, private["id"], private["media"][0]["id"]):
        assert_not_found(other_admin, method, url, data)
    assert DocumentNote.objects.get(pk=private["id"]).heading == "Private"
    assert NoteMedia.objects.filter(note_id=private["id"]).count() == 1


def test_a_private_note_does_not_exist_for_a_reader(actors, customer, private):
    reader = actors.client("customer.view", "customer.update")
    assert reader.get(notes_url(customer)).json()["data"] == []
    for method, url, data in routes(customer, private["id"], private["media"][0]["id"]):
        assert_not_found(reader, method, url, data)


def test_a_note_made_private_disappears_for_others(actors, author, customer, public):
    other = actors.client("customer.view")
    assert other.get(note_url(customer, public["id"])).status_code == 200

    author.patch(note_url(customer, public["id"]), {"is_private": True}, format="json")

    assert other.get(note_url(customer, public["id"])).status_code == 404
    assert other.get(public["media"][0]["url"]).status_code == 404


def test_others_may_edit_a_public_note(actors, customer, public):
    editor = actors.client("customer.view", "customer.update")
    response = editor.patch(note_url(customer, public["id"]), {"heading": "Edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["created_by"] == actors.user(admin=True).pk  # still the author's note


# --- other businesses ------------------------------------------------------------------------------


def test_another_business_gets_404_everywhere(other_actors, customer, public, private):
    foreign = other_actors.client(admin=True)
    assert_not_found(foreign, "get", notes_url(customer))
    assert_not_found(foreign, "post", notes_url(customer), {"heading": "x"})
    for note in (public, private):
        for method, url, data in routes(customer, note["id"], note["media"][0]["id"]):
            assert_not_found(foreign, method, url, data)
    assert DocumentNote.objects.count() == 2 and NoteMedia.objects.count() == 2


def test_another_business_note_under_an_own_contact_is_404(other_actors, other_business, author, customer):
    theirs = make_contact(other_business)
    their_note = post_note(other_actors.client(admin=True), theirs, [upload()]).json()["data"]
    for method, url, data in routes(customer, their_note["id"], their_note["media"][0]["id"]):
        assert_not_found(author, method, url, data)
    assert ids_in(author.get(notes_url(customer))) == set()
    make_note(other_business, theirs, None)
    assert author.get(notes_url(customer)).json()["meta"]["total"] == 0
