from django.contrib import admin, messages

from contacts import services
from contacts.admin_import import ContactImportAdminMixin
from contacts.admin_notes import DocumentNoteInline, NotesAdminMixin
from contacts.models import Contact, CustomerGroup, SellingPriceGroup, UserContactAccess
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin
from core.deletion import protected_references
from core.exceptions import BusinessRuleViolation

CONTACT_PERMS = {
    "view": ("customer.view", "supplier.view"),
    "add": ("customer.create", "supplier.create"),
    "change": ("customer.update", "supplier.update"),
    "delete": ("customer.delete", "supplier.delete"),
}


class AccessInline(admin.TabularInline):
    model = UserContactAccess
    extra = 0
    verbose_name = "shared with user"
    verbose_name_plural = "shared with users (user_contact_access)"
    autocomplete_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(business_id=request.user.business_id)
        return field


@admin.register(Contact)
class ContactAdmin(ContactImportAdminMixin, NotesAdminMixin, BusinessScopedAdmin):
    erp_permissions = CONTACT_PERMS
    list_display = (
        "contact_id",
        "name",
        "type",
        "supplier_business_name",
        "mobile",
        "email",
        "contact_status",
        "customer_group",
        "balance",
    )
    list_filter = ("type", "contact_status", "customer_group", "contact_type")
    search_fields = ("name", "supplier_business_name", "contact_id", "mobile", "email", "tax_number")
    readonly_fields = ("balance", "is_default", "created_by", "created_at", "updated_at")
    inlines = [AccessInline, DocumentNoteInline, ActivityTrailInline]
    list_per_page = 50
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
                    "shipping_custom_field_details",
                    "position",
                )
            },
        ),
        ("Terms", {"fields": ("pay_term_number", "pay_term_type", "credit_limit", "balance")}),
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

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_default or protected_references(obj)):
            return False  # the walk-in customer and contacts with transactions stay (RULES §2)
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.contact_delete(business=obj.business, user=request.user, contact=obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            try:
                services.contact_delete(business=contact.business, user=request.user, contact=contact)
            except BusinessRuleViolation as exc:
                messages.error(request, f"{contact}: {exc.message}")


@admin.register(CustomerGroup)
class CustomerGroupAdmin(BusinessScopedAdmin):
    erp_permissions = {
        "view": ("customer.view",),
        "add": ("customer.create",),
        "change": ("customer.update",),
        "delete": ("customer.delete",),
    }
    list_display = ("name", "price_calculation_type", "amount", "selling_price_group", "business")
    list_filter = ("price_calculation_type",)
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [ActivityTrailInline]

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
    list_display = ("name", "is_active", "business")
    list_filter = ("is_active",)
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and protected_references(obj):
            return False  # customer groups still price with it
        return super().has_delete_permission(request, obj)
