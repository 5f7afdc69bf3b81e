"""The HTML report: one self-contained page a person reads, rendered from the run record.

No script, font, image or stylesheet is fetched: the page opens from a CI artefact or an
e-mail attachment with the network off. It leads with the verdict and the counts, then the
results that need attention (errors, failures, skips, warnings) each open with its message,
the text of every requirement it cites and the exchange that shows the problem as an HTTP
transcript with a curl reproducer; then every other result in a table, the coverage table
of requirement IDs the run exercised (each failure links to its row), and time per group.
"""

from __future__ import annotations

import html
import json
from typing import Any

from conformance.results import Exchange, Outcome, Result
from conformance.run import RunRecord
from spec.requirements import Catalogue

__all__ = ["render_html"]

_ORDER = {
    Outcome.ERROR: 0,
    Outcome.FAIL: 1,
    Outcome.SKIP: 2,
    Outcome.WARN: 3,
    Outcome.PASS: 4,
    Outcome.NOT_APPLICABLE: 5,
}
_ATTENTION = frozenset({Outcome.ERROR, Outcome.FAIL, Outcome.SKIP, Outcome.WARN})
_VERDICTS = {0: "PASSED", 1: "FAILED", 2: "COULD NOT RUN", 3: "SUITE ERROR"}
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:76rem;padding:0 1rem;
color:#1b1b1b;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
nav a{margin-right:1rem}
table{border-collapse:collapse;width:100%;margin:.8rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
table.facts th{width:12rem;background:#f6f8fa}table.narrow{width:auto}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:.3rem;font-weight:bold}
.verdict-0{background:#1e7e34;color:#fff}.verdict-1,.verdict-3{background:#b3261e;color:#fff}
.verdict-2{background:#8a6d00;color:#fff}
.pass{background:#e6f4ea}.fail,.error{background:#fde7e9}.skip{background:#fff4ce}
.warn{background:#fff8e1}.not-applicable{background:#f1f3f4}
.count{margin-right:.4rem;padding:.1rem .5rem;border-radius:.3rem;border:1px solid #ccc}
.zero{color:#777}
details.result{margin:.6rem 0;border:1px solid #ccc;border-radius:.3rem;padding:.3rem .6rem}
details.result>summary{cursor:pointer;font-size:1.05rem}
.message{font-weight:600;white-space:pre-wrap}
blockquote{border-left:4px solid #888;margin:.4rem 0;padding:.1rem .6rem;background:#fff}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid #ddd;
padding:.5rem;font-size:.8rem;max-height:30rem;overflow:auto}
.exchange h4{margin:.6rem 0 .2rem}
td.text{font-size:.85rem}td a{white-space:nowrap}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _anchor(rid: str) -> str:
    return f"req-{rid}"


def _requirement(catalogue: Catalogue, rid: str) -> str:
    link = f'<a href="#{_e(_anchor(rid))}"><b>{_e(rid)}</b></a>'
    if rid not in catalogue:
        return f"<blockquote>{link}: not in the catalogue</blockquote>"
    req = catalogue.get(rid)
    return f"<blockquote>{link} ({_e(req.level)}): {_e(req.text)}</blockquote>"


def _pretty(body: str | None) -> str:
    """A body for reading: indented when it is JSON, as sent otherwise."""
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _transcript(exchange: Exchange) -> str:
    request = [f"{exchange.method} {exchange.url}"]
    request += [f"{k}: {v}" for k, v in exchange.request_headers.items()]
    response = [f"HTTP {exchange.status if exchange.status is not None else 'no response'}"]
    response += [f"{k}: {v}" for k, v in exchange.response_headers.items()]
    sent, got = _pretty(exchange.request_body), _pretty(exchange.response_body)
    return (
        '<div class="exchange">'
        f"<h4>Request ({exchange.elapsed_ms:.0f} ms)</h4>"
        f"<pre>{_e(chr(10).join(request))}{_e(chr(10) * 2 + sent) if sent else ''}</pre>"
        f"<h4>Response</h4>"
        f"<pre>{_e(chr(10).join(response))}{_e(chr(10) * 2 + got) if got else ''}</pre>"
        f"<h4>Reproduce</h4><pre>{_e(exchange.curl())}</pre></div>"
    )


def _evidence(result: Result) -> str:
    if not result.evidence:
        return ""
    *earlier, last = result.evidence
    parts = [
        f"<h3>Evidence: the last exchange ({_e(last.method)} {_e(last.url)} → "
        f"{_e(last.status)})</h3>",
        _transcript(last),
    ]
    if earlier:
        parts.append(
            f"<details><summary>{len(earlier)} earlier exchange(s) of this check</summary>"
            + "".join(
                f"<p>{_e(x.method)} {_e(x.url)} → {_e(x.status)}</p>{_transcript(x)}"
                for x in earlier
            )
            + "</details>"
        )
    return "".join(parts)


def _attention(result: Result, catalogue: Catalogue) -> str:
    opened = " open" if result.outcome in (Outcome.FAIL, Outcome.ERROR) else ""
    parts = [
        f'<details class="result {_e(result.outcome)}"{opened}>',
        f"<summary><b>{_e(result.outcome.upper())}</b> {_e(result.check_id)} "
        f"{_e(result.subject)} — {_e(result.title)}</summary>",
        f'<p class="message">{_e(result.message)}</p>',
    ]
    if result.waiver is not None:
        parts.append(f"<p>Waived until {_e(result.waiver.expires)}: {_e(result.waiver.reason)}</p>")
    parts += [_requirement(catalogue, rid) for rid in result.requirements[:12]]
    if len(result.requirements) > 12:
        parts.append(f"<p>… and {len(result.requirements) - 12} more requirements.</p>")
    parts.append(_evidence(result))
    if result.seed is not None and result.evidence:
        parts.append(f"<p>Seed {_e(result.seed)} (run again with --seed {_e(result.seed)}).</p>")
    parts.append("</details>")
    return "\n".join(parts)


def _links(rids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'<a href="#{_e(_anchor(r))}">{_e(r)}</a>' for r in rids)


def _others(results: list[Result]) -> str:
    rows = "".join(
        f'<tr class="{_e(r.outcome)}"><td>{_e(r.outcome)}</td><td>{_e(r.check_id)}'
        f"{' ' + _e(r.subject) if r.subject else ''}</td><td>{_links(r.requirements[:6])}</td>"
        f"<td>{_e(r.message)}</td></tr>"
        for r in results
    )
    return (
        "<table><tr><th>Outcome</th><th>Check</th><th>Requirements</th><th>Message</th></tr>"
        f"{rows}</table>"
    )


def _counts(summary: dict[str, int]) -> str:
    return "".join(
        f'<span class="count {_e(name)}{" zero" if not count else ""}">'
        f"{_e(name)} <b>{count}</b></span>"
        for name, count in summary.items()
    )


def _coverage(data: dict[str, Any], catalogue: Catalogue) -> str:
    rows = "".join(
        f'<tr id="{_e(_anchor(c["requirement"]))}"><td><b>{_e(c["requirement"])}</b></td>'
        f'<td>{_e(c["level"])}</td><td class="{_e(c["verdict"])}">{_e(c["verdict"])}</td>'
        f'<td class="text">'
        f"{_e(catalogue.get(c['requirement']).text if c['requirement'] in catalogue else '')}"
        f"</td><td>{_e(', '.join(c['checks']))}</td></tr>"
        for c in data["coverage"]
    )
    return (
        "<table><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Text</th>"
        f"<th>Checks</th></tr>{rows}</table>"
    )


def render_html(record: RunRecord, catalogue: Catalogue) -> str:
    """The self-contained HTML report of ``record``."""
    data = record.as_dict(catalogue)
    verdict = _VERDICTS[data["exit_code"]]
    ordered = sorted(record.results, key=lambda r: (_ORDER[r.outcome], r.group, r.check_id))
    attention = [r for r in ordered if r.outcome in _ATTENTION]
    others = [r for r in ordered if r.outcome not in _ATTENTION]
    product = (
        f"<tr><th>Product</th><td>{_e(data['product'])}</td></tr>" if data.get("product") else ""
    )
    groups = "".join(
        f"<tr><td>{_e(g)}</td><td>{ms / 1000:.2f} s</td></tr>" for g, ms in data["groups"].items()
    )
    waivers = "".join(
        f"<li>{_e(w['target'])}: {_e(w['reason'])} (expires {_e(w['expires'])})</li>"
        for w in data["waivers"]
    )
    badge = f'<span class="badge verdict-{_e(data["exit_code"])}">{_e(verdict)}</span>'
    needs = (
        "".join(_attention(r, catalogue) for r in attention)
        or "<p>Nothing: every applicable check passed.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sdsx conformance report — {_e(verdict)}</title><style>{_STYLE}</style></head>
<body>
<h1>sdsx conformance report {badge}</h1>
<p>{_counts(data["summary"])}</p>
<table class="facts">
<tr><th>Target</th><td>{_e(data["target"])}</td></tr>
{product}
<tr><th>Role / level</th><td>{_e(data["role"])} / {_e(data["level"])}</td></tr>
<tr><th>Standard / suite</th><td>{_e(data["spec_version"])} / {_e(data["suite_version"])}</td></tr>
<tr><th>When</th><td>{_e(data["started_at"])} to {_e(data["finished_at"])}
({data["duration_ms"] / 1000:.1f} s)</td></tr>
<tr><th>Seed</th><td>{_e(data["seed"])}</td></tr>
<tr><th>Exit code</th><td>{_e(data["exit_code"])}</td></tr>
</table>
<nav><a href="#attention">Needs attention ({len(attention)})</a>
<a href="#others">Other results ({len(others)})</a>
<a href="#coverage">Coverage</a> <a href="#timing">Time per group</a></nav>
<h2 id="attention">Needs attention: errors, failures, skips, warnings</h2>
{needs}
<h2 id="others">Other results: passed and not applicable</h2>
{_others(others)}
<h2 id="coverage">Coverage: requirements exercised</h2>
{_coverage(data, catalogue)}
<h2 id="timing">Time per group</h2>
<table class="narrow"><tr><th>Group</th><th>Time</th></tr>{groups}</table>
<h2>Waivers</h2><ul>{waivers or "<li>none</li>"}</ul>
</body></html>
"""
