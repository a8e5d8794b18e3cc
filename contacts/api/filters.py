"""Query-string contracts of the contacts endpoints: the lists' FilterSets, and the duplicate checks' queries."""

from rest_framework import serializers

from core.api.filtering import ChoiceFilter, SearchFilterSet, UpdatedSinceFilter, matching
from core.api.query import ObjectFormatQuery, QuerySerializer
from core.api.serializers import Id

KIND_HELP = "customer (customer and both contacts) or supplier (supplier and both)."


class ContactFilter(SearchFilterSet):
    """`GET /contacts`. The kind's visibility wall is the view's get_queryset() (visible_to(side=kind))."""

    kind = ChoiceFilter(
        choices=[("customer", "customer"), ("supplier", "supplier")],
        required=True,
        method="of_kind",
        help_text=KIND_HELP,
        error_messages={"invalid_choice": "The selected kind is invalid: use customer or supplier."},
    )
    contact_status = ChoiceFilter(
        choices=[("active", "active"), ("inactive", "inactive"), ("all", "all")],
        default="active",
        method="of_status",
        help_text="Beyond the reference: `active` (default, the active directory), `inactive` or `all`.",
    )
    updated_since = UpdatedSinceFilter()

    def of_kind(self, queryset, name, value):
        return queryset  # applied by the wall: visible_to(user, side=kind) holds only contacts of the kind

    def of_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(contact_status=value)

    def search(self, queryset, name, value):
        return queryset.search(value)


class ActivityFilter(SearchFilterSet):
    """`GET /contacts/{id}/activities`: description, causer's name, username or email, or the numeric id."""

    def search(self, queryset, name, value):
        causer = ("causer__first_name", "causer__last_name", "causer__username", "causer__email")
        return queryset.filter(matching(value, "description", *causer))


class NoteFilter(SearchFilterSet):
    """`GET /contacts/{id}/documents-and-notes`: heading, description or the numeric note id."""

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "heading", "description"))


class DuplicateCheckQuery(ObjectFormatQuery):
    contact_id = Id(
        required=False,
        help_text="A contact to leave out (edit flows). It must exist in the business and be "
        "visible to the token user.",
    )


class MobileCheckQuery(DuplicateCheckQuery):
    mobile_number = serializers.CharField(
        max_length=191,
        error_messages={
            "required": "The mobile number field is required.",
            "blank": "The mobile number field is required.",
        },
    )


class TaxNumberCheckQuery(DuplicateCheckQuery):
    tax_number = serializers.CharField(
        max_length=191,
        error_messages={"required": "The tax number field is required.", "blank": "The tax number field is required."},
    )


class ContactMapQuery(QuerySerializer):
    kind = serializers.ChoiceField(
        choices=["all", "customer", "supplier"], default="all", help_text="all (default), customer or supplier."
    )
    format = serializers.ChoiceField(
        choices=["json", "csv", "xlsx"], default="json", help_text="json (default), csv or xlsx; never paginated."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["contact_ids[]"] = serializers.ListField(
            child=Id(),
            required=False,
            help_text="Only these contacts (repeat the parameter: contact_ids[]=1&contact_ids[]=2). "
            "They still have to be visible to the token user.",
        )
        return fields


class CustomerGroupFilter(SearchFilterSet):
    """`GET /customer-groups`: the group name, its selling price group's name, or the numeric id."""

    updated_since = UpdatedSinceFilter()

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "name", "selling_price_group__name"))
