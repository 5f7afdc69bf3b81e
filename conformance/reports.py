"""Reports in a fixed folder: ``report.json``, ``junit.xml`` and ``report.html``.

All three are rendered from one :class:`~conformance.run.RunRecord`. The file names never
change (OGC users asked for deterministic names so CI can pick them up). The HTML is one
self-contained file, no script or remote asset: summary, failures first with their evidence
and curl reproducers, each failure quoting the requirement text from the catalogue, and a
coverage table of every requirement the run exercised.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

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

_ORDER = {
    Outcome.ERROR: 0,
    Outcome.FAIL: 1,
    Outcome.SKIP: 2,
    Outcome.WARN: 3,
    Outcome.PASS: 4,
    Outcome.NOT_APPLICABLE: 5,
}
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1b1b1b}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.pass{background:#e6f4ea}.fail,.error{background:#fde7e9}.skip{background:#fff4ce}
.warn{background:#fff8e1}.not-applicable{background:#f1f3f4}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.5rem;font-size:.8rem}
details{margin:.3rem 0}blockquote{border-left:4px solid #888;margin:.3rem 0;padding-left:.6rem}
"""


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


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _requirement_text(catalogue: Catalogue, rid: str) -> str:
    if rid not in catalogue:
        return f"<blockquote><b>{_e(rid)}</b>: not in the catalogue</blockquote>"
    req = catalogue.get(rid)
    return f"<blockquote><b>{_e(rid)}</b> ({_e(req.level)}): {_e(req.text)}</blockquote>"


def _result_html(result: Any, catalogue: Catalogue) -> str:
    parts = [
        f'<details class="{_e(result.outcome)}"'
        + (" open" if result.outcome in (Outcome.FAIL, Outcome.ERROR) else "")
        + ">",
        f"<summary><b>{_e(result.outcome.upper())}</b> {_e(result.check_id)} "
        f"{_e(result.subject)} — {_e(result.title)}</summary>",
        f"<p>{_e(result.message)}</p>",
    ]
    if result.waiver is not None:
        parts.append(f"<p>Waived until {_e(result.waiver.expires)}: {_e(result.waiver.reason)}</p>")
    parts += [_requirement_text(catalogue, rid) for rid in result.requirements[:12]]
    if len(result.requirements) > 12:
        parts.append(f"<p>… and {len(result.requirements) - 12} more requirements.</p>")
    for exchange in result.evidence:
        parts.append(
            f"<p>{_e(exchange.method)} {_e(exchange.url)} → {_e(exchange.status)}</p>"
            f"<pre>{_e(json.dumps(exchange.as_dict(), indent=2))}</pre>"
        )
    if result.seed is not None and result.evidence:
        parts.append(f"<p>Seed: {_e(result.seed)}</p>")
    parts.append("</details>")
    return "\n".join(parts)


def render_html(record: RunRecord, catalogue: Catalogue) -> str:
    """The self-contained HTML report."""
    data = record.as_dict(catalogue)
    summary = data["summary"]
    verdict = {0: "PASSED", 1: "FAILED", 2: "COULD NOT RUN", 3: "SUITE ERROR"}[data["exit_code"]]
    ordered = sorted(record.results, key=lambda r: (_ORDER[r.outcome], r.group, r.check_id))
    rows = "".join(
        f'<tr class="{_e(c["verdict"])}" id="req-{_e(c["requirement"])}">'
        f"<td>{_e(c['requirement'])}</td><td>{_e(c['level'])}</td><td>{_e(c['verdict'])}</td>"
        f"<td>{_e(', '.join(c['checks']))}</td></tr>"
        for c in data["coverage"]
    )
    groups = "".join(
        f"<tr><td>{_e(g)}</td><td>{ms / 1000:.2f} s</td></tr>" for g, ms in data["groups"].items()
    )
    waivers = "".join(
        f"<li>{_e(w['target'])}: {_e(w['reason'])} (expires {_e(w['expires'])})</li>"
        for w in data["waivers"]
    )
    counts = " · ".join(f"{_e(k)}: {v}" for k, v in summary.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sdsx conformance report — {_e(verdict)}</title><style>{_STYLE}</style></head>
<body>
<h1>sdsx conformance report: {_e(verdict)}</h1>
<table>
<tr><th>Target</th><td>{_e(data["target"])}</td></tr>
<tr><th>Product</th><td>{_e(data.get("product", ""))}</td></tr>
<tr><th>Role / level</th><td>{_e(data["role"])} / {_e(data["level"])}</td></tr>
<tr><th>Standard / suite</th><td>{_e(data["spec_version"])} / {_e(data["suite_version"])}</td></tr>
<tr><th>When</th><td>{_e(data["started_at"])} to {_e(data["finished_at"])}</td></tr>
<tr><th>Seed</th><td>{_e(data["seed"])}</td></tr>
<tr><th>Results</th><td>{counts}</td></tr>
<tr><th>Exit code</th><td>{_e(data["exit_code"])}</td></tr>
</table>
<h2>Time per group</h2><table><tr><th>Group</th><th>Time</th></tr>{groups}</table>
<h2>Waivers</h2><ul>{waivers or "<li>none</li>"}</ul>
<h2>Results (failures first)</h2>
{"".join(_result_html(r, catalogue) for r in ordered)}
<h2>Coverage: requirements exercised</h2>
<table><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Checks</th></tr>{rows}</table>
</body></html>
"""


def write_reports(record: RunRecord, catalogue: Catalogue, folder: Path = REPORT_DIR) -> Path:
    """Write the three reports into ``folder`` (created when missing); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = record.as_dict(catalogue)
    (folder / JSON_NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (folder / JUNIT_NAME).write_bytes(render_junit(record))
    (folder / HTML_NAME).write_text(render_html(record, catalogue), encoding="utf-8")
    return folder
