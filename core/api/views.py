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
from core.api.export import CsvRenderer, cells_of, download_name, object_cells
from core.api.filtering import FilterBackend
from core.api.query import ListPageQuery
from core.api.renderers import ExactJSONParser
from core.api.rows import RowShape
from core.dates import day_bounds

#: A list's 422 names its parameters in one order: the page, the search text, the format, then the list's filters in
#: their FilterSet's order; the first one's message is the envelope's `message`.
ERROR_ORDER = {"page": 0, "per_page": 1, "q": 2, "format": 3}


def _error_rank(item) -> int:
    return ERROR_ORDER.get(item[0], len(ERROR_ORDER))


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
        if isinstance(response, Response):
            # A Response is JSON: errors, writes, and a `?format=csv` the action does not offer. The csv and xlsx
            # renderers write only the downloads built below.
            renderer = self.get_renderers()[0]
            request.accepted_renderer, request.accepted_media_type = renderer, renderer.media_type
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
            raise ValidationError(dict(sorted(errors.items(), key=_error_rank)))
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
    def export_renderer(self, query: dict | None):
        """The csv or xlsx renderer DRF's negotiation chose for `?format=`, when the validated query asks for that
        format (an action without a format in its query contract answers JSON); None for JSON."""
        renderer = getattr(self.request, "accepted_renderer", None)
        fmt = (query or {}).get("format")
        return renderer if fmt is not None and getattr(renderer, "format", None) == fmt != "json" else None

    def download_of(self, renderer, columns: list[str], rows, stem: str | None = None):
        """`rows` as the renderer's download `<stem>-<business_id>-<timestamp>.<format>`: CSV-ready cell lists for
        csv, dict rows for xlsx."""
        stem = stem or self.export_stem
        filename = download_name(stem, self.business.pk, renderer.format)
        return renderer.response(columns, rows, filename, title=stem)

    def csv_response(self, columns: list[str], rows, query: dict, stem: str | None = None):
        """Rows already CSV cells in column order (a ledger, a report) as the `format=csv` download."""
        renderer = self.export_renderer(query)
        assert isinstance(renderer, CsvRenderer), "csv_response serves a query whose format is csv"
        return self.download_of(renderer, columns, rows, stem)

    def page_response(
        self, queryset, shape: RowShape, query: dict, *, wrap=None, meta: dict | None = None, stem: str | None = None
    ):
        """A paginated `{"data", "meta"}` page, or every row as csv/xlsx when `format` asks for it."""
        renderer = self.export_renderer(query)
        if isinstance(renderer, CsvRenderer):
            return self.download_of(renderer, shape.names, shape.csv_rows(queryset, self.row_context()), stem)
        if renderer is not None:
            return self.download_of(renderer, shape.names, shape.rows(queryset, self.row_context(), stream=True), stem)
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
        renderer = self.export_renderer({"format": fmt})
        assert renderer is not None, "export_response serves a query whose format is csv or xlsx"
        if isinstance(renderer, CsvRenderer):
            rows = cells_of(columns, rows)
        return self.download_of(renderer, columns, rows, stem)

    def object_response(
        self,
        data,
        query: dict | None = None,
        *,
        stem: str | None = None,
        message: str | None = None,
        status: int = http.HTTP_200_OK,
    ):
        """`{"data"}` (with `message` after a write), or `format=csv`: one row whose `data_json` cell holds `data`."""
        if isinstance(renderer := self.export_renderer(query), CsvRenderer):
            return self.download_of(renderer, *object_cells(data), stem)
        body = {"message": message, "data": data} if message is not None else {"data": data}
        return Response(body, status=status)

    def message_response(self, message: str, data=None, status: int = http.HTTP_200_OK):
        body = {"message": message}
        if data is not None:
            body["data"] = data
        return Response(body, status=status)
