"""Operator commands: `--json` prints exactly one JSON object; bad input is one line on stderr,
a non-zero exit, and nothing written."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

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


def business_or_fail(business_id):
    from core.models import Business

    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        raise CommandError(f"No business with id {business_id}.")
    return business
