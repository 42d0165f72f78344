"""In-process verification of SSH signatures (the SSHSIG format of `ssh-keygen -Y sign`), so
that hundreds of approvals verify in milliseconds instead of one ssh-keygen run each.

It answers only what it fully understands: ed25519, ECDSA (NIST P-256/384/521) and RSA
(rsa-sha2-256/512) keys, listed by plain allowed_signers lines. For anything else (hardware
`sk-` keys, `cert-authority` lines, malformed input) it returns None and the caller asks
ssh-keygen, which stays the reference.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import functools
import hashlib
from datetime import datetime, timezone

from .sshsig import KEY_TYPES, _split_signer_line
from .values import value

_MAGIC = b"SSHSIG"
_HASHES = {b"sha256": hashlib.sha256, b"sha512": hashlib.sha512}


class _Malformed(Exception):
    pass


def _string(data: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(data):
        raise _Malformed
    size = int.from_bytes(data[pos:pos + 4], "big")
    end = pos + 4 + size
    if end > len(data):
        raise _Malformed
    return data[pos + 4:end], end


def _mpint(data: bytes, pos: int) -> tuple[int, int]:
    raw, pos = _string(data, pos)
    return int.from_bytes(raw, "big", signed=True), pos


def parse_signature(armored: str) -> tuple[bytes, bytes, bytes, bytes] | None:
    """(public key blob, namespace, hash algorithm, signature blob) of an armored SSHSIG."""
    lines = [ln.strip() for ln in armored.strip().splitlines()]
    if not lines or lines[0] != "-----BEGIN SSH SIGNATURE-----" or \
            lines[-1] != "-----END SSH SIGNATURE-----":
        return None
    try:
        blob = base64.b64decode("".join(lines[1:-1]), validate=True)
        if not blob.startswith(_MAGIC) or blob[6:10] != b"\x00\x00\x00\x01":
            return None
        pos = 10
        public, pos = _string(blob, pos)
        namespace, pos = _string(blob, pos)
        _reserved, pos = _string(blob, pos)
        hash_alg, pos = _string(blob, pos)
        signature, pos = _string(blob, pos)
    except (binascii.Error, ValueError, _Malformed):
        return None
    if pos != len(blob):
        return None
    return public, namespace, hash_alg, signature


def _signed_data(namespace: bytes, hash_alg: bytes, message: bytes) -> bytes:
    digest = _HASHES[hash_alg](message).digest()
    parts = [namespace, b"", hash_alg, digest]
    return _MAGIC + b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def _verify_key(public: bytes, signature: bytes, data: bytes) -> bool | None:
    """Verify `signature` over `data` with an SSH public key blob; None when unsupported."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        key_type, pos = _string(public, 0)
        sig_type, spos = _string(signature, 0)
        sig, spos = _string(signature, spos)
        if spos != len(signature):
            return False
        if key_type == b"ssh-ed25519":
            raw, pos = _string(public, pos)
            if sig_type != b"ssh-ed25519" or pos != len(public):
                return False
            ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
            return True
        if key_type.startswith(b"ecdsa-sha2-nistp"):
            curves = {b"nistp256": (ec.SECP256R1(), hashes.SHA256()),
                      b"nistp384": (ec.SECP384R1(), hashes.SHA384()),
                      b"nistp521": (ec.SECP521R1(), hashes.SHA512())}
            curve_name, pos = _string(public, pos)
            point, pos = _string(public, pos)
            if curve_name not in curves or sig_type != key_type or pos != len(public):
                return False
            curve, digest = curves[curve_name]
            r, rpos = _mpint(sig, 0)
            s, rpos = _mpint(sig, rpos)
            if rpos != len(sig):
                return False
            ecdsa_key = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
            ecdsa_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))
            return True
        if key_type == b"ssh-rsa":
            e, pos = _mpint(public, pos)
            n, pos = _mpint(public, pos)
            algorithms = {b"rsa-sha2-256": hashes.SHA256(), b"rsa-sha2-512": hashes.SHA512()}
            if sig_type not in algorithms or pos != len(public) or n.bit_length() < 1024:
                return False
            rsa_key = rsa.RSAPublicNumbers(e, n).public_key()
            rsa_key.verify(sig, data, padding.PKCS1v15(), algorithms[sig_type])
            return True
    except InvalidSignature:
        return False
    except (_Malformed, ValueError, TypeError):
        return False
    return None  # sk- keys and anything else: ssh-keygen decides


def _patterns_match(patterns: str, value: str) -> bool:
    """OpenSSH pattern lists: comma-separated, `*` and `?`, `!` negates."""
    matched = False
    for pattern in patterns.split(","):
        negated = pattern.startswith("!")
        if fnmatch.fnmatchcase(value, pattern[1:] if negated else pattern):
            if negated:
                return False
            matched = True
    return matched


def _stamp(text: str) -> datetime | None:
    text = text.strip('"')
    if not text.endswith("Z"):
        return None  # local time, as ssh-keygen reads it: let ssh-keygen decide
    text = text[:-1]
    for fmt, size in (("%Y%m%d%H%M%S", 14), ("%Y%m%d%H%M", 12), ("%Y%m%d", 8)):
        if len(text) == size:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
            except ValueError:
                return None
    return None


@value
class _Signer:
    """One allowed_signers line: principal patterns, options, the public key blob."""

    principals: str
    options: str
    key_blob: bytes


@functools.lru_cache(maxsize=4)
def _parse_signers(signers: str) -> tuple[_Signer | None, ...]:
    """The lines of an allowed_signers text, parsed once per run (a run verifies hundreds
    of records against the same list); None stands for a line only ssh-keygen can judge."""
    entries: list[_Signer | None] = []
    for raw in signers.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = _split_signer_line(line)
        if len(fields) < 3:
            entries.append(None)
            continue
        options = "" if fields[1] in KEY_TYPES else fields[1]
        key_fields = fields[2:] if options else fields[1:]
        if "cert-authority" in options or len(key_fields) < 2 or \
                key_fields[0] not in KEY_TYPES:
            entries.append(None)
            continue
        try:
            key_blob = base64.b64decode(key_fields[1], validate=True)
        except (binascii.Error, ValueError):
            entries.append(None)
            continue
        entries.append(_Signer(fields[0], options, key_blob))
    return tuple(entries)


def verify(signers: str, message: bytes, armored: str, principal: str, namespace: str,
           at: datetime) -> bool | None:
    """True or False as `ssh-keygen -Y verify` would answer; None to defer to ssh-keygen."""
    parsed = parse_signature(armored)
    if parsed is None:
        return None
    public, sig_namespace, hash_alg, signature = parsed
    if sig_namespace != namespace.encode() or hash_alg not in _HASHES:
        return False
    allowed = False
    for entry in _parse_signers(signers):
        if entry is None:
            return None  # a line before any match that only ssh-keygen understands
        if entry.key_blob != public or not _patterns_match(entry.principals, principal):
            continue
        window_ok = True
        for option in entry.options.split(",") if entry.options else ():
            name, _, value = option.partition("=")
            if name == "namespaces" and not _patterns_match(value.strip('"'), namespace):
                window_ok = False
            elif name in ("valid-after", "valid-before"):
                moment = _stamp(value)
                if moment is None:
                    return None
                if (name == "valid-after" and at < moment) or \
                        (name == "valid-before" and at > moment):
                    window_ok = False
        if window_ok:
            allowed = True
            break
    if not allowed:
        return False
    return _verify_key(public, signature, _signed_data(sig_namespace, hash_alg, message))
