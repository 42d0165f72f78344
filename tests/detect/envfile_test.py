"""What a script writes to $GITHUB_ENV (envfile.py): constant writes in each form the
runner reads, and nothing for a write whose text is not known."""

from __future__ import annotations

import pytest

from ai_clearance.detect.envfile import written_env
from conftest import best_seconds


@pytest.mark.parametrize(("script", "env"), [
    ('echo T=claude >> "$GITHUB_ENV"', {"T": ["claude"]}),
    ("echo 'A=1' >> ${GITHUB_ENV}; echo B=2 >> $GITHUB_ENV", {"A": ["1"], "B": ["2"]}),
    ("echo T=x 2>&1 >> $GITHUB_ENV", {"T": ["x"]}),
    ("{ echo 'T<<EOF'; echo two; echo lines; echo EOF; } >> \"$GITHUB_ENV\"",
     {"T": ["two\nlines"]}),
    ("echo 'T<<EOF' >> $GITHUB_ENV\necho v >> $GITHUB_ENV\necho EOF >> $GITHUB_ENV",
     {"T": ["v"]}),
    ("printf '%s\\n' A=1 B=2 >> $GITHUB_ENV", {"A": ["1"], "B": ["2"]}),
    ("echo T=v | tee -a \"$GITHUB_ENV\" > /dev/null", {"T": ["v"]}),
    ('Add-Content -Path $env:GITHUB_ENV -Value "T=v"', {"T": ["v"]}),
    ('"T=v" | Out-File -FilePath $env:GITHUB_ENV -Append', {"T": ["v"]}),
    ("echo T=v>>%GITHUB_ENV%", {"T": ["v"]}),
    ("cat <<'EOF' >> $GITHUB_ENV\nT=$v\nEOF\necho U=x", {"T": ["$v"]}),
    ("cat >> $GITHUB_ENV <<EOF\nT=$v\nU=w\nEOF", {"U": ["w"]}),
    # Not known: expansions, other files, printed output, an unclosed quote's tail.
    ('echo "T=$X" >> $GITHUB_ENV', {}),
    ("echo T=`cat f` >> $GITHUB_ENV", {}),
    ("echo T=v >> other.env", {}),
    ("echo T=v", {}),
    ("echo 'T<<EOF' >> $GITHUB_ENV\necho \"$X\" >> $GITHUB_ENV\necho EOF >> $GITHUB_ENV", {}),
    ("echo T=v >> $GITHUB_ENV; echo 'unclosed", {"T": ["v"]}),
    ("make all", {}),
    # printf's format worked out, the file's expression, constants of the script's own.
    ('printf "T=%s\\n" claude >> "$GITHUB_ENV"', {"T": ["claude"]}),
    ('printf "%s=%s\\n" T claude U codex >> $GITHUB_ENV', {"T": ["claude"], "U": ["codex"]}),
    ("printf 'T=%d|%-3s%%\\n' 7 ab >> $GITHUB_ENV", {"T": ["7|ab %"]}),
    ('echo "T=claude" >> ${{ github.env }}', {"T": ["claude"]}),
    ('X=claude\necho "T=$X" >> $GITHUB_ENV', {"T": ["claude"]}),
    ("export A=cl B=aude\necho T=${A}$B >> $GITHUB_ENV", {"T": ["claude"]}),
    ('$X = "claude"\n"T=$X" | Out-File -FilePath $env:GITHUB_ENV -Append', {"T": ["claude"]}),
    ('tee -a "$GITHUB_ENV" <<EOF\nT=claude\nEOF', {"T": ["claude"]}),
    ("cat <<'EOF' | tee -a $GITHUB_ENV >/dev/null\nT=$x\nEOF", {"T": ["$x"]}),
    ("ENVF=$GITHUB_ENV\necho T=claude >> $ENVF", {"T": ["claude"]}),
    ("echo T=claude | sudo tee -a $GITHUB_ENV", {"T": ["claude"]}),
    ('echo -e "T=claude\\nU=x" >> $GITHUB_ENV', {"T": ["claude"], "U": ["x"]}),
    # ... but not a conversion not read, a variable not constant or no longer so.
    ('printf "T=%x\\n" 255 >> $GITHUB_ENV', {}),
    ("printf \"T=%s\\n\" \"$X\" >> $GITHUB_ENV", {}),
    ("X=$(cat f)\necho T=$X >> $GITHUB_ENV", {}),
    ("X=claude\nX=$(cat f)\necho T=$X >> $GITHUB_ENV", {}),
    ("X=claude\necho T=$X >> other.env\necho ${{ github.event.name }}", {}),
    ("cat <<EOF > notes.env\nT=claude\nEOF\necho $GITHUB_ENV", {}),
    ("tee -a notes.env <<EOF\nT=claude\nEOF", {}),
    ('echo "T=claude\\nU=x" >> $GITHUB_ENV', {}),
])
def test_constant_writes_are_read_as_the_runner_reads_the_file(
        script: str, env: dict[str, list[str]]) -> None:
    assert written_env(script) == env


def test_reading_is_linear_in_the_script() -> None:
    def seconds(n: int) -> float:
        script = "cat >> $GITHUB_ENV <<EOF\n" * n + "echo T=v >> $GITHUB_ENV\n" * n
        return best_seconds(lambda: written_env(script))
    assert seconds(8000) / seconds(4000) < 3.5


def test_reading_variables_and_formats_is_linear_in_the_script() -> None:
    def seconds(n: int) -> float:
        script = "X=claude\n" + "X=$X$X\n" * n + "printf 'T=%s\\n' $X$X >> $GITHUB_ENV\n" * n
        return best_seconds(lambda: written_env(script))
    assert seconds(8000) / seconds(4000) < 3.5
