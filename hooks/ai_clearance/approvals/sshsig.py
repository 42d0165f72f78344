"""SSH signatures in the `ai-clearance` namespace, made and checked by ssh-keygen, offline."""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime

from ai_clearance.approvals.records import NAMESPACE
from ai_clearance.errors import ConfigError, UsageError

KEY_TYPES = frozenset({
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
# The options OpenSSH's sshsigopt_parse accepts: names in any case, values in quotes.
_OPTION = re.compile(r'(?:cert-authority|namespaces="[^"]*"|'
                     r'valid-(?:after|before)="\d{8}(?:\d{4}(?:\d\d)?)?(?:z|utc)?")(?:,|\Z)',
                     re.IGNORECASE)


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise UsageError("ssh-keygen is not installed; it signs and verifies approvals")
    return found


def _split_signer_line(line: str) -> list[str]:
    """Split an allowed_signers line on spaces outside double quotes."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch in " \t" and not quoted:
            if current:
                fields.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        fields.append("".join(current))
    return fields


def validate_signers(text: str, where: str) -> int:
    """Check an allowed_signers file line by line; return how many keys it lists.

    ConfigError names the file and line of the first bad entry.
    """
    count = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = _split_signer_line(line)
        if len(fields) < 3:
            raise ConfigError(f"{where}:{number}: want 'principals [options] keytype key'")
        index = 1
        if fields[1] not in KEY_TYPES:
            _check_options(fields[1], f"{where}:{number}")
            index = 2
        if len(fields) <= index + 1 or fields[index] not in KEY_TYPES:
            raise ConfigError(f"{where}:{number}: unknown or missing key type")
        _check_key(fields[index], fields[index + 1], f"{where}:{number}")
        count += 1
    return count


def _check_options(options: str, where: str) -> None:
    """The options field of an allowed_signers line: only options OpenSSH knows."""
    if options.startswith(("ssh-", "ecdsa-", "sk-")):
        raise ConfigError(f"{where}: unsupported key type {options!r}")
    pos = 0
    while pos < len(options):
        match = _OPTION.match(options, pos)
        if match is None:
            raise ConfigError(f"{where}: unknown option in {options!r}")
        pos = match.end()


def _check_key(key_type: str, key: str, where: str) -> None:
    """The key of an allowed_signers line: base64 of a blob that starts with its type."""
    try:
        blob = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where}: the key is not valid base64") from None
    name = key_type.encode()
    if blob[4:4 + len(name)] != name:
        raise ConfigError(f"{where}: the key does not match its type")


def sign(payload: bytes, key: str) -> str:
    """Sign `payload` with a private key file, or a public key whose private half is in
    ssh-agent; return the armored signature."""
    if not os.path.exists(key):
        raise UsageError(f"signing key not found: {key}")
    proc = subprocess.run([_ssh_keygen(), "-Y", "sign", "-f", key, "-n", NAMESPACE],
                          input=payload, capture_output=True, check=False)
    if proc.returncode != 0 or b"BEGIN SSH SIGNATURE" not in proc.stdout:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"ssh-keygen could not sign with {key}: "
                         f"{message[-1] if message else 'no reason given'}")
    return proc.stdout.decode("ascii")


def _native_verify(signers: str, payload: bytes, signature: str, principal: str,
                   at: datetime) -> bool | None:
    """The in-process answer, or None to ask ssh-keygen (unsupported key, no cryptography
    package, or AI_CLEARANCE_SSH_VERIFY=ssh-keygen)."""
    if os.environ.get("AI_CLEARANCE_SSH_VERIFY") == "ssh-keygen":
        return None
    try:
        from ai_clearance.approvals import sshsig_native
    except ImportError:  # pragma: no cover - cryptography is a dependency
        return None
    try:
        return sshsig_native.verify(signers, payload, signature, principal, NAMESPACE, at)
    except ImportError:  # pragma: no cover
        return None


@dataclass
class Verifier:
    """Verifies signatures against one allowed_signers text; each signature checked once."""

    signers: str
    _cache: dict[tuple[bytes, str, str, str], bool] = field(default_factory=dict)
    _dir: str | None = None

    def _signers_file(self) -> str:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="ai-clearance-")
            with open(os.path.join(self._dir, "signers"), "w", encoding="utf-8") as handle:
                handle.write(self.signers)
        return os.path.join(self._dir, "signers")

    def verify(self, payload: bytes, signature: str, principal: str, at: datetime) -> bool:
        """True when `signature` is a good `ai-clearance` signature of `payload` by a key the
        signers list for `principal` (and for this namespace, at time `at`)."""
        stamp = at.strftime("%Y%m%d%H%M%S")
        key = (payload, signature, principal, stamp)
        if key in self._cache:
            return self._cache[key]
        ok = False
        native = None
        if self.signers.strip() and principal and "\n" not in principal:
            native = _native_verify(self.signers, payload, signature, principal, at)
        if native is not None:
            ok = native
        elif self.signers.strip() and principal and "\n" not in principal:
            signers = self._signers_file()
            sig_path = os.path.join(os.path.dirname(signers), "sig")
            with open(sig_path, "w", encoding="ascii", errors="replace") as handle:
                handle.write(signature)
            # TZ=UTC: the verify time is UTC, and ssh-keygen reads a time without a zone
            # (here and in the signers file) as local time; a check must not depend on
            # the zone of the machine it runs on.
            proc = subprocess.run(
                [_ssh_keygen(), "-Y", "verify", "-f", signers, "-I", principal, "-n", NAMESPACE,
                 "-s", sig_path, f"-Overify-time={stamp}"],
                input=payload, capture_output=True, check=False, env={**os.environ, "TZ": "UTC"})
            ok = proc.returncode == 0
        self._cache[key] = ok
        return ok

    def close(self) -> None:
        """Remove the temporary files (they live outside any repository)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
