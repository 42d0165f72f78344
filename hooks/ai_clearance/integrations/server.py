"""Server-side hooks: `pre-receive` (every pushed ref) and `update` (one ref) for self-hosted
git. Each ref's new commits are checked with the policy and trust files of the protected base
as it was before the push, never with anything the push brings."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ai_clearance.check import Request, run
from ai_clearance.detect.normalize import printable
from ai_clearance.errors import (
    EXIT_FINDINGS,
    EXIT_PASS,
    ClearanceError,
    ConfigError,
    GitError,
    UsageError,
)
from ai_clearance.git import gitio

_ZERO = re.compile(r"0{40}(?:0{24})?\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
PROTECTED_KEY = "aiClearance.protectedRef"
REPLACE_REFS = "refs/replace/"
_OBJECT_TYPES = frozenset({"commit", "tree", "blob", "tag"})


@dataclass(frozen=True)
class Update:
    """One `old new ref` line: a ref moving from `old` to `new` (all zeros: absent)."""

    ref: str
    old: str
    new: str

    @property
    def deletion(self) -> bool:
        return bool(_ZERO.match(self.new))

    @property
    def creation(self) -> bool:
        return bool(_ZERO.match(self.old))


@dataclass(frozen=True)
class Base:
    """The protected refs before the push: `trust` is the commit of the first one that
    exists, `trust_name` that ref (both None: none exists yet), `tips` the commits of all
    that exist."""

    trust: str | None
    trust_name: str | None
    tips: tuple[str, ...]
    names: tuple[str, ...] = ()


def parse_update(ref: str, old: str, new: str) -> Update:
    """An update as git hands it to a hook; UsageError when it is not one."""
    if not ref.startswith("refs/") or not (_SHA.match(old) and _SHA.match(new)):
        raise UsageError(f"bad ref update {ref!r} {old!r} {new!r}: expected full ref name "
                         "and two object ids")
    if _ZERO.match(old) and _ZERO.match(new):
        raise UsageError(f"bad ref update for {ref!r}: both object ids are zero")
    return Update(ref, old, new)


def read_updates(text: str) -> list[Update]:
    """The `old new ref` lines of pre-receive's standard input, all checked up front."""
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise UsageError("pre-receive expects 'old new ref' lines")
        old, new, ref = parts
        updates.append(parse_update(ref, old, new))
    return updates


# --------------------------------------------------------------------- git (server only)
# These helpers run git through gitio.run_git; they live here until gitio takes them.

def protected_refs(repo: gitio.Repo) -> list[str]:
    """Full names of the protected refs: git config aiClearance.protectedRef (every value),
    else the branch the repository's HEAD points to; [] when HEAD points to no branch."""
    out = gitio.run_git(["config", "--get-all", PROTECTED_KEY], cwd=repo.cwd, ok_codes=(0, 1))
    names = [n.strip() for n in out.decode("utf-8", "surrogateescape").splitlines()]
    for name in names:
        if not name.startswith("refs/") or _normalized_ref(repo, name) != name:
            raise ConfigError(f"git config {PROTECTED_KEY}: {name!r} is not a full ref name "
                              "(e.g. refs/heads/main)")
    if names:
        return names
    head = gitio.symbolic_target(repo, "HEAD")
    return [head] if head and head.startswith("refs/") else []


def _normalized_ref(repo: gitio.Repo, name: str) -> str:
    """`name` as git would spell it, or "" when it is no valid ref name (a pattern, say)."""
    out = gitio.run_git(["check-ref-format", "--normalize", name], cwd=repo.cwd,
                        ok_codes=(0, 1))
    return out.decode("utf-8", "surrogateescape").strip()


def object_types(repo: gitio.Repo, names: Sequence[str]) -> dict[str, tuple[str, str] | None]:
    """(id, type) of each object name (`SHA`, `SHA^{}` for the object a tag chain ends at),
    None for a name that names nothing, from one `git cat-file --batch-check`."""
    if not names:
        return {}
    stdin = "".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape")
    out = gitio.run_git(["cat-file", "--batch-check=%(objectname) %(objecttype)"],
                        cwd=repo.cwd, stdin=stdin)
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != len(names):
        raise GitError("git cat-file gave unexpected output")
    found: dict[str, tuple[str, str] | None] = {}
    for name, line in zip(names, lines, strict=True):
        sha, _, kind = line.rpartition(" ")
        # A name that names nothing comes back as `NAME missing` (or `ambiguous`).
        found[name] = (sha, kind) if kind in _OBJECT_TYPES and _SHA.match(sha) else None
    return found


# --------------------------------------------------------------------- the protected base
def protected_base(repo: gitio.Repo) -> Base:
    """The protected refs as they are now: call it once, before any ref has moved."""
    names = protected_refs(repo)
    tips = gitio.exact_refs(repo, names)
    peeled = object_types(repo, [f"{tips[n]}^{{}}" for n in names if n in tips])
    commits: list[tuple[str, str]] = []
    for name in (n for n in names if n in tips):
        found = peeled[f"{tips[name]}^{{}}"]
        if found is None or found[1] != "commit":
            raise GitError(f"protected ref {name} does not point at a commit")
        commits.append((name, found[0]))
    missing = [n for n in names if n not in tips]
    if (missing or not names) and _has_refs(repo):
        # A protected ref anyone could create would become the trust of every later push.
        wanted = ", ".join(missing) or "none: HEAD names no branch"
        raise ConfigError(f"protected ref {wanted} does not exist, but the repository has "
                          "other refs; on the server, point HEAD at the default branch (git "
                          f"symbolic-ref HEAD refs/heads/main) or set git config {PROTECTED_KEY}"
                          " to refs that exist; until then every push is refused")
    if not commits:  # an empty repository: its first push is checked against nothing
        return Base(trust=None, trust_name=None, tips=(), names=tuple(names))
    return Base(trust=commits[0][1], trust_name=commits[0][0],
                tips=tuple(dict.fromkeys(sha for _, sha in commits)), names=tuple(names))


def _has_refs(repo: gitio.Repo) -> bool:
    return bool(gitio.run_git(["for-each-ref", "--count=1"], cwd=repo.cwd).strip())


# --------------------------------------------------------------------- one ref
def _peel_names(update: Update) -> list[str]:
    names = [update.new, f"{update.new}^{{}}"]
    if not update.creation:
        names.append(f"{update.old}^{{}}")
    return names


def refusal(update: Update, types: dict[str, tuple[str, str] | None]) -> str | None:
    """Why a ref update is refused outright (a replace ref; a tree or blob, directly or
    through annotated tags), or None."""
    if update.ref.startswith(REPLACE_REFS):
        return (f"{printable(update.ref)} is a replace ref (git could show other content in "
                "place of an object)")
    peeled = types[f"{update.new}^{{}}"]
    if peeled is None:
        raise GitError(f"{printable(update.ref)}: object {update.new[:12]} is missing")
    if peeled[1] != "commit":
        return (f"{printable(update.ref)} points at a {peeled[1]}, not a commit (only commits "
                "are checked)")
    return None


def revs_for(update: Update, types: dict[str, tuple[str, str] | None], base: Base,
             ) -> tuple[str, ...]:
    """The commits to check: `old..new` for a moved ref; for a new ref, an annotated tag or an
    old value that is no commit, those of `new` that no protected ref reached."""
    new = types[f"{update.new}^{{}}"]
    assert new is not None
    raw = types[update.new]
    old = None if update.creation else types[f"{update.old}^{{}}"]
    if (raw is not None and raw[1] == "tag") or old is None or old[1] != "commit":
        return (new[0], "--not", *base.tips) if base.tips else (new[0],)
    return (new[0], f"^{old[0]}")


def request_for_update(update: Update, types: dict[str, tuple[str, str] | None], base: Base,
                       cwd: str) -> Request:
    """The check of one ref update, with trust from the protected base."""
    revs = revs_for(update, types, base)
    label = " ".join(r[:12] if _SHA.match(r) else r for r in revs)
    return Request(source="revs", revs=revs, trust_ref=base.trust, no_trust=base.trust is None,
                   enforce=True, at_commit_dates=False, branch=update.ref, cwd=cwd,
                   allow_empty=True, argument=f"{update.ref}: {label}")


def _check(repo: gitio.Repo, update: Update, types: dict[str, tuple[str, str] | None],
           base: Base) -> int:
    refused = refusal(update, types)
    if refused is not None:
        sys.stdout.write(f"ai-clearance: refused: {refused}\n")
        return EXIT_FINDINGS
    where = f"trust from {base.trust_name} at {base.trust[:12]}" if base.trust \
        else "no protected ref yet: default policy, no approvals"
    sys.stdout.write(f"ai-clearance: checking {printable(update.ref)} ({where})\n")
    return run(request_for_update(update, types, base, repo.cwd), out=sys.stdout,
               err=sys.stdout)


def check_updates(repo: gitio.Repo, updates: Sequence[Update], base: Base) -> int:
    """Check every update that is not a deletion; the worst exit code (0 when all pass).
    Deleting a protected ref is refused: the next ref to take its name would be trusted."""
    for gone in (u for u in updates if u.deletion and u.ref in base.names):
        sys.stdout.write(f"ai-clearance: refused: {printable(gone.ref)} is a protected ref; "
                         "only an administrator on the server deletes it\n")
        return EXIT_FINDINGS
    live = [u for u in updates if not u.deletion]
    types = object_types(repo, [name for u in live for name in _peel_names(u)])
    return max((_check(repo, u, types, base) for u in live), default=EXIT_PASS)


# --------------------------------------------------------------------- entry points
def _fail(exc: ClearanceError) -> int:
    sys.stdout.write(f"ai-clearance: error: {exc}\n")
    return exc.exit_code


def pre_receive(argv: Sequence[str] | None = None) -> int:
    """Read `old new ref` lines from stdin; reject the whole push if any ref fails."""
    try:
        repo = gitio.discover(".")
        updates = read_updates(sys.stdin.buffer.read().decode("utf-8", "surrogateescape"))
        base = protected_base(repo)  # before any ref moves: git updates refs after this hook
        worst = check_updates(repo, updates, base)
    except ClearanceError as exc:
        return _fail(exc)
    if worst == EXIT_FINDINGS:
        sys.stdout.write("ai-clearance: push rejected: remove the traces or ask a maintainer "
                         "for an approval on the protected branch\n")
    return worst


def update(argv: Sequence[str] | None = None) -> int:
    """The `update` hook: `update REF OLD NEW`, one ref at a time."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        sys.stdout.write("ai-clearance: error: usage: update REF OLD NEW\n")
        return UsageError.exit_code
    try:
        repo = gitio.discover(".")
        one = parse_update(*args)
        # REF has not moved yet, so a protected REF still reads as OLD. Refs updated earlier
        # in the same push have moved already (git runs this hook just before each ref's own
        # update): use pre-receive to check a whole push against one base.
        base = protected_base(repo)
        return check_updates(repo, [one], base)
    except ClearanceError as exc:
        return _fail(exc)
