"""The contact in the back office, as the ledger knows it: what each contact owes (or is owed) in the contacts
list, with a filter and the list's total; on the contact's page the balance, the recent ledger, the last documents
and payments. The numbers come from the same engine as GET /contacts/{id}/balance and the ledger."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from itertools import islice

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from contacts.admin import CONTACT_PANELS, ContactAdmin
from contacts.models import Contact
from core.admin_display import EMPTY, money, money_field
from core.payment_methods import method_label
from ledger.admin_statements import last_month, send_statement
from ledger.contact_ledger import due_totals, dues_of_contacts, owing_contacts_sql
from ledger.models import Transaction, TransactionPayment
from ledger.selectors import _overdue, contact_balance, visible_documents
from ledger.statement import FORMATS, ContactStatement
from ledger.statement_pdf import TITLES, render_statement_pdf, statement_filename

LEDGER_DAYS, LEDGER_LINES = 90, 200
RECENT = 8
DOCUMENT_PAGES = {"sell": "selldocument", "purchase": "purchasedocument"}


def document_url(document) -> str:
    return reverse(f"admin:ledger_{DOCUMENT_PAGES.get(document.type, 'transaction')}_change", args=[document.pk])


class ContactChangeList(ChangeList):
    """The page's contacts with their `due`, read for the whole page in one query per business."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        pages = defaultdict(list)
        for contact in self.result_list:
            pages[contact.business].append(contact.pk)
        dues = {}
        for business, ids in pages.items():
            dues.update(dues_of_contacts(business, ids))
        for contact in self.result_list:
            contact.due = dues.get(contact.pk, Decimal(0))  # no ledger rows: nothing due


class OwedFilter(admin.SimpleListFilter):
    title = "money owed"
    parameter_name = "owed"

    def lookups(self, request, model_admin):
        return (
            ("due", "Has a balance due"),
            ("overdue", "Has overdue documents"),
        )

    def queryset(self, request, queryset):
        business = getattr(request.user, "business", None)
        if self.value() == "due" and business is not None:
            sql, params = owing_contacts_sql(business)
            return queryset.filter(pk__in=RawSQL(sql, params))
        if self.value() == "overdue":
            overdue = Transaction.objects.filter(_overdue(), contact_id=OuterRef("pk")).counting_toward_dues()
            return queryset.filter(Exists(overdue))
        return queryset


class ContactWithLedgerAdmin(ContactAdmin):
    list_display = (*ContactAdmin.list_display, "due_money")
    list_filter = (*ContactAdmin.list_filter[:3], OwedFilter, *ContactAdmin.list_filter[3:])
    due_money = money_field("due", "due", ordering=False)
    actions = [*(ContactAdmin.actions or ()), send_statement]

    def get_changelist(self, request, **kwargs):
        return ContactChangeList

    # --- the statement, from the contact's page: the PDF download and Send statement for this contact -------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/statement.pdf", view(self.statement_pdf), name="contacts_contact_statement_pdf"),
            path("<path:object_id>/send-statement/", view(self.send_one), name="contacts_contact_send_statement"),
            *super().get_urls(),
        ]

    def _visible_contact(self, request, object_id):
        contact = self.get_object(request, object_id)  # within the staff member's business and view_own scope
        if contact is None:
            raise Http404("No such contact")
        if not self.has_view_permission(request, contact):
            raise PermissionDenied
        return contact

    def statement_pdf(self, request, object_id):
        """The statement PDF of a period, as GET /contacts/{id}/ledger/pdf makes it (the same engine and layout)."""
        contact = self._visible_contact(request, object_id)
        form = StatementPeriodForm(request.GET)
        if not form.is_valid():
            self.message_user(request, f"Statement not made: {form.errors.as_text()}", level="ERROR")
            return HttpResponseRedirect(reverse("admin:contacts_contact_change", args=[contact.pk]))
        data = form.cleaned_data
        statement = ContactStatement(
            business=contact.business, contact=contact, start_date=data["start_date"], end_date=data["end_date"]
        )
        response = HttpResponse(render_statement_pdf(statement, data["ledger_format"]), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename={statement_filename(statement)}"
        return response

    def send_one(self, request, object_id):
        """Send statement for this contact: the changelist action's form and task, for one contact."""
        contact = self._visible_contact(request, object_id)
        answer = send_statement(self, request, Contact.objects.filter(pk=contact.pk))
        return answer or HttpResponseRedirect(reverse("admin:contacts_contact_change", args=[contact.pk]))

    def changelist_totals(self, request, queryset):
        business = getattr(request.user, "business", None)
        if business is None:
            return []
        receivable, payable = due_totals(business, queryset)
        return [
            ("Customers listed owe", money(receivable, business)),
            ("Owed to the suppliers listed", money(payable, business)),
        ]


# --- the contact page's panels ------------------------------------------------------------------------------------


def _figure(label, value) -> tuple:
    return (label, value)


def balance_panel(request, contact):
    business = contact.business
    parts = contact_balance(contact)
    due = parts["due"]
    supplier = contact.type == Contact.Type.SUPPLIER
    if due < 0:
        due_label = "We owe them (credit they hold)" if not supplier else "They owe us (we overpaid)"
    else:
        due_label = "We owe them" if supplier else "They owe us"
    documents = Transaction.objects.filter(contact=contact).counting_toward_dues().exclude(type="ledger_discount")
    open_documents = documents.filter(payment_status__in=("due", "partial")).count()
    overdue = documents.filter(_overdue()).count()
    figures = [
        _figure(due_label, money(abs(due), business)),
        _figure("Advance balance", money(parts["advance_balance"], business)),
        _figure("Credit limit", money(contact.credit_limit, business) if contact.credit_limit else "none"),
        _figure("Open documents", format_html('<span class="number-big">{}</span>', open_documents)),
        _figure("Overdue", format_html('<span class="number-big">{}</span>', overdue)),
    ]
    body = format_html(
        '<div class="figures">{}</div>',
        format_html_join("", '<div class="figure"><span class="label">{}</span>{}</div>', figures),
    )
    return {"key": "balance", "title": "Balance", "body": body}


def _documents_of(request, contact):
    if request.user.is_superuser:
        return Transaction.objects.filter(contact=contact)
    return visible_documents(
        request.user, "sell", "purchase", "sell_return", "purchase_return", "opening_balance", "ledger_discount"
    ).filter(contact=contact)


def documents_panel(request, contact):
    documents = list(
        _documents_of(request, contact)
        .exclude(status__in=("draft", "quotation"))
        .with_paid()
        .select_related("business", "location")
        .order_by("-transaction_date", "-id")[:RECENT]
    )
    if not documents:
        return {
            "key": "documents",
            "title": "Last documents",
            "body": mark_safe('<p class="empty">None yet.</p>'),
        }
    rows = format_html_join(
        "",
        '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                timezone.localtime(d.transaction_date).date(),
                document_url(d),
                d.invoice_no or d.ref_no or d.pk,
                d.get_type_display(),
                d.get_payment_status_display() if d.payment_status else EMPTY,
                money(d.final_total, d.business),
                money(d.total_due, d.business),
            )
            for d in documents
        ),
    )
    more = reverse("admin:ledger_transaction_changelist") + f"?contact__id__exact={contact.pk}"
    body = format_html(
        '<table><thead><tr><th>Date</th><th>Number</th><th>Type</th><th>Payment</th><th class="money">Total</th>'
        '<th class="money">Due</th></tr></thead><tbody>{}</tbody></table><p class="more"><a href="{}">All documents of '
        "this contact</a></p>",
        rows,
        more,
    )
    return {"key": "documents", "title": "Last documents", "body": body}


def payments_panel(request, contact):
    payments = list(
        TransactionPayment.objects.filter(payment_for=contact, parent__isnull=True)
        .select_related("business", "transaction")
        .order_by("-paid_on", "-id")[:RECENT]
    )
    if not payments:
        return {
            "key": "payments",
            "title": "Last payments",
            "body": mark_safe('<p class="empty">None yet.</p>'),
        }
    rows = format_html_join(
        "",
        '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                timezone.localtime(p.paid_on).date(),
                reverse("admin:ledger_transactionpayment_change", args=[p.pk]),
                p.payment_ref_no or p.pk,
                method_label(p.method, p.business) + (" (reverse)" if p.is_reverse else ""),
                (p.transaction.invoice_no or p.transaction.ref_no) if p.transaction else "several documents",
                money(p.amount, p.business),
            )
            for p in payments
        ),
    )
    more = reverse("admin:ledger_transactionpayment_changelist") + f"?payment_for__id__exact={contact.pk}"
    body = format_html(
        '<table><thead><tr><th>Date</th><th>Reference</th><th>Method</th><th>For</th><th class="money">Amount</th>'
        '</tr></thead><tbody>{}</tbody></table><p class="more"><a href="{}">All payments of this contact</a></p>',
        rows,
        more,
    )
    return {"key": "payments", "title": "Last payments", "body": body}


def ledger_panel(request, contact):
    business = contact.business
    today = timezone.localdate()
    statement = ContactStatement(
        business=business, contact=contact, start_date=today - timedelta(days=LEDGER_DAYS), end_date=today
    )
    lines = [statement.opening_line(), *islice(statement.period_lines(), LEDGER_LINES)]
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                line["date"][:10],
                line["ref_no"] or "",
                line["type"],
                money(line["debit"], business) if line["debit"] else "",
                money(line["credit"], business) if line["credit"] else "",
                format_html('<span class="money">{}</span>', line["balance"]),
            )
            for line in lines
        ),
    )
    body = format_html(
        '<table><thead><tr><th>Date</th><th>Reference</th><th>Type</th><th class="money">Debit</th>'
        '<th class="money">Credit</th><th class="money">Balance</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )
    return {"key": "ledger", "title": f"Ledger, last {LEDGER_DAYS} days", "body": body, "wide": True}


class StatementPeriodForm(forms.Form):
    start_date = forms.DateField()
    end_date = forms.DateField()
    ledger_format = forms.ChoiceField(choices=[(f, f) for f in FORMATS])

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return data


def statement_panel(request, contact):
    """The statement of last month and of this year so far, in each layout, and Send statement."""
    today = timezone.localdate()
    start, end = last_month(contact.business)
    periods = [("Last month", start, end), ("This year so far", today.replace(month=1, day=1), today)]
    url = reverse("admin:contacts_contact_statement_pdf", args=[contact.pk])
    rows = format_html_join(
        "",
        "<tr><td>{} ({} – {})</td><td>{}</td></tr>",
        (
            (
                label,
                first.isoformat(),
                last.isoformat(),
                format_html_join(
                    " · ",
                    '<a href="{}?start_date={}&amp;end_date={}&amp;ledger_format={}" title="{}">{}</a>',
                    ((url, first.isoformat(), last.isoformat(), f, TITLES[f], f.replace("_", " ")) for f in FORMATS),
                ),
            )
            for label, first, last in periods
        ),
    )
    send = reverse("admin:contacts_contact_send_statement", args=[contact.pk])
    body = format_html(
        "<table><thead><tr><th>Period</th><th>Download the PDF</th></tr></thead><tbody>{}</tbody></table>"
        '<p style="margin: 8px"><a class="button" href="{}">Send statement…</a></p>',
        rows,
        send,
    )
    return {"key": "statement", "title": "Statement", "body": body}


CONTACT_PANELS.extend(
    [(10, balance_panel), (20, documents_panel), (30, payments_panel), (85, statement_panel), (90, ledger_panel)]
)

admin.site.unregister(Contact)
admin.site.register(Contact, ContactWithLedgerAdmin)
