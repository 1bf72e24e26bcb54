#!/usr/bin/env python3
"""Save-to-page latency of the editor in `pilotscope serve` (Python 3.11
standard library only).

    python3 bench/generate.py --count 10000 /tmp/gen
    cargo build --release
    python3 bench/editor.py --bin target/release/pilotscope --root /tmp/gen \
        --out /tmp/gen-site --as-of 2026-11-26 --saves 20

Starts `pilotscope serve --port 0` on the generated portfolio and does what
a person answering in the browser does, over HTTP: it reads the first
pilot's questions (`/__pilotscope/edit/form`, with the secret the served
page carries), listens to the live-reload messages as the page's script
does, and saves one answer (`/__pilotscope/edit/save`), alternately
answering and clearing `framing.production_owner`, a blocker, so that
every save changes the verdict. Each save is timed from the moment the
request is sent until the page has been loaded again after the message
that names it, which is when the browser shows the new diagnosis. Prints
the median of SAVES saves in seconds, then the median of the server's
answers to the POST alone. Saves are 300 ms apart, after the whole
rebuild of the one before.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tools import Server, first_dossier  # noqa: E402


def events(server: Server, page: str, heard: list[float], cond: threading.Condition):
    """Notes the time of every live-reload message that names `page`."""
    c = http.client.HTTPConnection(server.host, server.port, timeout=600)
    c.request("GET", "/__pilotscope/events")
    r = c.getresponse()
    for raw in r:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        try:
            m = json.loads(line[5:])
        except ValueError:
            continue
        if page in m.get("changed", []):
            with cond:
                heard.append(time.perf_counter())
                cond.notify_all()


def request(server: Server, method: str, url: str, secret: str, body: dict | None = None):
    c = http.client.HTTPConnection(server.host, server.port, timeout=30)
    headers = {"X-Pilotscope-Secret": secret}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
        headers["Origin"] = f"http://{server.host}:{server.port}"
    try:
        c.request(method, url, body=data, headers=headers)
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        c.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--saves", type=int, default=20)
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()

    _, ident = first_dossier(os.path.join(args.root, "content"))
    page = f"pilots/{ident}/index.html"
    with Server(args) as server:
        html = server.get("/" + page)
        m = re.search(r'data-secret="([0-9a-f]+)"', html)
        if not m:
            print("the served page carries no editor: is editing on?", file=sys.stderr)
            return 1
        secret = m.group(1)
        status, form = request(server, "GET", f"/__pilotscope/edit/form?id={ident}", secret)
        if status != 200:
            print(f"the form was refused: {form}", file=sys.stderr)
            return 1
        digest = form["digest"]
        owner = next(f["value"] for f in form["fields"] if f["path"] == "framing.production_owner")

        heard: list[float] = []
        cond = threading.Condition()
        threading.Thread(target=events, args=(server, page, heard, cond), daemon=True).start()
        time.sleep(0.5)

        shown, answered = [], []
        for i in range(args.saves + 1):
            value = "" if (i % 2 == 0) == bool(owner) else "Dana Ruiz, operations director"
            seen = server.seen()
            with cond:
                before = len(heard)
            start = time.perf_counter()
            status, saved = request(
                server,
                "POST",
                "/__pilotscope/edit/save",
                secret,
                {"id": ident, "digest": digest, "op": "set", "path": "framing.production_owner", "value": value},
            )
            answered_at = time.perf_counter()
            if status != 200:
                print(f"the save was refused ({status}): {saved}", file=sys.stderr)
                return 1
            digest = saved["digest"]
            with cond:
                if not cond.wait_for(lambda: len(heard) > before, timeout=args.timeout):
                    print("the page was never announced", file=sys.stderr)
                    return 1
            server.get("/" + page)  # the browser's reload
            done = time.perf_counter()
            if i > 0:  # the first save warms the watcher up
                shown.append(done - start)
                answered.append(answered_at - start)
            server.wait_rebuilt(seen)
            time.sleep(0.3)
        print(f"{statistics.median(shown):.4f} {statistics.median(answered):.4f}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
