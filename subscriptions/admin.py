"""Subscriptions in the back office: the recurring parents with their status, next invoice date and generated
invoices; "Stop", "Resume" and "Generate due invoices now" call the same services as the API and the command."""

from django.contrib import admin, messages
from django.db.models import Count, F, IntegerField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from contacts.admin import CONTACT_PANELS
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin, ReadOnlyTabular
from core.admin_display import money
from core.dates import business_zone
from ledger.models import Transaction
from subscriptions import schedule
from subscriptions.generation import generate_due_invoices
from subscriptions.models import Subscription, SubscriptionPause, SubscriptionPeriod
from subscriptions.selectors import TERM_FIELDS, pause_of, schedule_preview, states_of
from subscriptions.services import subscription_resume, subscription_stop

PREVIEW_COUNT = 12


def _sell_link(document) -> str:
    if document is None:
        return "-"
    url = reverse("admin:ledger_selldocument_change", args=[document.pk])
    return format_html('<a href="{}">{}</a>', url, document.invoice_no or document.pk)


class GeneratedInvoiceInline(ReadOnlyTabular):
    model = Transaction
    fk_name = "recur_parent"
    verbose_name = "generated invoice"
    verbose_name_plural = "generated invoices"
    fields = readonly_fields = ("invoice", "transaction_date", "status", "payment_status", "total")
    ordering = ("transaction_date", "id")

    @admin.display(description="invoice")
    def invoice(self, obj):
        return _sell_link(obj)

    @admin.display(description="total")
    def total(self, obj):
        return money(obj.final_total, obj.business)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("business")


class PauseInline(ReadOnlyTabular):
    model = SubscriptionPause
    fk_name = "parent"
    verbose_name = "stop"
    verbose_name_plural = "stops (the periods that fell due in between were skipped)"
    fields = readonly_fields = ("stopped_on", "resumed_on")


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("running", "Running"), ("stopped", "Stopped"), ("finished", "Finished (repetitions used up)"))

    def queryset(self, request, queryset):
        finished = Q(recur_repetitions__gt=0, billed_count__gte=F("recur_repetitions"))
        if self.value() == "running":
            return queryset.filter(recur_stopped_on__isnull=True).exclude(finished)
        if self.value() == "stopped":
            return queryset.filter(recur_stopped_on__isnull=False)
        if self.value() == "finished":
            return queryset.filter(finished)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(BusinessScopedAdmin):
    module = "subscription"
    erp_permissions = {"view": ("sell.view", "direct_sell.access"), "change": ("sell.create",)}
    list_display = (
        "subscription_no",
        "parent_invoice",
        "contact",
        "cadence",
        "subscription_status",
        "next_invoice_date",
        "generated",
        "total_money",
    )
    list_filter = (StatusFilter, "recur_interval_type", "location")
    search_fields = ("subscription_no", "invoice_no", "contact__name")
    date_hierarchy = "transaction_date"
    list_select_related = ("contact", "location", "business")
    ordering = ("-transaction_date", "-id")
    actions = ("stop_selected", "resume_selected", "generate_now")
    fields = readonly_fields = (
        "subscription_no",
        "parent_invoice",
        "contact",
        "location",
        "transaction_date",
        "total",
        "cadence",
        "recur_repetitions",
        "subscription_status",
        "recur_stopped_on",
        "next_invoice_date",
        "upcoming_schedule",
    )
    inlines = [GeneratedInvoiceInline, PauseInline, ActivityTrailInline]

    def get_queryset(self, request):
        periods = SubscriptionPeriod.objects.filter(parent_id=OuterRef("pk")).values("parent_id").order_by()
        children = Transaction.objects.filter(recur_parent_id=OuterRef("pk")).values("recur_parent_id").order_by()
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                billed_count=Coalesce(Subquery(periods.annotate(n=Count("id")).values("n")), 0),
                last_sequence=Coalesce(Subquery(periods.annotate(m=Max("sequence")).values("m")), 0),
                generated_count=Coalesce(
                    Subquery(children.annotate(n=Count("id")).values("n"), output_field=IntegerField()), 0
                ),
            )
            .prefetch_related(
                Prefetch("subscription_pauses", queryset=SubscriptionPause.objects.order_by("stopped_on"))
            )
        )
        if not request.user.is_superuser:
            queryset = queryset.in_locations(request.user.permitted_location_ids())
        return queryset

    def has_add_permission(self, request, *args):
        return False  # a subscription is a sell with is_recurring, created through POST /sells

    def has_change_permission(self, request, obj=None):
        # Nothing on the page is edited; "change" is what the actions need.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # delete the sell itself (Sells), which puts its stock back

    # --- columns -------------------------------------------------------------------------------------------

    def _state(self, obj):
        """The row's schedule state from the queryset's annotations and prefetched stops (no query per row)."""
        if not hasattr(obj, "_schedule_state"):
            zone = business_zone(obj.business)
            row = {name: getattr(obj, name) for name in TERM_FIELDS}
            billed = {obj.pk: schedule.Billed(obj.billed_count, obj.last_sequence)}
            pauses = {obj.pk: [pause_of(p.stopped_on, p.resumed_on, zone) for p in obj.subscription_pauses.all()]}
            obj._schedule_state = states_of([row], obj.business, billed=billed, pauses=pauses)[obj.pk]
        return obj._schedule_state

    @admin.display(description="invoice", ordering="invoice_no")
    def parent_invoice(self, obj):
        return _sell_link(obj)

    @admin.display(description="cadence")
    def cadence(self, obj):
        return schedule.cadence_label(obj.recur_interval, obj.recur_interval_type, obj.subscription_repeat_on) or "-"

    @admin.display(description="status")
    def subscription_status(self, obj):
        if obj.recur_stopped_on is not None:
            return "Stopped"
        state = self._state(obj)
        if state.terms.limited and state.billed.count >= state.terms.repetitions:
            return "Finished"
        return "Running"

    @admin.display(description="next invoice")
    def next_invoice_date(self, obj):
        upcoming = self._state(obj).upcoming()
        return upcoming.date if upcoming else "-"

    @admin.display(description="generated", ordering="generated_count")
    def generated(self, obj):
        return obj.generated_count

    @admin.display(description="total", ordering="final_total")
    def total(self, obj):
        return money(obj.final_total, obj.business)

    total_money = total

    @admin.display(description=f"next {PREVIEW_COUNT} invoice dates")
    def upcoming_schedule(self, obj):
        preview = schedule_preview(obj, count=PREVIEW_COUNT)
        dates = format_html_join(", ", "{} ({})", ((p["date"], p["status"]) for p in preview["periods"]))
        skipped = format_html_join(
            "",
            "<li>Skipped: stopped {}, resumed {}: {} period(s), {} to {}</li>",
            (
                (r["stopped_on"], r["resumed_on"] or "not yet", r["count"], r["first_date"], r["last_date"])
                for r in preview["skipped_periods"]
            ),
        )
        return format_html("<p>{}</p><ul>{}</ul>", dates or "none", skipped)

    # --- actions -------------------------------------------------------------------------------------------

    @admin.action(description="Stop the selected subscriptions", permissions=["change"])
    def stop_selected(self, request, queryset):
        stopped = 0
        for parent in queryset.filter(recur_stopped_on__isnull=True):
            subscription_stop(business=parent.business, user=request.user, parent=parent)
            stopped += 1
        self.message_user(request, f"{stopped} subscription(s) stopped.", messages.SUCCESS)

    @admin.action(description="Resume the selected subscriptions", permissions=["change"])
    def resume_selected(self, request, queryset):
        resumed = 0
        for parent in queryset.filter(recur_stopped_on__isnull=False):
            subscription_resume(business=parent.business, user=request.user, parent=parent)
            resumed += 1
        self.message_user(
            request,
            f"{resumed} subscription(s) resumed; periods that fell due while stopped are not billed.",
            messages.SUCCESS,
        )

    @admin.action(description="Generate due invoices now", permissions=["change"])
    def generate_now(self, request, queryset):
        summary = generate_due_invoices(parent_ids=list(queryset.values_list("pk", flat=True)), user=request.user)
        self.message_user(
            request,
            f"{summary.children_created} invoice(s) generated for {summary.parents_seen} subscription(s), "
            f"{len(summary.drafts)} saved as drafts.",
            messages.SUCCESS,
        )
        for draft in summary.drafts:
            self.message_user(
                request, f"{draft['invoice_no']} ({draft['period_date']}): {draft['reason']}", messages.WARNING
            )
        for failure in summary.failures:
            self.message_user(request, f"Subscription {failure['parent_id']}: {failure['reason']}", messages.ERROR)


def subscriptions_panel(request, contact):
    """The contact's subscriptions on their page, when the business bills any."""
    model_admin = admin.site._registry.get(Subscription)
    if model_admin is None or not model_admin.has_view_permission(request):
        return None
    parents = list(model_admin.get_queryset(request).filter(contact=contact).order_by("-transaction_date", "-id")[:10])
    if not parents:
        return None
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:subscriptions_subscription_change", args=[p.pk]),
                p.subscription_no or p.invoice_no,
                model_admin.cadence(p),
                model_admin.subscription_status(p),
                model_admin.next_invoice_date(p),
                money(p.final_total, p.business),
            )
            for p in parents
        ),
    )
    body = format_html(
        "<table><thead><tr><th>Subscription</th><th>Cadence</th><th>Status</th><th>Next invoice</th>"
        '<th class="money">Each invoice</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )
    return {"key": "subscriptions", "title": "Subscriptions", "body": body}


CONTACT_PANELS.append((40, subscriptions_panel))
