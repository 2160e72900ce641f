#!/usr/bin/env bats
# Response parsing (SPEC.md "Response handling" and its fine points): each case
# is a canned reply from the raw server, the exact bytes hcli must print with
# -p hb, and the exit status. Replies and expected output use \r \n \xNN escapes.

load helpers/common

# serve REPLY [THEN]: one connection, one exchange, then close (or THEN).
serve() {
	local json
	json=$(python3 -c 'import json, sys, codecs
print(json.dumps([[{"reply": codecs.decode(sys.argv[1], "unicode_escape"), "then": sys.argv[2]}]]))' \
		"$1" "${2:-close}")
	raw_start - <<<"$json"
}

# serve_py EXPR: the reply is a python expression (for replies too long to write out).
serve_py() {
	local json
	json=$(python3 -c "import json
print(json.dumps([[{'reply': $1, 'then': 'close'}]]))")
	raw_start - <<<"$json"
}

# expect_reply REPLY STATUS STDOUT [KIND]: serve REPLY; hcli -p hb must exit
# STATUS, print exactly STDOUT, and when KIND is given say "hcli: KIND:" on stderr.
expect_reply() {
	serve "$1"
	expect_hcli "$2" "$3" "${4:-}" -p hb "$RAW_URL/"
}

expect_hcli() {
	local status=$1 want=$2 kind=$3
	shift 3
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	run -"$status" bash -c 'o=$0 e=$1; shift; "$HCLI" "$@" >"$o" 2>"$e"' "$out" "$err" "$@"
	cmp <(printf '%b' "$want") "$out" || {
		echo "stdout was:"
		od -c "$out" | head -20
		return 1
	}
	if [[ -n $kind ]]; then
		grep -q "^hcli: $kind: " "$err" || {
			echo "stderr was:"
			cat "$err"
			return 1
		}
		[[ $(wc -l <"$err") -eq 1 ]]
	else
		[[ ! -s $err ]] || {
			cat "$err"
			return 1
		}
	fi
}

# --- status line ---------------------------------------------------------

@test "status line and fields print as received, LF endings" {
	expect_reply 'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi' 0 \
		'HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi'
}

@test "status line without a reason, and with an empty one" {
	expect_reply 'HTTP/1.1 299\r\nContent-Length: 0\r\n\r\n' 0 'HTTP/1.1 299\nContent-Length: 0\n\n'
	raw_stop
	expect_reply 'HTTP/1.0 404 \r\nContent-Length: 0\r\n\r\n' 0 'HTTP/1.0 404 \nContent-Length: 0\n\n'
}

@test "several spaces after the version are accepted" {
	expect_reply 'HTTP/1.1   201 Created\r\nContent-Length: 1\r\n\r\nx' 0 \
		'HTTP/1.1   201 Created\nContent-Length: 1\n\nx'
}

@test "bare LF line endings are accepted everywhere" {
	expect_reply 'HTTP/1.1 200 OK\nA: b\nTransfer-Encoding: chunked\n\n3\nabc\n0\nT: u\n\n' 0 \
		'HTTP/1.1 200 OK\nA: b\nTransfer-Encoding: chunked\n\nabcT: u\n'
}

@test "BadStatusLine: lower-case version" {
	expect_reply 'http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' 8 '' BadStatusLine
}

@test "BadStatusLine: HTTP/2, HTTP/1.2, two and four digits, code 099" {
	for line in 'HTTP/2 200 OK' 'HTTP/1.2 200 OK' 'HTTP/1.1 20 OK' 'HTTP/1.1 2000 OK' \
		'HTTP/1.1 099 Low' 'HTTP/1.1 200OK' 'HTTP/1.1 2x0 OK'; do
		expect_reply "$line\\r\\nContent-Length: 0\\r\\n\\r\\n" 8 '' BadStatusLine
		raw_stop
	done
}

@test "BadStatusLine: a blank line first" {
	expect_reply '\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' 8 '' BadStatusLine
}

@test "BadStatusLine: HTTP/0.9 simple response is not accepted" {
	expect_reply 'hello world\n' 8 '' BadStatusLine
}

@test "status codes 100-999: 999 is accepted" {
	expect_reply 'HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n' 0 'HTTP/1.1 999 Odd\nContent-Length: 0\n\n'
}

# --- closes and resets around the head ---------------------------------------

@test "RemoteDisconnected: a clean close before any byte exits 52" {
	expect_reply '' 52 '' RemoteDisconnected
}

@test "a reset before any byte exits 56" {
	serve '' reset
	expect_hcli 56 '' ConnectionReset -p hb "$RAW_URL/"
}

@test "a clean close inside the head exits 8" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Len' 8 '' BadStatusLine
}

@test "a reset inside the head exits 56" {
	serve 'HTTP/1.1 200 OK\r\nX: y\r\n' reset
	expect_hcli 56 '' ConnectionReset -p hb "$RAW_URL/"
}

@test "a reset inside the body exits 56 after the bytes that came" {
	serve 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc' reset
	expect_hcli 56 'abc' ConnectionReset -p b "$RAW_URL/"
}

# --- header fields -----------------------------------------------------------

@test "obsolete line folding is joined with one space" {
	expect_reply 'HTTP/1.1 200 OK\r\nX-F: one  \r\n   two\r\n\tthree\r\nContent-Length: 0\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nX-F: one two three\nContent-Length: 0\n\n'
}

@test "whitespace around a value is trimmed" {
	expect_reply 'HTTP/1.1 200 OK\r\nX-A:   v w  \r\nContent-Length: 0\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nX-A: v w\nContent-Length: 0\n\n'
}

@test "malformed fields are rejected with 8, never repaired" {
	for field in 'X-A : 1' 'NoColonHere' 'Bad Name: 1' 'X-A: a\rb' 'X-A: a\x00b' '(x): 1' ': empty'; do
		expect_reply "HTTP/1.1 200 OK\\r\\n$field\\r\\nContent-Length: 0\\r\\n\\r\\n" 8 '' BadHeader
		raw_stop
	done
}

@test "whitespace before the first field is rejected" {
	expect_reply 'HTTP/1.1 200 OK\r\n X-A: 1\r\nContent-Length: 0\r\n\r\n' 8 '' BadHeader
}

@test "a bare CR in the status line is rejected" {
	expect_reply 'HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n' 8 '' BadStatusLine
}

@test "100 fields are accepted, 101 are not, and the message names --max-headers" {
	serve_py '"HTTP/1.1 200 OK\r\n" + "".join("X-%d: v\r\n" % i for i in range(99)) + "Content-Length: 0\r\n\r\n"'
	run -0 hcli -p h "$RAW_URL/"
	raw_stop
	serve_py '"HTTP/1.1 200 OK\r\n" + "".join("X-%d: v\r\n" % i for i in range(100)) + "Content-Length: 0\r\n\r\n"'
	run -8 --separate-stderr hcli -p h "$RAW_URL/"
	[[ $stderr == "hcli: TooManyHeaders: "*--max-headers* ]]
}

@test "--max-headers raises the limit" {
	serve_py '"HTTP/1.1 200 OK\r\n" + "".join("X-%d: v\r\n" % i for i in range(150)) + "Content-Length: 0\r\n\r\n"'
	run -0 hcli --max-headers 151 -p b "$RAW_URL/"
}

@test "LineTooLong: a 65,537-byte line; 65,536 bytes with CRLF is accepted" {
	serve_py '"HTTP/1.1 200 OK\r\nX: " + "a" * (65536 - 5) + "\r\nContent-Length: 2\r\n\r\nok"'
	run -0 hcli -p b "$RAW_URL/"
	assert_output ok
	raw_stop
	serve_py '"HTTP/1.1 200 OK\r\nX: " + "a" * (65536 - 4) + "\r\nContent-Length: 2\r\n\r\nok"'
	run -8 --separate-stderr hcli -p b "$RAW_URL/"
	[[ $stderr == "hcli: LineTooLong: "* ]]
}

@test "LineTooLong: an endless status line is cut off at the limit" {
	serve_py '"HTTP/1.1 200 " + "x" * 200000'
	run -8 --separate-stderr hcli -p b "$RAW_URL/"
	[[ $stderr == "hcli: LineTooLong: "* ]]
}

# --- interim responses -------------------------------------------------------

@test "1xx interim responses are skipped; only the final head prints" {
	expect_reply 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz' 0 \
		'HTTP/1.1 200 OK\nContent-Length: 1\n\nz'
}

@test "interim responses are capped: 1000 then a final answer is fine; an endless 102 stream exits 8 TooManyInterim" {
	serve_py "'HTTP/1.1 102 Processing\r\n\r\n' * 1000 + 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz'"
	expect_hcli 0 'z' '' "$RAW_URL/"
	raw_stop
	# the server would go on for ever: hcli stops after the 1001st
	raw_start - <<'EOF'
[[{"reply_repeat": {"data": "HTTP/1.1 102 Processing\r\n\r\n", "count": 100000000}, "then": "hang"}]]
EOF
	expect_hcli 8 '' TooManyInterim "$RAW_URL/"
	grep -qF 'more than 1000 interim (1xx) responses without a final one' "$BATS_TEST_TMPDIR/err"
}

@test "101 Switching Protocols that nobody asked for exits 8" {
	expect_reply 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n' 8 '' UnexpectedUpgrade
}

@test "100 Continue followed by a close exits 52" {
	expect_reply 'HTTP/1.1 100 Continue\r\n\r\n' 52 '' RemoteDisconnected
}

# --- body length (RFC 9112 §6.3) ---------------------------------------------

@test "Content-Length: the body is exactly that long" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef' 0 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc'
}

@test "IncompleteRead: a short body exits 18 after writing what came" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc' 18 \
		'HTTP/1.1 200 OK\nContent-Length: 10\n\nabc' IncompleteRead
	grep -q '3 bytes read, 7 more expected' "$BATS_TEST_TMPDIR/err"
}

@test "repeated equal Content-Length values are one length" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nokXX' 0 \
		'HTTP/1.1 200 OK\nContent-Length: 2, 2\nContent-Length: 2\n\nok'
}

@test "bad Content-Length values exit 8 at once" {
	for v in '1, 2' '+5' '-1' '0x10' 'abc' '' '9223372036854775808' '99999999999999999999' '5 5'; do
		expect_reply "HTTP/1.1 200 OK\\r\\nContent-Length: $v\\r\\n\\r\\nabcde" 8 '' BadContentLength
		raw_stop
	done
}

@test "conflicting Content-Length fields exit 8" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' 8 '' BadContentLength
}

@test "the largest Content-Length is accepted as a length" {
	serve 'HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nabc'
	expect_hcli 18 'abc' IncompleteRead -p b "$RAW_URL/"
}

@test "no length: the body runs until the close" {
	expect_reply 'HTTP/1.1 200 OK\r\n\r\nuntil close' 0 'HTTP/1.1 200 OK\n\nuntil close'
}

@test "HEAD, 204 and 304 have no body whatever the fields say" {
	serve 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' keep
	expect_hcli 0 'HTTP/1.1 200 OK\nContent-Length: 5\n\n' '' -p hb HEAD "$RAW_URL/"
	raw_stop
	for st in '204 No Content' '304 Not Modified'; do
		serve "HTTP/1.1 $st\\r\\nContent-Length: 5\\r\\n\\r\\n" keep
		expect_hcli 0 "HTTP/1.1 $st\\nContent-Length: 5\\n\\n" '' -p hb "$RAW_URL/"
		raw_stop
	done
}

# --- chunked -----------------------------------------------------------------

@test "chunked: de-chunked, with extensions and upper-case hex" {
	expect_reply 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nhello0123456789'
}

@test "chunked: trailers follow the body with -p hb, and not with -p b" {
	expect_reply 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-Sum: 42\r\nX-T: u\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nabX-Sum: 42\nX-T: u\n'
	raw_stop
	serve 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-Sum: 42\r\n\r\n'
	expect_hcli 0 'ab' '' -p b "$RAW_URL/"
}

@test "chunked: Transfer-Encoding overrides Content-Length" {
	expect_reply 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nContent-Length: 1\nTransfer-Encoding: chunked\n\nabc'
}

@test "chunked: cut short exits 18 after the bytes that came" {
	serve 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\nxyz'
	expect_hcli 18 'abcxyz' IncompleteRead -p b "$RAW_URL/"
}

@test "chunked: a close right after the last chunk leaves a complete body" {
	serve 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n'
	expect_hcli 0 'abc' '' -p b "$RAW_URL/"
}

@test "chunked: malformed framing exits 8 after the valid bytes" {
	local bad
	for bad in '3\r\nabcX\r\n0\r\n\r\n' '3\r\nabc\r\nzz\r\n0\r\n\r\n' '3\r\nabc\r\n\r\n' \
		'3\r\nabc\r\n0x1\r\na\r\n0\r\n\r\n' '3\r\nabc\r\n-1\r\n' '3\r\nabc\r\n8000000000000000\r\n'; do
		serve "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n$bad"
		expect_hcli 8 'abc' BadChunk -p b "$RAW_URL/"
		raw_stop
	done
}

@test "chunked: a chunk-size line over the limit is LineTooLong" {
	serve_py '"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "e" * 70000 + "\r\na\r\n0\r\n\r\n"'
	run -8 --separate-stderr hcli -p b "$RAW_URL/"
	[[ $stderr == "hcli: LineTooLong: "* ]]
}

@test "transfer codings other than a final chunked pass through as received" {
	expect_reply 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4\r\nGZIP\r\n0\r\n\r\n' 0 \
		'HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\nGZIP'
	raw_stop
	expect_reply 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n4\r\nraw!' 0 \
		'HTTP/1.1 200 OK\nTransfer-Encoding: chunked, gzip\n\n4\r\nraw!'
}

@test "HTTP/1.0 with Transfer-Encoding runs to the close, not de-chunked" {
	expect_reply 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' 0 \
		'HTTP/1.0 200 OK\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n'
}
