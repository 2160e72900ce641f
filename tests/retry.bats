#!/usr/bin/env bats
# Retries (SPEC.md, "Connection options", the --retry bullet): connection
# failures (7), timeouts (28), empty replies (52), send and receive failures
# (55, 56) and the statuses 408, 429, 500, 502, 503, 504 are retried up to
# --retry N times when the request body can be sent again (none, a string, a
# regular file; never a pipe).  --retry-delay S, else 1 s doubling;
# Retry-After (seconds or an HTTP-date) replaces the delay; --retry-max-time
# S ends the retries.  Each retry says "hcli: warning: ...; retry K of N in
# MS ms" (not under -s); only the final response is printed.
#
# The raw server gives each connection one scripted reply and closes it, so
# the number of connections is the number of tries, and its log says when each
# reply left and each connection came: a delay is shown waited by the gap
# between the two (a lower bound, which load only lengthens).  A hang ends at
# hrun's own bound (exit 124); no test has an upper bound on time.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	printf 'file body' >"$T/body"
}

# hrun, hrun_pipe and hcli_capture (helpers/run.bash) run hcli with no
# terminal (a new session); its run time is in $ELAPSED_MS.
# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1

# reply CODE [FIELD...]: the JSON of one exchange answering CODE (body "ok\n"
# for 200, "busy\n" otherwise, with the given extra fields), then a close.
reply() {
	local code=$1 reason=Status body='busy\n' fields=''
	shift
	[[ $code == 200 ]] && reason=OK body='ok\n'
	for f in "$@"; do fields+="$f\\r\\n"; done
	# shellcheck disable=SC2059 # body holds printf escapes
	printf '{"reply": "HTTP/1.1 %s %s\\r\\n%sContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s", "then": "close"}' \
		"$code" "$reason" "$fields" "$(printf "$body" | wc -c)" "$body"
}

# serve EXCHANGE...: connection i gets EXCHANGE i (JSON, e.g. from reply);
# the last one is repeated for further connections.
serve() {
	local json='' e
	for e in "$@"; do json+="${json:+, }[$e]"; done
	raw_start - <<<"[$json]"
}

# The request of connection C.
req() { echo "$RAW_DIR/req-$1-0"; }
req_body() { sed '1,/^\r$/d' "$(req "$1")"; }
req_field() { # C NAME
	sed -n '1,/^\r$/p' "$(req "$1")" | tr -d '\r' | grep -i "^$2:" | sed 's/^[^:]*: *//'
}

# Milliseconds from the server's having read the request of connection C-1
# (its reply leaves after that) to its accepting connection C, from its log.
# The log's times are rounded to the millisecond: a wait of D ms shows as D-1
# at least.
gap_ms() { # C
	awk -v prev="conn=$(($1 - 1))" -v cur="conn=$1" '
		$2 == prev && $4 == "recorded" { got = $1 }
		$2 == cur && $3 == "accept" { acc = $1 }
		END { if (got == "" || acc == "") print -1; else printf "%.0f\n", (acc - got) * 1000 }
	' "$RAW_DIR/log"
}

# The warning lines on stderr, "retry K of N in MS ms" each, in order.
retry_lines() {
	grep '^hcli: warning: ' "$T/err" | grep -o 'retry [0-9]* of [0-9]* in [0-9]* ms$'
}

# --- statuses ----------------------------------------------------------------

@test "503, 503, then 200: exactly 3 requests, only the 200's body printed, a warning per retry" {
	serve "$(reply 503)" "$(reply 503)" "$(reply 200)"
	hrun --retry 3 --retry-delay 0.1 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
	assert_equal "$(wc -l <"$T/err")" 2
	grep -qx 'hcli: warning: .*503.*; retry 1 of 3 in 100 ms' "$T/err" || fail "$(show)"
	grep -qx 'hcli: warning: .*503.*; retry 2 of 3 in 100 ms' "$T/err" || fail "$(show)"
	(($(gap_ms 1) >= 99 && $(gap_ms 2) >= 99)) || fail "gaps $(gap_ms 1) and $(gap_ms 2) ms: $(show)"
}

@test "-p hb after retries: the final head and body only" {
	serve "$(reply 503)" "$(reply 200 'X-Final: yes')"
	hrun -p hb --retry 2 --retry-delay 0.1 "$RAW_URL/x"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "$(printf 'HTTP/1.1 200 OK\nX-Final: yes\nContent-Length: 3\nConnection: close\n\nok')"
}

@test "which statuses are retried: 408 429 500 502 503 504, not the others" {
	local code want got bad=()
	while read -r code want; do
		serve "$(reply "$code")" "$(reply 200)"
		hrun --retry 1 --retry-delay 0.01 "$RAW_URL/x"
		got="$status $(raw_conns) $(cat "$T/out")"
		if [[ $want == retried ]]; then
			[[ $got == "0 2 ok" && $(retry_lines) == "retry 1 of 1 in 10 ms" ]] ||
				bad+=("$code: want a retry, got '$got' $(cat "$T/err")")
		else
			[[ $got == "0 1 busy" && ! -s $T/err ]] || bad+=("$code: want no retry, got '$got' $(cat "$T/err")")
		fi
		raw_stop
	done <<'EOF'
408 retried
429 retried
500 retried
502 retried
503 retried
504 retried
400 final
404 final
501 final
505 final
EOF
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "without --retry a 503 is final" {
	serve "$(reply 503)" "$(reply 200)"
	hrun "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == busy && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 1
}

@test "after the last retry the final 503 is shown normally: exit 0, or 22 with -f" {
	serve "$(reply 503)"
	hrun --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == busy ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
	assert_equal "$(retry_lines)" "retry 1 of 2 in 10 ms
retry 2 of 2 in 10 ms"
	raw_stop
	serve "$(reply 503)"
	hrun -f --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 22 && ! -s $T/out ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
	grep -q '^hcli: HTTPError: 503' "$T/err" || fail "$(show)"
}

# --- delays ------------------------------------------------------------------------

@test "Retry-After: 1 replaces --retry-delay (the retry comes 1 s after the reply)" {
	serve "$(reply 503 'Retry-After: 1')" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.1 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(retry_lines)" "retry 1 of 1 in 1000 ms"
	(($(gap_ms 1) >= 999)) || fail "retry $(gap_ms 1) ms after the reply: $(show)"
}

@test "Retry-After as an HTTP-date: waits until then" {
	local when
	# two seconds ahead, whole seconds: hcli sees 1 or 2 s left
	when=$(LC_ALL=C date -u -d "@$(($(date +%s) + 2))" '+%a, %d %b %Y %H:%M:%S GMT')
	serve "$(reply 503 "Retry-After: $when")" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.1 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	[[ $(retry_lines) =~ ^retry\ 1\ of\ 1\ in\ (1000|2000)\ ms$ ]] || fail "$(show)"
	(($(gap_ms 1) >= 999)) || fail "retry $(gap_ms 1) ms after the reply: $(show)"
}

@test "Retry-After: an HTTP-date in the past means at once; an unreadable one keeps --retry-delay" {
	serve "$(reply 503 'Retry-After: Thu, 01 Jan 2004 00:00:00 GMT')" "$(reply 200)"
	hrun --retry 1 --retry-delay 3 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(retry_lines)" "retry 1 of 1 in 0 ms"
	raw_stop
	serve "$(reply 503 'Retry-After: soon')" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.2 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(retry_lines)" "retry 1 of 1 in 200 ms"
}

@test "the default delay starts at 1 s and doubles" {
	hrun --retry 2 "$(refused_url)"
	assert_equal "$status" 7
	assert_equal "$(retry_lines)" "retry 1 of 2 in 1000 ms
retry 2 of 2 in 2000 ms"
	((ELAPSED_MS >= 3000)) || fail "took ${ELAPSED_MS} ms: $(show)"
}

@test "--retry-delay 0 means the default backoff, as curl's" {
	hrun --retry 1 --retry-delay 0 "$(refused_url)"
	assert_equal "$status" 7
	assert_equal "$(retry_lines)" "retry 1 of 1 in 1000 ms"
}

@test "--retry-max-time stops the retries early" {
	serve "$(reply 503)"
	hrun --retry 10 --retry-delay 0.5 --retry-max-time 1 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == busy ]] || fail "$(show)"
	# a try at 0 and 0.5 s, perhaps one more at 1 s; never the 11 that --retry allows
	(($(raw_conns) >= 2 && $(raw_conns) <= 3)) || fail "$(raw_conns) tries: $(show)"
	assert_equal "$(retry_lines | wc -l)" "$(($(raw_conns) - 1))"
	# a wait that would end after the limit is shortened to end then
	local ms
	for ms in $(retry_lines | awk '{print $5}'); do
		((ms <= 500)) || fail "a wait of $ms ms: $(show)"
	done
}

@test "--retry-max-time 0 means no limit, as curl's" {
	serve "$(reply 503)" "$(reply 503)" "$(reply 200)"
	hrun --retry 2 --retry-delay 0.01 --retry-max-time 0 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
}

@test "an unknown host (6) is not retried" {
	hrun --retry 2 --retry-delay 0.01 http://host.invalid/
	assert_equal "$status" 6
	assert_equal "$(retry_lines)" ""
}

# --- connection failures -----------------------------------------------------------

@test "connection refused with --retry 2: 3 attempts (2 warnings), then 7" {
	hrun --retry 2 --retry-delay 0.1 "$(refused_url)"
	assert_equal "$status" 7
	[[ ! -s $T/out ]]
	assert_equal "$(retry_lines)" "retry 1 of 2 in 100 ms
retry 2 of 2 in 100 ms"
	assert_equal "$(grep -c '^hcli: warning: ConnectionRefused: ' "$T/err")" 2
	assert_equal "$(grep -v '^hcli: warning: ' "$T/err" | grep -c '^hcli: ConnectionRefused: ')" 1
	assert_equal "$(wc -l <"$T/err")" 3
}

@test "an empty reply (52) is retried" {
	serve '{"reply": "", "then": "close"}' "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
	grep -q '^hcli: warning: RemoteDisconnected: .*; retry 1 of 1 in 10 ms$' "$T/err" || fail "$(show)"
}

@test "a reset (56) is retried; when it persists, 56 after the retries" {
	serve '{"reply": "", "then": "reset"}' "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
	raw_stop
	serve '{"reply": "", "then": "reset"}'
	hrun --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	assert_equal "$status" 56
	assert_equal "$(raw_conns)" 3
}

@test "a timeout (28) is retried" {
	serve '{"reply": "", "then": "hang"}' "$(reply 200)"
	hrun --timeout 0.5 --retry 1 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
	grep -q '^hcli: warning: Timeout: .*; retry 1 of 1 in 10 ms$' "$T/err" || fail "$(show)"
}

@test "a bad status line (8) is not retried" {
	serve '{"reply": "HTTP/9 200 OK\r\n\r\n", "then": "close"}' "$(reply 200)"
	hrun --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	assert_equal "$status" 8
	assert_equal "$(raw_conns)" 1
}

@test "with -L, a 503 after a redirect retries the redirected URL" {
	serve "$(reply 302 'Location: /next')" "$(reply 503)" "$(reply 200)"
	hrun -L --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
	assert_equal "$(head -qn 1 "$(req 0)" "$(req 1)" "$(req 2)" | tr -d '\r')" "GET /x HTTP/1.1
GET /next HTTP/1.1
GET /next HTTP/1.1"
	assert_equal "$(retry_lines)" "retry 1 of 2 in 10 ms"
}

@test "the retries of a URL are shared by its redirects" {
	serve "$(reply 503)" "$(reply 302 'Location: /next')" "$(reply 503)" "$(reply 200)"
	hrun -L --retry 1 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == busy ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
	raw_stop
	serve "$(reply 503)" "$(reply 302 'Location: /next')" "$(reply 503)" "$(reply 200)"
	hrun -L --retry 2 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 4
	assert_equal "$(retry_lines)" "retry 1 of 2 in 10 ms
retry 2 of 2 in 10 ms"
}

@test "several URLs: each gets its own retries" {
	serve "$(reply 503)" "$(reply 200)" "$(reply 503)" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 "$RAW_URL/a" "$RAW_URL/b"
	[[ $status -eq 0 && $(cat "$T/out") == $'ok\nok' ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 4
	assert_equal "$(retry_lines)" "retry 1 of 1 in 10 ms
retry 1 of 1 in 10 ms"
}

# --- request bodies ----------------------------------------------------------------

@test "POST with a string body is retried on 503, the body sent again" {
	serve "$(reply 503)" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 -d 'a=1' "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
	assert_equal "$(head -n 1 "$(req 1)" | tr -d '\r')" "POST /x HTTP/1.1"
	assert_equal "$(req_body 0)" "a=1"
	assert_equal "$(req_body 1)" "a=1"
	assert_equal "$(req_field 1 Content-Length)" 3
}

@test "a body from a regular file is retried, sent whole again" {
	serve "$(reply 503)" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 -X PUT "$RAW_URL/x" "@$T/body"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 2
	assert_equal "$(req_body 1)" "file body"
	assert_equal "$(req_field 1 Content-Length)" 9
}

@test "standard input redirected from a file is replayable too" {
	serve "$(reply 503)" "$(reply 200)"
	hcli_capture --retry 1 --retry-delay 0.01 -d @- "$RAW_URL/x" <"$T/body"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	assert_equal "$(req_body 1)" "file body"
}

@test "a body from a pipe is not retried: one request, the 503 shown, exit 0" {
	serve "$(reply 503)" "$(reply 200)"
	hrun_pipe piped --retry 3 --retry-delay 0.01 -d @- "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == busy ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 1
	assert_equal "$(retry_lines)" ""
}

@test "a body from a pipe: a refused connection is not retried either" {
	hrun_pipe piped --retry 3 --retry-delay 0.01 -d @- "$(refused_url)"
	assert_equal "$status" 7
	assert_equal "$(retry_lines)" ""
}

# --- output --------------------------------------------------------------------------

@test "-s silences the retry warnings" {
	serve "$(reply 503)" "$(reply 503)" "$(reply 200)"
	hrun -s --retry 3 --retry-delay 0.01 "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(raw_conns)" 3
}

@test "-s with a refused connection: no warnings, the final error line still shown" {
	hrun -s --retry 2 --retry-delay 0.01 "$(refused_url)"
	assert_equal "$status" 7
	assert_equal "$(wc -l <"$T/err")" 1
	grep -q '^hcli: ConnectionRefused: ' "$T/err" || fail "$(show)"
}

@test "-o FILE after retries holds only the final body" {
	serve "$(reply 503)" "$(reply 200)"
	hrun --retry 1 --retry-delay 0.01 -o "$T/saved" "$RAW_URL/x"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/saved")" ok
}
