"""What `check --history` finds on real clones, counted, to compare two versions of the rules.

    python bench/counts.py /path/to/clone [/path/to/other ...]
    python bench/counts.py --before /path/to/old/hooks /path/to/clone

Each repository (a work tree or a bare repository, at its HEAD) is checked with
`check --history --no-trust --format json`; one Markdown row per repository gives its HEAD,
its commits, the findings, the commits with a finding, and the findings per assistant.
With --before, the same check also runs on the package under that folder (an older
checkout's `hooks/`, put first on PYTHONPATH), and the row shows both counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Counts:
    """What one run found."""

    findings: int
    commits: int
    assistants: Counter[str]
    seconds: float
    failed: str = ""

    def cell(self) -> str:
        return self.failed or f"{self.findings} in {self.commits} commits"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def _env(repo: Path, hooks: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if _git(repo, "rev-parse", "--is-bare-repository") == "true":
        env["GIT_DIR"] = str(repo)
    if hooks is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(hooks), env.get("PYTHONPATH", "")])
    return env


def count(repo: Path, hooks: Path | None) -> Counts:
    """Run the check over `repo`'s history (with the package at `hooks`, or the installed
    one) and count what its JSON report holds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ai_clearance", "check", "--history", "--no-trust",
         "--format", "json"], cwd=repo, env=_env(repo, hooks), capture_output=True, text=True,
        check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return Counts(0, 0, Counter(), seconds, f"exit {done.returncode}: {last[:60]}")
    findings = json.loads(done.stdout)["findings"]
    assistants: Counter[str] = Counter()
    for finding in findings:
        assistants.update(finding["assistants"] or ["(none)"])
    return Counts(len(findings), len({f["commit"] for f in findings if f["commit"]}),
                  assistants, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--before", type=Path, metavar="HOOKS",
                        help="an older checkout's hooks/ folder to compare with")
    args = parser.parse_args()
    before_head = " | before" if args.before else ""
    print(f"| repository | HEAD | commits{before_head} | now | seconds now | "
          "by assistant (now) |")
    print("|---|---|---|" + ("---|" if args.before else "") + "---|---|---|")
    for repo in args.repos:
        head = _git(repo, "rev-parse", "--short=10", "HEAD")
        commits = _git(repo, "rev-list", "--count", "HEAD")
        old = f" | {count(repo, args.before).cell()}" if args.before else ""
        now = count(repo, None)
        top = ", ".join(f"{name} {n}" for name, n in now.assistants.most_common(6))
        print(f"| {repo.name if repo.name != 'repo' else repo.parent.name} | {head} | "
              f"{commits}{old} | {now.cell()} | {now.seconds:.0f} | {top} |", flush=True)


if __name__ == "__main__":
    main()
