"""The demo business, seeded once for the whole-API tests of this package (schemathesis, the money-scale walk)."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import Account
from contacts.models import Contact, CustomerGroup
from contacts.services import note_create
from core.models import ApiCredential, User
from core.services.credentials import credential_issue
from inventory.models import Product
from ledger.models import Transaction, TransactionPayment


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo`'s business (every kind of row), in a transaction rolled back when the package's tests end, and
    a note with a file on the contact the routes use (stored under a temporary media root).
    `ids` holds a real row id per path parameter: per first path segment for `{id}` (`contacts`, `sells`, ...),
    and `document_id`, `media_id`."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), transaction.atomic(), media:
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        admin = User.objects.get(username="demo-admin")
        business = admin.business
        documents = Transaction.objects.for_business(business)
        both = Contact.objects.for_business(business).filter(type="both")
        ids = {
            "contacts": both.filter(transactions__isnull=False).distinct().first().pk,
            "customer-groups": CustomerGroup.objects.for_business(business).first().pk,
            "accounts": Account.objects.for_business(business).first().pk,
            "products": Product.objects.for_business(business).first().pk,
            "sells": documents.filter(type="sell", status="final").first().pk,
            "purchases": documents.filter(type="purchase").first().pk,
            "transactions": documents.filter(type="sell", status="final").last().pk,
            "ledger-discounts": documents.filter(type="ledger_discount").first().pk,
            "payments": TransactionPayment.objects.filter(business=business, parent__isnull=True).last().pk,
            "subscriptions": documents.filter(is_recurring=True, recur_parent__isnull=True).first().pk,
        }
        note = note_create(
            business=business,
            user=admin,
            contact=Contact.objects.get(pk=ids["contacts"]),
            data={"heading": "Signed contract", "description": "Scan of the framework agreement"},
            files=[SimpleUploadedFile("contract.txt", b"Framework agreement, signed.", "text/plain")],
        )
        ids["document_id"], ids["media_id"] = note.pk, note.media.get().pk
        token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN).token
        yield {"business": business, "headers": {"Authorization": f"Bearer {token}"}, "token": token, "ids": ids}
        transaction.set_rollback(True)
