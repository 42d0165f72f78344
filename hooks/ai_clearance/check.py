"""One check, from request to exit code: shared by the CLI and every hook entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ai_clearance.approvals import proposed, trustfiles
from ai_clearance.approvals.trustfiles import POLICY_FILE, PYPROJECT
from ai_clearance.catalog.rules import Catalog, load_catalog
from ai_clearance.clearance.decide import Decided, decide
from ai_clearance.clearance.policy import Policy, load_policy, policy_from_texts
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_PASS,
    ClearanceError,
    GitError,
    OutputError,
    UsageError,
    discard_stdout,
)
from ai_clearance.git import gitio
from ai_clearance.localfiles import read_regular
from ai_clearance.model import Finding
from ai_clearance.report.model import Report, build_report
from ai_clearance.report.render import unjudged_place, write_json, write_text
from ai_clearance.source import message
from ai_clearance.source.message import Scan

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import TextIO

    from ai_clearance.approvals.trust import RecordState, Trust
    from ai_clearance.clearance.clearing import Facts
    from ai_clearance.detect.disclosure import Declarations

MAX_MESSAGE_BYTES = 64 << 20


@dataclass(frozen=True)
class Request:
    """What to check and how to report it."""

    source: str
    argument: str | None = None
    all_refs: bool = False
    output_format: str = "text"
    config: str | None = None
    branch: str | None = None
    allow_empty: bool = False
    cwd: str = "."
    remote: str | None = None
    trust_ref: str | None = None
    tokens: tuple[str, ...] = ()
    pull_request: int | None = None
    pr_text: str | None = None
    revs: tuple[str, ...] = ()
    # No fallback for trust: a CI job, a push hook or a server hook reviews commits, and
    # HEAD is the change itself. Also on whenever the CI variable is set.
    enforce: bool = False
    # Check with the default policy and no approvals (a first push: nothing is trusted yet).
    no_trust: bool = False
    # Judge approvals at each commit's date (an audit of history already on the protected
    # branch) rather than now (a gate). None: by the source (`history` audits).
    at_commit_dates: bool | None = None
    # Judge the policy's `mode` by what the commits disclose. Off for the disclose hook,
    # which asks what is approved before it adds the trailer the mode then finds.
    judge_disclosures: bool = True
    # Judge the agent session the check runs in (AIC8xx), whatever the source: the commit
    # hooks always do; the pre-push hook does too (an agent that pushes is in a session).
    session: bool = False
    # Judge that session only, not the message (the prepare-commit-msg hook: git runs it for
    # commits that skip pre-commit and commit-msg, such as cherry-pick and `commit -n`).
    session_only: bool = False
    # The message may still change before git stores it (an editor opens after
    # prepare-commit-msg): its disclosures are judged later, as at the pre-commit stage.
    message_pending: bool = False

    @property
    def enforcing(self) -> bool:
        """Whether trust must come from a protected base, with no fallback."""
        return self.enforce or (self.source not in ("staged", "message") and in_ci())

    @property
    def audit(self) -> bool:
        return self.source == "history" if self.at_commit_dates is None else \
            self.at_commit_dates


def in_ci() -> bool:
    """Whether this runs in CI: GitHub Actions, GitLab CI and most CI services set CI."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _read_message(path: str) -> str:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
        else:  # a regular file: a FIFO or device would block or never end
            raw = read_regular(path, MAX_MESSAGE_BYTES + 1, follow=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read message: {exc.strerror}") from None
    if len(raw) > MAX_MESSAGE_BYTES:
        raise UsageError(f"{path}: message larger than {MAX_MESSAGE_BYTES >> 20} MiB")
    return raw.decode("utf-8", "replace")


def _env_tokens() -> list[tuple[str, str]]:
    return [(t, "AI_CLEARANCE_TOKEN") for t in os.environ.get("AI_CLEARANCE_TOKEN", "").split()]


def check(request: Request, out: TextIO) -> int:
    """Run the check and write its report to `out` in the request's format; return the exit
    code (raises ClearanceError for errors)."""
    report = check_report(request)
    write_report(out, report, request.output_format)
    return exit_code(report)


def check_report(request: Request) -> Report:
    """Run the check and return its report, writing nothing (raises ClearanceError for
    errors; files that could not be judged are in the report: see `exit_code`)."""
    repo = _repository(request)
    # The pre-commit hook's git work runs while the catalog, policy and trust load.
    staged = _start_staged(repo) if repo is not None and request.source == "staged" else None
    _refuse_config_in_tree(repo, request)
    files, policy = _trust_files_and_policy(repo, request)
    catalog = policy.catalog
    result = _scan(repo, catalog, request, policy.ignored_identities, staged)
    if request.session_only:
        result.findings.clear()
    if (request.session or request.source in ("staged", "message")) and \
            policy.session != "off":
        # Commit (or push) time: is an agent running this? (psutil is imported only here.)
        from ai_clearance.source.session import session_findings

        result.findings.extend(session_findings(repo, catalog))
    extra = [(t, "--token") for t in request.tokens] + _env_tokens() + result.tokens
    result.coverage.policy = policy.origin
    if repo is not None and request.source in proposed.SOURCES:
        # Trust files the change would commit or merge must load: refused here, exit 2.
        changed = proposed.checked_changes(repo, result.head,
                                           staged.result()[0] if staged is not None else None,
                                           files)
        if result.head and files.commit:
            result.coverage.pending = changed
    declarations = _declarations(repo, policy, result, request) \
        if policy.mode != "forbid" and request.judge_disclosures else None
    decided = _decide(repo, files, policy, result, request, extra, declarations)
    return build_report(decided.decisions, result.coverage, decided.verdict, result.head,
                        catalog, _dates(repo, result.findings))


def _dates(repo: gitio.Repo | None,
           findings: Sequence[Finding]) -> dict[str, tuple[str, str]] | None:
    """The (author, committer) dates of the findings' commits (one git call, only when there
    are findings in commits: a clean check pays nothing)."""
    commits = sorted({f.commit for f in findings if f.commit})
    if repo is None or not commits:
        return None
    return {sha: (author, committer)
            for sha, author, committer in gitio.commit_dates(repo, commits, no_walk=True)}


def trusted_records(request: Request) -> list[RecordState]:
    """Every approval, token and revocation of the trust files a check of `request` reads,
    as verified now (an audit charts them)."""
    from ai_clearance.approvals import trust
    from ai_clearance.approvals.records import utc_now

    files, policy = _trust_files_and_policy(_repository(request), request)
    extra = [(t, "--token") for t in request.tokens] + _env_tokens()
    return trust.build_trust(files, utc_now(), policy.allow_open_ended_approvals, extra,
                             repository_id=policy.repository_id).states


def _start_staged(repo: gitio.Repo) -> gitio.StagedPrefetch:
    from ai_clearance.source import scan  # imported when needed: see _scan_repo
    return scan.start_staged(repo)


def policy_for(request: Request) -> Policy:
    """The policy a check of `request` applies, read from the same trusted files."""
    return _trust_files_and_policy(_repository(request), request)[1]


def _repository(request: Request) -> gitio.Repo | None:
    """The repository the check runs in; None only for a message checked outside one."""
    if request.source != "message":
        return gitio.discover(request.cwd)
    try:
        return gitio.discover(request.cwd)
    except gitio.NotARepository:
        return None  # a message can be checked outside any repository (not if git fails)


def _trust_files_and_policy(repo: gitio.Repo | None,
                            request: Request) -> tuple[trustfiles.TrustFiles, Policy]:
    """Read the trust files (from git, in the background) while the catalog loads; then the
    policy: the --config file, or the trusted policy file."""
    trusted = trustfiles.FilesPrefetch(repo, request.trust_ref, request.enforcing,
                                       request.remote or "origin", request.source == "pushed") \
        if repo is not None and not request.no_trust else None
    catalog = load_catalog()
    if request.source != "message":
        # While git reads the trust files: the path filter of the built-in rules, kept for
        # the scan (a policy that adds rules has a filter of its own built).
        PathMatcher(catalog).region_filter()
    files = trusted.result() if trusted is not None else trustfiles.NO_TRUST
    if request.config is not None:
        return files, load_policy(catalog, None, request.config)
    with proposed.judged_by(files, policy=True):
        return files, policy_from_texts(catalog, files.text(POLICY_FILE),
                                        files.text(PYPROJECT), files.label)


def _scan(repo: gitio.Repo | None, catalog: Catalog, request: Request,
          ignored: frozenset[str], staged: gitio.StagedPrefetch | None) -> Scan:
    """The findings of what the request names, with its branch name and pull request text."""
    if request.source == "message":
        assert request.argument is not None
        result = message.scan_message(repo, catalog, _read_message(request.argument), ignored)
    else:
        assert repo is not None
        result = _scan_repo(repo, catalog, request, ignored, staged)
    message.with_branch(result, catalog, request.branch)
    if request.pr_text is not None:
        if repo is None:
            raise UsageError("--pr-text needs a repository")
        message.with_pr_text(repo, result, catalog, _read_message(request.pr_text))
    return result


def _declarations(repo: gitio.Repo | None, policy: Policy, result: Scan,
                  request: Request) -> Declarations:
    """What the findings' commits disclose (policy `mode` approve or disclose): each
    commit's disclosure trailers, or the message's being committed (a disclosure counts
    only if it is in every text git may store), or none yet (the pre-commit stage)."""
    from ai_clearance.detect.disclosure import Declarations, parse_disclosures

    catalog, keys = policy.catalog, policy.disclosure_keys
    if request.message_pending:
        return Declarations(pending=True)
    if request.source == "message":
        readings = [parse_disclosures(catalog, text, keys) for text in result.messages]
        everywhere = set.intersection(*({(d.key, d.value) for d in found}
                                        for found in readings)) if readings else set()
        return Declarations(message=[d for d in (readings[0] if readings else [])
                                     if (d.key, d.value) in everywhere])
    if request.source == "staged":
        return Declarations(pending=True)
    commits = sorted({f.commit for f in result.findings if f.commit})
    # A session judged at push time has no message of its own: judged as at pre-commit
    # (disclose warns, approve needs an approval); each pushed commit's disclosures are
    # judged with the commit's findings.
    if repo is None or not commits:
        return Declarations(pending=request.session)
    return Declarations(by_commit={sha: parse_disclosures(catalog, text, keys)
                                   for sha, text in gitio.commit_messages(repo, commits).items()},
                        pending=request.session)


def _decide(repo: gitio.Repo | None, files: trustfiles.TrustFiles, policy: Policy,
            result: Scan, request: Request, extra: list[tuple[str, str]],
            declarations: Declarations | None = None) -> Decided:
    """Decide the findings: with the trust files and tokens when there are any."""
    if extra or any(p.startswith(trustfiles.TRUST_DIR + "/") for p in files.files):
        with proposed.judged_by(files, policy=False):
            return _decide_with_trust(repo, files, policy, result, request, extra,
                                      declarations)
    # No signers, approvals or tokens anywhere: the hooks skip loading the crypto side.
    result.coverage.trust = {"source": files.label, "commit": files.commit, "signers": 0,
                             "approvals_active": 0, "tokens_active": 0,
                             "records_refused": 0, "notes": []}
    return decide(result.findings, policy, declarations=declarations)


def write_report(out: TextIO, report: Report, output_format: str) -> None:
    """Write `report` to `out` as text, json or sarif (raises OutputError if it cannot)."""
    try:
        if output_format == "json":
            write_json(out, report)
        elif output_format == "sarif":
            from ai_clearance.report.sarif import sarif_text

            out.write(sarif_text(report))
        else:
            write_text(out, report)
        out.flush()
    except OSError as exc:
        # Its reader went away (`| head`) or the disk is full: the verdict was not delivered.
        raise OutputError.of(exc) from None


def exit_code(report: Report) -> int:
    """The exit code of a check's report: 1 if it fails, else 0; raises GitError (exit 3)
    when files could not be judged, so a partial check never passes."""
    if report.coverage.unjudged:
        raise GitError(_unjudged_error(report.coverage.unjudged))
    return EXIT_FINDINGS if report.verdict == "fail" else EXIT_PASS


def _unjudged_error(unjudged: list[dict[str, str | None]]) -> str:
    """Fail closed for what could not be read, naming it (the report has the rest)."""
    places = ", ".join(unjudged_place(u) for u in unjudged[:5])
    more = f" and {len(unjudged) - 5} more" if len(unjudged) > 5 else ""
    return (f"{len(unjudged)} file(s) could not be judged: {places}{more}: this partial "
            "clone does not have their blobs and its promisor remote did not send them; "
            "fetch them (or use a full clone) and check again")


def _refuse_config_in_tree(repo: gitio.Repo | None, request: Request) -> None:
    """In CI a policy file from the work tree is the change under review's own policy."""
    if request.config is None or repo is None or repo.toplevel is None or \
            not request.enforcing:
        return
    config = os.path.realpath(os.path.join(request.cwd, request.config))
    top = os.path.realpath(repo.toplevel)
    if os.path.commonpath([config, top]) == top:
        raise UsageError(f"--config {request.config}: a policy file in the work tree is "
                         "the change under review's own; in CI, policy comes from --trust-ref "
                         "(or give a file outside the repository)")


def _decide_with_trust(repo: gitio.Repo | None, files: trustfiles.TrustFiles, policy: Policy,
                       result: Scan, request: Request, extra: list[tuple[str, str]],
                       declarations: Declarations | None) -> Decided:
    """Verify approvals, revocations and tokens once, ask git what the decision needs to
    know about the findings' commits, then decide."""
    from ai_clearance.approvals import trust
    from ai_clearance.approvals.records import utc_now

    now = utc_now()
    verified = trust.build_trust(files, now, policy.allow_open_ended_approvals, extra,
                                 repository_id=policy.repository_id)
    facts = _facts(repo, files, policy, verified, result.findings, request)
    decided = decide(result.findings, policy, verified, facts, now, declarations)
    summary = verified.summary()
    summary["notes"] = [*verified.notes, *decided.notes]
    result.coverage.trust = summary
    return decided


def _facts(repo: gitio.Repo | None, files: trustfiles.TrustFiles, policy: Policy,
           verified: Trust, findings: Sequence[Finding], request: Request) -> Facts:
    """What git knows that clearing needs, read once for all findings: in an audit, which
    commits the protected branch already has; the patch ids a token may name; with signed
    commits required, each commit's signature."""
    from ai_clearance.approvals.records import Token
    from ai_clearance.clearance.clearing import Facts

    records = [s for s in verified.states if s.kind in ("approval", "token") and s.usable]
    commits = sorted({f.commit for f in findings if f.commit})
    if repo is None or not commits or not records:
        return Facts(pull_request=request.pull_request)
    protected = None
    if request.audit and files.commit is not None:
        protected = frozenset(gitio.rev_list(repo, [files.commit])) & frozenset(commits)
    patch_ids: dict[str, str] = {}
    if any(c.patch_id for s in records if isinstance(s.record, Token) for c in s.record.covers):
        patch_ids = gitio.patch_ids(repo, sorted({f.commit for f in findings
                                                  if f.commit and f.path is None}))
    signatures = None
    if policy.require_signed_commits:
        signatures = _signatures(repo, files, verified, commits)
    return Facts(protected=protected, patch_ids=patch_ids, signatures=signatures,
                 pull_request=request.pull_request)


def _signatures(repo: gitio.Repo, files: trustfiles.TrustFiles, verified: Trust,
                commits: list[str]) -> dict[str, tuple[str, str]]:
    """Each commit's signature verdict against the maintainers' keys plus each active
    approval's author keys (git reads them from an allowed_signers file)."""
    import shutil
    import tempfile

    from ai_clearance.approvals.trust import commit_signers

    signers_dir = tempfile.mkdtemp(prefix="ai-clearance-")
    try:
        signers_path = os.path.join(signers_dir, "commit-signers")
        with open(signers_path, "w", encoding="utf-8") as handle:
            handle.write(commit_signers(files, verified.active_approvals))
        return gitio.commit_signatures(repo, commits, signers_path)
    finally:
        shutil.rmtree(signers_dir, ignore_errors=True)


def _scan_repo(repo: gitio.Repo, catalog: Catalog, request: Request,
               ignored: frozenset[str], staged: gitio.StagedPrefetch | None = None,
               ) -> Scan:
    # Imported here, not at the top: a message check needs none of the 16 modules (the CI
    # readers) it loads, ~18 ms of the commit-msg hook's start-up on the machine measured.
    from ai_clearance.source import scan
    if request.source == "staged":
        return scan.scan_staged(repo, catalog, ignored, started=staged)
    if request.source == "range":
        assert request.argument is not None
        return scan.scan_range(repo, catalog, request.argument, ignored,
                               allow_empty=request.allow_empty)
    if request.source == "pushed":
        assert request.argument is not None and request.remote is not None
        return scan.scan_pushed(repo, catalog, request.argument, request.remote, ignored)
    if request.source == "revs":
        return scan.scan_revs(repo, catalog, list(request.revs), request.argument or "",
                              ignored, allow_empty=request.allow_empty, ref=request.branch)
    if request.source == "tree":
        rev = request.argument or "HEAD"
        return scan.scan_tree(repo, catalog, rev)
    if request.source == "history":
        return scan.scan_history(repo, catalog, request.all_refs, ignored)
    raise UsageError(f"unknown source {request.source}")


def run(request: Request, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`check`, with every error turned into a one-line message and its exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return check(request, out)
    except OutputError as exc:
        err.write(f"ai-clearance: error: {exc}\n")
        if out is sys.stdout:
            discard_stdout()
        return exc.exit_code
    except ClearanceError as exc:
        err.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("ai-clearance: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        err.write(f"ai-clearance: internal error ({type(exc).__name__}: {exc}); "
                  "please report it\n")
        return EXIT_INTERNAL


HOOK_OPTIONS = ("--config", "--format")


def hook_request(argv: Sequence[str] | None, prog: str, source: str,
                 takes_file: bool = False) -> tuple[Request, list[str]]:
    """Parse the few options a hook accepts (`--config FILE`, `--format text|json`), plus its
    file argument; other arguments (the file names pre-commit passes) are returned as they
    are. Hand-parsed: argparse costs a hook ~5 ms per commit."""
    args = list(sys.argv[1:] if argv is None else argv)
    options: dict[str, str] = {}
    rest: list[str] = []
    argument: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        name, equals, inline = arg.partition("=")
        if arg in ("-h", "--help"):
            file_part = " FILE" if takes_file else ""
            sys.stdout.write(f"usage: {prog} [--config FILE] [--format text|json]{file_part}\n"
                             f"ai-clearance {source} hook (see `ai-clearance check --help`)\n")
            raise SystemExit(0)
        if name in HOOK_OPTIONS:
            if not equals:
                if i + 1 >= len(args):
                    raise UsageError(f"{prog}: {name} needs a value")
                i += 1
                inline = args[i]
            options[name] = inline
        elif arg == "--":
            rest.extend(args[i + 1:])
            break
        elif takes_file and argument is None and not arg.startswith("-"):
            argument = arg
        else:
            rest.append(arg)
        i += 1
    output_format = options.get("--format", "text")
    if output_format not in ("text", "json"):
        raise UsageError(f"{prog}: --format must be text or json, not {output_format!r}")
    if takes_file and argument is None:
        raise UsageError(f"{prog}: the commit message file is missing")
    return Request(source=source, argument=argument, output_format=output_format,
                   config=options.get("--config", os.environ.get("AI_CLEARANCE_CONFIG")),
                   trust_ref=os.environ.get("AI_CLEARANCE_TRUST_REF") or None), rest
