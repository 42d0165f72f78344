"""Records and tokens: canonical bytes, strict parsing, and no mutation of a token verifies."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_clearance.approvals.records import (
    canonical,
    decode_token,
    encode_token,
    parse_user_time,
    strict_json,
    token_from_payload,
    utc_now,
)
from ai_clearance.approvals.sshsig import Verifier, sign, validate_signers
from ai_clearance.errors import ClearanceError, ConfigError, UsageError

PRINCIPAL = "maintainer@example.com"


@pytest.fixture(scope="module")
def signed_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A valid token and the allowed_signers text that accepts it."""
    folder = tmp_path_factory.mktemp("keys")
    key = folder / "m"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = key.with_suffix(".pub").read_text("utf-8").split()
    signers = f'{PRINCIPAL} namespaces="ai-clearance" {public[0]} {public[1]}\n'
    payload: dict[str, Any] = {
        "type": "ai-clearance/token", "version": 2, "id": "tok-20261124-0a1b2c3d",
        "repository": "example.com/widgets",
        "covers": [{"rule": "AIC101", "assistant": "claude", "path": "CLAUDE.md",
                    "author": "jane@example.com"}],
        "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2999-01-01T00:00:00Z",
        "reason": "test", "issued_by": PRINCIPAL, "issued_at": "2026-01-01T00:00:00Z",
    }
    return encode_token(payload, sign(canonical(payload), str(key))), signers


def _verifies(token: str, signers: str) -> bool:
    try:
        signed = decode_token(token, "token")
        parsed = token_from_payload(signed.payload, "token")
    except ClearanceError:
        return False
    verifier = Verifier(signers)
    try:
        return verifier.verify(canonical(signed.payload), signed.signature, parsed.issued_by,
                               utc_now())
    finally:
        verifier.close()


def test_the_valid_token_verifies(signed_token: tuple[str, str]) -> None:
    assert _verifies(*signed_token)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_mutation_of_a_valid_token_verifies(signed_token: tuple[str, str],
                                               data: st.DataObject) -> None:
    token, signers = signed_token
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    operation = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate", "swap"]))
    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    if operation == "replace":
        char = data.draw(alphabet.filter(lambda c: c != token[position]))
        mutated = token[:position] + char + token[position + 1:]
    elif operation == "delete":
        mutated = token[:position] + token[position + 1:]
    elif operation == "insert":
        mutated = token[:position] + data.draw(alphabet) + token[position:]
    elif operation == "truncate":
        mutated = token[:position]
    else:
        other = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
        chars = list(token)
        chars[position], chars[other] = chars[other], chars[position]
        mutated = "".join(chars)
    if mutated == token:
        return
    assert not _verifies(mutated, signers)


def test_canonical_bytes_are_sorted_and_compact() -> None:
    assert canonical({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'


@pytest.mark.parametrize("raw", [b'{"a":1,"a":2}', b'{"a":1.5}', b'{"a":NaN}', b"\xff"])
def test_strict_json_refuses_ambiguity(raw: bytes) -> None:
    with pytest.raises(ConfigError):
        strict_json(raw, "f")


def test_user_times() -> None:
    now = utc_now()
    assert (parse_user_time("90d", now) - now).days == 90
    assert parse_user_time("2027-01-31", now).year == 2027
    with pytest.raises(UsageError):
        parse_user_time("next tuesday", now)


@pytest.mark.parametrize(("text", "message"), [
    ("only-two fields\n", ":1: want"),
    ("a@b.c ssh-ed25519 !!!notbase64\n", "base64"),
    ("a@b.c ssh-dss AAAA\n", "key type"),
    ("# comment\na@b.c bogus-option ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n", ":2: unknown"),
    ("a@b.c ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIA==\n", "does not match"),
])
def test_bad_signer_lines_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_signers(text, "maintainers")


def test_good_signer_lines(tmp_path: Path) -> None:
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", str(key)], check=True)
    kind, blob = key.with_suffix(".pub").read_text("utf-8").split()[:2]
    text = (f'a@b.c,d@e.f namespaces="ai-clearance",valid-after="20260101" {kind} {blob}\n'
            f"x@y.z {kind} {blob} comment here\n")
    assert validate_signers(text, "maintainers") == 2


# ------------------------------------------------------------------------ native verification
def _keygen(folder: Path, name: str, kind: str) -> tuple[Path, str]:
    key = folder / name
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(key)]
    if kind == "rsa":
        args[4:4] = ["-b", "2048"]
    subprocess.run(args, check=True)
    kind_name, blob = key.with_suffix(".pub").read_text("utf-8").split()[:2]
    return key, f"{kind_name} {blob}"


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_native_verification_agrees_with_ssh_keygen(tmp_path: Path, kind: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ai_clearance.approvals import sshsig_native

    key, public = _keygen(tmp_path, "k", kind)
    other, other_public = _keygen(tmp_path, "o", "ed25519")
    payload = b'{"hello":"world"}'
    good = sign(payload, str(key))
    git_sig = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", str(key), "-n", "git"],
                             input=payload, capture_output=True, check=True).stdout.decode()
    stranger = sign(payload, str(other))
    lines = good.strip().splitlines()
    flipped_body = lines[2][:5] + ("A" if lines[2][5] != "A" else "B") + lines[2][6:]
    flipped = "\n".join([*lines[:2], flipped_body, *lines[3:]]) + "\n"
    now = utc_now()
    cases = [
        (f'{PRINCIPAL} namespaces="ai-clearance" {public}\n', payload, good, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n", payload, good, PRINCIPAL),
        (f"*@example.com {public}\n", payload, good, PRINCIPAL),
        (f'{PRINCIPAL} namespaces="git" {public}\n', payload, good, PRINCIPAL),
        (f'{PRINCIPAL} valid-before="20200101Z" {public}\n', payload, good, PRINCIPAL),
        (f'{PRINCIPAL} valid-after="29990101Z" {public}\n', payload, good, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n", payload, good, "someone@example.com"),
        (f"{PRINCIPAL} {public}\n", payload + b" ", good, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n", payload, git_sig, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n{PRINCIPAL} {other_public}\n", payload, stranger, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n", payload, stranger, PRINCIPAL),
        (f"{PRINCIPAL} {public}\n", payload, flipped, PRINCIPAL),
    ]
    answers = []
    for index, (signers, message, signature, principal) in enumerate(cases):
        native = sshsig_native.verify(signers, message, signature, principal, "ai-clearance",
                                      now)
        if index < len(cases) - 1:
            assert native is not None  # a corrupted blob may be left to ssh-keygen
        verifier = Verifier(signers)
        auto = verifier.verify(message, signature, principal, now)
        verifier.close()
        monkeypatch.setenv("AI_CLEARANCE_SSH_VERIFY", "ssh-keygen")
        verifier = Verifier(signers)
        try:
            reference = verifier.verify(message, signature, principal, now)
        finally:
            verifier.close()
            monkeypatch.delenv("AI_CLEARANCE_SSH_VERIFY")
        assert auto == reference, (signers, principal)
        answers.append(auto)
    # Good three ways; then wrong namespace, expired, not yet valid, wrong principal, changed
    # payload, git namespace, a second listed key (good), an unlisted key, a changed byte.
    assert answers == [True, True, True, False, False, False, False, False, False, True,
                       False, False]


def test_native_verification_defers_only_for_lines_it_reaches(tmp_path: Path) -> None:
    """The signers list is parsed once per run; a line only ssh-keygen understands (here a
    cert-authority) still defers to it only when it comes before the matching key."""
    from ai_clearance.approvals import sshsig_native

    key, public = _keygen(tmp_path, "k", "ed25519")
    _, other_public = _keygen(tmp_path, "o", "ed25519")
    payload = b"{}"
    good = sign(payload, str(key))
    authority = f"*@example.com cert-authority {other_public}\n"
    now = utc_now()
    after = f"{PRINCIPAL} {public}\n{authority}"
    before = f"{authority}{PRINCIPAL} {public}\n"
    for _ in range(2):  # the second time from the parsed-once cache
        assert sshsig_native.verify(after, payload, good, PRINCIPAL, "ai-clearance", now)
        assert sshsig_native.verify(before, payload, good, PRINCIPAL, "ai-clearance",
                                    now) is None
