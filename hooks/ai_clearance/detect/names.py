"""Names that are an assistant's own, written where a person's name goes: a product
(`Co-authored-by: Claude`, `Copilot`) or a model (`claude-sonnet-4 <bot@example.com>`,
`GPT 4 Turbo`) as a co-author, an author or a committer, with no person's address behind
it. Pure; what products and models are called is data (the catalog's [names] table).

A name alone is weaker evidence than an exact address (people are named Claude, Devin and
Jules), so the rules that use these functions say `confidence = "medium"`, and:
- a model's name (a family word, then only versions and model words: `gemini 2.5 pro`)
  with a version or a second family word of its own (`claude 3 opus`, `claude sonnet`) is
  no person's whatever the address after it; one made of a family word and model words
  alone (`gemma low`, `claude small`: given names and surnames) or run into its version
  (`gpt4o`, shaped like a login) counts as a product's name does, below;
- a product's name (`claude`, `github copilot`) counts only with no address, or with one
  whose mailbox is made of machine words alone (`noreply@`, `bot@`), or a GitHub no-reply
  address whose login is the name itself (`12345+Claude@users.noreply.github.com`). A
  mailbox of its own (`claude.dubois@`, even `claude@`) is a person's: not a trace.
Linear in the length of the text; a name longer than `MAX_NAME` is prose, not a name."""

from __future__ import annotations

import re

from ai_clearance.catalog.rules import Names
from ai_clearance.detect.messages import address_forms, addresses, without_addresses
from ai_clearance.model import noreply_login

MAX_NAME = 100
# What separates the words of a name: blanks, dashes, underscores, slashes, commas, colons
# (`claude-3-5-sonnet`, `gpt_4o`, `anthropic/claude-sonnet-4`, `claude:opus-4`).
_WORD_BREAK = re.compile(r"[\s\-_/,:]+")
# A version: `4`, `2.5`, `4o`, `v2`, `20250514`; not an ordinal (`3rd`) or a word.
_VERSION = re.compile(r"v?\d+(?:\.\d+)*[a-z]?\Z")
# A year (`Claude 1987`) is how people tell their accounts apart, not a model's version.
_YEAR = re.compile(r"(?:19|20)\d\d\Z")
# A family word run into its version: `gpt4`, `claude3.5`, `gpt4o`; a one-digit major, as
# model versions are (`claude42`, `gemma92` are logins, not models).
_RUN_IN = re.compile(r"([a-z]+)(\d(?:\.\d+)*[a-z]?)\Z")
# Asides after a name, `Claude (claude-opus-4)`, `Claude [bot]`: not part of it.
_ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_WRAPPING = "\"'`*_~.;!?<>"
# What separates the parts of an aside: `AI (Pi/GPT-5.5)`, `AI (tool; claude-opus-4)`.
_ASIDE_PARTS = re.compile(r"[/;,|+]")
GENERIC = "generic"
# The words of an address's mailbox (`no-reply`, `ai.bot+x`).
_MAILBOX_BREAK = re.compile(r"[._+\-]+")


def name_words(name: str) -> list[str]:
    """The words of a name (normalized, lower case), asides and wrapping dropped; none for
    text too long to be a name."""
    if len(name) > MAX_NAME:
        return []
    name = _ASIDE.sub(" ", name)
    return [w for w in (w.strip(_WRAPPING) for w in _WORD_BREAK.split(name)) if w]


def model_assistants(names: Names, words: list[str]) -> tuple[str, ...]:
    """The assistants whose model `words` name: a family word (`claude`, `gpt`, `gemini`),
    then at least one more word, each a version, a model word (`turbo`, `pro`) or another
    family word of the same assistants (`claude opus 4`)."""
    return _model(names, words)[0]


def _model(names: Names, words: list[str]) -> tuple[tuple[str, ...], bool]:
    """`model_assistants`, and whether the name is no person's whatever the address: a
    version (not a year) or another of the family's words follows the family word, apart
    from it (`claude 3 opus`, `claude sonnet`; not `claude small`, `claude 1987`, or the
    login-shaped `gpt4o`)."""
    if not words:
        return (), False
    first, rest = words[0], words[1:]
    families = names.families.get(first)
    run_in: list[str] = []
    if families is None:
        found = _RUN_IN.match(first)
        if found is None:
            return (), False
        families = names.families.get(found.group(1))
        run_in = [found.group(2)]
    if not families or not (rest or run_in):
        return (), False
    own = {word for word, ids in names.families.items() if set(ids) & set(families)}
    if not all(_VERSION.match(w) or w in names.model_words or w in own
               for w in (*run_in, *rest)):
        return (), False
    return families, any((_VERSION.match(w) and not _YEAR.match(w)) or w in own for w in rest)


def machine_address(names: Names, email: str, words: list[str]) -> bool:
    """Whether `email` (normalized; "" for none) is no person's mailbox: absent, made of
    machine words alone, or a GitHub no-reply address of an app (`[bot]`) or of a login
    made of the name's own words and machine words."""
    if not email:
        return True
    for form in address_forms(email):
        local, at, _ = form.rpartition("@")
        if not at:
            continue
        login = noreply_login(form)
        if login is not None and login.endswith("[bot]"):
            return True
        allowed = names.machine_words | set(words) if login is not None \
            else names.machine_words
        parts = _MAILBOX_BREAK.split(login if login is not None else local)
        if all(part in allowed or part.isdigit() for part in parts if part):
            return True
    return False


def name_assistants(names: Names, name: str, email: str) -> tuple[str, ...]:
    """The assistants `name` (normalized) names, as a model or as a product, with no
    person's address (`email`, normalized, "" for none) behind it; () for a person's."""
    words = name_words(name)
    if not words:
        return ()
    found, nobodys = _model(names, words)
    if found and not nobodys and not machine_address(names, email, words):
        found = ()  # `Gemma Low <gemma.low@gmail.com>`: a person's name and mailbox
    if not found:
        product = names.products.get(" ".join(words), ())
        found = product if product and machine_address(names, email, words) else ()
    if found and all(a == GENERIC for a in found):
        # `AI (Pi/GPT-5.5)`: a generic name whose aside names the model.
        return _aside_models(names, name) or found
    return found


def _aside_models(names: Names, name: str) -> tuple[str, ...]:
    """The assistants whose models the asides of a name (normalized, at most MAX_NAME long:
    `name_words` said so) name, each part of an aside judged alone."""
    found: list[str] = []
    for aside in _ASIDE.finditer(name):
        for part in _ASIDE_PARTS.split(aside.group()[1:-1]):
            found.extend(model_assistants(names, name_words(part)))
    return tuple(dict.fromkeys(a for a in found if a != GENERIC))


def value_assistants(names: Names, value: str, ignored: frozenset[str]) -> tuple[str, ...]:
    """The assistants the identities in a trailer's value (normalized) name by name: each
    `Name <address>` in it, or, when it holds no address, the whole value as a name. An
    address the policy ignores (`ignored`: addresses or `name <address>`) names none."""
    found: list[str] = []
    named = False
    seen: set[str] = set()
    for name, address in addresses(value):
        if address in seen:
            continue  # a bracketed address is listed twice: with its name, then bare
        seen.add(address)
        named = True
        forms = address_forms(address)
        if any(f in ignored or f"{name} <{f}>" in ignored for f in forms):
            continue
        found.extend(name_assistants(names, name, address))
    if not named:
        found.extend(name_assistants(names, without_addresses(value), ""))
    return tuple(dict.fromkeys(found))


# One label of a host name, and the longest host name (DNS): a longer token is no host.
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_MAX_HOST = 253


def host_name(token: str) -> str:
    """The host name a token is, or a web address's host (`https://www.claude.ai/code` ->
    www.claude.ai), lower case, with no trailing dot; "" for a token that is neither (an
    address, another scheme, a single label, a malformed label)."""
    token = token.casefold().strip(_WRAPPING)
    scheme, sep, rest = token.partition("://")
    if sep and scheme not in ("http", "https"):
        return ""
    host = (rest if sep else token)[:_MAX_HOST + 1].split("/", 1)[0]
    host = host.split("?", 1)[0].split("#", 1)[0]
    if sep:
        host = host.rpartition("@")[2].partition(":")[0]  # `https://user@host:443/`
    host = host.removesuffix(".")
    if len(host) > _MAX_HOST:
        return ""
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return ""
    return host


def site_assistants(names: Names, host: str) -> tuple[str, ...]:
    """The assistants whose own site (the [names] sites table) `host` is or lies under
    (`claude.ai`, `www.claude.ai`, `chat.openai.com`); () for any other host, whatever its
    labels say (`claude.dupont.fr`, `claude.example.com`, `claude.localhost`)."""
    while host:
        found = names.sites.get(host)
        if found:
            return found
        host = host.partition(".")[2]
    return ()


def product_assistants(names: Names, text: str) -> tuple[str, ...]:
    """The assistants the [names] table calls `text`: its words as a whole, as the products
    table writes them (`Chat GPT`, `CodeWhisperer`, `claude.ai`), or a host name in it that
    is one of their own sites or lies under one (`chatgpt.com`, `https://www.devin.ai`,
    `chat.openai.com`). Linear in the text: a token is cut at the longest host name."""
    whole = names.products.get(" ".join(name_words(text.casefold())))
    if whole:
        return whole
    for token in text.split():
        found = site_assistants(names, host_name(token))
        if found:
            return found
    return ()
