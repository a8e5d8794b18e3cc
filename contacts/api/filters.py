"""Query-string contracts of the contacts endpoints."""

from rest_framework import serializers

from core.api.query import ListQuery, ObjectFormatQuery, QuerySerializer, UpdatedSinceQuery
from core.api.serializers import Id

KIND_HELP = "customer (customer and both contacts) or supplier (supplier and both)."


class ContactListQuery(ListQuery, UpdatedSinceQuery):
    kind = serializers.ChoiceField(
        choices=["customer", "supplier"],
        help_text=KIND_HELP,
        error_messages={
            "required": "The kind field is required.",
            "invalid_choice": "The selected kind is invalid: use customer or supplier.",
        },
    )
    contact_status = serializers.ChoiceField(
        choices=["active", "inactive", "all"],
        default="active",
        help_text="Beyond the reference: `active` (default, the active directory), `inactive` or `all`.",
    )


class ActivityQuery(ListQuery):
    pass


class NoteListQuery(ListQuery):
    """`q` matches heading, description or the numeric note id."""


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


class CustomerGroupListQuery(ListQuery, UpdatedSinceQuery):
    pass
