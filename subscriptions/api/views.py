"""Subscriptions (contacts-api.txt, "Subscriptions"): the list, one subscription, a customer's subscriptions, stop or
resume, and (beyond the reference) the schedule preview."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from contacts.permissions import contact_on_side
from core.api.permissions import LocationPermitted, ModuleEnabled, NotDemoMode, Perm
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.rows import RowShape
from core.api.schema import list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from ledger.models import Transaction
from subscriptions import selectors
from subscriptions.api import filters
from subscriptions.api import serializers as s
from subscriptions.services import subscription_toggle

READ = [ModuleEnabled("subscription"), Perm("sell.view", "direct_sell.access"), LocationPermitted()]
TOGGLE = [NotDemoMode(), ModuleEnabled("subscription"), Perm("sell.create")]
ROW_SHAPE = RowShape(s.SubscriptionRow)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Subscription (recurring parent sell) id.")
SubscriptionResponse = object_envelope("SubscriptionResponse", s.SubscriptionRow)

ECHO = {
    "location_id": serializers.IntegerField(allow_null=True),
    "start_date": serializers.DateField(allow_null=True),
    "end_date": serializers.DateField(allow_null=True),
    "q": serializers.CharField(allow_null=True),
}
LIST_DOC = (
    "Recurring parent sells (final sells with `is_recurring`), newest first by the parent's date. Permitted locations "
    "always apply (a user with `view_own_sell_only` sees the subscriptions of sells they created). `start_date` and "
    "`end_date` (both or neither, inclusive, business time zone) filter the parent's date. Each row carries its "
    "generated invoices and the next invoice date the generator will use (RULES §8: periods are computed from the "
    "parent's date, never from the last invoice, so they do not drift; periods that fell due while stopped are "
    "skipped)."
)
MODULE_403 = "The subscription module is disabled, the user lacks the permission, or `location_id` is not permitted."


def _meta(query: dict, *names) -> dict:
    def text(value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {name: text(query.get(name)) for name in names}


@extend_schema(tags=["Subscriptions"])
@extend_schema_view(
    list=extend_schema(
        summary="List subscriptions",
        description=LIST_DOC + " `q` matches the invoice number, the subscription number, the location name, the "
        "customer name or the numeric id.",
        parameters=[ListPageQuery],
        responses=list_responses(
            page_envelope(
                "SubscriptionListResponse",
                s.SubscriptionRow,
                meta_fields={**ECHO, "contact_id": serializers.IntegerField(allow_null=True)},
            ),
            403,
            422,
            e403=MODULE_403,
        ),
    ),
    retrieve=extend_schema(
        summary="Get subscription",
        parameters=[ID, ObjectFormatQuery],
        responses=object_responses(
            SubscriptionResponse,
            403,
            404,
            e404="No such subscription in the business, or it is at a location the user may not use.",
        ),
    ),
    schedule=extend_schema(
        summary="Preview a subscription's schedule",
        description="Beyond the reference: the next `count` invoice dates the generator would use for this "
        "subscription, computed exactly as it will (writing nothing), so a client can show the next invoices before "
        "they exist. `due` periods are billed by the generator's next run (they have fallen due and it has not run "
        "since); `scheduled` ones are later. Empty while the subscription is stopped, and once its repetitions are "
        "used up. `skipped_periods` says which periods each stop skipped: they fell due while the subscription was "
        "stopped (after the stop day, before the resume day) and are never billed.",
        parameters=[ID, s.ScheduleQuery],
        responses=object_responses(
            object_envelope("SchedulePreviewResponse", s.SchedulePreview),
            403,
            404,
            e404="No such subscription in the business, or it is at a location the user may not use.",
        ),
    ),
    toggle=extend_schema(
        summary="Stop or resume a subscription",
        description="No body. A running subscription is stopped (`recur_stopped_on` = now: no more invoices); a "
        "stopped one is resumed (`recur_stopped_on` cleared). Resuming does not back-bill: the periods that fell due "
        "while it was stopped are skipped for good, and the schedule preview lists them. Logged on the sell's "
        "activity.",
        parameters=[ID],
        request=None,
        responses=object_responses(
            SubscriptionResponse,
            403,
            404,
            422,
            csv=False,
            e403="Demo mode, the subscription module is disabled, or the user lacks `sell.create`.",
            e422="A body with any field: this action takes none.",
            e404="No such subscription in the business, or it is at a location the user may not use.",
        ),
    ),
)
class SubscriptionViewSet(IntegrationViewSet):
    queryset = Transaction.objects.none()
    export_stem = "subscriptions"
    rules = {"list": READ, "retrieve": READ, "schedule": READ, "toggle": TOGGLE}
    filterset_classes = {"list": filters.SubscriptionFilter}

    def get_queryset(self):
        return selectors.visible_subscriptions(self.request.user)

    def row(self, parent) -> dict:
        return ROW_SHAPE.one(Transaction.objects.filter(pk=parent.pk), self.row_context())

    def list(self, request):
        rows, query = self.filtered_list(selectors.subscription_list(user=request.user))
        meta = _meta(query, "location_id", "contact_id", "start_date", "end_date", "q")
        return self.page_response(rows, ROW_SHAPE, query, meta=meta)

    def retrieve(self, request, pk):
        parent = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.row(parent), query, stem=f"subscription-{parent.pk}")

    @action(detail=True, methods=["get"])  # marks a custom action for the schema; routes are in urls.py
    def schedule(self, request, pk):
        parent = self.get_object()
        query = self.validated_query(s.ScheduleQuery)
        preview = selectors.schedule_preview(parent, count=query["count"])
        return self.object_response(preview, query, stem=f"subscription-{parent.pk}-schedule")

    @action(detail=True, methods=["post"])
    def toggle(self, request, pk):
        parent = self.get_object()
        self.validated_body(s.NoBody)
        parent = subscription_toggle(business=self.business, user=request.user, parent=parent)
        return self.object_response(self.row(parent))


@extend_schema(tags=["Contacts"])
class ContactSubscriptionViewSet(IntegrationViewSet):
    queryset = Transaction.objects.none()
    export_stem = "contact"
    rules = {"subscriptions": READ}
    filterset_classes = {"subscriptions": filters.ContactSubscriptionFilter}

    @extend_schema(
        summary="List contact subscriptions",
        description=LIST_DOC + " The contact must be a customer (or both) that the user may see. `q` matches the "
        "invoice number, the subscription number, the location name or the numeric id.",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id."),
            ListPageQuery,
        ],
        responses=list_responses(
            page_envelope("ContactSubscriptionListResponse", s.SubscriptionRow, meta_fields=ECHO),
            403,
            404,
            422,
            e403=MODULE_403 + " Or the contact is one the user may not see.",
            e404="No such contact in the business.",
            e422="The contact is not a customer, or the query string failed validation.",
        ),
    )
    def subscriptions(self, request, pk):
        contact = contact_on_side(request.user, pk, "customer")
        rows, query = self.filtered_list(selectors.subscription_list(user=request.user, contact=contact))
        meta = _meta(query, "location_id", "start_date", "end_date", "q")
        return self.page_response(rows, ROW_SHAPE, query, meta=meta, stem=f"contact-{contact.pk}-subscriptions")
