"""A persona of spec/examples/valid stored through the API, as an organisation would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from gateway_client import ApiClient

__all__ = ["PERSONA", "store_persona"]

PERSONA = Path(__file__).resolve().parents[2] / "spec" / "examples" / "valid" / "rory-combined"
SERVER = ("id", "version", "supersedes", "recorded_at")


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((PERSONA / name).read_bytes())
    return {k: v for k, v in document.items() if k not in SERVER}


def store_persona(api: ApiClient) -> str:
    """Store the persona's person, assessment, lines and plan; the plan's id."""
    person_id = api.post("/v1/persons", json=_load("person.json")).json()["id"]
    assessment = _load("assessment.json") | {"person": {"id": person_id}}
    assessment_id = api.post("/v1/assessments", json=assessment).json()["id"]
    lines = []
    for raw in (PERSONA / "funding-lines.ndjson").read_bytes().splitlines():
        line = {k: v for k, v in orjson.loads(raw).items() if k not in (*SERVER, "person")}
        lines.append(orjson.dumps(line))
    bulk = api.post(
        "/v1/bulk", content=b"\n".join(lines), headers={"Content-Type": "application/x-ndjson"}
    )
    assert bulk.json()["summary"]["rejected"] == 0, bulk.text
    plan = _load("support-plan.json") | {
        "person": {"id": person_id},
        "assessment": {"id": assessment_id, "version": 1},
    }
    created = api.post("/v1/support-plans", json=plan)
    assert created.status_code == 201, created.text
    plan_id: str = created.json()["id"]
    return plan_id
