"""Problems: what is wrong with a document, where, and which requirement it breaks.

Every error the reference library reports is a :class:`Problem`: a JSON pointer into the
document, a message that names no personal data, the requirement ID from the catalogue in
``spec/requirements/`` and the rule (a JSON Schema keyword or a named semantic rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

__all__ = ["Problem", "SpecError", "pointer"]


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one document."""

    pointer: str
    message: str
    requirement: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} [{self.requirement}]"


class SpecError(Exception):
    """Base class of the reference library's errors: input that cannot be read as the standard."""

    def __init__(self, message: str, *, where: str = "", requirement: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.requirement = requirement

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        suffix = f" [{self.requirement}]" if self.requirement else ""
        return f"{prefix}{self.message}{suffix}"


def pointer(parts: Iterable[str | int]) -> str:
    """An RFC 6901 JSON pointer for a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
