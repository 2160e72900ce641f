#!/usr/bin/env bats
# The request on the wire (SPEC.md "Request body and framing", "Fine points:
# Request side" and "Command line"): the raw server records every request byte
# for byte, and each case compares it with printf-built bytes.
#
# Where SPEC.md fixes no order between user headers, framing headers and the
# defaults, the case removes the defaults (BARE) so the bytes are still exact.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
bats_require_minimum_version 1.5.0

setup_file() {
	VERSION=$(hcli_version)
	export VERSION
}

# Items that remove every default header.
BARE=(Host: User-Agent: Accept: Accept-Encoding:)
OK_REPLY='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'

teardown() {
	[[ -z ${WRITER:-} ]] || kill "$WRITER" 2>/dev/null || true
	harness_teardown
}

# --- helpers -------------------------------------------------------------

# A raw server answering each connection with one 200 "ok\n", then closing.
# Sets U (a URL on it) and DEF (the default headers as a printf format).
serve() { # [HOST]
	raw_start - "${1:-127.0.0.1}" <<<"[[{\"reply\": \"$OK_REPLY\", \"then\": \"close\"}]]"
	U=$RAW_URL/x
	DEF="Host: 127.0.0.1:$RAW_PORT\r\nUser-Agent: hcli/$VERSION\r\nAccept: */*\r\nAccept-Encoding: identity\r\n"
}

# send ARGS...: run hcli with standard input from /dev/null.
send() { run --separate-stderr hcli "$@" </dev/null; }
# send_stdin ARGS...: the same with the caller's standard input.
send_stdin() { run --separate-stderr hcli "$@"; }

# The last run succeeded and printed the server's body.
got_ok() {
	assert_equal "$status" 0
	assert_output ok
}
# req ARGS... / req_stdin ARGS...: send, and expect success.
req() { send "$@"; got_ok; }
req_stdin() { send_stdin "$@"; got_ok; }

# The last run failed with CODE and one line "hcli: <Kind>: ..." on stderr.
failed_with() { # CODE
	assert_equal "$status" "$1"
	assert_regex "$stderr" "^hcli: [A-Za-z]+: [^"$'\n'"]*\$"
}

# sent FORMAT [ARGS...]: the first request of the last connection is exactly these bytes.
sent() { assert_bytes "$(raw_last_req)" "$@"; }

# All bytes connection N carried (every req-N-*, in order) form a prefix of
# printf FORMAT: the server never got more than that.
got_at_most() { # N FORMAT [ARGS...]
	local n=$1 i=0 all=$BATS_TEST_TMPDIR/all want=$BATS_TEST_TMPDIR/want
	shift
	raw_conn_done "$n" || return 1
	: >"$all"
	for ((i = 0; i < 10; i++)); do # exchanges may have no file (nothing read)
		[[ ! -e $RAW_DIR/req-$n-$i ]] || cat "$RAW_DIR/req-$n-$i" >>"$all"
	done
	# shellcheck disable=SC2059
	printf "$@" >"$want"
	local size
	size=$(wc -c <"$all")
	((size <= $(wc -c <"$want"))) && cmp -s "$all" <(head -c "$size" "$want") && return 0
	{
		echo "-- at most:"
		od -c "$want" | head -n 30
		echo "-- got:"
		od -c "$all" | head -n 30
	} | fail
}

# A raw server that never replies (raw_start_silent); sets U (a URL on it).
silent_server() {
	raw_start_silent
	U=$RAW_URL/x
}

# FIFO: a named pipe that a background writer fills with FILE once it is opened.
fifo_from() { # FILE
	FIFO=$BATS_TEST_TMPDIR/fifo
	mkfifo "$FIFO"
	timeout 30 sh -c 'cat "$1" >"$2"' _ "$1" "$FIFO" 3>&- &
	WRITER=$!
}

# Decode the body of a recorded request: the framing goes to stdout
# ("length N", "chunked" or "none"), the decoded body to OUT.  Fails on any
# framing error: both headers, a length that is not the byte count, a chunk
# that is empty before the last or larger than BLOCKSIZE, bytes after the end.
WIRE_PY='
import re, sys
path, blocksize, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
end = data.find(b"\r\n\r\n")
if end < 0:
    sys.exit("no end of head")
rest = memoryview(data)[end + 4:]
fields = [l.split(b":", 1) for l in data[:end].split(b"\r\n")[1:]]
def values(name):
    return [v.strip() for n, v in fields if n.lower() == name]
cl, te = values(b"content-length"), values(b"transfer-encoding")
if cl and te:
    sys.exit("both Content-Length and Transfer-Encoding")
if te:
    if te[-1].split(b",")[-1].strip().lower() != b"chunked":
        sys.exit("Transfer-Encoding does not end in chunked: %r" % te)
    body, pos = bytearray(), 0
    while True:
        eol = bytes(rest[pos:pos + 20]).find(b"\r\n")
        line = bytes(rest[pos:pos + eol])
        if eol < 0 or not re.fullmatch(rb"[0-9a-fA-F]+", line):
            sys.exit("bad chunk-size line at body offset %d" % pos)
        n, pos = int(line, 16), pos + eol + 2
        if n == 0:
            break
        if n > blocksize:
            sys.exit("chunk of %d bytes > blocksize %d" % (n, blocksize))
        if len(rest) < pos + n + 2 or rest[pos + n:pos + n + 2] != b"\r\n":
            sys.exit("chunk data short or not followed by CRLF")
        body += rest[pos:pos + n]
        pos += n + 2
    if bytes(rest[pos:]) != b"\r\n":
        sys.exit("not exactly CRLF after the last chunk: %r" % bytes(rest[pos:pos + 40]))
    framing = "chunked"
elif cl:
    if len(cl) != 1 or not cl[0].isdigit():
        sys.exit("bad Content-Length %r" % cl)
    if int(cl[0]) != len(rest):
        sys.exit("Content-Length %s but %d body bytes" % (cl[0].decode(), len(rest)))
    body, framing = rest, "length %d" % len(rest)
else:
    if len(rest):
        sys.exit("%d body bytes without framing" % len(rest))
    body, framing = b"", "none"
open(out, "wb").write(body)
print(framing)
'
wire() { # REQFILE BLOCKSIZE OUT
	python3 -c "$WIRE_PY" "$@"
}

# A writer that puts FILE into its standard output in uneven pieces, 5 ms
# apart: a reader finds the pipe holding part of a piece, or several.
SLOW_WRITER_PY='
import os, sys, time
data = memoryview(open(sys.argv[1], "rb").read())
sizes = [1, 4095, 65536, 70000, 3, 65535, 65537, 1 << 20, 7]
pos = i = 0
while pos < len(data):
    end = min(pos + sizes[i % len(sizes)], len(data))
    while pos < end:
        pos += os.write(1, data[pos:end])
    i += 1
    time.sleep(0.005)
'

# integrity KIND SIZE [BLOCKSIZE]: SIZE bytes sent as a string, a file, stdin
# from a file, a pipe, or a pipe fed slowly in uneven pieces (slowpipe) arrive
# unchanged (sha256) with the right framing; chunks are 1..BLOCKSIZE bytes
# (--blocksize when given, else 65536).
integrity() {
	local kind=$1 size=$2 src=$BATS_TEST_TMPDIR/src got=$BATS_TEST_TMPDIR/got framing
	local bs=() max=65536
	[[ -z ${3:-} ]] || bs=(--blocksize "$3") max=$3
	serve
	if [[ $kind == string ]]; then # printable: argv cannot hold NUL bytes
		head -c $((size * 3 / 4 + 3)) /dev/urandom | base64 -w 0 | head -c "$size" >"$src"
	else
		head -c "$size" /dev/urandom >"$src"
	fi
	assert_equal "$(wc -c <"$src")" "$size"
	case $kind in
	string) req -d "$(cat "$src")" "$U" "${BARE[@]}" ;;
	file) req -d "@$src" "$U" "${BARE[@]}" ;;
	item) req "$U" "${BARE[@]}" "@$src" ;;
	stdin) req_stdin "$U" "${BARE[@]}" @- <"$src" ;;
	pipe) req_stdin "${bs[@]}" "$U" "${BARE[@]}" @- < <(cat "$src") ;;
	slowpipe) req_stdin "${bs[@]}" "$U" "${BARE[@]}" @- < <(python3 -c "$SLOW_WRITER_PY" "$src") ;;
	esac
	framing=$(wire "$(raw_req 0 0)" "$max" "$got")
	if [[ $kind == *pipe ]]; then
		assert_equal "$framing" chunked
	else
		assert_equal "$framing" "length $size"
	fi
	assert_equal "$(sha256_of "$got")" "$(sha256_of "$src")"
}

# The request head of FILE as a set: the request line, then the field lines
# sorted (for headers whose relative order SPEC.md leaves open).
head_set() { # FILE
	python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
end = data.find(b"\r\n\r\n")
lines = data[:end].decode("latin-1").split("\r\n") if end >= 0 else ["(no end of head)"]
print("\n".join(lines[:1] + sorted(lines[1:])))' "$1"
}

# --- default headers ---------------------------------------------------------

@test "defaults: Host with port, User-Agent hcli/VERSION, Accept, Accept-Encoding, in order" {
	[[ -n $VERSION ]]
	serve
	req "$U"
	sent "GET /x HTTP/1.1\r\n${DEF}\r\n"
}

@test "defaults: path and query sent as given; no path → /" {
	serve
	req "$RAW_URL/a/b.c?d=e&f"
	sent "GET /a/b.c?d=e&f HTTP/1.1\r\n${DEF}\r\n"
	req "$RAW_URL"
	sent "GET / HTTP/1.1\r\n${DEF}\r\n"
}

@test "defaults: Host for IPv6 is [::1]:PORT" {
	serve ::1
	req "$U"
	sent "GET /x HTTP/1.1\r\nHost: [::1]:%s\r\nUser-Agent: hcli/%s\r\nAccept: */*\r\nAccept-Encoding: identity\r\n\r\n" "$RAW_PORT" "$VERSION"
}

# --- header items --------------------------------------------------------------

@test "Name: removes that default header (each of the four)" {
	serve
	local hdrs=("Host: 127.0.0.1:$RAW_PORT" "User-Agent: hcli/$VERSION" 'Accept: */*' 'Accept-Encoding: identity')
	local names=(Host User-Agent Accept Accept-Encoding) i j want
	for i in 0 1 2 3; do
		want='GET /x HTTP/1.1\r\n'
		for j in 0 1 2 3; do
			((j == i)) || want+="${hdrs[j]}\r\n"
		done
		req "$U" "${names[i]}:" # (bats' run may clobber i and j)
		sent "$want\r\n"
	done
}

@test "Name: removes all four defaults together" {
	serve
	req "$U" "${BARE[@]}"
	sent 'GET /x HTTP/1.1\r\n\r\n'
}

@test "Name: matches the default header case-insensitively" {
	serve
	req "$U" user-agent: host: ACCEPT: accept-ENCODING:
	sent 'GET /x HTTP/1.1\r\n\r\n'
}

@test "Name; sends the header with an empty value" {
	serve
	req "$U" "${BARE[@]}" 'X-Empty;'
	# "X-Empty:" and "X-Empty: " are the same empty field value
	cmp -s <(printf 'GET /x HTTP/1.1\r\nX-Empty:\r\n\r\n') "$(raw_req 0 0)" ||
		sent 'GET /x HTTP/1.1\r\nX-Empty: \r\n\r\n'
}

@test "Name:Value: spaces after the colon are dropped" {
	serve
	req "$U" "${BARE[@]}" 'X-A:   spaced  value' 'X-B:tight'
	sent 'GET /x HTTP/1.1\r\nX-A: spaced  value\r\nX-B: tight\r\n\r\n'
}

@test "Name:Value: user headers keep their order, repeats included" {
	serve
	req "$U" "${BARE[@]}" X-B:1 X-A:2 X-B:3 X-C:4
	sent 'GET /x HTTP/1.1\r\nX-B: 1\r\nX-A: 2\r\nX-B: 3\r\nX-C: 4\r\n\r\n'
}

@test "Name:Value: a user User-Agent replaces the default" {
	serve
	req "$U" Host: Accept: Accept-Encoding: User-Agent:me/1.0
	sent 'GET /x HTTP/1.1\r\nUser-Agent: me/1.0\r\n\r\n'
}

@test "Name:Value: user Host, Accept and Accept-Encoding replace the defaults" {
	serve
	req "$U" User-Agent: Accept: Accept-Encoding: Host:example.test
	sent 'GET /x HTTP/1.1\r\nHost: example.test\r\n\r\n'
	req "$U" Host: User-Agent: Accept-Encoding: Accept:text/plain
	sent 'GET /x HTTP/1.1\r\nAccept: text/plain\r\n\r\n'
	req "$U" Host: User-Agent: Accept: Accept-Encoding:br
	sent 'GET /x HTTP/1.1\r\nAccept-Encoding: br\r\n\r\n'
}

@test "userinfo in the URL becomes Authorization: Basic" {
	serve
	req "http://alice:s3cret@127.0.0.1:$RAW_PORT/x" "${BARE[@]}"
	assert_equal "$(printf alice:s3cret | base64)" YWxpY2U6czNjcmV0
	sent 'GET /x HTTP/1.1\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\n\r\n'
}

@test "userinfo: percent-encoded user and password are decoded first" {
	serve
	req "http://al%40ice:p%3As@127.0.0.1:$RAW_PORT/x" "${BARE[@]}"
	assert_equal "$(printf al@ice:p:s | base64)" YWxAaWNlOnA6cw==
	sent 'GET /x HTTP/1.1\r\nAuthorization: Basic YWxAaWNlOnA6cw==\r\n\r\n'
}

# --- body framing --------------------------------------------------------------

@test "body: -d STRING → Content-Length" {
	serve
	req -d hello "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
}

@test "body: -d '' → POST with Content-Length: 0" {
	serve
	req -d '' "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n'
}

@test "body: -d @FILE (regular) → Content-Length from its size" {
	serve
	printf 'hello\0\r\n' >"$BATS_TEST_TMPDIR/f"
	req -d "@$BATS_TEST_TMPDIR/f" "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 8\r\n\r\nhello\0\r\n'
}

@test "body: @FILE item → Content-Length from its size" {
	serve
	printf 'hello' >"$BATS_TEST_TMPDIR/f"
	req "$U" "${BARE[@]}" "@$BATS_TEST_TMPDIR/f"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
}

@test "body: stdin redirected from a regular file (@-, -, -d @-) → Content-Length" {
	serve
	printf 'hello' >"$BATS_TEST_TMPDIR/f"
	req_stdin "$U" "${BARE[@]}" @- <"$BATS_TEST_TMPDIR/f"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
	req_stdin "$U" "${BARE[@]}" - <"$BATS_TEST_TMPDIR/f"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
	req_stdin -d @- "$U" "${BARE[@]}" <"$BATS_TEST_TMPDIR/f"
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
}

@test "body: stdin from a file already partly read → Content-Length of the rest" {
	serve
	printf '0123456789' >"$BATS_TEST_TMPDIR/f"
	run --separate-stderr bash -c '{ head -c 4 >/dev/null; "$HCLI" "$@"; } <"$0"' \
		"$BATS_TEST_TMPDIR/f" "$U" "${BARE[@]}" @-
	got_ok
	sent 'POST /x HTTP/1.1\r\nContent-Length: 6\r\n\r\n456789'
}

@test "body: a pipe → chunked, chunks of at most --blocksize, none empty before the last" {
	serve
	req_stdin --blocksize 4 "$U" "${BARE[@]}" @- < <(printf abcdefghij)
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n'
}

# Streaming: bytes go out as they come, not when the pipe ends. The writer
# sends "first", then waits (bounded) until the server has it before it sends
# the rest and closes: a client that held the bytes back makes it time out.
@test "body: a slow pipe's first bytes reach the server before the pipe ends" {
	serve
	local seen=$BATS_TEST_TMPDIR/seen
	req_stdin "$U" "${BARE[@]}" @- < <(
		printf first
		if harness_wait_for 10 grep -q first "$(raw_req 0 0)" 2>/dev/null; then
			echo yes >"$seen"
		else
			echo no >"$seen"
		fi
		printf second
	)
	assert_equal "$(cat "$seen")" yes
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n'
}

@test "body: an empty pipe → chunked with only the last chunk" {
	serve
	req_stdin "$U" "${BARE[@]}" @- < <(:)
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
}

@test "body: a FIFO → chunked" {
	serve
	printf abcdefghij >"$BATS_TEST_TMPDIR/src"
	fifo_from "$BATS_TEST_TMPDIR/src"
	req --blocksize 4 -d "@$FIFO" "$U" "${BARE[@]}"
	wait "$WRITER"
	WRITER=
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n'
}

@test "body: a character device (/dev/null) → chunked" {
	serve
	req -d @/dev/null "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
}

@test "body: none with POST, PUT, PATCH → Content-Length: 0" {
	serve
	local m
	for m in POST PUT PATCH; do
		req -X "$m" "$U" "${BARE[@]}"
		sent '%s /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n' "$m"
	done
}

@test "body: none with GET, DELETE, OPTIONS, PROPFIND → no framing header" {
	serve
	local m
	for m in GET DELETE OPTIONS PROPFIND; do
		req -X "$m" "$U" "${BARE[@]}"
		sent '%s /x HTTP/1.1\r\n\r\n' "$m"
	done
}

@test "body: --chunked with a string → chunked" {
	serve
	req --chunked -d hello "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
}

@test "body: --chunked with an empty string → only the last chunk" {
	serve
	req --chunked -d '' "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
}

@test "body: --chunked with a file and --blocksize 4 → chunks 4 4 2" {
	serve
	printf abcdefghij >"$BATS_TEST_TMPDIR/f"
	req --chunked --blocksize 4 -d "@$BATS_TEST_TMPDIR/f" "$U" "${BARE[@]}"
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n'
}

# --- user framing headers --------------------------------------------------------

@test "user Content-Length:5 with a 5-byte string → sent as is" {
	serve
	req -d hello "$U" "${BARE[@]}" Content-Length:5
	sent 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
}

@test "user Content-Length:10 with a 10-byte pipe → Content-Length, not chunked" {
	serve
	req_stdin "$U" "${BARE[@]}" Content-Length:10 @- < <(printf abcdefghij)
	sent 'POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcdefghij'
}

@test "user Content-Length:5 with a 3-byte string → 26, nothing sent" {
	silent_server
	send -d abc "$U" "${BARE[@]}" Content-Length:5
	failed_with 26
	raw_assert_nothing_sent
}

@test "user Content-Length:5 with a 7-byte string → 26, nothing sent" {
	silent_server
	send -d abcdefg "$U" "${BARE[@]}" Content-Length:5
	failed_with 26
	raw_assert_nothing_sent
}

@test "-X must be an RFC 9110 token: a second request injected, a space, a colon, a control → 2 Usage, nothing sent" {
	local m
	for m in $'GET /a HTTP/1.1\r\nHost: x\r\n\r\nDELETE' $'GET\r\nX-Injected: 1' 'GET /other' 'G:T' 'G(T)' $'G\tT' $'G\x7fT'; do
		silent_server
		send -X "$m" "$U"
		assert_equal "$(printf %q "$m") $status" "$(printf %q "$m") 2"
		[[ ${stderr%%$'\n'*} == 'hcli: Usage: '* ]] || fail "$(printf %q "$m"): $stderr"
		raw_assert_nothing_sent
		raw_stop
	done
}

@test "user Content-Length:10 with a 3-byte pipe → 26" {
	silent_server
	send_stdin "$U" "${BARE[@]}" Content-Length:10 @- < <(printf abc)
	failed_with 26
	got_at_most 0 'POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'
}

@test "user Content-Length:5 with a 10-byte pipe → 26, never more than 5 body bytes" {
	silent_server
	send_stdin "$U" "${BARE[@]}" Content-Length:5 @- < <(printf abcdefghij)
	failed_with 26
	got_at_most 0 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde'
}

@test "user Content-Length:5 with a 100 KiB pipe → 26, never more than 5 body bytes" {
	silent_server
	send_stdin "$U" "${BARE[@]}" Content-Length:5 @- < <(head -c 102400 /dev/zero | tr '\0' z)
	failed_with 26
	got_at_most 0 'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nzzzzz'
}

@test "user Transfer-Encoding:chunked → chunked framing" {
	serve
	req -d hello "$U" "${BARE[@]}" Transfer-Encoding:chunked
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
}

@test "user Transfer-Encoding:gzip, chunked → sent as given, body chunked" {
	serve
	req -d hello "$U" "${BARE[@]}" 'Transfer-Encoding:gzip, chunked'
	sent 'POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
}

@test "body: -d @FILE that does not exist → 26, nothing sent" {
	silent_server
	send -d "@$BATS_TEST_TMPDIR/no-such-file" "$U"
	failed_with 26
	raw_assert_nothing_sent
}

# --- HTTP/1.0 -----------------------------------------------------------------

@test "--http1.0: request line HTTP/1.0" {
	serve
	req --http1.0 "$U" "${BARE[@]}"
	sent 'GET /x HTTP/1.0\r\n\r\n'
}

@test "--http1.0: a piped body is spooled and gets Content-Length" {
	serve
	req_stdin --http1.0 "$U" "${BARE[@]}" @- < <(printf abcdefghij)
	sent 'POST /x HTTP/1.0\r\nContent-Length: 10\r\n\r\nabcdefghij'
}

@test "--http1.0: a 65537-byte pipe arrives whole with Content-Length" {
	serve
	head -c 65537 /dev/urandom >"$BATS_TEST_TMPDIR/src"
	req_stdin --http1.0 "$U" "${BARE[@]}" @- < <(cat "$BATS_TEST_TMPDIR/src")
	assert_equal "$(wire "$(raw_req 0 0)" 65536 "$BATS_TEST_TMPDIR/got")" 'length 65537'
	cmp "$BATS_TEST_TMPDIR/src" "$BATS_TEST_TMPDIR/got"
	assert_equal "$(head -n 1 "$(raw_req 0 0)")" $'POST /x HTTP/1.0\r'
}

# --- Expect: 100-continue ---------------------------------------------------------

@test "--expect100: Expect: 100-continue, the body after 100 Continue" {
	raw_start - <<'EOF'
[[{"expect": "head-only", "reply": "HTTP/1.1 100 Continue\r\n\r\n"},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	req --expect100 --expect100-timeout 30 -d hello "$RAW_URL/x" "${BARE[@]}"
	assert_equal "$(head_set "$(raw_req 0 0)")" \
		"$(printf '%s\n' 'POST /x HTTP/1.1' 'Content-Length: 5' 'Expect: 100-continue')"
	assert_equal "$(tail -c 4 "$(raw_req 0 0)" | od -An -tx1 | tr -d ' \n')" 0d0a0d0a
	assert_bytes "$(raw_req 0 1)" hello
}

@test "--expect100: no 100 within --expect100-timeout → the body is sent anyway" {
	raw_start - <<'EOF'
[[{"expect": "head-only"},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	req --expect100 --expect100-timeout 0.2 -d hello "$RAW_URL/x" "${BARE[@]}"
	assert_bytes "$(raw_req 0 1)" hello
}

# A final status instead of 100: reported (exit 0, -p h), the body never sent.
# The server replies after 200 ms, so a body sent without waiting would be there.
final_instead_of_100() { # STATUS-LINE
	raw_start - <<EOF
[[{"expect": "head-only", "delay_ms": 200, "reply": "$1\r\nContent-Length: 0\r\n\r\n"}]]
EOF
	send -p h --expect100 --expect100-timeout 30 -d hello "$RAW_URL/x" "${BARE[@]}"
	assert_equal "$status" 0
	assert_output "$1"$'\nContent-Length: 0'
	grep -qx $'Expect: 100-continue\r' "$(raw_req 0 0)"
	raw_conn_done 0
	[[ ! -s $RAW_DIR/req-0-1 ]] || fail "body sent: $(cat -A "$RAW_DIR/req-0-1")"
	assert_equal "$(tail -c 4 "$(raw_req 0 0)" | od -An -tx1 | tr -d ' \n')" 0d0a0d0a
}

@test "--expect100: 417 instead of 100 → body never sent, 417 reported" {
	final_instead_of_100 'HTTP/1.1 417 Expectation Failed'
}

@test "--expect100: 401 instead of 100 → body never sent, 401 reported" {
	final_instead_of_100 'HTTP/1.1 401 Unauthorized'
}

@test "no --expect100: no Expect header, even for a 2 MB body" {
	serve
	head -c 2000000 /dev/zero >"$BATS_TEST_TMPDIR/big"
	req -d "@$BATS_TEST_TMPDIR/big" "$U" "${BARE[@]}"
	assert_equal "$(head_set "$(raw_req 0 0)")" "$(printf '%s\n' 'POST /x HTTP/1.1' 'Content-Length: 2000000')"
}

# --- -p H and -p B ------------------------------------------------------------------

@test "-p H: the request head with LF endings, then an empty line" {
	serve
	printf 'GET /x HTTP/1.1\nHost: 127.0.0.1:%s\nUser-Agent: hcli/%s\nAccept: */*\nAccept-Encoding: identity\n\n' \
		"$RAW_PORT" "$VERSION" >"$BATS_TEST_TMPDIR/want"
	hcli -p H "$U" </dev/null >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
	# and it is what went on the wire
	cmp <(tr -d '\r' <"$(raw_last_req)") "$BATS_TEST_TMPDIR/out"
}

@test "-p H: with a body, the head as sent (framing included)" {
	serve
	hcli -p H -d hello "$U" "${BARE[@]}" </dev/null >"$BATS_TEST_TMPDIR/out"
	assert_bytes "$BATS_TEST_TMPDIR/out" 'POST /x HTTP/1.1\nContent-Length: 5\n\n'
}

@test "-p B: the body sent (string, pipe)" {
	serve
	send -p B -d hello "$U"
	assert_equal "$status" 0
	assert_output hello
	send_stdin -p B "$U" @- < <(printf 'piped body')
	assert_equal "$status" 0
	assert_output 'piped body'
}

# --- data integrity: sha256 of what the server got equals the source --------------

@test "integrity: string of 0 bytes" { integrity string 0; }
@test "integrity: string of 1 byte" { integrity string 1; }
@test "integrity: string of 65535 bytes" { integrity string 65535; }
@test "integrity: string of 65536 bytes" { integrity string 65536; }
@test "integrity: string of 65537 bytes" { integrity string 65537; }
@test "integrity: file of 0 bytes" { integrity file 0; }
@test "integrity: file of 1 byte" { integrity file 1; }
@test "integrity: file of 65535 bytes" { integrity file 65535; }
@test "integrity: file of 65536 bytes" { integrity file 65536; }
@test "integrity: file of 65537 bytes" { integrity file 65537; }
@test "integrity: file of 8 MiB" { integrity file 8388608; }
@test "integrity: @FILE item of 65537 bytes" { integrity item 65537; }
@test "integrity: stdin from a file of 0 bytes" { integrity stdin 0; }
@test "integrity: stdin from a file of 8 MiB" { integrity stdin 8388608; }
@test "integrity: pipe of 0 bytes" { integrity pipe 0; }
@test "integrity: pipe of 1 byte" { integrity pipe 1; }
@test "integrity: pipe of 65535 bytes" { integrity pipe 65535; }
@test "integrity: pipe of 65536 bytes" { integrity pipe 65536; }
@test "integrity: pipe of 65537 bytes" { integrity pipe 65537; }
@test "integrity: pipe of 8 MiB" { integrity pipe 8388608; }
@test "integrity: pipe of 1 MiB with --blocksize 1000" { integrity pipe 1048576 1000; }
@test "integrity: pipe fed slowly of 1 byte" { integrity slowpipe 1; }
@test "integrity: pipe fed slowly of 65537 bytes" { integrity slowpipe 65537; }
@test "integrity: pipe fed slowly of 8 MiB" { integrity slowpipe 8388608; }
@test "integrity: pipe fed slowly of 2 MiB with --blocksize 1000" { integrity slowpipe 2097152 1000; }

# On plain TCP a pipe's bytes go to the socket by splice(2), not through
# hcli's buffer (the integrity rows above cover that path); -p B, which must
# show the bytes, reads them.
@test "body: a pipe is spliced to the socket; with -p B it is read" {
	# LeakSanitizer cannot run under ptrace: the sanitizer build checks leaks elsewhere
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	serve
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/src"
	strace -f -qq -e trace=splice,read -o "$BATS_TEST_TMPDIR/trace" "$HCLI" "$U" "${BARE[@]}" @- \
		< <(cat "$BATS_TEST_TMPDIR/src") >/dev/null 2>&1
	assert_equal "$(wire "$(raw_req 0 0)" 65536 "$BATS_TEST_TMPDIR/got")" chunked
	assert_equal "$(sha256_of "$BATS_TEST_TMPDIR/got")" "$(sha256_of "$BATS_TEST_TMPDIR/src")"
	grep -Eq '^[0-9]+ +splice\(0, NULL, [0-9]+, NULL, [0-9]+' "$BATS_TEST_TMPDIR/trace" ||
		fail "no splice from standard input: $(head -20 "$BATS_TEST_TMPDIR/trace")"
	! grep -Eq '^[0-9]+ +read\(0, ' "$BATS_TEST_TMPDIR/trace" || fail "standard input was read"
	raw_stop
	serve
	strace -f -qq -e trace=splice,read -o "$BATS_TEST_TMPDIR/trace" "$HCLI" -p B "$U" "${BARE[@]}" @- \
		< <(cat "$BATS_TEST_TMPDIR/src") >"$BATS_TEST_TMPDIR/shown" 2>&1
	cmp "$BATS_TEST_TMPDIR/shown" "$BATS_TEST_TMPDIR/src"
	assert_equal "$(wire "$(raw_req 0 0)" 65536 "$BATS_TEST_TMPDIR/got")" chunked
	assert_equal "$(sha256_of "$BATS_TEST_TMPDIR/got")" "$(sha256_of "$BATS_TEST_TMPDIR/src")"
	! grep -q 'splice(' "$BATS_TEST_TMPDIR/trace" || fail "spliced with -p B"
}

# A writer that keeps the pipe full is woken once per refill, not once per
# chunk: what waits in the pipe leaves it in one splice (into hcli's own
# pipe), then goes to the socket in chunks of at most --blocksize.
@test "body: what waits in a pipe leaves it in one splice, then goes as chunks" {
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	serve
	local d=$BATS_TEST_TMPDIR
	head -c 300000 /dev/urandom >"$d/src"
	# the whole body waits in a 1 MiB pipe before hcli starts
	python3 -c '
import fcntl, os, sys
fcntl.fcntl(1, 1031, 1 << 20)  # F_SETPIPE_SZ
data = memoryview(open(sys.argv[1], "rb").read())
while data:
    data = data[os.write(1, data):]
open(sys.argv[2], "w").close()
' "$d/src" "$d/full" | {
		harness_wait_for 10 test -e "$d/full" &&
			strace -f -qq -e trace=splice -o "$d/trace" "$HCLI" "$U" "${BARE[@]}" @- >/dev/null 2>&1
	}
	assert_equal "$(wire "$(raw_req 0 0)" 65536 "$d/got")" chunked
	assert_equal "$(sha256_of "$d/got")" "$(sha256_of "$d/src")"
	grep -Eq '^[0-9]+ +splice\(0, NULL, [0-9]+, NULL, [0-9]+, [A-Z_|]+\) += 300000$' "$d/trace" ||
		fail "not one splice of the 300000 bytes from standard input: $(head -5 "$d/trace")"
}
