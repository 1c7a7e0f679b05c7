"""X-Road message protocol 4.0 headers: accepted, checked, echoed with `requestHash` (DOMAIN.md).

A request without any X-Road header is accepted as plain SOAP. With any of them, the protocol's
rules apply: `protocolVersion` must be 4.0, `client`, `service` and `id` must be present, no
header may repeat, and the service code must name the operation in the body.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import dataclass

from lxml import etree

from gateway.soap.envelope import SoapFault

XROAD = "http://x-road.eu/xsd/xroad.xsd"
IDENTIFIERS = "http://x-road.eu/xsd/identifiers"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
_FIELDS = ("client", "service", "id", "userId", "issue", "protocolVersion")
_REQUIRED = ("client", "service", "id", "protocolVersion")


@dataclass(frozen=True)
class XRoadHeaders:
    elements: tuple[etree._Element, ...]
    client: str | None  # INSTANCE/CLASS/MEMBER[/SUBSYSTEM]
    service_code: str | None
    message_id: str | None
    user_id: str | None
    issue: str | None

    @property
    def present(self) -> bool:
        return bool(self.elements)


def _identifier(el: etree._Element, parts: tuple[str, ...]) -> str:
    values = [el.findtext(f"{{{IDENTIFIERS}}}{p}") for p in parts]
    return "/".join(v.strip() for v in values if v)


def read_headers(headers: tuple[etree._Element, ...]) -> XRoadHeaders:
    found: dict[str, etree._Element] = {}
    for el in headers:
        qname = etree.QName(el)
        if qname.namespace != XROAD:
            continue
        if qname.localname in found:
            raise SoapFault(
                "Client.DuplicateHeaderField", f"duplicate header field {qname.localname}"
            )
        found[qname.localname] = el
    if not found:
        return XRoadHeaders((), None, None, None, None, None)
    missing = [name for name in _REQUIRED if name not in found]
    if missing:
        raise SoapFault("Client.MissingHeaderField", f"missing header field {missing[0]}")
    version = (found["protocolVersion"].text or "").strip()
    if version != "4.0":
        raise SoapFault("Client.InvalidProtocolVersion", "protocolVersion must be 4.0")
    service = found["service"]
    return XRoadHeaders(
        elements=tuple(found[name] for name in _FIELDS if name in found),
        client=_identifier(
            found["client"], ("xRoadInstance", "memberClass", "memberCode", "subsystemCode")
        ),
        service_code=(service.findtext(f"{{{IDENTIFIERS}}}serviceCode") or "").strip() or None,
        message_id=(found["id"].text or "").strip() or None,
        user_id=(found["userId"].text or "").strip() if "userId" in found else None,
        issue=(found["issue"].text or "").strip() if "issue" in found else None,
    )


def check_service(headers: XRoadHeaders, operation: str) -> None:
    if headers.present and headers.service_code != operation:
        raise SoapFault(
            "Client.InconsistentHeaders",
            "the service code in the header does not match the operation in the body",
        )


def request_hash(raw: bytes) -> str:
    return base64.b64encode(hashlib.sha512(raw).digest()).decode()


def response_headers(headers: XRoadHeaders, raw_request: bytes) -> list[etree._Element]:
    """The request's X-Road headers, repeated, plus `requestHash` over the request bytes."""
    if not headers.present:
        return []
    echoed = [copy.deepcopy(el) for el in headers.elements]
    digest = etree.Element(f"{{{XROAD}}}requestHash", algorithmId=SHA512, nsmap={"xrd": XROAD})
    digest.text = request_hash(raw_request)
    echoed.append(digest)
    return echoed
