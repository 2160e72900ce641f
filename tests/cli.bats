#!/usr/bin/env bats
# The command line (SPEC.md "Synopsis" and "Fine points: Command line"):
# --help/--version, usage errors, URL errors, method detection, URL
# shorthands, option placement, -p/-i/-b, standard input, query items.
# Exact expectations; most cases are one line through the helpers below.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
bats_require_minimum_version 1.5.0

# a URL for cases that must fail before connecting (discard port, nobody there)
NOWHERE=http://127.0.0.1:9/x

# --- helpers -------------------------------------------------------------

# A raw server answering each connection with one 200 "ok\n", then closing.
ok_server() {
	raw_start - <<<'[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]'
}

# usage_error ARGS...: exit 2, nothing on stdout, and exactly two lines on
# stderr: "hcli: Usage: <detail>" then the synopsis line.
usage_error() {
	run --separate-stderr hcli "$@" </dev/null
	usage_checked
}
usage_checked() { # the checks of usage_error on the last run
	assert_equal "$status" 2
	assert_equal "$output" ""
	local first=${stderr%%$'\n'*}
	assert_regex "$first" '^hcli: Usage: .'
	assert_equal "$stderr" "$first"$'\n'"$USAGE_LINE"
}

# url_error CODE KIND URL...: that exit code, nothing on stdout, and one
# line "hcli: KIND: <detail>" on stderr.
url_error() {
	local code=$1 kind=$2
	shift 2
	run --separate-stderr hcli "$@" </dev/null
	assert_equal "$status" "$code"
	assert_equal "$output" ""
	assert_regex "$stderr" "^hcli: $kind: [^"$'\n'"]*\$"
}

# ok ARGS...: hcli ARGS succeeds and prints the server's body "ok".
ok() {
	run --separate-stderr hcli "$@" </dev/null
	assert_equal "$status" 0
	assert_output ok
}

# The first line of the last connection's first request, without CRLF.
req_line() {
	local line
	IFS= read -r line <"$(raw_last_req)"
	printf '%s' "${line%$'\r'}"
}

# The last connection's first request has exactly this header line.
req_has() { # LINE
	grep -qxF -- "$1"$'\r' "$(raw_last_req)" ||
		fail "request has no line '$1':"$'\n'"$(cat -A "$(raw_last_req)")"
}

# -p/-i/-b: what hcli prints for the ok server's reply is exactly WANT (printf).
prints() { # WANT ARGS...
	local want=$1
	shift
	hcli "$@" "$RAW_URL/x" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
		fail "exit $?: $(cat "$BATS_TEST_TMPDIR/err")"
	assert_bytes "$BATS_TEST_TMPDIR/out" "$want"
}
HEAD='HTTP/1.1 200 OK\nContent-Length: 3\n\n'
BODY='ok\n'

# hcli ARGS with standard input a FIFO that no one writes to but that never
# reaches EOF: reading it would block, so a quick success proves it is unread.
stdin_untouched() { # ARGS...
	local fd
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	exec {fd}<>"$BATS_TEST_TMPDIR/stdin" # read-write: opening does not block
	run --separate-stderr timeout 5 "$HCLI" "$@" <&"$fd"
	exec {fd}>&-
	rm -f "$BATS_TEST_TMPDIR/stdin"
	assert_equal "$status" 0
	assert_output ok
}

# Something answers on 127.0.0.1:PORT.
port_open() {
	python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()
except OSError:
    sys.exit(1)' "$1"
}

# --- help and version ----------------------------------------------------

@test "--help: exit 0, text on stdout, nothing on stderr" {
	run --separate-stderr hcli --help </dev/null
	assert_equal "$status" 0
	assert [ -n "$output" ]
	assert_equal "$stderr" ""
}

@test "--version: exit 0, a version number on stdout, nothing on stderr" {
	run --separate-stderr hcli --version </dev/null
	assert_equal "$status" 0
	assert_regex "$output" '[0-9]+\.[0-9]+'
	assert_equal "$stderr" ""
}

# --- usage errors: exit 2, "hcli: Usage: ..." and the synopsis -----------

@test "usage: no URL" { usage_error; }
@test "usage: only options, no URL" { usage_error -i -v; }
@test "usage: unknown long option" { usage_error --no-such-option "$NOWHERE"; }
@test "usage: unknown short option" { usage_error -Y "$NOWHERE"; }
@test "usage: option missing its argument" { usage_error "$NOWHERE" -X; }
@test "usage: -X with a positional method" { usage_error -X PUT PROPFIND "$NOWHERE"; }
@test "usage: positional method with -X after it" { usage_error PROPFIND -X PUT "$NOWHERE"; }
@test "usage: --http1.0 with --chunked" { usage_error --http1.0 --chunked "$NOWHERE"; }
@test "usage: --chunked with --http1.0" { usage_error --chunked --http1.0 "$NOWHERE"; }
@test "usage: header name with a space" { usage_error "$NOWHERE" 'Bad Name:x'; }
@test "usage: header name with a separator" { usage_error "$NOWHERE" 'X(y):1'; }
@test "usage: header value with CR LF" { usage_error "$NOWHERE" $'X:a\r\nb'; }
@test "usage: header value with a bare LF" { usage_error "$NOWHERE" $'X:a\nb'; }
@test "usage: header value with a bare CR" { usage_error "$NOWHERE" $'X:a\rb'; }
@test "usage: empty-value header with CR LF in its name" { usage_error "$NOWHERE" $'X\r\nY;'; }
@test "usage: header name with a LF" { usage_error "$NOWHERE" $'X\nY:v'; }
@test "usage: Transfer-Encoding:gzip item" { usage_error "$NOWHERE" Transfer-Encoding:gzip; }
@test "usage: Transfer-Encoding:chunked, gzip item" { usage_error "$NOWHERE" 'Transfer-Encoding:chunked, gzip'; }
@test "Transfer-Encoding item: the CLI and the engine share one rule (a tab before chunked is whitespace)" {
	ok_server
	ok -d hi "$RAW_URL/x" $'Transfer-Encoding:gzip,\tchunked'
	req_has $'Transfer-Encoding: gzip,\tchunked'
	req_has '2' # the size line of the one chunk, "hi"
}
@test "usage: unrecognised item" { usage_error "$NOWHERE" foo; }
@test "usage: two bodies (-d and @FILE)" { usage_error -d a "$NOWHERE" "@$BATS_TEST_FILENAME"; }
@test "usage: two bodies (-d twice and @FILE; -d twice is one body, as curl)" { usage_error -d a -d b "$NOWHERE" "@$BATS_TEST_FILENAME"; }
@test "usage: two bodies (@FILE twice)" { usage_error "$NOWHERE" "@$BATS_TEST_FILENAME" "@$BATS_TEST_FILENAME"; }
@test "usage: two bodies (-d and -)" { usage_error -d a "$NOWHERE" -; }

# value_error OPTION VALUE DETAIL: a usage error whose first line is exactly
# "hcli: Usage: DETAIL".
value_error() {
	usage_error "$1" "$2" "$NOWHERE"
	assert_equal "${stderr%%$'\n'*}" "hcli: Usage: $3"
}

@test "usage: a bad option value: one line that names the option and the value" {
	value_error --timeout x "--timeout takes seconds, 0 to 2000000, not 'x'"
	value_error --connect-timeout -1 "--connect-timeout takes seconds, 0 to 2000000, not '-1'"
	value_error -m 2000001 "--max-time takes seconds, 0 to 2000000, not '2000001'"
	value_error --expect100-timeout inf "--expect100-timeout takes seconds, 0 to 2000000, not 'inf'"
	value_error --retry-delay nan "--retry-delay takes seconds, 0 to 2000000, not 'nan'"
	value_error --retry-max-time '' "--retry-max-time takes seconds, 0 to 2000000, not ''"
	value_error --timeout $'1\n2' "--timeout takes seconds, 0 to 2000000, not '1\n2'"
	value_error --blocksize 0 "--blocksize must be 1..16777216, not '0'"
	value_error --max-headers 100001 "--max-headers must be 1..100000, not '100001'"
	value_error --max-redirs -1 "--max-redirs must be 0..100000, not '-1'"
	value_error --retry $'\e[31m' "--retry must be 0..1000000, not '\033[31m'"
	value_error --tls-min 1.1 "--tls-min takes 1.2 or 1.3, not '1.1'"
	value_error --color=blue "" "--color takes auto, always or never, not 'blue'"
	value_error --color=$'a\rb' "" "--color takes auto, always or never, not 'a\rb'"
}

# option_error DETAIL ARGS...: a usage error for ARGS whose first line is
# exactly "hcli: Usage: DETAIL".
option_error() {
	local want=$1
	shift
	usage_error "$@" "$NOWHERE"
	assert_equal "$* -> ${stderr%%$'\n'*}" "$* -> hcli: Usage: $want"
}

@test "usage: a mistyped long option gets the nearest one" {
	option_error "unknown option '--retyr' (did you mean --retry?)" --retyr 3
	option_error "unknown option '--retyr' (did you mean --retry?)" --retyr=3
	option_error "unknown option '--locaton' (did you mean --location?)" --locaton
	option_error "unknown option '--colour' (did you mean --color?)" --colour=never
	option_error "unknown option '--timout' (did you mean --timeout?)" --timout 1
	option_error "unknown option '--Insecure' (did you mean --insecure?)" --Insecure
	option_error "unknown option '--kye' (did you mean --key?)" --kye k.pem
}

@test "usage: an unknown long option far from every option gets no suggestion" {
	option_error "unknown option '--no-such-option'" --no-such-option
	option_error "unknown option '--zzz'" --zzz
	option_error "unknown option '--xyzzy'" --xyzzy=1
	option_error "unknown option '--\033[31m'" --$'\e[31m'
}

@test "usage: an abbreviation of several options names them" {
	option_error "option '--ret' is ambiguous: --retry, --retry-delay or --retry-max-time" --ret 1
	option_error "option '--fail-' is ambiguous: --fail-with-body or --fail-early" --fail-
}

@test "usage: a value for an option that takes none" {
	option_error "option '--silent' takes no value" --silent=yes
	option_error "option '--location' takes no value" --loc=1
}

@test "usage: a mistyped short option: a long option with one dash, or the other case" {
	option_error "unknown option '-r' in '-retry' (did you mean --retry?)" -retry 3
	option_error "unknown option '-n' in '-insecure' (did you mean --insecure?)" -insecure
	option_error "unknown option '-P' (did you mean -p?)" -P
	option_error "unknown option '-Y'" -Y
	option_error "unknown option '-Y' in '-vY'" -vY
	option_error "unknown option '-Y' in '-Yv'" -Yv
	option_error "unknown option '-D' in '-Dash:1'" -Dash:1
}

@test "usage: -X that is not an RFC 9110 token: exit 2, no connection, nothing sent" {
	raw_start_silent
	local m
	for m in $'GET /a HTTP/1.1\r\nHost: x\r\n\r\nDELETE' 'GET /a' $'GET\tX' 'GET\r' '' 'G(E)T' 'PÖST' 'A,B'; do
		run --separate-stderr hcli -X "$m" "$RAW_URL/x" </dev/null
		usage_checked
	done
	assert_equal "${stderr%%$'\n'*}" "hcli: Usage: -X 'A,B' is not a method (an RFC 9110 token)"
	run --separate-stderr hcli -X $'GET /a HTTP/1.1\r\nHost: x\r\n\r\nDELETE' "$RAW_URL/x" </dev/null
	assert_regex "${stderr%%$'\n'*}" "^hcli: Usage: -X 'GET /a HTTP/1.1\\\\r\\\\nHost: "
	raw_assert_nothing_sent
	assert_equal "$(raw_conns)" 1 # the probe of raw_assert_nothing_sent alone
}

@test "method: -X takes any RFC 9110 token (lower case, !#$%&'*+.^\`|~)" {
	ok_server
	ok -X "get" "$RAW_URL/x"
	assert_equal "$(req_line)" 'get /x HTTP/1.1'
	ok -X "M!#\$%&'*+.^_\`|~1" "$RAW_URL/x"
	assert_equal "$(req_line)" "M!#\$%&'*+.^_\`|~1 /x HTTP/1.1"
}

@test "usage: a piped body with two URLs, nothing sent (@-, -, -d @-)" {
	raw_start_silent
	run --separate-stderr hcli "$RAW_URL/a" @- "$RAW_URL/b" < <(printf data)
	usage_checked
	run --separate-stderr hcli "$RAW_URL/a" - "$RAW_URL/b" < <(printf data)
	usage_checked
	run --separate-stderr hcli -d @- "$RAW_URL/a" "$RAW_URL/b" < <(printf data)
	usage_checked
	raw_assert_nothing_sent
}

# --- URL errors -----------------------------------------------------------

@test "URL: port 0 → 3 InvalidURL" { url_error 3 InvalidURL http://127.0.0.1:0/x; }
@test "URL: port 65536 → 3 InvalidURL" { url_error 3 InvalidURL http://127.0.0.1:65536/x; }
@test "URL: port abc → 3 InvalidURL" { url_error 3 InvalidURL http://127.0.0.1:abc/x; }
@test "URL: port -1 → 3 InvalidURL" { url_error 3 InvalidURL http://127.0.0.1:-1/x; }
@test "URL: port 2^64+80 → 3 InvalidURL" { url_error 3 InvalidURL http://127.0.0.1:18446744073709551696/x; }
@test "URL: empty host http:///x → 3 InvalidURL" { url_error 3 InvalidURL http:///x; }
@test "URL: empty host http://:80/x → 3 InvalidURL" { url_error 3 InvalidURL http://:80/x; }
@test "URL: space in the path → 3 InvalidURL" { url_error 3 InvalidURL 'http://127.0.0.1:9/a b'; }
@test "URL: space in the host → 3 InvalidURL" { url_error 3 InvalidURL 'http://exa mple.test/'; }
@test "URL: tab in the path → 3 InvalidURL" { url_error 3 InvalidURL $'http://127.0.0.1:9/a\tb'; }
@test "URL: DEL in the path → 3 InvalidURL" { url_error 3 InvalidURL $'http://127.0.0.1:9/a\x7fb'; }
@test "URL: ftp:// → 1 UnknownProtocol" { url_error 1 UnknownProtocol ftp://x/; }
@test "URL: gopher:// → 1 UnknownProtocol" { url_error 1 UnknownProtocol gopher://127.0.0.1:9/; }

# --- method detection -------------------------------------------------------

@test "method: PROPFIND URL sends PROPFIND" {
	ok_server
	ok PROPFIND "$RAW_URL/x"
	assert_equal "$(req_line)" 'PROPFIND /x HTTP/1.1'
}

@test "method: M-SEARCH URL sends M-SEARCH" {
	ok_server
	ok M-SEARCH "$RAW_URL/x"
	assert_equal "$(req_line)" 'M-SEARCH /x HTTP/1.1'
}

@test "method: A-Z 0-9 _ in a method (MY_VERB2)" {
	ok_server
	ok MY_VERB2 "$RAW_URL/x"
	assert_equal "$(req_line)" 'MY_VERB2 /x HTTP/1.1'
}

@test "method: a lower-case first word is a URL, not a method" {
	port_open 80 && skip "something listens on 127.0.0.1:80"
	ok_server
	# http://propfind/ (mapped to the closed 127.0.0.1:80) fails first, then
	# the raw server gets a plain GET; the exit status is the first failure's
	run --separate-stderr hcli --resolve propfind:80:127.0.0.1 propfind "$RAW_URL/x" </dev/null
	assert_equal "$status" 7
	assert_output ok
	assert_regex "$stderr" '^hcli: ConnectionRefused: '
	assert_equal "$(raw_conns)" 1
	assert_equal "$(req_line)" 'GET /x HTTP/1.1'
}

@test "method: -X PUT" {
	ok_server
	ok -X PUT "$RAW_URL/x"
	assert_equal "$(req_line)" 'PUT /x HTTP/1.1'
}

@test "method: default GET without a body" {
	ok_server
	ok "$RAW_URL/x"
	assert_equal "$(req_line)" 'GET /x HTTP/1.1'
}

@test "method: default POST with -d" {
	ok_server
	ok -d hi "$RAW_URL/x"
	assert_equal "$(req_line)" 'POST /x HTTP/1.1'
}

@test "method: default POST with an @FILE item" {
	ok_server
	printf hi >"$BATS_TEST_TMPDIR/body"
	ok "$RAW_URL/x" "@$BATS_TEST_TMPDIR/body"
	assert_equal "$(req_line)" 'POST /x HTTP/1.1'
}

@test "method: -X PATCH with -d" {
	ok_server
	ok -X PATCH -d hi "$RAW_URL/x"
	assert_equal "$(req_line)" 'PATCH /x HTTP/1.1'
}

# --- URL shorthands ---------------------------------------------------------

@test "URL: :PORT/path goes to localhost:PORT" {
	ok_server
	ok --resolve "localhost:$RAW_PORT:127.0.0.1" ":$RAW_PORT/p"
	assert_equal "$(req_line)" 'GET /p HTTP/1.1'
	req_has "Host: localhost:$RAW_PORT"
}

@test "URL: :PORT alone goes to localhost:PORT/" {
	ok_server
	ok --resolve "localhost:$RAW_PORT:127.0.0.1" ":$RAW_PORT"
	assert_equal "$(req_line)" 'GET / HTTP/1.1'
	req_has "Host: localhost:$RAW_PORT"
}

@test "URL: scheme-less 127.0.0.1:PORT/x is http" {
	ok_server
	ok "127.0.0.1:$RAW_PORT/x"
	assert_equal "$(req_line)" 'GET /x HTTP/1.1'
	req_has "Host: 127.0.0.1:$RAW_PORT"
}

@test "URL: scheme-less name:PORT/x?q is http" {
	ok_server
	ok --resolve "example.test:$RAW_PORT:127.0.0.1" "example.test:$RAW_PORT/x?q=1"
	assert_equal "$(req_line)" 'GET /x?q=1 HTTP/1.1'
	req_has "Host: example.test:$RAW_PORT"
}

# --- options anywhere, -- ---------------------------------------------------

@test "options: -X after the URL" {
	ok_server
	ok "$RAW_URL/x" -X DELETE
	assert_equal "$(req_line)" 'DELETE /x HTTP/1.1'
}

@test "options: an option between the method and the URL" {
	ok_server
	ok PROPFIND --body "$RAW_URL/x"
	assert_equal "$(req_line)" 'PROPFIND /x HTTP/1.1'
}

@test "options: an option between items" {
	ok_server
	run --separate-stderr hcli "$RAW_URL/x" X-A:1 -p h X-B:2 </dev/null
	assert_equal "$status" 0
	assert_output "$(printf "$HEAD")"
	req_has 'X-A: 1'
	req_has 'X-B: 2'
}

@test "options: -- ends them, so -Dash:1 is a header item" {
	ok_server
	ok -- "$RAW_URL/x" -Dash:1
	req_has '-Dash: 1'
}

@test "options: without --, -Dash:1 is an unknown option" {
	usage_error "$NOWHERE" -Dash:1
}

# --- -p / -i / --body: the last one wins ---------------------------------------

@test "print: not a terminal → body only" { ok_server; prints "$BODY"; }
@test "print: -i --body → body" { ok_server; prints "$BODY" -i --body; }
@test "print: --body -i → head and body" { ok_server; prints "$HEAD$BODY" --body -i; }
@test "print: -p h --body → body" { ok_server; prints "$BODY" -p h --body; }
@test "print: --body -p h → head" { ok_server; prints "$HEAD" --body -p h; }
@test "print: -i -p b → body" { ok_server; prints "$BODY" -i -p b; }
@test "print: -p b -i → head and body" { ok_server; prints "$HEAD$BODY" -p b -i; }
@test "print: -p h -p b → body" { ok_server; prints "$BODY" -p h -p b; }

# --- standard input is read only when asked ----------------------------------

@test "stdin: not read for a GET" { ok_server; stdin_untouched "$RAW_URL/x"; }
@test "stdin: not read for -X POST without a body" { ok_server; stdin_untouched -X POST "$RAW_URL/x"; }
@test "stdin: not read with -d STRING" { ok_server; stdin_untouched -d hi "$RAW_URL/x"; }

@test "stdin: not read with an @FILE body" {
	ok_server
	printf hi >"$BATS_TEST_TMPDIR/body"
	stdin_untouched "$RAW_URL/x" "@$BATS_TEST_TMPDIR/body"
}

# --- query items ----------------------------------------------------------------

@test "query: a==b c → ?a=b%20c" {
	ok_server
	ok "$RAW_URL/q" 'a==b c'
	assert_equal "$(req_line)" 'GET /q?a=b%20c HTTP/1.1'
}

@test "query: a second item joins with &" {
	ok_server
	ok "$RAW_URL/q" 'a==b c' x==y
	assert_equal "$(req_line)" 'GET /q?a=b%20c&x=y HTTP/1.1'
}

@test "query: appended to a query already in the URL" {
	ok_server
	ok "$RAW_URL/q?z=1" a==b
	assert_equal "$(req_line)" 'GET /q?z=1&a=b HTTP/1.1'
}

@test "query: & = # in a value and a space in a name are encoded" {
	ok_server
	ok "$RAW_URL/q" 'k==a&b=c#d' 'n m==v'
	assert_equal "$(req_line)" 'GET /q?k=a%26b%3Dc%23d&n%20m=v HTTP/1.1'
}

@test "query: UTF-8 bytes are percent-encoded" {
	ok_server
	ok "$RAW_URL/q" 'q==é'
	assert_equal "$(req_line)" 'GET /q?q=%C3%A9 HTTP/1.1'
}

# --- --color: its value joined with = or as the next word ------------------------

# colour_of ARGS...: hcli -i ARGS's exit status, then "colour" or "plain" for
# how it printed the ok server's reply.
colour_of() {
	local out
	out=$(hcli -i "$@" </dev/null 2>/dev/null)
	local rc=$?
	[[ $out == *$'\e['* ]] && echo "$rc colour" || echo "$rc plain"
}

@test "--color WHEN: the next word is the value when it is auto, always or never" {
	ok_server
	local row
	# arguments | colour or plain (standard output is a pipe: auto is plain)
	for row in \
		"--color never|plain" \
		"--color always|colour" \
		"--color auto|plain" \
		"--color=never|plain" \
		"--color=always|colour" \
		"--color|colour" \
		"--color always --color never|plain" \
		"--color never --color|colour"; do
		# shellcheck disable=SC2086 # the row's words are the arguments
		assert_equal "${row%%|*}: $(colour_of ${row%%|*} "$RAW_URL/x")" "${row%%|*}: 0 ${row#*|}"
	done
	# the URL right after --color is the URL, and --color alone means always
	assert_equal "$(colour_of --color "$RAW_URL/x")" "0 colour"
	assert_equal "$(colour_of "$RAW_URL/x" --color)" "0 colour"
	assert_equal "$(colour_of "$RAW_URL/x" --color never)" "0 plain"
}

@test "--color WHEN: a next word that is not a choice stays a positional" {
	ok_server
	# PUT is the method here, and --color alone means always
	assert_equal "$(colour_of --color PUT "$RAW_URL/x")" "0 colour"
	assert_equal "$(req_line)" 'PUT /x HTTP/1.1'
}
