#!/usr/bin/env python3
"""pagecheck.py -- open pages from disk in headless Chromium and check them.

Chromium is driven through its DevTools protocol over a WebSocket (a small
client below, standard library only), so that console messages and failed
loads are seen as they happen. For each page:
  - no console error, no uncaught exception, no failed resource load;
  - every <img> loaded (complete and naturalWidth > 0);
  - every <a href> resolves to an existing file.
  - with --rows PAGE=OUT.json, the rows of PAGE that carry a status
    (tr[data-status]) are written to OUT.json as rendered: their key, status
    and the computed background colour of their first cell.
Usage: pagecheck.py [--screenshot PAGE=OUT.png] [--rows PAGE=OUT.json] [--json PAGE=OUT.json] FILE.html...
--json writes what the browser shows of the page's table rows (per row: its
section, name, and per cell each label: text, link, missing) for a test to
check.
Prints "ok - chromium: <page>: ..." or "not ok - chromium: <page>: <why>" per
page (the e2e format) and exits 1 when any page failed.
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from urllib.parse import unquote, urlparse
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class WebSocket:
    """Just enough of RFC 6455 for a client talking to Chromium."""

    def __init__(self, url, timeout=30):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("websocket: connection closed during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise OSError("websocket: handshake refused: " + head.split(b"\r\n")[0].decode())

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise OSError("websocket: connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)   # a client must mask what it sends
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode == 0x8:
                raise OSError("websocket: closed by chromium")
            message += data
            if b0 & 0x80:
                return message.decode()


class CDP:
    """Commands wait for their answer; events are kept for the caller."""

    def __init__(self, ws):
        self.ws, self.id, self.events = ws, 0, []

    def send(self, method, params=None, session=None):
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.ws.sock.settimeout(max(0.1, end - time.time()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except socket.timeout:
                break
            finally:
                self.ws.sock.settimeout(30)
        return None

    def drain(self, seconds):
        """Reads the events that arrive in the next seconds."""
        self.wait_event("-none-", None, seconds)


def start_chromium(profile, errlog):
    child = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog)
    end = time.time() + 30
    while time.time() < end:
        with open(errlog.name, encoding="utf-8", errors="replace") as f:
            m = re.search(r"DevTools listening on (ws://\S+)", f.read())
        if m:
            return child, m.group(1)
        if child.poll() is not None:
            break
        time.sleep(0.1)
    child.kill()
    with open(errlog.name, encoding="utf-8", errors="replace") as f:
        raise RuntimeError("chromium did not start: " + f.read()[-300:])


def errors_of(events, session):
    out = []
    for e in events:
        if e.get("sessionId") != session:
            continue
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif m == "Runtime.exceptionThrown":
            out.append("exception: " + p["exceptionDetails"].get("text", ""))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            out.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
    return out


PROBE = """JSON.stringify({
  imgs: [...document.images].map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  doctype: document.doctype ? document.doctype.name : null,
  rows: [...document.querySelectorAll('tr')].filter(tr => tr.querySelector('td.name')).map(tr => ({
    section: tr.closest('table').previousElementSibling.textContent,
    name: tr.querySelector('td.name').textContent,
    cells: [...tr.querySelectorAll('td.links')].map(td => [...td.querySelectorAll('a, span')].map(e => ({
      text: e.textContent, href: e.tagName === 'A' ? e.href : null,
      missing: e.classList.contains('missing'), shown: e.offsetWidth > 0}))),
    imgs: [...tr.querySelectorAll('img')].map(i => i.src)}))})"""


ROWS = """JSON.stringify([...document.querySelectorAll('tr[data-status]')].map(tr => ({
  key: tr.dataset.key, status: tr.dataset.status,
  background: getComputedStyle(tr.cells[0]).backgroundColor})))"""


def check_page(cdp, session, page, shot, rows_out=None):
    cdp.events = []
    problems = []
    cdp.send("Page.navigate", {"url": Path(page).as_uri()}, session)
    if cdp.wait_event("Page.loadEventFired", session, 15) is None:
        problems.append("the page did not finish loading in 15 s")
    cdp.drain(0.3)   # late console messages
    r = cdp.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
    info = json.loads(r["result"]["value"])
    if info["doctype"] != "html":
        problems.append("no <!DOCTYPE html>")
    problems += [f"image not loaded: {i['src']}" for i in info["imgs"] if not i["ok"]]
    for href in info["links"]:
        u = urlparse(href)
        if u.scheme != "file":
            problems.append(f"link leaves the tree: {href}")
        elif not os.path.exists(unquote(u.path)):
            problems.append(f"link to a missing file: {unquote(u.path)}")
    problems += errors_of(cdp.events, session)
    if rows_out:
        r = cdp.send("Runtime.evaluate", {"expression": ROWS, "returnByValue": True}, session)
        with open(rows_out, "w", encoding="utf-8") as f:
            f.write(r["result"]["value"])
    if shot:
        data = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(data["data"]))
    return problems, info


def main(argv):
    shots, rows, jsons, pages = {}, {}, {}, []
    i = 0
    while i < len(argv):
        if argv[i] in ("--screenshot", "--rows", "--json"):
            page, out = argv[i + 1].split("=", 1)
            {"--screenshot": shots, "--rows": rows, "--json": jsons}[argv[i]][os.path.basename(page)] = out
            i += 2
        else:
            pages.append(os.path.abspath(argv[i]))
            i += 1
    profile = tempfile.mkdtemp(prefix="pxs-chromium.")
    errlog = tempfile.NamedTemporaryFile(prefix="pxs-chromium.", suffix=".err", delete=False)
    child = None
    failed = 0
    try:
        child, url = start_chromium(profile, errlog)
        cdp = CDP(WebSocket(url))
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            cdp.send(m, {}, session)
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
        for page in pages:
            name = os.path.basename(page)
            try:
                problems, info = check_page(cdp, session, page, shots.get(name), rows.get(name))
                if name in jsons:
                    with open(jsons[name], "w", encoding="utf-8") as f:
                        json.dump(info, f)
            except (OSError, RuntimeError, KeyError, ValueError) as e:
                problems, info = [str(e)], {"imgs": [], "links": []}
            if problems:
                failed += 1
                print(f"not ok - chromium: {name}: " + "; ".join(problems[:5]))
            else:
                print(f"ok - chromium: {name}: no console error, {len(info['imgs'])} images loaded, "
                      f"{len(info['links'])} links resolve")
            sys.stdout.flush()
    except (OSError, RuntimeError) as e:
        print(f"not ok - chromium: {e}")
        failed += 1
    finally:
        if child is not None:
            child.kill()
            child.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
        os.unlink(errlog.name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
