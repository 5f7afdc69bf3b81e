"""Demo organisations: a working registry with keys on a first local start, refused in production.

A newcomer runs ``sdsx serve`` with no configuration and can call the API a minute later: when
the registry is empty, :func:`ensure_demo_organisations` registers two councils, two NHS boards,
the three national funders, an auditor and a vendor sandbox, writes each one's private key to
the data folder (0600) and says where they are. Every organisation made this way is marked
``demo``; :func:`refuse_demo_keys` stops a production start-up while any of them is active
(SDS-SEC-070).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.security.access import Role
from gateway.security.datafolder import DataFolder
from gateway.security.errors import ConfigurationError
from gateway.security.keys import generate_key_pair, write_private_pem
from gateway.security.organisations import Organisation, OrganisationStore

__all__ = [
    "DEMO_ORGANISATIONS",
    "DemoClient",
    "DemoSetup",
    "ensure_demo_organisations",
    "refuse_demo_keys",
]

# (client id, name, role, official code, funder kind)
DEMO_ORGANISATIONS: tuple[tuple[str, str, Role, str, str | None], ...] = (
    ("glasgow-city", "Glasgow City Council", Role.COUNCIL, "S12000049", None),
    ("city-of-edinburgh", "City of Edinburgh Council", Role.COUNCIL, "S12000036", None),
    ("nhs-ggc", "NHS Greater Glasgow and Clyde", Role.HEALTH_BOARD, "S08000031", None),
    ("nhs-lothian", "NHS Lothian", Role.HEALTH_BOARD, "S08000024", None),
    ("ilf-scotland", "ILF Scotland", Role.FUNDER, "ilf-scotland", "ilf-scotland"),
    ("dwp-access-to-work", "DWP Access to Work", Role.FUNDER, "dwp-access-to-work", "dwp"),
    ("saas", "Student Awards Agency Scotland", Role.FUNDER, "saas-dsa", "saas"),
    ("demo-auditor", "Demo auditor", Role.AUDITOR, "demo-auditor", None),
    ("demo-vendor", "Demo vendor sandbox", Role.VENDOR_SANDBOX, "demo-vendor", None),
)


@dataclass(frozen=True, slots=True)
class DemoClient:
    """One demo organisation and the file holding its private key."""

    organisation_id: str
    role: Role
    kid: str
    alg: str
    key_file: Path


@dataclass(frozen=True, slots=True)
class DemoSetup:
    """What :func:`ensure_demo_organisations` did."""

    created: bool
    folder: Path
    clients: tuple[DemoClient, ...]

    def instructions(self, token_url: str) -> str:
        """How to get a token, for the start-up banner."""
        if not self.created:
            return f"Using the organisations already registered in {self.folder}."
        first = self.clients[0]
        lines = [
            f"Created {len(self.clients)} demo organisations and their keys in {self.folder}:",
            *(f"  {c.organisation_id:<20} {c.role.value:<15} {c.key_file}" for c in self.clients),
            "Get an access token with:",
            f"  sdsx token --client-id {first.organisation_id} --key {first.key_file} "
            f"--alg {first.alg} --token-url {token_url}",
            "Demo keys are refused when the gateway runs in production mode.",
        ]
        return "\n".join(lines)


def ensure_demo_organisations(
    folder: DataFolder,
    store: OrganisationStore | None = None,
    *,
    alg: str = "ES256",
) -> DemoSetup:
    """Register the demo organisations when ``store`` is empty; otherwise change nothing."""
    store = store or folder.organisations()
    if store.list():
        return DemoSetup(False, folder.root, ())
    clients = []
    for org_id, name, role, code, kind in DEMO_ORGANISATIONS:
        pair = generate_key_pair(alg)
        key_file = write_private_pem(folder.private_key_file(org_id), pair.private_pem)
        organisation = Organisation(org_id, name, role, code, funder_kind=kind, demo=True)
        store.save(organisation.with_key(pair.public_jwk))
        clients.append(DemoClient(org_id, role, pair.kid, alg, key_file))
    return DemoSetup(True, folder.root, tuple(clients))


def refuse_demo_keys(store: OrganisationStore) -> None:
    """Raise :class:`ConfigurationError` when any active organisation is a demo one."""
    demo = [o.id for o in store.list() if o.demo and o.active]
    if demo:
        raise ConfigurationError(
            "demo-keys-in-production",
            "Production mode refuses demo organisations; disable them with "
            f"'sdsx orgs disable': {', '.join(demo)}.",
        )
