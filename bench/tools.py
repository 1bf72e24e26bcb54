#!/usr/bin/env python3
"""Helpers of bench/run.sh (Python 3.11 standard library only).

    tools.py time --runs 5 [--prepare CMD] [--ok-codes 0,1] -- CMD...
        Runs CMD (through the shell) RUNS times, PREPARE before each run, and
        prints the median wall time in seconds. Used when hyperfine is missing.
    tools.py pair --runs 5 --out DIR NAME_A PREPARE_A CMD_A NAME_B PREPARE_B CMD_B
        Runs two commands in turn, A B A B ..., each after its own PREPARE
        (which is not timed), and prints `median_A median_B` in seconds. Each
        command's wall, user and system times go to DIR/NAME.json in
        hyperfine's shape, so the table shows their CPU time too. Exit status
        1 is accepted (a portfolio with a broken dossier builds, and says so).
    tools.py hyperfine-median FILE.json
        The median of a hyperfine --export-json result, in seconds.
    tools.py edit FILE
        Bumps the `Revision N.` line of a generated dossier: a visible edit.
    tools.py serve-latency --bin BIN --root GEN --out SITE --as-of DATE --edits 20
        Starts `pilotscope serve --port 0`, edits one dossier EDITS times and
        polls its page over HTTP until the new revision is served. Prints
        `page_median full_median` in seconds (full: the whole rebuild, as the
        server reports it).
    tools.py serve-sustained --bin BIN --root GEN --out SITE --as-of DATE --edits 20 --interval 0.3
        Like serve-latency, but saves the dossier every INTERVAL seconds
        without waiting for a rebuild, as an editor's autosave does, and
        listens to the live-reload messages as a browser does: on each one
        that names the page it loads the page and notes which save it
        shows. Prints `page_median last index`: the median time from a
        save to the message after which the page showed it (or a later
        save), the time from the last save to the end of the last rebuild
        (the aggregate pages written), and how many of the server's live
        reload messages named index.html (0 is right: these edits change
        nothing the index shows).
    tools.py table RESULTS.tsv
        The markdown table of a run, with ratios and targets.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time


def cmd_time(args) -> int:
    ok = {int(c) for c in args.ok_codes.split(",")}
    times = []
    for _ in range(args.runs):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
        start = time.perf_counter()
        done = subprocess.run(" ".join(args.cmd), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if done.returncode not in ok:
            print(f"command failed ({done.returncode}): {' '.join(args.cmd)}", file=sys.stderr)
            return 1
    print(f"{statistics.median(times):.4f}")
    return 0


def cmd_pair(args) -> int:
    import resource

    sides = [(args.name_a, args.prepare_a, args.cmd_a), (args.name_b, args.prepare_b, args.cmd_b)]
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in sides}
    for _ in range(args.runs):
        for name, prepare, cmd in sides:
            if prepare:
                subprocess.run(prepare, shell=True, check=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode not in (0, 1):
                print(f"command failed ({done.returncode}): {cmd}", file=sys.stderr)
                return 1
            runs[name].append((wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    for name, _, cmd in sides:
        r = runs[name]
        result = {
            "command": cmd,
            "times": [w for w, _, _ in r],
            "user": statistics.mean(u for _, u, _ in r),
            "system": statistics.mean(s for _, _, s in r),
        }
        with open(os.path.join(args.out, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump({"results": [result]}, f)
    print(" ".join(f"{statistics.median(w for w, _, _ in runs[name]):.4f}" for name, _, _ in sides))
    return 0


def cmd_hyperfine_median(args) -> int:
    with open(args.file, encoding="utf-8") as f:
        result = json.load(f)["results"][0]
    print(f"{statistics.median(result['times']):.4f}")
    return 0


REVISION = re.compile(r"^Revision (\d+)\.$", re.M)


def bump(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = REVISION.search(text)
    if not m:
        raise SystemExit(f"{path} has no `Revision N.` line (not written by bench/generate.py?)")
    n = int(m.group(1)) + 1
    text = text[: m.start()] + f"Revision {n}." + text[m.end() :]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return n


def cmd_edit(args) -> int:
    bump(args.file)
    return 0


def first_dossier(content: str) -> tuple[str, str]:
    """The first dossier in path order, and its id."""
    for folder, dirs, files in sorted(os.walk(content)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith(("_", ".")) and name != "faq.md":
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, content).replace(os.sep, "/")
                return path, rel[: -len(".md")]
    raise SystemExit(f"no dossier under {content}")


REBUILT_LINE = re.compile(r"rebuilt [\d,]+ pages? in ([\d.]+) ms")
SHOWN_REVISION = re.compile(r"Revision (\d+)\.")


class Server:
    """`pilotscope serve --port 0` on a generated portfolio, for the
    serve-latency and serve-sustained rows: its standard error as
    (time, line) pairs, its address, and GETs of its pages. Stopped when
    the `with` block ends."""

    def __init__(self, args):
        self.timeout = args.timeout
        self.proc = subprocess.Popen(
            [args.bin, "--root", args.root, "--as-of", args.as_of, "serve", "--port", "0", "--output", args.out],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[tuple[float, str]] = []
        self.changed = threading.Condition()
        self.address: str | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self.changed:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))
                m = re.search(r"at http://([^/\s]+)/", line)
                if m and self.address is None:
                    self.address = m.group(1)
                self.changed.notify_all()

    def __enter__(self):
        with self.changed:
            self.changed.wait_for(lambda: self.address is not None, timeout=self.timeout)
        if self.address is None:
            self.__exit__()
            raise SystemExit("the server did not start in time:\n" + "\n".join(l for _, l in self.lines[-20:]))
        host, port = self.address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        return self

    def __exit__(self, *_):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def get(self, url: str) -> str:
        c = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            c.request("GET", url)
            return c.getresponse().read().decode("utf-8", "replace")
        finally:
            c.close()

    def revision(self, url: str) -> int:
        """The `Revision N.` the page shows (-1 without one)."""
        m = SHOWN_REVISION.search(self.get(url))
        return int(m.group(1)) if m else -1

    def seen(self) -> int:
        with self.changed:
            return len(self.lines)

    def wait_rebuilt(self, seen: int) -> float | None:
        """The whole rebuild's time (s) of the first rebuild line after
        line `seen`, waiting for one."""
        with self.changed:
            self.changed.wait_for(lambda: any(REBUILT_LINE.search(l) for _, l in self.lines[seen:]), timeout=self.timeout)
            ms = [float(m.group(1)) for _, l in self.lines[seen:] if (m := REBUILT_LINE.search(l))]
        return ms[-1] / 1000 if ms else None

    def warm_up(self, path: str, url: str) -> bool:
        """The watcher starts after the server prints its address: edit until
        an edit shows, before timing any."""
        for _ in range(20):
            seen = self.seen()
            want = bump(path)
            deadline = time.perf_counter() + 3
            while self.revision(url) < want and time.perf_counter() < deadline:
                time.sleep(0.01)
            if self.revision(url) >= want:
                self.wait_rebuilt(seen)
                return True
        print("edits never reached the page: is the watcher running?", file=sys.stderr)
        return False


def cmd_serve_latency(args) -> int:
    path, ident = first_dossier(os.path.join(args.root, "content"))
    url = f"/pilots/{ident}/index.html"
    with Server(args) as server:
        if not server.warm_up(path, url):
            return 1
        page, full = [], []
        for _ in range(args.edits):
            seen = server.seen()
            start = time.perf_counter()
            n = bump(path)
            while server.revision(url) < n:
                if time.perf_counter() - start > args.timeout:
                    print(f"the edit did not reach the page in {args.timeout} s", file=sys.stderr)
                    return 1
                time.sleep(0.0005)
            page.append(time.perf_counter() - start)
            # Wait for the rest of the rebuild (portfolio pages, report) before the next edit.
            whole = server.wait_rebuilt(seen)
            if whole is not None:
                full.append(whole)
            time.sleep(0.05)
        print(f"{statistics.median(page):.4f} {statistics.median(full) if full else float('nan'):.4f}")
        return 0


def cmd_serve_sustained(args) -> int:
    path, ident = first_dossier(os.path.join(args.root, "content"))
    url = f"/pilots/{ident}/index.html"
    with Server(args) as server:
        # As a browser does: on each message that names the page, load it.
        # The time of the message is when the page was there to be shown.
        page = url.lstrip("/")
        messages: list[tuple[float, dict]] = []
        seen: dict[int, float] = {}

        def listen():
            c = http.client.HTTPConnection(server.host, server.port, timeout=args.timeout)
            c.request("GET", "/__pilotscope/events")
            for raw in c.getresponse():
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                try:
                    m = json.loads(line[5:])
                except ValueError:
                    continue
                at = time.perf_counter()
                messages.append((at, m))
                if page in m.get("changed", []):
                    seen.setdefault(server.revision(url), at)

        threading.Thread(target=listen, daemon=True).start()
        if not server.warm_up(path, url):
            return 1
        time.sleep(2)  # the warm-up edit's portfolio pages
        first_message = len(messages)

        saves: list[tuple[int, float]] = []
        start = time.perf_counter()
        for i in range(args.edits):
            time.sleep(max(0.0, start + i * args.interval - time.perf_counter()))
            saves.append((bump(path), time.perf_counter()))
        last_save = saves[-1][1]
        # Done: a rebuild after the last save that left nothing for a newer
        # change (its line says so when it did), and no line for 3 s after.
        while True:
            time.sleep(0.5)
            after = [t for t, l in list(server.lines) if t > last_save and REBUILT_LINE.search(l) and "left for" not in l]
            if after and time.perf_counter() - after[-1] > 3:
                break
            if time.perf_counter() - last_save > args.timeout:
                print("the rebuilds did not end", file=sys.stderr)
                return 1
        latency = []
        for n, t in saves:
            shown = [seen[k] for k in seen if k >= n]
            if not shown:
                print(f"revision {n} never reached the page", file=sys.stderr)
                return 1
            latency.append(min(shown) - t)
        last = after[-1] - last_save
        index = sum(1 for _, m in messages[first_message:] if "index.html" in m.get("changed", []))
        print(f"{statistics.median(latency):.4f} {last:.4f} {index}")
        if args.verbose:
            print("latencies ms:", " ".join(f"{x * 1000:.0f}" for x in latency), file=sys.stderr)
            print(f"messages: {len(messages) - first_message}, naming index.html: {index}", file=sys.stderr)
            for t, l in list(server.lines):
                if t > last_save - 1:
                    print(f"  {(t - last_save) * 1000:+.0f} ms after the last save: {l}", file=sys.stderr)
        return 0


# ---------------------------------------------------------------- table

COLUMNS = [
    ("cold", "cold build"),
    ("zola", "Zola cold build"),
    ("hugo", "Hugo cold build"),
    ("rss", "cold build peak RSS"),
    ("zola_rss", "Zola peak RSS"),
    ("nochange", "rebuild, nothing changed"),
    ("edit", "rebuild, one dossier edited"),
    ("serve", "serve: edit to page"),
    ("sustained", "serve: saves 300 ms apart"),
    ("check", "check"),
    ("floor", "I/O floor"),
]


def fmt_s(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def cpu_mean(path: str) -> float | None:
    """The mean CPU time (user + system) of a hyperfine result, if any."""
    try:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)["results"][0]
        return (r["user"] + r["system"]) or None
    except (OSError, KeyError, ValueError, TypeError):
        return None


def cmd_table(args) -> int:
    rows: dict[int, dict[str, str]] = {}
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            n, key, value = line.rstrip("\n").split("\t")
            rows.setdefault(int(n), {})[key] = value
    # CPU time beside wall time where hyperfine recorded it: on a shared
    # machine it is the steadier of the two.
    folder = os.path.dirname(os.path.abspath(args.file))
    for n, r in rows.items():
        for key in ("cold", "zola", "hugo", "zola_again", "floor", "check", "nochange"):
            cpu = cpu_mean(os.path.join(folder, f"{key}-{n}.json"))
            if cpu is not None:
                r[key + "_cpu"] = f"{cpu:.4f}"

    def num(r, k):
        v = r.get(k)
        try:
            return float(v) if v not in (None, "", "skipped") else None
        except ValueError:
            return None

    out = []
    head = ["pilots"] + [c[1] for c in COLUMNS] + ["cold ÷ Zola", "cold ÷ Hugo", "cold ÷ floor"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for n in sorted(rows):
        r = rows[n]
        cells = [f"{n:,}"]
        for key, _ in COLUMNS:
            v = num(r, key)
            if key in ("rss", "zola_rss"):
                cells.append(f"{v / 1024:.0f} MiB" if v is not None else "–")
            elif key == "sustained" and v is not None:
                cells.append(f"{fmt_s(v)} (last save to all pages {fmt_s(num(r, 'sustained_last'))}; index announced {r.get('sustained_index', '?')} times)")
            elif key == "nochange" and v is not None and r.get("nochange_written"):
                cells.append(f"{fmt_s(v)} ({r['nochange_written']} written)")
            elif key == "serve" and v is not None and num(r, "serve_full") is not None:
                cells.append(f"{fmt_s(v)} (whole rebuild {fmt_s(num(r, 'serve_full'))})")
            else:
                cells.append(fmt_s(v))
            if num(r, key + "_cpu") is not None:
                cells[-1] += f" (CPU {fmt_s(num(r, key + '_cpu'))})"
        cold, zola, hugo, floor = num(r, "cold"), num(r, "zola"), num(r, "hugo"), num(r, "floor")
        # Hugo ran in turn with Zola, not with pilotscope: the ratio to Hugo
        # goes through Zola's two runs.
        again = num(r, "zola_again")
        cells.append(f"{cold / zola:.2f}" if cold and zola else "–")
        if cold and zola and hugo and again:
            cells.append(f"{cold / zola * again / hugo:.2f}")
        else:
            cells.append(f"{cold / hugo:.2f}" if cold and hugo else "–")
        cells.append(f"{cold / floor:.2f}" if cold and floor else "–")
        out.append("| " + " | ".join(cells) + " |")

    # Targets, at 10,000 pilots (and 50,000 against 10,000).
    r = rows.get(10000)
    if r:
        out.append("")
        out.append("| target (10,000 pilots) | measured | met |")
        out.append("|---|---|---|")

        def target(name, value, ok, shown):
            out.append(f"| {name} | {shown if value is not None else '–'} | {'–' if value is None else ('yes' if ok else 'no')} |")

        cold, zola, floor = num(r, "cold"), num(r, "zola"), num(r, "floor")
        target("cold build ≤ 1.0 × Zola", cold and zola and cold / zola, cold and zola and cold / zola <= 1.0, f"{cold / zola:.2f} × Zola" if cold and zola else "")
        size = num(r, "bytes")
        zb = num(r, "zola_bytes")
        target("site ≤ 35 KB a pilot (file bytes ÷ 10,000)", size, size is not None and size / 10000 <= 35000,
               (f"{size / 10000 / 1000:.1f} KB a pilot" + (f" (Zola {zb / 10000 / 1000:.1f} KB)" if zb else "")) if size else "")
        rss = num(r, "rss")
        target("cold build peak memory ≤ 150 MiB", rss, rss is not None and rss / 1024 <= 150, f"{rss / 1024:.0f} MiB" if rss else "")
        sus = num(r, "sustained")
        target("edit → served page ≤ 50 ms, saves 300 ms apart (median)", sus, sus is not None and sus <= 0.05, fmt_s(sus))
        last = num(r, "sustained_last")
        target("all pages right ≤ 1 s after the last save", last, last is not None and last <= 1, fmt_s(last))
        idx = r.get("sustained_index")
        target("index not announced for edits it does not show", idx, idx == "0", f"announced {idx} times" if idx is not None else "")
        ck = num(r, "check")
        target("check ≤ 0.5 s", ck, ck is not None and ck <= 0.5, fmt_s(ck))
        nc = num(r, "nochange")
        written = r.get("nochange_written", "?")
        target("no-change rebuild < 0.5 s, no page rewritten", nc, nc is not None and nc < 0.5 and written == "0", f"{fmt_s(nc)}, {written} written")
        sv = num(r, "serve")
        target("one edited dossier served < 50 ms (saves 1 s+ apart)", sv, sv is not None and sv < 0.05, fmt_s(sv))
        big = rows.get(50000)
        if big and num(big, "cold") and cold:
            ratio = num(big, "cold") / cold
            target("50,000 cold ≤ 5.5 × 10,000 cold", ratio, ratio <= 5.5, f"{ratio:.2f} ×")
    print("\n".join(out))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="helpers of bench/run.sh")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("time")
    t.add_argument("--runs", type=int, default=5)
    t.add_argument("--prepare")
    t.add_argument("--ok-codes", default="0")
    t.add_argument("cmd", nargs=argparse.REMAINDER)
    t.set_defaults(run=cmd_time)
    pr = sub.add_parser("pair")
    pr.add_argument("--runs", type=int, default=5)
    pr.add_argument("--out", required=True)
    for side in ("a", "b"):
        pr.add_argument(f"name_{side}")
        pr.add_argument(f"prepare_{side}")
        pr.add_argument(f"cmd_{side}")
    pr.set_defaults(run=cmd_pair)
    h = sub.add_parser("hyperfine-median")
    h.add_argument("file")
    h.set_defaults(run=cmd_hyperfine_median)
    e = sub.add_parser("edit")
    e.add_argument("file")
    e.set_defaults(run=cmd_edit)
    s = sub.add_parser("serve-latency")
    s.add_argument("--bin", required=True)
    s.add_argument("--root", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--as-of", required=True)
    s.add_argument("--edits", type=int, default=20)
    s.add_argument("--timeout", type=float, default=600)
    s.set_defaults(run=cmd_serve_latency)
    ss = sub.add_parser("serve-sustained")
    ss.add_argument("--bin", required=True)
    ss.add_argument("--root", required=True)
    ss.add_argument("--out", required=True)
    ss.add_argument("--as-of", required=True)
    ss.add_argument("--edits", type=int, default=20)
    ss.add_argument("--interval", type=float, default=0.3)
    ss.add_argument("--timeout", type=float, default=600)
    ss.add_argument("--verbose", action="store_true")
    ss.set_defaults(run=cmd_serve_sustained)
    tb = sub.add_parser("table")
    tb.add_argument("file")
    tb.set_defaults(run=cmd_table)
    args = ap.parse_args(argv)
    if getattr(args, "cmd", None) and args.cmd[:1] == ["--"]:
        args.cmd = args.cmd[1:]
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
