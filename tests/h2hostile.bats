#!/usr/bin/env bats
# HTTP/2 against peers that misbehave or squeeze (SPEC Part 2 "HTTP/2 and
# parallel transfers"): the scripted server (helpers/h2server.py, proven by
# h2harness.bats) for resets, GOAWAYs, header floods, tiny flow-control
# windows, pushes, bad prefaces and early answers; nghttpd and Apache
# mod_http2 for multiplexing with real servers.  Exit codes: 92 for a stream
# reset (HTTP2Stream), 16 for a connection error or a GOAWAY that loses a
# request (HTTP2), 8 for header limits.

load helpers/common
load helpers/h2
load helpers/tinyproxy

setup_file() {
	export PKI=$BATS_FILE_TMPDIR/pki
	pki_make "$PKI"
	head -c 1048576 /dev/urandom >"$BATS_FILE_TMPDIR/mib"
}

setup() {
	T=$BATS_TEST_TMPDIR
	CA=(--cacert "$PKI/ca.pem")
	H2C=(--http2-prior-knowledge)
	MIB=$BATS_FILE_TMPDIR/mib
}

# -Z, --parallel (SPEC Part 2) comes with the parallel transfers.
needs_parallel() {
	"$HCLI" --help | grep -q -- '--parallel' || skip "this hcli has no -Z, --parallel"
}


# The largest DATA frame connection 0 got once hcli had acknowledged the
# server's SETTINGS (before that, it may use the default window).
max_data_after_ack() {
	awk '/^recv SETTINGS stream=0 flags=ACK/ { acked = 1 }
		acked && /^recv DATA/ { sub(/.*len=/, ""); if ($0 + 0 > max) max = $0 + 0 }
		END { print max + 0 }' "$(h2_frames 0)"
}

mib_sha() {
	sha256_of "$MIB"
}

# The last run failed with STATUS and one line "hcli: KIND: ..." on standard error.
failed_with() { # STATUS KIND
	if [[ $status -ne $1 || $(wc -l <"$T/err") -ne 1 ]] || ! grep -q "^hcli: $2: " "$T/err"; then
		fail "$(printf 'expected %s and "hcli: %s: ...", got:\n%s' "$1" "$2" "$(show)")"
	fi
}

# The request's recorded fields hold LINE exactly.
head_has() { # C S LINE
	grep -qxF -- "$3" "$(h2_file "$1" "$2" head)" ||
		fail "req-$1-$2.head lacks '$3':"$'\n'"$(cat "$(h2_file "$1" "$2" head)")"
}

# --- speaking h2 ------------------------------------------------------------

@test "h2c prior knowledge: HTTP/2 200, fields as received, -w %{http_version} 2; the request's pseudo-headers; no push, windows of 8 MiB a stream and 64 MiB" {
	h2_start - <<<'{"default": {"headers": [["x-one", "1"]]}}'
	hrun "${H2C[@]}" -i -w '%{http_version}\n' "$H2_URL/a?b=1"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'HTTP/2 200\nx-one: 1\n\n/a?b=1\n2\n'
	h2_wait 0 1 end
	head_has 0 1 ':method: GET'
	head_has 0 1 ':scheme: http'
	head_has 0 1 ":authority: 127.0.0.1:$H2_PORT"
	head_has 0 1 ':path: /a?b=1'
	head_has 0 1 "user-agent: hcli/$(hcli_version)"
	# RFC 9113 §8.3.1: :authority instead of Host; no upper case; no connection fields
	run ! grep -qiE '^(host|connection|keep-alive|transfer-encoding|upgrade):' "$(h2_file 0 1 head)"
	run ! grep -q '^[^:]*[A-Z]' "$(h2_file 0 1 head)"
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=0 sha256=$(printf '' | sha256sum | cut -d' ' -f1)"
	# SETTINGS_ENABLE_PUSH 0 (SPEC), in hcli's first SETTINGS
	grep -m1 '^recv SETTINGS' "$(h2_frames 0)" | grep -q ' ENABLE_PUSH=0'
	# the windows the man page gives: 8 MiB a stream, the connection's opened to 64 MiB
	grep -m1 '^recv SETTINGS' "$(h2_frames 0)" | grep -q ' INITIAL_WINDOW_SIZE=8388608\b'
	grep -m1 '^recv WINDOW_UPDATE stream=0 ' "$(h2_frames 0)" | grep -q ' increment=67043329$'
}

@test "https offers h2 by ALPN; --http1.1 offers only http/1.1; http:// stays HTTP/1.1 unless --http2" {
	h2_tls_start - localhost localhost <<<'{}'
	hrun "${CA[@]}" -w '%{http_version}\n' "$H2_URL/a"
	[[ $status -eq 0 && $(cat "$T/out") == $'/a\n2' ]] || fail "$(show)"
	assert_equal "$(cat "$H2_DIR/alpn-0")" h2
	hrun "${CA[@]}" --http1.1 -w '%{http_version}\n' "$H2_URL/b"
	[[ $status -eq 0 && $(cat "$T/out") == $'http/1.1\n1.1' ]] || fail "$(show)"
	assert_equal "$(cat "$H2_DIR/alpn-1")" http/1.1
	# only h2 on the server: --http1.1 gets no ALPN answer and still speaks HTTP/1.1
	h2_tls_start - localhost localhost --alpn h2 <<<'{}'
	hrun "${CA[@]}" --http1.1 "$H2_URL/c"
	[[ $status -eq 0 && $(cat "$T/out") == http/1.1 ]] || fail "$(show)"
	assert_equal "$(cat "$H2_DIR/alpn-0")" none

	h2_start - <<<'{}'
	hrun -w '%{http_version}\n' "$H2_URL/d"
	[[ $status -eq 0 && $(cat "$T/out") == $'http/1.1\n1.1' ]] || fail "$(show)"
	grep -q '^GET /d HTTP/1.1' "$H2_DIR/h1-0"
	hrun --http2 -w '%{http_version}\n' "$H2_URL/e"
	[[ $status -eq 0 && $(cat "$T/out") == $'/e\n2' ]] || fail "$(show)"
	assert_equal "$(h2_requests)" 'conn=1 stream=1 GET /e'
}

@test "several URLs of one origin are streams of one connection" {
	h2_tls_start - localhost localhost <<<'{}'
	hrun "${CA[@]}" "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n/c\n'
	assert_equal "$(h2_conns)" 1
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /a\nconn=0 stream=3 GET /b\nconn=0 stream=5 GET /c'
}

@test "a URL stopped part-way (-f and a 404, an -o that cannot be written): its stream alone is reset (CANCEL), the next URL is a stream of the same connection" {
	h2_start - <<EOF
{"paths": {"/404": {"status": 404}, "/big": {"body_file": "$MIB"}}}
EOF
	hrun "${H2C[@]}" -f "$H2_URL/404" "$H2_URL/b"
	failed_with 22 HTTPError
	assert_bytes "$T/out" '/b\n'
	hrun "${H2C[@]}" -o /dev/full "$H2_URL/big" "$H2_URL/c"
	failed_with 23 WriteError
	assert_bytes "$T/out" '/c\n'
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /404\nconn=0 stream=3 GET /b\nconn=1 stream=1 GET /big\nconn=1 stream=3 GET /c'
	h2_wait_frame 1 '^recv RST_STREAM stream=1 flags=- len=4 error=8$'
}

@test "-Z: a delayed stream holds nobody up; standard output keeps command-line order" {
	needs_parallel
	# /slow is answered only once /fast's answer is out (5 s at most): both open at once
	h2_tls_start - localhost localhost <<<'{"paths": {"/slow": {"after": {"path": "/fast"}}}}'
	hrun "${CA[@]}" -Z "$H2_URL/slow" "$H2_URL/fast"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/slow\n/fast\n'
	assert_equal "$(h2_conns)" 1
	# both streams were open at once: the fast one was answered first
	assert_equal "$(grep -oE 'stream=[13] (request GET|answer answered)' "$H2_DIR/log" | tr '\n' '|')" \
		'stream=1 request GET|stream=3 request GET|stream=3 answer answered|stream=1 answer answered|'
	run ! grep -q 'gave up waiting' "$H2_DIR/log"
}

@test "-Z with MAX_CONCURRENT_STREAMS 1: the rest wait for a free stream on the one connection" {
	needs_parallel
	h2_tls_start - localhost localhost <<<'{"settings": {"MAX_CONCURRENT_STREAMS": 1}, "default": {"delay_ms": 50}}'
	hrun "${CA[@]}" -Z "$H2_URL/a" "$H2_URL/b" "$H2_URL/c" "$H2_URL/d"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n/c\n/d\n'
	assert_equal "$(h2_conns)" 1
	# one at a time: none refused, none over the limit
	h2_wait 0 7 outcome
	assert_equal "$(cat "$H2_DIR/max-open-0")" 1
	assert_equal "$(cat "$H2_DIR"/req-0-*.outcome | sort -u)" answered
}

@test "-Z --parallel-max 2 over h2: at most two streams open at once on the one connection" {
	needs_parallel
	h2_start - <<<'{"default": {"delay_ms": 100}}'
	hrun -Z --parallel-max 2 "${H2C[@]}" "$H2_URL/1" "$H2_URL/2" "$H2_URL/3" "$H2_URL/4"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/1\n/2\n/3\n/4\n'
	assert_equal "$(h2_conns)" 1
	(($(cat "$H2_DIR/max-open-0") <= 2)) || fail "$(cat "$H2_DIR/max-open-0") streams open at once"
	# the third request came only once a first answer was out
	local third first
	third=$(grep -n ' request GET ' "$H2_DIR/log" | sed -n 3p | cut -d: -f1)
	first=$(grep -n ' answer answered' "$H2_DIR/log" | head -n 1 | cut -d: -f1)
	((third > first)) || fail "$(cat "$H2_DIR/log")"
}

@test "trailers end the stream; the body is intact" {
	h2_start - <<<'{"default": {"body": "hello\n", "trailers": [["x-t", "1"]]}}'
	expect_ok hello "${H2C[@]}" "$H2_URL/a"
}

@test "connection-specific fields given as items are not sent over h2; TE: trailers is" {
	h2_start - <<<'{}'
	hrun -v "${H2C[@]}" "$H2_URL/a" Connection:close Keep-Alive:timeout=5 Upgrade:websocket \
		Proxy-Connection:keep-alive Transfer-Encoding:chunked TE:trailers X-Kept:1
	[[ $status -eq 0 ]] || fail "$(show)"
	h2_wait 0 1 end
	head_has 0 1 'te: trailers'
	head_has 0 1 'x-kept: 1'
	run ! grep -qiE '^(connection|keep-alive|upgrade|proxy-connection|transfer-encoding):' "$(h2_file 0 1 head)"
	# -v says so, one line each
	for f in Connection Keep-Alive Upgrade Proxy-Connection Transfer-Encoding; do
		grep -qx "\* Not sent over HTTP/2: $f (connection-specific)" "$T/err" || fail "$f: $(show)"
	done
	# any other TE is left out too (RFC 9113 §8.2.2)
	hrun "${H2C[@]}" "$H2_URL/b" TE:gzip
	[[ $status -eq 0 ]] || fail "$(show)"
	h2_wait 1 1 end
	run ! grep -qi '^te:' "$(h2_file 1 1 head)"
}

@test "over h2: -L follows a redirect on the same connection; --compressed decodes gzip" {
	h2_start - <<'EOF'
{"paths": {"/r": {"status": 302, "headers": [["location", "/b"]], "body": ""},
           "/z": {"headers": [["content-encoding", "gzip"]], "body_b64": "H4sIAAAAAAAAA8tIzcnJ5wIAIDA6NgYAAAA="}}}
EOF
	hrun "${H2C[@]}" -L "$H2_URL/r"
	[[ $status -eq 0 && $(cat "$T/out") == /b ]] || fail "$(show)"
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /r\nconn=0 stream=3 GET /b'
	hrun "${H2C[@]}" --compressed "$H2_URL/z"
	[[ $status -eq 0 && $(cat "$T/out") == hello ]] || fail "$(show)"
	grep -q '^accept-encoding: .*gzip' "$(h2_file 1 1 head)"
}

@test "h2 inside a proxy's CONNECT tunnel (tinyproxy): ALPN h2 end to end" {
	h2_tls_start - localhost localhost <<<'{}'
	tinyproxy_start "$T/proxy" "ConnectPort $H2_PORT"
	hrun "${CA[@]}" -x "$TP_URL" -w '%{http_version}\n' "$H2_URL/a"
	[[ $status -eq 0 && $(cat "$T/out") == $'/a\n2' ]] || fail "$(show)"
	assert_equal "$(cat "$H2_DIR/alpn-0")" h2
	grep -q "CONNECT localhost:$H2_PORT " "$TP_DIR/log"
}

@test "-v shows the frames that matter: SETTINGS, HEADERS, RST_STREAM, GOAWAY" {
	h2_start - <<<'{"default": {"body": "0123456789", "reset": {"after_bytes": 4, "error": 8}}}'
	hrun -v "${H2C[@]}" "$H2_URL/r"
	[[ $status -eq 92 ]] || fail "$(show)"
	grep -q 'SETTINGS' "$T/err"
	grep -q 'HEADERS' "$T/err"
	grep -q 'RST_STREAM' "$T/err"
	h2_start - <<<'{"default": {"body": "0123456789", "goaway": {"after_bytes": 4, "error": 2}}}'
	hrun -v "${H2C[@]}" "$H2_URL/g"
	[[ $status -eq 16 ]] || fail "$(show)"
	grep -q 'GOAWAY' "$T/err"
}

@test "1xx heads over h2 are read and skipped: -i shows the final head; PING is answered" {
	h2_start - <<<'{"ping": true, "default": {"interim": [103, 100]}}'
	hrun "${H2C[@]}" -i "$H2_URL/a"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'HTTP/2 200\n\n/a\n'
	h2_wait_frame 0 '^recv PING stream=0 flags=ACK len=8 data=6832736572766572$'
}

@test "-v shows 1xx heads over h2 as over HTTP/1.1" {
	h2_start - <<<'{"default": {"interim": [103]}}'
	hrun "${H2C[@]}" -v "$H2_URL/a"
	[[ $status -eq 0 && $(cat "$T/out") == /a ]] || fail "$(show)"
	grep -qx '< HTTP/2 103' "$T/err"
	grep -qx '< x-interim: 103' "$T/err"
	grep -qx '< HTTP/2 200' "$T/err"
}

@test "interim heads over h2 are capped as over HTTP/1.1: 1000 then a final answer is fine, 1001 is 8 TooManyInterim" {
	"$H2_PYTHON" -c 'import json; print(json.dumps({"paths": {
		"/ok": {"interim": [103] * 1000}, "/many": {"interim": [103] * 1001}}}))' >"$T/script"
	h2_start "$T/script"
	expect_ok /ok "${H2C[@]}" "$H2_URL/ok"
	hrun "${H2C[@]}" "$H2_URL/many"
	failed_with 8 TooManyInterim
	grep -qF 'more than 1000 interim (1xx) responses without a final one' "$T/err"
	[[ ! -s $T/out ]]
}

# --- resets and GOAWAY --------------------------------------------------------

@test "a stream reset among several URLs: 92 HTTP2Stream, its bytes before the reset written, the others intact" {
	h2_tls_start - localhost localhost <<'EOF'
{"paths": {"/r": {"body": "0123456789", "reset": {"after_bytes": 4, "error": 2}}}}
EOF
	hrun "${CA[@]}" "$H2_URL/a" "$H2_URL/r" "$H2_URL/b"
	failed_with 92 HTTP2Stream
	assert_bytes "$T/out" '/a\n0123/b\n'
	assert_equal "$(h2_conns)" 1
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /a\nconn=0 stream=3 GET /r\nconn=0 stream=5 GET /b'
}

@test "-Z: a stream reset among several: 92 HTTP2Stream, its bytes before the reset written, the others intact" {
	needs_parallel
	h2_tls_start - localhost localhost <<'EOF'
{"paths": {"/r": {"body": "0123456789", "reset": {"after_bytes": 4, "error": 2}}}}
EOF
	hrun "${CA[@]}" -Z "$H2_URL/a" "$H2_URL/r" "$H2_URL/b"
	failed_with 92 HTTP2Stream
	assert_bytes "$T/out" '/a\n0123/b\n'
	assert_equal "$(h2_conns)" 1
}

@test "a stream reset inside -o's body: 92, the partial file left as FILE.part" {
	h2_start - <<<'{"default": {"body": "0123456789", "reset": {"after_bytes": 4, "error": 8}}}'
	hrun "${H2C[@]}" -o "$T/got" "$H2_URL/r"
	failed_with 92 HTTP2Stream
	[[ ! -e $T/got ]]
	assert_bytes "$T/got.part" '0123'
}

@test "GOAWAY with an error inside a body: 16 HTTP2, the bytes before it written" {
	h2_start - <<<'{"default": {"body": "0123456789", "goaway": {"after_bytes": 4, "error": 2}}}'
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	assert_bytes "$T/out" '0123'
	assert_equal "$(h2_conns)" 1
	# the message says why: the GOAWAY's error, not the close after it
	assert_equal "$(cat "$T/err")" "hcli: HTTP2: HTTP/2 connection error: the server's GOAWAY said INTERNAL_ERROR"
}

@test "GOAWAY(NO_ERROR) inside a body, then the close: 18 IncompleteRead as curl, the bytes before it written" {
	# curl 7.88 and 8.x: a stream the close cuts short after its first bytes is a partial file
	h2_start - <<<'{"default": {"body": "0123456789", "goaway": {"after_bytes": 4, "error": 0}}}'
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 18 IncompleteRead
	assert_bytes "$T/out" '0123'
	grep -q 'GOAWAY' "$T/err" || fail "$(show)"
}

@test "GOAWAY below an open stream: the unprocessed GET is retried once on a new connection" {
	h2_tls_start - localhost localhost <<<'[{"goaway": {"after_requests": 2}}, {}]'
	hrun "${CA[@]}" "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n/c\n'
	assert_equal "$(h2_conns)" 2
	assert_equal "$(cat "$(h2_file 0 3 outcome)")" refused
	grep -q '^conn=1 stream=1 GET /b$' "$H2_DIR/requests"
	grep -q '^conn=1 stream=3 GET /c$' "$H2_DIR/requests"
}

@test "-Z: GOAWAY below two open streams: both retried on one new connection" {
	needs_parallel
	h2_tls_start - localhost localhost <<<'[{"goaway": {"after_requests": 3, "last_stream_id": 1}}, {}]'
	hrun "${CA[@]}" -Z "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n/c\n'
	assert_equal "$(h2_conns)" 2
	assert_equal "$(grep -c '^conn=1 ' "$H2_DIR/requests")" 2
}

@test "-Z: GOAWAY with an error inside one body: 16 for it, its bytes and the answered stream's written, the unprocessed one retried" {
	# /g answers after /a, then cuts its body with GOAWAY(INTERNAL_ERROR, last stream /g's);
	# /c, opened above it and held, was not processed: it goes again on a new connection
	h2_start - <<'EOF'
[{"paths": {"/g": {"after": {"path": "/a"}, "body": "0123456789", "goaway": {"after_bytes": 4, "error": 2}},
            "/c": {"after": {"path": "/g"}}}}, {}]
EOF
	hrun -Z "${H2C[@]}" "$H2_URL/a" "$H2_URL/g" "$H2_URL/c"
	failed_with 16 HTTP2
	assert_bytes "$T/out" '/a\n0123/c\n'
	assert_equal "$(grep -v ' GET /c$' "$H2_DIR/requests")" $'conn=0 stream=1 GET /a\nconn=0 stream=3 GET /g'
	assert_equal "$(tail -n 1 "$H2_DIR/requests")" 'conn=1 stream=1 GET /c'
}

@test "a graceful GOAWAY (NO_ERROR, its stream answered) and a close: no error, five times out of five" {
	h2_start - <<<'{"goaway": {"after_requests": 1, "last_stream_id": 1}}'
	for _ in 1 2 3 4 5; do
		expect_ok /a "${H2C[@]}" "$H2_URL/a"
	done
}

@test "a graceful GOAWAY and a close over TLS: no error, five times out of five" {
	h2_tls_start - localhost localhost <<<'{"goaway": {"after_requests": 1, "last_stream_id": 1}}'
	for _ in 1 2 3 4 5; do
		expect_ok /a "${CA[@]}" "$H2_URL/a"
	done
}

@test "a graceful GOAWAY (NO_ERROR, last stream answered): the next URL goes on a new connection" {
	h2_start - <<<'[{"goaway": {"after_requests": 1, "last_stream_id": 1}}, {}]'
	hrun "${H2C[@]}" "$H2_URL/a" "$H2_URL/b"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n'
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /a\nconn=1 stream=1 GET /b'
}

@test "a stream that never gets its answer: -m and --timeout end it (28)" {
	h2_start - <<<'{"default": {"hang": true}}'
	hrun "${H2C[@]}" -m 1 "$H2_URL/a"
	failed_with 28 Timeout
	hrun "${H2C[@]}" --timeout 1 "$H2_URL/a"
	failed_with 28 Timeout
}

@test "GOAWAY below the retried stream again: one retry only, then 16" {
	h2_start - <<'EOF'
{"repeat": false, "connections": [
  {"goaway": {"after_requests": 1, "last_stream_id": 0}},
  {"goaway": {"after_requests": 1, "last_stream_id": 0}},
  {}]}
EOF
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	assert_equal "$(h2_conns)" 2
	[[ ! -s $T/out ]]
}

@test "GOAWAY below a POST: a file's body is replayed, a pipe's body is not (16)" {
	h2_start - <<<'[{"goaway": {"after_requests": 1, "last_stream_id": 0}}, {"default": {"echo": true}}]'
	hrun "${H2C[@]}" "$H2_URL/p" @"$MIB"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(sha256_of "$T/out")" "$(mib_sha)"
	assert_equal "$(h2_conns)" 2

	h2_start - <<<'[{"goaway": {"after_requests": 1, "last_stream_id": 0}}, {"default": {"echo": true}}]'
	hrun_pipe 'piped body' "${H2C[@]}" "$H2_URL/p" @-
	failed_with 16 HTTP2
	assert_equal "$(h2_conns)" 1
}

@test "request fields over 64 KiB in all go as HEADERS and CONTINUATION frames" {
	head -c 40000 /dev/zero | tr '\0' v >"$T/v"
	h2_start - <<<'{"settings": {"MAX_HEADER_LIST_SIZE": 1048576}}'
	hrun "${H2C[@]}" "$H2_URL/big" X-Big1:@"$T/v" X-Big2:@"$T/v"
	[[ $status -eq 0 && $(cat "$T/out") == /big ]] || fail "$(show)"
	h2_wait 0 1 head
	assert_equal "$(awk '/^x-big[12]: / { print length($0) }' "$(h2_file 0 1 head)" | tr '\n' ' ')" '40008 40008 '
}

@test "a request head over Part 1's 1 MiB: refused before it is sent (2 Usage), as over HTTP/1.1" {
	head -c 600000 /dev/zero | tr '\0' v >"$T/v"
	h2_start - <<<'{"settings": {"MAX_HEADER_LIST_SIZE": 4194304}}'
	hrun "${H2C[@]}" "$H2_URL/big" X-Big1:@"$T/v" X-Big2:@"$T/v"
	failed_with 2 Usage
	grep -qx 'hcli: Usage: request head too large' "$T/err"
	assert_equal "$(h2_requests)" ''
}

# --- header limits (Part 1's, on decoded header lists) ------------------------

@test "header limits: a 65,536-byte field passes, 65,537 is 8; a list over 64 KiB of small fields passes" {
	# x-big is 5 bytes: 5 + 65531 = 65536
	h2_start - <<'EOF'
{"paths": {"/ok": {"big_field": 65531}, "/big": {"big_field": 65532},
           "/list": {"many_fields": 20, "field_size": 4000}}}
EOF
	hrun "${H2C[@]}" -i "$H2_URL/ok"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(awk '/^x-big: b/ { print length($0) }' "$T/out")" $((7 + 65531))
	hrun "${H2C[@]}" "$H2_URL/big"
	[[ $status -eq 8 && ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
	grep -q '^hcli: ' "$T/err"
	hrun "${H2C[@]}" -i "$H2_URL/list"
	[[ $status -eq 0 ]] || fail "$(show)"
	# 20 fields of 4,000 bytes: 80 KB in five frames (nghttp2 takes at most 8 CONTINUATIONs)
	assert_equal "$(awk '/^x-f-[0-9]+: f+$/ && length($0) > 4000 { n++ } END { print n }' "$T/out")" 20
}

@test "header limits: 100 fields pass, 101 are 8 and the message names --max-headers; raised, they pass" {
	h2_start - <<<'{"paths": {"/100": {"many_fields": 100}, "/101": {"many_fields": 101}}}'
	hrun "${H2C[@]}" -i "$H2_URL/100"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(grep -c '^x-f-' "$T/out")" 100
	hrun "${H2C[@]}" "$H2_URL/101"
	[[ $status -eq 8 && ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
	grep -q -- '--max-headers' "$T/err"
	hrun "${H2C[@]}" --max-headers 101 "$H2_URL/101"
	[[ $status -eq 0 && $(cat "$T/out") == /101 ]] || fail "$(show)"
}

@test "a CONTINUATION flood ends the connection: 16 HTTP2, no hang" {
	h2_start - <<<'{"default": {"flood": {"count": 100000}}}'
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	[[ ! -s $T/out ]]
}

@test "a header list within Part 1's limits passes however many frames it takes: 100 fields of 20,000 bytes, 123 frames" {
	# libnghttp2's own cap (8 CONTINUATIONs in Debian's 1.52) would refuse it as a flood
	h2_start - <<<'{"default": {"many_fields": 100, "field_size": 20000}}'
	hrun "${H2C[@]}" -i "$H2_URL/a"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(awk '/^x-f-[0-9]+: f+$/ && length($0) > 20000 { n++ } END { print n }' "$T/out")" 100
	h2_wait_log 'sent a raw head of [0-9]+ bytes in 123 frames'
}

@test "CONTINUATION frames are counted: as many as Part 1's largest list takes pass (405; 9 with --max-headers 1), one more is 16" {
	# count N: HEADERS, N empty CONTINUATIONs, then one with END_HEADERS
	h2_start - <<'EOF'
{"paths": {"/404": {"flood": {"count": 404}}, "/405": {"flood": {"count": 405}},
           "/8": {"flood": {"count": 8}}, "/9": {"flood": {"count": 9}}}}
EOF
	expect_ok /404 "${H2C[@]}" "$H2_URL/404"
	hrun "${H2C[@]}" "$H2_URL/405"
	failed_with 16 HTTP2
	grep -qx 'hcli: HTTP2: HTTP/2 connection error: too many CONTINUATION frames in one header block' "$T/err" ||
		fail "$(show)"
	expect_ok /8 "${H2C[@]}" --max-headers 1 "$H2_URL/8"
	hrun "${H2C[@]}" --max-headers 1 "$H2_URL/9"
	failed_with 16 HTTP2
}

@test "RST_STREAM NO_ERROR after a complete answer is no error; DATA short of content-length is 92, its bytes written" {
	h2_start - <<'EOF'
{"paths": {"/rst0": {"rst_after_end": 0},
           "/short": {"headers": [["content-length", "10"]], "body": "0123"}}}
EOF
	expect_ok /rst0 "${H2C[@]}" "$H2_URL/rst0"
	# RFC 9113 §8.1.1: malformed, a stream error (PROTOCOL_ERROR), as curl's 92
	hrun "${H2C[@]}" "$H2_URL/short"
	failed_with 92 HTTP2Stream
	assert_bytes "$T/out" '0123'
}

# --- connection errors --------------------------------------------------------

@test "PUSH_PROMISE after SETTINGS_ENABLE_PUSH 0: 16 HTTP2, GOAWAY PROTOCOL_ERROR" {
	h2_start - <<<'{"default": {"push": "/pushed"}}'
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	grep -q '^send PUSH_PROMISE stream=1 ' "$(h2_frames 0)"
	h2_wait_frame 0 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=1$'
}

@test "frames RFC 9113 makes connection errors are 16; unknown and PRIORITY frames are ignored" {
	# raw frames before the answer's head: HEADERS without END_HEADERS then a PING
	# (§6.10), HEADERS on stream 2, which the server may not open (§5.1.1),
	# RST_STREAM on stream 0 (§6.4); a frame of type 0xfa (§5.5) and PRIORITY
	h2_start - <<'EOF'
{"paths": {
 "/cont": {"raw_hex": "000001 01 00 00000001 88  000008 06 00 00000000 0000000000000000"},
 "/even": {"raw_hex": "000001 01 05 00000002 88"},
 "/rst0": {"raw_hex": "000004 03 00 00000000 00000000"},
 "/unknown": {"raw_hex": "000004 fa 00 00000000 01020304"},
 "/prio": {"raw_hex": "000005 02 00 00000001 0000000010"}}}
EOF
	for p in cont even rst0; do
		hrun "${H2C[@]}" "$H2_URL/$p"
		failed_with 16 HTTP2
	done
	for p in unknown prio; do
		expect_ok "/$p" "${H2C[@]}" "$H2_URL/$p"
	done
	for c in 0 1 2; do
		h2_wait_frame "$c" '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=1$'
	done
}

@test "a WINDOW_UPDATE past 2^31-1: 16 HTTP2, GOAWAY FLOW_CONTROL_ERROR" {
	h2_start - <<<'{"default": {"raw_hex": "0000040800000000007fffffff"}}'
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	h2_wait_frame 0 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=3$'
}

@test "a bad preface (an HTTP/1.1 answer) and a malformed SETTINGS frame: 16 HTTP2" {
	h2_start - <<'EOF'
[{"preface_hex": "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a"},
 {"preface_hex": "0000050400000000000000000000"}]
EOF
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	hrun "${H2C[@]}" "$H2_URL/a"
	failed_with 16 HTTP2
	# FRAME_SIZE_ERROR (RFC 9113 §6.5: a SETTINGS length not a multiple of 6)
	h2_wait_frame 1 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=6$'
}

@test "DATA after END_STREAM: 16 HTTP2, the body before it written" {
	# the stray frame comes after /a's end and before /b's answer; /b fails with
	# the connection or goes on a new one
	h2_start - <<<'{"paths": {"/a": {"data_after_end": "extra"}, "/b": {"delay_ms": 200}}}'
	hrun "${H2C[@]}" "$H2_URL/a" "$H2_URL/b"
	failed_with 16 HTTP2
	[[ $(cat "$T/out") == /a || $(cat "$T/out") == $'/a\n/b' ]] || fail "$(show)"
}

# --- uploads and flow control -------------------------------------------------

@test "a 0-byte body from a pipe ends the stream with END_STREAM" {
	h2_start - <<<'{}'
	hrun_pipe '' "${H2C[@]}" PUT "$H2_URL/empty" @-
	[[ $status -eq 0 && $(cat "$T/out") == /empty ]] || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=0 sha256=$(printf '' | sha256sum | cut -d' ' -f1)"
	grep -qE '^recv (HEADERS|DATA) stream=1 flags=END_STREAM' "$(h2_frames 0)"
}

@test "a pipe's body goes as DATA frames (no chunked coding) through a 1-byte stream window" {
	# a client may send 65,535 bytes before it has the server's SETTINGS: 2,000 more
	head -c $((65535 + 2000)) "$MIB" >"$T/up"
	h2_start - <<<'{"settings": {"INITIAL_WINDOW_SIZE": 1}, "default": {"body": "ok\n"}}'
	hcli_capture "${H2C[@]}" PUT "$H2_URL/up" @- <"$T/up"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=67535 sha256=$(sha256_of "$T/up")"
	assert_equal "$(max_data_after_ack)" 1
	run ! grep -qi '^transfer-encoding' "$(h2_file 0 1 head)"
}

@test "tiny windows both ways: 1 MiB up through a 1 KiB window and through a slowly consumed one, 1 MiB down in 16-byte frames; sha256 intact" {
	# (a 16-byte window would take 65,536 round trips through the Python server: 14 s)
	h2_start - <<<'{"settings": {"INITIAL_WINDOW_SIZE": 1024}, "default": {"body": "ok\n"}}'
	hrun "${H2C[@]}" PUT "$H2_URL/up" @"$MIB"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=1048576 sha256=$(mib_sha)"
	# once hcli has taken the SETTINGS (its ACK), no DATA frame is larger than the window
	assert_equal "$(max_data_after_ack)" 1024

	h2_start - <<<'{"settings": {"INITIAL_WINDOW_SIZE": 16384}, "consume_delay_ms": 5, "default": {"body": "ok\n"}}'
	hrun "${H2C[@]}" PUT "$H2_URL/up" @"$MIB"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=1048576 sha256=$(mib_sha)"
	head_has 0 1 'content-length: 1048576'

	h2_start - <<EOF
{"default": {"body_file": "$MIB", "frame_size": 16}}
EOF
	hrun "${H2C[@]}" "$H2_URL/down"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(sha256_of "$T/out")" "$(mib_sha)"
}

@test "TLS: 1 MiB in 16-byte DATA frames, then trailers: nothing left waiting in TLS's buffer" {
	# many frames a TLS record: input GnuTLS holds never wakes poll (EVENT-LOOP pitfall 10);
	# the server says nothing after the trailers, so a missed record is a hang
	h2_tls_start - localhost localhost <<EOF
{"default": {"body_file": "$MIB", "frame_size": 16, "trailers": [["x-t", "1"]]}}
EOF
	hrun "${CA[@]}" "$H2_URL/a" "$H2_URL/b"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(sha256_of "$T/out")" "$(cat "$MIB" "$MIB" | sha256sum | cut -d' ' -f1)"
	assert_equal "$(h2_conns)" 1
}

@test "-Z: two 1 MiB streams in 16-byte frames on one connection, both intact" {
	needs_parallel
	h2_tls_start - localhost localhost <<EOF
{"default": {"body_file": "$MIB", "frame_size": 16}}
EOF
	hrun "${CA[@]}" -Z -o "$T/one" "$H2_URL/one" -o "$T/two" "$H2_URL/two"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(sha256_of "$T/one")" "$(mib_sha)"
	assert_equal "$(sha256_of "$T/two")" "$(mib_sha)"
	assert_equal "$(h2_conns)" 1
}

@test "padded DATA frames: the padding counts against the window and is given back (17 MiB of frames for 1 MiB)" {
	h2_start - <<EOF
{"default": {"body_file": "$MIB", "frame_size": 16, "pad": 255}}
EOF
	hrun "${H2C[@]}" "$H2_URL/down"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(sha256_of "$T/out")" "$(mib_sha)"
}

@test "a pipe upload stalled by a window of 0 resumes when a later SETTINGS opens it" {
	h2_start - <<'EOF'
{"settings": {"INITIAL_WINDOW_SIZE": 0}, "default": {"body": "ok\n"},
 "settings_later": {"after_requests": 1, "delay_ms": 200, "settings": {"INITIAL_WINDOW_SIZE": 65535}}}
EOF
	hcli_capture "${H2C[@]}" PUT "$H2_URL/up" @- < <(cat "$MIB")
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=1048576 sha256=$(mib_sha)"
	(($(h2_recv_data 0 '^send SETTINGS stream=0 flags=- len=6 INITIAL_WINDOW_SIZE=65535$') <= 65535))
}

@test "an early 413 during an upload: the answer is shown, the upload stops" {
	h2_start - <<'EOF'
{"settings": {"INITIAL_WINDOW_SIZE": 16384}, "consume_delay_ms": 50,
 "default": {"status": 413, "wait_body": false, "body": "too big\n", "rst_after_end": 0}}
EOF
	hrun "${H2C[@]}" -i PUT "$H2_URL/up" @"$MIB"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'HTTP/2 413\n\ntoo big\n'
	h2_wait 0 1 outcome
	# it stopped sending: far less than the 1 MiB arrived
	(($(stat -c %s "$(h2_file 0 1 body)") < 524288))
}

# The line in connection C's frame log where REGEX first matches (0: nowhere).
frame_at() { # C REGEX
	awk -v re="$2" '$0 ~ re { print NR; found = 1; exit } END { if (!found) print 0 }' \
		"$(h2_frames "$1")"
}

@test "--expect100 over h2: expect: 100-continue, the body held until 100 Continue" {
	h2_start - <<<'{"default": {"interim": [100], "wait_body": false, "body": "ok\n"}}'
	hrun "${H2C[@]}" --expect100 --expect100-timeout 30 -d hello "$H2_URL/x"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'ok\n'
	head_has 0 1 'expect: 100-continue'
	h2_wait 0 1 end
	assert_equal "$(cut -d' ' -f1 "$(h2_file 0 1 end)")" "bytes=5"
	# the 100 went out before the first byte of the body came in
	local head data
	head=$(frame_at 0 '^send HEADERS stream=1 ')
	data=$(frame_at 0 '^recv DATA stream=1 ')
	((head > 0 && data > head)) || fail "$(cat "$(h2_frames 0)")"
}

@test "--expect100 over h2: no 100 within --expect100-timeout, the body goes anyway" {
	h2_start - <<<'{"default": {"body": "ok\n"}}'
	hrun -v "${H2C[@]}" --expect100 --expect100-timeout 0.2 -d hello "$H2_URL/x"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'ok\n'
	grep -q 'No 100 Continue within 200 ms; sending the body' "$T/err" || fail "$(show)"
	h2_wait 0 1 end
	assert_equal "$(cut -d' ' -f1 "$(h2_file 0 1 end)")" "bytes=5"
}

@test "--expect100 over h2: a final answer instead of 100 Continue: the body is never sent" {
	h2_start - <<<'{"default": {"status": 417, "wait_body": false, "body": "no\n"}}'
	hrun -i "${H2C[@]}" --expect100 --expect100-timeout 30 -d hello "$H2_URL/x"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'HTTP/2 417\n\nno\n'
	# the stream ends with hcli's RST_STREAM(NO_ERROR), after any DATA it could have sent
	h2_wait_frame 0 '^recv RST_STREAM stream=1 '
	[[ ! -e $(h2_file 0 1 body) && $(frame_at 0 '^recv DATA stream=1 ') -eq 0 ]] ||
		fail "$(cat "$(h2_frames 0)")"
}

# hcli on a pseudo-terminal (script(1)), no colour: what reached the terminal
# in $T/tty, the exit code in $status.
tty_run() { # ARGS...
	local cmd
	cmd="stty -onlcr; exec $(printf '%q ' env NO_COLOR=1 TERM=xterm "$HCLI" "$@")"
	status=0
	timeout -k 2 20 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
}

@test "a terminal never gets a server's control bytes raw: h2 field values, GOAWAY debug data, -v" {
	h2_start - <<'EOF'
[{"default": {"headers": [["x-evil", "a\u001b]0;pwned\u0007b\u001b[2J"]]}},
 {"goaway": {"after_requests": 1, "last_stream_id": 0, "error": 2,
             "debug": "\u001b]0;pwned\u0007\u001b[2J"}}]
EOF
	tty_run -v -i "${H2C[@]}" "$H2_URL/a"
	[[ -s $T/tty ]]
	run ! grep -q $'[\e\a]' "$T/tty"
	tty_run -v "${H2C[@]}" "$H2_URL/b"
	[[ $status -eq 16 ]] || fail "status $status: $(cat -v "$T/tty")"
	run ! grep -q $'[\e\a]' "$T/tty"
}

# --- memory ------------------------------------------------------------------------

# Peak RSS in KiB of hcli ARGS (output to /dev/null), by time(1).
peak_rss() { # ARGS...
	/usr/bin/time -f %M -o "$T/rss" "$HCLI" "$@" >/dev/null 2>"$T/err" || fail "status $?: $(cat "$T/err")"
	tail -n 1 "$T/rss"
}

@test "peak RSS over h2: a tiny GET at most 7 MiB; flat with the body's size (64 MiB) and the number of URLs (100, one after the other and -Z)" {
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	head -c 64M /dev/zero >"$T/big"
	h2_start - <<EOF
{"paths": {"/big": {"body_file": "$T/big"}}}
EOF
	local urls=() i tiny big many manyz
	for i in $(seq 100); do urls+=("$H2_URL/$i"); done
	tiny=$(peak_rss "${H2C[@]}" "$H2_URL/a")
	big=$(peak_rss "${H2C[@]}" "$H2_URL/big")
	many=$(peak_rss "${H2C[@]}" "${urls[@]}")
	manyz=$(peak_rss -Z "${H2C[@]}" "${urls[@]}")
	echo "KiB: tiny $tiny, 64 MiB $big, 100 URLs $many, 100 URLs -Z $manyz"
	((tiny <= 7168)) || fail "a tiny GET took $tiny KiB"
	# an 8 MiB stream window held, or the body, would show
	for i in "$big" "$many" "$manyz"; do
		((i <= 7168 && i <= tiny + 4096)) || fail "$i KiB against $tiny for a tiny GET"
	done
}

# --- real servers ---------------------------------------------------------------

@test "nghttpd: three URLs over one TLS connection, a 1 MiB file intact, -w %{http_version} 2" {
	nghttpd_start "$T/ng" tls
	cp "$MIB" "$NGHTTPD_DIR/www/mib"
	printf 'a\n' >"$NGHTTPD_DIR/www/a"
	hrun "${CA[@]}" -o "$T/m" -w '%{http_version}\n' "$NGHTTPD_URL/mib" "$NGHTTPD_URL/a" "$NGHTTPD_URL/a"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '2\na\n2\na\n2\n'
	assert_equal "$(sha256_of "$T/m")" "$(mib_sha)"
	assert_equal "$(nghttpd_conns)" 1
}

@test "Apache mod_http2: three URLs over one TLS connection; h2c prior knowledge" {
	apache_h2_start "$T/ap" tls
	printf 'a\n' >"$APACHE_DIR/www/a"
	hrun "${CA[@]}" "$APACHE_URL/a" "$APACHE_URL/a" "$APACHE_URL/a"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" 'a\na\na\n'
	harness_wait_for 5 test "$(wc -l <"$APACHE_DIR/conn.log")" -ge 3
	assert_equal "$(cut -d' ' -f2- "$APACHE_DIR/conn.log" | sort -u)" 'HTTP/2.0 GET /a 200'
	assert_equal "$(apache_h2_conns)" 1

	apache_h2_start "$T/apc"
	printf 'c\n' >"$APACHE_DIR/www/c"
	hrun "${H2C[@]}" -w '%{http_version}\n' "$APACHE_URL/c"
	[[ $status -eq 0 && $(cat "$T/out") == $'c\n2' ]] || fail "$(show)"
}

@test "-Z -m over one connection: each stream has its own deadline; a hung one is 28, its fast siblings 0" {
	needs_parallel
	# the hung stream is not the first: the connection was dialed for another URL's job
	H2_LIFETIME=15 h2_start - <<<'{"paths": {"/hang": {"hang": true}}}'
	hrun "${H2C[@]}" -Z -m 1 -w '%{url_effective} %{exitcode}\n' "$H2_URL/a" "$H2_URL/hang" "$H2_URL/b"
	[[ $status -eq 28 ]] || fail "$(show)"
	assert_bytes "$T/out" "/a\n$H2_URL/a 0\n$H2_URL/hang 28\n/b\n$H2_URL/b 0\n"
	assert_equal "$(h2_conns)" 1
	assert_equal "$(wc -l <"$T/err")" 1
	grep -q '^hcli: Timeout: ' "$T/err"
}

@test "-Z -m with MAX_CONCURRENT_STREAMS 1: a stream queued behind a slow one times out by its own -m (28)" {
	needs_parallel
	# answered 3 s after each request: the second goes only once the first's -m has ended it
	h2_start - <<<'{"settings": {"MAX_CONCURRENT_STREAMS": 1}, "default": {"delay_ms": 3000}}'
	hrun "${H2C[@]}" -Z -m 1 -w '%{url_effective} %{exitcode}\n' "$H2_URL/slow" "$H2_URL/queued"
	[[ $status -eq 28 ]] || fail "$(show)"
	assert_bytes "$T/out" "$H2_URL/slow 28\n$H2_URL/queued 28\n"
	assert_equal "$(h2_conns)" 1
}

@test "-Z --connect-timeout: streams that join the connection are not bounded by it" {
	needs_parallel
	# each answer comes 2 s after its request, later than the 1 s allowed for connecting
	h2_start - <<<'{"default": {"delay_ms": 2000}}'
	hrun "${H2C[@]}" -Z --connect-timeout 1 "$H2_URL/a" "$H2_URL/b"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" '/a\n/b\n'
	assert_equal "$(h2_conns)" 1
}

@test "-Z: GOAWAY before any answer and the new connection fails: all three get its error (35), one dial" {
	needs_parallel
	# connection 1 (the retry's) is accepted and closed at once: its TLS handshake fails
	h2_tls_start - localhost localhost <<'EOF2'
{"repeat": false, "connections": [
  {"goaway": {"after_requests": 3, "last_stream_id": 0}, "default": {"hang": true}}]}
EOF2
	hrun "${CA[@]}" -Z -w '%{url_effective} %{exitcode}\n' "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	[[ $status -eq 35 ]] || fail "$(show)"
	assert_bytes "$T/out" "$H2_URL/a 35\n$H2_URL/b 35\n$H2_URL/c 35\n"
	assert_equal "$(grep -c '^hcli: TLSHandshake: ' "$T/err")" 3
	# the three retries waited for one dial, not one each
	assert_equal "$(h2_conns)" 2
}

@test "-Z: GOAWAY before any answer and the new connection speaks HTTP/1.1: the three go one at a time, all whole" {
	needs_parallel
	# connection 0 chooses h2 and goes away; the others choose http/1.1, answer one
	# request "http/1.1" and close
	h2_tls_start - localhost localhost <<'EOF2'
[{"goaway": {"after_requests": 3, "last_stream_id": 0}, "default": {"hang": true}},
 {"alpn": "http/1.1"}]
EOF2
	hrun "${CA[@]}" -Z -w '%{url_effective} %{exitcode} %{http_version}\n' "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_bytes "$T/out" "http/1.1\n$H2_URL/a 0 1.1\nhttp/1.1\n$H2_URL/b 0 1.1\nhttp/1.1\n$H2_URL/c 0 1.1\n"
	assert_equal "$(h2_conns)" 4
	assert_equal "$(cat "$H2_DIR"/alpn-{1,2,3})" $'http/1.1\nhttp/1.1\nhttp/1.1'
	assert_equal "$(head -qn1 "$H2_DIR"/h1-{1,2,3} | tr -d '\r' | sort)" \
		$'GET /a HTTP/1.1\nGET /b HTTP/1.1\nGET /c HTTP/1.1'
}

@test "-Z: the connection three https URLs wait for cannot be made: all three get its error (7), one dial" {
	needs_parallel
	local port
	port=$(harness_free_port 127.0.0.1)
	# the second and third wait for the first's connection, which may speak h2 (pipewait)
	hrun -v -Z -w '%{exitcode}\n' "https://127.0.0.1:$port/a" "https://127.0.0.1:$port/b" \
		"https://127.0.0.1:$port/c"
	[[ $status -eq 7 ]] || fail "$(show)"
	assert_bytes "$T/out" '7\n7\n7\n'
	assert_equal "$(grep -c '^hcli: ConnectionRefused: ' "$T/err")" 3
	assert_equal "$(grep -c "^\* Trying 127\.0\.0\.1 port $port" "$T/err")" 1
}

@test "-Z: a 503 whose body stalls past -m while its connection is shared: its stream is reset before the retry, not kept open" {
	needs_parallel
	# stream 1 (/a): 503, 4 body bytes, then nothing until the retry's request
	# (the third on the connection) came; /b keeps the connection shared meanwhile
	h2_start - <<'EOF2'
{"streams": {"1": {"status": 503, "body": "slow body", "trailers": [["x-late", "1"]],
                   "stall": {"after_bytes": 4, "requests": 3}}},
 "paths": {"/b": {"hang": true}}}
EOF2
	hrun "${H2C[@]}" -Z -m 1 --retry 1 --retry-delay 0 -w '%{url_effective} %{exitcode}\n' \
		"$H2_URL/a" "$H2_URL/b"
	[[ $status -eq 28 ]] || fail "$(show)"
	assert_bytes "$T/out" "/a\n$H2_URL/a 0\n$H2_URL/b 28\n"
	assert_equal "$(h2_conns)" 1
	# (/b's retry, stream 7, hangs too)
	assert_equal "$(h2_requests | head -n 3)" $'conn=0 stream=1 GET /a\nconn=0 stream=3 GET /b\nconn=0 stream=5 GET /a'
	# the exchange that ended left nothing of its stream open (CANCEL), before the retry
	h2_wait 0 1 reset
	assert_equal "$(cat "$(h2_file 0 1 reset)")" error=8
	awk '/^recv RST_STREAM stream=1 /{ r = NR } /^recv HEADERS stream=5 /{ h = NR }
		END { exit !(r && h && r < h) }' "$(h2_frames 0)" || fail "$(cat "$(h2_frames 0)")"
}

@test "-Z: streams that wait 2 s for a slow server sleep in poll, no busy loop (poll calls counted)" {
	needs_parallel
	command -v strace >/dev/null || skip "strace missing"
	h2_start - <<<'{"default": {"delay_ms": 2000}}'
	# LeakSanitizer cannot run under ptrace (a sanitizer build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run -0 strace -f -qq -c -e trace=poll,ppoll -o "$T/count" "$HCLI" -s "${H2C[@]}" -Z \
		-o /dev/null -d hello "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	assert_equal "$(h2_conns)" 1
	local polls
	polls=$(awk '$NF == "poll" || $NF == "ppoll" { n += $(NF - 1) } END { print n + 0 }' "$T/count")
	# a handful: the dial, the answers; a loop spinning for those 2 s makes thousands
	((polls > 0 && polls < 40)) || fail "$polls poll calls: $(cat "$T/count")"
}
