"""Date helpers: calendar arithmetic and the business's local dates."""

import calendar
import datetime
import zoneinfo

from django.utils import timezone


def shift_months(day: datetime.date, months: int, *, day_of_month: int | None = None) -> datetime.date:
    """The date `months` later on the same day of the month (or on `day_of_month`), clamped to the month's last
    day: 31 Jan + 1 month = 28/29 Feb. Raises OverflowError past the calendar's end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise OverflowError("date out of range")
    return datetime.date(year, month, min(day_of_month or day.day, calendar.monthrange(year, month)[1]))


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    shifted = shift_months(moment.date(), months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


# Dates the API accepts: a day on either side of them still converts between every time zone and UTC.
EARLIEST_DATE, LATEST_DATE = datetime.date(1900, 1, 1), datetime.date(9998, 12, 31)


def add_term(moment: datetime.datetime, number: int | None, unit: str | None) -> datetime.datetime:
    """`moment` plus a pay term (`days` or `months`); the moment itself without a term."""
    if not number or not unit:
        return moment
    if unit == "months":
        return add_months(moment, number)
    return moment + datetime.timedelta(days=number)


def business_zone(business) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(business.time_zone)


def day_bounds(business, start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the business's time zone, for inclusive date filters."""
    zone = business_zone(business)
    lower = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    upper = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return lower, upper


def local_iso(moment: datetime.datetime | None, business) -> str | None:
    """ISO-8601 in the business's time zone, whether or not a request has it active (csv rows stream after)."""
    return timezone.localtime(moment, business_zone(business)).isoformat() if moment is not None else None


def now_in(business) -> datetime.datetime:
    return timezone.localtime(timezone=business_zone(business))


# Business date formats (RULES §10) as strftime patterns, for PDFs and e-mails.
_STRFTIME = {"d-m-Y": "%d-%m-%Y", "m-d-Y": "%m-%d-%Y", "d/m/Y": "%d/%m/%Y", "m/d/Y": "%m/%d/%Y"}


def business_date_text(day, business) -> str:
    """A date (or the local date of a moment) in the business's date format: `01/31/2026` for m/d/Y."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day, business_zone(business)) if timezone.is_aware(day) else day
    return day.strftime(_STRFTIME.get(business.date_format, "%m/%d/%Y"))


def business_datetime_text(moment, business) -> str:
    """A moment in the business's date format and time format (24h `14:05`, or 12h `02:05 PM`), local time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, business_zone(business)) if timezone.is_aware(moment) else moment
    clock = "%I:%M %p" if business.time_format == "12" else "%H:%M"
    return f"{business_date_text(local, business)} {local.strftime(clock)}"
