"""The JSON API: /api/, with its OpenAPI schema at /api/openapi.json and docs at /api/docs (assets shipped)."""

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja import errors as ninja_errors
from ninja.errors import HttpError
from ninja.parser import Parser
from ninja.security import HttpBearer

from minping.accounts.apikeys import user_for_key
from minping.lib.apierrors import ERRORS, ApiError
from minping.lib.ids import ID_DIGITS
from minping.lib.text import storable

MAX_BODY = 1024 * 1024


class BoundedJSONParser(Parser):
    """JSON bodies up to 1 MB; nesting too deep for the parser is a 400, too large a 413, never a 500. So is text
    the database cannot store (a NUL character, an unpaired surrogate), which JSON can carry only as a \\u
    escape."""

    def parse_body(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            raise HttpError(413, "request body too large")
        try:
            body = request.body
        except RequestDataTooBig:
            raise HttpError(413, "request body too large") from None
        if len(body) > MAX_BODY:
            raise HttpError(413, "request body too large")
        try:
            data = json.loads(body or b"{}", parse_constant=_not_json)
        except (ValueError, RecursionError):
            raise HttpError(400, "request body is not valid JSON") from None
        if b"\\u" in body and not _storable_strings(data):
            raise HttpError(400, "request body holds a NUL character or an unpaired surrogate")
        return data


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")  # Python's parser reads NaN and Infinity unless told not to


def _storable_strings(data) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not storable(value):
                return False
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


VOTER_PREFIX = "/api/vote/"
VOTER_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # as on the voter's HTML pages


class MinpingAPI(NinjaAPI):
    """The schema lists, besides the statuses an operation names, those that follow from its form: a body may be
    refused with 400, 413 or 422, a path parameter with 404 or 422, an API key with 401 or 403. Every answer
    of the voter's endpoints, refusals included, is kept by no cache and sends no referrer (it may carry a
    receipt)."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if request.path.startswith(VOTER_PREFIX):
            for name, value in VOTER_HEADERS.items():
                response[name] = value
        return response

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ApiError.model_json_schema()
        for operations in schema["paths"].values():
            for operation in operations.values():
                statuses = set()
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                        parameter["schema"].update(minimum=1, maximum=10**ID_DIGITS - 1)  # the id converter's range
                if "requestBody" in operation:
                    statuses |= {400, 413, 422}
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    statuses |= {404, 422}
                if operation.get("security"):
                    statuses |= {401, 403}
                for status in sorted(statuses):
                    operation["responses"].setdefault(
                        str(status),
                        {
                            "description": ERRORS[status][1],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
                        },
                    )
        return schema


api = MinpingAPI(title="Minping API", version="1", parser=BoundedJSONParser(), urls_namespace="api")


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"error": ERRORS.get(exc.status_code, ("error",))[0], "message": str(exc)}, status=exc.status_code)


@api.exception_handler(ninja_errors.AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"error": "unauthorized", "message": ERRORS[401][1]}, status=401)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"error": "too_large", "message": "request body too large"}, status=413)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    problems = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"error": "invalid", "problems": problems}, status=422)


@api.exception_handler(ninja_errors.ValidationError)
def schema_error(request, exc):
    """A body, query or path that does not fit its schema: the same shape as the actions' refusals, each problem
    under the dotted path of its field (e.g. "groups.0.quorum")."""
    problems: dict[str, list[str]] = {}
    for error in exc.errors:
        path = [str(part) for part in error.get("loc", ())[1:] if part not in ("body", "query", "path")]
        problems.setdefault(".".join(path) or "__all__", []).append(error.get("msg", "invalid"))
    return api.create_response(request, {"error": "invalid", "problems": problems}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"error": "forbidden", "message": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"error": "not_found"}, status=404)


@csrf_exempt  # it changes nothing; a refused CSRF check would answer with an HTML page instead
def unknown_path(request, rest=""):
    """Anything under /api/ that no operation answers: a 404 in the API's shape, not the site's HTML page."""
    return JsonResponse({"error": "not_found", "message": "no such API path"}, status=404)


from minping.assessment import api as assessment_api  # noqa: E402
from minping.evaluations.api import organiser_router, voter_router  # noqa: E402
from minping.fieldwork import api as fieldwork_api  # noqa: E402
from minping.results import api as results_api  # noqa: E402

organiser_router.add_router("", results_api.organiser_router)
api.add_router("/vote", voter_router)  # first: the busiest paths are matched before the others are tried
api.add_router("/campaigns", organiser_router, auth=ApiKeyAuth())
api.add_router("/results", results_api.public_router)
api.add_router("/fieldwork", fieldwork_api.router, auth=ApiKeyAuth())
api.add_router("/assessment", assessment_api.router, auth=ApiKeyAuth())
