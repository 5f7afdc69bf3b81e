"""Fixtures for the security unit tests (the helpers live in ``security_fixtures``)."""

from __future__ import annotations

from security_fixtures import registry

__all__ = ["registry"]
