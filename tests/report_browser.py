#!/usr/bin/env python3
"""Drives the HTML report in headless Chromium over the DevTools protocol
(`--remote-debugging-pipe`, stdlib only): types into the search box and
clicks the filter buttons with real input events, and prints what the page
then shows, as JSON, for tests/report.rs to check.

    report_browser.py CHROMIUM REPORT_HTML PROFILE_DIR
"""

import json
import os
import subprocess
import sys
import time


class Browser:
    """A Chromium whose DevTools connection is a pair of pipes (fds 3 and 4)."""

    def __init__(self, chromium, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def fds():
            # Through spare numbers: a pipe may already sit at 3 or 4.
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            # The pipes are close-on-exec; only their copies at 3 and 4 reach Chromium.
            close_fds=False, preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def call(self, method, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + 30
        while time.time() < deadline:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise RuntimeError(f"{method}: no answer in 30 s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def click(self, selector):
        box = self.evaluate(
            f"(function(){{var e=document.querySelector({json.dumps(selector)});e.scrollIntoView({{block:'center'}});"
            "var r=e.getBoundingClientRect();return [r.left + r.width / 2, r.top + r.height / 2];})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def close(self):
        self.proc.kill()
        self.proc.wait()


def visible(browser, selector):
    """How many elements matching `selector` are shown (not hidden by the filter)."""
    return browser.evaluate(
        f"Array.prototype.filter.call(document.querySelectorAll({json.dumps(selector)}),"
        "function(e){return e.offsetParent !== null;}).length")


def main():
    chromium, report, profile = sys.argv[1:4]
    browser = Browser(chromium, profile)
    try:
        target = browser.call("Target.createTarget", url="file://" + os.path.abspath(report))["targetId"]
        browser.session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
        for _ in range(200):
            if browser.evaluate("document.readyState === 'complete' && !!document.getElementById('matches')"
                                " && document.getElementById('matches').textContent !== ''"):
                break
            time.sleep(0.05)
        # One frame painted before the first click.
        browser.call("Runtime.evaluate", expression="new Promise(function(r){requestAnimationFrame(function(){r(1)})})",
                     awaitPromise=True)
        seen = {"loaded": {"articles": visible(browser, "[data-search]"),
                           "stories": visible(browser, "section.story"),
                           "matches": browser.evaluate("document.getElementById('matches').textContent")}}
        # Type into the search box.
        browser.click("#search")
        seen["focused"] = browser.evaluate("document.activeElement.id")
        browser.call("Input.insertText", text="weaponiz")
        seen["search"] = {"articles": visible(browser, "[data-search]"),
                          "stories": visible(browser, "section.story"),
                          "alone": visible(browser, "#alone li[data-search]")}
        # Clear it, then click the "syndicated" role button.
        browser.click("#search")
        browser.evaluate("document.getElementById('search').select()")
        browser.call("Input.dispatchKeyEvent", type="keyDown", key="Backspace", code="Backspace",
                     windowsVirtualKeyCode=8)
        browser.call("Input.dispatchKeyEvent", type="keyUp", key="Backspace", code="Backspace",
                     windowsVirtualKeyCode=8)
        browser.click('button[data-role="syndicated"]')
        seen["syndicated"] = {"articles": visible(browser, "[data-search]"),
                              "copies": visible(browser, "article.copy"),
                              "stories": visible(browser, "section.story"),
                              "matches": browser.evaluate("document.getElementById('matches').textContent")}
        # From a copy to its source: follow the link, and the page moves there.
        browser.click('button[data-role=""]')
        browser.click('article.copy p.links a')
        seen["followed"] = browser.evaluate("location.hash")
        print(json.dumps(seen))
    finally:
        browser.close()


if __name__ == "__main__":
    main()
