#!/usr/bin/env bats
# HTTP/2 (SPEC.md Part 2, "HTTP/2 and parallel transfers"): against nginx with
# `ssl http2` (ALPN) and a plain `http2` listener (h2c, prior knowledge) on the
# same server as its HTTP/1.1 port (helpers/nginx.bash with NGINX_H2_PKI), so
# every location (static files, /echo, /status, /redirect) answers over h2;
# the access log's proto= says which version nginx spoke and conn= on which
# connection.

load helpers/common
load helpers/pki
load helpers/tinyproxy
load helpers/slowreader

setup_file() {
	export PKI=$BATS_FILE_TMPDIR/pki
	pki_make "$PKI"
	# gzip for --compressed (hcli asks for identity otherwise)
	NGINX_H2_PKI=$PKI nginx_start "$BATS_FILE_TMPDIR/nginx" \
		sed 's/gzip off;/gzip on; gzip_types text\/plain; gzip_min_length 1;/'
	printf 'hello\n' >"$NGINX_DIR/www/a.txt"
	printf 'second\n' >"$NGINX_DIR/www/b.txt"
	head -c 64M /dev/urandom >"$BATS_FILE_TMPDIR/big"
	cp "$BATS_FILE_TMPDIR/big" "$NGINX_DIR/www/big"
	sha256_of "$BATS_FILE_TMPDIR/big" >"$BATS_FILE_TMPDIR/big.sha256"
}

setup() {
	T=$BATS_TEST_TMPDIR
	CA=(--cacert "$PKI/ca.pem")
	BIG=$BATS_FILE_TMPDIR/big
	BIG_SHA=$(cat "$BATS_FILE_TMPDIR/big.sha256")
}

# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1

# The access log lines for URI (waits for N of them: nginx logs after replying).
log_lines() { # URI [N]
	harness_wait_for 5 _log_has "$1" "${2:-1}" || fail "no ${2:-1} log lines for $1"
	grep "uri=\"$1\"" "$NGINX_DIR/access.log"
}
_log_has() { (($(grep -c "uri=\"$1\"" "$NGINX_DIR/access.log") >= $2)); }

# --- which version is spoken ----------------------------------------------------

@test "https: ALPN picks h2; the status line is HTTP/2 200, fields as received, -w http_version 2" {
	hrun -i "${CA[@]}" -w '%{http_version}\n' "$NGINX_H2_URL/a.txt"
	show
	[ "$status" -eq 0 ]
	run head -n 1 "$T/out"
	assert_output 'HTTP/2 200'
	grep -qx 'content-length: 6' "$T/out"
	grep -qx 'hello' "$T/out"
	run tail -n 1 "$T/out"
	assert_output '2'
	log_lines /a.txt | grep -q 'proto=HTTP/2.0'
}

@test "--http1.1: ALPN offers http/1.1 alone and the same server speaks HTTP/1.1" {
	hrun "${CA[@]}" --http1.1 -w '%{http_version}\n' "$NGINX_H2_URL/b.txt"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'second\n1.1\n'
	log_lines /b.txt | grep -q 'proto=HTTP/1.1'
}

@test "h2c: --http2-prior-knowledge and --http2 speak h2 on http://; without them http:// is HTTP/1.1" {
	local url=$NGINX_H2C_URL/a.txt
	: >"$NGINX_DIR/access.log"
	for opt in --http2-prior-knowledge --http2; do
		hrun "$opt" -w ' %{http_version}\n' "$url"
		show
		[ "$status" -eq 0 ]
		assert_bytes "$T/out" 'hello\n 2\n'
	done
	log_lines /a.txt 2 | grep -c 'proto=HTTP/2.0' | grep -qx 2
	hrun -w ' %{http_version}\n' "$NGINX_URL/a.txt"
	assert_bytes "$T/out" 'hello\n 1.1\n'
}

@test "an h2c request to a server that speaks only HTTP/1.1 is a connection error (16)" {
	hrun --http2-prior-knowledge "$NGINX_URL/a.txt"
	show
	[ "$status" -eq 16 ]
	grep -q '^hcli: HTTP2: ' "$T/err"
}

@test "HEAD over h2: the head, no body" {
	hrun -i "${CA[@]}" HEAD "$NGINX_H2_URL/a.txt"
	show
	[ "$status" -eq 0 ]
	run head -n 1 "$T/out"
	assert_output 'HTTP/2 200'
	! grep -qx hello "$T/out"
}

# --- several URLs, one connection ---------------------------------------------

@test "three URLs of one origin run as streams of one connection (nginx's conn= and req=)" {
	: >"$NGINX_DIR/access.log"
	hrun "${CA[@]}" "$NGINX_H2_URL/a.txt" "$NGINX_H2_URL/b.txt" "$NGINX_H2_URL/a.txt"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'hello\nsecond\nhello\n'
	nginx_wait_log 3
	run awk '{print $1}' "$NGINX_DIR/access.log"
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ]
	grep -c 'proto=HTTP/2.0' "$NGINX_DIR/access.log" | grep -qx 3
	grep -q ' req=3 ' "$NGINX_DIR/access.log"
}

@test "the engine runs three transfers at once as streams of one h2c connection (tests/unit/h2drive)" {
	# 64 MiB asked for first, two tiny files after it: nginx answers them while the big
	# one streams (logged before it: nginx logs a request when its answer is out)
	local drive=${UNIT_DIR:-build/unit}/h2drive
	[[ $drive == /* ]] || drive=$BATS_TEST_DIRNAME/../$drive
	: >"$NGINX_DIR/access.log"
	run "$drive" 127.0.0.1 "${NGINX_H2C_URL##*:}" "$T" /big /a.txt /b.txt
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1 200 67108864\n2 200 6\n3 200 7')" ]
	[ "$(sha256_of "$T/1")" = "$BIG_SHA" ]
	assert_bytes "$T/2" 'hello\n'
	assert_bytes "$T/3" 'second\n'
	nginx_wait_log 3
	cat "$NGINX_DIR/access.log"
	run awk '{print $1}' "$NGINX_DIR/access.log"
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ]
	grep -c 'proto=HTTP/2.0' "$NGINX_DIR/access.log" | grep -qx 3
	run grep -o 'uri="[^"]*"' "$NGINX_DIR/access.log"
	[ "${lines[2]}" = 'uri="/big"' ]
}

# --- bodies both ways ---------------------------------------------------------

@test "a 64 MiB download over h2 (TLS and h2c) arrives whole" {
	hrun "${CA[@]}" -o "$T/got" "$NGINX_H2_URL/big"
	show
	[ "$status" -eq 0 ]
	[ "$(sha256_of "$T/got")" = "$BIG_SHA" ]
	hrun --http2 "$NGINX_H2C_URL/big"
	[ "$status" -eq 0 ]
	[ "$(sha256_of "$T/out")" = "$BIG_SHA" ]
}

@test "a slow reader on a non-blocking pipe (TLS and h2c): 6 MiB intact, then the next URL on the same connection" {
	head -c 6M "$BIG" >"$NGINX_DIR/www/six"
	local want url full sum st
	want=$(cat "$NGINX_DIR/www/six" "$NGINX_DIR/www/a.txt" | sha256sum | cut -d' ' -f1)
	for url in "$NGINX_H2_URL" "$NGINX_H2C_URL"; do
		: >"$NGINX_DIR/access.log"
		read -r full sum st < <(slow_reader "$HCLI" -s --http2 "${CA[@]}" "$url/six" "$url/a.txt")
		assert_equal "[$url] exit $st" "[$url] exit 0"
		assert_equal "[$url] $sum" "[$url] $want"
		((full >= 10)) || fail "[$url] the pipe was full only $full times"
		nginx_wait_log 2
		run awk '{print $1}' "$NGINX_DIR/access.log"
		[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ]
		grep -c 'proto=HTTP/2.0' "$NGINX_DIR/access.log" | grep -qx 2
	done
}

@test "POST 64 MiB from memory (-d @FILE), a file (@FILE) and a pipe (@-) as DATA frames: echoed whole" {
	hrun "${CA[@]}" -d "@$BIG" "$NGINX_H2_URL/echo"
	show
	[ "$status" -eq 0 ]
	[ "$(sha256_of "$T/out")" = "$BIG_SHA" ]
	hrun --http2 POST "$NGINX_H2C_URL/echo" "@$BIG"
	show
	[ "$status" -eq 0 ]
	[ "$(sha256_of "$T/out")" = "$BIG_SHA" ]
	# a pipe has no length: DATA frames as it is read
	cat "$BIG" | "$HCLI" "${CA[@]}" POST "$NGINX_H2_URL/echo" @- >"$T/piped"
	[ "$(sha256_of "$T/piped")" = "$BIG_SHA" ]
	# Content-Length when the length is known, never chunked coding over h2
	log_lines /echo 3 >"$T/log"
	run grep -c 'cl="67108864"' "$T/log"
	[ "$output" -ge 2 ]
	tail -n 1 "$T/log" | grep -q 'proto=HTTP/2.0 te="-" cl="-"'
}

@test "a pipe that ends at once (0 bytes) still ends the stream" {
	: | "$HCLI" "${CA[@]}" -w '%{http_code}' POST "$NGINX_H2_URL/echo" @- >"$T/out"
	assert_bytes "$T/out" '200'
}

# --- what -v shows, what is not sent -------------------------------------------

@test "-v: the request as GET /path HTTP/2, the frames that matter, connection-specific fields left out" {
	hrun -v "${CA[@]}" "$NGINX_H2_URL/a.txt" 'Connection:close' 'Keep-Alive:1' 'Upgrade:x' \
		'TE:trailers' 'X-Mixed-Case:Yes'
	show
	[ "$status" -eq 0 ]
	grep -qx '> GET /a.txt HTTP/2' "$T/err"
	grep -q '^> host: localhost:' "$T/err"
	grep -qx '> te: trailers' "$T/err"
	grep -qx '> x-mixed-case: Yes' "$T/err"
	! grep -qi '^> \(connection\|keep-alive\|upgrade\):' "$T/err"
	for f in Connection Keep-Alive Upgrade; do
		grep -qx "\* Not sent over HTTP/2: $f (connection-specific)" "$T/err"
	done
	grep -q '^\* ALPN: server accepted h2$' "$T/err"
	grep -q '^\* HTTP/2 sent SETTINGS' "$T/err"
	grep -q '^\* HTTP/2 received SETTINGS' "$T/err"
	grep -q '^\* HTTP/2 sent HEADERS on stream 1' "$T/err"
	grep -q '^\* HTTP/2 received HEADERS on stream 1' "$T/err"
	grep -qx '< HTTP/2 200' "$T/err"
}

# --- the CLI's features over h2 ------------------------------------------------

@test "-L follows a redirect on the same h2 connection; -f fails a 404 with 22" {
	: >"$NGINX_DIR/access.log"
	hrun -L "${CA[@]}" -w '%{num_redirects} %{http_version}\n' "$NGINX_H2_URL/redirect/302/a.txt"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'hello\n1 2\n'
	nginx_wait_log 2
	[ "$(awk '{print $1}' "$NGINX_DIR/access.log" | sort -u | wc -l)" -eq 1 ]
	hrun -f "${CA[@]}" "$NGINX_H2_URL/status/404"
	[ "$status" -eq 22 ]
}

@test "--compressed over h2: gzip asked for and decoded" {
	hrun -v --compressed "${CA[@]}" "$NGINX_H2_URL/a.txt"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'hello\n'
	grep -qx '< content-encoding: gzip' "$T/err"
}

@test "--retry over h2: a 503 goes again on the same connection" {
	: >"$NGINX_DIR/access.log"
	hrun --retry 2 --retry-delay 0 -w '%{http_code} %{http_version}\n' "${CA[@]}" \
		"$NGINX_H2_URL/status/503"
	show
	[ "$status" -eq 0 ]
	tail -n 1 "$T/out" | grep -qx '503 2'
	nginx_wait_log 3
	[ "$(awk '{print $1}' "$NGINX_DIR/access.log" | sort -u | wc -l)" -eq 1 ]
}

@test "h2 inside a CONNECT tunnel: ALPN picks h2 through tinyproxy" {
	tinyproxy_start "$T/proxy" "ConnectPort ${NGINX_H2_URL##*:}"
	: >"$NGINX_DIR/access.log"
	hrun -x "$TP_URL" "${CA[@]}" -w '%{http_version}\n' "$NGINX_H2_URL/a.txt" "$NGINX_H2_URL/b.txt"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'hello\n2\nsecond\n2\n'
	nginx_wait_log 2
	grep -c 'proto=HTTP/2.0' "$NGINX_DIR/access.log" | grep -qx 2
	[ "$(awk '{print $1}' "$NGINX_DIR/access.log" | sort -u | wc -l)" -eq 1 ]
	grep -c 'CONNECT localhost' "$T/proxy/log" | grep -qx 1
}

@test "--max-headers applies to the decoded h2 field list (8), the stream alone is reset" {
	hrun "${CA[@]}" --max-headers 2 "$NGINX_H2_URL/a.txt"
	show
	[ "$status" -eq 8 ]
	grep -q '^hcli: TooManyHeaders: more than 2 header fields' "$T/err"
}

# --- scripted cases (helpers/h2mini.py, h2c) ----------------------------------

# h2mini CASE...: the scripted server, connection N playing CASE N (the last for the rest).
h2mini() {
	H2M_DIR=$(mktemp -d "$BATS_TEST_TMPDIR/h2mini.XXXXXX")
	# fd 3 closed: bats waits for whatever still holds it open.
	timeout -k 5 "$HARNESS_LIFETIME" /usr/bin/python3 "$HELPERS_DIR/h2mini.py" "$H2M_DIR" "$@" \
		</dev/null >"$H2M_DIR/stdout" 2>"$H2M_DIR/stderr" 3>&- &
	_harness_register h2mini $! "$H2M_DIR"
	harness_wait_for "$HARNESS_START_TIMEOUT" test -s "$H2M_DIR/port" ||
		fail "h2mini did not start: $(cat "$H2M_DIR/stderr")"
	H2M_URL=http://127.0.0.1:$(cat "$H2M_DIR/port")
}

# h2mini_log N: what connection N received, once it is closed.
h2mini_log() {
	harness_wait_for 5 grep -qx closed "$H2M_DIR/$1.log" || fail "connection $1 not closed"
	cat "$H2M_DIR/$1.log"
}

@test "RST_STREAM on one stream: exit 92 (HTTP2Stream), the bytes before it written; the next URL still runs" {
	h2mini rst
	hrun --http2 "$H2M_URL/one" "$H2M_URL/two"
	show
	[ "$status" -eq 92 ]
	assert_bytes "$T/out" 'part\nok 1\n'
	grep -qx 'hcli: HTTP2Stream: stream 1 was reset: INTERNAL_ERROR' "$T/err"
	# both on one connection: the reset took the stream, not the session
	[ "$(cat "$H2M_DIR/conns")" -eq 1 ]
}

@test "GOAWAY with an error code while a body comes: exit 16 (HTTP2), the bytes before it written" {
	h2mini goaway-err
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 16 ]
	assert_bytes "$T/out" 'part\n'
	grep -q '^hcli: HTTP2: ' "$T/err"
}

@test "GOAWAY below an open stream: the request goes again once on a new connection" {
	h2mini goaway-0 ok
	hrun --http2 -v "$H2M_URL/x"
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'ok 2\n'
	grep -q 'HTTP/2 received GOAWAY: last stream 0, NO_ERROR' "$T/err"
	grep -q 'retrying on a new connection' "$T/err"
	# only once: two GOAWAYs in a row fail
	h2mini goaway-0
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 16 ]
	[ "$(cat "$H2M_DIR/conns")" -eq 2 ]
}

@test "a PUSH_PROMISE after SETTINGS_ENABLE_PUSH 0 is a connection error (16)" {
	h2mini push
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 16 ]
	grep -q '^hcli: HTTP2: ' "$T/err"
	[ ! -s "$T/out" ]
}

@test "a response field over 65,536 bytes: exit 8, the stream alone is reset" {
	h2mini bighdr
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 8 ]
	grep -q "^hcli: LineTooLong: a header field's name and value are longer than 65536 bytes" "$T/err"
}

@test "a flood of CONTINUATION frames is bounded: a connection error (16), no hang" {
	h2mini flood
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 16 ]
	grep -q 'CONTINUATION' "$T/err"
}

@test "an early 413 during a pipe upload: the answer is shown, the upload stops, the stream is reset" {
	h2mini early413
	# a pipe that never ends: only the stop ends the transfer
	HRUN_TIMEOUT=20 hcli_capture --http2 -w '%{http_code}' POST "$H2M_URL/up" @- < <(yes)
	show
	[ "$status" -eq 0 ]
	assert_bytes "$T/out" 'big\n413'
	h2mini_log 1 | grep -q '^reset 1 code=0 '
}

@test "uploads under a 1 KiB stream window: memory, file and pipe bodies wait for WINDOW_UPDATE and arrive whole" {
	h2mini echo
	head -c 300000 "$BIG" >"$T/in"
	hrun --http2 POST "$H2M_URL/e" "@$T/in"
	show
	[ "$status" -eq 0 ]
	cmp "$T/in" "$T/out"
	hrun --http2 -d "@$T/in" "$H2M_URL/e"
	cmp "$T/in" "$T/out"
	HRUN_TIMEOUT=30 hcli_capture --http2 POST "$H2M_URL/e" @- < <(cat "$T/in")
	[ "$status" -eq 0 ]
	cmp "$T/in" "$T/out"
	h2mini_log 1 | grep -q '^request 1 POST /e cl=300000$'
	h2mini_log 3 | grep -q '^request 1 POST /e cl=-$'
	h2mini_log 3 | grep -q '^ended 1 body=300000$'
}

@test "DATA after END_STREAM is a connection error (16), the body before it written" {
	h2mini data-after
	hrun --http2 "$H2M_URL/x"
	show
	[ "$status" -eq 16 ]
	assert_bytes "$T/out" 'ok\n'
	grep -q '^hcli: HTTP2: ' "$T/err"
}

@test "a server that never answers: --max-time and --timeout end the h2 transfer (28)" {
	h2mini silent
	hrun --http2 -m 1 "$H2M_URL/x"
	show
	[ "$status" -eq 28 ]
	grep -q '^hcli: Timeout: the transfer took longer' "$T/err"
	hrun --http2 --timeout 1 "$H2M_URL/x"
	show
	[ "$status" -eq 28 ]
	grep -q '^hcli: Timeout: no progress for 1.000 s while receiving' "$T/err"
}

# --- loading libnghttp2 ------------------------------------------------------------

@test "the server chose h2: libnghttp2 loads then; when it cannot load, hcli reconnects offering http/1.1 only" {
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	command -v strace >/dev/null || skip "strace missing"
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" "${CA[@]}" "$NGINX_H2_URL/a.txt"
	grep -q 'libnghttp2.so' "$T/trace" || fail "libnghttp2 not opened for h2"
	# hide the library from the loader in a mount namespace of its own (root only)
	local lib
	lib=$(sed -n 's/.*openat([^"]*"\([^"]*libnghttp2\.so[^"]*\)", [^)]*) = [0-9].*/\1/p' "$T/trace" | head -n 1)
	[[ -n $lib ]] || fail "no path: $(grep nghttp2 "$T/trace")"
	unshare --mount true 2>/dev/null || skip "no mount namespaces here"
	run unshare --mount bash -c 'mount --bind /dev/null "$1" && shift && exec "$@"' _ "$lib" \
		"$HCLI" -v "${CA[@]}" -w '%{http_version}\n' "$NGINX_H2_URL/b.txt"
	[ "$status" -eq 0 ] || fail "status $status: $output"
	[[ $output == *"libnghttp2 could not be loaded: reconnecting with HTTP/1.1 only"* ]] || fail "$output"
	[[ $output == *$'second\n1.1'* ]] || fail "not the body over HTTP/1.1: $output"
	log_lines /b.txt | grep -q 'proto=HTTP/1.1'
	# prior knowledge has nothing to fall back to: an error (16), nothing sent
	run unshare --mount bash -c 'mount --bind /dev/null "$1" && shift && exec "$@"' _ "$lib" \
		"$HCLI" --http2-prior-knowledge "$NGINX_H2C_URL/a.txt"
	[ "$status" -eq 16 ] || fail "status $status: $output"
	[ "$output" = 'hcli: HTTP2: HTTP/2 needs libnghttp2.so.14, which did not load' ] || fail "$output"
}
