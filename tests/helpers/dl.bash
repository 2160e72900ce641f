# Download test server (dlserver.py) for bats tests: `load helpers/dl`.
#
#   dl_start [MTIME]   serve $DL_ROOT (created: $T/www) with ETag, Last-Modified
#                      (MTIME, an HTTP date), Range, If-* support; exports
#                      DL_PORT DL_DIR DL_PID DL_URL (files under $DL_URL/f/NAME)
#   dl_requests        the requests it recorded, one line each
#
# The server's query parameters (cd=, norange=1, cut=N, stall=N, bad416=N,
# badrange=N, status=NNN) are described in dlserver.py.

dl_start() {
	local mtime=${1:-Tue, 13 Jun 2000 12:10:00 GMT} fd pid port=
	DL_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/dl.XXXXXX")
	: "${DL_ROOT:=$BATS_TEST_TMPDIR/www}"
	mkdir -p "$DL_ROOT"
	mkfifo "$DL_DIR/ready"
	exec {fd}<>"$DL_DIR/ready"
	python3 "$HELPERS_DIR/dlserver.py" --root "$DL_ROOT" --dir "$DL_DIR" --mtime "$mtime" \
		--lifetime "$HARNESS_LIFETIME" --ready-fifo "$DL_DIR/ready" \
		</dev/null >"$DL_DIR/stdout" 2>"$DL_DIR/stderr" 3>&- {fd}>&- &
	pid=$!
	read -r -t "$HARNESS_START_TIMEOUT" -u "$fd" port || true
	exec {fd}>&-
	if [[ ! $port =~ ^[0-9]+$ ]]; then
		echo "dl_start: dlserver did not start:" >&2
		cat "$DL_DIR/stderr" >&2
		harness_kill "$pid"
		return 1
	fi
	_harness_register dl "$pid" "$DL_DIR"
	DL_PORT=$port DL_PID=$pid DL_URL="http://127.0.0.1:$port"
	export DL_PORT DL_DIR DL_PID DL_URL DL_ROOT
}

dl_requests() {
	cat "$DL_DIR/requests" 2>/dev/null
}
