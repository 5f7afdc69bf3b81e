"""Generate the typed models from the published schemas: ``python -m spec.models.generate``.

The schemas in ``spec/schemas/`` are the one source of truth (issue 2, part 8). The generator
(``datamodel-code-generator``) writes one module per schema file when schemas reference each
other, so :func:`bundle` first gathers every file into one schema whose ``$defs`` hold the
shared definitions, the value sets and the five documents, with each ``$ref`` rewritten to
point inside it. :func:`render` turns that bundle into Python source; the committed
``_generated.py`` must equal it, and a test fails when the two drift.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spec._paths import SCHEMA_BASE, SCHEMAS

__all__ = ["DOCUMENT_MODELS", "GENERATED", "bundle", "main", "render"]

GENERATED = Path(__file__).resolve().parent / "_generated.py"

# The class name each document schema becomes; the keys are the schema files' names.
DOCUMENT_MODELS: dict[str, str] = {
    "person.schema.json": "Person",
    "assessment.schema.json": "Assessment",
    "support-plan.schema.json": "SupportPlan",
    "funding-line.schema.json": "FundingLine",
    "individual-budget.schema.json": "IndividualBudget",
}

_HEADER = """\
# Generated from spec/schemas/*.schema.json by `python -m spec.models.generate`
# (datamodel-code-generator {version}); do not edit. The schemas are the source of truth."""


def _load() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SCHEMAS.glob("*.schema.json"))
    }


def _local(ref: str, file_name: str) -> str:
    """The bundle-local form of ``ref`` as written in ``file_name``."""
    target, _, fragment = ref.partition("#")
    target = target.removeprefix(SCHEMA_BASE) or file_name
    if fragment:
        parts = fragment.split("/")
        if len(parts) != 3 or parts[1] != "$defs":
            raise ValueError(f"{file_name}: cannot bundle $ref {ref!r}; expected '#/$defs/NAME'")
        return f"#/$defs/{parts[2]}"
    if target not in DOCUMENT_MODELS:
        raise ValueError(f"{file_name}: $ref {ref!r} names no document schema")
    return f"#/$defs/{DOCUMENT_MODELS[target]}"


def _rewrite(node: Any, file_name: str) -> Any:
    if isinstance(node, dict):
        return {
            key: _local(value, file_name) if key == "$ref" else _rewrite(value, file_name)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item, file_name) for item in node]
    return node


def bundle(files: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every schema file gathered into one schema, ``$ref``s rewritten to stay inside it.

    The root is the union of the five documents, so ``Document`` parses any of them.
    A ``$defs`` name used by two files is an error rather than a silent overwrite.
    """
    files = _load() if files is None else files
    defs: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for file_name, schema in files.items():
        rewritten = _rewrite(schema, file_name)
        for name, definition in rewritten.pop("$defs", {}).items():
            if name in defs:
                raise ValueError(
                    f"$defs/{name} is defined in both {origin[name]} and {file_name}; "
                    "rename one so the bundled models stay distinct"
                )
            defs[name], origin[name] = definition, file_name
        if file_name in DOCUMENT_MODELS:
            for key in ("$schema", "$id"):
                rewritten.pop(key, None)
            defs[DOCUMENT_MODELS[file_name]] = rewritten
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Document",
        "description": "Any document of the SDS Exchange standard.",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in DOCUMENT_MODELS.values()],
        "discriminator": {"propertyName": "type"},
        "$defs": defs,
    }


def render() -> str:
    """The Python source of ``_generated.py`` for the schemas as they are now."""
    # Imported here: the generator is a development tool (the "test" extra), not a runtime
    # dependency of the models it writes.
    from datamodel_code_generator import LiteralType, generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import Formatter, PythonVersion

    version = importlib.metadata.version("datamodel-code-generator")
    with warnings.catch_warnings():
        # The generator warns that pydantic drops a pattern beside a date/date-time format;
        # the schema layer of spec.validate still applies the pattern.
        warnings.simplefilter("ignore")
        source = generate(
            json.dumps(bundle()),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            disable_timestamp=True,
            use_annotated=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_double_quotes=True,
            collapse_root_models=True,
            use_type_alias=True,
            enum_field_as_literal=LiteralType.All,
            use_schema_description=True,
            field_constraints=True,
            formatters=[Formatter.BUILTIN],
            type_mappings=["email=string"],
            custom_file_header=_HEADER.format(version=version),
        )
    if not isinstance(source, str):
        raise TypeError("the generator returned several modules; expected one")
    return source.rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``_generated.py`` (or, with ``--check``, report whether it is up to date)."""
    parser = argparse.ArgumentParser(prog="python -m spec.models.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    try:
        fresh = render()
    except ModuleNotFoundError as exc:
        print(
            f"cannot generate the models: {exc.name} is missing; "
            "install the test extra (pip install -e '.[test]')",
            file=sys.stderr,
        )
        return 2
    current = GENERATED.read_text(encoding="utf-8") if GENERATED.exists() else ""
    if args.check:
        if current != fresh:
            print(f"{GENERATED} is stale: run python -m spec.models.generate", file=sys.stderr)
            return 1
        return 0
    if current != fresh:
        GENERATED.write_text(fresh, encoding="utf-8")
        print(f"wrote {GENERATED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
