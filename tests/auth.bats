#!/usr/bin/env bats
# Basic authentication (SPEC.md, "Connection options", the -u bullet, and the
# Synopsis: user:pass@ in a URL): -u USER:PASS, URL userinfo (percent-decoded),
# netrc files; -u wins over the URL, an Authorization item wins over both; a
# netrc file that others may read is refused with a warning; -u USER without
# a password asks on a terminal, and without one it is a usage error.
#
# The raw server records each request; the expected credentials are encoded
# here with base64(1), apart from hcli.

load helpers/common
load helpers/tty

setup() {
	T=$BATS_TEST_TMPDIR
	# every connection: one request, a 200 "ok\n", then the server closes
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n", "then": "close"}]]
EOF
}

# hrun and hrun_pipe (helpers/run.bash) run hcli with no terminal at all (a new session).
# shellcheck disable=SC2034 # read by helpers/run.bash
HRUN_SETSID=1

basic() { printf 'Basic %s' "$(printf '%s' "$1" | base64 -w0)"; }

# The Authorization fields of the last request, one per line ("-" for none).
sent_auth() {
	local v
	v=$(tr -d '\r' <"$(raw_last_req)" | sed -n '1,/^$/p' | grep -i '^Authorization:' | sed 's/^[^:]*: *//')
	echo "${v:--}"
}

# auth_table: rows "ARGS | URL | WANT" on standard input.  ARGS are hcli's
# words before the URL (a backslash quotes a space); URL is the request URL
# with @ meaning the raw server's host:port (so "us:pw@@" is userinfo);
# ITEMS may follow the URL after "::" in the URL column; WANT is the
# Authorization value sent, "-" for none, basic(USER:PASS) for Basic
# credentials computed here.
auth_table() {
	local args url items want got bad=() w
	# shellcheck disable=SC2162 # backslashes quote spaces in the ARGS column
	while IFS='|' read -r args url want; do
		[[ $args == \#* ]] && continue
		read -a a <<<"$args"
		items=''
		[[ $url == *::* ]] && items=${url#*::} url=${url%%::*}
		read -a i <<<"$items"
		url=${url// /}
		url="http://${url//@@/@127.0.0.1:$RAW_PORT}"
		url=${url/#http:\/\/\//http:\/\/127.0.0.1:$RAW_PORT/}
		want=$(sed -E 's/^ +//; s/ +$//' <<<"$want")
		while [[ $want =~ basic\(([^\)]*)\) ]]; do
			w=$(basic "${BASH_REMATCH[1]}")
			want=${want/"${BASH_REMATCH[0]}"/$w}
		done
		hrun "${a[@]}" "$url" "${i[@]}"
		if [[ $status -ne 0 || $(cat "$T/out") != ok ]]; then
			bad+=("$args | $url: $(show)")
			continue
		fi
		got=$(sent_auth | paste -sd ';')
		[[ $got == "$want" ]] || bad+=("$args | $url $items: want '$want', got '$got'")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "-u USER:PASS sends Basic credentials; the first colon splits" {
	auth_table <<'EOF'
# ARGS                 | URL              | Authorization sent
                       | /p               | -
-u user:pass           | /p               | basic(user:pass)
-u user:p:ss           | /p               | basic(user:p:ss)
-u user:               | /p               | basic(user:)
-u :pw                 | /p               | basic(:pw)
-u üser:pässwörd       | /p               | basic(üser:pässwörd)
-u user:pa\ ss         | /p               | basic(user:pa ss)
EOF
}

@test "URL userinfo is percent-decoded into Basic credentials" {
	auth_table <<'EOF'
# ARGS                 | URL              | Authorization sent
                       | user:pass@@/p    | basic(user:pass)
                       | us%40er:p%3Ass@@/p | basic(us@er:p:ss)
                       | user%3Aname:pw@@/p | basic(user:name:pw)
                       | a%20b:%C3%A9@@/p | basic(a b:é)
                       | user@@/p         | basic(user:)
                       | user:@@/p        | basic(user:)
EOF
}

@test "URL userinfo is not sent in the request line or Host" {
	hrun "http://us%40er:pw@127.0.0.1:$RAW_PORT/p?q=1"
	assert_equal "$status" 0
	tr -d '\r' <"$(raw_last_req)" | sed -n '1,/^$/p' >"$T/head"
	assert_equal "$(head -n 1 "$T/head")" "GET /p?q=1 HTTP/1.1"
	assert_equal "$(grep '^Host:' "$T/head")" "Host: 127.0.0.1:$RAW_PORT"
	! grep -q 'us%40er\|us@er' "$T/head" || fail "$(cat "$T/head")"
}

@test "precedence: -u wins over the URL, an Authorization item wins over both" {
	auth_table <<'EOF'
# ARGS                 | URL                                   | Authorization sent
-u c:d                 | a:b@@/p                               | basic(c:d)
-u c:d                 | /p :: Authorization:Bearer\ tok       | Bearer tok
                       | a:b@@/p :: Authorization:Bearer\ tok  | Bearer tok
-u c:d                 | a:b@@/p :: Authorization:Bearer\ tok  | Bearer tok
-u c:d                 | /p :: authorization:Custom\ x         | Custom x
-u c:d                 | /p :: Authorization:                  | -
                       | a:b@@/p :: Authorization:             | -
EOF
}

# --- netrc -------------------------------------------------------------------------

# netrc FILE MODE: standard input into FILE with MODE
netrc() {
	cat >"$1"
	chmod "$2" "$1"
}

@test "--netrc-file: machine entries by host name as written, default for the rest" {
	netrc "$T/netrc" 600 <<'EOF'
machine 127.0.0.1 login alice password s3cret
machine other.test
	login bob
	password pw
# a default entry comes last
default login dflt password dp
EOF
	local r="--netrc-file $T/netrc --resolve other.test:$RAW_PORT:127.0.0.1 --resolve localhost:$RAW_PORT:127.0.0.1 --resolve third.test:$RAW_PORT:127.0.0.1"
	auth_table <<EOF
# ARGS      | URL                              | Authorization sent
$r          | /p                               | basic(alice:s3cret)
$r          | other.test:$RAW_PORT/p           | basic(bob:pw)
$r          | localhost:$RAW_PORT/p            | basic(dflt:dp)
$r          | third.test:$RAW_PORT/p           | basic(dflt:dp)
$r -u u:p   | /p                               | basic(u:p)
$r          | uu:up@@/p                        | basic(uu:up)
$r          | /p :: Authorization:Bearer\\ t   | Bearer t
$r          | /p :: Authorization:             | -
EOF
}

@test "--netrc-file: names without regard to case, a missing password is empty, quotes are literal" {
	netrc "$T/netrc" 600 <<'EOF'
machine LOCALHOST login onlyuser
machine Other.Test login q password "pw"
EOF
	local r="--netrc-file $T/netrc --resolve other.test:$RAW_PORT:127.0.0.1 --resolve localhost:$RAW_PORT:127.0.0.1"
	auth_table <<EOF
$r          | localhost:$RAW_PORT/p            | basic(onlyuser:)
$r          | other.test:$RAW_PORT/p           | basic(q:"pw")
EOF
}

@test "--netrc-file: no matching machine and no default, no credentials" {
	netrc "$T/netrc" 600 <<'EOF'
machine other.test login bob password pw
EOF
	auth_table <<EOF
--netrc-file $T/netrc    | /p    | -
EOF
}

@test "--netrc-file: tokens across lines, account and macdef skipped" {
	netrc "$T/netrc" 600 <<'EOF'
machine other.test login x password y
macdef init
login evil password evil
machine 127.0.0.1 login evil2

machine 127.0.0.1
account acct
login
  carol
password
  c-pw
EOF
	auth_table <<EOF
--netrc-file $T/netrc    | /p    | basic(carol:c-pw)
EOF
}

@test "a netrc file readable by group or others is refused with a warning, not used" {
	local mode
	for mode in 644 640 604; do
		netrc "$T/netrc" "$mode" <<<'machine 127.0.0.1 login alice password s3cret'
		hrun --netrc-file "$T/netrc" "$RAW_URL/p"
		[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "mode $mode: $(show)"
		assert_equal "$(sent_auth)" -
		# "... readable by others" (the brief) or "... open to group or others" (hcli(1))
		[[ $(wc -l <"$T/err") -eq 1 ]] && grep -qE '^hcli: warning: .*(readable by|open to group or) others' "$T/err" ||
			fail "mode $mode: $(show)"
		grep -qF "$T/netrc" "$T/err" || fail "mode $mode: the warning does not name the file: $(show)"
	done
}

@test "-s silences the netrc warning; the file is still not used" {
	netrc "$T/netrc" 644 <<<'machine 127.0.0.1 login alice password s3cret'
	hrun -s --netrc-file "$T/netrc" "$RAW_URL/p"
	[[ $status -eq 0 && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(sent_auth)" -
}

@test "--netrc without a ~/.netrc: silently no credentials" {
	HOME=$T hrun --netrc "$RAW_URL/p"
	[[ $status -eq 0 && $(cat "$T/out") == ok && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(sent_auth)" -
}

@test "--netrc reads \$HOME/.netrc (or \$NETRC); without --netrc it is not read" {
	netrc "$T/.netrc" 600 <<<'machine 127.0.0.1 login homeuser password hp'
	netrc "$T/other-netrc" 600 <<<'machine 127.0.0.1 login envuser password ep'
	HOME=$T hrun "$RAW_URL/p"
	assert_equal "$(sent_auth)" -
	HOME=$T hrun --netrc "$RAW_URL/p"
	assert_equal "$status" 0
	assert_equal "$(sent_auth)" "$(basic homeuser:hp)"
	HOME=$T NETRC=$T/other-netrc hrun --netrc "$RAW_URL/p"
	assert_equal "$(sent_auth)" "$(basic envuser:ep)"
}

# --- -u USER without a password -----------------------------------------------------

@test "-u USER without a password and no terminal: 2, nothing sent" {
	hrun -u bob "$RAW_URL/p"
	assert_equal "$status" 2
	[[ ! -s $T/out ]]
	grep -q '^hcli: Usage: ' "$T/err" || fail "$(show)"
	assert_equal "$(raw_conns)" 0
}

@test "-u USER without a password and standard input a pipe (no terminal): 2, the pipe is not read" {
	hrun_pipe $'secret\n' -u bob "$RAW_URL/p"
	assert_equal "$status" 2
	assert_equal "$(raw_conns)" 0
}

@test "-u USER on a terminal: asks 'Password for USER', no echo, sends what was typed" {
	run tty_answer 'Password for bob' 'typed secret' "$HCLI" -u bob "$RAW_URL/p"
	assert_equal "$status" 0
	[[ $output == *"Password for bob"* ]] || fail "no prompt: $output"
	[[ $output != *"typed secret"* ]] || fail "the password was echoed: $output"
	[[ $output == *ok* ]] || fail "$output"
	assert_equal "$(sent_auth)" "$(basic 'bob:typed secret')"
}

# --- passwords out of argv ------------------------------------------------------

# hcli -o FILE ARGS in the background against a server (acting as origin or
# proxy; HOSTPORT in ARGS is its address) that sends the start of a body and
# then waits: once the start is in
# FILE.part (SPEC Part 2: FILE itself only when complete), the transfer is running; then hcli's /proc/PID/cmdline goes to
# $T/cmdline (NULs as spaces) and hcli is stopped.
cmdline_during_transfer() { # ARGS...
	raw_start - <<'EOF2'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst", "then": "hang"}]]
EOF2
	eval "set -- $(printf '%q ' "$@" | sed "s/HOSTPORT/127.0.0.1:$RAW_PORT/g")"
	"$HCLI" -o "$T/body" "$@" </dev/null >"$T/out" 2>"$T/err" &
	BG_PID=$!
	harness_wait_for 5 grep -q first "$T/body.part" || fail "no body bytes: $(cat "$T/err")"
	tr '\0' ' ' <"/proc/$BG_PID/cmdline" >"$T/cmdline"
	kill -0 "$BG_PID" || fail "hcli had already exited: the transfer was not running"
	harness_kill "$BG_PID"
	BG_PID=
}

# The first request of the last connection has this header line.
sent_field() { # NAME VALUE
	grep -qxF -- "$1: $2"$'\r' "$(raw_last_req)" || fail "no '$1: $2' in: $(cat -A "$(raw_last_req)")"
}

@test "-u USER:PASS: the password is not in /proc/PID/cmdline during the transfer, and is sent" {
	cmdline_during_transfer -u 'alice:s3cret-pw' http://HOSTPORT/x
	grep -qF -- '-u alice:********* ' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	! grep -q 's3cret' "$T/cmdline" || fail "password in cmdline: $(cat "$T/cmdline")"
	sent_field Authorization "$(basic 'alice:s3cret-pw')"
}

@test "-x with user:pass@: the proxy password is not in /proc/PID/cmdline, and is sent" {
	cmdline_during_transfer -x 'http://pu:pr0xy-pw@HOSTPORT' http://origin.test/x
	grep -qF -- '-x http://pu:********@127.0.0.1:' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	! grep -q 'pr0xy' "$T/cmdline" || fail "password in cmdline: $(cat "$T/cmdline")"
	sent_field Proxy-Authorization "$(basic 'pu:pr0xy-pw')"
}

@test "URL user:pass@: the password is not in /proc/PID/cmdline, and is sent" {
	cmdline_during_transfer 'http://uu:url-s3cret@HOSTPORT/x?a=b@c'
	grep -qF -- 'http://uu:**********@127.0.0.1:' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	! grep -q 's3cret' "$T/cmdline" || fail "password in cmdline: $(cat "$T/cmdline")"
	sent_field Authorization "$(basic 'uu:url-s3cret')"
}

@test "a bad proxy URL's message leaves its password out (-x and http_proxy)" {
	hrun -x 'http://pu:pr0xy-pw@127.0.0.1:0' "$RAW_URL/x"
	assert_equal "$status" 3
	assert_equal "$(cat "$T/err")" "hcli: InvalidURL: proxy 'http://pu:***@127.0.0.1:0': port '0' is not a number in 1..65535"
	HRUN_ENV=(http_proxy='http://eu:env-pw@127.0.0.1:99999')
	hrun http://origin.test/x
	assert_equal "$status" 3
	grep -q 'env-pw' "$T/err" && fail "password in: $(cat "$T/err")"
	grep -q "^hcli: InvalidURL: proxy 'http://eu:\*\*\*@" "$T/err" || fail "$(show)"
}

# --- -a, --auth-type, --basic, --digest, --oauth2-bearer (SPEC Part 2) ------------------

@test "-a and --auth-type basic|bearer, --basic, --oauth2-bearer: the Authorization sent" {
	auth_table <<'EOF'
# ARGS                                  | URL                           | Authorization sent
-a user:pass                            | /p                            | basic(user:pass)
-a user:p:ss                            | /p                            | basic(user:p:ss)
--auth-type basic -a u:p                | /p                            | basic(u:p)
--auth-type=basic -a u:p                | /p                            | basic(u:p)
--basic -u u:p                          | /p                            | basic(u:p)
--basic -a u:p                          | /p                            | basic(u:p)
--auth-type bearer -a tok.en-1/+=       | /p                            | Bearer tok.en-1/+=
-a tok --auth-type bearer               | /p                            | Bearer tok
--oauth2-bearer abc                     | /p                            | Bearer abc
--oauth2-bearer abc --auth-type bearer  | /p                            | Bearer abc
--oauth2-bearer abc                     | a:b@@/p                       | Bearer abc
--auth-type bearer -a t                 | a:b@@/p                       | Bearer t
--oauth2-bearer abc                     | /p :: Authorization:Custom\ x | Custom x
--oauth2-bearer abc                     | /p :: Authorization:          | -
--digest -u u:p                         | /p                            | -
--auth-type digest -a u:p               | a:b@@/p                       | -
EOF
}

@test "auth usage errors: two sources of credentials, a bearer type without a token, an unknown type" {
	usage_fails "-u and -a both give credentials; give one" -u a:b -a c:d
	usage_fails "--oauth2-bearer and -u both give credentials; give one" --oauth2-bearer t -u a:b
	usage_fails "--oauth2-bearer and -a both give credentials; give one" --oauth2-bearer t -a a:b
	usage_fails "--oauth2-bearer sends a bearer token, not Digest credentials" --oauth2-bearer t --digest
	usage_fails "--auth-type bearer takes its token from -a, not -u" --auth-type bearer -u tok
	usage_fails "--auth-type bearer needs -a TOKEN" --auth-type bearer
	usage_fails "--auth-type takes basic, digest or bearer, not 'ntlm'" --auth-type ntlm
	usage_fails "the bearer token has CR, LF or NUL" --oauth2-bearer $'a\r\nEvil: 1'
	usage_fails "the bearer token has CR, LF or NUL" --auth-type bearer -a $'a\nEvil: 1'
	usage_fails "-a USER has no password and there is no terminal to ask for it" -a alice
	usage_fails "-a USER has no password and there is no terminal to ask for it" --digest -a alice
}

@test "-a USER:PASS and bearer tokens are not in /proc/PID/cmdline during the transfer, and are sent" {
	cmdline_during_transfer -a 'alice:s3cret-pw' http://HOSTPORT/x
	grep -qF -- '-a alice:********* ' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	sent_field Authorization "$(basic 'alice:s3cret-pw')"
	raw_stop
	rm -f "$T/body" "$T/body.part" # cmdline_during_transfer waits for it to come again
	cmdline_during_transfer --oauth2-bearer 'T0ken-s3cret' http://HOSTPORT/x
	grep -qF -- '--oauth2-bearer ************ ' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	! grep -q 's3cret' "$T/cmdline" || fail "token in cmdline: $(cat "$T/cmdline")"
	sent_field Authorization "Bearer T0ken-s3cret"
	raw_stop
	rm -f "$T/body" "$T/body.part"
	cmdline_during_transfer --auth-type bearer -a 'T0ken-s3cret' http://HOSTPORT/x
	grep -qF -- '-a ************ ' "$T/cmdline" || fail "cmdline: $(cat "$T/cmdline")"
	sent_field Authorization "Bearer T0ken-s3cret"
}

@test "-a USER on a terminal: asks 'Password for USER', sends what was typed" {
	run tty_answer 'Password for alice' 'typed secret' "$HCLI" -a alice "$RAW_URL/p"
	assert_equal "$status" 0
	[[ $output == *"Password for alice"* ]] || fail "no prompt: $output"
	[[ $output != *"typed secret"* ]] || fail "the password was echoed: $output"
	assert_equal "$(sent_auth)" "$(basic 'alice:typed secret')"
}
