"""The SDS Exchange standard: its schemas and value sets as data, and the reference library.

>>> from spec import validate
>>> [p.requirement for p in validate({"type": "person"})][:1]
['SDS-PER-001']
"""

from __future__ import annotations

from spec._paths import STANDARD_VERSION
from spec.documents import LocatedDocument, UnreadableInput, iter_documents, parse_ndjson
from spec.problems import Problem, SpecError
from spec.registry import DOCUMENT_TYPES, load_schema, registry
from spec.rules import derive_sds_option
from spec.validation import Validator, document_type, validate, validator
from spec.valuesets import Code, ValueSet, all_valuesets, valueset

__all__ = [
    "DOCUMENT_TYPES",
    "STANDARD_VERSION",
    "Code",
    "LocatedDocument",
    "Problem",
    "SpecError",
    "UnreadableInput",
    "Validator",
    "ValueSet",
    "all_valuesets",
    "derive_sds_option",
    "document_type",
    "iter_documents",
    "load_schema",
    "parse_ndjson",
    "registry",
    "validate",
    "validator",
    "valueset",
]
