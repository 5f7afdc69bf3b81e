"""The adapter registry: every source adapter is found through the ``sdsx.adapters`` entry points.

The built-in adapters are declared in this distribution's ``pyproject.toml`` exactly as a
council would declare its own in its package::

    [project.entry-points."sdsx.adapters"]
    my-council-csv = "my_council.sdsx_adapter:adapter"

so a council adds an adapter by installing a package, without editing ours (SDS-SRC-008).
An entry point must give an :class:`Adapter` whose ``name`` equals the entry point's name.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata

from adapters.sources.errors import AdapterLoadError, UnknownSource
from adapters.sources.provenance import SourceFile
from adapters.sources.result import AdapterResult

__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapter",
    "adapter_entry_points",
    "available",
    "get_adapter",
    "parse",
    "refresh",
]

ENTRY_POINT_GROUP = "sdsx.adapters"

Reader = Callable[[bytes, SourceFile, "str | None"], None]


@dataclass(frozen=True, slots=True)
class Adapter:
    """A source adapter: a pure reader from a file's bytes into its :class:`SourceFile`.

    ``read(data, source, profile)`` adds lines with ``source.accept`` and problems with
    ``source.reject`` / ``source.note``; it must not touch the network, the clock or the
    environment. ``needs_profile`` says whether a mapping profile name is required.
    """

    name: str
    version: str
    title: str
    read: Reader
    needs_profile: bool = False


def adapter_entry_points() -> Iterable[metadata.EntryPoint]:
    """The installed entry points of the ``sdsx.adapters`` group."""
    return metadata.entry_points(group=ENTRY_POINT_GROUP)


@functools.cache
def _adapters() -> dict[str, Adapter]:
    found: dict[str, Adapter] = {}
    for entry in adapter_entry_points():
        try:
            loaded = entry.load()
        except Exception as exc:  # A third-party package may fail in any way when imported.
            raise AdapterLoadError(
                f"cannot load {entry.value}: {type(exc).__name__}: {exc}",
                where=f"entry point {entry.name}",
                requirement="SDS-SRC-008",
            ) from exc
        if not isinstance(loaded, Adapter):
            raise AdapterLoadError(
                f"{entry.value} is a {type(loaded).__name__}, not an adapters.sources.Adapter",
                where=f"entry point {entry.name}",
                requirement="SDS-SRC-008",
            )
        if loaded.name != entry.name:
            raise AdapterLoadError(
                f"adapter calls itself {loaded.name!r}; the entry point must use that name",
                where=f"entry point {entry.name}",
                requirement="SDS-SRC-008",
            )
        found.setdefault(entry.name, loaded)
    return found


def refresh() -> None:
    """Forget the adapters found so far, e.g. after installing a package at run time."""
    _adapters.cache_clear()


def available() -> list[str]:
    """The names of every registered source adapter, sorted."""
    return sorted(_adapters())


def get_adapter(source: str) -> Adapter:
    """The adapter registered as ``source``; :class:`UnknownSource` lists the known ones."""
    adapters = _adapters()
    try:
        return adapters[source]
    except KeyError:
        raise UnknownSource(
            f"no adapter for source {source!r}; available: {', '.join(sorted(adapters))}",
            where="source",
            requirement="SDS-SRC-008",
        ) from None


def parse(
    source: str,
    data: bytes,
    *,
    file_name: str,
    received_at: dt.datetime,
    profile: str | None = None,
) -> AdapterResult:
    """Read one source file with the adapter registered as ``source``.

    Returns every line that could be read and a problem for everything that could not; bad
    input never raises. ``received_at`` must be timezone-aware (it becomes provenance).
    """
    adapter = get_adapter(source)
    file = SourceFile.open(
        data,
        file_name=file_name,
        adapter=adapter.name,
        version=adapter.version,
        received_at=received_at,
    )
    adapter.read(data, file, profile)
    return file.result
