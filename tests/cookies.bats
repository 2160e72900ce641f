#!/usr/bin/env bats
# Cookies (SPEC.md Part 2, "Cookies and sessions"): the in-memory engine on
# in every run (redirects and later URLs), -b DATA|FILE, -c FILE written
# atomically and 0600, --junk-session-cookies, and jars exchanged with curl
# 7.88 both ways. The RFC 6265bis rules themselves are tabled in
# tests/unit/test_cookie.c (158 Set-Cookie -> Cookie cases); here they go
# through the real flow: a scripted server sets, the next request carries.
# Names under x.test are sent to 127.0.0.1 with --resolve.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
load helpers/tls
bats_require_minimum_version 1.5.0

OK='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'

setup() {
	T=$BATS_TEST_TMPDIR
}

# serve HEADER...: connection 0 gets a 200 with these header lines, every
# later connection "ok"; each closes after its reply.
serve() {
	python3 - "$@" >"$T/script.json" <<'PY'
import json, sys
head = "HTTP/1.1 200 OK\r\n" + "".join(h + "\r\n" for h in sys.argv[1:]) + "Content-Length: 0\r\n\r\n"
ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
print(json.dumps([[{"reply": head, "then": "close"}], [{"reply": ok, "then": "close"}]]))
PY
	raw_start "$T/script.json"
}

# --resolve for the test names on this server's port
resolve() {
	local h r=()
	for h in x.test www.x.test a.x.test other.test; do
		r+=(--resolve "$h:$RAW_PORT:127.0.0.1")
	done
	printf '%s\n' "${r[@]}"
}

# req_cookie C [DIR]: the Cookie field of connection C's first request, "" when none
req_cookie() {
	local f=${2:-$RAW_DIR}/req-$1-0
	[[ -f $f ]] || fail "no request on connection $1"
	sed -n 's/^Cookie: \(.*\)\r$/\1/p' "$f"
}

# jar_lines FILE: its cookie lines (no comments, no blank lines), sorted
jar_lines() {
	grep -v -e '^# ' -e '^#$' -e '^$' "$1" | sort
}

@test "Set-Cookie -> Cookie through the flow: one response sets, the next URL of the run carries" {
	local sets path want got bad=() hdrs r
	# Set-Cookie fields (&& between several) on http://www.x.test/a/b | next URL | Cookie sent
	while IFS='|' read -r sets path want; do
		[[ $sets == \#* || -z $sets ]] && continue
		sets=$(sed -E 's/^ +| +$//g' <<<"$sets") path=$(tr -d ' ' <<<"$path")
		want=$(sed -E 's/^ +| +$//g' <<<"$want")
		hdrs=()
		while read -r r; do hdrs+=("Set-Cookie: $r"); done < <(sed 's/ && /\n/g' <<<"$sets")
		serve "${hdrs[@]}"
		mapfile -t R < <(resolve)
		hrun "${R[@]}" "http://www.x.test:$RAW_PORT/a/b" "http://${path/\//:$RAW_PORT/}"
		if [[ $status -ne 0 ]]; then
			bad+=("$sets: $(show)")
		else
			got=$(req_cookie 1)
			[[ $got == "$want" ]] || bad+=("$sets -> $path: want '$want', got '$got'")
		fi
		raw_stop
	done <<'EOF'
a=1                                        | www.x.test/a/c    | a=1
a=1                                        | www.x.test/       |
a=1                                        | www.x.test/ab     |
a=1; Path=/                                | www.x.test/       | a=1
a=1; Path=/                                | x.test/           |
a=1; Path=/                                | a.x.test/         |
a=1; Path=/; Domain=x.test                 | a.x.test/z        | a=1
a=1; Path=/; Domain=.X.TEST                | x.test/           | a=1
a=1; Path=/; Domain=www.x.test             | www.x.test/       | a=1
a=1; Path=/; Domain=test                   | www.x.test/       |
a=1; Path=/; Domain=other.test             | other.test/       |
a=1; Path=/; Domain=a.x.test               | a.x.test/         |
a=1; Path=/; Secure                        | www.x.test/       |
__Secure-a=1; Path=/                       | www.x.test/       |
__Host-a=1; Path=/                         | www.x.test/       |
a=1; Path=/; Max-Age=0                     | www.x.test/       |
a=1; Path=/; Max-Age=60                    | www.x.test/       | a=1
a=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT | www.x.test/ |
a=1; Path=/; Expires=Fri, 01 Jan 2100 00:00:00 GMT | www.x.test/ | a=1
a=1; Path=/; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT | www.x.test/ | a=1
a=1; Path=/; HttpOnly                      | www.x.test/       | a=1
a=1; Path=/a                               | www.x.test/a/b/c  | a=1
a=1; Path=/a                               | www.x.test/ab     |
=v; Path=/                                 | www.x.test/       | v
a=1; Path=/ && b=2; Path=/a && c=3; Path=/a/b | www.x.test/a/b/c | c=3; b=2; a=1
b=2; Path=/ && a=1; Path=/                 | www.x.test/       | b=2; a=1
a=1; Path=/ && a=2; Path=/                 | www.x.test/       | a=2
a=1; Path=/ && a=; Path=/; Max-Age=0       | www.x.test/       |
a=1; Path=/; Domain=x.test && a=2; Path=/  | www.x.test/       | a=1; a=2
junk; Path=/ && ; Path=/ && c=3; Path=/    | www.x.test/       | junk; c=3
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "cookies set by a response go on its redirect (same host or not) and on later URLs, whatever the port" {
	# the reply is a file read when sent: it names the server's own port
	mkdir "$T/r"
	: >"$T/r/moved.http"
	printf '[[{"reply_file": "moved.http", "then": "close"}], [{"reply": "%s", "then": "close"}]]' \
		"$OK" >"$T/r/script.json"
	raw_start "$T/r/script.json" 127.0.0.1 "$T/r/raw"
	printf 'HTTP/1.1 302 Found\r\nLocation: http://a.x.test:%s/next\r\n%s\r\n%s\r\nContent-Length: 0\r\n\r\n' \
		"$RAW_PORT" 'Set-Cookie: d=1; Path=/; Domain=x.test' 'Set-Cookie: h=2; Path=/' >"$T/r/moved.http"
	local first=$RAW_DIR port=$RAW_PORT
	mapfile -t R < <(resolve)
	raw_start - <<<"[[{\"reply\": \"$OK\", \"then\": \"close\"}]]"
	hrun -L "${R[@]}" --resolve "www.x.test:$RAW_PORT:127.0.0.1" -b u=9 \
		"http://www.x.test:$port/start" "http://www.x.test:$RAW_PORT/later"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0 "$first")" "u=9"
	# the redirect left the origin: the user's cookie is dropped, the store's follow RFC 6265bis
	assert_equal "$(req_cookie 1 "$first")" "d=1"
	# a later URL of the run, on another port: both, the store's first, in one field
	assert_equal "$(req_cookie 0)" "d=1; h=2; u=9"
	assert_equal "$(grep -c '^Cookie:' "$RAW_DIR/req-0-0")" 1
}

@test "a Cookie item is sent with the store's cookies in one field; 'Cookie:' sends none" {
	serve 'Set-Cookie: s=1; Path=/'
	hrun "$RAW_URL/" "$RAW_URL/x" Cookie:i=2
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "i=2"
	assert_equal "$(req_cookie 1)" "s=1; i=2"
	raw_stop
	serve 'Set-Cookie: s=1; Path=/'
	hrun "$RAW_URL/" "$RAW_URL/x" Cookie:
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 1)" ""
}

@test "a malformed Set-Cookie is ignored, never an error; -v says why" {
	serve $'Set-Cookie: a=1\x01' 'Set-Cookie: =' 'Set-Cookie: s=1; Secure' 'Set-Cookie: ok=1; Path=/'
	hrun -v "$RAW_URL/" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 1)" "ok=1"
	assert_line_re "$T/err" '^\* Cookie from 127\.0\.0\.1 ignored: Secure over plain http$'
	assert_line_re "$T/err" '^\* Cookie from 127\.0\.0\.1 ignored: malformed$'
}

@test "-c FILE writes curl's Netscape format (#HttpOnly_, domain dot, session 0), mode 0600" {
	serve 'Set-Cookie: d=1; Path=/; Domain=x.test' 'Set-Cookie: h=2; HttpOnly; Max-Age=3600' \
		'Set-Cookie: p=3; Path=/p/'
	mapfile -t R < <(resolve)
	umask 000
	local exp before after
	before=$(date +%s)
	hrun "${R[@]}" -c "$T/jar" "http://www.x.test:$RAW_PORT/a/b"
	after=$(date +%s)
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(head -n 1 "$T/jar")" "# Netscape HTTP Cookie File"
	exp=$(awk -F'\t' '$6 == "h" { print $5 }' "$T/jar")
	# Max-Age counts from the response, which came while hcli ran
	((exp >= before + 3600 && exp <= after + 3600)) || fail "expiry $exp, run from $before to $after"
	assert_equal "$(jar_lines "$T/jar")" "$(printf '%s\n' \
		$'#HttpOnly_www.x.test\tFALSE\t/a\tFALSE\t'"$exp"$'\th\t2' \
		$'.x.test\tTRUE\t/\tFALSE\t0\td\t1' \
		$'www.x.test\tFALSE\t/p/\tFALSE\t0\tp\t3' | sort)"
	assert_equal "$(stat -c %a "$T/jar")" 600
}

@test "-c replaces an older jar and leaves it 0600, with no temporary file behind" {
	serve 'Set-Cookie: n=1; Path=/'
	printf 'old\n' >"$T/jar"
	chmod 644 "$T/jar"
	hrun -c "$T/jar" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(stat -c %a "$T/jar")" 600
	assert_equal "$(jar_lines "$T/jar")" $'127.0.0.1\tFALSE\t/\tFALSE\t0\tn\t1'
	assert_equal "$(ls "$T" | grep -c '^jar')" 1
}

@test "-c - writes the jar to standard output after the body" {
	serve 'Set-Cookie: n=1; Path=/'
	hrun -c - "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(head -n 1 "$T/out")" "# Netscape HTTP Cookie File"
	assert_equal "$(tail -n 1 "$T/out")" $'127.0.0.1\tFALSE\t/\tFALSE\t0\tn\t1'
}

@test "-c into a directory that does not exist: 23 naming the jar, the response still shown" {
	serve 'Set-Cookie: n=1'
	expect_fail 23 WriteError "cookie jar $T/no/jar: a temporary file beside it: No such file or directory" \
		-c "$T/no/jar" "$RAW_URL/"
}

@test "kill -9 while a server holds the response: the old jar stays whole, no temporary file" {
	printf '# Netscape HTTP Cookie File\n\n127.0.0.1\tFALSE\t/\tFALSE\t0\told\t1\n' >"$T/jar"
	cp "$T/jar" "$T/jar.before"
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nSet-Cookie: new=2; Path=/\r\nContent-Length: 10\r\n\r\npart", "then": "hang"}]]
EOF
	"$HCLI" -s -b "$T/jar" -c "$T/jar" "$RAW_URL/" >/dev/null 2>&1 </dev/null &
	BG_PID=$!
	raw_wait_conns 1 || fail "hcli never connected"
	harness_wait_for 10 test -s "$(raw_req 0 0)" || fail "no request"
	harness_wait_for 10 grep -q ' conn=0 .*hanging' "$RAW_DIR/log" || fail "no reply sent"
	kill -9 "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	assert_equal "$(req_cookie 0)" "old=1"
	cmp "$T/jar.before" "$T/jar"
	assert_equal "$(ls "$T" | grep -c '^jar\.')" 1 # jar.before only
}

@test "-b FILE: a Netscape jar (#HttpOnly_, domain dot, expired and session lines) is sent by its rules" {
	local later=$(($(date +%s) + 3600))
	printf '%s\n' '# Netscape HTTP Cookie File' '' \
		$'.x.test\tTRUE\t/\tFALSE\t0\td\t1' \
		$'#HttpOnly_www.x.test\tFALSE\t/\tFALSE\t'"$later"$'\th\t2' \
		$'www.x.test\tFALSE\t/a/\tFALSE\t0\tp\t3' \
		$'www.x.test\tFALSE\t/\tTRUE\t0\ts\t4' \
		$'www.x.test\tFALSE\t/\tFALSE\t1\tgone\t5' \
		$'a.x.test\tFALSE\t/\tFALSE\t0\to\t6' \
		$'www.x.test\tFALSE\t/\tFALSE\t0\tempty' >"$T/jar"
	serve
	mapfile -t R < <(resolve)
	hrun "${R[@]}" -b "$T/jar" "http://www.x.test:$RAW_PORT/a/b" "http://a.x.test:$RAW_PORT/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "p=3; d=1; h=2; empty="
	assert_equal "$(req_cookie 1)" "d=1; o=6"
	assert_equal "$(cat "$T/err")" ""
}

@test "-b FILE: Set-Cookie: lines belong to the first URL's host unless they name a Domain" {
	printf '%s\r\n' 'Set-Cookie: a=1' 'set-cookie: b=2; Domain=other.test; Path=/' \
		'Set-Cookie: ; c=3' >"$T/jar"
	serve
	mapfile -t R < <(resolve)
	hrun "${R[@]}" -b "$T/jar" "http://www.x.test:$RAW_PORT/" "http://other.test:$RAW_PORT/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "a=1"
	assert_equal "$(req_cookie 1)" "b=2"
	assert_line_re "$T/err" "^hcli: warning: cookie file $T/jar line 3: malformed; line skipped\$"
}

@test "-b FILE: a line that is not Netscape format is skipped with one warning naming file and line" {
	printf '%s\n' '# Netscape HTTP Cookie File' $'127.0.0.1\tFALSE\t/\tFALSE\t0\tgood\t1' \
		'this is not a cookie' $'127.0.0.1\tMAYBE\t/\tFALSE\t0\tbad\t2' \
		$'127.0.0.1\tFALSE\t/\tFALSE\tsoon\tbad\t3' $'127.0.0.1\tFALSE\t/\tFALSE\t0\tlast\t4' >"$T/jar"
	serve
	hrun -b "$T/jar" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "good=1; last=4"
	assert_equal "$(cat "$T/err")" "$(printf '%s\n' \
		"hcli: warning: cookie file $T/jar line 3: not 7 tab-separated fields; line skipped" \
		"hcli: warning: cookie file $T/jar line 4: TRUE or FALSE expected in fields 2 and 4; line skipped" \
		"hcli: warning: cookie file $T/jar line 5: field 5 is not an expiry time in seconds; line skipped")"
}

@test "-b FILE that cannot be read: 26 naming it, nothing sent" {
	raw_start_silent
	expect_fail 26 ReadError "cookie file: cannot open '$T/none': No such file or directory" \
		-b "$T/none" "$RAW_URL/"
	mkdir "$T/dir"
	expect_fail 26 ReadError "cookie file: reading '$T/dir': Is a directory" -b "$T/dir" "$RAW_URL/"
	raw_assert_nothing_sent
}

@test "-b with '=' stays DATA; -b '' reads nothing; CR or LF in DATA is a usage error" {
	serve
	hrun -b 'a=1' -b '' "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "a=1"
	usage_fails "-b: the cookie data has CR, LF or NUL" -b $'a=1\r\nX-B: 1'
}

@test "--junk-session-cookies drops the session cookies read, keeps the others and new ones" {
	printf '%s\n' $'127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t1' \
		$'127.0.0.1\tFALSE\t/\tFALSE\t'"$(($(date +%s) + 3600))"$'\tkept\t2' >"$T/jar"
	serve 'Set-Cookie: new=3; Path=/'
	hrun --junk-session-cookies -b "$T/jar" -c "$T/out.jar" "$RAW_URL/" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "kept=2"
	assert_equal "$(req_cookie 1)" "kept=2; new=3"
	assert_equal "$(jar_lines "$T/out.jar" | cut -f 6 | sort | tr '\n' ' ')" "kept new "
}

@test "curl 7.88 reads hcli's jar: it sends what hcli sends" {
	serve 'Set-Cookie: d=1; Path=/; Domain=x.test' 'Set-Cookie: h=22; HttpOnly; Path=/a; Max-Age=3600' \
		'Set-Cookie: p=333; Path=/a/b/'
	mapfile -t R < <(resolve)
	hrun "${R[@]}" -c "$T/jar" "http://www.x.test:$RAW_PORT/a/b/c" "http://www.x.test:$RAW_PORT/a/b/c"
	[[ $status -eq 0 ]] || fail "$(show)"
	local want
	want=$(req_cookie 1)
	assert_equal "$want" "p=333; h=22; d=1"
	raw_stop
	raw_start - <<<"[[{\"reply\": \"$OK\", \"then\": \"close\"}]]"
	mapfile -t R < <(resolve)
	command curl -sS -o /dev/null "${R[@]}" -b "$T/jar" "http://www.x.test:$RAW_PORT/a/b/c" \
		"http://a.x.test:$RAW_PORT/" || fail "curl failed"
	assert_equal "$(req_cookie 0)" "$want"
	assert_equal "$(req_cookie 1)" "d=1"
}

@test "hcli reads a jar curl 7.88 wrote (#HttpOnly_ included): it sends what curl sends" {
	serve 'Set-Cookie: d=1; Path=/; Domain=x.test' 'Set-Cookie: h=22; HttpOnly; Path=/a; Max-Age=3600' \
		'Set-Cookie: p=333; Path=/a/b/'
	mapfile -t R < <(resolve)
	command curl -sS -o /dev/null "${R[@]}" -c "$T/jar" "http://www.x.test:$RAW_PORT/a/b/c" ||
		fail "curl failed"
	grep -q '^#HttpOnly_www\.x\.test' "$T/jar" || fail "curl wrote no #HttpOnly_ line: $(cat "$T/jar")"
	command curl -sS -o /dev/null "${R[@]}" -b "$T/jar" "http://www.x.test:$RAW_PORT/a/b/c" ||
		fail "curl failed"
	local want
	want=$(req_cookie 1)
	[[ -n $want ]] || fail "curl sent no cookie"
	raw_stop
	raw_start - <<<"[[{\"reply\": \"$OK\", \"then\": \"close\"}]]"
	mapfile -t R < <(resolve)
	hrun "${R[@]}" -b "$T/jar" -c "$T/jar2" "http://www.x.test:$RAW_PORT/a/b/c"
	[[ $status -eq 0 && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(req_cookie 0)" "$want"
	# and hcli writes the same cookies back
	assert_equal "$(jar_lines "$T/jar2")" "$(jar_lines "$T/jar")"
}

@test "libpsl is loaded when a Domain attribute is checked, not for cookies without one" {
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	serve 'Set-Cookie: a=1; Path=/'
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" -o /dev/null "$RAW_URL/" "$RAW_URL/"
	grep -q 'openat(' "$T/trace" || fail "strace recorded nothing"
	run ! grep -q 'libpsl' "$T/trace"
	raw_stop
	serve 'Set-Cookie: a=1; Path=/; Domain=x.test'
	mapfile -t R < <(resolve)
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" -o /dev/null "${R[@]}" \
		"http://www.x.test:$RAW_PORT/"
	grep -q 'libpsl\.so\.5' "$T/trace" || fail "libpsl not opened"
}

@test "-b - reads the jar from standard input, which a body from it cannot share" {
	serve
	run --separate-stderr hcli -b - "$RAW_URL/" < <(printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tin\t1\n')
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
	assert_equal "$(req_cookie 0)" "in=1"
	usage_fails "-b - and a body from standard input cannot share it" -b - @-
}

@test "over real TLS: an https response sets Secure and __Host- cookies, https requests carry them, http ones do not" {
	pki_make "$T/pki"
	PKI=$T/pki
	tls_raw_start - localhost localhost <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nSet-Cookie: s=1; Secure; Path=/\r\nSet-Cookie: __Host-h=2; Secure; Path=/\r\nSet-Cookie: p=3; Path=/\r\nContent-Length: 0\r\n\r\n", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	local tls_dir=$RAW_DIR tls_url=$RAW_URL
	raw_start - <<<"[[{\"reply\": \"$OK\", \"then\": \"close\"}]]"
	hrun --cacert "$PKI/ca.pem" -c "$T/jar" "$tls_url/" "$tls_url/x" "http://localhost:$RAW_PORT/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(req_cookie 1 "$tls_dir")" "s=1; __Host-h=2; p=3"
	assert_equal "$(req_cookie 0)" "p=3"
	assert_equal "$(jar_lines "$T/jar")" "$(printf '%s\n' $'localhost\tFALSE\t/\tFALSE\t0\tp\t3' \
		$'localhost\tFALSE\t/\tTRUE\t0\t__Host-h\t2' $'localhost\tFALSE\t/\tTRUE\t0\ts\t1' | sort)"
}
