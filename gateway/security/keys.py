"""Keys: generating, loading and publishing the asymmetric keys clients and the gateway sign with.

Clients sign their assertions with RS256, RS512, ES256 or EdDSA (Ed25519; the RFC 9864 name
``Ed25519`` is accepted as the same thing); never ``none`` or an HMAC (SDS-SEC-002). The gateway
signs its own access tokens and budgets with ES256 and publishes the public halves as a JWKS,
keeping retired keys in the set until every token they signed has expired (SDS-SEC-006).
A key id is the RFC 7638 thumbprint of the public key, so it names the key and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwk, jws
from joserfc.jws import JWSRegistry

__all__ = [
    "CLIENT_ALGORITHMS",
    "GATEWAY_ALGORITHM",
    "GatewayKeyring",
    "KeyPair",
    "SigningKey",
    "generate_key_pair",
    "jws_registry",
    "key_matches_algorithm",
    "public_key_set",
    "write_private_pem",
]

CLIENT_ALGORITHMS: tuple[str, ...] = ("RS256", "RS512", "ES256", "EdDSA", "Ed25519")
GATEWAY_ALGORITHM = "ES256"

# The key type (and curve) each allowed algorithm needs; a key of another type is refused
# before any signature check, so an RSA public key can never verify an "ES256" token.
_KEY_TYPES: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
}


AsymmetricKey = jwk.RSAKey | jwk.ECKey | jwk.OKPKey
_KEY_CLASSES: dict[str, type[jwk.RSAKey] | type[jwk.ECKey] | type[jwk.OKPKey]] = {
    "RSA": jwk.RSAKey,
    "EC": jwk.ECKey,
    "OKP": jwk.OKPKey,
}


class _Registry(JWSRegistry):
    """A JWS registry where ``EdDSA`` over Ed25519 is verified as RFC 9864 ``Ed25519``.

    joserfc warns on the older name; the bytes signed and checked are identical, and the
    key type is checked separately, so mapping the name avoids the warning without
    widening what is accepted.
    """

    def get_alg(self, name: str) -> Any:
        if self.allowed and name not in self.allowed:
            return super().get_alg(name)
        return super().get_alg("Ed25519" if name == "EdDSA" else name)


def jws_registry(algorithms: Collection[str]) -> JWSRegistry:
    """A joserfc registry allowing exactly ``algorithms`` (``EdDSA`` implies ``Ed25519``)."""
    allowed = set(algorithms)
    if "EdDSA" in allowed:
        allowed.add("Ed25519")
    return _Registry(algorithms=sorted(allowed))


def key_matches_algorithm(public_jwk: dict[str, Any], alg: str) -> bool:
    """Whether ``public_jwk`` is the right key type (and curve) for ``alg``."""
    wanted = _KEY_TYPES.get(alg)
    if wanted is None:
        return False
    kty, crv = wanted
    if public_jwk.get("kty") != kty or (crv is not None and public_jwk.get("crv") != crv):
        return False
    declared = public_jwk.get("alg")
    same_family = {declared, alg} <= {"EdDSA", "Ed25519"}
    return declared is None or declared == alg or same_family


def _generate(alg: str) -> AsymmetricKey:
    if alg in ("RS256", "RS512"):
        return jwk.RSAKey.generate_key(2048)
    if alg == "ES256":
        return jwk.ECKey.generate_key("P-256")
    if alg in ("EdDSA", "Ed25519"):
        return jwk.OKPKey.generate_key("Ed25519")
    raise ValueError(f"algorithm {alg!r} is not one of {', '.join(CLIENT_ALGORITHMS)}")


def _public_jwk(key: AsymmetricKey, alg: str) -> dict[str, Any]:
    public = dict(key.as_dict(private=False))
    public.pop("kid", None)
    public["kid"] = key.thumbprint()
    public["alg"] = alg
    public["use"] = "sig"
    return public


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A freshly generated key pair: the private key as PKCS#8 PEM and the public JWK."""

    kid: str
    alg: str
    private_pem: bytes
    public_jwk: dict[str, Any]


def generate_key_pair(alg: str = GATEWAY_ALGORITHM) -> KeyPair:
    """A new key pair for ``alg``, its kid the RFC 7638 thumbprint of the public key."""
    key = _generate(alg)
    public = _public_jwk(key, alg)
    return KeyPair(public["kid"], alg, key.as_pem(private=True), public)


def write_private_pem(path: Path, pem: bytes) -> Path:
    """Write a private key readable only by its owner (0600), replacing any earlier file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
    finally:
        os.close(fd)
    path.chmod(0o600)
    return path


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key that signs compact JWS, with its kid and algorithm."""

    key: AsymmetricKey
    kid: str
    alg: str

    @classmethod
    def from_pem(cls, pem: bytes | str, alg: str) -> SigningKey:
        """Load a PEM private key; the kid is the thumbprint of its public half."""
        if alg not in _KEY_TYPES:
            raise ValueError(f"algorithm {alg!r} is not one of {', '.join(CLIENT_ALGORITHMS)}")
        kty = _KEY_TYPES[alg][0]
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            key = _KEY_CLASSES[kty].import_key(data)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"the PEM does not hold a {kty} private key for {alg}") from exc
        if not key.is_private:
            raise ValueError("the PEM holds a public key; a signing key must be private")
        if not key_matches_algorithm(dict(key.as_dict(private=False)), alg):
            raise ValueError(f"the PEM's key type does not fit algorithm {alg}")
        return cls(key, key.thumbprint(), alg)

    @classmethod
    def generate(cls, alg: str = GATEWAY_ALGORITHM) -> SigningKey:
        return cls.from_pem(generate_key_pair(alg).private_pem, alg)

    def public_jwk(self) -> dict[str, Any]:
        return _public_jwk(self.key, self.alg)

    def sign(self, payload: bytes, header: dict[str, Any] | None = None) -> str:
        """A compact JWS of ``payload`` with ``alg`` and ``kid`` set in the protected header."""
        protected = {**(header or {}), "alg": self.alg, "kid": self.kid}
        return jws.serialize_compact(
            protected, payload, self.key, algorithms=[self.alg], registry=jws_registry([self.alg])
        )

    def private_pem(self) -> bytes:
        return self.key.as_pem(private=True)


def public_key_set(keys: Iterable[dict[str, Any]]) -> jwk.KeySet:
    """A joserfc key set of public JWKs (for verification).

    The JWK's own ``alg`` is dropped: callers check key type against the token's ``alg`` with
    :func:`key_matches_algorithm` first, and joserfc would otherwise refuse an ``EdDSA`` key
    for the RFC 9864 ``Ed25519`` verifier it is mapped to.
    """
    cleaned = [{n: v for n, v in k.items() if n != "alg"} for k in keys]
    return jwk.KeySet.import_key_set({"keys": cleaned})


_CURRENT = "gateway-signing-key.pem"
_PREVIOUS_SUFFIX = ".previous.pem"


@dataclass(frozen=True, slots=True)
class GatewayKeyring:
    """The gateway's current signing key and the public keys of the ones it retired.

    The JWKS lists all of them, so tokens and budgets signed before a rotation still verify
    until the retired key is removed from the folder.
    """

    current: SigningKey
    previous: tuple[dict[str, Any], ...] = ()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.current.public_jwk(), *self.previous]}

    def public_key(self, kid: str) -> dict[str, Any] | None:
        return next((k for k in self.jwks()["keys"] if k["kid"] == kid), None)

    @classmethod
    def load_or_create(cls, directory: Path, alg: str = GATEWAY_ALGORITHM) -> GatewayKeyring:
        """Load the keyring kept in ``directory``, generating the first key when there is none."""
        current_path = directory / _CURRENT
        if not current_path.exists():
            write_private_pem(current_path, generate_key_pair(alg).private_pem)
        current = SigningKey.from_pem(current_path.read_bytes(), alg)
        previous = tuple(
            SigningKey.from_pem(p.read_bytes(), alg).public_jwk()
            for p in sorted(directory.glob("*" + _PREVIOUS_SUFFIX))
        )
        return cls(current, previous)

    @classmethod
    def rotate(cls, directory: Path, alg: str = GATEWAY_ALGORITHM) -> GatewayKeyring:
        """Retire the current key (kept for verification) and start signing with a new one."""
        old = cls.load_or_create(directory, alg).current
        (directory / _CURRENT).rename(directory / f"{old.kid}{_PREVIOUS_SUFFIX}")
        return cls.load_or_create(directory, alg)
