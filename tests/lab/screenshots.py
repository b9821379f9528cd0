#!/usr/bin/env python3
"""Screenshots of the lab for docs/: every preset at 1280x720 (played to a telling step, with a
segment opened where that helps) and one on a phone-sized screen. Not a test: run it by hand after
`make lab` when the page changes.
Usage: screenshots.py BUILD_DIR OUT_DIR"""
import base64
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_lab  # noqa: E402  (the Browser class and the page's path)

build, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
page = os.path.join(build, "lab", "index.html")
# preset: the query that shows it best (run=1: to the end; at=K: the first K steps; seg=N: frame N open)
SHOTS = {
    "handshake": "run=1&seg=2", "data-on-third": "run=1&seg=4", "close": "at=24",
    "simultaneous-open": "run=1", "simultaneous-close": "at=20", "lost-final-ack": "run=1&seg=13",
    "syn-flood": "run=1&seg=18", "synack-backoff": "run=1", "rto": "run=1&seg=8",
    "fast-retransmit": "run=1&seg=23", "zero-window": "run=1&seg=11", "slow-start": "run=1",
    "keepalive": "run=1", "rst-closed": "run=1&seg=2", "http-keepalive": "run=1",
}


def shot(b, query, path, w, h, mobile=False):
    b.call("Emulation.setDeviceMetricsOverride", {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile},
           session=True)
    b.load("file://" + page + "?" + query)
    # Scroll so the ladder's newest rows and the opened segment are in view.
    b.eval("(document.querySelector('#detail:not([hidden])') || document.querySelector('#cwndbox:not([hidden])') ||"
           " document.getElementById('ladderbox')).scrollIntoView({block: 'end'}); 0")
    png = b.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
    with open(path, "wb") as f:
        f.write(base64.b64decode(png))
    print(path)


with tempfile.TemporaryDirectory() as tmp:
    test_lab.PAGE = page
    b = test_lab.Browser(tmp, "shots")
    try:
        for name, q in SHOTS.items():
            shot(b, "preset=%s&seed=1&%s" % (name, q), os.path.join(out, "lab-%s.png" % name), 1280, 720)
        shot(b, "preset=close&seed=1&at=14", os.path.join(out, "lab-phone.png"), 390, 844, mobile=True)
    finally:
        b.close()
