from .activity import Activity
from .business import Business, BusinessLocation
from .counters import ReferenceCounter
from .credentials import ApiCredential
from .idempotency import IdempotencyKey
from .users import Role, User

__all__ = [
    "Activity",
    "ApiCredential",
    "Business",
    "IdempotencyKey",
    "BusinessLocation",
    "ReferenceCounter",
    "Role",
    "User",
]
