"""Response shapes and request bodies of the contacts and customer-groups endpoints."""

from django.core.validators import EmailValidator
from rest_framework import serializers

from contacts.geo import parse_position
from contacts.models import Contact, CustomerGroup, SellingPriceGroup
from core.api.fields import Money, QueryDate
from core.api.rows import Batched, Computed
from core.api.serializers import Id, InputSerializer, ObjectOrArray, ScopedPrimaryKey, Text
from core.models import User

# --- responses -------------------------------------------------------------------------------


class ContactListItem(serializers.Serializer):
    id = serializers.IntegerField(help_text="Contact primary key.")
    type = serializers.ChoiceField(choices=Contact.Type.choices, help_text="customer, supplier, or both.")
    name = serializers.CharField(help_text="Display name used throughout the UI.")
    supplier_business_name = serializers.CharField(allow_null=True)
    contact_id = serializers.CharField(allow_null=True, help_text="Business-facing contact code.")
    email = serializers.CharField(allow_null=True)
    mobile = serializers.CharField(allow_null=True)
    landline = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    tax_number = serializers.CharField(allow_null=True)
    contact_status = serializers.ChoiceField(choices=Contact.Status.choices, allow_null=True)
    credit_limit = Money(allow_null=True, help_text="null: no limit; 0: no credit.")


def _assigned_users(ids, context):
    from contacts.models import UserContactAccess

    out: dict[int, list[int]] = {}
    for contact_id, user_id in (
        UserContactAccess.objects.filter(contact_id__in=ids).order_by("user_id").values_list("contact_id", "user_id")
    ):
        out.setdefault(contact_id, []).append(user_id)
    return out


class ContactDetail(ContactListItem):
    prefix = serializers.CharField(allow_null=True)
    first_name = serializers.CharField(allow_null=True)
    middle_name = serializers.CharField(allow_null=True)
    last_name = serializers.CharField(allow_null=True)
    address_line_1 = serializers.CharField(allow_null=True)
    address_line_2 = serializers.CharField(allow_null=True)
    zip_code = serializers.CharField(allow_null=True)
    shipping_address = serializers.CharField(allow_null=True)
    alternate_number = serializers.CharField(allow_null=True)
    balance = Money(allow_null=True, help_text="Advance balance: money held for the contact, not what they owe.")
    pay_term_number = serializers.IntegerField(allow_null=True)
    pay_term_type = serializers.ChoiceField(choices=Contact.PayTerm.choices, allow_null=True)
    dob = serializers.DateField(allow_null=True, help_text="Date of birth, Y-m-d.")
    is_default = serializers.BooleanField(help_text="The business's walk-in customer.")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    customer_group_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    custom_field1 = serializers.CharField(allow_null=True)
    custom_field2 = serializers.CharField(allow_null=True)
    custom_field3 = serializers.CharField(allow_null=True)
    custom_field4 = serializers.CharField(allow_null=True)
    custom_field5 = serializers.CharField(allow_null=True)
    custom_field6 = serializers.CharField(allow_null=True)
    custom_field7 = serializers.CharField(allow_null=True)
    custom_field8 = serializers.CharField(allow_null=True)
    custom_field9 = serializers.CharField(allow_null=True)
    custom_field10 = serializers.CharField(allow_null=True)
    custom_field_labels = Computed(
        compute=lambda row, ctx: ctx["business"].contact_custom_field_labels(),
        field=serializers.DictField(child=serializers.CharField(allow_null=True)),
        help_text="Business labels keyed custom_field_1 … custom_field_10 (null when unset).",
    )
    shipping_custom_field_details = ObjectOrArray(allow_null=True, help_text="Array, object or null.")
    is_export = serializers.BooleanField()
    export_custom_field_1 = serializers.CharField(allow_null=True)
    export_custom_field_2 = serializers.CharField(allow_null=True)
    export_custom_field_3 = serializers.CharField(allow_null=True)
    export_custom_field_4 = serializers.CharField(allow_null=True)
    export_custom_field_5 = serializers.CharField(allow_null=True)
    export_custom_field_6 = serializers.CharField(allow_null=True)
    # Beyond the reference: the rest of what Add contact accepts, so a client can read back what it wrote.
    contact_type = serializers.ChoiceField(choices=Contact.ContactType.choices, allow_null=True)
    position = serializers.CharField(allow_null=True, help_text='"latitude,longitude".')
    land_mark = serializers.CharField(allow_null=True)
    street_name = serializers.CharField(allow_null=True)
    building_number = serializers.CharField(allow_null=True)
    additional_number = serializers.CharField(allow_null=True)
    assigned_to_users = Batched(
        loader=_assigned_users,
        default=[],
        field=serializers.ListField(
            child=serializers.IntegerField(), help_text="Ids of users the contact is shared with."
        ),
    )


def _causer(row, ctx):
    if row["causer_id"] is None:
        return None
    name = " ".join(p for p in (row["causer__first_name"], row["causer__last_name"]) if p) or row["causer__username"]
    return {"id": row["causer_id"], "name": name}


class ActivityCauser(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ContactActivity(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    event = serializers.CharField(allow_null=True)
    log_name = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    causer = Computed(
        sources=("causer_id", "causer__first_name", "causer__last_name", "causer__username"),
        compute=_causer,
        field=ActivityCauser(allow_null=True),
    )
    properties = serializers.JSONField(
        help_text='{"attributes": {...new}, "old": {...previous}}. An update lists the fields that changed; a '
        "`created` event lists the fields the record was created with that have a value (a field left out was null)."
    )


class ContactActivitiesData(serializers.Serializer):
    contact_id = serializers.IntegerField(help_text="Contact id from the path.")
    activities = ContactActivity(many=True)


class MobileCheck(serializers.Serializer):
    is_mobile_exists = serializers.BooleanField()
    msg = serializers.CharField()
    matching_contact_names = serializers.ListField(child=serializers.CharField())


class TaxNumberCheck(serializers.Serializer):
    is_tax_number_exists = serializers.BooleanField()
    msg = serializers.CharField()
    matching_contact_names = serializers.ListField(child=serializers.CharField())


class ContactMapRow(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    contact_id = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=Contact.Type.choices)
    supplier_business_name = serializers.CharField(allow_null=True)
    shipping_address = serializers.CharField(allow_null=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class ContactMapMeta(serializers.Serializer):
    kind = serializers.CharField(help_text="Applied kind filter.")
    total = serializers.IntegerField(help_text="Total returned markers.")


class CustomerGroupRow(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price_calculation_type = serializers.ChoiceField(choices=CustomerGroup.PriceCalculation.choices)
    amount = Money(help_text="Percentage for percentage groups; 0 for selling-price-group groups.")
    selling_price_group_id = serializers.IntegerField(allow_null=True)
    selling_price_group_name = serializers.CharField(source="selling_price_group.name", allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


# --- requests --------------------------------------------------------------------------------


class ContactWrite(InputSerializer):
    echo_fields = frozenset(ContactDetail._declared_fields) - {"assigned_to_users"}

    type = serializers.ChoiceField(choices=Contact.Type.choices)
    name = serializers.CharField(max_length=255)
    mobile = Text(help_text="Null when omitted or empty.")
    supplier_business_name = Text(max_length=255)
    prefix = Text(max_length=50)
    first_name = Text()
    middle_name = Text()
    last_name = Text()
    email = Text(validators=[EmailValidator(message="Enter a valid email address.")], help_text="Empty is null.")
    contact_id = Text(help_text="Business-facing code; generated as CO0001… when empty. Unique among live contacts.")
    tax_number = Text()
    contact_type = serializers.ChoiceField(choices=Contact.ContactType.choices, required=False, allow_null=True)
    contact_status = serializers.ChoiceField(choices=Contact.Status.choices, required=False)
    dob = QueryDate(
        required=False, allow_null=True, help_text="Date of birth: `Y-m-d` (a time is ignored); empty is null."
    )
    pay_term_number = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10000)
    pay_term_type = serializers.ChoiceField(choices=Contact.PayTerm.choices, required=False, allow_null=True)
    landline = Text()
    alternate_number = Text()
    city = Text()
    state = Text()
    country = Text()
    address_line_1 = Text(max_length=None)
    address_line_2 = Text(max_length=None)
    zip_code = Text()
    shipping_address = Text(max_length=None)
    position = Text(help_text='"latitude,longitude", for example "51.5072,-0.1276".')
    land_mark = Text()
    street_name = Text()
    building_number = Text()
    additional_number = Text()
    customer_group_id = ScopedPrimaryKey(CustomerGroup, source="customer_group", required=False, allow_null=True)
    credit_limit = Money(required=False, allow_null=True, min_value=0, help_text="null: no limit; 0: no credit.")
    opening_balance = Money(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="What the contact owed us (customers, both) or we owed them (suppliers) when the account opened.",
    )
    assigned_to_users = serializers.ListField(
        child=Id(),
        required=False,
        allow_null=True,
        help_text="Ids of users of this business to share the contact with (user_contact_access).",
    )
    shipping_custom_field_details = ObjectOrArray(required=False, allow_null=True, help_text="Array, object or null.")
    custom_field1 = Text(max_length=None)
    custom_field2 = Text(max_length=None)
    custom_field3 = Text(max_length=None)
    custom_field4 = Text(max_length=None)
    custom_field5 = Text(max_length=None)
    custom_field6 = Text(max_length=None)
    custom_field7 = Text(max_length=None)
    custom_field8 = Text(max_length=None)
    custom_field9 = Text(max_length=None)
    custom_field10 = Text(max_length=None)
    is_export = serializers.BooleanField(required=False, help_text="When false, export custom fields sent are ignored.")
    export_custom_field_1 = Text(max_length=None)
    export_custom_field_2 = Text(max_length=None)
    export_custom_field_3 = Text(max_length=None)
    export_custom_field_4 = Text(max_length=None)
    export_custom_field_5 = Text(max_length=None)
    export_custom_field_6 = Text(max_length=None)

    def validate_position(self, value):
        if value and parse_position(value) is None:
            raise serializers.ValidationError('The position must be "latitude,longitude" with valid coordinates.')
        return value

    def validate_assigned_to_users(self, value):
        if value is None:
            return []
        ids = list(dict.fromkeys(value))
        users = list(User.objects.for_business(self.context["business"]).filter(pk__in=ids))
        missing = sorted(set(ids) - {u.pk for u in users})
        if missing:
            raise serializers.ValidationError(f"Not users of this business: {', '.join(map(str, missing))}.")
        return users


class CustomerGroupWrite(InputSerializer):
    echo_fields = frozenset(CustomerGroupRow._declared_fields)

    name = serializers.CharField(max_length=255)
    price_calculation_type = serializers.ChoiceField(choices=CustomerGroup.PriceCalculation.choices)
    amount = Money(
        required=False,
        allow_null=True,
        min_value=-100,
        help_text="Percentage added to prices (negative for a discount, not below -100); stored as 0 when omitted "
        "and always 0 for selling-price-group groups.",
    )
    selling_price_group_id = ScopedPrimaryKey(
        SellingPriceGroup,
        source="selling_price_group",
        required=False,
        allow_null=True,
        help_text="Required when price_calculation_type is selling_price_group; a group of this business.",
    )
