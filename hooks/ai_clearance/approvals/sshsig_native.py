"""In-process verification of SSH signatures (the SSHSIG format of `ssh-keygen -Y sign`), so
that hundreds of approvals verify in milliseconds instead of one ssh-keygen run each.

It answers only what it fully understands: ed25519, ECDSA (NIST P-256/384/521) and RSA
(rsa-sha2-256/512) keys, listed by allowed_signers lines read as OpenSSH reads them
(principal patterns with `*` and `?` only, quoted options that may hold commas, validity
times). For anything else (hardware `sk-` keys, `cert-authority` lines, a quoted principals
field, malformed input) it returns None and the caller asks ssh-keygen, which stays the
reference: tests/sshsig_differential_test.py compares the two over generated signer files.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from ai_clearance.approvals.sshsig import KEY_TYPES, _split_signer_line

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

    try:
        key_type, pos = _string(public, 0)
        sig_type, spos = _string(signature, 0)
        sig, spos = _string(signature, spos)
        if spos != len(signature):
            return False
        verify = _KEY_VERIFIERS.get(key_type)
        if verify is None and key_type.startswith(b"ecdsa-sha2-nistp"):
            verify = _verify_ecdsa
        if verify is None:
            return None  # sk- keys and anything else: ssh-keygen decides
        return verify(key_type, public, pos, sig_type, sig, data)
    except InvalidSignature:
        return False
    except (_Malformed, ValueError, TypeError):
        return False


# Each verifier reads the rest of the public key blob from `pos`, returns False when the
# key or signature is malformed and raises InvalidSignature when the signature is wrong.

def _verify_ed25519(key_type: bytes, public: bytes, pos: int, sig_type: bytes, sig: bytes,
                    data: bytes) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    raw, pos = _string(public, pos)
    if sig_type != b"ssh-ed25519" or pos != len(public):
        return False
    ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
    return True


def _verify_ecdsa(key_type: bytes, public: bytes, pos: int, sig_type: bytes, sig: bytes,
                  data: bytes) -> bool:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

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


def _verify_rsa(key_type: bytes, public: bytes, pos: int, sig_type: bytes, sig: bytes,
                data: bytes) -> bool:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    e, pos = _mpint(public, pos)
    n, pos = _mpint(public, pos)
    algorithms = {b"rsa-sha2-256": hashes.SHA256(), b"rsa-sha2-512": hashes.SHA512()}
    if sig_type not in algorithms or pos != len(public) or n.bit_length() < 1024:
        return False
    rsa_key = rsa.RSAPublicNumbers(e, n).public_key()
    rsa_key.verify(sig, data, padding.PKCS1v15(), algorithms[sig_type])
    return True


_KEY_VERIFIERS = {b"ssh-ed25519": _verify_ed25519, b"ssh-rsa": _verify_rsa}


def _match_pattern(value: str, pattern: str) -> bool:
    """OpenSSH's match_pattern: `*` matches any run, `?` one character, and every other
    character itself (`[` included: no classes)."""
    v = p = 0
    star, resume = -1, 0
    while v < len(value):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, v
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", value[v]):
            v += 1
            p += 1
        elif star >= 0:
            p, resume = star + 1, resume + 1
            v = resume
        else:
            return False
    return pattern[p:].strip("*") == ""


def _patterns_match(patterns: str, value: str) -> bool:
    """OpenSSH's match_pattern_list: comma-separated patterns, `!` negates (a negated match
    wins over any other)."""
    matched = False
    for pattern in patterns.split(","):
        negated = pattern.startswith("!")
        if _match_pattern(value, pattern[1:] if negated else pattern):
            if negated:
                return False
            matched = True
    return matched


_OPTION_NAMES = ("namespaces", "valid-after", "valid-before")


def _parse_options(text: str) -> dict[str, str] | None:
    """The options of an allowed_signers line as OpenSSH's sshsigopt_parse reads them:
    `name="value"` clauses (names in any case, values quoted and possibly holding commas)
    joined by commas. None for what is left to ssh-keygen: cert-authority, an escaped quote,
    and anything it would refuse (an unknown or repeated option, a missing quote)."""
    found: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        name = next((n for n in _OPTION_NAMES
                     if text[pos:pos + len(n) + 1].lower() == n + "="), None)
        start = pos + len(name or "") + 1
        end = text.find('"', start + 1)
        if name is None or name in found or text[start:start + 1] != '"' or end < 0:
            return None
        found[name] = text[start + 1:end]
        pos = end + 1
        if pos < len(text) and (text[pos] != "," or pos + 1 == len(text)):
            return None
        pos += 1
    if any("\\" in v for v in found.values()):
        return None
    return found


def _stamp(text: str) -> datetime | None:
    """A valid-after/valid-before time as OpenSSH's parse_absolute_time reads it: YYYYMMDD,
    YYYYMMDDHHMM or YYYYMMDDHHMMSS, then `Z` or `UTC` (or nothing: the local time of
    ssh-keygen, which runs with TZ=UTC). None for what it would refuse."""
    upper = text.upper()
    digits = text[:-1] if upper.endswith("Z") else text[:-3] if upper.endswith("UTC") else text
    if len(digits) not in (8, 12, 14) or not digits.isdigit() or not digits.isascii():
        return None
    year, month, day, hour, minute, second = (
        int(digits[a:b] or "0") for a, b in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:  # Feb 31: glibc would roll it over; ssh-keygen decides
        return None


def _window(options: dict[str, str]) -> tuple[datetime | None, datetime | None] | None:
    """(valid-after, valid-before), or None when ssh-keygen must judge the times."""
    bounds: list[datetime | None] = []
    for name in ("valid-after", "valid-before"):
        if name not in options:
            bounds.append(None)
            continue
        moment = _stamp(options[name])
        if moment is None or moment.timestamp() <= 0:
            return None
        bounds.append(moment)
    after, before = bounds
    if after is not None and before is not None and before <= after:
        return None  # OpenSSH refuses such a line
    return after, before


@dataclass(frozen=True)
class _Signer:
    """One allowed_signers line: principal patterns, options, the public key blob."""

    principals: str
    namespaces: str | None
    valid_after: datetime | None
    valid_before: datetime | None
    key_blob: bytes


def _parse_line(line: str) -> _Signer | None:
    """One allowed_signers line, or None for a line only ssh-keygen can judge."""
    fields = _split_signer_line(line)
    if len(fields) < 3 or '"' in fields[0] or len(fields[0]) > 1000:
        return None  # OpenSSH reads a quoted principals field its own way
    has_options = fields[1] not in KEY_TYPES
    options = _parse_options(fields[1]) if has_options else {}
    key_fields = fields[2:] if has_options else fields[1:]
    window = _window(options) if options is not None else None
    if options is None or window is None or len(key_fields) < 2 or \
            key_fields[0] not in KEY_TYPES:
        return None
    try:
        key_blob = base64.b64decode(key_fields[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    name = key_fields[0].encode()
    if key_blob[:4 + len(name)] != len(name).to_bytes(4, "big") + name:
        return None  # a blob of another type: ssh-keygen refuses the line
    return _Signer(fields[0], options.get("namespaces"), window[0], window[1], key_blob)


@functools.lru_cache(maxsize=4)
def _parse_signers(signers: str) -> tuple[_Signer | None, ...]:
    """The lines of an allowed_signers text, parsed once per run (a run verifies hundreds
    of records against the same list); None stands for a line only ssh-keygen can judge.
    Lines end at LF only, as ssh-keygen reads them; one with another control character
    (CR, form feed, ...) is left to it."""
    entries: list[_Signer | None] = []
    for raw in signers.split("\n"):
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        if not line.isprintable():
            entries.append(None)
            continue
        entries.append(_parse_line(line))
    return tuple(entries)


def _permits(entry: _Signer, principal: str, namespace: str, at: datetime) -> bool:
    """Whether a line that lists the signing key lets it sign as `principal`, in
    `namespace`, at `at` (whole seconds, as ssh-keygen's verify-time)."""
    if not _patterns_match(entry.principals, principal):
        return False
    if entry.namespaces is not None and not _patterns_match(entry.namespaces, namespace):
        return False
    if entry.valid_after is not None and at < entry.valid_after:
        return False
    return entry.valid_before is None or at <= entry.valid_before


def verify(signers: str, message: bytes, armored: str, principal: str, namespace: str,
           at: datetime) -> bool | None:
    """True or False as `ssh-keygen -Y verify` would answer; None to defer to ssh-keygen."""
    parsed = parse_signature(armored)
    if parsed is None:
        return None
    public, sig_namespace, hash_alg, signature = parsed
    if sig_namespace != namespace.encode() or hash_alg not in _HASHES:
        return False
    at = at.replace(microsecond=0)
    for entry in _parse_signers(signers):
        if entry is None:
            return None  # a line before any match that only ssh-keygen understands
        if entry.key_blob == public and _permits(entry, principal, namespace, at):
            break
    else:
        return False
    return _verify_key(public, signature, _signed_data(sig_namespace, hash_alg, message))
