"""Reports in a fixed folder: ``report.json``, ``junit.xml`` and ``report.html``.

All three are rendered from one :class:`~conformance.run.RunRecord`. The file names never
change (OGC users asked for deterministic names so CI can pick them up). The HTML page is
rendered by :mod:`conformance.report_html`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.report_html import render_html
from conformance.results import Outcome
from conformance.run import RunRecord
from spec.requirements import Catalogue

__all__ = [
    "HTML_NAME",
    "JSON_NAME",
    "JUNIT_NAME",
    "REPORT_DIR",
    "render_html",
    "render_junit",
    "write_reports",
]

REPORT_DIR = Path("conformance-report")
JSON_NAME = "report.json"
JUNIT_NAME = "junit.xml"
HTML_NAME = "report.html"


def render_junit(record: RunRecord) -> bytes:
    """JUnit XML: one testsuite per group, one testcase per result (check x subject)."""
    root = ET.Element("testsuites", name="sdsx conformance")
    groups: dict[str, list[Any]] = {}
    for result in record.results:
        groups.setdefault(result.group, []).append(result)
    for group, results in groups.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=group,
            tests=str(len(results)),
            failures=str(sum(r.outcome is Outcome.FAIL for r in results)),
            errors=str(sum(r.outcome is Outcome.ERROR for r in results)),
            skipped=str(sum(r.outcome in (Outcome.SKIP, Outcome.NOT_APPLICABLE) for r in results)),
            time=f"{sum(r.duration_ms for r in results) / 1000:.3f}",
        )
        for result in results:
            name = result.check_id + (f" [{result.subject}]" if result.subject else "")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"sdsx.{group}",
                name=name,
                time=f"{result.duration_ms / 1000:.3f}",
            )
            props = ET.SubElement(case, "properties")
            for rid in result.requirements:
                ET.SubElement(props, "property", name="requirement", value=rid)
            if result.waiver is not None:
                ET.SubElement(props, "property", name="waiver", value=result.waiver.reason)
            text = result.message + "".join(f"\n{e.curl()}" for e in result.evidence)
            if result.outcome is Outcome.FAIL and result.waiver is None:
                ET.SubElement(case, "failure", message=result.message[:500]).text = text
            elif result.outcome is Outcome.ERROR:
                ET.SubElement(case, "error", message=result.message[:500]).text = text
            elif result.outcome in (Outcome.SKIP, Outcome.NOT_APPLICABLE) or result.waiver:
                ET.SubElement(case, "skipped", message=f"{result.outcome}: {result.message}"[:500])
            elif result.outcome is Outcome.WARN:
                ET.SubElement(case, "system-out").text = f"warning: {result.message}"
    ET.indent(root)
    rendered: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return rendered


def write_reports(record: RunRecord, catalogue: Catalogue, folder: Path = REPORT_DIR) -> Path:
    """Write the three reports into ``folder`` (created when missing); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = record.as_dict(catalogue)
    (folder / JSON_NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (folder / JUNIT_NAME).write_bytes(render_junit(record))
    (folder / HTML_NAME).write_text(render_html(record, catalogue), encoding="utf-8")
    return folder
