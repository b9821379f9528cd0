#!/usr/bin/env python3
"""The TCP lab in headless Chromium (issue 14).

Builds the lab (`cmake --build BUILD --target lab`), opens build/lab/index.html from the file system
in Debian's chromium for every preset with `?preset=NAME&seed=N&run=1` and checks:
  - the page loads and runs without an error (uncaught exceptions and console.error calls are
    collected by the page in #errors; Chromium's own log is searched too);
  - its #transcript is byte for byte what lab_native (the same C layer built for this machine)
    prints for the same preset and seed: the same segments in the same order, the same states;
  - the segments and states each preset is about are there (EXPECT below);
  - the pcap the page exports is the native run's, and tshark reads it with no malformed frame;
  - the learner's changes do what the stack should: a dropped SYN is sent again after the initial
    RTO (1 s);
  - a URL with changes reproduces the same run in a fresh browser.
Exit 77 (skipped) when the WebAssembly toolchain, chromium or tshark is missing (scripts/install-deps.sh
installs them: `make test` never skips it).

Usage: test_lab.py BUILD_DIR
"""
import base64
import concurrent.futures
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

BUILD = os.path.abspath(sys.argv[1])
NATIVE = os.path.join(BUILD, "lab_native")
PAGE = os.path.join(BUILD, "lab", "index.html")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg, flush=True)


def skip(msg):
    print("SKIP " + msg)
    sys.exit(77)


# ---------------- running things ----------------

def native(preset, seed, spec="", json_out=False, pcap=None):
    cmd = [NATIVE] + (["--json"] if json_out else []) + (["--pcap", pcap] if pcap else []) + [preset, str(seed), spec]
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    if r.returncode != 0:
        fail("lab_native %s %s %s: exit %d %s" % (preset, seed, spec, r.returncode, r.stderr.decode()[:200]))
    return r.stdout.decode()


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
    messages separated by NUL on fds 3 and 4), so one browser loads every page."""

    def __init__(self, tmp, tag):
        self.prof = os.path.join(tmp, "prof-" + tag)
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():   # in the child: the pipe's ends on fds 3 and 4, inherited through exec
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.log = open(os.path.join(tmp, "chromium-%s.log" % tag), "wb")
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
             "--user-data-dir=" + self.prof, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, close_fds=False, preexec_fn=fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=False, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method:
                    del self.events[: i + 1]
                    return m
            self.events.append(self._read(deadline))

    def load(self, url):
        """Loads url; returns the errors it raised (uncaught exceptions, console.error) and a
        function that evaluates JavaScript in it."""
        self.events = []
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")
        errors = []
        for m in self.events:
            if m.get("method") == "Runtime.exceptionThrown":
                errors.append(json.dumps(m["params"]["exceptionDetails"])[:300])
            elif m.get("method") == "Runtime.consoleAPICalled" and m["params"]["type"] in ("error", "assert"):
                errors.append(json.dumps(m["params"]["args"])[:300])
        return errors

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=True)
        return r["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.to_chrome, self.from_chrome):
            os.close(fd)
        self.log.close()
        shutil.rmtree(self.prof, ignore_errors=True)


PAGE_STATE = """JSON.stringify({
  ready: document.body.dataset.ready === '1',
  errors: document.getElementById('errors').textContent,
  transcript: document.getElementById('transcript').textContent,
  pcap: document.getElementById('pcapdata').textContent,
  url: location.search,
})"""


def load(browser, query):
    """The page's transcript and exported pcap for `query`, after checking it ran cleanly."""
    errors = browser.load("file://" + PAGE + "?" + query)
    st = json.loads(browser.eval(PAGE_STATE))
    if not st["ready"]:
        fail("%s: the page did not finish loading" % query)
        return None, None
    if st["errors"]:
        fail("%s: errors on the page: %s" % (query, st["errors"][:300]))
    if errors:
        fail("%s: console errors: %s" % (query, " | ".join(errors)))
    return st["transcript"], (base64.b64decode(st["pcap"]) if st["pcap"] else None)


# ---------------- reading a transcript ----------------

def rows(text):
    """Each ladder row as (time, dir, left state, right state, label, marks, note)."""
    out = []
    for line in text.splitlines()[2:]:
        if len(line) < 25:
            continue
        t = float(line[:10])
        left = line[11:24].strip()
        arrow = line[25:27]
        if arrow in ("──", "◀─", "✗─"):
            d = 0 if arrow == "──" else 1
            body = line[25:83]
            label = body.strip("─▶◀✗ ")
            out.append((t, d, left, line[84:97].strip(), label, line[97:].strip(), ""))
        else:
            out.append((t, -1, left, line[85:98].strip(), "", "", line[25:84].strip()))
    return out


def states(rs, side):
    return [r[2 + side] for r in rs if r[2 + side]]


def in_order(have, want):
    """Is `want` a subsequence of `have`?"""
    it = iter(have)
    return all(any(w == h for h in it) for w in want)


def segs(rs, d=None, flags=None, mark=None):
    out = []
    for r in rs:
        if r[1] < 0 or (d is not None and r[1] != d):
            continue
        if flags is not None and r[4].split(" ")[0] != flags:
            continue
        if mark is not None and mark not in r[5]:
            continue
        out.append(r)
    return out


def gaps(ts):
    return [round(b - a, 3) for a, b in zip(ts, ts[1:])]


def seg_whys(preset, seed):
    import json
    return [(s["fl"], s["d"], s["why"]) for s in json.loads(native(preset, seed, json_out=True))["segs"]]


# ---------------- what each preset must show ----------------

def check_handshake(rs, p):
    need(p, [r[4].split(" ")[0] for r in rs[:3]] == ["S", "S.", "."], "SYN, SYN-ACK, ACK first")
    need(p, in_order(states(rs, 0), ["SYN-SENT", "ESTABLISHED"]), "A: SYN-SENT, ESTABLISHED")
    need(p, in_order(states(rs, 1), ["SYN-RECEIVED", "ESTABLISHED"]), "B: SYN-RECEIVED, ESTABLISHED")


def check_data_on_third(rs, p):
    check_handshake(rs, p)
    need(p, "LOST" in rs[2][5] and rs[2][4].startswith(". seq 1 ack 1"), "the handshake's ACK is lost")
    need(p, rs[3][4].startswith("P. seq 1:301 ack 1") and rs[3][3] == "ESTABLISHED",
         "the data segment completes the handshake at B")


def check_close(rs, p, lost_ack=False):
    need(p, in_order(states(rs, 0), ["ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]),
         "A: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSED (%s)" % states(rs, 0))
    need(p, in_order(states(rs, 1), ["ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"]),
         "B: CLOSE-WAIT, LAST-ACK, CLOSED (%s)" % states(rs, 1))
    fins = [r for r in rs if r[1] >= 0 and "F" in r[4].split(" ")[0]]
    tw = [r for r in rs if r[2] == "TIME-WAIT"]
    end = [r for r in rs if "TIME-WAIT -> CLOSED (2MSL timeout)" in r[6]]
    need(p, tw and end, "TIME-WAIT and its end")
    if tw and end:
        last_fin = max(r[0] for r in fins if r[1] == 1)
        need(p, abs(end[0][0] - last_fin - 60.0) < 0.05, "TIME-WAIT lasts 2*MSL = 60 s after B's last FIN")
    if lost_ack:
        need(p, len(segs(rs, 0, ".", "LOST")) == 1, "A's final ACK lost")
        need(p, len(segs(rs, 1, "F.", "retransmission")) == 1, "B retransmits its FIN from LAST-ACK")


def check_simultaneous_open(rs, p):
    need(p, len(segs(rs, 0, "S")) == 1 and len(segs(rs, 1, "S")) == 1, "two SYNs cross")
    need(p, len(segs(rs, 0, "S.")) == 1 and len(segs(rs, 1, "S.")) == 1, "each side answers with a SYN-ACK")
    for side in (0, 1):
        need(p, in_order(states(rs, side), ["SYN-SENT", "SYN-RECEIVED", "ESTABLISHED"]) or
             (side == 1 and in_order(states(rs, 1), ["SYN-RECEIVED", "ESTABLISHED"])),
             "side %d: SYN-SENT, SYN-RECEIVED, ESTABLISHED (%s)" % (side, states(rs, side)))


def check_simultaneous_close(rs, p):
    for side in (0, 1):
        need(p, in_order(states(rs, side), ["CLOSING", "TIME-WAIT", "CLOSED"]) or
             in_order(states(rs, side), ["CLOSING", "CLOSED"]),
             "side %d passes CLOSING (%s)" % (side, states(rs, side)))
    need(p, len([r for r in rs if "TIME-WAIT -> CLOSED" in r[6]]) == 2, "both sides leave TIME-WAIT")


def check_syn_flood(rs, p):
    need(p, len(segs(rs, 0, "S")) == 9, "8 spoofed SYNs and A's own")
    need(p, len(segs(rs, 1, "S.")) >= 9, "B answers every SYN")
    need(p, "ESTABLISHED" in states(rs, 0) and "ESTABLISHED" in states(rs, 1), "A's connection opens")
    whys = seg_whys(p, SEEDS[p])
    need(p, any(w[0] == "S." and "SYN cookie" in w[2] for w in whys), "a SYN-ACK carries a SYN cookie")


def check_synack_backoff(rs, p):
    sa = segs(rs, 1, "S.")
    need(p, len(sa) == 5 and all("LOST" in r[5] for r in sa[:4]) and "LOST" not in sa[4][5],
         "four SYN-ACKs lost, the fifth delivered")
    need(p, gaps([r[0] for r in sa]) == [1.0, 2.0, 4.0, 8.0], "SYN-ACK backoff 1, 2, 4, 8 s (%s)" % gaps([r[0] for r in sa]))
    need(p, "ESTABLISHED" in states(rs, 0) and "ESTABLISHED" in states(rs, 1), "the connection opens")


def check_rto(rs, p):
    data = [r for r in segs(rs, 0) if "len " in r[4]]
    need(p, len(data) == 5 and all("LOST" in r[5] for r in data[:4]), "four losses, then delivered")
    g = gaps([r[0] for r in data])
    need(p, len(g) == 4 and g[2] == 2 * g[1] and g[3] == 2 * g[2], "the RTO doubles (%s)" % g)


def check_fast_retransmit(rs, p):
    need(p, segs(rs, 1, ".", "dup ack #3"), "three duplicate ACKs")
    lost = segs(rs, 0, ".", "LOST")
    re_ = segs(rs, 0, None, "retransmission")
    need(p, len(lost) == 1 and len(re_) == 1 and re_[0][0] - lost[0][0] < 0.1, "the hole resent before any timeout")
    need(p, "sack" in " ".join(r[5] for r in segs(rs, 1)), "the duplicate ACKs carry SACK blocks")
    need(p, any("fast retransmit" in w[2] for w in seg_whys(p, SEEDS[p])), "the reason says fast retransmit")


def check_zero_window(rs, p):
    need(p, segs(rs, 1, ".", "zero window"), "B announces a zero window")
    need(p, any("window probe" in w[2] for w in seg_whys(p, SEEDS[p])), "A sends window probes")
    need(p, segs(rs, 1, ".", "window update"), "B's window update when it reads again")
    need(p, any("len 680" in r[4] for r in segs(rs, 0)), "the transfer finishes")


def check_slow_start(rs, p):
    import json
    run = json.loads(native(p, SEEDS[p], json_out=True))
    cw = [c[2] for c in run["cwnd"] if c[1] == 0]
    need(p, cw and max(cw) >= 5 * cw[0], "cwnd grows from %s to at least 5 times that (%s)" % (cw[:1], max(cw or [0])))
    need(p, cw and cw.index(max(cw)) < len(cw) - 1 and min(cw[cw.index(max(cw)):]) < max(cw) * 0.8,
         "cwnd is cut after the loss")
    need(p, segs(rs, 0, None, "LOST") and segs(rs, 0, None, "retransmission"), "queue overflow and recovery")


def check_keepalive(rs, p):
    need(p, len(segs(rs, 0, ".", "keep-alive")) >= 5, "keep-alive probes")
    need(p, len(segs(rs, 1, ".", "LOST")) == 3, "three unanswered")
    need(p, segs(rs, 0, "R.") and any("keep-alive timeout" in r[6] for r in rs), "A resets and closes")


def check_rst_closed(rs, p):
    need(p, [r[4].split(" ")[0] for r in rs] == ["S", "R."], "SYN answered by RST")
    need(p, states(rs, 0) == ["SYN-SENT", "CLOSED"], "A: SYN-SENT then CLOSED")


def check_http_keepalive(rs, p):
    need(p, len(segs(rs, 0, "S")) == 3, "three connections: two HTTP/1.0, one HTTP/1.1")
    need(p, len([r for r in segs(rs, 0) if "len 31" in r[4]]) == 4, "four requests")


EXPECT = {
    "handshake": check_handshake, "data-on-third": check_data_on_third, "close": check_close,
    "simultaneous-open": check_simultaneous_open, "simultaneous-close": check_simultaneous_close,
    "lost-final-ack": lambda rs, p: check_close(rs, p, lost_ack=True), "syn-flood": check_syn_flood,
    "synack-backoff": check_synack_backoff, "rto": check_rto, "fast-retransmit": check_fast_retransmit,
    "zero-window": check_zero_window, "slow-start": check_slow_start, "keepalive": check_keepalive,
    "rst-closed": check_rst_closed, "http-keepalive": check_http_keepalive,
}
# Different seeds for different presets: the checks must hold whatever the ISNs and ports.
SEEDS = {name: i + 1 for i, name in enumerate(sorted(EXPECT))}


def need(preset, cond, what):
    if not cond:
        fail("%s: %s" % (preset, what))


def check_pcap(tag, data, want, tmp):
    if data is None:
        fail("%s: the page exported no pcap" % tag)
        return
    if data != want:
        fail("%s: the page's pcap differs from the native run's (%d vs %d bytes)" % (tag, len(data), len(want)))
    path = os.path.join(tmp, tag + ".pcap")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.malformed",
                        "-e", "_ws.expert.message"], capture_output=True, timeout=60)
    out = r.stdout.decode()
    if r.returncode != 0 or not out.strip():
        fail("%s: tshark could not read the pcap: %s" % (tag, r.stderr.decode()[:200]))
    bad = [l for l in out.splitlines() if "alformed" in l]
    if bad:
        fail("%s: tshark found malformed frames: %s" % (tag, bad[:3]))


def one_preset(browser, name, tmp):
    seed = SEEDS[name]
    text, pcap = load(browser, "preset=%s&seed=%d&run=1&pcap=1" % (name, seed))
    if text is None:
        return
    want = native(name, seed)
    if text != want:
        fail("%s: the page's transcript differs from lab_native's" % name)
        return
    EXPECT[name](rows(text), name)
    pfile = os.path.join(tmp, name + ".native.pcap")
    native(name, seed, pcap=pfile)
    with open(pfile, "rb") as f:
        TSHARK.append(TSHARK_POOL.submit(check_pcap, name, pcap, f.read(), tmp))   # tshark is slow to start
    print("ok %s (seed %d): %d rows, the same as the native run" % (name, seed, len(rows(text))), flush=True)


def interventions(browser, tmp):
    # A dropped SYN is sent again after the initial RTO (1 s), and the run goes on from there.
    text, _ = load(browser, "preset=handshake&seed=5&x=f1:drop&run=1")
    if text is not None:
        rs = rows(text)
        syns = segs(rs, 0, "S")
        need("dropped SYN", len(syns) == 2 and "LOST" in syns[0][5] and "retransmission" in syns[1][5],
             "the SYN lost, then retransmitted")
        need("dropped SYN", len(syns) == 2 and abs(syns[1][0] - syns[0][0] - 1.0) < 1e-6, "after the initial RTO of 1 s")
        need("dropped SYN", "ESTABLISHED" in states(rs, 0), "the connection still opens")
        need("dropped SYN", text == native("handshake", 5, "f1:drop"), "the same as the native run")
        print("ok a dropped SYN is retransmitted after 1 s", flush=True)
    # The page keeps the changes in its URL: a learner's click becomes part of the link.
    browser.eval("document.querySelector('#ladder .seg').dispatchEvent(new MouseEvent('click')); "
                 "document.getElementById('fdrop').click(); 0")
    url = browser.eval("location.search")
    need("URL", url is not None and "x=f1:drop" in url, "dropping a segment puts it in the URL (%s)" % url)
    # The controls, from the keyboard and the host's buttons: step, back, end, a host's send.
    browser.load("file://" + PAGE + "?preset=close&seed=3")

    def key(k, code):
        for t in ("keyDown", "keyUp"):
            browser.call("Input.dispatchKeyEvent", {"type": t, "key": k, "code": code, "windowsVirtualKeyCode":
                                                    {"ArrowRight": 39, "ArrowLeft": 37, "End": 35, "Home": 36}[k]},
                         session=True)
    pos = lambda: browser.eval("document.getElementById('pos').textContent.trim()")
    key("ArrowRight", "ArrowRight")
    key("ArrowRight", "ArrowRight")
    need("keys", pos().startswith("step 2 of"), "→ twice shows step 2 (%s)" % pos())
    key("ArrowLeft", "ArrowLeft")
    need("keys", pos().startswith("step 1 of"), "← goes back a step (%s)" % pos())
    key("End", "End")
    total = pos().split(" of ")[-1]
    need("keys", pos() == "step %s of %s" % (total, total), "End goes to the end (%s)" % pos())
    key("Home", "Home")
    need("keys", pos().startswith("step 0 of"), "Home goes to the start (%s)" % pos())
    for _ in range(6):
        key("ArrowRight", "ArrowRight")
    browser.eval("document.getElementById('n1').value = '5000'; "
                 "document.querySelector('button[data-h=\"1\"][data-op=\"send\"]').click(); 0")
    url = browser.eval("location.search")
    t = browser.eval("document.getElementById('transcript').textContent")
    need("host action", url and ":B:send:5000" in url, "B's send goes into the URL (%s)" % url)
    st = json.loads(browser.eval(PAGE_STATE))
    need("host action", not st["errors"], "no error after the controls (%s)" % st["errors"][:200])
    spec = url.split("x=")[1].split("&")[0] if url and "x=" in url else ""
    browser.eval("document.getElementById('toend').click(); 0")
    full = browser.eval("document.getElementById('transcript').textContent")
    need("host action", full == native("close", 3, spec), "the run with B's send is the native run of the same changes")
    need("host action", sum(int(r[4].split(" len ")[1]) for r in segs(rows(full), 1) if " len " in r[4]) == 5000,
         "B sends its 5000 bytes")
    print("ok keys and a host's button", flush=True)
    # A shared URL, with every kind of change, reproduces the run in another browser.
    spec = "f4:delay:300,f6:dup,f9:corrupt,a1150000:B:send:3000,a1400000:A:shutdown"
    q = "preset=close&seed=9&x=" + spec + "&run=1"
    a, _ = load(browser, q)
    other = Browser(tmp, "share")
    try:
        b, _ = load(other, q)
    finally:
        other.close()
    if a is not None and b is not None:
        need("shared URL", a == b, "two browsers show the same run")
        need("shared URL", a == native("close", 9, spec), "the same as the native run of the same changes")
        need("shared URL", a != native("close", 9), "the changes changed the run")
        print("ok a shared URL reproduces the run", flush=True)


TSHARK_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2)
TSHARK = []


def main():
    r = subprocess.run(["cmake", "--build", BUILD, "--target", "lab"], capture_output=True, timeout=600)
    if r.returncode != 0:
        out = (r.stdout + r.stderr).decode()
        if "install-deps.sh lab" in out:
            skip("no WebAssembly toolchain (scripts/install-deps.sh lab)")
        print(out[-2000:])
        sys.exit(1)
    for tool in ("chromium", "tshark"):
        if not shutil.which(tool):
            skip(tool + " is not installed (scripts/install-deps.sh)")
    size = sum(os.path.getsize(os.path.join(BUILD, "lab", f))
               for f in ("index.html", "lab.js", "lab.css", "presets.js", "labwasm.js"))
    need("size", size < 1000000, "page and WebAssembly under 1 MB (%d bytes)" % size)
    print("page + wasm: %d bytes" % size, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        browser = Browser(tmp, "main")
        try:
            for name in EXPECT:
                one_preset(browser, name, tmp)
            interventions(browser, tmp)
        finally:
            browser.close()
        for job in TSHARK:
            job.result()
    if failures:
        print("lab: %d failures" % len(failures))
        sys.exit(1)
    print("lab: every preset runs in Chromium as natively; changes and shared links reproduce")


if __name__ == "__main__":
    main()
