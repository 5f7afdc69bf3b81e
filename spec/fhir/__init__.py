"""The standard's documents as FHIR R4, both ways, without loss (SDS-FHR-*).

>>> from spec.fhir import RESOURCE_TYPES
>>> RESOURCE_TYPES["support-plan"]
'CarePlan'

``to_bundle(documents)`` writes a collection or transaction Bundle, ``from_bundle(data)``
reads one back (or any FHIR from elsewhere) into documents plus per-element issues.
``spec/fhir/MAPPING.md`` documents every choice; ``spec/fhir/mapping.yaml`` lists every
field's FHIR home, and a test keeps it complete.
"""

from __future__ import annotations

from spec.fhir.bundles import to_bundle
from spec.fhir.from_fhir import ImportResult, from_bundle, from_json
from spec.fhir.to_fhir import RESOURCE_TYPES, to_resources, validate_resource
from spec.fhir.warnings import FhirIssue, FhirMappingError

__all__ = [
    "RESOURCE_TYPES",
    "FhirIssue",
    "FhirMappingError",
    "ImportResult",
    "from_bundle",
    "from_json",
    "to_bundle",
    "to_resources",
    "validate_resource",
]
