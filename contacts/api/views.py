from decimal import Decimal

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from contacts import selectors, services
from contacts.api import filters
from contacts.api import serializers as s
from contacts.api.permissions import ContactKind, ContactTypeAllowed
from contacts.models import Contact, CustomerGroup
from contacts.permissions import CONTACT_READ, ContactVisible, is_visible
from contacts.querysets import SIDES
from core.api.permissions import PackageActive, Perm
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.rows import RowShape
from core.api.schema import (
    DeletedId,
    envelope,
    errors,
    list_responses,
    object_envelope,
    object_responses,
    page_envelope,
)
from core.api.views import IntegrationViewSet
from core.exceptions import BusinessRuleViolation
from ledger.services.opening_balance import (  # an API may call a higher app's service
    check_type_change,
    opening_balance_set,
)

LIST_SHAPE = RowShape(s.ContactListItem)
DETAIL_SHAPE = RowShape(s.ContactDetail)
ACTIVITY_SHAPE = RowShape(s.ContactActivity)
MAP_COLUMNS = list(s.ContactMapRow._declared_fields)
GROUP_SHAPE = RowShape(s.CustomerGroupRow)

ContactDetailResponse = object_envelope("ContactDetailResponse", s.ContactDetail)
ContactWriteResponse = object_envelope("ContactWriteResponse", s.ContactDetail, message=True)
DeletedResponse = object_envelope("DeletedResponse", DeletedId, message=True)
ActivitiesData = page_envelope(
    "ContactActivitiesResponse",
    s.ContactActivity,
    data=s.ContactActivitiesData(),
    meta_fields={"q": s.serializers.CharField(allow_null=True)},
)
MapResponse = envelope("ContactMapResponse", data=s.ContactMapRow(many=True), meta=s.ContactMapMeta())
CONTACT_ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id.")


@extend_schema(tags=["Contacts"])
class ContactViewSet(IntegrationViewSet):
    queryset = Contact.objects.none()
    export_stem = "contacts"
    rules = {
        "list": ContactKind(),
        "retrieve": [CONTACT_READ, ContactVisible()],
        "create": [PackageActive(), ContactTypeAllowed("create")],
        "update": [PackageActive(), ContactTypeAllowed("update"), ContactVisible()],
        "destroy": [ContactTypeAllowed("delete"), ContactVisible()],
        "activities": [CONTACT_READ, ContactVisible()],
        "validate_mobile": CONTACT_READ,
        "validate_tax_number": CONTACT_READ,
        "map": ContactKind(),
    }
    filterset_classes = {"list": filters.ContactFilter, "activities": filters.ActivityFilter}

    def get_queryset(self):
        if self.action == "list":
            # the directory's wall: the contacts of the asked kind the user may see (ContactKind reads it alike;
            # a kind that is not one is refused by the FilterSet before any row is read)
            kind = self.request.query_params.get("kind")
            return selectors.contact_directory(
                business=self.business, user=self.request.user, kind=kind if kind in SIDES else None
            )
        return Contact.objects.for_business(self.business)

    def detail_row(self, contact) -> dict:
        return DETAIL_SHAPE.one(Contact.objects.filter(pk=contact.pk), self.row_context())

    @extend_schema(
        summary="List contacts",
        description="The active contact directory of one kind. Contacts are ordered by id (oldest first). "
        "Users with only `*.view_own` see the contacts they created or that are shared with them.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("ContactListResponse", s.ContactListItem), 403, 422),
    )
    def list(self, request):
        contacts, query = self.filtered_list(self.get_queryset())
        return self.page_response(contacts, LIST_SHAPE, query)

    @extend_schema(
        summary="Get contact",
        description="One contact, active or inactive. `balance` is the advance balance (money held for them).",
        parameters=[CONTACT_ID_PATH, ObjectFormatQuery],
        responses=object_responses(ContactDetailResponse, 403, 404),
    )
    def retrieve(self, request, pk):
        contact = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.detail_row(contact), query, stem=f"contact-{contact.pk}")

    @extend_schema(
        summary="Add contact",
        description="Creates a contact. When any of prefix/first/middle/last name is sent, `name` is those parts "
        "joined with single spaces; otherwise `name` is kept as given. An empty `contact_id` is generated as "
        "`CO` + the business's contact counter (codes already taken are skipped). Unknown fields are refused "
        "with 422; response-only fields of ContactDetail (such as `id` or `balance`) are ignored. "
        "`opening_balance` (≥ 0) creates the contact's opening-balance document (GET …/opening-balance), in the "
        "same database transaction.",
        request=s.ContactWrite,
        responses=object_responses(ContactWriteResponse, 402, 403, 422, csv=False, status=201),
    )
    def create(self, request):
        data = self.validated_body(s.ContactWrite)
        opening = data.pop("opening_balance", None)
        with transaction.atomic():
            contact = services.contact_create(business=self.business, user=request.user, data=data)
            if opening:
                opening_balance_set(business=self.business, user=request.user, contact=contact, amount=opening)
        return self.object_response(self.detail_row(contact), message="Contact added successfully", status=201)

    @extend_schema(
        summary="Update contact",
        description="PATCH and PUT both update only the fields sent. A body with no updatable field is 422 "
        "`No valid fields to update`. A null `mobile` is stored as an empty string. With `is_export` false "
        "(sent or stored), export custom fields in the body are ignored. An empty `contact_id` generates a new code. "
        "`opening_balance` is the full opening amount (not a change): it may not drop below what was already paid "
        "on it (422); 0 or null removes an unpaid one. A `type` change between supplier and customer (or both) is 422 "
        "while an opening balance exists, since its direction follows the type.",
        parameters=[CONTACT_ID_PATH],
        request=s.ContactWrite(partial=True),
        responses=object_responses(ContactWriteResponse, 402, 403, 404, 422, csv=False),
    )
    def update(self, request, pk):
        contact = self.get_object()
        data = self.validated_body(s.ContactWrite, partial=True)
        if not data:
            raise BusinessRuleViolation("No valid fields to update")
        setting_opening = "opening_balance" in data
        opening = data.pop("opening_balance", None) or Decimal(0)
        old_type = contact.type
        with transaction.atomic():
            if data:
                contact = services.contact_update(business=self.business, user=request.user, contact=contact, data=data)
            if setting_opening:
                opening_balance_set(business=self.business, user=request.user, contact=contact, amount=opening)
            check_type_change(contact=contact, old_type=old_type)
        return self.object_response(self.detail_row(contact), message="Contact updated successfully")

    @extend_schema(
        summary="Delete contact",
        description="Soft-deletes the contact, logs `contact_deleted` and disables login of users linked to it. "
        "Refused with 422 for the walk-in customer and for a contact that any transaction references. "
        "A deleted contact disappears everywhere and frees its `contact_id`.",
        parameters=[CONTACT_ID_PATH],
        responses={
            200: DeletedResponse,
            **errors(403, 404, 422, e422='The contact has transactions or is the default contact: `{"message"}`.'),
        },
    )
    def destroy(self, request, pk):
        contact = self.get_object()
        deleted = services.contact_delete(business=self.business, user=request.user, contact=contact)
        return self.message_response("Contact deleted successfully", {"id": deleted})

    @extend_schema(
        summary="List contact activities",
        description="The contact's audit trail, newest first. `q` matches the description, the numeric activity "
        "id, or the causer's name, username or email. CSV cells of causer and properties hold JSON.",
        parameters=[CONTACT_ID_PATH, ListPageQuery],
        responses=list_responses(ActivitiesData, 403, 404, 422),
    )
    def activities(self, request, pk):
        contact = self.get_object()
        rows, query = self.filtered_list(selectors.contact_activities(business=self.business, contact=contact))
        return self.page_response(
            rows,
            ACTIVITY_SHAPE,
            query,
            stem=f"contact-{contact.pk}-activities",
            wrap=lambda page: {"contact_id": contact.pk, "activities": page},
            meta={"q": query.get("q")},
        )

    def _excluded_contact_id(self, contact_id):
        if contact_id is None:
            return None
        contact = self.get_queryset().filter(pk=contact_id).first()
        if contact is None:
            raise ApiValidationError({"contact_id": ["The selected contact id is invalid."]})
        if not is_visible(self.request.user, contact):
            raise PermissionDenied()
        return contact.pk

    @extend_schema(
        summary="Validate contact mobile",
        description="Warns about live contacts of the business whose mobile ends with `mobile_number` (exact "
        "suffix, case-insensitive, no normalisation). A warning for the caller, not a blocker on create.",
        parameters=[filters.MobileCheckQuery],
        responses=object_responses(object_envelope("MobileCheckResponse", s.MobileCheck), 403, 422),
    )
    def validate_mobile(self, request):
        query = self.validated_query(filters.MobileCheckQuery)
        data = selectors.mobile_duplicates(
            business=self.business,
            mobile=query["mobile_number"],
            exclude_pk=self._excluded_contact_id(query.get("contact_id")),
        )
        return self.object_response(data, query, stem="contact-mobile-check")

    @extend_schema(
        summary="Validate contact tax number",
        description="Warns about live contacts of the business with exactly this tax number; `msg` is empty "
        "when there is none.",
        parameters=[filters.TaxNumberCheckQuery],
        responses=object_responses(object_envelope("TaxNumberCheckResponse", s.TaxNumberCheck), 403, 422),
    )
    def validate_tax_number(self, request):
        query = self.validated_query(filters.TaxNumberCheckQuery)
        data = selectors.tax_number_duplicates(
            business=self.business,
            tax_number=query["tax_number"],
            exclude_pk=self._excluded_contact_id(query.get("contact_id")),
        )
        return self.object_response(data, query, stem="contact-tax-number-check")

    @extend_schema(
        summary="Contact map",
        description="Active, visible contacts whose `position` parses to valid coordinates. Never paginated.",
        parameters=[filters.ContactMapQuery],
        responses=list_responses(MapResponse, 403, 422),
    )
    def map(self, request):
        query = self.validated_query(filters.ContactMapQuery)
        rows = selectors.contact_map_rows(
            business=self.business,
            user=request.user,
            kind=query["kind"],
            contact_ids=query.get("contact_ids[]"),
        )
        if query["format"] != "json":
            return self.export_response(MAP_COLUMNS, rows, query["format"], stem="contacts-map")
        rows = list(rows)
        return Response({"data": rows, "meta": {"kind": query["kind"], "total": len(rows)}})


GroupResponse = object_envelope("CustomerGroupResponse", s.CustomerGroupRow)
GroupWriteResponse = object_envelope("CustomerGroupWriteResponse", s.CustomerGroupRow, message=True)
GROUP_ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Customer group id.")


@extend_schema(tags=["Customer groups"])
class CustomerGroupViewSet(IntegrationViewSet):
    queryset = CustomerGroup.objects.none()
    export_stem = "customer-groups"
    rules = {
        "list": Perm("customer.view"),
        "retrieve": Perm("customer.view"),
        "create": Perm("customer.create"),
        "update": Perm("customer.update"),
        "destroy": Perm("customer.delete"),
    }
    filterset_classes = {"list": filters.CustomerGroupFilter}

    def get_queryset(self):
        return CustomerGroup.objects.for_business(self.business).order_by("id")

    def row(self, group) -> dict:
        return GROUP_SHAPE.one(CustomerGroup.objects.filter(pk=group.pk), self.row_context())

    @extend_schema(
        summary="List customer groups",
        description="Ordered by id. `q` matches the group name, the linked selling price group name, "
        "or the numeric id.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("CustomerGroupListResponse", s.CustomerGroupRow), 403, 422),
    )
    def list(self, request):
        groups, query = self.filtered_list(self.get_queryset())
        return self.page_response(groups, GROUP_SHAPE, query)

    @extend_schema(
        summary="Get customer group",
        parameters=[GROUP_ID_PATH, ObjectFormatQuery],
        responses=object_responses(GroupResponse, 403, 404),
    )
    def retrieve(self, request, pk):
        group = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.row(group), query, stem=f"customer-group-{group.pk}")

    @extend_schema(
        summary="Add customer group",
        description="`amount` is stored as 0 when omitted, and always 0 for `selling_price_group` groups; a "
        "percentage group never keeps a selling price group.",
        request=s.CustomerGroupWrite,
        responses=object_responses(GroupWriteResponse, 403, 422, csv=False, status=201),
    )
    def create(self, request):
        data = self.validated_body(s.CustomerGroupWrite)
        group = services.customer_group_create(business=self.business, user=request.user, data=data)
        return self.object_response(self.row(group), message="Customer group added successfully", status=201)

    @extend_schema(
        summary="Update customer group",
        description="PATCH and PUT both update only the fields sent; the price-calculation rules apply to the result.",
        parameters=[GROUP_ID_PATH],
        request=s.CustomerGroupWrite(partial=True),
        responses=object_responses(GroupWriteResponse, 403, 404, 422, csv=False),
    )
    def update(self, request, pk):
        group = self.get_object()
        data = self.validated_body(s.CustomerGroupWrite, partial=True)
        if not data:
            raise BusinessRuleViolation("No valid fields to update")
        group = services.customer_group_update(business=self.business, user=request.user, group=group, data=data)
        return self.object_response(self.row(group), message="Customer group updated successfully")

    @extend_schema(
        summary="Delete customer group",
        description="Contacts in the group keep existing, without a group.",
        parameters=[GROUP_ID_PATH],
        responses={200: DeletedResponse, **errors(403, 404)},
    )
    def destroy(self, request, pk):
        group = self.get_object()
        deleted = services.customer_group_delete(business=self.business, user=request.user, group=group)
        return self.message_response("Customer group deleted successfully", {"id": deleted})
