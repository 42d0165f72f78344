"""String literals of code that is not shell (literals.py): every spelling of a string is
read as the program would read it, comments and regexes hide nothing, and any text is
read without error in time linear in its size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.detect.literals import argument_runs, decode, string_runs
from conftest import best_seconds


def _texts(code: str, comments: str = "#") -> list[list[str]]:
    return [[text for _, text in run] for run in string_runs(code, comments)]


@pytest.mark.parametrize(("code", "comments", "runs"), [
    # Argument lists: literals with only commas, blanks and brackets between them.
    ('subprocess.run(["claude", "-p", "x"], check=True)', "#", [["claude", "-p", "x"]]),
    ("spawn('claude', ['-p'], {stdio: 'inherit'})", "/", [["claude", "-p", "inherit"]]),
    ("new Deno.Command('claude', {args: ['-p']})", "/", [["claude", "-p"]]),
    ("require('child_process').execSync('codex exec')", "/", [["child_process"],
                                                              ["codex exec"]]),
    ('x = "a"\ny = "b"', "#", [["a"], ["b"]]),
    ('d = {"k": "v"}', "#", [["k"], ["v"]]),
    # Joined literals: +, Perl's ., and Python's implicit concatenation (over lines too).
    ("os.system('cla' + \"ude -p\")", "#", [["claude -p"]]),
    ('system("cla" . "ude")', "#", [["claude"]]),
    ('cmd = ("claude "\n       "-p x")', "#", [["claude -p x"]]),
    # Escapes, prefixes, raw strings, triple quotes, templates.
    (r'"\x63\u006c\u{61}\U00000075\144e\N{LATIN SMALL LETTER E}"', "#", [["claudee"]]),
    (r"""f"claude -p {x}" r'\x63' b'\n'""", "#", [["claude -p {x}\\x63\n"]]),
    ("'''two\nlines''' + \"\"\"and\"\"\"", "#", [["two\nlinesand"]]),
    ("`claude ${x}\n-p`", "/", [["claude ${x}\n-p"]]),
    ("'it\\'s' \"a \\\"b\\\"\"", "#", [["it'sa \"b\""]]),
    # Comments: the language's own, never the other's.
    ("# don't\nos.system('claude -p')  # it's", "#", [["claude -p"]]),
    ("// don't\n/* it's\n */ execSync('claude -p') // 'x'", "/", [["claude -p"]]),
    ("a = 1 // 2; os.system('claude -p')", "#", [["claude -p"]]),
    ("this.#p = 1; execSync('claude -p')", "/", [["claude -p"]]),
    # A JavaScript regex is not a quote; a division is not a regex.
    ("s.replace(/'/g, ''); execSync('claude -p')", "/", [[""], ["claude -p"]]),
    ("if (/[/']/.test(s)) execSync('claude -p')", "/", [["claude -p"]]),
    ("x = a / 2; y = b / 'claude -p'", "/", [["claude -p"]]),
    ("return /'/.test(s) ? 'a' : 'b'", "/", [["a"], ["b"]]),
    # An unclosed one-line quote ends at its line; a triple one runs to the end.
    ("print('unclosed\nos.system('claude -p')", "#", [["unclosed"], ["claude -p"]]),
    ("x = '''open\nstill", "#", [["open\nstill"]]),
    # Docstrings are documentation; a string handed on is not.
    ('"""Usage:\n  claude -p x\n"""\ndef f():\n    """claude -p y"""  # doc\n'
     '    os.system("""claude -p z""")', "#", [["claude -p z"]]),
    ('d = {"k":\n  """v"""}', "#", [["k"], ["v"]]),
])
def test_literals_are_read_as_the_program_reads_them(code: str, comments: str,
                                                     runs: list[list[str]]) -> None:
    assert _texts(code, comments) == runs


def test_literals_carry_the_line_they_start_on() -> None:
    code = "import os\n\nos.system(\n  'a'\n)\nx = '''b\nc''' + 'd'\n"
    assert string_runs(code, "#") == [[(3, "a")], [(5, "b\ncd")]]


@pytest.mark.parametrize(("code", "comments", "runs"), [
    # What a call only prints is left out; what it hands on is kept (each with its twin).
    ("print('claude -p x')", "#", []),
    ("os.system('claude -p x')", "#", [["claude -p x"]]),
    ("print('a', 'b'); os.system('c')", "#", [["c"]]),
    ("print(os.popen('claude -p x').read())", "#", [["claude -p x"]]),
    ("console.log('npm i -g x')", "/", []),
    ("console.log(execSync('npm i -g x'))", "/", [["npm i -g x"]]),
    ("logging.info('claude -p x')", "#", []),
    ("puts 'claude -p x'", "#", []),
    ("print `claude -p x`", "#", [["claude -p x"]]),   # Perl and Ruby run a backtick
    ("console.log(`claude -p x`)", "/", []),         # JavaScript's is a template
    ("print(f\"{run('claude -p x')}\")", "#", [["{run('claude -p x')}"]]),
    ("reprint('claude -p x')", "#", [["claude -p x"]]),
])
def test_what_is_only_printed_can_be_left_out(code: str, comments: str,
                                              runs: list[list[str]]) -> None:
    assert [[t for _, t in run] for run in string_runs(code, comments, printed=False)] == runs
    assert string_runs(code, comments)  # by default every run is read


@pytest.mark.parametrize(("text", "decoded"), [
    (r"\x41\u0042\u{43}\U00000044", "ABCD"),
    (r"\101\0", "A\x00"),
    (r"\n\t\\\'\"\q", "\n\t\\'\"q"),
    ("a\\\nb", "ab"),
    (r"\N{LATIN SMALL LETTER C}\N{NO SUCH NAME}", "c\\N{NO SUCH NAME}"),
    (r"\u{110000}\x4", "x4"),
])
def test_escapes_are_decoded(text: str, decoded: str) -> None:
    assert decode(text) == decoded


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="'\"`#/*\\\n +,.()[]{}:rfbxu0123456789aN$=;", max_size=200),
       st.sampled_from(["#", "/"]))
def test_any_text_is_read_without_error(code: str, comments: str) -> None:
    for run in string_runs(code, comments):
        assert run
        for line, _ in run:
            assert 0 <= line <= code.count("\n")


def _seconds(code: str, comments: str) -> float:
    return best_seconds(lambda: string_runs(code, comments, printed=False))


@pytest.mark.parametrize(("unit", "comments"), [
    ("'a', ", "#"), ("'", "#"), ('"""', "#"), ("'''a' ", "#"), ("`", "/"), ("\\x41", "#"),
    ("(/", "/"), ("(/[", "/"), (" / ", "/"), ("/*", "/"), ("#'\n", "#"), ("'a' + ", "#"),
    ("f'", "#"), ("x ", "#"), ("\n:", "#"), (':\n"""', "#"), ("print('a') ", "#"),
    ("console.log(  ", "/"),
])
def test_reading_code_takes_time_linear_in_its_size(unit: str, comments: str) -> None:
    """Four times the input may cost at most about four times the time (a ratio of two
    sizes, so that a slow machine does not fail it)."""
    small, large = _seconds(unit * 20_000, comments), _seconds(unit * 80_000, comments)
    assert large / max(small, 1e-4) < 10, (small, large)


@pytest.mark.parametrize(("code", "comments", "launched"), [
    ('subprocess.run(["claude", "-p", "x"], check=True)', "#", True),
    ("subprocess.Popen(args=['codex', 'exec'])", "#", True),
    ("spawn('claude', ['-p'], {stdio: 'inherit'})", "/", True),
    ("await exec.exec('codex', ['exec', 'x'])", "/", True),
    ("Bun.spawn({ cmd: ['claude', '-p'] })", "/", True),
    ('system("codex", "exec", "x")', "#", True),
    ('cmd = ["aider", "--message", "x"]\nsubprocess.run(cmd)', "#", True),
    # Lists kept as data: in an object, in a file that starts no process, in a call
    # that starts none.
    ('module.exports = { forbidden: ["claude", "-p"] }', "/", False),
    ('FORBIDDEN = ["gemini", "-p"]\n', "#", False),
    ('const tools = ["codex", "exec"]; console.table(tools)', "/", False),
    ('assert flags == ["claude", "-p"]', "#", False),
])
def test_runs_are_commands_only_where_a_process_starts(code: str, comments: str,
                                                      launched: bool) -> None:
    runs = [(texts, flag) for texts, flag in argument_runs(code, comments) if len(texts) > 1]
    assert runs and all(flag is launched for _, flag in runs), runs

