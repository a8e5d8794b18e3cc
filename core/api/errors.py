"""One error envelope for the whole API.

401 {"message": "Unauthenticated."}, 403 {"message": "Unauthorized"}, 404 {"message": "Not found"},
422 {"message", "errors": {field: [messages]}}, 400 for a body that is not valid JSON,
402 when the business's package is not active, 500 {"message": "something_went_wrong"} (logged).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.exceptions import BusinessRuleViolation

logger = logging.getLogger("erp.api")

UNAUTHENTICATED = "Unauthenticated."
UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "Not found"
SERVER_ERROR = "something_went_wrong"


class PaymentRequired(exceptions.APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "The business subscription is not active. Renew the subscription to continue."
    default_code = "payment_required"


def body_too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than the {limit:,} bytes this API accepts."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, detail=None):
        super().__init__(detail or body_too_large_message())


def as_api_exception(exc):
    """Django's refusals of an oversize or overfull request body, as the API's 413/400."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFilesSent):
        return PayloadTooLarge(f"A request may carry at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files.")
    if isinstance(exc, TooManyFieldsSent):
        return PayloadTooLarge(f"A request may carry at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.")
    return exc


def _named(message: str, key: str) -> str:
    """DRF says "This field is required."; say which: "The per page field is required."."""
    if message.startswith("This field") and key and key != "non_field_errors":
        label = key.rsplit(".", 1)[-1].replace("_", " ")
        return f"The {label} field{message[len('This field') :]}"
    return message


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as Laravel-style dotted keys: {"lines.0.quantity": ["..."]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        messages = [_named(str(item), prefix) for item in detail if not isinstance(item, (dict, list))]
        if messages:
            flat[prefix or "non_field_errors"] = messages
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)) and item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "non_field_errors"] = [_named(str(detail), prefix)]
    return flat


def validation_body(errors: dict[str, list[str]], message: str | None = None) -> dict:
    if message is None:
        all_messages = [m for messages in errors.values() for m in messages]
        message = all_messages[0] if all_messages else "The given data was invalid."
        more = len(all_messages) - 1
        if more > 0:
            message += f" (and {more} more error{'s' if more > 1 else ''})"
    return {"message": message, "errors": errors}


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [m for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return exc.messages


def exception_handler(exc, context):
    from rest_framework.views import set_rollback  # here: rest_framework.views imports our settings

    headers = {}
    exc = as_api_exception(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))

    if isinstance(exc, (Http404, exceptions.NotFound)):
        # A specific NotFound ("Account not found", "Location not found") keeps its message.
        detail = str(getattr(exc, "detail", ""))
        custom = isinstance(exc, exceptions.NotFound) and detail != str(exceptions.NotFound.default_detail)
        code, body = 404, {"message": detail if custom else NOT_FOUND}
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        code, body = 401, {"message": UNAUTHENTICATED}
        authenticator = getattr(context.get("request"), "authenticators", None)
        if authenticator:
            headers["WWW-Authenticate"] = authenticator[0].authenticate_header(context["request"])
    elif isinstance(exc, DjangoPermissionDenied):
        code, body = 403, {"message": UNAUTHORIZED}
    elif isinstance(exc, exceptions.PermissionDenied):
        detail = str(exc.detail)
        code, body = 403, {"message": UNAUTHORIZED if detail == exceptions.PermissionDenied.default_detail else detail}
    elif isinstance(exc, BusinessRuleViolation):
        code = 422
        body = {"message": exc.message} if exc.errors is None else validation_body(exc.errors, exc.message)
    elif isinstance(exc, exceptions.ValidationError):
        code, body = 422, validation_body(flatten_errors(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        code, body = 400, {"message": f"Malformed request body: {exc.detail}"}
    elif isinstance(exc, exceptions.APIException):
        code, body = exc.status_code, {"message": str(exc.detail)}
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        request = context.get("request")
        logger.exception(
            "Unhandled error in %s %s", getattr(request, "method", "?"), getattr(request, "path", "?"), exc_info=exc
        )
        code, body = 500, {"message": SERVER_ERROR}

    # A write's transaction (IntegrationViewSet.dispatch) is rolled back; a read has none of its own to mark.
    if getattr(context.get("request"), "method", None) not in SAFE_METHODS:
        set_rollback()
    return Response(body, status=code, headers=headers)
