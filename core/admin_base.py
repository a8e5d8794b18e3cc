"""The back office's tenant wall: every ModelAdmin of business data inherits BusinessScopedAdmin.

Superusers see every business. A business's staff (is_staff) see and edit only their business's
rows; business admins may do everything there, other staff what `erp_permissions` grants them
(for example `{"view": ("customer.view",)}`); anything not granted is hidden.
"""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models

from core.admin_display import activity_changes, money_field, quantity
from core.models import Activity


def _business_of(request):
    return getattr(request.user, "business_id", None)


class BusinessScopedMixin:
    #: ORM path from the model to its business.
    business_field = "business"
    #: action ("view", "add", "change", "delete") -> permission names that allow it to non-admin staff.
    erp_permissions: dict[str, tuple[str, ...]] = {}
    #: a business module (`Business.has_module`) the admin needs, as the API's ModuleEnabled rule does.
    module: str | None = None

    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        business_id = _business_of(request)
        if business_id is None:
            return queryset.none()
        return queryset.filter(**{self.business_field: business_id})

    def get_queryset(self, request):
        queryset = self.scope(request, super().get_queryset(request))
        if self.business_field == "business":
            # every amount on the page is formatted with the row's business (core.admin_display.money); the
            # changelist skips list_select_related once the query has any, so those joins are named here too
            joins = getattr(self, "list_select_related", ())
            queryset = queryset.select_related("business", *(joins if isinstance(joins, (list, tuple)) else ()))
        visible_to = getattr(queryset, "visible_to", None)
        if visible_to is not None and self.apply_visible_to and not request.user.is_superuser and _business_of(request):
            # who may see which row, as in the API (contacts: view_own sees its own and shared ones only)
            queryset = visible_to(request.user)
        return queryset

    #: filter the changelist and pages through the model's `visible_to(user)` (the API's row rule)
    apply_visible_to = True

    def _allowed(self, request, action) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        if _business_of(request) is None:
            return False
        if self.module and not user.business.has_module(self.module):
            return False
        if user.is_business_admin:
            return True
        names = self.erp_permissions.get(action)
        return bool(names) and user.has_erp_perm(*names)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view") or self._allowed(request, "change")

    def has_add_permission(self, request, *args):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def _limit_to_business(self, request, queryset):
        """Choices in foreign-key and many-to-many fields: only rows of the user's business."""
        if request.user.is_superuser or queryset is None:
            return queryset
        model = queryset.model
        if model._meta.model_name == "business":
            return queryset.filter(pk=_business_of(request))
        if any(f.name == "business" for f in model._meta.get_fields()):
            return queryset.filter(business_id=_business_of(request))
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit_to_business(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit_to_business(request, field.queryset)
        return field


class BusinessScopedAdmin(BusinessScopedMixin, admin.ModelAdmin):
    change_list_template = "admin/change_list_totals.html"
    #: decimal fields of the model that are not amounts (a percentage); quantities are told by their name
    not_money: tuple[str, ...] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # `<field>_display`: each decimal field as a view-only page shows it (money formatted, quantities plain)
        self._view_only_names = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DecimalField) and field.name not in self.not_money:
                name = f"{field.name}_display"
                if not hasattr(self, name):
                    if field.name.startswith(("qty", "quantity")):
                        shown = admin.display(description=field.verbose_name)(
                            lambda obj, _f=field.name: quantity(getattr(obj, _f))
                        )
                    else:
                        shown = money_field(field.name, field.verbose_name)
                    setattr(self, name, shown)
                self._view_only_names[field.name] = name

    def _view_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        if not self._view_only_names or not self._view_only(request, obj):
            return sets
        names = self._view_only_names
        return [(n, {**o, "fields": tuple(names.get(f, f) for f in o["fields"])}) for n, o in sets]

    def changelist_totals(self, request, queryset) -> list[tuple[str, str]]:
        """(label, value) pairs shown under the list, for the filtered rows (all pages): none by default."""
        return []

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("cl") is not None:
            context["totals"] = self.changelist_totals(request, context["cl"].queryset)
        return response

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.business_field == "business":
            exclude.append("business")
        return exclude

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser and self.business_field == "business":
            obj.business_id = _business_of(request)
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(BusinessScopedAdmin):
    """Rows derived from other records (stock, documents, movements, the activity log): listed and shown only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin:
    """An inline shown read-only on its parent's page; the parent's admin has already decided who sees it."""

    extra = 0
    can_delete = False
    show_change_link = False
    template = "admin/edit_inline/tabular_plain.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if any(f.name == "business" for f in self.model._meta.get_fields()):
            queryset = queryset.select_related("business")
        return queryset

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class ReadOnlyTabular(ReadOnlyInlineMixin, admin.TabularInline):
    pass


class ReadOnlyInline(ReadOnlyInlineMixin, GenericTabularInline):
    pass


class ActivityTrailInline(ReadOnlyInline):
    """The activity trail of the record on its own admin page, newest first, read-only."""

    model = Activity
    ct_field = "subject_type"
    ct_fk_field = "subject_id"
    fields = readonly_fields = ("created_at", "description", "causer", "changes")
    ordering = ("-id",)
    verbose_name = "activity"
    verbose_name_plural = "activity trail"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("causer", "business", "subject_type")

    @admin.display(description="what changed")
    def changes(self, obj):
        return activity_changes(
            obj.properties, obj.subject_type.model_class() if obj.subject_type else None, obj.business
        )
