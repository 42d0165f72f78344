"""Dev container configurations (devcontainer.json, JSON with comments) read for what they
install and run: the image, the features (`ghcr.io/owner/repo/claude-code:1`), the editor
extensions of `customizations.vscode.extensions` (and the older top-level `extensions`),
and the lifecycle commands (`onCreateCommand`, `postCreateCommand`, ...). A command is a
string (run by a shell), an array (one command's words, no shell) or an object of named
commands of either form. An extension written `-publisher.name` is one the container must
not install: it is not a trace.

A workspace's recommended extensions (`.vscode/extensions.json` `recommendations`, a
`.code-workspace` file's `extensions.recommendations`) are read as the same extension facts:
VS Code asks everyone who opens the folder to install them. `unwantedRecommendations` is
the opposite and no trace."""

from __future__ import annotations

from ai_clearance.detect.jsonc import Pairs, load_jsonc
from ai_clearance.detect.literals import string_runs
from ai_clearance.detect.setups import (
    argv_facts,
    extension_fact,
    feature_fact,
    first_lines,
    image_fact,
    script_facts,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ai_clearance.detect.workflows import Fact

LIFECYCLE = ("initializeCommand", "onCreateCommand", "updateContentCommand",
             "postCreateCommand", "postStartCommand", "postAttachCommand")


def devcontainer_facts(text: str, screen: Callable[[str], bool] | None = None,
                       ) -> list[Fact] | None:
    """What a devcontainer.json installs and runs; None when it is not JSONC (or not an
    object), which the caller then judges line by line."""
    data = load_jsonc(text)
    if not isinstance(data, Pairs):
        return None
    # JSON loses lines: each value's line is where its text first occurs as a literal.
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    facts: list[Fact] = []
    for image in _strings(_values(data, "image")):
        facts.append(image_fact("image", image, lines.get(image, 1)))
    for features in _values(data, "features"):
        if isinstance(features, Pairs):
            facts.extend(feature_fact(ref, lines.get(ref, 1)) for ref in features)
    extensions = [*_values(data, "extensions")]
    for customizations in _values(data, "customizations"):
        for vscode in _values(customizations, "vscode"):
            extensions.extend(_values(vscode, "extensions"))
    for listed in extensions:
        facts.extend(extension_fact(e, lines.get(e, 1)) for e in _strings(
            listed if isinstance(listed, list) else [listed]) if not e.startswith("-"))
    for key in LIFECYCLE:
        for command in _values(data, key):
            facts.extend(_command_facts(key, command, lines, screen))
    facts.sort(key=lambda f: f.line)
    return facts


def _command_facts(key: str, command: object, lines: dict[str, int],
                   screen: Callable[[str], bool] | None) -> list[Fact]:
    """A lifecycle command in any of its forms (a string, an array, named commands)."""
    if isinstance(command, str):
        return script_facts(key, command, lines.get(command, 1), screen)
    if isinstance(command, list):
        words = [w for w in command if isinstance(w, str)]
        return argv_facts(key, words, lines.get(words[0], 1)) if words else []
    if isinstance(command, Pairs):
        return [fact for name, items in command.items() for item in items
                if not isinstance(item, Pairs)  # named commands are one level deep
                for fact in _command_facts(f"{key}.{name}", item, lines, screen)]
    return []


def _values(data: object, key: str) -> list[object]:
    return data.get(key, []) if isinstance(data, Pairs) else []


def _strings(items: list[object]) -> list[str]:
    return [item for item in items if isinstance(item, str)]


def recommendation_facts(text: str, under: str = "") -> list[Fact] | None:
    """The extensions a workspace recommends: `recommendations` of `.vscode/extensions.json`,
    or of the object at key `under` (a `.code-workspace` file's `extensions`); None when
    the text is not a JSONC object."""
    data = load_jsonc(text)
    if not isinstance(data, Pairs):
        return None
    tables = [t for t in _values(data, under) if isinstance(t, Pairs)] if under else [data]
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    return [extension_fact(e, lines.get(e, 1)) for table in tables
            for listed in _values(table, "recommendations")
            for e in _strings(listed if isinstance(listed, list) else [listed])]
