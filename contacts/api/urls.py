from django.urls import path

from contacts.api.import_views import ContactImportViewSet
from contacts.api.notes import ContactNoteViewSet
from contacts.api.views import ContactViewSet, CustomerGroupViewSet

contacts = ContactViewSet.as_view
notes = ContactNoteViewSet.as_view
NOTE = "contacts/<id:pk>/documents-and-notes/<id:document_id>"
groups = CustomerGroupViewSet.as_view

urlpatterns = [
    path("contacts", contacts({"get": "list", "post": "create"}), name="contacts"),
    path("contacts/import", ContactImportViewSet.as_view({"post": "create"}), name="contacts-import"),
    path(
        "contacts/import/template",
        ContactImportViewSet.as_view({"get": "template"}),
        name="contacts-import-template",
    ),
    path("contacts/map", contacts({"get": "map"}), name="contacts-map"),
    path("contacts/validate/mobile", contacts({"get": "validate_mobile"}), name="contacts-validate-mobile"),
    path("contacts/validate/tax-number", contacts({"get": "validate_tax_number"}), name="contacts-validate-tax"),
    path(
        "contacts/<id:pk>",
        contacts({"get": "retrieve", "patch": "update", "put": "update", "delete": "destroy"}),
        name="contact",
    ),
    path("contacts/<id:pk>/activities", contacts({"get": "activities"}), name="contact-activities"),
    path("contacts/<id:pk>/documents-and-notes", notes({"get": "list", "post": "create"}), name="contact-notes"),
    path(
        NOTE,
        notes({"get": "retrieve", "patch": "update", "put": "update", "delete": "destroy"}),
        name="contact-note",
    ),
    path(
        f"{NOTE}/media/<id:media_id>", notes({"get": "download", "delete": "media_destroy"}), name="contact-note-media"
    ),
    path("customer-groups", groups({"get": "list", "post": "create"}), name="customer-groups"),
    path(
        "customer-groups/<id:pk>",
        groups({"get": "retrieve", "patch": "update", "put": "update", "delete": "destroy"}),
        name="customer-group",
    ),
]
