"""List filters of the back office shared by several apps."""

import datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.utils import timezone


class DateRangeFilter(admin.DateFieldListFilter):
    """Django's date presets (today, past 7 days, this month, this year) and a from–to range of days, both ends
    included: "from" is the preset's own `<field>__gte`, "to" a `<field>__to` day turned into `<field>__lt` the day
    after, so a bookkeeper types the last day they mean."""

    template = "admin/filters/date_range.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self):
        return [*super().expected_parameters(), self.lookup_kwarg_to]

    def _bound(self, text: str, *, days: int = 0) -> str:
        """The start of a typed day (plus `days`) as the field compares it: a local midnight for a datetime."""
        try:
            day = datetime.date.fromisoformat(text) + datetime.timedelta(days=days)
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc
        if isinstance(self.field, models.DateTimeField):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)).isoformat(" ")
        return day.isoformat()

    def queryset(self, request, queryset):
        last_day = self.used_parameters.pop(self.lookup_kwarg_to, None)
        if last_day:
            self.used_parameters[self.lookup_kwarg_until] = [self._bound(str(last_day[-1]), days=1)]
        since = self.used_parameters.get(self.lookup_kwarg_since)
        if since and len(str(since[-1])) == 10:  # a day typed in the range form, not a preset's moment
            self.used_parameters[self.lookup_kwarg_since] = [self._bound(str(since[-1]))]
        return super().queryset(request, queryset)

    def choices(self, changelist):
        # What the range form shows and carries: the dates chosen, and every other parameter of the list.
        self.range_from = str(self.date_params.get(self.lookup_kwarg_since, ""))[:10]
        self.range_to = str(self.date_params.get(self.lookup_kwarg_to, ""))[:10]
        self.range_hidden = [
            (name, value)
            for name, values in changelist.params.items()
            if not name.startswith(self.field_generic)
            for value in (values if isinstance(values, list) else [values])
        ]
        return super().choices(changelist)
