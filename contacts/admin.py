from django import forms
from django.contrib import admin

from contacts import services
from contacts.admin_delete import ContactDeleteAdminMixin
from contacts.admin_import import ContactImportAdminMixin
from contacts.admin_notes import DocumentNoteInline, NotesAdminMixin
from contacts.models import Contact, CustomerGroup, SellingPriceGroup, UserContactAccess
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin
from core.admin_display import label_value_table, money_field
from core.admin_filters import DateRangeFilter
from core.deletion import protected_references

CONTACT_PERMS = {
    "view": ("customer.view", "supplier.view", "customer.view_own", "supplier.view_own"),
    "add": ("customer.create", "supplier.create"),
    "change": ("customer.update", "supplier.update"),
    "delete": ("customer.delete", "supplier.delete"),
}


#: The contact page's overview panels: (order, callable (request, contact) -> {"key", "title", "body", "wide"} or
#: None). The apps that know a contact's money, documents and subscriptions (ledger, subscriptions) add theirs.
CONTACT_PANELS: list = []


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("business", *services.EDITABLE_FIELDS)
        labels = {
            "dob": "Date of birth",
            "contact_id": "Contact ID",
            "contact_type": "Individual or business",
            "supplier_business_name": "Business name",
            "tax_number": "Tax number",
            "land_mark": "Landmark",
            "zip_code": "ZIP / postal code",
            "pay_term_number": "Pay term",
            "pay_term_type": "Pay term period",
            "is_export": "Export customer",
            "contact_status": "Status",
        }
        help_texts = {"position": "Map position as latitude,longitude, for example 51.5072,-0.1276."}
        widgets = {"dob": forms.DateInput(attrs={"type": "date"})}


class AccessInline(admin.TabularInline):
    model = UserContactAccess
    extra = 0
    template = "admin/edit_inline/tabular_plain.html"
    verbose_name = "shared with user"
    verbose_name_plural = "shared with users (user_contact_access)"
    autocomplete_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(business_id=request.user.business_id)
        return field


@admin.register(Contact)
class ContactAdmin(ContactDeleteAdminMixin, ContactImportAdminMixin, NotesAdminMixin, BusinessScopedAdmin):
    erp_permissions = CONTACT_PERMS
    form = ContactForm
    # the columns a person scans at 1400 px; e-mail, business name, tax number and the rest are on the page
    list_display = ("contact_id", "name", "type", "mobile", "contact_status", "customer_group")
    list_display_links = ("contact_id", "name")
    list_filter = ("type", "contact_status", "customer_group", "contact_type", ("created_at", DateRangeFilter))
    # one search box that matches what the API's `q` matches (ContactQuerySet.search)
    search_fields = ("name",)
    search_help_text = "Name, business name, contact ID, mobile, landline, alternate number or e-mail."
    ordering = ("name", "id")
    list_select_related = ("customer_group",)
    readonly_fields = (
        "advance_balance",
        "shipping_details",
        "is_default",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [AccessInline, DocumentNoteInline, ActivityTrailInline]
    list_per_page = 50
    advance_balance = money_field("balance", "advance balance (money held for the contact)")

    @admin.display(description="shipping custom fields")
    def shipping_details(self, obj):
        return label_value_table(obj.shipping_custom_field_details if obj else None)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["hub_panels"] = [
                panel for _, make in sorted(CONTACT_PANELS, key=lambda p: p[0]) if (panel := make(request, obj))
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term.strip()), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        business = obj.business if obj is not None else getattr(request.user, "business", None)
        labels = ((getattr(business, "custom_labels", None) or {}).get("contact") or {}) if business else {}
        for i in range(1, 11):
            label = labels.get(f"custom_field_{i}")
            if label and f"custom_field{i}" in form.base_fields:
                form.base_fields[f"custom_field{i}"].label = label
        return form

    fieldsets = (
        (None, {"fields": ("business", "type", "contact_type", "contact_id", "contact_status", "customer_group")}),
        ("Name", {"fields": ("name", "prefix", "first_name", "middle_name", "last_name", "supplier_business_name")}),
        ("Contact details", {"fields": ("mobile", "landline", "alternate_number", "email", "tax_number", "dob")}),
        (
            "Address",
            {
                "fields": (
                    "address_line_1",
                    "address_line_2",
                    "city",
                    "state",
                    "country",
                    "zip_code",
                    "land_mark",
                    "street_name",
                    "building_number",
                    "additional_number",
                    "shipping_address",
                    "shipping_details",
                    "position",
                )
            },
        ),
        ("Terms", {"fields": ("pay_term_number", "pay_term_type", "credit_limit", "advance_balance")}),
        ("Custom fields", {"classes": ("collapse",), "fields": tuple(f"custom_field{i}" for i in range(1, 11))}),
        (
            "Export",
            {
                "classes": ("collapse",),
                "fields": ("is_export",) + tuple(f"export_custom_field_{i}" for i in range(1, 7)),
            },
        ),
        ("Record", {"fields": ("is_default", "created_by", "created_at", "updated_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return sets
        return [(n, {**o, "fields": tuple(f for f in o["fields"] if f != "business")}) for n, o in sets]

    def save_model(self, request, obj, form, change):
        """Writes go through the same services as the API: numbering, validation and the activity log."""
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            data = {f: v for f, v in data.items() if f in form.changed_data}
            saved = services.contact_update(business=obj.business, user=request.user, contact=obj, data=data)
        else:
            business = form.cleaned_data.get("business") or request.user.business
            saved = services.contact_create(business=business, user=request.user, data=data)
        obj.pk, obj.contact_id, obj.business_id = saved.pk, saved.contact_id, saved.business_id
        obj._state.adding = False


@admin.register(CustomerGroup)
class CustomerGroupAdmin(BusinessScopedAdmin):
    not_money = ("amount",)  # a percentage, or unused with a selling price group
    erp_permissions = {
        "view": ("customer.view",),
        "add": ("customer.create",),
        "change": ("customer.update",),
        "delete": ("customer.delete",),
    }
    list_display = ("name", "price_calculation_type", "price_rule", "selling_price_group")
    list_filter = ("price_calculation_type",)
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [ActivityTrailInline]

    @admin.display(description="price rule")
    def price_rule(self, group):
        if group.price_calculation_type == "percentage":
            return f"{format(group.amount.normalize(), 'f')} % on the selling price"
        return str(group.selling_price_group or "–")

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in services.GROUP_FIELDS}
        if change:
            saved = services.customer_group_update(business=obj.business, user=request.user, group=obj, data=data)
        else:
            business = form.cleaned_data.get("business") or request.user.business
            saved = services.customer_group_create(business=business, user=request.user, data=data)
        obj.pk, obj.business_id = saved.pk, saved.business_id
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.customer_group_delete(business=obj.business, user=request.user, group=obj)


@admin.register(SellingPriceGroup)
class SellingPriceGroupAdmin(BusinessScopedAdmin):
    erp_permissions = CustomerGroupAdmin.erp_permissions
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and protected_references(obj):
            return False  # customer groups still price with it
        return super().has_delete_permission(request, obj)
