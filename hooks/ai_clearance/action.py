"""The GitHub Action: the range from the event, trust from the base, reports for the run.

It never checks out or runs code from the change under review: it fetches objects and reads
them with git plumbing, so `pull_request_target` is safe to use.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from . import gitio
from .catalog import load_catalog
from .errors import EXIT_USAGE, ClearanceError, GitError, UsageError
from .report_ci import sarif_text, summary_markdown, workflow_commands
from .values import field, replace, value

_ZERO = re.compile(r"0{40}(?:0{24})?\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
_DEPTHS = (50, 250, 1000, 5000, 20000, 100000)
REMOTE = "origin"


@value(frozen=False)
class Plan:
    """What to check for this event, and where trust comes from."""

    mode: str
    event: str
    range: str | None = None
    history: bool = False
    trust_ref: str | None = None
    branch: str | None = None
    pull_request: int | None = None
    pr_text: str | None = None
    notes: list[str] = field(default_factory=list)
    nothing_to_check: bool = False


def _sha(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _SHA.match(value):
        raise UsageError(f"the event payload has no valid {what}")
    return value


def _ref_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or value.startswith("-") or ".." in value \
            or any(c in value for c in " ~^:?*[\\\0"):
        raise UsageError(f"the event payload has no valid {what}")
    return value


def _connect(repo: gitio.Repo, refspecs: Sequence[str], base: str, head: str,
             max_depth: int) -> str:
    """Fetch (deepening a shallow clone within `max_depth`) until `head` and `base` share a
    merge base and every commit between is present; return that merge base."""
    depths: list[int | None] = [None]
    if gitio.is_shallow(repo):
        depths = [*(d for d in _DEPTHS if d < max_depth), max_depth]
    for depth in depths:
        gitio.fetch(repo, REMOTE, refspecs, depth)
        head_sha = gitio.resolve_commit(repo, head)
        base_sha = gitio.resolve_commit(repo, base)
        if head_sha is None or base_sha is None:
            continue
        merge_base = gitio.merge_base(repo, base_sha, head_sha)
        if merge_base is None:
            continue
        shallow = gitio.shallow_commits(discovered(repo))
        if not shallow or not shallow.intersection(
                gitio.rev_list(repo, [head_sha, f"^{merge_base}"])):
            return merge_base
    raise GitError(f"cannot see the history between {base} and {head} within {max_depth} "
                   "commits; set fetch-depth: 0 in actions/checkout (or raise max-fetch-depth)")


def discovered(repo: gitio.Repo) -> gitio.Repo:
    """The repository re-read, after a fetch may have changed whether it is shallow."""
    return replace(repo, shallow=gitio.is_shallow(repo))


def plan_for_event(repo: gitio.Repo, name: str, event: Mapping[str, Any],
                   inputs: Mapping[str, str]) -> Plan:
    """Work out the range, trust ref and extras (branch, pull request) for one event."""
    max_depth = int(inputs.get("max_fetch_depth") or 20000)
    audit_event = name in ("schedule", "workflow_dispatch")
    mode = inputs.get("mode") or ("audit" if audit_event else "gate")
    if mode not in ("gate", "audit"):
        raise UsageError(f"mode must be gate or audit, not {mode!r}")
    plan = Plan(mode=mode, event=name)
    if name in ("pull_request", "pull_request_target"):
        pr = event.get("pull_request")
        if not isinstance(pr, dict):
            raise UsageError("the event payload has no pull_request")
        number = pr.get("number")
        if not isinstance(number, int) or number <= 0:
            raise UsageError("the event payload has no pull request number")
        head = _sha(pr.get("head", {}).get("sha"), "pull_request.head.sha")
        base_ref = _ref_name(pr.get("base", {}).get("ref"), "pull_request.base.ref")
        tracking = f"refs/remotes/{REMOTE}/{base_ref}"
        refspecs = [f"+refs/heads/{base_ref}:{tracking}",
                    f"+refs/pull/{number}/head:refs/remotes/{REMOTE}/pull/{number}/head"]
        if gitio.resolve_commit(repo, head) is None:
            gitio.fetch(repo, REMOTE, [*refspecs, head], None if not repo.shallow else 1)
        merge_base = _connect(repo, refspecs, tracking, head, max_depth)
        plan.range = f"{merge_base}..{head}"
        plan.trust_ref = tracking
        plan.branch = pr.get("head", {}).get("ref") if isinstance(
            pr.get("head", {}).get("ref"), str) else None
        plan.pull_request = number
        title = pr.get("title") if isinstance(pr.get("title"), str) else ""
        body = pr.get("body") if isinstance(pr.get("body"), str) else ""
        plan.pr_text = f"{title}\n{body}"
    elif name == "push":
        after = _sha(event.get("after"), "after")
        before = event.get("before")
        ref = _ref_name(event.get("ref"), "ref")
        if _ZERO.match(after) or event.get("deleted") is True:
            plan.nothing_to_check = True
            plan.notes.append(f"{ref} was deleted; nothing to check")
            return plan
        plan.branch = ref if ref.startswith("refs/heads/") else None
        default = event.get("repository", {}).get("default_branch")
        default_tracking = None
        if isinstance(default, str) and default:
            default_tracking = f"refs/remotes/{REMOTE}/{_ref_name(default, 'default_branch')}"
        if isinstance(before, str) and _SHA.match(before) and not _ZERO.match(before):
            gitio.fetch(repo, REMOTE, [after], 1 if gitio.is_shallow(repo) else None)
            if gitio.fetch(repo, REMOTE, [before], 1 if gitio.is_shallow(repo) else None) or \
                    gitio.resolve_commit(repo, before):
                merge_base = _connect(repo, [after, before], before, after, max_depth)
                plan.range = f"{before}..{after}" if merge_base == before else \
                    f"{merge_base}..{after}"
                if merge_base != before:
                    plan.notes.append("forced push: checked the commits since the old and new "
                                      "tips diverged")
                plan.trust_ref = before
                return plan
            plan.notes.append("the previous tip is gone (forced push); checked against the "
                              "default branch")
        if default_tracking is None:
            raise UsageError("the event payload has no repository.default_branch")
        if ref == f"refs/heads/{default}":
            # The first push of the default branch: everything is new, nothing is trusted yet.
            gitio.fetch(repo, REMOTE, [after], None)
            if gitio.is_shallow(repo):
                gitio.unshallow(repo, REMOTE)
            plan.history = True
            plan.trust_ref = after
            plan.notes.append("first push of the default branch: checked its whole history")
            return plan
        refspec = f"+refs/heads/{default}:{default_tracking}"
        merge_base = _connect(repo, [refspec, after], default_tracking, after, max_depth)
        plan.range = f"{merge_base}..{after}"
        plan.trust_ref = default_tracking
    elif name == "merge_group":
        group = event.get("merge_group")
        if not isinstance(group, dict):
            raise UsageError("the event payload has no merge_group")
        head = _sha(group.get("head_sha"), "merge_group.head_sha")
        base = _sha(group.get("base_sha"), "merge_group.base_sha")
        merge_base = _connect(repo, [head, base], base, head, max_depth)
        plan.range = f"{merge_base}..{head}"
        plan.trust_ref = base
    elif audit_event:
        if gitio.is_shallow(repo):
            gitio.unshallow(repo, REMOTE)
        plan.history = True
        plan.trust_ref = "HEAD"
    else:
        raise UsageError(f"event '{name}' is not supported; use pull_request, "
                         "pull_request_target, push, merge_group, workflow_dispatch or schedule")
    if inputs.get("trust_ref"):
        plan.trust_ref = inputs["trust_ref"]
    return plan


def check_command(plan: Plan, pr_text_file: str | None, extra: Sequence[str]) -> list[str]:
    """The `ai-clearance check` command line for a plan. Python runs isolated (-I): the
    checked-out repository is the working directory, and no module in it may shadow ours."""
    command = [sys.executable, "-I", "-m", "ai_clearance", "check", "--format", "json"]
    command += ["--history"] if plan.history else ["--range", plan.range or ""]
    if plan.trust_ref:
        command += ["--trust-ref", plan.trust_ref]
    if plan.branch:
        command += ["--branch", plan.branch]
    if plan.pull_request is not None:
        command += ["--pull-request", str(plan.pull_request)]
    if pr_text_file:
        command += ["--pr-text", pr_text_file]
    return command + list(extra)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _outputs(path: str | None, values: Mapping[str, object]) -> None:
    lines = "".join(f"{k}={str(v).replace(chr(10), ' ')}\n" for k, v in values.items())
    _append(path, lines)


def _fail(message: str, code: int, env: Mapping[str, str]) -> int:
    print(f"::error title=ai-clearance::{message}")
    _append(env.get("GITHUB_STEP_SUMMARY"), f"## ⛔ ai-clearance: ERROR\n\n{message}\n")
    _outputs(env.get("GITHUB_OUTPUT"), {"verdict": "error"})
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the action step: reads GITHUB_* and AIC_* variables, writes the runner's files."""
    env = os.environ
    inputs = {
        "mode": env.get("AIC_MODE", ""), "trust_ref": env.get("AIC_TRUST_REF", ""),
        "max_fetch_depth": env.get("AIC_MAX_FETCH_DEPTH", ""),
    }
    try:
        extra = shlex.split(env.get("AIC_ARGS", ""))
        if (env.get("AIC_FORMAT") or "text") not in ("text", "json", "sarif"):
            raise UsageError("format must be text, json or sarif")
        name = env.get("GITHUB_EVENT_NAME", "")
        event_path = env.get("GITHUB_EVENT_PATH", "")
        try:
            with open(event_path, encoding="utf-8") as handle:
                event = json.load(handle)
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the event payload {event_path!r}: {exc}") from None
        if not isinstance(event, dict):
            raise UsageError("the event payload is not a JSON object")
        workspace = env.get("AIC_WORKING_DIRECTORY") or env.get("GITHUB_WORKSPACE") or "."
        repo = gitio.discover(workspace)
        plan = plan_for_event(repo, name, event, inputs)
    except (ClearanceError, ValueError) as exc:
        code = exc.exit_code if isinstance(exc, ClearanceError) else EXIT_USAGE
        return _fail(str(exc), code, env)
    for note in plan.notes:
        print(f"::notice title=ai-clearance::{note}")
    if plan.nothing_to_check:
        _outputs(env.get("GITHUB_OUTPUT"), {"verdict": "pass", "failures": 0, "warnings": 0})
        _append(env.get("GITHUB_STEP_SUMMARY"),
                "## ✅ ai-clearance: nothing to check\n\n" + "\n".join(plan.notes) + "\n")
        return 0
    report_dir = env.get("AIC_REPORT_DIR") or os.path.join(
        env.get("RUNNER_TEMP") or tempfile.gettempdir(), "ai-clearance")
    os.makedirs(report_dir, exist_ok=True)
    pr_text_file = None
    if plan.pr_text is not None:
        pr_text_file = os.path.join(report_dir, "pull-request.txt")
        with open(pr_text_file, "w", encoding="utf-8") as handle:
            handle.write(plan.pr_text)
    command = check_command(plan, pr_text_file, extra)
    print(f"ai-clearance: {plan.event}, mode {plan.mode}: "
          f"{'history of HEAD' if plan.history else plan.range}; trust from {plan.trust_ref}")
    proc = subprocess.run(command, cwd=repo.cwd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        message = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else \
            f"the check failed with exit code {proc.returncode}"
        return _fail(message.removeprefix("ai-clearance: error: "), proc.returncode, env)
    data = json.loads(proc.stdout)
    catalog = load_catalog()
    paths = {
        "report-json": os.path.join(report_dir, "report.json"),
        "report-sarif": os.path.join(report_dir, "report.sarif"),
        "report-summary": os.path.join(report_dir, "summary.md"),
    }
    summary = summary_markdown(data, data.get("approve_commands", []))
    with open(paths["report-json"], "w", encoding="utf-8") as handle:
        handle.write(proc.stdout)
    with open(paths["report-sarif"], "w", encoding="utf-8") as handle:
        handle.write(sarif_text(data, catalog))
    with open(paths["report-summary"], "w", encoding="utf-8") as handle:
        handle.write(summary)
    for line in workflow_commands(data):
        print(line)
    log_format = env.get("AIC_FORMAT") or "text"
    if log_format == "json":
        print(proc.stdout, end="")
    elif log_format == "sarif":
        print(sarif_text(data, catalog), end="")
    else:
        for finding in data["findings"]:
            where = finding["path"] or (finding["commit"] or "")[:12]
            print(f"{finding['status']:<8} {finding['rule']} {','.join(finding['assistants'])}"
                  f" {where}: {finding['evidence']}")
    _append(env.get("GITHUB_STEP_SUMMARY"), summary)
    coverage = data["coverage"]
    trust = coverage.get("trust") or {}
    print(f"ai-clearance: {data['verdict'].upper()}: {data['counts']['fail']} unapproved, "
          f"{data['counts']['warn']} warnings; {coverage['commits_scanned']} commits in "
          f"{coverage.get('range')}; policy and trust from {trust.get('source')}")
    _outputs(env.get("GITHUB_OUTPUT"), {
        "verdict": data["verdict"], "failures": data["counts"]["fail"],
        "warnings": data["counts"]["warn"],
        "cleared": data["counts"]["cleared"] + data["counts"]["allowed"],
        "commits": coverage["commits_scanned"], "range": coverage.get("range") or "",
        "trust-commit": trust.get("commit") or "", **paths,
    })
    if plan.mode == "audit":
        return 0
    return 1 if data["verdict"] == "fail" else 0


def entry() -> int:
    """Console script: `main`, with any unexpected error as one line."""
    try:
        return main()
    except Exception as exc:  # noqa: BLE001 - the run log gets one line, never a traceback
        print(f"::error title=ai-clearance::internal error ({type(exc).__name__}: {exc})")
        return 4


if __name__ == "__main__":
    raise SystemExit(entry())
