"""Benchmark ai-clearance against raw git on synthetic repositories built with git fast-import.

    python bench/run.py --quick      # a few minutes: 20k commits, a 100k-path tree
    python bench/run.py              # the targets: 200k commits, a 1M-path tree
    python bench/run.py --no-synthetic --repo /path/to/git.git --repo /path/to/rails

Each target runs against its baseline in alternating order; the table shows medians of wall
time and of the CPU time of the whole process tree (ai-clearance and the gits it runs, against
the baseline's git), their ratios, the peak memory of the ai-clearance process (max RSS, not of
the gits it runs) and the share of CPU time the host gave to other guests during the row.

The history and range rows' baseline is git log in the form the check itself runs (see
gitio.stream_commits): raw entries with modes and blob ids, no rename detection, combined
diffs of merges (--cc), printing the fields the check reads (names, emails, the message).
That is the fair one: the check needs the modes and ids (symlinks, content rules), and must
judge a merge for what it introduces, which only the combined diff tells; the issue's
`git log --no-renames --name-only` prints no diff for merges at all, so it leaves out the
work that dominates on histories with many merges (--references times both against it).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
LOG_FORMAT = "--format=%x00S%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%aN%x00%aE%x00%B%x00E"
TRACE_FILES = ["CLAUDE.md", ".cursor/rules/style.mdc", "AGENTS.md", ".aider.chat.history.md",
               ".gemini/settings.json", ".github/copilot-instructions.md"]
TRAILERS = ["Co-Authored-By: Claude <noreply@anthropic.com>",
            "Co-authored-by: Codex <noreply@openai.com>", "Made-with: Cursor",
            "Co-authored-by: aider (gpt-5) <aider@aider.chat>"]
WORDS = ["core", "api", "util", "models", "views", "tests", "docs", "src", "lib", "internal",
         "cmd", "pkg", "web", "app", "server", "client"]
NON_ASCII_WORDS = ["été", "naïve", "données", "größe", "文档"]
# A reader of `git ls-tree -r -z HEAD` that does nothing with what it reads, in 1 MiB reads
# through a 1 MiB pipe, as ai-clearance reads it.
PIPE_READ = """
import fcntl, os, subprocess
proc = subprocess.Popen(["git", "ls-tree", "-r", "-z", "HEAD"], stdout=subprocess.PIPE)
fd = proc.stdout.fileno()
fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
while os.read(fd, 1 << 20):
    pass
raise SystemExit(proc.wait())
"""


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n%s\n" % (len(raw), raw)


class Layout:
    """Where new files go: a directory tree grown with the files (about one new directory
    per eight files, under a random existing one, at most `deepest` levels down), so trees
    are narrow at the top, a few levels deep on average, and have several files per
    directory, as real ones do. About one name in four hundred is non-ASCII."""

    def __init__(self, rng: random.Random, deepest: int) -> None:
        self.rng = rng
        self.deepest = deepest
        self.dirs: list[tuple[str, int]] = [(word, 1) for word in WORDS]

    def _name(self) -> str:
        rng = self.rng
        words = NON_ASCII_WORDS if rng.random() < 0.0025 else WORDS
        return rng.choice(words) + (str(rng.randrange(20)) if rng.random() < 0.5 else "")

    def new_path(self) -> str:
        rng = self.rng
        parent, depth = rng.choice(self.dirs)
        if rng.random() < 0.125 and depth < self.deepest:
            parent, depth = f"{parent}/{self._name()}", depth + 1
            self.dirs.append((parent, depth))
        return f"{parent}/{self._name()}{rng.randrange(1000)}.{rng.choice(['py', 'md', 'go'])}"


PARAGRAPH = ("the parser now reads each entry once and keeps the offsets it found so "
                   "that later passes start where the first one stopped instead of from the "
                   "top which made large inputs quadratic in the worst case this also fixes a "
                   "crash on empty files and a wrong exit code when the cache is missing")
PARAGRAPH_WORDS = PARAGRAPH.split()
PEOPLE = [f"Dev {i} <dev{i}@example.com>" for i in range(97)]
HUMAN_TRAILERS = ["Signed-off-by", "Reviewed-by", "Acked-by", "Helped-by", "Reported-by",
                  "Tested-by"]


def _paragraph(rng: random.Random) -> str:
    """About 40 to 100 words wrapped at 72 columns, as commit bodies are."""
    words = [rng.choice(PARAGRAPH_WORDS) for _ in range(rng.randint(40, 100))]
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) >= 72:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def _message(rng: random.Random, subject: str, author: str) -> str:
    """A subject, one to four paragraphs, and trailers (sign-offs, reviews) as real
    projects write them: about 0.5 to 2 KB."""
    body = "\n\n".join(_paragraph(rng) for _ in range(rng.randint(1, 4)))
    trailers = [f"Signed-off-by: {author}"]
    trailers += [f"{rng.choice(HUMAN_TRAILERS)}: {rng.choice(PEOPLE)}"
                 for _ in range(rng.randint(0, 3))]
    return f"{subject}\n\n{body}\n\n" + "\n".join(trailers) + "\n"


@dataclass
class _History:
    """What the history generator keeps between commits."""

    rng: random.Random
    layout: Layout
    links: random.Random
    live: list[str]
    mark: int = 0
    stamp: int = 1_700_000_000


def _trace(state: _History, i: int, message: str, author: str) -> tuple[list[bytes], str, str]:
    """1-5% of commits carry a trace: a trace file, a trailer, a bot author, a workflow that
    runs an agent; 0.1% add a symlink."""
    rng, lines = state.rng, []
    roll = rng.random()
    if roll < 0.005:
        lines.append(f"M 100644 inline {rng.choice(TRACE_FILES)}\n".encode() + _data(f"{i}"))
    elif roll < 0.015:
        message += "\n" + rng.choice(TRAILERS) + "\n"
    elif roll < 0.02:
        author = "Claude <noreply@anthropic.com>"
    elif roll < 0.022:
        lines.append(b"M 100644 inline .github/workflows/ai.yml\n" + _data(
            f"jobs:\n  a:\n    steps:\n      - uses: anthropics/claude-code-action@v{i}\n"))
    elif roll < 0.023 and state.live:
        # A symlink to a file elsewhere: the check reads where each new one points.
        folder = state.links.choice(state.live).rpartition("/")[0]
        lines.append(f"M 120000 inline {folder}/link{i}\n".encode()
                     + _data(f"../{state.links.choice(state.live)}"))
    return lines, message, author


def _edits(state: _History, i: int, touched: dict[str, str], keep: set[str],
           renames: bool) -> list[bytes]:
    """One to three file changes: edits of live files, new files, renames (not of `keep`).
    `touched` gets each path changed and its new content."""
    rng, lines = state.rng, []
    live = state.live
    for _ in range(rng.randint(1, 3)):
        if renames and live and rng.random() < 0.05:
            index = rng.randrange(len(live))
            if live[index] in keep:
                continue
            old = live.pop(index)
            new = state.layout.new_path()
            lines.append(f"D {old}\n".encode())
            touched.pop(old, None)
            content = f"renamed {i}"
            live.append(new)
        elif live and rng.random() < 0.6:
            new, content = rng.choice(live), f"edit {i}"
        else:
            new, content = state.layout.new_path(), f"new {i}"
            live.append(new)
        touched[new] = content
        lines.append(f"M 100644 inline {new}\n".encode() + _data(content))
    return lines


def _commit(state: _History, ref: str, parents: Sequence[int], message: str, author: str,
            lines: Sequence[bytes]) -> tuple[int, bytes]:
    """A new commit's mark and its fast-import command."""
    state.mark += 1
    state.stamp += 60
    header = [f"commit {ref}\nmark :{state.mark}\n".encode(),
              f"author {author} {state.stamp} +0000\n".encode(),
              f"committer {author} {state.stamp} +0000\n".encode(), _data(message)]
    if parents:
        header.append(f"from :{parents[0]}\n".encode())
    header.extend(f"merge :{parent}\n".encode() for parent in parents[1:])
    return state.mark, b"".join([*header, *lines, b"\n"])


def _topic(state: _History, first: int, count: int, topic: int, base: int,
           changed: dict[str, str]) -> Iterator[tuple[int, bytes]]:
    """`count` commits on a topic branch from `base` (the first commit: on main, from none)."""
    rng, tip = state.rng, base
    for i in range(first, first + count):
        author = rng.choice(PEOPLE)
        lines = _edits(state, i, changed, set(), renames=False)
        traced, message, author = _trace(state, i, _message(
            rng, f"topic{topic}: change {i} in {rng.choice(WORDS)}", author), author)
        ref = "refs/heads/topic" if base else "refs/heads/main"
        tip, command = _commit(state, ref, [tip] if tip else [], message, author,
                               [*lines, *traced])
        yield tip, command


def _mainline(state: _History, first: int, count: int, tip: int, changed: dict[str, str],
              on_main: dict[str, str]) -> Iterator[tuple[int, bytes]]:
    """`count` commits on main after a topic branched off; one in ten edits a file the topic
    changed too, a conflict for the merge to resolve."""
    rng = state.rng
    for i in range(first, first + count):
        author = rng.choice(PEOPLE)
        lines = _edits(state, i, on_main, set(changed), renames=True)
        if changed and rng.random() < 0.1:
            path = rng.choice(sorted(changed))
            on_main[path] = f"main {i}"
            lines.append(f"M 100644 inline {path}\n".encode() + _data(f"main {i}"))
        traced, message, author = _trace(state, i, _message(
            rng, f"Change {i}: update {rng.choice(WORDS)} handling", author), author)
        tip, command = _commit(state, "refs/heads/main", [tip], message, author,
                               [*lines, *traced])
        yield tip, command


def _merge(state: _History, i: int, topic: int, parents: Sequence[int],
           changed: dict[str, str], on_main: dict[str, str]) -> tuple[int, bytes]:
    """The merge of a topic: main's tree plus what the topic changed; where both changed a
    file, a resolution that is neither side's (what `--cc` shows of a merge)."""
    lines = []
    for path, content in changed.items():
        written = f"resolved {i}: {content} + {on_main[path]}" if path in on_main else content
        lines.append(f"M 100644 inline {path}\n".encode() + _data(written))
    message = f"Merge branch 'topic{topic}'\n\n* topic{topic}:\n  topic{topic}: the changes\n"
    return _commit(state, "refs/heads/main", parents, message, state.rng.choice(PEOPLE), lines)


def history_stream(commits: int, seed: int = 7) -> Iterator[bytes]:
    """fast-import commands for about `commits` commits shaped like a real project's: topic
    branches of one to three commits each merged into main (a real two-parent merge, with
    zero to two commits of main's own in between: a quarter of all commits are merges, and
    the merge resolves a conflict where both sides changed a file), messages of one to four
    paragraphs with trailers, deep trees, renames, symlinks (0.1%) and 1-5% of commits with
    traces."""
    rng = random.Random(seed)
    state = _History(rng, Layout(rng, 12), random.Random(seed + 1), [])
    main_tip, made, topic = 0, 0, 0
    while made < commits:
        topic += 1
        changed: dict[str, str] = {}  # what the topic changed, and to what
        count = rng.randint(1, 3) if main_tip else 1
        made_now = list(_topic(state, made, count, topic, main_tip, changed))
        tip = made_now[-1][0]
        yield from (command for _, command in made_now)
        made += count
        if not main_tip:
            main_tip = tip
            continue
        on_main: dict[str, str] = {}
        count = rng.randint(0, 2)
        made_now = list(_mainline(state, made, count, main_tip, changed, on_main))
        main_tip = made_now[-1][0] if made_now else main_tip
        yield from (command for _, command in made_now)
        made += count
        main_tip, command = _merge(state, made, topic, [main_tip, tip], changed, on_main)
        yield command
        made += 1
    yield b"reset refs/heads/main\nfrom :%d\n\n" % main_tip


def tree_stream(paths: int, seed: int = 11) -> Iterator[bytes]:
    """One commit whose tree holds `paths` entries (a few of them traces): mostly files, one
    in a hundred executable, one in two thousand a symlink to a file elsewhere (each is read,
    as a symlink may point at an assistant's files), and a submodule."""
    layout = Layout(random.Random(seed), 10)
    rng = random.Random(seed + 1)  # its own: the paths stay those of a tree of files alone
    yield b"blob\nmark :1\n" + _data("x")
    yield (b"commit refs/heads/main\nmark :2\nauthor A <a@example.com> 1700000000 +0000\n"
           b"committer A <a@example.com> 1700000000 +0000\n" + _data("big tree"))
    seen: set[str] = set()
    while len(seen) < paths:
        path = layout.new_path()
        if path in seen:
            continue
        seen.add(path)
        roll = rng.random()
        if roll < 0.0005:
            target = f"../{rng.choice(WORDS)}/{rng.choice(WORDS)}{rng.randrange(1000)}.py"
            yield f"M 120000 inline {path}\n".encode() + _data(target)
        else:
            yield f"M {'100755' if roll < 0.0105 else '100644'} :1 {path}\n".encode()
    for trace in TRACE_FILES:
        yield f"M 100644 :1 deep/{trace}\n".encode()
    yield b"M 120000 inline deep/tools/agent.json\n" + _data("/home/dev/.claude/settings.json")
    yield b"M 160000 " + b"5" * 40 + b" vendor/lib\n"
    yield b"\n"


def build(path: Path, stream: Iterator[bytes]) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for chunk in stream:
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    # No checkout: HEAD already names main, and the checks read commits, not files.


def build_trust_commits(repo: Path, signers: int = 100, approvals: int = 300) -> tuple[str, str]:
    """Two commits on top of `repo`'s main: one with `signers` maintainer keys and `approvals`
    signed approval records, one without; returns (with, without)."""
    from ai_clearance.approvals.records import canonical, format_time, record_file_bytes, utc_now
    from ai_clearance.approvals.sshsig import sign

    keys = Path(tempfile.mkdtemp(prefix="aic-keys-"))
    lines = []
    for i in range(signers):
        key = keys / f"k{i}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True)
        kind, blob = key.with_suffix(".pub").read_text().split()[:2]
        lines.append(f'm{i}@example.com namespaces="ai-clearance" {kind} {blob}\n')
    work = repo.parent / f"{repo.name}-trust"
    if work.exists():
        shutil.rmtree(work)
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(work)],
                   check=True)
    subprocess.run(["git", "reset", "-q"], cwd=work, check=True)  # index only, no files
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True,
                          text=True, check=True).stdout.strip()
    folder = work / ".ai-clearance" / "approvals"
    folder.mkdir(parents=True)
    (work / ".ai-clearance" / "maintainers").write_text("".join(lines))
    now = utc_now()
    for i in range(approvals):
        signer = i % signers
        payload = {
            "type": "ai-clearance/approval", "version": 1, "id": f"apv-20260101-{i:08x}",
            "authors": [f"dev{i % 97}@example.com"], "github_logins": [],
            "assistants": ["claude" if i % 2 else "cursor"], "paths": [],
            "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2999-01-01T00:00:00Z",
            "reason": "bench", "issued_by": f"m{signer}@example.com",
            "issued_at": format_time(now), "author_keys": [],
        }
        signature = sign(canonical(payload), str(keys / f"k{signer}"))
        (folder / f"{payload['id']}.json").write_bytes(
            record_file_bytes("approval", payload, signature))
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "trust"], cwd=work, check=True)
    with_trust = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True,
                                text=True, check=True).stdout.strip()
    subprocess.run(["git", "fetch", "-q", str(work), with_trust], cwd=repo, check=True)
    shutil.rmtree(keys, ignore_errors=True)
    return with_trust, base


def own_peak_rss(module: str, args: Sequence[str], cwd: Path) -> float:
    """Peak RSS (MiB) of one ai-clearance process alone (`module`'s main with `args`), not of
    the git it runs. Taken from /proc (VmHWM) where there is one: a child's ru_maxrss starts
    at its parent's RSS when it was forked, so it would report this script's size."""
    code = ("import resource, sys\n"
            f"from {module} import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "try:\n    with open('/proc/self/status') as status:\n"
            "        peak = int(status.read().split('VmHWM:')[1].split()[0])\n"
            "except (OSError, IndexError):\n"
            "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "sys.stderr.write('RSS %d\\n' % peak)")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("RSS ")]
    return int(lines[-1].split()[1]) / 1024 if lines else float("nan")


def reap_descendants() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux), so that the CPU time
    of a git an ai-clearance process leaves running, or does not wait for, is counted with
    it. False where the system has no such thing: then only the gits it waits for count."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall time of one run, and the CPU time (user and system) of its whole process tree:
    the command and every process it started, reaped here when their parent did not."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - start
    while True:  # orphans handed to this process
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {proc.stderr.decode()[:300]}")
    return elapsed, _children_cpu() - cpu


def stolen_seconds() -> float:
    """CPU time the hypervisor gave to other guests so far, all CPUs (Linux /proc/stat; 0
    where there is none). A row's share of it says how noisy its runs were."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Row:
    name: str
    ours: float
    base: float
    baseline: str
    target: float | None  # None: a reference row, no target
    rss_mib: float
    stolen: float = 0.0  # share of the CPUs' time taken by other guests during the runs
    ours_cpu: float = math.nan  # CPU time of the whole process tree, median
    base_cpu: float = math.nan
    cpu_target: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.base

    @property
    def cpu_ratio(self) -> float:
        return self.ours_cpu / self.base_cpu if self.base_cpu > 0 else math.nan


def compare(name: str, ours: Sequence[str], base: Sequence[str], cwd: Path, runs: int,
            target: float | None, baseline: str,
            measured: tuple[str, Sequence[str]] | None = None,
            cpu_target: float | None = None) -> Row:
    """Medians of `runs` alternating runs of `ours` and `base` (wall and CPU time); `measured`:
    the module and arguments of the ai-clearance process whose peak memory is reported."""
    print(f"  {name} ...", file=sys.stderr, flush=True)
    mine: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    stolen, start = stolen_seconds(), time.perf_counter()
    for i in range(runs):
        order = [(ours, mine), (base, theirs)]
        for command, into in order if i % 2 == 0 else reversed(order):
            into.append(timed(command, cwd))
    share = (stolen_seconds() - stolen) / ((time.perf_counter() - start) * (os.cpu_count() or 1))
    rss_mib = own_peak_rss(measured[0], measured[1], cwd) if measured else float("nan")
    return Row(name, statistics.median(w for w, _ in mine),
               statistics.median(w for w, _ in theirs), baseline, target, rss_mib, share,
               statistics.median(c for _, c in mine), statistics.median(c for _, c in theirs),
               cpu_target)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


@dataclass
class Subject:
    """A repository the history rows run on, and what identifies it in the table."""

    label: str
    path: Path
    tip: str
    commits: int
    merges: int
    range: str
    range_commits: int


def subject(label: str, path: Path, rev: str = "HEAD", given: str | None = None) -> Subject:
    """`path` (a work tree or a bare repository) at `rev`, with the range its range rows run
    on: `given`, or the last half of the history (the commits after the one `rev-list`
    lists halfway)."""
    tip = _git(path, "rev-parse", "--verify", f"{rev}^{{commit}}")
    commits = int(_git(path, "rev-list", "--count", tip))
    merges = int(_git(path, "rev-list", "--count", "--merges", tip))
    if given is None:
        start = _git(path, "rev-list", "--max-count=1", f"--skip={commits // 2}", tip)
        given = f"{start}..{tip}"
    return Subject(label, path, tip, commits, merges, given,
                   int(_git(path, "rev-list", "--count", given)))


GIT_LOG = ["git", "log", "-z", "--raw", "--no-renames", "--no-abbrev", "--cc", "--root",
           LOG_FORMAT]


def history_rows(repo: Subject, runs: int, tree_runs: int, references: bool) -> list[Row]:
    """check --history, check --range and check --tree on one repository, against git log
    in the form the check runs it (raw, combined diffs of merges, the same fields) and
    git ls-tree; with `references`, what the issue's `git log --name-only` form and git log
    without combined diffs cost against it."""
    aic = str(BIN / "ai-clearance")
    history_args = ["check", "--history", "--format", "json"]
    if repo.tip != _git(repo.path, "rev-parse", "HEAD"):
        history_args = ["check", "--range", repo.tip, "--format", "json"]
    range_args = ["check", "--range", repo.range, "--format", "json"]
    tree_args = ["check", "--tree", repo.tip, "--format", "json"]
    main = "ai_clearance.cli.main"
    rows = [
        compare(f"check --history ({repo.label})", [aic, *history_args], [*GIT_LOG, repo.tip],
                repo.path, runs, 1.3, "git log --raw --cc (same fields)",
                (main, history_args), cpu_target=2.0),
        compare(f"check --range ({repo.label})", [aic, *range_args], [*GIT_LOG, repo.range],
                repo.path, runs, 1.3, "git log --raw --cc (same fields)", (main, range_args),
                cpu_target=2.0),
        compare(f"check --tree ({repo.label})", [aic, *tree_args],
                ["git", "ls-tree", "-r", "-z", repo.tip], repo.path, tree_runs, 1.5,
                "git ls-tree -r -z", (main, tree_args)),
    ]
    if references:
        no_cc = [arg for arg in GIT_LOG if arg != "--cc"]
        names = ["git", "log", "--no-renames", "--name-only", LOG_FORMAT]
        rows.append(compare(f"git log --raw --cc ({repo.label})", [*GIT_LOG, repo.tip],
                            [*no_cc, repo.tip], repo.path, runs, None,
                            "git log --raw, no merge diffs"))
        rows.append(compare(f"git log --raw --cc ({repo.label})", [*GIT_LOG, repo.tip],
                            [*names, repo.tip], repo.path, runs, None,
                            "git log --name-only"))
    return rows


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small repositories, few runs")
    parser.add_argument("--keep", metavar="DIR", help="build (or reuse) repositories in DIR")
    parser.add_argument("--repo", metavar="PATH", action="append", default=[],
                        help="also run the history, range and tree rows on this repository "
                             "(a clone or a bare repository, at its HEAD); repeatable")
    parser.add_argument("--range", metavar="A..B", action="append", default=[],
                        help="the range rows' range for the --repo of the same position "
                             "(default: the last half of its history)")
    parser.add_argument("--runs", type=int, help="runs of each history and range row")
    parser.add_argument("--no-synthetic", action="store_true",
                        help="only the --repo rows: build nothing")
    parser.add_argument("--references", action="store_true",
                        help="on each --repo, also time git log --raw --cc against git log "
                             "without combined diffs and against git log --name-only")
    args = parser.parse_args(argv)
    if len(args.range) > len(args.repo):
        parser.error("each --range goes with a --repo")
    return args


def synthetic_rows(root: Path, quick: bool, runs: int) -> tuple[list[Row], Subject]:
    """The rows on repositories built here: history, range, a big tree, approvals, hooks."""
    commits = 20_000 if quick else 200_000
    paths = 100_000 if quick else 1_000_000
    # The approvals row compares two runs of the same size: its 10% target is near this
    # machine's run-to-run noise, so it takes more runs for a steadier median.
    approval_runs = 3 if quick else 9
    # Hook and tree runs last a second or less, so more of them cost little and steady the
    # medians; both run git beside Python, which a busy host slows more than git alone.
    hook_runs = 7 if quick else 41
    tree_runs = 3 if quick else 21
    history, tree = root / f"history-{commits}", root / f"tree-{paths}"
    for path, stream in ((history, history_stream(commits)), (tree, tree_stream(paths))):
        if not (path / ".git").exists():
            print(f"building {path.name} ...", file=sys.stderr)
            build(path, stream)
    repo = subject("synthetic", history, "main")
    aic = str(BIN / "ai-clearance")
    rows = history_rows(repo, runs, tree_runs, references=False)[:2]
    tree_args = ["check", "--tree", "HEAD", "--format", "json"]
    ls_tree = ["git", "ls-tree", "-r", "-z", "HEAD"]
    rows += [
        compare(f"check --tree ({paths} paths)", [aic, *tree_args], ls_tree, tree, tree_runs,
                1.5, "git ls-tree -r -z", ("ai_clearance.cli.main", tree_args)),
        # What moving git's listing through a pipe costs before any work is done on it:
        # the baseline writes to /dev/null, every reader pays for the pipe.
        compare("reading the listing in Python, no work", [sys.executable, "-c", PIPE_READ],
                ls_tree, tree, tree_runs, None, "git ls-tree -r -z"),
    ]
    with_trust, without = build_trust_commits(history)
    approvals_args = ["check", "--range", repo.range, "--format", "json"]
    rows.append(compare("check --range, 300 approvals", [aic, *approvals_args, "--trust-ref",
                                                         with_trust],
                        [aic, *approvals_args, "--trust-ref", without], history,
                        approval_runs, 1.1,
                        "the same check, no approvals",
                        ("ai_clearance.cli.main", [*approvals_args, "--trust-ref", with_trust])))
    rows += hook_rows(root / "hooks", hook_runs)
    return rows, repo


def hook_rows(hooks: Path, runs: int) -> list[Row]:
    """The commit-msg and pre-commit hooks (10k staged paths) against starting Python with
    click."""
    if not (hooks / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(hooks)], check=True)
        subprocess.run(["git", "-C", str(hooks), "commit", "-q", "--allow-empty", "-m", "init"],
                       check=True)
        for i in range(10_000):
            target = hooks / "pkg" / f"m{i % 100}" / f"f{i}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"x = {i}\n")
        subprocess.run(["git", "-C", str(hooks), "add", "."], check=True)
    message = hooks / "MSG"
    message.write_text("Fix the parser\n\nSigned-off-by: Dev <dev@example.com>\n")
    python = [sys.executable, "-c", "import click"]
    return [
        compare("ai-clearance-msg", [str(BIN / "ai-clearance-msg"), str(message)], python,
                hooks, runs, 1.5, "python -c 'import click'",
                ("ai_clearance.integrations.hook_msg", [str(message)])),
        compare("ai-clearance-files (10k staged)", [str(BIN / "ai-clearance-files")], python,
                hooks, runs, 1.5, "python -c 'import click'",
                ("ai_clearance.integrations.hook_files", [])),
    ]


def _goal(ratio: float, target: float | None) -> str:
    if target is None:
        return "reference"
    return f"<= {target}x " + ("ok" if ratio <= target else "MISSED")


def print_table(rows: Sequence[Row], subjects: Sequence[Subject], note: str) -> None:
    print(f"\n{note}\n")
    for repo in subjects:
        print(f"- {repo.label}: {repo.path}, HEAD {repo.tip}, {repo.commits} commits "
              f"({repo.merges} merges); range {repo.range} ({repo.range_commits} commits)")
    print("\n| target | ai-clearance | baseline | baseline command | wall ratio | target "
          "| CPU: ai-clearance | CPU: baseline | CPU ratio | target | peak memory "
          "| CPU stolen |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        memory = "-" if math.isnan(row.rss_mib) else f"{row.rss_mib:.0f} MiB"
        cpu_goal = "-" if row.cpu_target is None else _goal(row.cpu_ratio, row.cpu_target)
        print(f"| {row.name} | {row.ours:.3f} s | {row.base:.3f} s | {row.baseline} | "
              f"{row.ratio:.2f}x | {_goal(row.ratio, row.target)} | {row.ours_cpu:.3f} s | "
              f"{row.base_cpu:.3f} s | {row.cpu_ratio:.2f}x | {cpu_goal} | {memory} | "
              f"{row.stolen:.1%} |")
    print()
    for repo in subjects:
        whole = next(r for r in rows if r.name == f"check --history ({repo.label})")
        half = next(r for r in rows if r.name == f"check --range ({repo.label})")
        print(f"- peak memory, {repo.label}: {half.rss_mib:.0f} MiB for {repo.range_commits} "
              f"commits, {whole.rss_mib:.0f} MiB for {repo.commits} "
              f"({whole.rss_mib / half.rss_mib:.2f}x the memory for "
              f"{repo.commits / max(repo.range_commits, 1):.2f}x the commits)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    runs = args.runs or (3 if args.quick else 5)
    whole_tree = reap_descendants()
    # Installed packages have byte-compiled modules; make sure this one does too.
    import ai_clearance

    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    os.path.dirname(ai_clearance.__file__)], check=True)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aic-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    subjects: list[Subject] = []
    if not args.no_synthetic:
        synthetic, repo = synthetic_rows(root, args.quick, runs)
        rows += synthetic
        subjects.append(repo)
    for index, path in enumerate(args.repo):
        given = args.range[index] if index < len(args.range) else None
        repo = subject(Path(path).resolve().name if Path(path).name not in ("repo", ".git")
                       else Path(path).resolve().parent.name, Path(path).resolve(), "HEAD",
                       given)
        subjects.append(repo)
        rows += history_rows(repo, runs, 3 if args.quick else 11, args.references)
    print_table(rows, subjects,
                f"medians of {runs} alternating runs for history and range rows; wall time and "
                "the CPU time (user + system) of the whole process tree, ai-clearance and the "
                "gits it runs" + ("" if whole_tree else " (only the gits it waits for)")
                + "; peak memory: the ai-clearance process alone (RSS), not the git processes "
                "it runs; CPU stolen: the share of the CPUs' time the host gave to other "
                f"guests during the row; {time.strftime('%Y-%m-%d')}, "
                f"git {_git(root, 'version').split()[-1]}, Python {sys.version.split()[0]}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
