"""Permission rules of the contacts endpoints (RULES §1)."""

from contacts.models import Contact
from contacts.querysets import SIDES
from core.api.permissions import Rule
from core.permissions import require_known


def _side_allowed(user, side: str, verb: str) -> bool:
    """Writing a contact of one side needs `<side>.<verb>`, or `<side>.view_own` (which covers own contacts)."""
    return user.has_erp_perm(f"{side}.{verb}", f"{side}.view_own")


def sides_of(contact_type: str) -> tuple[str, ...]:
    return SIDES if contact_type == Contact.Type.BOTH else (contact_type,)


class ContactKind(Rule):
    """Reading contacts of a kind: `<kind>.view` or `<kind>.view_own`. Without a valid kind in the query
    string, any contact read permission passes and the query validation answers 422."""

    def __init__(self, param: str = "kind"):
        self.param = param
        require_known(*(f"{s}.{v}" for s in SIDES for v in ("view", "view_own")))

    def has_permission(self, request, view):
        kind = request.query_params.get(self.param)
        sides = (kind,) if kind in SIDES else SIDES
        return any(request.user.has_erp_perm(f"{s}.view", f"{s}.view_own") for s in sides)

    def describe(self):
        return (
            "`customer.view` or `customer.view_own` for customers, `supplier.view` or `supplier.view_own` for suppliers"
        )


class ContactTypeAllowed(Rule):
    """Create, update or delete: every side of the contact's type must pass (both = customer and supplier).
    On update the type after the change must pass as well as the current one."""

    def __init__(self, verb: str, *, body_type: bool = True):
        self.verb = verb
        #: whether a `type` in the request body is the contact's new type (contact writes) or not (notes)
        self.body_type = body_type
        require_known(*(f"{s}.{verb}" for s in SIDES))

    def _payload_type(self, request):
        if not self.body_type:
            return None
        data = request.data if isinstance(request.data, dict) else {}
        value = data.get("type")
        return value if value in Contact.Type.values else None

    def has_permission(self, request, view):
        user = request.user
        if not any(_side_allowed(user, side, self.verb) for side in SIDES):
            return False
        wanted = self._payload_type(request)
        return wanted is None or all(_side_allowed(user, s, self.verb) for s in sides_of(wanted))

    def has_object_permission(self, request, view, obj):
        types = {obj.type}
        if self.verb == "update" and self._payload_type(request):
            types.add(self._payload_type(request))
        return all(_side_allowed(request.user, s, self.verb) for t in types for s in sides_of(t))

    def describe(self):
        return (
            f"`customer.{self.verb}` or `customer.view_own` for customers, `supplier.{self.verb}` or "
            f"`supplier.view_own` for suppliers; both sides for `both` contacts"
        )
