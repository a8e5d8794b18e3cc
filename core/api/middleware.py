"""JSON errors for /api/ requests that never reach a DRF view (unknown routes, crashes in middleware)."""

import logging

from django.http import JsonResponse

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
