"""The contract's stable error codes, shared by REST (X-Road style) and SOAP faults."""

from __future__ import annotations

from dataclasses import dataclass

INVALID_REQUEST = "Client.InvalidRequest"
UNAUTHORIZED = "Client.Unauthorized"
NOT_FOUND = "Server.NotFound"
UNAVAILABLE = "Server.Unavailable"

STATUS = {INVALID_REQUEST: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, UNAVAILABLE: 503}


@dataclass
class ContractError(Exception):
    """An answer the contract defines; `message` never holds personal data."""

    code: str
    message: str
    status: int = 0

    def __post_init__(self) -> None:
        if not self.status:
            self.status = STATUS[self.code]
