"""The security group: authentication required, bad credentials refused, no cross-org reads.

These checks apply only when the capabilities declare ``security``. The cross-organisation
check needs two declared clients of different organisations (an OIDF FAPI pattern): the
first writes a record its role owns (a council's person, a board's joint assessment, a
funder's line), the second must not see it on any read path (SDS-SEC-021).
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from typing import Any
from urllib.parse import quote

from joserfc import jwk, jws
from joserfc.jws import JWSRegistry

from conformance.behaviour import expect_problem
from conformance.capabilities import Client
from conformance.roles import own_collection, own_document, store
from conformance.runner import Check, Context, Failure, Unverifiable
from conformance.target import ASSERTION_TYPE, client_assertion

__all__ = ["GROUP", "security_checks"]

GROUP = "security"
_FEATURES = frozenset({"security", "behaviour"})
_COLLECTIONS = ("persons", "assessments", "support-plans", "funding-lines", "budgets")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned_token(client_id: str) -> str:
    now = int(time.time())
    claims = {"iss": "sdsx", "sub": client_id, "exp": now + 120, "iat": now, "scope": "read"}
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _forged_token(client_id: str) -> str:
    key = jwk.ECKey.generate_key("P-256")
    now = int(time.time())
    claims = {"iss": "sdsx", "sub": client_id, "client_id": client_id, "exp": now + 120, "iat": now}
    return jws.serialize_compact(
        {"alg": "ES256", "typ": "at+jwt", "kid": key.thumbprint()},
        json.dumps(claims).encode(),
        key,
        registry=JWSRegistry(algorithms=["ES256"]),
    )


def _check_auth_required(context: Context) -> str:
    for collection in _COLLECTIONS:
        response = context.http.send("GET", f"/v1/{collection}", auth=False)
        expect_problem(response, 401, f"GET /v1/{collection} without credentials")
    return "every collection refuses an unauthenticated caller with 401"


def _main_client(context: Context) -> Client:
    client = context.http.client(0)
    if client is None:
        raise Unverifiable("no client is declared, so bad-token cases cannot be built")
    return client


def _check_bad_tokens(context: Context) -> str:
    client = _main_client(context)
    cases = {
        "a garbage bearer token": "not-a-token",
        "an unsigned (alg none) token": _unsigned_token(client.client_id),
        "a token signed by a key the target never issued": _forged_token(client.client_id),
    }
    # The real token must work first, or refusing the bad ones would prove nothing.
    good = context.http.send("GET", "/v1/persons?limit=1")
    if good.status_code != 200:
        raise Unverifiable(f"the declared client's own token was refused ({good.status_code})")
    for what, token in cases.items():
        response = context.http.send(
            "GET", "/v1/persons", auth=False, headers={"Authorization": f"Bearer {token}"}
        )
        body = expect_problem(response, 401, what)
        if token in json.dumps(body):
            raise Failure(f"the refusal of {what} echoes the token")
    return "garbage, unsigned and forged tokens are refused with 401"


def _token_request(context: Context, assertion: str) -> Any:
    return context.http.send(
        "POST",
        context.capabilities.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
        },
        auth=False,
    )


def _check_bad_assertions(context: Context) -> str:
    client = _main_client(context)
    if client.key_pem is None:
        raise Unverifiable("the main client has no private key, so assertions cannot be built")
    endpoint = context.http.audience()
    cases = {
        "an expired assertion": client_assertion(client, endpoint, now=time.time() - 3600),
        "an assertion for another audience": client_assertion(
            client, endpoint, overrides={"aud": "https://elsewhere.example/token"}
        ),
        "an assertion living longer than 300 s": client_assertion(client, endpoint, lifetime=3600),
    }
    for what, assertion in cases.items():
        response = _token_request(context, assertion)
        expect_problem(response, (400, 401), what)
    replayed = client_assertion(client, endpoint, overrides={"jti": str(uuid.uuid4())})
    first = _token_request(context, replayed)
    if first.status_code != 200:
        raise Unverifiable(f"a good assertion was refused ({first.status_code})")
    expect_problem(_token_request(context, replayed), (400, 401), "a replayed assertion (same jti)")
    return "expired, wrong-audience, long-lived and replayed assertions are refused"


def _check_cross_organisation(context: Context) -> str:
    other = context.http.client(1)
    if other is None:
        raise Unverifiable("declare a second client of another organisation to check this")
    rng = random.Random(f"{context.state.get('nonce', '')}{context.seed}:xorg")
    collection = own_collection(context)
    stored = store(context, own_document(context, rng), what="a record as the main client")
    record = stored["id"]
    for path in (
        f"/v1/{collection}/{record}",
        f"/v1/{collection}/{record}/history",
        f"/v1/{collection}/{record}/history/1",
    ):
        response = context.http.send("GET", path, client_index=1)
        if response.status_code != 404:
            raise Failure(
                f"another organisation's client reading {path} got {response.status_code}, not 404"
            )
    # Listed from the record's own instant, so older records cannot push it off the page.
    since = quote(str(stored.get("recorded_at", "")))
    query = f"updated_since={since}&limit=100" if since else "limit=100"
    listed = context.http.send("GET", f"/v1/{collection}?{query}", client_index=1)
    if listed.status_code == 200 and record in listed.text:
        raise Failure("another organisation's client sees the record in a list")
    return f"another organisation's client cannot see the {stored['type']} on any read path"


_SECURITY_HEADERS = (
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
    "cache-control",
)


def _check_headers(context: Context) -> str:
    for path in ("/v1/persons?limit=1", f"/v1/persons/{uuid.uuid4()}"):
        response = context.http.send("GET", path)
        missing = [h for h in _SECURITY_HEADERS if h not in response.headers]
        if missing:
            raise Failure(f"GET {path} ({response.status_code}) lacks {', '.join(missing)}")
    return "responses carry the security headers"


def security_checks() -> list[Check]:
    """The security group, in a fixed order."""
    return [
        Check(
            id="security.auth-required",
            title="Every collection requires authentication",
            group=GROUP,
            requirements=("SDS-API-014", "SDS-SEC-010"),
            run=_check_auth_required,
            features=_FEATURES,
        ),
        Check(
            id="security.bad-tokens",
            title="Garbage, unsigned and forged access tokens are refused",
            group=GROUP,
            requirements=("SDS-SEC-007", "SDS-SEC-010"),
            run=_check_bad_tokens,
            features=_FEATURES,
        ),
        Check(
            id="security.bad-assertions",
            title="Expired, mis-addressed, long-lived and replayed client assertions are refused",
            group=GROUP,
            requirements=("SDS-SEC-002", "SDS-SEC-004", "SDS-SEC-005"),
            run=_check_bad_assertions,
            features=_FEATURES,
        ),
        Check(
            id="security.headers",
            title="Responses carry security headers",
            group=GROUP,
            requirements=("SDS-SEC-061",),
            run=_check_headers,
            features=_FEATURES,
        ),
        Check(
            id="security.cross-organisation",
            title="Another organisation cannot read a record on any path",
            group=GROUP,
            requirements=("SDS-SEC-020", "SDS-SEC-021"),
            run=_check_cross_organisation,
            features=_FEATURES,
        ),
    ]
