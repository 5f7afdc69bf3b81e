"""The adapter registry finds adapters through real ``sdsx.adapters`` entry points (SDS-SRC-008).

A council's own adapter is simulated by a real (tiny) installed distribution: a module and
a ``.dist-info`` folder with ``entry_points.txt`` on ``sys.path``, found by the same
``importlib.metadata`` lookup the built-ins use.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sources import AdapterLoadError, UnknownSource, available, parse, registry

BUILT_IN = ["council", "dwp-access-to-work", "ilf-scotland", "nhs-board", "saas-dsa"]
WHEN = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)

ADAPTER_MODULE = """
from adapters.sources import Adapter


def read(data, source, profile):
    for number, value in enumerate(data.decode().split(), start=1):
        source.accept(f"item {number}", {
            "person_identifier": {"system": "https://spec.sdsx.scot/id/chi",
                                  "value": "0101871002"},
            "source": "other",
            "payer": {"kind": "funder", "code": "trust-fund"},
            "award": {"amount": {"amount_minor": int(value), "currency": "GBP"},
                      "per": "one-off"},
            "period": {"start": "2026-04-01"},
            "purpose": "one-off-goal",
            "status": "awarded",
        })


adapter = Adapter(name="{name}", version="0.1.0", title="A council's own", read=read)
not_an_adapter = 42
"""


def _install(root: Path, module: str, entry_points: str, name: str = "fake-council") -> None:
    (root / f"{module}.py").write_text(ADAPTER_MODULE.replace("{name}", name), encoding="utf-8")
    info = root / f"{module}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    registry.refresh()
    yield
    registry.refresh()


def test_built_in_adapters_are_registered_through_entry_points() -> None:
    names = {entry.name for entry in registry.adapter_entry_points()}
    assert set(BUILT_IN) <= names
    assert available() == BUILT_IN


def test_a_council_package_adds_an_adapter_without_editing_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(
        tmp_path,
        "fake_council_adapter",
        """
        [sdsx.adapters]
        fake-council = fake_council_adapter:adapter
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()
    assert available() == sorted([*BUILT_IN, "fake-council"])
    result = parse("fake-council", b"1250 300", file_name="grants.txt", received_at=WHEN)
    assert [line["award"]["amount"]["amount_minor"] for line in result.lines] == [1250, 300]
    assert result.lines[0]["provenance"]["adapter"] == "fake-council"


def test_an_entry_point_that_is_not_an_adapter_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(
        tmp_path,
        "fake_broken_adapter",
        """
        [sdsx.adapters]
        broken = fake_broken_adapter:not_an_adapter
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()
    with pytest.raises(AdapterLoadError, match=r"not an adapters\.sources\.Adapter") as caught:
        available()
    assert caught.value.requirement == "SDS-SRC-008"


def test_an_entry_point_must_use_the_adapter_s_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(
        tmp_path,
        "fake_misnamed_adapter",
        """
        [sdsx.adapters]
        other-name = fake_misnamed_adapter:adapter
        """,
        name="real-name",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()
    with pytest.raises(AdapterLoadError, match="entry point must use that name"):
        available()


def test_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(UnknownSource, match="available: council, dwp-access-to-work"):
        parse("lottery", b"", file_name="x", received_at=WHEN)


def test_naive_received_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse("ilf-scotland", b"", file_name="x", received_at=dt.datetime(2026, 4, 2))
