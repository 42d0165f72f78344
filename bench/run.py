"""Benchmark ai-clearance against raw git on synthetic repositories built with git fast-import.

    python bench/run.py --quick      # under a minute: 20k commits, a 100k-path tree
    python bench/run.py              # the targets: 200k commits, a 1M-path tree

Each target runs against its baseline in alternating order; the table shows medians, the
ratio of the medians, the peak memory of the ai-clearance process (max RSS, not of the gits
it runs) and the share of CPU time the host gave to other guests during the row.
"""

from __future__ import annotations

import argparse
import math
import os
import random
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


def history_stream(commits: int, seed: int = 7) -> Iterator[bytes]:
    """fast-import commands for `commits` commits: edits, renames, merges, symlinks (0.1%),
    1-5% traces."""
    rng = random.Random(seed)
    layout = Layout(rng, 8)
    links = random.Random(seed + 1)  # its own, so the rest is as it was without symlinks
    live: list[str] = []
    stamp = 1_700_000_000
    main_tip = 0
    for i in range(commits):
        mark = i + 1
        stamp += 60
        on_side = i % 50 in (47, 48)
        message = f"Change {i}: update {rng.choice(WORDS)} handling\n\nDetails of change {i}.\n"
        author = f"Dev {i % 97} <dev{i % 97}@example.com>"
        lines = []
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
        elif roll < 0.023 and live:
            # A symlink to a file elsewhere: the check reads where each new one points.
            folder = links.choice(live).rpartition("/")[0]
            lines.append(f"M 120000 inline {folder}/link{i}\n".encode()
                         + _data(f"../{links.choice(live)}"))
        for _ in range(rng.randint(1, 3)):
            if live and rng.random() < 0.05:
                old = live.pop(rng.randrange(len(live)))
                new = layout.new_path()
                lines.append(f"D {old}\n".encode())
                lines.append(f"M 100644 inline {new}\n".encode() + _data(f"renamed {i}"))
                live.append(new)
            elif live and rng.random() < 0.6:
                lines.append(f"M 100644 inline {rng.choice(live)}\n".encode() + _data(f"{i}"))
            else:
                path = layout.new_path()
                live.append(path)
                lines.append(f"M 100644 inline {path}\n".encode() + _data(f"new {i}"))
        ref = "refs/heads/side" if on_side else "refs/heads/main"
        header = [f"commit {ref}\n".encode(), f"mark :{mark}\n".encode(),
                  f"author {author} {stamp} +0000\n".encode(),
                  f"committer {author} {stamp} +0000\n".encode(), _data(message)]
        if on_side and i % 50 == 47:
            header.append(f"from :{main_tip}\n".encode())
        elif not on_side and i % 50 == 49 and main_tip:
            header.append(f"from :{main_tip}\n".encode())
            header.append(f"merge :{mark - 1}\n".encode())
        elif not on_side and main_tip:
            header.append(f"from :{main_tip}\n".encode())
        if not on_side:
            main_tip = mark
        yield b"".join(header + lines) + b"\n"
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


def timed(command: Sequence[str], cwd: Path) -> float:
    """Wall time of one run."""
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {proc.stderr.decode()[:300]}")
    return elapsed


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

    @property
    def ratio(self) -> float:
        return self.ours / self.base


def compare(name: str, ours: Sequence[str], base: Sequence[str], cwd: Path, runs: int,
            target: float | None, baseline: str,
            measured: tuple[str, Sequence[str]] | None = None) -> Row:
    """Medians of `runs` alternating runs of `ours` and `base`; `measured`: the module and
    arguments of the ai-clearance process whose peak memory is reported."""
    mine: list[float] = []
    theirs: list[float] = []
    stolen, start = stolen_seconds(), time.perf_counter()
    for i in range(runs):
        order = [(ours, mine), (base, theirs)]
        for command, into in order if i % 2 == 0 else reversed(order):
            into.append(timed(command, cwd))
    share = (stolen_seconds() - stolen) / ((time.perf_counter() - start) * (os.cpu_count() or 1))
    rss_mib = own_peak_rss(measured[0], measured[1], cwd) if measured else float("nan")
    return Row(name, statistics.median(mine), statistics.median(theirs), baseline, target,
               rss_mib, share)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small repositories, few runs")
    parser.add_argument("--keep", metavar="DIR", help="build (or reuse) repositories in DIR")
    args = parser.parse_args(argv)
    commits = 20_000 if args.quick else 200_000
    paths = 100_000 if args.quick else 1_000_000
    runs = 3 if args.quick else 5
    # The approvals row compares two runs of the same size: its 10% target is near this
    # machine's run-to-run noise, so it takes more runs for a steadier median.
    approval_runs = 3 if args.quick else 9
    # Hook and tree runs last a second or less, so more of them cost little and steady the
    # medians; both run git beside Python, which a busy host slows more than git alone.
    hook_runs = 7 if args.quick else 41
    tree_runs = 3 if args.quick else 21
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aic-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    history, tree = root / f"history-{commits}", root / f"tree-{paths}"
    for path, stream in ((history, history_stream(commits)), (tree, tree_stream(paths))):
        if not (path / ".git").exists():
            print(f"building {path.name} ...", file=sys.stderr)
            build(path, stream)
    aic = str(BIN / "ai-clearance")
    git_log = ["git", "log", "-z", "--raw", "--no-renames", "--no-abbrev", "--cc", "--root",
               LOG_FORMAT]
    tip = subprocess.run(["git", "rev-parse", "main"], cwd=history, capture_output=True,
                         text=True, check=True).stdout.strip()
    start = subprocess.run(["git", "rev-list", "--max-count=1", f"--skip={commits // 2}",
                            "main"], cwd=history, capture_output=True, text=True,
                           check=True).stdout.strip()
    # Installed packages have byte-compiled modules; make sure this one does too.
    import ai_clearance

    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    os.path.dirname(ai_clearance.__file__)], check=True)
    history_args = ["check", "--history", "--format", "json"]
    range_args = ["check", "--range", f"{start}..{tip}", "--format", "json"]
    tree_args = ["check", "--tree", "HEAD", "--format", "json"]
    ls_tree = ["git", "ls-tree", "-r", "-z", "HEAD"]
    rows = [
        compare("check --history", [aic, *history_args], [*git_log, "main"], history, runs,
                1.3, "git log (same fields)", ("ai_clearance.cli.main", history_args)),
        compare("check --range", [aic, *range_args], [*git_log, f"{start}..{tip}"], history,
                runs, 1.3, "git log (same fields)", ("ai_clearance.cli.main", range_args)),
        compare("check --tree", [aic, *tree_args], ls_tree, tree, tree_runs, 1.5,
                "git ls-tree -r -z", ("ai_clearance.cli.main", tree_args)),
        # What moving git's listing through a pipe costs before any work is done on it:
        # the baseline writes to /dev/null, every reader pays for the pipe.
        compare("reading the listing in Python, no work", [sys.executable, "-c", PIPE_READ],
                ls_tree, tree, tree_runs, None, "git ls-tree -r -z"),
    ]
    with_trust, without = build_trust_commits(history)
    approvals_args = ["check", "--range", f"{start}..{tip}", "--format", "json"]
    rows.append(compare("check --range, 300 approvals", [aic, *approvals_args, "--trust-ref",
                                                         with_trust],
                        [aic, *approvals_args, "--trust-ref", without], history,
                        approval_runs, 1.1,
                        "the same check, no approvals",
                        ("ai_clearance.cli.main", [*approvals_args, "--trust-ref", with_trust])))
    hooks = root / "hooks"
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
    rows.append(compare("ai-clearance-msg", [str(BIN / "ai-clearance-msg"), str(message)],
                        python, hooks, hook_runs, 1.5, "python -c 'import click'",
                        ("ai_clearance.integrations.hook_msg", [str(message)])))
    rows.append(compare("ai-clearance-files (10k staged)", [str(BIN / "ai-clearance-files")],
                        python, hooks, hook_runs, 1.5, "python -c 'import click'",
                        ("ai_clearance.integrations.hook_files", [])))
    print(f"\n{commits} commits, {paths} paths in the tree; medians of {runs} runs "
          f"({tree_runs} for the tree, {approval_runs} for approvals, {hook_runs} for hooks); "
          "peak memory: the ai-clearance process alone (RSS), "
          "not the git processes it runs; CPU stolen: the share of the CPUs' time the host "
          "gave to other guests during the row\n")
    print("| target | ai-clearance | baseline | baseline command | ratio | target | peak memory "
          "| CPU stolen |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row.target is None:
            goal = "reference"
        else:
            goal = f"<= {row.target}x " + ("ok" if row.ratio <= row.target else "MISSED")
        memory = "-" if math.isnan(row.rss_mib) else f"{row.rss_mib:.0f} MiB"
        print(f"| {row.name} | {row.ours:.3f} s | {row.base:.3f} s | {row.baseline} | "
              f"{row.ratio:.2f}x | {goal} | {memory} | {row.stolen:.1%} |")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
