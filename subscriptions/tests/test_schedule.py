"""The schedule as pure functions (subscriptions/schedule.py): worked examples and properties over any terms."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from subscriptions.schedule import Billed, Pause, Period, Terms, billable, cadence_label, skipped_runs, upcoming

date = datetime.date


def test_month_ends_are_clamped_without_drifting():
    terms = Terms(date(2026, 1, 31), 1, "months")

    assert [terms.nth(k) for k in range(1, 7)] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
    ]


def test_leap_day_years():
    terms = Terms(date(2024, 2, 29), 1, "years")

    assert [terms.nth(k) for k in (1, 4, 8)] == [date(2025, 2, 28), date(2028, 2, 29), date(2032, 2, 29)]


def test_no_period_past_the_last_storable_date():
    assert Terms(date(9998, 12, 1), 1, "months").nth(1) is None
    assert Terms(date(9998, 12, 30), 1, "days").nth(1) == date(9998, 12, 31)
    assert Terms(date(9998, 12, 30), 1, "days").nth(2) is None
    assert billable(Terms(date(9998, 11, 1), 1, "months"), Billed(), []) == [Period(1, date(9998, 12, 1))]


def test_an_unknown_unit_has_no_periods():
    assert Terms(date(2026, 1, 1), 1, "weeks").nth(1) is None
    assert upcoming(Terms(date(2026, 1, 1), 1, "weeks"), Billed(), [], stopped=False) is None


def test_labels():
    assert cadence_label(1, "months") == "Every month"
    assert cadence_label(3, "days") == "Every 3 days"
    assert cadence_label(2, "years") == "Every 2 years"
    assert cadence_label(1, "months", 5) == "Every month on day 5"
    assert cadence_label(1, "days", 5) == "Every day"
    assert cadence_label(1, None) is None


def test_a_pause_skips_the_days_strictly_between_stop_and_resume():
    pause = Pause(date(2026, 3, 3), date(2026, 3, 6))

    assert [pause.skips(date(2026, 3, d)) for d in range(2, 8)] == [False, False, True, True, False, False]
    assert Pause(date(2026, 3, 3), None).skips(date(2030, 1, 1))


def test_skipped_runs_of_a_resumed_and_a_running_stop():
    terms = Terms(date(2026, 1, 1), 1, "days")
    runs = skipped_runs(
        terms, [Pause(date(2026, 1, 5), date(2026, 1, 9)), Pause(date(2026, 1, 20), None)], today=date(2026, 1, 25)
    )

    assert [(r.first.date, r.last.date, r.count) for r in runs] == [
        (date(2026, 1, 6), date(2026, 1, 8), 3),
        (date(2026, 1, 21), date(2026, 1, 24), 4),
    ]
    # A stop resumed the same (or the next) day skips nothing.
    assert skipped_runs(terms, [Pause(date(2026, 1, 5), date(2026, 1, 6))], today=date(2026, 2, 1)) == []


terms_strategy = st.builds(
    Terms,
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    interval=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(["days", "months", "years"]),
    repeat_on=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    repetitions=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
)


def _clean(terms: Terms) -> Terms:
    if terms.unit != "months":
        return Terms(terms.start, terms.interval, terms.unit, None, terms.repetitions)
    return terms


@settings(max_examples=200, deadline=None)
@given(terms_strategy, st.integers(min_value=1, max_value=60))
def test_periods_increase_and_each_is_the_start_plus_k_intervals(terms, k):
    terms = _clean(terms)
    first, second = terms.nth(k), terms.nth(k + 1)
    assert first is not None and second is not None and first < second
    if terms.unit == "days":
        assert (first - terms.start).days == k * terms.interval
    else:
        months = k * terms.interval * (12 if terms.unit == "years" else 1)
        index = terms.start.month - 1 + months
        assert (first.year, first.month) == (terms.start.year + index // 12, index % 12 + 1)
        day = terms.repeat_on or terms.start.day
        assert first.day == day or (first.day < day and (first + datetime.timedelta(days=1)).day == 1)


@settings(max_examples=200, deadline=None)
@given(terms_strategy, st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 1, 1)))
def test_first_on_or_after_is_exact(terms, day):
    terms = _clean(terms)
    k = terms.first_on_or_after(day)
    assert k >= 1
    assert terms.nth(k) >= day
    assert k == 1 or terms.nth(k - 1) < day


@settings(max_examples=200, deadline=None)
@given(
    terms_strategy,
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=1, max_value=300),
)
def test_billing_in_steps_bills_what_billing_at_once_does_never_a_skipped_day_and_at_most_the_repetitions(
    terms, stop_after, pause_days, horizon
):
    terms = _clean(terms)
    stopped = terms.start + datetime.timedelta(days=stop_after)
    pauses = [Pause(stopped, stopped + datetime.timedelta(days=pause_days))]
    until = terms.start + datetime.timedelta(days=horizon * 3)

    at_once = billable(terms, Billed(), pauses, until=until)
    stepped, billed = [], Billed()
    for day in (terms.start + datetime.timedelta(days=d) for d in range(0, horizon * 3 + 1, max(1, horizon // 5))):
        new = billable(terms, billed, pauses, until=day)
        stepped += new
        if new:
            billed = Billed(billed.count + len(new), new[-1].sequence)
    stepped += billable(terms, billed, pauses, until=until)

    assert [(p.sequence, p.date) for p in stepped] == [(p.sequence, p.date) for p in at_once]
    assert all(not pauses[0].skips(p.date) for p in at_once)
    assert len({p.date for p in at_once}) == len(at_once)
    if terms.repetitions:
        assert len(at_once) <= terms.repetitions
    nxt = upcoming(terms, Billed(len(at_once), at_once[-1].sequence if at_once else 0), pauses, stopped=False)
    if nxt is not None:
        assert nxt.date > until or nxt.date > (at_once[-1].date if at_once else terms.start)
