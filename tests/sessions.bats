#!/usr/bin/env bats
# Sessions (SPEC.md Part 2, "Cookies and sessions"): --session NAME|PATH and
# --session-read-only keep custom headers (not Content-* or If-*), -u
# credentials and cookies in HTTPie 3's JSON layout, read before the run and
# written after it like a jar (atomically, mode 0600); a damaged file is exit
# 2 naming it, nothing sent, the file left as it was. HTTPie 3.2.1 reads what
# hcli writes and the other way round.

# shellcheck disable=SC2154 # status, output, stderr: set by bats' run
load helpers/common
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	HRUN_ENV=(HOME="$T/home" XDG_CONFIG_HOME="$T/config")
	mkdir -p "$T/home"
}

# A raw server: connection 0 sets two cookies, every connection after it says "ok".
serve() {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nSet-Cookie: s=1; Path=/\r\nSet-Cookie: p=2; Path=/; Max-Age=3600\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}],
 [{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
}

# field C NAME: the value of field NAME in connection C's first request ("" when none)
field() {
	sed -n "s/^$2: \\(.*\\)\\r\$/\\1/p" "$(raw_req "$1" 0)"
}

basic() { printf '%s' "$1" | base64; }

@test "--session NAME keeps custom headers, -u and cookies under XDG_CONFIG_HOME, 0600; the next run sends them" {
	serve
	hrun --session api -u ann:s3cret "$RAW_URL/login" X-Team:blue Content-Type:text/plain \
		If-None-Match:x Accept:text/html
	[[ $status -eq 0 ]] || fail "$(show)"
	local f=$T/config/hcli/sessions/127.0.0.1_$RAW_PORT/api.json
	[[ -f $f ]] || fail "no $f: $(find "$T/config" 2>&1)"
	assert_equal "$(stat -c %a "$f")" 600
	run -0 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sorted((h["name"], h["value"]) for h in d["headers"]))
print(d["auth"])
print(sorted((c["name"], c["value"], c["domain"], c["path"], c["expires"] is None) for c in d["cookies"]))' "$f"
	assert_line -n 0 "[('Accept', 'text/html'), ('X-Team', 'blue')]"
	assert_line -n 1 "{'raw_auth': 'ann:s3cret', 'type': 'basic'}"
	assert_line -n 2 "[('p', '2', '127.0.0.1', '/', False), ('s', '1', '127.0.0.1', '/', True)]"
	hrun --session api "$RAW_URL/me"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 1 X-Team)" "blue"
	assert_equal "$(field 1 Accept)" "text/html"
	assert_equal "$(field 1 Authorization)" "Basic $(basic ann:s3cret)"
	assert_equal "$(field 1 Cookie)" "s=1; p=2"
	assert_equal "$(field 1 Content-Type)" ""
	assert_equal "$(field 1 If-None-Match)" ""
}

@test "the command line wins over the session, and the file takes its values" {
	serve
	hrun --session "$T/s.json" -u ann:one "$RAW_URL/" X-Team:blue
	[[ $status -eq 0 ]] || fail "$(show)"
	hrun --session "$T/s.json" -u bob:two "$RAW_URL/" X-Team:red X-New:1
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 1 X-Team)" "red"
	assert_equal "$(grep -c '^X-Team:' "$(raw_req 1 0)")" 1
	assert_equal "$(field 1 Authorization)" "Basic $(basic bob:two)"
	hrun --session "$T/s.json" "$RAW_URL/"
	assert_equal "$(field 2 X-Team)" "red"
	assert_equal "$(field 2 X-New)" "1"
	assert_equal "$(field 2 Authorization)" "Basic $(basic bob:two)"
}

@test "the session keeps the scheme: a bearer token is sent again, Digest credentials wait for a challenge" {
	serve
	hrun --session "$T/b.json" --oauth2-bearer tok123 "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	hrun --session "$T/d.json" --digest -u ann:pw "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	run -0 python3 -c 'import json, sys; [print(json.load(open(f))["auth"]) for f in sys.argv[1:]]' \
		"$T/b.json" "$T/d.json"
	assert_line -n 0 "{'raw_auth': 'tok123', 'type': 'bearer'}"
	assert_line -n 1 "{'raw_auth': 'ann:pw', 'type': 'digest'}"
	hrun --session "$T/b.json" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 2 Authorization)" "Bearer tok123"
	# read back as Basic, the password would go unasked; Digest sends nothing before a 401
	hrun --session "$T/d.json" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 3 Authorization)" ""
	run -0 python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["auth"])' "$T/d.json"
	assert_output "{'raw_auth': 'ann:pw', 'type': 'digest'}"
}

@test "--session-read-only uses the file and leaves it as it was" {
	serve
	hrun --session "$T/s.json" "$RAW_URL/" X-Team:blue
	[[ $status -eq 0 ]] || fail "$(show)"
	cp "$T/s.json" "$T/before.json"
	hrun --session-read-only "$T/s.json" "$RAW_URL/" X-Other:1
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 1 X-Team)" "blue"
	assert_equal "$(field 1 Cookie)" "s=1; p=2"
	cmp "$T/before.json" "$T/s.json"
	# a read-only session that does not exist is an empty one, and is not created
	hrun --session-read-only "$T/none.json" "$RAW_URL/"
	[[ $status -eq 0 && ! -e $T/none.json ]] || fail "$(show)"
}

@test "a damaged session file: exit 2 naming it, nothing sent, the file left as it was" {
	local bad
	raw_start_silent
	for bad in 'not json' '[1, 2]' '{"headers": 3}' '{"headers": [{"name": "X-A", "value": "1\r\nX-B: 2"}]}' \
		'{"auth": {"type": "ntlm", "raw_auth": "u:p"}}' '{"cookies": "a=1"}' '{} {}' \
		'{"headers": [{"value": "1"}]}' '{"cookies": [{"name": "a", "expires": "soon"}]}'; do
		printf '%s' "$bad" >"$T/s.json"
		chmod 644 "$T/s.json"
		EXPECT_FAIL_GREP=-E expect_fail 2 Usage "Usage: session file $T/s\\.json is damaged: " \
			--session "$T/s.json" "$RAW_URL/"
		assert_equal "$(cat "$T/s.json")" "$bad"
		assert_equal "$(stat -c %a "$T/s.json")" 644
	done
	raw_assert_nothing_sent
}

@test "--session PATH replacing an older file leaves it 0600, no temporary file behind" {
	serve
	printf '{"headers": [{"name": "X-Old", "value": "1"}]}' >"$T/s.json"
	chmod 644 "$T/s.json"
	hrun --session "$T/s.json" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 0 X-Old)" "1"
	assert_equal "$(stat -c %a "$T/s.json")" 600
	assert_equal "$(ls "$T" | grep -c '^s\.json')" 1
}

@test "--session and --session-read-only do not go together" {
	usage_fails "--session and --session-read-only do not go together" --session a \
		--session-read-only b
}

@test "HTTPie 3.2.1 reads hcli's session, and hcli reads HTTPie's" {
	serve
	hrun --session "$T/h.json" -u ann:s3cret "$RAW_URL/" X-Team:blue
	[[ $status -eq 0 ]] || fail "$(show)"
	env HOME="$T/home" XDG_CONFIG_HOME="$T/config" http --ignore-stdin \
		--session "$T/h.json" "$RAW_URL/httpie" >/dev/null || fail "http failed"
	assert_equal "$(field 1 X-Team)" "blue"
	assert_equal "$(field 1 Authorization)" "Basic $(basic ann:s3cret)"
	assert_equal "$(field 1 Cookie | tr -d ' ' | tr ';' '\n' | sort | tr '\n' ' ')" "p=2 s=1 "
	raw_stop
	serve
	env HOME="$T/home" XDG_CONFIG_HOME="$T/config" http --ignore-stdin \
		--session "$T/p.json" -a bob:pw "$RAW_URL/" X-Team:red >/dev/null || fail "http failed"
	hrun --session "$T/p.json" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(field 1 X-Team)" "red"
	assert_equal "$(field 1 Authorization)" "Basic $(basic bob:pw)"
	assert_equal "$(field 1 Cookie)" "s=1; p=2"
}

@test "--session NAME creates its directories (0700) under a relative XDG_CONFIG_HOME, nothing else" {
	serve
	mkdir "$T/cwd"
	cd "$T/cwd" || fail "cd"
	HRUN_ENV=(HOME="$T/home" XDG_CONFIG_HOME=rel/cfg)
	hrun --session api "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(find . | sort | tr '\n' ' ')" \
		". ./rel ./rel/cfg ./rel/cfg/hcli ./rel/cfg/hcli/sessions ./rel/cfg/hcli/sessions/127.0.0.1_$RAW_PORT ./rel/cfg/hcli/sessions/127.0.0.1_$RAW_PORT/api.json "
	assert_equal "$(stat -c %a rel/cfg/hcli/sessions/127.0.0.1_$RAW_PORT)" 700
}
