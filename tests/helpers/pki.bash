# A private PKI for the TLS tests, made with certtool (gnutls-bin).
#
#   pki_make DIR    make every key and certificate below in DIR (about 1 s)
#   pki_pin CERT    print "sha256//BASE64" of CERT's public key, computed
#                   independently of hcli (python3 hashlib over the DER
#                   SubjectPublicKeyInfo that certtool exports)
#
# Load it with `load helpers/pki` after helpers/common.  Keys are ECDSA
# P-256 (fast).  Files in DIR, each NAME.pem (certificate) and NAME.key:
#
#   ca            the test CA "hcli test CA" (trusted with --cacert DIR/ca.pem)
#   ca2           another CA that nobody trusts ("hcli other CA")
#   localhost     CN=localhost, DNS localhost, by ca; localhost-chain.pem is
#                 the leaf followed by ca.pem
#   iponly        CN=hcli ip-only, only an IP SAN 127.0.0.1, by ca
#   other         CN=other.test, DNS other.test, by ca
#   expired       DNS localhost, valid 2001-01-01 .. 2002-01-01, by ca
#   future        DNS localhost, valid from 2090-01-01, by ca
#   selfsigned    DNS localhost, self-signed (not a CA)
#   unknownca     DNS localhost, by ca2
#   a.test b.test CN and DNS a.test / b.test, by ca (for SNI)
#   client        CN=hcli test client, TLS WWW client, by ca;
#                 client-enc.key is the same key encrypted (PKCS #8,
#                 passphrase in DIR/client-enc.pass)
#   capath/       a directory holding only a copy of ca.pem (for --capath)
#   empty.pem     a file without any certificate

_pki_key() { # FILE
	certtool --generate-privkey --key-type ecdsa --curve secp256r1 --outfile "$1" 2>/dev/null
}

# _pki_template FILE LINE...: a certtool template of the lines given
_pki_template() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# _pki_cert DIR NAME ISSUER|self TEMPLATE-LINES...
_pki_cert() {
	local dir=$1 name=$2 issuer=$3
	shift 3
	_pki_template "$dir/$name.tmpl" "$@"
	_pki_key "$dir/$name.key"
	if [[ $issuer == self ]]; then
		certtool --generate-self-signed --load-privkey "$dir/$name.key" \
			--template "$dir/$name.tmpl" --outfile "$dir/$name.pem" 2>/dev/null
	else
		certtool --generate-certificate --load-privkey "$dir/$name.key" \
			--load-ca-certificate "$dir/$issuer.pem" --load-ca-privkey "$dir/$issuer.key" \
			--template "$dir/$name.tmpl" --outfile "$dir/$name.pem" 2>/dev/null
	fi
}

pki_make() {
	local dir=${1:?usage: pki_make DIR} www=(tls_www_server signing_key digital_signature)
	mkdir -p "$dir"
	_pki_cert "$dir" ca self 'cn = "hcli test CA"' ca cert_signing_key expiration_days=30
	_pki_cert "$dir" ca2 self 'cn = "hcli other CA"' ca cert_signing_key expiration_days=30
	_pki_cert "$dir" localhost ca 'cn = "localhost"' 'dns_name = "localhost"' \
		"${www[@]}" expiration_days=30
	cat "$dir/localhost.pem" "$dir/ca.pem" >"$dir/localhost-chain.pem"
	_pki_cert "$dir" iponly ca 'cn = "hcli ip-only"' 'ip_address = "127.0.0.1"' \
		"${www[@]}" expiration_days=30
	_pki_cert "$dir" other ca 'cn = "other.test"' 'dns_name = "other.test"' \
		"${www[@]}" expiration_days=30
	_pki_cert "$dir" expired ca 'cn = "localhost"' 'dns_name = "localhost"' "${www[@]}" \
		'activation_date = "2001-01-01 00:00:00"' 'expiration_date = "2002-01-01 00:00:00"'
	_pki_cert "$dir" future ca 'cn = "localhost"' 'dns_name = "localhost"' "${www[@]}" \
		'activation_date = "2090-01-01 00:00:00"' 'expiration_date = "2091-01-01 00:00:00"'
	_pki_cert "$dir" selfsigned self 'cn = "localhost"' 'dns_name = "localhost"' \
		"${www[@]}" expiration_days=30
	_pki_cert "$dir" unknownca ca2 'cn = "localhost"' 'dns_name = "localhost"' \
		"${www[@]}" expiration_days=30
	_pki_cert "$dir" a.test ca 'cn = "a.test"' 'dns_name = "a.test"' "${www[@]}" expiration_days=30
	_pki_cert "$dir" b.test ca 'cn = "b.test"' 'dns_name = "b.test"' "${www[@]}" expiration_days=30
	_pki_cert "$dir" client ca 'cn = "hcli test client"' tls_www_client signing_key \
		digital_signature expiration_days=30
	echo 'hcli-test-passphrase' >"$dir/client-enc.pass"
	certtool --to-p8 --load-privkey "$dir/client.key" --password "$(cat "$dir/client-enc.pass")" \
		--outfile "$dir/client-enc.key" 2>/dev/null
	mkdir -p "$dir/capath"
	cp "$dir/ca.pem" "$dir/capath/hcli-test-ca.pem"
	echo 'not a certificate' >"$dir/empty.pem"
	local f
	for f in ca ca2 localhost iponly other expired future selfsigned unknownca a.test b.test client; do
		[[ -s $dir/$f.pem && -s $dir/$f.key ]] || {
			echo "pki_make: $f was not made" >&2
			return 1
		}
	done
	grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$dir/client-enc.key" || {
		echo "pki_make: client-enc.key is not encrypted" >&2
		return 1
	}
}

pki_pin() { # CERT
	certtool --pubkey-info --load-certificate "${1:?usage: pki_pin CERT}" --outder 2>/dev/null |
		python3 -c 'import base64, hashlib, sys
der = sys.stdin.buffer.read()
assert der[:1] == b"\x30", "not DER"
print("sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode())'
}
