#!/usr/bin/env python3
"""Lists the longest functions under src/ (tests excluded), by lines from
`fn` to its closing brace: `python3 bench/longest.py [N]` (default 10).

Reads the text, not the syntax tree: strings, characters and comments are
skipped so that their braces do not count, which is enough for this code."""

import pathlib
import re
import sys

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def code_only(text):
    """The text with strings, characters and comments blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and not text[i - 1:i].isalnum():
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = '"' + hashes
            j = text.find(end, i + len(hashes) + 2)
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or text.startswith("'\\", i):
            m = re.match(r"'(\\[^']*|[^\\'])'", text[i:])
            k = len(m.group(0)) if m else 1
            out.append(" " * k)
            i += k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    text = code_only(path.read_text())
    lines = text.split("\n")
    # Unit tests after `#[cfg(test)]` are not counted.
    cut = next((k for k, l in enumerate(lines) if l.strip() == "#[cfg(test)]"), len(lines))
    for k, line in enumerate(lines[:cut]):
        m = FN.match(line)
        if not m:
            continue
        depth, opened = 0, False
        for j in range(k, len(lines)):
            for ch in lines[j]:
                if ch == "{":
                    depth, opened = depth + 1, True
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and not opened and depth == 0:
                    break
            else:
                if opened and depth == 0:
                    yield j - k + 1, f"{path}:{k + 1}", m.group(6)
                    break
                continue
            break


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    found = [
        f
        for p in sorted(pathlib.Path("src").rglob("*.rs"))
        if not p.name.endswith("_tests.rs")
        for f in functions(p)
    ]
    for length, where, name in sorted(found, key=lambda f: (-f[0], f[1]))[:count]:
        print(f"{length:5}  {name:28} {where}")


if __name__ == "__main__":
    main()
