"""The sandbox's SOAP face: `POST /soap` (LookupResident, VerifyResident, VerifyResidents), WSDL."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from lxml import etree
from pydantic import ValidationError

from connectors.sandbox.errors import INVALID_REQUEST, ContractError
from connectors.sandbox.keys import SERVICE
from connectors.sandbox.rest import validation_message
from connectors.sandbox.soapxml import envelope, fault, parse_operation, text
from schemas.contract import NAMESPACE, WSDL_NAME, XSD_NAME, read_bytes
from schemas.contract.render import render
from schemas.registry import LookupRequest, Verification, VerifyRequest

routes = web.RouteTableDef()
_XML = "text/xml"
_NS = f"{{{NAMESPACE}}}"


def render_fault(error: ContractError) -> web.Response:
    """SOAP 1.1 over HTTP: every fault is answered with status 500."""
    return web.Response(body=fault(error), status=500, content_type=_XML, charset="utf-8")


def _verify_request(element: etree._Element) -> VerifyRequest:
    return VerifyRequest(
        personal_id=text(element, "personalId"),
        full_name=text(element, "fullName"),
        date_of_birth=text(element, "dateOfBirth"),
    )


def _verification(v: Verification) -> str:
    return "".join(render(k, val) for k, val in v.model_dump(mode="json").items())


@routes.get("/soap")
async def wsdl(request: web.Request) -> web.Response:
    """`?wsdl`: the WSDL with its address and schema location pointing at this server."""
    base = f"{request.scheme}://{request.host}"
    if "wsdl" in request.query:
        document = read_bytes(WSDL_NAME).decode()
        document = document.replace('location="http://localhost/soap"', f'location="{base}/soap"')
        document = document.replace(
            f'schemaLocation="{XSD_NAME}"', f'schemaLocation="{base}/soap?xsd={XSD_NAME}"'
        )
        return web.Response(text=document, content_type=_XML)
    if request.query.get("xsd") == XSD_NAME:
        return web.Response(body=read_bytes(XSD_NAME), content_type=_XML)
    raise web.HTTPNotFound(text="GET /soap?wsdl for the service description")


@routes.post("/soap")
async def soap(request: web.Request) -> web.Response:
    operation = parse_operation(await request.read())
    service = request.app[SERVICE]
    name = etree.QName(operation).localname
    try:
        if name == "LookupResident":
            fields_el = operation.find(f"{_NS}fields")
            query = LookupRequest(
                personal_id=text(operation, "personalId"),
                fields=[f.text or "" for f in (fields_el if fields_el is not None else [])],
                purpose=text(operation, "purpose"),
                reason=text(operation, "reason"),
                requesting_unit=text(operation, "requestingUnit"),
            )
            found: dict[str, Any] = await service.lookup(query)
            body = envelope(f"{name}Response", render("resident", found))
        elif name == "VerifyResident":
            verdict = await service.verify(_verify_request(operation))
            body = envelope(f"{name}Response", _wrap(verdict))
        elif name == "VerifyResidents":
            batch = tuple(_verify_request(el) for el in operation.iter(f"{_NS}request"))
            verdicts = await service.verify_batch(batch)
            body = envelope(f"{name}Response", "".join(_wrap(v) for v in verdicts))
        else:
            raise ContractError(INVALID_REQUEST, "unknown operation")
    except ValidationError as exc:
        raise ContractError(INVALID_REQUEST, validation_message(exc)) from None
    return web.Response(body=body, content_type=_XML, charset="utf-8")


def _wrap(v: Verification) -> str:
    return f"<verification>{_verification(v)}</verification>"
