# Scripted raw HTTP server (rawserver.py) for bats tests; loaded by common.bash.
#
#   raw_start SCRIPT|- [HOST] [DIR]   start; "-" reads the JSON script from stdin.
#                                     Exports RAW_PORT RAW_DIR RAW_PID RAW_URL.
#   raw_stop [DIR]                    stop (default: $RAW_DIR)
#   raw_req CONN N                    path of the bytes recorded for exchange N
#                                     of connection CONN
#   raw_conns                         number of connections accepted so far
#   raw_wait_conns N [SECONDS]        wait (bounded) until N were accepted
#   raw_last_req                      path of the first request of the last
#                                     connection accepted
#   raw_reply REPLY                   start a server that answers every
#                                     connection with REPLY, then keeps it
#   raw_start_silent                  start a server that never replies
#   raw_conn_done N                   wait until connection N is finished
#   raw_assert_nothing_sent           no byte reached the silent server
#
# RAW_OPTS (an array, empty by default) adds rawserver.py options, e.g. its
# --tls-* ones (helpers/tls.bash has tls_raw_start for those).
# DIR defaults to a fresh directory under $BATS_TEST_TMPDIR (in setup_file:
# $BATS_FILE_TMPDIR).  The lifetime is
# RAW_LIFETIME, else HARNESS_LIFETIME (seconds).

raw_start() {
	local script=${1:?usage: raw_start SCRIPT|- [HOST] [DIR]} host=${2:-127.0.0.1} dir
	local pid port=
	harness_script_dir raw "${3:-}" "$script" || return 1
	dir=$HARNESS_DIR script=$HARNESS_SCRIPT
	harness_script_server raw "$dir" -- python3 "$HELPERS_DIR/rawserver.py" --script "$script" \
		--dir "$dir" --host "$host" --lifetime "${RAW_LIFETIME:-$HARNESS_LIFETIME}" \
		${RAW_OPTS[@]+"${RAW_OPTS[@]}"} || return 1
	port=$HARNESS_PORT pid=$HARNESS_PID
	RAW_PORT=$port RAW_DIR=$dir RAW_PID=$pid
	if [[ $host == *:* ]]; then
		RAW_URL="http://[$host]:$port"
	else
		RAW_URL="http://$host:$port"
	fi
	export RAW_PORT RAW_DIR RAW_PID RAW_URL
}

raw_stop() {
	local want=${1:-${RAW_DIR:?raw_stop: no server}} entry kind pid dir
	for entry in "${_HARNESS_SERVERS[@]}"; do
		_harness_entry "$entry"
		if [[ $kind == raw && $dir == "$want" ]]; then
			harness_kill "$pid"
			return 0
		fi
	done
	echo "raw_stop: no server started from this shell in $want" >&2
	return 1
}

raw_req() {
	echo "${RAW_DIR:?raw_req: no server}/req-${1:?usage: raw_req CONN N}-${2:?usage: raw_req CONN N}"
}

raw_conns() {
	cat "${RAW_DIR:?raw_conns: no server}/conns" 2>/dev/null || echo 0
}

_raw_has_conns() { (($(raw_conns) >= $1)); }

raw_wait_conns() { # N [SECONDS]
	harness_wait_for "${2:-$HARNESS_WAIT_TIMEOUT}" _raw_has_conns "${1:?usage: raw_wait_conns N}"
}

# The path of the first request of the last connection accepted.
raw_last_req() {
	raw_req "$(($(raw_conns) - 1))" 0
}

# A server whose every connection gets REPLY (JSON string contents: \r\n
# escapes), after which the connection stays open.
raw_reply() { # REPLY
	raw_start - <<<"[[{\"reply\": \"${1:?usage: raw_reply REPLY}\"}]]"
}

# A server that never replies: every byte a connection C carries, a partial
# head included, is recorded in req-C-1 (the script's "none" exchange reads
# nothing; the unscripted request that follows records all, then closes).
# The plain "head" exchange records no partial head at all: a harness
# limitation this works around.
raw_start_silent() {
	raw_start - <<<'[[{"expect": "none"}]]'
}

# The server is done with connection N: its last log line is final.
_raw_conn_done() { # N
	local last
	last=$(grep " conn=$1 " "$RAW_DIR/log" | tail -n 1)
	[[ $last =~ (client\ closed|receive\ failed|socket\ error|closed\ cleanly|reset$) ]] && return 0
	[[ $last == *recorded* ]] && grep -q " conn=$1 .*unscripted request" "$RAW_DIR/log"
}

# Wait (5 s at most) until the server is done with connection N (default 0); fail if it is not.
raw_conn_done() { # [N]
	harness_wait_for 5 _raw_conn_done "${1:-0}" || fail "raw server not done with connection ${1:-0}"
}

# Nothing reached the silent server (raw_start_silent): a probe connects after
# hcli has exited; connections are accepted in order, so every one before it
# must be empty.
raw_assert_nothing_sent() {
	python3 - "$RAW_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /probe HTTP/1.1\r\nHost: probe\r\n\r\n")
s.recv(1)  # the server's close once it recorded the probe
PY
	local n c
	n=$(raw_conns)
	for ((c = 0; c < n - 1; c++)); do
		raw_conn_done "$c" || return 1
		if [[ -s $RAW_DIR/req-$c-0 || -s $RAW_DIR/req-$c-1 ]]; then
			fail "connection $c got: $(cat -A "$RAW_DIR/req-$c-"*)"
			return 1
		fi
	done
	grep -q '^GET /probe ' "$RAW_DIR/req-$((n - 1))-1" || fail "the probe is not the last connection"
}

# The synopsis line that follows every usage error.
# shellcheck disable=SC2034 # read by the bats files
USAGE_LINE='usage: hcli [OPTIONS] [METHOD] URL [ITEM ...] [URL ...]'

# usage_fails DETAIL ARGS...: exit 2, "hcli: Usage: DETAIL" and the synopsis
# line, nothing on standard output, and no connection made.
usage_fails() {
	local detail=$1
	shift
	raw_start_silent
	run --separate-stderr hcli "$RAW_URL/x" "$@" </dev/null
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$stderr" "hcli: Usage: $detail"$'\n'"$USAGE_LINE"
	raw_assert_nothing_sent
}
