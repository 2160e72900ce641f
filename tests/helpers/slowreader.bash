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

# closed_reader_fails SECONDS CMD...: CMD's standard output is a pipe whose reader takes one
# byte and goes away; CMD must end with 23 within SECONDS, the byte being 'x', with at most
# one line on standard error (kept in $T/err).
closed_reader_fails() {
	local tmo=$1 st
	shift
	set +e
	timeout -k 2 "$tmo" "$@" </dev/null 2>"$T/err" | head -c1 >"$T/first"
	st=${PIPESTATUS[0]}
	set -e
	assert_equal "$st" 23
	assert_bytes "$T/first" 'x'
	(($(wc -l <"$T/err") <= 1)) || fail "stderr: $(cat "$T/err")"
}
