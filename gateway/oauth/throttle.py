"""Brute-force defence of the token endpoint: failed client authentications counted per client and
per remote address (in process memory); past the limit, every attempt is refused until it cools."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class FailureThrottle:
    def __init__(self, limit: str) -> None:
        self._rate = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def _keys(client_id: str | None, address: str | None) -> list[tuple[str, str]]:
        keys = []
        if client_id:
            keys.append(("client", client_id[:64]))
        if address:
            keys.append(("address", address))
        return keys

    def blocked(self, client_id: str | None, address: str | None) -> int | None:
        """Seconds to wait when either key is over its limit, else None."""
        for kind, value in self._keys(client_id, address):
            if not self._limiter.test(self._rate, "token-failure", kind, value):
                reset, _remaining = self._limiter.get_window_stats(
                    self._rate, "token-failure", kind, value
                )
                return max(1, int(reset - time.time()))
        return None

    def failed(self, client_id: str | None, address: str | None) -> None:
        for kind, value in self._keys(client_id, address):
            self._limiter.hit(self._rate, "token-failure", kind, value)
