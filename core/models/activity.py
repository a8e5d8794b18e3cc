from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.querysets import BusinessManager


class Activity(models.Model):
    """Audit trail row: who did what to which record, with old and new attribute values."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    log_name = models.CharField(max_length=100, default="default")
    description = models.TextField()
    event = models.CharField(max_length=50, null=True, blank=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    causer = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # {"attributes": {...new values}, "old": {...previous values}} plus any extra context.
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["business", "subject_type", "subject_id", "-id"], name="activity_subject_idx")]

    def __str__(self):
        return f"{self.description} ({self.event})"
