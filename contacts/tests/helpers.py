"""Small test-only helpers for the contacts suite: routes, the field lists of the spec, and readers."""

import json
import threading
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from contacts.models import Contact, UserContactAccess
from core.models import Activity, ReferenceCounter
from core.tests.factories import ContactFactory
from core.tests.matrix import BASE, content_of

CONTACTS = f"{BASE}/contacts"
MAP = f"{BASE}/contacts/map"
VALIDATE_MOBILE = f"{BASE}/contacts/validate/mobile"
VALIDATE_TAX = f"{BASE}/contacts/validate/tax-number"
GROUPS = f"{BASE}/customer-groups"


def contact_url(pk) -> str:
    return f"{CONTACTS}/{pk}"


def activities_url(pk) -> str:
    return f"{CONTACTS}/{pk}/activities"


def group_url(pk) -> str:
    return f"{GROUPS}/{pk}"


# ContactListItem, in the order of the spec (also the CSV/XLSX header).
LIST_FIELDS = [
    "id",
    "type",
    "name",
    "supplier_business_name",
    "contact_id",
    "email",
    "mobile",
    "landline",
    "city",
    "state",
    "country",
    "tax_number",
    "contact_status",
    "credit_limit",
]

# ContactDetail: ContactListItem plus the "additional fields" table of the spec.
DETAIL_SPEC_FIELDS = [
    *LIST_FIELDS,
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "address_line_1",
    "address_line_2",
    "zip_code",
    "shipping_address",
    "alternate_number",
    "balance",
    "pay_term_number",
    "pay_term_type",
    "dob",
    "is_default",
    "created_by",
    "customer_group_id",
    "created_at",
    "updated_at",
    *(f"custom_field{i}" for i in range(1, 11)),
    "custom_field_labels",
    "shipping_custom_field_details",
    "is_export",
    *(f"export_custom_field_{i}" for i in range(1, 7)),
]

ACTIVITY_FIELDS = ["id", "description", "event", "log_name", "created_at", "causer", "properties"]
MAP_FIELDS = ["id", "name", "contact_id", "type", "supplier_business_name", "shipping_address", "latitude", "longitude"]
GROUP_FIELDS = [
    "id",
    "name",
    "price_calculation_type",
    "amount",
    "selling_price_group_id",
    "selling_price_group_name",
    "created_by",
    "created_at",
    "updated_at",
]


def make_contact(business, **fields) -> Contact:
    return ContactFactory(business=business, **fields)


def share(contact, user):
    """Share a contact with a user (user_contact_access): a view_own user then sees it."""
    UserContactAccess.objects.create(contact=contact, user=user)
    return contact


def body(response):
    """The JSON body with numbers read as Decimal, so money compares exactly."""
    return json.loads(content(response), parse_float=Decimal)


def content(response) -> bytes:
    """The body, readable again afterwards (a streamed download can otherwise be read only once)."""
    data = content_of(response)
    if getattr(response, "streaming", False):
        response.streaming_content = [data]
    return data


def csv_text(response) -> str:
    return content(response).decode("utf-8")


def activities_of(obj):
    """Activity rows whose subject is `obj`, oldest first."""
    return Activity.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(obj)), subject_id=obj.pk
    ).order_by("id")


def contact_counter(business) -> int:
    row = ReferenceCounter.objects.filter(business=business, ref_type="contact").first()
    return row.count if row else 0


def expire_subscription(business, settings):
    settings.ERP_ENFORCE_PACKAGES = True
    business.subscription_status = "expired"
    business.save(update_fields=["subscription_status"])


def assert_validation_error(response, *fields):
    """422 with the Laravel-style body, naming every field given."""
    assert response.status_code == 422, (response.status_code, response.content[:500])
    data = response.json()
    assert isinstance(data["message"], str)
    assert data["message"]
    for field in fields:
        assert field in data["errors"], (field, data)
        assert all(isinstance(m, str) and m for m in data["errors"][field])
    return data


def footprint(business) -> tuple:
    """Everything a contact create or update may write."""
    return (
        Contact.all_objects.filter(business=business).count(),
        Activity.objects.filter(business=business).count(),
        UserContactAccess.objects.count(),
        contact_counter(business),
        list(Contact.all_objects.filter(business=business).order_by("id").values()),
    )


def in_parallel(tokens, sends) -> list:
    """Run every `send(client)` at once, one thread and one authenticated client each (tokens[i] for sends[i]);
    returns their responses. For races on PostgreSQL (tests marked postgres, transactional)."""
    from django.db import connection
    from rest_framework.test import APIClient

    barrier = threading.Barrier(len(sends))
    responses = [None] * len(sends)

    def run(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        try:
            barrier.wait(timeout=10)
            responses[index] = sends[index](client)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in responses), "a request did not finish"
    return responses
