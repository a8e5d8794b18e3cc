"""The base of every Integration API view: rules, business time zone, query validation, and the
envelope, pagination and export formats. A new endpoint gets all of it by inheriting."""

import math
import zoneinfo

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.api import idempotency
from core.api.export import cells_of, csv_object_response, csv_response, download_name, xlsx_response
from core.api.filtering import FilterBackend
from core.api.query import ListPageQuery
from core.api.renderers import ExactJSONParser
from core.api.rows import RowShape
from core.dates import day_bounds


class IntegrationViewSet(viewsets.GenericViewSet):
    #: JSON bodies by default; endpoints that take uploads add MultiPartParser.
    parser_classes = [ExactJSONParser]
    #: action name -> Rule or [Rule, ...]; an action without an entry is refused (core.api.permissions).
    rules: dict = {}
    #: Stem of download names: `<stem>-<business_id>-<timestamp>.csv`.
    export_stem = "export"
    #: action name -> the FilterSet of the list it answers (core.api.filtering); applied by filter_queryset().
    filterset_classes: dict = {}
    filter_backends = [FilterBackend]

    # --- transactions ----------------------------------------------------------------------
    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # The request's transaction is opened here rather than by ATOMIC_REQUESTS around the whole view, so that
        # reads need none: under READ COMMITTED a transaction gives a read nothing but two more round trips.
        return transaction.non_atomic_requests(super().as_view(actions, **initkwargs))

    def dispatch(self, request, *args, **kwargs):
        """A write runs in one database transaction, rolled back when it answers an error (DRF's exception handler
        marks it, as it does under ATOMIC_REQUESTS): never a half-written change. Reads run in autocommit."""
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    # --- request context -------------------------------------------------------------------
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        timezone.activate(zoneinfo.ZoneInfo(self.business.time_zone))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Still inside the request's transaction: a write's answer commits with its effect (core.api.idempotency).
        idempotency.complete_in_transaction(request._request, response)
        timezone.deactivate()
        return response

    def options(self, request, *args, **kwargs):
        """OPTIONS says which methods the route serves (`Allow`) to any authenticated user, and nothing about the
        view itself: no fields, no parsers, no permission checks of other methods."""
        return Response(status=http.HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(self.allowed_methods)})

    @property
    def business(self):
        return self.request.user.business

    def row_context(self) -> dict:
        return {"business": self.business, "user": self.request.user, "request": self.request}

    @property
    def filterset_class(self):
        return self.filterset_classes.get(getattr(self, "action", None))

    def get_object(self):
        """The row named by the path, from get_queryset() alone: an action's FilterSet narrows the list it answers
        (a contact's activities), never the lookup of the row that list hangs from."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        row = get_object_or_404(self.get_queryset(), **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, row)
        return row

    def filtered_list(self, queryset, query_class=ListPageQuery) -> tuple:
        """`queryset` narrowed by the action's FilterSet, and the validated query: page, per_page and format
        (`query_class`) with the filter values. Both are validated together: one 422 names every bad parameter."""
        errors, query = {}, {}
        try:
            query = self.validated_query(query_class)
        except ValidationError as exc:
            errors.update(exc.detail)
        self.page_query_invalid = bool(errors)  # the FilterSet's rules across parameters wait (QueryForm.run_checks)
        try:
            rows = self.filter_queryset(queryset)
        except ValidationError as exc:
            errors.update(exc.detail)
        if errors:
            raise ValidationError(errors)
        return rows, {**query, **self.filterset.values}

    def validated_query(self, serializer_class) -> dict:
        serializer = serializer_class(
            data=self.request.query_params, context={**self.get_serializer_context(), "business": self.business}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def date_range(self, query: dict) -> tuple:
        """[start, end) datetimes of a validated DateRangeQuery's inclusive dates in the business's time zone, or
        (None, None) when the query has none (the two dates come together or not at all)."""
        if not query.get("start_date"):
            return None, None
        return day_bounds(self.business, query["start_date"], query["end_date"])

    def validated_body(self, serializer_class, *, instance=None, partial=False, **context) -> dict:
        serializer = serializer_class(
            instance=instance,
            data=self.request.data,
            partial=partial,
            context={**self.get_serializer_context(), "business": self.business, **context},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    # --- responses -------------------------------------------------------------------------
    def page_response(
        self, queryset, shape: RowShape, query: dict, *, wrap=None, meta: dict | None = None, stem: str | None = None
    ):
        """A paginated `{"data", "meta"}` page, or every row as csv/xlsx when `format` asks for it."""
        fmt = query.get("format", "json")
        if fmt == "csv":
            filename = download_name(stem or self.export_stem, self.business.pk, "csv")
            return csv_response(shape.names, shape.csv_rows(queryset, self.row_context()), filename)
        if fmt == "xlsx":
            return self.export_response(shape.names, shape.rows(queryset, self.row_context(), stream=True), fmt, stem)
        page, per_page = query["page"], query["per_page"]
        total = queryset.count()
        offset = (page - 1) * per_page
        rows = list(shape.rows(queryset[offset : offset + per_page], self.row_context())) if offset < total else []
        body_meta = {
            "current_page": page,
            "last_page": max(1, math.ceil(total / per_page)),
            "per_page": per_page,
            "total": total,
            **(meta or {}),
        }
        return Response({"data": wrap(rows) if wrap else rows, "meta": body_meta})

    def export_response(self, columns: list[str], rows, fmt: str, stem: str | None = None):
        """Dict rows as a csv or xlsx download."""
        filename = download_name(stem or self.export_stem, self.business.pk, fmt)
        if fmt == "xlsx":
            return xlsx_response(columns, rows, filename, title=stem or self.export_stem)
        return csv_response(columns, cells_of(columns, rows), filename)

    def object_response(
        self,
        data,
        query: dict | None = None,
        *,
        stem: str | None = None,
        message: str | None = None,
        status: int = http.HTTP_200_OK,
    ):
        if (query or {}).get("format") == "csv":
            return csv_object_response(data, download_name(stem or self.export_stem, self.business.pk, "csv"))
        body = {"message": message, "data": data} if message is not None else {"data": data}
        return Response(body, status=status)

    def message_response(self, message: str, data=None, status: int = http.HTTP_200_OK):
        body = {"message": message}
        if data is not None:
            body["data"] = data
        return Response(body, status=status)
