# A pseudo-terminal for commands that ask the user something.  Load it with
# `load helpers/tty` after helpers/common.
#
#   tty_answer PROMPT ANSWER CMD...
#       Run CMD in a new session whose controlling terminal is a fresh
#       pseudo-terminal (standard input, output and error all on it).  When
#       PROMPT (a fixed string) has appeared on the terminal, type ANSWER and
#       Enter, once.  Everything CMD wrote to the terminal goes to standard
#       output; the exit status is CMD's (124 when it still runs after 20 s;
#       it is then killed).  The terminal echoes nothing a program turned echo
#       off for, so a typed password shows up only if CMD failed to.

tty_answer() {
	python3 -c '
import os, pty, select, signal, sys, time
prompt, answer, argv = sys.argv[1].encode(), sys.argv[2].encode() + b"\n", sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
seen, sent, status = b"", False, None
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child side is closed
            data = b""
        if data:
            seen += data
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    if not sent and prompt in seen:
        os.write(fd, answer)
        sent = True
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
while status is not None:  # what the child wrote just before it exited
    ready, _, _ = select.select([fd], [], [], 0)
    try:
        data = os.read(fd, 4096) if ready else b""
    except OSError:
        data = b""
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(124)
sys.exit(os.waitstatus_to_exitcode(status) & 255)
' "$@"
}
