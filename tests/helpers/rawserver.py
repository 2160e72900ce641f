#!/usr/bin/env python3
"""Scripted raw HTTP server for the hcli test suite (test harness only).

    rawserver.py --script FILE --dir DIR [--host 127.0.0.1|::1]
                 [--lifetime SECONDS] [--ready-fifo PATH]
                 [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]
                  [--tls-max 1.2|1.3]]

Replies are canned bytes, so tests can send malformed, truncated or slow
responses that no real server would produce, and every request is recorded
byte for byte so tests can compare the exact bytes hcli put on the wire.

Script (JSON): a list of connection entries, or an object
{"connections": [...], "repeat": true|false}.  Accepted connection i uses
entry i; once the list is exhausted the last entry is reused, or with
"repeat": false further connections are closed at once.  An entry is a list
of exchanges:

    expect      "head" (default) | "head-only" | "body" | "none" | N (bytes)
    reply       string; code points 0-255 are the bytes (latin-1)
    reply_b64   base64 text   } at most one of reply / reply_b64 /
    reply_hex   hex text      } reply_hex
    reply_file  path (relative to the script's directory), sent after the above
    reply_repeat {"data": string, "count": N}, sent after the file
    chunks      list of strings, each one send() after a pause, sent last
    chunk_delay_ms  pause between chunks (default 50)
    delay_ms    pause before replying
    wait_conns  reply only once this many connections have been accepted
    wait_replies  reply only once this many replies (all connections) were sent,
                or cut short by the client
    then        "keep" (default) | "close" | "reset" | "hang"
    comment     ignored

"body" reads the body announced by the previous "head-only" head of the same
connection (Content-Length or chunked), e.g. after a scripted 100 Continue.
When an entry's exchanges are exhausted with "keep", the server waits: a
further (unscripted) request is recorded, then the connection is closed
cleanly without a reply.

Files in DIR: pid, port (written after listen(), via rename), conns (accept
count), log (one line per event), req-<conn>-<exchange> (the bytes read for
that exchange, created with its first byte: no file, no bytes).

With --tls-cert every connection is TLS (Python's ssl module: a TLS 1.3
server sends session tickets right after the handshake).  --tls-client-ca
asks for a client certificate (optional) and checks it against that CA.
tls-<conn> then says how the handshake went: "client certificate: CN" or
"client certificate: none", or "handshake failed: REASON".

Exit status: 0 at the end of the lifetime or on SIGTERM, 2 for a bad script,
1 when the socket cannot be set up.
"""

import base64
import binascii
import os
import socket
import ssl
import struct
import sys
import time
import traceback

import scriptserver
from scriptserver import ScriptError, ScriptedServer, number, read_json

MAX_HEAD = 16 << 20      # a request head larger than this is a client bug
MAX_LINE = 1 << 20       # chunk-size and trailer lines
DRAIN_SECONDS = 5.0      # how long a clean close waits for the client's FIN
RECV_SIZE = 256 * 1024

EXPECT_WORDS = ("head", "head-only", "body", "none")
THEN_WORDS = ("keep", "close", "reset", "hang")
EXCHANGE_KEYS = {
    "expect", "reply", "reply_b64", "reply_hex", "reply_file", "reply_repeat",
    "chunks", "chunk_delay_ms", "delay_ms", "wait_conns", "wait_replies", "then", "comment",
}
WAIT_STEP = 0.005        # how often a wait_conns / wait_replies wait looks again


class ClientGone(Exception):
    """The client closed or reset the connection."""


# ---------------------------------------------------------------- script

def latin1(value, where):
    return scriptserver.latin1(value, where, "; use reply_b64 or reply_hex")


def parse_exchange(ex, where, base_dir):
    if not isinstance(ex, dict):
        raise ScriptError(f"{where}: an exchange must be an object")
    unknown = set(ex) - EXCHANGE_KEYS
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")

    expect = ex.get("expect", "head")
    if isinstance(expect, bool) or not (expect in EXPECT_WORDS or
                                        (isinstance(expect, int) and expect >= 0)):
        raise ScriptError(f"{where}.expect: {expect!r} is not one of "
                          f"{', '.join(EXPECT_WORDS)} or a byte count")

    then = ex.get("then", "keep")
    if then not in THEN_WORDS:
        raise ScriptError(f"{where}.then: {then!r} is not one of {', '.join(THEN_WORDS)}")

    heads = [k for k in ("reply", "reply_b64", "reply_hex") if k in ex]
    if len(heads) > 1:
        raise ScriptError(f"{where}: use only one of {', '.join(heads)}")

    parts = []  # ("bytes", b) | ("file", path) | ("repeat", block, count)
    if "reply" in ex:
        parts.append(("bytes", latin1(ex["reply"], f"{where}.reply")))
    if "reply_b64" in ex:
        try:
            parts.append(("bytes", base64.b64decode(ex["reply_b64"], validate=True)))
        except (binascii.Error, TypeError, ValueError):
            raise ScriptError(f"{where}.reply_b64: not valid base64") from None
    if "reply_hex" in ex:
        try:
            parts.append(("bytes", bytes.fromhex(ex["reply_hex"])))
        except (TypeError, ValueError):
            raise ScriptError(f"{where}.reply_hex: not valid hex") from None
    if "reply_file" in ex:
        path = ex["reply_file"]
        if not isinstance(path, str) or not path:
            raise ScriptError(f"{where}.reply_file: expected a path")
        path = os.path.join(base_dir, path)
        if not os.path.isfile(path) or not os.access(path, os.R_OK):
            raise ScriptError(f"{where}.reply_file: {path}: not a readable file")
        parts.append(("file", path))
    if "reply_repeat" in ex:
        rep = ex["reply_repeat"]
        if not isinstance(rep, dict) or set(rep) != {"data", "count"}:
            raise ScriptError(f"{where}.reply_repeat: expected {{\"data\": ..., \"count\": N}}")
        data = latin1(rep["data"], f"{where}.reply_repeat.data")
        count = number(rep["count"], f"{where}.reply_repeat.count")
        if not data or not isinstance(count, int):
            raise ScriptError(f"{where}.reply_repeat: data must not be empty, count an integer")
        parts.append(("repeat", data, count))

    chunks = ex.get("chunks", [])
    if not isinstance(chunks, list):
        raise ScriptError(f"{where}.chunks: expected a list of strings")
    chunks = [latin1(c, f"{where}.chunks[{i}]") for i, c in enumerate(chunks)]

    return {
        "expect": expect,
        "then": then,
        "parts": parts,
        "chunks": chunks,
        "chunk_delay": number(ex.get("chunk_delay_ms", 50), f"{where}.chunk_delay_ms") / 1000,
        "delay": number(ex.get("delay_ms", 0), f"{where}.delay_ms") / 1000,
        "wait_conns": number(ex.get("wait_conns", 0), f"{where}.wait_conns"),
        "wait_replies": number(ex.get("wait_replies", 0), f"{where}.wait_replies"),
    }


def load_script(path):
    doc = read_json(path)

    repeat = True
    if isinstance(doc, dict):
        unknown = set(doc) - {"connections", "repeat", "comment"}
        if unknown:
            raise ScriptError(f"unknown top-level key(s) {', '.join(sorted(unknown))}")
        repeat = doc.get("repeat", True)
        if not isinstance(repeat, bool):
            raise ScriptError("repeat: expected true or false")
        doc = doc.get("connections")
    if not isinstance(doc, list):
        raise ScriptError("expected a list of connections (or {\"connections\": [...]})")
    if not doc and repeat:
        raise ScriptError("no connections scripted (use \"repeat\": false to refuse all)")

    base_dir = os.path.dirname(os.path.abspath(path))
    conns = []
    for ci, entry in enumerate(doc):
        if not isinstance(entry, list):
            raise ScriptError(f"connection {ci}: expected a list of exchanges")
        conns.append([parse_exchange(ex, f"connection {ci} exchange {xi}", base_dir)
                      for xi, ex in enumerate(entry)])
    return conns, repeat


# ---------------------------------------------------------------- server

class Server(ScriptedServer):
    def __init__(self, args, conns, repeat):
        super().__init__(args, conns, repeat, Connection)
        self.tls = tls_context(args)


class Connection:
    def __init__(self, server, sock, idx, script):
        self.srv = server
        self.sock = sock
        self.idx = idx
        self.script = script
        self.buf = bytearray()   # received but not yet consumed by an exchange
        self.rec_path = None     # record file of the current exchange
        self.rec = None          # ... once it is open
        self.ex = None
        self.pending_body = None  # framing of a head read with "head-only"
        # small scripted chunks must leave as separate segments, at once
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log(self, msg):
        self.srv.log(msg, self.idx, self.ex)

    # -- reading: every consumed byte goes to the record file unchanged

    def fill(self, size=RECV_SIZE):
        try:
            data = self.sock.recv(size)
        except OSError as e:
            raise ClientGone(f"receive failed: {e}") from None
        if not data:
            raise ClientGone("client closed")
        self.buf += data

    def consume(self, n):
        if n == len(self.buf):  # the common case for bodies: no slicing copy
            data, self.buf = bytes(self.buf), bytearray()
        else:
            data = bytes(self.buf[:n])
            del self.buf[:n]
        if self.rec_path and data:
            if not self.rec:
                # unbuffered: what arrived is on disk even if the client vanishes
                self.rec = open(self.rec_path, "wb", buffering=0)
            self.rec.write(data)
        return data

    def read_exact(self, n):
        """Consume n bytes without holding them all (uploads may be large)."""
        while n > 0:
            if not self.buf:
                self.fill(min(n, RECV_SIZE))
            k = min(n, len(self.buf))
            self.consume(k)
            n -= k

    def read_through(self, delim, limit):
        start = 0
        while True:
            pos = self.buf.find(delim, start)
            if pos >= 0:
                return self.consume(pos + len(delim))
            if len(self.buf) > limit:
                raise ClientGone(f"no {delim!r} within {limit} bytes")
            start = max(0, len(self.buf) - len(delim) + 1)
            self.fill()

    def read_head(self):
        head = self.read_through(b"\r\n\r\n", MAX_HEAD)
        length, chunked = None, False
        for line in head.split(b"\r\n")[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                continue
            name, value = name.strip().lower(), value.strip()
            if name == b"transfer-encoding":
                chunked = value.lower().split(b",")[-1].strip() == b"chunked"
            elif name == b"content-length" and length is None:
                try:
                    length = int(value.split(b",")[0])
                except ValueError:
                    self.log(f"unparsable Content-Length {value!r}")
        # RFC 9112 §6.3: Transfer-Encoding overrides Content-Length
        if chunked:
            return ("chunked",)
        if length:
            return ("length", length)
        return None

    def read_body(self, framing):
        if framing is None:
            return
        if framing[0] == "length":
            self.read_exact(framing[1])
            return
        while True:
            line = self.read_through(b"\n", MAX_LINE)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.log(f"bad chunk-size line {line!r}: body left unread")
                return
            if size == 0:
                break
            self.read_exact(size)
            if self.read_through(b"\n", MAX_LINE).strip():
                self.log("chunk data not followed by CRLF")
        while self.read_through(b"\n", MAX_LINE).strip():  # trailers
            pass

    def read_request(self, expect):
        if expect == "head":
            self.read_body(self.read_head())
        elif expect == "head-only":
            self.pending_body = self.read_head()
        elif expect == "body":
            framing, self.pending_body = self.pending_body, None
            self.read_body(framing)
        else:
            self.read_exact(expect)

    def open_record(self, n):
        # created with the first byte: no file means the client sent nothing
        self.rec_path = os.path.join(self.srv.dir, f"req-{self.idx}-{n}")

    def close_record(self):
        if self.rec:
            self.log(f"recorded {self.rec.tell()} bytes")
            self.rec.close()
            self.rec = None
        elif self.rec_path:
            self.log("recorded nothing")
        self.rec_path = None

    # -- writing

    def send_reply(self, ex):
        sent = 0
        for part in ex["parts"]:
            if part[0] == "bytes":
                self.sock.sendall(part[1])
                sent += len(part[1])
            elif part[0] == "file":
                with open(part[1], "rb") as f:
                    sent += self.sock.sendfile(f)
            else:
                _, data, count = part
                per = max(1, RECV_SIZE // len(data))
                block = data * per
                full, rest = divmod(count, per)
                for _ in range(full):
                    self.sock.sendall(block)
                self.sock.sendall(data * rest)
                sent += len(data) * count
        for i, chunk in enumerate(ex["chunks"]):
            if i:
                time.sleep(ex["chunk_delay"])
            self.sock.sendall(chunk)
            sent += len(chunk)
        self.log(f"sent {sent} bytes")

    # -- endings

    def drain(self, seconds, sink=None):
        """Read until the client closes, so close() sends FIN, not RST."""
        got = 0
        self.sock.settimeout(seconds)
        try:
            while True:
                data = self.sock.recv(RECV_SIZE)
                if not data:
                    break
                got += len(data)
                if sink:
                    sink.write(data)
        except OSError:
            pass
        return got

    def close_cleanly(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        remaining = max(0.0, min(DRAIN_SECONDS, self.srv.deadline - time.monotonic()))
        got = self.drain(remaining) + len(self.buf)
        self.log(f"closed cleanly ({got} bytes unread)" if got else "closed cleanly")

    def reset(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.log("reset")

    def hang(self):
        self.log("hanging")
        # blocks until the client closes; the lifetime bounds it
        got = self.drain(None)
        self.log(f"client closed while hanging ({got} bytes unread)")

    def unscripted(self, n):
        """Script exhausted with "keep": record a further request, then close."""
        self.ex = n
        if not self.buf:
            try:
                self.fill()
            except ClientGone as e:
                self.log(f"{e} (end of script)")
                return
        self.open_record(n)
        self.consume(len(self.buf))
        self.log("unscripted request: closing without reply")
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.drain(DRAIN_SECONDS, self.rec)
        self.close_record()

    def handshake(self):
        """TLS: the handshake, and what the client presented, in tls-<conn>."""
        try:
            self.sock = self.srv.tls.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.srv.write_atomic(f"tls-{self.idx}", f"handshake failed: {e}\n")
            raise ClientGone(f"TLS handshake failed: {e}") from None
        peer = self.sock.getpeercert() or {}
        cn = [v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"]
        seen = cn[0] if cn else "none"
        self.srv.write_atomic(f"tls-{self.idx}", f"client certificate: {seen}\n")
        self.log(f"TLS {self.sock.version()}, client certificate: {seen}")

    def run(self):
        try:
            if self.srv.tls:
                self.handshake()
            self.exchanges()
        except ClientGone as e:
            self.log(str(e))
        except OSError as e:
            self.log(f"socket error: {e}")
        except Exception:  # keep serving other connections; say why in the log
            self.log("internal error: " + traceback.format_exc().replace("\n", " | "))
        finally:
            self.close_record()
            self.sock.close()

    def wait_for(self, ex):
        """wait_conns / wait_replies: a client that never gets there waits until
        the lifetime ends (the test's time limit fails it)."""
        conns, replies = ex["wait_conns"], ex["wait_replies"]
        if not conns and not replies:
            return
        while (self.srv.accepted < conns or getattr(self.srv, "replies", 0) < replies):
            if self.srv.remaining() <= 0:
                raise ClientGone("lifetime over while waiting")
            time.sleep(WAIT_STEP)
        self.log(f"waited for {conns} connections, {replies} replies")

    def exchanges(self):
        for n, ex in enumerate(self.script):
            self.ex = n
            if ex["expect"] != "none":
                self.open_record(n)
                try:
                    self.read_request(ex["expect"])
                finally:
                    self.close_record()
            self.wait_for(ex)
            if ex["delay"]:
                time.sleep(ex["delay"])
            try:
                self.send_reply(ex)
            finally:  # sent, or given up by the client: counted for wait_replies
                with self.srv.log_lock:
                    self.srv.replies = getattr(self.srv, "replies", 0) + 1
            then = ex["then"]
            if then == "close":
                return self.close_cleanly()
            if then == "reset":
                return self.reset()
            if then == "hang":
                return self.hang()
        self.unscripted(len(self.script))


def tls_context(args):
    if not args.tls_cert:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    if args.tls_client_ca:
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(args.tls_client_ca)
    if args.tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def main():
    ap = scriptserver.arguments("scripted raw HTTP server (hcli tests)")
    ap.add_argument("--tls-client-ca")
    ap.add_argument("--tls-max", choices=("1.2", "1.3"))
    args = ap.parse_args()

    return scriptserver.run("rawserver", args, load_script,
                            lambda conns, repeat: Server(args, conns, repeat))

if __name__ == "__main__":
    sys.exit(main())
