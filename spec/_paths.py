"""Where the standard's data files live inside the installed package."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
SCHEMAS = ROOT / "schemas"
VALUESETS = ROOT / "valuesets"
EXAMPLES = ROOT / "examples"
SOURCES = ROOT / "sources"
REQUIREMENTS = ROOT / "requirements"

CANONICAL_BASE = "https://spec.sdsx.scot/v1/"
SCHEMA_BASE = CANONICAL_BASE + "schemas/"
STANDARD_VERSION = "sdsx/1.0"
