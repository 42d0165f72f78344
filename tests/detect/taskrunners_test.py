"""Task runners' files: the recipe lines make hands to the shell, and what they run."""

from __future__ import annotations

import random

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect import taskrunners
from ai_clearance.detect.setups import setup_facts
from ai_clearance.detect.taskrunners import runner_lines
from ai_clearance.detect.workflows import content_matches


def test_make_puts_its_variables_in_before_the_shell_reads_a_recipe() -> None:
    text = "AGENT = claude\nCC := gcc\nall:\n\t$(AGENT) -p x\n\t$(CC) -o $@ $^ && echo $$HOME\n"
    assert [command for _, _, command in runner_lines("make", text)] == [
        "claude -p x", "gcc -o MAKEVAR MAKEVAR && echo $HOME"]


def test_a_long_value_is_not_copied_into_each_reference() -> None:
    text = "X = " + "a" * 5000 + "\nall:\n" + "\t$(X) $(X)\n" * 3
    commands = [command for _, _, command in runner_lines("make", text)]
    assert commands == ["MAKEVAR MAKEVAR"] * 3


def test_a_recipe_read_again_in_another_version_keeps_its_own_line() -> None:
    """What a recipe runs is remembered across versions of a file; its line is each
    version's own."""
    catalog = load_catalog()
    rules = {r.id: r for r in catalog.rules_for("content") if r.id == "AIC301"}
    recipe = "review:\n\tnpx -y @anthropic-ai/claude-code -p x\n"
    first = content_matches(rules, recipe.encode().split(b"\n"), ["Makefile"])
    shifted = content_matches(rules, ("# a\n# b\n" + recipe).encode().split(b"\n"),
                              ["Makefile"])
    assert first["AIC301"][0] == 2 and shifted["AIC301"][0] == 4
    facts = setup_facts("make", recipe.encode(), lambda _: True)
    assert facts and {f.line for f in facts} == {2}


def test_just_puts_its_variables_and_parameter_defaults_in() -> None:
    text = ('agent := "cla" + "ude"\nexport TOOL := \'npx\'\nother := agent\n'
            'review model="opus":\n    {{ agent }} -p x --model {{model}}\n'
            '    {{TOOL}} -y @anthropic-ai/claude-code\n    {{other}} {{ nope }} {{ "lit" }}\n')
    assert [command for _, _, command in runner_lines("just", text)] == [
        "claude -p x --model opus", "npx -y @anthropic-ai/claude-code",
        "claude JUSTVAR JUSTVAR"]


def test_taskfile_vars_are_put_in_before_its_commands_are_read() -> None:
    from ai_clearance.detect.taskrunners import taskfile_text

    data = (b'version: "3"\nvars:\n  AGENT: claude\n  DYN:\n    sh: echo x\ntasks:\n'
            b'  review:\n    vars: {MODEL: opus}\n    cmds:\n'
            b'      - "{{.AGENT}} -p review --model {{ .MODEL | trim }} {{.DYN}} {{.NONE}}"\n')
    assert taskfile_text(data).split(b"\n")[-2] == (
        b'      - "claude -p review --model opus TASKVAR TASKVAR"')
    assert taskfile_text(b"tasks: {}\n") == b"tasks: {}\n"


def test_template_values_cannot_blow_a_file_up() -> None:
    text = "x := \"" + "a" * 200 + "\"\nr:\n" + "    {{x}}{{x}}{{x}}\n" * 2000
    size = sum(len(command) for _, _, command in runner_lines("just", text))
    assert size <= 2 * len(text) + (1 << 16)
    assert "JUSTVAR" in runner_lines("just", text)[-1][2]


def test_runner_variables_found_and_clean() -> None:
    catalog = load_catalog()
    rules = {r.id: r for r in catalog.rules_for("content") if r.id == "AIC301"}

    def judged(path: str, text: str) -> bool:
        return "AIC301" in content_matches(rules, text.encode().split(b"\n"), [path])

    assert judged("justfile", 'agent := "claude"\nreview:\n    {{agent}} -p review\n')
    assert judged("Taskfile.yml", 'version: "3"\nvars:\n  AGENT: claude\ntasks:\n  r:\n'
                  '    cmds:\n      - "{{.AGENT}} -p review"\n')
    # a maintainer named Claude, and a variable that names no agent, stay clean
    assert not judged("justfile", 'author := "Claude Shannon"\nagent := "echo"\n'
                      'review:\n    {{agent}} -p review  # by {{author}}\n')
    assert not judged("Taskfile.yml", 'version: "3"\nvars:\n  WHO: Claude Dupont\ntasks:\n'
                      '  r:\n    cmds:\n      - echo "built by {{.WHO}}" -p\n')


def test_the_files_a_runner_file_pulls_in() -> None:
    from ai_clearance.detect.taskrunners import runner_includes

    make = ("CI := ci\ninclude ci/a.inc $(CI)/b.inc # x\n-include local.mk\nsinclude $(DEPS)\n"
            "include *.d\n\t@echo include x\n\tinclude y\n# include nope\ninclude")
    assert runner_includes("make", make) == [("ci/a.inc", "make"), ("local.mk", "make")]
    just = "import 'ci/review.just'\nimport? \"opt.just\"\nmod tools\nmod? ci 'ci/m.just'\n"
    assert [p for p, _ in runner_includes("just", just)] == [
        "ci/review.just", "opt.just", "tools.just", "tools/mod.just", "tools/justfile",
        "tools/.justfile", "ci/m.just"]
    task = ('version: "3"\nincludes:\n  ci: ./ci/Review.yml\n  docs:\n    taskfile: ./docs\n'
            '  os: ./Taskfile_{{OS}}.yml\n')
    assert [p for p, _ in runner_includes("taskfile", task)][:2] == [
        "./ci/Review.yml", "./docs/Taskfile.yml"]
    assert all("{{" not in p for p, _ in runner_includes("taskfile", task))
    assert runner_includes("requirements", "-r base.txt\n--requirement=ci.txt\nrequests\n") \
        == [("base.txt", "requirements"), ("ci.txt", "requirements")]
    # a recipe, a comment and a word that only looks so name nothing
    assert runner_includes("make", "all:\n\tinclude-what-you-use x\n") == []
    assert runner_includes("just", "module := 'x'\nr:\n    import x\n") == []


def test_tox_deps_and_nox_installs_are_what_pip_is_given() -> None:
    tox = "[testenv]\ndeps =\n    pytest\n    aider-chat>=0.5\ncommands = pytest\n"
    assert [(key, c) for _, key, c in runner_lines("tox", tox)] == [
        ("deps", "pip install pytest"), ("deps", "pip install aider-chat>=0.5"),
        ("commands", "pytest")]
    nox = ('import nox\n\n@nox.session\ndef review(session):\n    session.install(\n'
           '        "aider-chat", \'ruff\')\n    session.conda_install("x")\n'
           '    session.install()\n')
    assert runner_lines("nox", nox) == [(5, "install", "pip install 'aider-chat' 'ruff'"),
                                        (7, "conda_install", "conda install 'x'")]


@pytest.mark.parametrize(("path", "text", "found"), [
    ("noxfile.py", 'import nox\n@nox.session\ndef r(session):\n    session.install("aider-chat")\n',
     True),
    ("noxfile.py", 'import nox\n@nox.session\ndef r(session):\n    session.install("pytest")\n'
     '    session.run("pytest", "-k", "claude")\n', False),
    ("tox.ini", "[testenv:review]\ndeps = aider-chat\ncommands = python -m x\n", True),
    ("tox.ini", "[testenv]\ndeps = anthropic\n    claude-nonsense-lib\ncommands = pytest\n",
     False),
    ("pyproject.toml", '[tool.tox]\nlegacy_tox_ini = """\n[testenv:review]\n'
     'commands = claude -p review\n"""\n', True),
    ("pyproject.toml", '[tool.tox.env.review]\ncommands = [["claude", "-p", "review"]]\n', True),
    ("pyproject.toml", '[tool.tox.env_run_base]\ndeps = ["aider-chat"]\n', True),
    ("pyproject.toml", '[tool.tox.env.docs]\ndescription = "ask claude -p later"\n'
     'commands = [["sphinx-build", "docs", "out"]]\n', False),
    ("tox.toml", '[env.review]\ncommands = [["npx", "-y", "@anthropic-ai/claude-code", "-p",'
     ' "x"]]\n', True),
    ("setup.cfg", "[testenv:review]\ncommands = claude -p review\n", True),
    ("setup.cfg", "[metadata]\nauthor = Claude Monet\n[testenv]\ncommands = pytest\n", False),
])
def test_tox_and_nox_configurations(path: str, text: str, found: bool) -> None:
    rules = {r.id: r for r in load_catalog().rules_for("content")}
    matched = content_matches(rules, text.encode().split(b"\n"), [path])
    assert bool(matched) == found, matched


def test_an_exported_make_variable_is_what_a_recipe_shell_reads() -> None:
    text = ("export AGENT = claude\nLOCAL = codex\nall:\n\t$$AGENT -p x\n\t$${AGENT} -p y\n"
            "\t$$LOCAL exec z\n\t$(AGENT) -p w\n")
    assert [command for _, _, command in runner_lines("make", text)] == [
        "claude -p x", "claude -p y", "$LOCAL exec z", "claude -p w"]


def _edited_makefiles(count: int) -> list[str]:
    """Versions of a Makefile, each an edit of the last: a definition changed, a recipe
    added or continued, a paragraph joined to the next or split."""
    rng = random.Random(7)
    lines = ["AGENT = aider", "CC = cc", "", "all: x", "\t$(CC) -o x x.c", "",
             "review:", "\t$(AGENT) --yes \\", "\t  --message fix", "",
             "X := $(shell claude -p hi)", "", "t: ; @$(AGENT) run", ""]
    versions = ["\n".join(lines)]
    edits = [
        lambda i: lines.insert(i, f"V{i} = claude"),
        lambda i: lines.insert(i, f"\t$(V{i}) -p fix"),
        lambda i: lines.insert(i, ""),
        lambda i: lines.pop(min(i, len(lines) - 1)) if lines else None,
        lambda i: lines.insert(i, "\techo \\"),
        lambda i: lines.insert(i, "AGENT = codex"),
        lambda i: lines.insert(i, "\t$(AGENT) exec x"),
        lambda i: lines.insert(i, "export AGENT = claude"),
        lambda i: lines.insert(i, "\t$$AGENT -p x"),
    ]
    for _ in range(count):
        rng.choice(edits)(rng.randrange(len(lines) + 1) if lines else 0)
        versions.append("\n".join(lines))
    return versions


def test_a_makefile_read_by_paragraphs_gives_what_a_fresh_reading_does() -> None:
    versions = _edited_makefiles(400)
    remembered = [runner_lines("make", text) for text in versions]
    fresh = []
    for text in versions:
        lines = text.split("\n")
        fresh.append(taskrunners._make_lines(lines, dict(taskrunners._definitions(lines))))
    assert remembered == fresh
    assert any(command.startswith("claude") for found in fresh for _, _, command in found)


def test_makefile_paragraphs_remembered_stay_bounded() -> None:
    taskrunners._DEFINITIONS.clear()
    taskrunners._COMMANDS.clear()
    for n in range(200):
        runner_lines("make", f"all:\n\techo {n}\n\n" + f"V{n} = x\n" * 2000)
    held = taskrunners._DEFINITIONS.size + taskrunners._COMMANDS.size
    assert 0 < held <= taskrunners._PARAGRAPHS_KEPT
