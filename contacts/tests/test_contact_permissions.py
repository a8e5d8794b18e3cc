"""The permission matrix of every contacts and customer-groups route (ARCHITECTURE rule 11, RULES §1).

No permission → 403; view_own → own (created_by) and shared (user_contact_access) contacts only, 403 on the
routes of others' contacts; view → every contact of its kind; another business's ids → 404 on every route,
and never in lists, CSV, XLSX, the map or activity trails.
"""

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from contacts.api.urls import urlpatterns
from contacts.models import Contact
from contacts.tests import notes
from contacts.tests.helpers import (
    CONTACTS,
    GROUPS,
    MAP,
    VALIDATE_MOBILE,
    VALIDATE_TAX,
    activities_url,
    contact_url,
    group_url,
    make_contact,
    share,
)
from core.tests.factories import CustomerGroupFactory, make_user
from core.tests.matrix import assert_unauthorized, check_permissions, ids_in
from core.tests.openapi import assert_matches_schema

NOTHING = ()
READERS = [("customer.view",), ("customer.view_own",), ("supplier.view",), ("supplier.view_own",)]
WRITERS_ONLY = ("customer.create", "customer.update", "customer.delete", "supplier.create", "supplier.update")
OTHER_MODULES = ("sell.view", "purchase.view", "product.view", "account.access")


def theirs(business, user, **fields):
    """A customer contact of the business that `user` neither created nor was given."""
    return make_contact(business, **fields)


def own(business, user, **fields):
    return make_contact(business, created_by=user, **fields)


@dataclass
class Route:
    name: str
    route: tuple[str, str]  # (url pattern, method): what the coverage test checks
    url: object  # (business, user) -> url
    allowed: list
    denied: list
    ok: int | None = 200
    data: object = None
    extra: list = field(default_factory=list)


def _group(business, user):
    return CustomerGroupFactory(business=business)


@pytest.fixture(autouse=True)
def _media(local_media):
    """Note files land in a temporary directory."""


def _note(business, user):
    """A public note with one file on a contact the user created."""
    from contacts.services import note_create

    contact = own(business, user)
    note = note_create(
        business=business, user=user, contact=contact, data={"heading": "Matrix"}, files=[notes.upload()]
    )
    return contact, note, note.media.get()


def _note_url(business, user):
    contact, note, _ = _note(business, user)
    return notes.note_url(contact, note)


def _media_url(business, user):
    contact, note, media = _note(business, user)
    return notes.media_url(contact, note, media)


NOTE_READERS = [("customer.view",), ("customer.view_own",)]
NOTE_READ_DENIED = [NOTHING, ("supplier.view",), WRITERS_ONLY, OTHER_MODULES]
NOTE_WRITERS = [("customer.view", "customer.update"), ("customer.view_own",)]
NOTE_WRITE_DENIED = [NOTHING, ("customer.view",), ("customer.view", "customer.create"), ("supplier.update",)]


CASES = [
    Route(
        "list customers",
        ("contacts", "get"),
        lambda b, u: f"{CONTACTS}?kind=customer",
        allowed=[("customer.view",), ("customer.view_own",)],
        denied=[NOTHING, ("supplier.view",), ("supplier.view_own",), WRITERS_ONLY, OTHER_MODULES],
    ),
    Route(
        "list suppliers",
        ("contacts", "get"),
        lambda b, u: f"{CONTACTS}?kind=supplier&format=csv",
        allowed=[("supplier.view",), ("supplier.view_own",)],
        denied=[NOTHING, ("customer.view",), ("customer.view_own",), WRITERS_ONLY],
    ),
    Route(
        "list without kind",
        ("contacts", "get"),
        lambda b, u: CONTACTS,
        allowed=READERS,
        denied=[NOTHING, WRITERS_ONLY],
        ok=422,
    ),
    Route(
        "create customer",
        ("contacts", "post"),
        lambda b, u: CONTACTS,
        data={"type": "customer", "name": "New"},
        allowed=[("customer.create",), ("customer.view_own",)],
        denied=[NOTHING, ("customer.view",), ("customer.update", "customer.delete"), ("supplier.create",)],
        ok=201,
    ),
    Route(
        "create supplier",
        ("contacts", "post"),
        lambda b, u: CONTACTS,
        data={"type": "supplier", "name": "New"},
        allowed=[("supplier.create",), ("supplier.view_own",)],
        denied=[NOTHING, ("supplier.view",), ("customer.create",), ("customer.view_own",)],
        ok=201,
    ),
    Route(
        "create both",
        ("contacts", "post"),
        lambda b, u: CONTACTS,
        data={"type": "both", "name": "New"},
        allowed=[("customer.create", "supplier.create"), ("customer.view_own", "supplier.view_own")],
        denied=[NOTHING, ("customer.create",), ("supplier.create",), ("customer.view_own", "supplier.view")],
        ok=201,
    ),
    Route(
        "get someone else's contact",
        ("contacts/<id:pk>", "get"),
        lambda b, u: contact_url(theirs(b, u).pk),
        allowed=[("customer.view",), ("customer.view", "supplier.view_own")],
        denied=[NOTHING, ("customer.view_own",), ("supplier.view",), WRITERS_ONLY, OTHER_MODULES],
    ),
    Route(
        "get own contact",
        ("contacts/<id:pk>", "get"),
        lambda b, u: contact_url(own(b, u).pk),
        allowed=[("customer.view_own",), ("customer.view",)],
        denied=[("supplier.view_own",), ("supplier.view",)],
    ),
    Route(
        "get shared contact",
        ("contacts/<id:pk>", "get"),
        lambda b, u: contact_url(share(theirs(b, u), u).pk),
        allowed=[("customer.view_own",)],
        denied=[("supplier.view_own",)],
    ),
    Route(
        "patch someone else's contact",
        ("contacts/<id:pk>", "patch"),
        lambda b, u: contact_url(theirs(b, u).pk),
        data={"city": "Rome"},
        allowed=[("customer.update", "customer.view")],
        denied=[
            NOTHING,
            ("customer.view",),
            ("customer.view_own",),
            ("customer.update",),  # sees no contact without a view permission
            ("supplier.update", "supplier.view"),
        ],
    ),
    Route(
        "patch own contact",
        ("contacts/<id:pk>", "patch"),
        lambda b, u: contact_url(own(b, u).pk),
        data={"city": "Rome"},
        allowed=[("customer.view_own",)],
        denied=[("customer.view",), ("supplier.view_own",)],
    ),
    Route(
        "put someone else's contact",
        ("contacts/<id:pk>", "put"),
        lambda b, u: contact_url(theirs(b, u).pk),
        data={"city": "Rome"},
        allowed=[("customer.update", "customer.view")],
        denied=[NOTHING, ("customer.view",), ("customer.view_own",), ("supplier.update", "supplier.view")],
    ),
    Route(
        "put own contact",
        ("contacts/<id:pk>", "put"),
        lambda b, u: contact_url(own(b, u).pk),
        data={"city": "Rome"},
        allowed=[("customer.view_own",)],
        denied=[("customer.view",)],
    ),
    Route(
        "delete someone else's contact",
        ("contacts/<id:pk>", "delete"),
        lambda b, u: contact_url(theirs(b, u).pk),
        allowed=[("customer.delete", "customer.view")],
        denied=[NOTHING, ("customer.view",), ("customer.view_own",), ("supplier.delete", "supplier.view")],
    ),
    Route(
        "delete own contact",
        ("contacts/<id:pk>", "delete"),
        lambda b, u: contact_url(own(b, u).pk),
        allowed=[("customer.view_own",)],
        denied=[("customer.view",), ("supplier.view_own",)],
    ),
    Route(
        "activities of someone else's contact",
        ("contacts/<id:pk>/activities", "get"),
        lambda b, u: activities_url(theirs(b, u).pk),
        allowed=[("customer.view",)],
        denied=[NOTHING, ("customer.view_own",), ("supplier.view",), WRITERS_ONLY],
    ),
    Route(
        "activities of own contact",
        ("contacts/<id:pk>/activities", "get"),
        lambda b, u: activities_url(own(b, u).pk),
        allowed=[("customer.view_own",)],
        denied=[("supplier.view_own",)],
    ),
    Route(
        "validate mobile",
        ("contacts/validate/mobile", "get"),
        lambda b, u: f"{VALIDATE_MOBILE}?mobile_number=555",
        allowed=READERS,
        denied=[NOTHING, WRITERS_ONLY, OTHER_MODULES],
    ),
    Route(
        "validate mobile excluding someone else's contact",
        ("contacts/validate/mobile", "get"),
        lambda b, u: f"{VALIDATE_MOBILE}?mobile_number=555&contact_id={theirs(b, u).pk}",
        allowed=[("customer.view",)],
        denied=[("customer.view_own",), ("supplier.view",)],
    ),
    Route(
        "validate tax number",
        ("contacts/validate/tax-number", "get"),
        lambda b, u: f"{VALIDATE_TAX}?tax_number=GB1",
        allowed=READERS,
        denied=[NOTHING, WRITERS_ONLY, OTHER_MODULES],
    ),
    Route(
        "validate tax number excluding someone else's contact",
        ("contacts/validate/tax-number", "get"),
        lambda b, u: f"{VALIDATE_TAX}?tax_number=GB1&contact_id={theirs(b, u).pk}",
        allowed=[("customer.view",)],
        denied=[("customer.view_own",)],
    ),
    Route(
        "map of all kinds",
        ("contacts/map", "get"),
        lambda b, u: MAP,
        allowed=READERS,
        denied=[NOTHING, WRITERS_ONLY, OTHER_MODULES],
    ),
    Route(
        "map of customers",
        ("contacts/map", "get"),
        lambda b, u: f"{MAP}?kind=customer&format=csv",
        allowed=[("customer.view",), ("customer.view_own",)],
        denied=[("supplier.view",), ("supplier.view_own",)],
    ),
    Route(
        "import contacts",
        ("contacts/import", "post"),
        lambda b, u: f"{CONTACTS}/import",
        allowed=[("customer.create",), ("supplier.create",)],
        denied=[NOTHING, ("customer.view",), ("customer.view_own", "supplier.view_own"), ("customer.update",)],
        ok=422,  # no file: the rows' own rights are in test_contact_import.py
    ),
    Route(
        "import template",
        ("contacts/import/template", "get"),
        lambda b, u: f"{CONTACTS}/import/template",
        allowed=[("customer.create",), ("supplier.create",)],
        denied=[NOTHING, ("customer.view",), ("supplier.view_own",), ("supplier.update",)],
    ),
    Route(
        "list customer groups",
        ("customer-groups", "get"),
        lambda b, u: GROUPS,
        allowed=[("customer.view",)],
        denied=[NOTHING, ("customer.view_own",), ("supplier.view",), ("customer.create", "customer.update")],
    ),
    Route(
        "create customer group",
        ("customer-groups", "post"),
        lambda b, u: GROUPS,
        data={"name": "G", "price_calculation_type": "percentage"},
        allowed=[("customer.create",)],
        denied=[NOTHING, ("customer.view",), ("customer.view_own",), ("supplier.create",), ("customer.update",)],
        ok=201,
    ),
    Route(
        "get customer group",
        ("customer-groups/<id:pk>", "get"),
        lambda b, u: group_url(_group(b, u).pk),
        allowed=[("customer.view",)],
        denied=[NOTHING, ("customer.view_own",), ("supplier.view",), ("customer.create",)],
    ),
    Route(
        "patch customer group",
        ("customer-groups/<id:pk>", "patch"),
        lambda b, u: group_url(_group(b, u).pk),
        data={"name": "Renamed"},
        allowed=[("customer.update",)],
        denied=[NOTHING, ("customer.view",), ("customer.create",), ("supplier.update",)],
    ),
    Route(
        "put customer group",
        ("customer-groups/<id:pk>", "put"),
        lambda b, u: group_url(_group(b, u).pk),
        data={"name": "Renamed"},
        allowed=[("customer.update",)],
        denied=[NOTHING, ("customer.view",), ("customer.delete",)],
    ),
    Route(
        "delete customer group",
        ("customer-groups/<id:pk>", "delete"),
        lambda b, u: group_url(_group(b, u).pk),
        allowed=[("customer.delete",)],
        denied=[NOTHING, ("customer.view",), ("customer.update",), ("supplier.delete",)],
    ),
    Route(
        "list contact notes",
        ("contacts/<id:pk>/documents-and-notes", "get"),
        lambda b, u: notes.notes_url(own(b, u)),
        allowed=NOTE_READERS,
        denied=NOTE_READ_DENIED,
    ),
    Route(
        "add contact note",
        ("contacts/<id:pk>/documents-and-notes", "post"),
        lambda b, u: notes.notes_url(own(b, u)),
        allowed=NOTE_WRITERS,
        denied=NOTE_WRITE_DENIED,
        ok=201,
        data={"heading": "Matrix"},
    ),
    Route(
        "get contact note",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>", "get"),
        _note_url,
        allowed=NOTE_READERS,
        denied=NOTE_READ_DENIED,
    ),
    Route(
        "patch contact note",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>", "patch"),
        _note_url,
        allowed=NOTE_WRITERS,
        denied=NOTE_WRITE_DENIED,
        data={"heading": "Changed"},
    ),
    Route(
        "put contact note",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>", "put"),
        _note_url,
        allowed=NOTE_WRITERS,
        denied=NOTE_WRITE_DENIED,
        data={"heading": "Changed"},
    ),
    Route(
        "delete contact note",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>", "delete"),
        _note_url,
        allowed=NOTE_WRITERS,
        denied=NOTE_WRITE_DENIED,
    ),
    Route(
        "download note file",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>/media/<id:media_id>", "get"),
        _media_url,
        allowed=NOTE_READERS,
        denied=NOTE_READ_DENIED,
    ),
    Route(
        "delete note file",
        ("contacts/<id:pk>/documents-and-notes/<id:document_id>/media/<id:media_id>", "delete"),
        _media_url,
        allowed=NOTE_WRITERS,
        denied=NOTE_WRITE_DENIED,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(actors, business, case):
    check_permissions(
        actors,
        case.route[1],
        lambda user: case.url(business, user),
        data=case.data,
        allowed=case.allowed,
        denied=case.denied,
        ok=case.ok,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_business_admin_passes_every_route(actors, business, case):
    client = actors.client(admin=True)
    response = getattr(client, case.route[1])(case.url(business, client.user), data=case.data, format="json")
    assert response.status_code == case.ok, (case.name, response.status_code)


def test_matrix_covers_every_route_and_method():
    # DRF answers HEAD with the GET action (same rules), so it needs no row of its own.
    routes = {(str(p.pattern), method) for p in urlpatterns for method in p.callback.actions if method != "head"}

    assert {case.route for case in CASES} == routes


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_route_needs_credentials(actors, business, case):
    url = case.url(business, actors.user(admin=True))

    response = getattr(APIClient(), case.route[1])(url, data=case.data, format="json")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_unauthenticated_body_matches_schema(business):
    response = APIClient().get(f"{CONTACTS}?kind=customer", HTTP_AUTHORIZATION="Bearer nope.nope")

    assert response.status_code == 401
    assert_matches_schema(response)


def test_no_permission_is_403_with_schema(actors):
    response = actors.client().get(f"{CONTACTS}?kind=customer")

    assert_unauthorized(response)
    assert_matches_schema(response)


# --- view_own: own and shared contacts only ------------------------------------------------------


@pytest.fixture
def seller(actors):
    return actors.client("customer.view_own")


@pytest.fixture
def book(actors, business, seller):
    """Contacts of the business, some of them the view_own seller's."""
    colleague = make_user(business, "customer.view_own")  # not actors.user(): that would be the seller again
    return {
        "own": own(business, seller.user, position="1,1"),
        "shared": share(make_contact(business, position="1,1"), seller.user),
        "own_both": own(business, seller.user, type="both", position="1,1"),
        "theirs": make_contact(business, position="1,1"),
        "colleagues": own(business, colleague, position="1,1"),
        "shared_with_colleague": share(make_contact(business, position="1,1"), colleague),
        "own_supplier": own(business, seller.user, type="supplier", position="1,1"),
    }


def visible_ids(book):
    return {book["own"].pk, book["shared"].pk, book["own_both"].pk}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_view_own_lists_only_own_and_shared(seller, book, fmt):
    response = seller.get(f"{CONTACTS}?kind=customer&format={fmt}&contact_status=all")

    assert response.status_code == 200
    assert ids_in(response) == visible_ids(book)


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_view_own_map_shows_only_own_and_shared(seller, book, fmt):
    assert ids_in(seller.get(f"{MAP}?format={fmt}")) == visible_ids(book)


def test_view_own_search_stays_inside_own_and_shared(seller, business, book):
    Contact.objects.filter(pk__in=[c.pk for c in book.values()]).update(name="Zqxwv")

    assert ids_in(seller.get(f"{CONTACTS}?kind=customer&q=zqxw")) == visible_ids(book)


def test_view_own_gets_403_on_every_route_of_others_contacts(seller, book):
    pk = book["theirs"].pk

    for method, url, data in [
        ("get", contact_url(pk), None),
        ("get", f"{contact_url(pk)}?format=csv", None),
        ("get", activities_url(pk), None),
        ("get", f"{activities_url(pk)}?format=csv", None),
        ("patch", contact_url(pk), {"city": "Rome"}),
        ("put", contact_url(pk), {"city": "Rome"}),
        ("delete", contact_url(pk), None),
        ("get", f"{VALIDATE_MOBILE}?mobile_number=1&contact_id={pk}", None),
        ("get", f"{VALIDATE_TAX}?tax_number=1&contact_id={pk}", None),
    ]:
        response = getattr(seller, method)(url, data=data, format="json") if data else getattr(seller, method)(url)
        assert_unauthorized(response)
    assert Contact.objects.filter(pk=pk, city=None).exists()


def test_view_own_on_one_side_and_view_on_the_other(actors, business):
    client = actors.client("customer.view_own", "supplier.view")
    their_customer = make_contact(business, type="customer")
    their_supplier = make_contact(business, type="supplier")
    their_both = make_contact(business, type="both")

    assert ids_in(client.get(f"{CONTACTS}?kind=supplier")) == {their_supplier.pk, their_both.pk}
    assert their_both.pk not in ids_in(client.get(f"{CONTACTS}?kind=customer"))
    assert_unauthorized(client.get(contact_url(their_customer.pk)))
    assert client.get(contact_url(their_both.pk)).status_code == 200


# --- view: every contact of its kind --------------------------------------------------------------


def test_view_sees_every_contact_of_its_kind(actors, business):
    client = actors.client("customer.view")
    walk_in = business.contacts.get(is_default=True)
    customer = make_contact(business, type="customer")
    both = make_contact(business, type="both")
    supplier = make_contact(business, type="supplier")

    assert ids_in(client.get(f"{CONTACTS}?kind=customer")) == {walk_in.pk, customer.pk, both.pk}
    assert ids_in(client.get(f"{CONTACTS}?kind=customer&format=csv")) == {walk_in.pk, customer.pk, both.pk}
    assert_unauthorized(client.get(f"{CONTACTS}?kind=supplier"))
    assert_unauthorized(client.get(contact_url(supplier.pk)))
    assert_unauthorized(client.get(activities_url(supplier.pk)))


@pytest.mark.parametrize(
    "permissions",
    [(), ("customer.view",), ("supplier.view",), ("customer.view_own",), ("supplier.view_own", "customer.view")],
)
def test_is_visible_agrees_with_visible_to(business, other_business, permissions):
    from contacts.permissions import is_visible

    user = make_user(business, *permissions)
    contacts = [make_contact(business, type=kind) for kind in Contact.Type.values]
    contacts += [make_contact(business, type=kind, created_by=user) for kind in Contact.Type.values]
    contacts += [make_contact(other_business, type=kind) for kind in Contact.Type.values]
    for contact in contacts:
        expected = Contact.objects.visible_to(user).filter(pk=contact.pk).exists()
        assert is_visible(user, contact) is expected, (permissions, contact.type, contact.business_id)
