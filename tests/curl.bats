#!/usr/bin/env bats
# curl's flags (SPEC.md Part 2, "Data items and request bodies" and "Changed
# from Part 1"): -H, -A, -b, -d repeated, --data-urlencode and -G. The raw
# server records what hcli sends; where the flag is curl's, curl 7.88 is run
# against the same server with the same flags and the bytes that matter (the
# request line, the field in question, the body) are compared, since
# User-Agent, Accept and Accept-Encoding differ anyway.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
bats_require_minimum_version 1.5.0

OK_REPLY='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'

setup() {
	T=$BATS_TEST_TMPDIR
	VERSION=$(hcli_version)
}

# A raw server answering every connection with one 200 "ok\n", then closing.
serve() {
	raw_start - <<<"[[{\"reply\": \"$OK_REPLY\", \"then\": \"close\"}]]"
	U=$RAW_URL/x
}

# send ARGS...: hcli with standard input from /dev/null; it must print "ok".
send() {
	run --separate-stderr hcli "$@" </dev/null
	[[ $status -eq 0 && $output == ok ]] || fail "hcli $*: exit $status: $stderr"
}

# curl_sends ARGS...: curl with the same flags against the same server (its
# request becomes the last connection's), standard input from /dev/null.
curl_sends() {
	command curl -sS -o /dev/null "$@" </dev/null || fail "curl $*: exit $?"
}

# The first request of connection N: its head line, a field line, its body.
head_line() { head -n 1 "$(raw_req "$1" 0)"; }
field() { # N NAME: every "Name: value" line of that name, CR kept
	sed -n '2,/^\r$/p' "$(raw_req "$1" 0)" | grep -ai "^$2:" || true
}
body() { # N: the bytes after the head, into a file of that name under $T
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n",1)[1])' \
		"$(raw_req "$1" 0)" >"$T/body$1"
	printf '%s' "$T/body$1"
}

# --- -H ------------------------------------------------------------------------

@test "-H: Name:Value, Name: and Name; mix with the header items in argv order" {
	serve
	send -H 'X-A: 1' "$U" X-B:2 -H 'X-C;' X-D:4 -H 'Accept:' -H 'X-B:'
	assert_bytes "$(raw_req 0 0)" 'GET /x HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: hcli/%s\r\nX-A: 1\r\nX-C: \r\nX-D: 4\r\nAccept-Encoding: identity\r\n\r\n' \
		"$RAW_PORT" "$VERSION"
	# curl: the same fields for the same -H (it writes an empty field without the space)
	curl_sends -H 'X-A: 1' -H 'X-C;' -H 'X-D: 4' -H 'Accept:' "$U"
	assert_equal "$(field 1 X-A)" "$(field 0 X-A)"
	assert_equal "$(field 1 X-D)" "$(field 0 X-D)"
	assert_equal "$(field 1 X-C | tr -d ' ')" "$(field 0 X-C | tr -d ' ')"
	assert_equal "$(field 1 Accept)" ""
	assert_equal "$(field 0 Accept)" ""
	assert_equal "$(head_line 1)" "$(head_line 0)"
}

@test "-H: a default field is replaced, and --header=, -HName:v and a later Name: work as items do" {
	serve
	send --header='Host: h.test' -HX-A:1 "$U" -H 'X-A:' -H 'User-Agent: u/1'
	assert_bytes "$(raw_req 0 0)" 'GET /x HTTP/1.1\r\nAccept: */*\r\nHost: h.test\r\nUser-Agent: u/1\r\nAccept-Encoding: identity\r\n\r\n'
}

@test "-H @FILE: one header a line, CRLF or LF, blank lines skipped, as curl" {
	serve
	printf 'X-F1: one\r\n\nX-F2;\nX-F3:  three\n' >"$T/h"
	send -H @"$T/h" "$U"
	assert_equal "$(field 0 X-F1)" $'X-F1: one\r'
	assert_equal "$(field 0 X-F2)" $'X-F2: \r'
	assert_equal "$(field 0 X-F3)" $'X-F3: three\r'
	curl_sends -H @"$T/h" "$U"
	assert_equal "$(field 1 X-F1)" "$(field 0 X-F1)"
	assert_equal "$(field 1 X-F2 | tr -d ' ')" "$(field 0 X-F2 | tr -d ' ')"
	assert_equal "$(field 1 X-F3 | tr -d ' ')" "$(field 0 X-F3 | tr -d ' ')"
}

@test "-H @FILE with a NUL byte: exit 2 naming the line, never a hang" {
	printf 'X-A: 1\nX-B: a\0b\n' >"$T/h"
	usage_fails "-H @$T/h: line 2 has a NUL byte" -H @"$T/h"
}

@test "-H: bad headers are usage errors and nothing is sent" {
	usage_fails "-H 'X-A': a header is 'Name: value', 'Name:' or 'Name;'" -H X-A
	usage_fails "-H 'X-A; v': use Name; alone for an empty header" -H 'X-A; v'
	usage_fails "the value of header 'X-A' has CR, LF or NUL" -H $'X-A: a\r\nX-B: b'
	usage_fails "'X A' is not a valid header name" -H 'X A: 1'
	usage_fails "-H: cannot open '$T/none': No such file or directory" -H @"$T/none"
	usage_fails "-H @-: headers from standard input are not supported" -H @-
	printf 'X-A: 1\nbad line\n' >"$T/h"
	usage_fails "-H @$T/h line 2: 'bad line': a header is 'Name: value', 'Name:' or 'Name;'" -H @"$T/h"
}

# --- -A --------------------------------------------------------------------------

@test "-A: the User-Agent as curl sends it; -A '' sends none; a User-Agent item or -H wins" {
	serve
	send -A 'probe/1 (x)' "$U"
	assert_equal "$(field 0 User-Agent)" $'User-Agent: probe/1 (x)\r'
	curl_sends -A 'probe/1 (x)' "$U"
	assert_equal "$(field 1 User-Agent)" "$(field 0 User-Agent)"
	send --user-agent '' "$U"
	assert_equal "$(field 2 User-Agent)" ""
	curl_sends -A '' "$U"
	assert_equal "$(field 3 User-Agent)" ""
	send -A a/1 "$U" User-Agent:b/2
	assert_equal "$(field 4 User-Agent)" $'User-Agent: b/2\r'
	curl_sends -A a/1 -H 'User-Agent: b/2' "$U"
	assert_equal "$(field 5 User-Agent)" "$(field 4 User-Agent)"
	send -A a/1 -H 'User-Agent:' "$U"
	assert_equal "$(field 6 User-Agent)" ""
}

@test "-A with CR or LF is a usage error" {
	usage_fails "-A: the user agent has CR, LF or NUL" -A $'a\r\nX-B: 1'
}

# --- -b --------------------------------------------------------------------------

@test "-b NAME=VALUE: a Cookie field; several are joined with '; ' (curl: ';')" {
	serve
	send -b 'a=1' -b 'b=2; c=3' "$U"
	assert_equal "$(field 0 Cookie)" $'Cookie: a=1; b=2; c=3\r'
	curl_sends -b 'a=1' -b 'b=2; c=3' "$U"
	assert_equal "$(field 1 Cookie | tr -d ' ')" "$(field 0 Cookie | tr -d ' ')"
	# a Cookie item wins, as curl's -H does
	send --cookie 'a=1' "$U" Cookie:z=9
	assert_equal "$(field 2 Cookie)" $'Cookie: z=9\r'
	curl_sends -b 'a=1' -H 'Cookie: z=9' "$U"
	assert_equal "$(field 3 Cookie)" "$(field 2 Cookie)"
}

@test "--body prints the body alone (-b is curl's --cookie now)" {
	serve
	run --separate-stderr hcli -i --body "$U" </dev/null
	assert_equal "$status" 0
	assert_output ok
}

# --- -d, --data-urlencode ----------------------------------------------------------

@test "-d repeated: the pieces joined with & in order, files and strings, as curl" {
	serve
	printf 'l1\nl2 &=\r\n' >"$T/f"
	send -d 'a=1' -d @"$T/f" -d 'b c' "$U"
	assert_equal "$(head_line 0)" $'POST /x HTTP/1.1\r'
	assert_bytes "$(body 0)" 'a=1&l1\nl2 &=\r\n&b c'
	assert_equal "$(field 0 Content-Length)" $'Content-Length: 18\r'
	assert_equal "$(field 0 Content-Type)" ""
	# hcli's -d @FILE sends the file as is: curl's --data-binary
	curl_sends -d 'a=1' --data-binary @"$T/f" -d 'b c' "$U"
	cmp "$(body 1)" "$(body 0)"
	assert_equal "$(field 1 Content-Length)" "$(field 0 Content-Length)"
	assert_equal "$(head_line 1)" "$(head_line 0)"
}

@test "-d @- among several pieces: standard input read whole, sent with a Content-Length" {
	serve
	run --separate-stderr bash -c 'printf "in\n" | "$0" -d a -d @- "$1"' "$HCLI" "$U"
	assert_equal "$status" 0
	assert_bytes "$(body 0)" 'a&in\n'
	assert_equal "$(field 0 Content-Length)" $'Content-Length: 5\r'
	assert_equal "$(field 0 Transfer-Encoding)" ""
	printf 'in\n' | command curl -sS -o /dev/null -d a --data-binary @- "$U"
	cmp "$(body 1)" "$(body 0)"
}

@test "--data-urlencode: every form encoded as curl 7.88 encodes it, with its Content-Type" {
	serve
	printf 'l1\nl2 &=+\r\n' >"$T/f"
	local -a args=(--data-urlencode 'a b&c=d/é~._-*' --data-urlencode '=x y+z'
		--data-urlencode 'n=v w' --data-urlencode @"$T/f" --data-urlencode "f@$T/f"
		--data-urlencode 'a@b=c d' --data-urlencode 'plain x%' -d 'raw x')
	send "${args[@]}" "$U"
	assert_bytes "$(body 0)" '%s' 'a b&c=d%2F%C3%A9~._-%2A&x+y%2Bz&n=v+w&l1%0Al2+%26%3D%2B%0D%0A&f=l1%0Al2+%26%3D%2B%0D%0A&a@b=c+d&plain+x%25&raw x'
	assert_equal "$(field 0 Content-Type)" $'Content-Type: application/x-www-form-urlencoded\r'
	curl_sends "${args[@]}" "$U"
	cmp "$(body 1)" "$(body 0)"
	assert_equal "$(field 1 Content-Type)" "$(field 0 Content-Type)"
	assert_equal "$(field 1 Content-Length)" "$(field 0 Content-Length)"
	assert_equal "$(head_line 1)" "$(head_line 0)"
}

@test "--data-urlencode: a Content-Type item wins over the form type" {
	serve
	send --data-urlencode 'a=b' "$U" Content-Type:text/plain
	assert_equal "$(field 0 Content-Type)" $'Content-Type: text/plain\r'
	assert_bytes "$(body 0)" 'a=b'
}

@test "--data-urlencode @-: standard input encoded" {
	serve
	run --separate-stderr bash -c 'printf "a b\n" | "$0" --data-urlencode q@- "$1"' "$HCLI" "$U"
	assert_equal "$status" 0
	assert_bytes "$(body 0)" 'q=a+b%%0A'
}

@test "a single -d from a pipe is still streamed chunked" {
	serve
	run --separate-stderr bash -c 'printf "abc" | "$0" -d @- "$1"' "$HCLI" "$U"
	assert_equal "$status" 0
	assert_equal "$(field 0 Transfer-Encoding)" $'Transfer-Encoding: chunked\r'
	assert_bytes "$(body 0)" '3\r\nabc\r\n0\r\n\r\n'
}

@test "data errors: one line each, nothing sent" {
	usage_fails "standard input can be read for one piece of data only" -d @- --data-urlencode @-
	usage_fails "only one request body may be given" -d a -d b @"$BATS_TEST_FILENAME"
	usage_fails "only one request body may be given" --data-urlencode a=b -
	usage_fails "-w @- and data from standard input cannot share it" -w @- -d a -d @-
	raw_start_silent
	run --separate-stderr hcli -d a -d @"$T/none" "$RAW_URL/x" </dev/null
	assert_equal "$status" 26
	assert_equal "$stderr" "hcli: ReadError: cannot open '$T/none': No such file or directory"
	run --separate-stderr hcli --data-urlencode n@"$T/none" "$RAW_URL/x" </dev/null
	assert_equal "$status" 26
	assert_equal "$stderr" "hcli: ReadError: cannot open '$T/none': No such file or directory"
	run --separate-stderr hcli -d @/dev/zero -d x "$RAW_URL/x" </dev/null
	assert_equal "$status" 26
	assert_equal "$stderr" "hcli: ReadError: '/dev/zero' is larger than 67108864 bytes"
	raw_assert_nothing_sent
}

# --- -G ----------------------------------------------------------------------------

@test "-G: the data goes into the query after ? or &, before a fragment; GET, no body; as curl" {
	serve
	send -G -d 'a=1' --data-urlencode 'b=x y' "$U?q=1#frag"
	assert_bytes "$(raw_req 0 0)" 'GET /x?q=1&a=1&b=x+y HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: hcli/%s\r\nAccept: */*\r\nAccept-Encoding: identity\r\n\r\n' \
		"$RAW_PORT" "$VERSION"
	curl_sends -G -d 'a=1' --data-urlencode 'b=x y' "$U?q=1#frag"
	assert_equal "$(head_line 1)" "$(head_line 0)"
	# no query yet: '?'; a name==value item follows the data
	send --get -d 'a=1' "$U" k==v
	assert_equal "$(head_line 2)" $'GET /x?a=1&k=v HTTP/1.1\r'
	curl_sends -G -d 'a=1' "$U"
	assert_equal "$(head_line 3)" $'GET /x?a=1 HTTP/1.1\r'
}

@test "-G with -X POST keeps the method and sends no body; -G alone is a plain GET" {
	serve
	send -G -X POST -d a=1 "$U"
	assert_equal "$(head_line 0)" $'POST /x?a=1 HTTP/1.1\r'
	assert_equal "$(field 0 Content-Length)" $'Content-Length: 0\r'
	send -G "$U"
	assert_equal "$(head_line 1)" $'GET /x HTTP/1.1\r'
}

@test "-G: a space in the data is an invalid URL (3); a NUL byte a usage error" {
	raw_start_silent
	run --separate-stderr hcli -G -d 'a b' "$RAW_URL/x" </dev/null
	assert_equal "$status" 3
	assert_regex "$stderr" '^hcli: InvalidURL: [^'$'\n'']*$'
	printf 'a\0b' >"$T/nul"
	run --separate-stderr hcli -G -d @"$T/nul" "$RAW_URL/x" </dev/null
	assert_equal "$status" 2
	assert_equal "$stderr" "hcli: Usage: -G: the data has a NUL byte, which a URL cannot carry"$'\n'"$USAGE_LINE"
	raw_assert_nothing_sent
}
