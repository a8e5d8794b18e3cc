"""Deleting contacts in the back office: a contact that documents or payments point at is kept for the books
(RULES §2), so instead of Django's "no permission to delete" the page says why and offers to deactivate it; the
bulk action deletes those it can and offers the same for the rest. Every write goes through contacts.services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from contacts import services
from core.deletion import protected_counts
from core.exceptions import BusinessRuleViolation

# the models' names as a bookkeeper says them
WORDS = {"transaction": "document", "transactions": "documents"}


def deletion_blockers(contact) -> list[str]:
    """Why the contact cannot be deleted: `["it has 12 documents", "it has 3 payments"]`, or nothing."""
    if contact.is_default:
        return ["it is the business's walk-in customer, which every till sale without a customer uses"]
    return [f"it has {count} {WORDS.get(name, name)}" for count, name in protected_counts(contact)]


class ContactDeleteAdminMixin:
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_contacts, which says why some stay
        return actions

    actions = ("delete_contacts", "deactivate_selected", "activate_selected")

    def _delete_refusal(self, request, blocked, *, deletable=(), title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "blocked": blocked,
            "deletable": deletable,
            "deactivatable": [c for c, _ in blocked if not c.is_default and c.contact_status != "inactive"],
            "can_change": self.has_change_permission(request),
            "changelist_url": reverse("admin:contacts_contact_changelist"),
        }
        return TemplateResponse(request, "admin/contacts/contact/delete_refused.html", context)

    def delete_view(self, request, object_id, extra_context=None):
        contact = self.get_object(request, unquote(object_id))
        if contact is not None and self.has_delete_permission(request, contact):
            reasons = deletion_blockers(contact)
            if reasons:
                response = self._delete_refusal(request, [(contact, reasons)], title=f"{contact} cannot be deleted")
                response.status_code = 403  # the deletion is refused; the page says why and what to do instead
                return response
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.contact_delete(business=obj.business, user=request.user, contact=obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            try:
                services.contact_delete(business=contact.business, user=request.user, contact=contact)
            except BusinessRuleViolation as exc:
                messages.error(request, f"{contact}: {exc.message}")

    @admin.action(description="Delete selected contacts", permissions=["delete"])
    def delete_contacts(self, request, queryset):
        blocked, deletable = [], []
        for contact in queryset:
            reasons = deletion_blockers(contact)
            (blocked if reasons else deletable).append((contact, reasons) if reasons else contact)
        if request.POST.get("post") == "yes":
            deleted = 0
            for contact in deletable:
                try:
                    services.contact_delete(business=contact.business, user=request.user, contact=contact)
                    deleted += 1
                except BusinessRuleViolation as exc:
                    messages.error(request, f"{contact}: {exc.message}")
            messages.success(request, f"Deleted {deleted} contact(s).")
            if blocked:
                messages.warning(request, f"{len(blocked)} contact(s) with documents or payments were kept.")
            return None
        return self._delete_refusal(request, blocked, deletable=deletable, title="Delete contacts")

    def _set_status(self, request, queryset, status):
        if not self.has_change_permission(request):
            raise PermissionDenied
        changed = 0
        for contact in queryset.exclude(contact_status=status):
            services.contact_update(
                business=contact.business, user=request.user, contact=contact, data={"contact_status": status}
            )
            changed += 1
        return changed

    @admin.action(description="Deactivate selected contacts (kept with their documents)", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        changed = self._set_status(request, queryset, "inactive")
        messages.success(request, f"Deactivated {changed} contact(s); they stay in the books and can be reactivated.")
        if queryset.count() == 1:
            return HttpResponseRedirect(reverse("admin:contacts_contact_change", args=[queryset.get().pk]))
        return None

    @admin.action(description="Activate selected contacts", permissions=["change"])
    def activate_selected(self, request, queryset):
        changed = self._set_status(request, queryset, "active")
        messages.success(request, f"Activated {changed} contact(s).")
