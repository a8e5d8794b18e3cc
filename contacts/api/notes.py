"""Documents and notes of a contact (contacts-api.txt, RULES §11), with their files.

Reading needs the contact's read access (a contact outside a view_own scope is 403); writing needs update-level
access for the contact's type. A private note exists for its creator only: to anyone else it is 404 on every
route, its files included, and absent from lists and exports.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.storage import default_storage
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser

from contacts import selectors, services
from contacts.api import note_serializers as s
from contacts.api.filters import NoteFilter
from contacts.api.permissions import ContactTypeAllowed
from contacts.models import Contact, DocumentNote
from contacts.permissions import CONTACT_READ, ContactVisible
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.renderers import ExactJSONParser
from core.api.rows import RowShape
from core.api.schema import (
    DeletedId,
    ErrorBody,
    errors,
    list_responses,
    object_envelope,
    object_responses,
    page_envelope,
)
from core.api.views import IntegrationViewSet
from core.exceptions import BusinessRuleViolation
from core.files import download_response
from core.uploads import LimitedUploadHandler, UploadTooLarge

NOTE_SHAPE = RowShape(s.ContactDocumentNoteRow)
NoteResponse = object_envelope("ContactDocumentNoteResponse", s.ContactDocumentNoteRow)
NoteWriteResponse = object_envelope("ContactDocumentNoteWriteResponse", s.ContactDocumentNoteRow, message=True)
NoteDeletedResponse = object_envelope("ContactDocumentNoteDeletedResponse", DeletedId, message=True)
NoteListResponse = page_envelope(
    "ContactDocumentNoteListResponse",
    s.ContactDocumentNoteRow,
    meta_fields={"q": s.serializers.CharField(allow_null=True)},
)

CONTACT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id.")
NOTE_ID = OpenApiParameter("document_id", int, OpenApiParameter.PATH, description="Document/note id.")
MEDIA_ID = OpenApiParameter("media_id", int, OpenApiParameter.PATH, description="File (media) id.")
WRITE = [ContactTypeAllowed("update", body_type=False), ContactVisible()]
READ = [CONTACT_READ, ContactVisible()]
BODIES = {"application/json": s.NoteFields, "multipart/form-data": s.NoteMultipart}
FILES_TEXT = (
    "JSON (`heading`, `description`, `is_private`) or multipart/form-data with the same fields and files in "
    "`files[]` (also `files` or `files[0]`, `files[1]`…). At most `ERP_NOTE_MAX_FILES` files (10) per request, "
    "each 1 to `ERP_NOTE_MAX_FILE_SIZE` bytes (5,000,000): otherwise 422 naming `files` or `files.N`, and "
    "nothing is written (no note, no file). A body longer than the files and fields can take is 413. A file is "
    "stored under a generated name; its uploaded name, stripped of any directory part, is its `display_name`; "
    "its MIME type is sniffed from its content."
)
NOT_FOUND_TEXT = (
    "No such contact in the business, no such note on this contact, or a private note of another user "
    "(it does not exist for anyone but its creator)."
)
TOO_LARGE = {
    413: OpenApiResponse(
        ErrorBody, description='The body is longer than the files and fields it may carry: `{"message"}`.'
    )
}
ERROR_TEXT = {"e403": "The user may not read (or, for writes, update) this contact.", "e404": NOT_FOUND_TEXT}


@extend_schema(tags=["Documents and notes"])
class ContactNoteViewSet(IntegrationViewSet):
    queryset = Contact.objects.none()
    parser_classes = [ExactJSONParser, MultiPartParser]
    export_stem = "contact-documents-and-notes"
    rules = {
        "list": READ,
        "retrieve": READ,
        "download": READ,
        "create": WRITE,
        "update": WRITE,
        "destroy": WRITE,
        "media_destroy": WRITE,
    }
    filterset_classes = {"list": NoteFilter}

    def get_queryset(self):
        # what the rules read of the contact (its type, for update access), not its seventy columns
        return Contact.objects.for_business(self.business).only("id", "business_id", "type", "created_by_id")

    # --- uploads within limits ---------------------------------------------------------------------
    def initial(self, request, *args, **kwargs):
        if request.method in ("POST", "PUT", "PATCH"):
            limits = {"max_files": settings.ERP_NOTE_MAX_FILES, "max_file_size": settings.ERP_NOTE_MAX_FILE_SIZE}
            # before anything reads the body: the rules may
            request._request.upload_handlers = [LimitedUploadHandler(request._request, **limits)]
            json_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            multipart = request.content_type.startswith("multipart/")
            if not multipart and json_limit is not None and self._content_length(request) > json_limit:
                raise UploadTooLarge(
                    f"The request body is too large: at most {json_limit:,} bytes of JSON "
                    "(send files as multipart/form-data)."
                )
        super().initial(request, *args, **kwargs)

    @staticmethod
    def _content_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    def handle_exception(self, exc):
        # Django's own multipart limits, raised while the body is parsed, in the house envelope.
        if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
            exc = UploadTooLarge(
                f"The form fields are too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
                f"and {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields."
            )
        elif isinstance(exc, TooManyFilesSent):
            exc = ValidationError(
                {"files": [f"At most {settings.ERP_NOTE_MAX_FILES} files may be attached in one request."]}
            )
        return super().handle_exception(exc)

    # --- lookups ------------------------------------------------------------------------------------
    def get_object(self) -> Contact:
        """The path's contact (404 outside the business, 403 when the rules refuse it), looked up once."""
        if not hasattr(self, "_contact"):
            self._contact = super().get_object()
        return self._contact

    def note(self, contact) -> DocumentNote:
        note = selectors.visible_note(
            business=self.business, user=self.request.user, contact=contact, note_id=self.kwargs["document_id"]
        )
        if note is None:
            raise Http404
        return note

    def row_context(self) -> dict:
        # the rows are the notes of the path's contact: their file URLs are built from it
        return {**super().row_context(), "contact": self.get_object()}

    def row(self, note) -> dict:
        return NOTE_SHAPE.one(DocumentNote.objects.filter(pk=note.pk), self.row_context())

    def body(self, *, partial: bool) -> tuple[dict, list]:
        """The validated fields and the uploads (gathered from every `files…` key of a multipart body)."""
        serializer = s.NoteWrite(data=s.note_body(self.request), partial=partial, context={"business": self.business})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return data, data.pop("files", [])

    # --- routes -------------------------------------------------------------------------------------
    @extend_schema(
        summary="List contact documents and notes",
        description="The contact's notes the user may see: public ones, and their own private ones. Newest first. "
        "`q` matches heading, description or the numeric note id. csv and xlsx hold every matching row, with "
        "`media` JSON-encoded in its cell.",
        parameters=[CONTACT_ID, ListPageQuery],
        responses=list_responses(NoteListResponse, 403, 404, 422, **ERROR_TEXT),
    )
    def list(self, request, pk):
        contact = self.get_object()
        notes, query = self.filtered_list(
            selectors.contact_notes(business=self.business, user=request.user, contact=contact)
        )
        return self.page_response(
            notes, NOTE_SHAPE, query, stem=f"contact-{contact.pk}-documents-and-notes", meta={"q": query.get("q")}
        )

    @extend_schema(
        summary="Get contact document / note",
        parameters=[CONTACT_ID, NOTE_ID, ObjectFormatQuery],
        responses=object_responses(NoteResponse, 403, 404, **ERROR_TEXT),
    )
    def retrieve(self, request, pk, document_id):
        note = self.note(self.get_object())
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.row(note), query, stem=f"contact-document-note-{note.pk}")

    @extend_schema(
        summary="Add contact document / note",
        description=f"{FILES_TEXT} Logs `document_note_added` on the contact (a private note by id only).",
        parameters=[CONTACT_ID],
        request=BODIES,
        responses=object_responses(
            NoteWriteResponse,
            403,
            404,
            422,
            csv=False,
            status=201,
            **ERROR_TEXT,
        )
        | TOO_LARGE,
    )
    def create(self, request, pk):
        contact = self.get_object()
        data, files = self.body(partial=False)
        note = services.note_create(business=self.business, user=request.user, contact=contact, data=data, files=files)
        return self.object_response(self.row(note), message="Document/note added successfully", status=201)

    @extend_schema(
        summary="Update contact document / note",
        description=f"PATCH changes the fields sent; PUT requires `heading` and otherwise does the same (an omitted "
        f"`is_private` keeps its value, so a private note never turns public by omission). Files sent are "
        f"appended; existing ones stay (remove one with DELETE …/media/{{media_id}}). A body with no field and no "
        f"file is 422. {FILES_TEXT} Logs `document_note_edited` on the contact.",
        parameters=[CONTACT_ID, NOTE_ID],
        request=BODIES,
        responses=object_responses(
            NoteWriteResponse,
            403,
            404,
            422,
            csv=False,
            **ERROR_TEXT,
        )
        | TOO_LARGE,
    )
    def update(self, request, pk, document_id):
        note = self.note(self.get_object())
        data, files = self.body(partial=request.method == "PATCH")
        if not data and not files:
            raise BusinessRuleViolation("No valid fields to update")
        note = services.note_update(business=self.business, user=request.user, note=note, data=data, files=files)
        return self.object_response(self.row(note), message="Document/note updated successfully")

    @extend_schema(
        summary="Delete contact document / note",
        description="Deletes the note and its files (the stored files once the deletion is committed). Logs "
        "`document_note_deleted` on the contact.",
        parameters=[CONTACT_ID, NOTE_ID],
        responses={200: NoteDeletedResponse, **errors(403, 404, **ERROR_TEXT)},
    )
    def destroy(self, request, pk, document_id):
        note = self.note(self.get_object())
        deleted = services.note_delete(business=self.business, user=request.user, note=note)
        return self.message_response("Document/note deleted successfully", {"id": deleted})

    @extend_schema(
        summary="Download a note's file",
        description="Beyond the reference. The file of a note the user may see, always as an attachment "
        "(`Content-Disposition: attachment` with the display name, `X-Content-Type-Options: nosniff`), so an "
        "uploaded page never runs in the API's origin. Streamed from local storage; with S3 storage a 302 to a "
        "presigned URL valid `ERP_MEDIA_URL_TTL` seconds (default 300) that answers with the same disposition.",
        parameters=[CONTACT_ID, NOTE_ID, MEDIA_ID],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its sniffed MIME type as Content-Type."
            ),
            302: OpenApiResponse(description="S3 storage: `Location` is a presigned URL of the file."),
            **errors(403, 404, **ERROR_TEXT),
        },
    )
    def download(self, request, pk, document_id, media_id):
        media = self._media(media_id)
        return download_response(
            default_storage, media.file.name, filename=media.display_name, content_type=media.mime_type
        )

    @extend_schema(
        summary="Delete a note's file",
        description="Beyond the reference. Removes one attachment of a note the user may see (the stored file once "
        "the deletion is committed); the note stays. Logs `document_note_file_deleted` on the contact.",
        parameters=[CONTACT_ID, NOTE_ID, MEDIA_ID],
        responses={
            200: object_envelope("NoteMediaDeletedResponse", DeletedId, message=True),
            **errors(403, 404, **ERROR_TEXT),
        },
    )
    def media_destroy(self, request, pk, document_id, media_id):
        media = self._media(media_id)
        deleted = services.note_media_delete(business=self.business, user=request.user, media=media)
        return self.message_response("File deleted successfully", {"id": deleted})

    def _media(self, media_id):
        media = selectors.visible_media(
            business=self.business,
            user=self.request.user,
            contact=self.get_object(),
            note_id=self.kwargs["document_id"],
            media_id=media_id,
        )
        if media is None:
            raise Http404
        return media
