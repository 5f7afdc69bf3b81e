"""The signed certificate: what a run showed, in a form anyone can check offline.

``certificate.json`` holds the certificate itself (role, level, spec and suite versions,
verdict, per-check outcomes, waivers, digest of ``report.json``), a compact JWS over exactly
those bytes signed with Ed25519, and the public key. The key pair is generated for the run
and the private half is thrown away, so nobody, the suite included, can sign anything else
with it; the public key is also written next to the certificate (``certificate.jwk.json``)
so a reviewer can pin its thumbprint. :func:`verify_certificate` rejects any edit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from joserfc import jwk, jws
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry

from conformance.results import Waiver

__all__ = [
    "ALGORITHM",
    "CERTIFICATE_FORMAT",
    "CERTIFICATE_NAME",
    "PUBLIC_KEY_NAME",
    "issue_certificate",
    "verify_certificate",
    "write_certificate",
]

ALGORITHM = "Ed25519"
CERTIFICATE_FORMAT = "sdsx-conformance-certificate/1"
CERTIFICATE_NAME = "certificate.json"
PUBLIC_KEY_NAME = "certificate.jwk.json"
_REGISTRY = JWSRegistry(algorithms=[ALGORITHM])


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _verdict(report: dict[str, Any]) -> str:
    if report["exit_code"] != 0:
        return "fail"
    return "pass-with-waivers" if report["summary"].get("waived") else "pass"


def issue_certificate(
    report: dict[str, Any], waivers: list[Waiver], *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The signed certificate document for a JSON ``report``."""
    issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    body = {
        "format": CERTIFICATE_FORMAT,
        "issued_at": issued.isoformat().replace("+00:00", "Z"),
        "suite_version": report["suite_version"],
        "spec_version": report["spec_version"],
        "product": report.get("product", ""),
        "target": report["target"],
        "mode": report["mode"],
        "role": report["role"],
        "level": report["level"],
        "verdict": _verdict(report),
        "summary": report["summary"],
        "results": [
            {
                "id": r["id"],
                **({"subject": r["subject"]} if "subject" in r else {}),
                "outcome": r["outcome"],
                "requirements": r["requirements"],
                **({"waived": True} if "waiver" in r else {}),
            }
            for r in report["results"]
        ],
        "waivers": [w.as_dict() for w in waivers],
        "report_sha256": hashlib.sha256(_canonical(report)).hexdigest(),
    }
    key = jwk.OKPKey.generate_key("Ed25519")
    public = dict(key.as_dict(private=False))
    public["kid"] = key.thumbprint()
    signature = jws.serialize_compact(
        {"alg": ALGORITHM, "kid": public["kid"], "typ": "sdsx-certificate+jws"},
        _canonical(body),
        key,
        registry=_REGISTRY,
    )
    return {"certificate": body, "jws": signature, "public_key": public}


def write_certificate(document: dict[str, Any], folder: Path) -> Path:
    """Write ``certificate.json`` and the public key beside it; returns the certificate path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CERTIFICATE_NAME
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / PUBLIC_KEY_NAME).write_text(json.dumps(document["public_key"], indent=2) + "\n")
    return path


def verify_certificate(document: Any, *, public_key: dict[str, Any] | None = None) -> list[str]:
    """Every reason ``document`` is not a genuine, unedited certificate; empty when it is.

    ``public_key`` (a JWK) pins the key the reviewer expects; without it the embedded key is
    used, which proves the certificate is unedited since signing.
    """
    if not isinstance(document, dict):
        return ["the certificate is not a JSON object"]
    missing = [k for k in ("certificate", "jws", "public_key") if k not in document]
    if missing:
        return [f"the certificate lacks {', '.join(missing)}"]
    embedded = document["public_key"]
    problems: list[str] = []
    if public_key is not None and public_key.get("x") != embedded.get("x"):
        problems.append("the embedded public key is not the pinned one")
    try:
        key = jwk.OKPKey.import_key(embedded)
        if key.is_private:
            return ["the embedded key is a private key; a certificate carries only the public key"]
        signed = jws.deserialize_compact(str(document["jws"]), key, registry=_REGISTRY)
    except (JoseError, ValueError, TypeError) as exc:
        return [*problems, f"the signature does not verify: {exc}"]
    if signed.protected.get("alg") != ALGORITHM:
        problems.append(f"the signature's algorithm is not {ALGORITHM}")
    if signed.payload != _canonical(document["certificate"]):
        problems.append(
            "the certificate was edited after signing: it differs from the signed bytes"
        )
    return problems
