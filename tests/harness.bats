#!/usr/bin/env bats
# HARNESS SELF-TEST: checks tests/helpers/ (rawserver.py, raw.bash,
# nginx.bash, common.bash), not hcli.  It drives the servers with curl so it
# can run before hcli exists; every other bats file uses hcli.

load helpers/common

# One nginx for the whole file: also proves that a test's teardown leaves
# servers started by setup_file alone.
setup_file() {
	nginx_start "$BATS_FILE_TMPDIR/nginx"
}

# Nothing a test started may survive it (servers run with paths in their
# directory on the command line).
teardown() {
	harness_teardown
	run pgrep -f "$BATS_TEST_TMPDIR/"
	assert_failure
}

teardown_file() {
	harness_teardown
	run pgrep -f "$BATS_FILE_TMPDIR/"
	assert_failure
}

curl() {
	command curl -sS "$@"
}

# --- rawserver ---------------------------------------------------------

@test "raw: scripted reply is sent and the request recorded byte for byte" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n", "then": "close"}]]
EOF
	run curl -H 'User-Agent:' -H 'Accept:' "$RAW_URL/hello?a=1"
	assert_success
	assert_output hello
	printf 'GET /hello?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$RAW_PORT" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$(raw_req 0 0)"
	assert_equal "$(raw_conns)" 1
	[[ -f $RAW_DIR/pid && $(cat "$RAW_DIR/pid") == "$RAW_PID" ]]
}

@test "raw: keep-alive exchanges, bodies recorded undecoded, chunks streamed" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"},
  {"reply": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
   "chunks": ["2\r\nB\n\r\n", "0\r\n\r\n"], "chunk_delay_ms": 20, "then": "close"}]]
EOF
	printf 'xyz' >"$BATS_TEST_TMPDIR/up"
	run curl --data-binary xyz "$RAW_URL/1" --next \
		-sS -H 'Transfer-Encoding: chunked' -H 'Expect:' -T "$BATS_TEST_TMPDIR/up" "$RAW_URL/2"
	assert_success
	assert_output $'A\nB'
	assert_equal "$(raw_conns)" 1
	# the first body by Content-Length, the second chunked, as sent
	[[ $(tail -c 3 "$(raw_req 0 0)") == xyz ]]
	printf '3\r\nxyz\r\n0\r\n\r\n' >"$BATS_TEST_TMPDIR/want"
	tail -c 13 "$(raw_req 0 1)" | cmp "$BATS_TEST_TMPDIR/want" -
	grep -q 'conn=0 ex=1 closed cleanly' "$RAW_DIR/log"
}

@test "raw: reply_b64, reply_hex, reply_file and reply_repeat make one reply" {
	printf 'FILE' >"$BATS_TEST_TMPDIR/part"
	raw_start - <<EOF
[[{"reply_hex": "485454502f312e3120323030204f4b0d0a", "then": "keep"},
  {"expect": "none", "reply_b64": "Q29udGVudC1MZW5ndGg6IDEwMDA1DQoNCg==",
   "reply_file": "$BATS_TEST_TMPDIR/part",
   "reply_repeat": {"data": "0123456789", "count": 1000}, "chunks": ["\u00ff"]}]]
EOF
	run curl -o "$BATS_TEST_TMPDIR/body" "$RAW_URL/"
	assert_success
	assert_equal "$(head -c 14 "$BATS_TEST_TMPDIR/body")" FILE0123456789
	assert_equal "$(wc -c <"$BATS_TEST_TMPDIR/body")" 10005
	assert_equal "$(tail -c 1 "$BATS_TEST_TMPDIR/body" | od -An -tx1 | tr -d ' ')" ff
}

@test "raw: close and reset are told apart by the client" {
	# two reply bytes promised, one sent: a clean close is a partial body (18),
	# a reset a receive failure (56); no byte before a close is an empty reply (52)
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nx", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nx", "then": "reset"}],
 [{"then": "close"}]]
EOF
	run curl "$RAW_URL/"
	assert_equal "$status" 18
	run curl "$RAW_URL/"
	assert_equal "$status" 56
	run curl "$RAW_URL/"
	assert_equal "$status" 52
	assert_equal "$(raw_conns)" 3
}

@test "raw: an unscripted request is recorded and the connection closed; last entry repeats" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB\n", "then": "close"}]]
EOF
	# curl reuses connection 0, finds it closed, retries on connection 1;
	# the third URL gets connection 2, which reuses the last entry
	run curl "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_success
	assert_output $'A\nB\nB'
	assert_equal "$(raw_conns)" 3
	grep -q '^GET /2 ' "$(raw_req 0 1)"
	grep -q '^GET /2 ' "$(raw_req 1 0)"
	grep -q '^GET /3 ' "$(raw_req 2 0)"
}

@test "raw: repeat false closes connections beyond the script" {
	raw_start - <<'EOF'
{"repeat": false,
 "connections": [[{"reply": "HTTP/1.1 204 No Content\r\n\r\n", "then": "close"}]]}
EOF
	run curl "$RAW_URL/"
	assert_success
	run curl "$RAW_URL/"
	assert_failure
	raw_wait_conns 2
	grep -q 'conn=1 not scripted' "$RAW_DIR/log"
	[[ ! -e $(raw_req 1 0) ]]
}

@test "raw: head-only, a scripted 100 Continue, then the body" {
	raw_start - <<'EOF'
[[{"expect": "head-only", "reply": "HTTP/1.1 100 Continue\r\n\r\n"},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]
EOF
	run curl -H 'Expect: 100-continue' --data-binary 12345 "$RAW_URL/"
	assert_success
	assert_output ok
	grep -q 'Expect: 100-continue' "$(raw_req 0 0)"
	assert_equal "$(cat "$(raw_req 0 1)")" 12345
}

@test "raw: delay_ms and hang make client timeouts" {
	raw_start - <<'EOF'
[[{"delay_ms": 5000, "reply": "HTTP/1.1 204 No Content\r\n\r\n"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart", "then": "hang"}]]
EOF
	run curl --max-time 0.5 "$RAW_URL/"
	assert_equal "$status" 28
	run curl --max-time 0.5 "$RAW_URL/"
	assert_equal "$status" 28
	assert_output --partial part
}

@test "raw: IPv6 ::1" {
	raw_start - ::1 <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nv6\n"}]]
EOF
	assert_equal "$RAW_URL" "http://[::1]:$RAW_PORT"
	run curl "$RAW_URL/"
	assert_success
	assert_output v6
}

@test "raw: two servers in one test, raw_stop stops the named one" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n1\n"}]]
EOF
	local first_dir=$RAW_DIR first_pid=$RAW_PID first_url=$RAW_URL
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n2\n"}]]
EOF
	[[ $RAW_DIR != "$first_dir" ]]
	run curl "$first_url/" "$RAW_URL/"
	assert_output $'1\n2'
	raw_stop "$first_dir"
	run kill -0 "$first_pid"
	assert_failure
	kill -0 "$RAW_PID"
}

@test "raw: a bad script is exit 2 with a message, and raw_start fails" {
	local bad=$BATS_TEST_TMPDIR/bad.json
	for script in '{' '[]' '[[{"then": "explode"}]]' '[[{"expect": -1}]]' \
		'[[{"reply": "x", "reply_hex": "78"}]]' '[[{"reply_hex": "zz"}]]' \
		'[[{"reply": "\u0100"}]]' '[[{"reply_file": "/nonexistent"}]]' '[[{"colour": 1}]]'; do
		printf '%s' "$script" >"$bad"
		run python3 "$HELPERS_DIR/rawserver.py" --script "$bad" --dir "$BATS_TEST_TMPDIR/bad"
		assert_equal "$status" 2
		assert_output --partial 'rawserver: bad script:'
	done
	run raw_start "$bad"
	assert_failure
	assert_output --partial 'bad script'
}

@test "raw: the server ends by itself after its lifetime" {
	printf '[[]]' >"$BATS_TEST_TMPDIR/s.json"
	run timeout 10 python3 "$HELPERS_DIR/rawserver.py" --script "$BATS_TEST_TMPDIR/s.json" \
		--dir "$BATS_TEST_TMPDIR/life" --lifetime 0.3
	assert_success
	grep -q 'lifetime over' "$BATS_TEST_TMPDIR/life/log"
}

# --- nginx (started once in setup_file) --------------------------------

@test "nginx: serves a static file" {
	head -c 300000 /dev/urandom >"$NGINX_DIR/www/f.bin"
	run curl -o "$BATS_TEST_TMPDIR/f.bin" -w '%{http_code}' "$NGINX_URL/f.bin"
	assert_output 200
	cmp "$NGINX_DIR/www/f.bin" "$BATS_TEST_TMPDIR/f.bin"
}

@test "nginx: stores a PUT under www/upload, echoes a POST body" {
	head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/up.bin"
	run curl -T "$BATS_TEST_TMPDIR/up.bin" -w '%{http_code}' "$NGINX_URL/upload/a/up.bin"
	assert_output 201
	cmp "$BATS_TEST_TMPDIR/up.bin" "$NGINX_DIR/www/upload/a/up.bin"
	run curl --data-binary "@$BATS_TEST_TMPDIR/up.bin" -o "$BATS_TEST_TMPDIR/echo.bin" "$NGINX_URL/echo"
	assert_success
	cmp "$BATS_TEST_TMPDIR/up.bin" "$BATS_TEST_TMPDIR/echo.bin"
}

@test "nginx: /chunked/ sends files chunked, /status/ and /redirect/ give codes" {
	printf 'chunky\n' >"$NGINX_DIR/www/c.txt"
	run curl -i "$NGINX_URL/chunked/c.txt"
	assert_line --partial 'Transfer-Encoding: chunked'
	refute_line --partial 'Content-Length'
	assert_line chunky
	run curl -w '%{http_code} ' -o /dev/null "$NGINX_URL/status/404" \
		-o /dev/null "$NGINX_URL/status/503" -o /dev/null "$NGINX_URL/status/204"
	assert_output '404 503 204 '
	run curl -o /dev/null -w '%{http_code} %{redirect_url}' "$NGINX_URL/redirect/308/c.txt?q=1"
	assert_output "308 $NGINX_URL/c.txt?q=1"
	run curl -L -o /dev/null -w '%{http_code} %{num_redirects}' "$NGINX_URL/status/302"
	assert_output '200 1'
}

@test "nginx: keep-alive reuse shows in the access log" {
	: >"$NGINX_DIR/www/k.txt"
	local before
	before=$(wc -l <"$NGINX_DIR/access.log")
	run curl "$NGINX_URL/k.txt" "$NGINX_URL/k.txt?second"
	assert_success
	nginx_wait_log $((before + 2))
	run tail -n 2 "$NGINX_DIR/access.log"
	# same $connection, $connection_requests 1 then 2
	local c1 c2
	c1=$(sed -n 1p <<<"$output" | cut -d' ' -f1)
	c2=$(sed -n 2p <<<"$output" | cut -d' ' -f1)
	assert_equal "$c1" "$c2"
	assert_line --index 0 --regexp '^conn=[0-9]+ req=1 method=GET status=200 reqlen=[0-9]+ sent=0 .* uri="/k.txt" args="-"$'
	assert_line --index 1 --regexp '^conn=[0-9]+ req=2 method=GET status=200 .* args="second"$'
}
