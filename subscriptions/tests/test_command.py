"""`python manage.py generate_subscription_invoices` (operations.md conventions): its arguments, the one JSON summary
on stdout, the progress bar on stderr, and bad input refused with nothing written."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.tests.factories import make_user
from ledger.tests.builders import footprint, make_product, stock_up
from subscriptions.tests.builders import children, frozen, make_subscription, moment, subscription_shop

COMMAND = "generate_subscription_invoices"


@pytest.fixture
def shop(business, admin_user):
    return subscription_shop(business, admin_user)


def run_json(*args) -> dict:
    out = StringIO()
    call_command(COMMAND, *args, "--json", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert text.count("\n") <= 1, "exactly one JSON object on stdout"
    return json.loads(text)


def test_json_summary_counts_parents_children_drafts_and_businesses(shop):
    box = make_product(shop.business, shop.user, name="Box")
    stock_up(shop.business, shop.user, location=shop.location, product=box, quantity="1")
    boxed = make_subscription(shop, when=moment(2026, 1, 5), lines=[(box, "1", "9.00")])  # takes the only box
    plain = make_subscription(shop, when=moment(2026, 1, 20))

    summary = run_json("--date", "2026-03-20")

    draft_feb, draft_mar = children(boxed)
    assert summary == {
        "date": "2026-03-20",
        "dry_run": False,
        "parents_seen": 2,
        "children_created": 4,
        "drafts": [
            {
                "parent_id": boxed.pk,
                "business_id": shop.business.pk,
                "invoice_id": draft_feb.pk,
                "invoice_no": draft_feb.invoice_no,
                "period_date": "2026-02-05",
                "reason": summary["drafts"][0]["reason"],
            },
            {
                "parent_id": boxed.pk,
                "business_id": shop.business.pk,
                "invoice_id": draft_mar.pk,
                "invoice_no": draft_mar.invoice_no,
                "period_date": "2026-03-05",
                "reason": summary["drafts"][1]["reason"],
            },
        ],
        "failures": [],
        "businesses": {
            str(shop.business.pk): {
                "date": "2026-03-20",
                "parents_seen": 2,
                "children_created": 4,
                "drafts": 2,
                "failures": 0,
            }
        },
    }
    assert summary["drafts"][0]["reason"] == (
        f"Saved as a draft: Not enough stock of Box ({box.sku}): 0 available at this location, 1 requested."
    )
    assert len(children(plain)) == 2
    assert run_json("--date", "2026-03-20")["children_created"] == 0


def test_without_a_date_each_business_bills_up_to_its_own_today(shop):
    make_subscription(shop, when=moment(2026, 1, 20))

    with frozen(2026, 2, 20):
        summary = run_json()

    assert (summary["date"], summary["children_created"]) == (None, 1)
    assert summary["businesses"][str(shop.business.pk)]["date"] == "2026-02-20"


def test_dry_run_prints_the_same_summary_and_writes_nothing(shop):
    make_subscription(shop, when=moment(2026, 1, 20))
    before = footprint(shop.business)

    dry = run_json("--date", "2026-04-01", "--dry-run")

    assert footprint(shop.business) == before
    assert (dry["dry_run"], dry["parents_seen"], dry["children_created"]) == (True, 1, 2)


def test_business_limits_the_run(shop, other_business):
    parent = make_subscription(shop, when=moment(2026, 1, 20))
    other_shop = subscription_shop(other_business, make_user(other_business, admin=True))
    other = make_subscription(other_shop, when=moment(2026, 1, 20))

    summary = run_json("--date", "2026-02-20", "--business", str(other_business.pk))

    assert list(summary["businesses"]) == [str(other_business.pk)]
    assert (len(children(parent)), len(children(other))) == (0, 1)


def test_human_output_tells_what_was_done(shop):
    make_subscription(shop, when=moment(2026, 1, 20))
    out = StringIO()

    call_command(COMMAND, "--date", "2026-02-20", stdout=out, stderr=StringIO())

    assert out.getvalue().splitlines()[0] == (
        "1 subscriptions looked at; created 1 invoices, 0 of them drafts (stock short); 0 failed."
    )


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_goes_to_stderr_on_a_terminal_and_never_to_stdout(shop, monkeypatch):
    make_subscription(shop, when=moment(2026, 1, 20))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()

    call_command(COMMAND, "--date", "2026-02-20", "--json", stdout=out)

    assert json.loads(out.getvalue())["children_created"] == 1
    assert "1/1" in terminal.getvalue() and "subscription" in terminal.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "--date must be a date as Y-m-d"),
        (["--date", "20260201"], "--date must be a date as Y-m-d"),
        (["--date", "1800-01-01"], "--date must lie between"),
        (["--business", "999999"], "No business with id 999999."),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(shop, args, message):
    make_subscription(shop, when=moment(2026, 1, 20))
    before = footprint(shop.business)

    with pytest.raises(CommandError, match=message):
        call_command(COMMAND, *args, "--json", stdout=StringIO())

    assert footprint(shop.business) == before


def test_a_business_without_the_module_is_refused(shop):
    shop.business.enabled_modules = []
    shop.business.save(update_fields=["enabled_modules"])

    with pytest.raises(CommandError, match=f"The subscription module is not enabled for business {shop.business.pk}"):
        call_command(COMMAND, "--business", str(shop.business.pk), stdout=StringIO())


def test_the_task_runs_inline_without_a_broker_and_returns_the_summary(shop):
    from subscriptions.tasks import generate_due_invoices

    parent = make_subscription(shop, when=moment(2026, 1, 20))

    result = generate_due_invoices.delay(date="2026-03-20").get()

    assert (result["children_created"], result["date"]) == (2, "2026-03-20")
    assert len(children(parent)) == 2
