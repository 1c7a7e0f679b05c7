"""`/soap/population`: the SOAP face of the resident data API (issue 6), and its WSDL.

One POST endpoint, SOAP 1.1 document/literal wrapped. Each request is parsed safely, its X-Road
4.0 headers checked (DOMAIN.md), the caller's token checked for the operation's scope, the body
wrapper validated against the XSD, then handed to the same `Residents` logic as the REST face.
Every error is a SOAP fault: HTTP 500 as SOAP 1.1 over HTTP requires, except 401 and 403 (the
`WWW-Authenticate` challenge belongs to a 401) and 415 for a body that is not SOAP 1.1 at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from lxml import etree

from gateway.access import AccessContext
from gateway.audit.findusage import NS as TRANSPARENCY
from gateway.audit.findusage import FindUsageInvalid, handle_find_usage
from gateway.audit.service import AUDIT_LOG
from gateway.auditing import AUDIT, AuditUnavailable
from gateway.keys import SETTINGS
from gateway.logs import correlation_id
from gateway.oauth.protect import Caller, require
from gateway.problems import Problem
from gateway.residents import RESIDENTS
from gateway.soap import documents, operations
from gateway.soap.envelope import SoapFault, build_envelope, fault_envelope, read_envelope
from gateway.soap.operations import POPULATION
from gateway.soap.xroad import XRoadHeaders, check_service, read_headers, request_hash
from gateway.soap.xroad import response_headers as xroad_response_headers
from schemas.api import Purposeful
from schemas.contract.xmlsafe import contract_schema, schema_error
from schemas.grants import Scope

log = logging.getLogger("popgate.soap")

_XML = "text/xml"
# Problem status to fault code (README, "SOAP face").
FAULT_CODES = {
    400: "Client.InvalidRequest",
    401: "Client.Unauthorized",
    403: "Client.AccessDenied",
    404: "Server.NotFound",
    413: "Client.InvalidRequest",
    415: "Client.InvalidRequest",
    429: "Client.RateLimited",
    502: "Server.UpstreamError",
    503: "Server.Unavailable",
    504: "Server.Timeout",
}
_KEPT_HEADERS = ("WWW-Authenticate", "Retry-After")
_HTTP_STATUS = {"Client.Unauthorized": 401, "Client.AccessDenied": 403}


@dataclass(frozen=True)
class Call:
    """One request on its way through: what the operation handlers need."""

    request: web.Request
    caller: Caller
    wrapper: etree._Element
    xroad: XRoadHeaders
    raw: bytes

    def context(self, body: Purposeful) -> AccessContext:
        user = self.xroad.user_id
        return AccessContext(
            caller=self.caller,
            purpose=body.purpose,
            reason=body.reason,
            case_ref=body.case_ref,
            actor=user[:100] if user else None,
            request_hash=request_hash(self.raw),
        )


Handler = Callable[[Call], Awaitable[etree._Element]]


async def _lookup(call: Call) -> etree._Element:
    body = operations.lookup_body(call.wrapper)
    residents = call.request.app[RESIDENTS]
    outcome = await residents.lookup(call.context(body), body.personal_id, body.fields)
    return operations.lookup_response(correlation_id.get() or "", outcome)


async def _verify(call: Call) -> etree._Element:
    body = operations.verify_body(call.wrapper)
    result = await call.request.app[RESIDENTS].verify(call.context(body), body)
    return operations.verify_response(correlation_id.get() or "", result)


async def _verify_batch(call: Call) -> etree._Element:
    body = operations.verify_batch_body(call.wrapper)
    results = await call.request.app[RESIDENTS].verify_batch(call.context(body), body.items)
    return operations.verify_batch_response(correlation_id.get() or "", results)


async def _find_usage(call: Call) -> etree._Element:
    audit_log = call.request.app[AUDIT_LOG]
    try:
        return await handle_find_usage(
            audit_log.db,
            audit_log.box,
            call.request.app[AUDIT],
            call.wrapper,
            client_id=call.caller.client_id,
            correlation_id=correlation_id.get(),
        )
    except FindUsageInvalid as exc:
        raise SoapFault("Client.InvalidRequest", str(exc)) from None
    except AuditUnavailable:
        raise SoapFault(
            "Server.Unavailable", "The access could not be recorded, so no data is sent."
        ) from None


@dataclass(frozen=True)
class Operation:
    scope: Scope
    schema: str
    handler: Handler


OPERATIONS: dict[tuple[str, str], Operation] = {
    (POPULATION, "LookupResident"): Operation(Scope.RESIDENTS_LOOKUP, "population-v1.xsd", _lookup),
    (POPULATION, "VerifyResident"): Operation(Scope.RESIDENTS_VERIFY, "population-v1.xsd", _verify),
    (POPULATION, "VerifyResidents"): Operation(
        Scope.RESIDENTS_VERIFY, "population-v1.xsd", _verify_batch
    ),
    (TRANSPARENCY, "findUsage"): Operation(
        Scope.TRANSPARENCY_REPORT, "transparency-v1.xsd", _find_usage
    ),
}


def _operation(wrapper: etree._Element) -> Operation:
    qname = etree.QName(wrapper)
    found = OPERATIONS.get((qname.namespace or "", qname.localname))
    if found is not None:
        return found
    if qname.namespace in (POPULATION, TRANSPARENCY):
        raise SoapFault("Client.UnknownOperation", f"no operation {qname.localname}")
    raise SoapFault(
        "Client.InvalidRequest",
        f"the operation element must be in namespace {POPULATION} (or {TRANSPARENCY})",
    )


def _validate(operation: Operation, wrapper: etree._Element) -> None:
    schema = contract_schema(operation.schema)
    if not schema.validate(wrapper):
        raise SoapFault("Client.InvalidRequest", schema_error(schema))


async def _read_body(request: web.Request) -> bytes:
    if request.content_type != _XML:
        raise SoapFault(
            "Client.InvalidSoap", "send SOAP 1.1: Content-Type text/xml", http_status=415
        )
    limit = request.app[SETTINGS].max_body_bytes
    too_large = SoapFault("Client.InvalidRequest", f"the body is over the limit of {limit} bytes")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise too_large from None


def _fault_response(
    fault: SoapFault,
    headers: list[etree._Element],
    *,
    reason: str | None = None,
    http_headers: dict[str, str] | None = None,
) -> web.Response:
    entry = operations.fault_entry(fault.code, fault.message, reason, correlation_id.get())
    status = _HTTP_STATUS.get(fault.code, fault.http_status)
    return web.Response(
        body=fault_envelope(fault, headers, entry=entry),
        status=status,
        content_type=_XML,
        charset="utf-8",
        headers=http_headers,
    )


def problem_fault(problem: Problem) -> tuple[SoapFault, str | None, dict[str, str]]:
    """A problem raised by the shared logic or the token check, as a fault of the same meaning."""
    code = FAULT_CODES.get(problem.status, "Server.InternalError")
    reason = problem.extra.get("reason")
    message = problem.detail or problem.title
    if problem.status == 403:
        reason = str(reason or problem.slug)
        message = f"{message} (reason: {reason})"
    kept = {k: v for k, v in problem.headers.items() if k in _KEPT_HEADERS}
    return SoapFault(code, message), str(reason) if reason else None, kept


async def endpoint(request: web.Request) -> web.Response:
    xroad: XRoadHeaders | None = None
    raw = b""
    echoed: list[etree._Element] = []
    try:
        raw = await _read_body(request)
        envelope = read_envelope(raw)
        xroad = read_headers(envelope.headers)
        echoed = xroad_response_headers(xroad, raw)
        operation = _operation(envelope.body)
        check_service(xroad, etree.QName(envelope.body).localname)
        caller = await require(request, operation.scope)
        _validate(operation, envelope.body)
        answer = await operation.handler(Call(request, caller, envelope.body, xroad, raw))
    except SoapFault as fault:
        return _fault_response(fault, echoed)
    except Problem as problem:
        mapped, reason, kept = problem_fault(problem)
        return _fault_response(mapped, echoed, reason=reason, http_headers=kept)
    except Exception:
        log.exception("SOAP request failed")
        return _fault_response(SoapFault("Server.InternalError", "internal error"), echoed)
    return web.Response(body=build_envelope(answer, echoed), content_type=_XML, charset="utf-8")


async def contract(request: web.Request) -> web.Response:
    """`?wsdl` for the service description, `?xsd=NAME` for one of its schemas."""
    public_url = request.app[SETTINGS].resolved_public_url()
    if "wsdl" in request.query:
        return web.Response(body=documents.wsdl(public_url), content_type=_XML, charset="utf-8")
    document = documents.xsd(request.query.get("xsd", ""), public_url)
    if document is None:
        raise web.HTTPNotFound(text="GET /soap/population?wsdl for the service description")
    return web.Response(body=document, content_type=_XML, charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_post(documents.PATH, endpoint)
    app.router.add_get(documents.PATH, contract)
