"""Environment-variable twins of `check`'s options (AI_CLEARANCE_<OPTION>), and the limits
that keep a variable from doing in CI what the change under review must not choose."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

from ai_clearance.errors import UsageError

PREFIX = "AI_CLEARANCE_"
ENV_HELP = ("Every option has an environment-variable twin (shown with it); an option given "
            "on the command line wins. In CI, AI_CLEARANCE_ALLOW_EMPTY and "
            "AI_CLEARANCE_DIRECTORY are refused, and AI_CLEARANCE_TRUST_REF may not name "
            "the commit under review.")
_SOURCES = ("staged", "message_file", "range_spec", "tree_rev", "history")
# Twins that would loosen a check in CI, where a build step of the change under review can
# set variables for the steps after it (GitHub's $GITHUB_ENV): options only, there.
_OPTION_ONLY_IN_CI = {"allow_empty": ("--allow-empty", "AI_CLEARANCE_ALLOW_EMPTY"),
                      "directory": ("-C", "AI_CLEARANCE_DIRECTORY")}


def envvar_of(option: str) -> str:
    """`--trust-ref` -> AI_CLEARANCE_TRUST_REF."""
    return PREFIX + option.lstrip("-").replace("-", "_").upper()


def env_option(*names: str, **kwargs: Any) -> Callable[[Any], Any]:
    """click.option with its environment twin, shown in --help."""
    kwargs.setdefault("envvar", envvar_of(names[0]))
    return click.option(*names, show_envvar=True, **kwargs)


class ShownEnvOption(click.Option):
    """An option whose variable is read elsewhere (check reads AI_CLEARANCE_TOKEN itself, to
    name it in errors): --help shows it, click does not read it a second time."""

    def resolve_envvar_value(self, ctx: click.Context) -> str | None:
        return None

    def value_from_envvar(self, ctx: click.Context) -> Any:
        return None


def _from_environment(name: str) -> bool:
    context = click.get_current_context(silent=True)
    return context is not None and \
        context.get_parameter_source(name) is ParameterSource.ENVIRONMENT


def sources_from_command_line(*values: Any) -> tuple[Any, ...]:
    """The source options: when one is given on the command line, those that came only
    from variables are dropped (a shell's AI_CLEARANCE_RANGE does not break `--staged`)."""
    given = dict(zip(_SOURCES, values, strict=True))
    on_line = [n for n, v in given.items() if v and not _from_environment(n)]
    if on_line:
        given = {n: (v if n in on_line else (False if isinstance(v, bool) else None))
                 for n, v in given.items()}
    return tuple(given[n] for n in _SOURCES)


def in_ci() -> bool:
    """Whether the CI variable is set (the check then enforces: see check.Request)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def guard_environment(source: str, range_spec: str | None, trust_ref: str | None,
                      allow_empty: bool, directory: str) -> None:
    """Refuse, in an enforcing check in CI, what only a variable asked for and a change
    under review could have set: loosening options, and a trust ref at the change itself."""
    if source in ("staged", "message") or not in_ci():
        return
    values = {"allow_empty": allow_empty, "directory": directory}
    for name, (option, variable) in _OPTION_ONLY_IN_CI.items():
        if values[name] and _from_environment(name):
            raise UsageError(f"{variable} is not read in CI: pass {option} in the workflow "
                             "instead")
    if trust_ref and _from_environment("trust_ref") and source == "range":
        _refuse_trust_at_change(directory, range_spec or "", trust_ref)


def _refuse_trust_at_change(directory: str, range_spec: str, trust_ref: str) -> None:
    """AI_CLEARANCE_TRUST_REF may not resolve to HEAD or to the commit a range ends at:
    trust would then come from the change under review."""
    from ai_clearance.git import gitio

    repo = gitio.discover(directory)
    trusted = gitio.resolve_ref_exactly(repo, trust_ref)
    tip = range_spec.rsplit("..", maxsplit=1)[-1].lstrip(".") or "HEAD"
    under_review = {gitio.resolve_commit(repo, "HEAD"), gitio.resolve_commit(repo, tip)}
    if trusted is not None and trusted in under_review:
        raise UsageError(f"AI_CLEARANCE_TRUST_REF={trust_ref} is the commit under review: in "
                         "CI trust comes from the protected base; pass --trust-ref in the "
                         "workflow")
