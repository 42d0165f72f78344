"""`ai-clearance audit` on a real repository: three assistants over several months, approvals
made with the real approve and revoke flow and real ssh-keygen keys; and the page it writes,
opened in a real headless chromium."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import MAINTAINER, Repo, git, make_key, run_cli, signer_line

# Real repositories, the installed command and a real browser: all of them integration tests.
pytestmark = pytest.mark.integration

JANE = ("Jane Dev", "jane@example.com")
BOB = ("Bob Builder", "bob@example.com")
MONET = ("Claude Monet", "claude.monet@example.com")  # a person named Claude: never a trace
HOSTILE = "<script>alert('owned')</script>"  # git strips <> from names: written by hand
HOSTILE_PATH = "<img src=x onerror=alert(2)>/CLAUDE.md"
CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


@dataclass
class Audited:
    repo: Repo
    out: Path
    data: dict[str, Any]
    html: str
    commits: int


def commit_at(repo: Repo, when: str, message: str, *files: str,
              who: tuple[str, str] = JANE) -> None:
    for name in files:
        if not (repo.path / name).exists():
            repo.write(name)
    if files:
        git(repo.path, "add", "--", *files)
    git(repo.path, "commit", "-q", "--no-verify", "--allow-empty", "-m", message, env={
        "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
        "GIT_AUTHOR_DATE": f"{when}T10:00:00+02:00",
        "GIT_COMMITTER_DATE": f"{when}T12:00:00+00:00"})


def hostile_commit(repo: Repo, when: str, message: str, name: str) -> None:
    """A commit object written byte for byte, its author's name holding markup (git's own
    commit would strip the angle brackets)."""
    repo.write(name)
    git(repo.path, "add", "--", name)
    tree = git(repo.path, "write-tree").stdout.strip()
    head = git(repo.path, "rev-parse", "HEAD").stdout.strip()
    body = (f"tree {tree}\nparent {head}\nauthor {HOSTILE} <mallory@example.com> {when}\n"
            f"committer {HOSTILE} <mallory@example.com> {when}\n\n{message}")
    sha = subprocess.run(["git", "hash-object", "--literally", "-t", "commit", "-w", "--stdin"],
                         cwd=repo.path, input=body, text=True, capture_output=True,
                         check=True).stdout.strip()
    git(repo.path, "update-ref", "HEAD", sha)


def record(repo: Repo, key: Path, when: str, *args: str) -> str:
    """Sign a record with the real CLI, commit it to main, and return its id."""
    done = run_cli(*args, "--key", str(key), "--signer", MAINTAINER, cwd=repo.path)
    assert done.returncode == 0, done.stdout + done.stderr
    path = done.stdout.split()[1].rstrip(";")
    commit_at(repo, when, "record", path, who=("Maintainer", MAINTAINER))
    return Path(path).stem


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Audited:
    folder = tmp_path_factory.mktemp("audit")
    path = folder / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    repo = Repo(path)
    key = make_key(folder, "maintainer")
    repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    commit_at(repo, "2026-06-02", "maintainers", ".ai-clearance/maintainers", "README.md")
    commit_at(repo, "2026-07-10", "Add memory", "CLAUDE.md")
    commit_at(repo, "2026-07-20", "docs", "docs/index.md", who=MONET)
    commit_at(repo, "2026-08-15", "rules", ".cursor/rules/style.mdc", who=BOB)
    commit_at(repo, "2026-09-03", f"Fix parser\n\n{CLAUDE_TRAILER}\n", "src/parser.py")
    commit_at(repo, "2026-09-04", "more", "src/more.py", who=MONET)
    commit_at(repo, "2026-10-05", "copilot", ".github/copilot-instructions.md", who=BOB)
    hostile_commit(repo, "1791280800 +0200", f"x\n\n{CLAUDE_TRAILER}\n", HOSTILE_PATH)
    record(repo, key, "2026-11-01", "approve", "--author", JANE[1], "--assistant", "claude",
           "--valid-from", "2026-07-01", "--expires", "20d", "--reason", "pilot")
    record(repo, key, "2026-11-02", "approve", "--author", BOB[1], "--assistant", "cursor",
           "--valid-from", "2026-08-01", "--expires", "60d", "--reason", "trial")
    copilot = record(repo, key, "2026-11-03", "approve", "--author", BOB[1], "--assistant",
                     "copilot", "--valid-from", "2026-10-01", "--expires", "2027-06-01",
                     "--reason", "trial")
    record(repo, key, "2026-11-04", "revoke", copilot, "--reason", "ended")
    out = folder / "out"
    out.mkdir()
    done = run_cli("audit", "--html", str(out / "audit.html"), "--json",
                   str(out / "audit.json"), "--csv", str(out / "audit.csv"), cwd=path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ai-clearance audit: 12 commits, 5 with AI traces"), done.stdout
    return Audited(repo, out, json.loads((out / "audit.json").read_text("utf-8")),
                   (out / "audit.html").read_text("utf-8"), 12)


def _table(audited: Audited, name: str) -> list[dict[str, Any]]:
    table = audited.data["tables"][name]
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def test_findings_carry_dates_and_three_assistants_by_month(audited: Audited) -> None:
    findings = [f for f in audited.data["findings"] if "<script>" not in f["author"]]
    assert {a for f in findings for a in f["assistants"]} == {"claude", "cursor", "copilot"}
    assert all(re.fullmatch(r"2026-\d\d-\d\dT10:00:00\+02:00", f["author_date"])
               for f in findings)
    assert all(f["committer_date"].endswith("T12:00:00+00:00") for f in findings)
    by_month = {row["month"]: row for row in _table(audited, "assistants")}
    assert list(by_month) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert (by_month["2026-07"]["claude"], by_month["2026-08"]["cursor"],
            by_month["2026-10"]["copilot"], by_month["2026-10"]["claude"]) == (1, 1, 1, 1)


def test_the_findings_are_the_checks_own(audited: Audited) -> None:
    checked = run_cli("check", "--history", "--format", "json", cwd=audited.repo.path)
    assert checked.returncode == 1, checked.stderr

    def keyed(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((f["rule"], f["commit"], f["path"], f["status"], f["author_date"])
                      for f in findings)

    assert keyed(audited.data["findings"]) == keyed(json.loads(checked.stdout)["findings"])


def test_share_counts_every_commit_and_no_human_named_claude(audited: Audited) -> None:
    share = {row["month"]: row for row in _table(audited, "share")}
    assert sum(row["commits"] for row in share.values()) == audited.commits
    assert share["2026-07"]["commits"] == 2 and share["2026-07"]["with traces"] == 1
    assert share["2026-11"]["with traces"] == 0  # the approval records
    authors = [row["author"] for row in _table(audited, "authors")]
    assert not any("Monet" in a for a in authors)
    assert audited.data["commits_by_month"]["2026-07"] == 2


def test_per_author_approvals_and_clearance_at_commit_dates(audited: Audited) -> None:
    authors = {row["author"]: row for row in _table(audited, "authors")}
    jane, bob = authors["Jane Dev <jane@example.com>"], authors["Bob Builder <bob@example.com>"]
    assert (jane["findings"], jane["uncleared"], jane["approvals"], jane["active now"]) == \
        (2, 0, 1, 1)
    # Bob's cursor approval covers August on; his copilot approval was revoked.
    assert (bob["approvals"], bob["active now"]) == (2, 1)
    statuses = {(f["assistants"][0], f["status"]) for f in audited.data["findings"]
                if f["author"] == "Bob Builder <bob@example.com>"}
    assert ("cursor", "cleared") in statuses
    clearance = _table(audited, "clearance")
    assert sum(r["cleared"] + r["uncleared"] for r in clearance) == \
        len(audited.data["findings"])


def test_the_approvals_timeline(audited: Audited) -> None:
    rows = {row["assistants"]: row for row in _table(audited, "approvals")}
    assert rows["claude"]["expires within 30 days"] == "yes"
    assert rows["cursor"]["status"] == "active" and rows["cursor"]["from"] == "2026-08-01"
    assert rows["cursor"]["expires within 30 days"] == ""
    assert rows["copilot"]["revoked"] and rows["copilot"]["status"] == "revoked"
    assert audited.data["summary"]["expiring_soon"] == 1


def test_folders_and_the_csv(audited: Audited) -> None:
    folders = {row["folder"]: row["findings"] for row in _table(audited, "folders")}
    assert {"(top level)", ".cursor", ".github"} <= set(folders)
    with (audited.out / "audit.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(audited.data["findings"])
    assert {r["author_date"][:7] for r in rows} == {"2026-07", "2026-08", "2026-09", "2026-10"}


def test_a_hostile_author_name_and_path_are_shown_not_run(audited: Audited) -> None:
    authors = {f["author"] for f in audited.data["findings"]}
    assert any("<script>" in a for a in authors)  # the page had markup to escape
    assert all(f["committer_date"] for f in audited.data["findings"])
    assert any(f["path"] == HOSTILE_PATH for f in audited.data["findings"])
    lowered = audited.html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;" in audited.html
    assert "&lt;img src=x onerror=alert(2)&gt;" in audited.html


def test_since_until_and_a_range_select_commits(audited: Audited, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    done = run_cli("audit", "--since", "2026-08-01", "--until", "2026-09-30", "--json",
                   str(out), cwd=audited.repo.path)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["commits_by_month"] == {"2026-08": 1, "2026-09": 2}
    assert {f["author_date"][:7] for f in data["findings"]} == {"2026-08", "2026-09"}
    first = git(audited.repo.path, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    done = run_cli("audit", f"{first}..HEAD~8", "--json", str(out), cwd=audited.repo.path)
    assert done.returncode == 0, done.stderr
    assert sum(json.loads(out.read_text("utf-8"))["commits_by_month"].values()) == 3


@pytest.mark.parametrize(("args", "code", "message"), [
    ((), 2, "give at least one of --html"),
    (("--json", "x.json", "--since", "last tuesday"), 2, "is not a date"),
    (("--json", "x.json", "no-such-rev"), 3, "cannot resolve 'no-such-rev'"),
    (("--json", "x.json", "--", "--all"), 2, "is not a revision"),
    (("--json", "no/such/folder/x.json"), 2, "cannot write"),
])
def test_errors_are_one_line_with_their_exit_code(audited: Audited, args: tuple[str, ...],
                                                  code: int, message: str) -> None:
    done = run_cli("audit", *args, cwd=audited.repo.path)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_path_that_is_not_utf8_is_written_escaped(repo: Repo, tmp_path: Path) -> None:
    folder = os.fsencode(repo.path) + b"/\xff\xfe"
    os.mkdir(folder)
    with open(folder + b"/CLAUDE.md", "wb") as handle:
        handle.write(b"x\n")
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "odd")
    out = {kind: tmp_path / f"a.{kind}" for kind in ("html", "json", "csv")}
    done = run_cli("audit", *(f"--{k}={v}" for k, v in out.items()), cwd=repo.path)
    assert done.returncode == 0, done.stderr
    assert "\\udcff\\udcfe/CLAUDE.md" in out["csv"].read_text("utf-8")
    assert json.loads(out["json"].read_text("utf-8"))["findings"][0]["path"] == \
        "\udcff\udcfe/CLAUDE.md"
    assert "\\udcff\\udcfe" in out["html"].read_text("utf-8")


# ----------------------------------------------------------------- in a real browser
# Runs in the page once it has loaded: what each chart drew, as the browser laid it out.
PROBE = """<script>
window.addEventListener("load", () => {
  const out = [...document.querySelectorAll("figure.chart")].map(f => {
    const svg = f.querySelector("svg"), box = svg ? svg.getBoundingClientRect() : null;
    const series = new Set([...f.querySelectorAll("[id^=series-]")]
      .map(e => e.id.split("-")[1]));
    return [f.dataset.chart, Number(f.dataset.series), series.size,
            box ? Math.round(box.width) : 0, box ? Math.round(box.height) : 0,
            svg ? svg.querySelectorAll("path,rect,text,use").length : 0];
  });
  const pre = document.createElement("pre");
  pre.id = "probe";
  // Anything the page fetched (a font, a script, an image): it must need nothing.
  const loads = performance.getEntriesByType("resource").map(r => r.name);
  pre.textContent = JSON.stringify({charts: out, loads: loads});
  document.body.appendChild(pre);
});
</script>"""


# Read when the module is collected: the suite's fixtures take CI out of the environment
# before any test runs (a check must not think it runs in CI).
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and IN_CI:
        pytest.fail("chromium is not installed, and CI must run the browser test "
                    "(.ci/run installs it with apt-get where it can)")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI fails instead")
    return found


def _browse(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    # No network at all: a page that needed one would log failed loads.
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND",
                           "--enable-logging=stderr", "--v=0", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_page_draws_every_chart_in_a_real_browser(audited: Audited, tmp_path: Path) -> None:
    browser = _chromium()
    assert browser is not None
    page = audited.out / "audit.html"
    shot = tmp_path / "audit.png"
    done = _browse(browser, f"--screenshot={shot}", "--window-size=1200,4000",
                   page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, done.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    console = [line for line in done.stderr.splitlines()
               if "CONSOLE" in line or "Failed to load" in line or "Uncaught" in line]
    assert console == []
    probed = tmp_path / "probed.html"
    probed.write_text(audited.html.replace("</body>", PROBE + "</body>"), "utf-8")
    dom = _browse(browser, "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert match is not None, dom.stderr[-2000:]
    probe = json.loads(match.group(1).replace("&quot;", '"'))
    assert probe["loads"] == []
    charts = probe["charts"]
    assert [c[0] for c in charts] == ["assistants", "share", "authors", "folders",
                                      "approvals", "clearance"]
    expected = {"assistants": 3, "share": 1, "authors": 2, "folders": 1, "approvals": 1,
                "clearance": 2}
    for name, said, drawn, width, height, shapes in charts:
        assert said == drawn == expected[name], name
        assert width > 200 and height > 100 and shapes > 10, name


def test_without_matplotlib_the_page_is_a_usage_error_and_the_data_still_written(
        audited: Audited, tmp_path: Path) -> None:
    script = ("import sys; sys.modules['matplotlib'] = None\n"
              "from ai_clearance.cli.main import main\n"
              "sys.exit(main(sys.argv[1:]))\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, "audit", *args],
                              cwd=audited.repo.path, capture_output=True, text=True,
                              check=False)

    done = run("--html", str(tmp_path / "a.html"), "--json", str(tmp_path / "a.json"))
    assert done.returncode == 2 and "pip install 'ai-clearance[audit]'" in done.stderr
    assert not (tmp_path / "a.json").exists()  # nothing written unless all can be
    done = run("--json", str(tmp_path / "a.json"))
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "a.json").read_text("utf-8"))["schema"] == 1


def test_the_hooks_and_check_never_import_matplotlib(audited: Audited) -> None:
    script = ("import sys\nfrom ai_clearance.cli.main import main\n"
              "code = main(['check', '--history', '--format', 'json'])\n"
              "print('matplotlib' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=audited.repo.path,
                          capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
