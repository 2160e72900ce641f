# Loaded first by every bats file:  load helpers/common
#
# Sets HCLI (absolute path of ./hcli; override with the HCLI environment
# variable), HELPERS_DIR and REPO_ROOT, defines `hcli` for `run hcli ...`, and
# keeps a registry of the servers a test (or setup_file) started so that
# harness_teardown (the default teardown and teardown_file) can stop them
# all.  Start servers directly, never under `run` (that would start them in a
# subshell and lose RAW_PORT etc.).

bats_require_minimum_version 1.5.0

HELPERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HELPERS_DIR/../.." && pwd)"
HCLI="${HCLI:-$REPO_ROOT/hcli}"
export HELPERS_DIR REPO_ROOT HCLI

# hcli reads $XDG_CONFIG_HOME/hcli/config (else ~/.config/hcli/config) first:
# the tests point it at an empty directory of their own, so that a
# developer's config file changes nothing.  A test may set its own.
XDG_CONFIG_HOME="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/xdg-config-empty"
mkdir -p "$XDG_CONFIG_HOME"
export XDG_CONFIG_HOME

# How long a server may live at most, and how long helpers wait for things.
: "${HARNESS_LIFETIME:=120}"
: "${HARNESS_START_TIMEOUT:=10}"
: "${HARNESS_WAIT_TIMEOUT:=5}"

load "${BATS_SUPPORT_LOAD:-/usr/lib/bats/bats-support/load}"
load "${BATS_ASSERT_LOAD:-/usr/lib/bats/bats-assert/load}"
# bats' load resolves paths against the test file, not this one.
# shellcheck source-path=SCRIPTDIR
source "$HELPERS_DIR/raw.bash"
# shellcheck source-path=SCRIPTDIR
source "$HELPERS_DIR/nginx.bash"
# shellcheck source-path=SCRIPTDIR
source "$HELPERS_DIR/run.bash"

hcli() {
	"$HCLI" "$@"
}

# Registry of started servers: "KIND PID DIR" entries, local to this shell.  Tests
# run in their own process, so a test's teardown never sees (and never stops)
# servers that setup_file started; teardown_file stops those.
_HARNESS_SERVERS=()

_harness_register() { # KIND PID DIR
	_HARNESS_SERVERS+=("$1 $2 $3")
}

# Sets kind, pid and dir from one registry entry.
_harness_entry() { # ENTRY
	kind=${1%% *}
	pid=${1#* }
	dir=${pid#* }
	pid=${pid%% *}
}

_harness_unregister() { # PID
	local i kind pid dir
	for i in "${!_HARNESS_SERVERS[@]}"; do
		_harness_entry "${_HARNESS_SERVERS[i]}"
		[[ $pid == "$1" ]] && unset '_HARNESS_SERVERS[i]'
	done
	return 0
}

# Alive and not a zombie: our own children stay zombies until we reap them.
_harness_alive() { # PID
	local stat
	# read, not $(<file): under set -e bash exits when $(<file) cannot open
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# Poll CMD... until it succeeds, bounded by HARNESS_WAIT_TIMEOUT (or $2 of
# the callers below).  For conditions with no event to wait on (a process
# exiting, a log line being written after the client already got its reply).
harness_wait_for() { # SECONDS CMD...
	local seconds=$1 deadline
	shift
	deadline=$((SECONDS + ${seconds%.*} + 1))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.01
	done
}

_harness_dead() { ! _harness_alive "$1"; }

# TERM, wait bounded, then KILL; reap it if it is our child.
harness_kill() { # PID
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || true
	if ! harness_wait_for 5 _harness_dead "$pid"; then
		echo "harness: pid $pid ignored SIGTERM, killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
		harness_wait_for 5 _harness_dead "$pid" || true
	fi
	wait "$pid" 2>/dev/null || true
	_harness_unregister "$pid"
}

# Stop every server this shell started (newest first).
harness_teardown() {
	local entries=("${_HARNESS_SERVERS[@]}") i kind pid dir
	for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
		_harness_entry "${entries[i]}"
		case $kind in
		nginx) nginx_stop "$dir" ;;
		*) harness_kill "$pid" ;;
		esac
	done
	_HARNESS_SERVERS=()
}

# Defaults; a file that defines its own must call harness_teardown in them.
# teardown also stops BG_PID, a process a test may have left running in the
# background.  teardown_file stops what setup_file started (its own registry).
teardown() {
	[[ -z ${BG_PID:-} ]] || harness_kill "$BG_PID"
	harness_teardown
}

teardown_file() {
	harness_teardown
}

# A port that was free a moment ago (for servers that cannot bind port 0).
harness_free_port() { # [HOST]
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

# A scripted server's directory and script: DIR, or when empty a fresh one
# under the test's temporary directory named after KIND, made absolute and rid
# of an earlier run's port, pid and ready files; SCRIPT "-" is read from
# standard input into DIR/script.json.  Sets HARNESS_DIR and HARNESS_SCRIPT.
harness_script_dir() { # KIND DIR SCRIPT
	local kind=$1 dir=$2 script=$3
	if [[ -z $dir ]]; then
		dir=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}/$kind.XXXXXX")
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	rm -f "$dir/port" "$dir/pid" "$dir/ready"
	if [[ $script == - ]]; then
		script=$dir/script.json
		cat >"$script"
	fi
	HARNESS_DIR=$dir HARNESS_SCRIPT=$script
}

# A scripted server (rawserver.py, h2server.py) that writes its port into
# DIR/ready (--ready-fifo) once it listens: KIND DIR -- CMD... runs CMD with that
# option added, bounded by HARNESS_START_TIMEOUT (opening the FIFO read-write
# never blocks, so `read -t` bounds the whole wait), registers it for teardown
# and sets HARNESS_PORT and HARNESS_PID; on failure says why and returns 1.
harness_script_server() { # KIND DIR -- CMD...
	local kind=$1 dir=$2 fd pid port=
	shift 3
	mkfifo "$dir/ready"
	exec {fd}<>"$dir/ready"
	# fd 3 closed: bats waits for whatever still holds it open.
	"$@" --ready-fifo "$dir/ready" </dev/null >"$dir/stdout" 2>"$dir/stderr" 3>&- {fd}>&- &
	pid=$!
	read -r -t "$HARNESS_START_TIMEOUT" -u "$fd" port || true
	exec {fd}>&-
	rm -f "$dir/ready"
	if [[ ! $port =~ ^[0-9]+$ ]]; then
		echo "${kind}_start: ${kind} server did not start:" >&2
		cat "$dir/stderr" >&2
		harness_kill "$pid"
		return 1
	fi
	_harness_register "$kind" "$pid" "$dir"
	HARNESS_PORT=$port HARNESS_PID=$pid
}

# A socket listening on PORT of 127.0.0.1 (state 0A in /proc/net/tcp), or the process gone.
harness_listening() { # PORT PID
	local hex
	printf -v hex '%04X' "$1"
	grep -qs "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A " /proc/net/tcp || ! _harness_alive "$2"
}

# Start a server that runs in the foreground and listens on 127.0.0.1:PORT of
# a free port, under timeout(1) for LIFETIME seconds, its standard output and
# error in DIR/stdout and DIR/stderr.  CONF PORT is called before each try to
# write its configuration and empty its LOG; a try whose port was taken in
# between ("address already in use" in LOG or stderr) is made again on
# another port, at most 5 times.  Sets HARNESS_PORT and HARNESS_PID and
# registers it as KIND; prints why and returns 1 when it did not start.
harness_daemon() { # KIND DIR LOG LIFETIME CONF -- CMD...
	local kind=$1 dir=$2 log=$3 lifetime=$4 conf=$5 port pid=''
	shift 6
	for _ in 1 2 3 4 5; do
		port=$(harness_free_port 127.0.0.1)
		"$conf" "$port"
		# fd 3 closed: bats waits for whatever still holds it open.
		timeout -k 5 "$lifetime" "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr" 3>&- &
		pid=$!
		harness_wait_for "$HARNESS_START_TIMEOUT" harness_listening "$port" "$pid" || true
		_harness_alive "$pid" && break
		harness_kill "$pid"
		pid=
		grep -qsi 'address already in use' "$log" "$dir/stderr" || break
	done
	if [[ -z $pid ]] || ! harness_listening "$port" "$pid"; then
		echo "${kind}_start: $kind did not start:" >&2
		cat "$dir/stderr" >&2
		tail -n 5 "$log" >&2 2>/dev/null
		[[ -n $pid ]] && harness_kill "$pid"
		return 1
	fi
	_harness_register "$kind" "$pid" "$dir"
	HARNESS_PORT=$port HARNESS_PID=$pid
}

# A URL on 127.0.0.1 where nothing listens (a port free a moment ago): connecting is refused.
refused_url() {
	echo "http://127.0.0.1:$(harness_free_port)/refused"
}
