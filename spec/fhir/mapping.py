"""The field-by-field mapping table, ``spec/fhir/mapping.yaml``, as data.

Each field of each document type (``support-plan:/support_items/*/cost``) has the FHIR
element that carries it. Tests keep the table complete; the importer uses it to say where
in FHIR a missing field was expected (SDS-FHR-001).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

__all__ = ["MAPPING_FILE", "fhir_path_for", "mapping"]

MAPPING_FILE = Path(__file__).parent / "mapping.yaml"
_INDEX = re.compile(r"/[0-9]+(?=/|$)")


@functools.cache
def mapping() -> dict[str, dict[str, str]]:
    """Document type -> field path (``/a/*/b``) -> FHIR path."""
    loaded: dict[str, dict[str, str]] = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    return loaded


def fhir_path_for(doc_type: str, pointer: str) -> str | None:
    """The FHIR path of the field at JSON pointer ``pointer`` of a ``doc_type`` document."""
    return mapping().get(doc_type, {}).get(_INDEX.sub("/*", pointer))
