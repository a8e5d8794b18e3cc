"""The back office's "Send statement" action on contacts: a period, a format, a subject and a body for the
selected contacts, each sent through the same task as POST /contacts/{id}/ledger/send."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from core.api.permissions import NotDemoMode
from core.dates import now_in
from ledger.services.statements import DEFAULT_BODY, DEFAULT_SUBJECT, StatementMail, StatementNotSent, addresses_of
from ledger.statement import FORMATS
from ledger.statement_pdf import TITLES
from ledger.tasks import send_statement_task


class SendStatementForm(forms.Form):
    start_date = forms.DateField(help_text="First day of the period (YYYY-MM-DD).")
    end_date = forms.DateField(help_text="Last day of the period.")
    ledger_format = forms.ChoiceField(choices=[(f, f"{f}: {TITLES[f]}") for f in FORMATS], initial="format_1")
    subject = forms.CharField(max_length=255, initial=DEFAULT_SUBJECT)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        initial=DEFAULT_BODY,
        max_length=20000,
        help_text="{balance_due}, {contact_name}, {business_name}, {start_date} and {end_date} are replaced.",
    )

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return data


def last_month(business) -> tuple[datetime.date, datetime.date]:
    first_of_this = now_in(business).date().replace(day=1)
    end = first_of_this - datetime.timedelta(days=1)
    return end.replace(day=1), end


@admin.action(description="Send statement", permissions=["view"])
def send_statement(modeladmin, request, queryset):
    if settings.ERP_DEMO_MODE:
        modeladmin.message_user(request, NotDemoMode.message, messages.ERROR)
        return None
    contacts = list(queryset.select_related("business").order_by("id"))
    business = contacts[0].business
    if "apply" in request.POST:
        form = SendStatementForm(request.POST)
        if form.is_valid():
            _send(modeladmin, request, contacts, form.cleaned_data)
            return None
    else:
        start, end = last_month(business)
        form = SendStatementForm(initial={"start_date": start, "end_date": end})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Send statement",
        "opts": modeladmin.model._meta,
        "form": form,
        "contacts": [(c, addresses_of(c.email)) for c in contacts],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/ledger/send_statement.html", context)


def _send(modeladmin, request, contacts, data):
    done, skipped, failed = [], [], []
    for contact in contacts:
        addresses = addresses_of(contact.email)
        if not addresses:
            skipped.append(contact.name)
            continue
        mail = StatementMail(
            contact_id=contact.pk,
            ledger_format=data["ledger_format"],
            start_date=data["start_date"].isoformat(),
            end_date=data["end_date"].isoformat(),
            to=addresses,
            subject=data["subject"],
            body=data["body"],
        )
        try:
            send_statement_task.delay(business_id=contact.business_id, user_id=request.user.pk, **mail.as_task_kwargs())
        except StatementNotSent as exc:
            failed.append(f"{contact.name}: {exc.message}")
            continue
        done.append(contact.name)
    verb = "sent" if settings.CELERY_TASK_ALWAYS_EAGER else "queued"
    if done:
        modeladmin.message_user(request, f"Statement {verb} to {len(done)} contact(s): {', '.join(done)}.")
    if skipped:
        modeladmin.message_user(request, f"No valid e-mail address, not sent: {', '.join(skipped)}.", messages.WARNING)
    for failure in failed:
        modeladmin.message_user(request, failure, messages.ERROR)
