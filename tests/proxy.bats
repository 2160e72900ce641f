#!/usr/bin/env bats
# Proxies (SPEC.md, "Connection options", the proxy bullet; exit code 5 and
# 56): http:// targets are sent to the proxy in absolute form, https://
# targets go through a CONNECT tunnel; proxy credentials come from the proxy
# URL; the environment (http_proxy, https_proxy, all_proxy, no_proxy, upper
# case but HTTP_PROXY) is honoured unless -x is given; --noproxy and no_proxy
# follow curl's rules.
#
# Real peers: tinyproxy (helpers/tinyproxy.bash) in front of a private-CA
# nginx (helpers/tls.bash: an HTTPS site "localhost" and a plain HTTP site).
# Which requests went through tinyproxy is read from its log; the exact bytes
# hcli sends to a proxy are recorded by the raw server posing as the proxy.

# shellcheck disable=SC2030,SC2031,SC2153 # hrun sets status here; helpers set RAW_*, TP_*
load helpers/common
load helpers/tls
load helpers/tinyproxy

setup_file() {
	export PKI=$BATS_FILE_TMPDIR/pki
	pki_make "$PKI"
	tls_nginx_start "$BATS_FILE_TMPDIR/nginx" "$PKI" localhost=localhost-chain plain
	TLS_PORT=$(tls_port localhost) PLAIN_PORT=$(tls_port plain)
	export TLS_PORT PLAIN_PORT
	# gnutls-serv --http answers with a page that shows the request head it got
	gserv_start --x509certfile "$PKI/localhost.pem" --x509keyfile "$PKI/localhost.key"
	# CONNECT is allowed to the HTTPS servers' ports only
	tinyproxy_start "$BATS_FILE_TMPDIR/proxy" "ConnectPort $TLS_PORT" "ConnectPort $GSERV_PORT"
	export PROXY=$TP_URL PROXY_DIR=$TP_DIR
	tinyproxy_start "$BATS_FILE_TMPDIR/authproxy" "ConnectPort $TLS_PORT" 'BasicAuth puser ppass'
	export AUTHPROXY=$TP_URL AUTHPROXY_DIR=$TP_DIR
	VERSION=$(hcli_version)
	export VERSION
}

setup() {
	T=$BATS_TEST_TMPDIR
	CA=(--cacert "$PKI/ca.pem")
	HTTPS_URL="https://localhost:$TLS_PORT/site"
	HTTP_URL="http://127.0.0.1:$PLAIN_PORT/site"
	# nothing from the caller's environment
	unset http_proxy https_proxy all_proxy no_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY
	# the logs' lengths before the test: proxy_requests and nginx_rows look after them
	PROXY_MARK=$(wc -l <"$PROXY_DIR/log")
	AUTHPROXY_MARK=$(wc -l <"$AUTHPROXY_DIR/log")
	NGINX_MARK=$(wc -l <"$NGINX_DIR/access.log")
}

# hrun [NAME=VALUE...] [--] ARGS...: hcli (helpers/run.bash) with these
# variables added to its environment (setup removed every proxy variable) and
# no terminal (a new session).  expect_ok BODY and expect_fail STATUS KIND
# DETAIL (a fixed string) take the same arguments after theirs.
# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1
hrun() {
	local HRUN_ENV=()
	while (($#)) && [[ $1 == [A-Za-z_]*=* ]]; do
		HRUN_ENV+=("$1")
		shift
	done
	[[ ${1:-} == -- ]] && shift
	hcli_capture "$@" </dev/null
}

# The request lines tinyproxy read since the test began ("GET http://... HTTP/1.1",
# "CONNECT host:port HTTP/1.1"), one per line.  tinyproxy logs a request
# before passing it on, so a client that has its answer finds the line there.
proxy_requests() { # [DIR MARK]
	local dir=${1:-$PROXY_DIR} mark=${2:-$PROXY_MARK}
	tail -n "+$((mark + 1))" "$dir/log" | sed -n 's/^.*: Request (file descriptor [0-9]*): //p'
}

# nginx's rows since the test began: "conn=N req=R site=SITE METHOD STATUS URI".
# A sentinel request that bypasses every proxy (curl, its own connection)
# comes last, so no row of hcli's can still be missing.
nginx_rows() {
	command curl -s --noproxy '*' -o /dev/null "http://127.0.0.1:$PLAIN_PORT/sentinel-$BATS_TEST_NUMBER"
	harness_wait_for 5 grep -q "uri=\"/sentinel-$BATS_TEST_NUMBER\"" "$NGINX_DIR/access.log"
	tail -n "+$((NGINX_MARK + 1))" "$NGINX_DIR/access.log" | grep -v 'uri="/sentinel-' |
		sed -E 's/^(conn=[0-9]+ req=[0-9]+) site=([^ ]*) .* method=([A-Z]+) status=([0-9]+) .* uri="([^"]*)".*$/\1 site=\2 \3 \4 \5/'
}

# A raw server posing as a proxy: every connection gets REPLY (JSON string
# escapes; default: a 200 with "ok\n"), then the connection is kept open.
raw_proxy() { # [REPLY]
	local reply=${1:-'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'}
	raw_reply "$reply"
}

# The recorded request C-N holds exactly the bytes of printf FORMAT ARGS...
assert_request() { # C N FORMAT [ARG...]
	assert_bytes "$(raw_req "$1" "$2")" "${@:3}"
}

# A port on 127.0.0.1 where nothing listens.
dead_port() {
	harness_free_port
}

# --- http:// targets: absolute form ------------------------------------------

@test "http:// through tinyproxy: absolute form, the body comes back" {
	expect_ok plain -x "$PROXY" "$HTTP_URL"
	assert_equal "$(proxy_requests)" "GET http://127.0.0.1:$PLAIN_PORT/site HTTP/1.1"
	assert_equal "$(nginx_rows | cut -d' ' -f3-)" "site=plain GET 200 /site"
}

@test "--http2 and --http2-prior-knowledge: an http:// URL through a proxy stays HTTP/1.1 in absolute form" {
	local opt
	for opt in --http2 --http2-prior-knowledge; do
		PROXY_MARK=$(wc -l <"$PROXY_DIR/log")
		hrun "$opt" -x "$PROXY" -w ' %{http_version}' "$HTTP_URL"
		[[ $status -eq 0 && $(cat "$T/out") == $'plain\n 1.1' ]] || fail "$opt: $(show)"
		assert_equal "$(proxy_requests)" "GET http://127.0.0.1:$PLAIN_PORT/site HTTP/1.1"
	done
}

@test "absolute form exactly: request line with scheme, host and port; Host field kept" {
	raw_proxy
	local port
	port=$(dead_port)
	expect_ok ok -x "$RAW_URL" "http://127.0.0.1:$port/x?a=1"
	assert_equal "$(raw_conns)" 1
	assert_request 0 0 'GET http://127.0.0.1:%s/x?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: hcli/%s\r\nAccept: */*\r\nAccept-Encoding: identity\r\n\r\n' \
		"$port" "$port" "$VERSION"
}

@test "absolute form: proxy credentials from the proxy URL as Proxy-Authorization, --proxy-header not sent" {
	raw_proxy
	local port
	port=$(dead_port)
	expect_ok ok -x "http://pu%40x:p%3Aw@127.0.0.1:$RAW_PORT" --proxy-header 'X-Proxy-Token: abc' \
		"http://127.0.0.1:$port/x"
	# base64 of "pu@x:p:w", computed apart from hcli
	local cred
	cred=$(printf 'pu@x:p:w' | base64)
	grep -qx "Proxy-Authorization: Basic $cred"$'\r' "$(raw_req 0 0)" || fail "$(cat -A "$(raw_req 0 0)")"
	! grep -qi '^X-Proxy-Token' "$(raw_req 0 0)" || fail "--proxy-header sent without CONNECT"
	head -n 1 "$(raw_req 0 0)" | grep -qx "GET http://127.0.0.1:$port/x HTTP/1.1"$'\r'
}

@test "http:// with a POST body through tinyproxy reaches nginx" {
	hrun -x "$PROXY" -p h -d 'a=1' "http://127.0.0.1:$PLAIN_PORT/upload/posted"
	# nginx's dav location refuses POST: what matters is that it came through
	assert_equal "$(proxy_requests)" "POST http://127.0.0.1:$PLAIN_PORT/upload/posted HTTP/1.1"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(nginx_rows | cut -d' ' -f3-4)" "site=plain POST"
}

# --- https:// targets: CONNECT ----------------------------------------------------

@test "https:// through tinyproxy: CONNECT, then TLS with the target's name, verified with --cacert" {
	expect_ok localhost -x "$PROXY" "${CA[@]}" "$HTTPS_URL"
	assert_equal "$(proxy_requests)" "CONNECT localhost:$TLS_PORT HTTP/1.1"
	assert_equal "$(nginx_rows | cut -d' ' -f3-)" "site=localhost GET 200 /site"
	grep -q 'sni="localhost"' "$NGINX_DIR/access.log"
}

@test "-v through a CONNECT tunnel shows the proxy's reply head, then the server's" {
	hrun -v -x "$PROXY" "${CA[@]}" "$HTTPS_URL"
	[[ $status -eq 0 && $(cat "$T/out") == localhost ]] || fail "$(show)"
	assert_equal "$(grep -E '^(> [A-Z]+ |< HTTP/)' "$T/err")" "> CONNECT localhost:$TLS_PORT HTTP/1.1
< HTTP/1.0 200 Connection established
> GET /site HTTP/1.1
< HTTP/1.1 200 OK"
}

@test "https:// through tinyproxy without the CA: the certificate is still verified (60)" {
	expect_fail 60 CertificateError '' -x "$PROXY" "$HTTPS_URL"
	assert_equal "$(proxy_requests)" "CONNECT localhost:$TLS_PORT HTTP/1.1"
}

@test "CONNECT exactly: authority, Host, Proxy-Authorization from the proxy URL, --proxy-header fields" {
	raw_proxy 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'
	expect_fail 56 ProxyError "the proxy refused CONNECT to localhost port $TLS_PORT: HTTP/1.1 403 Forbidden" \
		-x "http://puser:ppass@127.0.0.1:$RAW_PORT" --proxy-header 'X-Proxy-Token: abc' \
		--proxy-header 'X-Other:2' "${CA[@]}" "$HTTPS_URL" X-Item:1 -u user:pw
	assert_equal "$(raw_conns)" 1
	# Host is the authority; user items and -u belong to the tunnelled request
	assert_request 0 0 'CONNECT localhost:%s HTTP/1.1\r\nHost: localhost:%s\r\nProxy-Authorization: Basic %s\r\nX-Proxy-Token: abc\r\nX-Other: 2\r\n\r\n' \
		"$TLS_PORT" "$TLS_PORT" "$(printf puser:ppass | base64)"
}

# The request head that gnutls-serv got, from its page in $T/out.
gserv_head() {
	tr -d '\r' <"$T/out" | sed -n '/Your HTTP header was:/,/<\/PRE>/p' | sed 's/^.*<PRE>//; /<\/PRE>/d'
}

@test "inside the tunnel: the server gets the items, never the proxy's credentials or --proxy-header fields" {
	hrun -x "http://puser:ppass@127.0.0.1:${PROXY##*:}" --proxy-header 'X-Via-Proxy: 1' "${CA[@]}" \
		"https://localhost:$GSERV_PORT/" X-Item:1
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(proxy_requests)" "CONNECT localhost:$GSERV_PORT HTTP/1.1"
	gserv_head >"$T/head"
	grep -qx 'X-Item: 1' "$T/head" || fail "$(cat "$T/head")"
	grep -qx "Host: localhost:$GSERV_PORT" "$T/head" || fail "$(cat "$T/head")"
	! grep -qi '^Proxy-Authorization\|^X-Via-Proxy' "$T/head" || fail "$(cat "$T/head")"
}

@test "bytes after the proxy's 2xx to CONNECT: 56 ProxyError, TLS never starts, nothing of them is output" {
	# a proxy speaking for the origin: a forged response right behind its 200
	raw_proxy 'HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nFORGED\n'
	expect_fail 56 ProxyError 'the proxy sent 45 bytes after its 200 reply to CONNECT' \
		"${CA[@]}" -x "$RAW_URL" "$HTTPS_URL"
	[[ ! -s $T/out ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 1
	# no ClientHello went out after the CONNECT
	[[ ! -e $(raw_req 0 1) ]] || fail "TLS started: $(xxd "$(raw_req 0 1)" | head -3)"
}

@test "proxy credentials never appear in an error message (bad proxy URL, refused connection, refused CONNECT)" {
	local row want args
	raw_proxy 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'
	# exit | arguments (the proxy's password is s3cret; its user may be shown)
	while IFS='|' read -r want args; do
		want=${want// /}
		eval "args=($args)"
		hrun "${args[@]}"
		assert_equal "${args[*]}: $status" "${args[*]}: $want"
		[[ $(wc -l <"$T/err") -eq 1 ]] || fail "$(show)"
		! grep -q 's3cret\|s3@cret\|cret@\|cHVzZXI6czNjcmV0' "$T/err" || fail "credentials shown: $(show)"
	done <<EOF
1 |-x 'https://puser:s3cret@127.0.0.1:1' "$HTTP_URL"
1 |-x 'ftp://puser:s3cret@127.0.0.1' "$HTTP_URL"
3 |-x 'http://puser:s3cret@127.0.0.1:99999' "$HTTP_URL"
3 |-x 'puser:s3cret@[::1' "$HTTP_URL"
3 |-x 'http://pu@ser:s3@cret@127.0.0.1:0' "$HTTP_URL"
3 |https_proxy='http://puser:s3cret@127.0.0.1:0' -- "$HTTPS_URL"
7 |-x "http://puser:s3cret@127.0.0.1:$(dead_port)" "$HTTP_URL"
56|-x "http://puser:s3cret@127.0.0.1:$RAW_PORT" --cacert "$PKI/ca.pem" "$HTTPS_URL"
EOF
}

@test "a refused CONNECT is not retried" {
	raw_proxy 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'
	expect_fail 56 ProxyError 'HTTP/1.1 503 Service Unavailable' --retry 2 --retry-delay 0.01 -x "$RAW_URL" "$HTTPS_URL"
	assert_equal "$(raw_conns)" 1
}

@test "CONNECT to an IPv6 literal: the authority in brackets" {
	raw_proxy 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'
	expect_fail 56 ProxyError 'HTTP/1.1 403 Forbidden' -x "$RAW_URL" "https://[::1]:8443/x"
	assert_request 0 0 'CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n'
}

@test "CONNECT to a long host name (670 bytes): the authority and Host go whole, never cut" {
	local host
	host=$(printf 'a%.0s' {1..60}) host="$host.$host.$host.$host.$host.$host.$host.$host.$host.$host.$host"
	raw_proxy 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'
	hrun -x "$RAW_URL" "https://$host:8443/x"
	assert_equal "$status" 56
	assert_request 0 0 'CONNECT %s:8443 HTTP/1.1\r\nHost: %s:8443\r\n\r\n' "$host" "$host"
}

@test "a ConnectPort restriction: CONNECT refused, 56 with the proxy's status line" {
	expect_fail 56 ProxyError "the proxy refused CONNECT to 127.0.0.1 port $PLAIN_PORT: HTTP/1.1 403 Access violation" \
		-x "$PROXY" "https://127.0.0.1:$PLAIN_PORT/site"
	assert_equal "$(proxy_requests)" "CONNECT 127.0.0.1:$PLAIN_PORT HTTP/1.1"
	assert_equal "$(nginx_rows)" ""
}

@test "-v shows the proxy's reply head to a refused CONNECT; the error line still names it" {
	hrun -v -x "$PROXY" "https://127.0.0.1:$PLAIN_PORT/site"
	assert_equal "$status" 56
	grep -qx '> CONNECT 127.0.0.1:'"$PLAIN_PORT"' HTTP/1.1' "$T/err" || fail "$(show)"
	grep -qx '< HTTP/1.1 403 Access violation' "$T/err" || fail "$(show)"
	grep -qx '< Server: tinyproxy/.*' "$T/err" || fail "$(show)"
	grep -qx "hcli: ProxyError: the proxy refused CONNECT to 127.0.0.1 port $PLAIN_PORT: HTTP/1.1 403 Access violation" \
		"$T/err" || fail "$(show)"
	[[ ! -s $T/out ]]
}

@test "-L through a proxy: both hops in absolute form, the proxy credentials kept across origins" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 302 Found\r\nLocation: http://b.test:8082/next\r\nContent-Length: 0\r\n\r\n"},
  {"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]
EOF
	expect_ok ok -L -x "http://pu:pp@127.0.0.1:$RAW_PORT" -u u:p "http://a.test:8081/start"
	local first second
	first=$(raw_req 0 0)
	second=$(raw_req 0 1)
	[[ -e $second ]] || second=$(raw_req 1 0)
	assert_equal "$(head -n 1 "$first" | tr -d '\r')" "GET http://a.test:8081/start HTTP/1.1"
	assert_equal "$(head -n 1 "$second" | tr -d '\r')" "GET http://b.test:8082/next HTTP/1.1"
	local pa
	pa="Proxy-Authorization: Basic $(printf pu:pp | base64)"
	grep -qx "$pa"$'\r' "$first" || fail "$(cat -A "$first")"
	grep -qx "$pa"$'\r' "$second" || fail "$(cat -A "$second")"
	# the target's credentials went to the first origin only
	grep -q '^Authorization: ' "$first" || fail "$(cat -A "$first")"
	! grep -q '^Authorization: ' "$second" || fail "$(cat -A "$second")"
}

@test "-L: the proxy is chosen again for each location (--noproxy)" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ndirect\n"}]]
EOF
	local direct_dir=$RAW_DIR direct_port=$RAW_PORT
	raw_start - <<EOF
[[{"reply": "HTTP/1.1 302 Found\\r\\nLocation: http://127.0.0.1:$direct_port/next\\r\\nContent-Length: 0\\r\\n\\r\\n"}]]
EOF
	expect_ok direct -L -x "$RAW_URL" --noproxy 127.0.0.1 "http://a.test:8081/start"
	assert_equal "$(head -n 1 "$(raw_req 0 0)" | tr -d '\r')" "GET http://a.test:8081/start HTTP/1.1"
	assert_equal "$(head -n 1 "$direct_dir/req-0-0" | tr -d '\r')" "GET /next HTTP/1.1"
}

# --- proxy authentication (tinyproxy BasicAuth) ----------------------------------

@test "BasicAuth proxy, http:// without credentials: the 407 is the response, exit 0" {
	hrun -p h -x "$AUTHPROXY" "$HTTP_URL"
	assert_equal "$status" 0
	head -n 1 "$T/out" | grep -qE '^HTTP/1\.[01] 407 ' || fail "$(show)"
	grep -qi '^Proxy-Authenticate: Basic' "$T/out" || fail "$(show)"
	assert_equal "$(nginx_rows)" ""
}

@test "BasicAuth proxy, http:// without credentials and -f: 22" {
	hrun -f -x "$AUTHPROXY" "$HTTP_URL"
	assert_equal "$status" 22
	grep -q '^hcli: HTTPError: 407' "$T/err" || fail "$(show)"
}

@test "BasicAuth proxy, CONNECT without credentials: 56 naming the 407" {
	# tinyproxy answers in HTTP/1.0
	expect_fail 56 ProxyError \
		"the proxy refused CONNECT to localhost port $TLS_PORT: HTTP/1.0 407 Proxy Authentication Required" \
		-x "$AUTHPROXY" "${CA[@]}" "$HTTPS_URL"
	assert_equal "$(nginx_rows)" ""
}

@test "BasicAuth proxy, wrong credentials: the refusal for http://, 56 for CONNECT" {
	# tinyproxy 1.11 answers wrong credentials with "401 Unauthorized"
	hrun -p h -x "http://puser:wrong@127.0.0.1:${AUTHPROXY##*:}" "$HTTP_URL"
	assert_equal "$status" 0
	head -n 1 "$T/out" | grep -qE '^HTTP/1\.[01] 40[17] ' || fail "$(show)"
	expect_fail 56 ProxyError "the proxy refused CONNECT to localhost port $TLS_PORT: HTTP/1.0 40" \
		-x "http://puser:wrong@127.0.0.1:${AUTHPROXY##*:}" "${CA[@]}" "$HTTPS_URL"
	assert_equal "$(nginx_rows)" ""
}

@test "BasicAuth proxy with credentials in the proxy URL: http:// and https:// both succeed" {
	local px="http://puser:ppass@127.0.0.1:${AUTHPROXY##*:}"
	expect_ok plain -x "$px" "$HTTP_URL"
	expect_ok localhost -x "$px" "${CA[@]}" "$HTTPS_URL"
	assert_equal "$(proxy_requests "$AUTHPROXY_DIR" "$AUTHPROXY_MARK")" \
		"GET http://127.0.0.1:$PLAIN_PORT/site HTTP/1.1
CONNECT localhost:$TLS_PORT HTTP/1.1"
	assert_equal "$(nginx_rows | cut -d' ' -f3-)" "site=plain GET 200 /site
site=localhost GET 200 /site"
}

@test "proxy credentials from the environment's proxy URL work too" {
	expect_ok localhost "https_proxy=http://puser:ppass@127.0.0.1:${AUTHPROXY##*:}" -- "${CA[@]}" "$HTTPS_URL"
}

# --- the environment -----------------------------------------------------------

# via [NAME=VALUE...] -- ARGS...: "proxy" when tinyproxy saw the request,
# "direct" when not; either way the body must have come back (else "error: ...").
via() {
	PROXY_MARK=$(wc -l <"$PROXY_DIR/log")
	hrun "$@"
	if [[ $status -ne 0 || -z $(cat "$T/out") || -s $T/err ]]; then
		echo "error: $(show)"
	elif [[ -n $(proxy_requests) ]]; then
		echo proxy
	else
		echo direct
	fi
}

@test "environment: which variable applies to which scheme" {
	# shellcheck disable=SC2034 # read through ${!url}
	local h=$HTTP_URL s=$HTTPS_URL
	# variables (space separated) | URL | route
	while IFS='|' read -r vars url want; do
		url=${url// /}
		# shellcheck disable=SC2086 # vars is a list of NAME=VALUE words
		got=$(via ${vars//PX/$PROXY} -- "${CA[@]}" "${!url}")
		[[ $got == "${want// /}" ]] || fail "$vars $url: want $want, got $got"
	done <<'EOF'
http_proxy=PX                    | h | proxy
HTTP_PROXY=PX                    | h | direct
http_proxy=PX                    | s | direct
https_proxy=PX                   | s | proxy
HTTPS_PROXY=PX                   | s | proxy
https_proxy=PX                   | h | direct
all_proxy=PX                     | h | proxy
all_proxy=PX                     | s | proxy
ALL_PROXY=PX                     | h | proxy
ALL_PROXY=PX                     | s | proxy
HTTP_PROXY=PX https_proxy=PX     | h | direct
EOF
}

@test "environment: http_proxy wins over all_proxy for http://" {
	raw_proxy
	# all_proxy points at the raw server, which would answer "ok"
	expect_ok plain "http_proxy=$PROXY" "all_proxy=$RAW_URL" -- "$HTTP_URL"
	assert_equal "$(raw_conns)" 0
	assert_equal "$(proxy_requests)" "GET http://127.0.0.1:$PLAIN_PORT/site HTTP/1.1"
}

@test "environment: no_proxy and NO_PROXY bypass the proxy" {
	while read -r np url want; do
		got=$(via "http_proxy=$PROXY" "https_proxy=$PROXY" "$np" -- "${CA[@]}" "${!url}")
		[[ $got == "$want" ]] || fail "$np $url: want $want, got $got"
	done <<'EOF'
no_proxy=127.0.0.1          HTTP_URL   direct
NO_PROXY=127.0.0.1          HTTP_URL   direct
no_proxy=localhost          HTTPS_URL  direct
no_proxy=*                  HTTPS_URL  direct
no_proxy=*                  HTTP_URL   direct
no_proxy=example.org        HTTP_URL   proxy
no_proxy=127.0.0.2          HTTP_URL   proxy
no_proxy=localhost          HTTP_URL   proxy
no_proxy=127.0.0.0/8        HTTP_URL   direct
EOF
}

@test "--noproxy overrides no_proxy" {
	# no_proxy would bypass; --noproxy names something else, so the proxy is used
	[[ $(via "http_proxy=$PROXY" "no_proxy=127.0.0.1" -- --noproxy other.example "$HTTP_URL") == proxy ]]
	# and the other way round
	[[ $(via "http_proxy=$PROXY" "no_proxy=other.example" -- --noproxy 127.0.0.1 "$HTTP_URL") == direct ]]
}

@test "-x '' ignores the environment" {
	[[ $(via "http_proxy=$PROXY" "https_proxy=$PROXY" "all_proxy=$PROXY" -- -x '' "$HTTP_URL") == direct ]]
	[[ $(via "http_proxy=$PROXY" "https_proxy=$PROXY" "all_proxy=$PROXY" -- -x '' "${CA[@]}" "$HTTPS_URL") == direct ]]
}

@test "-x wins over the environment, no_proxy included" {
	raw_proxy
	expect_ok ok "http_proxy=$PROXY" -- -x "$RAW_URL" "$HTTP_URL"
	assert_equal "$(raw_conns)" 1
	assert_equal "$(proxy_requests)" ""
	# with -x the variables are not read, no_proxy neither: only --noproxy counts
	expect_ok ok "no_proxy=127.0.0.1" -- -x "$RAW_URL" "$HTTP_URL"
	assert_equal "$(raw_conns)" 2
	[[ $(via "no_proxy=other.test" -- -x "$PROXY" --noproxy 127.0.0.1 "$HTTP_URL") == direct ]]
}

@test "--noproxy '' sends every host through the proxy, whatever no_proxy says" {
	[[ $(via "http_proxy=$PROXY" "no_proxy=*" -- --noproxy '' "$HTTP_URL") == proxy ]]
}

@test "a malformed proxy variable is reported even when no URL would use it" {
	expect_fail 1 UnknownProtocol '' "https_proxy=ftp://127.0.0.1:3128" -- "$HTTP_URL"
}

# --- --noproxy rules (curl's): a raw server is the proxy ---------------------------
#
# The raw server RAW (127.0.0.1) is the proxy and also the target for names
# mapped with --resolve; RAW6 (::1) is the target for [::1].  A request that
# went through the proxy arrives at RAW in absolute form; a bypassed one
# arrives at its target in origin form (GET /p).

# route LIST HOST: "proxy" or "direct" for http://HOST:PORT/p with --noproxy LIST
route() {
	local list=$1 host=$2 port=$RAW_PORT before before6 line
	[[ $host == \[* ]] && port=$RAW6_PORT
	before=$(cat "$RAW4_DIR/conns" 2>/dev/null || echo 0)
	before6=$(cat "$RAW6_DIR/conns" 2>/dev/null || echo 0)
	hrun -x "http://127.0.0.1:$RAW_PORT" --noproxy "$list" \
		--resolve "example.test:$port:127.0.0.1" --resolve "www.example.test:$port:127.0.0.1" \
		--resolve "badexample.test:$port:127.0.0.1" --resolve "example.test.org:$port:127.0.0.1" \
		--resolve "localhost:$port:127.0.0.1" "http://$host:$port/p"
	[[ $status -eq 0 ]] || {
		echo "error: $(show)"
		return
	}
	if (($(cat "$RAW4_DIR/conns" 2>/dev/null || echo 0) > before)); then
		line=$(head -n 1 "$RAW4_DIR/req-$before-0")
		if [[ $line == "GET http://$host:$port/p HTTP/1.1"$'\r' ]]; then echo proxy
		elif [[ $line == "GET /p HTTP/1.1"$'\r' ]]; then echo direct
		else echo "odd request line: $line"
		fi
	elif (($(cat "$RAW6_DIR/conns" 2>/dev/null || echo 0) > before6)); then
		line=$(head -n 1 "$RAW6_DIR/req-$before6-0")
		[[ $line == "GET /p HTTP/1.1"$'\r' ]] && echo direct || echo "odd request line at ::1: $line"
	else
		echo "no request seen"
	fi
}

@test "--noproxy: names, leading dots, IP addresses, CIDR ranges (v4 and v6), *" {
	local reply='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
	raw_start - ::1 <<<"[[{\"reply\": \"$reply\", \"then\": \"close\"}]]"
	RAW6_PORT=$RAW_PORT RAW6_DIR=$RAW_DIR
	raw_start - <<<"[[{\"reply\": \"$reply\", \"then\": \"close\"}]]"
	RAW4_DIR=$RAW_DIR
	local list host want got bad=()
	while IFS='|' read -r list host want; do
		[[ $list == \#* ]] && continue
		# the columns are padded with spaces; list keeps its inner ones
		list=${list%"${list##*[! ]}"} host=${host// /} want=${want// /}
		got=$(route "$list" "$host")
		[[ $got == "$want" ]] || bad+=("--noproxy '$list' $host: want $want, got $got")
	done <<'EOF'
# LIST                          | HOST             | ROUTE
example.test                    | example.test     | direct
example.test                    | www.example.test | direct
.example.test                   | www.example.test | direct
.example.test                   | example.test     | direct
EXAMPLE.Test                    | www.example.test | direct
example.test                    | badexample.test  | proxy
example.test                    | example.test.org | proxy
www.example.test                | example.test     | proxy
other.test,example.test         | example.test     | direct
other.test, example.test        | example.test     | direct
other.test , example.test       | example.test     | direct
other.test                      | example.test     | proxy
example.test:80                 | example.test     | proxy
*                               | example.test     | direct
*                               | 127.0.0.1        | direct
127.0.0.1                       | 127.0.0.1        | direct
127.0.0.2                       | 127.0.0.1        | proxy
127.0.0.1                       | localhost        | proxy
localhost                       | 127.0.0.1        | proxy
127.0.0.0/8                     | 127.0.0.1        | direct
127.0.0.1/32                    | 127.0.0.1        | direct
127.0.0.2/32                    | 127.0.0.1        | proxy
10.0.0.0/8                      | 127.0.0.1        | proxy
0.0.0.0/0                       | 127.0.0.1        | direct
127.0.0.0/8                     | example.test     | proxy
::1                             | [::1]            | direct
[::1]                           | [::1]            | direct
::2                             | [::1]            | proxy
::/64                           | [::1]            | direct
::1/128                         | [::1]            | direct
fe80::/10                       | [::1]            | proxy
2001:db8::/32                   | [::1]            | proxy
127.0.0.0/8                     | [::1]            | proxy
::/0                            | 127.0.0.1        | proxy
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# --- --proxy-header, keep-alive, resolution ------------------------------------------

@test "--proxy-header goes on CONNECT only, never inside the tunnel or on absolute-form requests" {
	raw_proxy 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'
	expect_fail 56 ProxyError 'HTTP/1.1 403 Forbidden' -x "$RAW_URL" --proxy-header 'X-Via-Proxy: 1' "$HTTPS_URL"
	grep -qx $'X-Via-Proxy: 1\r' "$(raw_req 0 0)" || fail "$(cat -A "$(raw_req 0 0)")"
	# a real tunnel: nginx answers; the header went to tinyproxy only (checked above)
	expect_ok localhost -x "$PROXY" --proxy-header 'X-Via-Proxy: 1' "${CA[@]}" "$HTTPS_URL"
}

@test "--proxy-header with a CR or LF is a usage error, nothing sent" {
	raw_proxy
	hrun -x "$RAW_URL" --proxy-header $'X-A: 1\r\nX-B: 2' "$HTTPS_URL"
	assert_equal "$status" 2
	assert_equal "$(raw_conns)" 0
}

@test "keep-alive through a proxy: two http:// URLs, one connection to the proxy, two requests" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA\n"},
  {"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nBB\n"}]]
EOF
	local port
	port=$(dead_port)
	hrun -x "$RAW_URL" "http://127.0.0.1:$port/a" "http://127.0.0.1:$port/b"
	[[ $status -eq 0 && $(cat "$T/out") == $'A\nBB' ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 1
	head -n 1 "$(raw_req 0 0)" | grep -qx "GET http://127.0.0.1:$port/a HTTP/1.1"$'\r'
	head -n 1 "$(raw_req 0 1)" | grep -qx "GET http://127.0.0.1:$port/b HTTP/1.1"$'\r'
}

@test "keep-alive through a CONNECT tunnel: two https:// URLs, one CONNECT, one TLS connection" {
	expect_ok $'localhost\nlocalhost' -x "$PROXY" "${CA[@]}" "$HTTPS_URL" "https://localhost:$TLS_PORT/site2"
	assert_equal "$(proxy_requests)" "CONNECT localhost:$TLS_PORT HTTP/1.1"
	local rows
	rows=$(nginx_rows)
	assert_equal "$(cut -d' ' -f2- <<<"$rows")" "req=1 site=localhost GET 200 /site
req=2 site=localhost GET 200 /site2"
	assert_equal "$(cut -d' ' -f1 <<<"$rows" | sort -u | wc -l)" 1
}

@test "an unresolvable proxy host: 5, ProxyNotFound, naming the proxy" {
	expect_fail 5 ProxyNotFound proxy.invalid -x http://proxy.invalid:3128 "$HTTP_URL"
	expect_fail 5 ProxyNotFound proxy.invalid -x http://proxy.invalid:3128 "$HTTPS_URL"
	expect_fail 5 ProxyNotFound proxy.invalid "https_proxy=http://proxy.invalid:3128" -- "$HTTPS_URL"
}

@test "a proxy that refuses connections: 7" {
	expect_fail 7 ConnectionRefused '' -x "http://127.0.0.1:$(dead_port)" "$HTTP_URL"
}

@test "the proxy's default port is 1080" {
	hrun -v -x http://127.0.0.1 "$HTTP_URL"
	# nothing is expected to listen there in the test machine
	grep -q 'port 1080' "$T/err" || fail "$(show)"
	assert_equal "$(nginx_rows)" ""
}

@test "an https:// proxy URL is refused: 1, UnknownProtocol" {
	expect_fail 1 UnknownProtocol 'https:// proxies are not supported' -x https://127.0.0.1:3128 "$HTTP_URL"
}
