"""Source adapters: each funding stream's own file format read into the standard's funding lines.

>>> import datetime as dt
>>> from adapters.sources import available, parse
>>> "ilf-scotland" in available()
True
>>> result = parse("ilf-scotland", b"ILF Reference,Award Type,Award Amount,Award Start,Status\\r\\n"
...                b"ILF-1,Weekly,\\xc2\\xa3330.00,01/04/2026,Active\\r\\n",
...                file_name="awards.csv", received_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC))
>>> result.lines[0]["award"]
{'amount': {'amount_minor': 33000, 'currency': 'GBP'}, 'per': 'per-week'}

Adapters are pure (bytes in, lines and problems out) and are found through the
``sdsx.adapters`` entry points, so a council can add its own (SDS-SRC-008).
"""

from __future__ import annotations

from adapters.sources.errors import (
    AdapterLoadError,
    MappingProfileError,
    SourceError,
    UnknownSource,
)
from adapters.sources.provenance import SourceFile, line_id
from adapters.sources.registry import ENTRY_POINT_GROUP, Adapter, available, get_adapter, parse
from adapters.sources.result import AdapterResult, RecordReport, SourceProblem

__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapter",
    "AdapterLoadError",
    "AdapterResult",
    "MappingProfileError",
    "RecordReport",
    "SourceError",
    "SourceFile",
    "SourceProblem",
    "UnknownSource",
    "available",
    "get_adapter",
    "line_id",
    "parse",
]
