"""Who may see a contact: the rules every app's endpoints use for a contact they are about (RULES §1, §3)."""

from contacts.models import Contact
from contacts.querysets import SIDES, types_of_side
from core.api.permissions import Perm, Rule

#: Reading any contact: what Get contact (and everything "with the same access") needs.
CONTACT_READ = Perm("customer.view", "customer.view_own", "supplier.view", "supplier.view_own")


def contact_on_side(user, pk, side: str) -> Contact:
    """A contact named in the path of a per-side route (/contacts/{id}/sells, …/subscriptions, …/supplier-stock):
    404 outside the business, 403 when the user may not see it, 422 when it is not a contact of this side."""
    from django.http import Http404
    from rest_framework.exceptions import PermissionDenied

    from core.exceptions import BusinessRuleViolation

    contact = Contact.objects.for_business(user.business).filter(pk=pk).first()
    if contact is None:
        raise Http404
    if not Contact.objects.visible_to(user, side=side).filter(pk=contact.pk).exists():
        if contact.type in types_of_side(side):
            raise PermissionDenied()
        if not Contact.objects.visible_to(user).filter(pk=contact.pk).exists():
            raise PermissionDenied()
    if contact.type not in types_of_side(side):
        raise BusinessRuleViolation(f"The contact is not a {side} (it is a {contact.type}).")
    return contact


def is_visible(user, contact) -> bool:
    """`Contact.objects.visible_to(user)` holds the contact (of the user's business, as every caller loaded it).
    With `<side>.view` for a side of its type that is every such contact, so no query is needed."""
    if contact.business_id == user.business_id and any(
        contact.type in types_of_side(side) and user.has_erp_perm(f"{side}.view") for side in SIDES
    ):
        return True
    return Contact.objects.visible_to(user).filter(pk=contact.pk).exists()


class ContactVisible(Rule):
    """The contact (the object, or the view's `contact_of(obj)`) is visible to the user; 403 otherwise."""

    def has_object_permission(self, request, view, obj):
        return is_visible(request.user, view.contact_of(obj) if hasattr(view, "contact_of") else obj)

    def describe(self):
        return "the contact visible to the user (403 otherwise)"
