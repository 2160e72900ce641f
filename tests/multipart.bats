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

# After hrun sent note=hi and FILE as part big (type application/x-big): hcli
# succeeded, the sink read the whole body, Content-Length was exact, and both
# parts arrived with their sizes and sha256.
assert_big_upload() { # FILE
	assert_equal "$status" 0
	wait "$SINK"
	BG_PID=
	assert_equal "$(cat "$T/sink/result")" complete
	assert_equal "$(field "$T/sink/head" Content-Length)" "$(stat -c %s "$T/sink/body")"
	assert_equal "$(sed -n 1p "$T/sink/parts")" "note - - 2 $(printf hi | sha256_of)"
	assert_equal "$(sed -n 2p "$T/sink/parts")" \
		"big $1 application/x-big $(stat -c %s "$1") $(sha256_of "$1")"
}

@test "a 64 MiB file part: Content-Length exact, the server's sha256 of the part matches" {
	head -c $((64 << 20)) /dev/urandom >big.bin
	sink_start "$T/sink"
	hrun -F note=hi -F 'big=@big.bin;type=application/x-big' "$SINK_URL"
	assert_big_upload big.bin
}

# The file changes while hcli is blocked sending it: the sink has 1 MiB and stops reading.
change_while_sent() { # COMMAND...
	head -c $((64 << 20)) /dev/zero >big.bin
	sink_start "$T/sink" $((1 << 20))
	# shellcheck disable=SC2086 # PART: -F's part by default, or an item
	hcli --boundary B "$SINK_URL" ${PART:--F big=@big.bin} </dev/null >"$T/out" 2>"$T/err" &
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

@test "a field@FILE file that shrinks while it is sent: 26, as with -F" {
	PART=big@big.bin change_while_sent truncate -s $((2 << 20)) big.bin
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

# --- HTTPie's file items (field@FILE[;type=MIME]) and --multipart ------------------

# The bytes HTTPie 3.2.1 writes (http --offline) for these items with
# --form --multipart --boundary XYZ: head in $T/httpie-head, body in $T/httpie-body.
httpie_mp() { # ITEM...
	command http --ignore-stdin --offline --print=H --form --multipart --boundary XYZ POST "$U" \
		"$@" >"$T/httpie-head" || fail "http $*: exit $?"
	command http --ignore-stdin --offline --print=B --form --multipart --boundary XYZ POST "$U" \
		"$@" >"$T/httpie-body" || fail "http $*: exit $?"
}

# hcli (no --form, no method: SPEC) and HTTPie send the same request line, Content-Type,
# Content-Length and body bytes for these items.
like_httpie_mp() { # [--multipart] ITEM...
	local opts=()
	[[ $1 != --multipart ]] || { opts=(--multipart); shift; }
	serve
	hrun "${opts[@]}" --boundary XYZ "$U" "$@"
	[[ $status -eq 0 ]] || fail "hcli $*: exit $status: $(cat "$T/err")"
	httpie_mp "$@"
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n",1)[1])' \
		"$(raw_req 0 0)" >"$T/hcli-body"
	cmp "$T/httpie-body" "$T/hcli-body" || fail "$(printf 'bodies differ for %s\n-- HTTPie --\n%s\n-- hcli --\n%s' \
		"$*" "$(od -c "$T/httpie-body" | head -40)" "$(od -c "$T/hcli-body" | head -40)")"
	assert_equal "$(head -n1 "$(raw_req 0 0)")" "$(head -n1 "$T/httpie-head")"
	local f
	for f in Content-Type Content-Length; do
		assert_equal "$f: $(field "$(raw_req 0 0)" $f)" "$f: $(field "$T/httpie-head" $f)"
	done
}

@test "field@FILE as HTTPie: fields and files as parts in argv order, filename, guessed type, ;type=" {
	printf '\x89PNG' >p.png
	printf 'x' >noext
	like_httpie_mp name=w up@a.txt 'e@a.txt;type=foo/bar' 'g@a.txt;type=' x=@a.txt \
		b@p.png c@noext j@data.json h@page.HTML em@empty.dat last=1
}

@test "field@FILE: HTTPie's Content-Type for common extensions, none for unknown ones" {
	local f items=()
	for f in x.css x.csv x.js x.svg x.jpg x.JPEG x.gif x.webp x.pdf x.zip x.tar x.xml x.md \
		x.mp4 x.woff2 x.docx x.yaml x.log .bashrc 'x.' x.c; do
		printf 'z' >"$f"
		items+=("f@$f")
	done
	like_httpie_mp "${items[@]}"
}

@test "field@FILE: names and filenames quoted as HTTPie's ('\"' and C0 as %XX, '\\' doubled)" {
	printf 'z' >'we"i\d é.txt'
	printf 'c' >$'cr\rx.txt'
	like_httpie_mp $'n"a\\m\te=v' 'f@we"i\d é.txt' $'g@cr\rx.txt' 'é=ü' '=empty name'
}

@test "field@FILE and field=@FILE: a leading ~/ is \$HOME, as HTTPie's (the shell leaves it there)" {
	serve
	local HRUN_ENV=(HOME="$T")
	hrun --boundary XYZ "$U" 'f@~/a.txt' 's=@~/a.txt' '~=x'
	assert_equal "$status: $(cat "$T/err")" "0: "
	HOME=$T httpie_mp 'f@~/a.txt' 's=@~/a.txt' '~=x'
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n",1)[1])' \
		"$(raw_req 0 0)" >"$T/hcli-body"
	cmp "$T/httpie-body" "$T/hcli-body" || fail "$(od -c "$T/hcli-body" | head -20)"
	grep -q 'filename="a.txt"' "$T/hcli-body"
}

@test "--multipart: data fields as parts without a file, as HTTPie's; none at all is the close delimiter" {
	like_httpie_mp --multipart a=1 'b=x y' 'c\=d=e'
	raw_stop
	like_httpie_mp --multipart
}

@test "field@FILE: := scalars are parts holding their text (HTTPie drops them); null and objects refused" {
	serve
	hrun --boundary B "$U" f@a.txt n:=1.50 t:=true 's:="x"'
	assert_equal "$status" 0
	local part='--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
	local file='--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\n\r\n'
	norm_body "$(raw_req 0 0)" >"$T/body"
	assert_bytes "$T/body" "$file$part$part$part--B--\r\n" n 1.50 t true s x
	usage_fails "'n:=null': a form field takes a string, a number or a boolean" f@a.txt n:=null
}

@test "field@FILE with a Content-Type item: multipart/mixed gains the boundary (as HTTPie and curl); others are kept" {
	serve
	hrun --boundary XYZ "$U" f@a.txt Content-Type:multipart/mixed
	assert_equal "$status" 0
	assert_equal "$(field "$(raw_req 0 0)" Content-Type)" 'multipart/mixed; boundary=XYZ'
	httpie_mp f@a.txt Content-Type:multipart/mixed
	assert_equal "$(field "$T/httpie-head" Content-Type)" 'multipart/mixed; boundary=XYZ'
	hrun -F a=b --boundary XYZ -H 'Content-Type: multipart/related; boundary=mine' "$U"
	assert_equal "$status" 0
	raw_wait_conns 2
	assert_equal "$(field "$(raw_req 1 0)" Content-Type)" 'multipart/related; boundary=mine'
	hrun -F a=b --boundary XYZ -H 'Content-Type: multipart/mixed' "$U"
	raw_wait_conns 3
	assert_equal "$(field "$(raw_req 2 0)" Content-Type)" 'multipart/mixed; boundary=XYZ'
}

@test "field@FILE: a 64 MiB sparse file streams with an exact Content-Length; the sink's sha256 matches" {
	truncate -s $((64 << 20)) sparse.bin
	printf 'end' >>sparse.bin
	sink_start "$T/sink"
	hrun "$SINK_URL" note=hi 'big@sparse.bin;type=application/x-big'
	assert_big_upload sparse.bin
}

@test "errors: a missing or unreadable file, or a directory, names the item (2), nothing sent" {
	usage_fails "'f@$T/none': $T/none: No such file or directory" "f@$T/none"
	usage_fails "'f@$T/none;type=a/b': $T/none: No such file or directory" "f@$T/none;type=a/b"
	usage_fails "'d@$T': $T: Is a directory" "d@$T"
	if [[ $(id -u) != 0 ]]; then
		printf 'x' >locked && chmod 000 locked
		usage_fails "'f@locked': locked: Permission denied" f@locked
	fi
}

@test "errors: file fields with -d, @FILE, a stdin body or -F; --json with file fields or --multipart" {
	usage_fails "'f@a.txt': file fields do not go with -d, --data-urlencode or --json=DATA" f@a.txt -d x
	usage_fails "'f@a.txt': file fields do not go with another request body (-F, @FILE or -)" f@a.txt @a.txt
	usage_fails "'f@a.txt': file fields do not go with another request body (-F, @FILE or -)" - f@a.txt
	usage_fails "'f@a.txt': file fields do not go with another request body (-F, @FILE or -)" -F a=b f@a.txt
	usage_fails "--json and file fields do not go together" -j f@a.txt
	usage_fails "--json and --multipart do not go together" --json --multipart a=1
	usage_fails "--multipart does not go with -d, --data-urlencode, @FILE or -" --multipart -d x
	usage_fails "--multipart does not go with -d, --data-urlencode, @FILE or -" --multipart @a.txt
}

@test "-o FILE that is one of the parts' files (any name, -F or field@FILE): usage error, nothing sent, FILE untouched" {
	raw_start_silent
	printf 'the part\n' >F
	ln F hard
	ln -s F soft
	local row want
	want=$(sha256_of F)
	for row in "-o F -F f=@F" "-o F -F a=b -F g=<F" "-o hard -F f=@soft" "-o F f@F" \
		"-o soft x=1 f@a.txt g@hard" "-o F --multipart -F f=@./F"; do
		# shellcheck disable=SC2086 # row is a word list
		run --separate-stderr "$HCLI" "$RAW_URL/" $row </dev/null
		assert_equal "$row: $status" "$row: 2"
		assert_regex "$stderr" "^hcli: Usage: -o [A-Za-z]* is the request body's own file; write the output elsewhere"
		assert_equal "$row: $(sha256_of F)" "$row: $want"
	done
	raw_assert_nothing_sent
}

@test "-p B off a terminal: the multipart body exactly as sent, file bytes included" {
	serve
	hrun -p B --boundary XYZ "$U" a=1 f@a.txt
	assert_equal "$status" 0
	cmp "$T/out" <(norm_body "$(raw_req 0 0)" | sed 's/--B/--XYZ/g') || fail "$(od -c "$T/out" | head)"
}

# hcli on a pseudo-terminal (script(1)): what reaches it in $T/tty (ONLCR off).
# LeakSanitizer's tracer sometimes dies under a pty (see tls_tty): off here.
tty_exec() { # ARGS...
	local cmd asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	cmd="stty -onlcr; exec $(printf '%q ' env -u NO_COLOR TERM=xterm-256color ASAN_OPTIONS="$asan" "$HCLI" "$@")"
	status=0
	timeout -k 2 20 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
}

@test "-p B on a terminal: each file part's bytes shown as <file NAME, N bytes>, the rest as sent" {
	head -c 1000 /dev/urandom >r.bin
	serve
	tty_exec -p B --boundary XYZ "$U" a=1 f@a.txt g@r.bin h@empty.dat
	assert_equal "$status" 0
	local want='--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
	want+='--XYZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n<file a.txt, 6 bytes>\r\n'
	want+='--XYZ\r\nContent-Disposition: form-data; name="g"; filename="r.bin"\r\n\r\n<file r.bin, 1000 bytes>\r\n'
	want+='--XYZ\r\nContent-Disposition: form-data; name="h"; filename="empty.dat"\r\n\r\n<file empty.dat, 0 bytes>\r\n'
	want+='--XYZ--\r\n'
	assert_bytes "$T/tty" "$want"
	# the server got every byte
	assert_equal "$(field "$(raw_req 0 0)" Content-Length)" "$(body_len "$(raw_req 0 0)")"
	python3 - "$(raw_req 0 0)" r.bin <<'PY' || fail "r.bin's bytes were not sent"
import sys
sys.exit(open(sys.argv[2], "rb").read() not in open(sys.argv[1], "rb").read())
PY
	# -F parts alike; a <FILE part is named by its part name
	tty_exec -p B --boundary XYZ -F f=@a.txt -F 'g=<a.txt' "$U"
	assert_equal "$status" 0
	want='--XYZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n<file a.txt, 6 bytes>\r\n'
	want+='--XYZ\r\nContent-Disposition: form-data; name="g"\r\n\r\n<file g, 6 bytes>\r\n--XYZ--\r\n'
	assert_bytes "$T/tty" "$want"
}
