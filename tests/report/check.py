#!/usr/bin/env python3
"""Loads a report.html in headless Chromium and checks it as a reader's browser sees it.

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe:
no port, no websocket, Python's standard library only). Checks that the page
loads with no console error, no uncaught exception and no network request other
than the file itself; that the map has one shape per zone and the ranking one
row per zone; the document's direction; that clicking a zone fills the
information panel; and that the page prints to PDF. Writes a full-page PNG
screenshot.

Usage: check.py --chromium PATH --html FILE --zones N --dir ltr|rtl --screenshot OUT.png
Prints one JSON object (the measurements); exits 1 with the failures on stderr.
"""

import argparse
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands) and 4 (replies)."""

    def __init__(self, chromium, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        # The child sees its read end of our command pipe as fd 3 and the
        # write end of the reply pipe as fd 4 (moved out of the way first, in
        # case either already is 3 or 4).
        def child_fds():
            hi_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            hi_w = fcntl.fcntl(rep_w, fcntl.F_DUPFD, 10)
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                "--user-data-dir=" + profile,
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=child_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(cmd_r)
        os.close(rep_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no reply from Chromium")
            chunk = os.read(self.rep_r, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e["method"] == name:
                return e
        while True:
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append(m)
                if m["method"] == name:
                    return m

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--html", required=True)
    ap.add_argument("--zones", type=int, required=True)
    ap.add_argument("--dir", choices=["ltr", "rtl"], required=True)
    ap.add_argument("--screenshot", required=True)
    a = ap.parse_args()

    url = "file://" + os.path.abspath(a.html)
    profile = tempfile.mkdtemp(prefix="report-check-")
    b = Browser(a.chromium, profile)
    failures = []
    out = {}
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            b.send(domain + ".enable", session=s)
        b.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=s,
        )
        b.events.clear()
        t0 = time.monotonic()
        b.send("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        out["load_ms"] = round((time.monotonic() - t0) * 1000)

        def js(expr):
            r = b.send(
                "Runtime.evaluate",
                {"expression": expr, "returnByValue": True, "awaitPromise": True},
                session=s,
            )
            if "exceptionDetails" in r:
                raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        out["dir"] = js("document.dir")
        out["lang"] = js("document.documentElement.lang")
        out["map_zones"] = js("document.querySelectorAll('svg.map path.zone').length")
        out["table_rows"] = js("document.querySelectorAll('tr[data-zone-row]').length")
        out["charts"] = js("document.querySelectorAll('svg.chart').length")
        # Click the first zone: the panel shows its name as a heading.
        out["panel"] = js(
            "(function(){var p=document.querySelector('svg.map path.zone');"
            "if(!p)return '';p.dispatchEvent(new MouseEvent('click',{bubbles:true}));"
            "var h=document.querySelector('#info h4');return h?h.textContent:'';})()"
        )
        out["resources"] = js(
            "performance.getEntriesByType('resource').map(function(e){return e.name})"
        )
        pdf = b.send("Page.printToPDF", {"printBackground": True}, session=s, timeout=120)
        out["pdf_bytes"] = len(base64.b64decode(pdf["data"]))
        h = js("Math.ceil(document.documentElement.scrollHeight)")
        shot = b.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1280, "height": min(h, 16000), "scale": 1},
            },
            session=s,
            timeout=120,
        )
        os.makedirs(os.path.dirname(os.path.abspath(a.screenshot)), exist_ok=True)
        with open(a.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        out["screenshot"] = a.screenshot
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)

    requests = [
        e["params"]["request"]["url"]
        for e in b.events
        if e["method"] == "Network.requestWillBeSent"
    ]
    out["requests"] = requests
    others = [r for r in requests if r != url]
    if others or out["resources"]:
        failures.append(f"network requests besides the file: {others + out['resources']}")
    errors = []
    for e in b.events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(json.dumps(p.get("args"))[:300])
        elif e["method"] == "Runtime.exceptionThrown":
            errors.append(json.dumps(p.get("exceptionDetails"))[:300])
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append(p["entry"].get("text", "")[:300])
    out["console_errors"] = errors
    if errors:
        failures.append(f"console errors: {errors}")
    if out["dir"] != a.dir:
        failures.append(f"document.dir is {out['dir']!r}, expected {a.dir!r}")
    if out["map_zones"] != a.zones:
        failures.append(f"{out['map_zones']} zone shapes on the map, expected {a.zones}")
    if out["table_rows"] != a.zones:
        failures.append(f"{out['table_rows']} rows in the ranking, expected {a.zones}")
    if a.zones and not out["panel"].strip():
        failures.append("clicking a zone left the information panel empty")
    if out["pdf_bytes"] < 1000:
        failures.append("printing to PDF gave almost nothing")
    print(json.dumps(out, ensure_ascii=False))
    if failures:
        for f in failures:
            print("FAIL: " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
