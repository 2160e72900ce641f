#!/usr/bin/env bats
# Formatted JSON (SPEC.md Part 2, Formatting responses): --pretty and
# --format-options, which media types count as JSON or NDJSON, numbers and
# escapes kept as received, bodies that stop being JSON or end early, tiny
# chunks, deep nesting, colours on a terminal and over pipes.  Replies come
# from the raw server (exact bytes) and nginx.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
}

E=$'\e'

# hcli with stdout a pipe (to cat) into $T/out, stderr in $T/err, its exit code in $status.
pipe_run() {
	set +e
	timeout -k 2 30 env -u NO_COLOR "${ENV[@]}" "$HCLI" "$@" </dev/null 2>"$T/err" | cat >"$T/out"
	status=${PIPESTATUS[0]}
	set -e
}
ENV=()

# hcli on a pseudo-terminal (script(1)): what the terminal got in $T/tty, its
# exit code in $status.  ONLCR off, so the bytes are hcli's own.
tty_run() {
	local cmd
	cmd="stty -onlcr; exec $(printf '%q ' env -u NO_COLOR TERM=xterm-256color "${ENV[@]}" "$HCLI" "$@")2>$(printf '%q' "$T/err")"
	status=0
	timeout -k 2 20 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
}

# serve CONTENT-TYPE FILE: the raw server answers every request with FILE's
# bytes as a Content-Length body ("-" as CONTENT-TYPE: no Content-Type field).
serve() {
	local ct=$1 file=$2 field=
	[[ $ct == - ]] || field="Content-Type: $ct"$'\r\n'
	printf 'HTTP/1.1 200 OK\r\n%sContent-Length: %s\r\n\r\n' "$field" "$(wc -c <"$file")" >"$T/head"
	python3 -c '
import json, sys
head = open(sys.argv[1], "rb").read().decode("latin-1")
print(json.dumps([[{"reply": head, "reply_file": sys.argv[2]}]]))' "$T/head" "$file" >"$T/script.json"
	raw_start "$T/script.json"
}

# Python's json.dumps(indent=N) of standard input, with the final newline json.tool prints.
python_layout() { # [INDENT]
	python3 -c '
import json, sys
sys.stdout.write(json.dumps(json.load(sys.stdin), indent=int(sys.argv[1]), ensure_ascii=False) + "\n")' "${1:-4}"
}

SAMPLE='{"name":"widget","qty":3,"tags":["a","b"],"dims":{"w":1.5,"h":null},"ok":true,"none":[],"empty":{}}'

@test "--pretty=format: a JSON body in Python's json.dumps(indent=4) layout" {
	printf '%s' "$SAMPLE" >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	python_layout <"$T/body" >"$T/want"
	cmp "$T/want" "$T/out"
	# whitespace between tokens as received is replaced, not kept
	printf ' \r\n{ "a" :\t[ 1 ,2 ] }\n\n' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_bytes "$T/out" '{\n    "a": [\n        1,\n        2\n    ]\n}\n'
}

@test "media types: application/json, text/json and */*+json, any case, parameters ignored" {
	local ct
	printf '%s' "$SAMPLE" >"$T/body"
	python_layout <"$T/body" >"$T/want"
	for ct in 'application/json' 'application/json; charset=utf-8' 'APPLICATION/JSON' \
		'Application/Json;charset=UTF-8' 'text/json' 'application/vnd.api+json' \
		'application/problem+json; charset=utf-8' 'application/geo+JSON'; do
		serve "$ct" "$T/body"
		pipe_run --pretty=format "$RAW_URL/"
		assert_equal "$ct: $status" "$ct: 0"
		cmp "$T/want" "$T/out" || fail "$ct: not formatted: $(cat "$T/out")"
		raw_stop
	done
}

@test "media types: any other body is never reformatted, even valid JSON" {
	local ct
	printf '%s' "$SAMPLE" >"$T/body"
	for ct in - 'text/plain' 'text/html' 'application/octet-stream' 'application/jsonx' \
		'application/json-seq' 'application/x-json-stream' 'text/javascript' '+json' \
		'application/' 'json'; do
		serve "$ct" "$T/body"
		pipe_run --pretty=all "$RAW_URL/"
		assert_equal "$ct: $status" "$ct: 0"
		cmp "$T/body" "$T/out" || fail "$ct: reformatted: $(cat -v "$T/out")"
		raw_stop
	done
}

@test "numbers and strings exactly as received: 1e400, 12345678901234567890, every escape" {
	printf '%s' '{"big":12345678901234567890,"inf":1e400,"neg":-0.0E-0,"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\uD83D\uDE00","raw":"caf'$'\xc3\xa9''"}' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	{
		printf '{\n'
		printf '    "big": 12345678901234567890,\n'
		printf '    "inf": 1e400,\n'
		printf '    "neg": -0.0E-0,\n'
		printf '    "s": "%s",\n' '\"\\\/\b\f\n\r\t\u0041\u00e9\uD83D\uDE00'
		printf '    "raw": "caf\xc3\xa9"\n'
		printf '}\n'
	} >"$T/want"
	cmp "$T/want" "$T/out" || fail "got: $(cat "$T/out")"
	# and it means what the body meant
	python3 -c '
import json, sys
a, b = (json.load(open(f), parse_float=str, parse_int=str) for f in sys.argv[1:])
assert a == b, (a, b)' "$T/body" "$T/out"
}

@test "-p, -o and pipes keep bytes unless --pretty is given; --pretty=none keeps them too" {
	printf '%s' "$SAMPLE" >"$T/body"
	python_layout <"$T/body" >"$T/want"
	serve application/json "$T/body"
	pipe_run "$RAW_URL/"
	cmp "$T/body" "$T/out"
	pipe_run --pretty=none "$RAW_URL/"
	cmp "$T/body" "$T/out"
	pipe_run -o "$T/file" "$RAW_URL/"
	cmp "$T/body" "$T/file"
	pipe_run --pretty=format -o "$T/file" "$RAW_URL/"
	cmp "$T/want" "$T/file"
	# the last --pretty wins
	pipe_run --pretty=format --pretty=none "$RAW_URL/"
	cmp "$T/body" "$T/out"
	pipe_run --pretty=none --pretty=format --body "$RAW_URL/"
	cmp "$T/want" "$T/out"
}

@test "--format-options json.indent:N; json.sort_keys:false accepted" {
	printf '%s' "$SAMPLE" >"$T/body"
	serve application/json "$T/body"
	local n
	for n in 0 2 8; do
		pipe_run --pretty=format --format-options "json.indent:$n" "$RAW_URL/"
		assert_equal "$n: $status" "$n: 0"
		python_layout "$n" <"$T/body" >"$T/want"
		cmp "$T/want" "$T/out" || fail "indent $n: $(cat "$T/out")"
	done
	pipe_run --pretty=format --format-options json.sort_keys:false,json.indent:2 "$RAW_URL/"
	python_layout 2 <"$T/body" >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "--format-options: bad keys and values: usage error, nothing sent" {
	raw_start_silent
	local row arg detail
	for row in 'json.indent:x|json.indent takes 0 to 64' \
		'json.indent:65|json.indent takes 0 to 64' \
		'json.indent:-1|json.indent takes 0 to 64' \
		'json.sort_keys:yes|json.sort_keys takes true or false' \
		'json.sort_keys:True|json.sort_keys takes true or false' \
		'xml.indent:2|unknown key' \
		"json.indent|'json.indent' is not KEY:VALUE" \
		'json.indent:2,|empty option'; do
		IFS='|' read -r arg detail <<<"$row"
		pipe_run --format-options "$arg" "$RAW_URL/"
		assert_equal "$arg: $status" "$arg: 2"
		grep -qF "hcli: Usage: --format-options: $detail" "$T/err" || fail "$arg: $(cat "$T/err")"
		assert_equal "$(grep -c "^hcli: " "$T/err")" 1
		[ ! -s "$T/out" ]
	done
	raw_assert_nothing_sent
	pipe_run --pretty=pretty "$RAW_URL/"
	assert_equal "$status" 2
	grep -q "^hcli: Usage: .*--pretty" "$T/err"
}

@test "1-byte chunks: chunked framing, one byte per chunk and per send, formatted the same" {
	printf '%s' "$SAMPLE" >"$T/body"
	python3 -c '
import json, sys
body = open(sys.argv[1], "rb").read().decode("latin-1")
chunks = ["1\r\n%s\r\n" % c for c in body] + ["0\r\n\r\n"]
head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
print(json.dumps([[{"reply": head, "chunks": chunks, "chunk_delay_ms": 1}]]))' "$T/body" >"$T/script.json"
	raw_start "$T/script.json"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	python_layout <"$T/body" >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "a body cut short (IncompleteRead): what was formatted is written, exit 18" {
	printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":[1,"x",23' >"$T/reply"
	python3 -c '
import json, sys
print(json.dumps([[{"reply": open(sys.argv[1], "rb").read().decode("latin-1"), "then": "close"}]]))' "$T/reply" >"$T/script.json"
	raw_start "$T/script.json"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 18
	grep -q '^hcli: ' "$T/err"
	# the number at the cut is written too: nothing received is lost
	assert_bytes "$T/out" '{\n    "a": [\n        1,\n        "x",\n        23'
}

@test "a body that stops being JSON midway: the formatted part stays, the rest exactly as received" {
	local body='{"a":[1,2,], "b" :  "x"}  tail'
	printf '%s' "$body" >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '%s' '{
    "a": [
        1,
        2,], "b" :  "x"}  tail'
	# a second value after a complete one is not JSON either
	printf '{"a":1}\n\t{"b":2}' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_bytes "$T/out" '{\n    "a": 1\n}\n\n\t{"b":2}'
	# HTML with a JSON type
	printf '<html>\n<p>error</p>\n' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=all "$RAW_URL/"
	cmp "$T/body" "$T/out"
}

@test "NDJSON: application/x-ndjson and application/jsonl format each value on its own" {
	local ct
	printf '{"a":1}\n{"b":[2,3]}\r\n\n"x"\n' >"$T/body"
	for ct in application/x-ndjson 'application/jsonl; charset=utf-8'; do
		serve "$ct" "$T/body"
		pipe_run --pretty=format "$RAW_URL/"
		assert_equal "$ct: $status" "$ct: 0"
		assert_bytes "$T/out" '{\n    "a": 1\n}\n{\n    "b": [\n        2,\n        3\n    ]\n}\n"x"\n'
		raw_stop
	done
	# under application/json the same body stops being JSON after the first value
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_bytes "$T/out" '{\n    "a": 1\n}\n\n{"b":[2,3]}\r\n\n"x"\n'
}

@test "10,000-deep nesting, end to end" {
	python3 -c 'import sys; sys.stdout.write("[" * 10000 + "]" * 10000)' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	python3 -c '
import sys
d = 10000
lines = [" " * 4 * i + "[" for i in range(d - 1)] + [" " * 4 * (d - 1) + "[]"]
lines += [" " * 4 * i + "]" for i in range(d - 2, -1, -1)]
sys.stdout.write("\n".join(lines) + "\n")' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "--compressed: the decoded bytes are formatted" {
	printf '%s' "$SAMPLE" >"$T/body"
	python3 -c '
import gzip, json, sys
data = gzip.compress(open(sys.argv[1], "rb").read(), mtime=0)
head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(data)
print(json.dumps([[{"reply": head + data.decode("latin-1")}]]))' "$T/body" >"$T/script.json"
	raw_start "$T/script.json"
	pipe_run --compressed --pretty=format "$RAW_URL/"
	assert_equal "$status" 0
	python_layout <"$T/body" >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "nginx: a .json file, Content-Length and chunked, formatted; a .txt file with JSON untouched" {
	mkdir -p "$T/ng/www"
	python3 -c '
import json
print(json.dumps([{"id": i, "name": "item %d" % i, "tags": ["x"] * (i % 4), "v": i / 7} for i in range(3000)], separators=(",", ":")), end="")' >"$T/ng/www/a.json"
	cp "$T/ng/www/a.json" "$T/ng/www/a.txt"
	nginx_start "$T/ng"
	python_layout <"$T/ng/www/a.json" >"$T/want"
	pipe_run --pretty=format "$NGINX_URL/a.json"
	assert_equal "$status" 0
	cmp "$T/want" "$T/out"
	pipe_run --pretty=format "$NGINX_URL/chunked/a.json"
	assert_equal "$status" 0
	cmp "$T/want" "$T/out"
	pipe_run --pretty=format "$NGINX_URL/a.txt"
	cmp "$T/ng/www/a.txt" "$T/out"
}

# --- json.sort_keys --------------------------------------------------------------

# Python's json.dumps(indent=N, sort_keys=True) of standard input, with json.tool's newline.
python_sorted() { # [INDENT]
	python3 -c '
import json, sys
sys.stdout.write(json.dumps(json.load(sys.stdin), indent=int(sys.argv[1]), sort_keys=True, ensure_ascii=False) + "\n")' "${1:-4}"
}

@test "json.sort_keys:true: Python's sort_keys order at every level; nginx, Content-Length and chunked" {
	mkdir -p "$T/ng/www"
	# keys out of order at three levels, non-ASCII keys (code-point order), no numbers Python rewrites
	python3 -c '
import json
items = [{"zeta": i, "Alpha": [{"y": "é", "x": None, "\u00e9t\u00e9": True}], "alpha": {"b": [], "a": {}, "": "e"},
          "\U0001F600": "s", "\uffff": 0, "k%d" % (i % 7): "v"} for i in range(2000)]
print(json.dumps({"items": items, "count": 2000, "Count": "x"}, ensure_ascii=False, separators=(",", ":")), end="")' >"$T/ng/www/s.json"
	nginx_start "$T/ng"
	python_sorted <"$T/ng/www/s.json" >"$T/want"
	! cmp -s "$T/want" <(python_layout <"$T/ng/www/s.json") || fail "the input is in order already"
	pipe_run --pretty=format --format-options json.sort_keys:true "$NGINX_URL/s.json"
	assert_equal "$status" 0
	cmp "$T/want" "$T/out"
	pipe_run --pretty=format --format-options json.indent:2,json.sort_keys:true "$NGINX_URL/chunked/s.json"
	assert_equal "$status" 0
	python_sorted 2 <"$T/ng/www/s.json" | cmp - "$T/out"
	# the last json.sort_keys wins; false is the default
	pipe_run --pretty=format --format-options json.sort_keys:true,json.sort_keys:false "$NGINX_URL/s.json"
	python_layout <"$T/ng/www/s.json" | cmp - "$T/out"
}

@test "json.sort_keys:true: tokens as received, equal keys kept in order, escapes decoded to sort; NDJSON per value" {
	printf '%s' '{"b":1e400,"a":12345678901234567890,"b":"\u0041","\u0061b":-0.0E-0,"A":{"d":[{"f":1,"e":2}],"c":null}}' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format --format-options json.sort_keys:true "$RAW_URL/"
	assert_equal "$status" 0
	{
		printf '{\n'
		printf '    "A": {\n        "c": null,\n        "d": [\n            {\n'
		printf '                "e": 2,\n                "f": 1\n            }\n        ]\n    },\n'
		printf '    "a": 12345678901234567890,\n'
		printf '    "%s": -0.0E-0,\n' '\u0061b'
		printf '    "b": 1e400,\n'
		printf '    "b": "%s"\n' '\u0041'
		printf '}\n'
	} >"$T/want"
	cmp "$T/want" "$T/out" || fail "got: $(cat "$T/out")"
	raw_stop
	printf '{"b":1,"a":2}\n[{"d":3,"c":4}]\r\n"x"\n' >"$T/body"
	serve application/x-ndjson "$T/body"
	pipe_run --pretty=format --format-options json.sort_keys:true,json.indent:1 "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '{\n "a": 2,\n "b": 1\n}\n[\n {\n  "c": 4,\n  "d": 3\n }\n]\n"x"\n'
}

@test "json.sort_keys:true: a body that stops being JSON inside an object: the same output as without sorting" {
	local body
	for body in '{"b":1,"a":[1,2,}' '[1, {"d":{"z":1, "y":2}   x]' '{"b":{"d":1,"c":2},"a":' \
		'{"b":"x'$'\x01''","a":1}' '[{"b":1, "a":nul}]' '{"b":1,"a":2'; do
		printf '%s' "$body" >"$T/body"
		serve application/json "$T/body"
		pipe_run --pretty=format "$RAW_URL/"
		cp "$T/out" "$T/unsorted"
		pipe_run --pretty=format --format-options json.sort_keys:true "$RAW_URL/"
		assert_equal "$body: $status" "$body: 0"
		cmp "$T/unsorted" "$T/out" || fail "$body: sorted $(cat -v "$T/out"), unsorted $(cat -v "$T/unsorted")"
		raw_stop
	done
	# a complete object before the bad byte is sorted; the one the bad byte is in is not
	printf '[{"b":1,"a":2},{"d":1,"c":2 x' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format --format-options json.sort_keys:true,json.indent:2 "$RAW_URL/"
	assert_bytes "$T/out" '[\n  {\n    "a": 2,\n    "b": 1\n  },\n  {\n    "d": 1,\n    "c": 2 x'
	printf '{"b":1,"a":2} {"c":3}' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format --format-options json.sort_keys:true "$RAW_URL/"
	assert_bytes "$T/out" '{\n    "a": 2,\n    "b": 1\n}\n {"c":3}'
}

@test "json.sort_keys:true: 10,000 levels of objects, each sorted" {
	python3 -c 'import sys; d = 10000; sys.stdout.write("{\"b\":0,\"a\":" * d + "1" + "}" * d)' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=format --format-options json.sort_keys:true,json.indent:0 "$RAW_URL/"
	assert_equal "$status" 0
	python3 -c 'import sys; d = 10000; sys.stdout.write("{\n\"a\": " * d + "1" + ",\n\"b\": 0\n}" * d + "\n")' | cmp - "$T/out"
}

# --- colour ---------------------------------------------------------------------

# The output with SGR sequences removed.
strip_sgr() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

@test "pipes: --pretty=all colours the head and the JSON tokens, over NO_COLOR; the text is the formatted one" {
	printf '%s' "$SAMPLE" >"$T/body"
	serve application/json "$T/body"
	ENV=(NO_COLOR=1)
	pipe_run --pretty=all -p hb "$RAW_URL/"
	assert_equal "$status" 0
	grep -q "^$E\[1;32mHTTP/1.1 200 OK$E\[0m\$" "$T/out"
	grep -qF "$E[" <(sed '1,/^$/d' "$T/out") || fail "JSON not coloured: $(cat -v "$T/out")"
	{
		printf 'HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: %s\n\n' "$(wc -c <"$T/body")"
		python_layout <"$T/body"
	} >"$T/want"
	strip_sgr "$T/out" | cmp "$T/want" -
}

# SGR codes of the JSON tokens (pretty.c, after output.c's head colours)
P() { printf '\e[2m%s\e[0m' "$1"; }
KEY() { printf '\e[36m%s\e[0m' "$1"; }
STR() { printf '\e[32m%s\e[0m' "$1"; }
NUM() { printf '\e[33m%s\e[0m' "$1"; }
LIT() { printf '\e[35m%s\e[0m' "$1"; }

@test "pipes: --pretty=colors colours each JSON token in place, whitespace as received; format and none colour nothing" {
	printf ' {"k" :["s",1.5,\n\ttrue,null,{ }]}\r\n' >"$T/body"
	serve application/json "$T/body"
	pipe_run --pretty=colors -p hb "$RAW_URL/"
	assert_equal "$status" 0
	grep -q "^$E\[1;32mHTTP/1.1 200 OK" "$T/out"
	{
		printf ' %s%s ' "$(P '{')" "$(KEY '"k"')"
		printf '%s%s%s%s' "$(P :)" "$(P '[')" "$(STR '"s"')" "$(P ,)"
		printf '%s%s\n\t%s%s' "$(NUM 1.5)" "$(P ,)" "$(LIT true)" "$(P ,)"
		printf '%s%s%s %s' "$(LIT null)" "$(P ,)" "$(P '{')" "$(P '}')"
		printf '%s%s\r\n' "$(P ']')" "$(P '}')"
	} >"$T/want"
	sed '1,/^$/d' "$T/out" | cmp "$T/want" - || fail "got: $(sed '1,/^$/d' "$T/out" | od -c)"
	# without the colour codes, the body exactly as received
	sed '1,/^$/d' "$T/out" | strip_sgr /dev/stdin | cmp "$T/body" -
	pipe_run --pretty=format --color=always -p hb "$RAW_URL/"
	! grep -qF "$E" "$T/out" || fail "colour with --pretty=format: $(cat -v "$T/out")"
	pipe_run --pretty=none --color=always -p hb "$RAW_URL/"
	! grep -qF "$E" "$T/out" || fail "colour with --pretty=none: $(cat -v "$T/out")"
	sed '1,/^$/d' "$T/out" | cmp "$T/body" -
}

@test "pipes: --pretty modes against NO_COLOR and --color: an explicit --pretty decides" {
	local row mode env color layout args
	printf '%s' "$SAMPLE" >"$T/body"
	python_layout <"$T/body" >"$T/formatted"
	serve application/json "$T/body"
	# --pretty | environment or option | colour in the body | layout (formatted or body)
	for row in 'all|-|yes|formatted' 'all|NO_COLOR=1|yes|formatted' \
		'all|--color=never|yes|formatted' 'colors|-|yes|body' 'colors|NO_COLOR=1|yes|body' \
		'colors|--color=never|yes|body' 'format|-|no|formatted' 'format|--color=always|no|formatted' \
		'none|--color=always|no|body' '-|--color=always|no|body' '-|NO_COLOR=1|no|body'; do
		IFS='|' read -r mode env color layout <<<"$row"
		args=(--body)
		ENV=()
		[[ $mode == - ]] || args+=(--pretty="$mode")
		[[ $env != NO_COLOR* ]] || ENV=("$env")
		[[ $env != --* ]] || args+=("$env")
		pipe_run "${args[@]}" "$RAW_URL/"
		assert_equal "$row: $status" "$row: 0"
		if [[ $color == yes ]]; then
			grep -qF "$E[" "$T/out" || fail "$row: no colour: $(cat -v "$T/out")"
		else
			! grep -qF "$E" "$T/out" || fail "$row: colour: $(cat -v "$T/out")"
		fi
		strip_sgr "$T/out" | cmp "$T/$layout" - || fail "$row: not $layout: $(cat -v "$T/out")"
	done
}

@test "--pretty=colors: a body that stops being JSON midway: the colour reset, the rest exactly as received" {
	local body want
	# body (printf format) | the output (shell words, with the colour functions)
	while IFS='|' read -r body want; do
		printf "$body" >"$T/body"
		serve application/json "$T/body"
		pipe_run --pretty=colors --body "$RAW_URL/"
		assert_equal "$body: $status" "$body: 0"
		eval "printf \"$want\"" >"$T/want"
		cmp "$T/want" "$T/out" || fail "$body: got $(cat -v "$T/out"), want $(cat -v "$T/want")"
		strip_sgr "$T/out" | cmp "$T/body" -
		raw_stop
	done <<'EOF'
[1, "ab\001c", 2]|$(P '[')$(NUM 1)$(P ,) $(STR '"ab')\001c\", 2]
[1 ,  tru e]|$(P '[')$(NUM 1) $(P ,)  $(LIT tru) e]
{"a":1} {"b":2}|$(P '{')$(KEY '"a"')$(P :)$(NUM 1)$(P '}') {\"b\":2}
[12 x|$(P '[')$(NUM 12) x
<p>html</p>|<p>html</p>
EOF
	# cut short: the number at the cut ends its colour, nothing is added
	printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[1, 23' >"$T/reply"
	python3 -c '
import json, sys
print(json.dumps([[{"reply": open(sys.argv[1], "rb").read().decode("latin-1"), "then": "close"}]]))' "$T/reply" >"$T/script.json"
	raw_start "$T/script.json"
	pipe_run --pretty=colors --body "$RAW_URL/"
	assert_equal "$status" 18
	printf '%s%s%s %s' "$(P '[')" "$(NUM 1)" "$(P ,)" "$(NUM 23)" >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "--pretty=colors: NDJSON values coloured one after another, separators as received; -o FILE gets the bytes" {
	printf '{"a":1}\n[true]\r\n\n"x"\n' >"$T/body"
	serve application/x-ndjson "$T/body"
	pipe_run --pretty=colors --body "$RAW_URL/"
	assert_equal "$status" 0
	{
		printf '%s%s%s%s%s\n' "$(P '{')" "$(KEY '"a"')" "$(P :)" "$(NUM 1)" "$(P '}')"
		printf '%s%s%s\r\n\n%s\n' "$(P '[')" "$(LIT true)" "$(P ']')" "$(STR '"x"')"
	} >"$T/want"
	cmp "$T/want" "$T/out"
	# colour only where the head goes: a file gets the body as received
	pipe_run --pretty=colors -o "$T/file" "$RAW_URL/"
	assert_equal "$status" 0
	cmp "$T/body" "$T/file"
}

@test "terminal: formatted and coloured JSON by default; NO_COLOR formats without colour; --pretty=none, --body keep bytes" {
	printf '%s' "$SAMPLE" >"$T/body"
	serve application/json "$T/body"
	python_layout <"$T/body" >"$T/want"
	tty_run "$RAW_URL/"
	assert_equal "$status" 0
	grep -qF "$E[" <(sed '1,/^$/d' "$T/tty") || fail "JSON not coloured: $(cat -v "$T/tty")"
	sed '1,/^$/d' "$T/tty" | strip_sgr /dev/stdin | cmp "$T/want" -
	ENV=(NO_COLOR=1)
	tty_run "$RAW_URL/"
	! grep -qF "$E" "$T/tty" || fail "colour with NO_COLOR: $(cat -v "$T/tty")"
	sed '1,/^$/d' "$T/tty" | cmp "$T/want" -
	ENV=()
	# a body on a terminal ends its line: the raw body gets the newline it lacks
	tty_run --pretty=none "$RAW_URL/"
	! grep -qF "$E" "$T/tty"
	sed '1,/^$/d' "$T/tty" | cmp <(cat "$T/body"; echo) -
	tty_run --body "$RAW_URL/"
	cmp <(cat "$T/body"; echo) "$T/tty"
	tty_run --body --pretty=format "$RAW_URL/"
	cmp "$T/want" "$T/tty"
}

@test "terminal: --pretty=colors colours the JSON tokens where they are; string bytes as without colour" {
	printf '{"k": [1,\n "a\xc2\x9b\x7fb"]}' >"$T/body"
	serve application/json "$T/body"
	tty_run --body --pretty=colors "$RAW_URL/"
	assert_equal "$status" 0
	{
		printf '%s%s%s ' "$(P '{')" "$(KEY '"k"')" "$(P :)"
		printf '%s%s%s\n ' "$(P '[')" "$(NUM 1)" "$(P ,)"
		printf '%s%s%s\n' "$(STR $'"a\xc2\x9b\x7fb"')" "$(P ']')" "$(P '}')"
	} >"$T/want"
	cmp "$T/want" "$T/tty" || fail "got: $(od -c "$T/tty")"
	# NO_COLOR does not undo an explicit --pretty; the string's bytes are those --pretty=none shows
	ENV=(NO_COLOR=1)
	tty_run --body --pretty=colors "$RAW_URL/"
	cmp "$T/want" "$T/tty"
	tty_run --body --pretty=none "$RAW_URL/"
	strip_sgr "$T/want" | cmp - "$T/tty"
	# and the default (all) on a terminal: the same tokens, formatted
	ENV=()
	tty_run "$RAW_URL/"
	sed '1,/^$/d' "$T/tty" >"$T/got"
	{
		printf '%s\n    %s%s ' "$(P '{')" "$(KEY '"k"')" "$(P :)"
		printf '%s\n        %s%s\n' "$(P '[')" "$(NUM 1)" "$(P ,)"
		printf '        %s\n    %s\n%s\n' "$(STR $'"a\xc2\x9b\x7fb"')" "$(P ']')" "$(P '}')"
	} >"$T/want"
	cmp "$T/want" "$T/got" || fail "got: $(od -c "$T/got")"
}

@test "terminal: a JSON body that turns into binary is kept off the terminal like any binary body" {
	printf '{"a":[1,\0\1\2]}' >"$T/body"
	serve application/json "$T/body"
	tty_run --body "$RAW_URL/" --pretty=format
	assert_equal "$status" 0
	grep -q 'binary body of [0-9]* bytes not shown' "$T/tty" || fail "$(cat -v "$T/tty")"
	! grep -qF "$(printf '\1')" "$T/tty"
}
