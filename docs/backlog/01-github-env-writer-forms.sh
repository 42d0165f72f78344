#!/bin/bash
# Class: workflows / env indirection (variant of repros2 01, now fixed) -- BYPASS
# (expected exit 1, actual exit 0 for each of the first four).
# The $GITHUB_ENV fix follows `echo K=V >> $GITHUB_ENV`, `tee -a` and pwsh Add-Content, but
# not the other everyday ways to write the same line: `printf 'T=%s\n' claude`, the
# `${{ github.env }}` expression for the file's path, pwsh `Out-File -Append`, and a
# value that is itself a constant shell variable of the writing step (X=claude; echo T=$X).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
w() { new_repo; workflow "$2"; one "$1"; }
w 'printf "T=%s\n" claude >> $GITHUB_ENV' '      - run: printf "T=%s\n" claude >> "$GITHUB_ENV"
      - run: $T -p review'
w 'echo T=claude >> ${{ github.env }}' '      - run: echo "T=claude" >> ${{ github.env }}
      - run: $T -p review'
w 'pwsh "T=claude" | Out-File -FilePath $env:GITHUB_ENV -Append' '      - shell: pwsh
        run: "T=claude" | Out-File -FilePath $env:GITHUB_ENV -Append
      - run: $T -p review'
w 'X=claude; echo T=$X >> $GITHUB_ENV' '      - run: |
          X=claude
          echo "T=$X" >> $GITHUB_ENV
      - run: $T -p review'
echo "(controls: ARE found)"
w 'echo T=claude | tee -a $GITHUB_ENV' '      - run: echo "T=claude" | tee -a "$GITHUB_ENV"
      - run: $T -p review'
w 'pwsh Add-Content' '      - shell: pwsh
        run: Add-Content -Path $env:GITHUB_ENV -Value "T=claude"
      - run: $T -p review'
