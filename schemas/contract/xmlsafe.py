"""Safe XML for every SOAP face: parsing without DTDs, entities or network, and contract schemas.

One hardened parser serves the gateway's SOAP face and the sandbox registry (NOTES.md: zeep is a
client only, a server parses with lxml itself). Schema imports between contract files resolve to
the packaged files, never to the network.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from schemas.contract import read_bytes, resource

CONTRACT_URL = "popgate-contract:"


class XmlRefused(ValueError):
    """The bytes are not acceptable XML; the message never quotes the document."""


class _ContractResolver(etree.Resolver):  # type: ignore[misc]  # lxml ships no stubs
    """`schemaLocation="registry-v1.xsd"` (or its served `?xsd=NAME` form): the packaged file."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:
        name = (system_url or "").rsplit("/", 1)[-1].rsplit("=", 1)[-1].removeprefix(CONTRACT_URL)
        if name.endswith(".xsd") and resource(name).is_file():
            return self.resolve_string(read_bytes(name), context, base_url=CONTRACT_URL + name)
        return None


def hardened_parser() -> etree.XMLParser:
    """No entity expansion, no DTD loading, no network, no huge trees: XXE, billion laughs."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    parser.resolvers.add(_ContractResolver())
    return parser


def parse_safely(raw: bytes) -> etree._Element:
    """The root element of `raw`; any DOCTYPE (and so every entity declaration) is refused."""
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise XmlRefused("DTDs and entity declarations are not accepted")
    try:
        root = etree.fromstring(raw, hardened_parser())
    except etree.XMLSyntaxError:
        raise XmlRefused("the body is not well-formed XML") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise XmlRefused("DTDs and entity declarations are not accepted")
    return root


@cache
def contract_schema(name: str) -> etree.XMLSchema:
    """A packaged contract XSD, compiled once, its imports resolved from the package."""
    source = read_bytes(name)
    document = etree.fromstring(source, hardened_parser(), base_url=CONTRACT_URL + name)
    return etree.XMLSchema(document)


def schema_error(schema: etree.XMLSchema) -> str:
    """Where validation failed, without libxml2's message (it quotes values, which may be IDs)."""
    last = schema.error_log.last_error
    if last is None or not last.path:
        return "the request does not match the schema"
    steps = [step.split(":")[-1] for step in last.path.split("/") if step]
    return f"the request does not match the schema at {'/'.join(steps[-2:])}"
