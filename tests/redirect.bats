#!/usr/bin/env bats
# Redirects (SPEC.md, "Connection options", the -L bullet; exit codes 1, 26,
# 47): with -L, 301/302/303 turn into GET without a body (HEAD stays HEAD),
# 307/308 keep the method and the body; a body from a pipe cannot be sent
# twice; relative Locations are resolved (RFC 3986 §5); credentials are
# dropped when the origin changes; only http and https are followed; only the
# final response is printed.  Without -L a 3xx is the response.
#
# Every request is recorded by the raw server; reqs lists them in the order
# they came (connection, then exchange), whatever connection they used.

# shellcheck disable=SC2030,SC2031 # hrun sets status in the test's shell
load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	printf 'file body' >"$T/body"
}

# hrun and hrun_pipe (helpers/run.bash) run hcli with no terminal (a new session).
# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1

# The recorded requests of the raw server in DIR (default $RAW_DIR), in order
# of connection, then exchange.
reqs() { # [DIR]
	local dir=${1:-$RAW_DIR} f
	for f in "$dir"/req-*; do
		[[ -e $f ]] && echo "${f##*/}"
	done | sort -t- -k2,2n -k3,3n | sed "s|^|$dir/|"
}
nreqs() {
	reqs "$RAW_DIR" | wc -l
}
# Path of the Nth request (0-based) of the raw server in DIR.
req() { # N [DIR]
	reqs "${2:-$RAW_DIR}" | sed -n "$(($1 + 1))p"
}
# The request line of the Nth request, without its CRLF.
req_line() { # N [DIR]
	head -n 1 "$(req "$@")" | tr -d '\r'
}
# The Nth request's header field NAME (value only), or nothing.
req_field() { # N NAME [DIR]
	sed -n '1,/^\r$/p' "$(req "$1" "${3:-}")" | tr -d '\r' | grep -i "^$2:" | sed 's/^[^:]*: *//'
}
# The Nth request's body bytes (what follows the empty line).
req_body() { # N [DIR]
	sed '1,/^\r$/d' "$(req "$@")"
}

# _redirect_files DIR CODE LOCATION [head]: DIR/moved.http is CODE with
# LOCATION and a 6-byte body (not sent when "head"), DIR/ok.http a 200 with
# "done\n".  "{port}" in LOCATION is $RAW_PORT.
_redirect_files() {
	local dir=$1 code=$2 loc=${3//\{port\}/$RAW_PORT} moved='moved\n' done='done\n'
	[[ ${4:-} == head ]] && moved='' done=''
	# shellcheck disable=SC2059 # the bodies are printf escapes
	{
		printf "HTTP/1.1 %s Moved\r\nLocation: %s\r\nContent-Length: 6\r\n\r\n$moved" "$code" "$loc" >"$dir/moved.http"
		printf "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n$done" >"$dir/ok.http"
	}
}

# serve_redirect CODE LOCATION [head]: a raw server whose connection 0
# answers CODE with LOCATION, then a 200 "done\n" on the same connection; any
# other connection gets the 200 at once.  The replies are files, read when
# sent, so LOCATION may name the server's own port as "{port}".
serve_redirect() {
	local dir
	dir=$(mktemp -d "$T/redirect.XXXXXX")
	: >"$dir/moved.http"
	: >"$dir/ok.http"
	echo '[[{"reply_file": "moved.http"}, {"reply_file": "ok.http"}], [{"reply_file": "ok.http"}]]' \
		>"$dir/script.json"
	raw_start "$dir/script.json" 127.0.0.1 "$dir/raw"
	_redirect_files "$dir" "$@"
}

# For tables: redirect_server starts one raw server whose every connection
# answers moved.http, then ok.http; set_redirect CODE LOCATION [head] rewrites
# them for the next row and forgets the requests recorded so far.  A row's
# redirect must come back on its connection (same origin: reused, as the last
# test checks), else it would be redirected again.
redirect_server() {
	RS_DIR=$T/rs
	mkdir -p "$RS_DIR"
	: >"$RS_DIR/moved.http"
	: >"$RS_DIR/ok.http"
	echo '[[{"reply_file": "moved.http"}, {"reply_file": "ok.http"}]]' >"$RS_DIR/script.json"
	raw_start "$RS_DIR/script.json" 127.0.0.1 "$RS_DIR/raw"
}
set_redirect() {
	rm -f "$RAW_DIR"/req-*
	_redirect_files "$RS_DIR" "$@"
}

# A raw server that answers every request with a 200 "done\n" (for a second origin).
serve_ok() {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ndone\n"}]]
EOF
}

# --- methods and bodies -------------------------------------------------------

@test "301/302/303 turn into GET without a body (HEAD stays HEAD); 307/308 keep method and body" {
	local code opts items method want_method want_body bad=() got body out
	redirect_server
	# CODE | OPTIONS | ITEMS | 1st METHOD | 2nd METHOD | 2nd BODY  (FILE: $T/body)
	while IFS='|' read -r code opts items method want_method want_body; do
		[[ $code == \#* ]] && continue
		code=${code// /} method=${method// /} want_method=${want_method// /} want_body=${want_body// /}
		[[ $want_body == FILE ]] && want_body=$(cat "$T/body")
		read -ra o <<<"${opts//FILE/$T/body}"
		read -ra i <<<"${items//FILE/$T/body}"
		set_redirect "$code" /next "$([[ $method == HEAD ]] && echo head)"
		hrun -L "${o[@]}" "$RAW_URL/start" "${i[@]}"
		got="$status $(nreqs) $(req_line 0 2>/dev/null) | $(req_line 1 2>/dev/null)"
		local want="0 2 $method /start HTTP/1.1 | $want_method /next HTTP/1.1"
		[[ $got == "$want" ]] || bad+=("$code $opts $items: want '$want', got '$got' $(cat "$T/err")")
		((status == 0 && $(nreqs) == 2)) || continue
		body=$(req_body 1)
		[[ $body == "$want_body" ]] || bad+=("$code $opts $items: second body '$body', want '$want_body'")
		if [[ -z $want_body ]]; then
			[[ -z $(req_field 1 Content-Length)$(req_field 1 Transfer-Encoding) ]] ||
				bad+=("$code $opts $items: the second request has body framing")
		else
			[[ $(req_field 1 Content-Length) == "${#want_body}" ]] ||
				bad+=("$code $opts $items: second Content-Length '$(req_field 1 Content-Length)'")
		fi
		out='done'
		[[ $method == HEAD ]] && out=''
		[[ $(cat "$T/out") == "$out" ]] || bad+=("$code $opts $items: stdout '$(cat "$T/out")', want '$out'")
	done <<'EOF'
# CODE | OPTIONS    | ITEMS | 1st    | 2nd    | 2nd BODY
301    |            |       | GET    | GET    |
301    | -d a=1     |       | POST   | GET    |
301    | -X HEAD    |       | HEAD   | HEAD   |
301    | -X PUT -d a=1 |    | PUT    | GET    |
302    |            |       | GET    | GET    |
302    | -d a=1     |       | POST   | GET    |
302    | -X HEAD    |       | HEAD   | HEAD   |
303    |            |       | GET    | GET    |
303    | -d a=1     |       | POST   | GET    |
303    | -X HEAD    |       | HEAD   | HEAD   |
303    | -X DELETE  |       | DELETE | GET    |
307    |            |       | GET    | GET    |
307    | -d a=1     |       | POST   | POST   | a=1
307    | -X HEAD    |       | HEAD   | HEAD   |
307    | -X PUT -d @FILE |  | PUT    | PUT    | FILE
307    | -X DELETE  |       | DELETE | DELETE |
308    |            |       | GET    | GET    |
308    | -d a=1     |       | POST   | POST   | a=1
308    | -X HEAD    |       | HEAD   | HEAD   |
308    | -X PUT     | @FILE | PUT    | PUT    | FILE
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "307 and 308 with a body from a pipe: 26 ReadError, one request" {
	for code in 307 308; do
		serve_redirect "$code" /next
		hrun_pipe piped -L -d @- "$RAW_URL/start"
		[[ $status -eq 26 ]] || fail "$code: $(show)"
		grep -q '^hcli: ReadError: ' "$T/err" || fail "$code: $(show)"
		assert_equal "$(grep -c '^hcli: ' "$T/err")" 1
		assert_equal "$(nreqs)" 1
		raw_stop
	done
}

@test "303 with a body from a pipe: the GET needs no body, so it is followed" {
	serve_redirect 303 /next
	hrun_pipe piped -L -d @- "$RAW_URL/start"
	[[ $status -eq 0 && $(cat "$T/out") == "done" ]] || fail "$(show)"
	assert_equal "$(req_line 1)" "GET /next HTTP/1.1"
	assert_equal "$(req_body 1)" ""
}

# --- credentials across origins ----------------------------------------------------

basic() { printf '%s' "$1" | base64; }

# creds_table other|same: for each row (OPTIONS | ITEMS | WANT) of standard
# input, a 302 to another port ("other": a second raw server) or to /next
# ("same"); WANT is "FIRST -> SECOND", each a list of "Name=value;" for the
# fields Authorization, Cookie, Proxy-Authorization and X-Keep (an item every
# request has).  URLCREDS is the URL http://uu:up@..., NETRC a netrc file
# for 127.0.0.1 (login nu, password np); BASIC_* are those credentials in base64.
creds_table() {
	local where=$1 opts items want got f n first second url bad=() other_dir='' loc=/next
	printf 'machine 127.0.0.1 login nu password np\n' >"$T/netrc"
	chmod 600 "$T/netrc"
	if [[ $where == other ]]; then
		serve_ok
		other_dir=$RAW_DIR loc="http://127.0.0.1:$RAW_PORT/next"
	fi
	redirect_server
	# shellcheck disable=SC2162 # backslashes quote spaces inside the ITEMS column
	while IFS="|" read -r opts items want; do
		[[ $opts == \#* ]] && continue
		read -a o <<<"$opts"
		read -a i <<<"$items"
		want=$(sed -E 's/^ +//; s/ +-> +/ -> /' <<<"$want")
		want=${want//BASIC_URL/$(basic uu:up)} want=${want//BASIC_NETRC/$(basic nu:np)}
		want=${want//BASIC_U/$(basic u:p)}
		url=$RAW_URL/start
		if [[ ${o[0]:-} == URLCREDS ]]; then
			o=() url="http://uu:up@127.0.0.1:$RAW_PORT/start"
		fi
		o=("${o[@]/NETRC/$T/netrc}")
		set_redirect 302 "$loc"
		[[ -n $other_dir ]] && rm -f "$other_dir"/req-*
		hrun -L "${o[@]}" "$url" "${i[@]}" X-Keep:1
		if [[ $status -ne 0 || $(cat "$T/out") != "done" ]]; then
			bad+=("$opts|$items: $(show)")
			continue
		fi
		first='' second=''
		for f in Authorization Cookie Proxy-Authorization X-Keep; do
			n=$(req_field 0 "$f")
			[[ -n $n ]] && first+="$f=$n;"
			if [[ -n $other_dir ]]; then n=$(req_field 0 "$f" "$other_dir"); else n=$(req_field 1 "$f"); fi
			[[ -n $n ]] && second+="$f=$n;"
		done
		got="$first -> $second"
		[[ $got == "$want" ]] || bad+=("$opts|$items: want '$want', got '$got'")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "a redirect to another port drops -u, URL, netrc credentials, -b and Authorization, Cookie, Proxy-Authorization items" {
	creds_table other <<'EOF'
# OPTIONS       | ITEMS                          | FIRST REQUEST                              -> SECOND REQUEST
-u u:p          |                                | Authorization=Basic BASIC_U;X-Keep=1;       -> X-Keep=1;
URLCREDS        |                                | Authorization=Basic BASIC_URL;X-Keep=1;     -> X-Keep=1;
--netrc-file NETRC |                             | Authorization=Basic BASIC_NETRC;X-Keep=1;   -> X-Keep=1;
-u u:p          | Authorization:Bearer\ t        | Authorization=Bearer t;X-Keep=1;            -> X-Keep=1;
                | Cookie:a=b                     | Cookie=a=b;X-Keep=1;                        -> X-Keep=1;
-b a=b          |                                | Cookie=a=b;X-Keep=1;                        -> X-Keep=1;
-H Cookie:a=b   |                                | Cookie=a=b;X-Keep=1;                        -> X-Keep=1;
                | Proxy-Authorization:Basic\ eA== | Proxy-Authorization=Basic eA==;X-Keep=1;   -> X-Keep=1;
EOF
}

@test "a redirect to another host name on the same port drops the credentials; Host is the new one" {
	local port
	serve_redirect 302 "http://b.test:{port}/next"
	port=$RAW_PORT
	hrun -L --resolve "a.test:$port:127.0.0.1" --resolve "b.test:$port:127.0.0.1" -u u:p \
		"http://a.test:$port/start" Cookie:c=1 X-Keep:1
	[[ $status -eq 0 && $(cat "$T/out") == "done" ]] || fail "$(show)"
	assert_equal "$(nreqs)" 2
	assert_equal "$(req_field 0 Host)" "a.test:$port"
	assert_equal "$(req_field 0 Authorization)" "Basic $(basic u:p)"
	assert_equal "$(req_field 0 Cookie)" "c=1"
	assert_equal "$(req_line 1)" "GET /next HTTP/1.1"
	assert_equal "$(req_field 1 Host)" "b.test:$port"
	assert_equal "$(req_field 1 Authorization)" ""
	assert_equal "$(req_field 1 Cookie)" ""
	assert_equal "$(req_field 1 X-Keep)" "1"
}

@test "a same-origin redirect keeps every credential" {
	creds_table same <<'EOF'
# OPTIONS       | ITEMS                          | FIRST REQUEST                              -> SECOND REQUEST
-u u:p          |                                | Authorization=Basic BASIC_U;X-Keep=1;       -> Authorization=Basic BASIC_U;X-Keep=1;
URLCREDS        |                                | Authorization=Basic BASIC_URL;X-Keep=1;     -> Authorization=Basic BASIC_URL;X-Keep=1;
--netrc-file NETRC |                             | Authorization=Basic BASIC_NETRC;X-Keep=1;   -> Authorization=Basic BASIC_NETRC;X-Keep=1;
-u u:p          | Authorization:Bearer\ t        | Authorization=Bearer t;X-Keep=1;            -> Authorization=Bearer t;X-Keep=1;
                | Cookie:a=b                     | Cookie=a=b;X-Keep=1;                        -> Cookie=a=b;X-Keep=1;
-b a=b          |                                | Cookie=a=b;X-Keep=1;                        -> Cookie=a=b;X-Keep=1;
                | Proxy-Authorization:Basic\ eA== | Proxy-Authorization=Basic eA==;X-Keep=1;   -> Proxy-Authorization=Basic eA==;X-Keep=1;
EOF
}

@test "once a redirect left the origin, the credentials stay behind even when one leads back" {
	# A: /start → B: /elsewhere → A: /back → 200.  Each needs the other's port:
	# A's reply files are written again once B listens.
	local a_dir a_port
	serve_redirect 302 "http://127.0.0.1:1/elsewhere"
	a_dir=$RAW_DIR a_port=$RAW_PORT
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 302 Found\\r\\nLocation: http://127.0.0.1:$a_port/back\\r\\nContent-Length: 0\\r\\n\\r\\n"}]]
EOF
	local b_dir=$RAW_DIR b_port=$RAW_PORT
	RAW_PORT=$a_port _redirect_files "${a_dir%/raw}" 302 "http://127.0.0.1:$b_port/elsewhere"
	RAW_DIR=$a_dir
	hrun -L -u u:p "http://127.0.0.1:$a_port/start" Cookie:c=1
	[[ $status -eq 0 && $(cat "$T/out") == "done" ]] || fail "$(show)"
	assert_equal "$(nreqs)" 2
	assert_equal "$(req_line 1)" "GET /back HTTP/1.1"
	assert_equal "$(req_field 0 Authorization)" "Basic $(basic u:p)"
	assert_equal "$(req_field 0 Authorization "$b_dir")" ""
	assert_equal "$(req_field 1 Authorization)" ""
	assert_equal "$(req_field 1 Cookie)" ""
}

@test "-L -p H prints every request head sent, but only the final response" {
	serve_redirect 302 /next
	hrun -L -p Hb "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(grep -E '^(GET|HTTP)' "$T/out")" "GET /start HTTP/1.1
GET /next HTTP/1.1"
	assert_equal "$(tail -n 1 "$T/out")" "done"
}

# --- limits and schemes ----------------------------------------------------------

# serve_loop N: one connection answering N requests with 302 to /loop
serve_loop() {
	python3 -c 'import json, sys
r = {"reply": "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"}
print(json.dumps([[r] * int(sys.argv[1])]))' "$1" >"$T/loop.json"
	raw_start "$T/loop.json"
}

@test "a redirect loop with --max-redirs 3: 47 TooManyRedirects after exactly 4 requests" {
	serve_loop 10
	hrun -L --max-redirs 3 "$RAW_URL/loop"
	[[ $status -eq 47 && ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
	grep -q '^hcli: TooManyRedirects: ' "$T/err" || fail "$(show)"
	assert_equal "$(nreqs)" 4
}

@test "the default limit is 50: 51 requests, then 47" {
	serve_loop 60
	hrun -L "$RAW_URL/loop"
	[[ $status -eq 47 ]] || fail "$(show)"
	grep -q '^hcli: TooManyRedirects: ' "$T/err" || fail "$(show)"
	assert_equal "$(nreqs)" 51
}

@test "--max-redirs 0: the first redirect is already too many (47, one request)" {
	serve_loop 3
	hrun -L --max-redirs 0 "$RAW_URL/loop"
	[[ $status -eq 47 ]] || fail "$(show)"
	assert_equal "$(nreqs)" 1
}

@test "Location: file:///etc/passwd with -L: 1 UnknownProtocol, nothing read, nothing connected" {
	serve_redirect 302 file:///etc/passwd
	hrun -L "$RAW_URL/start"
	[[ $status -eq 1 && ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
	grep -q '^hcli: UnknownProtocol: ' "$T/err" || fail "$(show)"
	assert_equal "$(raw_conns)" 1
	assert_equal "$(nreqs)" 1
}

@test "a malformed Location with -L: 3 InvalidURL, nothing connected afterwards" {
	serve_redirect 302 "http://127.0.0.1:99999/x"
	hrun -L "$RAW_URL/start"
	[[ $status -eq 3 && ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
	grep -q '^hcli: InvalidURL: ' "$T/err" || fail "$(show)"
	assert_equal "$(raw_conns)" 1
	assert_equal "$(nreqs)" 1
}

@test "Location: ftp://... to a listening server: 1, and that server sees no connection" {
	serve_ok
	local other_dir=$RAW_DIR other_port=$RAW_PORT
	serve_redirect 301 "ftp://127.0.0.1:$other_port/x"
	hrun -L "$RAW_URL/start"
	[[ $status -eq 1 ]] || fail "$(show)"
	grep -q '^hcli: UnknownProtocol: ' "$T/err" || fail "$(show)"
	assert_equal "$(cat "$other_dir/conns" 2>/dev/null || echo 0)" 0
}

# --- Location resolution -----------------------------------------------------------

@test "relative Locations are resolved against the request URL (RFC 3986 §5; the base's scheme without // is relative)" {
	local loc want bad=() got
	redirect_server
	while IFS='|' read -r loc want; do
		[[ $loc == \#* ]] && continue
		loc=${loc// /} want=${want// /}
		set_redirect 302 "$loc"
		# base: http://a.test:PORT/a/b/c?x=1
		hrun -L --resolve "a.test:$RAW_PORT:127.0.0.1" --resolve "b.test:$RAW_PORT:127.0.0.1" \
			"http://a.test:$RAW_PORT/a/b/c?x=1"
		got="$status $(nreqs) $(req_line 1 2>/dev/null) $(req_field 1 Host 2>/dev/null)"
		want="0 2 GET ${want%@*} HTTP/1.1 ${want#*@}:$RAW_PORT"
		[[ $got == "$want" ]] || bad+=("Location $loc: want '$want', got '$got' $(cat "$T/err")")
	done <<'EOF'
# LOCATION            | REQUEST TARGET @ HOST
../x                  | /a/x @ a.test
?q                    | /a/b/c?q @ a.test
d                     | /a/b/d @ a.test
./                    | /a/b/ @ a.test
../                   | /a/ @ a.test
/abs?y=2              | /abs?y=2 @ a.test
../../../../g         | /g @ a.test
d/./e/../f            | /a/b/d/f @ a.test
d#frag                | /a/b/d @ a.test
;p                    | /a/b/;p @ a.test
http://a.test:{port}/full | /full @ a.test
http://a.test:{port}/x/../y/./z | /y/z @ a.test
HTTP://a.test:{port}/up  | /up @ a.test
http:foo/bar          | /a/b/foo/bar @ a.test
HTTP:/abs2?k          | /abs2?k @ a.test
http:?q2              | /a/b/c?q2 @ a.test
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "a network-path Location //host:port/p goes to that host and port" {
	serve_ok
	local other_dir=$RAW_DIR other_port=$RAW_PORT
	serve_redirect 302 "//127.0.0.1:$other_port/p?z=1"
	hrun -L "$RAW_URL/start"
	[[ $status -eq 0 && $(cat "$T/out") == "done" ]] || fail "$(show)"
	assert_equal "$(nreqs)" 1
	assert_equal "$(req_line 0 "$other_dir")" "GET /p?z=1 HTTP/1.1"
	assert_equal "$(req_field 0 Host "$other_dir")" "127.0.0.1:$other_port"
}

@test "an absolute Location to another port of the same host" {
	serve_ok
	local other_dir=$RAW_DIR other_port=$RAW_PORT
	serve_redirect 308 "http://127.0.0.1:$other_port/full"
	hrun -L -d x=1 "$RAW_URL/start"
	[[ $status -eq 0 && $(cat "$T/out") == "done" ]] || fail "$(show)"
	assert_equal "$(req_line 0 "$other_dir")" "POST /full HTTP/1.1"
	assert_equal "$(req_body 0 "$other_dir")" "x=1"
}

@test "spaces and non-ASCII bytes in a Location are percent-encoded; %XX is kept" {
	local loc want bad=() got
	redirect_server
	while IFS='|' read -r loc want; do
		loc=${loc%"${loc##*[! ]}"} want=${want// /}
		set_redirect 302 "$loc"
		hrun -L "$RAW_URL/start"
		got="$status $(req_line 1 2>/dev/null)"
		[[ $got == "0 GET $want HTTP/1.1" ]] || bad+=("Location '$loc': want $want, got '$got' $(cat "$T/err")")
	done <<'EOF'
/a b                  | /a%20b
/é                    | /%C3%A9
/a b/é?q=ü v          | /a%20b/%C3%A9?q=%C3%BC%20v
/x%20y                | /x%20y
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# --- output ---------------------------------------------------------------------

@test "without -L a 3xx is the response: printed as is, exit 0, one request" {
	serve_redirect 302 /next
	hrun -p hb "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "$(printf 'HTTP/1.1 302 Moved\nLocation: /next\nContent-Length: 6\n\nmoved')"
	assert_equal "$(nreqs)" 1
}

@test "-L with a 3xx without Location: that is the response, exit 0" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 302 Found\r\nContent-Length: 3\r\n\r\nno\n"}]]
EOF
	hrun -L -p hb "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "$(printf 'HTTP/1.1 302 Found\nContent-Length: 3\n\nno')"
	assert_equal "$(nreqs)" 1
}

@test "-L -p h prints only the final head; the 3xx body is not printed" {
	serve_redirect 301 /next
	hrun -L -p hb "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "$(printf 'HTTP/1.1 200 OK\nContent-Length: 5\n\ndone')"
}

@test "-v shows '* Redirect 302 to URL' and each hop's heads" {
	serve_redirect 302 /next
	hrun -L -v "$RAW_URL/start"
	assert_equal "$status" 0
	grep -qx "\\* Redirect 302 to $RAW_URL/next" "$T/err" || fail "$(show)"
	assert_equal "$(grep -E '^(> [A-Z]+ /|< HTTP/)' "$T/err")" "> GET /start HTTP/1.1
< HTTP/1.1 302 Moved
> GET /next HTTP/1.1
< HTTP/1.1 200 OK"
	assert_equal "$(cat "$T/out")" "done"
}

@test "-w: %{num_redirects}, %{url_effective} and %{http_code} describe the final hop" {
	serve_redirect 307 /next
	hrun -L -o /dev/null -w '%{num_redirects} %{url_effective} %{http_code}' "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "1 $RAW_URL/next 200"
}

@test "a redirect reuses the connection to the same origin" {
	serve_redirect 302 /next
	hrun -L "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(raw_conns)" 1
	assert_equal "$(reqs | xargs -n1 basename | tr '\n' ' ')" "req-0-0 req-0-1 "
}

@test "-m covers the whole redirect chain: two 0.6 s hops do not fit in 1 s, and fit in 20 s" {
	local script='[[{"delay_ms": 600, "reply": "HTTP/1.1 302 Moved\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"},
  {"delay_ms": 600, "reply": "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"}]]'
	raw_start - <<<"$script"
	hrun -L -m 1 "$RAW_URL/start"
	assert_equal "$status" 28
	# the engine says what happened, the command line which option set the limit
	grep -qx 'hcli: Timeout: the transfer took longer than the time allowed for it (--max-time)' "$T/err" ||
		fail "$(show)"
	raw_stop
	raw_start - <<<"$script"
	# a wide margin: the time limit is the point, not the machine's speed
	hrun -L -m 20 "$RAW_URL/start"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "done"
}
