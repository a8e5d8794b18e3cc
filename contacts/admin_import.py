"""The back office's "Import contacts" page on the contacts list: upload, a dry-run preview (the counts, or the
table of every row error), then confirm. The same importer as the API (contacts.api.importer), as the staff member."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from contacts.api.importer import ImportRefused, import_contacts
from contacts.importing import staging
from contacts.importing.columns import COLUMNS, EXTENSIONS, MAX_KILOBYTES
from contacts.importing.template import CSV, XLSX, template_csv, template_xlsx
from core.api.errors import PaymentRequired
from core.api.permissions import NotDemoMode
from core.models import Business
from core.money import format_currency

COLUMN_NUMBER = {column.field: index for index, column in enumerate(COLUMNS, start=1)}


class ImportForm(forms.Form):
    business = forms.ModelChoiceField(queryset=Business.objects.order_by("name"), required=False)
    contacts_csv = forms.FileField(
        label="File",
        help_text=f"{', '.join(EXTENSIONS)}; at most {MAX_KILOBYTES} KB; the template's 27 columns, row 1 a header.",
    )

    def __init__(self, *args, superuser=False, **kwargs):
        super().__init__(*args, **kwargs)
        if superuser:
            self.fields["business"].required = True
        else:
            del self.fields["business"]


def error_table(errors: dict[str, list[str]]) -> list[dict]:
    rows = []
    for key, texts in errors.items():
        if key.startswith("rows."):
            _, number, field = key.split(".", 2)
            column = COLUMN_NUMBER.get(field)
            label = COLUMNS[column - 1].label if column else "All columns" if field == "columns" else field
            where = {"row": int(number), "column": column or "", "label": label}
        else:
            where = {"row": "", "column": "", "label": "File"}
        rows += [{**where, "message": text} for text in texts]
    return rows


class ContactImportAdminMixin:
    change_list_template = "admin/contacts/contact/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="contacts_contact_import"),
            path("import/template.<str:fmt>", view(self.import_template_view), name="contacts_contact_import_template"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def import_template_view(self, request, fmt):
        if not self.has_import_permission(request) or fmt not in ("xlsx", "csv"):
            raise PermissionDenied
        content, content_type = (template_xlsx(), XLSX) if fmt == "xlsx" else (template_csv(), CSV)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="contacts-import-template.{fmt}"'
        return response

    def _refusal(self, business) -> str | None:
        """What the API answers with 403 (demo mode) and 402 (package), said on the page instead."""
        if settings.ERP_DEMO_MODE:
            return NotDemoMode.message
        if settings.ERP_ENFORCE_PACKAGES and business.subscription_status != "active":
            return str(PaymentRequired.default_detail)
        return None

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import contacts",
            "columns": COLUMNS,
        }
        form = ImportForm(superuser=user.is_superuser)
        if request.method == "POST":
            token = request.POST.get("token")
            if token:
                return self._confirm(request, context, token)
            form = ImportForm(request.POST, request.FILES, superuser=user.is_superuser)
            if form.is_valid():
                business = form.cleaned_data.get("business") or user.business
                return self._preview(request, context, form, business)
        return TemplateResponse(request, "admin/contacts/contact/import.html", {**context, "form": form})

    def _preview(self, request, context, form, business):
        upload = form.cleaned_data["contacts_csv"]
        context = {**context, "form": form, "business": business, "file_name": upload.name}
        refusal = self._refusal(business)
        if refusal:
            return TemplateResponse(request, "admin/contacts/contact/import.html", {**context, "refusal": refusal})
        try:
            summary = import_contacts(business=business, user=request.user, upload=upload, dry_run=True)
        except ImportRefused as exc:
            context.update(refused=exc.message, errors=error_table(exc.errors), forbidden=exc.forbidden)
            return TemplateResponse(request, "admin/contacts/contact/import.html", context)
        token = staging.stage(upload, business_id=business.pk, user_id=request.user.pk)
        per_type = [
            (kind, count, format_currency(summary.opening_balance_by_type[kind], business))
            for kind, count in summary.by_type.items()
        ]
        total = format_currency(summary.opening_balance_total, business)
        context.update(summary=summary, per_type=per_type, total=total, token=token, business_id=business.pk)
        return TemplateResponse(request, "admin/contacts/contact/import.html", context)

    def _confirm(self, request, context, token):
        user = request.user
        business = self._business_of_token(request)
        if business is None:
            raise PermissionDenied
        changelist = reverse("admin:contacts_contact_changelist")
        if "cancel" in request.POST:
            staging.discard(token, business_id=business.pk, user_id=user.pk)
            messages.info(request, "The import was cancelled; nothing was written.")
            return HttpResponseRedirect(changelist)
        refusal = self._refusal(business)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(changelist)
        try:
            staged, original = staging.open_staged(token, business_id=business.pk, user_id=user.pk)
        except staging.StagedFileMissing as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:contacts_contact_import"))
        try:
            with staged:
                summary = import_contacts(business=business, user=user, upload=staged)
        except ImportRefused as exc:
            # The data changed since the preview (a code taken meanwhile, say): show why, keep nothing.
            staging.discard(token, business_id=business.pk, user_id=user.pk)
            context.update(
                form=ImportForm(superuser=user.is_superuser),
                file_name=original,
                refused=exc.message,
                errors=error_table(exc.errors),
                forbidden=exc.forbidden,
            )
            return TemplateResponse(request, "admin/contacts/contact/import.html", context)
        staging.discard(token, business_id=business.pk, user_id=user.pk)
        messages.success(
            request,
            f"Imported {summary.imported} contacts from {original} "
            f"({', '.join(f'{n} {kind}' for kind, n in summary.by_type.items())}); "
            f"{summary.opening_balances} opening balances.",
        )
        return HttpResponseRedirect(changelist)

    def _business_of_token(self, request):
        if not request.user.is_superuser:
            return request.user.business
        return Business.objects.filter(pk=request.POST.get("business_id")).first()
