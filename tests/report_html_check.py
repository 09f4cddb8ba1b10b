#!/usr/bin/env python3
"""Checks the DOM that headless Chromium rendered from a report.html against
the report.json of the same run (python3 because both need real parsers).

    report_html_check.py DOM.html report.json [--open ID] [--hostile MARKER]

Exit 0 when every check holds; otherwise one line per broken check, exit 1.
"""
import json
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    """Keeps what the checks read: the summary's data-* attributes, the case
    rows, the open detail rows with their text, ids, the title, script text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.summary = None
        self.shown = None
        self.rows = []          # (data-id, data-verdict, data-shown-as)
        self.details = {}       # data-detail -> rendered text
        self.ids = set()
        self.title = ""
        self.lat = []           # attrs of latency boxes
        self.tl_entries = {}    # data-detail -> data-entries of its timeline
        self.scripts = 0
        self.stack = []         # open elements: (tag, detail id or None)
        self.in_title = False
        self.body_rendered = None
        self.causes = []        # (data-cause, data-count) of each cause box
        self.cause_text = {}    # data-cause -> rendered text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "body":
            self.body_rendered = a.get("data-rendered")
        if a.get("id") == "summary":
            self.summary = a
        if a.get("id") == "shown":
            self.shown = a.get("data-shown")
        if tag == "tr" and "case" in a.get("class", "").split():
            self.rows.append((a.get("data-id"), a.get("data-verdict"), a.get("data-shown-as")))
        if tag == "div" and "cause" in a.get("class", "").split():
            self.causes.append((a.get("data-cause"), a.get("data-count")))
            self.cur_cause = a.get("data-cause")
        if tag == "script":
            self.scripts += 1
        if tag == "title":
            self.in_title = True
        detail = a.get("data-detail") or (self.stack[-1][1] if self.stack else None)
        if "lat" in a.get("class", "").split():
            self.lat.append(dict(a, detail=detail))
        if "tl" in a.get("class", "").split() and detail:
            self.tl_entries[detail] = int(a.get("data-entries", "-1"))
        if detail and detail not in self.details:
            self.details[detail] = []
        if tag not in self.VOID:
            self.stack.append((tag, detail))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        while self.stack:  # tolerate unclosed elements
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if getattr(self, "cur_cause", None) is not None and any(t == "div" for t, _ in self.stack):
            self.cause_text.setdefault(self.cur_cause, []).append(data)
        if self.stack and self.stack[-1][1]:
            self.details[self.stack[-1][1]].append(data)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dom_path, json_path, rest = args[0], args[1], args[2:]
    open_id = hostile = None
    while rest:
        if rest[0] == "--open" and len(rest) > 1:
            open_id, rest = rest[1], rest[2:]
        elif rest[0] == "--hostile" and len(rest) > 1:
            hostile, rest = rest[1], rest[2:]
        else:
            print(f"unknown argument {rest[0]}", file=sys.stderr)
            return 2
    with open(json_path, encoding="utf-8") as f:
        rep = json.load(f)
    dom = Dom()
    with open(dom_path, encoding="utf-8", errors="replace") as f:
        dom.feed(f.read())
    bad = []

    def check(ok, what):
        if not ok:
            bad.append(what)

    s = rep["summary"]
    check(dom.body_rendered == "1", "the page's script did not finish (no data-rendered on body)")
    # Causes shared by several failures: one box each, in report.json's order.
    groups = rep.get("groups", [])
    check(len(dom.causes) == len(groups), f"{len(dom.causes)} cause boxes for {len(groups)} groups")
    for i, g in enumerate(groups):
        if i >= len(dom.causes):
            break
        check(dom.causes[i] == (str(i), str(g["count"])), f"cause box {i}: {dom.causes[i]} for count {g['count']}")
        text = "".join(dom.cause_text.get(str(i), []))
        check(g["title"] in text and g["hint"] in text and g["first"] in text,
              f"cause box {i} does not show its title, hint and first case: {text[:200]!r}")
    check(dom.summary is not None, "no #summary element in the rendered DOM")
    if dom.summary is None:
        print("\n".join(bad))
        return 1
    # The page counts the cases itself; those counts must equal the C summary.
    for attr, key in [("total", "total"), ("pass", "pass"), ("fail", "fail"),
                      ("non-strict", "non_strict"), ("informational", "informational"),
                      ("skip", "skip"), ("known-failures", "known_failures"), ("fixed", "fixed")]:
        got = dom.summary.get("data-" + attr)
        check(got == str(s[key]), f"summary {attr}: page shows {got}, report.json says {s[key]}")
    check(dom.summary.get("data-status") == ("fail" if s["fail"] else "pass"),
          f"run status {dom.summary.get('data-status')} with {s['fail']} failure(s)")
    # Every case is a row (no filter is set unless --open), with its verdict.
    want_rows = [(c["id"], c["verdict"]) for c in rep["cases"]]
    got_rows = [(i, v) for i, v, _ in dom.rows]
    check(sorted(got_rows) == sorted(want_rows),
          f"rows: {len(got_rows)} rendered, {len(want_rows)} cases; "
          f"differ: {sorted(set(got_rows) ^ set(want_rows))[:5]}")
    check(dom.shown == str(len(rep["cases"])), f"'showing' says {dom.shown}, {len(rep['cases'])} cases")
    shown_as = {}
    for _, v, k in dom.rows:
        shown_as[k] = shown_as.get(k, 0) + 1
    for k, key in [("pass", "pass"), ("fail", "fail"), ("known", "known_failures"),
                   ("non-strict", "non_strict"), ("informational", "informational"), ("skip", "skip")]:
        check(shown_as.get(k, 0) == s[key], f"rows shown as {k}: {shown_as.get(k, 0)}, summary {s[key]}")
    # Open cases show the rule, expected, observed and the whole kept transcript.
    by_id = {c["id"]: c for c in rep["cases"]}
    opened = set(dom.details)
    if open_id:
        check(open_id in opened, f"{open_id} was asked open (#open=) but has no detail row")
    fails = [c["id"] for c in rep["cases"] if c["verdict"] == "fail" and c.get("baseline") != "known failure"]
    if not open_id and 0 < len(fails) <= 10:
        check(set(fails) <= opened, f"failures not opened at load: {sorted(set(fails) - opened)}")
    for cid in opened:
        c = by_id.get(cid)
        if c is None:
            bad.append(f"detail row for unknown case {cid}")
            continue
        text = "".join(dom.details[cid])
        for field in ("spec", "expected", "observed"):
            check(c[field] in text, f"{cid}: {field} not rendered: {c[field][:80]!r}")
        check(dom.tl_entries.get(cid) == len(c["transcript"]),
              f"{cid}: timeline has {dom.tl_entries.get(cid)} entries, transcript {len(c['transcript'])}")
        for e in c["transcript"]:
            if e["kind"] == "close":
                check(f"close {e['code']}" in text, f"{cid}: close code {e.get('code')} not in the timeline")
        lat = c.get("latency_ms")
        boxes = [b for b in dom.lat if b["detail"] == cid]
        if lat and lat["samples"]:
            check(len(boxes) == 1, f"{cid}: {len(boxes)} latency boxes")
            for b in boxes:
                check(b.get("data-samples") == str(lat["samples"]), f"{cid}: latency samples {b.get('data-samples')}")
                if lat["samples"] >= 20:
                    for k in ("p50", "p99", "max"):
                        check(b.get("data-" + k) == str(lat[k]), f"{cid}: latency {k} {b.get('data-' + k)} != {lat[k]}")
                    check(b.get("data-points") == str(len(c.get("latency_transcript_ms", []))),
                          f"{cid}: {b.get('data-points')} chart points")
    # Hostile text from the target is text, never markup or script.
    check(dom.scripts == 2, f"{dom.scripts} script elements (the page has 2)")
    if hostile:
        check("pwn" not in dom.ids, "an element from the target's bytes became markup (id=pwn)")
        check("pwned" != dom.title.strip(), "a script from the target's bytes ran (title changed)")
        joined = "".join("".join(v) for v in dom.details.values())
        check(hostile in joined, f"the hostile text {hostile!r} is not shown as text")
    if bad:
        print("\n".join(bad))
        return 1
    print(f"ok: {s['total']} cases, {len(opened)} open, counts match report.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
