#!/usr/bin/env bats
# -Z, --parallel and --parallel-max (SPEC.md Part 2 "HTTP/2 and parallel
# transfers"): the URLs run at once, standard output stays whole and in
# command-line order, -o files are written as they arrive, the exit status is
# that of the first URL in order that failed.
#
# Concurrency is proved without clocks: the raw server's wait_conns answers
# nothing until that many connections are open (a client that runs the URLs
# one after the other never gets an answer, and its run is stopped by
# HRUN_TIMEOUT), and wait_replies holds an answer back until the others were
# sent (the first URL finishes last). The server's log (one line per event,
# in order) says when a connection was accepted and a reply sent.

load helpers/common
load helpers/slowreader

setup() {
	T=$BATS_TEST_TMPDIR
	HRUN_TIMEOUT=20
}

# A 200 reply with BODY (a JSON string's text: \n is a newline) and its Content-Length.
ok_reply() { # BODY
	printf 'HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "$(printf '%b' "$1" | wc -c)" "$1"
}

# The line number in the server's log of its first line matching RE.
log_at() { # RE
	grep -n -m1 -E "$1" "$RAW_DIR/log" | cut -d: -f1
}

# N bytes of 0123456789abcdef over and over.
pattern() { # N
	yes 0123456789abcdef | tr -d '\n' | head -c "$1"
}

# Connection C's first request was for PATH.
assert_conn_path() { # C PATH
	local line
	line=$(head -n1 "$(raw_req "$1" 0)")
	[[ $line == "GET $2 HTTP/1.1"$'\r' ]] || fail "connection $1 asked for '$line', not $2"
}

@test "-Z: three URLs at once: the server answers none until it has three connections; -o files" {
	raw_start - <<EOF
[[{"wait_conns": 3, "reply": "$(ok_reply 'one\n')"}]]
EOF
	hrun -Z -o "$T/1" "$RAW_URL/1" -o "$T/2" "$RAW_URL/2" -o "$T/3" "$RAW_URL/3"
	assert_equal "$status" 0 || show
	[[ ! -s $T/out && ! -s $T/err ]] || fail "$(show)"
	for i in 1 2 3; do assert_bytes "$T/$i" 'one\n'; done
	assert_equal "$(raw_conns)" 3
}

@test "-Z: an -o file gets its body as it arrives, while an earlier URL is still unanswered" {
	# /1 is never answered; /2 sends the start of its body, then waits
	raw_start - <<'EOF'
[[{"wait_conns": 2, "expect": "head", "then": "hang"}],
 [{"wait_conns": 2, "reply": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst", "then": "hang"}]]
EOF
	"$HCLI" -Z -o "$T/1" "$RAW_URL/1" -o "$T/2" "$RAW_URL/2" </dev/null >"$T/out" 2>"$T/err" &
	BG_PID=$!
	harness_wait_for 5 grep -q first "$T/2.part" || fail "no body bytes in $T/2.part: $(cat "$T/err")"
	kill -0 "$BG_PID" || fail "hcli had already exited: $(cat "$T/err")"
	[[ ! -s $T/1.part && ! -e $T/1 ]] || fail "the first URL wrote something"
	harness_kill "$BG_PID"
	BG_PID=
}

@test "without -Z the same URLs run one after the other (the control: the server never answers)" {
	raw_start - <<EOF
[[{"wait_conns": 2, "reply": "$(ok_reply 'one\n')"}]]
EOF
	HRUN_TIMEOUT=3 hrun -o "$T/1" "$RAW_URL/1" -o "$T/2" "$RAW_URL/2"
	assert_equal "$status" 124 # timeout(1): still waiting for the first answer
	assert_equal "$(raw_conns)" 1
}

# A server for three URLs: /1 answers last, once /2's 16 MiB (more than the
# sockets hold: most of it is in hcli's hold by then) and /3's tiny body are out.
big_second() {
	raw_start - <<EOF
[[{"wait_replies": 2, "reply": "$(ok_reply 'first\n')"}],
 [{"wait_conns": 3, "reply": "HTTP/1.1 200 OK\r\nContent-Length: 16777216\r\n\r\n",
   "reply_repeat": {"data": "0123456789abcdef", "count": 1048576}}],
 [{"wait_conns": 3, "reply": "$(ok_reply 'third\n')"}]]
EOF
}

@test "-Z: standard output in command-line order: a held 16 MiB body and a tiny one wait for the first URL, answered last" {
	big_second
	hrun -Z "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 0 || show
	assert_conn_path 0 /1
	assert_conn_path 1 /2
	{
		printf 'first\n'
		pattern 16777216
		printf 'third\n'
	} >"$T/want"
	assert_equal "$(sha256_of "$T/out")" "$(sha256_of "$T/want")"
	# the first URL's answer came after the others' were sent
	(($(log_at 'conn=0 .*sent') > $(log_at 'conn=2 .*sent'))) || fail "$(cat "$RAW_DIR/log")"
}

@test "-Z: a held body past 1 MiB goes to a temporary file in \$TMPDIR (missing: that URL fails, 23)" {
	big_second
	HRUN_ENV=(TMPDIR="$T/missing")
	hrun -Z "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 23 || show
	assert_equal "$(grep -c '^hcli: ' "$T/err")" 1
	grep -q "^hcli: WriteError: .*$T/missing" "$T/err" || fail "$(show)"
	# the first URL's body, the 1 MiB held in memory, then the third URL's
	{
		printf 'first\n'
		pattern 1048576
		printf 'third\n'
	} >"$T/want"
	assert_equal "$(sha256_of "$T/out")" "$(sha256_of "$T/want")"
}

@test "-Z: held bodies reach a slow non-blocking reader whole and in order" {
	big_second
	read -r full sum st < <(slow_reader "$HCLI" -Z "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3")
	assert_equal "$st" 0
	{
		printf 'first\n'
		pattern 16777216
		printf 'third\n'
	} >"$T/want"
	assert_equal "$sum" "$(sha256_of "$T/want")"
	((full > 0)) || fail "the pipe was never full"
}

@test "-Z -i -w: each URL's head, body and -w text stay together, in command-line order" {
	raw_start - <<EOF
[[{"wait_replies": 1, "reply": "$(ok_reply 'A\n')"}],
 [{"wait_conns": 2, "reply": "$(ok_reply 'B\n')"}]]
EOF
	hrun -Z -i -w '[%{url_effective}]\n' "$RAW_URL/a" "$RAW_URL/b"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" 'HTTP/1.1 200 OK\nContent-Length: 2\n\nA\n[%s/a]\nHTTP/1.1 200 OK\nContent-Length: 2\n\nB\n[%s/b]\n' \
		"$RAW_URL" "$RAW_URL"
}

@test "-Z: the exit status is the first URL's in order that failed, though a later one failed first" {
	# /1: a 404 (-f: 22) once /2 was cut short (18) and /3 answered
	raw_start - <<EOF
[[{"wait_replies": 2, "reply": "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"}],
 [{"wait_conns": 3, "reply": "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart", "then": "close"}],
 [{"wait_conns": 3, "reply": "$(ok_reply 'C\n')"}]]
EOF
	hrun -Z -f "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 22 || show
	assert_conn_path 0 /1
	grep -q '^hcli: HTTPError: 404' "$T/err" || fail "$(show)"
	grep -q '^hcli: IncompleteRead' "$T/err" || fail "$(show)"
	assert_bytes "$T/out" 'partC\n'
}

@test "-Z --fail-early: the first failure ends the run; the running transfer stops, no URL starts after it" {
	# /1 is never answered; /2 fails at once; /3 and /4 must not be asked for
	raw_start - <<EOF
[[{"wait_replies": 5, "reply": "$(ok_reply 'never\n')"}],
 [{"wait_conns": 2, "reply": "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"}]]
EOF
	hrun -Z --parallel-max 2 --fail-early -f "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3" "$RAW_URL/4"
	assert_equal "$status" 22 || show
	assert_equal "$(grep -c '^hcli: ' "$T/err")" 1
	grep -q '^hcli: HTTPError: 500 Oops' "$T/err" || fail "$(show)"
	[[ ! -s $T/out ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
}

@test "-Z --parallel-max 2: the third URL starts only when one of the first two has ended" {
	raw_start - <<EOF
[[{"wait_conns": 2, "reply": "$(ok_reply 'x\n')", "then": "close"}]]
EOF
	hrun -Z --parallel-max 2 "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3" "$RAW_URL/4"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" 'x\nx\nx\nx\n'
	(($(log_at 'conn=2 accept') > $(log_at 'conn=[01] .*sent'))) || fail "$(cat "$RAW_DIR/log")"
}

@test "-Z --parallel-max 2: a URL whose output is held still counts; the third starts once the first is written" {
	# /2 is answered at once and held (its output waits for /1's), /1 300 ms after it:
	# were the held /2 not counted, /3 would start in between
	raw_start - <<EOF
[[{"wait_replies": 1, "delay_ms": 300, "reply": "$(ok_reply 'one\n')", "then": "close"}],
 [{"reply": "$(ok_reply 'two\n')", "then": "close"}],
 [{"reply": "$(ok_reply 'three\n')", "then": "close"}]]
EOF
	hrun -Z --parallel-max 2 "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" 'one\ntwo\nthree\n'
	assert_conn_path 0 /1
	assert_conn_path 2 /3
	(($(log_at 'conn=2 accept') > $(log_at 'conn=0 .*sent'))) || fail "$(cat "$RAW_DIR/log")"
}

@test "-Z --parallel-max 1 runs the URLs one after the other" {
	raw_start - <<EOF
[[{"reply": "$(ok_reply 'x\n')", "then": "close"}]]
EOF
	hrun -Z --parallel-max 1 "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" 'x\nx\nx\n'
	(($(log_at 'conn=1 accept') > $(log_at 'conn=0 .*sent'))) || fail "$(cat "$RAW_DIR/log")"
	(($(log_at 'conn=2 accept') > $(log_at 'conn=1 .*sent'))) || fail "$(cat "$RAW_DIR/log")"
}

@test "--parallel-max: 1 to 300, anything else is a usage error" {
	for n in 0 301 -1 x ''; do
		hrun -Z --parallel-max "$n" http://127.0.0.1:1/
		assert_equal "$status" 2
		grep -q -- "^hcli: Usage: --parallel-max" "$T/err" || fail "$n: $(show)"
	done
}

@test "-Z: a body from a pipe with several URLs is a usage error (it can be read once)" {
	hrun_pipe 'x' -Z -d @- http://127.0.0.1:1/a http://127.0.0.1:1/b
	assert_equal "$status" 2
	grep -q '^hcli: Usage: a body from a pipe can be sent once' "$T/err" || fail "$(show)"
}

@test "-Z: a string body goes whole to every URL at once" {
	raw_start - <<EOF
[[{"wait_conns": 2, "reply": "$(ok_reply 'ok\n')"}]]
EOF
	hrun -Z -d 'hello=1' "$RAW_URL/a" "$RAW_URL/b"
	assert_equal "$status" 0 || show
	for c in 0 1; do
		[[ $(tail -c 7 "$(raw_req $c 0)") == hello=1 ]] || fail "connection $c: $(cat "$(raw_req $c 0)")"
	done
}

@test "-Z: a cookie set by a response is sent by a transfer that starts after it" {
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 200 OK\r\nSet-Cookie: k=v\r\nContent-Length: 2\r\n\r\nA\n"},
  {"reply": "$(ok_reply 'B\n')"}]]
EOF
	hrun -Z --parallel-max 1 "$RAW_URL/a" "$RAW_URL/b"
	assert_equal "$status" 0 || show
	grep -q $'^Cookie: k=v\r$' "$(raw_req 0 1)" || fail "$(cat "$(raw_req 0 1)")"
}

@test "-Z: a retry's delay holds up only its own URL" {
	# /1 gets a 503 with Retry-After 1 (a second), then its answer; /2 answers meanwhile
	raw_start - <<EOF
[[{"wait_conns": 2, "reply": "HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"},
  {"reply": "$(ok_reply 'A\n')"}],
 [{"wait_conns": 2, "reply": "$(ok_reply 'B\n')"}]]
EOF
	hrun -Z --retry 1 "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" 'A\nB\n'
	(($(log_at 'conn=1 .*sent') < $(log_at 'conn=0 ex=1'))) || fail "$(cat "$RAW_DIR/log")"
}

@test "-Z --parallel-max 2: six URLs of one origin over two kept-alive connections (nginx's log)" {
	nginx_start "$T/nginx"
	for i in 1 2 3 4 5 6; do printf '%s\n' "$i" >"$NGINX_DIR/www/$i.txt"; done
	hrun -Z --parallel-max 2 "$NGINX_URL/1.txt" "$NGINX_URL/2.txt" "$NGINX_URL/3.txt" \
		"$NGINX_URL/4.txt" "$NGINX_URL/5.txt" "$NGINX_URL/6.txt"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" '1\n2\n3\n4\n5\n6\n'
	nginx_wait_log 6
	assert_equal "$(grep -c 'uri="/[1-6].txt"' "$NGINX_DIR/access.log")" 6
	# two connections, the later URLs taking them as they come back to the pool
	assert_equal "$(grep -o 'conn=[0-9]*' "$NGINX_DIR/access.log" | sort -u | wc -l)" 2
}

@test "-Z: a closed standard output ends the run: exit 23, at most one line on standard error" {
	# every URL 64 MiB: far more than a pipe holds, and more than a hold keeps in memory
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n",
   "reply_repeat": {"data": "xxxxxxxxxxxxxxxx", "count": 4194304}}]]
EOF
	closed_reader_fails 20 "$HCLI" -Z "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3" "$RAW_URL/4"
}

@test "-Z over https: the URLs of an h2 origin wait for the first handshake and share its connection; --http1.1 opens one each" {
	load helpers/pki
	PKI=$T/pki
	pki_make "$PKI"
	NGINX_H2_PKI=$PKI nginx_start "$T/nginx"
	for i in 1 2 3; do printf '%s\n' "$i" >"$NGINX_DIR/www/$i.txt"; done
	hrun -Z --cacert "$PKI/ca.pem" "$NGINX_H2_URL/1.txt" "$NGINX_H2_URL/2.txt" "$NGINX_H2_URL/3.txt"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" '1\n2\n3\n'
	nginx_wait_log 3
	assert_equal "$(grep -c 'proto=HTTP/2.0' "$NGINX_DIR/access.log")" 3
	assert_equal "$(grep -o 'conn=[0-9]*' "$NGINX_DIR/access.log" | sort -u | wc -l)" 1
	# HTTP/1.1 only: nothing to share, each transfer dials its own
	hrun -Z --http1.1 --cacert "$PKI/ca.pem" "$NGINX_H2_URL/1.txt" "$NGINX_H2_URL/2.txt" "$NGINX_H2_URL/3.txt"
	assert_equal "$status" 0 || show
	assert_bytes "$T/out" '1\n2\n3\n'
	nginx_wait_log 6
	assert_equal "$(grep 'proto=HTTP/1.1' "$NGINX_DIR/access.log" | grep -o 'conn=[0-9]*' | sort -u | wc -l)" 3
}

@test "-Z: one -o FILE given for two URLs is a usage error (they would write it at once); /dev/null may be shared" {
	raw_start_silent
	hrun -Z -o "$T/f" "$RAW_URL/a" -o "$T/f" "$RAW_URL/b"
	assert_equal "$status" 2
	grep -q "^hcli: Usage: -o $T/f is given for URLs 1 and 2" "$T/err" || fail "$(show)"
	raw_assert_nothing_sent
	raw_start - <<EOF
[[{"wait_conns": 2, "reply": "$(ok_reply 'x\n')"}]]
EOF
	hrun -Z -o /dev/null "$RAW_URL/a" -o /dev/null "$RAW_URL/b"
	assert_equal "$status" 0 || show
}
