"""Field key rotation on SQLite and PostgreSQL: lookups and uniqueness hold throughout.

The flow an operator follows (SDS-SEC-042): ``sdsx keys rotate-field``, restart the gateway,
``sdsx keys reencrypt`` (here stopped after one batch and started again), ``sdsx keys
retire-field``; after each step the stored documents still read as written, a duplicate CHI
is still refused and a funding line still finds its person by identifier.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest
from gateway_client import ApiClient, running_api
from gateway_documents import chi, funding_line, person
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from gateway.config import Settings
from sdsx.cli import app
from spec.identifiers import NINO_SYSTEM

runner = CliRunner()
COUNCIL = "city-of-edinburgh"


@contextmanager
def gateway(settings: Settings) -> Iterator[ApiClient]:
    """The gateway restarted, so it loads the key file as it is now."""
    with running_api(settings, COUNCIL) as client:
        yield client


def keys(*args: str, settings: Settings) -> tuple[int, str]:
    where = ["--data-dir", str(settings.data_dir)]
    if args[0] != "rotate-field":
        where += ["--database", settings.database_url]
    result = runner.invoke(app, ["keys", *args, *where])
    return result.exit_code, result.output


def stored_cells(settings: Settings, sql: str) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return [str(v) for v in conn.execute(text(sql)).scalars()]
    finally:
        engine.dispose()


def assert_lookups_hold(api: ApiClient, numbers: list[str], owners: list[str]) -> None:
    """Every CHI is still unique and still finds its person."""
    for number, owner in zip(numbers, owners, strict=True):
        clash = api.post("/v1/persons", json=person(chi_number=number))
        assert clash.status_code == 409, clash.text
        assert clash.json()["existing"] == f"/v1/persons/{owner}"
        line = api.acting_as("ilf-scotland").post("/v1/funding-lines", json=funding_line(number))
        assert line.status_code == 201, line.text
        assert line.json()["person"] == {"id": owner}


def test_rotation_reencrypts_in_resumable_batches_with_lookups_working_throughout(
    settings: Settings,
) -> None:
    numbers = [chi() for _ in range(3)]
    with gateway(settings) as api:
        written = []
        for number in numbers:
            body = person(chi_number=number)
            nino = f"CE{len(written) + 1:06d}A"
            body["identifiers"].append({"system": NINO_SYSTEM, "value": nino})
            answer = api.post(
                "/v1/persons", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            assert answer.status_code == 201, answer.text
            written.append(answer)
        owners = [w.json()["id"] for w in written]
        replay_key = written[0].request.headers["idempotency-key"]

    assert keys("retire-field", "k1", settings=settings)[0] == 2  # the current key cannot go
    code, output = keys("rotate-field", settings=settings)
    assert code == 0, output
    assert "k2 is now current" in output
    key_file = json.loads((settings.data_dir / "field-keys.json").read_text())
    assert key_file["current"] == "k2"
    assert set(key_file["keys"]) == {"k1", "k2"}

    with gateway(settings) as api:
        # Restarted on k2, nothing re-encrypted yet: old values open, lookups find k1 tokens.
        for answer, owner in zip(written, owners, strict=True):
            assert api.get(f"/v1/persons/{owner}").content == answer.content
        assert_lookups_hold(api, numbers[:1], owners[:1])
        newcomer = api.post("/v1/persons", json=person(chi_number=(fresh := chi())))
        assert newcomer.status_code == 201
        numbers.append(fresh)
        owners.append(newcomer.json()["id"])

        code, output = keys(
            "reencrypt", "--batch-size", "1", "--max-batches", "2", settings=settings
        )
        assert code == 1, output
        assert "stopped early" in output
        documents = stored_cells(settings, "SELECT document FROM records WHERE type = 'person'")
        assert any('"sdsx1.k1.' in d for d in documents)
        assert any('"sdsx1.k2.' in d for d in documents)
        assert_lookups_hold(api, numbers, owners)  # halfway through, with both kinds of token

        code, output = keys("reencrypt", "--batch-size", "2", settings=settings)
        assert code == 0, output
        assert "done" in output
        for answer, owner in zip(written, owners, strict=False):
            assert api.get(f"/v1/persons/{owner}").content == answer.content
        assert_lookups_hold(api, numbers, owners)

    for table, column in (("records", "document"), ("record_versions", "document")):
        cells = stored_cells(settings, f"SELECT {column} FROM {table}")
        assert not [c for c in cells if '"sdsx1.k1.' in c]
    tokens = stored_cells(settings, "SELECT value FROM identifiers WHERE system LIKE '%/id/chi'")
    assert tokens
    assert all(t.startswith("k2.") for t in tokens)

    code, output = keys("retire-field", "k1", settings=settings)
    assert code == 0, output
    assert set(json.loads((settings.data_dir / "field-keys.json").read_text())["keys"]) == {"k2"}
    with gateway(settings) as api:
        for answer, owner in zip(written, owners, strict=False):
            assert api.get(f"/v1/persons/{owner}").content == answer.content
        again = api.post(
            "/v1/persons",
            json=orjson.loads(written[0].request.content),
            headers={"Idempotency-Key": replay_key},
        )
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.content == written[0].content
        assert_lookups_hold(api, numbers, owners)


def test_retiring_a_key_still_in_use_is_refused(settings: Settings) -> None:
    with gateway(settings) as api:
        assert api.post("/v1/persons", json=person()).status_code == 201
    assert keys("rotate-field", settings=settings)[0] == 0
    code, output = keys("retire-field", "k1", settings=settings)
    assert code == 1
    assert "records 1" in output
    assert "k1" in json.loads((settings.data_dir / "field-keys.json").read_text())["keys"]


@pytest.mark.parametrize("damage", ["flip", "move"])
def test_a_damaged_or_moved_ciphertext_is_a_clear_error_without_data(
    settings: Settings, damage: str
) -> None:
    with gateway(settings) as api:
        numbers = [chi(), chi()]
        ids = [api.post("/v1/persons", json=person(chi_number=n)).json()["id"] for n in numbers]
        engine = create_engine(settings.database_url)
        with engine.begin() as conn:
            texts = [
                conn.execute(
                    text("SELECT document FROM records WHERE id = :i"), {"i": i}
                ).scalar_one()
                for i in ids
            ]
            sealed = [orjson.loads(t)["identifiers"][0]["value"] for t in texts]
            if damage == "flip":
                broken = sealed[0][:-3] + ("A" if sealed[0][-3] != "A" else "B") + sealed[0][-2:]
            else:
                broken = sealed[1]  # another record's ciphertext, valid but bound to it
            conn.execute(
                text("UPDATE records SET document = :d WHERE id = :i"),
                {"d": texts[0].replace(sealed[0], broken), "i": ids[0]},
            )
        engine.dispose()
        answer = api.get(f"/v1/persons/{ids[0]}")
        assert answer.status_code == 500
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["requirement"] == "SDS-SEC-040"
        assert f"record {ids[0]} at /identifiers/0/value" in problem["detail"]
        assert "k1" in problem["detail"]
        assert not any(n in answer.text for n in numbers)
        assert api.get(f"/v1/persons/{ids[1]}").status_code == 200  # the rest still reads


def test_a_damaged_replay_body_is_a_clear_error_without_data(settings: Settings) -> None:
    number = chi()
    with gateway(settings) as api:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = person(chi_number=number)
        assert api.post("/v1/persons", json=body, headers=key).status_code == 201
        engine = create_engine(settings.database_url)
        with engine.begin() as conn:
            blob = bytes(conn.execute(text("SELECT body FROM idempotency_keys")).scalar_one())
            damaged = blob[:-1] + bytes([blob[-1] ^ 1])
            conn.execute(text("UPDATE idempotency_keys SET body = :b"), {"b": damaged})
        engine.dispose()
        answer = api.post("/v1/persons", json=body, headers=key)
        assert answer.status_code == 500
        assert answer.json()["requirement"] == "SDS-SEC-040"
        assert "Idempotency-Key response" in answer.json()["detail"]
        assert number not in answer.text
