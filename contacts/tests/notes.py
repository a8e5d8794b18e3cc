"""Test helpers and fixtures of the documents-and-notes suite: routes, uploads, and the two storages."""

import io
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from contacts.models import DocumentNote, NoteMedia
from contacts.tests.helpers import CONTACTS
from core.models import Activity

BUCKET = "erp-test-media"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
NOTE_FIELDS = [
    "id",
    "heading",
    "description",
    "is_private",
    "created_by",
    "created_by_name",
    "created_at",
    "updated_at",
    "media",
    "media_count",
]
MEDIA_FIELDS = ["id", "file_name", "display_name", "url", "size", "mime_type"]


def notes_url(contact) -> str:
    return f"{CONTACTS}/{getattr(contact, 'pk', contact)}/documents-and-notes"


def note_url(contact, note) -> str:
    return f"{notes_url(contact)}/{getattr(note, 'pk', note)}"


def media_url(contact, note, media) -> str:
    return f"{note_url(contact, note)}/media/{getattr(media, 'pk', media)}"


def upload(name="contract.pdf", content=PDF, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_note(client, contact, files=(), key="files[]", **fields):
    """A multipart create: the fields plus every file under `key`."""
    data = {"heading": "Contract", **fields}
    if files:
        data[key] = list(files)
    return client.post(notes_url(contact), data, format="multipart")


def make_note(business, contact, user, *, heading="Call notes", private=False, description=None) -> DocumentNote:
    return DocumentNote.objects.create(
        business=business,
        contact=contact,
        created_by=user,
        heading=heading,
        description=description,
        is_private=private,
    )


def footprint(business) -> tuple:
    """Everything a note write may leave in the database."""
    return (
        DocumentNote.objects.filter(business=business).count(),
        NoteMedia.objects.filter(business=business).count(),
        Activity.objects.filter(business=business).count(),
        list(DocumentNote.objects.filter(business=business).order_by("id").values()),
    )


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def downloaded(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return body


def s3_keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def s3_body(client, key) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


@pytest.fixture
def local_media(settings, tmp_path) -> Path:
    """Local-disk storage in a fresh directory: what `var/media/` is by default."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    root.mkdir()
    return root


@pytest.fixture
def s3_media(settings):
    """S3 storage against moto's in-process S3 (`ERP_STORAGE=s3` as erp/settings.py configures it); yields a boto3
    client of the same bucket for looking at the objects themselves."""
    with mock_aws():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        client.create_bucket(Bucket=BUCKET)
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_REGION_NAME = "us-east-1"
        settings.AWS_ACCESS_KEY_ID = "testing"
        settings.AWS_SECRET_ACCESS_KEY = "testing"
        settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
        settings.AWS_QUERYSTRING_AUTH = True
        settings.AWS_DEFAULT_ACL = None
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
        yield client


def big(size: int, head: bytes = PDF) -> io.BytesIO:
    """A file-like upload of exactly `size` bytes."""
    return io.BytesIO(head + b"\0" * (size - len(head)))
