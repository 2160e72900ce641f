#!/usr/bin/env bats
# Several URLs in one command (SPEC.md, Synopsis and Output): connections are
# reused where scheme, host and port match and the previous response was read
# whole; every URL is tried and the exit status is that of the first failure
# (--fail-early stops there); a reused connection that the server closed is
# retried once, for idempotent requests with a replayable body only.
#
# nginx's access log says which requests shared a TCP connection ($connection)
# and in which order ($connection_requests); the raw server records what came
# on each connection.

load helpers/common

setup_file() {
	nginx_start "$BATS_FILE_TMPDIR/nginx"
	printf 'A\n' >"$NGINX_DIR/www/a.txt"
	printf 'BB\n' >"$NGINX_DIR/www/b.txt"
	printf 'CCC\n' >"$NGINX_DIR/www/c.txt"
}

setup() {
	T=$BATS_TEST_TMPDIR
	# the access log's length before the test: log_rows shows what came after
	MARK=$(wc -l <"$NGINX_DIR/access.log")
}

# The requests nginx logged since setup, one row each:
#   cN req=R method=M status=S uri=U
# cN numbers nginx's connections in order of first appearance in these rows.
# A sentinel request (curl, a connection of its own) is logged after every
# request the finished hcli made, so no row can still be missing.
log_rows() {
	command curl -s -o /dev/null "$NGINX_URL/sentinel-$BATS_TEST_NUMBER"
	harness_wait_for 5 grep -q "uri=\"/sentinel-$BATS_TEST_NUMBER\"" "$NGINX_DIR/access.log"
	tail -n "+$((MARK + 1))" "$NGINX_DIR/access.log" | grep -v "uri=\"/sentinel-" |
		sed -E 's/^conn=([0-9]+) (req=[0-9]+ method=[A-Z]+ status=[0-9]+) .* uri="([^"]*)".*$/\1 \2 uri=\3/' |
		awk '{ if (!($1 in id)) id[$1] = ++n; $1 = "c" id[$1]; print }'
}

# The same rows without the connection columns.
log_requests() {
	log_rows | cut -d' ' -f2-
}
log_uris() {
	log_rows | cut -d' ' -f3-
}

# log_rows shows exactly the lines on standard input.
assert_log_rows() {
	local want
	want=$(cat)
	assert_equal "$(log_rows)" "$want"
}

# hcli fetches $RAW_URL/1 and /2: exit 0, stdout "A\nB\n", two connections,
# and /2 is the first request on the second one.
fetch_1_2_on_two_connections() {
	hrun "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nB\n'
	assert_equal "$(raw_conns)" 2
	assert_equal "$(head -n1 "$(raw_req 1 0)")" $'GET /2 HTTP/1.1\r'
}

# --- reuse ---------------------------------------------------------------

@test "three URLs to one server share one connection, bodies follow one another (-p b)" {
	hrun -p b "$NGINX_URL/a.txt" "$NGINX_URL/b.txt" "$NGINX_URL/c.txt"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nBB\nCCC\n'
	assert_log_rows <<'EOF'
c1 req=1 method=GET status=200 uri=/a.txt
c1 req=2 method=GET status=200 uri=/b.txt
c1 req=3 method=GET status=200 uri=/c.txt
EOF
}

@test "-p hb with three URLs: each head precedes its own body, one connection" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nX-N: 1\r\nContent-Length: 2\r\n\r\nA\n"},
  {"reply": "HTTP/1.1 201 Created\r\nX-N: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nBB\n\r\n0\r\n\r\n"},
  {"reply": "HTTP/1.1 200 OK\r\nX-N: 3\r\nContent-Length: 4\r\n\r\nCCC\n"}]]
EOF
	hrun -p hb "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 0
	assert_bytes "$T/out" '%s' \
'HTTP/1.1 200 OK
X-N: 1
Content-Length: 2

A
HTTP/1.1 201 Created
X-N: 2
Transfer-Encoding: chunked

BB
HTTP/1.1 200 OK
X-N: 3
Content-Length: 4

CCC
'
	assert_equal "$(raw_conns)" 1
	grep -q '^GET /3 HTTP/1.1' "$(raw_req 0 2)"
}

# SPEC Part 2: -o pairs with URLs in order, as curl's; a URL without one writes to standard output
@test "-o FILE with several URLs: each -o is its own URL's, the rest to standard output, one connection" {
	hrun -o "$T/body" "$NGINX_URL/a.txt" -o "$T/body2" "$NGINX_URL/b.txt" "$NGINX_URL/c.txt"
	assert_equal "$status" 0
	assert_bytes "$T/body" 'A\n'
	assert_bytes "$T/body2" 'BB\n'
	assert_bytes "$T/out" 'CCC\n'
	assert_log_rows <<'EOF'
c1 req=1 method=GET status=200 uri=/a.txt
c1 req=2 method=GET status=200 uri=/b.txt
c1 req=3 method=GET status=200 uri=/c.txt
EOF
}

@test "a different port in the list opens a new connection; the same server's URLs still share one" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nX\n"}]]
EOF
	hrun "$NGINX_URL/a.txt" "$NGINX_URL/b.txt" "$RAW_URL/x"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nBB\nX\n'
	assert_log_rows <<'EOF'
c1 req=1 method=GET status=200 uri=/a.txt
c1 req=2 method=GET status=200 uri=/b.txt
EOF
	assert_equal "$(raw_conns)" 1
	assert_equal "$(head -n1 "$(raw_req 0 0)")" $'GET /x HTTP/1.1\r'
}

@test "a different host name for the same address and port opens a new connection" {
	hrun --resolve "other.test:$NGINX_PORT:127.0.0.1" \
		"$NGINX_URL/a.txt" "http://other.test:$NGINX_PORT/b.txt" "http://other.test:$NGINX_PORT/c.txt"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nBB\nCCC\n'
	assert_log_rows <<'EOF'
c1 req=1 method=GET status=200 uri=/a.txt
c2 req=1 method=GET status=200 uri=/b.txt
c2 req=2 method=GET status=200 uri=/c.txt
EOF
}

@test "after a response with Connection: close the next URL opens a new connection" {
	# connection 0 stays open after its reply: only the header may stop reuse.
	# A request sent on it anyway would be recorded as req-0-1.
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nA\n"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
	fetch_1_2_on_two_connections
	[[ ! -e $(raw_req 0 1) ]] || fail "a request was sent on the closed connection: $(cat "$(raw_req 0 1)")"
}

@test "responses without a body (HEAD, 204, 304) leave the connection ready for the next request" {
	local row args first
	# options | first reply on connection 0 (the second: 200 with "A\n")
	for row in \
		"-X HEAD|HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" \
		"       |HTTP/1.1 204 No Content\r\n\r\n" \
		"       |HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"; do
		IFS='|' read -r args first <<<"$row"
		# a HEAD gets a second bodiless reply; the others a body
		if [[ $args == *HEAD* ]]; then
			raw_start - <<<"[[{\"reply\": \"$first\"}, {\"reply\": \"$first\"}]]"
		else
			raw_start - <<<"[[{\"reply\": \"$first\"}, {\"reply\": \"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nA\\n\"}]]"
		fi
		# shellcheck disable=SC2086
		hrun $args "$RAW_URL/1" "$RAW_URL/2"
		assert_equal "[$first] $status" "[$first] 0"
		if [[ $args == *HEAD* ]]; then
			assert_bytes "$T/out" ''
		else
			assert_bytes "$T/out" 'A\n'
		fi
		assert_equal "[$first] conns=$(raw_conns)" "[$first] conns=1"
		[[ $(head -n1 "$(raw_req 0 1)") == *' /2 HTTP/1.1'$'\r' ]] ||
			fail "[$first] second request: $(cat "$(raw_req 0 1)")"
		raw_stop
	done
}

@test "bytes after a complete response are never the next response: the next URL goes on a new connection (RFC 9112 §6.3)" {
	local row args first want forged='HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nFORGED\n'
	# options | connection 0's reply: a complete response, then a forged one | output
	for row in \
		"-X HEAD|HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n$forged|200\n201\n" \
		"       |HTTP/1.1 204 No Content\r\n\r\n$forged|204\nB\n201\n" \
		"       |HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n$forged|304\nB\n201\n" \
		"       |HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n$forged|A\n200\nB\n201\n" \
		"       |HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nA\n\r\n0\r\n\r\n$forged|A\n200\nB\n201\n" \
		"       |HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\nX|A\n200\nB\n201\n"; do
		IFS='|' read -r args first want <<<"$row"
		if [[ $args == *HEAD* ]]; then
			raw_start - <<<"[[{\"reply\": \"$first\"}], [{\"reply\": \"HTTP/1.1 201 Created\\r\\nContent-Length: 2\\r\\n\\r\\n\"}]]"
		else
			raw_start - <<<"[[{\"reply\": \"$first\"}], [{\"reply\": \"HTTP/1.1 201 Created\\r\\nContent-Length: 2\\r\\n\\r\\nB\\n\"}]]"
		fi
		# shellcheck disable=SC2086
		hrun $args -w '%{http_code}\n' "$RAW_URL/1" "$RAW_URL/2"
		assert_equal "[$first] $status" "[$first] 0"
		assert_bytes "$T/out" "$want"
		assert_equal "[$first] conns=$(raw_conns)" "[$first] conns=2"
		[[ ! -e $(raw_req 0 1) ]] || fail "[$first] /2 was sent on connection 0: $(cat "$(raw_req 0 1)")"
		[[ $(head -n1 "$(raw_req 1 0)") == *' /2 HTTP/1.1'$'\r' ]] ||
			fail "[$first] connection 1: $(cat "$(raw_req 1 0)")"
		raw_stop
	done
}

@test "bytes that come while a connection is idle are never a response: it is closed before reuse" {
	# /1's answer is whole; 50 ms later a forged one follows on the idle connection. Standard
	# output is a full pipe, read only once the server has sent the forged bytes, so hcli is
	# still writing /1's body when they come: they wait unread when /2 could reuse connection 0.
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n",
   "chunks": ["", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nFORGED\n"]}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
	status=0
	python3 - "$RAW_DIR/log" "$T/out" "$HCLI" -v "$RAW_URL/1" "$RAW_URL/2" 2>"$T/err" <<'EOF' || status=$?
import fcntl, os, subprocess, sys, time
log, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ: hcli's own size, which it keeps
os.set_blocking(w, False)
filled = 0
try:
    while True:
        filled += os.write(w, b"." * 65536)
except BlockingIOError:
    pass
os.set_blocking(w, True)
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w)
os.close(w)
deadline = time.monotonic() + 20
while "conn=0 ex=0 sent" not in open(log).read():
    if time.monotonic() > deadline:
        sys.exit("the server never sent the forged bytes")
    time.sleep(0.005)  # bounded poll: the server has sent the forged bytes
data = b""
while chunk := os.read(r, 1 << 20):
    data += chunk
open(out, "wb").write(data[filled:])
sys.exit(p.wait())
EOF
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nB\n'
	assert_equal "$(raw_conns)" 2
	[[ ! -e $(raw_req 0 1) ]] || fail "/2 was sent on connection 0: $(cat "$(raw_req 0 1)")"
	assert_line_re "$T/err" '^\* The idle connection to 127\.0\.0\.1 has unread data; opening a new one$'
}

@test "a close-delimited response (no Content-Length) is read to the close and not reused" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\n\r\nA\n", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
	fetch_1_2_on_two_connections
	# nothing was written on connection 0 after the first request
	harness_wait_for 5 grep -q 'conn=0 ex=0 closed cleanly' "$RAW_DIR/log"
	run grep 'conn=0 ex=0 closed cleanly' "$RAW_DIR/log"
	refute_output --partial unread
}

# --- failures among several URLs -----------------------------------------

@test "every URL is tried; the exit status is the first failure's" {
	local refused
	refused=$(refused_url)

	# ok, refused, ok: 7, both bodies, both requests made
	hrun "$NGINX_URL/a.txt" "$refused" "$NGINX_URL/c.txt"
	assert_equal "$status" 7
	assert_bytes "$T/out" 'A\nCCC\n'
	assert_equal "$(wc -l <"$T/err")" 1
	assert_line_re "$T/err" '^hcli: ConnectionRefused: '
	assert_equal "$(log_uris)" "$(
		cat <<'EOF'
method=GET status=200 uri=/a.txt
method=GET status=200 uri=/c.txt
EOF
	)"

	# -f: 404 (22), refused (7), ok: 22
	hrun -f "$NGINX_URL/status/404" "$refused" "$NGINX_URL/b.txt"
	assert_equal "$status" 22
	assert_bytes "$T/out" 'BB\n'

	# -f: refused (7), 404 (22), ok: 7
	hrun -f "$refused" "$NGINX_URL/status/404" "$NGINX_URL/b.txt"
	assert_equal "$status" 7
	assert_bytes "$T/out" 'BB\n'
}

@test "--fail-early stops at the first failure: later URLs are not requested" {
	local refused
	refused=$(refused_url)
	hrun --fail-early "$NGINX_URL/a.txt" "$refused" "$NGINX_URL/c.txt"
	assert_equal "$status" 7
	assert_bytes "$T/out" 'A\n'
	assert_equal "$(log_requests)" 'req=1 method=GET status=200 uri=/a.txt'

	MARK=$(wc -l <"$NGINX_DIR/access.log")
	hrun --fail-early -f "$NGINX_URL/status/404" "$NGINX_URL/a.txt"
	assert_equal "$status" 22
	assert_bytes "$T/out" ''
	assert_equal "$(log_requests)" 'req=1 method=GET status=404 uri=/status/404'
}

# --- the seed's stale keep-alive retry -----------------------------------

@test "stale keep-alive: the server closed after its reply; GET goes out again on a new connection" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
	fetch_1_2_on_two_connections
}

# Connection 0 answers the first request and keeps the connection; the second
# request arrives on it, is recorded (req-0-1) and the server closes without a
# byte of reply.  Connection 1 answers normally.
stale_server() {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
}

@test "stale keep-alive: retried once for idempotent methods with a replayable body" {
	printf 'file-body' >"$T/body.txt"
	local row method
	# method | args                      (each: exit 0, two connections, the request repeated)
	for row in \
		"GET    |" \
		"DELETE |" \
		"PUT    |-d x" \
		"PUT    |@$T/body.txt" \
		"OPTIONS|"; do
		method=${row%%|*}
		method=${method// /}
		stale_server
		# shellcheck disable=SC2086
		hrun -X "$method" "$RAW_URL/1" ${row#*|} "$RAW_URL/2"
		assert_equal "$method $status" "$method 0"
		assert_bytes "$T/out" 'A\nB\n'
		assert_equal "$method conns=$(raw_conns)" "$method conns=2"
		assert_equal "$(head -n1 "$(raw_req 0 1)")" "$method /2 HTTP/1.1"$'\r'
		assert_equal "$(head -n1 "$(raw_req 1 0)")" "$method /2 HTTP/1.1"$'\r'
		# the server has recorded all of the first attempt once it logs the count
		harness_wait_for 5 grep -q 'conn=0 ex=1 recorded' "$RAW_DIR/log"
		cmp -s "$(raw_req 0 1)" "$(raw_req 1 0)" || fail "$method: the retry is not the same request"
		raw_stop
	done
}

@test "stale keep-alive: POST and PATCH are never retried (exit 52, one connection)" {
	local method
	for method in POST PATCH; do
		stale_server
		# head and body leave in one write and the server closes only after
		# reading them: the send has succeeded, the close is an empty reply
		hrun -X "$method" -d x "$RAW_URL/1" "$RAW_URL/2"
		assert_equal "$method $status" "$method 52"
		assert_bytes "$T/out" 'A\n'
		assert_equal "$method conns=$(raw_conns)" "$method conns=1"
		assert_equal "$(head -n1 "$(raw_req 0 1)")" "$method /2 HTTP/1.1"$'\r'
		assert_line_re "$T/err" '^hcli: RemoteDisconnected: '
		raw_stop
	done
}

@test "stale keep-alive: retried only once; the retry's own empty reply is exit 52" {
	# connection 0: a reply, then the second request is closed without reply;
	# connection 1 (the retry) closes without reply too; no third connection.
	raw_start - <<'EOF'
{"repeat": false, "connections": [
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"}],
 [{"then": "close"}]]}
EOF
	hrun "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 52
	assert_bytes "$T/out" 'A\n'
	assert_equal "$(raw_conns)" 2
	assert_line_re "$T/err" '^hcli: RemoteDisconnected: '
}

@test "stale keep-alive: part of a reply on the reused connection is not retried (exit 8)" {
	# a clean close inside the head: 8, and no new connection
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"},
  {"reply": "HTTP/1.1 200 OK\r\nConte", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n"}]]
EOF
	hrun "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 8
	assert_bytes "$T/out" 'A\n'
	assert_equal "$(raw_conns)" 1
}
