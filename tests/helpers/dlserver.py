#!/usr/bin/env python3
"""Download test server: files from --root with the headers downloads care about.

GET /f/NAME serves ROOT/NAME with ETag, Last-Modified (--mtime, an HTTP
date), Accept-Ranges, and honours Range: bytes=N- (206, or 416 with
Content-Range: */SIZE), If-Range, If-None-Match and If-Modified-Since /
If-Unmodified-Since (304 / 412).  Query parameters change one answer:

  cd=VALUE     a Content-Disposition field with VALUE (percent-decoded as
               Latin-1, so that any byte can be sent)
  norange=1    Range is ignored: always 200 with the whole file
  bad416=N     a Range request gets 416 with Content-Range: */N
  badrange=N   a Range request gets 206 whose Content-Range starts at N
  cut=N        the connection closes after N body bytes
  stall=N      after N body bytes nothing more is sent (the client is killed)
  status=NNN   this status, with the file as its body

Any other path gets 200 "hello\n" (cd= works there too).

Every request line and its Range, If-* fields go to DIR/requests, one line
each: "GET /f/x range=bytes=5- if-none-match=- ...".
"""
import argparse
import email.utils
import hashlib
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dlserver"

    def log_message(self, *args):
        pass

    def record(self):
        fields = ["range", "if-range", "if-none-match", "if-modified-since", "if-unmodified-since"]
        line = "%s %s %s\n" % (self.command, self.path,
                               " ".join("%s=%s" % (f, self.headers.get(f, "-")) for f in fields))
        with self.server.lock, open(os.path.join(self.server.dir, "requests"), "a") as f:
            f.write(line)

    def do_GET(self):
        self.record()
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True, encoding="latin-1"))
        path = urllib.parse.unquote(url.path)
        if not path.startswith("/f/"):
            return self.answer(200, b"hello\n", {"Content-Disposition": q["cd"]} if "cd" in q else {}, q)
        name = path[3:]
        full = os.path.join(self.server.root, name)
        if "/" in name or not os.path.isfile(full):
            return self.answer(404, b"no such file\n", {})
        with open(full, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        mtime = self.server.mtime
        hdrs = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
                "Accept-Ranges": "bytes"}
        if "cd" in q:
            hdrs["Content-Disposition"] = q["cd"]
        if "status" in q:
            return self.answer(int(q["status"]), data, hdrs, q)
        inm = self.headers.get("If-None-Match")
        if inm is not None and inm == etag:
            return self.answer(304, b"", hdrs, q, body_allowed=False)
        ims = self.headers.get("If-Modified-Since")
        if ims and inm is None:
            t = email.utils.parsedate_to_datetime(ims).timestamp()
            if mtime <= t:
                return self.answer(304, b"", hdrs, q, body_allowed=False)
        ius = self.headers.get("If-Unmodified-Since")
        if ius:
            t = email.utils.parsedate_to_datetime(ius).timestamp()
            if mtime > t:
                return self.answer(412, b"modified\n", hdrs, q)
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range not in (etag, hdrs["Last-Modified"]):
            rng = None
        if rng and "norange" not in q and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if "bad416" in q:
                return self.answer(416, b"", dict(hdrs, **{"Content-Range": "bytes */%s" % q["bad416"]}), q)
            if start >= len(data):
                return self.answer(416, b"", dict(hdrs, **{"Content-Range": "bytes */%d" % len(data)}), q)
            first = int(q.get("badrange", start))
            hdrs["Content-Range"] = "bytes %d-%d/%d" % (first, len(data) - 1, len(data))
            return self.answer(206, data[start:], hdrs, q)
        return self.answer(200, data, hdrs, q)

    def answer(self, status, body, hdrs, q=None, body_allowed=True):
        q = q or {}
        self.send_response_only(status)
        for k, v in hdrs.items():
            self.send_header(k, v)  # latin-1: a test can send any byte in a field
        if body_allowed:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if "cut" in q or "stall" in q:
            n = int(q.get("cut", q.get("stall")))
            self.wfile.write(body[:n])
            self.wfile.flush()
            if "stall" in q:
                time.sleep(self.server.lifetime)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)
        self.wfile.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mtime", default="Tue, 13 Jun 2000 12:10:00 GMT")
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--ready-fifo")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.root, srv.dir, srv.lifetime = a.root, a.dir, a.lifetime
    srv.mtime = email.utils.parsedate_to_datetime(a.mtime).timestamp()
    srv.lock = threading.Lock()
    port = srv.server_address[1]
    with open(os.path.join(a.dir, "port"), "w") as f:
        f.write("%d\n" % port)
    if a.ready_fifo:
        with open(a.ready_fifo, "w") as f:
            f.write("%d\n" % port)
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
