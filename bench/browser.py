#!/usr/bin/env python3
"""Times the portfolio page in headless Chromium: load, sort, filter.

    python3 bench/browser.py bench/out/gen-1000/site bench/out/gen-10000/site

For each built site (a folder with index.html), opens `index.html` from
`file://` through chromedriver (the W3C WebDriver protocol over plain HTTP,
standard library only) and measures, `--runs` times each:

- load: navigation start to the end of the load event
  (`performance.timing`), the page fresh in a new tab each run;
- rows: navigation start to the table working on every row (site.js
  loads `table.js` after the load event and marks
  "pilotscope-table-ready");
- sort: clicking a column's sort button until the rows are in the page and
  laid out (`performance.now()` around the click and a forced layout), for
  the Pilot, Readiness and Budget columns in turn;
- filter: one keystroke in the search box (its value set, an `input`
  event), until the rows are in the page and laid out.

Prints the median and the slowest run of each, in milliseconds, as a
Markdown table. Needs chromium and chromedriver (Debian: chromium,
chromium-driver). Times are of this machine, and noisy when it is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self, chromedriver: str, chromium: str):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [chromedriver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self.call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        self.profile = tempfile.mkdtemp(prefix="pilotscope-bench-")
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--window-size=1366,900",
                            f"--user-data-dir={self.profile}",
                        ],
                    },
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=300) as r:
            return json.load(r)["value"]

    def s(self, method: str, path: str, body: dict | None = None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def goto(self, url: str):
        self.s("POST", "/url", {"url": url})

    def js(self, script: str, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def close(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait()


LOAD = "var t = performance.timing; return t.loadEventEnd - t.navigationStart;"

READY = "var m = performance.getEntriesByName('pilotscope-table-ready'); return m.length ? m[0].startTime : -1;"

SORT = """
var th = document.querySelector('table.pilots thead th[data-key="' + arguments[0] + '"] button');
var t0 = performance.now();
th.click();
document.body.offsetHeight;
return performance.now() - t0;
"""

FILTER = """
var box = document.querySelector('[data-filter="text"]');
box.value = arguments[0];
var t0 = performance.now();
box.dispatchEvent(new Event('input', {bubbles: true}));
document.body.offsetHeight;
return performance.now() - t0;
"""

ROWS = "return [document.querySelectorAll('table.pilots tbody tr').length, document.getElementsByTagName('*').length];"


def measure(d: Driver, site: str, runs: int) -> dict[str, list[float]]:
    url = "file://" + os.path.abspath(os.path.join(site, "index.html"))
    out: dict[str, list[float]] = {"load": [], "rows": [], "sort": [], "filter": []}
    for _ in range(runs):
        d.goto("about:blank")
        d.goto(url)
        # The load event has ended when WebDriver returns; loadEventEnd is set.
        for _ in range(50):
            v = d.js(LOAD)
            if v > 0:
                break
            time.sleep(0.05)
        out["load"].append(float(v))
        for _ in range(600):
            r = d.js(READY)
            if r >= 0:
                break
            time.sleep(0.05)
        out["rows"].append(float(r))
        for key in ("title", "readiness", "budget"):
            out["sort"].append(float(d.js(SORT, key)))
        # Typing "inv", one key at a time, then clearing it.
        for q in ("i", "in", "inv", ""):
            out["filter"].append(float(d.js(FILTER, q)))
    out["elements"] = d.js(ROWS)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sites", nargs="+", help="built site folders")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    a = ap.parse_args()
    d = Driver(a.chromedriver, a.chromium)
    try:
        print("| site | pilots | index.html | table.js | elements | load (median / max) | every row ready | sort (median / max) | filter keystroke (median / max) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for site in a.sites:
            m = measure(d, site, a.runs)
            with open(os.path.join(site, "report.json")) as f:
                pilots = len(json.load(f)["dossiers"])
            size = lambda name: os.path.getsize(os.path.join(site, name)) / 1e6
            cell = lambda xs: f"{statistics.median(xs):.0f} / {max(xs):.0f} ms"
            print(
                f"| {site} | {pilots:,} | {size('index.html'):.2f} MB | {size('table.js'):.2f} MB "
                f"| {m['elements'][1]:,} | {cell(m['load'])} | {cell(m['rows'])} | {cell(m['sort'])} | {cell(m['filter'])} |"
            )
            sys.stdout.flush()
    finally:
        d.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
