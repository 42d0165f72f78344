"""Symlinks and submodules where an agent's folder would be, in every kind of check: a link
or a gitlink named `.claude` is that folder, and a symlinked folder (`.github -> gh`) is
judged by the files it brings under its name."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect import links
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.links import MAX_HOPS, Link, resolve_folders, through_links
from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from ai_clearance.model import PathChange
from conftest import AI_CLEARANCE, Repo, best_seconds, git, run_cli


def _link(target: str, name: str, *files: str) -> Callable[[Repo], list[str]]:
    """Files (committed first), then a symlink `name -> target`; returns what to add last."""
    def make(repo: Repo) -> list[str]:
        for path in files:
            repo.write(path)
        if files:
            repo.commit("Add files", *files)
        (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, repo.path / name)
        return [name]
    return make


def _chain(target: str, name: str, links: dict[str, str],
           *files: str) -> Callable[[Repo], list[str]]:
    """Like `_link`, with the `links` (name -> target) the chain passes through committed
    with the files first: a range holds only the last link, a tree all of them."""
    def make(repo: Repo) -> list[str]:
        for path in files:
            repo.write(path)
        for link, to in links.items():
            (repo.path / link).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(to, repo.path / link)
        repo.commit("Add files and links", *files, *links)
        return _link(target, name)(repo)
    return make


def _gitlink(name: str) -> Callable[[Repo], list[str]]:
    """A submodule entry (mode 160000) at `name`, staged with update-index (no .gitmodules)."""
    def make(repo: Repo) -> list[str]:
        repo.git("update-index", "--add", "--cacheinfo", f"160000,{repo.head()},{name}")
        return []
    return make


SETUPS: dict[str, tuple[Callable[[Repo], list[str]], str, str]] = {
    # name: (setup, rule, what the evidence says)
    "claude-symlink": (_link("tools/cfg", ".claude", "tools/cfg/settings.json"), "AIC102",
                       ".claude/ (symlink)"),
    "cursor-symlink": (_link("x", ".cursor", "x/rules/style.mdc"), "AIC109",
                       ".cursor/ (symlink)"),
    "github-symlink": (_link("gh", ".github", "gh/copilot-instructions.md", "gh/README.md"),
                       "AIC107", "symlink .github -> gh: .github/copilot-instructions.md"),
    "github-to-top": (_link(".", ".github", "copilot-instructions.md"), "AIC107",
                      "symlink .github -> .: .github/copilot-instructions.md"),
    "nested-symlink": (_link("../../docs/instructions", "pkg/.github/instructions",
                             "docs/instructions/py.instructions.md", "pkg/.github/x.txt"),
                       "AIC107", ".github/instructions/py.instructions.md"),
    "two-link-chain": (_chain("gh", ".github", {"gh": "gh2"}, "gh2/copilot-instructions.md",
                              "gh2/README.md"),
                       "AIC107", "symlink .github -> gh: .github/copilot-instructions.md"),
    "three-link-chain": (_chain("a", ".github", {"a": "b", "b": "sub/c"},
                                "sub/c/copilot-instructions.md"),
                         "AIC107", "symlink .github -> a: .github/copilot-instructions.md"),
    "chain-through-a-component": (_chain("a/b", ".github", {"a": "c"},
                                         "c/b/copilot-instructions.md", "a-not/b/x.md"),
                                  "AIC107",
                                  "symlink .github -> a/b: .github/copilot-instructions.md"),
    "claude-symlink-loop": (_chain("a", ".claude", {"a": "b", "b": "a"}), "AIC102",
                            ".claude/ (symlink)"),
    "claude-gitlink": (_gitlink(".claude"), "AIC102", ".claude/ (submodule)"),
    "cursor-gitlink": (_gitlink(".cursor"), "AIC109", ".cursor/ (submodule)"),
}


def _findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def _staged(repo: Repo, setup: Callable[[Repo], list[str]]) -> list[str]:
    added = setup(repo)
    if added:
        repo.git("add", "--", *added)
    return added


def _in_range(repo: Repo, setup: Callable[[Repo], list[str]]) -> str:
    """Commit the setup after a base commit (the files a link points at come before it);
    return the range of the link's commit alone."""
    _staged(repo, setup)
    base = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.commit("Add the link")
    return f"{base}..HEAD"


@pytest.mark.parametrize("name", SETUPS)
@pytest.mark.parametrize("source", ["range", "tree", "staged"])
def test_an_agent_folder_as_a_link_is_found(clean_repo: Repo, name: str, source: str) -> None:
    setup, rule, evidence = SETUPS[name]
    if source == "staged":
        _staged(clean_repo, setup)
        args = ["--staged"]
    else:
        spec = _in_range(clean_repo, setup)
        args = ["--range", spec] if source == "range" else ["--tree", "HEAD"]
    result = run_cli("check", *args, "--format", "json", cwd=clean_repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = [f for f in _findings(result) if f["rule"] == rule]
    assert len(found) == 1, _findings(result)
    assert evidence in found[0]["evidence"]
    # Attributed to the link itself: what `git rm --cached` removes.
    assert found[0]["path"] in {".claude", ".cursor", ".github", "pkg/.github/instructions"}
    if source == "range":
        assert found[0]["commit"] == clean_repo.head()


def _server(tmp_path: Path) -> Repo:
    """A bare repository with the pre-receive hook, and a clone whose main it holds."""
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec {AI_CLEARANCE} pre-receive\n", "utf-8")
    hook.chmod(0o755)
    clone = Repo(tmp_path / "clone")
    git(tmp_path, "clone", "-q", str(bare), str(clone.path))
    clone.commit("Initial commit", "README.md")
    assert clone.git("push", "-q", "origin", "main", check=False).returncode == 0
    return clone


@pytest.mark.parametrize("name", SETUPS)
def test_the_server_hook_refuses_an_agent_folder_as_a_link(tmp_path: Path, name: str) -> None:
    setup, rule, _ = SETUPS[name]
    clone = _server(tmp_path)
    _in_range(clone, setup)
    pushed = clone.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0 and rule in pushed.stderr, pushed.stderr


@pytest.mark.parametrize("setup", [
    _link("gh", ".github", "gh/README.md", "gh/workflows-notes.md"),
    _link("site/docs", "docs", "site/docs/gemini.md"),
    _link("../shared", "vendor/lib", "shared/x.py"),
    _gitlink("vendor/lib"),
], ids=["github-without-instructions", "docs", "vendor", "vendor-gitlink"])
def test_ordinary_links_pass(clean_repo: Repo, setup: Callable[[Repo], list[str]]) -> None:
    spec = _in_range(clean_repo, setup)
    for args in (["--range", spec], ["--tree", "HEAD"]):
        result = run_cli("check", *args, "--format", "json", cwd=clean_repo.path)
        assert result.returncode == 0 and _findings(result) == [], result.stdout


def test_the_tree_check_sees_a_file_added_later_below_a_symlinked_folder(
        clean_repo: Repo) -> None:
    """A range judges the links it changes; the file added below an older link's target is
    judged by its own path there. A check of the whole tree judges every link."""
    spec = _in_range(clean_repo, _link("gh", ".github", "gh/README.md"))
    assert run_cli("check", "--range", spec, cwd=clean_repo.path).returncode == 0
    clean_repo.commit("Instructions", "gh/copilot-instructions.md")
    result = run_cli("check", "--tree", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert [f["rule"] for f in _findings(result)] == ["AIC107"]


def test_a_link_pointing_at_an_agent_folder_is_found(clean_repo: Repo) -> None:
    os.symlink(".claude", clean_repo.path / "notes")
    clean_repo.commit("Link", "notes")
    result = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path)
    (finding,) = _findings(result)
    assert (finding["rule"], finding["path"]) == ("AIC102", "notes")
    assert finding["evidence"] == "symlink notes -> .claude"


def test_listing_through_links_is_bounded(clean_repo: Repo) -> None:
    clean_repo.commit("Files", "gh/a.md", "gh/b.md", "gh/sub/c.md")
    repo = gitio.discover(str(clean_repo.path))
    listed = [c.path for c in gitio.entries_below(repo, "HEAD", ["gh"], limit=3)]
    assert sorted(listed) == ["gh/a.md", "gh/b.md", "gh/sub/c.md"]
    with pytest.raises(GitError, match="more than 2 files below gh"):
        list(gitio.entries_below(repo, "HEAD", ["gh"], limit=2))
    clean_repo.git("add", "--", "README.md")
    staged = [c.path for c in gitio.entries_below(repo, None, ["gh/sub"], limit=3)]
    assert staged == ["gh/sub/c.md"]


def test_a_chain_that_cannot_be_resolved_stands_for_its_literal_target(
        clean_repo: Repo) -> None:
    """Loops, chains past MAX_HOPS and chains leaving the repository end cleanly, each
    folder resolving to itself, as a link with no chain did before."""
    links = {"loop1": "loop2", "loop2": "loop1", "out": "../../elsewhere", "abs": "/etc",
             "ok": "d1", **{f"d{i}": f"d{i + 1}" for i in range(1, MAX_HOPS)},
             **{f"e{i}": f"e{i + 1}" for i in range(1, MAX_HOPS + 2)}}
    for name, to in links.items():
        os.symlink(to, clean_repo.path / name)
    clean_repo.commit("Links", *links)
    repo = gitio.discover(str(clean_repo.path))
    folders = {"loop1", "loop1/x", "out", "abs", "ok", "e1", "plain/dir", ""}
    for tree in ("HEAD", None):
        resolved = resolve_folders(repo, tree, folders)
        assert resolved == {**{f: f for f in folders}, "ok": f"d{MAX_HOPS}"}, tree


def test_a_loop_back_to_an_agent_folder_ends_and_is_found(clean_repo: Repo) -> None:
    """`.claude -> b`, `b -> .claude`: a loop the resolution gives up on, not a pass; the
    tree has both links pointing at or named as .claude, the range the one it adds."""
    os.symlink(".claude", clean_repo.path / "b")
    clean_repo.commit("Link", "b")
    spec = _in_range(clean_repo, _link("b", ".claude"))
    for args, paths in ((["--range", spec], [".claude"]), (["--tree", "HEAD"], [".claude", "b"])):
        result = run_cli("check", *args, "--format", "json", cwd=clean_repo.path)
        assert result.returncode == 1, result.stderr
        assert sorted(f["path"] for f in _findings(result) if f["rule"] == "AIC102") == paths


# ------------------------------------------------------------ many links, one folder
def _imported(path: Path, files: list[str], links: dict[str, str]) -> gitio.Repo:
    """A repository made by fast-import (thousands of paths in a blink): a commit with
    `files`, then one with `links` (name -> target) on main."""
    git(path.parent, "init", "-q", "-b", "main", str(path))
    stream = [b"blob", b"mark :1", b"data 2", b"x\n"]
    marks: dict[str, int] = {}
    for target in dict.fromkeys(links.values()):
        marks[target] = len(marks) + 2
        data = target.encode()
        stream += [b"blob", b"mark :%d" % marks[target], b"data %d" % len(data), data]
    stream += [b"commit refs/heads/main", b"committer D <d@e.com> 0 +0000", b"data 5", b"files"]
    stream += [b"M 100644 :1 " + name.encode() for name in files]
    stream += [b"", b"commit refs/heads/main", b"committer D <d@e.com> 1 +0000", b"data 5",
               b"links"]
    stream += [b"M 120000 :%d %s" % (marks[to], name.encode()) for name, to in links.items()]
    subprocess.run(["git", "fast-import", "--quiet"], input=b"\n".join([*stream, b""]),
                   cwd=path, check=True, capture_output=True)
    return gitio.discover(str(path))


def _judged(repo: gitio.Repo, names: dict[str, str], folder: str) -> list[tuple[str, str]]:
    """(path, evidence) of what the links `names` (name -> target) to `folder` bring, as a
    range check calls it: every link of the head commit, listed in that commit."""
    head = git(Path(repo.toplevel or "."), "rev-parse", "main").stdout.strip()
    wanted = [(Link(PathChange(name, "0" * 40, "120000"), head, None, head), folder, to)
              for name, to in names.items()]
    found = through_links(repo, PathMatcher(load_catalog()), wanted)
    return sorted((f.path or "", f.evidence) for f in found)


def test_every_link_to_a_folder_gets_its_own_finding(clean_repo: Repo) -> None:
    """Links that share a context are matched once, and each still has its finding, with
    its own path in the evidence; a link of another context is judged on its own."""
    names = {f"d{i}/.github": "../gh" for i in range(30)}
    names.update({".github": "gh", "deep/er/.github": "../../gh", "D1/.github": "../gh"})
    clean_repo.commit("Instructions", "gh/copilot-instructions.md", "gh/README.md")
    for name, to in names.items():
        (clean_repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(to, clean_repo.path / name)
    clean_repo.commit("Links", *names)
    result = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path)
    found = sorted((f["path"], f["evidence"]) for f in _findings(result) if f["rule"] == "AIC107")
    expected = sorted((name, f"symlink {name} -> {to}: {name}/copilot-instructions.md")
                      for name, to in names.items())
    assert found == expected


# A rule that links' names tell apart: a root-anchored glob, an exclusion by a folder of the
# link's path (case-sensitive), and an exclusion whose name holds the " | " that joins globs.
_TELLING_RULE = (
    '[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "instructions"\n'
    'severity = "block"\ndescription = "d"\n'
    'paths = ["**/.github/notes/*.md", "top/.github/*.txt"]\n'
    'not_paths = ["keep/**", "a | b/**", "**/x[0-9]/**"]\n')


def test_links_a_rule_tells_apart_are_judged_apart(clean_repo: Repo, tmp_path: Path) -> None:
    config = tmp_path / "policy.toml"
    config.write_text(_TELLING_RULE, "utf-8")
    names = {"keep/.github": "../gh", "Keep/.github": "../gh", "other/.github": "../gh",
             "a | b/.github": "../gh", "a/.github": "../gh", "b/.github": "../gh",
             "top/.github": "../gh", "sub/top/.github": "../../gh", "x1/.github": "../gh",
             "xy/.github": "../gh"}
    clean_repo.commit("Notes", "gh/notes/a.md", "gh/t.txt")
    for name, to in names.items():
        (clean_repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(to, clean_repo.path / name)
    clean_repo.commit("Links", *names)
    result = run_cli("check", "--range", "HEAD", "--config", str(config), "--format", "json",
                     cwd=clean_repo.path)
    flagged = sorted({f["path"] for f in _findings(result) if f["rule"] == "ORG001"})
    assert flagged == ["Keep/.github", "a/.github", "b/.github", "other/.github",
                       "sub/top/.github", "top/.github", "xy/.github"]
    # One finding per rule and link: the first file listed that the rule matches.
    found = [f for f in _findings(result) if f["rule"] == "ORG001" and f["path"] == "top/.github"]
    assert [f["evidence"] for f in found] == [
        "symlink top/.github -> ../gh: top/.github/notes/a.md"]


def _seconds(repo: gitio.Repo, names: dict[str, str]) -> float:
    return best_seconds(lambda: _judged(repo, names, ""))


def test_judging_through_links_costs_the_tree_plus_the_links(tmp_path: Path) -> None:
    """`dK/.github -> ..` for K < n in a tree of 25n files: four times the files and the links
    cost about four times the time, not sixteen (100 links in 10,000 files took 4 minutes,
    each link listing and matching the whole tree again)."""
    def made(n: int) -> tuple[gitio.Repo, dict[str, str]]:
        names = {f"d{i}/.github": ".." for i in range(n)}
        return _imported(tmp_path / f"r{n}", [f"f/{i}" for i in range(25 * n)], names), names
    small, large = made(40), made(160)
    assert _judged(*small, "") == []  # nothing to find, every path judged: the worst case
    ratio = _seconds(*large) / _seconds(*small)
    assert ratio < 8, ratio


def test_what_links_bring_in_all_is_bounded(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the budget of a check the judgement fails (exit 3) rather than run for hours."""
    names = {f"d{i}/.github": ".." for i in range(3)}
    repo = _imported(tmp_path / "r", [f"f/{i}" for i in range(50)], names)
    assert _judged(repo, names, "") == []
    monkeypatch.setattr(links, "MATCHED_TOTAL", 20)
    with pytest.raises(GitError, match="more than 20 paths in all"):
        _judged(repo, names, "")
    monkeypatch.setattr(links, "MATCHED_TOTAL", 10**6)
    monkeypatch.setattr(links, "LISTED_TOTAL", 40)
    with pytest.raises(GitError, match="more than 40 files in all"):
        _judged(repo, names, "")
