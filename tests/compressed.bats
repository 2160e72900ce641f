#!/usr/bin/env bats
# --compressed (SPEC.md, Connection options; Errors): Accept-Encoding sent,
# gzip, deflate (zlib and raw), br, zstd and stacked codings decoded as they
# stream, bad or unknown codings exit 61 after every decoded byte is written,
# bodies without --compressed passed through unchanged.  Against nginx with
# gzip on, and the raw server with replies built here from the original bytes.

load helpers/common

setup_file() {
	# the original: about 540 KB of compressible text
	python3 - "$BATS_FILE_TMPDIR/orig" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    for i in range(8000):
        f.write(b"%06d %s some repeated words\n" % (i, hashlib.sha1(b"%d" % i).hexdigest().encode()))
EOF
}

setup() {
	T=$BATS_TEST_TMPDIR
	BG_PID= # an hcli left in the background; the default teardown stops it
	cp "$BATS_FILE_TMPDIR/orig" "$T/orig"
}

same_file() { # WANT GOT [LABEL]
	cmp -s "$1" "$2" || fail "${3:+$3: }$2 ($(wc -c <"$2") bytes) differs from $1 ($(wc -c <"$1") bytes); stderr: $(cat "$T/err")"
}

# Python: encode(DATA, CODINGS) applies the codings in order (gzip, deflate
# = zlib, rawdeflate, br, zstd, none).
ENCODE_PY='
import gzip, subprocess, zlib
def encode(data, codings):
    for c in codings:
        if c == "gzip":
            data = gzip.compress(data, mtime=0)
        elif c == "deflate":
            data = zlib.compress(data)
        elif c == "rawdeflate":
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = co.compress(data) + co.flush()
        elif c == "br":
            data = subprocess.run(["brotli", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
        elif c == "zstd":
            data = subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
        elif c != "none":
            raise SystemExit("encode: unknown coding " + c)
    return data
'

# OUT = IN encoded with each CODING in turn.
encode() { # IN OUT CODING...
	python3 -c "$ENCODE_PY"'
import sys
open(sys.argv[2], "wb").write(encode(open(sys.argv[1], "rb").read(), sys.argv[3:]))' "$@"
}

# One raw server for a table.  Row I ("Content-Encoding|codings|whole or
# half") gets $T/orig encoded in RAW_DIR/body-I (cut to its first half with
# "half"), and a 200 reply with that Content-Encoding and Content-Length; the
# connections RUNS*I .. RUNS*I+RUNS-1 (row I's hcli runs) get that reply.
raw_table() { # RUNS ROW...
	local dir
	dir=$(mktemp -d "$T/raw.XXXXXX")
	python3 -c "$ENCODE_PY"'
import json, os, sys
orig, d, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(orig, "rb").read()
conns = []
for i, row in enumerate(sys.argv[4:]):
    ce, codings, cut = row.split("|")
    body = encode(data, codings.split())
    if cut == "half":
        body = body[:len(body) // 2]
    open(os.path.join(d, "body-%d" % i), "wb").write(body)
    head = "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n" % (ce, len(body))
    with open(os.path.join(d, "reply-%d" % i), "wb") as f:
        f.write(head.encode() + body)
    conns += [[{"reply_file": "reply-%d" % i}]] * runs
json.dump({"repeat": False, "connections": conns}, open(os.path.join(d, "script.json"), "w"))
' "$T/orig" "$dir" "$1" "${@:2}"
	raw_start "$dir/script.json" 127.0.0.1 "$dir"
}

# A reply file: a 200 head with Content-Encoding CE (none if empty) and a
# Content-Length of BODY, then BODY's bytes.
reply_file() { # OUT CE BODY [EXTRA_FIELD]
	{
		printf 'HTTP/1.1 200 OK\r\n'
		[[ -z $2 ]] || printf 'Content-Encoding: %s\r\n' "$2"
		[[ -z ${4:-} ]] || printf '%s\r\n' "$4"
		printf 'Content-Length: %d\r\n\r\n' "$(wc -c <"$3")"
		cat "$3"
	} >"$1"
}

# Every connection gets the bytes of FILE (relative to the server's dir).
raw_serve_file() { # FILE
	local dir
	dir=$(mktemp -d "$T/raw.XXXXXX")
	cp "$1" "$dir/reply"
	printf '[[{"reply_file": "reply"}]]' >"$dir/script.json"
	raw_start "$dir/script.json" 127.0.0.1 "$dir"
}

# --- raw server: each coding --------------------------------------------------------

@test "each coding decoded to the original bytes with --compressed, passed through without" {
	local i label
	# label | Content-Encoding | codings applied, in order | whole
	local rows=(
		'gzip|gzip|gzip|whole'
		'deflate (zlib)|deflate|deflate|whole'
		'deflate (raw)|deflate|rawdeflate|whole'
		'br|br|br|whole'
		'zstd|zstd|zstd|whole'
		'stacked gzip, zstd|gzip, zstd|gzip zstd|whole'
		'stacked br, gzip|br, gzip|br gzip|whole'
		'stacked without space|gzip,br|gzip br|whole'
		'upper-case name|GZIP|gzip|whole'
	)
	raw_table 3 "${rows[@]#*|}"
	for i in "${!rows[@]}"; do
		label=${rows[i]%%|*}
		hrun --compressed -o "$T/dl" "$RAW_URL/"
		assert_equal "$label: $status" "$label: 0"
		same_file "$T/orig" "$T/dl" "$label, -o"
		hrun --compressed "$RAW_URL/"
		assert_equal "$label: $status" "$label: 0"
		same_file "$T/orig" "$T/out" "$label, stdout"
		# without --compressed: the encoded bytes as received
		hrun -o "$T/dl" "$RAW_URL/"
		assert_equal "$label: $status" "$label: 0"
		same_file "$RAW_DIR/body-$i" "$T/dl" "$label, no --compressed"
	done
}

@test "gzip in a chunked body of many small chunks is decoded as it streams" {
	encode "$T/orig" "$T/gz" gzip
	python3 - "$T/gz" "$T/reply" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(data), 1000):
        piece = data[i:i + 1000]
        f.write(b"%x\r\n%s\r\n" % (len(piece), piece))
    f.write(b"0\r\n\r\n")
EOF
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 0
	same_file "$T/orig" "$T/dl"
}

@test "decoded bytes are written before the rest of the body arrives" {
	# two gzip members' worth of text: the first sync-flushed and sent at once,
	# the rest 10 s later
	python3 - "$T/dir" <<'EOF'
import json, os, sys, zlib
d = sys.argv[1]
os.makedirs(d)
first = b"first part of the text\n" * 200
second = b"second part\n" * 200
co = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip wrapper
a = co.compress(first) + co.flush(zlib.Z_SYNC_FLUSH)
b = co.compress(second) + co.flush()
open(os.path.join(d, "first"), "wb").write(first)
head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % (len(a) + len(b))
json.dump([[{"reply": head, "chunks": [a.decode("latin-1"), b.decode("latin-1")],
             "chunk_delay_ms": 10000}]], open(os.path.join(d, "script.json"), "w"))
EOF
	raw_start "$T/dir/script.json" 127.0.0.1 "$T/dir"
	"$HCLI" --compressed -o "$T/dl" "$RAW_URL/" </dev/null >"$T/out" 2>"$T/err" &
	# SPEC Part 2: -o FILE fills FILE.part until the body is complete (and keeps it on failure)
	# shellcheck disable=SC2034 # the default teardown stops it
	BG_PID=$!
	_has_first() { cmp -s "$T/dir/first" "$T/dl.part"; }
	harness_wait_for 5 _has_first || fail "first part not written: $(wc -c <"$T/dl.part") bytes"
}

@test "-v names the codings in decoding order" {
	local i want
	# -v line | Content-Encoding | codings applied | whole
	local rows=(
		'* Decoding gzip|gzip|gzip|whole'
		'* Decoding deflate|deflate|deflate|whole'
		'* Decoding zstd, then gzip|gzip, zstd|gzip zstd|whole'
		'* Decoding gzip, then br|br, gzip|br gzip|whole'
	)
	raw_table 1 "${rows[@]#*|}"
	for i in "${!rows[@]}"; do
		want=${rows[i]%%|*}
		hrun --compressed -v -o "$T/dl" "$RAW_URL/"
		assert_equal "$want: $status" "$want: 0"
		grep -qxF -- "$want" "$T/err" || fail "no '$want' in: $(grep '^\*' "$T/err")"
		same_file "$T/orig" "$T/dl" "$want"
	done
}

# --- raw server: bad data -----------------------------------------------------------

@test "corrupt gzip (bad CRC near the end): exit 61 after every decoded byte is written" {
	encode "$T/orig" "$T/gz" gzip
	# flip a byte of the CRC-32 in the 8-byte trailer: the data all decodes
	python3 - "$T/gz" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-6] ^= 0x55
open(p, "wb").write(b)
EOF
	reply_file "$T/reply" gzip "$T/gz"
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 61
	same_file "$T/orig" "$T/dl.part"
	grep -q '^hcli: BadContentEncoding: ' "$T/err" || fail "stderr: $(cat "$T/err")"
	assert_equal "$(wc -l <"$T/err")" 1
	# to standard output as well
	hrun --compressed "$RAW_URL/"
	assert_equal "$status" 61
	same_file "$T/orig" "$T/out"
}

@test "corrupt gzip in the middle: exit 61, exactly the bytes before the corruption written" {
	# the first half full-flushed (a byte boundary, no references back), then
	# the next block's header made an invalid block type
	python3 - "$T/orig" "$T/gz" "$T/half" <<'EOF'
import sys, zlib
data = open(sys.argv[1], "rb").read()
half = data[:len(data) // 2]
co = zlib.compressobj(6, zlib.DEFLATED, 31)
a = co.compress(half) + co.flush(zlib.Z_FULL_FLUSH)
b = bytearray(co.compress(data[len(half):]) + co.flush())
b[0] = 0x07  # BFINAL 1, BTYPE 11 (reserved)
open(sys.argv[2], "wb").write(a + b)
open(sys.argv[3], "wb").write(half)
EOF
	reply_file "$T/reply" gzip "$T/gz"
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 61
	[[ -s $T/half ]]
	same_file "$T/half" "$T/dl.part"
	grep -q '^hcli: BadContentEncoding: ' "$T/err" || fail "stderr: $(cat "$T/err")"
}

@test "truncated gzip: exit 61, a non-empty prefix of the original written" {
	encode "$T/orig" "$T/gz" gzip
	head -c "$(($(wc -c <"$T/gz") / 2))" "$T/gz" >"$T/cut"
	# the HTTP framing is complete: only the coding is cut short
	reply_file "$T/reply" gzip "$T/cut"
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 61
	grep -q '^hcli: BadContentEncoding: ' "$T/err" || fail "stderr: $(cat "$T/err")"
	local n
	n=$(wc -c <"$T/dl.part")
	((n > 0 && n < $(wc -c <"$T/orig"))) || fail "$n bytes written"
	cmp -s -n "$n" "$T/orig" "$T/dl.part" || fail "the $n bytes written are not a prefix of the original"
}

@test "truncated or not compressed data for each coding: exit 61, a prefix of the original written" {
	local i label n
	# label | Content-Encoding | codings applied | whole or half
	local rows=(
		'gzip truncated|gzip|gzip|half'
		'deflate truncated|deflate|deflate|half'
		'raw deflate truncated|deflate|rawdeflate|half'
		'br truncated|br|br|half'
		'zstd truncated|zstd|zstd|half'
		'gzip, zstd truncated|gzip, zstd|gzip zstd|half'
		'plain text as gzip|gzip|none|whole'
		'plain text as deflate|deflate|none|whole'
		'plain text as br|br|none|whole'
		'plain text as zstd|zstd|none|whole'
	)
	raw_table 1 "${rows[@]#*|}"
	for i in "${!rows[@]}"; do
		label=${rows[i]%%|*}
		hrun --compressed -o "$T/dl" "$RAW_URL/"
		assert_equal "$label: $status" "$label: 61"
		grep -q '^hcli: BadContentEncoding: ' "$T/err" || fail "$label: stderr: $(cat "$T/err")"
		assert_equal "$label: $(wc -l <"$T/err") line(s) on stderr" "$label: 1 line(s) on stderr"
		n=$(wc -c <"$T/dl.part")
		((n < $(wc -c <"$T/orig"))) || fail "$label: all $n bytes written"
		cmp -s -n "$n" "$T/orig" "$T/dl.part" || fail "$label: the $n bytes written are not a prefix of the original"
	done
}

@test "an unknown coding (compress): exit 61" {
	printf 'whatever\n' >"$T/body"
	reply_file "$T/reply" compress "$T/body"
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 61
	grep -q '^hcli: BadContentEncoding: .*compress' "$T/err" || fail "stderr: $(cat "$T/err")"
	# stacked behind a known one
	encode "$T/orig" "$T/gz" gzip
	reply_file "$T/reply" 'compress, gzip' "$T/gz"
	raw_serve_file "$T/reply"
	hrun --compressed -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 61
	grep -q '^hcli: BadContentEncoding: ' "$T/err" || fail "stderr: $(cat "$T/err")"
	# without --compressed nothing is decoded, so nothing is wrong
	hrun -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 0
	same_file "$T/gz" "$T/dl"
}

@test "nothing to decode: HEAD, 204 and 304 with Content-Encoding: gzip exit 0" {
	local row method reply
	# method | reply
	for row in \
		'HEAD|HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 100\r\n\r\n' \
		'GET|HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n' \
		'GET|HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\nContent-Length: 100\r\n\r\n' \
		'GET|HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n'; do
		method=${row%%|*} reply=${row#*|}
		raw_start - <<<"[[{\"reply\": \"$reply\"}]]"
		hrun --compressed -o "$T/dl" "$method" "$RAW_URL/"
		assert_equal "$row: $status" "$row: 0"
		[[ ! -s $T/dl ]] || fail "$row: body written: $(od -c "$T/dl" | head)"
		assert_equal "$(cat "$T/err")" ""
		raw_stop
	done
}

@test "the request: Accept-Encoding gzip, deflate, br, zstd with --compressed, identity without, a user item wins" {
	local row args want n=0
	encode "$T/orig" "$T/gz" gzip
	reply_file "$T/reply" gzip "$T/gz"
	raw_serve_file "$T/reply"
	# options and items | the Accept-Encoding lines sent (printf format)
	local rows=(
		'--compressed|Accept-Encoding: gzip, deflate, br, zstd\r\n'
		'|Accept-Encoding: identity\r\n'
		'--compressed Accept-Encoding:gzip|Accept-Encoding: gzip\r\n'
		'--compressed accept-encoding:br|accept-encoding: br\r\n'
		'--compressed Accept-Encoding:|'
	)
	for row in "${rows[@]}"; do
		args=${row%%|*}
		# shellcheck disable=SC2086
		hrun -o "$T/dl" "$RAW_URL/" $args
		assert_equal "$args: $status" "$args: 0"
		grep -ai '^accept-encoding:' "$(raw_req "$n" 0)" >"$T/ae" || true
		# shellcheck disable=SC2059
		printf -- "${row#*|}" >"$T/want"
		cmp -s "$T/want" "$T/ae" || fail "$args: sent $(od -c "$T/ae"), want $(od -c "$T/want")"
		n=$((n + 1))
	done
	# with --compressed the gzip reply is decoded whatever Accept-Encoding was sent
	hrun --compressed -o "$T/dl" "$RAW_URL/" Accept-Encoding:gzip
	assert_equal "$status" 0
	same_file "$T/orig" "$T/dl"
}

@test "-p b and -o get the decoded bytes, the head printed as received" {
	encode "$T/orig" "$T/gz" gzip
	reply_file "$T/reply" gzip "$T/gz"
	raw_serve_file "$T/reply"
	hrun --compressed -p b "$RAW_URL/"
	assert_equal "$status" 0
	same_file "$T/orig" "$T/out"
	hrun --compressed -i -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 0
	same_file "$T/orig" "$T/dl"
	printf 'HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Length: %d\n\n' "$(wc -c <"$T/gz")" >"$T/want"
	same_file "$T/want" "$T/out"
	# as curl: %{size_download} counts the bytes received, before decoding
	hrun --compressed -w '%{size_download}' -o "$T/dl" "$RAW_URL/"
	assert_equal "$status" 0
	same_file "$T/orig" "$T/dl"
	assert_equal "$(cat "$T/out")" "$(wc -c <"$T/gz")"
}

# --- nginx with gzip on ---------------------------------------------------------------

# nginx_start's configuration with gzip switched on for every type and size.
gzip_nginx_start() { # DIR
	nginx_start "$1" sed 's/^\tgzip off;$/\tgzip on; gzip_types *; gzip_min_length 0; gzip_proxied any;/'
	grep -q 'gzip on;' "$NGINX_DIR/nginx.conf" || fail "gzip_nginx_start: no 'gzip off;' line to replace"
}

@test "nginx gzip: --compressed decodes to the file's sha256; without, identity is asked and sent plain" {
	gzip_nginx_start "$T/nginx"
	cp "$T/orig" "$NGINX_DIR/www/orig.txt"
	local want
	want=$(sha256_of "$T/orig")

	hrun --compressed -v -o "$T/dl" "$NGINX_URL/orig.txt"
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/dl")" "$want"
	# nginx did compress it
	grep -qix '< Content-Encoding: gzip' "$T/err" || fail "not gzip: $(cat "$T/err")"
	grep -qx '\* Decoding gzip' "$T/err" || fail "$(cat "$T/err")"
	grep -qx '> Accept-Encoding: gzip, deflate, br, zstd' "$T/err" || fail "$(cat "$T/err")"

	hrun -v -o "$T/dl" "$NGINX_URL/orig.txt"
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/dl")" "$want"
	grep -qx '> Accept-Encoding: identity' "$T/err" || fail "$(cat "$T/err")"
	! grep -qi '^< Content-Encoding' "$T/err" || fail "compressed without asking: $(cat "$T/err")"
	grep -qx "< Content-Length: $(wc -c <"$T/orig")" "$T/err" || fail "$(cat "$T/err")"
}

@test "nginx gzip: a small file, a chunked reply, HEAD" {
	gzip_nginx_start "$T/nginx"
	printf 'tiny\n' >"$NGINX_DIR/www/tiny.txt"
	cp "$T/orig" "$NGINX_DIR/www/orig.txt"

	hrun --compressed "$NGINX_URL/tiny.txt"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" tiny

	# /chunked/ drops Content-Length: gzip inside chunked framing
	hrun --compressed -i "$NGINX_URL/chunked/orig.txt"
	assert_equal "$status" 0
	grep -qai '^Content-Encoding: gzip$' "$T/out" || fail "$(head -c 300 "$T/out")"
	hrun --compressed -o "$T/dl" "$NGINX_URL/chunked/orig.txt"
	assert_equal "$status" 0
	same_file "$T/orig" "$T/dl"

	hrun --compressed -i HEAD "$NGINX_URL/orig.txt"
	assert_equal "$status" 0
	grep -qai '^Content-Encoding: gzip$' "$T/out" || fail "$(cat "$T/out")"
	assert_equal "$(cat "$T/err")" ""
}
