"""The tenant wall: every query of business data starts from `for_business`."""

from django.db import models


class BusinessQuerySet(models.QuerySet):
    def for_business(self, business):
        business_id = business if isinstance(business, int) else business.pk
        return self.filter(business_id=business_id)


BusinessManager = models.Manager.from_queryset(BusinessQuerySet)
