"""`git config user.signingkey` in the forms git accepts: a key file, or a literal public key
(`key::ssh-ed25519 AAAA...`, or without `key::` as 1Password and older guides write it)."""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import shutil
import subprocess
import tempfile

from ai_clearance.approvals.sshsig import KEY_TYPES
from ai_clearance.errors import UsageError
from ai_clearance.localfiles import read_regular

_LITERAL_PREFIX = "key::"


def literal_public_key(value: str) -> str | None:
    """'type base64' when `value` is a literal public key (with or without `key::`, with or
    without a comment), else None (it names a file)."""
    text = value.strip()
    if text.startswith(_LITERAL_PREFIX):
        text = text[len(_LITERAL_PREFIX):].strip()
    fields = text.split()
    if len(fields) < 2 or fields[0] not in KEY_TYPES:
        if value.strip().startswith(_LITERAL_PREFIX):
            raise UsageError(f"signing key {value.strip()[:40]!r}: not a public key "
                             "(want key::ssh-ed25519 AAAA...)")
        return None
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        raise UsageError(f"signing key {fields[0]} ...: the key is not valid base64") from None
    if blob[4:4 + len(fields[0])] != fields[0].encode():
        raise UsageError(f"signing key {fields[0]} ...: the key does not match its type")
    return f"{fields[0]} {fields[1]}"


def key_file_for_signing(value: str) -> str:
    """A path ssh-keygen can sign with: the key file named, or a literal public key written
    to a private temporary file (its private half must then be in ssh-agent)."""
    literal = literal_public_key(value)
    if literal is None:
        return os.path.expanduser(value.strip())
    folder = tempfile.mkdtemp(prefix="ai-clearance-key-")
    atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, "signing-key.pub")
    with open(path, "w", encoding="ascii") as out:
        out.write(literal + "\n")
    return path


def public_key(value: str) -> str:
    """The public key ('type base64') of a signing key setting: the literal itself, a public
    key file, the `.pub` next to a private key, or what `ssh-keygen -y` derives from it."""
    literal = literal_public_key(value)
    if literal is not None:
        return literal
    path = os.path.expanduser(value.strip())
    for candidate in (path, path + ".pub"):
        found = _public_key_in_file(candidate)
        if found is not None:
            return found
    return _derived_public_key(path)


def _public_key_in_file(path: str) -> str | None:
    try:
        text = read_regular(path, 1 << 16, follow=True).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"signing key {path}: cannot read: {exc.strerror}") from None
    try:
        return literal_public_key(text)
    except UsageError:
        return None


def _derived_public_key(path: str) -> str:
    """`ssh-keygen -y` of a private key with no passphrase (never a prompt)."""
    found = shutil.which("ssh-keygen")
    if found is None or not os.path.exists(path):
        raise UsageError(f"signing key {path}: no public key found (want {path}.pub, or set "
                         "user.signingkey to the public key)")
    proc = subprocess.run([found, "-y", "-P", "", "-f", path], capture_output=True,
                          stdin=subprocess.DEVNULL, check=False, timeout=30)
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or literal_public_key_or_none(text) is None:
        raise UsageError(f"signing key {path}: cannot derive its public key (protected by a "
                         f"passphrase?); pass --key {path}.pub")
    return literal_public_key_or_none(text) or ""


def literal_public_key_or_none(text: str) -> str | None:
    """`literal_public_key`, None instead of an error."""
    try:
        return literal_public_key(text)
    except UsageError:
        return None
