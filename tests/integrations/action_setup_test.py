"""The Action's install step: its lock files, and the virtual environment layouts of Linux
and macOS (`bin/python`) and Windows (`Scripts/python.exe`), with real files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from action_runner import parse_output_file
from ai_clearance.integrations.action_setup import (
    LOCKS,
    fresh_venv,
    install_commands,
    main,
    venv_python,
)
from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
_START = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s\\;]+(?: ; [^\\]+)? \\\Z")
_HASH = re.compile(r"    --hash=sha256:[0-9a-f]{64}(?: \\)?\Z")


def lock_entries(path: Path) -> list[tuple[Requirement, list[str]]]:
    """A lock file's requirements with their hashes. Every line is a comment, a pinned
    `name==version [; marker]` or one `--hash=sha256:...`: anything else fails here."""
    entries: list[tuple[Requirement, list[str]]] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _START.match(line):
            entries.append((Requirement(line.rstrip(" \\")), []))
        else:
            assert _HASH.match(line), f"{path.name}: unexpected line {line!r}"
            entries[-1][1].append(line.split(":", 1)[1].rstrip(" \\"))
    return entries


def environments() -> list[dict[str, str]]:
    """Marker environments of the runners the Action may meet: CPython and PyPy, every
    Python it supports, on Linux, macOS and Windows."""
    found = []
    for minor in range(10, 16):
        for system, platform in (("Linux", "linux"), ("Darwin", "darwin"),
                                 ("Windows", "win32")):
            for implementation in ("CPython", "PyPy"):
                found.append({
                    "python_version": f"3.{minor}", "python_full_version": f"3.{minor}.1",
                    "platform_system": system, "sys_platform": platform,
                    "os_name": "nt" if platform == "win32" else "posix",
                    "platform_python_implementation": implementation,
                    "implementation_name": implementation.lower(),
                    "platform_machine": "x86_64", "extra": ""})
    return found


def test_every_requirement_is_pinned_with_hashes() -> None:
    for lock in LOCKS:
        entries = lock_entries(ROOT / lock)
        assert entries, lock
        for requirement, hashes in entries:
            assert len(requirement.specifier) == 1, requirement
            assert next(iter(requirement.specifier)).operator == "==", requirement
            assert hashes and len(set(hashes)) == len(hashes), requirement
        assert "uv pip compile" in (ROOT / lock).read_text("utf-8")  # how to regenerate


@pytest.mark.parametrize("environment", environments(),
                         ids=lambda e: f"{e['implementation_name']}{e['python_version']}"
                                       f"-{e['sys_platform']}")
def test_the_lock_pins_each_runtime_dependency_once_where_pyproject_asks(
        environment: dict[str, str]) -> None:
    pinned: dict[str, list[Requirement]] = {}
    for requirement, _ in lock_entries(ROOT / LOCKS[0]):
        if requirement.marker is None or requirement.marker.evaluate(environment):
            pinned.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    assert all(len(found) == 1 for found in pinned.values()), pinned
    for line in PYPROJECT["project"]["dependencies"]:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        if wanted.marker is not None and not wanted.marker.evaluate(environment):
            assert name not in pinned, (name, environment)
            continue
        [found] = pinned[name]
        version = next(iter(found.specifier)).version
        assert wanted.specifier.contains(version, prereleases=True), (found, wanted)


def test_the_build_lock_is_the_build_backend() -> None:
    [(setuptools, _)] = lock_entries(ROOT / LOCKS[1])
    [wanted] = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    version = next(iter(setuptools.specifier)).version
    assert setuptools.name == wanted.name and wanted.specifier.contains(version)
    # setuptools 70.1 and newer build a wheel without the `wheel` package.
    assert tuple(int(p) for p in version.split(".")[:2]) >= (70, 1)
    assert setuptools.marker is None or all(
        setuptools.marker.evaluate(e) for e in environments())


def test_a_real_venv_here_has_bin_python(tmp_path: Path) -> None:
    python = fresh_venv(tmp_path)
    assert python.relative_to(tmp_path).parts[1:] == ("bin", "python")
    assert python.parent.parent.name.startswith("ai-clearance-venv.")
    ran = subprocess.run([python, "-I", "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
                         capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "True"


def test_the_windows_layout_is_found_by_its_files(tmp_path: Path) -> None:
    windows = tmp_path / "win"
    (windows / "Scripts").mkdir(parents=True)
    (windows / "Scripts" / "python.exe").write_bytes(b"MZ")
    (windows / "Lib" / "site-packages").mkdir(parents=True)
    assert venv_python(windows) == windows / "Scripts" / "python.exe"
    posix = tmp_path / "posix"
    (posix / "bin").mkdir(parents=True)
    (posix / "bin" / "python").write_bytes(b"")
    assert venv_python(posix) == posix / "bin" / "python"
    (tmp_path / "neither" / "Scripts").mkdir(parents=True)  # a folder, not the interpreter
    with pytest.raises(FileNotFoundError, match=r"no Scripts/python\.exe or bin/python"):
        venv_python(tmp_path / "neither")


def test_install_commands_check_hashes_then_add_the_package_offline(tmp_path: Path) -> None:
    python, action = tmp_path / "bin" / "python", tmp_path / "action"
    dependencies, package = install_commands(python, action)
    assert dependencies[:4] == [str(python), "-I", "-m", "pip"]
    assert "--require-hashes" in dependencies
    assert [dependencies[i + 1] for i, a in enumerate(dependencies) if a == "-r"] == [
        str(action / lock) for lock in LOCKS]
    assert package[-1] == str(action)
    assert {"--no-deps", "--no-build-isolation", "--no-index", "-I"} <= set(package)


def test_a_failed_install_is_one_error_line_and_no_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "output"
    output.write_text("", "utf-8")
    code = main({"GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(tmp_path / "gone"),
                 "GITHUB_OUTPUT": str(output)})
    assert code == 4
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::")]
    assert line.startswith("::error title=ai-clearance::cannot install ai-clearance: ")
    assert parse_output_file(output.read_bytes()) == {}
