#!/usr/bin/env bats
# Data items (SPEC.md Part 2, "Data items and request bodies" and "Changed
# from Part 1"): the raw server records what hcli sends for the items, and
# HTTPie 3.2.1 (http --offline) writes its request for the same items; the
# body bytes, Content-Type, Accept and the request line are compared
# (User-Agent, Accept-Encoding and Connection differ by design). Where SPEC
# deliberately differs from HTTPie, the expectation is written out.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
bats_require_minimum_version 1.5.0

OK_REPLY='HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'

setup() {
	T=$BATS_TEST_TMPDIR
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

# The first request of connection N: its head line, a field line, its body.
head_line() { head -n 1 "$1" | tr -d '\r'; }
field() { # FILE NAME: every "Name: value" line of that name, CR removed
	sed -n '2,/^\r$/p' "$1" | grep -ai "^$2:" | tr -d '\r' || true
}
body_of() { # FILE: the bytes after the head
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n",1)[1])' "$1"
}

# httpie [--OPTION...] ITEM...: HTTPie's request for the same URL and items
# (its options go before the URL), head in $T/httpie-head, body in
# $T/httpie-body.
httpie() {
	local opts=()
	while [[ $# -gt 0 && $1 == --* ]]; do
		opts+=("$1")
		shift
	done
	command http --ignore-stdin --offline --print=H "${opts[@]}" "$U" "$@" >"$T/httpie-head" ||
		fail "http $*: exit $?"
	command http --ignore-stdin --offline --print=B "${opts[@]}" "$U" "$@" >"$T/httpie-body" ||
		fail "http $*: exit $?"
}

# like_httpie ARGS...: hcli and HTTPie send the same request line, body bytes,
# Content-Type and Accept for these items.
like_httpie() {
	serve
	local opts=() items=()
	for a in "$@"; do
		if [[ $a == --* ]]; then opts+=("$a"); else items+=("$a"); fi
	done
	send "${opts[@]}" "$U" "${items[@]}"
	httpie "$@"
	local got
	got=$(raw_req 0 0)
	body_of "$got" >"$T/hcli-body"
	cmp "$T/httpie-body" "$T/hcli-body" ||
		fail "body for $*: hcli '$(cat "$T/hcli-body")', HTTPie '$(cat "$T/httpie-body")'"
	assert_equal "$(head_line "$got")" "$(head_line "$T/httpie-head")"
	assert_equal "$(field "$got" Content-Type)" "$(field "$T/httpie-head" Content-Type)"
	assert_equal "$(field "$got" Accept)" "$(field "$T/httpie-head" Accept)"
}

# sends_body BYTES ARGS...: hcli sends exactly BYTES (printf format) as the body.
sends_body() {
	local want=$1
	shift
	serve
	send "$U" "$@"
	body_of "$(raw_req 0 0)" >"$T/hcli-body"
	assert_bytes "$T/hcli-body" "$want"
}

# --- the JSON body, as HTTPie 3.2.1 sends it ---------------------------------------

@test "JSON: strings" {
	like_httpie name=widget 'empty=' 'sp=a b' $'ctl=tab\there "q" \\ /'
}

@test "JSON: numbers, booleans and null" {
	like_httpie n:=3 neg:=-2 f:=1.5 big:=123456789012345678901234567890 \
		ok:=true no:=false nil:=null
}

@test "JSON: := objects and arrays are re-written in json.dumps' shape" {
	like_httpie 'tags:=["a","b"]' 'obj:={"x":1,"y":[true,null,{}]}' 'e:=[]' 'o:={}'
}

@test "JSON: nested paths, objects and arrays" {
	like_httpie 'user[name]=x' 'user[tags][]=a' 'user[tags][]=b' 'm[0]=a' 'm[2]=c' \
		'deep[a][b][c]:=1' 'list[]:=1' 'list[]:={"k":"v"}'
}

@test "JSON: a top-level array" {
	like_httpie '[]:=1' '[]=a' '[]:=null'
}

@test "JSON: escapes of separators and brackets in names and values" {
	like_httpie 'a\[b\]=1' 'x\=y=2' 'k\:v=3' 'at\@=4' 'semi\;=5' 'v=a\=b\:c'
}

@test "JSON: non-ASCII names and values as \\u escapes" {
	like_httpie 'name=é ü 日本' 'ключ=значение' 'emoji=😀'
}

@test "JSON: field=@FILE and field:=@FILE" {
	printf 'text é\n' >"$T/t"
	printf '{"a": [1, 2]}\n' >"$T/j"
	like_httpie "s=@$T/t" "j:=@$T/j"
}

@test "JSON: a := number is sent as typed (SPEC: 1e400, 1.50, -0 never rewritten)" {
	# HTTPie sends Infinity, 1.5, 0, 100000.0 and 2000.0 here
	sends_body '{"a": 1e400, "b": 1.50, "c": -0, "d": [1E+5], "e": 2e3}' a:=1e400 b:=1.50 c:=-0 \
		'd:=[1E+5]' e:=2e3
}

@test "JSON: data fields make a POST unless a method is given; -X and a method word win" {
	serve
	send PUT "$U" a=1
	assert_equal "$(head_line "$(raw_req 0 0)")" "PUT /x HTTP/1.1"
	send -X PATCH "$U" a=1
	assert_equal "$(head_line "$(raw_req 1 0)")" "PATCH /x HTTP/1.1"
}

@test "JSON: a Content-Type or Accept item wins; Accept: drops it" {
	serve
	send "$U" a=1 Content-Type:application/vnd.x+json -H 'Accept:'
	local got
	got=$(raw_req 0 0)
	assert_equal "$(field "$got" Content-Type)" "Content-Type: application/vnd.x+json"
	assert_equal "$(field "$got" Accept)" ""
	assert_equal "$(body_of "$got")" '{"a": "1"}'
}

# --- -j, --json ------------------------------------------------------------------

@test "-j without fields: the JSON fields only, GET and no body, as HTTPie's --json" {
	like_httpie --json
	serve
	send -j "$U"
	assert_equal "$(head_line "$(raw_req 0 0)")" "GET /x HTTP/1.1"
	assert_equal "$(field "$(raw_req 0 0)" Content-Length)" ""
}

@test "-j -d DATA and --json=DATA: DATA with the JSON fields, as curl's --json" {
	serve
	send -j -d '{"a":1}' "$U"
	send "--json={\"b\":2}" "$U"
	for c in 0 1; do
		assert_equal "$(head_line "$(raw_req $c 0)")" "POST /x HTTP/1.1"
		assert_equal "$(field "$(raw_req $c 0)" Content-Type)" "Content-Type: application/json"
		assert_equal "$(field "$(raw_req $c 0)" Accept)" "Accept: application/json, */*;q=0.5"
	done
	assert_equal "$(body_of "$(raw_req 0 0)")" '{"a":1}'
	assert_equal "$(body_of "$(raw_req 1 0)")" '{"b":2}'
	# curl sends the same fields for --json
	command curl -sS -o /dev/null --json '{"b":2}' "$U" </dev/null
	assert_equal "$(field "$(raw_req 2 0)" Content-Type)" "Content-Type: application/json"
	assert_equal "$(body_of "$(raw_req 2 0)")" '{"b":2}'
}

@test "--json URL is the flag and then the URL; -j takes no value" {
	serve
	send --json "$U" a=1
	assert_equal "$(body_of "$(raw_req 0 0)")" '{"a": "1"}'
	send -jv "$U"
	assert_equal "$(field "$(raw_req 1 0)" Content-Type)" "Content-Type: application/json"
}

# --- --form ----------------------------------------------------------------------

@test "--form: fields urlencoded as HTTPie's, spaces and & included" {
	like_httpie --form 'a=b c&d' 'e=ü/é' 'sym=~-._*+' n:=3 'x\=y=1'
}

@test "--form without fields sets the form Content-Type, as HTTPie" {
	like_httpie --form
}

@test "--form: x:=true is sent as true (HTTPie: True)" {
	sends_body 'x=true&n=1.50' --form x:=true n:=1.50
}

# --- query and header items --------------------------------------------------------

@test "query items: percent-encoded, in order, with data fields" {
	like_httpie 'q==a/b' 'é==ü' 'n==1' 'k\=v==x'
	like_httpie 'q==search' a=1
}

@test "qty:=3 is never a header; Name:Value and Name;value-less items still are" {
	serve
	send "$U" qty:=3 X-A:1 'X-B;'
	local got
	got=$(raw_req 0 0)
	assert_equal "$(field "$got" qty)" ""
	assert_equal "$(field "$got" X-A)" "X-A: 1"
	assert_equal "$(field "$got" X-B)" "X-B: "
	assert_equal "$(body_of "$got")" '{"qty": 3}'
}

@test "Name:@FILE and name==@FILE take the file's text, its final newlines dropped" {
	printf 'v1\n\n' >"$T/h"
	printf 'a b\n' >"$T/q"
	serve
	send "$U" "X-A:@$T/h" "q==@$T/q"
	assert_equal "$(head_line "$(raw_req 0 0)")" "GET /x?q=a%20b HTTP/1.1"
	assert_equal "$(field "$(raw_req 0 0)" X-A)" "X-A: v1"
}

# --- URLs after the first ------------------------------------------------------------

@test "HOST:PORT/path and :PORT/path after the first URL are URLs: one request each" {
	serve
	run --separate-stderr hcli "$RAW_URL/a" "127.0.0.1:$RAW_PORT/b" ":$RAW_PORT/c" </dev/null
	[[ $status -eq 0 && $output == $'ok\nok\nok' ]] || fail "exit $status: $output $stderr"
	assert_equal "$(head_line "$(raw_req 0 0)")" "GET /a HTTP/1.1"
	assert_equal "$(head_line "$(raw_req 1 0)")" "GET /b HTTP/1.1"
	assert_equal "$(head_line "$(raw_req 2 0)")" "GET /c HTTP/1.1"
}

@test "localhost:PORT/b after the first URL is a URL, not a header" {
	serve
	run --separate-stderr hcli -4 "$RAW_URL/a" "localhost:$RAW_PORT/b" </dev/null
	[[ $status -eq 0 && $output == $'ok\nok' ]] || fail "exit $status: $output $stderr"
	assert_equal "$(head_line "$(raw_req 1 0)")" "GET /b HTTP/1.1"
	assert_equal "$(field "$(raw_req 0 0)" localhost)" ""
}

# --- -p B ----------------------------------------------------------------------------

@test "-p B shows the JSON body as generated" {
	serve
	run --separate-stderr hcli -p B "$U" a=1 'b[]:=2' </dev/null
	assert_equal "$status" 0
	assert_equal "$output" '{"a": "1", "b": [2]}'
	assert_equal "$(body_of "$(raw_req 0 0)")" '{"a": "1", "b": [2]}'
}

# --- errors: one line, exit 2, nothing sent -----------------------------------------

@test "errors: invalid := JSON names the item" {
	usage_fails "'q:=[1,': invalid JSON: an unexpected end at byte 3" 'q:=[1,'
	usage_fails "'n:=NaN': invalid JSON: an unexpected character at byte 0" 'n:=NaN'
}

@test "errors: a path that contradicts an earlier one names both" {
	usage_fails "'a[b]=2' contradicts 'a=1': 'a' is a string, not an object" a=1 'a[b]=2'
}

@test "errors: a missing @FILE names the item and the file" {
	usage_fails "'a=@$BATS_TEST_TMPDIR/none': $BATS_TEST_TMPDIR/none: No such file or directory" \
		"a=@$BATS_TEST_TMPDIR/none"
	usage_fails "'a:=@$BATS_TEST_TMPDIR/none': $BATS_TEST_TMPDIR/none: No such file or directory" \
		"a:=@$BATS_TEST_TMPDIR/none"
}

@test "errors: control bytes in an item show as the one escaper writes them (\\n, \\033, \\v)" {
	usage_fails "'f@nofile\\n\\033[2J': nofile\\n\\033[2J: No such file or directory" $'f@nofile\n\e[2J'
	usage_fails "'x:=\\v1': invalid JSON: an unexpected character at byte 0" $'x:=\v1'
}

@test "errors: data fields with -d, --json=DATA, @FILE or a stdin body" {
	printf 'x' >"$T/f"
	usage_fails "'a=1': data fields do not go with -d, --data-urlencode or --json=DATA" a=1 -d x
	usage_fails "'a=1': data fields do not go with -d, --data-urlencode or --json=DATA" \
		--data-urlencode y=1 a=1
	usage_fails "'a=1': data fields do not go with -d, --data-urlencode or --json=DATA" \
		--json=x a=1
	usage_fails "'a=1': data fields do not go with another request body (-F, @FILE or -)" a=1 "@$T/f"
	usage_fails "'b:=2': data fields do not go with another request body (-F, @FILE or -)" - b:=2
	usage_fails "'c=d': data fields do not go with another request body (-F, @FILE or -)" -F a=b c=d
}

@test "errors: --json with --form" {
	usage_fails "--json and --form do not go together" --json --form a=1
}

@test "--form with -F and no data fields: -F's multipart Content-Type is the one sent" {
	serve
	send --form -F a=b "$U"
	local ct
	ct=$(field "$(raw_req 0 0)" Content-Type)
	[[ $ct == 'Content-Type: multipart/form-data; boundary='* ]] || fail "$ct"
}
