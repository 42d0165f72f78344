"""Running action.yml's steps as the GitHub runner does: `${{ }}` expressions, `if:`
conditions, step outputs and GITHUB_* files. The `uses:` steps are the runner's: setup-python
answers with this test's Python, upload-artifact records what it would upload.
Shared by the Action's tests and the attack tests."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT

SETUP_PYTHON = "actions/setup-python@"
UPLOAD_ARTIFACT = "actions/upload-artifact@"


@dataclass
class Run:
    code: int
    stdout: str
    outputs: dict[str, str]  # the action's outputs, as the workflow sees them
    summary: str
    written: dict[str, str]  # what the check step itself wrote to its GITHUB_OUTPUT
    install: dict[str, str]  # what the install step wrote to its GITHUB_OUTPUT
    uploads: list[dict[str, str]] = field(default_factory=list)  # upload-artifact's `with`
    ran: list[str] = field(default_factory=list)  # the ids (or names) of the steps that ran


# ------------------------------------------------------------------------ expressions
_TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|\(|\))|'((?:[^']|'')*)'|([A-Za-z_][\w.-]*)(\(\))?)")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, index = [], 0
    while text[index:].strip():
        match = _TOKEN.match(text, index)
        assert match, f"cannot read the expression {text!r}"
        operator, literal, name, call = match.groups()
        if operator:
            tokens.append(("op", operator))
        elif literal is not None:
            tokens.append(("str", literal.replace("''", "'")))
        else:
            tokens.append(("call" if call else "name", name))
        index = match.end()
    return tokens


def evaluate(text: str, context: dict[str, str], failed: bool = False) -> object:
    """A GitHub expression with the operators action.yml uses: `||` and `&&` (which return
    an operand), `==` and `!=` (strings compared ignoring case), string literals, context
    names, and always(), success(), failure()."""
    tokens = _tokens(text)

    def primary() -> object:
        kind, value = tokens.pop(0)
        if kind == "op" and value == "(":
            result = either()
            assert tokens.pop(0) == ("op", ")")
            return result
        if kind == "call":
            return {"always": True, "success": not failed, "failure": failed}[value]
        return value if kind == "str" else context.get(value, "")

    def compare() -> object:
        left = primary()
        if tokens and tokens[0] in (("op", "=="), ("op", "!=")):
            operator = tokens.pop(0)[1]
            equal = str(left).lower() == str(primary()).lower()
            return equal if operator == "==" else not equal
        return left

    def both() -> object:
        left = compare()
        while tokens and tokens[0] == ("op", "&&"):
            tokens.pop(0)
            right = compare()
            left = right if _truthy(left) else left
        return left

    def either() -> object:
        left = both()
        while tokens and tokens[0] == ("op", "||"):
            tokens.pop(0)
            right = both()
            left = left if _truthy(left) else right
        return left

    result = either()
    assert not tokens, f"unread tokens in {text!r}: {tokens}"
    return result


def _truthy(value: object) -> bool:
    return value not in ("", False, None)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _substitute(text: str, context: dict[str, str]) -> str:
    """Every `${{ expression }}` in `text`, as the runner expands it."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m.group(1), context)), text)


# ------------------------------------------------------------------------ GITHUB_OUTPUT
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


# ------------------------------------------------------------------------ steps
def run_step(step: dict[str, Any], context: dict[str, str], env: dict[str, str],
             cwd: Path, files: Path) -> tuple[int, str, dict[str, str]]:
    """One `run:` step of the composite action, with a GITHUB_OUTPUT of its own."""
    output = files / f"output-{step.get('id', 'step')}"
    output.write_bytes(b"")
    step_env = {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
    assert step.get("shell") == "bash", "bash is the shell every runner OS has"
    proc = subprocess.run(["bash", "-e", "-c", _substitute(step["run"], context)], cwd=cwd,
                          env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, check=False)
    # The runner reads UTF-8: output that is not fails the test here.
    text = proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")
    return proc.returncode, text, parse_output_file(output.read_bytes())


def _uses(step: dict[str, Any], context: dict[str, str],
          uploads: list[dict[str, str]]) -> dict[str, str]:
    """A `uses:` step, as far as the Action relies on it: its outputs."""
    given = {k: _substitute(str(v), context) for k, v in step.get("with", {}).items()}
    if step["uses"].startswith(SETUP_PYTHON):
        return {"python-path": sys.executable, "python-version": platform.python_version()}
    assert step["uses"].startswith(UPLOAD_ARTIFACT), step["uses"]
    uploads.append(given)
    return {"artifact-id": str(len(uploads))}


def _action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    return action


def _inputs(action: dict[str, Any], context: dict[str, str],
            overrides: dict[str, str]) -> dict[str, str]:
    """The inputs as the step sees them: the defaults (expressions expanded), then ours."""
    inputs = {name: _substitute(str(spec.get("default", "")), context)
              for name, spec in action["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return {f"inputs.{k}": v for k, v in inputs.items()}


def _runner_env(files: Path, workspace: Path, runner_temp: Path, project: Path,
                event_name: str, payload: dict[str, Any]) -> dict[str, str]:
    event_path = files / "event.json"
    event_path.write_text(json.dumps(payload), "utf-8")
    (files / "summary").write_text("", "utf-8")
    return {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path), "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(files / "summary"), "RUNNER_OS": "Linux",
            "GITHUB_ACTION_PATH": str(project), "RUNNER_TEMP": str(runner_temp),
            "GITHUB_REPOSITORY": "acme/widgets", "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": "https://api.github.invalid", "GITHUB_RUN_ID": "4242"}


def run_action(workspace: Path, event_name: str, payload: dict[str, Any], runner_temp: Path,
               project: Path, installed: dict[str, str] | None = None,
               env_overrides: dict[str, str] | None = None, github_token: str = "",
               until: str | None = None, **overrides: str) -> Run:
    """Execute action.yml's steps as a composite action runs them. `installed`: the outputs
    of an install step already run (it takes a while); then setup-python and install are
    skipped. `until`: stop after the step of that id."""
    action = _action()
    context = {"github.token": github_token}
    context.update(_inputs(action, context, overrides))
    files = workspace.parent / f"{workspace.name}-runner"
    files.mkdir(exist_ok=True)
    env = {**_runner_env(files, workspace, runner_temp, project, event_name, payload),
           **(env_overrides or {})}
    stdout, code, uploads, ran = "", 0, [], []
    for step in action["runs"]["steps"]:
        step_id = step.get("id") or step["name"]
        if installed is not None and step_id in ("python", "install"):
            step_code, outputs = 0, dict(installed) if step_id == "install" else {}
        elif not _truthy(evaluate(step.get("if", "success()"), context, failed=code != 0)):
            continue
        elif "uses" in step:
            step_code, outputs = 0, _uses(step, context, uploads)
        else:
            step_code, text, outputs = run_step(step, context, env, workspace, files)
            stdout += text
        ran.append(step_id)
        context.update({f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()})
        code = code or step_code
        if step_id == until:
            break
    outputs = {name: _substitute(spec["value"], context)
               for name, spec in action["outputs"].items()}
    install = {k.rpartition(".")[2]: v for k, v in context.items()
               if k.startswith("steps.install.outputs.")}
    check = {k.rpartition(".")[2]: v for k, v in context.items()
             if k.startswith("steps.check.outputs.")}
    summary = (files / "summary").read_bytes().decode("utf-8")
    return Run(code, stdout, outputs, summary, check, install, uploads, ran)


def install_action(project: Path, runner_temp: Path) -> dict[str, str]:
    """setup-python and the install step, as a run does them: the install step's outputs."""
    workspace = runner_temp / "install-workspace"
    workspace.mkdir(exist_ok=True)
    run = run_action(workspace, "push", {}, runner_temp, project, until="install")
    assert run.code == 0 and run.ran == ["python", "install"], run.stdout
    return run.install
