"""Errors the source adapters raise: only for a caller's mistake, never for bad input data.

Bad input is reported as :class:`~adapters.sources.result.SourceProblem` in the result. These
exceptions are for asking the impossible::

    SourceError                 base: message, where, requirement
    ├── UnknownSource           no adapter registered under that name (SDS-SRC-008)
    ├── AdapterLoadError        an entry point that does not give an adapter (SDS-SRC-008)
    └── MappingProfileError     a profile that is missing or breaks its schema (SDS-MAP-001)
"""

from __future__ import annotations

__all__ = ["AdapterLoadError", "MappingProfileError", "SourceError", "UnknownSource"]


class SourceError(Exception):
    """Base class: says what is wrong, where (a name, file or JSON pointer), and which rule."""

    def __init__(self, message: str, *, where: str = "", requirement: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.requirement = requirement

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        suffix = f" [{self.requirement}]" if self.requirement else ""
        return f"{prefix}{self.message}{suffix}"


class UnknownSource(SourceError):
    """No adapter is registered under the requested source name."""


class AdapterLoadError(SourceError):
    """An ``sdsx.adapters`` entry point that cannot be loaded or is not an adapter."""


class MappingProfileError(SourceError):
    """A mapping profile that cannot be found, read or validated; ``where`` is a JSON pointer."""
