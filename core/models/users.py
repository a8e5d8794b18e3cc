from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.permissions import ALL_PERMISSIONS, UnknownPermission, check_names
from core.querysets import BusinessQuerySet


def validate_permission_names(value):
    if not isinstance(value, list):
        raise ValidationError("Permissions must be a list of names.")
    try:
        check_names(value)
    except UnknownPermission as exc:
        raise ValidationError(str(exc)) from exc


class Role(models.Model):
    """A named set of permissions inside one business. Exactly one role per business is its admin role."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    permissions = models.JSONField(default=list, blank=True, validators=[validate_permission_names])
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager.from_queryset(BusinessQuerySet)()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="uniq_role_name_per_business"),
            models.UniqueConstraint(
                fields=["business"], condition=Q(is_admin=True), name="one_admin_role_per_business"
            ),
        ]
        ordering = ["id"]

    def __str__(self):
        return self.name


class ErpUserManager(UserManager.from_queryset(BusinessQuerySet)):
    pass


class User(AbstractUser):
    """A person or integration acting for one business. Superusers of the platform may have no business."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="users", null=True, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    permitted_locations = models.ManyToManyField("core.BusinessLocation", blank=True, related_name="permitted_users")
    # The contact this user represents, for customer/supplier portal users.
    crm_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="crm_users"
    )

    objects = ErpUserManager()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.username

    @cached_property
    def is_business_admin(self) -> bool:
        return self.business_id is not None and self.roles.filter(is_admin=True).exists()

    @cached_property
    def erp_permissions(self) -> frozenset[str]:
        if self.business_id is None:
            return frozenset()
        if self.is_business_admin:
            return ALL_PERMISSIONS
        names = set()
        for perms in self.roles.values_list("permissions", flat=True):
            names.update(perms or [])
        return frozenset(names & ALL_PERMISSIONS)

    def has_erp_perm(self, *names: str) -> bool:
        """True when the user holds any of the named permissions. Unknown names are an error."""
        check_names(names)
        return any(name in self.erp_permissions for name in names)

    def permitted_location_ids(self) -> set[int] | None:
        """None means every location of the business."""
        if self.is_business_admin or "access_all_locations" in self.erp_permissions:
            return None
        return set(self.permitted_locations.values_list("id", flat=True))

    def forget_permissions(self):
        for attr in ("is_business_admin", "erp_permissions"):
            self.__dict__.pop(attr, None)
