"""Where trust comes from: the policy and .ai-clearance/ files of one trusted commit."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ai_clearance.errors import ConfigError, GitError
from ai_clearance.git import gitio
from ai_clearance.localfiles import is_link_or_special, read_regular

TRUST_DIR = ".ai-clearance"
SIGNERS_FILE = ".ai-clearance/maintainers"
APPROVALS_DIR = ".ai-clearance/approvals"
REVOCATIONS_DIR = ".ai-clearance/revocations"
TOKENS_DIR = ".ai-clearance/tokens"
POLICY_FILE = ".ai-clearance.toml"
PYPROJECT = "pyproject.toml"
POLICY_PATHS = (POLICY_FILE, PYPROJECT)
EXPLICIT_TOKEN_SOURCES = frozenset({"--token", "AI_CLEARANCE_TOKEN"})
_TOKEN_TRAILER = re.compile(r"^ai-clearance-token[ \t]*:[ \t]*(\S+)[ \t]*$",
                            re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class TrustFiles:
    """The policy and trust files of one trusted commit (or of a work tree)."""

    label: str
    commit: str | None
    files: dict[str, tuple[str, bytes]]

    def text(self, path: str) -> str | None:
        entry = self.files.get(path)
        if entry is None:
            return None
        try:
            return entry[1].decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{path} ({self.label}): not valid UTF-8") from None

    def under(self, directory: str) -> list[str]:
        return sorted(p for p in self.files if p.startswith(directory + "/"))


NO_TRUST = TrustFiles(label="nothing (default policy, no approvals)", commit=None, files={})
NO_TRUSTED_BASE = ("no trusted base to read policy and approvals from: pass --trust-ref with "
                   "the protected branch (e.g. --trust-ref refs/remotes/origin/main), or run "
                   "`git remote set-head origin --auto`")


def trust_ref(repo: gitio.Repo, explicit: str | None, enforce: bool = False,
              remote: str = "origin", pushing: bool = False) -> str | None:
    """Which ref trust comes from: `explicit`, else the remote's default branch
    (refs/remotes/origin/HEAD). Only a local check (`enforce` false) may fall back to HEAD;
    a check of commits in CI or a push hook has no fallback: HEAD is the change itself.
    None: `pushing` to a remote that has no branch at all yet, so nothing is trusted."""
    if explicit:
        return explicit
    upstream = gitio.symbolic_target(repo, f"refs/remotes/{remote}/HEAD")
    if upstream:
        return upstream
    if not enforce:
        return "HEAD"
    if pushing and not gitio.run_git(["for-each-ref", "--count=1", f"refs/remotes/{remote}/"],
                                     cwd=repo.cwd).strip():
        return None
    raise GitError(NO_TRUSTED_BASE.replace("origin", remote))


def files_at(repo: gitio.Repo, ref: str, explicit: bool = True) -> TrustFiles:
    """Policy and trust files as committed at `ref`, resolved exactly (a tag cannot stand
    in for a branch). A `ref` the user did not name (the default HEAD) may be unborn:
    there is then nothing to trust yet."""
    commit = gitio.resolve_ref_exactly(repo, ref)
    if commit is None:
        if not explicit:
            return TrustFiles(label="no commits yet", commit=None, files={})
        raise GitError(f"cannot resolve trust ref '{ref}' to a commit")
    files = gitio.read_small_files(repo, commit, [*POLICY_PATHS, TRUST_DIR])
    files = {p: v for p, v in files.items() if p in POLICY_PATHS or p.startswith(TRUST_DIR + "/")}
    return TrustFiles(label=f"{ref} ({commit[:12]})", commit=commit, files=files)


class FilesPrefetch(gitio.OnThread):
    """`files_at` of the trust ref a check uses, read on a thread: its three or four short
    gits answer while the catalog loads and the path filter is built."""

    def __init__(self, repo: gitio.Repo, explicit: str | None, enforce: bool = False,
                 remote: str = "origin", pushing: bool = False) -> None:
        self._repo = repo
        self._explicit = explicit
        self._enforce = enforce
        self._remote = remote
        self._pushing = pushing
        self._files = TrustFiles(label="no commits yet", commit=None, files={})
        super().__init__()

    def _work(self) -> None:
        ref = trust_ref(self._repo, self._explicit, self._enforce, self._remote,
                        self._pushing)
        self._files = NO_TRUST if ref is None else \
            files_at(self._repo, ref, explicit=ref != "HEAD")

    def result(self) -> TrustFiles:
        """The files; the error reading them met (an unresolvable --trust-ref, say)."""
        self._join()
        return self._files


def files_in_dir(root: str) -> TrustFiles:
    """Policy and trust files of a work tree (what a maintainer is editing): regular files
    only; a symlink, FIFO or device among them is an error naming it, never followed or
    waited on."""
    files: dict[str, tuple[str, bytes]] = {}
    for rel in POLICY_PATHS:
        data = _read_in_tree(root, rel, -1)
        if data is not None:
            files[rel] = ("", data)
    for rel in _files_under(root, TRUST_DIR):
        data = _read_in_tree(root, rel, 1 << 20)
        if data is not None:
            files[rel] = ("", data)
    return TrustFiles(label="work tree", commit=None, files=files)


def _read_in_tree(root: str, rel: str, limit: int) -> bytes | None:
    try:
        return read_regular(os.path.join(root, rel), limit)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{rel} (work tree): cannot read: {exc.strerror}") from None


def _files_under(root: str, top: str) -> list[str]:
    """Work-tree paths (relative, '/'-separated) of the files below `top`; a symlinked
    directory is an error (it could lead out of the tree)."""
    base = os.path.join(root, top)
    if not os.path.lexists(base):
        return []
    special = is_link_or_special(base)
    if special is not None:
        raise ConfigError(f"{top} (work tree): cannot read: {special}")
    found: list[str] = []

    def refuse(exc: OSError) -> None:
        raise ConfigError(f"{top} (work tree): cannot read: {exc.strerror}")

    for folder, dirs, names in os.walk(base, onerror=refuse):
        for name in dirs:
            special = is_link_or_special(os.path.join(folder, name))
            if special is not None:
                rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
                raise ConfigError(f"{rel} (work tree): cannot read: {special}")
        found.extend(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
                     for name in names)
    return sorted(found)


def tokens_in_message(message: str) -> list[str]:
    """Values of `AI-Clearance-Token:` trailers (tokens are case-sensitive: read raw)."""
    return _TOKEN_TRAILER.findall(message.replace("\r\n", "\n"))
