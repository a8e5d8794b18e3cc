"""Sending a contact's statement by e-mail: the ledger PDF built from the ledger engine, attached to a message
sent through Django's e-mail framework (EMAIL_URL), and an activity on the contact recording what was sent."""

import datetime
import hashlib
import smtplib
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.utils.html import escape, linebreaks

from contacts.models import Contact
from core.dates import business_date_text
from core.money import db_decimal, format_currency
from core.services.activity import log_activity
from ledger.statement import ContactStatement
from ledger.statement_pdf import render_statement_pdf, statement_filename

PLACEHOLDERS = ("balance_due", "contact_name", "business_name", "start_date", "end_date")


class StatementNotSent(Exception):
    """The mail server refused or could not be reached: the statement was not sent."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.message, self.transient = message, transient


@dataclass
class StatementMail:
    """What to send: the JSON-safe arguments of the send task (dates as Y-m-d)."""

    contact_id: int
    ledger_format: str
    start_date: str
    end_date: str
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    location_id: int | None = None

    def as_task_kwargs(self) -> dict:
        return asdict(self)


def substitute(text: str, values: dict[str, str]) -> str:
    """`{balance_due}` and the other placeholders replaced; any other brace is left as it is."""
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", values[name])
    return text


def is_transient(exc: BaseException) -> bool:
    """A failure worth trying again later: the server could not be reached, dropped the connection, or answered
    with a 4xx (temporary) reply. 5xx replies and refused credentials are permanent."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def send_statement(*, business, user, mail: StatementMail):
    """Render, send and log one statement. Raises StatementNotSent when the mail server fails (nothing is logged
    then); returns the activity recording the recipients, format, period and the PDF's SHA-256."""
    contact = Contact.objects.for_business(business).get(pk=mail.contact_id)
    start, end = datetime.date.fromisoformat(mail.start_date), datetime.date.fromisoformat(mail.end_date)
    statement = ContactStatement(
        business=business, contact=contact, start_date=start, end_date=end, location_id=mail.location_id
    )
    pdf = render_statement_pdf(statement, mail.ledger_format)
    values = {
        "balance_due": format_currency(statement.due(statement.totals.closing), business),
        "contact_name": contact.name,
        "business_name": business.name,
        "start_date": business_date_text(start, business),
        "end_date": business_date_text(end, business),
    }
    text = substitute(mail.body, values)
    message = EmailMultiAlternatives(
        subject=substitute(mail.subject, values),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.to,
        cc=mail.cc,
        bcc=mail.bcc,
    )
    message.attach_alternative(linebreaks(escape(text)), "text/html")
    filename = statement_filename(statement)
    message.attach(filename, pdf, "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise StatementNotSent(
            f"The statement could not be sent: the mail server failed ({exc.__class__.__name__}: {exc}).",
            transient=is_transient(exc),
        ) from exc
    with transaction.atomic():
        return log_activity(
            business=business,
            subject=contact,
            causer=user,
            description="statement sent",
            event="statement_sent",
            extra={
                "recipients": {"to": mail.to, "cc": mail.cc, "bcc": mail.bcc},
                "subject": message.subject,
                "format": mail.ledger_format,
                "period": {"start_date": mail.start_date, "end_date": mail.end_date},
                "location_id": mail.location_id,
                "filename": filename,
                "pdf_bytes": len(pdf),
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            },
        )


# --- bulk: the customers a statement run goes to ---------------------------------------------------------------

DEFAULT_SUBJECT = "Statement of account {start_date} – {end_date}"
DEFAULT_BODY = (
    "Dear {contact_name},\n\nplease find attached your statement of account for {start_date} to {end_date}.\n"
    "Balance due: {balance_due}.\n\nKind regards,\n{business_name}"
)


def customer_balances_due(business, end_date: datetime.date, contact_ids=None) -> list[tuple[Contact, Decimal]]:
    """Every customer (and customer-and-supplier) of the business with the balance due at the end of end_date, in
    their direction (positive: they owe us), from one grouped query over the same rows as every contact's ledger."""
    from django.db import connection

    from core.dates import day_bounds
    from core.sql import db_datetimes
    from ledger.contact_ledger import business_union_sql

    _, upper = day_bounds(business, end_date, end_date)
    union, params = business_union_sql(business)
    sql = (
        f"SELECT u.r_contact_id, SUM(u.r_credit - u.r_debit) FROM ({union}) u "
        "WHERE u.r_date < %s GROUP BY u.r_contact_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *db_datetimes(upper)])
        closing = {contact_id: db_decimal(total) for contact_id, total in cursor.fetchall()}
    contacts = Contact.objects.for_business(business).filter(type__in=(Contact.Type.CUSTOMER, Contact.Type.BOTH))
    if contact_ids:
        contacts = contacts.filter(pk__in=contact_ids)
    zero = Decimal(0)
    return [(contact, -closing.get(contact.pk, zero) or zero) for contact in contacts.order_by("id")]


def addresses_of(email: str | None) -> list[str] | None:
    """The contact's e-mail field as a list of valid addresses (comma-separated), [] when empty, None if invalid."""
    addresses = [part.strip() for part in (email or "").replace(";", ",").split(",") if part.strip()]
    try:
        for address in addresses:
            validate_email(address)
    except ValidationError:
        return None
    return addresses
