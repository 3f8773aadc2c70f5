#!/usr/bin/env python3
"""Finds GNU-only and bash-4-only constructs in the repository's shell scripts.

  portable_shell.py            every shell script of the checkout
  portable_shell.py FILE...    these files

The two README commands must work on macOS (bash 3.2, BSD userland) and on
any Linux. This check reads every shell script (tracked or new files named
*.sh, and files whose first line runs sh or bash, like ci/chapters/bookrun)
and prints each construct that needs bash 4 or later, or GNU coreutils,
sed, grep, find, tar or xargs, as `file:line: what: how to fix it`. The exit
status is 1 if there is any.

It reads code, not text: comments, the literal text inside quotes and the
bodies of here-documents (Python fed to `python - <<'EOF'`) are left out, while
expansions inside double quotes ("${x,,}", "$(nproc)") are checked.

A line that must use such a construct, behind a check that it exists, says
so in a comment on that line:  # portable-shell: allow (the reason)
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOW = re.compile(r"#\s*portable-shell:\s*allow\b")
SHEBANG = re.compile(r"^#!.*[/ ](ba)?sh( |$)")

# Words that end a simple command (what follows is another command).
COMMAND_END = re.compile(r"[|;&()<>`]|\bthen\b|\bdo\b")


@dataclass
class Finding:
    path: str
    line: int
    what: str
    fix: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.what}: {self.fix}"


# --- turning a script into code ---------------------------------------------

def code_lines(text):
    """The script's lines with comments removed, the literal text inside
    quotes replaced by spaces (the quote characters and every expansion kept),
    and here-document bodies blanked: same line count, same line numbers.
    Also returns the set of line numbers (1-based) whose comment allows a
    construct."""
    out, allowed = [], set()
    lines = text.split("\n")
    # Scanner state carried across lines: a stack of contexts.
    #   "sh"   shell code; "dq" inside "..."; "sq" inside '...'; "ansi" $'...'
    #   "cmd"  inside $(...) (shell code until the matching parenthesis)
    #   "brace" inside ${...}; "bt" inside `...`
    stack = ["sh"]
    heredocs = []  # delimiters whose bodies start on the next line
    in_heredoc = None  # (delimiter, strip_tabs)
    for number, line in enumerate(lines, 1):
        if in_heredoc:
            delim, strip = in_heredoc
            if (line.lstrip("\t") if strip else line) == delim:
                in_heredoc = heredocs.pop(0) if heredocs else None
            out.append("")
            continue
        chars = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            top = stack[-1]
            if top == "sq":
                if c == "'":
                    stack.pop()
                    chars.append(c)
                else:
                    chars.append(" ")
                i += 1
                continue
            if top == "ansi":
                if c == "\\" and i + 1 < n:
                    chars.append("  ")
                    i += 2
                    continue
                if c == "'":
                    stack.pop()
                    chars.append(c)
                else:
                    chars.append(" ")
                i += 1
                continue
            if c == "\\" and i + 1 < n:
                chars.append("  " if top == "dq" else line[i:i + 2])
                i += 2
                continue
            if c == "$" and line.startswith("$(", i) and not line.startswith("$((", i):
                stack.append("cmd")
                chars.append("$(")
                i += 2
                continue
            if c == "$" and line.startswith("${", i):
                stack.append("brace")
                chars.append("${")
                i += 2
                continue
            if c == "$" and line.startswith("$'", i) and top != "dq":
                stack.append("ansi")
                chars.append("$'")
                i += 2
                continue
            if top == "dq":
                if c == '"':
                    stack.pop()
                    chars.append(c)
                elif c == "`":
                    stack.append("bt")
                    chars.append(c)
                elif c == "$":
                    m = re.match(r"\$(\w+|[@#?*!$-])?", line[i:])
                    chars.append(m.group(0))  # $name, $1, $@: kept
                    i += len(m.group(0))
                    continue
                else:
                    chars.append(" ")
                i += 1
                continue
            # Shell code: sh, cmd, brace, bt.
            if c == "'":
                stack.append("sq")  # also ${x:-'text'}
                chars.append(c)
            elif c == '"':
                stack.append("dq")
                chars.append(c)
            elif c == "`":
                if top == "bt":
                    stack.pop()
                else:
                    stack.append("bt")
                chars.append(c)
            elif c == "}" and top == "brace":
                stack.pop()
                chars.append(c)
            elif c == "(" and top == "cmd":
                stack.append("cmd")  # a nested ( ... ) inside $( ... )
                chars.append(c)
            elif c == ")" and top == "cmd":
                stack.pop()
                chars.append(c)
            elif c == "#" and top != "brace" and (not chars or chars[-1] in " \t;|&("):
                if ALLOW.search(line[i:]):
                    allowed.add(number)
                break  # a comment: the rest of the line is not code
            elif c == "<" and line.startswith("<<", i) and not line.startswith("<<<", i) and top != "brace":
                m = re.match(r"<<(-?)\s*(['\"]?)([\w.-]+)\2", line[i:])
                if m:
                    heredocs.append((m.group(3), m.group(1) == "-"))
                    chars.append(m.group(0))
                    i += len(m.group(0))
                    continue
                chars.append(c)
            else:
                chars.append(c)
            i += 1
        out.append("".join(chars))
        if heredocs and in_heredoc is None:
            in_heredoc = heredocs.pop(0)
    return out, allowed


def logical_lines(lines):
    """Lines joined across backslash-newline continuations, each with the
    number of its first physical line."""
    joined, start, parts = [], None, []
    for number, line in enumerate(lines, 1):
        if start is None:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            parts.append(line[:-1] + " ")
            continue
        parts.append(line)
        joined.append((start, "".join(parts)))
        start, parts = None, []
    if parts:
        joined.append((start, "".join(parts)))
    return joined


# --- the rules -------------------------------------------------------------

def command_args(code, name):
    """For each invocation of command NAME in a line of code: its position
    and the words that follow, up to the end of that simple command."""
    for m in re.finditer(rf"(?<![\w$./{{=-]){re.escape(name)}(?![\w.=/-])", code):
        rest = code[m.end():]
        end = COMMAND_END.search(rest)
        words = (rest[:end.start()] if end else rest).split()
        yield m.start(), words


def short_flags(word):
    """The letters of a short-option cluster (-Ei -> 'Ei'), or ''."""
    return word[1:] if re.fullmatch(r"-[A-Za-z0-9]+", word) else ""


WORD_RULES = [
    # (regex on code, what, fix)
    (r"(?<![\w$./{-])(mapfile|readarray)(?![\w.=-])", "mapfile/readarray (bash 4)",
     "read into the array in a loop: while IFS= read -r x; do arr+=(\"$x\"); done < file (or do it in Python)"),
    (r"(?<![\w$./{-])coproc(?![\w.=-])", "coproc (bash 4)",
     "use a named pipe (mkfifo) or run the two sides from Python"),
    (r"(?<![\w$./{-])timeout(?![\w.=-])", "timeout (GNU coreutils; not on macOS)",
     "run the command from Python with subprocess.run(..., timeout=SECONDS)"),
    (r"(?<![\w$./{-])sha256sum(?![\w.=-])", "sha256sum (GNU coreutils; not on older macOS)",
     "use sha256 from ci/common.sh (sha256sum, else shasum -a 256, else Python)"),
    (r"(?<![\w$./{-])nproc(?![\w.=-])", "nproc (GNU coreutils; not on macOS)",
     "use getconf _NPROCESSORS_ONLN"),
    (r"\|&", "|& (bash 4)", "write 2>&1 | instead"),
    (r"&>>", "&>> (bash 4)", "write >>FILE 2>&1 instead"),
    (r"\$\{[!#]?\w+(\[[^]]*\])?(\^\^?|,,?)", "${x,,} / ${x^^} case conversion (bash 4)",
     "use tr '[:upper:]' '[:lower:]' (or tr the other way)"),
    (r"\$\{[!#]?\w+(\[[^]]*\])?@[QEPAaUuLKk]\}", "${x@Q} transformation (bash 4.4)",
     "use printf '%q' \"$x\""),
    (r"\$\{?EPOCH(SECONDS|REALTIME)\b", "$EPOCHSECONDS / $EPOCHREALTIME (bash 5)",
     "use $(date +%s)"),
    (r"\[\[\s+(!\s+)?-v\s", "[[ -v NAME ]] (bash 4.2)",
     "use [ -n \"${NAME+set}\" ]"),
]


def option_rules(code):
    """Findings that depend on a command's options: (what, fix) pairs."""
    found = []
    for _, words in command_args(code, "sed"):
        for k, w in enumerate(words):
            if w == "--":
                break
            if w.startswith("--in-place"):
                found.append(("sed --in-place (GNU sed)", "use sed -i.bak ... && rm -f FILE.bak, or Python"))
                break
            flags = short_flags(w.split(".")[0]) if w.startswith("-") and not w.startswith("--") else ""
            if "i" in flags and not re.fullmatch(r"-[A-Za-z]*i\.\S+", w):
                after = words[k + 1] if k + 1 < len(words) else ""
                if after in ("''", '""'):
                    found.append(("sed -i '' (BSD sed only: GNU sed takes '' as the script)",
                                  "use sed -i.bak ... && rm -f FILE.bak, or Python"))
                else:
                    found.append(("sed -i without a backup suffix (GNU sed only)",
                                  "use sed -i.bak ... && rm -f FILE.bak, or Python"))
                break
    for _, words in command_args(code, "tar"):
        if any(w.startswith(("--transform", "--xform")) for w in words):
            found.append(("tar --transform (GNU tar; bsdtar has no such option)",
                          "build the archive with Python's tarfile"))
    for _, words in command_args(code, "readlink"):
        if any("f" in short_flags(w) or "e" in short_flags(w) or "m" in short_flags(w)
               or w.startswith("--canonicalize") for w in words):
            found.append(("readlink -f (GNU; not on macOS before 12.3)",
                          "use $(cd \"$(dirname \"$p\")\" && pwd -P)/$(basename \"$p\"), or os.path.realpath in Python"))
    for _, words in command_args(code, "xargs"):
        if any("r" in short_flags(w) or w == "--no-run-if-empty" for w in words):
            found.append(("xargs -r (GNU xargs)", "check for empty input first, or use a while-read loop"))
    for _, words in command_args(code, "stat"):
        if any("c" in short_flags(w) or w.startswith(("--format", "--printf")) for w in words):
            found.append(("stat -c (GNU stat; BSD stat has -f)",
                          "use wc -c <FILE for a size, or os.stat in Python"))
    for _, words in command_args(code, "date"):
        if any("d" in short_flags(w) or w.startswith("--date") for w in words):
            found.append(("date -d (GNU date)", "do date arithmetic in Python, or keep epoch seconds ($(date +%s))"))
    for _, words in command_args(code, "grep"):
        if any("P" in short_flags(w) or w == "--perl-regexp" for w in words):
            found.append(("grep -P (GNU grep only)", "use grep -E, or Python's re"))
    for _, words in command_args(code, "find"):
        if any(w in ("-printf", "-fprintf") for w in words):
            found.append(("find -printf (GNU find)", "use -exec printf ... {} +, or os.walk in Python"))
    for keyword in ("declare", "local", "typeset"):
        for _, words in command_args(code, keyword):
            flags = "".join(short_flags(w) for w in words if w.startswith("-"))
            if "A" in flags:
                found.append((f"{keyword} -A: associative array (bash 4)",
                              "use a case statement, two indexed arrays, or Python"))
            if "n" in flags:
                found.append((f"{keyword} -n: nameref (bash 4.3)",
                              "pass values, not names (print the result and capture it)"))
    for _, words in command_args(code, "wait"):
        if any("n" in short_flags(w) for w in words):
            found.append(("wait -n (bash 4.3)", "wait for each process id in turn: wait \"$pid\""))
    return found


# --- arrays that may be empty under set -u -----------------------------------

SPECIAL_ARRAYS = {"BASH_SOURCE", "BASH_LINENO", "FUNCNAME", "PIPESTATUS", "BASH_VERSINFO", "GROUPS", "BASH_ARGV",
                  "BASH_ARGC", "DIRSTACK"}


def array_literals(code_text):
    """(name, is_append, content) for every NAME=( ... ) and NAME+=( ... )
    of the code, literals over several lines included."""
    for m in re.finditer(r"(?<![\w$])([A-Za-z_]\w*)(\+?)=\(", code_text):
        depth, j = 1, m.end()
        while j < len(code_text) and depth:
            depth += {"(": 1, ")": -1}.get(code_text[j], 0)
            j += 1
        yield m.group(1), m.group(2) == "+", code_text[m.end():j - 1]


def surely_has_a_word(content, nullglob):
    """Whether an array literal's content gives at least one element: a word
    with a quote or literal text always does; a bare unquoted $x or $(cmd)
    may give none, and so may a glob under shopt -s nullglob."""
    for word in content.split():
        if '"' in word or "'" in word:
            return True
        if nullglob and re.search(r"[*?[]", word):
            continue
        if not re.fullmatch(r"(\$\{[^}]*\}|\$\w+|\$\(.*\)|`.*`)+", word):
            return True
    return False


def may_be_empty(name, code_text):
    if name in SPECIAL_ARRAYS:
        return False
    first = [(append, content) for n, append, content in array_literals(code_text) if n == name]
    if not first:
        return True  # made elsewhere (read -a, mapfile, another file): unknown
    assigned = [content for append, content in first if not append]
    if not assigned:
        return True
    # Every plain assignment must give a word; appends only add.
    nullglob = bool(re.search(r"shopt\s+-s\s+nullglob", code_text))
    if not all(surely_has_a_word(c, nullglob) for c in assigned):
        return True
    # `read -a NAME` or mapfile can also (re)make it, possibly empty.
    if re.search(rf"(read\s+(-\w+\s+)*-a\s*{name}\b|(mapfile|readarray)\s+(-\w+\s+)*{name}\b)", code_text):
        return True
    return False


def under_nounset(text):
    """Whether the script runs under set -u: it says so, or it sources
    ci/common.sh, which does (read from the text: the path is in quotes)."""
    code = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))
    return bool(re.search(r"\bset\s+-[a-zA-Z]*u|\bset\s+-o\s+nounset|^\s*(source|\.)\s+.*common\.sh", code, re.M))


GUARDED = re.compile(r"\$\{(\w+)\[[@*]\]:?\+\"?\$\{\1\[[@*]\]\}\"?\}")
EXPANDED = re.compile(r"\$\{(\w+)\[[@*]\]([#%/^,][^}]*)?\}")


# --- scanning --------------------------------------------------------------

def scan_text(path, text):
    """Every finding in one script's text."""
    lines, allowed = code_lines(text)
    code_text = "\n".join(lines)
    nounset = under_nounset(text)
    findings = []
    for start, code in logical_lines(lines):
        if start in allowed:
            continue
        # `command -v nproc` asks whether a command exists: it does not run it.
        code = re.sub(r"\b(command\s+-[vV]|type|which|hash)\s+[\w.-]+", lambda m: " " * len(m.group(0)), code)
        for regex, what, fix in WORD_RULES:
            if re.search(regex, code):
                findings.append(Finding(path, start, what, fix))
        for what, fix in option_rules(code):
            findings.append(Finding(path, start, what, fix))
        if nounset and re.search(r"\$\{[@*]\}", code):
            findings.append(Finding(path, start, "${@} under set -u (an error in bash 3.2 when there are no arguments)",
                                    'write "$@" (bash 3.2 allows it without arguments)'))
        if nounset:
            for m in EXPANDED.finditer(GUARDED.sub(lambda g: " " * len(g.group(0)), code)):
                if may_be_empty(m.group(1), code_text):
                    findings.append(Finding(
                        path, start, f"${{{m.group(1)}[@]}} of an array that may be empty, under set -u "
                        "(an error in bash before 4.4)",
                        f"write ${{{m.group(1)}[@]+\"${{{m.group(1)}[@]}}\"}}"))
    return findings


def is_shell_script(path):
    if path.name.endswith(".sh"):
        return True
    try:
        with open(path, "rb") as f:
            first = f.readline(200).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(SHEBANG.match(first))


def shell_scripts(root):
    """Tracked or new (not ignored) files that are shell scripts."""
    p = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       cwd=root, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"portable_shell: git ls-files failed in {root}: {p.stderr.strip()}")
    files = [root / f for f in p.stdout.split("\0") if f]
    return sorted(f for f in files if f.is_file() and is_shell_script(f))


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    files = [Path(a).resolve() for a in argv] if argv else shell_scripts(ROOT)
    if not files:
        print("portable_shell: no shell scripts found", file=sys.stderr)
        return 1
    findings = []
    for f in files:
        shown = os.path.relpath(f, ROOT) if f.is_relative_to(ROOT) else str(f)
        findings += scan_text(shown, f.read_text(encoding="utf-8", errors="replace"))
    for finding in findings:
        print(finding)
    if findings:
        print(f"portable_shell: {len(findings)} construct(s) that macOS (bash 3.2, BSD tools) lacks, "
              f"in {len({x.path for x in findings})} of {len(files)} shell script(s)", file=sys.stderr)
        return 1
    print(f"portable_shell: {len(files)} shell script(s), no GNU-only or bash-4-only construct")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
