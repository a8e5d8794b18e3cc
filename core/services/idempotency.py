"""Housekeeping of stored Idempotency-Key answers (core/api/idempotency.py)."""

from django.utils import timezone

from core.models import IdempotencyKey


def idempotency_keys_purge(*, now=None) -> int:
    """Delete the keys whose answers have expired; how many went."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
