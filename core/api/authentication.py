"""Bearer tokens and API key + secret pairs (operations.md)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core.models import ApiCredential, User
from core.sql import CompiledFirstRow

# Whether the credential's user holds the business's admin role, read with the credential itself: one statement
# fewer on every request (the rules ask it first).
ADMIN_ROLE = User.roles.through.objects.filter(user_id=OuterRef("user_id"), role__is_admin=True)

#: The credential with its user, the user's business and whether the user is an admin: one statement per request,
#: compiled once (core.sql.CompiledFirstRow), not on every request.
CREDENTIAL = CompiledFirstRow(
    lambda key, kind: (
        ApiCredential.objects.select_related("user__business")
        .annotate(user_is_admin=Exists(ADMIN_ROLE))
        .filter(key=key, kind=kind)
    ),
    key=None,
    kind=None,
)

# last_used_at is refreshed at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)


#: Where IntegrationApiMiddleware leaves the outcome of authenticating a request (it authenticates before the view,
#: to count the request against its credential's rate limit), so the view does not do the work again.
OUTCOME = "_erp_authentication"


def presents_credentials(request) -> bool:
    meta = request.META
    return bool(meta.get("HTTP_AUTHORIZATION", "").strip()) or "HTTP_X_API_KEY" in meta or "HTTP_X_API_SECRET" in meta


class CredentialAuthentication(BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request):
        outcome = getattr(getattr(request, "_request", request), OUTCOME, None)
        if outcome is not None:
            if isinstance(outcome, AuthenticationFailed):
                raise outcome
            return outcome or None
        return self.credentials_of(request)

    def credentials_of(self, request):
        """(user, credential) for the credentials the request presents, None when it presents none; raises
        AuthenticationFailed for credentials that are not valid. Works on a Django or a DRF request."""
        header = get_authorization_header(request).decode("latin-1").strip()
        api_key = request.META.get("HTTP_X_API_KEY")
        api_secret = request.META.get("HTTP_X_API_SECRET")
        presented = []
        if header:
            if not header.lower().startswith("bearer "):
                raise AuthenticationFailed()
            key, _, secret = header[7:].strip().partition(".")
            presented.append((key, secret, ApiCredential.Kind.TOKEN))
        if api_key is not None or api_secret is not None:
            presented.append((api_key or "", api_secret or "", ApiCredential.Kind.KEY_PAIR))
        if not presented:
            return None
        # Every credential sent must be valid, and all of them the same user's: two that disagree are a 401.
        checked = [self._check(key.strip(), secret.strip(), kind) for key, secret, kind in presented]
        if len({user.pk for user, _ in checked}) > 1:
            raise AuthenticationFailed()
        return checked[0]

    def _check(self, key: str, secret: str, kind: str):
        credential = CREDENTIAL.first(key=key, kind=kind) if key and secret else None
        now = timezone.now()
        if credential is None or not credential.secret_matches(secret) or not credential.is_usable(now):
            raise AuthenticationFailed()
        user = credential.user
        if not user.is_active or user.business_id is None:
            raise AuthenticationFailed()
        user.__dict__["is_business_admin"] = credential.user_is_admin  # User.is_business_admin, already known
        if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
            ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        return user, credential

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'
