"""The agent guard's decision: which shell commands an agent may run, from the tool input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from ai_clearance.integrations.agent_guard import (
    MAX_NESTING,
    MAX_PAYLOAD,
    commit_skips_hooks,
    decide_command,
    decide_payload,
)
from ai_clearance.integrations.shell_words import ShellSyntaxError, split_commands
from conftest import best_seconds

REFUSED = [
    "git commit --no-verify -m x",
    "git commit -m x --no-verify",
    "git commit --no-veri -m x",  # git takes an unambiguous abbreviation
    "git commit -nm x",
    "git commit -anm x",
    "git commit -n",
    "git commit -m msg -n",
    "git -c core.hooksPath=/dev/null commit -m x",
    "git -c core.hookspath=/dev/null commit",
    "git -ccore.hooksPath=/tmp/none commit -m x",
    "git --config-env=core.hooksPath=EMPTY commit",
    "git -C sub -c core.hooksPath= commit -m x",
    "git config core.hooksPath /dev/null",
    "git config set --global core.hooksPath /dev/null",
    "git -c alias.ci='commit -n' ci -m x",
    "git -c 'alias.ci=!git commit --no-verify' ci",
    "git config --global alias.ci 'commit --no-verify'",
    "git config --local core.hooksPath .nohooks && git commit -m x",
    "SKIP=ai-clearance-msg git commit -m x",
    "SKIP=flake8,ai-clearance-files git commit -m x",
    "export SKIP=ai-clearance-push; git push",
    "export PATH HUSKY=0",
    "declare -x SKIP=ai-clearance-files",
    "env SKIP=ai-clearance-msg git commit -m x",
    "env -u HOME git commit -n -m x",
    "env -u HOME SKIP=ai-clearance-msg git commit -m x",
    "HUSKY=0 git commit -m x",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit",
    "git push --no-verify",
    "git push origin main --no-verify",
    "git merge --no-verify topic",
    "cd repo && git add . && git commit --no-verify -m 'wip'",
    "git status; git commit -n -m x",
    "true || git commit --no-verify -m x",
    "(cd repo; git commit -n -m x)",
    "{ git commit -n -m x; }",
    'echo "$(git commit --no-verify -m x)"',
    "echo `git commit -n -m x`",
    'git commit -m "$(cat msg.txt)" --no-verify',
    "bash -c 'git commit --no-verify -m x'",
    'sh -lc "git commit -n -m x"',
    "eval git commit --no-verify -m x",
    "sudo -u me git commit --no-verify -m x",
    "/usr/bin/git commit --no-verify -m x",
    "git.exe commit --no-verify -m x",
    "nohup git commit -n -m x &",
    "timeout 60 git push --no-verify",
    "xargs -I{} git commit -n -m {}",
    "pre-commit uninstall",
    "git commit -m x\ngit push --no-verify",
    'git commit -m "unclosed',  # cannot be read: refused
    "git commit -m 'unclosed",
    "echo $(git status",
    # compound commands and redirections (backlog issue25 01)
    "if true; then git commit -n -m x; fi",
    "for i in 1; do git commit -n -m x; done",
    "until git commit -n -m x; do :; done",
    "while ! git commit -n -m x; do :; done",
    "! git commit -n -m x",
    "function f { git commit -n -m x; }; f",
    "select x in a; do git commit -n -m x; break; done <<< 1",
    "coproc git commit -n -m x",
    "time -p git commit -n -m x",
    ">/dev/null git commit -n -m x",
    "2>&1 git commit -n -m x",
    "&>log git commit -n -m x",
    "{ git commit -n; } 2>&1",
    "diff <(git commit -n -m x) y",
    "case x in x) git commit -n -m x;; esac",
    # aliases and settings from the environment (02, 05)
    'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.ci GIT_CONFIG_VALUE_0="commit -n" git ci',
    "export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.ci "
    "GIT_CONFIG_VALUE_0='!git commit --no-verify'; git ci",
    "GIT_CONFIG_PARAMETERS=\"'alias.ci=commit -n'\" git ci",
    "GIT_CONFIG_PARAMETERS=\"'alias.ci'='commit -n'\" git ci",
    "GIT_CONFIG_PARAMETERS=$P git status",
    'X="commit -n" git --config-env=alias.ci=X ci',
    "git --config-env alias.ci=V ci",  # a value the guard cannot see
    'git -c "alias.x=$V" x',
    "git -c include.path=/tmp/c commit -m x",
    "git -c includeIf.onbranch:main.path=/tmp/c commit -m x",
    "git config include.path /tmp/c",
    "GIT_CONFIG_GLOBAL=/tmp/c git commit -m x",
    "GIT_CONFIG_SYSTEM=/tmp/c git commit -m x",
    "HOME=/tmp/h git commit -m x",
    "export XDG_CONFIG_HOME=/tmp/h; git commit -m x",
    "HUSKY=$X git commit -m x",
    'SKIP="$S" git commit -m x',
    # git config writes (03)
    "git config --type path core.hooksPath /dev/null",
    "git config -f .git/config core.hooksPath /dev/null",
    "git config --file=.git/config core.hooksPath /dev/null",
    "git config core.hooksPath list",
    "git config --local core.hooksPath get",
    "git config --comment c core.hooksPath /dev/null",
    "git config --add core.hooksPath /x",
    "git config --replace-all core.hooksPath /x",
    "git config foo.hooksPath /x && git config --rename-section foo core",
    "git config rename-section foo core",
    "git config -e",
    'git config "$K" /dev/null',
    # words the shell computes where git reads options (04)
    "git commit $'--no-verify' -m x",
    "git commit $'\\x2dn' -m x",
    "git commit $'\\055n' -m x",
    "git commit {-n,-mx}",
    "git commit --no-verif{y,} -m x",
    "N=-n; git commit $N -m x",
    "N=--no-verify; git push origin main $N",
    'set -- --no-verify; git commit "$@" -m x',
    "git commit $FLAGS -m x",
    "git commit -$X",
    "git commit -m x *",
    "git commit `echo -n`",
    'git "$SUB" -n',
    "git $(echo commit) -n",
    "G=git; $G commit -n -m x",
    "$(echo git) commit -n",
    'eval "$CMD"',
    'alias ci="git commit -n"; ci',
    # launchers, split strings, shells reading their input (06, 14)
    'env -S "git commit -n -m x"',
    'env --split-string="git commit -n -m x"',
    'env -S"git commit -n"',
    'env -vS "git commit" -n',
    "exec -a git git commit -n -m x",
    "env -u GIT git commit -n -m x",
    "sudo -u git git commit -n -m x",
    "setsid -w git commit -n -m x",
    "flock /tmp/lock git commit -n -m x",
    "strace -f git commit -n -m x",
    "find . -maxdepth 0 -exec git commit -n -m x \\;",
    "find . -execdir sh -c 'git commit -n' \\;",
    'script -qec "git commit -n -m x" /dev/null',
    'su -c "git commit -n" me',
    "git ls-files | xargs git commit -m x",
    'sudo "$G" commit -n',
    'echo "git commit -n -m x" | sh',
    'sh -s <<< "git commit -n -m x"',
    "bash <<EOF\ngit commit -n -m x\nEOF",
    "cat <<EOF\n$(git commit -n)\nEOF",
    "chmod -x .git/hooks/pre-commit && git commit -m x",
    "rm -f .git/hooks/pre-commit",
    "mv .git/hooks .git/hooks.off",
    "echo '[core] hooksPath=/x' >> .git/config",
    'rm -rf "$(git rev-parse --git-dir)/hooks"',
    "rm -rf .husky",
    # variables set more than once, or by read/for/eval, are not known
    "X=foo; read X <<< -n; git commit $X",
    "X=foo; X=-n; git commit $X",
    "X=foo; eval X=-n; git commit $X",
    "for X in -n; do git commit $X; done",
    # git under another name, scripts the shell computes or reads from its input
    "/usr/lib/git-core/git-commit -n -m x",
    "hub commit -n -m x",
    "((git commit -n) )",
    ". <(echo git commit -n)",
    "bash <(echo git commit -n)",
    'bash /dev/stdin <<< "git commit -n"',
    # other hook managers' switches
    "LEFTHOOK=0 git commit -m x",
    "LEFTHOOK_EXCLUDE=ai-clearance git commit -m x",
    "HUSKY_SKIP_HOOKS=1 git commit -m x",
    "OVERCOMMIT_DISABLE=1 git commit -m x",
    # a wrapper's own assignments, aliases run later on the line, pre-commit as a module
    "sudo SKIP=ai-clearance-files git commit -m x",
    "alias g=git; g commit -n -m x",
    "python3 -m pre_commit uninstall",
    "env " * 40 + "git status",  # more programs wrapping one another than the guard reads
    'B="main "; git push origin $B--no-verify',  # the blank splits it off: an option
    'B="x --no-verify "; git push $B"y"',
    'B="*"; git commit -m x $B',  # a file named --no-verify would match
    'git push origin "$B":x',  # B is not known
    # here-documents bash does not start (a shift in arithmetic), a delimiter with `$`
    "(( x = 1 << 2 ))\ngit commit -n",
    "echo $(( 1 << 2 ))\ngit commit -n",
    "for ((i=0; i<<2; i++)); do echo; done\ngit commit -n",
    "echo $[1<<2]\ngit commit -n",
    "cat <<$X\nhi\n$X\ngit commit -n",
    # a shell's options, its input through a wrapper or a pipe on the next line
    "cat <<EOF |\ngit commit -n\nEOF\nsh",
    "timeout 5 sh <<EOF\ngit commit -n\nEOF",
    "bash -- <<EOF\ngit commit -n\nEOF",
    "sh - <<EOF\ngit commit -n\nEOF",
    'bash -o pipefail -c "git commit -n"',
    'fish --command="git commit -n"',
    'fish --command "git commit -n"',
    # a wrapper's program computed by the shell, or told by the line
    "sudo g* commit -n",  # a file named git in the folder
    'find . -exec "$C" {} \\;',
    'timeout 5 "$C"',
    "G=git; sudo $G commit -n",
    "F=-n; sudo git commit $F",
    'A=x; A+=" --no-verify"; git push origin $A',
    'export A=x A+=" --no-verify"; git push origin $A',
    'X=foo; alias s="X=-n"; s; git push origin $X',
    "alias ls='ls -F'; ls; alias g=git; g commit -n",
    'tmux new -d "git commit -n -m x"',
    'ssh localhost "git commit -n -m x"',
    'docker exec c --command="git commit -n"',
    # attack pass 2 (issue 25): paths by any program, relative or computed (01, 02, 03, 06)
    "mv .git/hooks{,.bak}",
    "cp -r /tmp/h .git/hook{s,.old}",  # the brace spelling as the target
    "cd .git/hooks && rm -f pre-commit",
    "(cd .git; rm -f hooks/pre-commit)",
    "pushd .git >/dev/null && rm -f hooks/pre-commit",
    "cd .git && cd hooks && printf '' > pre-commit",
    'cd "$D" && rm -f pre-commit',
    "cd sub && rm -f ../.git/hooks/pre-commit",
    "rm -f .git/x/../hooks/pre-commit",
    "find .git/hooks -type f -delete",
    "find .git -path '*hooks/pre-commit' -exec rm {} +",
    "find . -path './.git/hooks/*' -delete",
    "dd if=/dev/null of=.git/hooks/pre-commit status=none",
    "tar -xf /tmp/h.tar -C .git",
    "tar -x --directory=.git -f /tmp/h.tar",
    "rsync -a /tmp/h/ .git/hooks/",
    "install -m 755 x .git/hooks/pre-commit",
    "ln -sf /dev/null .git/hooks/pre-commit",
    "truncate -s0 .git/hooks/pre-commit",
    "chmod -x .git/hooks/pre-commit",
    "unzip -o h.zip -d .git/hooks",
    "python3 script.py .git/hooks/pre-commit",
    "rm -rf .git",
    "cp x bare.git/hooks/pre-commit",
    "cp x .git/worktrees/wt/config.worktree",
    'rm -f "$(git rev-parse --git-path hooks)/pre-commit"',
    'rm -f "$(git rev-parse --git-dir)"/hooks/pre-commit',
    'cp /dev/null "$(git config core.hooksPath)/pre-commit"',
    'rm -f "$GIT_DIR/hooks/pre-commit"',
    "sed -i 's/exit 1/exit 0/' .git/hooks/pre-commit",
    # global and system git config files (10)
    "printf '[core]\\n\\thooksPath = /dev/null\\n' >> ~/.gitconfig",
    "printf '[core]\\n\\thooksPath = /dev/null\\n' >> ~/.config/git/config",
    "echo x >> $HOME/.gitconfig",
    'echo x >> "$XDG_CONFIG_HOME/git/config"',
    "printf '[core]\\n' | sudo tee -a /etc/gitconfig",
    "sed -i '$a hooksPath=/x' ~/.gitconfig",
    "cp /tmp/c ~/.gitconfig",
    "cd ~ && echo x >> .gitconfig",
    # unsetting or removing core.hooksPath (04)
    "git config --unset core.hooksPath",
    "git config --unset-all core.hooksPath",
    "git config --global --unset core.hookspath",
    "git config unset core.hooksPath",
    "git config --remove-section core",
    "git config --rename-section core old",
    "git config --unset include.path",
    # git subcommands that run a command line (12)
    "git rebase -q --exec 'git commit -q --allow-empty -n -m x' HEAD~1",
    "git rebase -x 'git commit -n -m x' HEAD~1",
    "git rebase --exec='git push --no-verify' HEAD~2",
    "git rebase -x\"git commit -n\" HEAD~1",
    "git submodule foreach 'git commit -n -m x'",
    "git submodule foreach --recursive git commit -n -m x",
    "git bisect run sh -c 'git commit -n -m x'",
    "ssh localhost 'cd /repo && git commit -n -m x'",
    "ssh -p 22 -i key host git push --no-verify",
    "git difftool -x 'sh -c \"git commit -n\"'",
    "git difftool --extcmd='git commit -n'",
    "git filter-branch --tree-filter 'git commit -n' HEAD",
    "git filter-branch --env-filter \"$CMD\" HEAD",
    "git -c core.editor='sh -c \"git commit -n\"' commit",
    "git -c core.sshCommand='git push --no-verify; ssh' fetch",
    "git -c diff.x.textconv='git commit -n' diff",
    "git config --global core.pager 'git commit -n'",
    "git -c core.pager=\"$P\" log",
    "GIT_EDITOR='git commit -n' git rebase --continue",
    "GIT_SEQUENCE_EDITOR=\"$E\" git rebase -i HEAD~2",
    # SKIP and the switches set without NAME=value (05), PRE_COMMIT_ALLOW_NO_CONFIG (13)
    "printf -v SKIP %s ai-clearance-files; export SKIP; git commit -m x",
    "printf -vSKIP %s ai-clearance-files",
    "read SKIP <<< ai-clearance-files; export SKIP; git commit -m x",
    "read -r HUSKY < /tmp/zero",
    "mapfile -t SKIP < list",
    "getopts ab LEFTHOOK",
    "declare SKIP=ai-clearance-files",
    "typeset -x SKIP=ai-clearance-files",
    "local SKIP=ai-clearance-files",
    "readonly SKIP=ai-clearance-files",
    "for SKIP in ai-clearance-files; do export SKIP; git commit -m x; done",
    'SKIP="$1"; export SKIP',
    "PRE_COMMIT_ALLOW_NO_CONFIG=1 git commit -m x",
    "export PRE_COMMIT_ALLOW_NO_CONFIG=true",
    # a shell reading its script from a descriptor or a file (11)
    "exec 3<<<'git commit -q -n -m x'; bash <&3",
    "bash /dev/fd/3 3<<<'git commit -n -m x'",
    "sh /proc/self/fd/3",
    "source /dev/fd/3",
    "bash < /tmp/script.sh",
    "bash -s < /tmp/script.sh",
    # hook managers' config files (13)
    "sed -i '/ai-clearance/d' .pre-commit-config.yaml",
    "sed -i '/ai-clearance/d' lefthook.yml",
    "grep -v ai-clearance .pre-commit-config.yaml > /tmp/c && mv /tmp/c .pre-commit-config.yaml",
    "grep -v ai-clearance lefthook.yml | tee lefthook.yml",
    "echo 'repos: []' > .pre-commit-config.yaml",
    "git mv .pre-commit-config.yaml /tmp/x.yaml",
    "git rm .pre-commit-config.yaml",
    "rm -f .lefthook.yml",
    "mv .overcommit.yml /tmp",
    "yq -i 'del(.repos)' .pre-commit-config.yaml",
    "echo '' > .husky/pre-commit",
    "git rm -r .husky",
    # the folder moved by a wrapped cd or env -C; attached values; glob and brace spellings
    "builtin cd .git && rm hooks/pre-commit",
    "command cd .git; rm -f hooks/pre-commit",
    "env -C .git rm hooks/pre-commit",
    "tar xf /tmp/h.tar -C.git",
    "cp x .g?t/h*/pre-commit",
    "cp x {.g,.x}it/hooks/pre-commit",
    "rm -rf .*",
    "rm -rf .hus*",
    # Husky 9's user init script, sourced before HUSKY=0 is read (repros7 01)
    "mkdir -p ~/.config/husky && echo 'export HUSKY=0' >> ~/.config/husky/init.sh",
    "printf 'HUSKY=0\\n' > \"${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh\"",
    "cp /tmp/i.sh /home/me/.config/husky/init.sh",
    "cp -r /tmp/h ~/.config/husky",
    "echo 'export HUSKY=0' >> ~/.huskyrc",
    # every Lefthook config name lefthook.dev documents (repros7 03)
    "printf '[pre-commit]\\nskip = true\\n' > lefthook-local.toml",
    "echo '{\"pre-commit\":{\"skip\":true}}' > lefthook-local.json",
    "echo '{}' > .lefthook-local.jsonc",
    "mkdir -p .config && printf 'pre-commit:\\n  skip: true\\n' > .config/lefthook-local.yml",
    "echo '{}' > .config/lefthook.json",
    "rm lefthook.toml",
    "sed -i /ai-clearance/d .lefthook.jsonc",
    # git subcommands that write their path operands; patches the guard cannot read (04)
    "git checkout HEAD~1 -- .pre-commit-config.yaml",
    "git checkout HEAD~1 .husky/pre-commit",
    "git restore --source=HEAD~1 --staged --worktree .pre-commit-config.yaml",
    "git restore -s HEAD~1 lefthook.yml",
    "git reset HEAD~1 -- .pre-commit-config.yaml",
    "git stash push .pre-commit-config.yaml",
    "git stash -- lefthook.yml",
    "git stash push -m wip -- .husky/pre-commit",
    "git apply /tmp/x.patch",  # no file reader: the patch is not known
    "git am /tmp/series.mbox",
    "cat x.patch | git apply",
    "git apply < x.patch",
    "git apply <<'E'\ndiff --git a/.husky/pre-commit b/.husky/pre-commit\nE",
    "git am <<'E'\n--- a/lefthook.yml\n+++ b/lefthook.yml\nE",
    # cp, rsync, install write their target (the protected path as the destination)
    "cp /tmp/backup .git/hooks/pre-commit",
    "cp -t .git/hooks /tmp/x",
    "cp -rt.git/hooks x",
    "cp --target-directory=.husky x",
    "cp -l .git/hooks/pre-commit /tmp/x",  # a hard link: writing /tmp/x writes the hook
    "rsync -a /tmp/h/ .git/hooks/",
    "rsync --remove-source-files .git/hooks/pre-commit /tmp",
    "install -d .git/hooks",
    "install /tmp/x .git/hooks/pre-commit",
]

ALLOWED = [
    "git commit -m x",
    'git commit -m "--no-verify docs"',
    "git commit -m 'explain -n and --no-verify in docs'",
    "git commit -mn",  # the message is "n"
    "git commit -m -n",  # the message is "-n"
    "git commit -F -n",
    "git commit --message --no-verify",  # the message is "--no-verify"
    "git commit --no-verify --verify -m x",  # the last one wins: hooks run
    "git commit -am 'fix: (a) b' && git push",
    "git commit -m x -- --no-verify",  # a path after --
    "git push -n origin main",  # push's -n is --dry-run
    "git log --oneline -n 5",
    "git log --no-verify",
    "git config --get core.hooksPath",
    "git config core.editor vim",
    "git config --global alias.ci 'commit -v'",
    "git config --global alias.lg 'log -n 5'",
    "git -c user.name=x commit -m x",
    "SKIP=flake8 git commit -m x",
    "export PATH=/usr/bin SKIP=",
    "env -u HOME FOO=1 git commit -m x",
    "grep -rn -- --no-verify docs/",
    "echo 'git commit --no-verify' > notes.txt",
    "git commit -m x # --no-verify is not used",
    "pre-commit run --all-files",
    "git rev-parse --verify HEAD",
    "ls -la",
    "sudo apt-get install git",
    "",
    # here-documents and quoting an agent writes every day (backlog issue25 10)
    "git commit -q -F - <<EOF\nFix the user's config\nEOF",
    "cat > NOTES.md <<EOF\nDon't run this on $HOSTNAME\nEOF",
    "cat <<-EOF\n\tit's done\n\tEOF",
    'cat <<EOF\nwidth: 5" screen\nEOF',
    "git commit -F - <<'EOF'\nUse `make` and $(x) here\nEOF",
    "printf '%s\\n' $'it\\'s'",
    'echo "${a:-"it\'s"}"',
    "git commit -m \"$(cat <<'EOF'\nFix the user's thing\n\nCo-authored-by: x\nEOF\n)\"",
    "python - <<EOF\nprint('git commit -n')\nEOF",
    # words the shell computes where git does not read options
    'git commit -m "wip: $TICKET"',
    'git commit --author="$AUTHOR" -m x',
    'git commit -am"$MSG"',
    "git commit -m x -- *.py",
    'B=feature; git push origin "$B"',
    'git push -u origin "$(git branch --show-current)"',
    "git push origin $(git rev-parse --abbrev-ref HEAD)",
    'git -C "$DIR" status',
    'git config user.email "$EMAIL"',
    'git tag -a v1 -m "Release $VERSION"',
    'cd "$HOME/project" && git status',
    '"$HOME/.venv/bin/python" -m pytest -q',
    "echo $(( 1 + 2 )) $((n + 1))",
    'case "$1" in a) echo a;; *) echo b;; esac',
    "for f in *.py; do black \"$f\"; done",
    "while read -r line; do echo \"$line\"; done < list.txt",
    "f() { echo hi; }; f",
    # programs that mention git without running what skips the hooks
    "echo git commit -n is what we avoid",
    'grep -rn "git commit -n" docs',
    'gh pr create --title x --body "Run git commit -n to skip"',
    "watch -n 5 'git status'",
    "timeout 30 npm test",
    "find . -name '*.py' -exec grep -l foo {} \\;",
    "git ls-files | xargs wc -l",
    "env FOO=1 npm test",
    "env | sort",
    "bash scripts/test.sh",
    "bash -c 'npm test'",
    "cat .git/config",
    "ls .git/hooks",
    "git log -n 5 > /tmp/log.txt 2>&1",
    "GIT_EDITOR=true git rebase --continue",
    "git config --get-regexp alias",
    "(( n > 1 )) && echo y",
    "if (( $n > 1 )); then echo y; fi",
    "X=1; X=1; git push origin $X",
    "source ./env.sh && npm test",
    "rm -rf build/config",
    "git-lfs pull",
    "LEFTHOOK_EXCLUDE=lint git commit -m x",
    "LEFTHOOK=1 git commit -m x",
    "alias g='git commit'; g -m \"it's\"",
    'alias ll="ls -la"; ll',
    "sudo FOO=1 make",
    "python3 -m pre_commit run --all-files",
    'git push origin "$(git rev-parse --abbrev-ref HEAD)":refs/heads/x',
    "B=main; git push origin $B:x",
    'B="main "; git push origin "$B"--no-verify',  # one word, not an option
    "git push -u origin \"$(git symbolic-ref --short HEAD)\"",
    "git add -A && git commit -m \"$(cat <<'EOF'\nAdd x\n\nCo-Authored-By: Claude "
    "<noreply@anthropic.com>\nEOF\n)\" && git push",
    "gh pr create --title x --body \"$(cat <<'EOF'\n- don't use `git commit -n`\nEOF\n)\"",
    "for f in $(git diff --name-only); do echo $f; done",
    "git branch -D $(git branch --merged | grep -v main)",
    "mkdir -p a/{b,c} && git add src/{a,b}.py && git commit -m x",
    "git ls-files -z | xargs -0 git add",
    "curl -fsSL https://example.com/install.sh -o install.sh",
    "for ((i=0; i<3; i++)); do echo $i; done",
    "echo $(( 1 << 2 ))",
    'bash -o pipefail -c "npm test"',
    "bash -e script.sh",
    "bash -- script.sh arg",
    "cat <<EOF |\nx\nEOF\ngrep x",
    "find . -name *.py",
    'find "$DIR" -type f',
    'sudo -u "$U" make',
    'timeout "$T" make',
    "xargs -I{} git commit -m {}",
    'nohup "$HOME/bin/server" &',
    "G=make; sudo $G",
    "alias ls='ls -F'; ls src",
    'gh pr comment 12 --body "git commit -n skips hooks; we do not"',
    'gh issue create --title="git push --no-verify fails" -b x',
    # ordinary commands near the protected paths (attack pass 2)
    "cat .git/hooks/pre-commit",
    "ls -la .git/hooks && head -5 .git/config",
    "grep -n hooksPath ~/.gitconfig",
    "cat ~/.config/git/config",
    "sed -n '1,40p' .pre-commit-config.yaml",
    "awk '/id:/' .pre-commit-config.yaml",
    "stat -c %a .git/hooks/pre-commit",
    "diff .git/hooks/pre-commit scripts/pre-commit",
    "find .git/hooks -name '*.sample'",
    "find . -path ./.git -prune -o -type f -exec wc -l {} +",
    "git add .pre-commit-config.yaml && git commit -m 'ci: add flake8'",
    "git diff .pre-commit-config.yaml",
    "pre-commit run --all-files --config .pre-commit-config.yaml",
    "tar --exclude=.git -czf /tmp/src.tgz .",
    "rsync -a --exclude .git src/ /tmp/dest/",
    "cd .git && cat config",
    "cd .git && rm -f index.lock",
    "cd src && rm -f config.json && python main.py",
    'cd "$(git rev-parse --show-toplevel)" && rm -f config.json',
    "pip install git+https://github.com/org/tool.git",
    "cd /tmp && git clone https://github.com/org/tool.git && cd tool && make",
    "rm -rf build/ dist/ node_modules/",
    "cp .env.example .env",
    "mkdir -p .husky",
    'gh pr create --title "Guard .git/hooks" --body "writes to .git/hooks are refused"',
    "git config --unset user.name",
    "git config --remove-section alias",
    "git config --global core.pager 'less -R'",
    "git -c core.editor=vim commit",
    "git rebase --exec 'npm test' HEAD~3",
    "git rebase -i HEAD~3",
    "git submodule foreach git pull",
    "git bisect run npm test",
    "ssh host 'cd app && git pull'",
    "ssh -i key host",
    "GIT_EDITOR=true git rebase --continue",
    "unset SKIP HUSKY",
    "printf -v stamp '%s' now; echo $stamp",
    "printf '%s\\n' SKIP",
    "read -r answer",
    "export SKIP",
    "bash script.sh < input.txt",
    "sh <&0",
    "python3 < script.py",
    "cp -r src/* dist/",
    "rm -rf ./*/node_modules",
    "rm -f *.pyc",
    "env -C src make",
    "cp a{1,2}.txt /tmp",
    'cd ~/src/tool.git && rm -f "$OUT" build/x',  # a work tree cloned as NAME.git
    'cd "$WORKDIR" && rm -f "$OUT"',
    # near the protected names: reading them, other files named alike
    "cat ~/.config/husky/init.sh",
    "mkdir -p ~/.config/husky",
    "echo '# husky' > docs/husky-init.md",
    "cat lefthook-local.toml .config/lefthook.jsonc",
    "echo x > lefthook-local.toml.md",
    "echo x > docs/lefthook.txt",
    # near git's path writers: other paths, actions that name none, looks at a patch
    "git checkout HEAD~1 -- src/app.py",
    "git checkout main",
    "git restore --staged src/a.py",
    "git reset HEAD~1 -- docs/pre-commit.md",
    "git reset --soft HEAD~1",
    "git stash push src/a.py",
    "git stash pop",
    "git stash list",
    "git show HEAD~1:.pre-commit-config.yaml",
    "git apply --check /tmp/x.patch",
    "git apply --stat x.patch",
    "git am --continue",
    "git am --abort",
    "git apply <<'E'\ndiff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\nE",
    "git clean -fdx",  # no ignored hooks folder known (see the payload test)
    "git stash --all",
    # a protected path as a copy's source is read
    "cp .git/hooks/pre-commit /tmp/backup",
    "cp -t /tmp .git/hooks/pre-commit",
    "cp -a .pre-commit-config.yaml /tmp/x.yaml",
    "rsync -a .git/hooks/ /tmp/hooks/",
    "install -m 644 .husky/pre-commit /tmp/x",
    "cp ~/.config/husky/init.sh /tmp/init.sh",
    "cp -r .git/hook{s,.old} /tmp",  # both words are sources: /tmp is the target
]


@pytest.mark.parametrize("command", REFUSED)
def test_commands_that_skip_the_hooks_are_refused(command: str) -> None:
    assert decide_command(command) is not None


@pytest.mark.parametrize("command", ALLOWED)
def test_other_commands_run(command: str) -> None:
    assert decide_command(command) is None


def test_a_refusal_says_what_and_what_to_do_instead() -> None:
    reason = decide_command("git commit --no-verify -m x") or ""
    assert "--no-verify" in reason
    assert "without" in reason
    assert "\n" not in reason


@pytest.mark.parametrize(("arguments", "skips"), [
    (["-n"], True), (["-qn"], True), (["-nm", "x"], True), (["-mn"], False),
    (["-m", "-n"], False), (["-Sn"], False), (["-c", "HEAD", "-n"], True),
    (["--author", "-n", "-m", "x"], False), (["--author=x", "-n"], True),
    (["--no-verify", "--verify"], False), (["--", "-n"], False),
])
def test_commit_options_are_read_as_git_reads_them(arguments: list[str],
                                                   skips: bool) -> None:
    assert commit_skips_hooks(arguments) is skips


@pytest.mark.parametrize(("line", "commands"), [
    ("a b", [["a", "b"]]),
    ("a 'b c' \"d\\\"e\" f\\ g", [["a", "b c", 'd"e', "f g"]]),
    ("a && b || c; d | e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]),
    ('x "$(y "(z)")" w', [["y", "(z)"], ["x", "$", "w"]]),
    ("x `y` w", [["y"], ["x", "$", "w"]]),
    ("x $(( 1 + 2 )) w", [["1", "+", "2"], ["x", "$", "w"]]),
    ("a # b c\nd", [["a"], ["d"]]),
    ("a '' b", [["a", "", "b"]]),
    (">x 2>&1 a <y b", [["a", "b"]]),
    ("a $'c\\x41\\101\\n' b", [["a", "cAA\n", "b"]]),
    ('a "${x:-"y z"}" b', [["a", "$", "b"]]),
    ("a <<E\nb $(c)\nE\nd", [["a"], ["c"], ["d"]]),
    ("a x{1,2} {b}", [["a", "x${1,2}", "{b}"]]),
])


def test_the_shell_reader_splits_simple_commands(line: str,
                                                 commands: list[list[str]]) -> None:
    assert [[_plain(word) for word in c.words] for c in split_commands(line)] == commands


def _plain(word: str) -> str:
    """A word with each part the shell computes shown as `$`."""
    return re.sub("[\x00\x01][^\x00\x01]*[\x00\x01]", "$", word)


def test_here_documents_are_fed_to_their_command() -> None:
    first, second = split_commands("cat <<'A' <<-B\n$(x)\nA\n\t$HOME\n\tB\necho")
    assert first.words == ["cat"]
    assert first.stdin[0] == "$(x)\n"
    assert "HOME" in first.stdin[1]
    assert second.words == ["echo"]


def test_a_pipe_is_noted_on_the_command_that_reads_it() -> None:
    assert [c.piped for c in split_commands("a | b || c |& d")] == [False, True, False, True]


@pytest.mark.parametrize("line", ["a 'b", 'a "b', "a $(b", 'a "$(b"', "a `b", "a $'b",
                                  "a ${b", "a ${b:-$(c)}", "a \x00", "a $'\\x01'"])
def test_the_shell_reader_refuses_what_it_cannot_close(line: str) -> None:
    with pytest.raises(ShellSyntaxError):
        split_commands(line)


def _payload(command: object, tool: str = "Bash") -> bytes:
    return json.dumps({"session_id": "s", "hook_event_name": "PreToolUse",
                       "tool_name": tool, "tool_input": {"command": command}}).encode()


def test_the_payload_of_a_claude_code_bash_call_is_judged() -> None:
    assert decide_payload(_payload("git commit --no-verify -m x")) is not None
    assert decide_payload(_payload("git commit -m x")) is None


def test_the_payload_of_a_gemini_shell_call_is_judged() -> None:
    assert decide_payload(_payload("git commit -n -m x", "run_shell_command")) is not None
    assert decide_payload(_payload("git status", "run_shell_command")) is None


def test_another_tool_is_not_judged() -> None:
    data = json.dumps({"tool_name": "Write",
                       "tool_input": {"file_path": "a", "content": "--no-verify"}})
    assert decide_payload(data.encode()) is None


def _tool(tool: str, cwd: str = "/r", **tool_input: object) -> bytes:
    return json.dumps({"tool_name": tool, "cwd": cwd, "tool_input": tool_input}).encode()


HOOK = "/r/.git/hooks/pre-commit"
CONFIG = "/r/.pre-commit-config.yaml"
OURS = "repos:\n- repo: local\n  hooks:\n  - id: ai-clearance-files\n  - id: black\n"
def _files(path: str) -> str:
    """The files the file-tool tests see: the config with ai-clearance; none other."""
    return OURS if path == CONFIG else ""


THEIRS = "repos:\n- repo: local\n  hooks:\n  - id: black\n"


@pytest.mark.parametrize("data", [
    _tool("Write", file_path=HOOK, content="#!/bin/sh\nexit 0\n"),
    _tool("Edit", file_path=HOOK, old_string="exit 1", new_string="exit 0"),
    _tool("MultiEdit", file_path=HOOK, edits=[{"old_string": "1", "new_string": "0"}]),
    _tool("write_file", file_path=HOOK, content=""),
    _tool("replace", file_path=HOOK, old_string="exit 1", new_string="exit 0"),
    _tool("Write", file_path=".git/hooks/commit-msg", content=""),  # relative to cwd
    _tool("Write", cwd="/r/.git", file_path="hooks/pre-push", content=""),
    _tool("Edit", file_path="/r/.git/config", old_string="[core]", new_string="[core]\n x=1"),
    _tool("Write", file_path="/home/me/.gitconfig", content="[core]\nhooksPath=/x\n"),
    _tool("Write", file_path="/home/me/.config/git/config", content=""),
    _tool("Write", file_path="/r/.husky/pre-commit", content="exit 0\n"),
    _tool("NotebookEdit", notebook_path="/r/.git/hooks/x.ipynb", new_source="x"),
    _tool("Edit", file_path=CONFIG, old_string="  - id: ai-clearance-files\n", new_string=""),
    _tool("replace", file_path="/r/lefthook.yml", old_string="run: ai-clearance check",
          new_string="run: true"),
    _tool("MultiEdit", file_path=CONFIG, edits=[
        {"old_string": "black", "new_string": "ruff"},
        {"old_string": "ai-clearance-files", "new_string": "x"}]),
    _tool("Write", file_path=CONFIG, content=THEIRS),
    _tool("Write", file_path="/r/.git/hooks/../hooks/pre-commit", content=""),
    _tool("Write", content="x"),  # no file_path: refused
    _tool("Write", file_path="/home/me/.config/husky/init.sh", content="export HUSKY=0\n"),
    _tool("write_file", file_path="/home/me/.huskyrc", content="export HUSKY=0\n"),
    _tool("Write", file_path="/r/lefthook-local.toml", content="[pre-commit]\nskip = true\n"),
    _tool("Edit", file_path=CONFIG, old_string=3, new_string=""),
])
def test_file_tools_aimed_at_the_hooks_or_config_are_refused(data: bytes) -> None:
    reason = decide_payload(data, _files)
    assert reason is not None
    assert "\n" not in reason


@pytest.mark.parametrize("data", [
    _tool("Write", file_path="/r/src/app.py", content="git commit --no-verify"),
    _tool("Edit", file_path="/r/README.md", old_string=".git/hooks", new_string="hooks"),
    _tool("Write", file_path="/r/docs/hooks/pre-commit.md", content="# pre-commit"),
    _tool("Write", file_path="/r/.github/workflows/ci.yml", content="on: push\n"),
    _tool("Edit", file_path=CONFIG, old_string="  - id: black\n",
          new_string="  - id: black\n  - id: flake8\n"),
    _tool("replace", file_path=CONFIG, old_string="black", new_string="ruff"),
    _tool("Write", file_path=CONFIG, content=OURS + "  - id: flake8\n"),
    _tool("Write", file_path="/r/new/lefthook.yml", content="pre-commit: {}\n"),
    _tool("Read", file_path=HOOK),  # reading is not judged
    _tool("Read", file_path="/home/me/.config/husky/init.sh"),
    _tool("Write", file_path="/r/docs/husky/init.md", content="# init\n"),
])
def test_file_tools_elsewhere_run(data: bytes) -> None:
    assert decide_payload(data, _files) is None


def test_a_hook_manager_config_that_cannot_be_read_is_not_rewritten() -> None:
    data = _tool("Write", file_path=CONFIG, content=THEIRS)
    assert decide_payload(data, lambda _: None) is not None
    assert decide_payload(data) is not None  # no reader: not known
    assert decide_payload(data, lambda _: "") is None  # a new file


def test_the_shell_line_is_read_from_the_agents_folder() -> None:
    data = json.dumps({"tool_name": "Bash", "cwd": "/r/.git/hooks",
                       "tool_input": {"command": "rm -f pre-commit"}}).encode()
    assert decide_payload(data) is not None
    data = json.dumps({"tool_name": "Bash", "cwd": "/r/src",
                       "tool_input": {"command": "rm -f pre-commit"}}).encode()
    assert decide_payload(data) is None


def _bash(command: str, cwd: str = "/r") -> bytes:
    return _tool("Bash", cwd=cwd, command=command)


@pytest.mark.parametrize(("command", "refused"), [
    ("git clean -fdx", True), ("git clean -xdf", True), ("git clean -f -X", True),
    ("git clean --force -x", True), ("git stash --all", True), ("git stash push -a", True),
    ("git stash save -a wip", True), ("cd sub && git clean -fdx", True),
    ("git clean -fd", False), ("git clean -ndx", False), ("git clean -x", False),
    ("git clean -fdx --dry-run", False), ("git stash -u", False), ("git stash pop", False),
])
def test_cleaning_ignored_files_is_refused_where_the_hooks_are_ignored(command: str,
                                                                      refused: bool) -> None:
    """Husky's `.husky/_` is git-ignored; `git clean -x`/`git stash --all` delete it."""
    seen: list[str] = []

    def ignored(cwd: str) -> bool:
        seen.append(cwd)
        return True

    reason = decide_payload(_bash(command), None, ignored)
    assert (reason is not None) is refused
    assert seen == ["/r"]
    if refused:
        assert "without -x" in (reason or "")
    assert decide_payload(_bash(command), None, lambda _: False) is None


PATCH = "diff --git a/{0} b/{0}\n--- a/{0}\n+++ b/{0}\n@@ -1 +1 @@\n-a\n+b\n"


@pytest.mark.parametrize(("patched", "refused"), [
    (".pre-commit-config.yaml", True), (".husky/pre-commit", True),
    ("sub/lefthook-local.json", True), ("src/app.py", False), ("docs/husky.md", False),
])
def test_a_patch_is_judged_by_the_paths_it_names(patched: str, refused: bool) -> None:
    texts = {"/r/fix.patch": PATCH.format(patched)}
    for command in ("git apply fix.patch", "git am fix.patch", "git apply -3 /r/fix.patch"):
        reason = decide_payload(_bash(command), texts.get)
        assert (reason is not None) is refused, command
    assert decide_payload(_bash("git apply fix.patch"), lambda _: None) is not None


@pytest.mark.parametrize("data", [
    b"", b"not json", b"[1, 2]", b'"git commit"', b"\xff\xfe", b'{"tool_name": "Bash"}',
    b'{"tool_name": "Bash", "tool_input": {"command": 3}}',
    b'{"tool_name": "Bash", "tool_input": "git commit -n"}',
    b'{"tool_input": {}}',
])
def test_input_that_cannot_be_read_is_refused(data: bytes) -> None:
    reason = decide_payload(data)
    assert reason is not None
    assert "\n" not in reason


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    assert decide_payload(b"[" * 200_000 + b"]" * 200_000) is not None


def test_an_oversized_payload_is_refused_unread() -> None:
    assert decide_payload(b" " * (MAX_PAYLOAD + 1)) is not None


def test_nesting_is_bounded() -> None:
    command = "git status"
    for _ in range(MAX_NESTING + 2):
        command = f"sh -c {json.dumps(command)}"
    assert decide_command(command) is not None
    assert decide_command("sh -c 'sh -c \"git status\"'") is None


@pytest.mark.parametrize("unit", [
    "git commit -m x && ", "'a' \"b\" ", "$(a ", '"$(a ', "\\x", "-n ",
    "<<E\n$(a) it's\nE\n", "$'\\x41' ", "${a:-\"b\"} ", "{a,b} ", "N=-n; ", "$N ",
    "export A=1; sh -c 'git status'; ", "sudo git git ", "env A=1 ", "alias a=b; a x; ",
    "; cd a; rm -f x ", "; rm -f $(git rev-parse --git-dir)/x$(a ", "; cp .git/a{b,c}/ ",
    "; cd ..; cd b; ", "; git rebase -x 'git status' ", "; read -r A B; ",
    "; cp a b .git/x ", "; git checkout x -- y ", "; git stash push a ", "; git clean -fdx ",
])
def test_the_decision_costs_linear_time(unit: str) -> None:
    """Four times the command line costs about four times the time (a ratio of two sizes;
    a quadratic reader would be near 16)."""

    def make(n: int) -> Callable[[], object]:
        line = "git commit " + unit * n
        return lambda: decide_command(line)

    small, large = make(2_000), make(8_000)
    small()
    # The best of five: a deep `$(` nesting makes many objects (the collector is off).
    repeat = max(1, round(0.02 / max(best_seconds(small, tries=5), 1e-7)))
    assert best_seconds(large, 5, repeat) / best_seconds(small, 5, repeat) < 8
