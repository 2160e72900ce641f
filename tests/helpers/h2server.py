#!/usr/bin/python3
"""Scripted HTTP/2 server for the hcli test suite (test harness only).

    /usr/bin/python3 h2server.py --script FILE --dir DIR [--lifetime SECONDS]
                 [--ready-fifo PATH] [--tls-cert PEM --tls-key PEM]
                 [--alpn h2,http/1.1]

Needs Debian's python3-h2 (run it with /usr/bin/python3).  Plain TCP speaks
h2c with prior knowledge; with --tls-cert it speaks TLS and picks h2 by ALPN.
A connection that does not start with the HTTP/2 preface (an HTTP/1.1
request, or TLS without ALPN h2) gets one HTTP/1.1 answer, "http/1.1\\n",
its request head recorded in h1-<conn>, and is closed.

Normal answers go through python3-h2; what it refuses to send (huge header
lists, CONTINUATION floods, PUSH_PROMISE after SETTINGS_ENABLE_PUSH 0, DATA
after END_STREAM, GOAWAY below open streams) is written as raw frames.

Script (JSON): a list of connection entries (accepted connection i uses entry
i, the last one is reused), or {"connections": [...], "repeat": false} to
close further connections at once.  A connection entry is an object:

    settings     {"INITIAL_WINDOW_SIZE": 16, "MAX_CONCURRENT_STREAMS": 2,
                  "MAX_FRAME_SIZE": N, "MAX_HEADER_LIST_SIZE": N,
                  "HEADER_TABLE_SIZE": N}: the server's SETTINGS
    preface_hex  bytes sent instead of the server's SETTINGS (a bad preface);
                 the connection then only logs what the client sends
    ping         true: a PING right after the server's SETTINGS
    alpn         "http/1.1": over TLS, the protocols this connection
                 chooses from by ALPN, instead of --alpn's
    settings_later  {"after_requests": N, "delay_ms": D, "settings": {...}}:
                 a second SETTINGS frame (raw: python3-h2 keeps its own
                 counts) D ms after the N-th request's HEADERS, e.g. to
                 open a window of 0
    consume_delay_ms  WINDOW_UPDATE for request DATA this long after it came
                 (default 0: at once, for exactly the bytes received)
    goaway       {"after_requests": N, "last_stream_id": L, "error": E,
                  "debug": "text"}: when the N-th request arrives, send
                 GOAWAY (L defaults to the stream id of request N-1, or 0);
                 streams above L are never answered; then the connection is
                 closed once the streams up to L are answered (at once when
                 E is not 0)
    streams      {"1": ANSWER, ...}  answer by stream id
    paths        {"/a": ANSWER, ...} answer by :path (exact, then without
                 the query)
    default      ANSWER for the rest (default: 200, body ":path\\n")
    comment      ignored

An ANSWER is an object:

    status       default 200
    interim      [103, ...]: informational heads (x-interim: N) before it
    raw_hex      bytes (raw frames) sent before the head
    headers      [["name", "value"], ...] after :status
    body | body_b64 | body_file | body_repeat {"data": s, "count": N} | echo
                 the body (echo: the request's body); default ":path\\n"
    frame_size   largest DATA frame to send (default: the client's limit)
    pad          N: every DATA frame carries N bytes of padding (they count
                 against the windows; frame_size shrinks to fit)
    trailers     [["name", "value"], ...] sent after the body, END_STREAM
    delay_ms     wait before answering
    after        {"path": "/b", "timeout_ms": 5000}: answer only once the
                 answer to /b on this connection is complete (or the time
                 is up): proves two streams were open at once, without a
                 race against the clock
    wait_body    true (default): answer after the request's END_STREAM;
                 false: as soon as its HEADERS came (an early 413)
    hang         true: never answer
    reset        {"after_bytes": N, "error": E}: HEADERS, N body bytes,
                 then RST_STREAM with error E (default 2, INTERNAL_ERROR)
    goaway       {"after_bytes": N, "error": E}: HEADERS, N body bytes, then
                 GOAWAY (last_stream_id: this stream) and close
    stall        {"after_bytes": N, "requests": R, "timeout_ms": T}: HEADERS,
                 N body bytes, then nothing more on the stream until the
                 connection has had R requests in all (or T ms, default
                 5000, passed); then the rest (the client's reset ends it)
    rst_after_end  E: RST_STREAM with E after the complete answer
    data_after_end  string: a DATA frame of these bytes after END_STREAM
    push         "/path": a PUSH_PROMISE for it before the answer
    big_field    N: the head has a field x-big whose value is N bytes
    many_fields  N: the head has N fields x-f-1: 1 ...
    field_size   M: those fields' values are M bytes ("1" by default)
    flood        {"count": N, "fragment_hex": "", "finish": true}: HEADERS
                 without END_HEADERS, N CONTINUATION frames of that fragment,
                 then (finish) an empty one with END_HEADERS
    then         "keep" (default) | "close": close the connection afterwards

big_field, many_fields and flood write the head as raw frames (HPACK
literals never indexed, so the shared dynamic table stays as it was) and the
body as raw DATA frames without regard to flow control: keep it small.

Files in DIR: pid, port, conns (connections accepted), log (one line per
event), frames-<conn> ("recv"/"send" TYPE stream= flags= len= and details
for SETTINGS, WINDOW_UPDATE, RST_STREAM, GOAWAY; runs of equal lines
collapsed into "repeated N more times"), requests ("conn=C stream=S METHOD
PATH" as each request's HEADERS arrives), and per request:
    req-C-S.head  its fields as received, pseudo-headers included, one
                  "name: value" line each (trailers as "trailer name: value")
    req-C-S.body  its body bytes (created with the first DATA)
    req-C-S.end   written at END_STREAM: "bytes=N sha256=HEX"
    req-C-S.reset written when the client resets it: "error=E"
    req-C-S.outcome  written when the answer is complete: "answered",
                  "reset", "refused" (above a GOAWAY) or "gone"
max-open-<conn> (the most streams open at once), alpn-<conn> (TLS: the
protocol ALPN chose, or "none"), h1-<conn>.

Exit status: 0 at the end of the lifetime or on SIGTERM, 2 for a bad script,
1 when the socket cannot be set up.
"""

import base64
import binascii
import hashlib
import os
import queue
import select
import socket
import ssl
import struct
import sys
import threading
import time
import traceback

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
import h2.windows

import scriptserver
from scriptserver import ScriptError, ScriptedServer, latin1, number, read_json

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
RECV_SIZE = 256 * 1024
DRAIN_SECONDS = 5.0
MAX_H1_HEAD = 1 << 20
COALESCE = 64 * 1024     # queued bytes sent in one go

FRAME_NAMES = ("DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
               "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION")
T_DATA, T_HEADERS, T_RST, T_SETTINGS, T_PUSH, T_PING, T_GOAWAY, T_WU, T_CONT = (
    0, 1, 3, 4, 5, 6, 7, 8, 9)
F_END_STREAM, F_ACK, F_END_HEADERS, F_PADDED, F_PRIORITY = 0x1, 0x1, 0x4, 0x8, 0x20
SETTING_CODES = {
    "HEADER_TABLE_SIZE": 1, "ENABLE_PUSH": 2, "MAX_CONCURRENT_STREAMS": 3,
    "INITIAL_WINDOW_SIZE": 4, "MAX_FRAME_SIZE": 5, "MAX_HEADER_LIST_SIZE": 6,
}
SETTING_NAMES = {v: k for k, v in SETTING_CODES.items()}
SETTING_NAMES[8] = "ENABLE_CONNECT_PROTOCOL"

CONN_KEYS = {"settings", "settings_later", "preface_hex", "ping", "consume_delay_ms", "goaway", "streams",
             "paths", "default", "comment", "alpn"}
ANSWER_KEYS = {"status", "interim", "raw_hex", "headers", "body", "body_b64", "body_file", "body_repeat", "echo",
               "frame_size", "pad", "trailers", "delay_ms", "after", "wait_body", "hang", "reset", "goaway",
               "stall", "rst_after_end", "data_after_end", "push", "big_field", "many_fields",
               "field_size", "flood", "then", "comment"}


def _window_consumed(self, size):
    """WindowManager.window_consumed without its check: the script sets the
    windows (SETTINGS python3-h2 never hears of, WINDOW_UPDATEs for exactly
    what came), and a client that overruns them is recorded, not refused."""
    self.current_window_size -= size


h2.windows.WindowManager.window_consumed = _window_consumed


class Gone(Exception):
    """The connection or the stream is gone: stop answering."""


# ---------------------------------------------------------------- frames

def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", ftype, flags, sid) + payload


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(data):
    return hpack_int(len(data), 7, 0) + data


def hpack_literal(name, value):
    """RFC 7541 §6.2.3: literal never indexed, new name (no table change)."""
    return b"\x10" + hpack_str(name) + hpack_str(value)


def hpack_status(status):
    if status == 200:
        return b"\x88"  # static index 8
    return hpack_int(8, 4, 0x10) + hpack_str(str(status).encode())


def frame_flags(ftype, flags):
    names = []
    if flags & 0x1:
        names.append("ACK" if ftype in (T_SETTINGS, T_PING) else
                     "END_STREAM" if ftype in (T_DATA, T_HEADERS) else "0x1")
    if flags & F_END_HEADERS:
        names.append("END_HEADERS")
    if flags & F_PADDED:
        names.append("PADDED")
    if flags & F_PRIORITY:
        names.append("PRIORITY")
    rest = flags & ~(0x1 | F_END_HEADERS | F_PADDED | F_PRIORITY)
    if rest:
        names.append(hex(rest))
    return ",".join(names) or "-"


def frame_detail(ftype, flags, payload):
    if ftype == T_SETTINGS and not flags & F_ACK:
        parts = []
        for i in range(0, len(payload) - len(payload) % 6, 6):
            code, value = struct.unpack(">HI", payload[i:i + 6])
            parts.append(f"{SETTING_NAMES.get(code, code)}={value}")
        return " " + " ".join(parts) if parts else ""
    if ftype == T_WU and len(payload) == 4:
        return f" increment={struct.unpack('>I', payload)[0] & 0x7FFFFFFF}"
    if ftype == T_RST and len(payload) == 4:
        return f" error={struct.unpack('>I', payload)[0]}"
    if ftype == T_GOAWAY and len(payload) >= 8:
        last, err = struct.unpack(">II", payload[:8])
        return f" last_stream_id={last & 0x7FFFFFFF} error={err}"
    if ftype == T_PING:
        return f" data={payload.hex()}"
    if ftype == T_PUSH and len(payload) >= 4:
        pad = payload[0] if flags & F_PADDED else None
        off = 1 if pad is not None else 0
        return f" promised={struct.unpack('>I', payload[off:off + 4])[0] & 0x7FFFFFFF}"
    return ""


class FrameLog:
    """Parses one direction's bytes into frames and writes one line per frame."""

    def __init__(self, conn, direction, skip_preface):
        self.conn = conn
        self.direction = direction
        self.buf = bytearray()
        self.skip = skip_preface
        self.dead = False

    def feed(self, data):
        if self.dead:
            return
        self.buf += data
        if self.skip:
            if len(self.buf) < len(PREFACE):
                return
            if bytes(self.buf[:len(PREFACE)]) != PREFACE:
                self.conn.frame_line(f"{self.direction} no preface")
                self.dead = True
                return
            del self.buf[:len(PREFACE)]
            self.skip = False
        while len(self.buf) >= 9:
            length = int.from_bytes(self.buf[:3], "big")
            if len(self.buf) < 9 + length:
                return
            ftype, flags = self.buf[3], self.buf[4]
            sid = int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
            payload = bytes(self.buf[9:9 + length])
            del self.buf[:9 + length]
            name = FRAME_NAMES[ftype] if ftype < len(FRAME_NAMES) else f"TYPE{ftype}"
            self.conn.frame_line(f"{self.direction} {name} stream={sid} "
                                 f"flags={frame_flags(ftype, flags)} len={length}"
                                 f"{frame_detail(ftype, flags, payload)}")
        self.conn.frames_flush()


# ---------------------------------------------------------------- script

def field_list(value, where):
    if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 for p in value):
        raise ScriptError(f"{where}: expected [[\"name\", \"value\"], ...]")
    return [(latin1(n, where), latin1(v, where)) for n, v in value]


def parse_answer(a, where, base_dir):
    if not isinstance(a, dict):
        raise ScriptError(f"{where}: an answer must be an object")
    unknown = set(a) - ANSWER_KEYS
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    bodies = [k for k in ("body", "body_b64", "body_file", "body_repeat", "echo") if k in a]
    if len(bodies) > 1:
        raise ScriptError(f"{where}: use only one of {', '.join(bodies)}")
    ans = {
        "status": int(number(a.get("status", 200), f"{where}.status", 100)),
        "headers": field_list(a.get("headers", []), f"{where}.headers"),
        "trailers": field_list(a.get("trailers", []), f"{where}.trailers"),
        "delay": number(a.get("delay_ms", 0), f"{where}.delay_ms") / 1000,
        "frame_size": int(number(a.get("frame_size", 1 << 24), f"{where}.frame_size", 1)),
        "pad": int(number(a.get("pad", 0), f"{where}.pad")),
        "wait_body": bool(a.get("wait_body", True)),
        "hang": bool(a.get("hang", False)),
        "echo": bool(a.get("echo", False)),
        "body": None,
        "then": a.get("then", "keep"),
        "push": a.get("push"),
        "big_field": int(number(a.get("big_field", 0), f"{where}.big_field")),
        "many_fields": int(number(a.get("many_fields", 0), f"{where}.many_fields")),
        "field_size": int(number(a.get("field_size", 0), f"{where}.field_size")),
        "rst_after_end": a.get("rst_after_end"),
        "data_after_end": None,
        "reset": None, "goaway": None, "flood": None,
    }
    interim = a.get("interim", [])
    if not isinstance(interim, list):
        raise ScriptError(f"{where}.interim: expected a list of 1xx statuses")
    ans["interim"] = [int(number(i, f"{where}.interim", 100)) for i in interim]
    try:
        ans["raw"] = bytes.fromhex(a.get("raw_hex", ""))
    except (TypeError, ValueError):
        raise ScriptError(f"{where}.raw_hex: not valid hex") from None
    ans["after"] = None
    if "after" in a:
        af = a["after"]
        if not isinstance(af, dict) or set(af) - {"path", "timeout_ms"} or "path" not in af:
            raise ScriptError(f"{where}.after: expected {{\"path\": ..., \"timeout_ms\": N}}")
        ans["after"] = (str(af["path"]),
                        number(af.get("timeout_ms", 5000), f"{where}.after.timeout_ms") / 1000)
    ans["stall"] = None
    if "stall" in a:
        sl = a["stall"]
        if not isinstance(sl, dict) or set(sl) - {"after_bytes", "requests", "timeout_ms"}:
            raise ScriptError(f"{where}.stall: expected {{\"after_bytes\": N, \"requests\": R}}")
        ans["stall"] = (int(number(sl.get("after_bytes", 0), f"{where}.stall.after_bytes")),
                        int(number(sl.get("requests", 1), f"{where}.stall.requests", 1)),
                        number(sl.get("timeout_ms", 5000), f"{where}.stall.timeout_ms") / 1000)
    if ans["then"] not in ("keep", "close"):
        raise ScriptError(f"{where}.then: expected keep or close")
    if "body" in a:
        ans["body"] = latin1(a["body"], f"{where}.body")
    elif "body_b64" in a:
        try:
            ans["body"] = base64.b64decode(a["body_b64"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ScriptError(f"{where}.body_b64: not valid base64") from None
    elif "body_file" in a:
        path = os.path.join(base_dir, str(a["body_file"]))
        try:
            with open(path, "rb") as f:
                ans["body"] = f.read()
        except OSError as e:
            raise ScriptError(f"{where}.body_file: {path}: {e.strerror}") from None
    elif "body_repeat" in a:
        rep = a["body_repeat"]
        if not isinstance(rep, dict) or set(rep) != {"data", "count"}:
            raise ScriptError(f"{where}.body_repeat: expected {{\"data\": ..., \"count\": N}}")
        ans["body"] = latin1(rep["data"], where) * int(number(rep["count"], where))
    if "data_after_end" in a:
        ans["data_after_end"] = latin1(a["data_after_end"], f"{where}.data_after_end")
    if ans["push"] is not None and not isinstance(ans["push"], str):
        raise ScriptError(f"{where}.push: expected a path")
    for key in ("reset", "goaway"):
        if key in a:
            r = a[key]
            if not isinstance(r, dict) or set(r) - {"after_bytes", "error"}:
                raise ScriptError(f"{where}.{key}: expected {{\"after_bytes\": N, \"error\": E}}")
            ans[key] = (int(number(r.get("after_bytes", 0), where)),
                        int(number(r.get("error", 2), where)))
    if "flood" in a:
        fl = a["flood"]
        if not isinstance(fl, dict) or set(fl) - {"count", "fragment_hex", "finish"}:
            raise ScriptError(f"{where}.flood: expected {{\"count\": N, ...}}")
        try:
            frag = bytes.fromhex(fl.get("fragment_hex", ""))
        except ValueError:
            raise ScriptError(f"{where}.flood.fragment_hex: not valid hex") from None
        ans["flood"] = (int(number(fl.get("count", 0), where)), frag,
                        bool(fl.get("finish", True)))
    if ans["rst_after_end"] is not None:
        number(ans["rst_after_end"], f"{where}.rst_after_end")
    return ans


def parse_conn(c, where, base_dir):
    if not isinstance(c, dict):
        raise ScriptError(f"{where}: a connection must be an object")
    unknown = set(c) - CONN_KEYS
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    settings = {}
    for name, value in c.get("settings", {}).items():
        if name not in SETTING_CODES:
            raise ScriptError(f"{where}.settings: unknown setting {name}")
        settings[SETTING_CODES[name]] = int(number(value, f"{where}.settings.{name}"))
    preface = None
    if "preface_hex" in c:
        try:
            preface = bytes.fromhex(c["preface_hex"])
        except (TypeError, ValueError):
            raise ScriptError(f"{where}.preface_hex: not valid hex") from None
    goaway = None
    if "goaway" in c:
        g = c["goaway"]
        if not isinstance(g, dict) or set(g) - {"after_requests", "last_stream_id", "error",
                                                "debug"}:
            raise ScriptError(f"{where}.goaway: unknown keys")
        goaway = {"after": int(number(g.get("after_requests", 1), where, 1)),
                  "last": g.get("last_stream_id"),
                  "error": int(number(g.get("error", 0), where)),
                  "debug": latin1(g.get("debug", ""), where)}
    later = None
    if "settings_later" in c:
        sl = c["settings_later"]
        if not isinstance(sl, dict) or set(sl) - {"after_requests", "delay_ms", "settings"}:
            raise ScriptError(f"{where}.settings_later: unknown keys")
        values = []
        for name, value in sl.get("settings", {}).items():
            if name not in SETTING_CODES:
                raise ScriptError(f"{where}.settings_later: unknown setting {name}")
            values.append((SETTING_CODES[name], int(number(value, where))))
        later = (int(number(sl.get("after_requests", 1), where, 1)),
                 number(sl.get("delay_ms", 0), where) / 1000,
                 frame(T_SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in values)))
    alpn = c.get("alpn")
    if alpn is not None and (not isinstance(alpn, str) or not alpn):
        raise ScriptError(f"{where}.alpn: expected a comma-separated list of protocols")
    return {
        "alpn": alpn,
        "settings": settings,
        "settings_later": later,
        "preface": preface,
        "ping": bool(c.get("ping", False)),
        "consume_delay": number(c.get("consume_delay_ms", 0), where) / 1000,
        "goaway": goaway,
        "streams": {int(k): parse_answer(v, f"{where}.streams.{k}", base_dir)
                    for k, v in c.get("streams", {}).items()},
        "paths": {k: parse_answer(v, f"{where}.paths.{k}", base_dir)
                  for k, v in c.get("paths", {}).items()},
        "default": parse_answer(c.get("default", {}), f"{where}.default", base_dir),
    }


def load_script(path):
    doc = read_json(path)
    repeat = True
    if isinstance(doc, dict) and "connections" in doc:
        repeat = doc.get("repeat", True)
        doc = doc["connections"]
    elif isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list) or not doc:
        raise ScriptError("expected a connection object or a list of them")
    base_dir = os.path.dirname(os.path.abspath(path))
    return [parse_conn(c, f"connection {i}", base_dir) for i, c in enumerate(doc)], repeat


# ---------------------------------------------------------------- server

class Server(ScriptedServer):
    sub = "stream"

    def __init__(self, args, conns, repeat):
        super().__init__(args, conns, repeat, Connection)
        self.req_file = open(self.path("requests"), "a", buffering=1)
        self.args = args
        self.tls = tls_context(args)

    def tls_for(self, script):
        """The TLS context of a connection: its own ALPN list when its script gives one."""
        if script["alpn"] is None:
            return self.tls
        return tls_context(self.args, script["alpn"])


class Stream:
    def __init__(self, sid, headers):
        self.sid = sid
        self.headers = headers
        self.path = dict(headers).get(b":path", b"").decode("latin-1")
        self.body = None      # open record file, once DATA came
        self.length = 0
        self.sha = hashlib.sha256()
        self.ended = False
        self.reset = False
        self.started = False  # an answer is under way
        self.finished = False    # req-C-S.outcome written


class Connection:
    def __init__(self, server, sock, idx, script):
        self.srv = server
        self.sock = sock
        self.idx = idx
        self.script = script
        self.cv = threading.Condition()  # guards conn, streams, closed
        self.conn = None
        self.streams = {}
        self.closed = False      # no more sending
        self.requests = 0
        self.max_open = 0        # most streams open at once
        self.answered = set()    # paths answered in full
        self.goaway_last = None  # last_stream_id of the GOAWAY sent
        self.pending = set()     # streams at or below goaway_last not yet done
        self.outq = queue.Queue()
        self.io_lock = threading.Lock()
        self.frames = open(server.path(f"frames-{idx}"), "a")  # flushed after each batch
        self.frames_lock = threading.Lock()
        self.last_line = None
        self.repeats = 0
        self.in_log = FrameLog(self, "recv", True)
        self.out_log = FrameLog(self, "send", False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log(self, msg, sid=None):
        self.srv.log(msg, self.idx, sid)

    def frame_line(self, line):
        with self.frames_lock:
            if self.frames.closed:
                return
            if line == self.last_line:
                self.repeats += 1
                return
            self.flush_repeats()
            self.frames.write(line + "\n")
            self.last_line = line
            if not line.startswith(("recv ", "send ")) or " no preface" in line:
                self.frames.flush()

    def frames_flush(self):
        with self.frames_lock:
            if not self.frames.closed:
                self.frames.flush()

    def flush_repeats(self):
        if self.repeats:
            self.frames.write(f"repeated {self.repeats} more times\n")
            self.repeats = 0

    # -- sending: one writer thread keeps the order the frames were made in

    def writer(self):
        while True:
            item = self.outq.get()
            if item is None:
                return
            try:
                if item == "shutdown":
                    with self.io_lock:
                        self.sock.shutdown(socket.SHUT_WR)
                    self.log("shut down sending")
                    continue
                # what is queued goes out together (several frames a TLS record)
                parts = [item]
                size = len(item)
                while size < COALESCE and self.outq.qsize():
                    more = self.outq.queue[0]
                    if not isinstance(more, bytes):
                        break
                    parts.append(self.outq.get())
                    size += len(more)
                data = b"".join(parts)
                # logged first: a client that has the bytes finds them in the log
                self.out_log.feed(data)
                self.send_all(data)
            except OSError as e:
                self.log(f"send failed: {e}")
                with self.cv:
                    self.closed = True
                    self.cv.notify_all()
                # keep taking items so that nobody blocks on the queue

    def flush_locked(self):
        data = self.conn.data_to_send() if self.conn else b""
        if data:
            self.outq.put(data)

    def raw_locked(self, data):
        """Raw bytes after everything python3-h2 made so far."""
        self.flush_locked()
        self.outq.put(data)

    def check_locked(self, st=None):
        if self.closed:
            raise Gone("connection closed")
        if st is not None and st.reset:
            raise Gone("stream reset by the client")

    def close_locked(self, why):
        if not self.closed:
            self.log(f"closing: {why}")
            self.flush_locked()
            self.outq.put("shutdown")
            self.closed = True
            self.cv.notify_all()

    # -- receiving

    def run(self):
        if not self.srv.tls:
            self.sock.setblocking(False)
        wt = threading.Thread(target=self.writer, daemon=True)
        wt.start()
        try:
            first = self.start()
            if first is not None:
                self.reader(first)
        except Gone as e:
            self.log(str(e))
        except Exception:
            self.log("internal error: " + traceback.format_exc().replace("\n", " | "))
        finally:
            with self.cv:
                self.closed = True
                self.cv.notify_all()
            self.outq.put(None)
            wt.join(DRAIN_SECONDS)
            with self.frames_lock:
                self.flush_repeats()
                self.frames.close()
            self.sock.close()
            self.log("connection done")

    # The socket is non-blocking and every call on it holds io_lock: one
    # OpenSSL connection must not be read and written by two threads at once.

    def recv(self):
        while True:
            if not (self.srv.tls and self.sock.pending()):
                remaining = self.srv.remaining()
                if remaining <= 0:
                    raise Gone("lifetime over")
                ready, _, _ = select.select([self.sock], [], [], remaining)
                if not ready:
                    continue
            with self.io_lock:
                try:
                    data = self.sock.recv(RECV_SIZE)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    continue
                except OSError as e:
                    raise Gone(f"receive failed: {e}") from None
            if not data:
                raise Gone("client closed")
            return data

    def send_all(self, data):
        view = memoryview(data)
        while view:
            with self.io_lock:
                try:
                    n = self.sock.send(view)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    n = 0
            if n:
                view = view[n:]
                continue
            if self.srv.remaining() <= 0:
                raise OSError("lifetime over")
            # a full socket: wait until it takes more (the reader may hold the lock meanwhile)
            select.select([], [self.sock], [], 1.0)

    def start(self):
        """TLS handshake and preface; returns the bytes read so far, or None when done."""
        if self.srv.tls:
            try:
                self.sock = self.srv.tls_for(self.script).wrap_socket(self.sock, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.srv.write_atomic(f"alpn-{self.idx}", f"handshake failed: {e}\n")
                raise Gone(f"TLS handshake failed: {e}") from None
            self.sock.setblocking(False)
            alpn = self.sock.selected_alpn_protocol() or "none"
            self.srv.write_atomic(f"alpn-{self.idx}", alpn + "\n")
            self.log(f"TLS {self.sock.version()}, ALPN {alpn}")
            if alpn != "h2":
                self.http1(b"")
                return None
        if self.script["preface"] is not None:
            self.bad_preface()
            return None
        data = b""
        while len(data) < len(PREFACE) and PREFACE.startswith(data):
            data += self.recv()
        if not data.startswith(PREFACE):
            self.http1(data)
            return None
        return data

    def http1(self, data):
        """Not HTTP/2: record the head, answer "http/1.1\\n", close."""
        while b"\r\n\r\n" not in data and len(data) < MAX_H1_HEAD:
            data += self.recv()
        with open(self.srv.path(f"h1-{self.idx}"), "wb") as f:
            f.write(data)
        self.log("HTTP/1.1 request: answered http/1.1")
        self.outq.put(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                      b"http/1.1\n")
        self.outq.put("shutdown")
        self.drain()

    def bad_preface(self):
        self.log("sending a scripted preface")
        self.frame_line(f"send scripted preface of {len(self.script['preface'])} bytes")
        self.outq.put(self.script["preface"])
        self.drain()

    def drain(self):
        """Log what the client sends until it closes (bounded)."""
        deadline = time.monotonic() + min(DRAIN_SECONDS, self.srv.remaining())
        try:
            while time.monotonic() < deadline:
                self.in_log.feed(self.recv())
        except Gone as e:
            self.log(str(e))

    def reader(self, first):
        config = h2.config.H2Configuration(
            client_side=False, header_encoding=None, validate_inbound_headers=False,
            normalize_inbound_headers=False, validate_outbound_headers=False,
            normalize_outbound_headers=False)
        with self.cv:
            self.conn = h2.connection.H2Connection(config=config)
            # record what the client sends, however large (python3-h2 stops at 64 KiB)
            self.conn.decoder.max_header_list_size = 1 << 30
            self.conn.initiate_connection()
            if self.script["settings"]:
                # The scripted values go in the first SETTINGS frame, while
                # python3-h2 keeps counting with the defaults (it never sees
                # them acknowledged): a client may send up to 65,535 bytes
                # before our SETTINGS reach it (RFC 9113 §6.9.2).
                self.conn.data_to_send()
                self.conn.update_settings({3: 100, **self.script["settings"]})
            if self.script["ping"]:
                self.conn.ping(b"h2server")
            self.flush_locked()
        data = first
        while True:
            self.in_log.feed(data)
            with self.cv:
                try:
                    events = self.conn.receive_data(data)
                except h2.exceptions.ProtocolError as e:
                    self.log(f"client broke the protocol: {e!r}")
                    self.close_locked("protocol error")
                    events = []
                for ev in events:
                    self.event_locked(ev)
                self.flush_locked()
                self.cv.notify_all()
            data = self.recv()

    def event_locked(self, ev):
        if isinstance(ev, h2.events.RequestReceived):
            self.request_locked(ev.stream_id, ev.headers)
        elif isinstance(ev, h2.events.TrailersReceived):
            self.write_head(ev.stream_id, ev.headers, "trailer ")
        elif isinstance(ev, h2.events.DataReceived):
            self.data_locked(ev)
        elif isinstance(ev, h2.events.StreamEnded):
            st = self.streams.get(ev.stream_id)
            if st:
                st.ended = True
                if st.body:
                    st.body.close()
                elif not os.path.exists(self.srv.path(f"req-{self.idx}-{st.sid}.body")):
                    open(self.srv.path(f"req-{self.idx}-{st.sid}.body"), "wb").close()
                self.srv.write_atomic(f"req-{self.idx}-{st.sid}.end",
                                      f"bytes={st.length} sha256={st.sha.hexdigest()}\n")
                self.log(f"request ended, {st.length} body bytes", st.sid)
                self.maybe_answer_locked(st)
        elif isinstance(ev, h2.events.StreamReset):
            st = self.streams.get(ev.stream_id)
            self.log(f"reset by the client, error {int(ev.error_code)}", ev.stream_id)
            if st:
                st.reset = True
                self.srv.write_atomic(f"req-{self.idx}-{st.sid}.reset",
                                      f"error={int(ev.error_code)}\n")
                if not st.started:
                    self.done_locked(st, "reset")
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.log(f"GOAWAY from the client, error {int(ev.error_code)}, "
                     f"last stream {ev.last_stream_id}")

    def write_head(self, sid, headers, prefix=""):
        with open(self.srv.path(f"req-{self.idx}-{sid}.head"), "ab") as f:
            for name, value in headers:
                f.write(prefix.encode() + bytes(name) + b": " + bytes(value) + b"\n")

    def request_locked(self, sid, headers):
        st = Stream(sid, headers)
        self.streams[sid] = st
        self.write_head(sid, headers)
        method = dict(headers).get(b":method", b"-").decode("latin-1")
        with self.srv.log_lock:
            self.srv.req_file.write(f"conn={self.idx} stream={sid} {method} {st.path}\n")
        self.requests += 1
        self.log(f"request {method} {st.path}", sid)
        # python3-h2 closes a stream as its END_STREAM is made, so this counts
        # the streams open when the client opened this one
        open_now = self.conn.open_inbound_streams
        if open_now > self.max_open:
            self.max_open = open_now
            self.srv.write_atomic(f"max-open-{self.idx}", f"{open_now}\n")
        later = self.script["settings_later"]
        if later and self.requests == later[0]:
            t = threading.Timer(later[1], self.send_later_settings, (later[2],))
            t.daemon = True
            t.start()
        g = self.script["goaway"]
        if g and self.goaway_last is None and self.requests >= g["after"]:
            last = g["last"]
            if last is None:
                earlier = sorted(s for s in self.streams if s != sid)
                last = earlier[-1] if earlier else 0
            self.goaway_last = int(last)
            self.raw_locked(frame(T_GOAWAY, 0, 0, struct.pack(">II", self.goaway_last,
                                                              g["error"]) + g["debug"]))
            self.log(f"sent GOAWAY last_stream_id={self.goaway_last} error={g['error']}")
            self.pending = {s.sid for s in self.streams.values()
                            if s.sid <= self.goaway_last and not s.finished}
            for s in list(self.streams.values()):
                if s.sid > self.goaway_last:
                    self.done_locked(s, "refused")
            if g["error"] or not self.pending:
                self.close_locked("after GOAWAY")
            return
        if self.goaway_last is not None and sid > self.goaway_last:
            self.done_locked(st, "refused")
            return
        self.maybe_answer_locked(st)

    def send_later_settings(self, data):
        with self.cv:
            if not self.closed:
                self.raw_locked(data)
                self.log("sent the later SETTINGS")

    def data_locked(self, ev):
        st = self.streams.get(ev.stream_id)
        if st:
            if st.body is None:
                st.body = open(self.srv.path(f"req-{self.idx}-{st.sid}.body"), "wb",
                               buffering=0)
            st.body.write(ev.data)
            st.length += len(ev.data)
            st.sha.update(ev.data)
        n = ev.flow_controlled_length
        if n:
            if self.script["consume_delay"]:
                t = threading.Timer(self.script["consume_delay"], self.consume,
                                    (ev.stream_id, n, ev.stream_ended is not None))
                t.daemon = True
                t.start()
            else:
                self.consume_locked(ev.stream_id, n, ev.stream_ended is not None)

    def consume(self, sid, n, end):
        with self.cv:
            self.consume_locked(sid, n, end)
            self.flush_locked()

    def consume_locked(self, sid, n, end):
        """WINDOW_UPDATE for exactly the bytes taken: the windows stay as the script set them."""
        if self.closed:
            return
        self.conn.increment_flow_control_window(n)
        st = self.streams.get(sid)
        if st and not end and not st.reset:
            try:
                self.conn.increment_flow_control_window(n, stream_id=sid)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                pass

    def answer_for(self, st):
        if st.sid in self.script["streams"]:
            return self.script["streams"][st.sid]
        paths = self.script["paths"]
        if st.path in paths:
            return paths[st.path]
        bare = st.path.split("?", 1)[0]
        return paths.get(bare, self.script["default"])

    def maybe_answer_locked(self, st):
        ans = self.answer_for(st)
        if st.started or st.reset or self.closed:
            return
        if ans["wait_body"] and not st.ended:
            return
        if self.goaway_last is not None and st.sid > self.goaway_last:
            return
        st.started = True
        threading.Thread(target=self.answer, args=(st, ans), daemon=True).start()

    def done_locked(self, st, how):
        if st.finished:
            return
        st.finished = True
        self.srv.write_atomic(f"req-{self.idx}-{st.sid}.outcome", how + "\n")
        if how == "answered":
            self.answered.add(st.path)
            self.cv.notify_all()
        self.log(f"answer {how}", st.sid)
        self.pending.discard(st.sid)
        if self.goaway_last is not None and not self.pending:
            self.close_locked("streams below the GOAWAY answered")

    # -- answering (one thread per stream)

    def answer(self, st, ans):
        how = "answered"
        try:
            if ans["hang"]:
                self.log("hanging", st.sid)
                with self.cv:
                    while not self.closed and not st.reset:
                        self.cv.wait(self.srv.remaining() or 0.01)
                raise Gone("hung until the end")
            if ans["delay"]:
                with self.cv:
                    self.cv.wait_for(lambda: self.closed or st.reset, ans["delay"])
            if ans["after"]:
                path, timeout = ans["after"]
                with self.cv:
                    if not self.cv.wait_for(lambda: self.closed or st.reset or
                                            path in self.answered, timeout):
                        self.log(f"gave up waiting for {path}", st.sid)
            self.answer_steps(st, ans)
        except Gone as e:
            how = "reset" if "RST_STREAM" in str(e) else "gone"
            self.log(f"answer stopped: {e}", st.sid)
        except Exception:
            how = "gone"
            self.log("internal error: " + traceback.format_exc().replace("\n", " | "), st.sid)
        with self.cv:
            self.done_locked(st, how)
            if ans["then"] == "close":
                self.close_locked("scripted close")

    def body_of(self, st, ans):
        if ans["echo"]:
            path = self.srv.path(f"req-{self.idx}-{st.sid}.body")
            with open(path, "rb") as f:
                return f.read()
        if ans["body"] is not None:
            return ans["body"]
        return st.path.encode("latin-1") + b"\n"

    def answer_steps(self, st, ans):
        body = self.body_of(st, ans)
        if ans["push"]:
            self.push(st, ans["push"])
        if ans["raw"]:
            with self.cv:
                self.check_locked(st)
                self.raw_locked(ans["raw"])
            self.log(f"sent {len(ans['raw'])} raw bytes", st.sid)
        for status in ans["interim"]:
            with self.cv:
                self.check_locked(st)
                self.conn.send_headers(st.sid, [(b":status", str(status).encode()),
                                                (b"x-interim", str(status).encode())])
                self.flush_locked()
        raw = ans["big_field"] or ans["many_fields"] or ans["flood"]
        cut = ans["reset"] or ans["goaway"]
        if cut:
            body = body[:cut[0]]
        end_on_head = not body and not ans["trailers"] and not cut
        if raw:
            self.raw_answer(st, ans, body, end_on_head)
        else:
            with self.cv:
                self.check_locked(st)
                self.conn.send_headers(st.sid, [(b":status", str(ans["status"]).encode())] +
                                       ans["headers"], end_stream=end_on_head)
                self.flush_locked()
            end = not ans["trailers"] and not cut and not end_on_head
            if ans["stall"]:
                self.stalled_body(st, ans, body, end)
            else:
                self.send_body(st, body, ans["frame_size"], ans["pad"], end)
        if ans["reset"]:
            with self.cv:
                self.check_locked(st)
                self.conn.reset_stream(st.sid, ans["reset"][1])
                self.flush_locked()
            raise Gone(f"sent RST_STREAM error {ans['reset'][1]}")
        if ans["goaway"]:
            with self.cv:
                self.check_locked()
                self.raw_locked(frame(T_GOAWAY, 0, 0, struct.pack(">II", st.sid,
                                                                  ans["goaway"][1])))
                self.log(f"sent GOAWAY last_stream_id={st.sid} error={ans['goaway'][1]}",
                         st.sid)
                self.close_locked("after GOAWAY")
            raise Gone("sent GOAWAY")
        if ans["trailers"]:
            with self.cv:
                self.check_locked(st)
                self.conn.send_headers(st.sid, ans["trailers"], end_stream=True)
                self.flush_locked()
        with self.cv:
            if ans["data_after_end"] is not None:
                self.check_locked()
                self.raw_locked(frame(T_DATA, 0, st.sid, ans["data_after_end"]))
                self.log("sent DATA after END_STREAM", st.sid)
            if ans["rst_after_end"] is not None:
                self.check_locked()
                self.raw_locked(frame(T_RST, 0, st.sid, struct.pack(">I",
                                                                    ans["rst_after_end"])))
                self.log(f"sent RST_STREAM error {ans['rst_after_end']} after the answer",
                         st.sid)

    def stalled_body(self, st, ans, body, end):
        """The first bytes, then a stall until the connection has had enough requests."""
        n, requests, timeout = ans["stall"]
        self.send_body(st, body[:n], ans["frame_size"], ans["pad"], False)
        with self.cv:
            if not self.cv.wait_for(lambda: self.closed or st.reset or
                                    self.requests >= requests, timeout):
                self.log(f"stall: gave up waiting for request {requests}", st.sid)
            self.check_locked(st)
        self.log(f"stall over after {n} body bytes", st.sid)
        if body[n:] or end:
            self.send_body(st, body[n:], ans["frame_size"], ans["pad"], end)

    def send_body(self, st, body, frame_size, pad, end):
        view = memoryview(body)
        pos = 0
        while pos < len(view) or (end and pos == 0 and not view):
            with self.cv:
                while True:
                    self.check_locked(st)
                    try:
                        window = self.conn.local_flow_control_window(st.sid)
                    except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                        raise Gone("stream closed") from None
                    if window > (pad + 1 if pad else 0) or not view:
                        break
                    self.cv.wait(max(0.01, self.srv.remaining()))
                    if not self.srv.remaining():
                        raise Gone("lifetime over")
                # a padded frame spends 1 + pad bytes of window and frame on the padding
                room = min(window, self.conn.max_outbound_frame_size) - (pad + 1 if pad else 0)
                n = min(len(view) - pos, room, frame_size)
                last = end and pos + n == len(view)
                self.conn.send_data(st.sid, bytes(view[pos:pos + n]), end_stream=last,
                                    pad_length=pad or None)
                self.flush_locked()
            pos += n
            if not view:
                break

    def raw_answer(self, st, ans, body, end_on_head):
        """The head (and body) as raw frames: huge field lists and CONTINUATION floods."""
        block = hpack_status(ans["status"])
        for name, value in ans["headers"]:
            block += hpack_literal(name, value)
        if ans["big_field"]:
            block += hpack_literal(b"x-big", b"b" * ans["big_field"])
        for i in range(ans["many_fields"]):
            block += hpack_literal(b"x-f-%d" % (i + 1), b"f" * ans["field_size"] or b"1")
        with self.cv:
            self.check_locked(st)
            size = self.conn.max_outbound_frame_size
        flags = F_END_STREAM if end_on_head else 0
        flood = ans["flood"]
        pieces = [block[i:i + size] for i in range(0, len(block), size)] or [b""]
        out = []
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1 and not flood
            out.append(frame(T_HEADERS if i == 0 else T_CONT,
                             (flags if i == 0 else 0) | (F_END_HEADERS if last else 0),
                             st.sid, piece))
        with self.cv:
            self.check_locked(st)
            self.raw_locked(b"".join(out))
        self.log(f"sent a raw head of {len(block)} bytes in {len(pieces)} frames", st.sid)
        if flood:
            count, frag, finish = flood
            one = frame(T_CONT, 0, st.sid, frag)
            sent = 0
            while sent < count:
                n = min(1000, count - sent)
                with self.cv:
                    self.check_locked(st)
                    self.raw_locked(one * n)
                sent += n
            self.log(f"sent {count} CONTINUATION frames", st.sid)
            if not finish:
                return
            with self.cv:
                self.check_locked(st)
                self.raw_locked(frame(T_CONT, F_END_HEADERS, st.sid))
        if end_on_head:
            return
        out = [frame(T_DATA, 0, st.sid, body[i:i + size]) for i in range(0, len(body), size)]
        out.append(frame(T_DATA, F_END_STREAM, st.sid))
        with self.cv:
            self.check_locked(st)
            self.raw_locked(b"".join(out))

    def push(self, st, path):
        """RFC 9113 §8.4: a PUSH_PROMISE the client said it would not take (ENABLE_PUSH 0)."""
        auth = dict(st.headers).get(b":authority", b"localhost")
        scheme = b"\x87" if self.srv.tls else b"\x86"
        block = (b"\x82" + scheme + hpack_int(4, 4, 0x10) + hpack_str(path.encode("latin-1")) +
                 hpack_int(1, 4, 0x10) + hpack_str(auth))
        with self.cv:
            self.check_locked(st)
            self.raw_locked(frame(T_PUSH, F_END_HEADERS, st.sid, struct.pack(">I", st.sid + 1) +
                                  block))
        self.log(f"sent PUSH_PROMISE for {path}", st.sid)


def tls_context(args, alpn=None):
    if not args.tls_cert:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    ctx.set_alpn_protocols((alpn or args.alpn).split(","))
    return ctx


def main():
    ap = scriptserver.arguments("scripted HTTP/2 server (hcli tests)")
    ap.add_argument("--alpn", default="h2,http/1.1")
    args = ap.parse_args()

    return scriptserver.run("h2server", args, load_script,
                            lambda conns, repeat: Server(args, conns, repeat))

if __name__ == "__main__":
    sys.exit(main())
