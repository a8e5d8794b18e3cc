from django.db import models
from django.utils import timezone

from core.querysets import BusinessManager


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a credential's user sent with a write, and the answer it got.

    The row is inserted ("in progress") in its own transaction before the request runs, so a second request
    with the same key finds it; it is completed with the status and body of the answer, or deleted when the
    answer was a 5xx (the client may retry that)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="Path and query string of the first request.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the body (multipart: fields and file bytes).")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True, default="")
    body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: when the running request claimed the key; an in-progress claim older than the lock timeout is abandoned
    locked_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    objects = BusinessManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key_per_user")]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path}: {self.status_code or self.state})"
