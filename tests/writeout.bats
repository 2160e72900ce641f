#!/usr/bin/env bats
# -w/--write-out (SPEC.md, Output): every variable against a known exchange
# from the raw server, %{json}, %{stderr}/%{stdout}, @FILE and @-, escapes,
# a failed transfer, several URLs.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
}

# The known exchange: 201, two X-Rep fields, a 6-byte body; every connection
# gets it.
KNOWN='HTTP/1.1 201 Created\r\nX-Rep: 1\r\nX-One: only\r\nx-rep: 2\r\nContent-Length: 6\r\n\r\nhello\n'

raw_known() {
	raw_reply "$KNOWN"
}

@test "each variable of a known exchange, one -w at a time" {
	local row fmt want
	raw_known
	# format | output (printf format; %s = the server's port)
	for row in \
		'%{http_code}|201' \
		'%{http_version}|1.1' \
		'%{size_download}|6' \
		'%{size_upload}|0' \
		'%{num_redirects}|0' \
		'%{remote_ip}|127.0.0.1' \
		'%{remote_port}|%s' \
		'%{url_effective}|http://127.0.0.1:%s/a?b=c' \
		'%{exitcode}|0' \
		'%{errormsg}|' \
		'%{time_appconnect}|0.000000' \
		'%{header.X-One}|only' \
		'%{header.x-one}|only' \
		'%{header.X-Rep}|1, 2' \
		'%{header.X-REP}|1, 2' \
		'%{header.X-Absent}|' \
		'%{header.Content-Length}|6' \
		'[%{http_code}][%{size_download}]|[201][6]'; do
		fmt=${row%%|*} want=${row#*|}
		hrun -o "$T/body" -w "$fmt" "$RAW_URL/a?b=c"
		assert_equal "$fmt: $status" "$fmt: 0"
		assert_bytes "$T/out" "$want" "$RAW_PORT"
		assert_bytes "$T/body" 'hello\n'
	done
}

@test "the write-out follows the body on standard output" {
	raw_known
	hrun -w '%{http_code}\n' "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'hello\n201\n'
	assert_bytes "$T/err" ''
}

@test "%{http_version}: 1.0 and 1.1 as the server's status line says" {
	local row want
	# reply | %{http_version} %{http_code} %{size_download}
	local rows=(
		'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc|1.0 200 3'
		'HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx|1.1 404 1'
		'HTTP/1.0 204 No Content\r\n\r\n|1.0 204 0'
	)
	local json='' r
	for r in "${rows[@]%%|*}"; do json+="${json:+,}[{\"reply\": \"$r\"}]"; done
	raw_start - <<<"{\"repeat\": false, \"connections\": [$json]}"
	for row in "${rows[@]}"; do
		want=${row#*|}
		hrun -o "$T/body" -w '%{http_version} %{http_code} %{size_download}' "$RAW_URL/"
		assert_equal "$want: $status" "$want: 0"
		assert_bytes "$T/out" '%s' "$want"
	done
}

@test "%{size_download} counts body bytes only: chunked framing and trailers excluded" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-H: head\r\n\r\n5\r\nhello\r\n3\r\n!!\n\r\n0\r\nX-T: trailer\r\n\r\n"}]]
EOF
	hrun -o "$T/body" -w '%{size_download}|%{header.X-H}|%{header.X-T}|%{header.Transfer-Encoding}' "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/body" 'hello!!\n'
	# trailers are not head fields
	assert_bytes "$T/out" '8|head||chunked'
}

@test "%{size_upload}: body bytes sent, for a string, a file and a chunked pipe" {
	raw_known
	printf '0123456789' >"$T/ten"
	# -d abcd: Content-Length 4
	hrun -o "$T/body" -w '%{size_upload}' -d abcd "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '4'
	# a regular file
	hrun -o "$T/body" -w '%{size_upload}' PUT "$RAW_URL/" "@$T/ten"
	assert_equal "$status" 0
	assert_bytes "$T/out" '10'
	# no body
	hrun -o "$T/body" -w '%{size_upload}' "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '0'
	# a pipe: chunked on the wire, the count is of the body bytes, not the framing
	hrun_pipe 'hello world' -o "$T/body" -w '%{size_upload}' -d @- "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '11'
	raw_wait_conns 4
	run grep -c $'^Transfer-Encoding: chunked\r$' "$(raw_req 3 0)"
	assert_output 1
}

@test "-L over two redirects: %{num_redirects} 2, %{url_effective} the final URL, times over all" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", "delay_ms": 200},
  {"reply": "HTTP/1.1 301 Moved Permanently\r\nLocation: /c?x=1\r\nContent-Length: 0\r\n\r\n"},
  {"reply": "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 3\r\n\r\nend"}]]
EOF
	hrun -L -o "$T/body" -w '%{num_redirects} %{url_effective} %{http_code} %{size_download} %{header.X-Final}' "$RAW_URL/a"
	assert_equal "$status" 0
	assert_bytes "$T/out" '2 %s/c?x=1 200 3 yes' "$RAW_URL"
	assert_bytes "$T/body" 'end'
	# the times span the redirects: the first reply came 200 ms late
	hrun -L -o "$T/body" -w '%{time_total}' "$RAW_URL/a"
	assert_equal "$status" 0
	python3 -c 'import sys; t = float(sys.argv[1]); assert t >= 0.2, t' "$(cat "$T/out")" ||
		fail "time_total $(cat "$T/out") < 0.2 over the redirects"
}

@test "without -L a redirect is not followed: %{num_redirects} 0, %{url_effective} the URL given" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n"}]]
EOF
	hrun -o "$T/body" -w '%{num_redirects} %{url_effective} %{http_code} %{header.Location}' "$RAW_URL/a"
	assert_equal "$status" 0
	assert_bytes "$T/out" '0 %s/a 302 /b' "$RAW_URL"
}

@test "times: six decimals, 0 <= namelookup <= connect <= pretransfer <= starttransfer <= total" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "delay_ms": 100}]]
EOF
	hrun -o "$T/body" \
		-w '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}\n' \
		"$RAW_URL/"
	assert_equal "$status" 0
	local lookup connect app pre start total v
	read -r lookup connect app pre start total <"$T/out"
	for v in "$lookup" "$connect" "$app" "$pre" "$start" "$total"; do
		[[ $v =~ ^[0-9]+\.[0-9]{6}$ ]] || fail "not a time with 6 decimals: '$v' in '$(cat "$T/out")'"
	done
	assert_equal "$app" 0.000000 # no TLS
	python3 - "$lookup" "$connect" "$pre" "$start" "$total" <<'EOF' || fail "times out of order: $(cat "$T/out")"
import sys
lookup, connect, pre, start, total = map(float, sys.argv[1:])
assert 0 <= lookup <= connect <= pre <= start <= total, sys.argv[1:]
# the server waited 100 ms before its reply
assert start >= 0.1 and start - pre >= 0.09, sys.argv[1:]
EOF
}

@test "%{json}: one JSON object with every variable" {
	raw_known
	hrun -o "$T/body" -w '%{json}' "$RAW_URL/j"
	assert_equal "$status" 0
	python3 - "$T/out" "$RAW_PORT" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
port = int(sys.argv[2])
want = {
    "http_code": 201, "http_version": "1.1", "num_redirects": 0,
    "remote_ip": "127.0.0.1", "remote_port": port, "size_download": 6,
    "size_upload": 0, "url_effective": "http://127.0.0.1:%d/j" % port,
    "exitcode": 0, "errormsg": "",
}
times = ["time_namelookup", "time_connect", "time_appconnect", "time_pretransfer",
         "time_starttransfer", "time_total"]
missing = [k for k in list(want) + times if k not in doc]
assert not missing, "missing keys %s in %s" % (missing, doc)
for k, v in want.items():
    # numbers are JSON numbers, not strings
    assert doc[k] == v and type(doc[k]) is type(v), "%s: %r, want %r" % (k, doc[k], v)
for k in times:
    assert isinstance(doc[k], (int, float)) and doc[k] >= 0, "%s: %r" % (k, doc[k])
assert doc["time_total"] >= doc["time_starttransfer"] >= doc["time_connect"]
EOF
}

@test "%{json} of a failed transfer: http_code 0, exitcode 7, an error message" {
	local url
	url=$(refused_url)
	hrun -w '%{json}' "$url"
	assert_equal "$status" 7
	python3 - "$T/out" "$url" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["http_code"] == 0, doc
assert doc["exitcode"] == 7, doc
assert doc["errormsg"], doc
assert doc["url_effective"] == sys.argv[2], doc
assert doc["size_download"] == 0, doc
EOF
}

@test "%{stderr} and %{stdout} switch the stream the rest is written to" {
	local row fmt out err
	raw_known
	# format | stdout | stderr (printf formats)
	for row in \
		'A%{stderr}B\n%{stdout}C|AC|B\n' \
		'%{stderr}%{http_code}||201' \
		'%{stderr}x%{stderr}y||xy' \
		'%{stdout}%{http_code}|201|'; do
		IFS='|' read -r fmt out err <<<"$row"
		hrun -s -o "$T/body" -w "$fmt" "$RAW_URL/"
		assert_equal "$fmt: $status" "$fmt: 0"
		assert_bytes "$T/out" "$out"
		assert_bytes "$T/err" "$err"
	done
}

@test "-w @FILE reads the format from FILE, -w @- from standard input" {
	raw_known
	# the file holds a backslash-n escape, a %% and a tab escape; no newline at the end
	printf 'code=%%{http_code}\\tsize=%%{size_download} 100%%%%\\n' >"$T/fmt"
	hrun -o "$T/body" -w "@$T/fmt" "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'code=201\tsize=6 100%%\n'

	hrun_pipe '%{http_code} from stdin' -o "$T/body" -w @- "$RAW_URL/"
	assert_equal "$status" 0
	assert_bytes "$T/out" '201 from stdin'
}

@test "escapes: \\n \\t \\\\ and %%; other text verbatim" {
	local row fmt want
	raw_known
	# format | output (printf format)
	for row in \
		'a\nb|a\nb' \
		'a\tb|a\tb' \
		'a\\b|a\\b' \
		'a\\nb|a\\nb' \
		'100%%|100%%' \
		'%%{http_code}|%%{http_code}' \
		'plain text|plain text' \
		'{"c":%{http_code}}|{"c":201}'; do
		fmt=${row%%|*} want=${row#*|}
		hrun -o "$T/body" -w "$fmt" "$RAW_URL/"
		assert_equal "$fmt: $status" "$fmt: 0"
		assert_bytes "$T/out" "$want"
	done
}

@test "an unknown variable is written as it is, with one warning on standard error for the run" {
	raw_known
	hrun -o "$T/body" -o "$T/body2" -w '%{nope}%{http_code}%{other}\n' "$RAW_URL/1" "$RAW_URL/2"
	assert_equal "$status" 0
	assert_bytes "$T/out" '%%{nope}201%%{other}\n%%{nope}201%%{other}\n'
	assert_bytes "$T/err" "hcli: warning: unknown -w variable '%%{nope}', written as it is\n"
	# -s: no warning
	hrun -s -o "$T/body" -w '%{nope}' "$RAW_URL/1"
	assert_bytes "$T/err" ''
}

@test "failed transfer (refused): still printed, http_code 0, exitcode 7" {
	local url
	url=$(refused_url)
	hrun -w '%{http_code} %{exitcode} %{size_download} %{url_effective} %{num_redirects}\n' "$url"
	assert_equal "$status" 7
	assert_bytes "$T/out" '0 7 0 %s 0\n' "$url"
	grep -q '^hcli: ConnectionRefused: ' "$T/err" || fail "stderr: $(cat "$T/err")"
	# errormsg is the detail of the error
	hrun -w '%{errormsg}' "$url"
	assert_equal "$status" 7
	[[ -s $T/out ]] || fail "%{errormsg} is empty for a refused connection"
	grep -qF -- "$(cat "$T/out")" "$T/err" || fail "errormsg '$(cat "$T/out")' not in: $(cat "$T/err")"
}

@test "failed transfer after the head (body cut short): the status and bytes received, exitcode 18" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", "then": "close"}]]
EOF
	hrun -o "$T/body" -w '%{http_code} %{exitcode} %{size_download}' "$RAW_URL/"
	assert_equal "$status" 18
	assert_bytes "$T/out" '200 18 4'
	# SPEC Part 2: a failed transfer leaves FILE.part, never a truncated FILE
	assert_bytes "$T/body.part" 'abcd'
	[[ ! -e $T/body ]] || fail "a truncated $T/body was left"
}

@test "several URLs: the format is printed once after each transfer" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nA"},
  {"reply": "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nBB"},
  {"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nCCC"}]]
EOF
	hrun -w '[%{url_effective} %{http_code} %{size_download}]\n' "$RAW_URL/1" "$RAW_URL/2" "$RAW_URL/3"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A[%s/1 201 1]\nBB[%s/2 404 2]\nCCC[%s/3 200 3]\n' "$RAW_URL" "$RAW_URL" "$RAW_URL"
}

@test "several URLs, one refused: each printed once, the exit status of the failure" {
	local bad
	raw_known
	bad=$(refused_url)
	# SPEC Part 2: -o pairs with URLs in order (curl's); URLs without one write to standard output
	hrun -o "$T/body" -w '%{http_code} %{exitcode}\n' "$RAW_URL/1" "$bad" "$RAW_URL/3"
	assert_equal "$status" 7
	assert_bytes "$T/out" '201 0\n0 7\nhello\n201 0\n'
	assert_bytes "$T/body" 'hello\n'
}

@test "-w @- with a body from standard input, or -w @MISSING: usage error, exit 2, nothing sent" {
	raw_known
	hrun_pipe body -w @- -d @- "$RAW_URL/"
	assert_equal "$status" 2
	grep -q '^hcli: Usage: ' "$T/err" || fail "stderr: $(cat "$T/err")"
	hrun -w "@$T/missing" "$RAW_URL/"
	assert_equal "$status" 2
	grep -q '^hcli: Usage: .*missing' "$T/err" || fail "stderr: $(cat "$T/err")"
	assert_bytes "$T/out" ''
	assert_equal "$(raw_conns)" 0
}

# -w after every way a URL can end; CLOSED is a port where nothing listens.
@test "-w is printed after a failure on every path: a failed redirect hop, a refused redirect, a bad URL" {
	local closed row reply args want
	closed=$(refused_url)
	# reply | hcli options | -w output (printf format; %s = the server's port) | exit status
	for row in \
		"HTTP/1.1 302 Found\r\nLocation: $closed/x\r\nContent-Length: 0\r\n\r\n|-L|302 1 $closed/x 7|7" \
		'HTTP/1.1 302 Found\r\nLocation: http://[bad/\r\nContent-Length: 0\r\n\r\n|-L|302 0 http://127.0.0.1:%s/a 3|3' \
		'HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n|-L --max-redirs 1|302 1 http://127.0.0.1:%s/a 47|47' \
		'HTTP/1.1 503 No\r\nContent-Length: 0\r\n\r\n|--retry 1 --retry-delay 0.001|503 0 http://127.0.0.1:%s/a 0|0'; do
		IFS='|' read -r reply args want st <<<"$row"
		raw_reply "$reply"
		# shellcheck disable=SC2086 # args is a word list
		hrun $args -w '[%{http_code} %{num_redirects} %{url_effective} %{exitcode}]' "$RAW_URL/a"
		assert_equal "$row: $status" "$row: $st"
		assert_bytes "$T/out" "[$want]" "$RAW_PORT"
		raw_stop
	done
	hrun -w '[%{http_code} %{exitcode} %{url_effective}]' 'http://[bad/'
	assert_equal "$status" 3
	assert_bytes "$T/out" '[0 3 http://[bad/]'
}
