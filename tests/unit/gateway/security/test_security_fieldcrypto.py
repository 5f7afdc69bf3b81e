"""Field encryption: sealed identifiers, keyed lookup, rotation and refusal of tampering."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gateway.security.errors import ConfigurationError
from gateway.security.fieldcrypto import FieldCipher, FieldCryptoError, generate_field_key

CHI = "https://spec.sdsx.scot/id/chi"
NINO = "https://spec.sdsx.scot/id/nino"
K1, K2 = bytes(range(32)), bytes(range(1, 33))


def test_round_trip_hides_the_value_and_keeps_it_exactly() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    token = cipher.encrypt(NINO, "AB 12 34 56 C")
    assert "12 34 56" not in token
    assert cipher.decrypt(NINO, token) == "AB 12 34 56 C"  # stored documents open byte for byte
    assert cipher.encrypt(NINO, "AB 12 34 56 C") != token  # a fresh nonce every time


def test_a_ciphertext_bound_to_a_record_opens_only_there() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    token = cipher.encrypt(CHI, "1234567890", bound_to="record-a")
    assert cipher.decrypt(CHI, token, bound_to="record-a") == "1234567890"
    for elsewhere in ("record-b", ""):
        with pytest.raises(FieldCryptoError):
            cipher.decrypt(CHI, token, bound_to=elsewhere)


def test_blobs_are_sealed_whole_bound_to_their_context_and_rotate() -> None:
    old = FieldCipher({"k1": K1}, "k1")
    blob = old.seal_bytes("client\x00key", b'{"value":"1234567890"}')
    assert b"1234567890" not in blob
    rotated = FieldCipher({"k1": K1, "k2": K2}, "k2")
    assert rotated.open_bytes("client\x00key", blob) == b'{"value":"1234567890"}'
    assert rotated.blob_needs_reencryption(blob)
    assert not rotated.blob_needs_reencryption(rotated.seal_bytes("c", b"x"))
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    for bad, context in ((blob, "other"), (damaged, "client\x00key"), (b"{}", "c")):
        with pytest.raises(FieldCryptoError):
            rotated.open_bytes(context, bad)


def test_a_ciphertext_is_bound_to_its_identifier_system() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    token = cipher.encrypt(CHI, "1234567890")
    with pytest.raises(FieldCryptoError):
        cipher.decrypt(NINO, token)


def test_tampered_or_foreign_values_do_not_open() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    token = cipher.encrypt(CHI, "1234567890")
    flipped = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (flipped, "plain", "sdsx1.k9." + token.split(".")[2]):
        with pytest.raises(FieldCryptoError):
            cipher.decrypt(CHI, bad)


def test_lookup_token_is_keyed_exact_and_stable() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    assert cipher.lookup_token(CHI, "1234567890") == cipher.lookup_token(CHI, "12345 67890")
    assert cipher.lookup_token(CHI, "1234567890") != cipher.lookup_token(CHI, "1234567891")
    assert cipher.lookup_token(CHI, "1234567890") != cipher.lookup_token(NINO, "1234567890")
    other = FieldCipher({"k1": K2}, "k1")
    assert cipher.lookup_token(CHI, "1234567890") != other.lookup_token(CHI, "1234567890")


def test_rotation_decrypts_old_values_and_reencrypts_to_the_current_key() -> None:
    old = FieldCipher({"k1": K1}, "k1")
    token = old.encrypt(CHI, "1234567890")
    lookup = old.lookup_token(CHI, "1234567890")
    rotated = FieldCipher({"k1": K1, "k2": K2}, "k2")
    assert rotated.decrypt(CHI, token) == "1234567890"
    assert lookup in rotated.lookup_tokens(CHI, "1234567890")
    assert rotated.needs_reencryption(token)
    new_token, new_lookup = rotated.reencrypt(CHI, token)
    assert not rotated.needs_reencryption(new_token)
    assert new_lookup == rotated.lookup_tokens(CHI, "1234567890")[0]
    assert FieldCipher({"k2": K2}, "k2").decrypt(CHI, new_token) == "1234567890"


def test_keys_from_file_and_environment(tmp_path: Path) -> None:
    k1, k2 = generate_field_key(), generate_field_key()
    path = tmp_path / "field-keys.json"
    path.write_text(json.dumps({"current": "k2", "keys": {"k1": k1, "k2": k2}}))
    from_file = FieldCipher.from_file(path)
    from_env = FieldCipher.from_env({"SDSX_FIELD_KEYS": f"k1:{k1},k2:{k2}"})
    assert from_env is not None
    assert from_env.current == from_file.current == "k2"
    assert from_env.decrypt(CHI, from_file.encrypt(CHI, "1234567890")) == "1234567890"
    assert FieldCipher.from_env({}) is None
    via_file = FieldCipher.from_env({"SDSX_FIELD_KEYS_FILE": str(path)})
    assert via_file is not None


def test_bad_key_configuration_is_refused(tmp_path: Path) -> None:
    short = base64.urlsafe_b64encode(b"short").decode()
    with pytest.raises(ConfigurationError):
        FieldCipher.from_env({"SDSX_FIELD_KEYS": f"k1:{short}"})
    with pytest.raises(ConfigurationError):
        FieldCipher({"k1": K1}, "k2")
    with pytest.raises(ConfigurationError):
        FieldCipher.from_env({"SDSX_FIELD_KEYS": "no-colon"})
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ConfigurationError):
        FieldCipher.from_file(tmp_path / "bad.json")
