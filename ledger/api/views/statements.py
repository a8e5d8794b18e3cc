"""Statements: the contact ledger as a PDF download, and Send ledger (the PDF e-mailed through the task queue)."""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from contacts.models import Contact
from contacts.permissions import CONTACT_READ, ContactVisible
from core.api.permissions import NotDemoMode
from core.api.schema import MessageBody, errors
from core.api.views import IntegrationViewSet
from core.exceptions import BusinessRuleViolation
from ledger.api import statement_serializers as s
from ledger.api.views.money import CONTACT_ID
from ledger.services.statements import StatementMail, StatementNotSent
from ledger.statement import ContactStatement
from ledger.statement_pdf import render_statement_pdf, statement_filename
from ledger.tasks import send_statement_task

READ = [CONTACT_READ, ContactVisible()]
SENT = "Ledger sent successfully"
QUEUED = "Ledger queued to be sent"


@extend_schema(tags=["Contact money"])
class ContactStatementViewSet(IntegrationViewSet):
    queryset = Contact.objects.none()
    rules = {"pdf": READ, "send": [NotDemoMode(), *READ]}

    def get_queryset(self):
        return Contact.objects.for_business(self.business)

    @extend_schema(
        summary="Download contact ledger as PDF",
        description="Beyond the reference: the ledger of [start_date, end_date] as the PDF that Send ledger attaches, "
        "from the same engine as Get contact ledger (its lines, totals and closing balance), in the layout of "
        "`ledger_format`: format_1 lines and summary, format_2 open documents and aging, format_3 lines with "
        "products under each sell and purchase and the running balance, format_4 the partner ledger in landscape "
        "with aging. Every page carries the business and the contact, the period, the location and a page number; "
        "amounts are in the business currency format and dates in its date format. Downloaded as "
        "`ledger-<contact code>-<start_date>-<end_date>.pdf` (the contact's id when it has no code).",
        parameters=[CONTACT_ID, s.LedgerPdfQuery],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The statement, as a PDF."),
            **errors(403, 404, 422),
        },
    )
    def pdf(self, request, pk):
        contact = self.get_object()
        query = self.validated_query(s.LedgerPdfQuery)
        statement = ContactStatement(
            business=self.business,
            contact=contact,
            start_date=query["start_date"],
            end_date=query["end_date"],
            location_id=query["location_id"].pk if query.get("location_id") else None,
        )
        response = HttpResponse(render_statement_pdf(statement, query["ledger_format"]), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename={statement_filename(statement)}"
        return response

    @extend_schema(
        summary="Send contact ledger",
        description="Builds the ledger PDF of the period (as Download contact ledger as PDF) and e-mails it to "
        "`to_email` (one or several comma-separated addresses), with `cc` and `bcc`, through the configured mail "
        "server (`EMAIL_URL`, from `DEFAULT_FROM_EMAIL`); the body goes as text and as HTML with its line breaks. "
        "`{balance_due}` in the subject and body becomes the period's balance due in the business currency format "
        "(also `{contact_name}`, `{business_name}`, `{start_date}`, `{end_date}`). Each statement sent logs a "
        "`statement_sent` activity on the contact with the recipients, format, period and the SHA-256 of the PDF. "
        "Without a task broker (the default) the mail is sent before the answer and a mail server failure is a "
        '422 `{"message"}`; with a broker the answer comes as soon as the mail is queued, and a worker sends it, '
        "retrying temporary failures with exponential backoff.",
        parameters=[CONTACT_ID],
        request=s.LedgerSendWrite,
        responses={
            200: OpenApiResponse(MessageBody, description="The ledger e-mail was sent (or queued, with a worker)."),
            **errors(
                403,
                404,
                422,
                e403='Demo mode, or the user cannot read this contact\'s ledger: `{"message": string}`.',
                e422="Validation failed (every address is checked; the error names its field), or the mail server "
                'failed: `{"message": "The statement could not be sent: ..."}`.',
            ),
        },
    )
    def send(self, request, pk):
        contact = self.get_object()
        data = self.validated_body(s.LedgerSendWrite)
        mail = StatementMail(
            contact_id=contact.pk,
            ledger_format=data["ledger_format"],
            start_date=data["start_date"].isoformat(),
            end_date=data["end_date"].isoformat(),
            to=data["to_email"],
            cc=data.get("cc") or [],
            bcc=data.get("bcc") or [],
            subject=data["subject"],
            body=data["email_body"],
            location_id=data["location_id"].pk if data.get("location_id") else None,
        )
        try:
            send_statement_task.delay(business_id=self.business.pk, user_id=request.user.pk, **mail.as_task_kwargs())
        except StatementNotSent as exc:
            raise BusinessRuleViolation(exc.message) from exc
        return self.message_response(SENT if settings.CELERY_TASK_ALWAYS_EAGER else QUEUED)
