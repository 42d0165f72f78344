#!/bin/bash
# Class: hostile input cost / robustness (from the working-directory fix) -- ERROR exit 3
# (expected: a verdict, exit 0, for a 4 KB workflow; actual: "cannot run git: Argument list
# too long", exit 3, at 141 lines; "names more than 20000 files" at 500). Severity: fails
# closed, so no bypass, but a plain workflow of N `cd dI && ./rI.sh` lines makes the reach
# step name N x N candidate paths (each relative name from every known directory) and pass
# them all on one git command line: ARG_MAX is hit before the MAX_NAMES guard. Longer
# directory names hit it with fewer lines. A monorepo workflow looping over packages by
# hand is the realistic shape; the cost is quadratic in the file.
. "$(dirname "$0")/lib.sh"
for n in 100 141 500; do
  new_repo; mkdir -p "$R/.github/workflows"
  python3 -c "
print('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |')
for i in range($n): print(f'          cd d{i} && ./r{i}.sh')" > "$R/.github/workflows/ci.yml"
  commit_all; echo "== $n lines, $(stat -c%s "$R/.github/workflows/ci.yml") bytes"; LINES_SHOWN=3 check_range
done
