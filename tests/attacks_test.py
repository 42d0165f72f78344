"""Three attacks by a contributor, at every enforcement point, end to end.

A protected `main` (a bare "origin") trusts one maintainer key; its policy binds tokens to
`example.com/widgets`. Mallory (mallory@evil.example) has a clone and proposes a change. The
same change is put, unmodified, through each enforcement point as it really runs:

- `pre-push`: the hooks installed with the real pre-commit in her clone (whose
  `refs/remotes/origin/HEAD` is set, as `git clone` leaves it), pushing a new branch and then
  main;
- the GitHub Action (action.yml's steps, run as the runner does) on `pull_request`,
  `pull_request_target`, `push` of a new branch, `push` to the default branch, `merge_group`;
- the server-side `pre-receive` and `update` hooks of the bare repository, pushing a new
  branch and then main.

The proposals:

- `clean`: an ordinary change (control: it must pass everywhere);
- `genuine-token`: CLAUDE.md with a trailer carrying a token the maintainer issued for this
  repository (control: it must pass, so the replay below fails for the right reason);
- `A-self-approval`: the change lists her own key as a maintainer, carries an approval she
  signed for herself, loosens the policy and adds CLAUDE.md;
- `B-token-replay`: CLAUDE.md with a trailer carrying a real token the same maintainer issued
  in another repository (`example.com/gadgets`) for CLAUDE.md by mallory@evil.example;
  `B-token-replay-explicit` gives that token for the run instead (the Action's `args: --token`,
  `AI_CLEARANCE_TOKEN` for the pre-push hook; a server hook takes no token from the pusher);
- `C-merge-smuggling`: main once had CLAUDE.md (added by Jane under her approval, deleted
  since); Mallory's merge commit has main's tip as first parent, that old commit as second, and
  CLAUDE.md restored in its tree.

Every attack must fail at every point, for the reason the output states.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from action_runner import install_action, run_action
from conftest import (
    AI_CLEARANCE,
    HUMAN,
    MAINTAINER,
    Repo,
    git,
    make_key,
    run_cli,
    signer_line,
)

MALLORY = ("Mallory", "mallory@evil.example")
MALLORY_ENV = {"GIT_AUTHOR_NAME": MALLORY[0], "GIT_AUTHOR_EMAIL": MALLORY[1],
               "GIT_COMMITTER_NAME": MALLORY[0], "GIT_COMMITTER_EMAIL": MALLORY[1]}
MAINTAINER_ID = ("Maintainer", MAINTAINER)
REPOSITORY = "example.com/widgets"
OTHER_REPOSITORY = "example.com/gadgets"
POLICY = f'repository_id = "{REPOSITORY}"\n'
MAINTAINERS = ".ai-clearance/maintainers"
POLICY_FILE = ".ai-clearance.toml"
ZERO = "0" * 40
PR_NUMBER = 7
TOKEN_TRAILER = "AI-Clearance-Token: "


# ------------------------------------------------------------------------ the world
@dataclass
class Template:
    """What every test starts from: the protected origin, the keys, the replayed token."""

    origin: Path
    key: Path  # the one maintainer's key
    mallory_key: Path
    replayed: str  # a real token of the maintainer, for the other repository
    old: str  # the commit of main that added CLAUDE.md (under Jane's approval)
    main: str  # main's tip (CLAUDE.md deleted again)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    tmp = tmp_path_factory.mktemp("attacks")
    key = make_key(tmp, "maintainer")
    mallory_key = make_key(tmp, "mallory")

    # The protected repository, as its maintainers built it.
    staging = Repo(tmp / "staging")
    staging.path.mkdir()
    staging.git("init", "-q", "-b", "main")
    staging.commit("Initial commit", "README.md")
    staging.write(MAINTAINERS, signer_line(MAINTAINER, key))
    staging.write(POLICY_FILE, POLICY)
    staging.commit("Trust: one maintainer; tokens bound to this repository", MAINTAINERS,
                   POLICY_FILE, author=MAINTAINER_ID, committer=MAINTAINER_ID)
    approved = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--author",
                       HUMAN[1], "--assistant", "claude", "--expires", "30d", "--reason",
                       "Claude Code pilot", cwd=staging.path)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    staging.git("add", ".ai-clearance")
    staging.commit("Approve Jane for the Claude Code pilot", author=MAINTAINER_ID,
                   committer=MAINTAINER_ID)
    staging.write("CLAUDE.md", "# Pilot notes\n")
    old = staging.commit("Pilot: project memory for Claude Code", "CLAUDE.md")
    staging.git("rm", "-q", "CLAUDE.md")
    staging.commit("End of the pilot: drop CLAUDE.md", author=MAINTAINER_ID,
                   committer=MAINTAINER_ID)
    main = staging.head()
    # The pilot's commit passes on its own: Jane was approved. Main as it stands is clean.
    pilot = run_cli("check", "--range", f"{old}^..{main}", "--trust-ref", "main",
                    "--format", "json", cwd=staging.path)
    assert pilot.returncode == 0, pilot.stdout + pilot.stderr
    assert [f["status"] for f in json.loads(pilot.stdout)["findings"]] == ["cleared"]

    origin = tmp / "origin.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(origin))
    staging.git("push", "-q", str(origin), "main")

    # Another repository the same maintainer key is trusted in, with its own repository_id,
    # where the maintainer issued a real token for CLAUDE.md by Mallory.
    other = Repo(tmp / "gadgets")
    other.path.mkdir()
    other.git("init", "-q", "-b", "main")
    other.write(MAINTAINERS, signer_line(MAINTAINER, key))
    other.write(POLICY_FILE, f'repository_id = "{OTHER_REPOSITORY}"\n')
    other.commit("trust", MAINTAINERS, POLICY_FILE, author=MAINTAINER_ID)
    other.git("checkout", "-q", "-b", "mallory")
    other.write("CLAUDE.md", "# memory\n")
    other.commit("Add memory", "CLAUDE.md", author=MALLORY, committer=MALLORY)
    other.git("checkout", "-q", "main")
    issued = run_cli("override", "--trust-ref", "main",
                     "--key", str(key), "--signer", MAINTAINER, "--expires", "7d",
                     "--reason", "gadgets fixture", "--range", "main..mallory", "--path",
                     "CLAUDE.md", cwd=other.path)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    assert f"repository {OTHER_REPOSITORY}" in issued.stderr
    assert f"AIC101 (claude) in the path CLAUDE.md, authored by {MALLORY[1]}" in issued.stderr
    replayed = issued.stdout.strip()
    # The token is real: where it was issued, it clears exactly that finding.
    there = run_cli("check", "--range", "main..mallory", "--trust-ref", "main", "--token",
                    replayed, "--format", "json", cwd=other.path)
    assert there.returncode == 0, there.stdout + there.stderr
    assert [f["status"] for f in json.loads(there.stdout)["findings"]] == ["cleared"]
    return Template(origin, key, mallory_key, replayed, old, main)


@dataclass
class World:
    """One test's copy of the protected origin, and Mallory's clone of it."""

    tmp: Path
    origin: Path
    clone: Repo
    key: Path
    mallory_key: Path
    replayed: str
    old: str
    main: str

    def mallory(self, *args: str, env: dict[str, str] | None = None,
                check: bool = True) -> subprocess.CompletedProcess[str]:
        """git in Mallory's clone, as Mallory."""
        return git(self.clone.path, *args, env={**MALLORY_ENV, **(env or {})}, check=check)

    def origin_refs(self) -> str:
        return git(self.origin, "for-each-ref", "--format=%(refname) %(objectname)").stdout

    def origin_sha(self, ref: str) -> str | None:
        found = git(self.origin, "rev-parse", "--verify", "-q", ref, check=False)
        return found.stdout.strip() if found.returncode == 0 else None


def make_world(template: Template, tmp: Path) -> World:
    origin = tmp / "origin.git"
    shutil.copytree(template.origin, origin, symlinks=True)
    clone = Repo(tmp / "mallory")
    git(tmp, "clone", "-q", f"file://{origin}", str(clone.path))
    # As a normal clone has it: the pre-push hook takes trust from the remote's default branch.
    assert clone.git("symbolic-ref", "refs/remotes/origin/HEAD").stdout.strip() == \
        "refs/remotes/origin/main"
    return World(tmp, origin, clone, template.key, template.mallory_key, template.replayed,
                 template.old, template.main)


# ------------------------------------------------------------------------ the proposals
@dataclass
class Proposal:
    """Mallory's change: branch `topic` in her clone, and how the check must judge it."""

    attack: str
    tip: str
    explicit_token: str | None = None  # given for the run instead of in a commit


def _commit_as_mallory(world: World, message: str, *paths: str) -> str:
    if paths:
        world.mallory("add", "--", *paths)
    args = ["commit", "-q", "--no-verify", "--cleanup=verbatim", "-m", message]
    world.mallory(*args, *([] if paths else ["--allow-empty"]))
    return world.clone.head()


def _clean(world: World) -> None:
    world.clone.write("src/feature.py", "def feature() -> int:\n    return 1\n")
    _commit_as_mallory(world, "Add feature", "src/feature.py")


def _genuine_token(world: World) -> None:
    world.clone.write("CLAUDE.md", "# memory\n")
    _commit_as_mallory(world, "Add memory", "CLAUDE.md")
    # The maintainer fetched her branch and issued a token for it, in this repository.
    issued = run_cli("override", "--key", str(world.key), "--signer", MAINTAINER, "--expires",
                     "7d", "--reason", "reviewed", "--range", "origin/main..topic", "--path",
                     "CLAUDE.md", cwd=world.clone.path)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    assert f"repository {REPOSITORY}" in issued.stderr
    world.mallory("commit", "-q", "--amend", "--no-verify", "--cleanup=verbatim", "-m",
                  f"Add memory\n\n{TOKEN_TRAILER}{issued.stdout.strip()}\n")


def _self_approval(world: World) -> None:
    with (world.clone.path / MAINTAINERS).open("a", encoding="utf-8") as handle:
        handle.write(signer_line(MALLORY[1], world.mallory_key))
    approved = run_cli("approve", "--key", str(world.mallory_key), "--signer", MALLORY[1],
                       "--author", MALLORY[1], "--assistant", "*", "--expires", "30d",
                       "--reason", "x", cwd=world.clone.path)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    world.clone.write(POLICY_FILE, f"{POLICY}restricted = []\n")
    _commit_as_mallory(world, "Maintenance", ".ai-clearance", POLICY_FILE)
    world.clone.write("CLAUDE.md", "# memory\n")
    _commit_as_mallory(world, "Add memory", "CLAUDE.md")
    # Her records are well made: trusting her own branch, the change would pass.
    itself = run_cli("check", "--range", "origin/main..topic", "--trust-ref", "topic",
                     cwd=world.clone.path)
    assert itself.returncode == 0, itself.stdout + itself.stderr


def _token_replay(world: World) -> None:
    world.clone.write("CLAUDE.md", "# memory\n")
    _commit_as_mallory(world, f"Add memory\n\n{TOKEN_TRAILER}{world.replayed}\n", "CLAUDE.md")


def _token_replay_explicit(world: World) -> None:
    world.clone.write("CLAUDE.md", "# memory\n")
    _commit_as_mallory(world, "Add memory", "CLAUDE.md")


def _merge_smuggling(world: World) -> None:
    # `git merge` of an ancestor is "Already up to date" whatever the options: the merge
    # commit is written with plumbing, as any git client can.
    world.mallory("checkout", "-q", world.old, "--", "CLAUDE.md")
    tree = world.mallory("write-tree").stdout.strip()
    merge = world.mallory("commit-tree", tree, "-p", world.main, "-p", world.old, "-m",
                          "Merge the pilot history").stdout.strip()
    world.mallory("reset", "-q", "--hard", merge)
    assert world.mallory("rev-parse", "HEAD^1", "HEAD^2").stdout.split() == \
        [world.main, world.old]
    assert (world.clone.path / "CLAUDE.md").is_file()


BUILD: dict[str, Callable[[World], None]] = {
    "clean": _clean,
    "genuine-token": _genuine_token,
    "A-self-approval": _self_approval,
    "B-token-replay": _token_replay,
    "B-token-replay-explicit": _token_replay_explicit,
    "C-merge-smuggling": _merge_smuggling,
}
CONTROLS = ("clean", "genuine-token")
ATTACKS = ("A-self-approval", "B-token-replay", "B-token-replay-explicit", "C-merge-smuggling")


def propose(world: World, attack: str) -> Proposal:
    world.mallory("checkout", "-q", "-b", "topic", "origin/main")
    BUILD[attack](world)
    tip = world.clone.head()
    return Proposal(attack, tip,
                    explicit_token=world.replayed if attack.endswith("-explicit") else None)


# ------------------------------------------------------------------------ what a point says
@dataclass
class Attempt:
    """One try at getting the proposal past an enforcement point."""

    where: str
    code: int
    log: str
    report: dict[str, Any] | None = None  # the Action's report.json
    outputs: dict[str, str] = field(default_factory=dict)  # the Action's outputs
    refs_before: str | None = None  # the receiving repository's refs, around a push
    refs_after: str | None = None
    landed: bool | None = None  # a push: the target ref now points at the proposal


@dataclass(frozen=True)
class Failing:
    """One unapproved finding as a report states it."""

    rule: str
    where: str  # its path (or message line), then ": " and the evidence when that says more
    who: str  # the commit's author (the text report: the commit line that names it)

    def at(self, rule: str, path: str) -> bool:
        return self.rule == rule and (self.where == path or self.where.startswith(f"{path}: "))


def unapproved(log: str) -> list[Failing]:
    """The findings of every "Unapproved traces" section of the text reports in `log`."""
    found: list[Failing] = []
    inside, who, rule = False, "", ""
    for raw in log.splitlines():
        line = re.sub(r"^remote: ?", "", raw).rstrip()
        if line == "Unapproved traces:":
            inside = True
        elif not line.strip():
            inside = False
        elif not inside:
            continue
        elif re.match(r"  commit ", line):
            who = line.strip()
        elif re.match(r"    AIC\d{3} ", line):
            rule = line.split()[0]
        elif line.startswith("      ") and not line.strip().startswith("fix:"):
            found.append(Failing(rule, line.strip(), who))
    return found


def _failing(attempt: Attempt) -> list[Failing]:
    """The unapproved findings, from the JSON report where there is one, else the text."""
    if attempt.report is None:
        return unapproved(attempt.log)
    return [Failing(f["rule"], f"{f['path']}: {f['evidence']}", f["author"] or "")
            for f in attempt.report["findings"] if f["status"] == "fail"]


def _notes(attempt: Attempt) -> str:
    if attempt.report is not None:
        return "\n".join(attempt.report["coverage"]["trust"]["notes"])
    return attempt.log


# ------------------------------------------------------------------------ enforcement points
def _push(world: World, refspec: str, target: str, tip: str,
          env: dict[str, str] | None = None) -> Attempt:
    before = world.origin_refs()
    result = world.mallory("push", "origin", refspec, env=env, check=False)
    return Attempt(f"git push origin {refspec}", result.returncode,
                   result.stdout + result.stderr, refs_before=before,
                   refs_after=world.origin_refs(), landed=world.origin_sha(target) == tip)


def _pushes(world: World, proposal: Proposal, env: dict[str, str] | None = None
            ) -> list[Attempt]:
    """A new branch first, then main itself (a fast-forward)."""
    return [_push(world, "topic:refs/heads/topic", "refs/heads/topic", proposal.tip, env),
            _push(world, "topic:refs/heads/main", "refs/heads/main", proposal.tip, env)]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One PRE_COMMIT_HOME for the module: pre-commit builds the hook environment once."""
    home = tmp_path_factory.mktemp("attacks-pre-commit-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRE_COMMIT_HOME", str(home))
        yield home


def _install_pre_commit(world: World, project: tuple[Path, str]) -> None:
    path, rev = project
    (world.clone.path / ".pre-commit-config.yaml").write_text(
        "default_install_hook_types: [pre-commit, commit-msg, pre-push]\n"
        f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
        "  - id: ai-clearance-files\n  - id: ai-clearance-msg\n"
        "  - id: ai-clearance-push\n    verbose: true\n",  # its report, pass or fail
        "utf-8")
    with (world.clone.path / ".git" / "info" / "exclude").open("a", encoding="utf-8") as f:
        f.write(".pre-commit-config.yaml\n")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"],
                               cwd=world.clone.path, text=True, capture_output=True,
                               check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (world.clone.path / ".git" / "hooks" / "pre-push").is_file()


def via_pre_push(world: World, proposal: Proposal, tools: Tools) -> list[Attempt]:
    _install_pre_commit(world, tools.project)
    env = {"AI_CLEARANCE_TOKEN": proposal.explicit_token} if proposal.explicit_token else None
    attempts = _pushes(world, proposal, env)
    for attempt in attempts:
        # The hook, not a git refusal, decided: pre-commit names it in its report.
        assert "ai-clearance (pushed commits)" in attempt.log, attempt.log
    return attempts


def _server_hook(world: World, hook: str) -> None:
    command = {"pre-receive": "pre-receive", "update": 'update "$@"'}[hook]
    script = world.origin / "hooks" / hook
    script.write_text(f"#!/bin/sh\nexec {AI_CLEARANCE} {command}\n", "utf-8")
    script.chmod(0o755)


def via_server(hook: str) -> Callable[[World, Proposal, Tools], list[Attempt]]:
    def run(world: World, proposal: Proposal, tools: Tools) -> list[Attempt]:
        assert proposal.explicit_token is None
        _server_hook(world, hook)
        attempts = _pushes(world, proposal)
        for attempt in attempts:
            assert "ai-clearance: checking " in attempt.log, attempt.log
        return attempts
    return run


def _checkout(world: World, ref: str) -> Path:
    """What actions/checkout leaves: a shallow clone of `ref`."""
    count = len(list(world.tmp.glob("workspace-*")))
    work = world.tmp / f"workspace-{count}"
    git(world.tmp, "clone", "-q", "--depth", "1", "--branch", ref, f"file://{world.origin}",
        str(work))
    return work


def _act(world: World, tools: Tools, proposal: Proposal, event: str, payload: dict[str, Any],
         checkout: str) -> Attempt:
    """Run action.yml's steps for `event` (the install step ran once for the module)."""
    args = f"--token {proposal.explicit_token}" if proposal.explicit_token else ""
    report_dir = world.tmp / "reports"
    run = run_action(_checkout(world, checkout), event, payload, tools.runner_temp,
                     tools.project[0], tools.installed, report_dir=str(report_dir),
                     format="json", args=args)
    # A fresh report directory per test: the report read is this run's or none.
    report_path = run.outputs.get("report-json", "")
    report = json.loads(Path(report_path).read_text("utf-8")) if report_path else None
    return Attempt(f"Action on {event}", run.code, run.stdout + run.summary, report,
                   run.outputs)


def _pr_payload(world: World, proposal: Proposal) -> dict[str, Any]:
    # A fork's pull request: the base repository gets refs/pull/N/head, nothing else.
    world.mallory("push", "-q", "origin", f"topic:refs/pull/{PR_NUMBER}/head")
    return {"action": "opened", "number": PR_NUMBER, "pull_request": {
        "number": PR_NUMBER, "title": "Improve the project", "body": "Please merge.",
        "head": {"sha": proposal.tip, "ref": "topic"},
        "base": {"sha": world.main, "ref": "main"}}}


def via_action(event: str) -> Callable[[World, Proposal, Tools], list[Attempt]]:
    def run(world: World, proposal: Proposal, tools: Tools) -> list[Attempt]:
        if event in ("pull_request", "pull_request_target"):
            payload = _pr_payload(world, proposal)
            return [_act(world, tools, proposal, event, payload, "main")]
        if event == "push-branch":
            world.mallory("push", "-q", "origin", "topic:refs/heads/topic")
            payload = {"ref": "refs/heads/topic", "before": ZERO, "after": proposal.tip,
                       "created": True, "deleted": False, "forced": False,
                       "repository": {"default_branch": "main"}}
            return [_act(world, tools, proposal, "push", payload, "topic")]
        if event == "push-default":
            world.mallory("push", "-q", "origin", "topic:refs/heads/main")
            payload = {"ref": "refs/heads/main", "before": world.main, "after": proposal.tip,
                       "created": False, "deleted": False, "forced": False,
                       "repository": {"default_branch": "main"}}
            return [_act(world, tools, proposal, "push", payload, "main")]
        assert event == "merge_group"
        _pr_payload(world, proposal)
        # The queue merges the pull request into main's tip, on a branch of its own.
        queue = f"gh-readonly-queue/main/pr-{PR_NUMBER}-{world.main}"
        world.mallory("checkout", "-q", "-b", "queue", "origin/main")
        world.mallory("merge", "-q", "--no-ff", "--no-verify", "-m",
                      f"Merge pull request #{PR_NUMBER} (topic)", "topic")
        head = world.clone.head()
        world.mallory("push", "-q", "origin", f"queue:refs/heads/{queue}")
        payload = {"merge_group": {"head_sha": head, "base_sha": world.main,
                                   "head_ref": f"refs/heads/{queue}",
                                   "base_ref": "refs/heads/main"}}
        return [_act(world, tools, proposal, "merge_group", payload, queue)]
    return run


@dataclass
class Tools:
    project: tuple[Path, str]  # this project, committed: for pre-commit and the Action
    runner_temp: Path
    installed: dict[str, str]  # the Action's install step outputs


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory, project_snapshot: tuple[Path, str],
          pre_commit_home: Path) -> Tools:
    """The Action's install step, run once for the module (it builds a venv)."""
    runner_temp = tmp_path_factory.mktemp("attacks-runner-temp")
    return Tools(project_snapshot, runner_temp, install_action(project_snapshot[0], runner_temp))


POINTS: dict[str, Callable[[World, Proposal, Tools], list[Attempt]]] = {
    "pre-push": via_pre_push,
    "pull_request": via_action("pull_request"),
    "pull_request_target": via_action("pull_request_target"),
    "push-branch": via_action("push-branch"),
    "push-default": via_action("push-default"),
    "merge_group": via_action("merge_group"),
    "pre-receive": via_server("pre-receive"),
    "update": via_server("update"),
}
ACTION_POINTS = ("pull_request", "pull_request_target", "push-branch", "push-default",
                 "merge_group")
# Where a token can be given for the run: the Action's `args`, the pre-push hook's
# environment. A server hook reads nothing the pusher chooses but the pushed objects.
EXPLICIT_TOKEN_POINTS = ("pre-push", *ACTION_POINTS)


def _cases(names: tuple[str, ...]) -> list[Any]:
    return [pytest.param(point, name, id=f"{point}-{name}")
            for point in POINTS for name in names
            if not name.endswith("-explicit") or point in EXPLICIT_TOKEN_POINTS]


def attempt_at(point: str, attack: str, template: Template, tmp_path: Path,
               tools: Tools) -> list[Attempt]:
    world = make_world(template, tmp_path)
    attempts = POINTS[point](world, propose(world, attack), tools)
    assert attempts
    return attempts


# ------------------------------------------------------------------------ controls
@pytest.mark.parametrize(("point", "control"), _cases(CONTROLS))
def test_control_passes(point: str, control: str, template: Template, tmp_path: Path,
                        tools: Tools) -> None:
    """The same points let a clean change, and a genuinely cleared one, through: the attacks
    below fail because of what they are, not because the point fails everything."""
    attempts = attempt_at(point, control, template, tmp_path, tools)
    for attempt in attempts:
        context = f"{attempt.where}:\n{attempt.log}"
        assert attempt.code == 0, context
        assert attempt.landed in (None, True), context
        if attempt.report is not None:
            assert attempt.outputs["verdict"] == "pass", context
            statuses = [(f["rule"], f["status"], f["cleared_by"] or "")
                        for f in attempt.report["findings"]]
            if control == "clean":
                assert statuses == [], context
            else:
                assert statuses and all(s == "cleared" and by.startswith("token tok-")
                                        for _, s, by in statuses), context
        elif control == "genuine-token":
            assert re.search(r"cleared by token tok-", attempt.log), context


# ------------------------------------------------------------------------ the attacks
@pytest.mark.parametrize(("point", "attack"), _cases(ATTACKS))
def test_attack_fails(point: str, attack: str, template: Template, tmp_path: Path,
                      tools: Tools) -> None:
    attempts = attempt_at(point, attack, template, tmp_path, tools)
    for attempt in attempts:
        context = f"{attempt.where}:\n{attempt.log}"
        _assert_nothing_landed(attempt, context)
        if attack == "B-token-replay-explicit":
            _assert_refused_token_is_an_error(point, attempt, context)
            continue
        if attempt.outputs:
            assert attempt.code == 1 and attempt.outputs["verdict"] == "fail", context
        assert any(f.at("AIC101", "CLAUDE.md") and f"<{MALLORY[1]}>" in f.who
                   for f in _failing(attempt)), context
        specific = _ATTACK_ASSERTIONS.get(attack)
        if specific is not None:
            specific(attempt, context)


def _assert_nothing_landed(attempt: Attempt, context: str) -> None:
    """The attempt failed; a push was rejected and moved no ref of the remote."""
    assert attempt.code != 0, context
    if attempt.refs_before is not None:
        assert attempt.refs_after == attempt.refs_before, context
        assert attempt.landed is False, context
    if attempt.outputs:
        assert attempt.outputs["verdict"] in ("fail", "error"), context


def _assert_refused_token_is_an_error(point: str, attempt: Attempt, context: str) -> None:
    """A token given for the run that is refused is an error, never a quiet pass.
    (git push itself exits 1 whatever the hook's code; pre-commit names it.)"""
    if point == "pre-push":
        assert "- exit code: 2" in attempt.log, context
    else:
        assert attempt.code == 2, context
    assert "other-repository" in attempt.log, context
    if attempt.outputs:
        assert attempt.outputs["verdict"] == "error", context


def _assert_replayed_token_clears_nothing(attempt: Attempt, context: str) -> None:
    assert re.search(r"token tok-\S+ \(commit [0-9a-f]+\) clears nothing: "
                     r"other-repository", _notes(attempt)), context


def _assert_self_approval_was_pending(attempt: Attempt, context: str) -> None:
    """Her key, approval and policy were read, and reported as not in force."""
    if attempt.report is not None:
        coverage = attempt.report["coverage"]
        pending = set(coverage["pending"])
        assert {MAINTAINERS, POLICY_FILE} <= pending, context
        assert any(p.startswith(".ai-clearance/approvals/apv-") for p in pending), context
        trust = coverage["trust"]
        assert trust["signers"] == 1 and trust["approvals_active"] == 1, context
        return
    for path in (MAINTAINERS, POLICY_FILE):
        assert f"pending (takes effect after merge): {path}" in attempt.log, context
    assert "policy and 1 maintainer key from" in attempt.log, context


def _assert_merge_is_blamed(attempt: Attempt, context: str) -> None:
    """CLAUDE.md is reported as what the range brings, against Mallory, not cleared by the
    approval of the person who added it long ago."""
    found = [f for f in _failing(attempt) if f.at("AIC101", "CLAUDE.md")]
    assert found, context
    for finding in found:
        assert "(in the tree " in finding.where, context
        assert f"<{MALLORY[1]}>" in finding.who and HUMAN[1] not in finding.who, context


# What each attack must show besides failing with Mallory's CLAUDE.md blamed.
_ATTACK_ASSERTIONS: dict[str, Callable[[Attempt, str], None]] = {
    "A-self-approval": _assert_self_approval_was_pending,
    "B-token-replay": _assert_replayed_token_clears_nothing,
    "C-merge-smuggling": _assert_merge_is_blamed,
}
