"""Typed keys of the resources on the sandbox application."""

from aiohttp import web

from connectors.sandbox.faults import Faults
from connectors.sandbox.service import RegistryService
from connectors.signing import Verifier

SERVICE = web.AppKey("sandbox_service", RegistryService)
FAULTS = web.AppKey("sandbox_faults", Faults)
VERIFIER = web.AppKey("sandbox_verifier", Verifier)
