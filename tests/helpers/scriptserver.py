"""What the scripted test servers share (rawserver.py, h2server.py).

The script file read as JSON, script value checks, the accept loop with
its lifetime and connection count, the log and the files the tests read
(written atomically), and main's tail: listen on a free port of one
loopback address, say so through the ready FIFO, serve until the lifetime
is over. Each server brings its script loader and its Connection class.
"""

import argparse
import json
import os
import sys
import signal
import socket
import threading
import time


class ScriptError(Exception):
    pass


def latin1(value, where, hint=""):
    if not isinstance(value, str):
        raise ScriptError(f"{where}: expected a string")
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        raise ScriptError(f"{where}: code points above U+00FF are not bytes{hint}") from None


def number(value, where, minimum=0):
    # bool is an int in Python; a script saying true there is a mistake
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ScriptError(f"{where}: expected a number >= {minimum}")
    return value


def read_json(path):
    """The script file's JSON document; a file that cannot be read or parsed is a ScriptError."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except OSError as e:
        raise ScriptError(f"{path}: {e.strerror}") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise ScriptError(f"{path}: not valid JSON: {e}") from None


def notify(fifo, text):
    """Tell the starting shell we are ready (or not) without making it poll."""
    if not fifo:
        return
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # nobody is listening any more
    try:
        os.write(fd, text.encode() + b"\n")
    finally:
        os.close(fd)


class ScriptedServer:
    """Accepts until the lifetime is over; connection idx runs script idx
    (the last one again when repeat) as connection(self, sock, idx, script)
    on a thread of its own. sub names log()'s second level (exchange, stream)."""

    sub = "ex"

    def __init__(self, args, conns, repeat, connection):
        self.dir = args.dir
        self.conns = conns
        self.repeat = repeat
        self.connection = connection
        self.started = time.monotonic()
        self.deadline = self.started + args.lifetime
        self.accepted = 0
        # re-entrant: the SIGTERM handler may log while the main thread holds it
        self.log_lock = threading.RLock()
        self.log_file = open(self.path("log"), "a", buffering=1)

    def log(self, msg, conn=None, sub=None):
        where = "" if conn is None else f"conn={conn} " + ("" if sub is None else f"{self.sub}={sub} ")
        with self.log_lock:
            self.log_file.write(f"{time.monotonic() - self.started:.3f} {where}{msg}\n")

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_atomic(self, name, text):
        tmp = self.path(name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.path(name))

    def remaining(self):
        return max(0.0, self.deadline - time.monotonic())

    def serve(self, listener):
        while True:
            remaining = self.remaining()
            if remaining <= 0:
                break
            listener.settimeout(remaining)
            try:
                sock, peer = listener.accept()
            except socket.timeout:
                break
            except OSError as e:  # e.g. the client reset before accept()
                self.log(f"accept failed: {e}")
                continue
            idx = self.accepted
            self.accepted += 1
            self.write_atomic("conns", f"{self.accepted}\n")
            self.log(f"accept from {peer[0]} port {peer[1]}", idx)
            # blocking (a TLS handshake); the connection may change that
            sock.settimeout(None)
            if idx < len(self.conns):
                script = self.conns[idx]
            elif self.repeat:
                script = self.conns[-1]
            else:
                self.log("not scripted (repeat false): close", idx)
                sock.close()
                continue
            threading.Thread(target=self.connection(self, sock, idx, script).run,
                             daemon=True).start()
        self.log("lifetime over")


def arguments(description):
    """The options every scripted server takes; the caller adds its own."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--script", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--ready-fifo")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    return ap


def run(name, args, load_script, make_server):
    """main's tail: load the script, listen, announce, serve; exits the process."""
    try:
        conns, repeat = load_script(args.script)
    except ScriptError as e:
        print(f"{name}: bad script: {e}", file=sys.stderr)
        notify(args.ready_fifo, "error")
        return 2
    try:
        os.makedirs(args.dir, exist_ok=True)
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((args.host, 0))
        listener.listen(128)
    except OSError as e:
        print(f"{name}: cannot listen on {args.host}: {e}", file=sys.stderr)
        notify(args.ready_fifo, "error")
        return 1

    server = make_server(conns, repeat)

    def on_term(signum, frame):
        server.log("terminated")
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    port = listener.getsockname()[1]
    server.write_atomic("pid", f"{os.getpid()}\n")
    server.write_atomic("port", f"{port}\n")
    server.log(f"listening on {args.host} port {port}")
    notify(args.ready_fifo, str(port))
    server.serve(listener)
    # connection threads may still block in recv or sleep: do not wait for them
    os._exit(0)
