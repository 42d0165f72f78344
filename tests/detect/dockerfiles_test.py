"""Dockerfiles read for what they run (dockerfiles.py): images, shell and exec forms,
continuations, heredocs, SHELL; hostile files end quickly without an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.detect.dockerfiles import Step, dockerfile_steps
from conftest import best_seconds


def _steps(text: str) -> list[tuple[str, int, str, str | tuple[str, ...]]]:
    return [(s.kind, s.line, s.name, s.words or s.text) for s in dockerfile_steps(text)]


def test_images_come_from_from_copy_and_mounts() -> None:
    text = ("FROM --platform=$BUILDPLATFORM paulgauthier/aider:0.8 AS base\n"
            "COPY --from=pragent/pr-agent /app /app\n"
            "RUN --mount=type=bind,from=codiumai/pr-agent,target=/x true\n"
            "from scratch\n")
    assert [s for s in _steps(text) if s[0] == "image"] == [
        ("image", 1, "FROM", "paulgauthier/aider:0.8"), ("image", 2, "COPY", "pragent/pr-agent"),
        ("image", 3, "RUN", "codiumai/pr-agent"), ("image", 4, "FROM", "scratch")]


def test_shell_forms_keep_their_lines_and_drop_comment_lines() -> None:
    text = ("FROM x\n\nRUN set -e \\\n# a comment\n\n  && npm i -g \\\n    @openai/codex\n"
            "CMD codex exec fix\n")
    assert _steps(text)[1:] == [
        ("script", 3, "RUN", "set -e \\\n\\\n\\\n  && npm i -g \\\n    @openai/codex"),
        ("script", 8, "CMD", "codex exec fix")]


def test_exec_forms_are_words_and_entrypoint_takes_cmd() -> None:
    text = ('FROM x\nENTRYPOINT ["codex"]\nCMD ["exec", \\\n  "fix"]\nRUN ["sh", "-c", "a"]\n'
            'RUN [not json\nFROM y\nCMD ["other"]\n')
    assert _steps(text)[1:] == [
        ("argv", 2, "ENTRYPOINT", ("codex",)), ("argv", 3, "CMD", ("exec", "fix")),
        ("argv", 5, "RUN", ("sh", "-c", "a")), ("script", 6, "RUN", "[not json"),
        ("argv", 3, "ENTRYPOINT+CMD", ("codex", "exec", "fix")), ("image", 7, "FROM", "y"),
        ("argv", 8, "CMD", ("other",))]


def test_heredocs_are_read_and_skipped_over() -> None:
    text = ("FROM x\nRUN <<EOF\nclaude -p hi\nEOF\nCOPY <<-EOT /etc/x\n\tRUN codex exec\n\tEOT\n"
            "RUN python3 <<'PY' && echo done\nimport os\nPY\n"
            "RUN <<EOF\n#!/usr/bin/env python3\nimport os\nEOF\n"
            "RUN echo '<<NOT' && true\nRUN <<NEVER\nCMD x\n")
    assert _steps(text)[1:] == [
        ("script", 2, "RUN", "<<EOF\nclaude -p hi\nEOF"),
        ("script", 8, "RUN", "python3 <<'PY' && echo done\nimport os\nPY"),
        ("script", 11, "RUN", "<<EOF\n#!/usr/bin/env python3\nimport os\nEOF"),
        ("script", 12, "RUN", "#!/usr/bin/env python3\nimport os"),
        ("script", 15, "RUN", "echo '<<NOT' && true"),
        ("script", 16, "RUN", "<<NEVER"),
        ("script", 17, "CMD", "x")]
    assert dockerfile_steps(text)[4].language == "hash"


def test_a_shell_of_code_makes_shell_forms_its_arguments() -> None:
    text = ('FROM python\nSHELL ["python3", "-c"]\nRUN import os\nONBUILD RUN make\n'
            'FROM y\nRUN make\n')
    assert _steps(text)[1:] == [
        ("argv", 3, "RUN", ("python3", "-c", "import os")), ("script", 4, "RUN", "make"),
        ("image", 5, "FROM", "y"), ("script", 6, "RUN", "make")]


def test_the_escape_directive_is_honoured() -> None:
    text = "# escape=`\nFROM x\nRUN a `\n  b\n"
    assert _steps(text)[1:] == [("script", 3, "RUN", "a \\\n  b")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="RUNFROMCDSHEL <-'\"[]\\\n\t#=`EOFx", max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    for step in dockerfile_steps(text):
        assert isinstance(step, Step) and 1 <= step.line <= text.count("\n") + 1


def _seconds(text: str) -> float:
    return best_seconds(lambda: dockerfile_steps(text))


@pytest.mark.parametrize("unit", ["RUN <<A\n", "RUN a \\\n", "RUN --m=x ", "RUN <<A <<B ",
                                  "RUN \"<<A '", "#\n", "CMD [[[[", "RUN <<X\nX\n", "FROM x\n"])
def test_reading_a_dockerfile_takes_time_linear_in_its_size(unit: str) -> None:
    """Four times the input may cost at most about four times the time."""
    small, large = _seconds(unit * 20_000), _seconds(unit * 80_000)
    assert large / max(small, 1e-4) < 10, (small, large)


def _found(text: str) -> set[str]:
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.detect.detect import PathMatcher
    from ai_clearance.detect.workflows import content_matches
    from ai_clearance.model import PathChange

    _, candidates = PathMatcher(load_catalog()).match(PathChange("Dockerfile", "0" * 40,
                                                                 "100644"))
    rules = {c.rule.id: c.rule for c in candidates}
    return set(content_matches(rules, text.encode().split(b"\n"), ["Dockerfile"]))


@pytest.mark.parametrize(("text", "twin"), [
    ("FROM node:20\nARG PKG=@anthropic-ai/claude-code\nRUN npm i -g $PKG\n",
     "FROM node:20\nARG PKG=eslint\nRUN npm i -g $PKG\n"),
    ("FROM node:20\nARG PKG=@anthropic-ai/claude-code\nRUN npm i -g ${PKG}\n",
     "FROM node:20\nARG PKG=@anthropic-ai/claude-code\nRUN echo npm i -g ${PKG}\n"),
    ("FROM node:20\nENV C=claude\nRUN $C -p review\n",
     "FROM node:20\nENV C=make\nRUN $C -p review\n"),
    ("FROM node:20\nENV C claude\nRUN $C -p review\n",
     "FROM node:20\nENV C Claude Monet\nRUN echo $C -p review\n"),
    ("FROM node:20\nARG T\nRUN ${T:-codex} exec fix\n",
     "FROM node:20\nARG T\nRUN ${T:-make} exec fix\n"),
    ("ARG IMG=paulgauthier/aider\nFROM ${IMG}\n",
     "ARG IMG=python:3.12\nFROM ${IMG}\n"),
    ("FROM debian\nADD https://claude.ai/install.sh /i.sh\nRUN bash /i.sh\n",
     "FROM debian\nADD https://example.com/install.sh /i.sh\nRUN bash /i.sh\n"),
])
def test_arg_env_values_and_added_urls_are_read(text: str, twin: str) -> None:
    """ARG defaults and ENV values are written into later instructions as Docker writes
    them; ADD of an installer's URL downloads it. Each case has a clean twin."""
    assert _found(text), text
    assert _found(twin) == set(), twin


def test_written_in_values_cost_time_linear_in_the_file() -> None:
    """A value that names itself again and again grows by at most MAX_GROWTH times an
    instruction: four times the input, about four times the time."""
    head = "FROM x\nARG A=" + "$B" * 50 + "\nARG B=" + "x" * 200 + "\n"
    small = _seconds(head + "RUN $A $A $A\n" * 2_000)
    large = _seconds(head + "RUN $A $A $A\n" * 8_000)
    assert large / max(small, 1e-4) < 10, (small, large)
