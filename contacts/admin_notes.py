"""Documents and notes in the back office: shown on the contact's page (private ones to their creator only),
their files downloaded through the same visibility check as the API, and notes added with files through the
same service."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from contacts import selectors, services
from contacts.models import DocumentNote
from core.admin_base import ReadOnlyTabular
from core.files import download_response
from core.uploads import LimitedUploadHandler


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): the cleaned value is a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        # size and count are the service's checks, for every caller alike; here only "is it a file"
        return [forms.FileField.to_python(self, f) for f in files]


class NoteForm(forms.Form):
    heading = forms.CharField(max_length=191)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=65_535)
    is_private = forms.BooleanField(required=False, help_text="Visible to you only.")
    files = MultipleFileField(
        required=False,
        help_text=f"Up to {settings.ERP_NOTE_MAX_FILES} files, each at most {settings.ERP_NOTE_MAX_FILE_SIZE:,} bytes.",
    )


class DocumentNoteInline(ReadOnlyTabular):
    model = DocumentNote
    fields = readonly_fields = ("heading", "description", "is_private", "created_by", "created_at", "files")
    ordering = ("-id",)
    verbose_name_plural = "documents and notes"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("created_by")
            .prefetch_related("media")
        )

    @admin.display(description="files")
    def files(self, note):
        links = (
            (
                reverse("admin:contacts_contact_note_media", args=(note.contact_id, note.pk, m.pk)),
                m.display_name,
                m.size,
            )
            for m in note.media.all()
        )
        return format_html_join(", ", '<a href="{}">{}</a> ({} bytes)', links) or "-"


def _form_errors(form: NoteForm, error: ValidationError, files):
    """The service's `files` / `files.N` errors on the form's files field, naming the file."""
    for key, texts in error.message_dict.items():
        field, _, index = key.partition(".")
        if index:
            texts = [f"{files[int(index)].name}: {text}" for text in texts]
        form.add_error(field if field in form.fields else None, texts)


class NotesAdminMixin:
    """The routes of the contact admin for its notes."""

    change_form_template = "admin/contacts/contact/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/notes/add/", view(self.note_add_view), name="contacts_contact_note_add"),
            path(
                "<path:object_id>/notes/<int:note_id>/media/<int:media_id>/",
                view(self.note_media_view),
                name="contacts_contact_note_media",
            ),
            *super().get_urls(),
        ]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # a contact being added has no notes yet
        return inlines if obj is not None else [i for i in inlines if not isinstance(i, DocumentNoteInline)]

    def _contact(self, request, object_id, *, change: bool):
        if not self.has_view_permission(request):
            raise PermissionDenied  # no right to contacts at all: 403 before looking the row up
        contact = self.get_object(request, object_id)
        if contact is None:
            raise Http404
        allowed = self.has_change_permission(request, contact) if change else self.has_view_permission(request, contact)
        if not allowed:
            raise PermissionDenied
        return contact

    def note_media_view(self, request, object_id, note_id, media_id):
        contact = self._contact(request, object_id, change=False)
        media = selectors.visible_media(
            business=contact.business, user=request.user, contact=contact, note_id=note_id, media_id=media_id
        )
        if media is None:
            raise Http404
        return download_response(
            media.file.storage, media.file.name, filename=media.display_name, content_type=media.mime_type
        )

    @csrf_exempt  # the upload handlers must be set before the CSRF check reads the body; checked just below
    def note_add_view(self, request, object_id):
        request.upload_handlers = [
            LimitedUploadHandler(
                request, max_files=settings.ERP_NOTE_MAX_FILES, max_file_size=settings.ERP_NOTE_MAX_FILE_SIZE
            )
        ]
        return csrf_protect(self._note_add)(request, object_id)

    def _note_add(self, request, object_id):
        contact = self._contact(request, object_id, change=True)
        form = NoteForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = {k: form.cleaned_data[k] for k in services.NOTE_FIELDS}
            data["description"] = data["description"] or None
            files = form.cleaned_data["files"]
            try:
                services.note_create(
                    business=contact.business, user=request.user, contact=contact, data=data, files=files
                )
            except ValidationError as exc:
                _form_errors(form, exc, files)
            else:
                messages.success(request, format_html("Note “{}” added.", data["heading"]))
                return HttpResponseRedirect(reverse("admin:contacts_contact_change", args=(contact.pk,)))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add a document or note to {contact}",
            "opts": self.model._meta,
            "original": contact,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/contacts/contact/note_form.html", context)
