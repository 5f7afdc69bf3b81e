"""Access tokens for tests: the demo organisations' own keys, exchanged at ``/oauth2/token``.

The gateway creates its demo organisations in its data folder on a first start; a test acts
as one of them exactly as ``sdsx token`` would: a signed JWT client assertion (RFC 7523)
for the exact token URL, exchanged for a bearer token.
"""

from __future__ import annotations

from pathlib import Path

from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.datafolder import DataFolder

__all__ = ["BASE", "token_form"]

BASE = "http://gateway.test"
DEMO_ALG = "ES256"


def token_form(data_dir: Path, organisation_id: str, base: str = BASE) -> dict[str, str]:
    """The token request body for ``organisation_id`` (a demo organisation in ``data_dir``)."""
    key = DataFolder(data_dir).private_key_file(organisation_id)
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": make_client_assertion(
            client_id=organisation_id,
            token_url=base.rstrip("/") + "/oauth2/token",
            private_pem=key.read_bytes(),
            alg=DEMO_ALG,
        ),
    }
