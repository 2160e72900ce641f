#!/usr/bin/env bats
# Digest authentication (SPEC Part 2, "Authentication schemes"; RFC 7616):
# --digest -u and --auth-type digest -a answer a 401's Digest challenge once
# (MD5, MD5-sess, SHA-256, SHA-256-sess, qop auth, userhash), the strongest
# offered; a stale=true challenge is answered once more; a 401 without a
# usable challenge, or refusing the credentials, is the answer. A body from a
# pipe goes once, complete, with the credentials (the first request carries
# Content-Length: 0). Credentials stay with their origin.
#
# Each response sent is recomputed apart from hcli by helpers/digest_check.py
# (hashlib); Apache's mod_auth_digest and curl --digest are the real peers.

load helpers/common
load helpers/apache

# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1

setup() {
	T=$BATS_TEST_TMPDIR
}

CHECK="$HELPERS_DIR/digest_check.py"

# A raw server whose one connection answers a 401 with each challenge given
# (a WWW-Authenticate value; "\n" inside one starts another such field), then
# 200 "ok\n"; later requests on the connection get 200 "ok\n" too.
raw_challenges() { # CHALLENGE...
	python3 - "$@" >"$T/script.json" <<'PY'
import json, sys
ex = []
for c in sys.argv[1:]:
    fields = ''.join('WWW-Authenticate: %s\r\n' % f for f in c.split('\\n'))
    ex.append({"reply": "HTTP/1.1 401 Unauthorized\r\n%sContent-Length: 7\r\n\r\ndenied\n" % fields})
ex.append({"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"})
ex.append({"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"})
print(json.dumps([ex]))
PY
	raw_start "$T/script.json"
}

# The Authorization field of request N of connection 0 ("-": none).
auth_of() { # N
	local v
	v=$(tr -d '\r' <"$(raw_req 0 "$1")" | sed -n '1,/^$/p' | grep -i '^Authorization:' | sed 's/^[^:]*: *//')
	echo "${v:--}"
}

# digest_ok N USER PASS WANT: request N's Digest response is right, and
# digest_check.py's summary line starts with WANT.
digest_ok() {
	run python3 "$CHECK" "$(raw_req 0 "$1")" "$2" "$3"
	assert_success
	[[ $output == "$4"* ]] || fail "request $1: want '$4', got '$output'"
}

@test "--digest -u: each algorithm and form offered is answered; the response is recomputed apart" {
	local R='Digest realm="hcli@test", nonce="n0nce/+=", opaque="op\"q"' uh
	uh=$(printf 'alice:hcli@test' | sha256sum | cut -d' ' -f1)
	local rows=(
		"$R, qop=\"auth\"|algorithm=MD5 nc=00000001 nonce=n0nce/+= username=alice qop=auth"
		"$R, qop=\"auth\", algorithm=MD5-sess|algorithm=MD5-sess nc=00000001"
		"$R, qop=\"auth\", algorithm=SHA-256|algorithm=SHA-256 nc=00000001"
		"$R, qop=\"auth,auth-int\", algorithm=SHA-256-sess|algorithm=SHA-256-sess nc=00000001"
		"$R, qop=auth, algorithm=SHA-256, userhash=true|algorithm=SHA-256 nc=00000001 nonce=n0nce/+= username=$uh"
		"$R|algorithm=MD5 nc=- nonce=n0nce/+= username=alice qop=-"
		"Basic realm=\"b\", $R, qop=\"auth\", Bearer|algorithm=MD5 nc=00000001"
		"$R, qop=auth\\nDigest realm=\"s\", nonce=\"n2\", qop=auth, algorithm=SHA-256|algorithm=SHA-256 nc=00000001 nonce=n2"
	)
	local row bad=()
	for row in "${rows[@]}"; do
		raw_challenges "${row%%|*}"
		hrun --digest -u alice:s3cret "$RAW_URL/dir/index.html?a=1"
		if [[ $status -ne 0 || $(cat "$T/out") != ok ]]; then
			bad+=("${row%%|*}: $(show)")
		elif [[ $(auth_of 0) != - ]]; then
			bad+=("${row%%|*}: credentials before the challenge: $(auth_of 0)")
		elif ! out=$(python3 "$CHECK" "$(raw_req 0 1)" alice s3cret 2>&1) ||
			[[ $out != "${row#*|}"* ]]; then
			bad+=("${row%%|*}: want '${row#*|}', got '$out'")
		fi
		raw_stop
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "--auth-type digest -a, and a URL's userinfo with --digest, answer the same way" {
	raw_challenges 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256'
	hrun --auth-type digest -a bob:pw "$RAW_URL/x"
	assert_equal "$status" 0
	digest_ok 1 bob pw "algorithm=SHA-256 nc=00000001 nonce=n username=bob"
	raw_stop
	raw_challenges 'Digest realm="r", nonce="n", qop="auth"'
	hrun --digest "http://carol:pw%21@127.0.0.1:$RAW_PORT/x"
	assert_equal "$status" 0
	digest_ok 1 carol 'pw!' "algorithm=MD5 nc=00000001 nonce=n username=carol"
}

@test "stale=true is answered once with the new nonce; a second stale 401 is the answer" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"' \
		'Digest realm="r", nonce="n2", qop="auth", stale=true'
	hrun --digest -u alice:s3cret "$RAW_URL/x"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" ok
	digest_ok 1 alice s3cret "algorithm=MD5 nc=00000001 nonce=n1"
	digest_ok 2 alice s3cret "algorithm=MD5 nc=00000001 nonce=n2"
	raw_stop

	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"' \
		'Digest realm="r", nonce="n2", qop="auth", stale=true' \
		'Digest realm="r", nonce="n3", qop="auth", stale=true'
	hrun -f --digest -u alice:s3cret "$RAW_URL/x"
	assert_equal "$status" 22
	assert_line_re "$T/err" '^hcli: HTTPError: 401 Unauthorized$'
	[[ ! -e $(raw_req 0 3) ]] || fail "a fourth request was sent"
}

@test "refused credentials: the second 401 is the answer (exit 0, -f 22), nothing more is sent" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"' 'Digest realm="r", nonce="n2", qop="auth"'
	hrun --digest -u alice:wrong "$RAW_URL/x"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" denied
	[[ ! -e $(raw_req 0 2) ]] || fail "a third request was sent"
}

@test "a 401 without a usable Digest challenge is the answer: one request, no credentials" {
	local c bad=()
	for c in 'Basic realm="r"' \
		'Digest realm="r", nonce="n", qop="auth-int"' \
		'Digest realm="r", nonce="n", algorithm=SHA-512-256' \
		'Digest realm="r"' \
		'Digest realm="r", nonce="n", nonce="m"' \
		'Digest realm="r, nonce="n"' \
		'Negotiate abc=='; do
		raw_challenges "$c"
		hrun -f --digest -u alice:s3cret "$RAW_URL/x"
		[[ $status -eq 22 ]] || bad+=("$c: $(show)")
		[[ ! -e $(raw_req 0 1) ]] || bad+=("$c: a second request was sent")
		raw_stop
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "a later URL of the same origin gets the challenge's credentials at once, nc counting on" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth", algorithm=SHA-256'
	hrun --digest -u alice:s3cret "$RAW_URL/a" "$RAW_URL/b"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" $'ok\nok'
	digest_ok 1 alice s3cret "algorithm=SHA-256 nc=00000001 nonce=n1"
	digest_ok 2 alice s3cret "algorithm=SHA-256 nc=00000002 nonce=n1"
	[[ $(head -c 7 "$(raw_req 0 2)") == 'GET /b ' ]] || fail "$(head -n 1 "$(raw_req 0 2)")"
}

@test "a same-origin redirect keeps Digest credentials (nc 2); another origin gets none" {
	local d=$T/rd
	mkdir -p "$d"
	: >"$d/moved.http"
	cat >"$d/script.json" <<'EOF'
[[{"reply": "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n"},
  {"reply": "HTTP/1.1 302 Found\r\nLocation: /same\r\nContent-Length: 0\r\n\r\n"},
  {"reply_file": "moved.http"}],
 [{"reply": "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n9\", qop=\"auth\"\r\nContent-Length: 7\r\n\r\ndenied\n"}]]
EOF
	raw_start "$d/script.json" 127.0.0.1 "$d/raw"
	printf 'HTTP/1.1 302 Found\r\nLocation: http://b.test:%s/other\r\nContent-Length: 0\r\n\r\n' "$RAW_PORT" >"$d/moved.http"
	hrun -L --digest -u alice:s3cret --resolve "a.test:$RAW_PORT:127.0.0.1" \
		--resolve "b.test:$RAW_PORT:127.0.0.1" "http://a.test:$RAW_PORT/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" denied
	digest_ok 1 alice s3cret "algorithm=MD5 nc=00000001 nonce=n1"
	digest_ok 2 alice s3cret "algorithm=MD5 nc=00000002 nonce=n1"
	tr -d '\r' <"$(raw_req 1 0)" >"$T/r"
	assert_line_re "$T/r" '^GET /other HTTP/1.1$'
	! grep -qi '^Authorization' "$T/r" || fail "credentials went to another origin: $(cat "$T/r")"
	[[ ! -e $(raw_req 1 1) ]] || fail "the other origin's challenge was answered"
}

@test "a string or file body is simply sent again with the credentials" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"'
	printf 'from a file' >"$T/body"
	hrun --digest -u alice:s3cret -d 'a=1' "$RAW_URL/s" "$RAW_URL/f"
	assert_equal "$status" 0
	[[ $(tail -c 3 "$(raw_req 0 0)") == a=1 && $(tail -c 3 "$(raw_req 0 1)") == a=1 ]] ||
		fail "$(cat -A "$(raw_req 0 0)" "$(raw_req 0 1)")"
	digest_ok 1 alice s3cret "algorithm=MD5 nc=00000001"
	raw_stop
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"'
	hrun --digest -u alice:s3cret -d @"$T/body" "$RAW_URL/f"
	assert_equal "$status" 0
	grep -q 'from a file' "$(raw_req 0 0)" && grep -q 'from a file' "$(raw_req 0 1)" ||
		fail "$(cat -A "$(raw_req 0 0)" "$(raw_req 0 1)")"
	digest_ok 1 alice s3cret "algorithm=MD5 nc=00000001"
}

@test "an Authorization item wins: with --digest its 401 is the answer, nothing is computed" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"'
	hrun --digest -u alice:s3cret "$RAW_URL/x" 'Authorization:Digest mine'
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" denied
	assert_equal "$(auth_of 0)" "Digest mine"
	[[ ! -e $(raw_req 0 1) ]] || fail "a second request was sent"
}

@test "a body from a pipe goes once, complete, with the credentials (Content-Length: 0 first)" {
	raw_challenges 'Digest realm="r", nonce="n1", qop="auth"'
	hrun_pipe 'the streamed body' --digest -u alice:s3cret -d @- "$RAW_URL/up"
	assert_equal "$status" 0
	tr -d '\r' <"$(raw_req 0 0)" >"$T/r0"
	assert_line_re "$T/r0" '^POST /up HTTP/1.1$'
	assert_line_re "$T/r0" '^Content-Length: 0$'
	! grep -q 'streamed' "$T/r0" || fail "the body went with the first request"
	digest_ok 1 alice s3cret "algorithm=MD5 nc=00000001"
	grep -q 'the streamed body' "$(raw_req 0 1)" || fail "no body: $(cat -A "$(raw_req 0 1)")"
}

@test "a body from a pipe held back, and no Digest challenge came: a warning says it was not sent" {
	raw_challenges
	hrun_pipe 'data' --digest -u alice:s3cret -d @- "$RAW_URL/up"
	assert_equal "$status" 0
	assert_line_re "$T/err" '^hcli: warning: the streamed body was not sent: the server asked for no Digest credentials$'
	raw_stop
	raw_challenges 'Basic realm="r"'
	hrun_pipe 'data' -f --digest -u alice:s3cret -d @- "$RAW_URL/up"
	assert_equal "$status" 22
	assert_line_re "$T/err" '^hcli: warning: the streamed body was not sent: the server asked for no Digest credentials$'
	[[ ! -e $(raw_req 0 1) ]] || fail "a second request was sent"
}

# The Authorization field with its cnonce and response values masked.
masked() { # FILE
	tr -d '\r' <"$1" | sed -n 's/^Authorization: //p' |
		sed -E 's/cnonce="[^"]*"/cnonce="C"/; s/response="[^"]*"/response="R"/'
}

@test "curl --digest as a peer: the same Authorization fields, in the same order, for the same challenge" {
	local c bad=() mine theirs
	for c in 'Digest realm="r", nonce="n1", qop="auth"' \
		'Digest realm="r", nonce="n1", qop="auth", opaque="o", algorithm=MD5-sess' \
		'Digest realm="r", nonce="n1", qop="auth", algorithm=SHA-256, opaque="o", userhash=true' \
		'Digest realm="a \"b\"", nonce="n1", qop="auth-int, auth", algorithm=SHA-256-sess'; do
		raw_challenges "$c"
		hrun --digest -u alice:s3cret "$RAW_URL/x?y=1"
		mine=$(masked "$(raw_req 0 1)")
		python3 "$CHECK" "$(raw_req 0 1)" alice s3cret >/dev/null || bad+=("$c: hcli's response is wrong")
		raw_stop
		raw_challenges "$c"
		curl -s --digest -u alice:s3cret "$RAW_URL/x?y=1" >/dev/null
		theirs=$(masked "$(raw_req 0 1)")
		python3 "$CHECK" "$(raw_req 0 1)" alice s3cret >/dev/null || bad+=("$c: curl's response does not check")
		raw_stop
		[[ $mine == "$theirs" ]] || bad+=("$c: hcli '$mine', curl '$theirs'")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# --- Apache mod_auth_digest, and curl as a peer -----------------------------------------

# Apache with Digest (MD5) over /private: static files, and /private/echo
# sends the request body back (mod_reflector). User alice, password s3cret.
apache_digest() {
	mkdir -p "$T/apache/www/private"
	printf 'secret page\n' >"$T/apache/www/private/page.txt"
	printf 'alice:hcli test:%s\n' "$(printf 'alice:hcli test:s3cret' | md5sum | cut -d' ' -f1)" \
		>"$T/apache/htdigest"
	apache_start "$T/apache" auth_digest authn_file authz_user reflector <<'EOF'
<Location /private>
	AuthType Digest
	AuthName "hcli test"
	AuthDigestProvider file
	AuthUserFile "@DIR@/htdigest"
	Require valid-user
</Location>
<Location /private/echo>
	SetHandler reflector
</Location>
EOF
}

@test "Apache mod_auth_digest: GET with --digest -u, as curl --digest does" {
	apache_digest
	hrun --digest -u alice:s3cret "$APACHE_URL/private/page.txt"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "secret page"
	run curl -sS --digest -u alice:s3cret "$APACHE_URL/private/page.txt"
	assert_output "secret page"
	apache_wait_log 4
	assert_equal "$(apache_log)" "GET /private/page.txt 401 cl=- te=- user=-
GET /private/page.txt 200 cl=- te=- user=alice
GET /private/page.txt 401 cl=- te=- user=-
GET /private/page.txt 200 cl=- te=- user=alice"
	hrun -f --digest -u alice:wrong "$APACHE_URL/private/page.txt"
	assert_equal "$status" 22
}

@test "Apache mod_auth_digest: POST from a pipe; the body arrives once, complete, with the credentials" {
	apache_digest
	head -c 300000 /dev/urandom >"$T/body"
	hcli_capture --digest -u alice:s3cret -d @- "$APACHE_URL/private/echo" < <(cat "$T/body")
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/out")" "$(sha256_of "$T/body")"
	apache_wait_log 2
	assert_equal "$(apache_log)" "POST /private/echo 401 cl=0 te=- user=-
POST /private/echo 200 cl=- te=chunked user=alice"
}
