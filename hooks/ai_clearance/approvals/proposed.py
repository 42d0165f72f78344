"""Trust files a change proposes must load before they can take effect, and a trusted one that
does not load names the way out. A broken policy, maintainers file or record that reached the
protected branch would stop every later check, its own fix included."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from ai_clearance.approvals.trustfiles import (
    APPROVALS_DIR,
    POLICY_FILE,
    POLICY_PATHS,
    PYPROJECT,
    REVOCATIONS_DIR,
    SIGNERS_FILE,
    TOKENS_DIR,
    TRUST_DIR,
    TrustFiles,
)
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import mentions_policy, policy_from_text, policy_from_texts
from ai_clearance.errors import ClearanceError, ConfigError
from ai_clearance.git import gitio

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# The sources that review a change: what it would commit or merge is checked here.
SOURCES = frozenset({"staged", "range", "revs", "pushed"})
_REGULAR = ("100644", "100755")  # trustfiles.files_at reads no symlink or submodule either
# How a top-level trust path shows in a `diff-index -z --raw` output (NUL before the path).
_STAGED_NEEDLES = (*(b"\0%s\0" % p.encode() for p in POLICY_PATHS),
                   b"\0%s/" % TRUST_DIR.encode())
_TOML_AT = re.compile(r" \(at line (\d+), column (\d+)\)\Z")
_TOML_AT_END = " (at end of document)"
_LINE_AT = re.compile(r":(\d+):")  # sshsig.validate_signers: `FILE:LINE: what`
_WAY_OUT = (
    "nothing can be checked against it, not even its fix. Way out: a maintainer puts the fix "
    "on the protected branch without this check (pushes it directly, or merges it with an "
    "admin bypass of the required check; behind the server hook, pushes with the hook off); "
    "meanwhile a developer can check locally with ")
_LOCALLY = {  # a policy given with --config replaces only the policy
    True: "--trust-ref naming a commit whose trust files load, or --config FILE (in hooks: "
          "AI_CLEARANCE_TRUST_REF, AI_CLEARANCE_CONFIG)",
    False: "--trust-ref naming a commit whose trust files load (in hooks: "
           "AI_CLEARANCE_TRUST_REF)",
}


@dataclass(frozen=True)
class Problem:
    """Why one trust file would not load: what is wrong, and on which line if known."""

    path: str
    detail: str
    line: int | None = None

    def what(self) -> str:
        return f"line {self.line}: {self.detail}" if self.line is not None else self.detail

    def render(self) -> str:
        return f"{self.path}: {self.what()}"


@dataclass(frozen=True)
class Proposal:
    """Trust files as a change leaves them (path -> content) and those it adds or edits."""

    files: dict[str, bytes]
    changed: list[str]


def is_trust_path(path: str) -> bool:
    """Whether `path` is read as policy or trust (trustfiles.files_at reads the same)."""
    return path in POLICY_PATHS or path.startswith(TRUST_DIR + "/")


def _changed(found: dict[str, str], trusted: TrustFiles) -> list[str]:
    """Paths whose blob (path -> blob id in `found`) is not the trusted one, and trusted
    paths the change deletes (a deleted revocation revives what it revoked)."""
    edited = [p for p, blob in found.items() if trusted.files.get(p, ("", b""))[0] != blob]
    deleted = [f"{p} (deleted)" for p in trusted.files if p not in found]
    return sorted(edited + deleted)


def at_commit(repo: gitio.Repo, tip: str, trusted: TrustFiles) -> Proposal:
    """The trust files of the commit a range or push ends at."""
    found = gitio.read_small_files(repo, tip, [*POLICY_PATHS, TRUST_DIR])
    found = {p: v for p, v in found.items() if is_trust_path(p)}
    return Proposal({p: c for p, (_, c) in found.items()},
                    _changed({p: b for p, (b, _) in found.items()}, trusted))


def in_index(repo: gitio.Repo, staged_diff: bytes) -> Proposal:
    """The trust files the next commit adds or edits: those of the staged diff (index
    against HEAD), read from the index. Nothing more is read unless one is there."""
    if not any(needle in staged_diff for needle in _STAGED_NEEDLES):
        return Proposal({}, [])  # the common case: a search of the diff git already gave
    changes = [c for c in gitio.staged_changes(staged_diff)[0]
               if is_trust_path(c.path) and c.mode in _REGULAR]
    changed = sorted(c.path for c in changes)
    if set(changed) & set(POLICY_PATHS):  # judged with its sibling: both at once is an error
        changes += [e for e in gitio.index_files(repo, POLICY_PATHS)
                    if e.path not in changed and e.mode in _REGULAR]
    found = gitio.read_small_blobs(repo, changes, "in the index")
    return Proposal({p: c for p, (_, c) in found.items()}, changed)


# --------------------------------------------------------------------- one file each
def _problem(path: str, message: str) -> Problem:
    """A parser's ConfigError message (`path: what` or `path:LINE: what`) as a Problem."""
    detail = message[len(path):] if message.startswith(path) else message
    line = None
    match = _LINE_AT.match(detail)
    if match:
        line, detail = int(match.group(1)), detail[match.end():]
    return Problem(path, detail.lstrip(": ").strip() or message, line)


def _attempt(path: str, parse: Callable[[], object]) -> Problem | None:
    try:
        parse()
    except ClearanceError as exc:
        return _problem(path, str(exc))
    return None


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _toml_problem(path: str, text: str) -> Problem | None:
    """A TOML syntax error, with the line tomllib names."""
    from ai_clearance.catalog.rules import parse_toml

    problem = _attempt(path, lambda: parse_toml(text, path))
    if problem is None:
        return None
    if problem.detail.endswith(_TOML_AT_END):  # a value or bracket left open
        return Problem(path, problem.detail[:-len(_TOML_AT_END)] + " (the file ends first)",
                       max(1, len(text.splitlines())))
    match = _TOML_AT.search(problem.detail)
    if match is None:
        return problem
    return Problem(path, f"{problem.detail[:match.start()]} (column {match.group(2)})",
                   int(match.group(1)))


def _signers_problem(path: str, text: str) -> Problem | None:
    from ai_clearance.approvals.sshsig import validate_signers

    return _attempt(path, lambda: validate_signers(text, path)) if text else None


def _record_problem(path: str, text: str) -> Problem | None:
    """An approval or revocation file: JSON (with json's own line for a syntax error), then
    the record's form. Its signature is not verified: the record is not trusted yet."""
    import json

    from ai_clearance.approvals.records import (
        approval_from_payload,
        read_record_file,
        revocation_from_payload,
    )

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Problem(path, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
    except RecursionError:
        return Problem(path, "not valid JSON: nested too deeply", None)
    approval = path.startswith(APPROVALS_DIR + "/")
    kind = "approval" if approval else "revocation"
    validate = approval_from_payload if approval else revocation_from_payload
    return _attempt(path, lambda: validate(
        read_record_file(text.encode("utf-8"), kind, path).payload, path))


def _token_problem(path: str, text: str) -> Problem | None:
    from ai_clearance.approvals.records import decode_token, token_from_payload

    return _attempt(path, lambda: token_from_payload(decode_token(text, path).payload, path))


def _checker(path: str) -> Callable[[str, str], Problem | None] | None:
    """How the trusted side reads `path` (trust.build_trust); None: it does not."""
    if path == SIGNERS_FILE:
        return _signers_problem
    if path.startswith((APPROVALS_DIR + "/", REVOCATIONS_DIR + "/")):
        return _record_problem
    if path.startswith(TOKENS_DIR + "/"):
        return _token_problem
    return None


# --------------------------------------------------------------------- the policy
def _has_table(pyproject: str) -> bool:
    """Whether a pyproject.toml text parses and has a [tool.ai-clearance] table."""
    from ai_clearance.catalog.rules import parse_toml

    try:
        tool = parse_toml(pyproject, PYPROJECT).get("tool")
    except ClearanceError:
        return False
    return isinstance(tool, dict) and "ai-clearance" in tool


def _policy_problems(files: dict[str, bytes], trusted_table: bool) -> list[Problem]:
    """The policy the files define, read as the trusted side reads it. A pyproject.toml that
    does not parse is judged only if it seems to hold [tool.ai-clearance] or the trusted
    one has that table (policy.policy_from_text ignores any other: not ours to judge)."""
    texts = {p: _text(files[p]) for p in POLICY_PATHS if p in files}
    broken = [Problem(p, "not valid UTF-8") for p, t in texts.items() if t is None]
    if broken:
        return broken
    own, pyproject = texts.get(POLICY_FILE), texts.get(PYPROJECT)
    catalog = load_catalog()
    if own is not None:
        found = _toml_problem(POLICY_FILE, own) or _attempt(
            POLICY_FILE, lambda: policy_from_text(own, POLICY_FILE, catalog, pyproject=False))
        if found is not None:
            return [found]
    if pyproject is not None:
        judged = trusted_table or mentions_policy(pyproject)
        found = (_toml_problem(PYPROJECT, pyproject) if judged else None) or _attempt(
            PYPROJECT, lambda: policy_from_text(pyproject, PYPROJECT, catalog, pyproject=True))
        if found is not None:
            return [found]
        if own is not None and _has_table(pyproject):
            return [Problem(POLICY_FILE, "pyproject.toml has a [tool.ai-clearance] table too; "
                                         "keep one policy")]
    # Whatever else the trusted side would refuse (the checks above name the file better).
    found = _attempt(POLICY_FILE, lambda: policy_from_texts(catalog, own, pyproject, ""))
    return [found] if found is not None else []


def problems(files: dict[str, bytes], paths: list[str], trusted_table: bool = False,
             ) -> list[Problem]:
    """Why the trust files among `paths` (contents in `files`) would not load, in order."""
    found = _policy_problems(files, trusted_table) if set(paths) & set(POLICY_PATHS) else []
    for path in paths:
        check = _checker(path)
        if check is None or path not in files:
            continue
        text = _text(files[path])
        problem = Problem(path, "not valid UTF-8") if text is None else check(path, text)
        if problem is not None:
            found.append(problem)
    return found


# --------------------------------------------------------------------- the check's side
def checked_changes(repo: gitio.Repo, head: str | None, staged_diff: bytes | None,
                    trusted: TrustFiles) -> list[str]:
    """The trust files a change adds or edits (the staged ones, else those of `head` that
    differ from trust); a ConfigError (exit 2) naming each one that would not load."""
    if staged_diff is not None:
        proposal = in_index(repo, staged_diff)
    elif head:
        proposal = at_commit(repo, head, trusted)
    else:
        return []
    trusted_pyproject = trusted.files.get(PYPROJECT, ("", b""))[1]
    found = problems(proposal.files, proposal.changed,
                     _has_table(_text(trusted_pyproject) or "")) if proposal.changed else []
    if found:
        raise ConfigError("this change breaks " + "; and ".join(p.render() for p in found)
                          + "; fix it in the change: once merged, a trust file that does not "
                            "load stops every check")
    return proposal.changed


@contextlib.contextmanager
def judged_by(trusted: TrustFiles, policy: bool) -> Iterator[None]:
    """Turn an error reading a trusted file (the policy, or with `policy` false the
    .ai-clearance/ files) into one that names it and says how a maintainer gets out."""
    try:
        yield
    except ClearanceError:
        paths = [p for p in trusted.files if is_trust_path(p) and
                 (p in POLICY_PATHS) == policy]
        found = problems({p: c for p, (_, c) in trusted.files.items()}, sorted(paths))
        if not found:
            raise
        raise ConfigError(f"the trusted {found[0].path} at {trusted.label} is broken: "
                          f"{found[0].what()}; " + _WAY_OUT + _LOCALLY[policy]) from None
