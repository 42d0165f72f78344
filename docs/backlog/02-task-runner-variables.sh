#!/bin/bash
# Class: task runner files (variant of repros2 03, now fixed) -- BYPASS (expected exit 1,
# actual exit 0 for the first four). The recipe lines are read as shell, but the runner's own
# variables are not expanded: `CLAUDE := npx -y @anthropic-ai/claude-code` then
# `$(CLAUDE) -p review` is the ordinary Makefile style for a tool command, and justfile
# `{{agent}}` / Taskfile `{{.AGENT}}` are the same. Control: the literal recipe IS found.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
try() { new_repo; put "$1" "$2"; workflow "      - run: $3"; one "$1: $4"; }
try Makefile $'CLAUDE := npx -y @anthropic-ai/claude-code\nreview:\n\t$(CLAUDE) -p "review"' 'make review' 'CLAUDE := npx ...; $(CLAUDE) -p'
try Makefile $'AGENT ?= claude\nreview:\n\t${AGENT} -p "review"' 'make review' 'AGENT ?= claude; ${AGENT} -p'
try justfile $'agent := "claude"\nreview:\n    {{agent}} -p review' 'just review' 'agent := "claude"; {{agent}}'
try Taskfile.yml $'version: "3"\nvars:\n  AGENT: claude\ntasks:\n  review:\n    cmds:\n      - "{{.AGENT}} -p review"' 'task review' 'vars AGENT; {{.AGENT}}'
echo "(control: IS found)"
try Makefile $'review:\n\tnpx -y @anthropic-ai/claude-code -p "review"' 'make review' 'literal recipe'
