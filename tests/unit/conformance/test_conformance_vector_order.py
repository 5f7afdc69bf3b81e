"""A vector whose figures follow the order of line ids gets stored ids in the same order."""

from __future__ import annotations

import json

import httpx

from conformance.budget import _in_vector_order
from conformance.capabilities import parse_capabilities
from conformance.runner import Context
from conformance.target import Target
from spec.requirements import load_catalogue

# The target's own ids sort the opposite way to the vector's: z for the vector's first line.
STORED = {"v-1": "z", "v-2": "y", "v-3": "x"}


def test_stored_lines_are_rearranged_so_their_ids_sort_as_the_vectors_do() -> None:
    held: dict[str, dict[str, object]] = {}

    def target(request: httpx.Request) -> httpx.Response:
        record = request.url.path.rsplit("/", 1)[-1]
        if request.method == "PUT":
            assert request.headers["if-match"] == '"1"'
            held[record] = json.loads(request.content)
            return httpx.Response(200, json=held[record])
        return httpx.Response(200, json={}, headers={"etag": '"1"'})

    caps = parse_capabilities({"role": "council", "level": "core", "features": []})
    latest = {vid: {"type": "funding-line", "id": vid, "sds_option": vid} for vid in STORED}
    with Target("https://vendor.example", caps, transport=httpx.MockTransport(target)) as t:
        arranged = _in_vector_order(Context(caps, load_catalogue(), target=t), latest, STORED)
    assert arranged == {"v-1": "x", "v-2": "y", "v-3": "z"}
    # x and z swapped contents; y already held the middle line and was left alone.
    assert {k: v["sds_option"] for k, v in held.items()} == {"x": "v-1", "z": "v-3"}
    assert all(held[k]["id"] == k for k in held)
