#!/usr/bin/env bash
# A reader that lets a command's standard output fill up (tests/helpers/README.md).

# slow_reader [--blocking] CMD...: CMD's standard output is a non-blocking pipe (with
# --blocking, a blocking one) that this reader lets fill up (to within a page) before each read
# of a pipe's worth, so CMD meets a full pipe (EAGAIN when non-blocking) again and again.
# Prints "FULL-TIMES SHA256 EXIT-STATUS".
slow_reader() {
	python3 - "$@" <<'EOF'
import fcntl, hashlib, os, struct, subprocess, sys, termios, time
r, w = os.pipe()
cmd = sys.argv[1:]
if cmd[0] == "--blocking":
    cmd = cmd[1:]
else:
    fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
size = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w)
os.close(w)
def pending():
    return struct.unpack("i", fcntl.ioctl(r, termios.FIONREAD, b"\0" * 4))[0]
h, full, deadline = hashlib.sha256(), 0, time.monotonic() + 60
while True:
    while pending() < size - 4096 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)  # bounded poll for the pipe to fill
    full += pending() >= size - 4096
    data = os.read(r, size)
    if not data:
        break
    h.update(data)
print(full, h.hexdigest(), p.wait())
EOF
}
