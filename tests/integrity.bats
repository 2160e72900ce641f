#!/usr/bin/env bats
# Bytes in, bytes out, and the connection options (SPEC.md, Output; Request
# body and framing; Connection options): downloads and uploads of sizes around
# the 64 KiB read size and of 64 MiB keep every byte (sha256 against nginx's
# files); --timeout, -m, --connect-timeout; --resolve, -4/-6,
# --source-address, --max-headers.

load helpers/common

SIZES="0 1 65535 65536 65537 67108864"
SMALL_SIZES="0 1 65535 65536 65537"

setup_file() {
	nginx_start "$BATS_FILE_TMPDIR/nginx"
	local size
	for size in $SIZES; do
		# random bytes (NULs, CRs, LFs included) for downloads and file/pipe uploads
		head -c "$size" /dev/urandom >"$BATS_FILE_TMPDIR/bin-$size"
		cp "$BATS_FILE_TMPDIR/bin-$size" "$NGINX_DIR/www/dl-$size"
	done
	for size in $SMALL_SIZES; do
		# printable bytes for -d STRING (an argument cannot hold a NUL)
		LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$size" >"$BATS_FILE_TMPDIR/txt-$size"
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	BG_PID= # a server in the background; the default teardown stops it
	BAD=()
}

# hrun (helpers/run.bash) gives hcli 60 s: 64 MiB transfers.
# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_TIMEOUT=60

# Table rows that did not hold are collected in BAD and reported together.
row_check() { # LABEL WANT GOT
	[[ $2 == "$3" ]] || BAD+=("$1: want $2, got $3")
}
rows_ok() {
	((${#BAD[@]} == 0)) || fail "$(printf '%s\n' "${BAD[@]}")"
}

# --- downloads -------------------------------------------------------------------

# size | exit | sha256 of what hcli wrote, for each size, through a pipe and with -o
download_rows() { # PATH-PREFIX
	local size st
	for size in $SIZES; do
		set +e
		timeout -k 2 60 "$HCLI" "$NGINX_URL/$1$size" </dev/null 2>"$T/err" | sha256_of >"$T/sha"
		st=${PIPESTATUS[0]}
		set -e
		row_check "pipe $1$size exit" 0 "$st"
		row_check "pipe $1$size sha256" "$(sha256_of "$F/bin-$size")" "$(cat "$T/sha")"

		rm -f "$T/body"
		hrun -o "$T/body" "$NGINX_URL/$1$size"
		row_check "-o $1$size exit" 0 "$status"
		row_check "-o $1$size sha256" "$(sha256_of "$F/bin-$size")" "$(sha256_of "$T/body")"
		row_check "-o $1$size stdout" "" "$(cat "$T/out")"
	done
}

@test "downloads (Content-Length) of 0, 1, 65535, 65536, 65537 and 64 MiB: every byte, pipe and -o" {
	download_rows dl-
	rows_ok
}

@test "downloads (chunked, nginx /chunked/) of 0, 1, 65535, 65536, 65537 and 64 MiB: every byte, pipe and -o" {
	# the harness's /chunked/ location really is chunked
	hrun -p h "$NGINX_URL/chunked/dl-1"
	run grep -ci '^transfer-encoding: chunked$' "$T/out"
	assert_output 1
	download_rows chunked/dl-
	rows_ok
}

# Large chunks into a pipe go socket to pipe (splice) up to each chunk's end.
@test "chunked with 1 MiB chunks into a pipe: every byte; cut short inside a chunk: 18 after the bytes" {
	local json
	json=$(python3 -c 'import json
head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
one = "100000\r\n"
body = one + "ab" * 512 * 1024 + "\r\n" + one + "x" * 1048576 + "\r\n5\r\ntail\n\r\n0\r\n\r\n"
print(json.dumps([[{"reply": head + body, "then": "close"}],
 [{"reply": head + one, "reply_repeat": {"data": "z", "count": 700000}, "then": "close"}]]))')
	raw_start - <<<"$json"
	"$HCLI" "$RAW_URL/big" 2>"$T/err" | cat >"$T/piped"
	assert_equal "${PIPESTATUS[0]}" 0
	python3 -c 'import sys
want = b"ab" * 512 * 1024 + b"x" * 1048576 + b"tail\n"
got = open(sys.argv[1], "rb").read()
sys.exit(0 if got == want else "%d bytes, not the %d expected" % (len(got), len(want)))' "$T/piped"
	set +o pipefail
	"$HCLI" "$RAW_URL/short" 2>"$T/err" | cat >"$T/piped"
	assert_equal "${PIPESTATUS[0]}" 18
	assert_equal "$(wc -c <"$T/piped")" 700000
	grep -q '^hcli: IncompleteRead: 700000 bytes read' "$T/err"
}

# A file or /dev/null gets them the same way, through a pipe of hcli's own;
# a file opened for appending (which splice refuses) by plain writes; a device
# that splice cannot write by plain writes from hcli's pipe.
@test "chunked with 1 MiB chunks to -o FILE, -o /dev/null, >>FILE: every byte; cut short: 18 after the bytes; -o /dev/full: 23" {
	local json sink
	json=$(python3 -c 'import json
head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
one = "100000\r\n"
body = one + "ab" * 512 * 1024 + "\r\n" + one + "x" * 1048576 + "\r\n5\r\ntail\n\r\n0\r\n\r\n"
print(json.dumps([[{"reply": head + body, "then": "close"}],
 [{"reply": head + one, "reply_repeat": {"data": "z", "count": 700000}, "then": "close"}]]))')
	python3 -c 'import sys
sys.stdout.buffer.write(b"ab" * 512 * 1024 + b"x" * 1048576 + b"tail\n")' >"$T/want"
	# sink | bytes before the body in got
	local row pre
	for row in "file|0" "null|0" "append|5"; do
		IFS='|' read -r sink pre <<<"$row"
		raw_start - <<<"$json"
		for url in big short; do
			printf 'kept\n' >"$T/got"
			case $sink in
			file) hrun -o "$T/got" "$RAW_URL/$url" ;;
			null) hrun -o /dev/null "$RAW_URL/$url" ;;
			append)
				status=0
				timeout -k 2 30 "$HCLI" "$RAW_URL/$url" </dev/null >>"$T/got" 2>"$T/err" || status=$?
				;;
			esac
			if [[ $url == big ]]; then
				assert_equal "$sink $url $status" "$sink $url 0"
				[[ $sink == null ]] || cmp <(head -c "$pre" <<<kept && cat "$T/want") "$T/got"
			else
				assert_equal "$sink $url $status" "$sink $url 18"
				# SPEC Part 2: -o FILE keeps FILE whole and the partial body in FILE.part
				case $sink in
				file)
					assert_equal "$sink $(cat "$T/got")" "$sink kept"
					assert_equal "$sink $(wc -c <"$T/got.part")" "$sink 700000"
					;;
				append) assert_equal "$sink $(wc -c <"$T/got")" "$sink $((pre + 700000))" ;;
				esac
				grep -q '^hcli: IncompleteRead: 700000 bytes read' "$T/err"
			fi
		done
		raw_stop
	done
	# /dev/full: splice refuses it (EINVAL), a plain write says why (ENOSPC);
	# the body comes after its head, so that its first bytes are spliced
	raw_start - <<<"$(python3 -c 'import json
print(json.dumps([[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n",
 "chunks": ["", "x" * 1048576]}]]))')"
	hrun -o /dev/full "$RAW_URL/big"
	assert_equal "$status" 23
	assert_line_re "$T/err" '^hcli: WriteError: /dev/full: No space left on device$'
}

# --- uploads ---------------------------------------------------------------------

# PUT to nginx's dav location; nginx has stored the file before it answers.
upload_check() { # LABEL SOURCE-FILE NAME
	row_check "$1 exit" 0 "$status"
	if [[ -f $NGINX_DIR/www/upload/$3 ]]; then
		row_check "$1 sha256" "$(sha256_of "$2")" "$(sha256_of "$NGINX_DIR/www/upload/$3")"
	else
		BAD+=("$1: nginx stored nothing ($(cat "$T/err"))")
	fi
}

@test "uploads with PUT from @FILE of every size: nginx stores the same bytes" {
	local size
	for size in $SIZES; do
		hrun PUT "$NGINX_URL/upload/file-$size" "@$F/bin-$size"
		upload_check "@file $size" "$F/bin-$size" "file-$size"
		# a regular file: Content-Length from its size
		framing_check /upload/file- "$size" "te=\"-\" cl=\"$size\""
	done
	rows_ok
}

# nginx logs a request after its reply: wait (bounded) for N lines about URI-PREFIX
_puts_logged() { # URI-PREFIX N
	(($(grep -c "method=PUT .* uri=\"$1" "$NGINX_DIR/access.log") >= $2))
}

# The framing nginx saw for each upload: te and cl, from the access log.
framing_check() { # URI-PREFIX SIZE WANT
	harness_wait_for 5 _puts_logged "$1$2" 1 || true
	row_check "$1$2 framing" "$3" \
		"$(grep -o "te=\"[^\"]*\" cl=\"[^\"]*\" uri=\"$1$2\"" "$NGINX_DIR/access.log" | cut -d' ' -f1-2)"
}

@test "uploads with PUT from a pipe (cat FILE | hcli PUT URL -) of every size: the same bytes" {
	local size st
	for size in $SIZES; do
		set +e
		# shellcheck disable=SC2002 # the body comes from a pipe on purpose
		cat "$F/bin-$size" | timeout -k 2 60 "$HCLI" PUT "$NGINX_URL/upload/pipe-$size" - >"$T/out" 2>"$T/err"
		st=${PIPESTATUS[1]}
		set -e
		status=$st
		upload_check "pipe $size" "$F/bin-$size" "pipe-$size"
		# a pipe: chunked
		framing_check /upload/pipe- "$size" 'te="chunked" cl="-"'
	done
	rows_ok
}

@test "uploads with -X PUT -d STRING of the small sizes: the same bytes" {
	local size
	for size in $SMALL_SIZES; do
		hrun -X PUT -d "$(cat "$F/txt-$size")" "$NGINX_URL/upload/string-$size"
		upload_check "-d $size" "$F/txt-$size" "string-$size"
		# a string: Content-Length from its size
		framing_check /upload/string- "$size" "te=\"-\" cl=\"$size\""
	done
	rows_ok
}

# --- timeouts --------------------------------------------------------------------

@test "--timeout and -m: exit 28 after the time given; a slow but steady reply is not a --timeout" {
	# connection i of the server serves row i; the steady replies send 20
	# bytes 100 ms apart, so they last 1.9 s at least, longer than -m 1 or
	# --timeout 1, with gaps a tenth of it
	local steady='"chunks": ["0","1","2","3","4","5","6","7","8","9","a","b","c","d","e","f","g","h","i","j"]'
	raw_start - <<EOF
{"repeat": false, "connections": [
 [{"then": "hang", "comment": "no reply"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", "then": "hang"}],
 [{"then": "hang", "comment": "no reply"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", $steady, "chunk_delay_ms": 100}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", $steady, "chunk_delay_ms": 100}]]}
EOF
	local row args server code want_out least
	# A timeout that does not work shows as exit 124 from hrun's own bound.
	local HRUN_TIMEOUT=10
	for row in \
		"--timeout 0.5|no reply, hang                   |28|" \
		"--timeout 0.5|head and 4 of 10 body bytes, hang|28|part" \
		"-m 0.5       |no reply, hang                   |28|" \
		"-m 1         |20 bytes, one every 100 ms       |28|?" \
		"--timeout 1  |20 bytes, one every 100 ms       |0 |0123456789abcdefghij"; do
		IFS='|' read -r args server code want_out <<<"$row"
		code=${code// /}
		# shellcheck disable=SC2086
		hrun $args "$RAW_URL/"
		row_check "[$args|$server] exit" "$code" "$status"
		if [[ $want_out == '?' ]]; then
			# cut short: some, never all, of the bytes
			[[ $(cat "$T/out") =~ ^0[0-9a-j]*$ && $(cat "$T/out") != 0123456789abcdefghij ]] ||
				BAD+=("[$args|$server] stdout: '$(cat "$T/out")', want a prefix of 0123456789abcdefghij")
		else
			row_check "[$args|$server] stdout" "$want_out" "$(cat "$T/out")"
		fi
		if ((code == 28)); then
			# not before the time given (less 50 ms for the clocks' rounding)
			least=$(awk -v s="${args#* }" 'BEGIN { print s * 1000 - 50 }')
			((ELAPSED_MS >= least)) || BAD+=("[$args|$server] took $ELAPSED_MS ms, want $least at least")
			grep -Eq '^hcli: Timeout: ' "$T/err" || BAD+=("[$args|$server] stderr: $(cat "$T/err")")
		fi
	done
	rows_ok
}

@test "--connect-timeout 0.5 against a local listener whose backlog is full: exit 28" {
	# listen(0) plus one connection that is never accepted: the kernel drops
	# further SYNs, so a connect neither succeeds nor is refused.
	cat >"$T/full.py" <<'EOF'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
filler = socket.create_connection(s.getsockname())
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
EOF
	python3 "$T/full.py" "$T/port" </dev/null >/dev/null 2>&1 3>&- &
	# shellcheck disable=SC2034 # the default teardown stops it
	BG_PID=$!
	harness_wait_for 5 test -s "$T/port"
	# a connect timeout that does not work shows as exit 124 from hrun's own bound
	HRUN_TIMEOUT=10 hrun --connect-timeout 0.5 "http://127.0.0.1:$(cat "$T/port")/"
	assert_equal "$status" 28
	((ELAPSED_MS >= 450)) || fail "took $ELAPSED_MS ms, want 450 at least"
	assert_line_re "$T/err" '^hcli: Timeout: '
}

# --- where to connect --------------------------------------------------------------

@test "--unix-socket: the request goes over the socket; a missing socket exits 7" {
	hrun --unix-socket "$NGINX_DIR/nginx.sock" -p hb http://unix.test/dl-1
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$NGINX_DIR/www/dl-1")" "$(tail -c 1 "$T/out" | sha256_of)"
	grep -q '^HTTP/1.1 200 OK' "$T/out"
	hrun --unix-socket "$NGINX_DIR/missing.sock" http://unix.test/dl-1
	assert_equal "$status" 7
	grep -q '^hcli: ConnectionRefused: .*missing.sock' "$T/err"
}

@test "--resolve NAME:PORT:127.0.0.1 reaches the server; Host is NAME:PORT" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]
EOF
	hrun --resolve "hcli-resolve.test:$RAW_PORT:127.0.0.1" "http://hcli-resolve.test:$RAW_PORT/r"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'ok\n'
	assert_equal "$(head -n1 "$(raw_req 0 0)")" $'GET /r HTTP/1.1\r'
	run grep -c $'^Host: hcli-resolve.test:'"$RAW_PORT"$'\r$' "$(raw_req 0 0)"
	assert_output 1
}

@test "localhost and names under it are loopback, not looked up: ::1 then 127.0.0.1; -4/-6 keep one; --resolve and proxies too" {
	local row args host url code want
	# RFC 6761 §6.3. This machine's /etc/hosts may give localhost one address or none, and
	# a.localhost none: the answers come from hcli. The trace says which addresses were tried.
	# option                     | server    | URL host            | exit | addresses tried
	for row in \
		"-6                        |::1        |localhost            |0|::1" \
		"-4                        |127.0.0.1  |localhost            |0|127.0.0.1" \
		"-                         |127.0.0.1  |localhost            |0|::1 127.0.0.1" \
		"-                         |::1        |a.b.LocalHost.       |0|::1" \
		"-4                        |127.0.0.1  |foo.localhost        |0|127.0.0.1" \
		"-6                        |127.0.0.1  |localhost            |7|::1" \
		"-4                        |::1        |x.localhost          |7|127.0.0.1" \
		"--resolve=localhost:P:127.0.0.2|127.0.0.2|localhost         |0|127.0.0.2" \
		"-x=http://localhost:P     |::1        |origin.invalid       |0|::1"; do
		IFS='|' read -r args host url code want <<<"$row"
		args=${args%% *} host=${host%% *} url=${url%% *}
		raw_start - "$host" <<<'[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]'
		args=${args//:P/:$RAW_PORT}
		local -a opts=(-v)
		[[ $args == - ]] || opts+=("${args%%=*}")
		[[ $args != *=* ]] || opts+=("${args#*=}")
		hrun "${opts[@]}" "http://$url:$RAW_PORT/"
		row_check "$args $host $url exit" "$code" "$status"
		row_check "$args $host $url tried" "$want" \
			"$(sed -n 's/^\* Trying \(.*\) port [0-9]*$/\1/p' "$T/err" | tr '\n' ' ' | sed 's/ $//')"
		if ((code == 0)); then
			row_check "$args $host $url stdout" ok "$(cat "$T/out")"
		else
			row_check "$args $host $url connections" 0 "$(raw_conns)"
		fi
		raw_stop
	done
	rows_ok
}

@test "a localhost or numeric URL reads none of the resolver's files (no NSS, hosts, resolv.conf)" {
	local url files
	raw_start - <<<'[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]'
	for url in "http://localhost:$RAW_PORT/" "http://a.localhost:$RAW_PORT/" "$RAW_URL/"; do
		# LeakSanitizer cannot run under ptrace: a sanitizer build checks the rest
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			run -0 strace -f -qq -e trace=%file -o "$T/trace" "$HCLI" -4 "$url"
		assert_output ok
		grep -q 'execve(' "$T/trace" || fail "strace recorded nothing"
		files=$(grep -oE '"/etc/(nsswitch\.conf|hosts|host\.conf|resolv\.conf|gai\.conf)"' \
			"$T/trace" | sort -u | tr '\n' ' ' || true)
		[[ -z $files ]] || fail "$url: $files"
	done
}

@test "-4 and -6: the other family's server is not reached (exit 7), the same family's is" {
	local row args host code
	# option | server address | exit
	for row in \
		"-4|::1|7" \
		"-6|::1|0" \
		"-6|127.0.0.1|7" \
		"-4|127.0.0.1|0"; do
		IFS='|' read -r args host code <<<"$row"
		raw_start - "$host" <<<'[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]'
		hrun "$args" "$RAW_URL/"
		row_check "$args $RAW_URL exit" "$code" "$status"
		if ((code == 0)); then
			row_check "$args $RAW_URL stdout" ok "$(cat "$T/out")"
		else
			row_check "$args $RAW_URL connections" 0 "$(raw_conns)"
			grep -Eq "^hcli: ConnectionRefused: cannot connect to .* over IPv[46] \\($args\\)\$" "$T/err" ||
				BAD+=("$args $RAW_URL stderr: $(cat "$T/err")")
		fi
		raw_stop
	done
	rows_ok
}

@test "--source-address ADDR and ADDR:PORT: the server sees that address (and port)" {
	local row i=0 src want port
	port=$(harness_free_port 127.0.0.2)
	raw_start - <<<'[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]'
	# option value        | the server's accept log line
	for row in \
		"127.0.0.1      |accept from 127.0.0.1 port " \
		"127.0.0.2      |accept from 127.0.0.2 port " \
		"127.0.0.2:$port|accept from 127.0.0.2 port $port"; do
		IFS='|' read -r src want <<<"$row"
		src=${src%% *}
		hrun --source-address "$src" "$RAW_URL/"
		row_check "$src exit" 0 "$status"
		row_check "$src stdout" ok "$(cat "$T/out")"
		grep -q "conn=$i $want" "$RAW_DIR/log" ||
			BAD+=("$src: server log has $(grep -o "conn=$i accept from .*" "$RAW_DIR/log")")
		i=$((i + 1))
	done
	rows_ok
}

# --- limits ----------------------------------------------------------------------

@test "--max-headers N: N fields pass, N+1 is exit 8 with a message naming --max-headers" {
	local reply='HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 3\r\n\r\nok\n'
	raw_start - <<<"[[{\"reply\": \"$reply\"}]]"
	hrun --max-headers 3 "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'ok\n'
	hrun --max-headers 2 "$RAW_URL/"
	assert_equal "$status" 8
	assert_bytes "$T/out" ''
	assert_equal "$(wc -l <"$T/err")" 1
	run grep -c -- '--max-headers' "$T/err"
	assert_output 1
}

@test "a plain http:// GET maps no shared library beyond libc (libbsd and libmd are linked in)" {
	# A sanitizer build links its own runtime and libraries: what ships is the plain build.
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	# one URL, and two of one origin, one after the other and at once (HTTP/2 would
	# multiplex those: http:// without --http2 stays HTTP/1.1, and nghttp2 stays
	# unloaded); every library goes through openat
	local urls libs
	for urls in "$NGINX_URL/dl-1" "$NGINX_URL/dl-1 $NGINX_URL/dl-0" "-Z $NGINX_URL/dl-1 $NGINX_URL/dl-0"; do
		# shellcheck disable=SC2086 # the URLs are words
		run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" $urls
		grep -q 'openat(' "$T/trace" || fail "strace recorded nothing"
		libs=$(grep -oE '[^/"]+\.so[.0-9]*"' "$T/trace" | tr -d '"' | sort -u |
			grep -vE '^libc\.so' | grep -vE '^ld\.so' || true)
		[ -z "$libs" ] || fail "$urls: also opened: $libs"
	done
}

@test "the receive buffer comes from the heap: a GET maps no anonymous block of 128 KiB or more" {
	# Receiving into a fresh mapping cost a chunked download a third of its rate
	# (bench row 3); main() keeps such blocks on the heap (mallopt).
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build: its allocator is not glibc's"
	fi
	local big
	run -0 strace -f -qq -e trace=mmap -o "$T/trace" "$HCLI" -o /dev/null "$NGINX_URL/chunked/dl-1"
	grep -q 'mmap(' "$T/trace" || fail "strace recorded nothing"
	big=$(grep 'MAP_ANONYMOUS' "$T/trace" | grep -v MAP_FIXED |
		awk -F'[(,]' '$3 + 0 >= 131072 {print}' || true)
	[ -z "$big" ] || fail "mapped: $big"
}

@test "the code an ordinary request runs comes first, together (src/hot.ld, made by bench/hotlist)" {
	command -v readelf >/dev/null && command -v nm >/dev/null || skip "binutils missing"
	local sections hot start size name addr
	# NAME TYPE ADDRESS OFFSET SIZE ... for each section, in address order
	sections=$(readelf -SW "$HCLI" | sed -n 's/^ *\[ *[0-9]*\] //p')
	hot=$(awk '$1 == ".text.hot_path" {print $3, $5}' <<<"$sections")
	[[ -n $hot ]] || fail "no .text.hot_path section: $sections"
	read -r start size <<<"$hot"
	# .fini (run at exit) sits before .text too, not after the cold code
	[[ $(awk '$1 == ".fini" || $1 == ".text.hot_path" || $1 == ".text" {print $1}' <<<"$sections" |
		tr '\n' ' ') == ".fini .text.hot_path .text " ]] || fail "section order: $sections"
	# the request path is inside it; a formatter that a plain GET never runs is not
	for name in main args_parse tls_start head_parse xfer_sink pretty_feed; do
		addr=$(nm "$HCLI" | awk -v n="$name" '$3 == n && $2 ~ /^[tT]$/ {print $1; exit}')
		[[ -n $addr ]] || fail "no $name in $HCLI"
		if ((0x$addr >= 0x$start && 0x$addr < 0x$start + 0x$size)); then
			[[ $name != pretty_feed ]] || fail "$name is in the hot section"
		else
			[[ $name == pretty_feed ]] || fail "$name (0x$addr) is not in the hot section"
		fi
	done
}

@test "hcli has no unwind tables of its own: .eh_frame holds only what crt files and libbsd bring" {
	command -v readelf >/dev/null || skip "binutils missing"
	# the sanitizer build keeps them for its reports' stacks (its CFLAGS replace the default)
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	local hex size
	# NAME TYPE ADDRESS OFFSET SIZE ... for each section
	hex=$(readelf -SW "$HCLI" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$1 == ".eh_frame" {print $5}')
	size=$((16#${hex:-0}))
	# with -fasynchronous-unwind-tables hcli's own functions add about 30 KiB
	((size < 8192)) || fail ".eh_frame is $size bytes"
}

@test "hcli exports none of the static libbsd's functions: libraries loaded later bind to libc's" {
	command -v nm >/dev/null || skip "binutils missing"
	# a sanitizer build's runtime exports its own interceptors of these
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	# libc has its own arc4random, explicit_bzero, getentropy and reallocarray;
	# p11-kit (under GnuTLS) calls reallocarray@GLIBC_2.26
	local exported
	nm -D --defined-only "$HCLI" >"$T/dynsym" || fail "nm failed"
	exported=$(grep -E ' (arc4random|arc4random_buf|explicit_bzero|getentropy|reallocarray|freezero|strtonum|strnvisx|readpassphrase|humanize_number|MD5[A-Za-z]*|SHA256[A-Za-z]*)$' \
		"$T/dynsym" || true)
	[[ -z $exported ]] || fail "exported: $exported"
}
