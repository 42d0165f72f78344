"""Disclosure trailers read exactly: which agent, model and tools a commit declares (pure).

The vocabularies real projects require:
- kernel `Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL1] [TOOL2]` (Claude:claude-3-opus
  coccinelle sparse), and LLVM's and Fedora's free-form `Assisted-by: <tool>`;
- OpenStack `Generated-By: <tool> [model]` and `Assisted-By: <tool> [model]`;
- ASF `Generated-by: <tool>`;
- OpenLiberty `Co-authored-by-AI: <tool> (<model>)`.
The key is read exactly (as git writes it, any case): a disguised key is a trace the other
rules find, never a declaration that clears one. The agent is mapped to a catalog assistant
by the same map that finds the trailer: the disclosure patterns, else the [names] products
table, by a product's name or its site (`claude.ai`, `chatgpt.com`); an unknown agent is the
generic one. A value with a person's address, or one neither names (`Claude Monet`), is no
agent's disclosure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.detect import (
    GENERIC,
    assistants_for_disclosure,
    assistants_for_identity,
)
from ai_clearance.detect.messages import addresses, message_lines, without_addresses
from ai_clearance.detect.normalize import normalize_text, printable

# The keys accepted by default, lower case: what the standards above write.
DISCLOSURE_KEYS = ("assisted-by", "generated-by", "co-authored-by-ai")
# A trailer as git writes one: a key of ASCII letters, digits and dashes, a colon, a value.
_TRAILER = re.compile(r"([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)\Z")
# OpenLiberty's `Tool (Model)`: the model in parentheses that end the value.
_PARENTHESIZED_MODEL = re.compile(r"(.*?)\s*\(([^()]*)\)\Z")
# A word that reads as a model or a version (it holds a digit): OpenStack's `tool [model]`.
_HAS_DIGIT = re.compile(r"\d")
# The longest value read: a disclosure is a line; a longer one is cut, not refused.
_VALUE_LIMIT = 400
# The words of a text, for the model families it names: runs of letters, so `deepseek-v3.2`
# and `qwen2.5-coder` give `deepseek` and `qwen` (the generic families are words of letters).
_LETTERS = re.compile(r"[a-z]+")
# Disclosure trailers read per message at most: each costs a search per assistant, and a
# message is attacker input. Fail closed: one left unread can only leave a trace undisclosed.
DISCLOSURE_LIMIT = 64


@dataclass(frozen=True)
class Disclosure:
    """One disclosure trailer: its key as written, the agent, model and tools it declares,
    and the catalog assistants the agent maps to (the generic one when none names it)."""

    key: str
    value: str
    agent: str
    model: str | None
    tools: tuple[str, ...]
    assistants: tuple[str, ...]
    line: int
    evidence: str  # the line as a finding on it shows it
    # The model families of the generic assistant its value names (`grok`, `deepseek`):
    # what a trace of such a model, which no catalog entry covers, needs to be disclosed.
    families: frozenset[str] = frozenset()

    def describe(self) -> str:
        """`Key: value (agent X, model Y)`, as a report shows it."""
        parsed = f"agent {self.agent}" + (f", model {self.model}" if self.model else "")
        return f"{self.key}: {printable(self.value, 120)} ({parsed})"


def parse_value(value: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Split a disclosure's value into (agent, model, tools): `AGENT:MODEL TOOL...` (kernel),
    `Tool (Model)` (OpenLiberty), `tool model` where the last of several words holds a digit
    (OpenStack), else the whole value is the agent's name."""
    value = " ".join(value.split())
    agent, colon, rest = value.partition(":")
    if colon and agent.strip() and rest[:1] not in ("/", "") and not rest.startswith(" "):
        words = [w.strip("[]") for w in rest.split()]
        tools = tuple(w for w in words[1:] if w)
        return agent.strip(), words[0] or None, tools
    match = _PARENTHESIZED_MODEL.match(value)
    if match and match.group(1):
        return match.group(1), match.group(2).strip() or None, ()
    words = value.split(" ")
    if len(words) > 1 and _HAS_DIGIT.search(words[-1]):
        return " ".join(words[:-1]), words[-1], ()
    return value, None, ()


def parse_disclosures(catalog: Catalog, message: str,
                      keys: Iterable[str] = DISCLOSURE_KEYS) -> list[Disclosure]:
    """The agents' disclosures in a commit message: trailers at the start of a body line
    (not the subject, as git reads them) whose key is one of `keys`, in order; the first
    DISCLOSURE_LIMIT such trailers only. Linear in the message."""
    accepted = frozenset(k.casefold() for k in keys)
    found: list[Disclosure] = []
    read = 0
    for line in message_lines(message):
        if line.is_subject:
            continue
        match = _TRAILER.match(line.raw)
        if match is None or match.group(1).casefold() not in accepted:
            continue
        read += 1
        if read > DISCLOSURE_LIMIT:
            break
        value = match.group(2)[:_VALUE_LIMIT].strip()
        assistants, value, by_address = _declared(catalog, value)
        if not assistants:
            continue
        agent, model, tools = parse_value(value)
        if not by_address:
            # The agent names the assistant (a model of another vendor's family does not:
            # `Copilot (GPT-4.1)` is Copilot); an agent no entry names is the generic one.
            assistants = assistants_for_disclosure(catalog, normalize_text(agent)) or \
                (GENERIC,)
        found.append(Disclosure(match.group(1), value, agent, model, tools, assistants,
                                line.number, printable(line.raw),
                                generic_families(catalog, value)))
    return found


def _declared(catalog: Catalog, value: str) -> tuple[tuple[str, ...], str, bool]:
    """The assistants a value declares, the value without its addresses, and whether an
    address said who: an agent's own, or a person's (who stays a person and declares
    nothing). Without an address, the disclosure patterns judge the words."""
    text = normalize_text(value).strip()
    people = addresses(text)
    if not people:
        return assistants_for_disclosure(catalog, text), value, False
    agents = tuple(dict.fromkeys(a for name, email in people
                                 for a in assistants_for_identity(catalog, name, email)))
    return agents, without_addresses(value) or value, True


def generic_families(catalog: Catalog, text: str) -> frozenset[str]:
    """The model families of the generic assistant that `text` names (`Grok`,
    `DeepSeek-V3.2`, `qwen2.5-coder`): the catalog's [names] family words of letters no
    catalog entry of its own covers. Linear in the text."""
    families = catalog.names.families
    return frozenset(word for word in _LETTERS.findall(normalize_text(text))
                     if GENERIC in families.get(word, ()))


def disclosing(disclosures: Sequence[Disclosure], assistants: Sequence[str],
               evidence: str | None = None,
               named: frozenset[str] = frozenset()) -> Disclosure | None:
    """The first disclosure that declares one of `assistants`, or that is the line
    `evidence` shows (a finding on the disclosure itself). A disclosure names the agent
    whose trace it answers: a trace of the generic assistant that names model families
    (`named`: `Co-authored-by: Grok`) needs a disclosure that names one of them; one that
    names none (`Co-authored-by: AI`) is some agent's, and any disclosure declares it. A
    generic disclosure (`Assisted-by: AI`) declares no catalog assistant's trace."""
    wanted = set(assistants) - {GENERIC}
    generic = GENERIC in assistants
    for disclosure in disclosures:
        if wanted & set(disclosure.assistants) or \
                (evidence is not None and evidence.startswith(disclosure.evidence)):
            return disclosure
        if generic and (not named or named & disclosure.families):
            return disclosure
    return None


@dataclass(frozen=True)
class Declarations:
    """What the commits of a check disclose, for the decision: each commit's disclosures
    (a commit absent has none), those of the message being committed (None: no message is
    checked), and whether the message is still to be written (the pre-commit stage: the
    commit-msg hook and CI judge the disclosure)."""

    by_commit: Mapping[str, Sequence[Disclosure]] = field(default_factory=dict)
    message: Sequence[Disclosure] | None = None
    pending: bool = False
