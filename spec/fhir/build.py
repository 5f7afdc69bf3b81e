"""Generate the published FHIR artefacts from the standard's data files.

``python -m spec.fhir.build`` writes ``spec/fhir/terminology/`` (a CodeSystem and a
ValueSet per value set in ``spec/valuesets/``), ``spec/fhir/extensions/`` (a
StructureDefinition per extension), ``spec/fhir/profiles/`` (the profiles resources claim)
and ``spec/fhir/questionnaire/`` (the Questionnaire
assessments answer). A test fails when the committed files drift from what
this module generates (SDS-FHR-003, SDS-VS-001).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spec.fhir.extensions import structure_definitions
from spec.fhir.interactions import document_operation
from spec.fhir.profiles import profile_definitions
from spec.fhir.questionnaire import assessment_questionnaire
from spec.fhir.terminology import code_system, value_set
from spec.valuesets import all_valuesets

__all__ = ["FHIR_DIR", "artefacts", "render", "write"]

FHIR_DIR = Path(__file__).parent


def artefacts() -> dict[str, dict[str, Any]]:
    """Relative file path (under ``spec/fhir``) -> generated resource."""
    files: dict[str, dict[str, Any]] = {}
    for vs in all_valuesets().values():
        files[f"terminology/CodeSystem-{vs.id}.json"] = code_system(vs)
        files[f"terminology/ValueSet-{vs.id}.json"] = value_set(vs)
    for definition in structure_definitions():
        files[f"extensions/StructureDefinition-{definition['id']}.json"] = definition
    for definition in profile_definitions():
        files[f"profiles/StructureDefinition-{definition['id']}.json"] = definition
    files["operations/OperationDefinition-careplan-document.json"] = document_operation()
    files["questionnaire/Questionnaire-sdsx-assessment.json"] = assessment_questionnaire()
    return files


def render(resource: dict[str, Any]) -> str:
    """The committed text of a generated resource."""
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def write(root: Path = FHIR_DIR) -> list[Path]:
    """Write every artefact under ``root``; returns the paths written."""
    written = []
    for relative, resource in artefacts().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(resource), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path)
