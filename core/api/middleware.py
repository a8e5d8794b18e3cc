"""JSON errors for /api/ requests that never reach a DRF view (unknown routes, crashes in middleware)."""

import logging

from django.http import JsonResponse
from rest_framework.exceptions import AuthenticationFailed

from core.api import idempotency, ratelimit
from core.api.authentication import OUTCOME, CredentialAuthentication, presents_credentials
from core.api.errors import NOT_FOUND, SERVER_ERROR, PayloadTooLarge, as_api_exception

logger = logging.getLogger("erp.api")


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_api_path(request.path)
            and response.status_code == 404
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"message": NOT_FOUND}, status=404)
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        from django.http import Http404

        if isinstance(exception, Http404):
            return JsonResponse({"message": NOT_FOUND}, status=404)
        refused = as_api_exception(exception)
        if isinstance(refused, PayloadTooLarge):
            return JsonResponse({"message": str(refused.detail)}, status=refused.status_code)
        logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exception)
        return JsonResponse({"message": SERVER_ERROR}, status=500)


INTEGRATION_PREFIX = "/api/v1/integration/"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


class IntegrationApiMiddleware:
    """Rate limits and Idempotency-Key for every Integration API route (core.api.ratelimit, core.api.idempotency).

    It runs outside the request's transaction (ATOMIC_REQUESTS wraps the view only), which lets an idempotency
    key be claimed and committed before the write runs. It authenticates the request itself (the view reuses the
    outcome), to count it against its credential."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(INTEGRATION_PREFIX):
            return self.get_response(request)
        try:
            return self._guarded(request)
        except Exception:  # our own failure (the database unreachable): the house 500, not Django's HTML page
            logger.exception("Unhandled error in %s %s", request.method, request.path)
            return JsonResponse({"message": SERVER_ERROR}, status=500)
        finally:
            spool = getattr(request, "_idempotency_spool", None)
            if spool is not None:
                spool.close()

    def _guarded(self, request):
        address = f"ip:{client_address(request)}"
        user = None
        if not presents_credentials(request):
            setattr(request, OUTCOME, ())
            verdict = ratelimit.hit(address, "anonymous")
        else:
            try:
                user, credential = CredentialAuthentication().credentials_of(request)
            except AuthenticationFailed as exc:
                # Credentials that fail count against the address, like none at all.
                setattr(request, OUTCOME, exc)
                verdict = ratelimit.hit(address, "anonymous")
            else:
                setattr(request, OUTCOME, (user, credential))
                kind = "read" if request.method in ratelimit.READ_METHODS else "write"
                verdict = ratelimit.hit(f"credential:{credential.key}", kind)
        if verdict is not None and not verdict.allowed:
            response = ratelimit.too_many(verdict)
        elif user is not None and request.method in idempotency.WRITE_METHODS:
            response = self._idempotent(request, user)
        else:
            response = self.get_response(request)
        ratelimit.add_headers(response, verdict)
        return response

    def _idempotent(self, request, user):
        outcome = idempotency.begin(request, user)
        if outcome is None:
            return self.get_response(request)
        if not isinstance(outcome, idempotency.Claim):
            return outcome
        request._idempotency_claim = outcome
        response = None
        try:
            response = self.get_response(request)
        finally:
            idempotency.finish(outcome, response)
        return response
