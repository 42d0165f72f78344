"""Running action.yml's steps as the GitHub runner does: its step outputs and GITHUB_* files.
Shared by the Action's tests and the attack tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT


@dataclass
class Run:
    code: int
    stdout: str
    outputs: dict[str, str]  # the action's outputs, as the workflow sees them
    summary: str
    written: dict[str, str]  # what the check step itself wrote to its GITHUB_OUTPUT
    install: dict[str, str]  # what the install step wrote to its GITHUB_OUTPUT


def _substitute(text: str, context: dict[str, str]) -> str:
    """`${{ inputs.x }}` and `${{ steps.id.outputs.x }}`, as the runner expands them."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context.get(m.group(1), ""), text)


def parse_output_file(raw: bytes) -> dict[str, str]:
    """A GITHUB_OUTPUT file read as the runner reads it: `NAME=VALUE` lines and
    `NAME<<DELIMITER` ... `DELIMITER` blocks. The file must be UTF-8."""
    lines = raw.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line.split("=", 1)
        else:
            assert heredoc > 0, f"invalid GITHUB_OUTPUT line {line!r}"
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index)  # the runner fails the step without it
            value, index = "\n".join(lines[index:end]), end + 1
        values[name] = value
    return values


def run_step(step: dict[str, Any], context: dict[str, str], env: dict[str, str],
              cwd: Path, files: Path) -> tuple[int, str, dict[str, str]]:
    """One step of the composite action, with a GITHUB_OUTPUT of its own."""
    output = files / f"output-{step.get('id', 'step')}"
    output.write_bytes(b"")
    step_env = {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
    proc = subprocess.run(["bash", "-e", "-c", _substitute(step["run"], context)], cwd=cwd,
                          env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, check=False)
    # The runner reads UTF-8: output that is not fails the test here.
    text = proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")
    return proc.returncode, text, parse_output_file(output.read_bytes())


def run_action(workspace: Path, event_name: str, payload: dict[str, Any], runner_temp: Path,
               project: Path, installed: dict[str, str] | None = None,
               env_overrides: dict[str, str] | None = None, **overrides: str) -> Run:
    """Execute action.yml's steps with bash, as a composite action runs them. `installed`:
    the outputs of an install step already run (it takes a while), else it runs here."""
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
    context = {f"inputs.{k}": v for k, v in inputs.items()}
    files = workspace.parent / f"{workspace.name}-runner"
    files.mkdir(exist_ok=True)
    event_path = files / "event.json"
    event_path.write_text(json.dumps(payload), "utf-8")
    summary = files / "summary"
    summary.write_text("", "utf-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
           "GITHUB_EVENT_PATH": str(event_path), "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_OS": "Linux",
           "GITHUB_ACTION_PATH": str(project), "RUNNER_TEMP": str(runner_temp),
           "GITHUB_REPOSITORY": "acme/widgets", "GITHUB_SERVER_URL": "https://github.com",
           **(env_overrides or {})}
    stdout, code, written = "", 0, {}
    for step in action["runs"]["steps"]:
        if step.get("id") == "install" and installed is not None:
            written = dict(installed)
        else:
            code, text, written = run_step(step, context, env, workspace, files)
            stdout += text
        context.update({f"steps.{step.get('id')}.outputs.{k}": v for k, v in written.items()})
        if code != 0:
            break
    outputs = {name: _substitute(spec["value"], context)
               for name, spec in action["outputs"].items()}
    install = {k.rpartition(".")[2]: v for k, v in context.items()
               if k.startswith("steps.install.outputs.")}
    return Run(code, stdout, outputs, summary.read_bytes().decode("utf-8"), written, install)
