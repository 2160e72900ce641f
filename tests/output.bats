#!/usr/bin/env bats
# What hcli writes (SPEC.md, Output; Fine points, Output): -p/-i/-b, heads as
# received with LF endings, trailers, -o FILE, streaming, terminals versus
# pipes, a closed standard output, the -v trace, -f and --fail-with-body.
# Replies come from the raw server, so every expected byte is known.

load helpers/common
load helpers/slowreader

setup() {
	T=$BATS_TEST_TMPDIR
	BG_PID= # an hcli left in the background; the default teardown stops it
}

# hcli with stdout a pipe (to cat) into $T/out, stderr in $T/err, its exit
# code in $status (hrun, in helpers/run.bash, writes stdout to the file).
pipe_run() {
	set +e
	timeout -k 2 30 "$HCLI" "$@" </dev/null 2>"$T/err" | cat >"$T/out"
	status=${PIPESTATUS[0]}
	set -e
}

# hcli on a pseudo-terminal (script(1) from util-linux): what the terminal got
# in $T/tty, hcli's stderr in $T/err, its exit code in $status.  ONLCR is
# switched off so the terminal's bytes are hcli's own.
tty_run() {
	local cmd
	cmd="stty -onlcr; exec $(printf '%q ' env NO_COLOR=1 "$HCLI" "$@")2>$(printf '%q' "$T/err")"
	status=0
	timeout -k 2 10 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
}

# One server for a table: connection i (the i-th hcli run) gets REPLY i.
raw_replies() { # REPLY... (JSON string contents)
	local json='' r
	for r; do json+="${json:+,}[{\"reply\": \"$r\"}]"; done
	raw_start - <<<"{\"repeat\": false, \"connections\": [$json]}"
}

_has_bytes() { # FILE TEXT
	[[ -f $1 && $(cat "$1") == "$2" ]]
}

HEAD_A='HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi'
CHUNKED_TRAILER='HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n6\r\nhello\n\r\n0\r\nX-T: done\r\nX-U: 2\r\n\r\n'

# --- heads --------------------------------------------------------------------

@test "-p h: status line and fields as received, LF endings, then one empty line" {
	local i rows=(
		# reply (JSON string contents) | -p h output (printf format)
		"$HEAD_A|HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\n"
		'HTTP/1.0 299 Some Custom  Reason\r\nx-lower: Mixed Case\r\nContent-Length: 0\r\n\r\n|HTTP/1.0 299 Some Custom  Reason\nx-lower: Mixed Case\nContent-Length: 0\n\n'
		'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n|HTTP/1.1 200 OK\nSet-Cookie: a=1\nSet-Cookie: b=2\nContent-Length: 0\n\n'
		'HTTP/1.1 200 OK\r\nX-Tight:value\r\nContent-Length: 0\r\n\r\n|HTTP/1.1 200 OK\nX-Tight: value\nContent-Length: 0\n\n'
		'HTTP/1.1 200 OK\nX-LF: bare\nContent-Length: 2\n\nhi|HTTP/1.1 200 OK\nX-LF: bare\nContent-Length: 2\n\n'
	)
	raw_replies "${rows[@]%%|*}"
	for i in "${!rows[@]}"; do
		hrun -p h "$RAW_URL/"
		assert_equal "row $i: $status" "row $i: 0"
		assert_bytes "$T/out" "${rows[i]#*|}"
	done
}

@test "-p h: an obsolete folded field is joined with one space" {
	raw_reply 'HTTP/1.1 200 OK\r\nX-Fold: one\r\n two\r\n\tthree\r\nContent-Length: 0\r\n\r\n'
	hrun -p h "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'HTTP/1.1 200 OK\nX-Fold: one two three\nContent-Length: 0\n\n'
}

@test "-i, -p hb, -p b, -b: the head, then the body bytes unchanged" {
	local row args want
	raw_reply "$HEAD_A" # every connection gets this reply
	# options | output (printf format)
	for row in \
		"-i|HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi" \
		"-p hb|HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi" \
		"-p bh|HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi" \
		"-p b|hi" \
		"--body|hi" \
		"-i --body|hi" \
		"--body -i|HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi"; do
		args=${row%%|*} want=${row#*|}
		# shellcheck disable=SC2086
		hrun $args "$RAW_URL/"
		assert_equal "$args: $status" "$args: 0"
		assert_bytes "$T/out" "$want"
	done
}

@test "default print when standard output is a pipe or a file: the body only" {
	raw_start - <<EOF
[[{"reply": "$HEAD_A"}]]
EOF
	pipe_run "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hi'
	hrun "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hi'
}

# --- trailers -------------------------------------------------------------------

@test "trailers: after the body with -p hb, not with -p h, not with -p b" {
	local row args want
	raw_reply "$CHUNKED_TRAILER" # every connection gets this reply
	# options | output (printf format)
	for row in \
		"-p hb|HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nTrailer: X-T\n\nhello\nX-T: done\nX-U: 2\n" \
		"-i|HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nTrailer: X-T\n\nhello\nX-T: done\nX-U: 2\n" \
		"-p h|HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nTrailer: X-T\n\n" \
		"-p b|hello\n"; do
		args=${row%%|*} want=${row#*|}
		# shellcheck disable=SC2086
		hrun $args "$RAW_URL/"
		assert_equal "$args: $status" "$args: 0"
		assert_bytes "$T/out" "$want"
	done
}

# --- -o FILE ------------------------------------------------------------------

@test "-o FILE: the body goes to FILE, nothing else to standard output" {
	raw_reply "$HEAD_A"
	hrun -o "$T/body" "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/body" 'hi'
	assert_bytes "$T/out" ''
	assert_bytes "$T/err" ''
}

@test "-o FILE that is the request body's file (any name for it, or standard input): usage error, nothing sent, FILE untouched" {
	local row
	raw_start_silent
	printf 'the body\n' >"$T/F"
	ln "$T/F" "$T/hard"
	ln -s "$T/F" "$T/soft"
	local want
	want=$(sha256_of "$T/F")
	for row in "-o $T/F $RAW_URL/ @$T/F" "-o $T/F -d @$T/F $RAW_URL/" "-o $T/hard $RAW_URL/ @$T/soft" \
		"-o $T/F -d @- $RAW_URL/" "-o $T/F -d @$T/./F -w @$T/F $RAW_URL/"; do
		# shellcheck disable=SC2086 # row is a word list
		run --separate-stderr "$HCLI" $row <"$T/F"
		assert_equal "$row: $status" "$row: 2"
		assert_regex "$stderr" "^hcli: Usage: -o $T/[A-Za-z]* is the request body's own file; write the output elsewhere"
		assert_equal "$row: $(sha256_of "$T/F")" "$row: $want"
	done
	raw_assert_nothing_sent
	# a different file with the same content is fine
	cp "$T/F" "$T/G"
	raw_stop
	raw_reply 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
	hrun -o "$T/G" "$RAW_URL/" "@$T/F"
	assert_equal "$status" 0
	assert_bytes "$T/G" 'ok\n'
}

# SPEC Part 2 changes Part 1 here: the partial body is FILE.part, FILE is never truncated.
@test "-o FILE: a body cut short keeps the partial FILE.part and FILE untouched, exit 18, one IncompleteRead line" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", "then": "close"}]]
EOF
	printf 'older\n' >"$T/body"
	hrun -o "$T/body" "$RAW_URL/"
	assert_equal "$status" 18
	assert_bytes "$T/body.part" 'part'
	assert_bytes "$T/body" 'older\n'
	assert_bytes "$T/out" ''
	assert_equal "$(wc -l <"$T/err")" 1
	run grep -E '^hcli: IncompleteRead: ' "$T/err"
	assert_success
}

# --- streaming ------------------------------------------------------------------

# (SPEC Part 2: they are in FILE.part until the body is complete)
@test "streaming: the first body bytes are in the -o FILE's .part while hcli still waits for more" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst", "then": "hang"}]]
EOF
	"$HCLI" -o "$T/body" "$RAW_URL/" </dev/null >"$T/out" 2>"$T/err" &
	BG_PID=$!
	harness_wait_for 5 _has_bytes "$T/body.part" first ||
		fail "the file has '$(cat "$T/body.part" 2>/dev/null)', not 'first'"
	[[ ! -e $T/body ]] || fail "$T/body exists before the body is complete"
	_harness_alive "$BG_PID" || fail "hcli had already exited: the bytes were not streamed"
	harness_kill "$BG_PID"
	BG_PID=
}

@test "streaming: the first chunk reaches a pipe while hcli still waits for more" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n", "then": "hang"}]]
EOF
	mkfifo "$T/pipe"
	"$HCLI" "$RAW_URL/" </dev/null >"$T/pipe" 2>"$T/err" &
	BG_PID=$!
	timeout 5 head -c 6 "$T/pipe" >"$T/got" || true
	assert_bytes "$T/got" 'first\n'
	_harness_alive "$BG_PID" || fail "hcli had already exited: the bytes were not streamed"
	harness_kill "$BG_PID"
	BG_PID=
}

# --- terminals and pipes --------------------------------------------------------

@test "terminal: default print is hb" {
	raw_reply 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhi\n'
	tty_run "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" 'HTTP/1.1 200 OK\nContent-Length: 3\n\nhi\n'
}

@test "terminal: control bytes (ESC, BEL, C1) in a received head are shown as \\033, \\a, \\233" {
	raw_reply 'HTTP/1.1 200 OK\r\nX-Esc: a\u001b[31mb\r\nX-Bel: \u0007!\r\nX-C1: \u009b2J\u0085\u00c2\u009b \u00c3\u00a9\r\nContent-Length: 3\r\n\r\nhi\n'
	tty_run -p hb "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" 'HTTP/1.1 200 OK\nX-Esc: a\\033[31mb\nX-Bel: \\a!\nX-C1: \\2332J\\205\\302\\233 \303\251\nContent-Length: 3\n\nhi\n'
}

@test "terminal: a binary body (a NUL byte) is not dumped; one notice line mentions -o" {
	raw_reply 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n\u0000BINARYBODY\u0000'
	tty_run -p hb "$RAW_URL/"
	assert_equal "$status" 0
	# the head as usual, then no byte of the body
	head -c 36 "$T/tty" >"$T/head"
	assert_bytes "$T/head" 'HTTP/1.1 200 OK\nContent-Length: 12\n\n'
	assert_equal "NUL bytes on the terminal: $(tr -dc '\000' <"$T/tty" | wc -c)" "NUL bytes on the terminal: 0"
	run grep -c BINARYBODY "$T/tty"
	assert_output 0
	# one notice (on the terminal or on standard error), naming -o
	{ tail -c +37 "$T/tty"; cat "$T/err"; } | grep -v '^[[:space:]]*$' >"$T/notice" || true
	assert_equal "$(wc -l <"$T/notice")" 1
	run grep -c -- '-o' "$T/notice"
	assert_output 1
}

@test "pipes get the bytes unchanged: ESC in a head, NUL and ESC in the body" {
	raw_reply 'HTTP/1.1 200 OK\r\nX-Esc: a\u001b[31mb\r\nContent-Length: 5\r\n\r\n\u0000\u001b[0m'
	pipe_run -p hb "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'HTTP/1.1 200 OK\nX-Esc: a\033[31mb\nContent-Length: 5\n\n\000\033[0m'
}

@test "a pipe on standard output is grown to 1 MiB, so its reader wakes less often" {
	local want=1048576 max
	max=$(cat /proc/sys/fs/pipe-max-size 2>/dev/null || echo "$want")
	((max >= want)) || skip "this kernel's pipe-max-size is $max"
	raw_reply 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
	set +e
	# the reader reads the body to its end, then asks the size of the pipe it read
	timeout -k 2 30 "$HCLI" "$RAW_URL/" </dev/null 2>"$T/err" |
		python3 -c 'import fcntl, sys; sys.stdin.buffer.read(); print(fcntl.fcntl(0, 1032))' >"$T/out"
	status=${PIPESTATUS[0]}
	set -e
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "$want"
}

# --- a closed standard output ---------------------------------------------------

@test "a closed standard output: exit 23 promptly, at most one line on standard error" {
	# 64 MiB promised and sent: far more than a pipe holds
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n",
   "reply_repeat": {"data": "xxxxxxxxxxxxxxxx", "count": 4194304}}]]
EOF
	closed_reader_fails 10 "$HCLI" "$RAW_URL/big"
}

@test "a non-blocking standard output that fills up is waited for: 6 MiB intact, exit 0" {
	head -c 6M /dev/urandom >"$T/big"
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 6291456\r\n\r\n", "reply_file": "$T/big"}]]
EOF
	read -r full sum st < <(slow_reader "$HCLI" -s "$RAW_URL/big")
	assert_equal "exit $st" "exit 0"
	assert_equal "$sum" "$(sha256_of "$T/big")"
	((full >= 10)) || fail "the pipe was full only $full times"
}

@test "a non-blocking standard output that fills up, --compressed: what it refuses is held or waited for, in order, intact" {
	# random text (decoded about as large as it came) then one line again and again (4 MiB
	# decoded from a few KiB: more than the output holds)
	head -c 3M /dev/urandom | base64 -w 76 >"$T/plain"
	yes 'the same line, again and again' | head -c 4M >>"$T/plain"
	gzip -c "$T/plain" >"$T/plain.gz"
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: $(stat -c %s "$T/plain.gz")\r\n\r\n", "reply_file": "$T/plain.gz"}]]
EOF
	read -r full sum st < <(slow_reader "$HCLI" -s --compressed "$RAW_URL/z")
	assert_equal "exit $st" "exit 0"
	assert_equal "$sum" "$(sha256_of "$T/plain")"
	((full >= 10)) || fail "the pipe was full only $full times"
}

@test "a blocking pipe that a slow reader lets fill up is waited for: 6 MiB intact, exit 0 (spliced, chunks spliced, chunks read)" {
	local size full sum st
	head -c 6M /dev/urandom >"$T/big"
	# the same bytes in chunks of 1 MiB (spliced within each) and of 16 KiB (read and written)
	for size in 1048576 16384; do
		python3 - "$T/big" "$size" >"$T/big.$size" <<'EOF'
import sys
data, size = open(sys.argv[1], "rb").read(), int(sys.argv[2])
for i in range(0, len(data), size):
    sys.stdout.buffer.write(b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n")
sys.stdout.buffer.write(b"0\r\n\r\n")
EOF
	done
	# one server each: a slow reader on a loaded machine takes a while
	for reply in "Content-Length: 6291456\\r\\n\\r\\n $T/big" \
		"Transfer-Encoding: chunked\\r\\n\\r\\n $T/big.1048576" \
		"Transfer-Encoding: chunked\\r\\n\\r\\n $T/big.16384"; do
		raw_start - <<EOF
[[{"reply": "HTTP/1.1 200 OK\\r\\n${reply% *}", "reply_file": "${reply##* }"}]]
EOF
		read -r full sum st < <(slow_reader --blocking "$HCLI" -s "$RAW_URL/")
		raw_stop
		assert_equal "[${reply##*/}] exit $st" "[${reply##*/}] exit 0"
		assert_equal "[${reply##*/}] $sum" "[${reply##*/}] $(sha256_of "$T/big")"
		((full >= 10)) || fail "[${reply##*/}] the pipe was full only $full times"
	done
}

@test "output that cannot be written: exit 23, one WriteError line" {
	local row
	raw_reply "$HEAD_A" # every connection gets this reply
	# where the body goes
	for row in \
		"standard output is /dev/full" \
		"-o /dev/full" \
		"-o a file in a missing directory"; do
		status=0
		case $row in
		standard*) timeout -k 2 30 "$HCLI" "$RAW_URL/" </dev/null >/dev/full 2>"$T/err" || status=$? ;;
		"-o /dev/full") hrun -o /dev/full "$RAW_URL/" ;;
		*) hrun -o "$T/missing/dir/body" "$RAW_URL/" ;;
		esac
		assert_equal "[$row] $status" "[$row] 23"
		assert_equal "[$row] $(wc -l <"$T/err")" "[$row] 1"
		run grep -E '^hcli: WriteError: ' "$T/err"
		assert_success
	done
}

# --- -v -------------------------------------------------------------------------

@test "-v: '* ', '> ' and '< ' lines (1xx heads included) on standard error, none on standard output" {
	raw_reply 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'
	hrun -v "$RAW_URL/v"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hi'
	# every trace line has its prefix
	run grep -Ev '^[*<>]( |$)' "$T/err"
	assert_output ''
	run grep -c '^\* ' "$T/err"
	refute_output 0
	run grep '^> ' "$T/err"
	assert_line --index 0 '> GET /v HTTP/1.1'
	assert_line "> Host: 127.0.0.1:$RAW_PORT"
	# the response heads, in order, without blank separator lines
	assert_equal "$(grep -E '^< .*[^ ]' "$T/err")" "$(
		cat <<'EOF'
< HTTP/1.1 103 Early Hints
< Link: </s.css>; rel=preload
< HTTP/1.1 200 OK
< Content-Length: 2
EOF
	)"
}

@test "-v -p hb: standard output gets the final head only, never a 1xx head" {
	raw_reply 'HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'
	hrun -v -p hb "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'HTTP/1.1 200 OK\nContent-Length: 2\n\nhi'
	run grep -c '^< HTTP/1.1 103 Early Hints$' "$T/err"
	assert_output 1
}

# --- -f and --fail-with-body ---------------------------------------------------

@test "-f and --fail-with-body: exit 22 for >= 400, body printed only with --fail-with-body" {
	local row args reply code want replies=() rows=(
		# options       | reply (JSON string contents)                                  | exit | stdout
		"-f               |HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n|22|"
		"--fail-with-body |HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n|22|nope\n"
		"-f               |HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine\n|0|fine\n"
		"--fail-with-body |HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine\n|0|fine\n"
		"-f               |HTTP/1.1 399 Odd\r\nContent-Length: 5\r\n\r\nfine\n|0|fine\n"
		"-f               |HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nfail\n|22|"
		"                 |HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n|0|nope\n"
	)
	for row in "${rows[@]}"; do
		IFS='|' read -r args reply code want <<<"$row"
		replies+=("$reply")
	done
	raw_replies "${replies[@]}"
	for row in "${rows[@]}"; do
		IFS='|' read -r args reply code want <<<"$row"
		# shellcheck disable=SC2086
		hrun $args "$RAW_URL/"
		assert_equal "[$args] $status" "[$args] $code"
		assert_bytes "$T/out" "$want"
		if ((code == 22)); then
			assert_equal "$(wc -l <"$T/err")" 1
			run grep -E "^hcli: HTTPError: ${reply:9:3}( |$)" "$T/err"
			assert_success
		else
			assert_bytes "$T/err" ''
		fi
	done
}

@test "-f: the HTTPError line names the status and its reason" {
	raw_reply 'HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n'
	hrun -f "$RAW_URL/"
	assert_equal "$status" 22
	assert_bytes "$T/err" 'hcli: HTTPError: 404 Not Found\n'
}

# --- server text on standard error: one escaper ------------------------------------------------
# Each place where an error or warning line quotes the server, with each hostile byte (a JSON
# \u00XX is one byte): ESC, CSI as a C1 byte (0x9b) and as UTF-8 (c2 9b), another C1 (0x85),
# BEL, and CR (which only a refused status line can carry). Standard error gets exactly the
# line with the byte escaped as strnvisx(3) writes it; UTF-8 text (é) stays readable.
HOSTILE=('\u001b|\\033' '\u009b|\\233' '\u00c2\u009b|\\302\\233' '\u0085|\\205' '\u0007|\\a')

# escaped_table REPLY WANT ARGS...: REPLY and WANT have @ where the byte and its escape go
escaped_table() {
	local reply=$1 want=$2 row b e
	shift 2
	for row in "${HOSTILE[@]}"; do
		b=${row%%|*} e=${row#*|}
		raw_reply "${reply//@/"$b"}"
		hrun "$@" "$RAW_URL/"
		assert_bytes "$T/err" "${want//@/"$e"}"
		raw_stop
	done
}

@test "escaped on standard error: the reason phrase with -f" {
	escaped_table 'HTTP/1.1 404 a@[2J\u00c3\u00a9\r\nContent-Length: 0\r\n\r\n' \
		'hcli: HTTPError: 404 a@[2J\303\251\n' -f
}

@test "escaped on standard error: a refused Location (bytes from 0x80 up are %%-encoded first)" {
	HOSTILE=('\u001b|\\033' '\u0007|\\a' '\u009b\u001b|%%9B\\033')
	escaped_table 'HTTP/1.1 302 Found\r\nLocation: http://[a@/\r\nContent-Length: 0\r\n\r\n' \
		"hcli: InvalidURL: redirect to 'http://[a@/': control character or space in URL\n" -L
}

@test "escaped on standard error: the retry warning's status line" {
	local row b e
	for row in "${HOSTILE[@]}"; do
		b=${row%%|*} e=${row#*|}
		raw_replies "HTTP/1.1 503 a${b}z\r\nContent-Length: 0\r\n\r\n" \
			'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
		hrun --retry 1 --retry-delay 0.001 "$RAW_URL/"
		assert_equal "$status" 0
		assert_bytes "$T/err" "hcli: warning: HTTP/1.1 503 a${e}z; retry 1 of 1 in 1 ms\n"
		raw_stop
	done
}

@test "escaped on standard error: an unknown Content-Encoding with --compressed" {
	escaped_table 'HTTP/1.1 200 OK\r\nContent-Encoding: a@z\r\nContent-Length: 2\r\n\r\nhi' \
		"hcli: BadContentEncoding: unknown content coding 'a@z'\n" --compressed
}

@test "escaped on standard error: a refused CONNECT's status line" {
	local row b e
	for row in "${HOSTILE[@]}"; do
		b=${row%%|*} e=${row#*|}
		raw_reply "HTTP/1.1 403 a${b}z\r\nContent-Length: 0\r\n\r\n"
		hrun -x "$RAW_URL" https://localhost:1/
		assert_bytes "$T/err" \
			"hcli: ProxyError: the proxy refused CONNECT to localhost port 1: HTTP/1.1 403 a${e}z\n"
		raw_stop
	done
}

@test "escaped on standard error: a status line refused for a CR, and the -v trace" {
	raw_reply 'HTTP/1.1 200 a\rz\r\nContent-Length: 0\r\n\r\n'
	hrun "$RAW_URL/"
	assert_bytes "$T/err" "hcli: BadStatusLine: not an HTTP/1.x status line: 'HTTP/1.1 200 a\\\\rz\\\\r'\n"
	raw_stop
	raw_reply 'HTTP/1.1 200 OK\r\nX-E: a\u001b[2J\u009b\u0085\u0007\u00c3\u00a9\r\nContent-Length: 0\r\n\r\n'
	hrun -v "$RAW_URL/"
	assert_line_re "$T/err" '^< X-E: a\\033\[2J\\233\\205\\a'$'\303\251''$'
	# no raw ESC, CSI, NEL, BEL or CR anywhere on standard error
	assert_equal "raw control bytes: $(LC_ALL=C tr -dc '\033\233\205\007\r' <"$T/err" | wc -c)" \
		"raw control bytes: 0"
}

@test "terminal: -w '%{header.X}' on a terminal is escaped, in a pipe it is the bytes received" {
	raw_reply 'HTTP/1.1 200 OK\r\nX-E: a\u001b[2J\u009bz\r\nContent-Length: 0\r\n\r\n'
	tty_run -p b -w '%{header.x-e}' "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/tty" 'a\\033[2J\\233z'
	pipe_run -w '%{header.x-e}' "$RAW_URL/"
	assert_bytes "$T/out" 'a\033[2J\233z'
}
