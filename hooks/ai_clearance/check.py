"""One check, from request to exit code: shared by the CLI and every hook entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from ai_clearance.approvals import proposed, trustfiles
from ai_clearance.catalog.rules import Catalog, load_catalog
from ai_clearance.clearance.decide import decide, verdict
from ai_clearance.clearance.policy import (
    POLICY_FILE,
    PYPROJECT,
    Policy,
    load_policy,
    policy_from_texts,
)
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_PASS,
    ClearanceError,
    GitError,
    OutputError,
    UsageError,
)
from ai_clearance.git import gitio
from ai_clearance.git.listing import started_staged_reads, started_tree_listing
from ai_clearance.localfiles import read_regular
from ai_clearance.model import Decision, Finding
from ai_clearance.report.render import report_data, write_json, write_text
from ai_clearance.source import scan
from ai_clearance.values import value

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import TextIO

MAX_MESSAGE_BYTES = 64 << 20


@value
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
    """Run the check and write its report to `out`; return the exit code (raises
    ClearanceError for errors)."""
    repo: gitio.Repo | None
    if request.source == "message":
        try:
            repo = gitio.discover(request.cwd)
        except gitio.NotARepository:
            repo = None  # a message can be checked outside any repository (not if git fails)
    else:
        repo = gitio.discover(request.cwd)
    # The pre-commit hook's git work runs while the catalog, policy and trust load.
    staged = scan.start_staged(repo, started_staged_reads(request.cwd)) \
        if repo is not None and request.source == "staged" else None
    _refuse_config_in_tree(repo, request)
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
        policy = load_policy(catalog, None, request.config)
    else:
        with proposed.judged_by(files, policy=True):
            policy = policy_from_texts(catalog, files.text(POLICY_FILE), files.text(PYPROJECT),
                                       files.label)
    catalog = policy.catalog
    ignored = policy.ignored_identities
    if request.source == "message":
        assert request.argument is not None
        result = scan.scan_message(repo, catalog, _read_message(request.argument), ignored)
    else:
        assert repo is not None
        result = _scan_repo(repo, catalog, request, ignored, staged)
    scan.with_branch(result, catalog, request.branch)
    if request.pr_text is not None:
        if repo is None:
            raise UsageError("--pr-text needs a repository")
        scan.with_pr_text(repo, result, catalog, _read_message(request.pr_text))
    extra = [(t, "--token") for t in request.tokens] + _env_tokens() + result.tokens
    result.coverage.policy = policy.origin
    if repo is not None and request.source in proposed.SOURCES:
        # Trust files the change would commit or merge must load: refused here, exit 2.
        changed = proposed.checked_changes(repo, result.head,
                                           staged.result()[0] if staged is not None else None,
                                           files)
        if result.head and files.commit:
            result.coverage.pending = changed
    if extra or any(p.startswith(trustfiles.TRUST_DIR + "/") for p in files.files):
        with proposed.judged_by(files, policy=False):
            decisions = _decide_with_trust(repo, files, policy, result, request, extra)
    else:
        # No signers, approvals or tokens anywhere: the hooks skip loading the crypto side.
        decisions = decide(result.findings, policy)
        result.coverage.trust = {"source": files.label, "commit": files.commit, "signers": 0,
                                 "approvals_active": 0, "tokens_active": 0,
                                 "records_refused": 0, "notes": []}
    outcome = verdict(decisions)
    try:
        if request.output_format == "json":
            write_json(out, decisions, result.coverage, outcome, result.head)
        elif request.output_format == "sarif":
            from ai_clearance.report.ci import sarif_text

            out.write(sarif_text(report_data(decisions, result.coverage, outcome, result.head),
                                 catalog))
        else:
            write_text(out, decisions, result.coverage, outcome, catalog, result.head)
        out.flush()
    except OSError as exc:
        # Its reader went away (`| head`) or the disk is full: the verdict was not delivered.
        raise OutputError.of(exc) from None
    if result.coverage.unjudged:
        raise GitError(_unjudged_error(result.coverage.unjudged))
    return EXIT_FINDINGS if outcome == "fail" else EXIT_PASS


def _unjudged_error(unjudged: list[dict[str, str | None]]) -> str:
    """Fail closed for what could not be read, naming it (the report has the rest)."""
    from ai_clearance.report.render import unjudged_place

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
                       result: scan.Scan, request: Request,
                       extra: list[tuple[str, str]]) -> list[Decision]:
    """Verify approvals, revocations and tokens once, then decide with them."""
    import shutil
    import tempfile

    from ai_clearance.approvals import trust
    from ai_clearance.approvals.records import utc_now

    now = utc_now()
    verified = trust.build_trust(files, now, policy.allow_open_ended_approvals, extra,
                                 repository_id=policy.repository_id)
    context = trust.Context(
        pull_request=request.pull_request,
        patch_id_of=(lambda sha: gitio.patch_id(repo, sha)) if repo is not None else None,
    )
    proof = None
    signers_dir = None
    if policy.require_signed_commits and repo is not None:
        signers_dir = tempfile.mkdtemp(prefix="ai-clearance-")
        signers_path = os.path.join(signers_dir, "commit-signers")
        with open(signers_path, "w", encoding="utf-8") as handle:
            handle.write(trust.commit_signers(files, verified.active_approvals))
        proof = _commit_proof(repo, signers_path)
    try:
        decisions = decide(result.findings, policy, trust.clearers(
            verified, context, proof, on_protected=_on_protected(repo, files, request),
            now=now))
    finally:
        if signers_dir is not None:
            shutil.rmtree(signers_dir, ignore_errors=True)
    result.coverage.trust = verified.summary()  # after decide: it adds notes
    return decisions


def _on_protected(repo: gitio.Repo | None, files: trustfiles.TrustFiles,
                  request: Request) -> Callable[[str], bool] | None:
    """For an audit: whether a commit is already on the protected branch (reachable from the
    trusted commit). Only those are judged at their own dates; None for a gate."""
    if not request.audit or repo is None or files.commit is None:
        return None
    trusted = files.commit
    reachable: set[str] = set()

    def on_protected(commit: str) -> bool:
        if not reachable:
            reachable.update(gitio.rev_list(repo, [trusted]))
        return commit in reachable

    return on_protected


def _commit_proof(repo: gitio.Repo,
                  signers_path: str) -> Callable[[Finding], tuple[bool, str]]:
    """Whether a finding's commit is signed by a key mapped to its author."""
    cache: dict[str, tuple[str, str]] = {}

    def proof(finding: Finding) -> tuple[bool, str]:
        assert finding.commit is not None
        if finding.commit not in cache:
            cache[finding.commit] = gitio.commit_signature(repo, finding.commit, signers_path)
        status, principal = cache[finding.commit]
        author = finding.author_email
        if status != "G":
            return False, "the commit is not signed by a key mapped to its author"
        if principal.casefold() != author.casefold():
            return False, f"signed as {principal}, not as {author}"
        return True, ""

    return proof


def _scan_repo(repo: gitio.Repo, catalog: Catalog, request: Request,
               ignored: frozenset[str], staged: gitio.StagedPrefetch | None = None,
               ) -> scan.Scan:
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
        return scan.scan_tree(repo, catalog, rev, started_tree_listing(request.cwd, rev))
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
            _discard_stdout()
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


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered for a reader that has gone
    does not fail a second time when the process ends."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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
