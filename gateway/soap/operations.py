"""The SOAP face's operations as XML: body wrappers to the REST face's models, results to XML.

Element names are the camelCase form of the models' fields (population-v1.xsd); validation
reuses the REST models so both faces accept exactly the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from lxml import etree
from pydantic import BaseModel, ValidationError

from gateway.bodies import validation_errors
from gateway.residents import LookupOutcome, matched
from gateway.soap.envelope import SoapFault
from schemas.api import LookupBody, Matched, VerifyBatchBody, VerifyBatchItem, VerifyBody
from schemas.contract import to_camel, to_snake
from schemas.contract.render import render_elements
from schemas.fields import FIELD_NAMES
from schemas.registry import Verification

POPULATION = "urn:popgate:population:v1"
_P = f"{{{POPULATION}}}"
_PURPOSEFUL = ("purpose", "reason", "caseRef")
_ITEM = ("personalId", "fullName", "dateOfBirth")
_LISTS = {"fields": "field", "items": "item"}  # model field to its repeated element

M = TypeVar("M", bound=BaseModel)


def _children(wrapper: etree._Element, names: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        child = wrapper.find(_P + name)
        if child is not None:
            values[to_snake(name)] = child.text or ""
    return values


def _model(model: type[M], data: dict[str, Any]) -> M:
    try:
        # XML carries only text: lax mode turns "1990-05-01" into a date and lists into tuples.
        return model.model_validate(data, strict=False)
    except ValidationError as exc:
        heads = {e["loc"].split(".")[0] for e in validation_errors(exc)}
        where = sorted(_LISTS.get(head, to_camel(head)) for head in heads)
        raise SoapFault("Client.InvalidRequest", f"invalid: {', '.join(where)}") from None


def lookup_body(wrapper: etree._Element) -> LookupBody:
    data = _children(wrapper, ("personalId", *_PURPOSEFUL))
    data["fields"] = [f.text or "" for f in wrapper.iterfind(_P + "field")]
    return _model(LookupBody, data)


def verify_body(wrapper: etree._Element) -> VerifyBody:
    return _model(VerifyBody, _children(wrapper, (*_ITEM, *_PURPOSEFUL)))


def verify_batch_body(wrapper: etree._Element) -> VerifyBatchBody:
    """The batch's purpose and reason; its items stay loose dicts, each validated on its own."""
    data = _children(wrapper, _PURPOSEFUL)
    data["items"] = [_children(item, _ITEM) for item in wrapper.iterfind(_P + "item")]
    return _model(VerifyBatchBody, data)


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    child = etree.SubElement(parent, _P + name)
    child.text = value
    return child


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _matched(parent: etree._Element, value: Matched) -> None:
    el = etree.SubElement(parent, _P + "matched")
    _text(el, "personalId", _bool(value.personal_id))
    _text(el, "fullName", _bool(value.full_name))
    _text(el, "dateOfBirth", _bool(value.date_of_birth))


def _response(operation: str, request_id: str) -> etree._Element:
    root = etree.Element(_P + f"{operation}Response", nsmap={"pop": POPULATION})
    _text(root, "requestId", request_id)
    return root


def lookup_response(request_id: str, outcome: LookupOutcome) -> etree._Element:
    """Released fields in the catalogue's order (the XSD's sequence), then the withheld names."""
    root = _response("LookupResident", request_id)
    resident = etree.SubElement(root, _P + "resident")
    ordered = {name: outcome.fields[name] for name in FIELD_NAMES if name in outcome.fields}
    resident.extend(render_elements(ordered))
    for name in outcome.withheld:
        _text(root, "withheld", name)
    return root


def verify_response(request_id: str, result: Verification) -> etree._Element:
    root = _response("VerifyResident", request_id)
    _text(root, "match", _bool(result.match))
    _matched(root, matched(result))
    _text(root, "nameMatch", result.full_name.value)
    return root


def verify_batch_response(request_id: str, results: Sequence[VerifyBatchItem]) -> etree._Element:
    root = _response("VerifyResidents", request_id)
    for item in results:
        el = etree.SubElement(root, _P + "result")
        _text(el, "index", str(item.index))
        if item.match is not None:
            _text(el, "match", _bool(item.match))
        if item.matched is not None:
            _matched(el, item.matched)
        if item.name_match is not None:
            _text(el, "nameMatch", item.name_match)
        if item.error is not None:
            error = etree.SubElement(el, _P + "error")
            _text(error, "type", item.error.type)
            _text(error, "detail", item.error.detail)
    return root


def fault_entry(
    code: str, message: str, reason: str | None, correlation: str | None
) -> etree._Element:
    """The `PopulationFault` detail entry of every fault."""
    root = etree.Element(_P + "PopulationFault", nsmap={"pop": POPULATION})
    _text(root, "code", code)
    _text(root, "message", message)
    if reason:
        _text(root, "reason", reason)
    if correlation:
        _text(root, "correlationId", correlation)
    return root
