"""CI and build services that run a repository file from a fixed path, as data: where each
looks for its file and which of its keys hold shell scripts, one command's words or
container images. setups.setup_readings reads a path by this table; pipelines.yaml_facts
reads the file by its row. A new system is a row here plus a glob in the catalog's content
rules (catalog.toml) and a case in tests/detect/detect_cases.toml."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CiSystem:
    """One CI system's file and keys (folded, as pipelines.py compares them)."""

    kind: str
    names: tuple[str, ...] = ()  # file names it reads, at any depth
    folders: tuple[str, ...] = ()  # folders whose YAML files it reads
    scripts: frozenset[str] = frozenset()  # a script, or a list of them
    script_suffix: str = ""  # keys ending so hold scripts too (Cirrus: `test_script`)
    argv: frozenset[str] = frozenset()  # a list of one command's words (a string: a script)
    images: frozenset[str] = frozenset()  # an image, `{name: image}`, or a list of them
    named_scripts: frozenset[str] = frozenset()  # `[{name: script}, ...]` or `{name: script}`
    # (a key of a list of steps, the key of a step naming its image, the key of its program,
    # the key of its arguments): Cloud Build's `steps: [{name, entrypoint, args}]`
    steps: tuple[str, str, str, str] | None = None


def _yaml(*stems: str) -> tuple[str, ...]:
    return tuple(f"{stem}.{end}" for stem in stems for end in ("yml", "yaml"))


_COMMANDS = frozenset({"commands"})
_IMAGE = frozenset({"image"})

# The systems GitLab, Azure Pipelines, Bitbucket, CircleCI, Buildkite, Travis CI, Woodpecker
# and AppVeyor share one reading ("pipeline", pipelines._SCRIPTS): their keys are read in
# each other's files too, as they always were. The rest each have their own.
SYSTEMS = (
    CiSystem("pipeline",
             names=_yaml(".gitlab-ci", "azure-pipelines", "bitbucket-pipelines", ".travis",
                         ".woodpecker", "appveyor", ".appveyor"),
             folders=(".circleci", ".buildkite", ".woodpecker")),
    # Drone and Vela: steps with `commands` in an `image`; Drone's `entrypoint`/`command`
    CiSystem("drone", names=_yaml(".drone", ".vela"), scripts=_COMMANDS,
             argv=frozenset({"entrypoint", "command"}), images=_IMAGE),
    # Cirrus CI: every `NAME_script` of a task (and `script`), `container: image:`
    CiSystem("cirrus", names=_yaml(".cirrus"), scripts=frozenset({"script"}),
             script_suffix="_script", images=_IMAGE),
    # SourceHut builds: `tasks: [{name: script}]` (its `image` is an OS, not a container)
    CiSystem("sourcehut", names=_yaml(".build"), folders=(".builds",),
             named_scripts=frozenset({"tasks"})),
    # Google Cloud Build: `steps: [{name: IMAGE, entrypoint, args, script}]`
    CiSystem("cloudbuild", names=(*_yaml("cloudbuild"), "cloudbuild.json"),
             scripts=frozenset({"script"}), steps=("steps", "name", "entrypoint", "args")),
    # AWS CodeBuild: `phases: {install, pre_build, build, post_build: {commands, finally}}`
    CiSystem("codebuild", names=_yaml("buildspec"), scripts=frozenset({"commands", "finally"})),
    # Bitrise: a script step's `inputs: [{content: ...}]`; containers' and services' `image`
    CiSystem("bitrise", names=_yaml("bitrise"), scripts=frozenset({"content"}), images=_IMAGE),
    # Semaphore: `.semaphore/*.yml`, jobs' and prologue/epilogue `commands`, containers
    CiSystem("semaphore", folders=(".semaphore",), scripts=frozenset(
        {"commands", "command", "entrypoint"}), images=_IMAGE),
    # Codemagic: `scripts: [x, {name, script}]`
    CiSystem("codemagic", names=_yaml("codemagic"), scripts=frozenset({"scripts", "script"})),
    # Codefresh: freestyle steps' `image` and `commands`
    CiSystem("codefresh", names=_yaml("codefresh"), scripts=_COMMANDS, images=_IMAGE),
    # AWS Amplify: `phases: {preBuild, build: {commands}}`
    CiSystem("amplify", names=_yaml("amplify"), scripts=_COMMANDS),
    # Render blueprints: services' build, start and pre-deploy commands
    CiSystem("render", names=_yaml("render"), scripts=frozenset(
        {"buildcommand", "startcommand", "predeploycommand"})),
    # Buddy: actions' `execute_commands`, `setup_commands`, `docker_image_name`
    CiSystem("buddy", names=_yaml("buddy"), scripts=frozenset(
        {"execute_commands", "setup_commands"}), images=frozenset({"docker_image_name"})),
    # Screwdriver: `steps: [{name: command}]`, `image`
    CiSystem("screwdriver", names=_yaml("screwdriver"), named_scripts=frozenset({"steps"}),
             images=_IMAGE),
    # Bamboo YAML specs (`bamboo-specs/bamboo.yml`): script tasks (`- script: [x]`,
    # `scripts:`). By its name: a glob of every YAML file of a folder would have the path
    # prefilter take each .yml path of a repository (catalog/rules.glob_anchor).
    CiSystem("bamboo", names=_yaml("bamboo"), scripts=frozenset({"script", "scripts"}),
             images=_IMAGE),
    # CodeShip Pro: steps' `command`, services' `image`
    CiSystem("codeship", names=_yaml("codeship-steps", "codeship-services"),
             scripts=frozenset({"command"}), images=_IMAGE),
)
BY_KIND = {system.kind: system for system in SYSTEMS}
# Each file name, and each folder of YAML files, to the kinds it is read as.
BY_NAME = {name: system.kind for system in SYSTEMS for name in system.names}
BY_FOLDER = {folder: system.kind for system in SYSTEMS for folder in system.folders}
