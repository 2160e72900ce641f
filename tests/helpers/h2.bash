# HTTP/2 servers for the tests: the scripted one (h2server.py), nghttpd and
# Apache with mod_http2.  Load with `load helpers/h2` after helpers/common
# (it loads helpers/pki and helpers/apache).
#
#   h2_start SCRIPT|- [DIR]     the scripted server, h2c with prior knowledge on
#                               127.0.0.1; exports H2_PORT H2_DIR H2_PID H2_URL
#   h2_tls_start SCRIPT|- CERT KEY [OPTION...]
#                               the same over TLS with ALPN (h2, http/1.1) and
#                               $PKI/CERT.pem, $PKI/KEY.key; H2_URL is
#                               https://localhost:PORT; OPTION e.g. --alpn h2
#   h2_requests                 the request log ("conn=C stream=S METHOD PATH")
#   h2_file C S EXT             path of req-C-S.EXT (head body end reset outcome)
#   h2_wait C S EXT [SECONDS]   wait (bounded) until req-C-S.EXT exists
#   h2_frames C                 path of connection C's frame log
#   h2_wait_frame C REGEX [S]   wait (bounded) until a frame line matches
#   h2_wait_log REGEX [S]       wait (bounded) until the server log matches
#   h2_recv_data C [REGEX]      DATA bytes (padding included) connection C
#                               got, in all or before the first frame line
#                               that matches REGEX
#   h2_conns                    connections accepted so far
#
#   nghttpd_start DIR [tls]     nghttpd (Debian's nghttp2-server) serving DIR/www
#                               on a free 127.0.0.1 port, h2c with prior
#                               knowledge, or TLS with $PKI/localhost.*;
#                               exports NGHTTPD_PORT NGHTTPD_PID NGHTTPD_DIR
#                               NGHTTPD_URL; its verbose log is DIR/stdout
#   nghttpd_conns               sessions it has seen (from its frame log)
#
#   apache_h2_start DIR [tls]   Apache (helpers/apache.bash) with mod_http2:
#                               h2c with prior knowledge on plain, h2 by ALPN
#                               with mod_ssl and $PKI/localhost.*; serves
#                               DIR/www; APACHE_URL as apache_start (https:
#                               https://localhost:PORT); DIR/conn.log has one
#                               line a request: "CLIENT-PORT PROTOCOL METHOD
#                               PATH STATUS"
#   apache_h2_conns             the connections seen (client ports in conn.log)
#
# $PKI must name a directory made by pki_make for the TLS ones.  Every server
# runs for H2_LIFETIME, else HARNESS_LIFETIME, seconds at most.

# shellcheck source-path=SCRIPTDIR
source "$HELPERS_DIR/pki.bash"
# shellcheck source-path=SCRIPTDIR
source "$HELPERS_DIR/apache.bash"

# Debian's python3-h2 is for Debian's python3 (a pyenv shim may come first on PATH).
H2_PYTHON=${H2_PYTHON:-/usr/bin/python3}

h2_start() {
	local script=${1:?usage: h2_start SCRIPT|- [DIR]} dir pid port=
	harness_script_dir h2 "${2:-}" "$script" || return 1
	dir=$HARNESS_DIR script=$HARNESS_SCRIPT
	harness_script_server h2 "$dir" -- "$H2_PYTHON" "$HELPERS_DIR/h2server.py" --script "$script" \
		--dir "$dir" --lifetime "${H2_LIFETIME:-$HARNESS_LIFETIME}" \
		${H2_OPTS[@]+"${H2_OPTS[@]}"} || return 1
	port=$HARNESS_PORT pid=$HARNESS_PID
	H2_PORT=$port H2_DIR=$dir H2_PID=$pid H2_URL=http://127.0.0.1:$port
	export H2_PORT H2_DIR H2_PID H2_URL
}

h2_tls_start() {
	local script=${1:?usage: h2_tls_start SCRIPT|- CERT KEY [OPTION...]} cert=${2:?} key=${3:?}
	shift 3
	local -a H2_OPTS=(--tls-cert "${PKI:?h2_tls_start: no PKI}/$cert.pem" --tls-key "$PKI/$key.key" "$@")
	h2_start "$script" || return
	H2_URL=https://localhost:$H2_PORT
	export H2_URL
}

h2_requests() {
	cat "${H2_DIR:?h2_requests: no server}/requests" 2>/dev/null
}

h2_file() { # C S EXT
	echo "${H2_DIR:?h2_file: no server}/req-${1:?usage: h2_file C S EXT}-${2:?}.${3:?}"
}

h2_wait() { # C S EXT [SECONDS]
	harness_wait_for "${4:-$HARNESS_WAIT_TIMEOUT}" test -e "$(h2_file "$1" "$2" "$3")" ||
		fail "h2 server: no req-$1-$2.$3 in ${4:-$HARNESS_WAIT_TIMEOUT} s; log: $(tail -n 20 "$H2_DIR/log")"
}

h2_frames() { # C
	echo "${H2_DIR:?h2_frames: no server}/frames-${1:?usage: h2_frames C}"
}

h2_wait_frame() { # C REGEX [SECONDS]
	harness_wait_for "${3:-$HARNESS_WAIT_TIMEOUT}" grep -qE -- "$2" "$(h2_frames "$1")" ||
		fail "h2 server: no frame /$2/ on connection $1: $(tail -n 20 "$(h2_frames "$1")")"
}

h2_wait_log() { # REGEX [SECONDS]
	harness_wait_for "${2:-$HARNESS_WAIT_TIMEOUT}" grep -qE -- "$1" "${H2_DIR:?h2_wait_log: no server}/log" ||
		fail "h2 server: no log line /$1/: $(tail -n 20 "$H2_DIR/log")"
}

h2_conns() {
	cat "${H2_DIR:?h2_conns: no server}/conns" 2>/dev/null || echo 0
}

h2_recv_data() { # C [REGEX]
	awk -v stop="${2:-}" '
		stop != "" && $0 ~ stop { exit }
		/^recv DATA / { n = $NF; sub(/^len=/, "", n); last = n + 0; sum += last; next }
		/^repeated [0-9]+ more times$/ { sum += $2 * last; next }
		{ last = 0 }
		END { print sum + 0 }' "$(h2_frames "${1:?usage: h2_recv_data C REGEX}")"
}

# --- nghttpd -------------------------------------------------------------


# harness_daemon's CONF step: the port is known only inside its loop, and
# nghttpd takes it on the command line, so a wrapper reads it from this file.
_nghttpd_conf() { # PORT
	echo "$1" >"$NGHTTPD_DIR/port"
}

nghttpd_start() {
	local dir=${1:?usage: nghttpd_start DIR [tls]} tls=${2:-}
	local -a cmd
	mkdir -p "$dir/www"
	dir=$(cd "$dir" && pwd)
	NGHTTPD_DIR=$dir
	# shellcheck disable=SC2016 # the wrapper shell expands them
	if [[ $tls == tls ]]; then
		cmd=(sh -c 'exec nghttpd -v -a 127.0.0.1 -d "$1/www" "$(cat "$1/port")" "$2" "$3"' nghttpd
			"$dir" "${PKI:?nghttpd_start: no PKI}/localhost.key" "$PKI/localhost.pem")
	else
		cmd=(sh -c 'exec nghttpd -v --no-tls -a 127.0.0.1 -d "$1/www" "$(cat "$1/port")"' nghttpd
			"$dir")
	fi
	harness_daemon nghttpd "$dir" "$dir/stdout" "${H2_LIFETIME:-$HARNESS_LIFETIME}" \
		_nghttpd_conf -- "${cmd[@]}" || return 1
	NGHTTPD_PORT=$HARNESS_PORT NGHTTPD_PID=$HARNESS_PID
	if [[ $tls == tls ]]; then
		NGHTTPD_URL=https://localhost:$NGHTTPD_PORT
	else
		NGHTTPD_URL=http://127.0.0.1:$NGHTTPD_PORT
	fi
	export NGHTTPD_PORT NGHTTPD_PID NGHTTPD_DIR NGHTTPD_URL
}

# nghttpd -v prefixes every frame line with its session, "[id=N]".
nghttpd_conns() {
	grep -o '^\[id=[0-9]*\]' "${NGHTTPD_DIR:?nghttpd_conns: no server}/stdout" | sort -u | wc -l
}

# --- Apache with mod_http2 -------------------------------------------------

apache_h2_start() {
	local dir=${1:?usage: apache_h2_start DIR [tls]} tls=${2:-}
	local -a modules=(http2)
	mkdir -p "$dir"
	if [[ $tls == tls ]]; then
		modules+=(ssl socache_shmcb)
		apache_start "$dir" "${modules[@]}" <<EOF || return
LogFormat "%{remote}p %H %m %U %>s" h2conn
CustomLog "@DIR@/conn.log" h2conn
Protocols h2 http/1.1
SSLEngine on
SSLCertificateFile "${PKI:?apache_h2_start: no PKI}/localhost.pem"
SSLCertificateKeyFile "$PKI/localhost.key"
SSLSessionCache none
H2MaxSessionStreams 100
EOF
		APACHE_URL=https://localhost:$APACHE_PORT
		export APACHE_URL
	else
		apache_start "$dir" "${modules[@]}" <<'EOF'
LogFormat "%{remote}p %H %m %U %>s" h2conn
CustomLog "@DIR@/conn.log" h2conn
Protocols h2c http/1.1
H2Direct on
H2MaxSessionStreams 100
EOF
	fi
}

apache_h2_conns() {
	cut -d' ' -f1 "${APACHE_DIR:?apache_h2_conns: no server}/conn.log" | sort -u | wc -l
}
