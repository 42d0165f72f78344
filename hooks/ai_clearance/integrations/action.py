"""The GitHub Action: the range from the event, trust from the base, reports for the run.

It never checks out or runs code from the change under review: it fetches objects and reads
them with git plumbing, so `pull_request_target` is safe to use. Whatever it prints from the
commits is escaped workflow-command data or sits in a `::stop-commands::` block, so the
change under review cannot give the runner commands.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ai_clearance.check import check_report, exit_code
from ai_clearance.cli.main import check_request
from ai_clearance.errors import EXIT_INTERNAL, EXIT_USAGE, ClearanceError, GitError, UsageError
from ai_clearance.git import gitio
from ai_clearance.integrations.pr_comment import (
    Api,
    CommentError,
    fit,
    keep_sticky,
    quiet_mentions,
)
from ai_clearance.report.github import (
    annotation,
    job_log,
    one_line,
    output_file_text,
    summary_markdown,
    untrusted_block,
    workflow_commands,
)
from ai_clearance.report.model import Report
from ai_clearance.report.render import write_json
from ai_clearance.report.sarif import sarif_text

_ZERO = re.compile(r"0{40}(?:0{24})?\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
# What git's check-ref-format refuses anywhere in a name (control characters included).
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_DEPTHS = (50, 250, 1000, 5000, 20000, 100000)
_AUDIT_EVENTS = ("schedule", "workflow_dispatch")
REMOTE = "origin"
OUTPUTS = ("verdict", "failures", "warnings", "cleared", "commits", "range", "trust-commit",
           "report-json", "report-sarif", "report-summary")
NO_TRUST = "no trust files (the default policy, no maintainers, no approvals)"


@dataclass
class Plan:
    """What to check for this event, and where trust comes from."""

    mode: str
    event: str
    range: str | None = None
    history: bool = False
    trust_ref: str | None = None
    no_trust: bool = False
    allow_empty: bool = False
    branch: str | None = None
    pull_request: int | None = None
    pr_text: str | None = None
    notes: list[str] = field(default_factory=list)
    nothing_to_check: bool = False
    head: str | None = None
    read_only_token: bool = False  # a fork's pull request: its token cannot comment


def _get(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...` of a JSON payload, or None where a level is missing or no object."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _sha(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _SHA.match(value):
        raise UsageError(f"the event payload has no valid {what}")
    return value


def _ref_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or value.startswith("-") or ".." in value \
            or _BAD_REF.search(value):
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


def _plan_pull_request(repo: gitio.Repo, event: Mapping[str, Any], plan: Plan,
                       max_depth: int) -> None:
    pr = event.get("pull_request")
    if not isinstance(pr, dict):
        raise UsageError("the event payload has no pull_request")
    number = pr.get("number")
    if not isinstance(number, int) or number <= 0:
        raise UsageError("the event payload has no pull request number")
    head = _sha(_get(pr, "head", "sha"), "pull_request.head.sha")
    base_ref = _ref_name(_get(pr, "base", "ref"), "pull_request.base.ref")
    tracking = f"refs/remotes/{REMOTE}/{base_ref}"
    refspecs = [f"+refs/heads/{base_ref}:{tracking}",
                f"+refs/pull/{number}/head:refs/remotes/{REMOTE}/pull/{number}/head"]
    if gitio.resolve_commit(repo, head) is None:
        gitio.fetch(repo, REMOTE, [*refspecs, head], None if not repo.shallow else 1)
    merge_base = _connect(repo, refspecs, tracking, head, max_depth)
    plan.range = f"{merge_base}..{head}"
    plan.trust_ref = tracking
    head_ref = _get(pr, "head", "ref")
    plan.branch = head_ref if isinstance(head_ref, str) else None
    plan.pull_request = number
    plan.head = head
    # Under pull_request, a fork's (or a deleted fork's) pull request gets a read-only token.
    plan.read_only_token = plan.event == "pull_request" and (
        _get(pr, "head", "repo", "full_name") != _get(pr, "base", "repo", "full_name"))
    title, body = pr.get("title"), pr.get("body")
    plan.pr_text = f"{title if isinstance(title, str) else ''}\n" \
        f"{body if isinstance(body, str) else ''}"


def _plan_push(repo: gitio.Repo, event: Mapping[str, Any], plan: Plan, max_depth: int) -> None:
    after = _sha(event.get("after"), "after")
    ref = _ref_name(event.get("ref"), "ref")
    if _ZERO.match(after) or event.get("deleted") is True:
        plan.nothing_to_check = True
        plan.notes.append(f"{ref} was deleted; nothing to check")
        return
    plan.branch = ref if ref.startswith("refs/heads/") else None
    default = _ref_name(_get(event, "repository", "default_branch"),
                        "repository.default_branch")
    if ref == f"refs/heads/{default}":
        _plan_push_default(repo, plan, event.get("before"), after, max_depth)
    else:
        _plan_push_other(repo, plan, default, after, max_depth)


def _plan_push_default(repo: gitio.Repo, plan: Plan, before: Any, after: str,
                       max_depth: int) -> None:
    """A push to the default branch: its previous tip is protected, so trust comes from it."""
    if not isinstance(before, str) or not _SHA.match(before) or _ZERO.match(before):
        _plan_untrusted_history(repo, plan, after, "first push of the default branch")
        return
    gitio.fetch(repo, REMOTE, [after], 1 if gitio.is_shallow(repo) else None)
    if not gitio.fetch(repo, REMOTE, [before], 1 if gitio.is_shallow(repo) else None) and \
            gitio.resolve_commit(repo, before) is None:
        _plan_untrusted_history(repo, plan, after, "the previous tip is gone (forced push)")
        return
    merge_base = _connect(repo, [after, before], before, after, max_depth)
    plan.range = f"{merge_base}..{after}"
    if merge_base != before:
        plan.notes.append("forced push: checked the commits since the old and new tips diverged")
    plan.trust_ref = before


def _plan_untrusted_history(repo: gitio.Repo, plan: Plan, after: str, why: str) -> None:
    """The whole history with nothing trusted: no earlier tip of the default branch vouches
    for the policy and approvals this push brings, so they cannot clear it."""
    gitio.fetch(repo, REMOTE, [after], None)
    if gitio.is_shallow(repo):
        gitio.unshallow(repo, REMOTE)
    plan.history = True
    plan.trust_ref = None
    plan.no_trust = True
    plan.notes.append(f"{why}: checked its whole history with {NO_TRUST}; the policy and "
                      "approvals it brings apply from its next push")


def _plan_push_other(repo: gitio.Repo, plan: Plan, default: str, after: str,
                     max_depth: int) -> None:
    """A push to any other branch, or a tag: whoever pushed it also wrote its previous tip, so
    trust comes from the default branch, fetched now, and the range is everything the pushed
    ref has that the default branch has not."""
    tracking = f"refs/remotes/{REMOTE}/{default}"
    refspec = f"+refs/heads/{default}:{tracking}"
    if not gitio.fetch(repo, REMOTE, [refspec], 1 if gitio.is_shallow(repo) else None):
        raise GitError(f"cannot fetch the default branch '{default}' from {REMOTE}")
    merge_base = _connect(repo, [refspec, after], tracking, after, max_depth)
    plan.range = f"{merge_base}..{after}"
    plan.trust_ref = tracking
    if merge_base == after:
        plan.allow_empty = True
        plan.notes.append(f"the default branch '{default}' already has every commit pushed; "
                          "no commit to check")


def _plan_merge_group(repo: gitio.Repo, event: Mapping[str, Any], plan: Plan,
                      max_depth: int) -> None:
    group = event.get("merge_group")
    if not isinstance(group, dict):
        raise UsageError("the event payload has no merge_group")
    head = _sha(group.get("head_sha"), "merge_group.head_sha")
    base = _sha(group.get("base_sha"), "merge_group.base_sha")
    merge_base = _connect(repo, [head, base], base, head, max_depth)
    plan.range = f"{merge_base}..{head}"
    plan.trust_ref = base


def _plan_audit(repo: gitio.Repo, event: Mapping[str, Any], plan: Plan, max_depth: int) -> None:
    if gitio.is_shallow(repo):
        gitio.unshallow(repo, REMOTE)
    plan.history = True
    plan.trust_ref = "HEAD"


_PLANNERS: dict[str, Callable[[gitio.Repo, Mapping[str, Any], Plan, int], None]] = {
    "pull_request": _plan_pull_request, "pull_request_target": _plan_pull_request,
    "push": _plan_push, "merge_group": _plan_merge_group,
    "schedule": _plan_audit, "workflow_dispatch": _plan_audit,
}


def plan_for_event(repo: gitio.Repo, name: str, event: Mapping[str, Any],
                   inputs: Mapping[str, str]) -> Plan:
    """Work out the range, trust ref and extras (branch, pull request) for one event."""
    max_depth = int(inputs.get("max_fetch_depth") or 20000)
    mode = inputs.get("mode") or ("audit" if name in _AUDIT_EVENTS else "gate")
    if mode not in ("gate", "audit"):
        raise UsageError(f"mode must be gate or audit, not {mode!r}")
    planner = _PLANNERS.get(name)
    if planner is None:
        raise UsageError(f"event '{name}' is not supported; use pull_request, "
                         "pull_request_target, push, merge_group, workflow_dispatch or schedule")
    plan = Plan(mode=mode, event=name)
    planner(repo, event, plan, max_depth)
    if inputs.get("trust_ref") and not plan.nothing_to_check:
        plan.trust_ref = inputs["trust_ref"]
        plan.no_trust = False
    return plan


def check_arguments(plan: Plan, pr_text_file: str | None, extra: Sequence[str]) -> list[str]:
    """The `ai-clearance check` arguments for a plan, then the user's `args`."""
    arguments = ["--history"] if plan.history else ["--range", plan.range or ""]
    if plan.allow_empty:
        arguments.append("--allow-empty")
    if plan.no_trust:
        arguments.append("--no-trust")
    elif plan.trust_ref:
        arguments += ["--trust-ref", plan.trust_ref]
    if plan.branch:
        arguments += ["--branch", plan.branch]
    if plan.pull_request is not None:
        arguments += ["--pull-request", str(plan.pull_request)]
    if pr_text_file:
        arguments += ["--pr-text", pr_text_file]
    return arguments + list(extra)


def _write(path: str, text: str, mode: str = "w") -> None:
    # Text from commits may hold bytes git could not decode (lone surrogates here): they
    # are written as escapes, never an error.
    with open(path, mode, encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)


def _append(path: str | None, text: str) -> None:
    if path:
        _write(path, text, "a")


def _outputs(env: Mapping[str, str], values: Mapping[str, object]) -> None:
    """Set every output of the action: those not in `values` to the empty string."""
    _append(env.get("GITHUB_OUTPUT"), output_file_text({n: values.get(n, "") for n in OUTPUTS}))


def _fail(message: str, code: int, env: Mapping[str, str]) -> int:
    print(annotation("error", message))
    _outputs(env, {"verdict": "error"})
    _append(env.get("GITHUB_STEP_SUMMARY"),
            f"## ⛔ ai-clearance: ERROR\n\n{one_line(message)}\n")
    return code


def _load_event(env: Mapping[str, str]) -> dict[str, Any]:
    event_path = env.get("GITHUB_EVENT_PATH", "")
    try:
        with open(event_path, encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload {event_path!r}: {exc}") from None
    if not isinstance(event, dict):
        raise UsageError("the event payload is not a JSON object")
    return event


def _prepare(env: Mapping[str, str]) -> tuple[gitio.Repo, Plan, list[str]]:
    """The repository, the plan for the event and the extra `check` arguments."""
    inputs = {
        "mode": env.get("AIC_MODE", ""), "trust_ref": env.get("AIC_TRUST_REF", ""),
        "max_fetch_depth": env.get("AIC_MAX_FETCH_DEPTH", ""),
    }
    extra = shlex.split(env.get("AIC_ARGS", ""))
    if (env.get("AIC_FORMAT") or "text") not in ("text", "json", "sarif"):
        raise UsageError("format must be text, json or sarif")
    event = _load_event(env)
    workspace = env.get("AIC_WORKING_DIRECTORY") or env.get("GITHUB_WORKSPACE") or "."
    repo = gitio.discover(workspace)
    return repo, plan_for_event(repo, env.get("GITHUB_EVENT_NAME", ""), event, inputs), extra


def _nothing_to_check(plan: Plan, env: Mapping[str, str]) -> int:
    _outputs(env, {"verdict": "pass", "failures": 0, "warnings": 0, "cleared": 0,
                   "commits": 0})
    _append(env.get("GITHUB_STEP_SUMMARY"),
            "## ✅ ai-clearance: nothing to check\n\n" + one_line(" ".join(plan.notes)) + "\n")
    return 0


@contextlib.contextmanager
def _inside(directory: str) -> Iterator[None]:
    """Run in `directory`, as `ai-clearance check` run there would: relative paths in the
    user's `args` (`--config`, `-C`) name what they named on the command line."""
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def _check(repo: gitio.Repo, arguments: Sequence[str]) -> Report:
    """Run the check in this process and return its report (raises ClearanceError with the
    exit code `ai-clearance check` would have, files that could not be judged included)."""
    request = check_request(arguments)
    with _inside(repo.cwd):
        report = check_report(request)
    exit_code(report)
    return report


def _trusting_nothing(report: Report) -> Report:
    """The report of a check with nothing trusted, saying so in the Action's words."""
    trust = {**report.coverage.trust, "source": NO_TRUST, "commit": None}
    return dataclasses.replace(report, coverage=replace(report.coverage, trust=trust))


def _write_reports(report_dir: str, report: Report, summary: str) -> dict[str, str]:
    paths = {
        "report-json": os.path.join(report_dir, "report.json"),
        "report-sarif": os.path.join(report_dir, "report.sarif"),
        "report-summary": os.path.join(report_dir, "summary.md"),
    }
    with open(paths["report-json"], "w", encoding="utf-8") as handle:
        write_json(handle, report)  # ASCII: nothing to escape
    _write(paths["report-sarif"], sarif_text(report))
    _write(paths["report-summary"], summary)
    return paths


def _results(report: Report, paths: Mapping[str, str]) -> dict[str, object]:
    coverage = report.coverage
    return {
        "verdict": report.verdict, "failures": report.count("fail"),
        "warnings": report.count("warn"), "cleared": report.count("cleared", "allowed"),
        "commits": coverage.commits_scanned, "range": coverage.range or "",
        "trust-commit": coverage.trust.get("commit") or "", **paths,
    }


def _repository_url(env: Mapping[str, str]) -> str | None:
    """`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY`, when both look as GitHub sets them."""
    server, repository = env.get("GITHUB_SERVER_URL", ""), env.get("GITHUB_REPOSITORY", "")
    if re.fullmatch(r"https?://[^\s()<>\[\]]+", server) and \
            re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
        return f"{server.rstrip('/')}/{repository}"
    return None


def _comment_text(plan: Plan, report: Report, summary: str, env: Mapping[str, str]) -> str:
    """The sticky comment: the summary while the check fails, a short note once it passes."""
    repository = _repository_url(env)
    run_id = env.get("GITHUB_RUN_ID", "")
    run = f"{repository}/actions/runs/{run_id}" if repository and run_id.isdigit() else None
    more = f"the whole report is in [the run's summary]({run})" if run else \
        "the whole report is in the run's summary"
    if report.verdict == "fail":
        return fit(quiet_mentions(summary), more)
    head = plan.head or ""
    shown = f"[{head[:12]}]({repository}/commit/{head})" if repository and head else head[:12]
    return f"## ✅ ai-clearance: resolved\n\nThe check passes as of {shown}; {more}.\n"


def _comment(plan: Plan, report: Report, summary: str, env: Mapping[str, str],
             token: str) -> None:
    """Keep the pull request's sticky comment up to date. Whatever happens here, the
    verdict and the exit code stay as they are: a missing permission is a notice."""
    if env.get("AIC_COMMENT", "").lower() != "true" or plan.pull_request is None:
        return
    if plan.read_only_token:
        print(annotation("notice", "no pull request comment: a pull request from a fork "
                         "gets a read-only token (the check itself is not affected)"))
        return
    if not token:
        print(annotation("notice", "no pull request comment: github-token is empty"))
        return
    api = Api(env.get("GITHUB_API_URL") or "https://api.github.com", token,
              env.get("GITHUB_REPOSITORY", ""))
    try:
        done = keep_sticky(api, plan.pull_request, _comment_text(plan, report, summary, env),
                           failing=report.verdict == "fail")
    except CommentError as exc:
        if exc.status in (401, 403, 404):
            print(annotation("notice", f"no pull request comment ({exc}): the job needs "
                             "permissions: pull-requests: write"))
        else:
            print(annotation("warning", f"the pull request comment was not updated: {exc}"))
        return
    except Exception as exc:  # noqa: BLE001 - a comment never decides the verdict
        print(annotation("warning", f"the pull request comment was not updated "
                         f"({type(exc).__name__}: {exc})"))
        return
    print(one_line(f"ai-clearance: pull request comment: {done}"))


def _report(plan: Plan, report: Report, report_dir: str, env: Mapping[str, str],
            token: str = "") -> int:
    """Write the reports, annotations, log, summary and outputs of a finished check, and
    keep the pull request comment up to date when asked to."""
    repository = _repository_url(env)
    summary = summary_markdown(report, f"{repository}/commit/" if repository else None)
    paths = _write_reports(report_dir, report, summary)
    for line in workflow_commands(report):
        print(line)
    print(untrusted_block(job_log(report, env.get("AIC_FORMAT") or "text")), end="")
    _append(env.get("GITHUB_STEP_SUMMARY"), summary)
    _outputs(env, _results(report, paths))
    _comment(plan, report, summary, env, token)
    if plan.mode == "audit":
        return 0
    return 1 if report.verdict == "fail" else 0


def _utf8_stdout() -> None:
    """Print UTF-8 (what the runner reads) whatever the locale, undecodable bytes escaped."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the action step: reads GITHUB_* and AIC_* variables, writes the runner's files."""
    _utf8_stdout()
    env = os.environ
    # Out of the environment before anything runs: git and its helpers never see it.
    token = env.pop("AIC_GITHUB_TOKEN", "")
    try:
        repo, plan, extra = _prepare(env)
    except (ClearanceError, ValueError) as exc:
        code = exc.exit_code if isinstance(exc, ClearanceError) else EXIT_USAGE
        return _fail(str(exc), code, env)
    for note in plan.notes:
        print(annotation("notice", note))
    if plan.nothing_to_check:
        return _nothing_to_check(plan, env)
    report_dir = os.path.abspath(env.get("AIC_REPORT_DIR") or os.path.join(
        env.get("RUNNER_TEMP") or tempfile.gettempdir(), "ai-clearance"))
    os.makedirs(report_dir, exist_ok=True)
    pr_text_file = None
    if plan.pr_text is not None:
        pr_text_file = os.path.join(report_dir, "pull-request.txt")
        _write(pr_text_file, plan.pr_text)
    trust = NO_TRUST if plan.no_trust else plan.trust_ref
    print(one_line(f"ai-clearance: {plan.event}, mode {plan.mode}: "
                   f"{'history of HEAD' if plan.history else plan.range}; trust from {trust}"))
    try:
        report = _check(repo, check_arguments(plan, pr_text_file, extra))
    except ClearanceError as exc:
        return _fail(str(exc), exc.exit_code, env)
    except Exception as exc:  # noqa: BLE001 - as `ai-clearance check` says it: one line
        return _fail(f"internal error ({type(exc).__name__}: {exc}); please report it",
                     EXIT_INTERNAL, env)
    return _report(plan, _trusting_nothing(report) if plan.no_trust else report, report_dir,
                   env, token)


def entry() -> int:
    """Console script: `main`, with any unexpected error as one line and the outputs set."""
    try:
        return main()
    except Exception as exc:  # noqa: BLE001 - the run log gets one line, never a traceback
        print(annotation("error", f"internal error ({type(exc).__name__}: {exc})"))
        with contextlib.suppress(OSError):
            _outputs(os.environ, {"verdict": "error"})
        return 4


if __name__ == "__main__":
    raise SystemExit(entry())
