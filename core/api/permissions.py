"""Deny by default: every view declares, per action, the rules a request must pass.

    rules = {
        "list": Perm("customer.view", "customer.view_own"),
        "create": [PackageActive(), Perm("customer.create")],
    }

A rule answers for the whole request (`has_permission`) and, when the view loads one
object, for that object (`has_object_permission`). An action without a rule is refused,
and a test walks every API route to make sure none is missing.
"""

import logging

from django.conf import settings
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.api.errors import PaymentRequired
from core.permissions import require_known

logger = logging.getLogger("erp.api")


class Rule:
    def has_permission(self, request, view) -> bool:
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        return True

    def describe(self) -> str:
        return ""

    def __or__(self, other):
        return AnyOf(self, other)


class AnyOf(Rule):
    def __init__(self, *rules: Rule):
        self.rules = rules

    def has_permission(self, request, view):
        return any(rule.has_permission(request, view) for rule in self.rules)

    def has_object_permission(self, request, view, obj):
        return any(
            rule.has_permission(request, view) and rule.has_object_permission(request, view, obj) for rule in self.rules
        )

    def describe(self):
        return " or ".join(f"({r.describe()})" for r in self.rules)


class Perm(Rule):
    """The user holds at least one of the named permissions (business admins hold them all)."""

    def __init__(self, *names: str):
        self.names = require_known(*names)

    def has_permission(self, request, view):
        return request.user.has_erp_perm(*self.names)

    def describe(self):
        return "any of " + ", ".join(f"`{n}`" for n in self.names) if len(self.names) > 1 else f"`{self.names[0]}`"


class BusinessAdmin(Rule):
    def has_permission(self, request, view):
        return request.user.is_business_admin

    def describe(self):
        return "business admin"


class Authenticated(Rule):
    """Any authenticated user of the business, whatever their permissions."""

    def describe(self):
        return "any authenticated user"


class PackageActive(Rule):
    """With ERP_ENFORCE_PACKAGES on, a business whose subscription is not active gets 402."""

    def has_permission(self, request, view):
        if settings.ERP_ENFORCE_PACKAGES and request.user.business.subscription_status != "active":
            raise PaymentRequired()
        return True

    def describe(self):
        return "402 when package enforcement is on and the subscription is not active"


class NotDemoMode(Rule):
    message = "This action is disabled in demo mode."

    def has_permission(self, request, view):
        if settings.ERP_DEMO_MODE:
            raise PermissionDenied(self.message)
        return True

    def describe(self):
        return "403 in demo mode"


class ModuleEnabled(Rule):
    def __init__(self, module: str):
        self.module = module

    def has_permission(self, request, view):
        if not request.user.business.has_module(self.module):
            raise PermissionDenied(f"The {self.module} module is not enabled for this business.")
        return True

    def describe(self):
        return f"the `{self.module}` module enabled"


class LocationPermitted(Rule):
    """A `location_id` sent in the query string or body must be one of the user's permitted locations."""

    def __init__(self, field: str = "location_id"):
        self.field = field

    def has_permission(self, request, view):
        raw = request.query_params.get(self.field)
        if raw is None and isinstance(request.data, dict):
            raw = request.data.get(self.field)
        if raw in (None, ""):
            return True
        permitted = request.user.permitted_location_ids()
        if permitted is None:
            return True
        try:
            location_id = int(raw)
        except (TypeError, ValueError):
            return True  # not a location id at all: validation answers 422
        if location_id in permitted:
            return True
        from core.models import BusinessLocation

        # A location of the business the user may not use is 403; an id that is no location of it is left to
        # validation (422), like any other unknown id.
        return not BusinessLocation.objects.filter(business_id=request.user.business_id, pk=location_id).exists()

    def describe(self):
        return f"`{self.field}` among the user's permitted locations"


def rules_for(view, action) -> list[Rule] | None:
    rules = getattr(view, "rules", {}).get(action)
    if rules is None:
        return None
    return list(rules) if isinstance(rules, (list, tuple)) else [rules]


class ActionRules(BasePermission):
    def has_permission(self, request, view):
        if request.user is None or not request.user.is_authenticated:
            return False
        if request.method == "OPTIONS":
            return True  # answered by IntegrationViewSet.options: the methods served, nothing else
        action_map = getattr(view, "action_map", None) or {}
        if action_map and request.method.lower() not in action_map:
            return True  # no handler for this method: the view answers 405
        rules = rules_for(view, getattr(view, "action", None))
        if rules is None:
            logger.error("No permission rule for %s.%s: refused", type(view).__name__, getattr(view, "action", None))
            return False
        return all(rule.has_permission(request, view) for rule in rules)

    def has_object_permission(self, request, view, obj):
        rules = rules_for(view, getattr(view, "action", None)) or []
        return all(rule.has_object_permission(request, view, obj) for rule in rules)
