#!/usr/bin/env bats
# HARNESS SELF-TEST for HTTP/2: checks tests/helpers/h2server.py and h2.bash
# (the scripted server, nghttpd, Apache with mod_http2), not hcli.  It drives
# them with curl 7.88 (built with nghttp2), so every scripted behaviour is
# proven to happen on the wire before hcli's tests rely on it.
#
# curl 7.88.1 cannot reuse an h2c (prior knowledge) connection for a second
# URL ("Error in the HTTP2 framing layer"): the tests that need several
# streams on one connection use TLS with ALPN h2.

load helpers/common
load helpers/h2

setup_file() {
	export PKI=$BATS_FILE_TMPDIR/pki
	pki_make "$PKI"
	head -c 1048576 /dev/urandom >"$BATS_FILE_TMPDIR/mib"
}

# Nothing a test started may survive it.
teardown() {
	harness_teardown
	run pgrep -f "$BATS_TEST_TMPDIR/"
	assert_failure
}

curl() {
	command curl -sS --no-progress-meter --cacert "$PKI/ca.pem" "$@"
}

setup() {
	T=$BATS_TEST_TMPDIR
}

mib_sha() {
	sha256sum "$BATS_FILE_TMPDIR/mib" | cut -d' ' -f1
}

@test "h2server: h2c answer; the request's pseudo-headers, fields and body are recorded" {
	h2_start - <<<'{}'
	run curl --http2-prior-knowledge -H 'X-One: 1' -d 'a=b' "$H2_URL/p?q=1"
	assert_success
	assert_output '/p?q=1'
	h2_wait 0 1 outcome
	head=$(h2_file 0 1 head)
	assert_equal "$(head -n 4 "$head")" \
		$':method: POST\n:path: /p?q=1\n:scheme: http\n:authority: 127.0.0.1:'"$H2_PORT"
	grep -qx 'x-one: 1' "$head"
	grep -qx 'content-length: 3' "$head"
	assert_equal "$(cat "$(h2_file 0 1 body)")" a=b
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=3 sha256=$(printf a=b | sha256sum | cut -d' ' -f1)"
	assert_equal "$(cat "$(h2_file 0 1 outcome)")" answered
	assert_equal "$(h2_requests)" 'conn=0 stream=1 POST /p?q=1'
	# curl's SETTINGS (push off) and its HEADERS then DATA with END_STREAM
	grep -q '^recv SETTINGS stream=0 flags=- .*ENABLE_PUSH=0' "$(h2_frames 0)"
	grep -q '^recv HEADERS stream=1 flags=END_HEADERS ' "$(h2_frames 0)"
	grep -q '^recv DATA stream=1 flags=END_STREAM len=3$' "$(h2_frames 0)"
	grep -q '^send DATA stream=1 flags=END_STREAM len=7$' "$(h2_frames 0)"
}

@test "h2server: TLS picks h2 by ALPN; HTTP/1.1 clients get one http/1.1 answer" {
	h2_tls_start - localhost localhost <<<'{"default": {"body": "h2\n"}}'
	run curl --http2 "$H2_URL/a"
	assert_success
	assert_output h2
	run curl --http1.1 "$H2_URL/b"
	assert_success
	assert_output http/1.1
	assert_equal "$(cat "$H2_DIR/alpn-0")" h2
	assert_equal "$(cat "$H2_DIR/alpn-1")" http/1.1
	grep -q '^GET /b HTTP/1.1' "$H2_DIR/h1-1"
	# h2c port, an HTTP/1.1 request: the same
	h2_start - <<<'{}'
	run curl "$H2_URL/c"
	assert_success
	assert_output http/1.1
	grep -q '^GET /c HTTP/1.1' "$H2_DIR/h1-0"
}

@test "h2server: trailers follow the body in a HEADERS frame with END_STREAM" {
	h2_start - <<<'{"default": {"body": "hello\n", "trailers": [["x-t", "1"]]}}'
	run curl --http2-prior-knowledge -D "$T/head" "$H2_URL/a"
	assert_success
	assert_output hello
	grep -q '^x-t: 1' "$T/head"
	h2_wait 0 1 outcome
	assert_equal "$(grep '^send [HD]' "$(h2_frames 0)")" \
		$'send HEADERS stream=1 flags=END_HEADERS len=1\nsend DATA stream=1 flags=- len=6\nsend HEADERS stream=1 flags=END_STREAM,END_HEADERS len=7'
}

@test "h2server: a stream reset among several: curl 92, the other streams intact" {
	h2_tls_start - localhost localhost <<'EOF'
{"paths": {"/r": {"body": "0123456789", "reset": {"after_bytes": 4, "error": 2}}}}
EOF
	run curl -Z -o "$T/a" "$H2_URL/a" -o "$T/r" "$H2_URL/r" -o "$T/b" "$H2_URL/b"
	assert_equal "$status" 92
	assert_output --partial 'INTERNAL_ERROR'
	assert_equal "$(cat "$T/a")" /a
	assert_equal "$(cat "$T/b")" /b
	assert_equal "$(h2_conns)" 1
	stream=$(sed -n 's|^conn=0 stream=\([0-9]*\) GET /r$|\1|p' "$H2_DIR/requests")
	h2_wait 0 "$stream" outcome
	assert_equal "$(cat "$(h2_file 0 "$stream" outcome)")" reset
	# four body bytes, then the reset (curl 7.88 writes them or not, as the reads fall)
	assert_equal "$(grep "^send [A-Z_]* stream=$stream " "$(h2_frames 0)" | tr '\n' '|')" \
		"send HEADERS stream=$stream flags=END_HEADERS len=1|send DATA stream=$stream flags=- len=4|send RST_STREAM stream=$stream flags=- len=4 error=2|"
}

@test "h2server: GOAWAY below an open stream: the stream above is refused, a new connection" {
	h2_tls_start - localhost localhost <<<'[{"goaway": {"after_requests": 2}}, {}]'
	# curl 7.88 fails the refused /b (16) instead of retrying it; /c gets connection 1
	run curl "$H2_URL/a" "$H2_URL/b" "$H2_URL/c"
	assert_output --partial /a
	assert_output --partial /c
	assert_output --partial 'curl: (16)'
	assert_equal "$(h2_conns)" 2
	assert_equal "$(h2_requests)" $'conn=0 stream=1 GET /a\nconn=0 stream=3 GET /b\nconn=1 stream=1 GET /c'
	assert_equal "$(cat "$(h2_file 0 1 outcome)")" answered
	assert_equal "$(cat "$(h2_file 0 3 outcome)")" refused
	grep -q '^send GOAWAY stream=0 flags=- len=8 last_stream_id=1 error=0$' "$(h2_frames 0)"
	run ! grep -q '^send HEADERS stream=3' "$(h2_frames 0)"
	h2_wait_log 'conn=0 closing: streams below the GOAWAY answered'
}

@test "h2server: GOAWAY with an error inside a body: the bytes before it arrive" {
	h2_start - <<<'{"default": {"body": "0123456789", "goaway": {"after_bytes": 4, "error": 2}}}'
	run --separate-stderr curl --http2-prior-knowledge "$H2_URL/a"
	# curl 7.88 calls it a partial file (18)
	assert_equal "$status" 18
	assert_equal "$output" 0123
	grep -q '^send DATA stream=1 flags=- len=4$' "$(h2_frames 0)"
	grep -q '^send GOAWAY stream=0 flags=- len=8 last_stream_id=1 error=2$' "$(h2_frames 0)"
}

@test "h2server: huge header lists: a 60,000-byte field arrives, 70,000 is nghttp2's error, 500 fields" {
	h2_start - <<'EOF'
{"paths": {"/60k": {"big_field": 60000}, "/70k": {"big_field": 70000},
           "/500": {"many_fields": 500}}}
EOF
	run curl --http2-prior-knowledge -D "$T/h60" "$H2_URL/60k"
	assert_success
	assert_output /60k
	assert_equal "$(grep -a '^x-big: ' "$T/h60" | tr -d '\r' | wc -c)" $((7 + 60000 + 1))
	grep -q '^send CONTINUATION stream=1 flags=END_HEADERS ' "$(h2_frames 0)"

	# nghttp2 caps a field at 64 KiB: COMPRESSION_ERROR (9)
	run curl --http2-prior-knowledge "$H2_URL/70k"
	assert_failure
	h2_wait_frame 1 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=9$'

	run curl --http2-prior-knowledge -D "$T/h500" "$H2_URL/500"
	assert_success
	assert_equal "$(grep -c '^x-f-[0-9]*: 1' "$T/h500")" 500
}

@test "h2server: a CONTINUATION flood: Debian's nghttp2 stops it" {
	h2_start - <<<'{"default": {"flood": {"count": 20000}}}'
	run curl --http2-prior-knowledge "$H2_URL/a"
	assert_equal "$status" 56
	assert_output --partial 'Too many CONTINUATION frames'
	h2_wait_log 'stream=1 (sent 20000 CONTINUATION frames|answer stopped)'
	grep -q '^send HEADERS stream=1 flags=- len=1$' "$(h2_frames 0)"
	grep -q '^send CONTINUATION stream=1 flags=- len=0$' "$(h2_frames 0)"
}

@test "h2server: tiny windows: a 1-byte stream window, 16-byte DATA frames, a slow consumer" {
	# the client may send 65,535 bytes before it has the server's SETTINGS
	head -c $((65535 + 2000)) "$BATS_FILE_TMPDIR/mib" >"$T/up"
	h2_start - <<<'{"settings": {"INITIAL_WINDOW_SIZE": 1}}'
	run curl --http2-prior-knowledge -T "$T/up" "$H2_URL/up"
	assert_success
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=67535 sha256=$(sha256sum <"$T/up" | cut -d' ' -f1)"
	grep -q '^send SETTINGS stream=0 flags=- len=12 MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=1$' \
		"$(h2_frames 0)"
	# after the SETTINGS are in force, one byte a frame
	grep -q '^recv DATA stream=1 flags=- len=1$' "$(h2_frames 0)"
	grep -q '^send WINDOW_UPDATE stream=1 flags=- len=4 increment=1$' "$(h2_frames 0)"

	h2_start - <<EOF
{"default": {"body_file": "$BATS_FILE_TMPDIR/mib", "frame_size": 16}}
EOF
	run curl --http2-prior-knowledge -o "$T/down" "$H2_URL/down"
	assert_success
	assert_equal "$(sha256sum <"$T/down" | cut -d' ' -f1)" "$(mib_sha)"
	assert_equal "$(grep '^send DATA' "$(h2_frames 0)" | sort -u | tr '\n' '|')" \
		'send DATA stream=1 flags=- len=16|send DATA stream=1 flags=END_STREAM len=16|'

	h2_start - <<<'{"settings": {"INITIAL_WINDOW_SIZE": 16384}, "consume_delay_ms": 5}'
	run curl --http2-prior-knowledge -T "$BATS_FILE_TMPDIR/mib" "$H2_URL/slow"
	assert_success
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=1048576 sha256=$(mib_sha)"
	cmp "$(h2_file 0 1 body)" "$BATS_FILE_TMPDIR/mib"
}

@test "h2server: padded DATA frames; a window of 0 that a later SETTINGS opens" {
	h2_start - <<EOF
{"default": {"body_file": "$BATS_FILE_TMPDIR/mib", "frame_size": 16, "pad": 255}}
EOF
	run curl --http2-prior-knowledge -o "$T/down" "$H2_URL/down"
	assert_success
	assert_equal "$(sha256sum <"$T/down" | cut -d' ' -f1)" "$(mib_sha)"
	# 16 bytes of body, the pad length byte and 255 bytes of padding a frame
	grep -q '^send DATA stream=1 flags=PADDED len=272$' "$(h2_frames 0)"

	h2_start - <<'EOF'
{"settings": {"INITIAL_WINDOW_SIZE": 0}, "default": {"body": "ok\n"},
 "settings_later": {"after_requests": 1, "delay_ms": 200, "settings": {"INITIAL_WINDOW_SIZE": 65535}}}
EOF
	run curl --http2-prior-knowledge -T "$BATS_FILE_TMPDIR/mib" "$H2_URL/up"
	assert_success
	assert_output ok
	h2_wait 0 1 end
	assert_equal "$(cat "$(h2_file 0 1 end)")" "bytes=1048576 sha256=$(mib_sha)"
	# before the second SETTINGS: at most what the default window let through
	later='^send SETTINGS stream=0 flags=- len=6 INITIAL_WINDOW_SIZE=65535$'
	grep -q "$later" "$(h2_frames 0)"
	(($(h2_recv_data 0 "$later") <= 65535))
	assert_equal "$(h2_recv_data 0)" 1048576
}

@test "h2server: PUSH_PROMISE after ENABLE_PUSH 0 is a protocol error to the client" {
	h2_start - <<<'{"default": {"push": "/pushed"}}'
	run curl --http2-prior-knowledge "$H2_URL/a"
	assert_failure
	grep -q '^send PUSH_PROMISE stream=1 flags=END_HEADERS len=[0-9]* promised=2$' "$(h2_frames 0)"
	h2_wait_frame 0 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=1$'
}

@test "h2server: a bad preface and a malformed SETTINGS frame end the connection" {
	h2_start - <<<'[{"preface_hex": "485454502f312e3120323030204f4b0d0a0d0a"}, {"preface_hex": "0000050400000000000000000000"}]'
	run curl --http2-prior-knowledge "$H2_URL/a"
	assert_failure
	h2_wait_frame 0 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=1$'
	run curl --http2-prior-knowledge "$H2_URL/a"
	assert_failure
	grep -q '^send SETTINGS stream=0 flags=- len=5$' "$(h2_frames 1)"
	# FRAME_SIZE_ERROR
	h2_wait_frame 1 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=6$'
}

@test "h2server: DATA after END_STREAM is on the wire (curl 7.88 ignores it)" {
	h2_start - <<<'{"default": {"data_after_end": "extra"}}'
	run curl --http2-prior-knowledge "$H2_URL/a"
	assert_success
	assert_output /a
	h2_wait 0 1 outcome
	assert_equal "$(grep '^send DATA' "$(h2_frames 0)")" \
		$'send DATA stream=1 flags=END_STREAM len=3\nsend DATA stream=1 flags=- len=5'
}

@test "h2server: an early 413 is answered while the upload still runs" {
	# a small window taken back slowly: the upload cannot be over before the answer
	h2_start - <<'EOF'
{"settings": {"INITIAL_WINDOW_SIZE": 16384}, "consume_delay_ms": 50,
 "default": {"status": 413, "wait_body": false, "body": "too big\n"}}
EOF
	run curl --http2-prior-knowledge -T "$BATS_FILE_TMPDIR/mib" "$H2_URL/up"
	assert_output 'too big'
	h2_wait 0 1 outcome
	# answered before the request's END_STREAM (if one came at all)
	assert_equal "$(grep -m1 -oE 'stream=1 (answer answered|request ended)' "$H2_DIR/log")" \
		'stream=1 answer answered'
	(($(stat -c %s "$(h2_file 0 1 body)") < 1048576))
}

@test "h2server: a delayed answer comes no sooner; an answer held until another stream's" {
	h2_tls_start - localhost localhost <<'EOF'
{"paths": {"/slow": {"delay_ms": 300}, "/held": {"after": {"path": "/free"}}}}
EOF
	run curl -o "$T/slow" "$H2_URL/slow"
	assert_success
	h2_wait 0 1 outcome
	# at least 300 ms between the request and its answer in the server's log
	awk '/stream=1 request GET/ { t0 = $1 } /stream=1 answer answered/ { t1 = $1 }
		END { exit !(t1 - t0 >= 0.3) }' "$H2_DIR/log"

	run curl -Z -o "$T/held" "$H2_URL/held" -o "$T/free" "$H2_URL/free"
	assert_success
	assert_equal "$(cat "$T/held" "$T/free")" $'/held\n/free'
	h2_wait 1 1 outcome
	h2_wait 1 3 outcome
	assert_equal "$(grep -oE 'conn=1 stream=[13] answer answered' "$H2_DIR/log" | tr '\n' '|')" \
		'conn=1 stream=3 answer answered|conn=1 stream=1 answer answered|'
	run ! grep -q 'gave up waiting' "$H2_DIR/log"
}

@test "h2server: a stalled body goes on once the connection has had enough requests" {
	h2_tls_start - localhost localhost <<'EOF'
{"paths": {"/s": {"body": "0123456789", "stall": {"after_bytes": 4, "requests": 2}}}}
EOF
	run curl -Z -o "$T/s" "$H2_URL/s" -o "$T/b" "$H2_URL/b"
	assert_success
	assert_equal "$(cat "$T/s" "$T/b")" $'0123456789/b'
	assert_equal "$(h2_conns)" 1
	h2_wait 0 1 outcome
	assert_equal "$(cat "$(h2_file 0 1 outcome)")" answered
	# four bytes, then the rest (six) only once the second request came
	assert_equal "$(grep '^send DATA stream=1 ' "$(h2_frames 0)" | grep -o 'len=[0-9]*' | tr '\n' ' ')" \
		'len=4 len=6 '
	awk '/^recv HEADERS stream=3 /{ h = NR } /^send DATA stream=1 .*len=6/{ d = NR }
		END { exit !(h && d && h < d) }' "$(h2_frames 0)" || fail "$(cat "$(h2_frames 0)")"
	run ! grep -q 'gave up waiting' "$H2_DIR/log"
}

@test "h2server: a PING after SETTINGS, 1xx heads before the answer, raw frames before the head" {
	h2_start - <<'EOF'
{"ping": true, "paths": {"/i": {"interim": [103]},
                         "/wu": {"raw_hex": "0000040800000000007fffffff"}}}
EOF
	run curl --http2-prior-knowledge -i "$H2_URL/i"
	assert_success
	assert_equal "$(tr -d '\r' <<<"$output")" $'HTTP/2 103 \nx-interim: 103\n\nHTTP/2 200 \n\n/i'
	h2_wait_frame 0 '^recv PING stream=0 flags=ACK len=8 data=6832736572766572$'
	grep -q '^send PING stream=0 flags=- len=8 data=6832736572766572$' "$(h2_frames 0)"
	# a WINDOW_UPDATE that takes the connection window past 2^31-1: FLOW_CONTROL_ERROR
	run curl --http2-prior-knowledge "$H2_URL/wu"
	assert_failure
	grep -q '^send WINDOW_UPDATE stream=0 flags=- len=4 increment=2147483647$' "$(h2_frames 1)"
	h2_wait_frame 1 '^recv GOAWAY stream=0 flags=- len=[0-9]+ last_stream_id=0 error=3$'
}

@test "h2server: a request header list over 64 KiB is recorded whole (python3-h2 as the client)" {
	# curl 7.88 cannot send one (nghttp2's 64 KiB send limit): a few lines of python3-h2 do
	h2_start - <<<'{"settings": {"MAX_HEADER_LIST_SIZE": 1048576}}'
	run "$H2_PYTHON" - "$H2_PORT" <<'EOF'
import socket, sys
import h2.connection, h2.events
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
c = h2.connection.H2Connection()
c.initiate_connection()
c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                   (":path", "/big"), ("x-big1", "v" * 40000), ("x-big2", "w" * 40000)],
               end_stream=True)
s.sendall(c.data_to_send())
body = b""
while True:
    data = s.recv(65536)
    if not data:
        break
    for ev in c.receive_data(data):
        if isinstance(ev, h2.events.DataReceived):
            body += ev.data
            c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        if isinstance(ev, h2.events.StreamEnded):
            print(body.decode(), end="")
            sys.exit(0)
    s.sendall(c.data_to_send())
sys.exit(1)
EOF
	assert_success
	assert_output /big
	h2_wait 0 1 head
	assert_equal "$(awk '/^x-big[12]: / { print length($0) }' "$(h2_file 0 1 head)" | tr '\n' ' ')" '40008 40008 '
	grep -q '^recv CONTINUATION stream=1 ' "$(h2_frames 0)"
}

@test "h2server: a bad script is refused; the server stops by itself after its lifetime" {
	run h2_start - <<<'{"default": {"status": "x"}}'
	assert_failure
	assert_output --partial 'bad script: connection 0.default.status'
	H2_LIFETIME=1 h2_start - <<<'{}'
	harness_wait_for 5 _harness_dead "$H2_PID"
	grep -q 'lifetime over' "$H2_DIR/log"
}

@test "nghttpd: h2c and TLS; several URLs share one TLS connection" {
	nghttpd_start "$T/ng" tls
	printf 'a\n' >"$NGHTTPD_DIR/www/a"
	printf 'b\n' >"$NGHTTPD_DIR/www/b"
	run curl "$NGHTTPD_URL/a" "$NGHTTPD_URL/b" "$NGHTTPD_URL/a"
	assert_success
	assert_output $'a\nb\na'
	assert_equal "$(nghttpd_conns)" 1
	run curl "$NGHTTPD_URL/b"
	assert_equal "$(nghttpd_conns)" 2
	nghttpd_start "$T/ngc"
	printf 'c\n' >"$NGHTTPD_DIR/www/c"
	run curl --http2-prior-knowledge -w '%{http_version}' "$NGHTTPD_URL/c"
	assert_success
	assert_output $'c\n2'
}

@test "apache mod_http2: h2 by ALPN and h2c; conn.log counts connections" {
	apache_h2_start "$T/ap" tls
	printf 'a\n' >"$APACHE_DIR/www/a"
	run curl "$APACHE_URL/a" "$APACHE_URL/a" "$APACHE_URL/a"
	assert_success
	harness_wait_for 5 test "$(wc -l <"$APACHE_DIR/conn.log")" -ge 3
	assert_equal "$(cut -d' ' -f2- "$APACHE_DIR/conn.log" | sort -u)" 'HTTP/2.0 GET /a 200'
	assert_equal "$(apache_h2_conns)" 1
	run curl --http1.1 "$APACHE_URL/a" "$APACHE_URL/a"
	harness_wait_for 5 test "$(wc -l <"$APACHE_DIR/conn.log")" -ge 5
	assert_equal "$(apache_h2_conns)" 2
	assert_equal "$(tail -n 1 "$APACHE_DIR/conn.log" | cut -d' ' -f2)" HTTP/1.1

	apache_h2_start "$T/apc"
	printf 'c\n' >"$APACHE_DIR/www/c"
	run curl --http2-prior-knowledge "$APACHE_URL/c"
	assert_success
	assert_output c
	harness_wait_for 5 test -s "$APACHE_DIR/conn.log"
	assert_equal "$(cut -d' ' -f2- "$APACHE_DIR/conn.log")" 'HTTP/2.0 GET /c 200'
}

@test "h2server: max-open counts the streams open at once" {
	h2_tls_start - localhost localhost <<<'{"default": {"delay_ms": 100}}'
	run curl -Z -o "$T/a" "$H2_URL/a" -o "$T/b" "$H2_URL/b" -o "$T/c" "$H2_URL/c"
	assert_success
	assert_equal "$(cat "$T/a" "$T/b" "$T/c")" $'/a\n/b\n/c'
	assert_equal "$(cat "$H2_DIR/max-open-0")" 3
	run curl -o "$T/a" "$H2_URL/a" -o "$T/b" "$H2_URL/b"
	assert_success
	assert_equal "$(cat "$H2_DIR/max-open-1")" 1
}
