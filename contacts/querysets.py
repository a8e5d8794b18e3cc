from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.querysets import BusinessQuerySet

SIDES = ("customer", "supplier")


def types_of_side(side: str) -> tuple[str, str]:
    """A customer-side listing shows customers and `both` contacts; likewise for suppliers."""
    return (side, "both")


class ContactQuerySet(BusinessQuerySet):
    def of_kind(self, kind: str | None):
        if kind in SIDES:
            return self.filter(type__in=types_of_side(kind))
        return self

    def visible_to(self, user, side: str | None = None):
        """Contacts the user may see: per side, all of it with `<side>.view`, or with only
        `<side>.view_own` the ones they created or that are shared with them (user_contact_access)."""
        from contacts.models import UserContactAccess

        own = Q(created_by=user) | Exists(UserContactAccess.objects.filter(contact=OuterRef("pk"), user=user))
        conditions = []
        for each in (side,) if side else SIDES:
            if user.has_erp_perm(f"{each}.view"):
                conditions.append(Q(type__in=types_of_side(each)))
            elif user.has_erp_perm(f"{each}.view_own"):
                conditions.append(Q(type__in=types_of_side(each)) & own)
        if not conditions:
            return self.none()
        condition = conditions[0]
        for extra in conditions[1:]:
            condition |= extra
        return self.filter(condition, business_id=user.business_id)

    def search(self, q: str | None):
        if not q:
            return self
        return self.filter(
            Q(name__icontains=q)
            | Q(supplier_business_name__icontains=q)
            | Q(mobile__icontains=q)
            | Q(landline__icontains=q)
            | Q(alternate_number__icontains=q)
            | Q(email__icontains=q)
            | Q(contact_id__icontains=q)
        )


class DocumentNoteQuerySet(BusinessQuerySet):
    def visible_to(self, user):
        """Public notes, and the private notes the user wrote: a private note exists for its creator only
        (RULES §11), whoever else asks, business admins included. The business comes from for_business()."""
        return self.filter(Q(is_private=False) | Q(created_by=user))


class ContactManager(models.Manager.from_queryset(ContactQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)
