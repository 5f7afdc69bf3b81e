"""OpenAPI links: where each record-returning response leads (SDS-API-018).

The gateway publishes them in the contract it serves, so clients and schemathesis' stateful
phase can walk from a create to its read, update, history and versions without knowing the
URL layout.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_links"]

_RECORD_ID = "$response.body#/id"


def _record_links(tag: str, *, update: bool = True) -> dict[str, Any]:
    """Where a response carrying one ``tag`` record leads: read it, its history, a version,
    and (``update``) an update with its own ETag and body."""
    links: dict[str, Any] = {
        "read": {
            "operationId": f"read_{tag}",
            "parameters": {"path.record_id": _RECORD_ID},
            "description": "Read the current version of this record.",
        },
        "history": {
            "operationId": f"history_{tag}",
            "parameters": {"path.record_id": _RECORD_ID},
            "description": "List every version of this record.",
        },
        "version": {
            "operationId": f"read_{tag}_version",
            "parameters": {"path.record_id": _RECORD_ID, "path.version": "$response.body#/version"},
            "description": "Read this version from the record's history.",
        },
    }
    if update:
        links["update"] = {
            "operationId": f"update_{tag}",
            "parameters": {
                "path.record_id": _RECORD_ID,
                "header.If-Match": "$response.header.ETag",
            },
            "requestBody": "$response.body",
            "description": "Update this record, naming the version read in If-Match.",
            # The body is the whole record as read; a generator must not blend it with others.
            "x-schemathesis": {"merge_body": False},
        }
    return links


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with OpenAPI links from each record-returning response to what follows.

    A created, read or updated record leads to its read, history, version and update
    operations, and a computed budget to its read and history, so clients (and the
    conformance suite's stateful phase) can walk from a create to everything after it
    without knowing the URL layout (SDS-API-018).
    """
    paths = document.get("paths", {})
    known = {str(op.get("operationId", "")) for ops in paths.values() for op in ops.values()}
    for operations in paths.values():
        for operation in operations.values():
            operation_id = str(operation.get("operationId", ""))
            kind, _, tag = operation_id.partition("_")
            if operation_id != "compute_budget" and f"history_{tag}" not in known:
                continue
            if kind == "create" and "201" in operation["responses"]:
                operation["responses"]["201"]["links"] = _record_links(tag)
            elif kind in ("read", "update") and "200" in operation["responses"]:
                operation["responses"]["200"]["links"] = _record_links(tag)
            elif operation_id == "compute_budget":
                for status in ("200", "201"):
                    operation["responses"][status]["links"] = _record_links("budgets", update=False)
    return document
