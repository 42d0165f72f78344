"""Task runners' files: the recipe lines make hands to the shell, and what they run."""

from __future__ import annotations

from ai_clearance.catalog.rules import load_catalog
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
