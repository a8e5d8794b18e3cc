"""POST /contacts/import and GET /contacts/import/template."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contacts.api.importer import ImportRefused, import_contacts
from contacts.importing.columns import MAX_KILOBYTES
from contacts.importing.template import CSV, XLSX, template_csv, template_xlsx
from core.api.errors import UNAUTHORIZED
from core.api.fields import Money
from core.api.permissions import NotDemoMode, PackageActive, Perm
from core.api.query import QuerySerializer
from core.api.schema import ErrorBody, envelope, errors
from core.api.serializers import InputSerializer
from core.api.views import IntegrationViewSet
from core.exceptions import BusinessRuleViolation

IMPORTED = "Contacts imported successfully"


class ContactImportRequest(InputSerializer):
    contacts_csv = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text=f"csv, txt, xls, xlsx or ods, at most {MAX_KILOBYTES} KB, in the template's 27 columns.",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="true: check every row and answer what would be imported (200); nothing is written."
    )


class TemplateQuery(QuerySerializer):
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx", help_text="`xlsx` (default) or `csv`.")


class PerType(serializers.Serializer):
    customer = serializers.IntegerField()
    supplier = serializers.IntegerField()
    both = serializers.IntegerField()


class MoneyPerType(serializers.Serializer):
    customer = Money()
    supplier = Money()
    both = Money()


class ContactImportResult(serializers.Serializer):
    imported = serializers.IntegerField(help_text="Contacts created (0 on a dry run).")
    dry_run = serializers.BooleanField()
    contacts = serializers.IntegerField(help_text="Contacts the file holds (what was, or would be, imported).")
    by_type = PerType(help_text="Those contacts per type.")
    opening_balances = serializers.IntegerField(help_text="Opening-balance documents created (or to create).")
    opening_balance_total = Money(help_text="Σ of the opening balances, all types.")
    opening_balance_by_type = MoneyPerType(
        help_text="Σ per type: receivable for customers and both, payable for suppliers."
    )


class ForbiddenRowsBody(ErrorBody):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With rows of a type the user may not create: `rows.<N>.type` per such row.",
    )


ImportResponse = envelope("ContactImportResponse", message=serializers.CharField(), data=ContactImportResult())


@extend_schema(tags=["Contacts"])
class ContactImportViewSet(IntegrationViewSet):
    parser_classes = [MultiPartParser, FormParser]
    export_stem = "contacts-import"
    rules = {
        "create": [NotDemoMode(), PackageActive(), Perm("customer.create", "supplier.create")],
        "template": Perm("customer.create", "supplier.create"),
    }

    @extend_schema(
        summary="Import contacts",
        description="Imports contacts from the template's spreadsheet (`GET /contacts/import/template`): csv or txt "
        "(UTF-8 with or without BOM, else Windows-1252; delimiter `,` `;` or tab, sniffed), xls, xlsx or ods (the "
        "first visible sheet). Row 1 is the header (it must have the template's 27 columns) and is skipped; fully "
        "empty rows are ignored; row N of the messages is spreadsheet row N + 1. A number the spreadsheet stores as "
        "a float is read as the column means it (`1.0` → type 1, `99999.0` → code 99999, 15 significant digits for "
        "amounts), a date cell as `Y-m-d`.\n\n"
        "Every row is checked before anything is written, with the rules of Add contact (the same validation) and "
        "the reference's importer, and **every** error is reported: 422 with `errors` keyed `rows.<N>.<field>` "
        "(`rows.<N>.columns` for a row that is not 27 columns wide), messages such as "
        "`Invalid email id in row no. 3`; then nothing is written. A file that cannot be read is 422 on "
        "`contacts_csv`. The type column takes 1 (customer), 2 (supplier) or 3 (both); pay term and its period "
        "(days/months, any case) are required for suppliers and both; the credit limit is ignored on supplier rows; "
        "`contact_id` must be free in the business and appear once in the file (blank: generated as CO0001…).\n\n"
        "Each row needs the create right of its type (`customer.create`, `supplier.create`, both for `both`): a "
        "file with rows the user may not create is 403 with those rows under `errors`.\n\n"
        "A valid file is written in one database transaction: the contacts, one `imported` activity per contact, "
        "and an opening-balance document for each non-zero opening balance (what a customer or both owes us, what "
        "we owe a supplier). Two imports racing for the same `contact_id`: one succeeds, the other is 422.\n\n"
        "`dry_run=true` runs every check (and the same 403/422) and answers 200 with what would be imported; "
        "nothing is written.",
        request={"multipart/form-data": ContactImportRequest},
        responses={
            201: OpenApiResponse(ImportResponse, description="Imported: `data.imported` contacts."),
            200: OpenApiResponse(ImportResponse, description="`dry_run=true`: what would be imported."),
            **errors(402, 422),
            403: OpenApiResponse(ForbiddenRowsBody, description="Demo mode, or a missing create right."),
        },
    )
    def create(self, request):
        body = self.validated_body(ContactImportRequest)
        try:
            summary = import_contacts(
                business=self.business, user=request.user, upload=body.get("contacts_csv"), dry_run=body["dry_run"]
            )
        except ImportRefused as exc:
            if exc.forbidden:
                return Response({"message": UNAUTHORIZED, "errors": exc.errors}, status=403)
            raise BusinessRuleViolation(exc.message, exc.errors) from None
        if summary.dry_run:
            message = f"Dry run: {summary.contacts} contacts would be imported; nothing was written."
            return self.message_response(message, summary.as_dict())
        return self.message_response(IMPORTED, summary.as_dict(), status=201)

    @extend_schema(
        summary="Download the contact import template",
        description="The 27-column template: the header row and two example rows (valid, so a filled template "
        "imports as it is). xlsx: a note on every header cell with the column's meaning and allowed values, code "
        "and phone columns formatted as text, lists for the type and the pay-term period. csv: UTF-8 with BOM.",
        parameters=[TemplateQuery],
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx (default)."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="format=csv."),
            **errors(403),
        },
    )
    def template(self, request):
        query = self.validated_query(TemplateQuery)
        fmt = query["format"]
        content, content_type = (template_xlsx(), XLSX) if fmt == "xlsx" else (template_csv(), CSV)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="contacts-import-template.{fmt}"'
        return response
