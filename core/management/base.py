"""Operator commands: `--json` prints exactly one JSON object; bad input is one line on stderr,
a non-zero exit, and nothing written."""

import datetime
import json
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import EARLIEST_DATE, LATEST_DATE
from core.exceptions import BusinessRuleViolation


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc).replace("\n", " ")


class OperatorCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (ValidationError, BusinessRuleViolation) as exc:
            raise CommandError(_one_line(exc)) from exc

    def emit(self, options, payload: dict, human: str):
        if options.get("json"):
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(human)


def date_option(text: str, option: str) -> datetime.date:
    """A command's `Y-m-d` date option within the dates the project stores, else a CommandError naming it."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date as Y-m-d, not {text!r}.") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CommandError(f"{option} must lie between {EARLIEST_DATE} and {LATEST_DATE}.")
    return day


def business_or_fail(business_id):
    from core.models import Business

    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        raise CommandError(f"No business with id {business_id}.")
    return business
