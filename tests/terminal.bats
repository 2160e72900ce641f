#!/usr/bin/env bats
# Colour and progress (SPEC.md, Output): what a real pseudo-terminal gets
# (script(1) and tmux), and that pipes and files get neither unless
# --color=always asks for colour.  Status line bold and coloured by class,
# field names cyan, -v prefixes dim; --color=auto|always|never, NO_COLOR.
# Progress on a terminal's standard error for transfers that outlast 1 s.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	TTY_ENV=()
	TMUX_SOCK=
}

teardown() {
	# our own tmux server only, by its socket
	[[ -z $TMUX_SOCK || ! -S $TMUX_SOCK ]] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	harness_teardown
}

E=$'\e'

# hcli on a pseudo-terminal (script(1) from util-linux): whatever reaches the
# terminal in $T/tty, the exit code in $status.  REDIRS (shell text, e.g.
# ">$T/out") sends standard output or error elsewhere.  The environment has
# TERM set, NO_COLOR unset, plus TTY_ENV.  ONLCR is off so the bytes are
# hcli's own.
tty_exec() { # REDIRS ARGS...
	local redirs=$1 cmd
	shift
	cmd="stty -onlcr; exec $(printf '%q ' env -u NO_COLOR TERM=xterm-256color "${TTY_ENV[@]}" "$HCLI" "$@")$redirs"
	status=0
	timeout -k 2 20 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
}

# hcli with standard output a pipe (to cat) into $T/out, stderr in $T/err.
pipe_run() {
	set +e
	timeout -k 2 20 env -u NO_COLOR "${TTY_ENV[@]}" "$HCLI" "$@" </dev/null 2>"$T/err" | cat >"$T/out"
	status=${PIPESTATUS[0]}
	set -e
}

assert_no_escape() { # FILE
	! grep -q "$E" "$1" || fail "$1 has an escape sequence: $(od -An -c "$1" | head -20)"
}

OK_2='HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi'
# the same, coloured: bold green status line, cyan field names
OK_2_COLOUR='\e[1;32mHTTP/1.1 200 OK\e[0m\n\e[36mX-A\e[0m: 1\n\e[36mContent-Length\e[0m: 2\n\nhi'
OK_2_PLAIN='HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi'

# Three pieces of a 30-byte Content-Length body, 600 ms apart: 1.2 s in all.
SLOW_30='[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", "chunks": ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"], "chunk_delay_ms": 600}]]'

# --- colour ---------------------------------------------------------------------

@test "terminal: the status line bold and coloured by class, field names cyan" {
	local row json=''
	# status line | SGR of the status line
	local rows=(
		'200 OK|1;32'
		'204 No Content|1;32'
		'299 Custom|1;32'
		'301 Moved Permanently|1;36'
		'304 Not Modified|1;36'
		'400 Bad Request|1;33'
		'404 Not Found|1;33'
		'500 Internal Server Error|1;31'
		'503 Service Unavailable|1;31'
	)
	for row in "${rows[@]}"; do
		json+="${json:+,}[{\"reply\": \"HTTP/1.1 ${row%%|*}\\r\\nContent-Length: 0\\r\\n\\r\\n\"}]"
	done
	raw_start - <<<"{\"repeat\": false, \"connections\": [$json]}"
	for row in "${rows[@]}"; do
		tty_exec '' -p h "$RAW_URL/"
		assert_equal "${row%%|*}: $status" "${row%%|*}: 0"
		assert_bytes "$T/tty" '\e[%smHTTP/1.1 %s\e[0m\n\e[36mContent-Length\e[0m: 0\n\n' "${row#*|}" "${row%%|*}"
	done
}

@test "terminal: the whole -i output, the body bytes unchanged, a newline after a body without one" {
	raw_reply "$OK_2"
	tty_exec '' -i "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" "$OK_2_COLOUR\n"
}

@test "terminal: a body without a final newline gets one; one with it, an empty one, a pipe or a file get none" {
	local row reply want
	# reply body | what the terminal gets after the head (printf format)
	for row in 'hi|hi\n' 'hi\n|hi\n' '|' 'a\nb|a\nb\n'; do
		IFS='|' read -r reply want <<<"$row"
		# shellcheck disable=SC2059 # the body is a printf format on purpose
		raw_reply "HTTP/1.1 200 OK\r\nContent-Length: $(printf "$reply" | wc -c)\r\n\r\n$reply"
		tty_exec '' --body "$RAW_URL/"
		assert_equal "$row: $status" "$row: 0"
		assert_bytes "$T/tty" "$want"
		raw_stop
	done
	raw_reply "$OK_2"
	pipe_run "$RAW_URL/"
	assert_bytes "$T/out" 'hi'
	tty_exec '' -o "$T/file" "$RAW_URL/"
	assert_bytes "$T/file" 'hi'
}

@test "terminal: --color=never, NO_COLOR=1 turn colour off; --color, --color=always, an empty NO_COLOR do not" {
	local row opt env want
	raw_reply "$OK_2"
	# option | environment | output
	for row in \
		"--color=never||$OK_2_PLAIN" \
		"|NO_COLOR=1|$OK_2_PLAIN" \
		"--color=auto|NO_COLOR=1|$OK_2_PLAIN" \
		"--color=never|NO_COLOR=|$OK_2_PLAIN" \
		"--color=auto||$OK_2_COLOUR" \
		"|NO_COLOR=|$OK_2_COLOUR" \
		"--color=always|NO_COLOR=1|$OK_2_COLOUR" \
		"--color|NO_COLOR=1|$OK_2_COLOUR"; do
		IFS='|' read -r opt env want <<<"$row"
		TTY_ENV=(${env:+"$env"})
		tty_exec '' ${opt:+"$opt"} -i "$RAW_URL/"
		assert_equal "$opt $env: $status" "$opt $env: 0"
		assert_bytes "$T/tty" "$want\n"
	done
}

@test "terminal: -v prefixes dimmed on a terminal's standard error, plain in a file" {
	local line n=0
	raw_reply "$OK_2"
	# standard error the terminal, standard output a file
	tty_exec ">$T/out" -v "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hi'
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line =~ ^$E\[2m[*\<\>]\ $E\[0m ]] || fail "line $n not dim-prefixed: $(printf '%q' "$line")"
	done <"$T/tty"
	grep -qF "${E}[2m> ${E}[0mGET / HTTP/1.1" "$T/tty" || fail "no dim request line: $(od -c "$T/tty" | head)"
	grep -qF "${E}[2m< ${E}[0mHTTP/1.1 200 OK" "$T/tty" || fail "no dim response line: $(od -c "$T/tty" | head)"
	((n >= 8)) || fail "only $n trace lines"

	# standard output the terminal, standard error a file: the head coloured, the trace plain
	tty_exec "2>$T/err" -v -i "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" "$OK_2_COLOUR\n"
	assert_no_escape "$T/err"
	grep -qx '> GET / HTTP/1.1' "$T/err" || fail "no plain request line: $(cat "$T/err")"

	# NO_COLOR and --color=never: the trace is plain on the terminal too
	TTY_ENV=(NO_COLOR=1)
	tty_exec ">$T/out" -v "$RAW_URL/"
	assert_equal "$status" 0
	assert_no_escape "$T/tty"
	TTY_ENV=()
	tty_exec ">$T/out" --color=never -v "$RAW_URL/"
	assert_equal "$status" 0
	assert_no_escape "$T/tty"
}

@test "terminal: -v with standard output and error on one terminal shows each head once, in the trace" {
	local args n
	raw_reply "$OK_2"
	for args in "-v" "-v -p hb" "-v -p HBhb"; do
		# shellcheck disable=SC2086 # args is a word list
		tty_exec "" --color=never $args "$RAW_URL/"
		assert_equal "$args: $status" "$args: 0"
		n=$(grep -c 'HTTP/1.1 200 OK' "$T/tty")
		assert_equal "$args: response heads $n" "$args: response heads 1"
		n=$(grep -c 'GET / HTTP/1.1' "$T/tty")
		assert_equal "$args: request heads $n" "$args: request heads 1"
		grep -qx '< HTTP/1.1 200 OK' "$T/tty" || fail "$args: no traced status line: $(cat "$T/tty")"
		grep -q '^hi' "$T/tty" || fail "$args: no body: $(cat "$T/tty")"
	done
	# standard output a pipe: the head printed there and traced on the terminal, as before
	tty_exec " | cat >$T/out" --color=never -v -p hb "$RAW_URL/"
	grep -qx 'HTTP/1.1 200 OK' "$T/out" || fail "no head on standard output: $(cat "$T/out")"
	grep -qx '< HTTP/1.1 200 OK' "$T/tty" || fail "no traced head: $(cat "$T/tty")"
}

@test "pipes: no colour by default or with --color=auto; --color and --color=always colour" {
	local row opt
	raw_reply "$OK_2"
	# option | output
	for row in \
		"|$OK_2_PLAIN" \
		"--color=auto|$OK_2_PLAIN" \
		"--color=never|$OK_2_PLAIN" \
		"--color=always|$OK_2_COLOUR" \
		"--color|$OK_2_COLOUR"; do
		opt=${row%%|*}
		pipe_run ${opt:+"$opt"} -i "$RAW_URL/"
		assert_equal "$opt: $status" "$opt: 0"
		assert_bytes "$T/out" "${row#*|}"
	done
	# NO_COLOR does not override an explicit always
	TTY_ENV=(NO_COLOR=1)
	pipe_run --color=always -i "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" "$OK_2_COLOUR"
}

@test "pipes: the -v trace is plain on a pipe or file, dim with --color=always" {
	raw_reply "$OK_2"
	pipe_run -v -i "$RAW_URL/"
	assert_equal "$status" 0
	assert_no_escape "$T/err"
	assert_no_escape "$T/out"
	grep -qx '< HTTP/1.1 200 OK' "$T/err" || fail "$(cat "$T/err")"
	pipe_run --color=always -v --body "$RAW_URL/"
	assert_equal "$status" 0
	grep -qF "${E}[2m< ${E}[0mHTTP/1.1 200 OK" "$T/err" || fail "$(od -c "$T/err" | head)"
	assert_bytes "$T/out" 'hi'
}

@test "--color=WHEN other than auto, always, never: usage error, exit 2" {
	run -2 hcli --color=sometimes http://127.0.0.1:1/
	assert_line --index 0 --partial 'hcli: Usage: '
	assert_line --index 0 --partial 'sometimes'
	run -2 hcli --color= http://127.0.0.1:1/
}

@test "tmux: capture-pane shows the status line bold green and cyan field names" {
	TMUX_SOCK=$T/tmux.sock
	raw_reply 'HTTP/1.1 201 Created\r\nX-Name: v\r\nContent-Length: 5\r\n\r\nbody\n'
	printf 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 100\n' >"$T/tmux.conf"
	tmux -S "$TMUX_SOCK" -f "$T/tmux.conf" new-session -d -x 100 -y 20 -s hcli \
		"$(printf '%q ' env -u NO_COLOR TERM=xterm-256color "$HCLI" -i "$RAW_URL/"); tmux -S $(printf '%q' "$TMUX_SOCK") wait-for -S hcli-done"
	timeout 15 tmux -S "$TMUX_SOCK" wait-for hcli-done
	tmux -S "$TMUX_SOCK" capture-pane -p -e -S - -E - -t hcli >"$T/pane"
	tmux -S "$TMUX_SOCK" capture-pane -p -S - -E - -t hcli >"$T/plain"
	# the text as printed
	run grep -c . "$T/plain"
	grep -qx 'HTTP/1.1 201 Created' "$T/plain" || fail "$(cat "$T/plain")"
	grep -qx 'X-Name: v' "$T/plain" || fail "$(cat "$T/plain")"
	grep -qx 'body' "$T/plain" || fail "$(cat "$T/plain")"
	# tmux re-renders attributes in its own form: bold and green, in either order
	grep -qE "^($E\[1m$E\[32m|$E\[32m$E\[1m|$E\[1;32m)HTTP/1.1 201 Created" "$T/pane" ||
		fail "status line not bold green: $(od -c "$T/pane" | head -20)"
	grep -qE "^($E\[[0-9;]*m)*$E\[36m($E\[[0-9;]*m)*X-Name$E\[(39|0)m: v\$" "$T/pane" ||
		fail "field name not cyan: $(od -c "$T/pane" | head -20)"
	# the body is not coloured
	grep -qx 'body' "$T/pane" || fail "body line has escapes: $(od -c "$T/pane" | head -20)"
}

# --- progress -------------------------------------------------------------------

# Every update in FILE is CLEAR + a line matching REGEX, and the file ends with
# CLEAR: nothing else.  Prints the number of updates.
progress_updates() { # FILE REGEX
	python3 - "$1" "$2" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
clear = "\r\x1b[K"
assert data.endswith(clear), "does not end with the clear sequence: %r" % data[-60:]
parts = data[:-len(clear)].split(clear)
assert parts[0] == "", "bytes before the first update: %r" % parts[0]
updates = parts[1:]
assert updates, "no progress update: %r" % data
for u in updates:
    assert re.fullmatch(sys.argv[2], u), "update %r does not match %r" % (u, sys.argv[2])
print(len(updates))
EOF
}

@test "progress: a Content-Length download over 1 s on a terminal: 'down' updates with %, cleared at the end" {
	raw_start - <<<"$SLOW_30"
	tty_exec ">$T/out" "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'aaaaaaaaaabbbbbbbbbbcccccccccc'
	run progress_updates "$T/tty" 'down +[0-9]{1,3}\.[0-9]% +[0-9.]+[BKMGT]? of 30B +[0-9.]+[BKMGT]?/s +ETA [0-9]+:[0-9]{2}'
	assert_success
	grep -qF 'down 100.0% 30B of 30B' "$T/tty" || fail "no 100% update: $(od -c "$T/tty")"
}

@test "progress: without a known length, 'down' updates with the byte count and rate, no %" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
   "chunks": ["a\r\n0123456789\r\n", "a\r\n0123456789\r\n", "a\r\n0123456789\r\n0\r\n\r\n"],
   "chunk_delay_ms": 600}]]
EOF
	tty_exec ">$T/out" "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '012345678901234567890123456789'
	run progress_updates "$T/tty" 'down +[0-9.]+[BKMGT]? +[0-9.]+[BKMGT]?/s'
	assert_success
	grep -qF 'down 30B ' "$T/tty" || fail "no 30B update: $(od -c "$T/tty")"
}

@test "progress: a transfer under 1 s shows none" {
	raw_reply "$OK_2"
	tty_exec ">$T/out" "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hi'
	assert_bytes "$T/tty" ''
}

@test "progress: none with -s" {
	raw_start - <<<"$SLOW_30"
	tty_exec ">$T/out" -s "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'aaaaaaaaaabbbbbbbbbbcccccccccc'
	assert_bytes "$T/tty" ''
}

@test "progress: none when standard error is a file, standard output the terminal" {
	raw_start - <<<"$SLOW_30"
	tty_exec "2>$T/err" --body "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" 'aaaaaaaaaabbbbbbbbbbcccccccccc\n'
	assert_bytes "$T/err" ''
}

@test "progress: none when standard error is a pipe" {
	raw_start - <<<"$SLOW_30"
	set +e
	timeout -k 2 20 "$HCLI" "$RAW_URL/" </dev/null 2>&1 >"$T/out" | cat >"$T/err"
	status=${PIPESTATUS[0]}
	set -e
	assert_equal "$status" 0
	assert_bytes "$T/out" 'aaaaaaaaaabbbbbbbbbbcccccccccc'
	assert_bytes "$T/err" ''
}

@test "progress: at most 10 updates a second" {
	local i chunks='' n t0 ms most
	# 400 one-byte pieces 5 ms apart (2 s at least): every read could be an update
	for ((i = 0; i < 400; i++)); do chunks+="${chunks:+,}\"x\""; done
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n", "chunks": [$chunks], "chunk_delay_ms": 5}]]
EOF
	t0=$(date +%s%N)
	tty_exec ">$T/out" "$RAW_URL/"
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$status" 0
	[[ $(wc -c <"$T/out") -eq 400 ]] || fail "body: $(wc -c <"$T/out") bytes"
	n=$(progress_updates "$T/tty" 'down +[0-9]{1,3}\.[0-9]% .* of 400B .*') || fail "$n"
	# hcli ran for less than the $ms ms measured around it: after its first
	# second, one update per 100 ms at most, plus the one at 100% and the
	# last count at the end.  Load makes $ms longer, never the count larger.
	most=$(((ms - 1000) / 100 + 3))
	((n <= most)) || fail "$n updates in $ms ms, want at most $most: $(od -c "$T/tty" | head -40)"
}

@test "progress: a download that stalls past 1 s shows progress while it waits (tmux)" {
	TMUX_SOCK=$T/tmux.sock
	# 10 of 30 bytes at once, the rest only once the test has seen the progress line and
	# opened a second connection (the stall lasts as long as the check needs, however slow)
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\naaaaaaaaaa"},
  {"expect": "none", "wait_conns": 2, "reply": "bbbbbbbbbbbbbbbbbbbb"}],
 [{"expect": "none", "then": "close"}]]
EOF
	printf 'set -g remain-on-exit on\nset -g status off\n' >"$T/tmux.conf"
	tmux -S "$TMUX_SOCK" -f "$T/tmux.conf" new-session -d -x 100 -y 10 -s hcli \
		"$(printf '%q ' env -u NO_COLOR TERM=xterm-256color "$HCLI" "$RAW_URL/")>$(printf '%q' "$T/out"); tmux -S $(printf '%q' "$TMUX_SOCK") wait-for -S hcli-done"
	_pane_shows_progress() {
		tmux -S "$TMUX_SOCK" capture-pane -p -t hcli >"$T/pane" && grep -q 'down .*33\.3%.* of 30B' "$T/pane"
	}
	# bounded poll; the rest of the body waits for it
	harness_wait_for 20 _pane_shows_progress || fail "no progress line in a stalled transfer: $(cat "$T/pane")"
	: <>"/dev/tcp/127.0.0.1/$RAW_PORT" # the second connection: the server sends the rest
	timeout 30 tmux -S "$TMUX_SOCK" wait-for hcli-done
	assert_bytes "$T/out" 'aaaaaaaaaabbbbbbbbbbbbbbbbbbbb'
	# cleared at the end
	tmux -S "$TMUX_SOCK" capture-pane -p -t hcli >"$T/pane"
	! grep -q 'down' "$T/pane" || fail "progress line left on the screen: $(cat "$T/pane")"
}

@test "progress: -Z has one line for all the transfers (ended of all, running, bytes down and up, rate), cleared at the end" {
	# each answer 40 bytes in four pieces 600 ms apart; each request 5 bytes
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n",
   "chunks": ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"], "chunk_delay_ms": 600}]]
EOF
	tty_exec ">$T/out" -Z -d hello "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'aaaaaaaaaabbbbbbbbbbccccccccccddddddddddaaaaaaaaaabbbbbbbbbbccccccccccdddddddddd'
	run progress_updates "$T/tty" '[012]/2 done, [012] running  down [0-9.]+[BKMGT]?  up 10B  [0-9.]+[BKMGT]?/s'
	assert_success
	grep -qF '0/2 done, 2 running  down ' "$T/tty" || fail "both never counted as running: $(cat -v "$T/tty")"
}

@test "progress: an upload over 1 s on a terminal: 'up' updates with %, cleared at the end" {
	# 32 MB, more than the socket buffers hold: the server reads the head, waits
	# 1.5 s, then reads the body, so the upload outlasts 1 s.
	head -c 32000000 /dev/zero >"$T/big"
	raw_start - <<'EOF'
[[{"expect": "head-only", "delay_ms": 1500},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}]]
EOF
	tty_exec ">$T/out" PUT "$RAW_URL/up" "@$T/big"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'ok'
	[[ $(wc -c <"$(raw_req 0 1)") -eq 32000000 ]] || fail "server got $(wc -c <"$(raw_req 0 1)") body bytes"
	run progress_updates "$T/tty" 'up +[0-9]{1,3}\.[0-9]% +[0-9.]+[BKMGT]? of [0-9.]+M +[0-9.]+[BKMGT]?/s +ETA [0-9]+:[0-9]{2}'
	assert_success
}
