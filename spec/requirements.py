"""The requirement catalogue: every MUST, SHOULD and MAY of the standard, by stable ID.

The catalogue is a folder, ``spec/requirements/<AREA>.yaml``, one file per area, each checked
against ``spec/schemas/meta/requirements.schema.json``. On top of that schema the loader
checks what a schema cannot: an ID is defined once across all files, a retired ID is never
used again, an ID's area prefix matches its file, and each text contains its level word.

:func:`cited_ids` finds every ID the repository cites, so a test can prove none is missing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from spec._paths import ROOT, SCHEMAS
from spec.problems import SpecError, pointer

__all__ = [
    "BEGIN_MARKER",
    "CATALOGUE",
    "CITED_SUFFIXES",
    "CITING_FOLDERS",
    "END_MARKER",
    "META_SCHEMA",
    "README",
    "Area",
    "Catalogue",
    "CatalogueError",
    "CatalogueProblem",
    "Requirement",
    "check_catalogue",
    "cited_ids",
    "load_catalogue",
    "render_markdown",
    "with_requirements_section",
]

CATALOGUE = ROOT / "requirements"
META_SCHEMA = SCHEMAS / "meta" / "requirements.schema.json"
README = ROOT / "README.md"
BEGIN_MARKER = "<!-- requirements:begin -->"
END_MARKER = "<!-- requirements:end -->"
CITING_FOLDERS: tuple[str, ...] = ("spec", "adapters", "gateway", "conformance", "sdsx", "tests")
CITED_SUFFIXES: frozenset[str] = frozenset({".py", ".json", ".yaml", ".yml", ".md"})

_ID = re.compile(r"SDS-[A-Z]{2,3}-[0-9]{3}")
# The catalogue defines IDs rather than citing them, and the breaking-change log names
# retired IDs on purpose; neither counts as a citation.
_NOT_CITATIONS: tuple[str, ...] = ("spec/requirements/", "spec/CHANGES.md")
_SKIPPED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


@dataclass(frozen=True, slots=True)
class Requirement:
    """One normative statement of the standard."""

    id: str
    area: str
    level: str
    roles: tuple[str, ...]
    text: str
    verified_by: str
    since: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "area": self.area,
            "level": self.level,
            "roles": list(self.roles),
            "text": self.text,
            "verified_by": self.verified_by,
            "since": self.since,
        }


@dataclass(frozen=True, slots=True)
class Area:
    """One catalogue file: an area's title, its requirements and its retired IDs."""

    code: str
    title: str
    requirements: tuple[Requirement, ...]
    retired: tuple[str, ...]
    path: Path


@dataclass(frozen=True, slots=True, order=True)
class CatalogueProblem:
    """Something wrong in a catalogue file, located by file and JSON pointer."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer or '/'}: {self.message}"


class CatalogueError(SpecError):
    """The catalogue cannot be loaded; :attr:`problems` lists every reason."""

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the requirement catalogue has {len(problems)} problem(s):\n{lines}")


class Catalogue:
    """Every requirement of the standard, looked up by ID or listed by area."""

    def __init__(self, areas: dict[str, Area]) -> None:
        self.areas = dict(sorted(areas.items()))
        self._by_id = {r.id: r for area in self.areas.values() for r in area.requirements}

    def __iter__(self) -> Iterator[Requirement]:
        return iter(sorted(self._by_id.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def get(self, requirement_id: str) -> Requirement:
        """The requirement called ``requirement_id``; ``KeyError`` says when there is none."""
        try:
            return self._by_id[requirement_id]
        except KeyError:
            raise KeyError(f"{requirement_id} is not in the requirement catalogue") from None

    def by_area(self, area: str) -> tuple[Requirement, ...]:
        """The requirements of ``area`` (e.g. ``DOC``) in ID order; empty for an unknown area."""
        found = self.areas.get(area)
        return tuple(sorted(found.requirements, key=lambda r: r.id)) if found else ()

    @property
    def retired(self) -> frozenset[str]:
        """Every retired ID, from all areas."""
        return frozenset(i for area in self.areas.values() for i in area.retired)


@functools.cache
def _meta_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(META_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _read(path: Path, problems: list[CatalogueProblem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        problems.append(CatalogueProblem(path.name, "", f"not YAML ({where}): {exc.problem}"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(CatalogueProblem(path.name, "", f"unreadable: {exc}"))
    return None


def _area(path: Path, raw: dict[str, Any]) -> Area:
    code = str(raw["area"])
    requirements = tuple(
        Requirement(
            id=r["id"],
            area=code,
            level=r["level"],
            roles=tuple(r["roles"]),
            text=" ".join(str(r["text"]).split()),
            verified_by=r["verified_by"],
            since=str(r["since"]),
        )
        for r in raw["requirements"]
    )
    return Area(code, str(raw["title"]), requirements, tuple(raw["retired"]), path)


def _check_area(area: Area, problems: list[CatalogueProblem]) -> None:
    name = area.path.name
    if area.path.stem != area.code:
        problems.append(
            CatalogueProblem(name, "/area", f"area {area.code} must live in {area.code}.yaml")
        )
    for index, req in enumerate(area.requirements):
        if req.id.split("-")[1] != area.code:
            problems.append(
                CatalogueProblem(
                    name,
                    pointer(("requirements", index, "id")),
                    f"{req.id} belongs to area {req.id.split('-')[1]}, not {area.code}",
                )
            )
        if not re.search(rf"\b{req.level}\b", req.text):
            problems.append(
                CatalogueProblem(
                    name,
                    pointer(("requirements", index, "text")),
                    f"{req.id} is level {req.level} but its text does not say {req.level}",
                )
            )


def _check_ids(areas: list[Area], problems: list[CatalogueProblem]) -> None:
    defined: dict[str, str] = {}
    retired = {i: area.path.name for area in areas for i in area.retired}
    for area in areas:
        for index, req in enumerate(area.requirements):
            where = pointer(("requirements", index, "id"))
            if req.id in defined:
                problems.append(
                    CatalogueProblem(
                        area.path.name, where, f"{req.id} is already defined in {defined[req.id]}"
                    )
                )
            else:
                defined[req.id] = area.path.name
            if req.id in retired:
                problems.append(
                    CatalogueProblem(
                        area.path.name,
                        where,
                        f"{req.id} is retired in {retired[req.id]} and must never be reused",
                    )
                )


def check_catalogue(folder: Path = CATALOGUE) -> tuple[Catalogue, list[CatalogueProblem]]:
    """Read every ``*.yaml`` in ``folder``; return what loaded and every problem found."""
    problems: list[CatalogueProblem] = []
    areas: list[Area] = []
    for path in sorted(folder.glob("*.yaml")):
        before = len(problems)
        raw = _read(path, problems)
        if len(problems) > before:
            continue
        if raw is None:
            problems.append(CatalogueProblem(path.name, "", "the file is empty"))
            continue
        errors = sorted(_meta_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
        for error in errors:
            problems.append(
                CatalogueProblem(path.name, pointer(error.absolute_path), error.message)
            )
        if errors:
            continue
        area = _area(path, raw)
        _check_area(area, problems)
        areas.append(area)
    _check_ids(areas, problems)
    by_code: dict[str, Area] = {}
    for area in areas:
        if area.code in by_code:
            problems.append(
                CatalogueProblem(
                    area.path.name,
                    "/area",
                    f"area {area.code} is also {by_code[area.code].path.name}",
                )
            )
        by_code.setdefault(area.code, area)
    return Catalogue(by_code), sorted(problems)


def load_catalogue(folder: Path = CATALOGUE) -> Catalogue:
    """The whole catalogue; :class:`CatalogueError` lists every problem when it is not sound."""
    catalogue, problems = check_catalogue(folder)
    if problems:
        raise CatalogueError(problems)
    return catalogue


def _citing_files(root: Path) -> Iterator[Path]:
    for folder in CITING_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if (
                path.suffix in CITED_SUFFIXES
                and path.is_file()
                and not _SKIPPED_DIRS.intersection(path.relative_to(root).parts)
            ):
                yield path


def cited_ids(root: Path) -> dict[str, list[str]]:
    """Every requirement ID cited under ``root``'s packages, with the files citing it.

    Only real IDs count (``SDS-`` + area + three digits); placeholders such as
    ``SDS-XXX-NNN`` do not. File names are relative to ``root``, in POSIX form.
    """
    found: dict[str, set[str]] = {}
    for path in _citing_files(root):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(_NOT_CITATIONS):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for requirement_id in set(_ID.findall(text)):
            found.setdefault(requirement_id, set()).add(relative)
    return {key: sorted(files) for key, files in sorted(found.items())}


def render_markdown(catalogue: Catalogue) -> str:
    """The requirements section of ``spec/README.md``, one table per area, markers included."""
    lines = [
        BEGIN_MARKER,
        "<!-- Generated from spec/requirements/*.yaml by `sdsx spec docs`; do not edit. -->",
        "",
        f"{len(catalogue)} requirements in {len(catalogue.areas)} areas.",
    ]
    for area in catalogue.areas.values():
        lines += [
            "",
            f"### {area.code}: {area.title}",
            "",
            "| ID | Level | Applies to | Requirement | Verified by | Since |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for req in catalogue.by_area(area.code):
            text = req.text.replace("|", "\\|")
            lines.append(
                f"| {req.id} | {req.level} | {', '.join(req.roles)} | {text} "
                f"| {req.verified_by} | {req.since} |"
            )
        if area.retired:
            lines += ["", f"Retired, never to be reused: {', '.join(sorted(area.retired))}."]
    lines += ["", END_MARKER]
    return "\n".join(lines)


def with_requirements_section(readme: str, catalogue: Catalogue) -> str:
    """``readme`` with the text between the requirement markers regenerated."""
    start, end = readme.find(BEGIN_MARKER), readme.find(END_MARKER)
    if start < 0 or end < start:
        raise SpecError(
            f"the README needs a line {BEGIN_MARKER} and, after it, a line {END_MARKER}",
            where=README.name,
        )
    return readme[:start] + render_markdown(catalogue) + readme[end + len(END_MARKER) :]
