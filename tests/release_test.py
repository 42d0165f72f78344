"""One version and one home, everywhere they are written; a wheel and an sdist that build
and install into a fresh environment and run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from ai_clearance import HOME_URL, __version__
from conftest import ROOT, Repo

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_the_changelog_names_this_version_as_its_latest_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert releases and releases[0] == __version__
    assert f"[{__version__}]: {HOME_URL}/releases/tag/v{__version__}" in changelog


def test_the_readme_installs_this_version_from_this_home() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    guides = readme + (ROOT / "docs" / "ci.md").read_text("utf-8")  # the GitLab job's pin
    pins = re.findall(r"(?:rev: |@)v(\d+\.\d+\.\d+)", guides)
    assert pins and set(pins) == {__version__}
    homes = set(re.findall(r"https://github\.com/([\w.-]+/ai-clearance)\b", guides))
    assert homes == {HOME_URL.removeprefix("https://github.com/")}
    assert f"uses: {HOME_URL.removeprefix('https://github.com/')}@v{__version__}" in readme


def test_the_metadata_takes_its_version_and_links_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "ai_clearance.__version__"}
    assert all(url.startswith(HOME_URL) for url in project["project"]["urls"].values())
    licence = (ROOT / "LICENSE").read_text("utf-8")
    assert project["project"]["license"] == {"text": "MIT"} and licence.startswith("MIT")


def _scripts(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def test_the_wheel_and_sdist_build_and_the_wheel_runs_alone(
        tmp_path: Path, repo: Repo) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob(f"ai_clearance-{__version__}-py3-none-any.whl"))
    sdist = next(dist.glob(f"ai[-_]clearance-{__version__}.tar.gz"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"ai_clearance/catalog/catalog.json", "ai_clearance/catalog/catalog.toml",
            "ai_clearance/py.typed"} <= names
    assert not any(n.startswith("tests/") for n in names)
    with tarfile.open(sdist) as archive:
        members = {m.name.partition("/")[2] for m in archive.getmembers()}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= members

    # A fresh environment holding the wheel alone.
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    alone = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(_scripts(env) / "python"), "install",
         "--quiet", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, check=False, env=alone)
    assert installed.returncode == 0, installed.stderr
    site = subprocess.run([str(_scripts(env) / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Its dependencies from this environment's site-packages, as a plain path: the .pth
    # files there (this checkout's editable install among them) are not read.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    Path(site, "deps.pth").write_text(deps + "\n", "utf-8")
    where = subprocess.run([str(_scripts(env) / "python"), "-c",
                            "import ai_clearance; print(ai_clearance.__file__)"],
                           capture_output=True, text=True, check=True, env=alone).stdout
    assert Path(where.strip()).resolve().is_relative_to(Path(site).resolve())
    version = subprocess.run([str(_scripts(env) / "ai-clearance"), "--version"],
                             capture_output=True, text=True, check=False, env=alone)
    assert version.returncode == 0 and __version__ in version.stdout, version.stderr
    repo.commit("Add memory", "CLAUDE.md")
    checked = subprocess.run([str(_scripts(env) / "ai-clearance"), "check", "--no-trust",
                              "--tree", "HEAD"], cwd=repo.path, capture_output=True,
                             text=True, check=False, env=alone)
    assert checked.returncode == 1 and "AIC101" in checked.stdout, checked.stderr


@pytest.mark.parametrize("name", ["LICENSE", "CHANGELOG.md", "docs/releasing.md"])
def test_release_files_exist(name: str) -> None:
    assert (ROOT / name).stat().st_size > 0
