"""Issuing and revoking API credentials. The plaintext secret exists only in the return value."""

import secrets
from dataclasses import dataclass

from django.utils import timezone

from core.models import ApiCredential
from core.models.credentials import hash_secret


@dataclass(frozen=True)
class IssuedCredential:
    credential: ApiCredential
    secret: str

    @property
    def token(self) -> str:
        """The Bearer token, for kind=token."""
        return f"{self.credential.key}.{self.secret}"


def credential_issue(*, user, kind: str, name: str = "", expires_at=None) -> IssuedCredential:
    secret = secrets.token_urlsafe(32)
    credential = ApiCredential(
        user=user,
        kind=kind,
        name=name,
        key=secrets.token_hex(12),
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    credential.full_clean(exclude=["secret_hash"])
    credential.save()
    return IssuedCredential(credential=credential, secret=secret)


def credential_revoke(*, credential: ApiCredential) -> ApiCredential:
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
    return credential
