#!/usr/bin/env bats
# HTTPS (SPEC.md, "Connection options", the TLS bullet, and the exit codes 35,
# 58, 60, 77): real TLS, nothing mocked.  setup_file makes a private CA and its
# certificates with certtool (helpers/pki.bash) and starts one nginx with one
# HTTPS port per certificate (helpers/tls.bash); tests that need a server with
# other TLS settings (old versions only, client certificates) start
# gnutls-serv.  The CA is not in the system store, so nothing verifies
# without --cacert or --capath.

load helpers/common
load helpers/tls

setup_file() {
	export PKI=$BATS_FILE_TMPDIR/pki
	pki_make "$PKI"
	# localhost sends its chain (leaf, then CA); sni is a.test and b.test on
	# one port; plain is plain HTTP
	tls_nginx_start "$BATS_FILE_TMPDIR/nginx" "$PKI" localhost=localhost-chain iponly other \
		expired future selfsigned unknownca sni plain
	head -c 64M /dev/urandom >"$NGINX_DIR/www/big"
	sha256_of "$NGINX_DIR/www/big" >"$BATS_FILE_TMPDIR/big.sha256"
	printf 'A\n' >"$NGINX_DIR/www/a.txt"
	printf 'BB\n' >"$NGINX_DIR/www/b.txt"
	printf 'CCC\n' >"$NGINX_DIR/www/c.txt"
}

setup() {
	T=$BATS_TEST_TMPDIR
	CA=(--cacert "$PKI/ca.pem")
}

# url SITE [HOST [PATH]]: https://HOST:PORT/PATH of an nginx site
url() {
	echo "https://${2:-localhost}:$(tls_port "$1")/${3:-site}"
}

# hrun, expect_ok and expect_fail (helpers/run.bash) run hcli with no terminal
# at all (a new session); expect_fail's DETAIL is an extended regular
# expression, matched case-insensitively.
# shellcheck disable=SC2034 # both read by helpers/run.bash
HRUN_SETSID=1 EXPECT_FAIL_GREP=-iE

# The nginx access log line for URI (waits for it: nginx logs after replying).
log_line() { # URI
	harness_wait_for 5 grep -q "uri=\"$1\"" "$NGINX_DIR/access.log" || fail "no log line for $1"
	grep "uri=\"$1\"" "$NGINX_DIR/access.log"
}

# --- verification: a table of certificates ----------------------------------

@test "a certificate from the test CA: verified with --cacert, refused without (60)" {
	expect_ok localhost "${CA[@]}" "$(url localhost)"
	expect_fail 60 CertificateError 'localhost: .*issuer is unknown' "$(url localhost)"
	# the command line says how to go on
	expect_fail 60 CertificateError 'unknown; use --cacert FILE to trust the right CA, or -k to skip the check at your own risk$' \
		"$(url localhost)"
}

@test "--capath: a directory holding the CA (PEM) verifies" {
	expect_ok localhost --capath "$PKI/capath" "$(url localhost)"
}

@test "certificates that do not verify, with the reason (60)" {
	# site        reached as   reason GnuTLS gives
	while read -r site host reason; do
		expect_fail 60 CertificateError "$host: .*$reason" "${CA[@]}" "$(url "$site" "$host")"
	done <<'EOF'
expired       localhost  expired
future        localhost  not yet valid
other         localhost  name in the certificate does not match
selfsigned    localhost  issuer is unknown
unknownca     localhost  issuer is unknown
iponly        localhost  name in the certificate does not match
EOF
}

@test "host names: the right name verifies, an IP SAN verifies the IP literal" {
	expect_ok other "${CA[@]}" --resolve "other.test:$(tls_port other):127.0.0.1" \
		"$(url other other.test)"
	expect_ok iponly "${CA[@]}" "$(url iponly 127.0.0.1)"
}

@test "a valid certificate reached by an IP it does not name: 60" {
	expect_fail 60 CertificateError 'does not match' "${CA[@]}" "$(url localhost 127.0.0.1)"
}

# --- -k / --insecure ----------------------------------------------------------

@test "-k: bad certificates are accepted, with exactly one warning for several URLs" {
	hrun -k "$(url expired)" "$(url selfsigned)" "$(url other)"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(cat "$T/out")" "$(printf 'expired\nselfsigned\nother')"
	assert_equal "$(cat "$T/err")" \
		"hcli: warning: --insecure: the server's certificate and name are not verified"
}

@test "-k: https reached only through a redirect (-L) still warns, once, before the body" {
	raw_reply "HTTP/1.1 302 Found\r\nLocation: $(url selfsigned)\r\nContent-Length: 0\r\n\r\n"
	hrun -k -L "$RAW_URL/" "$RAW_URL/"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(cat "$T/out")" "$(printf 'selfsigned\nselfsigned')"
	assert_equal "$(cat "$T/err")" \
		"hcli: warning: --insecure: the server's certificate and name are not verified"
}

@test "-k -s: no warning" {
	expect_ok unknownca -k -s "$(url unknownca)"
}

@test "-k with only http:// URLs: no warning" {
	expect_ok plain -k "http://127.0.0.1:$(tls_port plain)/site"
}

# --- SNI, ALPN, -v ------------------------------------------------------------

@test "SNI: two names on one port, each gets its own certificate" {
	local p name
	p=$(tls_port sni)
	for name in a.test b.test; do
		hrun -v "${CA[@]}" --resolve "$name:$p:127.0.0.1" "https://$name:$p/site-sni-$name"
		[[ $status -eq 0 ]] || fail "$(show)"
		assert_equal "$(cat "$T/out")" "$name"
		grep -qx "\* Certificate 0: subject: CN=$name" "$T/err" || fail "$(show)"
		[[ $(log_line "/site-sni-$name") == *"site=$name "*"sni=\"$name\""* ]] ||
			fail "$(log_line "/site-sni-$name")"
	done
}

@test "SNI is sent for a name, not for an IP literal" {
	expect_ok iponly "${CA[@]}" "$(url iponly 127.0.0.1 site-sni-ip)"
	[[ $(log_line /site-sni-ip) == *'sni="-"'* ]] || fail "$(log_line /site-sni-ip)"
	expect_ok localhost "${CA[@]}" "$(url localhost localhost site-sni-name)"
	[[ $(log_line /site-sni-name) == *'sni="localhost"'* ]] || fail "$(log_line /site-sni-name)"
}

@test "ALPN: http/1.1 offered, the server selects it, -v says so" {
	hrun -v "${CA[@]}" "$(url localhost localhost site-alpn)"
	[[ $status -eq 0 && $(cat "$T/out") == localhost ]] || fail "$(show)"
	grep -qx '\* ALPN: server accepted http/1.1' "$T/err" || fail "$(show)"
	[[ $(log_line /site-alpn) == *'alpn="http/1.1"'* ]] || fail "$(log_line /site-alpn)"
}

@test "-v: TLS version and cipher, ALPN, the leaf's subject, issuer and validity" {
	hrun -v "${CA[@]}" "$(url localhost)"
	[[ $status -eq 0 ]] || fail "$(show)"
	grep -qE '^\* TLS TLS1\.3, \(TLS1\.3\)-\(.*\)-\((AES|CHACHA)[^)]*\)$' "$T/err" || fail "$(show)"
	grep -qx '\* ALPN: server accepted http/1.1' "$T/err" || fail "$(show)"
	grep -qx '\* Certificate 0: subject: CN=localhost' "$T/err" || fail "$(show)"
	grep -qx '\* Certificate 0: issuer: CN=hcli test CA' "$T/err" || fail "$(show)"
	grep -qE '^\* Certificate 0: valid from 2[0-9-]+ [0-9:]+ UTC until 2[0-9-]+ [0-9:]+ UTC$' "$T/err" ||
		fail "$(show)"
	# -v shows the leaf only
	! grep -q 'Certificate 1' "$T/err" || fail "$(show)"
}

@test "-vv: the whole chain the server sent" {
	hrun -vv "${CA[@]}" "$(url localhost)"
	[[ $status -eq 0 ]] || fail "$(show)"
	grep -qx '\* Certificate 0: subject: CN=localhost' "$T/err" || fail "$(show)"
	grep -qx '\* Certificate 1: subject: CN=hcli test CA' "$T/err" || fail "$(show)"
	grep -qx '\* Certificate 1: issuer: CN=hcli test CA' "$T/err" || fail "$(show)"
}

# --- versions and priorities --------------------------------------------------

@test "a server offering only TLS 1.0/1.1: 35, even when --priority enables them" {
	gserv_start --x509certfile "$PKI/localhost.pem" --x509keyfile "$PKI/localhost.key" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"
	local u="https://localhost:$GSERV_PORT/"
	expect_fail 35 TLSHandshake 'localhost' "${CA[@]}" "$u"
	expect_fail 35 TLSHandshake 'localhost' "${CA[@]}" --priority "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0" "$u"
}

@test "--tls-min 1.3 against a TLS 1.2-only server: 35; the default takes TLS 1.2" {
	gserv_start --x509certfile "$PKI/localhost.pem" --x509keyfile "$PKI/localhost.key" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
	local u="https://localhost:$GSERV_PORT/"
	hrun -v "${CA[@]}" "$u"
	[[ $status -eq 0 ]] || fail "$(show)"
	grep -qE '^\* TLS TLS1\.2, \(TLS1\.2\)-' "$T/err" || fail "$(show)"
	grep -q 'Protocol version:</TD><TD>TLS1.2<' "$T/out" || fail "$(show)"
	expect_fail 35 TLSHandshake 'localhost' --tls-min 1.3 "${CA[@]}" "$u"
}

@test "--tls-min 1.3 against a TLS 1.3 server, and --tls-min with another value (2)" {
	hrun -v --tls-min 1.3 "${CA[@]}" "$(url localhost)"
	[[ $status -eq 0 ]] || fail "$(show)"
	grep -q '^\* TLS TLS1\.3, ' "$T/err" || fail "$(show)"
	hrun --tls-min 1.1 "${CA[@]}" "$(url localhost)"
	[[ $status -eq 2 ]] && grep -q '^hcli: Usage: ' "$T/err" || fail "$(show)"
}

@test "--priority is applied (NORMAL:-VERS-TLS1.3 → TLS 1.2)" {
	hrun -v --priority NORMAL:-VERS-TLS1.3 "${CA[@]}" "$(url localhost localhost site-prio)"
	[[ $status -eq 0 && $(cat "$T/out") == localhost ]] || fail "$(show)"
	grep -qE '^\* TLS TLS1\.2, ' "$T/err" || fail "$(show)"
	[[ $(log_line /site-prio) == *proto=TLSv1.2* ]] || fail "$(log_line /site-prio)"
}

@test "--priority with a bad string: 35, one line naming it" {
	expect_fail 35 TLSHandshake 'NORMAL:\+BOGUS' --priority 'NORMAL:+BOGUS' \
		"${CA[@]}" "$(url localhost)"
	expect_fail 35 TLSHandshake "BOGUS" --priority 'BOGUS' "${CA[@]}" "$(url localhost)"
}

@test "--priority that leaves no version hcli allows: 35" {
	expect_fail 35 TLSHandshake '' --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0' \
		"${CA[@]}" "$(url localhost)"
}

# --- client certificates ------------------------------------------------------

start_client_auth_server() {
	gserv_start --x509certfile "$PKI/localhost.pem" --x509keyfile "$PKI/localhost.key" \
		--require-client-cert --x509cafile "$PKI/ca.pem" "$@"
	U="https://localhost:$GSERV_PORT/"
}

@test "a server requiring a client certificate: --cert/--key succeed" {
	start_client_auth_server
	hrun "${CA[@]}" --cert "$PKI/client.pem" --key "$PKI/client.key" "$U"
	[[ $status -eq 0 ]] || fail "$(show)"
	# gnutls-serv's page describes the certificate the client sent
	grep -q 'Subject: CN=hcli test client' "$T/out" || fail "$(show)"
	[[ ! -s $T/err ]] || fail "$(show)"
}

@test "a server requiring a client certificate, none given, TLS 1.2: 35" {
	start_client_auth_server --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
	expect_fail 35 TLSHandshake 'localhost' "${CA[@]}" "$U"
}

@test "a server requiring a client certificate, none given, TLS 1.3: 35 naming the alert" {
	# TLS 1.3: the client's handshake is done before the server checks its
	# certificate; the server's "certificate required" alert follows.  It is
	# still the handshake that failed: 35, and the message names the alert.
	start_client_auth_server
	expect_fail 35 TLSHandshake 'certificate (is )?required' "${CA[@]}" "$U"
}

@test "a server that fails verification never receives the client certificate" {
	# A server with a certificate from an unknown CA (or the wrong key for
	# the pin) asks for a client certificate; the raw TLS server records
	# whether one came.  The check runs inside the handshake, before hcli's
	# certificate would go out, for every trust source, over TLS 1.3 and 1.2.
	local ver conn trust exit detail
	local -a cert=(--cert "$PKI/client.pem" --key "$PKI/client.key")
	for ver in 1.3 1.2; do
		tls_raw_start - unknownca unknownca --tls-client-ca "$PKI/ca.pem" --tls-max "$ver" <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"}]]
EOF
		# -k takes the server as it is: the certificate is sent (the record works)
		expect_ok ok -k -s "${cert[@]}" "$RAW_URL/"
		assert_equal "$(tls_raw_seen 0)" "client certificate: hcli test client"
		conn=1
		# trust                                 exit  detail
		while read -r trust exit detail; do
			[[ $trust == system ]] && trust='' # /etc/ssl/certs: the CA is not there
			trust=${trust//PKI/$PKI}
			# shellcheck disable=SC2086 # trust is options, comma-separated
			expect_fail "$exit" CertificateError "$detail" -s ${trust//,/ } "${cert[@]}" "$RAW_URL/"
			[[ $(tls_raw_seen $conn) == 'handshake failed: '* ]] ||
				fail "TLS $ver, $trust: $(tls_raw_seen $conn)"
			conn=$((conn + 1))
		done <<EOF
--cacert=PKI/ca.pem                             60  issuer is unknown
--capath=PKI/capath                             60  issuer is unknown
system                                          60  issuer is unknown
-k,--pinnedpubkey=$(pki_pin "$PKI/other.pem")   60  pin mismatch
EOF
		raw_stop
	done
}

@test "an encrypted key: the passphrase is asked on the terminal" {
	start_client_auth_server
	run -0 tls_tty "$(cat "$PKI/client-enc.pass")" "$HCLI" "${CA[@]}" --cert "$PKI/client.pem" \
		--key "$PKI/client-enc.key" -o "$T/body" "$U"
	assert_output --partial "Passphrase for $PKI/client-enc.key: "
	grep -q 'Subject: CN=hcli test client' "$T/body"
}

@test "an encrypted key with a wrong passphrase typed: 58" {
	start_client_auth_server
	run -58 tls_tty "not-the-passphrase" "$HCLI" "${CA[@]}" --cert "$PKI/client.pem" \
		--key "$PKI/client-enc.key" -o "$T/body" "$U"
	assert_output --partial 'hcli: ClientCertificate: '
}

@test "an encrypted key without a terminal: 58, the passphrase never read from a pipe" {
	local args=("${CA[@]}" --cert "$PKI/client.pem" --key "$PKI/client-enc.key" "$(url localhost)")
	expect_fail 58 ClientCertificate 'encrypted' "${args[@]}"
	hcli_capture "${args[@]}" <"$PKI/client-enc.pass"
	[[ $status -eq 58 && ! -s $T/out ]] && grep -q '^hcli: ClientCertificate: .*encrypted' "$T/err" ||
		fail "$(show)"
}

@test "local certificate and key problems: 58" {
	local u
	u=$(url localhost)
	# --cert                   --key                     detail
	while read -r cert key detail; do
		local args=(--cert "$PKI/$cert")
		[[ $key == - ]] || args+=(--key "$PKI/$key")
		[[ $cert == - ]] && args=(--key "$PKI/$key")
		expect_fail 58 ClientCertificate "$detail" "${CA[@]}" "${args[@]}" "$u"
	done <<'EOF'
missing.pem                client.key                missing.pem
client.pem                 missing.key               missing.key
client.pem                 localhost.key             do not match
-                          client.key                --cert
EOF
}

# --- CA files and directories -------------------------------------------------

@test "unreadable CA file or directory: 77" {
	local u
	u=$(url localhost)
	# option    path                  detail
	while read -r opt path detail; do
		expect_fail 77 CAFileError "$detail" "$opt" "$PKI/$path" "$u"
	done <<'EOF'
--cacert    missing.pem           missing.pem.*No such file
--capath    missing-dir           missing-dir.*No such file
--cacert    empty.pem             no certificates
--capath    ca.pem                ca.pem.*not a directory
EOF
}

@test "--cacert: a CA of more than 16 KiB (DER) in the middle of a bundle verifies" {
	# The trust file's roots are decoded where they lie in the read window,
	# not copied to a fixed 16 KiB buffer, and the window (16 KiB at first)
	# grows to hold one: a large root is a root like another.
	local names=() i label
	label=$(printf 'x%.0s' {1..60})
	# certtool takes at most 128 names: long ones make the size
	for i in {1..120}; do
		names+=("dns_name = \"n$i$label.$label.big-ca.test\"")
	done
	_pki_cert "$T" bigca self 'cn = "hcli big CA"' ca cert_signing_key expiration_days=30 "${names[@]}"
	_pki_cert "$T" bigleaf bigca 'cn = "localhost"' 'dns_name = "localhost"' tls_www_server \
		signing_key digital_signature expiration_days=30
	local der
	der=$(certtool --certificate-info --load-certificate "$T/bigca.pem" --outder | wc -c)
	((der > 16384 && der < 24576)) || fail "the big CA is $der bytes of DER"
	cat "$PKI/ca.pem" "$T/bigca.pem" "$PKI/ca2.pem" >"$T/bundle.pem"
	gserv_start --x509certfile "$T/bigleaf.pem" --x509keyfile "$T/bigleaf.key"
	hrun --cacert "$T/bundle.pem" -o /dev/null "https://localhost:$GSERV_PORT/"
	[[ $status -eq 0 && ! -s $T/err ]] || fail "$(show)"
	# and it is that CA that verified it
	expect_fail 60 CertificateError 'issuer is unknown' --cacert "$PKI/ca.pem" \
		"https://localhost:$GSERV_PORT/"
}

# --- pinning ------------------------------------------------------------------

@test "--pinnedpubkey: the server key's pin (computed independently) matches" {
	local pin
	pin=$(pki_pin "$PKI/localhost.pem")
	[[ $pin == sha256//???????????????????????????????????????????= ]] || fail "pin: $pin"
	expect_ok localhost "${CA[@]}" --pinnedpubkey "$pin" "$(url localhost)"
	# one of several
	expect_ok localhost "${CA[@]}" --pinnedpubkey "$(pki_pin "$PKI/other.pem");$pin" "$(url localhost)"
}

@test "--pinnedpubkey mismatch: 60, the message shows the server's pin" {
	local pin
	pin=$(pki_pin "$PKI/localhost.pem")
	expect_fail 60 CertificateError "pin.*${pin//+/\\+}" "${CA[@]}" \
		--pinnedpubkey "$(pki_pin "$PKI/other.pem")" "$(url localhost)"
	[[ $(cat "$T/err") == *"$pin"* ]] || fail "$(show)"
	# a pin is not a CA matter: no --cacert / -k hint
	! grep -q -- '--cacert\| -k ' "$T/err" || fail "$(show)"
}

# --- keep-alive and data integrity over TLS -----------------------------------

@test "keep-alive: several https:// URLs share one TLS connection" {
	local p
	p=$(tls_port localhost)
	hrun "${CA[@]}" "https://localhost:$p/a.txt" "https://localhost:$p/b.txt" "https://localhost:$p/c.txt"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(cat "$T/out")" "$(printf 'A\nBB\nCCC')"
	local la lb lc
	la=$(log_line /a.txt) lb=$(log_line /b.txt) lc=$(log_line /c.txt)
	[[ ${la%% req=*} == "${lb%% req=*}" && ${lb%% req=*} == "${lc%% req=*}" ]] ||
		fail "$(printf '%s\n' "$la" "$lb" "$lc")"
	[[ $la == *' req=1 '* && $lb == *' req=2 '* && $lc == *' req=3 '* ]] ||
		fail "$(printf '%s\n' "$la" "$lb" "$lc")"
}

@test "integrity: a 64 MiB download over TLS" {
	timeout -k 2 30 "$HCLI" "${CA[@]}" "$(url localhost localhost big)" </dev/null 2>"$T/err" |
		sha256_of >"$T/sum"
	status=${PIPESTATUS[0]}
	[[ $status -eq 0 && ! -s $T/err ]] || fail "$(show)"
	assert_equal "$(cat "$T/sum")" "$(cat "$BATS_FILE_TMPDIR/big.sha256")"
}

@test "integrity: a 64 MiB chunked upload from a pipe over TLS" {
	status=0
	# shellcheck disable=SC2002 # a pipe, for chunked framing
	cat "$NGINX_DIR/www/big" | timeout -k 2 30 "$HCLI" "${CA[@]}" PUT \
		"$(url localhost localhost upload/big-tls)" @- >"$T/out" 2>"$T/err" || status=$?
	[[ $status -eq 0 ]] || fail "$(show)"
	[[ $(log_line /upload/big-tls) == *'method=PUT status=201 te="chunked"'* ]] ||
		fail "$(log_line /upload/big-tls)"
	assert_equal "$(sha256_of "$NGINX_DIR/www/upload/big-tls")" \
		"$(cat "$BATS_FILE_TMPDIR/big.sha256")"
	rm -f "$NGINX_DIR/www/upload/big-tls"
}

@test "a TLS close without close_notify is warned about on that connection only" {
	# the body ends at the close; the next URL, on a new plain connection
	# that ends the same way, is no TLS matter
	tls_raw_start - localhost localhost <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ncut\n", "then": "close"}]]
EOF
	local tls_url=$RAW_URL
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nplain\n", "then": "close"}]]
EOF
	hrun -v "${CA[@]}" "$tls_url/a" "$RAW_URL/b"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(cat "$T/out")" "$(printf 'cut\nplain')"
	assert_equal "$(grep -c 'without close_notify' "$T/err")" 1
	# the next TLS connection starts clean: its answer is read, and warned about on its own
	hrun -v "${CA[@]}" "$tls_url/a" "$tls_url/b"
	[[ $status -eq 0 ]] || fail "$(show)"
	assert_equal "$(cat "$T/out")" "$(printf 'cut\ncut')"
	assert_equal "$(grep -c 'without close_notify' "$T/err")" 2
}

# --- Expect: 100-continue over TLS 1.3 ---------------------------------------

# Python's TLS 1.3 server sends session tickets right after the handshake:
# records that make the socket readable but carry no data for hcli.
@test "--expect100 over TLS 1.3: session tickets do not end the wait; the body goes after the timeout" {
	tls_raw_start - localhost localhost <<'EOF'
[[{"expect": "head-only"},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	hrun -v "${CA[@]}" --expect100 --expect100-timeout 0.3 -d hello "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	grep -qx '\* No 100 Continue within 300 ms; sending the body' "$T/err" || fail "$(show)"
	grep -q '^\* TLS TLS1\.3, ' "$T/err" || fail "$(show)"
	grep -qx $'Expect: 100-continue\r' "$(raw_req 0 0)"
	assert_bytes "$(raw_req 0 1)" hello
}

@test "--expect100 over TLS 1.3: 100 Continue after the session tickets, then the body" {
	tls_raw_start - localhost localhost <<'EOF'
[[{"expect": "head-only", "reply": "HTTP/1.1 100 Continue\r\n\r\n"},
  {"expect": "body", "reply": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "then": "close"}]]
EOF
	hrun -v "${CA[@]}" --expect100 --expect100-timeout 30 -d hello "$RAW_URL/x"
	[[ $status -eq 0 && $(cat "$T/out") == ok ]] || fail "$(show)"
	! grep -q 'No 100 Continue' "$T/err" || fail "$(show)"
	assert_bytes "$(raw_req 0 1)" hello
}

# --- GnuTLS is loaded on demand -----------------------------------------------

@test "a plain http:// request loads neither GnuTLS nor json-c; https:// loads GnuTLS, data items json-c" {
	# LeakSanitizer cannot run under ptrace: the sanitizer build checks leaks elsewhere
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	# header and query items are no reason to load json-c
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" "http://127.0.0.1:$(tls_port plain)/site" \
		X-A:1 q==2
	assert_output plain
	grep -q 'openat(' "$T/trace" || fail "strace recorded nothing"
	! grep -q 'libgnutls' "$T/trace" || fail "$(grep libgnutls "$T/trace")"
	! grep -q 'libjson-c' "$T/trace" || fail "$(grep libjson-c "$T/trace")"
	# a JSON body from data items does (nginx serves a GET with a body as any GET)
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" -X GET \
		"http://127.0.0.1:$(tls_port plain)/site" a=1
	assert_output plain
	grep -q 'libjson-c\.so' "$T/trace" || fail "json-c not loaded for a=1"
	! grep -q 'libgnutls' "$T/trace" || fail "$(grep libgnutls "$T/trace")"
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" "${CA[@]}" "$(url localhost)"
	assert_output localhost
	grep -q 'libgnutls\.so' "$T/trace"
}

# --- the handshake's waits ------------------------------------------------------

@test "a server that never answers the ClientHello: the handshake ends at --connect-timeout or --timeout (28)" {
	raw_start - <<<'[[{"expect": "none", "then": "hang"}]]'
	local opt
	for opt in --connect-timeout --timeout; do
		expect_fail 28 Timeout '^hcli: Timeout: TLS handshake with 127\.0\.0\.1 timed out$' \
			"$opt" 0.4 "https://127.0.0.1:$RAW_PORT/"
		((ELAPSED_MS >= 350)) || fail "$opt: took $ELAPSED_MS ms, want 350 at least"
	done
}

# The protocols FILE's TLS ClientHello offers by ALPN (RFC 7301 §3.1), comma-separated.
alpn_offered() { # FILE
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[0] == 22 and d[5] == 1, "not a ClientHello: %r" % d[:6]
i = 5 + 4 + 2 + 32          # record and handshake headers, version, random
i += 1 + d[i]               # session id
i += 2 + struct.unpack(">H", d[i:i + 2])[0]  # cipher suites
i += 1 + d[i]               # compression methods
end = i + 2 + struct.unpack(">H", d[i:i + 2])[0]
i += 2
names = []
while i < end:
    kind, size = struct.unpack(">HH", d[i:i + 4])
    if kind == 16:
        j, stop = i + 6, i + 4 + size
        while j < stop:
            names.append(d[j + 1:j + 1 + d[j]].decode())
            j += 1 + d[j]
    i += 4 + size
print(",".join(names) or "none")
EOF
}

@test "ALPN on the wire: https offers h2,http/1.1 (so do --http2 and --http2-prior-knowledge); --http1.1 offers http/1.1 alone" {
	# a server that reads the ClientHello and never answers: hcli gives up (28)
	local opt want
	for opt in -s --http2 --http2-prior-knowledge --http1.1; do
		want=h2,http/1.1
		[[ $opt == --http1.1 ]] && want=http/1.1
		raw_start - <<<'[[{"expect": 1000000, "then": "hang"}]]'
		hrun "$opt" --connect-timeout 0.3 "https://localhost:$RAW_PORT/"
		assert_equal "$status" 28
		raw_conn_done 0
		assert_equal "[$opt] $(alpn_offered "$(raw_req 0 0)")" "[$opt] $want"
	done
}

@test "https answered in HTTP/1.1 loads no libnghttp2: h2 is offered, the library loads only when chosen" {
	if grep -qa __asan_init "$HCLI"; then
		skip "sanitizer build"
	fi
	command -v strace >/dev/null || skip "strace missing"
	run -0 strace -f -qq -e trace=openat -o "$T/trace" "$HCLI" -v "${CA[@]}" "$(url localhost)"
	grep -q 'libgnutls' "$T/trace" || fail "strace saw no GnuTLS: $(cat "$T/trace")"
	! grep -q 'libnghttp2' "$T/trace" || fail "libnghttp2 opened for an HTTP/1.1 answer"
	# h2 was offered all the same
	[[ $output == *"ALPN: server accepted http/1.1"* ]] || [[ $output == *"ALPN: none"* ]] ||
		fail "no ALPN line: $output"
}
