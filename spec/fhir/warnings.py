"""What the FHIR mapping could not carry, element by element, and how it keeps count.

Reading FHIR into the standard never drops data silently (SDS-FHR-004): every element of an
incoming resource is either read into a document or named in a :class:`FhirIssue` with a
FHIRPath-like location (``Bundle.entry[2].resource.name[0].prefix``) and a reason.

:class:`ElementReader` makes that cheap: the mapping reads elements through it, it records
each element it hands out, and :meth:`ElementReader.leftovers` lists the elements nobody read.

Errors: :class:`FhirMappingError` (a :class:`spec.SpecError`) for input that cannot be mapped
at all: a document the standard rejects on export, FHIR that is not a Bundle or resource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from spec.problems import SpecError

__all__ = ["ElementReader", "FhirIssue", "FhirMappingError"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class FhirIssue:
    """One element the mapping could not carry, or one reason a resource failed."""

    location: str
    message: str
    severity: Severity = "warning"
    requirement: str = "SDS-FHR-004"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.severity}: {self.location}: {self.message} [{self.requirement}]"


class FhirMappingError(SpecError):
    """Input the FHIR mapping cannot work with at all; ``where`` locates it."""


class ElementReader:
    """Reads one FHIR element (a JSON object) and remembers which members were read.

    Readers made by :meth:`child` and :meth:`children` share their root's record, so the
    root's :meth:`leftovers` covers the whole resource.
    """

    def __init__(self, data: Mapping[str, Any], path: str, read: set[str] | None = None) -> None:
        self.data = data
        self.path = path
        self._read: set[str] = set() if read is None else read

    def at(self, key: str) -> str:
        """The location of member ``key``."""
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data

    def take(self, key: str) -> Any:
        """The value of member ``key`` (``None`` when absent), recorded as read whole."""
        if key not in self.data:
            return None
        self._read.add(self.at(key))
        return self.data[key]

    def mark(self, key: str) -> None:
        """Record member ``key`` as read without using it (derived or structural data)."""
        if key in self.data:
            self._read.add(self.at(key))

    def child(self, key: str) -> ElementReader | None:
        """A reader for object member ``key``, or ``None`` when absent or not an object."""
        value = self.data.get(key)
        if not isinstance(value, Mapping):
            return None
        return ElementReader(value, self.at(key), self._read)

    def children(self, key: str) -> list[ElementReader]:
        """Readers for the objects in list member ``key``."""
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [
            ElementReader(item, f"{self.at(key)}[{index}]", self._read)
            for index, item in enumerate(value)
            if isinstance(item, Mapping)
        ]

    def extensions(self, url: str, key: str = "extension") -> list[ElementReader]:
        """Readers for the extensions with ``url``; their ``url`` member is recorded read."""
        found = [ext for ext in self.children(key) if ext.data.get("url") == url]
        for ext in found:
            ext.mark("url")
        return found

    def extension(self, url: str, key: str = "extension") -> ElementReader | None:
        """The first extension with ``url``; a repeat is left unread, so it is reported."""
        found = self.extensions(url, key)
        for extra in found[1:]:
            extra._read.discard(extra.at("url"))
        return found[0] if found else None

    def leftovers(self) -> Iterator[tuple[str, Any]]:
        """Each highest element under this reader that nothing read, with its value."""
        touched: set[str] = set()
        for path in self._read:
            for cut in range(len(path)):
                if path[cut] in ".[":
                    touched.add(path[:cut])
        yield from _unread(self.data, self.path, self._read, touched)


def _unread(value: Any, path: str, read: set[str], touched: set[str]) -> Iterator[tuple[str, Any]]:
    if path in read:
        return
    if path not in touched:
        yield path, value
        return
    if isinstance(value, Mapping):
        for key, member in value.items():
            yield from _unread(member, f"{path}.{key}", read, touched)
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield from _unread(member, f"{path}[{index}]", read, touched)
