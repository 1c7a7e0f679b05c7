"""`SoapRegistry`: the SOAP face of the registry through zeep's async client and the WSDL."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import aiohttp
import requests
import zeep
import zeep.exceptions
from lxml import etree
from requests.structures import CaseInsensitiveDict
from yarl import URL
from zeep.helpers import serialize_object
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport
from zeep.wsdl.utils import etree_to_string

from connectors.base import (
    RegistryError,
    ResidentNotFound,
    UpstreamProtocolError,
    UpstreamRejected,
    UpstreamUnavailable,
    check_health,
    chunks,
    gather_batches,
    lookup_result,
    verification,
)
from connectors.resilience import Guard, ResiliencePolicy
from connectors.rest import read_limited
from connectors.signing import Credentials, sign
from schemas.contract import LIST_ITEMS, NAMESPACE, WSDL_NAME, as_file, resource, to_snake
from schemas.registry import LookupRequest, LookupResult, Verification, VerifyRequest

BINDING = f"{{{NAMESPACE}}}PopulationRegistryBinding"


class SigningTransport(AsyncTransport):
    """zeep's async transport on the connector's aiohttp session, signing each POST.

    Measured: httpx (zeep's default) cost about a third of the SOAP connector's throughput here.
    It never logs message bodies (they hold IDs) and refuses remote WSDL/XSD loads: the
    contract is packaged.
    """

    def __init__(self, credentials: Credentials, session: aiohttp.ClientSession) -> None:
        self.cache = None
        self._close_session = False  # zeep's __del__ reads it; the session closes in aclose
        self.logger = logging.getLogger("popgate.registry.soap")
        self._credentials = credentials
        self._session = session

    def _load_remote_data(self, url: str) -> bytes:
        raise PermissionError("remote WSDL and XSD loads are refused: the contract is packaged")

    async def post_xml(
        self, address: str, envelope: etree._Element, headers: dict[str, str]
    ) -> requests.Response:
        body = etree_to_string(envelope)  # type: ignore[no-untyped-call]
        signed = sign(self._credentials, "POST", URL(address).raw_path, body)
        async with self._session.post(address, data=body, headers={**headers, **signed}) as resp:
            content = await read_limited(resp)
            answer = requests.Response()
            answer._content = content
            answer.status_code = resp.status
            answer.headers = CaseInsensitiveDict(resp.headers)
            answer.encoding = resp.charset
            return answer

    async def aclose(self) -> None:
        await self._session.close()


def zeep_settings() -> zeep.Settings:
    """Answers from upstream: no DTDs, no external resources, no entities (NOTES.md)."""
    return zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_external=True,
        forbid_entities=True,
    )


class SoapRegistry:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        policy: ResiliencePolicy | None = None,
        guard: Guard | None = None,
    ) -> None:
        self._guard = guard or Guard(policy or ResiliencePolicy())
        policy = self._guard.policy
        self._http = aiohttp.ClientSession(
            # The guard bounds each whole attempt; the session bounds only the connect.
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=policy.connect_timeout),
            connector=aiohttp.TCPConnector(limit=policy.max_concurrency, keepalive_timeout=30),
        )
        self._transport = SigningTransport(credentials, self._http)
        # The packaged WSDL, not the upstream's: the contract is ours and loading it is local.
        with ExitStack() as stack:
            path = stack.enter_context(as_file(resource(WSDL_NAME)))
            self._client = zeep.AsyncClient(  # type: ignore[no-untyped-call]
                str(path), transport=self._transport, settings=zeep_settings()
            )
        # zeep 4.3's AsyncClient.create_service returns a *sync* proxy: build the async one.
        binding = self._client.wsdl.bindings[BINDING]
        self._service = AsyncServiceProxy(  # type: ignore[no-untyped-call]
            self._client, binding, address=base_url.rstrip("/") + "/soap"
        )
        self._base_url = base_url

    @property
    def guard(self) -> Guard:
        return self._guard

    async def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            result = await getattr(self._service, operation)(**kwargs)
            return serialize_object(result, dict)  # type: ignore[no-untyped-call]
        except zeep.exceptions.Fault as fault:
            raise _fault_error(fault) from None
        except zeep.exceptions.TransportError as exc:
            if exc.status_code >= 500:
                raise UpstreamUnavailable(
                    f"the population registry answered {exc.status_code}"
                ) from None
            if 400 <= exc.status_code < 500:
                raise UpstreamRejected(
                    f"the population registry answered {exc.status_code}"
                ) from None
            # zeep reports an unparseable 200 answer as a transport error too.
            raise UpstreamProtocolError("the registry answered with malformed XML") from None
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(
                f"cannot reach the population registry ({type(exc).__name__})"
            ) from None
        except (zeep.exceptions.Error, ValueError, TypeError, AttributeError):
            raise UpstreamProtocolError("the registry answered with malformed XML") from None

    async def lookup(self, request: LookupRequest) -> LookupResult:
        resident = await self._guard.call(
            lambda: self._call(
                "LookupResident",
                personalId=request.personal_id.digits,
                fields={"field": list(request.fields)},
                purpose=request.purpose,
                reason=request.reason,
                requestingUnit=request.requesting_unit,
            ),
            idempotent=True,
        )
        if not isinstance(resident, dict):
            raise UpstreamProtocolError("the registry's lookup answer has no resident")
        present = {to_snake(k): v for k, v in resident.items() if v is not None}
        extra = set(present) - set(request.fields)
        if extra:
            raise UpstreamProtocolError("the registry returned fields that were not requested")
        return lookup_result(request, {n: _plain(n, present.get(n)) for n in request.fields})

    async def verify(self, request: VerifyRequest) -> Verification:
        answer = await self._guard.call(
            lambda: self._call("VerifyResident", **_verify_args(request)), idempotent=True
        )
        return verification(_snake_dict(answer))

    async def _verify_chunk(self, chunk: Sequence[VerifyRequest]) -> list[Verification]:
        answers = await self._guard.call(
            lambda: self._call("VerifyResidents", request=[_verify_args(r) for r in chunk]),
            idempotent=True,
        )
        if not isinstance(answers, list) or len(answers) != len(chunk):
            raise UpstreamProtocolError("the registry's batch answer does not match the batch")
        return [verification(_snake_dict(a)) for a in answers]

    async def verify_batch(
        self, requests: Sequence[VerifyRequest]
    ) -> list[Verification | RegistryError]:
        """Any number of requests, sent in chunks of 1,000; a failed chunk fails its items only."""
        return await gather_batches(chunks(requests), self._verify_chunk)

    async def _health(self) -> None:
        await check_health(self._http, self._base_url)

    async def ping(self) -> None:
        await self._guard.call(self._health, idempotent=False)

    async def close(self) -> None:
        await self._transport.aclose()


def _verify_args(request: VerifyRequest) -> dict[str, Any]:
    return {
        "personalId": request.personal_id.digits,
        "fullName": request.full_name,
        "dateOfBirth": request.date_of_birth,
    }


def _fault_error(fault: zeep.exceptions.Fault) -> RegistryError:
    code = str(fault.code or "").rsplit(":", 1)[-1]
    if code == "Server.NotFound":
        return ResidentNotFound()
    if code == "Server.Unavailable":
        return UpstreamUnavailable()
    if code.startswith("Client."):
        return UpstreamRejected(f"the population registry rejected the request ({code})")
    return UpstreamProtocolError("the registry answered an unknown fault")


def _snake_dict(value: Any) -> Any:
    if not isinstance(value, dict):
        raise UpstreamProtocolError("the registry answered an unexpected structure")
    return {to_snake(k): v for k, v in value.items()}


def _plain(name: str, value: Any) -> Any:
    """zeep's XML shape to the catalogue's JSON shape: camelCase keys, unwrapped lists."""
    if name in LIST_ITEMS:
        items = (value or {}).get(LIST_ITEMS[name]) if isinstance(value, dict) else value
        return [_plain(LIST_ITEMS[name], v) for v in items or []]
    if isinstance(value, dict):
        return {to_snake(k): _plain(to_snake(k), v) for k, v in value.items()}
    return value
