# Running hcli with what it writes kept in files, and checks on those files;
# sourced by common.bash.  Every file lives in the test's own directory
# ($BATS_TEST_TMPDIR, which the bats files call $T).
#
#   hrun ARGS...            hcli with standard input from /dev/null
#   hrun_pipe DATA ARGS...  hcli with DATA on standard input through a pipe
#   hcli_capture ARGS...    hcli with the caller's standard input
# Each puts stdout in $T/out, stderr in $T/err, the exit code in $status and
# the run time in $ELAPSED_MS.  Settings, at a file's top level or local to a
# function that calls them:
#   HRUN_SETSID=1           hcli runs in a new session: no controlling terminal
#   HRUN_TIMEOUT=S          timeout(1) stops hcli after S seconds (default 30)
#   HRUN_ENV=(NAME=VALUE…)  added to hcli's environment

# hcli ARGS with the caller's standard input; the common part of hrun and hrun_pipe.
hcli_capture() {
	local t0 cmd=("$HCLI" "$@")
	if [[ -n ${HRUN_ENV[*]:-} ]]; then
		cmd=(env "${HRUN_ENV[@]}" "${cmd[@]}")
	fi
	if [[ -n ${HRUN_SETSID:-} ]]; then
		cmd=(setsid -w "${cmd[@]}")
	fi
	t0=$(date +%s%N)
	status=0
	timeout -k 2 "${HRUN_TIMEOUT:-30}" "${cmd[@]}" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
}

# hcli ARGS with standard input from /dev/null.
hrun() {
	hcli_capture "$@" </dev/null
}

# hcli ARGS with DATA (these bytes exactly, no escapes) on standard input through a pipe.
hrun_pipe() { # DATA ARGS...
	local data=$1
	shift
	hcli_capture "$@" < <(printf '%s' "$data")
}

# The last run's exit code, run time, stdout (its first 2000 bytes) and stderr, for failure messages.
show() {
	printf -- '-- status %s, %s ms\n-- stdout --\n%s\n-- stderr --\n%s\n' "$status" "${ELAPSED_MS:-?}" \
		"$(head -c 2000 "$BATS_TEST_TMPDIR/out")" "$(cat "$BATS_TEST_TMPDIR/err")"
}

# hrun ARGS exits 0 with stdout exactly BODY (and a newline) and stderr empty.
expect_ok() { # BODY ARGS...
	local body=$1
	shift
	hrun "$@"
	[[ $status -eq 0 && $(cat "$BATS_TEST_TMPDIR/out") == "$body" && ! -s $BATS_TEST_TMPDIR/err ]] ||
		fail "$(printf 'expected 0 and body %q, got:\n%s' "$body" "$(show)")"
}

# hrun ARGS exits STATUS, stdout empty, stderr exactly one line "hcli: KIND: ..."
# that contains DETAIL: a fixed string, or what the grep options in
# EXPECT_FAIL_GREP (default -F) make of it (-iE: a regex, any case).
expect_fail() { # STATUS KIND DETAIL ARGS...
	local want=$1 kind=$2 detail=$3 err=$BATS_TEST_TMPDIR/err
	shift 3
	hrun "$@"
	if [[ $status -ne $want || -s $BATS_TEST_TMPDIR/out || $(wc -l <"$err") -ne 1 ]] ||
		! grep -q "^hcli: $kind: " "$err" || ! grep -q "${EXPECT_FAIL_GREP:--F}" -- "$detail" "$err"; then
		fail "$(printf 'expected %s, "hcli: %s: ...%s...", got:\n%s' "$want" "$kind" "$detail" "$(show)")"
	fi
}

# FILE holds exactly the bytes of printf FORMAT ARGS...
assert_bytes() { # FILE FORMAT [ARG...]
	local file=$1 fmt=$2 want=$BATS_TEST_TMPDIR/expected
	shift 2
	# shellcheck disable=SC2059 # FORMAT is a printf format on purpose
	printf -- "$fmt" "$@" >"$want"
	cmp -s "$want" "$file" ||
		fail "$(printf '%s differs\n-- expected --\n%s\n-- actual --\n%s\n-- stderr --\n%s' "$file" \
			"$(od -An -c "$want" | head -30)" "$(od -An -c "$file" | head -30)" \
			"$(cat "$BATS_TEST_TMPDIR/err" 2>/dev/null)")"
}

# A line of FILE matches the extended regular expression RE.
assert_line_re() { # FILE RE
	grep -Eq -- "$2" "$1" || fail "no line of $1 matches /$2/:"$'\n'"$(cat "$1")"
}

# The SHA-256 of FILE (default: standard input), lower-case hex only.
sha256_of() { # [FILE]
	sha256sum <"${1:-/dev/stdin}" | cut -d' ' -f1
}

# The version number that hcli --version prints (e.g. 1.2.3).
hcli_version() {
	"$HCLI" --version | grep -oE '[0-9]+(\.[0-9A-Za-z]+)+' | head -n 1
}
