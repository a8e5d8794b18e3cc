"""Shapes of the documents-and-notes endpoints (contacts-api.txt, RULES §11)."""

import re

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import NoteMedia
from core.api.rows import Batched, Computed
from core.api.serializers import InputSerializer, Text

HEADING_MAX = 191
DESCRIPTION_MAX = 65_535
#: multipart keys that carry attachments: `files[]` (the reference's), `files`, and indexed `files[0]`…
FILE_KEY = re.compile(r"^files(\[\d*\])?$")


# --- response rows ---------------------------------------------------------------------------------


class NoteMediaItem(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField(help_text="The generated storage name of the file.")
    display_name = serializers.CharField(help_text="The uploaded file's name, without any directory part.")
    url = serializers.CharField(
        help_text="The download route of the file (GET, authenticated like the note itself): streamed as an "
        "attachment, or a 302 to a short-lived presigned URL with S3 storage."
    )
    size = serializers.IntegerField(help_text="Beyond the reference: bytes.")
    mime_type = serializers.CharField(help_text="Beyond the reference: sniffed from the content at upload.")


def _notes_url(ctx: dict) -> str:
    """The absolute URL of the contact's notes (`contact` in the row context: the rows are one contact's notes)."""
    if "_notes_url" not in ctx:
        path = reverse("contact-notes", kwargs={"pk": ctx["contact"].pk})
        request = ctx.get("request")
        ctx["_notes_url"] = request.build_absolute_uri(path) if request is not None else path
    return ctx["_notes_url"]


def _media_of(ids, ctx) -> dict[int, list[dict]]:
    """The files of a batch of notes, in one query, shared by `media` and `media_count`."""
    cache = ctx.setdefault("_note_media", {})
    key = tuple(ids)
    if key not in cache:
        found: dict[int, list[dict]] = {}
        rows = (
            NoteMedia.objects.filter(note_id__in=ids)
            .order_by("note_id", "id")
            .values_list("id", "note_id", "file", "display_name", "size", "mime_type")
        )
        base = _notes_url(ctx)
        for media_id, note_id, name, display, size, mime in rows:
            found.setdefault(note_id, []).append(
                {
                    "id": media_id,
                    "file_name": name,
                    "display_name": display,
                    "url": f"{base}/{note_id}/media/{media_id}",
                    "size": size,
                    "mime_type": mime,
                }
            )
        cache.clear()  # one batch at a time: an export never holds more than its current batch
        cache[key] = found
    return cache[key]


def _media_count(ids, ctx) -> dict[int, int]:
    media = _media_of(ids, ctx)
    return {note_id: len(items) for note_id, items in media.items()}


def _creator_name(row, ctx):
    if row["created_by_id"] is None:
        return None
    parts = (row["created_by__first_name"], row["created_by__last_name"])
    return " ".join(p for p in parts if p) or row["created_by__username"]


class ContactDocumentNoteRow(serializers.Serializer):
    id = serializers.IntegerField()
    heading = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    is_private = serializers.BooleanField(help_text="A private note exists for its creator only.")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_by_name = Computed(
        sources=("created_by_id", "created_by__first_name", "created_by__last_name", "created_by__username"),
        compute=_creator_name,
        field=serializers.CharField(allow_null=True, help_text="The creator's full name (else username)."),
    )
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    media = Batched(loader=_media_of, default=[], field=NoteMediaItem(many=True, help_text="Attached files."))
    media_count = Batched(loader=_media_count, default=0, field=serializers.IntegerField())


# --- request bodies --------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.BINARY)
class Upload(serializers.Field):
    default_error_messages = {"invalid": "Each file must be a multipart/form-data file upload."}

    def to_internal_value(self, data):
        if not isinstance(data, UploadedFile):
            self.fail("invalid")
        return data

    def to_representation(self, value):  # pragma: no cover - request only
        return getattr(value, "name", None)


class NoteFields(InputSerializer):
    heading = serializers.CharField(
        max_length=HEADING_MAX,
        help_text="Required on POST and PUT.",
        error_messages={
            "required": "The heading field is required.",
            "blank": "The heading field is required.",
            "null": "The heading field is required.",
            "max_length": f"The heading may not be greater than {HEADING_MAX} characters.",
        },
    )
    description = Text(max_length=DESCRIPTION_MAX, help_text="The note's text; an empty string is stored as null.")
    is_private = serializers.BooleanField(
        required=False, help_text="Private to its creator: to anyone else the note does not exist. Default false."
    )


class NoteWrite(NoteFields):
    """What a create or update validates: the fields, and the uploads gathered from every `files…` key."""

    files = serializers.ListField(child=Upload(), required=False)


class NoteMultipart(NoteFields):
    """The multipart/form-data body, as documented (the limits are in the operation's description)."""


NoteMultipart._declared_fields["files[]"] = serializers.ListField(
    child=Upload(), required=False, help_text="Attachments; repeat the part for each file (`files` is accepted too)."
)


def note_body(request) -> dict:
    """The request body as NoteWrite reads it: JSON as sent; a multipart body's attachments (under `files[]`,
    `files` or `files[N]`, in the order they arrived) as one `files` list."""
    data = request.data
    if not hasattr(data, "getlist"):
        return data
    body, files, sent_files = {}, [], False
    for key in data:
        values = data.getlist(key)
        if FILE_KEY.match(key):
            sent_files = True
            files.extend(values)
        else:
            body[key] = values[-1] if values else None
    if sent_files:
        body["files"] = files
    return body
