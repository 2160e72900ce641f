#!/usr/bin/env bats
# Multipart bodies from -F (SPEC.md "Data items and request bodies"): the
# bytes curl 7.88 sends for the same -F arguments (boundary normalised),
# --boundary verbatim, Content-Length computed in advance, chunked when a
# part comes from a pipe, files streamed (sendfile over plain TCP) and
# checked on the server side, a file that changes size while it is sent → 26.

# shellcheck disable=SC2030,SC2031 # hrun sets status in the test's shell
load helpers/common
bats_require_minimum_version 1.5.0

OK_REPLY='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	printf 'hello\n' >a.txt
	printf 'x' >'we"ird.bin'
	printf '<p>\n' >page.HTML
	printf '{}' >data.json
	: >empty.dat
}

serve() { # [N connections]
	raw_start - <<<"[[{\"reply\": \"$OK_REPLY\", \"then\": \"close\"}]]"
	U=$RAW_URL/up
}

# The body of a recorded request, with the boundary of its Content-Type as B.
norm_body() { # FILE
	python3 - "$1" <<'EOF'
import re, sys
d = open(sys.argv[1], "rb").read()
head, _, body = d.partition(b"\r\n\r\n")
b = re.search(rb'boundary="?([^";\r\n]+)', head).group(1)
sys.stdout.buffer.write(body.replace(b, b"B"))
EOF
}

# A header field's value in a recorded request.
field() { # FILE NAME
	python3 - "$1" "$2" <<'EOF'
import re, sys
head = open(sys.argv[1], "rb").read().partition(b"\r\n\r\n")[0].decode("latin-1")
m = re.search(r"\r\n" + re.escape(sys.argv[2]) + r": *([^\r]*)", head, re.I)
print(m.group(1) if m else "(none)")
EOF
}

body_len() { # FILE
	python3 -c 'import sys; print(len(open(sys.argv[1], "rb").read().partition(b"\r\n\r\n")[2]))' "$1"
}

# Send the same -F arguments with curl and hcli; the bodies must be equal.
same_as_curl() { # -F ARGS...
	serve
	curl -s -o /dev/null -H Expect: "$@" "$U"
	local want=$T/curl.body
	norm_body "$(raw_req 0 0)" >"$want"
	local ccl
	ccl=$(field "$(raw_req 0 0)" Content-Length)
	hrun "$@" "$U"
	[[ $status -eq 0 ]] || fail "hcli exited $status: $(cat "$T/err")"
	raw_wait_conns 2
	local got=$T/hcli.body
	norm_body "$(raw_req 1 0)" >"$got"
	cmp "$want" "$got" || fail "$(printf 'bodies differ\n-- curl --\n%s\n-- hcli --\n%s' \
		"$(od -c "$want" | head -40)" "$(od -c "$got" | head -40)")"
	assert_equal "$(field "$(raw_req 1 0)" Content-Length)" "$ccl"
	assert_equal "$(field "$(raw_req 1 0)" Content-Length)" "$(body_len "$(raw_req 1 0)")"
	assert_regex "$(field "$(raw_req 1 0)" Content-Type)" '^multipart/form-data; boundary=-{24}[0-9a-f]{16}$'
	assert_regex "$(head -c 5 "$(raw_req 1 0)")" '^POST '
}

@test "-F as curl 7.88: values, @FILE with its type from the extension, ;type=, <FILE" {
	same_as_curl -F name=value -F f=@a.txt -F 'g=@we"ird.bin;type=text/x' -F 'h=<a.txt' \
		-F p=@page.HTML -F j=@data.json
}

@test "-F as curl 7.88: '\"', CR and LF in names and filenames percent-encoded; ;filename=; empty file" {
	same_as_curl -F $'na"m\r\ne=v' -F $'f=@a.txt;filename=o"t r\\\n.txt' -F e=@empty.dat \
		-F 'q=@a.txt;type=text/x;filename=renamed'
}

@test "-F: an empty value and an empty name, as curl" {
	same_as_curl -F 'a=' -F '=b'
}

@test "--boundary is used verbatim; one needing quotes is quoted in Content-Type" {
	serve
	hrun -F a=b --boundary xyz "$U" Host: User-Agent: Accept: Accept-Encoding:
	assert_equal "$status" 0
	local body='--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--\r\n'
	assert_bytes "$(raw_req 0 0)" "POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 63\r\n\r\n$body"
	hrun -F a=b --boundary "a b:c" "$U"
	assert_equal "$status" 0
	raw_wait_conns 2
	assert_equal "$(field "$(raw_req 1 0)" Content-Type)" 'multipart/form-data; boundary="a b:c"'
	assert_regex "$(norm_body "$(raw_req 1 0)" | head -c 5)" '^--B'
}

@test "an invalid --boundary is a usage error (2), nothing sent" {
	raw_start_silent
	local b
	for b in '' 'a b ' 'a;b' 'é' "$(printf 'x%.0s' {1..71})"; do
		hrun -F a=b --boundary "$b" "$RAW_URL/"
		assert_equal "$status" 2
		assert_regex "$(head -n1 "$T/err")" "^hcli: [A-Za-z]+: --boundary '.*' is not 1 to 70"
	done
	hrun -F a=b --boundary "$(printf 'x%.0s' {1..70})" --max-time 1 "$RAW_URL/"
	[[ $status -ne 2 ]]
}

@test "-F without '=' is a usage error naming the argument (2), nothing sent" {
	raw_start_silent
	hrun -F justaname "$RAW_URL/"
	assert_equal "$status" 2
	assert_regex "$(head -n1 "$T/err")" "^hcli: [A-Za-z]+: -F 'justaname': a form part is NAME=VALUE"
	hrun -F 'a=@a.txt;size=3' "$RAW_URL/"
	assert_equal "$status" 2
	hrun -F 'a=@' "$RAW_URL/"
	assert_equal "$status" 2
	hrun -F a=b -d x "$RAW_URL/"
	assert_equal "$status" 2
	raw_assert_nothing_sent
}

@test "a missing -F file is 26 (as curl), nothing sent" {
	raw_start_silent
	hrun -F a=b -F f=@nope.bin "$RAW_URL/"
	assert_equal "$status" 26
	assert_regex "$(cat "$T/err")" "^hcli: [A-Za-z]+: cannot open 'nope.bin' for part 'f': "
	hrun -F 'f=<nope.txt' "$RAW_URL/"
	assert_equal "$status" 26
	hrun -F f=@. "$RAW_URL/"
	assert_equal "$status" 26
	raw_assert_nothing_sent
}

@test "a part from a pipe makes the body chunked; the de-chunked body is the same as with a file" {
	serve
	hcli_capture -F a=b -F f=@- -F 'g=<-' --boundary B "$U" < <(printf 'piped\n')
	assert_equal "$status" 0
	assert_equal "$(field "$(raw_req 0 0)" Transfer-Encoding)" chunked
	assert_equal "$(field "$(raw_req 0 0)" Content-Length)" "(none)"
	python3 - "$(raw_req 0 0)" >"$T/dechunked" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read().partition(b"\r\n\r\n")[2]
out = b""
while True:
    line, _, d = d.partition(b"\r\n")
    n = int(line, 16)
    if n == 0:
        break
    out += d[:n]
    d = d[n + 2:]
sys.stdout.buffer.write(out)
EOF
	local want='--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n'
	want+='--B\r\nContent-Disposition: form-data; name="f"; filename="-"\r\n\r\npiped\n\r\n'
	want+='--B\r\nContent-Disposition: form-data; name="g"\r\n\r\n\r\n--B--\r\n'
	assert_bytes "$T/dechunked" "$want"
}

@test "a part from a pipe with several URLs is a usage error (it can be sent once)" {
	raw_start_silent
	hcli_capture -F f=@- "$RAW_URL/a" "$RAW_URL/b" < <(printf 'x')
	assert_equal "$status" 2
	raw_assert_nothing_sent
}

# The sink (helpers/mpsink.py): one connection, DIR/parts once the body is whole.
sink_start() { # DIR [STALL]
	local dir=$1 fd port
	mkdir -p "$dir"
	mkfifo "$dir/ready" "$dir/stalled" "$dir/go"
	exec {fd}<>"$dir/ready"
	python3 "$HELPERS_DIR/mpsink.py" --dir "$dir" --stall "${2:-0}" --lifetime 60 \
		--ready-fifo "$dir/ready" </dev/null 3>&- {fd}>&- &
	SINK=$!
	BG_PID=$SINK
	read -r -t 10 -u "$fd" port
	exec {fd}>&-
	SINK_URL=http://127.0.0.1:$port/up
}

@test "a 64 MiB file part: Content-Length exact, the server's sha256 of the part matches" {
	head -c $((64 << 20)) /dev/urandom >big.bin
	sink_start "$T/sink"
	hrun -F note=hi -F 'big=@big.bin;type=application/x-big' "$SINK_URL"
	assert_equal "$status" 0
	wait "$SINK"
	BG_PID=
	assert_equal "$(cat "$T/sink/result")" complete
	assert_equal "$(field "$T/sink/head" Content-Length)" "$(stat -c %s "$T/sink/body")"
	assert_equal "$(sed -n 1p "$T/sink/parts")" "note - - 2 $(printf hi | sha256_of)"
	assert_equal "$(sed -n 2p "$T/sink/parts")" "big big.bin application/x-big $((64 << 20)) $(sha256_of big.bin)"
}

# The file changes while hcli is blocked sending it: the sink has 1 MiB and stops reading.
change_while_sent() { # COMMAND...
	head -c $((64 << 20)) /dev/zero >big.bin
	sink_start "$T/sink" $((1 << 20))
	hcli -F big=@big.bin --boundary B "$SINK_URL" </dev/null >"$T/out" 2>"$T/err" &
	local client=$! fd line
	exec {fd}<>"$T/sink/stalled"
	read -r -t 30 -u "$fd" line
	exec {fd}>&-
	"$@"
	exec {fd}<>"$T/sink/go"
	echo go >&"$fd"
	status=0
	wait "$client" || status=$?
	wait "$SINK"
	exec {fd}>&-
	BG_PID=
	assert_equal "$status" 26
	assert_regex "$(cat "$T/err")" "^hcli: [A-Za-z]+: the file of part 'big' changed size while it was sent"
	# nothing after the file's bytes: no closing delimiter, no second request
	[[ $(cat "$T/sink/result") == short* ]]
	! tail -c 7 "$T/sink/body" | grep -q -- '--B--' 
}

@test "a file that shrinks while it is sent: 26, the connection closed, the body cut short" {
	change_while_sent truncate -s $((2 << 20)) big.bin
}

@test "a file that grows while it is sent: 26, the declared bytes and nothing after them" {
	change_while_sent sh -c 'printf more >>big.bin'
	local head_len
	# the head of the part and exactly the file's 64 MiB arrived
	local part_head='--B\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
	head_len=$(printf '%b' "$part_head" | wc -c)
	assert_equal "$(stat -c %s "$T/sink/body")" $((head_len + (64 << 20)))
}

@test "307 with -L sends the whole multipart body again" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 307 Temporary Redirect\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"},
  {"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	hrun -L -F a=b -F f=@a.txt "$RAW_URL/first"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" ok
	assert_regex "$(head -n1 "$(raw_req 0 1)")" '^POST /again HTTP/1.1'
	cmp <(norm_body "$(raw_req 0 0)") <(norm_body "$(raw_req 0 1)")
	assert_equal "$(field "$(raw_req 0 1)" Content-Length)" "$(body_len "$(raw_req 0 1)")"
}

@test "plain TCP: the file part goes by sendfile(2)" {
	command -v strace >/dev/null || skip "strace not installed"
	head -c $((1 << 20)) /dev/urandom >mid.bin
	serve
	# LeakSanitizer cannot run under ptrace (make sanitize)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=sendfile -o "$T/trace" "$HCLI" -s -F f=@mid.bin "$U" </dev/null >"$T/out"
	assert_equal "$(cat "$T/out")" ok
	grep -q '^[0-9 ]*sendfile(' "$T/trace" || fail "no sendfile: $(cat "$T/trace")"
}
