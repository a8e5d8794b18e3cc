"""OpenAPI helpers: envelopes, error bodies and export media types, declared once."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

from core.api import idempotency
from core.api.fields import DATE_PATTERN
from core.api.permissions import rules_for
from core.api.renderers import MAX_BODY_DEPTH
from core.money import MONEY_LIMIT, WIRE_QUANTUM

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErrorBody(serializers.Serializer):
    message = serializers.CharField()


class ValidationErrorBody(serializers.Serializer):
    message = serializers.CharField(help_text="The first error, with a count of the others.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field; nested fields use dotted keys such as `lines.0.quantity`. A business-rule "
        "refusal (such as deleting the walk-in customer) may carry `message` alone.",
    )


class MessageBody(serializers.Serializer):
    message = serializers.CharField()


class DeletedId(serializers.Serializer):
    id = serializers.IntegerField()


ERROR_DESCRIPTIONS = {
    400: f"The request body is not valid JSON, or nests arrays and objects deeper than {MAX_BODY_DEPTH} levels: "
    '`{"message": "Malformed request body: ..."}`.',
    401: 'Missing, invalid, expired or revoked credentials: `{"message": "Unauthenticated."}`.',
    402: "Package enforcement is on and the business subscription is not active.",
    403: 'The user lacks the permission for this action: `{"message": "Unauthorized"}`.',
    404: 'No such record in the current business: `{"message": "Not found"}`.',
    413: "The request body is larger than the limit (2,621,440 bytes for JSON bodies; uploads have their own): "
    '`{"message": "The request body is larger than ..."}`.',
    415: "The body is not `application/json` (or `multipart/form-data` where uploads are taken).",
    409: "Another request with the same `Idempotency-Key` is still running and did not finish within the wait "
    '(`ERP_IDEMPOTENCY_WAIT_SECONDS`): `{"message": "A request with this Idempotency-Key is in progress."}`. '
    "Retry later with the same key: it answers what that request answered.",
    422: "Validation failed.",
    429: "Over a rate limit of the credential (or, without valid credentials, of the client address): "
    '`{"message": "Too many requests."}`; `Retry-After` says how many seconds until the window starts afresh.',
    500: 'Unexpected error, logged: `{"message": "something_went_wrong"}`.',
}


def errors(*codes: int, **descriptions: str) -> dict:
    """Error responses for an operation; `errors(403, 404, e422="...")` overrides a description."""
    out = {}
    for code in codes:
        body = ValidationErrorBody if code == 422 else ErrorBody
        out[code] = OpenApiResponse(body, description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS[code]))
    return out


class PageMeta(serializers.Serializer):
    current_page = serializers.IntegerField()
    last_page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total = serializers.IntegerField()


def _serializer(name: str, fields: dict):
    # many=False: an envelope is one object even on a list action (it carries its own "data" array).
    return extend_schema_serializer(many=False)(type(name, (serializers.Serializer,), dict(fields)))


def envelope(name: str, **fields):
    return _serializer(name, fields)


def page_envelope(name: str, item, *, meta_fields: dict | None = None, data=None):
    meta = _serializer(f"{name}Meta", {**PageMeta._declared_fields, **(meta_fields or {})}) if meta_fields else PageMeta
    return _serializer(name, {"data": data if data is not None else item(many=True), "meta": meta()})


def object_envelope(name: str, item, *, message: bool = False, meta_fields: dict | None = None):
    fields = {"data": item()}
    if message:
        fields = {"message": serializers.CharField(), **fields}
    if meta_fields:
        fields["meta"] = _serializer(f"{name}Meta", meta_fields)()
    return _serializer(name, fields)


def list_responses(envelope, *error_codes: int, exports=("csv", "xlsx"), **descriptions) -> dict:
    responses = {(200, "application/json"): envelope}
    if "csv" in exports:
        responses[(200, CSV)] = OpenApiResponse(
            OpenApiTypes.STR, description="format=csv: every matching row, UTF-8 with BOM, not paginated."
        )
    if "xlsx" in exports:
        responses[(200, XLSX)] = OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx: every matching row.")
    responses.update(errors(*error_codes, **descriptions))
    return responses


def object_responses(envelope, *error_codes: int, csv: bool = True, status: int = 200, **descriptions) -> dict:
    responses = {(status, "application/json"): envelope}
    if csv:
        responses[(status, CSV)] = OpenApiResponse(
            OpenApiTypes.STR, description="format=csv: one row whose `data_json` cell holds the JSON `data` object."
        )
    responses.update(errors(*error_codes, **descriptions))
    return responses


class RowFieldExtension(OpenApiSerializerFieldExtension):
    """Computed and Batched columns are documented as the field they produce."""

    target_class = "core.api.rows.Computed"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return auto_schema._map_serializer_field(self.target.schema_field, direction)


class BatchedFieldExtension(RowFieldExtension):
    target_class = "core.api.rows.Batched"


def _without_null(schema: dict) -> dict:
    # the caller adds "null" for allow_null fields itself
    if isinstance(schema.get("type"), list):
        types = [t for t in schema["type"] if t != "null"]
        schema["type"] = types[0] if len(types) == 1 else types
    return schema


class ExactDecimalExtension(OpenApiSerializerFieldExtension):
    """Amounts and quantities: a JSON number below 10^18 in absolute value; in requests at most 4 decimal places
    (`multipleOf`). Responses write them at 4 places."""

    target_class = "core.api.fields.ExactDecimal"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _without_null(auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True))
        schema.pop("format", None)
        limit = int(MONEY_LIMIT)
        schema.setdefault("exclusiveMaximum", limit)
        if "minimum" not in schema:
            schema.setdefault("exclusiveMinimum", -limit)
        if direction == "request":
            schema["multipleOf"] = float(WIRE_QUANTUM)
        return schema


class RequestDateExtension(OpenApiSerializerFieldExtension):
    """Request dates: the two accepted forms and the calendar bound, stated as the pattern they must match."""

    target_class = "core.api.fields.RequestDateMixin"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _without_null(auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True))
        schema.pop("format", None)
        schema["pattern"] = DATE_PATTERN
        return schema


class FilterSetExtension(DjangoFilterExtension):
    """A list's FilterSet as its query parameters: each filter states its schema (core.api.filtering.QueryFilter),
    its `help_text` is the description, followed by the list of choices as for serializer fields."""

    target_class = "core.api.filtering.FilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        # Every filter states its own schema, so the view needs no model (a report's view has none of its own).
        filterset_class = self.target.get_filterset_class(auto_schema.view)
        if not filterset_class:
            return []
        model = getattr(getattr(auto_schema.view, "queryset", None), "model", None)
        return [
            parameter
            for name, filter_field in filterset_class.base_filters.items()
            for parameter in self.resolve_filter_field(auto_schema, model, filterset_class, name, filter_field)
        ]

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        description = self._get_field_description(filter_field, None)
        choices = filter_field.extra.get("choices")
        for parameter in parameters:
            if description:
                parameter["description"] = description
            if choices:  # in their declared order, as serializer fields list them (the plumbing sorts)
                parameter["schema"]["enum"] = [value for value, _ in choices]
        return parameters


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    """Bearer token, or the X-API-Key and X-API-Secret headers together."""

    target_class = "core.api.authentication.CredentialAuthentication"
    name = ["bearerAuth", "apiKey", "apiSecret"]

    def get_security_requirement(self, auto_schema):
        return [{"bearerAuth": []}, {"apiKey": [], "apiSecret": []}]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <token>`."},
            {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "Sent with X-API-Secret."},
            {"type": "apiKey", "in": "header", "name": "X-API-Secret", "description": "Sent with X-API-Key."},
        ]


IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Makes a retry safe: the first request with a key runs; for "
    "`ERP_IDEMPOTENCY_TTL_HOURS` (24) a repeat with the same key, method, path and body answers the stored "
    "status and body without running again (`Idempotent-Replayed: true`). 1-255 printable ASCII characters; "
    "keys belong to the credential's user. The same key with another request is 422 "
    f'(`"{idempotency.REUSED}"`); while the first is still running a repeat waits for it, then 409. '
    "5xx answers are not kept (retry them with the same key); 4xx answers are.",
    pattern=r"^[\x20-\x7e]{1,255}$",
)

RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {
        "schema": {"type": "integer"},
        "description": "Requests allowed in the rate-limit window closest to refusing (the credential's reads or "
        "writes, per minute or per second; without valid credentials, the client address's).",
    },
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in that window."},
    "X-RateLimit-Reset": {"schema": {"type": "integer"}, "description": "When that window starts afresh (Unix time)."},
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}
REPLAYED = {
    idempotency.REPLAYED_HEADER: {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present on a stored answer replayed for a repeated `Idempotency-Key`.",
    }
}
#: answers that are never the stored answer of an Idempotency-Key
NOT_REPLAYED = {"401", "409", "429", "500"}


class IntegrationAutoSchema(AutoSchema):
    """Adds what every Integration API operation shares: 401, 429 and 500, the rate-limit headers, its permission
    rule, and on writes the Idempotency-Key header with its 409 and 422."""

    def _is_write(self) -> bool:
        return self.method in idempotency.WRITE_METHODS

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._is_write() else parameters

    def get_filter_backends(self):
        # an action's FilterSet (IntegrationViewSet.filterset_classes), list envelope or not
        return self.view.filter_backends if getattr(self.view, "filterset_class", None) else []

    def get_operation_id(self):
        action = getattr(self.view, "action", None) or self.method.lower()
        stem = getattr(self.view, "export_stem", "api").replace("-", "_")
        suffix = "_put" if self.method == "PUT" else ""
        return f"{stem}_{action}{suffix}"

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        # The rules the view declares are the documentation of who may call it (appended here because
        # @extend_schema(description=...) replaces get_description()).
        rules = rules_for(self.view, getattr(self.view, "action", None)) or []
        text = "; ".join(d for d in (rule.describe() for rule in rules) if d)
        if text:
            operation["description"] = f"{operation.get('description', '')}\n\n**Permission:** {text}".strip()
        for code, response in operation["responses"].items():
            headers = response.setdefault("headers", {})
            headers.update(RATE_LIMIT_HEADERS)
            if code == "429":
                headers.update(RETRY_AFTER)
            if self._is_write() and code not in NOT_REPLAYED:
                headers.update(REPLAYED)
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ("400", "401", "413", "415", "500") if self.method in ("POST", "PUT", "PATCH") else ("401", "500")
        codes += ("409", "422", "429") if self._is_write() else ("429",)
        for code in codes:
            if code not in responses:
                body = ValidationErrorBody if code == "422" else ErrorBody
                description = ERROR_DESCRIPTIONS[int(code)]
                if code == "422":
                    description = f"The `{idempotency.HEADER}` header is malformed or was used with another request."
                responses[code] = {
                    "content": {"application/json": {"schema": self.resolve_serializer(body, direction).ref}},
                    "description": description,
                }
        if self.method == "GET" and "422" not in responses:
            # Every GET validates its query string (at least `format`).
            responses["422"] = {
                "content": {
                    "application/json": {"schema": self.resolve_serializer(ValidationErrorBody, direction).ref}
                },
                "description": "The query string failed validation.",
            }
        return responses
