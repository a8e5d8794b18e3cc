from django.db import models

from core.querysets import BusinessManager


class ReferenceCounter(models.Model):
    """Per-business sequence for one kind of reference number (RULES §3). Advanced only under a row lock."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    ref_type = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    objects = BusinessManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "ref_type"], name="uniq_counter_per_business")]

    def __str__(self):
        return f"{self.ref_type}: {self.count}"
