"""The paths the agent guard protects, whatever program touches them: the repository's hooks
folder and config file (`.git/hooks`, `.git/config`, also through a bare `NAME.git`), the
`.git` folder itself, the user's and the system's git config files (`~/.gitconfig`,
`~/.config/git/config`, `$XDG_CONFIG_HOME/git/config`, `/etc/gitconfig`), Husky's folder
and its user init script (`~/.config/husky/init.sh`), and the hook managers' config files.
Pure: a word (as the shell reader left it, computed parts as markers) and the folder the
line is in, out a name for what it touches, or None.

A path is judged as written and with `..` folded; a computed part where one of those names
would stand counts as that name (the guard cannot tell what it becomes)."""

from __future__ import annotations

import fnmatch
import itertools
import posixpath
import re

from ai_clearance.integrations.shell_words import EXPANDED, QUOTED

# The hook managers' config files, one table (manager: names): removing ai-clearance from
# one, or the file, turns its hooks off. Lefthook reads lefthook.{yml,yaml,toml,json,jsonc},
# with a leading dot too, also in `.config/`, and merges `lefthook-local.*` of the same forms
# (lefthook.dev/configuration); a name is judged in any folder.
_LEFTHOOK_FORMATS = ("yml", "yaml", "toml", "json", "jsonc")
HOOK_MANAGER_CONFIGS: dict[str, frozenset[str]] = {
    "pre-commit": frozenset({".pre-commit-config.yaml", ".pre-commit-config.yml"}),
    "Lefthook": frozenset(f"{dot}{stem}.{form}" for dot in ("", ".")
                          for stem in ("lefthook", "lefthook-local")
                          for form in _LEFTHOOK_FORMATS),
    "Overcommit": frozenset({".overcommit.yml"}),
}
HOOK_MANAGER_FILES = frozenset(name for names in HOOK_MANAGER_CONFIGS.values()
                               for name in names)
# Configs that override the main one (`skip: true` needs no mention of ai-clearance gone).
HOOK_MANAGER_OVERRIDES = frozenset(name for name in HOOK_MANAGER_CONFIGS["Lefthook"]
                                   if "-local." in name)
# Husky 9's runner (`.husky/_/h`) sources `${XDG_CONFIG_HOME:-~/.config}/husky/init.sh` before
# it reads HUSKY=0; Husky 4's sourced `~/.huskyrc`.
_HUSKY_INIT = ("husky", "init.sh")
_HUSKY_RC = ".huskyrc"
# git's client-side hook names: a file of one of these names written from a folder the
# guard cannot place may be a hook.
HOOK_NAMES = frozenset({
    "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "pre-push",
    "pre-merge-commit", "pre-rebase", "pre-applypatch", "applypatch-msg", "post-rewrite",
    "post-checkout", "post-merge", "reference-transaction", "push-to-checkout"})
MAX_FOLDER = 4096  # characters of a folder followed through `cd`s; longer is not known
_CONFIG_NAMES = ("config", "config.worktree")
_QUOTING = "'\"`),;]"
_GLOB = f"{EXPANDED}*{EXPANDED}"
_BRACE = f"{EXPANDED}{EXPANDED}"
_BRACES = re.compile(r"\{[^{}]*\}")
_MARKS = re.compile(f"{EXPANDED}[^{EXPANDED}]*{EXPANDED}|{QUOTED}[^{QUOTED}]*{QUOTED}")


def _computed(part: str) -> bool:
    return EXPANDED in part or QUOTED in part


def _git_inside(part: str) -> bool:
    """A part under .git that is the hooks folder (`hooks`, `hooks.bak`) or a config file;
    quoting around it (`open('.git/config')` in a script) is dropped."""
    name = part.rstrip(_QUOTING)
    return name.startswith("hooks") or name in _CONFIG_NAMES


def _may_be(part: str, name: str) -> bool:
    """Whether a part the shell computes may become `name`: its text holds the name, or it
    is a glob or brace pattern that matches it (`.g?t`, `hook{s,}`); a variable alone
    (`$X`) is not taken for any name."""
    if not _computed(part):
        return False
    literal = _literal(part)
    if name in literal:
        return True
    if not (_GLOB in part or _BRACE in part):
        return False
    pattern = _BRACES.sub("*", literal)
    if name.startswith(".") and pattern[:1] in ("*", "?", "[") and not literal.startswith("{"):
        return False  # the shell's `*` does not match a leading dot
    return fnmatch.fnmatchcase(name, pattern)


def _literal(part: str) -> str:
    """A path part without its computed parts (a brace pattern's text stays)."""
    return _MARKS.sub("", part)


def protected_path(path: str) -> str | None:
    """What a path names among the protected ones (a short name for the message), or None."""
    parts = [part for part in path.replace("\\", "/").lower().split("/") if part not in
             ("", ".")]
    return _in_folders(parts) or _by_name(parts)


def _in_folders(parts: list[str]) -> str | None:
    """The hooks folder, a config file in .git, .git itself, Husky's folder."""
    for index, part in enumerate(parts):
        following = parts[index + 1:]
        literal = _literal(part)
        may_be_git = _may_be(part, ".git")
        is_git = part.endswith(".git") or may_be_git
        if not following and (part == ".git" or may_be_git):
            return "the .git folder"
        # a computed part after `.git` may be anything in it; after a folder only named
        # `NAME.git` (a bare repository, or a work tree cloned under such a name), only
        # the hooks and config names count
        exact = part == ".git" or may_be_git
        if is_git and following and ((exact and _computed(following[0]))
                                     or any(map(_git_inside, following))):
            return "the repository's hooks or config"
        if _computed(part) and following and (_literal(following[0]).startswith("hooks")
                                              or _may_be(following[0], "hooks")):
            return "a hooks folder"
        if literal == ".husky" or _may_be(part, ".husky"):
            return "Husky's hooks"
    return None


def _by_name(parts: list[str]) -> str | None:
    """A hook manager's config or a user's or the system's git config, by its name."""
    if not parts:
        return None
    last = parts[-1]
    literal = _literal(last)
    if literal in HOOK_MANAGER_FILES or (_computed(last) and any(
            name.lstrip(".").split(".")[0] in literal for name in HOOK_MANAGER_FILES)):
        return "a hook manager's config"
    if tuple(parts[-2:]) == _HUSKY_INIT or literal == _HUSKY_RC or _user_husky(parts):
        return "Husky's init script"
    if literal.endswith(".gitconfig") or parts[-2:] == ["etc", "gitconfig"] \
            or (len(parts) > 1 and parts[-2] == "git" and literal == "config"):
        return "a git config file"
    return None


def _user_husky(parts: list[str]) -> bool:
    """`~/.config/husky` (a folder copied there may bring an init.sh)."""
    return any(part == ".config" and following == "husky"
               for part, following in itertools.pairwise(parts))


def judged_path(word: str, place: str | None) -> str | None:
    """What a word names among the protected paths, read from the folder `place` (None: a
    folder the guard cannot tell, after `cd "$X"`); `of=PATH`, `--dir=PATH` are read for
    their PATH too."""
    candidates = [word]
    if "=" in word:
        candidates.append(word.split("=", 1)[1])
    if word.startswith("-") and not word.startswith("--") and len(word) > 2:
        candidates.append(word[2:])  # `-C.git`: a short option's attached value
    for candidate in candidates:
        found = _judged(candidate, place)
        if found:
            return found
    return None


def _judged(path: str, place: str | None) -> str | None:
    path = path.replace("\\", "/")
    found = protected_path(path)
    if found or path.startswith(("/", "~")) or _starts_computed(path):
        return found or _folded(path)
    if place is None:  # it could be .git or .git/hooks
        if posixpath.basename(path.rstrip("/")).lower() in HOOK_NAMES:
            return "a file named like a hook, from a folder the guard cannot tell"
        return protected_path(".git/" + path) or _folded(".git/" + path)
    joined = posixpath.join(place, path) if place else path
    return protected_path(joined) or _folded(joined)


def _starts_computed(path: str) -> bool:
    return path[:1] in (EXPANDED, QUOTED)


def _folded(path: str) -> str | None:
    """The path with `a/..` folded (`.git/x/../hooks`)."""
    if ".." not in path:
        return None
    return protected_path(posixpath.normpath(path))


def moved(place: str | None, target: str | None) -> str | None:
    """The folder after `cd TARGET` from `place` (None when either is not known)."""
    if place is None or target is None or _computed(target) or target == "-":
        return None
    if target.startswith(("/", "~")):
        return target
    folder = posixpath.normpath(posixpath.join(place, target)) if place else \
        posixpath.normpath(target)
    return folder if len(folder) <= MAX_FOLDER else None  # a bound: paths join onto it
