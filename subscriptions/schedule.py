"""The schedule of a subscription (RULES §8), as pure functions of its terms, what it has billed and its pauses.

The k-th period of a parent dated P is P + k × interval (k = 1, 2, …), computed from P every time, never chained
from the previous period, so it cannot drift: monthly from 31 Jan is 28 Feb, 31 Mar, 30 Apr; yearly from 29 Feb
2024 is 28 Feb 2025, …, 29 Feb 2028. With `subscription_repeat_on` (months only) the day of the month is that day,
clamped to the month's length. Dates are the business's local dates; a child is dated on its period date at the
parent's local time of day.

A period falls due at the start of its day. One that fell due while the subscription was stopped is skipped for
good: a pause stopped on day S and resumed on day R skips the periods dated after S and before R (the period on
the stop day had already fallen due, and resuming on a day bills that day's period). Repetitions (0 or none:
unlimited) count the periods billed, never the skipped ones.

The API's upcoming date, the schedule preview and the generator all read these functions, so they agree.
"""

import datetime
from dataclasses import dataclass, field

from core.dates import LATEST_DATE, shift_months

DAYS, MONTHS, YEARS = "days", "months", "years"
UNIT_WORDS = {DAYS: ("day", "days"), MONTHS: ("month", "months"), YEARS: ("year", "years")}


@dataclass(frozen=True)
class Pause:
    """A stop, resumed on `resumed` (None: still stopped). Local dates."""

    stopped: datetime.date
    resumed: datetime.date | None

    def skips(self, day: datetime.date) -> bool:
        return self.stopped < day and (self.resumed is None or day < self.resumed)


@dataclass(frozen=True)
class Terms:
    start: datetime.date  # the parent's local date
    interval: int
    unit: str
    repeat_on: int | None = None
    repetitions: int | None = None  # 0 or None: unlimited

    def nth(self, k: int) -> datetime.date | None:
        """The date of period k (k ≥ 1), or None past the last date the system stores."""
        try:
            if self.unit == DAYS:
                day = self.start + datetime.timedelta(days=k * self.interval)
            elif self.unit == MONTHS:
                day = shift_months(self.start, k * self.interval, day_of_month=self.repeat_on)
            elif self.unit == YEARS:
                day = shift_months(self.start, 12 * k * self.interval)
            else:
                return None
        except OverflowError:
            return None
        return day if day <= LATEST_DATE else None

    def first_on_or_after(self, day: datetime.date) -> int:
        """The smallest k ≥ 1 whose period date is on or after `day` (found from an estimate, not by walking)."""
        if day <= self.start:
            return 1
        if self.unit == DAYS:
            k = (day - self.start).days // self.interval
        else:
            months = (day.year - self.start.year) * 12 + day.month - self.start.month
            k = months // (self.interval * (12 if self.unit == YEARS else 1))
        k = max(1, k - 1)
        while (date := self.nth(k)) is not None and date < day:
            k += 1
        while k > 1 and (earlier := self.nth(k - 1)) is not None and earlier >= day:
            k -= 1
        return k

    @property
    def limited(self) -> bool:
        return bool(self.repetitions)

    def label(self) -> str | None:
        return cadence_label(self.interval, self.unit, self.repeat_on)


def cadence_label(interval: int | None, unit: str | None, repeat_on: int | None = None) -> str | None:
    """`Every month`, `Every 3 days`, `Every month on day 5`; None without a unit."""
    if unit not in UNIT_WORDS:
        return None
    one, many = UNIT_WORDS[unit]
    interval = interval or 1
    text = f"Every {one}" if interval == 1 else f"Every {interval} {many}"
    if unit == MONTHS and repeat_on:
        text += f" on day {repeat_on}"
    return text


@dataclass(frozen=True)
class Billed:
    """What the subscription has billed: how many periods, and the last one's k (0: none yet)."""

    count: int = 0
    last_sequence: int = 0


@dataclass
class Period:
    sequence: int
    date: datetime.date


@dataclass
class SkippedRun:
    """The periods one pause skipped."""

    stopped: datetime.date
    resumed: datetime.date | None
    first: Period
    last: Period
    count: int


@dataclass
class Plan:
    periods: list[Period] = field(default_factory=list)
    skipped: list[SkippedRun] = field(default_factory=list)


def _skipping(pauses, day: datetime.date) -> Pause | None:
    return next((pause for pause in pauses if pause.skips(day)), None)


def billable(terms: Terms, billed: Billed, pauses, *, until: datetime.date | None = None, limit: int | None = None):
    """The periods still to bill, in order, after the last one billed: skipped ones passed over, at most what the
    repetitions leave and `limit`, none dated after `until`."""
    caps = [c for c in (terms.repetitions - billed.count if terms.limited else None, limit) if c is not None]
    wanted = min(caps) if caps else None
    periods: list[Period] = []
    k = billed.last_sequence + 1
    while wanted is None or len(periods) < wanted:
        day = terms.nth(k)
        if day is None or (until is not None and day > until):
            break
        pause = _skipping(pauses, day)
        if pause is not None:
            if pause.resumed is None:
                break  # stopped: nothing more until it is resumed
            k = max(k + 1, terms.first_on_or_after(pause.resumed))
            continue
        periods.append(Period(k, day))
        k += 1
    return periods


def upcoming(terms: Terms, billed: Billed, pauses, *, stopped: bool) -> Period | None:
    """The next period the generator will bill; None when stopped or when the repetitions are used up."""
    if stopped:
        return None
    nxt = billable(terms, billed, pauses, limit=1)
    return nxt[0] if nxt else None


def skipped_runs(terms: Terms, pauses, *, today: datetime.date) -> list[SkippedRun]:
    """Per pause, the periods it skipped (for one still running: those skipped so far, up to yesterday)."""
    runs = []
    for pause in pauses:
        end = pause.resumed or today
        first_k = terms.first_on_or_after(pause.stopped + datetime.timedelta(days=1))
        last_k = terms.first_on_or_after(end) - 1
        first, last = terms.nth(first_k), terms.nth(last_k) if last_k >= 1 else None
        if first is None or last is None or last_k < first_k:
            continue
        runs.append(
            SkippedRun(pause.stopped, pause.resumed, Period(first_k, first), Period(last_k, last), last_k - first_k + 1)
        )
    return runs


def preview(terms: Terms, billed: Billed, pauses, *, stopped: bool, today: datetime.date, count: int) -> Plan:
    """The next `count` periods the generator would bill (none while stopped), and what every pause skipped."""
    periods = [] if stopped else billable(terms, billed, pauses, limit=count)
    return Plan(periods=periods, skipped=skipped_runs(terms, pauses, today=today))
