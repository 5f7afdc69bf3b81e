"""Limits: a per-organisation token bucket, and the security headers every response carries.

Each organisation has a bucket of ``burst`` requests refilled at ``rate`` per second; an empty
bucket answers 429 with ``Retry-After`` in whole seconds (SDS-SEC-060). The bucket lives in
process memory: with N gateway processes an organisation can reach N times its rate, a
documented approximation (the limit protects the service, not an accounting figure).

CORS is off by default: the gateway serves machine clients, sends no
``Access-Control-Allow-Origin`` header, so browsers on other origins cannot read its
responses. An operator who needs browser access sets an explicit list of origins in the
gateway's configuration; a wildcard is never appropriate for personal data (SDS-SEC-062).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.security.errors import RateLimited

__all__ = ["SECURITY_HEADERS", "RateLimiter", "security_headers"]

SECURITY_HEADERS: dict[str, str] = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def security_headers(*, docs: bool = False) -> dict[str, str]:
    """Headers for every response (SDS-SEC-061).

    ``docs=True`` relaxes the content security policy for the interactive API documentation
    page, which loads its own scripts and styles; API responses never need that.
    """
    headers = dict(SECURITY_HEADERS)
    if docs:
        headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
        )
    return headers


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by organisation id."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str, cost: float = 1.0) -> int:
        """Take ``cost`` from ``key``'s bucket: 0 when allowed, else seconds to wait."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return 0
            return max(1, math.ceil((cost - bucket.tokens) / self.rate))

    def check(self, key: str, cost: float = 1.0) -> None:
        """Take from the bucket or raise :class:`RateLimited` (429 with ``Retry-After``)."""
        wait = self.retry_after(key, cost)
        if wait:
            raise RateLimited(wait)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled: they hold no state worth keeping."""
        self._buckets = {
            k: b
            for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate < self.burst
        }
