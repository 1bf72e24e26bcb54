#!/usr/bin/env python3
"""Benchmarks history and `diff` on generated git repositories.

    python3 bench/history.py --bin target/release/pilotscope

1. A repository of 1,000 dossiers and 500 commits (bench/generate.py's
   portfolio, committed once, then 499 commits that each edit three
   dossiers: a new revision line, and now and then a stage): a cold build
   with history against one with `history = false`, and a rebuild after
   one new commit that edits one dossier, with and without history.
2. A repository of 10,000 dossiers with two revisions (the second edits 50
   dossiers): `pilotscope diff HEAD~1 HEAD`.

Each figure is the median of --runs runs (default 5), in seconds. Writes
under bench/out/history/ (git-ignored). Python 3.11 standard library and git.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AS_OF = "2026-11-24"


def git(repo: str, *args: str, date: str = "2026-01-01T12:00:00Z") -> None:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_CONFIG_GLOBAL="/dev/null",
    )
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)


def dossiers(repo: str) -> list[str]:
    out = []
    for top, _, files in os.walk(os.path.join(repo, "content")):
        out += [os.path.join(top, f) for f in files if f.endswith(".md")]
    return sorted(out)


def edit(path: str, rng: random.Random, n: int) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = text.rstrip("\n")
    cut = text.rfind("Revision ")
    if cut >= 0:
        text = text[:cut]
    text += f"Revision {n}.\n"
    if rng.random() < 0.3:
        for old, new in (("stage: pilot", "stage: scaling"), ("stage: scaling", "stage: pilot"), ("stage: proposed", "stage: pilot")):
            if old in text:
                text = text.replace(old, new, 1)
                break
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def generate(out: str, count: int, commits: int, per_commit: int, seed: int) -> str:
    repo = os.path.join(out, f"repo-{count}-{commits}")
    if os.path.isdir(repo):
        shutil.rmtree(repo)
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--count", str(count), "--seed", str(seed), repo], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(repo, ".gitignore"), "w") as f:
        f.write("/site/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    rng = random.Random(seed)
    files = dossiers(repo)
    day = 0
    for n in range(1, commits):
        for path in rng.sample(files, per_commit):
            edit(path, rng, n)
        day += 1
        # Two commits a day from 2026-01-01.
        stamp = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(1767268800 + day * 43200))
        git(repo, "commit", "-q", "-a", "-m", f"revision {n}", date=stamp)
    return repo


def timed(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def set_history(repo: str, on: bool) -> None:
    path = os.path.join(repo, "pilotscope.toml")
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("history")]
    if not on:
        lines.append("history = false")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the pilotscope binary to measure")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "out", "history"))
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    os.makedirs(a.out, exist_ok=True)
    build = [exe, "--as-of", AS_OF, "build"]
    rows = []

    repo = generate(a.out, 1000, 500, 3, a.seed)
    rng = random.Random(a.seed + 1)
    files = dossiers(repo)
    for on in (True, False):
        set_history(repo, on)
        git(repo, "commit", "-q", "-a", "--allow-empty", "-m", "configure", date="2027-01-01T12:00:00Z")
        cold = []
        for _ in range(a.runs):
            shutil.rmtree(os.path.join(repo, "site"), ignore_errors=True)
            cold.append(timed(build, repo))
        rows.append((f"cold build, 1,000 dossiers, 500 commits, history {'on' if on else 'off'}", statistics.median(cold)))
        subprocess.run(build, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        again = []
        for n in range(a.runs):
            edit(rng.choice(files), rng, 10_000 + n)
            git(repo, "commit", "-q", "-a", "-m", "one more", date=f"2027-01-{2 + n:02d}T12:00:00Z")
            again.append(timed(build, repo))
        rows.append((f"rebuild after one new commit, history {'on' if on else 'off'}", statistics.median(again)))

    big = generate(a.out, 10_000, 2, 50, a.seed)
    diff = [exe, "--as-of", AS_OF, "diff", "HEAD~1", "HEAD", "--format", "json"]
    rows.append(("diff HEAD~1 HEAD, 10,000 dossiers, 50 changed", statistics.median(timed(diff, big) for _ in range(a.runs))))

    table = "| what | median (s) |\n|---|---|\n" + "".join(f"| {w} | {t:.3f} |\n" for w, t in rows)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(table)
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
