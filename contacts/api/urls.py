from django.urls import path

from contacts.api.import_views import ContactImportViewSet
from contacts.api.views import ContactViewSet, CustomerGroupViewSet

contacts = ContactViewSet.as_view
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
    path("customer-groups", groups({"get": "list", "post": "create"}), name="customer-groups"),
    path(
        "customer-groups/<id:pk>",
        groups({"get": "retrieve", "patch": "update", "put": "update", "delete": "destroy"}),
        name="customer-group",
    ),
]
