#!/usr/bin/env bats
# Config files (SPEC Part 2, "Configuration"): -K, --config FILE in curl's
# syntax (--option value, -x value, option = "value", option: value, option
# value, url = ..., # comments, quoted values with curl's escapes), long
# names without dashes; the default file $XDG_CONFIG_HOME/hcli/config (else
# ~/.config/hcli/config) read first unless -q, --disable is the first
# argument (elsewhere -q is a usage error); a bad line is exit 2 naming file
# and line, with nothing sent. Options from files go through the same option
# table as argv, in order: what comes later wins.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n", "then": "close"}]]
EOF
}

# The head of the last request, without CRs.
sent_head() {
	tr -d '\r' <"$(raw_last_req)" | sed -n '1,/^$/p'
}

@test "good lines: each is read as its option (a table of lines and the request line or field they give)" {
	local rows=(
		'--header "X-A: 1"|X-A: 1'
		'header = "X-A: two words"|X-A: two words'
		'header="X-A: 1"|X-A: 1'
		'header: "X-A: 1"|X-A: 1'
		'  header   "X-A: 1"   # a comment after it|X-A: 1'
		'-H "X-A: 1"|X-A: 1'
		'-H X-A:1|X-A: 1'
		'user-agent = z|User-Agent: z'
		'user-agent z|User-Agent: z'
		'--user-agent "a b"|User-Agent: a b'
		'-A "tab\there"|User-Agent: tab	here'
		'header = "X-A: back\\slash \"q\""|X-A: back\slash "q"'
		'request = PUT|PUT /p HTTP/1.1'
		'-X DELETE|DELETE /p HTTP/1.1'
		'user = "u:p w"|Authorization: Basic dTpwIHc='
		'oauth2-bearer = t0k|Authorization: Bearer t0k'
		'max-time = 30|GET /p HTTP/1.1'
		'# only a comment|GET /p HTTP/1.1'
		'|GET /p HTTP/1.1'
	)
	local row bad=()
	for row in "${rows[@]}"; do
		printf '%s\n' "${row%|*}" >"$T/cfg"
		hrun -K "$T/cfg" "$RAW_URL/p"
		if [[ $status -ne 0 ]]; then
			bad+=("${row%|*}: $(show)")
		elif ! sent_head | grep -qxF -- "${row##*|}"; then
			bad+=("${row%|*}: no '${row##*|}' in: $(sent_head | tr '\n' '|')")
		fi
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "url = in a file is a URL, with or without URLs on the command line" {
	printf 'url = "%s/from-config"\n' "$RAW_URL" >"$T/cfg"
	hrun -K "$T/cfg"
	assert_equal "$status" 0
	assert_equal "$(sent_head | head -n 1)" "GET /from-config HTTP/1.1"
	printf '# the flag and the data too\nsilent\ndata = "a=1"\n' >>"$T/cfg"
	hrun -K "$T/cfg"
	assert_equal "$status" 0
	assert_equal "$(sent_head | head -n 1)" "POST /from-config HTTP/1.1"
	assert_equal "$(tail -c 3 "$(raw_last_req)")" "a=1"
}

@test "bad lines: exit 2 naming the file and the line, nothing sent (a table)" {
	local rows=(
		'nosuch = 1|line 1: unknown option '\''--nosuch'\'''
		'heder = "X: y"|line 1: unknown option '\''--heder'\'' (did you mean --header?)'
		'-Y 1|line 1: unknown option '\''-Y'\'''
		'header = X: y|line 1: more after the value (quote a value with spaces: "...")'
		'data = "open|line 1: the quoted value has no closing '\''"'\'''
		'silent = yes|line 1: option '\''--silent'\'' takes no value'
		'header|line 1: option '\''--header'\'' needs a value'
		'url|line 1: url needs a value'
		'-sv|line 1: '\''-sv'\'': one letter after a single dash'
		'config = other|line 1: --config does not work inside a config file'
		'-q|line 1: --disable does not work inside a config file'
		'max-time = soon|line 1: --max-time takes seconds, 0 to 2000000, not '\''soon'\'''
		'auth-type = ntlm|line 1: --auth-type takes basic, digest or bearer, not '\''ntlm'\'''
		'# one\n\nsilent\nbad line|line 4: unknown option '\''--bad'\'''
		'silent\n-H X-A:\0b|line 2: a NUL byte'
	)
	local row bad=() want
	raw_start_silent
	for row in "${rows[@]}"; do
		printf -- "${row%%|*}\n" >"$T/cfg"
		want="hcli: Usage: config file $T/cfg ${row#*|}"
		run --separate-stderr timeout 20 "$HCLI" -K "$T/cfg" "$RAW_URL/x" </dev/null
		if [[ $status -ne 2 || $output != "" || ${stderr%%$'\n'*} != "$want" ]]; then
			bad+=("${row%%|*}: status $status, stderr: $stderr")
		fi
	done
	raw_assert_nothing_sent
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "-K FILE that cannot be read: exit 2 naming it, nothing sent" {
	raw_start_silent
	run --separate-stderr "$HCLI" -K "$T/none" "$RAW_URL/x" </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr%%$'\n'*}" "hcli: Usage: config file: cannot open '$T/none': No such file or directory"
	raw_assert_nothing_sent
}

@test "options apply in order: the default file, then argv with -K files where they stand" {
	mkdir -p "$T/xdg/hcli"
	echo 'user-agent = from-default' >"$T/xdg/hcli/config"
	echo 'user-agent = from-K' >"$T/k"
	XDG_CONFIG_HOME=$T/xdg
	hrun "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^User-Agent')" "User-Agent: from-default"
	hrun -A from-argv "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^User-Agent')" "User-Agent: from-argv"
	hrun -K "$T/k" -A from-argv "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^User-Agent')" "User-Agent: from-argv"
	hrun -A from-argv -K "$T/k" "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^User-Agent')" "User-Agent: from-K"
}

@test "the default file: XDG_CONFIG_HOME, else ~/.config when it is unset or empty; -q first skips it" {
	mkdir -p "$T/xdg/hcli" "$T/home/.config/hcli"
	echo 'header = "X-From: xdg"' >"$T/xdg/hcli/config"
	echo 'header = "X-From: home"' >"$T/home/.config/hcli/config"
	HOME=$T/home XDG_CONFIG_HOME=$T/xdg hrun "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^X-From')" "X-From: xdg"
	HOME=$T/home XDG_CONFIG_HOME='' hrun "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^X-From')" "X-From: home"
	HOME=$T/home hrun_unset_xdg "$RAW_URL/p"
	assert_equal "$(sent_head | grep '^X-From')" "X-From: home"
	HOME=$T/home XDG_CONFIG_HOME=$T/xdg hrun -q "$RAW_URL/p"
	assert_equal "$status" 0
	assert_equal "$(sent_head | grep -c '^X-From')" 0
	HOME=$T/home XDG_CONFIG_HOME=$T/xdg hrun --disable "$RAW_URL/p"
	assert_equal "$(sent_head | grep -c '^X-From')" 0
}

# hrun with XDG_CONFIG_HOME unset
hrun_unset_xdg() {
	(
		unset XDG_CONFIG_HOME
		hrun "$@"
		echo "$status" >"$T/status"
	)
	status=$(cat "$T/status")
}

@test "a bad line in the default file: exit 2 naming it, nothing sent; -q first still works" {
	mkdir -p "$T/xdg/hcli"
	printf 'silent\nheader = X: y\n' >"$T/xdg/hcli/config"
	XDG_CONFIG_HOME=$T/xdg
	hrun -q "$RAW_URL/x"
	assert_equal "$status" 0
	raw_start_silent
	run --separate-stderr "$HCLI" "$RAW_URL/x" </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr%%$'\n'*}" "hcli: Usage: config file $T/xdg/hcli/config line 2: more after the value (quote a value with spaces: \"...\")"
	raw_assert_nothing_sent
}

@test "-q, --disable anywhere but first is a usage error, nothing sent" {
	usage_fails "-q, --disable works only as the first argument" -q
	usage_fails "-q, --disable works only as the first argument" --disable
	run --separate-stderr "$HCLI" -sq "$RAW_URL/x" </dev/null
	assert_equal "$status" 2
}
