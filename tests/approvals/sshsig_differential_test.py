"""The in-process verifier answers as `ssh-keygen -Y verify` does, over generated
allowed_signers files: principal patterns (OpenSSH has `*` and `?` only, so `[jb]` is
literal), quoted options holding commas, option names in any case, validity times with and
without a zone, cert-authority, comments, several principals and lines."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_clearance.approvals import sshsig_native
from ai_clearance.approvals.sshsig import Verifier, sign

PRINCIPAL = "jane@example.com"
PAYLOAD = b'{"approval":"x"}'
AT = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)

PRINCIPALS = [PRINCIPAL, "*@example.com", "j?ne@example.com", "[jb]ane@example.com",
              "jane@example.com,bob@example.com", "bob@example.com,jane@example.com",
              "!jane@example.com,*", "*,!bob@example.com", "other@example.com", "*",
              "j*e@*.com", "jane@example.co?", "JANE@example.com", "[!x]ane@example.com"]
OPTIONS = ['namespaces="ai-clearance"', 'namespaces="git,ai-clearance"', 'namespaces="git"',
           'namespaces="ai-*"', 'NAMESPACES="ai-clearance"', 'namespaces="!ai-clearance,*"',
           'namespaces="git, ai-clearance"', 'valid-after="20200101Z"',
           'valid-after="29990101Z"', 'valid-after="20200101"', 'valid-before="20200101Z"',
           'valid-before="29991231235959Z"', 'valid-before="299912312359UTC"',
           'Valid-After="20200101000000z"', 'valid-after="20260601120000Z"',
           'valid-before="20260601120000Z"', 'valid-after="20260231Z"', "cert-authority",
           "valid-after=20200101Z", 'namespaces="ai-clearance",', 'verify-required']
ASKED = [PRINCIPAL, "[jb]ane@example.com", "bane@example.com", "bob@example.com",
         "j?ne@example.com"]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two real keys: the signer's and another's public halves, and the signer's signatures
    (in the ai-clearance and the git namespace)."""
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("signer", "other"):
        path = folder / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                        str(path)], check=True)
        made[name] = " ".join(path.with_suffix(".pub").read_text("utf-8").split()[:2])
        made[f"{name}-key"] = str(path)
    made["good"] = sign(PAYLOAD, made["signer-key"])
    made["by-other"] = sign(PAYLOAD, made["other-key"])
    return made


def _reference(signers: str, signature: str, principal: str, at: datetime,
               folder: Path) -> bool:
    """What ssh-keygen itself says, run as the Verifier runs it (TZ=UTC, verify-time)."""
    (folder / "signers").write_text(signers, "utf-8")
    (folder / "sig").write_text(signature, "ascii")
    proc = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(folder / "signers"), "-I", principal,
         "-n", "ai-clearance", "-s", str(folder / "sig"),
         f"-Overify-time={at.strftime('%Y%m%d%H%M%S')}"],
        input=PAYLOAD, capture_output=True, check=False, env={**os.environ, "TZ": "UTC"})
    return proc.returncode == 0


def _line(draw: st.DrawFn, keys: dict[str, str]) -> str:
    principals = draw(st.sampled_from(PRINCIPALS))
    options = ",".join(draw(st.lists(st.sampled_from(OPTIONS), max_size=3)))
    key = keys[draw(st.sampled_from(["signer", "signer", "other"]))]
    comment = draw(st.sampled_from(["", " a comment", "  trailing words here"]))
    return " ".join(p for p in (principals, options, key) if p) + comment


@st.composite
def _signers(draw: st.DrawFn, keys: dict[str, str]) -> str:
    lines = [_line(draw, keys) for _ in range(draw(st.integers(1, 3)))]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))),
                     draw(st.sampled_from(["# maintainers", "", "   ", "\t# indented"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_verifier_agrees_with_ssh_keygen(keys: dict[str, str], tmp_path: Path,
                                             data: st.DataObject) -> None:
    signers = data.draw(_signers(keys))
    principal = data.draw(st.sampled_from(ASKED))
    signature = keys[data.draw(st.sampled_from(["good", "good", "by-other"]))]
    at = AT + timedelta(microseconds=data.draw(st.sampled_from([0, 500_000])))
    reference = _reference(signers, signature, principal, at, tmp_path)
    native = sshsig_native.verify(signers, PAYLOAD, signature, principal, "ai-clearance", at)
    assert native in (None, reference), (signers, principal)
    verifier = Verifier(signers)
    try:
        assert verifier.verify(PAYLOAD, signature, principal, at) is reference, signers
    finally:
        verifier.close()


@pytest.mark.parametrize(("line", "asked", "expected"), [
    ('{p} namespaces="git,ai-clearance" {k}', PRINCIPAL, True),
    ('{p} NAMESPACES="ai-clearance",valid-after="20200101UTC" {k}', PRINCIPAL, True),
    ('[jb]ane@example.com {k}', PRINCIPAL, False),  # a class in fnmatch, literal in OpenSSH
    ('[jb]ane@example.com {k}', "[jb]ane@example.com", True),
    ('{p} valid-before="20260601120000Z" {k}', PRINCIPAL, True),  # the last second counts
    ('{p} valid-after="20260601120001Z" {k}', PRINCIPAL, False),
    ('bob@example.com,!jane@example.com {k}', PRINCIPAL, False),
])
def test_common_forms_are_answered_in_process(keys: dict[str, str], tmp_path: Path,
                                              line: str, asked: str, expected: bool) -> None:
    """These forms no longer go to ssh-keygen (or come back wrong): the in-process answer
    exists and is ssh-keygen's."""
    signers = line.format(p=PRINCIPAL, k=keys["signer"]) + "\n"
    at = AT + timedelta(microseconds=400_000)
    native = sshsig_native.verify(signers, PAYLOAD, keys["good"], asked, "ai-clearance", at)
    assert native is expected
    assert _reference(signers, keys["good"], asked, at, tmp_path) is expected


def test_ssh_keygen_answers_in_utc_whatever_the_machine_zone(
        keys: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The verify time is UTC; ssh-keygen read it as local time, so on a machine east of
    UTC a key valid from an hour ago looked not yet valid."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    monkeypatch.setenv("AI_CLEARANCE_SSH_VERIFY", "ssh-keygen")
    since = (AT - timedelta(hours=1)).strftime("%Y%m%d%H%M%S")
    for zone in ("Z", ""):  # a time without a zone is read as UTC too
        verifier = Verifier(f'{PRINCIPAL} valid-after="{since}{zone}" {keys["signer"]}\n')
        try:
            assert verifier.verify(PAYLOAD, keys["good"], PRINCIPAL, AT)
        finally:
            verifier.close()


def test_lines_end_at_line_feeds_only(keys: dict[str, str], tmp_path: Path) -> None:
    """Python's splitlines() also splits at \\x1c, \\x85, \\u2028...: a second key hidden
    in what ssh-keygen reads as one line's comment must not be trusted."""
    for separator in ("\x1c", "\x85", "\u2028", "\x0b", "\x0c"):
        signers = f"bob@example.com {keys['other']}{separator}{PRINCIPAL} {keys['signer']}\n"
        native = sshsig_native.verify(signers, PAYLOAD, keys["good"], PRINCIPAL,
                                      "ai-clearance", AT)
        reference = _reference(signers, keys["good"], PRINCIPAL, AT, tmp_path)
        assert native in (None, reference) and reference is False
