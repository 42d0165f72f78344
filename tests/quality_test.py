"""The code stays `ruff` clean and `mypy --strict` clean: part of the suite, so CI enforces it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, text=True,
                          capture_output=True, check=False)


def test_ruff_clean() -> None:
    result = _run("ruff", "check", "hooks", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
