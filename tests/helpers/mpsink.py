#!/usr/bin/env python3
"""A one-connection sink for multipart uploads (tests/multipart.bats).

Reads one request with a Content-Length body into DIR/body, then answers
200 "ok\\n" and writes DIR/parts: one line per part, "name filename type
size sha256" (filename and type "-" when absent). With --stall N it stops
reading after N body bytes, writes a line into the FIFO DIR/stalled and reads
a line from the FIFO DIR/go before it reads on: the test changes the file in
between, while the client is blocked sending. Whatever arrived is in
DIR/body; DIR/result says "complete" or "short N" (bytes of the body).
"""
import argparse
import hashlib
import os
import re
import signal
import socket
import sys


def parse_parts(head, body):
    m = re.search(rb'boundary="?([^";\r\n]+)"?', head, re.I)
    if not m:
        return ["no boundary"]
    delim = b"--" + m.group(1)
    out = []
    pieces = body.split(b"\r\n" + delim)
    first = pieces[0]
    if not first.startswith(delim + b"\r\n"):
        return ["bad start"]
    pieces[0] = first[len(delim):]
    if pieces[-1] != b"--\r\n":
        return ["bad end"]
    for p in pieces[:-1]:
        if not p.startswith(b"\r\n"):
            return ["bad delimiter"]
        h, sep, data = p[2:].partition(b"\r\n\r\n")
        if not sep:
            return ["bad part head"]
        name = re.search(rb'; name="([^"]*)"', h)
        fn = re.search(rb'; filename="([^"]*)"', h)
        ty = re.search(rb"\r\nContent-Type: ([^\r]*)", b"\r\n" + h, re.I)
        out.append("%s %s %s %d %s" % (
            name.group(1).decode() if name else "-",
            fn.group(1).decode() if fn else "-",
            ty.group(1).decode() if ty else "-",
            len(data), hashlib.sha256(data).hexdigest()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--stall", type=int, default=0)
    ap.add_argument("--lifetime", type=int, default=120)
    ap.add_argument("--ready-fifo", required=True)
    a = ap.parse_args()
    signal.alarm(a.lifetime)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    with open(a.ready_fifo, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    c, _ = ls.accept()
    c.settimeout(a.lifetime)
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            open(os.path.join(a.dir, "result"), "w").write("no head\n")
            return
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    m = re.search(rb"\r\nContent-Length: *([0-9]+)", head, re.I)
    length = int(m.group(1)) if m else -1
    got = len(rest)
    bodyf = open(os.path.join(a.dir, "body"), "wb")
    bodyf.write(rest)
    stalled = a.stall == 0
    while length < 0 or got < length:
        if not stalled and got >= a.stall:
            stalled = True
            with open(os.path.join(a.dir, "stalled"), "w") as f:
                f.write("stalled\n")
            with open(os.path.join(a.dir, "go")) as f:
                f.readline()
        d = c.recv(1 << 20)
        if not d:
            break
        bodyf.write(d)
        got += len(d)
    bodyf.close()
    with open(os.path.join(a.dir, "head"), "wb") as f:
        f.write(head + b"\r\n\r\n")
    if got != length:
        open(os.path.join(a.dir, "result"), "w").write("short %d\n" % got)
        return
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
    with open(os.path.join(a.dir, "body"), "rb") as f:
        body = f.read()
    with open(os.path.join(a.dir, "parts"), "w") as f:
        f.write("".join(line + "\n" for line in parse_parts(head, body)))
    open(os.path.join(a.dir, "result"), "w").write("complete\n")
    try:
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
