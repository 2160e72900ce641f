# Scripted raw HTTP server (rawserver.py) for bats tests; loaded by common.bash.
#
#   raw_start SCRIPT|- [HOST] [DIR]   start; "-" reads the JSON script from stdin.
#                                     Exports RAW_PORT RAW_DIR RAW_PID RAW_URL.
#   raw_stop [DIR]                    stop (default: $RAW_DIR)
#   raw_req CONN N                    path of the bytes recorded for exchange N
#                                     of connection CONN
#   raw_conns                         number of connections accepted so far
#   raw_wait_conns N [SECONDS]        wait (bounded) until N were accepted
#
# DIR defaults to a fresh directory under $BATS_TEST_TMPDIR (in setup_file:
# $BATS_FILE_TMPDIR).  The lifetime is
# RAW_LIFETIME, else HARNESS_LIFETIME (seconds).

raw_start() {
	local script=${1:?usage: raw_start SCRIPT|- [HOST] [DIR]} host=${2:-127.0.0.1} dir=${3:-}
	local fd pid port=
	if [[ -z $dir ]]; then
		dir=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}/raw.XXXXXX")
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	rm -f "$dir/port" "$dir/pid" "$dir/ready"
	if [[ $script == - ]]; then
		script=$dir/script.json
		cat >"$script"
	fi

	# The server writes its port into this FIFO once it listens.  Opening it
	# read-write never blocks, so `read -t` bounds the whole wait.
	mkfifo "$dir/ready"
	exec {fd}<>"$dir/ready"
	# fd 3 closed: bats waits for whatever still holds it open.
	python3 "$HELPERS_DIR/rawserver.py" --script "$script" --dir "$dir" --host "$host" \
		--lifetime "${RAW_LIFETIME:-$HARNESS_LIFETIME}" --ready-fifo "$dir/ready" \
		</dev/null >"$dir/stdout" 2>"$dir/stderr" 3>&- {fd}>&- &
	pid=$!
	read -r -t "$HARNESS_START_TIMEOUT" -u "$fd" port || true
	exec {fd}>&-
	rm -f "$dir/ready"

	if [[ ! $port =~ ^[0-9]+$ ]]; then
		echo "raw_start: rawserver did not start:" >&2
		cat "$dir/stderr" >&2
		harness_kill "$pid"
		return 1
	fi
	_harness_register raw "$pid" "$dir"
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
