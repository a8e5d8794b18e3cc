"""The generator's worked examples (RULES §8), with the clock frozen: period dates computed from the parent's date
(no drift), catch-up, repetitions, stop and resume, dry run, drafts on short stock, and what each child is."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from contacts.models import Contact
from core.models import Activity
from core.services.activity import created_snapshot
from core.tests.factories import make_business, make_user
from ledger.models import SellLine, SellLinePurchaseLine, Transaction
from ledger.services.sells import DOCUMENT_FIELDS
from ledger.tests.builders import footprint, make_product, stock_of, stock_up
from subscriptions import generation
from subscriptions.generation import generate_due_invoices
from subscriptions.models import SubscriptionPeriod, SubscriptionSchedule
from subscriptions.selectors import schedule_preview, state_of
from subscriptions.services import subscription_resume, subscription_stop
from subscriptions.tests.builders import (
    child_dates,
    children,
    enable_subscriptions,
    frozen,
    make_subscription,
    moment,
    subscription_shop,
)

D = Decimal
date = datetime.date


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


def run(*, on, **kwargs):
    """The generator with the clock at noon UTC on that day."""
    with frozen(on.year, on.month, on.day):
        return generate_due_invoices(**kwargs)


def upcoming(parent):
    nxt = state_of(Transaction.objects.get(pk=parent.pk)).upcoming()
    return nxt.date if nxt else None


# --- period dates ------------------------------------------------------------------------------------------------


def test_monthly_from_the_31st_bills_the_last_day_of_shorter_months_then_the_31st_again(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 31, 10, 30))

    summary = run(on=date(2026, 5, 15))

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert [c.transaction_date for c in children(parent)] == [
        moment(2026, 2, 28, 10, 30),
        moment(2026, 3, 31, 10, 30),
        moment(2026, 4, 30, 10, 30),
    ]
    assert (summary.parents_seen, summary.children_created, summary.drafts, summary.failures) == (1, 3, [], [])
    assert upcoming(parent) == date(2026, 5, 31)


def test_subscription_repeat_on_pins_the_day_of_the_month(shop):
    # Dated the 20th, repeating on the 5th: the first invoice is the 5th of the next month.
    parent = make_subscription(shop, when=moment(2026, 1, 20), repeat_on=5)

    run(on=date(2026, 4, 5))

    assert child_dates(parent) == [date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)]


def test_subscription_repeat_on_is_clamped_to_february(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 10), repeat_on=30)

    run(on=date(2026, 4, 30))

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 3, 30), date(2026, 4, 30)]


def test_every_three_days(shop):
    parent = make_subscription(shop, when=moment(2026, 2, 25), unit="days", interval=3)

    run(on=date(2026, 3, 9))

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 9)]


def test_daily_catches_up_every_missed_day(shop):
    parent = make_subscription(shop, when=moment(2026, 3, 1), unit="days")

    run(on=date(2026, 3, 8))

    assert child_dates(parent) == [date(2026, 3, d) for d in range(2, 9)]


def test_yearly_from_29_february_bills_28_february_and_29_february_again_in_a_leap_year(shop):
    parent = make_subscription(shop, when=moment(2024, 2, 29), unit="years")

    run(on=date(2028, 3, 1))

    assert child_dates(parent) == [date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_every_two_months_does_not_drift_across_runs(shop):
    # Run month by month: each run adds what has come, and the dates stay on the parent's day (31st, clamped).
    parent = make_subscription(shop, when=moment(2025, 12, 31), interval=2)
    for day in (date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 5, 1), date(2026, 9, 1)):
        run(on=day)

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 4, 30), date(2026, 6, 30), date(2026, 8, 31)]


# --- catch-up, repetitions, never twice ------------------------------------------------------------------------


def test_catch_up_creates_one_child_per_missed_period_and_a_second_run_creates_none(shop):
    parent = make_subscription(shop, when=moment(2025, 6, 15))

    first = run(on=date(2026, 6, 14))
    again = run(on=date(2026, 6, 14))

    assert first.children_created == 11  # Jul 15 … May 15
    assert again.children_created == 0 and again.parents_seen == 0
    assert SubscriptionPeriod.objects.filter(parent=parent).count() == 11
    assert upcoming(parent) == date(2026, 6, 15)
    assert SubscriptionSchedule.objects.get(parent=parent).next_date == date(2026, 6, 15)


def test_repetitions_cap_the_children_and_then_nothing_is_upcoming(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1), repetitions=2)

    run(on=date(2026, 12, 31))
    run(on=date(2027, 12, 31))

    assert child_dates(parent) == [date(2026, 2, 1), date(2026, 3, 1)]
    assert upcoming(parent) is None
    assert SubscriptionSchedule.objects.get(parent=parent).next_date is None


def test_zero_repetitions_means_no_end(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1), unit="days", repetitions=0)

    assert run(on=date(2026, 1, 31)).children_created == 30
    assert upcoming(parent) == date(2026, 2, 1)


def test_a_second_child_for_the_same_period_is_impossible_in_the_database(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1))
    run(on=date(2026, 2, 1))
    [period] = SubscriptionPeriod.objects.filter(parent=parent)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionPeriod.objects.create(
            business=shop.business, parent=parent, sequence=99, period_date=period.period_date
        )


def test_a_deleted_child_is_not_billed_again(shop, admin_user):
    from ledger.services.sells import sell_delete

    parent = make_subscription(shop, when=moment(2026, 1, 1))
    run(on=date(2026, 3, 1))
    first = children(parent)[0]
    sell_delete(business=shop.business, user=admin_user, sell=first)

    assert run(on=date(2026, 3, 1)).children_created == 0
    assert child_dates(parent) == [date(2026, 3, 1)]
    assert SubscriptionPeriod.objects.filter(parent=parent, invoice__isnull=True).count() == 1


# --- what a child is --------------------------------------------------------------------------------------------


def test_a_child_copies_the_lines_and_totals_but_not_the_payments(shop):
    extra = make_product(shop.business, shop.user, name="Support", sell_price="10.00", enable_stock=False)
    parent = make_subscription(
        shop,
        when=moment(2026, 1, 15),
        lines=[(shop.product, "2", "25.00"), (extra, "1.5", "10.00")],
        discount_type="fixed",
        discount_amount=D("5.00"),
        shipping_charges=D("2.50"),
        pay_term_number=10,
        pay_term_type="days",
        additional_notes="Monthly plan",
        payments=[{"amount": D("62.50"), "method": "cash"}],
    )
    assert parent.final_total == D("62.50")  # 50.00 + 15.00 − 5.00 + 2.50

    run(on=date(2026, 2, 15))

    [child] = children(parent)
    assert (child.type, child.status, child.payment_status) == ("sell", "final", "due")
    assert (child.final_total, child.total_before_tax) == (D("62.5000"), D("65.0000"))
    assert (child.discount_type, child.discount_amount, child.shipping_charges) == ("fixed", D("5.0000"), D("2.5000"))
    assert (child.pay_term_number, child.pay_term_type) == (10, "days")
    assert child.due_date == moment(2026, 2, 25)
    assert (child.recur_parent_id, child.is_recurring, child.subscription_no) == (parent.pk, False, None)
    assert (child.contact_id, child.location_id, child.created_by_id) == (
        parent.contact_id,
        parent.location_id,
        parent.created_by_id,
    )
    assert child.additional_notes == "Monthly plan"
    assert not child.payments.exists()
    lines = list(
        SellLine.objects.filter(transaction=child).order_by("id").values_list("variation_id", "quantity", "unit_price")
    )
    assert lines == [
        (shop.product.variations.get().pk, D("2.0000"), D("25.0000")),
        (extra.variations.get().pk, D("1.5000"), D("10.0000")),
    ]
    assert child.invoice_no == "INV0002"


def test_each_child_takes_the_next_invoice_number_skipping_one_typed_by_hand(shop):
    from ledger.tests.builders import make_sell

    parent = make_subscription(shop, when=moment(2026, 1, 1))  # INV0001
    make_sell(
        shop.business,
        shop.user,
        customer=shop.customer,
        location=shop.location,
        lines=[(shop.product, "1", "25.00")],
        invoice_no="INV0003",
    )

    run(on=date(2026, 4, 1))

    assert [c.invoice_no for c in children(parent)] == ["INV0002", "INV0004", "INV0005"]


def test_a_zero_total_child_is_paid(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1), lines=[(shop.product, "1", "0")])

    run(on=date(2026, 2, 1))

    assert children(parent)[0].payment_status == "paid"


def test_each_child_logs_activity_on_itself_the_parent_and_the_contact(shop):
    parent = make_subscription(shop, when=moment(2026, 1, 1))

    run(on=date(2026, 2, 1))

    [child] = children(parent)
    sells = ContentType.objects.get_for_model(Transaction)
    contacts = ContentType.objects.get_for_model(Contact)
    on_child = Activity.objects.get(subject_type=sells, subject_id=child.pk)
    on_parent = Activity.objects.get(subject_type=sells, subject_id=parent.pk, event="subscription_invoice_generated")
    on_contact = Activity.objects.get(
        subject_type=contacts, subject_id=shop.customer.pk, event="subscription_invoice_generated"
    )
    assert (on_child.description, on_child.event) == ("added", "created")
    assert on_child.properties["attributes"] == created_snapshot(child, DOCUMENT_FIELDS)  # as log_created() writes it
    assert "ref_no" not in on_child.properties["attributes"]  # a child has no ref_no: null fields are left out
    assert on_parent.description == f"subscription invoice {child.invoice_no} generated for 2026-02-01"
    assert (
        on_parent.properties
        == on_contact.properties
        == {
            "invoice_id": child.pk,
            "invoice_no": child.invoice_no,
            "recur_parent_id": parent.pk,
            "subscription_no": parent.subscription_no,
            "period_date": "2026-02-01",
            "sequence": 1,
            "status": "final",
        }
    )
    assert on_parent.causer_id is None


# --- stock ------------------------------------------------------------------------------------------------------


def test_children_take_stock_fifo_and_one_whose_stock_is_short_is_a_draft(shop):
    box = make_product(shop.business, shop.user, name="Box", purchase_price="4.00", sell_price="9.00")
    purchase = stock_up(shop.business, shop.user, location=shop.location, product=box, quantity="5")
    parent = make_subscription(shop, when=moment(2026, 1, 10), lines=[(box, "2", "9.00")])
    assert stock_of(box, shop.location) == D("3")

    summary = run(on=date(2026, 4, 10))

    first, second, third = children(parent)
    assert [c.status for c in (first, second, third)] == ["final", "draft", "draft"]
    assert stock_of(box, shop.location) == D("1")
    line = SellLine.objects.get(transaction=first)
    assert list(
        SellLinePurchaseLine.objects.filter(sell_line=line).values_list("purchase_line__transaction_id", "quantity")
    ) == [(purchase.pk, D("2.0000"))]
    assert not SellLinePurchaseLine.objects.filter(sell_line__transaction__in=[second, third]).exists()
    assert [(d["invoice_no"], d["period_date"]) for d in summary.drafts] == [
        (second.invoice_no, "2026-03-10"),
        (third.invoice_no, "2026-04-10"),
    ]
    assert summary.drafts[0]["reason"].startswith("Saved as a draft: Not enough stock of Box")
    assert summary.businesses[shop.business.pk]["drafts"] == 2


def test_a_business_that_oversells_gets_no_drafts(shop):
    shop.business.allow_overselling = True
    shop.business.save(update_fields=["allow_overselling"])
    box = make_product(shop.business, shop.user, name="Box")
    parent = make_subscription(shop, when=moment(2026, 1, 10), lines=[(box, "2", "9.00")])

    run(on=date(2026, 3, 10))

    assert [c.status for c in children(parent)] == ["final", "final"]
    assert stock_of(box, shop.location) == D("-6")


# --- stop and resume ----------------------------------------------------------------------------------------------


def test_a_stopped_subscription_generates_nothing_and_resuming_does_not_back_bill(shop, admin_user):
    parent = make_subscription(shop, when=moment(2026, 1, 31))
    run(on=date(2026, 3, 1))  # Feb 28
    with frozen(2026, 3, 10):
        subscription_stop(business=shop.business, user=admin_user, parent=parent)
    assert run(on=date(2026, 4, 5)).children_created == 0
    assert upcoming(parent) is None

    with frozen(2026, 5, 15):
        subscription_resume(business=shop.business, user=admin_user, parent=parent)
        preview = schedule_preview(Transaction.objects.get(pk=parent.pk), count=2)
    assert upcoming(parent) == date(2026, 5, 31)
    assert preview["periods"] == [
        {"sequence": 4, "date": "2026-05-31", "status": "scheduled"},
        {"sequence": 5, "date": "2026-06-30", "status": "scheduled"},
    ]
    assert preview["skipped_periods"] == [
        {
            "stopped_on": "2026-03-10",
            "resumed_on": "2026-05-15",
            "first_sequence": 2,
            "first_date": "2026-03-31",
            "last_sequence": 3,
            "last_date": "2026-04-30",
            "count": 2,
        }
    ]

    run(on=date(2026, 6, 1))

    assert child_dates(parent) == [date(2026, 2, 28), date(2026, 5, 31)]


def test_the_period_on_the_stop_day_and_on_the_resume_day_are_billed(shop, admin_user):
    parent = make_subscription(shop, when=moment(2026, 3, 1), unit="days")
    with frozen(2026, 3, 3, 18):
        subscription_stop(business=shop.business, user=admin_user, parent=parent)
    with frozen(2026, 3, 6, 9):
        subscription_resume(business=shop.business, user=admin_user, parent=parent)

    run(on=date(2026, 3, 7))

    # Mar 2 and 3 had fallen due before the stop (a period falls due at the start of its day); 4 and 5 fell due
    # while stopped; 6 is the resume day; 7 is today.
    assert child_dates(parent) == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 7)]


def test_periods_missed_before_a_stop_are_still_caught_up_after_resuming(shop, admin_user):
    # The generator did not run in February; the subscription was stopped in March: February's period fell due
    # while it was running, so it is billed; March's fell due while stopped, so it is not.
    parent = make_subscription(shop, when=moment(2026, 1, 15))
    with frozen(2026, 3, 1):
        subscription_stop(business=shop.business, user=admin_user, parent=parent)
    with frozen(2026, 4, 1):
        subscription_resume(business=shop.business, user=admin_user, parent=parent)

    run(on=date(2026, 4, 20))

    assert child_dates(parent) == [date(2026, 2, 15), date(2026, 4, 15)]


def test_repetitions_count_billed_periods_not_skipped_ones(shop, admin_user):
    parent = make_subscription(shop, when=moment(2026, 1, 1), repetitions=3)
    with frozen(2026, 1, 20):
        subscription_stop(business=shop.business, user=admin_user, parent=parent)
    with frozen(2026, 3, 15):
        subscription_resume(business=shop.business, user=admin_user, parent=parent)

    run(on=date(2026, 12, 1))

    assert child_dates(parent) == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]


# --- the upcoming date and the preview agree with the generator -----------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "interval", "repeat_on", "when"),
    [
        ("months", 1, None, moment(2026, 1, 31, 23, 45)),
        ("months", 3, 30, moment(2026, 1, 2)),
        ("days", 10, None, moment(2026, 2, 20)),
        ("years", 1, None, moment(2024, 2, 29)),
    ],
)
def test_the_preview_and_the_upcoming_date_are_what_the_generator_then_creates(shop, unit, interval, repeat_on, when):
    parent = make_subscription(shop, when=when, unit=unit, interval=interval, repeat_on=repeat_on)
    with frozen(when.year, when.month, when.day, 23, 50):
        preview = schedule_preview(Transaction.objects.get(pk=parent.pk), count=6)
    dates = [date.fromisoformat(p["date"]) for p in preview["periods"]]
    assert upcoming(parent) == dates[0]

    for expected in dates:
        run(on=expected)
        assert child_dates(parent)[-1] == expected

    assert child_dates(parent) == dates


def test_dry_run_writes_nothing_and_foresees_what_the_real_run_does(shop):
    box = make_product(shop.business, shop.user, name="Box")
    stock_up(shop.business, shop.user, location=shop.location, product=box, quantity="3")
    boxed = make_subscription(shop, when=moment(2026, 1, 10), lines=[(box, "1", "9.00")])  # leaves 2
    plain = make_subscription(shop, when=moment(2026, 2, 1))
    before = footprint(shop.business)

    dry = run(on=date(2026, 5, 10), dry_run=True)

    assert footprint(shop.business) == before
    assert not SubscriptionPeriod.objects.exists() and not SubscriptionSchedule.objects.exists()
    real = run(on=date(2026, 5, 10))
    assert (dry.dry_run, dry.parents_seen, dry.children_created) == (True, 2, 7)
    assert (real.parents_seen, real.children_created) == (2, 7)
    assert (
        [(d["parent_id"], d["period_date"]) for d in dry.drafts]
        == [(d["parent_id"], d["period_date"]) for d in real.drafts]
        == [(boxed.pk, "2026-04-10"), (boxed.pk, "2026-05-10")]
    )
    assert dry.drafts[0]["reason"].startswith("Would be saved as a draft: Not enough stock of Box")
    assert len(children(plain)) == 3


# --- time zones, businesses, failures ---------------------------------------------------------------------------


def test_today_is_each_business_s_own_date(db):
    ahead = enable_subscriptions(make_business(name="Auckland Co", time_zone="Pacific/Auckland"))
    behind = enable_subscriptions(make_business(name="Honolulu Co", time_zone="Pacific/Honolulu"))
    parents = {}
    for biz, zone in ((ahead, "Pacific/Auckland"), (behind, "Pacific/Honolulu")):
        shop = subscription_shop(biz, make_user(biz, admin=True))
        parents[zone] = make_subscription(shop, when=moment(2026, 1, 15, 9, zone=zone))

    # 2026-02-14 20:00 UTC: already the 15th in Auckland (09:00), still the 14th in Honolulu (10:00).
    with frozen(2026, 2, 14, 20):
        summary = generate_due_invoices()

    assert child_dates(parents["Pacific/Auckland"], "Pacific/Auckland") == [date(2026, 2, 15)]
    assert child_dates(parents["Pacific/Honolulu"]) == []
    assert summary.businesses[ahead.pk]["date"] == "2026-02-15"
    assert summary.businesses[behind.pk]["date"] == "2026-02-14"


def test_businesses_without_the_module_are_left_alone_and_one_business_can_be_asked_for(shop, other_business):
    parent = make_subscription(shop, when=moment(2026, 1, 1))
    other_shop = subscription_shop(other_business, make_user(other_business, admin=True))
    other = make_subscription(other_shop, when=moment(2026, 1, 1))

    run(on=date(2026, 2, 1), business=other_business)
    assert (len(children(parent)), len(children(other))) == (0, 1)

    shop.business.enabled_modules = []
    shop.business.save(update_fields=["enabled_modules"])
    assert run(on=date(2026, 2, 1)).parents_seen == 0
    assert children(parent) == []


def test_one_failing_parent_is_reported_and_the_others_are_billed(shop, monkeypatch):
    good = make_subscription(shop, when=moment(2026, 1, 1))
    bad = make_subscription(shop, when=moment(2026, 1, 2))
    real_bill = generation._bill

    def bill(parent, *args):
        if parent.pk == bad.pk:
            raise RuntimeError("the printer caught fire")
        return real_bill(parent, *args)

    monkeypatch.setattr(generation, "_bill", bill)

    summary = run(on=date(2026, 2, 5))

    assert summary.failures == [
        {"parent_id": bad.pk, "business_id": shop.business.pk, "reason": "the printer caught fire"}
    ]
    assert (len(children(good)), len(children(bad))) == (1, 0)
    assert not SubscriptionPeriod.objects.filter(parent=bad).exists()
    assert summary.businesses[shop.business.pk]["failures"] == 1
