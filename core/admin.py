from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin_base import BusinessScopedAdmin, ReadOnlyAdmin
from core.admin_display import activity_changes
from core.models import Activity, ApiCredential, Business, BusinessLocation, ReferenceCounter, Role, User
from core.models.business import MODULES
from core.permissions import CHOICES
from core.services.credentials import credential_issue, credential_revoke


class BusinessForm(forms.ModelForm):
    enabled_modules = forms.MultipleChoiceField(
        choices=[(m, m) for m in MODULES], required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Business
        fields = (
            "name",
            "currency_code",
            "currency_symbol",
            "currency_symbol_placement",
            "currency_precision",
            "thousand_separator",
            "decimal_separator",
            "date_format",
            "time_format",
            "time_zone",
            "enabled_modules",
            "subscription_status",
            "allow_overselling",
            "invoice_prefix",
            "custom_labels",
        )


@admin.register(Business)
class BusinessAdmin(BusinessScopedAdmin):
    business_field = "pk"
    form = BusinessForm
    list_display = ("id", "name", "currency_code", "subscription_status", "allow_overselling", "created_at")
    search_fields = ("name",)

    def has_add_permission(self, request, *args):
        # New businesses come from `manage.py bootstrap_business`, which also creates what they need.
        return request.user.is_superuser


@admin.register(BusinessLocation)
class BusinessLocationAdmin(BusinessScopedAdmin):
    list_display = ("location_code", "name", "city", "country", "is_active", "business")
    list_filter = ("is_active",)
    search_fields = ("name", "location_code", "city")
    readonly_fields = ("location_code",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from core.services.business import location_create

        business = obj.business if request.user.is_superuser else request.user.business
        fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("business", "name", "location_code")}
        created = location_create(business=business, name=form.cleaned_data.get("name"), **fields)
        obj.pk, obj.location_code, obj.business = created.pk, created.location_code, created.business


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ignored for the admin role, which holds every permission.",
    )

    class Meta:
        model = Role
        fields = ("business", "name", "permissions")


@admin.register(Role)
class RoleAdmin(BusinessScopedAdmin):
    form = RoleForm
    list_display = ("name", "is_admin", "business")
    readonly_fields = ("is_admin",)


@admin.register(User)
class UserAdmin(BusinessScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "business", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "roles")
    filter_horizontal = ("roles", "permitted_locations")
    fieldsets = (
        (None, {"fields": ("business", "username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "crm_contact")}),
        ("Access", {"fields": ("is_active", "is_staff", "roles", "permitted_locations")}),
        ("Platform", {"fields": ("is_superuser",), "classes": ("collapse",)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("business", "username", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    raw_id_fields = ("crm_contact",)

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return sets
        # Business staff neither pick a business nor grant platform superuser rights.
        cleaned = []
        for name, opts in sets:
            fields = tuple(f for f in opts["fields"] if f not in ("business", "is_superuser"))
            if fields:
                cleaned.append((name, {**opts, "fields": fields}))
        return cleaned


class CredentialForm(forms.ModelForm):
    class Meta:
        model = ApiCredential
        fields = ("user", "kind", "name", "expires_at")


@admin.register(ApiCredential)
class ApiCredentialAdmin(BusinessScopedAdmin):
    business_field = "user__business"
    form = CredentialForm
    list_display = ("key", "kind", "name", "user", "status", "created_at", "expires_at", "last_used_at")
    list_filter = ("kind",)
    search_fields = ("key", "name", "user__username")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "kind", "key", "created_at", "last_used_at", "revoked_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "kind", "name", "expires_at")
        return ("user", "kind", "name", "key", "created_at", "expires_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued = credential_issue(
            user=form.cleaned_data["user"],
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data.get("name") or "",
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = issued.credential.pk
        secret = (
            f"Bearer token: {issued.token}"
            if obj.kind == ApiCredential.Kind.TOKEN
            else f"API key: {issued.credential.key} — API secret: {issued.secret}"
        )
        messages.warning(request, f"{secret}  Copy it now: it is shown only once and stored only as a hash.")

    @admin.action(description="Revoke the selected credentials")
    def revoke(self, request, queryset):
        for credential in queryset:
            credential_revoke(credential=credential)
        messages.success(request, f"Revoked {queryset.count()} credential(s).")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "description", "subject_type", "subject_id", "causer", "changes_in_short")
    list_filter = ("event", ("subject_type", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("description",)
    date_hierarchy = "created_at"
    list_select_related = ("causer", "subject_type", "business")
    ordering = ("-id",)
    fields = readonly_fields = (
        "created_at",
        "description",
        "event",
        "subject_type",
        "subject_id",
        "causer",
        "log_name",
        "changes",
    )

    @admin.display(description="what changed")
    def changes(self, obj):
        model = obj.subject_type.model_class() if obj.subject_type else None
        return activity_changes(obj.properties, model, obj.business)

    @admin.display(description="what changed")
    def changes_in_short(self, obj):
        model = obj.subject_type.model_class() if obj.subject_type else None
        return activity_changes(obj.properties, model, obj.business, limit=5)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view")


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(BusinessScopedAdmin):
    list_display = ("ref_type", "count", "business")
    readonly_fields = ("business", "ref_type", "count")

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "Back office"
admin.site.site_title = "Back office"
admin.site.index_title = "Back office"
# The server's own pages are the API's: "View site" opens its documentation.
admin.site.site_url = "/api/docs/"
# Lists get the whole 1400 px of a laptop screen; the index and breadcrumbs lead everywhere else.
admin.site.enable_nav_sidebar = False
