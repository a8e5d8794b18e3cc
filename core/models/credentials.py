import hashlib
import hmac

from django.db import models
from django.utils import timezone


def hash_secret(secret: str) -> str:
    # Secrets are 256 random bits, so a fast digest is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiCredential(models.Model):
    """A Bearer token (`<key>.<secret>`) or an API key + secret pair. Only the secret's hash is stored."""

    class Kind(models.TextChoices):
        TOKEN = "token", "Bearer token"
        KEY_PAIR = "key_pair", "API key + secret"

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="api_credentials")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True, default="")
    key = models.CharField(max_length=32, unique=True, help_text="Public identifier; the X-API-Key value.")
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = "API credential"
        verbose_name_plural = "API credentials"

    def __str__(self):
        return f"{self.get_kind_display()} {self.key[:8]}… ({self.user})"

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
