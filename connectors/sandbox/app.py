"""The sandbox application factory: signed REST and SOAP faces over the resident store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler

from connectors.sandbox import rest, soap
from connectors.sandbox.errors import INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE, ContractError
from connectors.sandbox.faults import Faults, apply
from connectors.sandbox.keys import FAULTS, SERVICE, VERIFIER
from connectors.sandbox.seed import seed_store
from connectors.sandbox.service import RegistryService
from connectors.sandbox.store import ResidentStore
from connectors.signing import Credentials, SignatureRejected, Verifier


@dataclass
class SandboxConfig:
    database_url: str
    credentials: Credentials
    faults: Faults = field(default_factory=Faults)
    seed_if_empty: int = 0  # residents generated on start when the store is empty
    seed: int = 1
    max_body_bytes: int = 1_048_576
    pool_size: int = 10


def _face(request: web.Request) -> Callable[[ContractError], web.Response] | None:
    if request.method != "POST":
        return None
    if request.path == "/soap":
        return soap.render_fault
    if request.path.startswith("/v1/"):
        return rest.render_error
    return None


@web.middleware
async def contract_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Size limit, signature and injected faults for the contract's operations."""
    render = _face(request)
    if render is None:
        return await handler(request)
    try:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise ContractError(INVALID_REQUEST, "the request body is too large", 413) from None
        try:
            request.app[VERIFIER].verify(
                request.method, request.rel_url.raw_path, request.headers, body
            )
        except SignatureRejected as exc:
            raise ContractError(UNAUTHORIZED, f"signature rejected: {exc}") from None
        unavailable = render(ContractError(UNAVAILABLE, "the registry is temporarily unavailable"))
        return await apply(request.app[FAULTS], request, handler, unavailable)
    except ContractError as error:
        return render(error)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_sandbox_app(config: SandboxConfig) -> web.Application:
    app = web.Application(middlewares=[contract_guard], client_max_size=config.max_body_bytes)
    app[FAULTS] = config.faults
    app[VERIFIER] = Verifier({config.credentials.access_key: config.credentials})

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        store = ResidentStore.open(config.database_url, pool_size=config.pool_size)
        try:
            await store.create()
            if config.seed_if_empty and await store.count() == 0:
                await seed_store(store, config.seed_if_empty, config.seed)
            app[SERVICE] = RegistryService(store)
            yield
        finally:
            await store.close()

    app.cleanup_ctx.append(store_ctx)
    app.router.add_get("/healthz", healthz)
    app.add_routes(rest.routes)
    app.add_routes(soap.routes)
    return app
