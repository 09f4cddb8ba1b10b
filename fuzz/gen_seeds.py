#!/usr/bin/env python3
"""Writes the seed corpora corpus/<target>/ (docs/fuzzing.md).

The seeds are committed; rerun this after changing a target's input format
or to add seeds: `python3 fuzz/gen_seeds.py` (from the repository root). It
rewrites only the files whose names start with "seed-", so inputs added by
hand or by `make fuzz-overnight` merges stay. Each name says what the seed is.
"""
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
U = "0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20"
TS = "2026-01-05T15:34:02.123456+0000"


def EVB(x=""):
    return '{"type":"event","id":"%s","sent_at":"%s"%s}' % (U, TS, x)


def EVS(x=""):
    return '{"type":"event","id":"%s","sent_at":"%s","status":"ok","payload":{}%s}' % (U, TS, x)


def ACK(x=""):
    return '{"type":"ack","id":"%s","sent_at":"%s"%s}' % (U, TS, x)


def WITH_TS(t):
    return '{"type":"event","id":"%s","sent_at":"%s"}' % (U, t)


def WITH_ID(i):
    return '{"type":"event","id":%s,"sent_at":"%s"}' % (i, TS)


def b(s):
    return s.encode("latin-1") if isinstance(s, str) else s


# The validator torture table of tests/test_validate.c, input by input.
TORTURE = [
    "", '{"type":"event","id":"', "hello", EVS() + "x", EVS() + "{}", EVS(',"x":NaN'),
    EVS(',"x":-Infinity'), "/* hi */" + EVS(), "{'type':'event'}", EVS(",}"),
    '{"type":"event" "id":"%s"}' % U, "[" + EVS() + "]", '"event"', "42", "null", "true",
    EVS(',"x":01'), EVS(',"x":-01.5'), EVS(',"x":1.'), EVS(',"x":"a\tb"'), EVS(',"x":"a\nb"'),
    EVS(',"x":"\x01"'), "\xef\xbb\xbf" + EVS(), EVS(',"x":"\xff\xfe"'), EVS(',"x":"\xc0\x80"'),
    EVS(',"x":"\xed\xb2\x80"'), EVS(',"\xf5\x80\x80\x80":1'), EVS() + "\0", EVS() + " garbage",
    EVS(',"x":"\\x41"'), EVS(',"x":1.e5'), "\v" + EVS(), EVS() + "\f", "\0" + EVS(),
    '{"type"\x1f:"event"}', EVS(',"x":0x10'), WITH_ID('"%s\\u0000junk"' % U),
    EVB(), EVS(), ACK(), " \r\n\t" + EVS() + " \n",
    '{ "type" : "event" , "id" :"%s",\n"sent_at"\t:"%s", "status":"ok", "payload" : { } }' % (U, TS),
    '{"\\u0074ype":"\\u0065vent","id":"\\u0030b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20","sent_at":"%s","status":"\\u006fk","payload":{}}' % TS,
    EVS(',"extra":[1,{"deep":null}],"payload2":"\\u00e9\\ud83d\\ude00"'),
    EVS(',"x":"caf\xc3\xa9 \xf0\x9f\x98\x80"'), EVS(',"x":1e999,"y":123456789012345678901234567890'),
    EVS(',"x":"\\u0001\\/\\b\\f\\n\\r\\t"'), ACK(',"status":"whatever","payload":7'),
    WITH_ID('"0B8F3E52-6A1D-4C7E-9F2A-3D5E7C9B1A20"'), WITH_ID('"0b8f3E52-6a1D-4c7e-9F2a-3d5e7c9b1a20"'),
    WITH_TS("2026-01-05T15:34:02.123456+00:00"), WITH_TS("2026-01-05T15:34:02.1Z"),
    WITH_TS("2026-01-05T15:34:02.123456789-1130"), WITH_TS("2026-01-05T15:34:02+00:00"),
    WITH_TS("2026-01-05T15:34:02.123456"), WITH_TS("2026-01-05T15:34:02,5Z"), WITH_TS("20260105T153402Z"),
    '{"type":"event","id":"%s","id":"nope","sent_at":"%s","status":"ok","payload":{}}' % (U, TS),
    EVS(',"x":"\\ud800"'), "{}", '{"id":"%s","sent_at":"%s"}' % (U, TS),
    '{"type":1,"id":"%s","sent_at":"%s"}' % (U, TS), '{"type":null,"id":"%s"}' % U,
    '{"type":{"x":"event"}}', '{"type":["event"]}', '{"type":"hello","id":"%s","sent_at":"%s"}' % (U, TS),
    '{"type":"Event","id":"%s","sent_at":"%s"}' % (U, TS), '{"type":"ack ","id":"%s","sent_at":"%s"}' % (U, TS),
    '{"type":"","id":"%s"}' % U, '{"type":"event","sent_at":"%s"}' % TS, '{"type":"event","id":"%s"}' % U,
    '{"type":"ack","sent_at":"%s"}' % TS, '{"type":"ack","id":"%s"}' % U, '{"type":"event"}',
    EVB(',"status":"ok"'), '{"type":"event","sent_at":5}', WITH_ID("42"), WITH_ID("null"),
    WITH_ID('["%s"]' % U), '{"type":"event","id":"%s","sent_at":1767627242}' % U,
    '{"type":"ack","id":true,"sent_at":"%s"}' % TS, EVB(',"status":1,"payload":{}'),
    EVB(',"status":"ok","payload":"{}"'), EVB(',"status":"ok","payload":null'), EVS(',"reason":5'),
    '{"type":"event","id":1,"sent_at":"never"}', WITH_ID('"abc"'), WITH_ID('"{%s}"' % U),
    WITH_ID('"urn:uuid:%s"' % U), WITH_ID('"0b8f3e526a1d4c7e9f2a3d5e7c9b1a20"'), WITH_ID('" %s"' % U),
    WITH_ID('""'), WITH_TS("not a date"), WITH_TS("2026-13-45T25:61:61.0+0000"),
    WITH_TS("2026-02-29T10:00:00.0+0000"), WITH_TS("2026-01-05"), WITH_TS("2026-01-05t15:34:02.123456z"),
    WITH_TS(""), '{"type":"ack","id":"not-a-uuid","sent_at":"%s"}' % TS, EVB(',"status":"maybe","payload":{}'),
    EVB(',"status":"FATAL","payload":{}'), EVS(',"reason":null'), EVS(',"reason":"because"'),
    EVB(',"status":"error","payload":{"k":1}'), EVB(',"status":"fatal","payload":{}'),
]

HANDSHAKE = '{"type":"event","id":"%s","sent_at":"%s","status":"ok","payload":{"ack_timeout":%s}}'


def message_seeds():
    seeds = {}
    for i, t in enumerate(TORTURE):
        seeds["torture-%03d" % i] = b"\x00" + b(t)
    seeds["binary-event"] = b"\x01" + b(EVS())
    seeds["binary-empty"] = b"\x01"
    for v in ["1", "0.25", "0.0001", "2.5e1", "1e999", "0", "-1", '"1"', "null", "2.011"]:
        seeds["handshake-policy-" + re.sub(r"[^0-9a-z.e-]", "_", v)] = b"\x00" + b(HANDSHAKE % (U, TS, v))
    seeds["handshake-no-payload"] = b"\x00" + b(EVB())
    seeds["lone-surrogate-key"] = b"\x00" + b(EVS(',"\\udc00":1'))
    seeds["escaped-keys"] = b"\x00" + b('{"t\\u0079pe":"ack","i\\u0064":"%s","sent_\\u0061t":"%s"}' % (U, TS))
    seeds["nul-in-key"] = b"\x00" + b('{"type\\u0000x":"foo","type":"event","id":"%s","sent_at":"%s"}' % (U, TS))
    # RFC 8259 §9 limit: as deep as allowed, and one more (must agree with ref_json.c).
    for depth, name in [(16384, "depth-16384-allowed"), (16385, "depth-16385-refused")]:
        seeds[name] = b"\x00" + b("[" * depth + "]" * depth)
    seeds["depth-16384-objects"] = b"\x00" + b('{"a":' * 16383 + "{}" + "}" * 16383)
    seeds["depth-1001-object"] = b"\x00" + b(EVS(',"x":' + '{"a":' * 1001 + "1" + "}" * 1001))
    return seeds


def tracker_seeds():
    def ops(*parts):
        return bytes(parts)

    s = {}
    # header: limit, max_unacked selector (bit 7: clock near the top), hash seed
    s["send-ack-expire"] = ops(100, 0, 1, 0, 1, 0, 2, 1, 1, 2, 200, 4, 2, 255, 2, 255, 4, 5)
    s["bulk-grow-shrink"] = ops(10, 0, 7, 8, 0, 0, 63, 8, 0, 64, 63, 8, 0, 128, 63, 8, 1, 0, 63,
                                9 | 0x10, 0, 0, 63, 9, 0, 64, 63, 4, 5, 9, 1, 0, 63, 9, 0, 128, 63)
    s["bulk-expire-all"] = ops(1, 0, 9, 8, 0, 0, 63, 8, 2, 0, 30, 3, 0, 10, 5)
    s["full-max-2"] = ops(50, 2, 3, 0, 1, 0, 2, 0, 3, 1, 2, 0, 3)
    s["near-top-clock"] = ops(254, 0x80, 4, 0, 1, 3 | 0x30, 0xff, 0xff, 4, 0, 2, 5)
    s["limit-max"] = ops(254, 0, 5, 0, 1, 0, 2, 3 | 0xf0, 0xff, 0xff, 4, 5)
    s["set-limit"] = ops(10, 0, 6, 7, 20, 0, 1, 7, 30, 1, 1, 7, 40, 0, 2)
    s["raw-ids"] = ops(10, 0, 8, 10, *range(16), 10, *range(16), 11, *range(16), 11, *range(16))
    s["clock-backwards"] = ops(100, 0, 9, 2, 200, 0, 1, 12, 150, 2, 6, 0x80, 6, 0x7f, 4)
    s["ack-middle"] = ops(5, 0, 10, 8, 0, 0, 20, 13, 7, 13, 3, 14, 14 | 0x10, 15, 3)
    return s


# fuzz_session.c operations
RAW8, RAW16, TPL, FRAG, EDIT, TICK, TICKBIG, DEADLINE, SEND, ACKOP, PEERACK, PEERHS, CLOSE, ENDFRAG = \
    0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
T_SEED_EV, T_STRICT_EV, T_ERROR_EV, T_FATAL_EV, T_ACK, T_HS, T_ACK_REORDERED = 0, 1, 2, 3, 4, 5, 6
SERVER, CLIENT, STRICT, MANUAL = 0, 1, 2, 4


def raw(text, flagsel=0):
    data = b(text)
    if len(data) < 256:
        return bytes([RAW8 | flagsel << 4, len(data)]) + data
    return bytes([RAW16 | flagsel << 4]) + struct.pack(">H", len(data)) + data


def tpl(t, idc=0, ts=0):
    return bytes([TPL, t | ts << 4, idc])


def session_seeds():
    s = {}
    hs_ack = tpl(T_ACK, 0)  # the server's handshake id is pool 0
    for prof, pname in [(0, "seed"), (STRICT, "strict")]:
        ev = T_SEED_EV if prof == 0 else T_STRICT_EV
        s["server-%s-basic" % pname] = bytes([SERVER | prof, 100]) + hs_ack + tpl(ev, 1) + \
            bytes([SEND, 2, PEERACK, 0, TICK, 50]) + tpl(ev, 3 | 8) + bytes([SEND, 3 | 8, TICKBIG, 1, 0])
        s["server-%s-fragments" % pname] = bytes([SERVER | prof, 10]) + hs_ack + \
            bytes([FRAG, ev, 4, 10, 40, FRAG | 0x10, ev, 5, 3, 90]) + \
            raw('{"type":"ev', 1) + raw('ent","id":"%s",' % U, 2) + raw('"sent_at":"%s"%s}' % (
                TS, ',"status":"ok","payload":{}' if prof else ""), 3)
        s["server-%s-deadline" % pname] = bytes([SERVER | prof, 20]) + hs_ack + \
            bytes([SEND, 1, DEADLINE | 0 << 4, DEADLINE | 1 << 4])
        s["server-%s-deadline-handshake" % pname] = bytes([SERVER | prof, 5, DEADLINE | 0 << 4, DEADLINE | 1 << 4])
        s["server-%s-manual-duplicate" % pname] = bytes([SERVER | prof | MANUAL, 30]) + hs_ack + \
            tpl(ev, 6) + tpl(ev, 6)
        s["server-%s-manual-acks" % pname] = bytes([SERVER | prof | MANUAL, 30]) + hs_ack + \
            tpl(ev, 6) + tpl(ev, 7) + bytes([ACKOP, 7, ACKOP | 0x10, 0, ACKOP, 6]) + tpl(ev, 6)
        s["server-%s-early-event" % pname] = bytes([SERVER | prof, 30]) + tpl(ev, 1) + hs_ack
        s["server-%s-fatal" % pname] = bytes([SERVER | prof, 30]) + hs_ack + tpl(T_FATAL_EV, 2)
        s["server-%s-unknown-ack" % pname] = bytes([SERVER | prof, 30]) + hs_ack + tpl(T_ACK, 5)
        s["server-%s-double-ack" % pname] = bytes([SERVER | prof, 30]) + hs_ack + hs_ack
        s["server-%s-binary" % pname] = bytes([SERVER | prof, 30]) + hs_ack + raw(EVS(), 4)
        s["server-%s-binary-fragment" % pname] = bytes([SERVER | prof, 30]) + hs_ack + raw("{", 5)
        s["server-%s-too-big" % pname] = bytes([SERVER | prof | 1 << 3, 30]) + hs_ack + tpl(ev, 1)
        s["server-%s-too-big-fragments" % pname] = bytes([SERVER | prof | 2 << 3, 30]) + hs_ack + \
            raw(" " * 150, 1) + raw(" " * 60, 2) + raw(EVS(), 3)
        s["server-%s-full" % pname] = bytes([SERVER | prof | MANUAL | 1 << 5, 30]) + hs_ack + \
            tpl(ev, 1) + tpl(ev, 2)
        s["server-%s-send-full" % pname] = bytes([SERVER | prof | 2 << 5, 30]) + hs_ack + \
            bytes([SEND, 1, SEND, 2, SEND, 3, SEND, 1 | 3 << 3, SEND, 4 | 4 << 3])
        for i, bad in enumerate(["{", "[]", '{"type":"ack","sent_at":"%s"}' % TS,
                                 '{"type":"ack","id":5,"sent_at":"%s"}' % TS,
                                 '{"type":"ack","id":"x","sent_at":"%s"}' % TS, ACK(), EVB()]):
            s["server-%s-violation-%d" % (pname, i)] = bytes([SERVER | prof, 30]) + hs_ack + raw(bad)
        for edit in range(3):
            s["server-%s-edit-%d" % (pname, edit)] = bytes([SERVER | prof, 30]) + hs_ack + \
                bytes([EDIT | edit << 4, ev, 1, 9, ord("X")])
        s["client-%s-peer-handshake" % pname] = bytes([CLIENT | prof, 0, PEERHS, 27, 0]) + tpl(ev, 1) + \
            bytes([SEND, 2, PEERACK, 0, SEND, 3, DEADLINE | 0 << 4, DEADLINE | 1 << 4])
        s["client-%s-manual" % pname] = bytes([CLIENT | prof | MANUAL, 0, PEERHS, 5, 3, SEND, 1, ACKOP, 3]) + \
            tpl(ev, 4) + bytes([SEND, 1, ACKOP | 0x10, 0])
        for pol in range(12):
            s["client-%s-policy-%02d" % (pname, pol)] = bytes([CLIENT | prof, 0]) + tpl(T_HS, 2 | pol << 4) + \
                tpl(ev, 1) + bytes([SEND, 5, TICKBIG, 0, 200])
        s["client-%s-ack-first" % pname] = bytes([CLIENT | prof, 0]) + tpl(T_ACK, 1)
        s["client-%s-bad-first" % pname] = bytes([CLIENT | prof, 0]) + raw("[1]")
        s["client-%s-close" % pname] = bytes([CLIENT | prof, 0, PEERHS, 1, 1, CLOSE, CLOSE | 0x10]) + tpl(ev, 1)
        s["client-%s-peer-close" % pname] = bytes([CLIENT | prof, 0, PEERHS, 1, 1, CLOSE | 0x10, SEND, 1])
        s["server-%s-timestamps" % pname] = bytes([SERVER | prof, 30]) + hs_ack + tpl(ev, 1, 1) + \
            tpl(ev, 2, 2) + tpl(ev, 3, 3)
        # the clock jumps to its end: acks and Events there carry a saturated time
        s["server-%s-end-of-clock" % pname] = bytes([SERVER | prof, 30]) + hs_ack + \
            bytes([TICKBIG | 0xe0, 0, 5]) + tpl(ev, 3) + bytes([SEND, 2, TICK, 3]) + \
            bytes([TICKBIG | 0xf0, 0, 5]) + tpl(ev, 4) + bytes([SEND, 5])
        s["server-%s-reordered-ack" % pname] = bytes([SERVER | prof, 30]) + tpl(T_ACK_REORDERED, 8) + \
            bytes([SEND, 1, SEND, 2]) + tpl(T_ACK_REORDERED, 2) + tpl(T_ACK, 1 | 8)
    return s


def uuid_seeds():
    rows = [U, U.upper(), "0b8f3E52-6a1D-4c7e-9F2a-3d5e7c9b1a20", "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "{%s}" % U, "urn:uuid:" + U, U.replace("-", ""),
            U[:-1], U + "0", " " + U[1:], U[:8] + "_" + U[9:], U[:35] + "g", U[:13] + U[14:] + "0",
            "0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a2\0", ""]
    return {"row-%02d" % i: b(r) for i, r in enumerate(rows)}


def iso8601_seeds():
    path = os.path.join(ROOT, "tests", "test_ts.c")
    rows = re.findall(r'^\s*\{"([^"]*)", [CLI]\}', open(path).read(), re.M)
    s = {"row-%02d" % i: b"\x00" + b(r) for i, r in enumerate(rows)}
    for name, us in [("epoch", 0), ("2026", 1767627242123456), ("minus-1", -1),
                     ("last", 253402300799999999), ("past-last", 253402300800000000),
                     ("first", -62167219200000000), ("before-first", -62167219200000001)]:
        s["format-" + name] = b"\x01" + struct.pack(">q", us) + b"\x00"
    return s


def profile_seeds():
    pdir = os.path.join(ROOT, "conformance", "profiles")
    s = {}
    for name in ("seed", "strict"):
        text = open(os.path.join(pdir, name + ".json"), "rb").read()
        s["shipped-" + name] = text
        s["compact-" + name] = re.sub(rb"\s+", b"", re.sub(rb'"\$comment"\s*:\s*"[^"]*",', b"", text))
    seed = s["compact-seed"]
    variants = {
        "ms-unit": (b'"unit":"s"', b'"unit":"ms"'),
        "fatal": (b'"fatal_status":null', b'"fatal_status":{"field":"sent_at","value":"x"}'),
        "no-trigger": (b'"trigger":{"pointer":"/payload/emit"}', b'"trigger":null'),
        "enum-field": (b'"sent_at":{"type":"string","format":"iso8601","required":true}}},"ack"',
                       b'"sent_at":{"type":"string","format":"iso8601","required":true},'
                       b'"kind":{"type":"string","enum":["a","b"],"required":true},'
                       b'"n":{"type":["number","null"],"required":true},'
                       b'"o":{"type":"object","required":false}}},"ack"'),
        "type-values": (b'"messages":{"event":{', b'"messages":{"event":{"type_value":"E",'),
        "list-codes": (b'"not_text":4001', b'"not_text":{"accept":[4001,"4100-4199",1000],"send":4001}'),
        "bad-name": (b'"name":"seed"', b'"name":"a\\nb"'),
        "bad-key": (b'"name":"seed"', b'"name":"seed","\\n":1'),
        "bad-type": (b'"type":"string","format":"uuid"', b'"type":"strng\\u0001","format":"uuid"'),
        "duplicate-field": (b'"fields":{"id"', b'"fields":{"x":{"type":"number","required":true},'
                                                b'"x":{"type":"string","required":true},"id"'),
        "long-pointer": (b'"/payload/ack_timeout"', b'"/' + b"p" * 70 + b'"'),
        "pointer-escapes": (b'"/payload/ack_timeout"', b'"/pay~1load/a~0b"'),
        "discriminator": (b'"discriminator":"type"', b'"discriminator":"kind"'),
    }
    for name, (old, new) in variants.items():
        if old not in seed:
            sys.exit("gen_seeds: profile variant %s does not apply" % name)
        s["variant-" + name] = seed.replace(old, new, 1)
    s["not-json"] = b"{"
    s["not-object"] = b"[]"
    s["empty-object"] = b"{}"
    return s


def write(target, seeds):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    for name, data in seeds.items():
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)
    print("corpus/%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    write("message", message_seeds())
    write("tracker", tracker_seeds())
    write("session", session_seeds())
    write("uuid", uuid_seeds())
    write("iso8601", iso8601_seeds())
    write("profile", profile_seeds())
