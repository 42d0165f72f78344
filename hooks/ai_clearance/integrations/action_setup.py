"""The Action's install step: a fresh virtual environment with the hash-pinned dependencies
and this package, on Linux, macOS and Windows runners.

Run as a script by the Python that `actions/setup-python` set up, before ai_clearance is
installed: it imports the standard library only.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import venv
from collections.abc import Mapping
from pathlib import Path

# Relative to the Action's folder. The runtime dependencies, then the build backend (pip
# builds this package without build isolation, so nothing unpinned is fetched for it).
LOCKS = ("requirements/action.txt", "requirements/action-build.txt")
PIP = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check")


def venv_python(env_dir: Path) -> Path:
    """The interpreter of a virtual environment: `Scripts/python.exe` on Windows,
    `bin/python` elsewhere (the layout decides, not the platform we guess)."""
    for candidate in (env_dir / "Scripts" / "python.exe", env_dir / "bin" / "python"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no Scripts/python.exe or bin/python in {env_dir}")


def fresh_venv(parent: Path) -> Path:
    """A new virtual environment in a new folder of a random name under `parent`: nothing
    an earlier step left there is ever run in its place. Returns its interpreter."""
    env_dir = Path(tempfile.mkdtemp(prefix="ai-clearance-venv.", dir=parent))
    venv.EnvBuilder(with_pip=True).create(env_dir)
    return venv_python(env_dir)


def install_commands(python: Path, action_path: Path) -> list[list[str]]:
    """pip runs isolated (-I): no module in the checked-out repository stands in for it.
    First every dependency from the locks, each checked against its hash, then the package
    from the Action's folder with no index at all."""
    locks = [arg for lock in LOCKS for arg in ("-r", str(action_path / lock))]
    return [
        [str(python), "-I", *PIP, "--require-hashes", *locks],
        [str(python), "-I", *PIP, "--no-deps", "--no-build-isolation", "--no-index",
         str(action_path)],
    ]


def output_line(name: str, value: str) -> str:
    """`name` = `value` in GITHUB_OUTPUT's multi-line form."""
    delimiter = f"ai_clearance_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def main(env: Mapping[str, str] | None = None) -> int:
    """Build the environment and set the step's `python` output to its interpreter."""
    env = os.environ if env is None else env
    action_path = Path(env.get("GITHUB_ACTION_PATH") or Path(__file__).parents[3])
    parent = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    try:
        python = fresh_venv(parent)
        for command in install_commands(python, action_path):
            subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        message = " ".join(str(exc).split()).replace("%", "%25")
        print(f"::error title=ai-clearance::cannot install ai-clearance: {message}", flush=True)
        return 4
    # Forward slashes: the path is run from bash, also Git Bash on Windows.
    with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
        handle.write(output_line("python", python.as_posix()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
