"""`python manage.py send_statements` (operations.md conventions): one statement per customer with an e-mail address
and a balance due, through the same task as the API (inline here, to a real SMTP server); the dry run, the summary,
contacts without an e-mail address, and bad input refused with nothing sent."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import Activity
from ledger.tests.builders import make_customer, make_sell, make_supplier, moment
from ledger.tests.statement_books import statement_books

COMMAND = "send_statements"
PERIOD = ("--start-date", "2026-01-01", "--end-date", "2026-06-30")


@pytest.fixture
def books(business, admin_user):
    world = statement_books(business, admin_user)  # Carla owes 280.50 at 30 June
    sell = {"location": world.shop, "lines": [(world.widget, "1", None)], "transaction_date": moment(2026, 3, 1)}
    world.no_email = make_customer(business, name="Nomail Ltd", email=None)
    make_sell(business, admin_user, customer=world.no_email, **sell)
    world.both = make_customer(business, name="Both Ways", type="both", email="both@example.com")
    make_sell(business, admin_user, customer=world.both, **sell)
    world.settled = make_customer(business, name="Settled Co", email="settled@example.com")
    world.later = make_customer(business, name="Later Co", email="later@example.com")
    make_sell(business, admin_user, customer=world.later, **{**sell, "transaction_date": moment(2026, 7, 2)})
    world.bad_email = make_customer(business, name="Typo Inc", email="typo@")
    make_sell(business, admin_user, customer=world.bad_email, **sell)
    make_supplier(business, name="Supplier Only", email="supplier@example.com")
    return world


def run(*args, json_output=True) -> dict | str:
    out = StringIO()
    call_command(COMMAND, "--business", *args, *(["--json"] if json_output else []), stdout=out, stderr=StringIO())
    text = out.getvalue()
    if not json_output:
        return text
    assert text.count("\n") <= 1, "exactly one JSON object on stdout"
    return json.loads(text)


def sent(business):
    return Activity.objects.filter(business=business, event="statement_sent")


def test_dry_run_lists_who_would_get_a_statement_and_sends_nothing(books, smtp):
    summary = run(str(books.business.pk), *PERIOD, "--dry-run")

    assert summary["dry_run"] is True
    assert summary["sent"] == 0
    statements = {row["name"]: row for row in summary["statements"]}
    assert set(statements) == {"Carla Customer", "Both Ways"}
    assert statements["Carla Customer"]["to"] == ["carla@example.com"]
    assert statements["Carla Customer"]["balance_due"] == "280.5000"
    assert statements["Carla Customer"]["balance_due_formatted"] == "$ 280.50"
    assert [row["name"] for row in summary["without_email"]] == ["Nomail Ltd"]
    assert [(row["name"], row["email"]) for row in summary["invalid_email"]] == [("Typo Inc", "typo@")]
    # the walk-in customer, Settled Co and Later Co (billed after the period) owe nothing at its end
    assert summary["zero_balance"] == summary["contacts_seen"] - 4
    assert smtp.envelopes == [] and not sent(books.business).exists()


def test_sends_one_statement_per_customer_owing_with_an_address(books, smtp):
    summary = run(str(books.business.pk), *PERIOD, "--format", "format_2")

    assert summary["sent"] == 2 and summary["failures"] == []
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == ["both@example.com", "carla@example.com"]
    carla = next(m for m in smtp.messages() if m["To"] == "carla@example.com")
    assert carla["Subject"] == "Statement of account 01/01/2026 – 06/30/2026"
    assert "Balance due: $ 280.50." in carla.get_body(preferencelist=("plain",)).get_content()
    [attachment] = list(carla.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    activities = sent(books.business)
    assert activities.count() == 2
    assert {a.properties["format"] for a in activities} == {"format_2"}
    assert all(a.causer is None for a in activities)


def test_contact_subject_and_body_options(books, smtp):
    summary = run(
        str(books.business.pk),
        *PERIOD,
        "--contact",
        str(books.customer.pk),
        "--contact",
        str(books.no_email.pk),
        "--subject",
        "Your {business_name} statement",
        "--body",
        "You owe {balance_due}.",
    )

    assert summary["contacts_seen"] == 2 and summary["sent"] == 1
    assert [row["name"] for row in summary["without_email"]] == ["Nomail Ltd"]
    [message] = smtp.messages()
    assert message["Subject"] == "Your Acme Trading statement"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "You owe $ 280.50."


def test_a_mail_server_failure_is_reported_per_contact(books, smtp_down):
    out, err = StringIO(), StringIO()
    call_command(COMMAND, "--business", str(books.business.pk), *PERIOD, "--json", stdout=out, stderr=err)

    summary = json.loads(out.getvalue())
    assert summary["sent"] == 0
    assert {row["name"] for row in summary["failures"]} == {"Carla Customer", "Both Ways"}
    assert "could not be sent" in err.getvalue()
    assert not sent(books.business).exists()


def test_the_human_summary(books, smtp):
    text = run(str(books.business.pk), *PERIOD, "--dry-run", json_output=False)

    assert text.splitlines()[0].startswith("2 statements would be sent for 2026-01-01 – 2026-06-30 (format_1)")
    assert "  Carla Customer (" in text and "$ 280.50" in text
    assert "Without an e-mail address:\n  Nomail Ltd" in text
    assert "With an invalid e-mail address:\n  Typo Inc" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", *PERIOD], "No business with id 999999."),
        (["{b}", "--start-date", "2026-02-30", "--end-date", "2026-06-30"], "--start-date must be a date as Y-m-d"),
        (["{b}", "--start-date", "2026-07-01", "--end-date", "2026-06-30"], "--end-date must be on or after"),
        (["{b}", *PERIOD, "--contact", "999999"], "Not customers of business"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(books, smtp, args, message):
    args = [a.replace("{b}", str(books.business.pk)) for a in args]
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command(COMMAND, "--business", *args, stdout=StringIO(), stderr=StringIO())
    assert smtp.envelopes == [] and not sent(books.business).exists()


def test_a_supplier_is_not_a_customer(books, smtp):
    supplier = books.supplier
    with pytest.raises(CommandError, match="Not customers"):
        call_command(
            COMMAND, "--business", str(books.business.pk), *PERIOD, "--contact", str(supplier.pk), stdout=StringIO()
        )


def test_balances_agree_with_each_ledger(books, api):
    from ledger.services.statements import customer_balances_due
    from ledger.tests.builders import ledger_data

    for contact, due in customer_balances_due(books.business, moment(2026, 6, 30).date()):
        summary = ledger_data(api, contact.pk, "2026-01-01", "2026-06-30")["summary"]
        assert due == summary["balance_due"], contact.name
    assert Decimal("280.50") in {due for _, due in customer_balances_due(books.business, moment(2026, 6, 30).date())}
