"""Server-side hooks in a real bare repository, and the GitLab CI snippet of docs/ci.md."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import AI_CLEARANCE, MAINTAINER, ROOT, Repo, git, make_key, signer_line

ZERO = "0" * 40
PERMISSIVE = "restricted = []\n"  # every assistant allowed: what an attacker's branch wants


def _bare_with_hook(tmp_path: Path, name: str, hook: str, command: str) -> tuple[Path, Repo]:
    """A bare repository running `command` as its `hook`, and an empty clone of it."""
    bare = tmp_path / f"{name}.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    script = bare / "hooks" / hook
    script.write_text(f"#!/bin/sh\nexec {AI_CLEARANCE} {command}\n", "utf-8")
    script.chmod(0o755)
    clone = Repo(tmp_path / f"{name}-clone")
    git(tmp_path, "clone", "-q", str(bare), str(clone.path))
    return bare, clone


HOOKS = {"pre-receive": "pre-receive", "update": 'update "$@"'}


@dataclass
class Server:
    """A bare repository with one of the hooks installed, and a clone that pushes to it."""

    bare: Path
    clone: Repo
    hook: str

    def refs(self) -> str:
        """Every ref of the server and what it points to."""
        return git(self.bare, "for-each-ref", "--format=%(refname) %(objectname)").stdout

    def push(self, *refspecs: str) -> subprocess.CompletedProcess[str]:
        return self.clone.git("push", "origin", *refspecs, check=False)

    def accepted(self, *refspecs: str) -> subprocess.CompletedProcess[str]:
        result = self.push(*refspecs)
        assert result.returncode == 0, result.stderr
        return result

    def rejected(self, *refspecs: str) -> subprocess.CompletedProcess[str]:
        """Push, and assert the push failed and no ref of the server moved."""
        before = self.refs()
        result = self.push(*refspecs)
        assert result.returncode != 0, result.stderr
        assert self.refs() == before
        assert "Traceback" not in result.stderr
        return result

    def push_unchecked(self, *refspecs: str) -> None:
        """Push with the hook switched off: refs that reached the server before the hook was
        installed (or under an approval revoked since)."""
        script = self.bare / "hooks" / self.hook
        script.rename(script.with_suffix(".off"))
        try:
            self.accepted(*refspecs)
        finally:
            script.with_suffix(".off").rename(script)

    def config(self, *args: str) -> None:
        git(self.bare, "config", *args)


def _server(tmp_path: Path, hook: str) -> Server:
    bare, clone = _bare_with_hook(tmp_path, "s", hook, HOOKS[hook])
    return Server(bare, clone, hook)


@pytest.fixture(params=list(HOOKS))
def any_server(request: pytest.FixtureRequest, tmp_path: Path) -> Server:
    """An empty server with the pre-receive hook, then with the update hook."""
    return _server(tmp_path, request.param)


def _with_main(server: Server) -> Server:
    server.clone.commit("Initial commit", "README.md")
    server.accepted("main")
    return server


@pytest.fixture
def hooked(any_server: Server) -> Server:
    """`any_server` whose main holds one clean commit (pushed through the hook)."""
    return _with_main(any_server)


@pytest.fixture
def pre_receive_hooked(tmp_path: Path) -> Server:
    """`hooked`, with the pre-receive hook only."""
    return _with_main(_server(tmp_path, "pre-receive"))


@pytest.fixture
def server(tmp_path: Path) -> tuple[Path, Repo, Path]:
    """A bare repository with the pre-receive hook installed, a clone, and a maintainer key."""
    bare, clone = _bare_with_hook(tmp_path, "server", "pre-receive", "pre-receive")
    key = make_key(tmp_path, "maintainer")
    clone.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clone.commit("Initial commit", ".ai-clearance/maintainers", "README.md")
    pushed = clone.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return bare, clone, key


def _agent_branch(clone: Repo, name: str = "agent") -> str:
    """A branch off main with one commit adding CLAUDE.md; main is checked out again."""
    clone.git("checkout", "-q", "-b", name, "main")
    sha = clone.commit("memory", "CLAUDE.md")
    clone.git("checkout", "-q", "main")
    return sha


def _blob_of_claude_md(clone: Repo) -> str:
    clone.write("CLAUDE.md", "instructions\n")
    return clone.git("hash-object", "-w", "CLAUDE.md").stdout.strip()


def test_clean_push_is_accepted_and_a_trace_rejected(server: tuple[Path, Repo, Path]) -> None:
    bare, clone, _ = server
    clone.git("checkout", "-q", "-b", "clean")
    clone.commit("work", "src/a.py")
    assert clone.git("push", "-q", "origin", "clean", check=False).returncode == 0
    clone.git("checkout", "-q", "-b", "agent")
    clone.commit("memory", "CLAUDE.md")
    rejected = clone.git("push", "origin", "agent", check=False)
    assert rejected.returncode != 0
    assert "remote: " in rejected.stderr and "AIC101" in rejected.stderr
    assert "push rejected" in rejected.stderr
    assert git(bare, "rev-parse", "--verify", "-q", "agent", check=False).returncode != 0


def test_approval_on_the_target_branch_lets_the_push_in(server: tuple[Path, Repo, Path]) -> None:
    _, clone, key = server
    clone.git("checkout", "-q", "-b", "agent")
    clone.commit("memory", "CLAUDE.md")
    assert clone.git("push", "origin", "agent", check=False).returncode != 0
    clone.git("checkout", "-q", "main")
    made = subprocess.run([AI_CLEARANCE, "approve", "--key", str(key), "--signer", MAINTAINER,
                           "--author", "jane@example.com", "--assistant", "claude",
                           "--expires", "30d", "--reason", "pilot"], cwd=clone.path, text=True,
                          capture_output=True, check=False)
    assert made.returncode == 0, made.stderr
    clone.git("add", ".ai-clearance")
    clone.git("commit", "-q", "-m", "Approve Jane for Claude")
    assert clone.git("push", "-q", "origin", "main", check=False).returncode == 0
    accepted = clone.git("push", "origin", "agent", check=False)
    assert accepted.returncode == 0, accepted.stderr


def test_update_of_an_existing_branch_checks_only_new_commits(
        server: tuple[Path, Repo, Path]) -> None:
    _, clone, _ = server
    clone.commit("more", "src/b.py")
    assert clone.git("push", "-q", "origin", "main", check=False).returncode == 0
    clone.commit("Fix\n\nMade-with: Cursor")
    rejected = clone.git("push", "origin", "main", check=False)
    assert rejected.returncode != 0 and "AIC412" in rejected.stderr


def test_deletions_and_tags(server: tuple[Path, Repo, Path]) -> None:
    _, clone, _ = server
    clone.git("checkout", "-q", "-b", "temp")
    clone.commit("x", "src/x.py")
    assert clone.git("push", "-q", "origin", "temp", check=False).returncode == 0
    assert clone.git("push", "-q", "origin", "--delete", "temp", check=False).returncode == 0
    clone.git("tag", "-a", "v1", "-m", "release", "main")
    assert clone.git("push", "-q", "origin", "v1", check=False).returncode == 0


def test_update_hook(tmp_path: Path) -> None:
    bare, clone = _bare_with_hook(tmp_path, "u", "update", 'update "$@"')
    clone.commit("ok", "a.txt")
    clone.git("checkout", "-q", "-b", "bad")
    clone.commit("bad", ".codex/config.toml")
    clone.git("checkout", "-q", "main")
    result = clone.git("push", "origin", "main", "bad", check=False)
    assert result.returncode != 0
    assert git(bare, "rev-parse", "--verify", "-q", "main", check=False).returncode == 0
    assert git(bare, "rev-parse", "--verify", "-q", "bad", check=False).returncode != 0
    assert "AIC106" in result.stderr


def test_bad_input_lines(server: tuple[Path, Repo, Path]) -> None:
    bare, _, _ = server
    result = subprocess.run([AI_CLEARANCE, "pre-receive"], cwd=bare, input="not a line\n",
                            text=True, capture_output=True, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr



# ------------------------------------------------------------------------ what a push adds
@pytest.mark.parametrize("how", ["fast-forward", "merge"])
def test_main_cannot_take_in_a_branch_already_on_the_server(hooked: Server, how: str) -> None:
    # Attack (a): the branch's commits are reachable from a ref, so `new --not --all` saw none.
    clone = hooked.clone
    _agent_branch(clone)
    hooked.push_unchecked("agent")
    if how == "merge":
        clone.commit("main moves on", "src/m.py")
        hooked.accepted("main")
        clone.git("merge", "-q", "--no-ff", "-m", "Merge agent", "agent")
    else:
        clone.git("merge", "-q", "--ff-only", "agent")
    assert "AIC101" in hooked.rejected("main").stderr


@pytest.mark.parametrize("how", ["ours", "commit-tree"])
def test_a_merge_cannot_bring_back_a_trace_main_removed(hooked: Server, how: str) -> None:
    # Main once had CLAUDE.md (before the hook, or under a revoked approval), then lost it. A
    # merge with that old commit as a parent restores it: its own combined diff shows
    # nothing, as the file equals one parent's, so only the tree the push brings has it.
    clone = hooked.clone
    old = clone.commit("memory", "CLAUDE.md")
    clone.git("rm", "-q", "CLAUDE.md")
    clone.commit("forget it")
    hooked.push_unchecked("main")
    tip = clone.head()
    if how == "ours":
        clone.git("checkout", "-q", "--detach", old)
        clone.git("merge", "-q", "-s", "ours", "--no-edit", tip)
    else:
        clone.git("read-tree", tip)
        blob = clone.git("rev-parse", f"{old}:CLAUDE.md").stdout.strip()
        clone.git("update-index", "--add", "--cacheinfo", f"100644,{blob},CLAUDE.md")
        tree = clone.git("write-tree").stdout.strip()
        merge = clone.git("commit-tree", tree, "-p", tip, "-p", old, "-m", "Merge").stdout
        clone.git("reset", "-q", "--hard", merge.strip())
    assert clone.git("log", "-1", "--cc", "--raw", "--format=").stdout.strip() == ""
    rejected = hooked.rejected("HEAD:main").stderr
    assert "AIC101" in rejected and "not in any one commit's own diff" in rejected


def test_main_takes_in_a_clean_branch_already_on_the_server(hooked: Server) -> None:
    clone = hooked.clone
    clone.git("checkout", "-q", "-b", "clean")
    clone.commit("work", "src/a.py")
    hooked.accepted("clean")
    hooked.accepted("clean:main")
    assert git(hooked.bare, "rev-parse", "main").stdout.strip() == clone.head()


def test_a_branch_never_trusts_its_own_policy(hooked: Server) -> None:
    # Attack (b): a permissive policy on the branch, then a trace on it, then main follows.
    clone = hooked.clone
    clone.git("checkout", "-q", "-b", "evil")
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    hooked.accepted("evil")  # a policy edit is no trace: it only takes effect on main
    clone.commit("memory", "CLAUDE.md")
    assert "AIC101" in hooked.rejected("evil").stderr
    assert "AIC101" in hooked.rejected("evil:main").stderr


def test_a_push_to_main_never_trusts_its_own_policy(hooked: Server) -> None:
    # With the update hook too, main's trust is its tip before the push (its OLD).
    clone = hooked.clone
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    clone.commit("memory", "CLAUDE.md")
    result = hooked.rejected("main")
    assert "AIC101" in result.stderr
    assert "trust from refs/heads/main" in result.stderr


def test_a_new_branch_is_checked_against_the_protected_refs_only(hooked: Server) -> None:
    # Every commit of the new branch is already on `agent`, which is not protected.
    _agent_branch(hooked.clone)
    hooked.push_unchecked("agent")
    assert "AIC101" in hooked.rejected("agent:refs/heads/copy").stderr


def test_an_annotated_tag_is_checked_like_a_new_ref(hooked: Server) -> None:
    clone = hooked.clone
    clone.git("tag", "-a", "-m", "release", "v1", "main")
    hooked.accepted("v1")
    _agent_branch(clone)
    clone.git("tag", "-a", "-m", "agent work", "v2", "agent")
    assert "AIC101" in hooked.rejected("v2").stderr


def test_deleting_a_branch_with_a_trace_is_not_checked(hooked: Server) -> None:
    _agent_branch(hooked.clone)
    hooked.push_unchecked("agent")
    hooked.accepted("--delete", "agent")


# ------------------------------------------------------------------------ refused refs
def test_a_tag_of_a_tree_is_refused(hooked: Server) -> None:
    clone = hooked.clone
    blob = _blob_of_claude_md(clone)
    listing = f"100644 blob {blob}\tCLAUDE.md\n"
    tree = subprocess.run(["git", "mktree"], cwd=clone.path, input=listing, text=True,
                          capture_output=True, check=True).stdout.strip()
    clone.git("tag", "snapshot", tree)
    result = hooked.rejected("refs/tags/snapshot")
    assert "refused: refs/tags/snapshot points at a tree, not a commit" in result.stderr


def test_a_nested_annotated_tag_of_a_blob_is_refused(hooked: Server) -> None:
    clone = hooked.clone
    clone.git("tag", "-a", "-m", "inner", "inner", _blob_of_claude_md(clone))
    clone.git("tag", "-a", "-m", "outer", "outer", "inner")
    result = hooked.rejected("refs/tags/outer")
    assert "refused: refs/tags/outer points at a blob, not a commit" in result.stderr


def test_a_replace_ref_is_refused(hooked: Server) -> None:
    # Both commits are clean and on main already: the replace ref itself is what is refused.
    clone = hooked.clone
    first = clone.head()
    clone.commit("second", "src/b.py")
    hooked.accepted("main")
    clone.git("replace", first, "main")
    result = hooked.rejected(f"refs/replace/{first}")
    assert f"refused: refs/replace/{first} is a replace ref" in result.stderr


# ------------------------------------------------------------------------ where trust comes from
def test_trust_comes_from_the_configured_protected_ref(any_server: Server) -> None:
    any_server.config("aiClearance.protectedRef", "refs/heads/release")
    clone = any_server.clone
    clone.commit("Initial commit", "README.md")
    any_server.push_unchecked("main:release", "main")  # the administrator creates them
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    any_server.accepted("main")  # HEAD's branch is permissive now, release is not
    _agent_branch(clone)
    result = any_server.rejected("agent")
    assert "AIC101" in result.stderr and "trust from refs/heads/release" in result.stderr
    any_server.accepted("main:release")
    any_server.accepted("agent")


def test_protected_refs_are_matched_by_their_exact_name(any_server: Server) -> None:
    # git's short-name rules would read refs/heads/release as refs/heads/refs/heads/release.
    any_server.config("aiClearance.protectedRef", "refs/heads/release")
    any_server.config("--add", "aiClearance.protectedRef", "refs/heads/main")
    clone = any_server.clone
    clone.commit("Initial commit", "README.md")
    any_server.push_unchecked("main", "main:release")  # the administrator creates them
    clone.git("checkout", "-q", "-b", "fake")
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    any_server.accepted("fake:refs/heads/refs/heads/release")
    clone.commit("memory", "CLAUDE.md")
    result = any_server.rejected("fake:refs/heads/agent")
    assert "AIC101" in result.stderr and "trust from refs/heads/release" in result.stderr


def test_a_protected_ref_that_does_not_exist_refuses_every_push(any_server: Server) -> None:
    """Attack: HEAD names a branch the project never pushed (a bare `master`) or a configured
    protected ref is missing; whoever created it would set the trust of every later push."""
    any_server.config("aiClearance.protectedRef", "refs/heads/release")
    any_server.config("--add", "aiClearance.protectedRef", "refs/heads/main")
    clone = any_server.clone
    clone.commit("Initial commit", "README.md")
    any_server.accepted("main")  # the first push into an empty repository
    clone.git("checkout", "-q", "-b", "release")
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    result = any_server.rejected("release")
    assert "protected ref refs/heads/release does not exist" in result.stderr
    clone.git("checkout", "-q", "main")
    clone.commit("work", "src/a.py")
    result = any_server.rejected("main")
    assert "protected ref refs/heads/release does not exist" in result.stderr


def test_deleting_a_protected_ref_is_refused(hooked: Server) -> None:
    hooked.clone.commit("work", "src/a.py")
    hooked.accepted("main:release")
    hooked.config("aiClearance.protectedRef", "refs/heads/main")
    hooked.config("--add", "aiClearance.protectedRef", "refs/heads/release")
    result = hooked.rejected(":release")
    assert "refs/heads/release is a protected ref" in result.stderr
    hooked.accepted("main:scratch")
    hooked.accepted(":scratch")  # any other ref may go


def test_a_bad_protected_ref_setting_is_a_config_error(hooked: Server) -> None:
    hooked.config("aiClearance.protectedRef", "refs/heads/*")
    hooked.clone.commit("work", "src/a.py")
    result = hooked.rejected("main")
    assert "ai-clearance: error: git config aiClearance.protectedRef: 'refs/heads/*'" \
        in result.stderr


def test_the_first_push_never_trusts_itself(any_server: Server) -> None:
    clone = any_server.clone
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml", "CLAUDE.md")
    result = any_server.rejected("main")
    assert "AIC101" in result.stderr and "no protected ref yet" in result.stderr
    assert any_server.refs() == ""


def test_a_missing_protected_ref_beside_other_commits_is_refused(any_server: Server) -> None:
    any_server.config("aiClearance.protectedRef", "refs/heads/release")
    clone = any_server.clone
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    any_server.push_unchecked("main")
    clone.commit("memory", "CLAUDE.md")
    # Neither main's permissive policy nor the default one: the server is misconfigured.
    result = any_server.rejected("main:refs/heads/agent")
    assert "protected ref refs/heads/release does not exist" in result.stderr


def test_a_push_that_breaks_the_policy_is_refused(hooked: Server) -> None:
    # Once on main, a policy that does not load would stop every later push, its fix too.
    clone = hooked.clone
    clone.git("checkout", "-q", "-b", "typo")
    clone.write(".ai-clearance.toml", 'allowed = ["copilot"]\nrestricted =\n')
    clone.commit("Allow Copilot", ".ai-clearance.toml")
    result = hooked.rejected("typo:main")
    assert "ai-clearance: error: this change breaks .ai-clearance.toml: line 2: invalid TOML" \
        in result.stderr
    hooked.rejected("typo")  # a new branch too: it is on its way to main


def test_the_first_push_cannot_bring_a_broken_policy(any_server: Server) -> None:
    clone = any_server.clone
    clone.write(".ai-clearance.toml", "colour = 1\n")
    clone.commit("Initial commit", ".ai-clearance.toml", "README.md")
    result = any_server.rejected("main")
    assert "this change breaks .ai-clearance.toml: unknown key 'colour'" in result.stderr


def test_a_broken_protected_policy_names_the_way_out(hooked: Server) -> None:
    clone = hooked.clone
    clone.write(".ai-clearance.toml", "colour = 1\n")
    clone.commit("Break the policy", ".ai-clearance.toml")
    hooked.push_unchecked("main")
    clone.write(".ai-clearance.toml", "restricted = []\n")
    clone.commit("Fix the policy", ".ai-clearance.toml")
    broken = clone.git("rev-parse", "HEAD~1").stdout.strip()
    result = hooked.rejected("main")
    assert f"the trusted .ai-clearance.toml at {broken} ({broken[:12]}) is broken: unknown " \
           "key 'colour'" in result.stderr
    assert "behind the server hook, pushes with the hook off" in result.stderr
    hooked.push_unchecked("main")  # that way out
    clone.commit("memory", "CLAUDE.md")
    assert "allowed by policy" in hooked.accepted("main").stderr  # the fixed policy holds


# ------------------------------------------------------------------------ whole pushes, input
def test_one_failing_ref_rejects_the_whole_push(pre_receive_hooked: Server) -> None:
    clone = pre_receive_hooked.clone
    clone.git("checkout", "-q", "-b", "clean", "main")
    clone.commit("work", "src/a.py")
    _agent_branch(clone)
    assert "AIC101" in pre_receive_hooked.rejected("clean", "agent").stderr


def test_one_push_cannot_loosen_the_policy_for_its_other_refs(pre_receive_hooked: Server) -> None:
    # pre-receive reads the protected base once, before any ref moves. (The update hook runs
    # after the refs before it in the push have moved: docs/ci.md, "Server-side hooks".)
    clone = pre_receive_hooked.clone
    clone.write(".ai-clearance.toml", PERMISSIVE)
    clone.commit("Loosen the policy", ".ai-clearance.toml")
    _agent_branch(clone)
    assert "AIC101" in pre_receive_hooked.rejected("main", "agent").stderr


@pytest.mark.parametrize("line", [
    f"{ZERO} {'a' * 40}",                          # two fields
    f"{ZERO} {'a' * 40} main",                     # not a full ref name
    f"{ZERO} {ZERO} refs/heads/main",              # neither side names an object
    f"{ZERO} {'A' * 40} refs/heads/main",          # not lower-case hex
    f"{ZERO} {'a' * 39} refs/heads/main",
])
def test_bad_input_lines_are_one_line_errors(server: tuple[Path, Repo, Path], line: str) -> None:
    bare, clone, _ = server
    good = f"{ZERO} {clone.head()} refs/heads/other\n"
    result = subprocess.run([AI_CLEARANCE, "pre-receive"], cwd=bare, input=good + line + "\n",
                            text=True, capture_output=True, check=False)
    assert result.returncode == 2, result.stdout
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("ai-clearance: error: ")


def test_bad_update_arguments_are_one_line_errors(server: tuple[Path, Repo, Path]) -> None:
    bare, _, _ = server
    for args in (["refs/heads/x", ZERO], ["refs/heads/x", ZERO, "nothex"]):
        result = subprocess.run([AI_CLEARANCE, "update", *args], cwd=bare, text=True,
                                capture_output=True, check=False)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


# ------------------------------------------------------------------------ GitLab CI
def _gitlab_job() -> dict[str, object]:
    text = (ROOT / "docs" / "ci.md").read_text("utf-8")
    match = re.search(r"```yaml\n(# \.gitlab-ci\.yml.*?)```", text, re.S)
    assert match, "docs/ci.md has no .gitlab-ci.yml snippet"
    job: dict[str, object] = yaml.safe_load(match.group(1))["ai-clearance"]
    return job


def test_gitlab_merge_request_snippet(tmp_path: Path) -> None:
    origin = tmp_path / "gitlab.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    dev = Repo(tmp_path / "dev")
    git(tmp_path, "clone", "-q", str(origin), str(dev.path))
    dev.commit("base", "a.txt")
    dev.git("push", "-q", "origin", "main")
    base = dev.head()
    dev.git("checkout", "-q", "-b", "mr")
    dev.commit("agent work", ".kiro/steering/tech.md")
    dev.git("push", "-q", "origin", "mr")
    job = _gitlab_job()
    script = [line for line in job["script"] if not str(line).startswith("pip install")]  # type: ignore[attr-defined]
    work = tmp_path / "build"
    git(tmp_path, "clone", "-q", "--branch", "mr", f"file://{origin}", str(work))
    env = {**os.environ, "CI_PIPELINE_SOURCE": "merge_request_event",
           "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": dev.head(),
           "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
           "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "mr", "CI_MERGE_REQUEST_IID": "12",
           "PATH": f"{Path(AI_CLEARANCE).parent}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", "\n".join(map(str, script))], cwd=work,
                            env=env, text=True, capture_output=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AIC119" in result.stdout


# --------------------------------------------------------------------- notes
@pytest.mark.parametrize(("ref", "text", "refused"), [
    ("refs/notes/commits", "Co-Authored-By: Helper <noreply@anthropic.com>", True),
    ("refs/notes/review", "Ok\n\nCo-Authored-By: Helper <noreply%40openai.com>", True),
    ("refs/notes/commits", "Reviewed-by: Claude Monet <claude@example.com>", False),
    ("refs/notes/review", "Released in v1.2", False),
])
def test_pushed_notes_are_judged_like_messages(hooked: Server, ref: str, text: str,
                                               refused: bool) -> None:
    """A notes ref pushed to the server: each note it adds is read like the message of the
    commit it annotates, and a trace there refuses the push."""
    clone = hooked.clone
    sha = clone.head()
    clone.git("notes", f"--ref={ref}", "add", "-m", text, sha)
    if refused:
        result = hooked.rejected(ref)
        assert "AIC401" in result.stderr and f"note in {ref}" in result.stderr
    else:
        hooked.accepted(ref)


def test_a_note_already_on_the_server_is_judged_with_its_commit(pre_receive_hooked: Server,
                                                                ) -> None:
    """A note pushed (unchecked) before its commit: the commit's push reads it."""
    server = pre_receive_hooked
    clone = server.clone
    clone.git("checkout", "-q", "-b", "topic")
    sha = clone.commit("Fix", "a.txt")
    clone.git("notes", "add", "-m", "Co-Authored-By: Helper <noreply@anthropic.com>", sha)
    server.push_unchecked("refs/notes/commits")
    result = server.rejected("topic")
    assert "note in refs/notes/commits" in result.stderr
