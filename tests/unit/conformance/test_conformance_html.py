"""The HTML report is one well-formed, self-contained page whose failures come first and link."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from conformance.capabilities import parse_capabilities
from conformance.report_html import render_html
from conformance.results import Exchange, Outcome, Result
from conformance.run import RunRecord
from spec.requirements import load_catalogue

CATALOGUE = load_catalogue()
_VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "wbr", "col", "source"})
_FETCHING = frozenset({"script", "link", "img", "iframe", "object", "embed", "video", "audio"})


class _Page(HTMLParser):
    """Tags, ids, links and nesting errors of a page, from the standard library's parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            ident = str(found["id"])
            if ident in self.ids:
                self.problems.append(f"duplicate id {ident}")
            self.ids.add(ident)
        if "href" in found:
            self.hrefs.append(str(found["href"]))
        self.sources += [f"{tag}[{k}]" for k in ("src", "srcset", "data", "action") if k in found]
        if "style" in found:
            self.styles.append(str(found["style"]))
        self._in_style = tag == "style"
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def _record() -> RunRecord:
    evidence = [
        Exchange("GET", "https://vendor.example/v1/persons/x", {}, None, 404, {}, "{}"),
        Exchange(
            "POST",
            "https://vendor.example/v1/budgets/compute",
            {"content-type": "application/json", "authorization": "[REDACTED]"},
            '{"plan": "p1"}',
            201,
            {"content-type": "application/json"},
            '{"note": "<script>alert(1)</script>", "totals": {"net": 1}}',
        ),
    ]
    now = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    results = [
        Result("behaviour.read-back", "Reads back", "behaviour", ("SDS-CNF-001",), Outcome.PASS),
        Result(
            "budget.bud-v-001",
            "Weekly award",
            "budget",
            ("SDS-BUD-003", "SDS-CNF-003"),
            Outcome.FAIL,
            message="/totals/net: expected 2607143, got 2607100",
            evidence=evidence,
            seed=5,
        ),
        Result(
            "behaviour.unique-person",
            "One person per identifier",
            "behaviour",
            ("SDS-API-007",),
            Outcome.NOT_APPLICABLE,
            message="concerns role(s) council, not funder",
        ),
    ]
    caps = parse_capabilities({"role": "funder", "level": "core", "features": ["behaviour"]})
    return RunRecord("run", "https://vendor.example", caps, 5, now, now, results, {"budget": 2.0})


@pytest.fixture(scope="module")
def page() -> tuple[str, _Page]:
    text = render_html(_record(), CATALOGUE)
    parsed = _Page()
    parsed.feed(text)
    parsed.close()
    return text, parsed


def test_the_page_is_well_formed(page: tuple[str, _Page]) -> None:
    text, parsed = page
    assert text.startswith("<!DOCTYPE html>")
    assert parsed.problems == []
    assert parsed.open == [], f"left open: {parsed.open}"
    assert parsed.tags[0] == "html"


def test_the_page_fetches_nothing_and_runs_nothing(page: tuple[str, _Page]) -> None:
    _, parsed = page
    assert not _FETCHING & set(parsed.tags)
    assert parsed.sources == []
    # Every link stays inside the page, and every one of them lands somewhere.
    assert parsed.hrefs, "the page links nothing"
    assert all(h.startswith("#") for h in parsed.hrefs), parsed.hrefs
    assert {h[1:] for h in parsed.hrefs} <= parsed.ids
    styles = " ".join(parsed.styles).lower()
    for remote in ("url(", "@import", "@font-face", "http:", "https:"):
        assert remote not in styles, remote


def test_failures_come_first_with_their_evidence_escaped(page: tuple[str, _Page]) -> None:
    text, _ = page
    assert text.index("budget.bud-v-001") < text.index("behaviour.read-back")
    assert 'href="#req-SDS-BUD-003"' in text
    assert 'id="req-SDS-BUD-003"' in text
    # The exchange that shows the failure is the last one, as a readable transcript.
    assert "POST https://vendor.example/v1/budgets/compute" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "curl -i -X POST" in text
    assert CATALOGUE.get("SDS-BUD-003").text[:40] in text
