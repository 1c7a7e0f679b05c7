"""JSON-ready field values to contract XML: catalogue names become camelCase elements."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from schemas.contract import LIST_ITEMS, NAMESPACE, to_camel
from schemas.contract.xmlsafe import parse_safely


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def render(name: str, value: Any) -> str:
    """One element from a JSON-ready value; None is left out, lists are wrapped."""
    tag = to_camel(name)
    if value is None:
        return ""
    if isinstance(value, dict):
        inner = "".join(render(k, v) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        item = LIST_ITEMS[name]
        inner = "".join(render(item, v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    return f"<{tag}>{_value(value)}</{tag}>"


def render_elements(values: dict[str, Any], namespace: str = NAMESPACE) -> list[etree._Element]:
    """The elements of `values` (in its order) in `namespace`, as lxml elements."""
    inner = "".join(render(name, value) for name, value in values.items())
    holder = parse_safely(f'<holder xmlns="{namespace}">{inner}</holder>'.encode())
    return list(holder)
