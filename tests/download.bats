#!/usr/bin/env bats
# Downloads (SPEC Part 2 "Downloads", and "-o pairs with URLs in order" from
# "Changed from Part 1"): -o/-O/-J names and hostile names, whole files or
# none (NAME.part, renamed when complete), resume with -C, --no-clobber,
# -R, -z, the ETag files, devices written directly, the progress line's name.
# The scripted server is helpers/dlserver.py (Range, If-*, ETag, cuts);
# nginx serves real ranges and ETags; curl is the peer for -O -J names.

load helpers/common
load helpers/dl

setup() {
	T=$BATS_TEST_TMPDIR
	BG_PID=
	DL_ROOT=$T/www
	mkdir -p "$DL_ROOT" "$T/d"
}

# DL_URL + PATH with a Content-Disposition VALUE for the server to send (any byte).
cd_url() { # PATH VALUE
	printf '%s%s?cd=%s' "$DL_URL" "$1" "$(python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe="", encoding="latin-1"))' "$2")"
}

# The files under DIR (relative, sorted, one line each), or under $T outside $T/d and the server's.
files_in() { # DIR
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)
}

# hcli runs in $T/w/a/b with the output directory $T/w/a/b/d: what else is under $T/w?
strays() {
	(cd "$T/w" && find . -mindepth 1 -not -path './a' -not -path './a/b' -not -path './a/b/d*' |
		LC_ALL=C sort)
	[[ ! -e /etc/x ]] || echo /etc/x
}

big_file() { # NAME BYTES
	head -c "$2" /dev/urandom >"$DL_ROOT/$1"
}

# --- names ---------------------------------------------------------------------------

@test "-O: the URL path's last segment, percent-decoded, the query left out; nothing on standard output" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	big_file 'b c.bin' 1000
	cd "$T/d"
	hrun -O "$DL_URL/f/a.txt?x=1/y" -O "$DL_URL/f/b%20c.bin"
	assert_equal "$status" 0
	assert_bytes "$T/out" ''
	assert_bytes "$T/d/a.txt" 'A\n'
	cmp "$DL_ROOT/b c.bin" "$T/d/b c.bin"
	assert_equal "$(files_in "$T/d")" $'a.txt\nb c.bin'
}

@test "-o and -O pair with URLs in order (curl's); a URL without one writes to standard output" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	printf 'B\n' >"$DL_ROOT/b.txt"
	printf 'C\n' >"$DL_ROOT/c.txt"
	hrun --output-dir "$T/d" -O -o second "$DL_URL/f/a.txt" "$DL_URL/f/b.txt" "$DL_URL/f/c.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'A\n'
	assert_bytes "$T/d/second" 'B\n'
	assert_bytes "$T/out" 'C\n'
	assert_equal "$(files_in "$T/d")" $'a.txt\nsecond'
	# a refused name (23) is that URL's failure: the next URL is still fetched, the status is 23
	hrun --output-dir "$T/d" -O "$DL_URL/" -O "$DL_URL/f/b.txt"
	assert_equal "$status" 23
	assert_bytes "$T/d/b.txt" 'B\n'
	# more outputs than URLs: a warning, as curl's
	hrun -o "$T/d/x" -o "$T/d/y" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_line_re "$T/err" '^hcli: warning: more -o and -O than URLs'
	[[ ! -e $T/d/y ]]
}

# URL path | the name -O makes ("23": refused, nothing written, nothing requested)
@test "-O with hostile URL paths: each reduced to a plain name in the directory, or refused with 23" {
	local row path want
	dl_start
	mkdir -p "$T/w/a/b"
	cd "$T/w/a/b"
	for row in \
		'/d/..%2F..%2Fx|_._.._x' \
		'/d/%2Fetc%2Fx|_etc_x' \
		'/d/.bashrc|_bashrc' \
		'/d/-rf|_rf' \
		'/d/..%2F|_._' \
		'/d/%2E%2E|_.' \
		'/d/%2E|_' \
		'/d/a%5Cb|a_b' \
		'/d/a%01b%1Bc%7F|a_b_c_' \
		'/d/x%00y|x_y' \
		'/d/|23' \
		'/|23'; do
		path=${row%|*} want=${row##*|}
		rm -rf d && mkdir d
		: >"$DL_DIR/requests"
		hrun --output-dir d -O "$DL_URL$path"
		if [[ $want == 23 ]]; then
			assert_equal "$path: $status" "$path: 23"
			assert_line_re "$T/err" '^hcli: WriteError: refused file name from the URL path'
			assert_equal "$path: $(files_in d)" "$path: "
			assert_equal "$path: $(dl_requests)" "$path: "
		else
			assert_equal "$path: $status" "$path: 0"
			assert_equal "$path: $(files_in d)" "$path: $want"
			assert_equal "$path: $(cat "d/$want")" "$path: hello"
		fi
	done
	assert_equal "outside the directory: $(strays)" "outside the directory: "
}

# Content-Disposition | the name -J makes ("23": refused with nothing written)
@test "-J with hostile Content-Disposition names: reduced to the last segment, or refused with 23; nothing outside the directory" {
	local row cd want
	dl_start
	mkdir -p "$T/w/a/b"
	cd "$T/w/a/b"
	while IFS='|' read -r cd want; do
		[[ -n $cd ]] || continue
		rm -rf d && mkdir d
		hrun --output-dir d -O -J "$(cd_url /dl/url-name "$cd")"
		if [[ $want == 23 ]]; then
			assert_equal "[$cd] $status" "[$cd] 23"
			assert_line_re "$T/err" "^hcli: WriteError: refused file name '.*' from Content-Disposition \(-J\)$"
			assert_equal "[$cd] $(files_in d)" "[$cd] "
		else
			assert_equal "[$cd] $status $(cat "$T/err")" "[$cd] 0 "
			assert_equal "[$cd] $(files_in d)" "[$cd] $want"
		fi
	done <<'EOF'
attachment; filename="report.pdf"|report.pdf
attachment; filename=plain.txt|plain.txt
inline; FILENAME="Case.txt"|Case.txt
attachment; filename="../../x"|x
attachment; filename="/etc/x"|x
attachment; filename=".bashrc"|_bashrc
attachment; filename="-rf"|_rf
attachment; filename="..%2Fx"|_.%2Fx
attachment; filename="a\\b"|b
attachment; filename="a\"q\".txt"|a"q".txt
attachment; filename="dir/"|23
attachment; filename="..\\"|23
attachment; filename*=UTF-8''..%2F..%2Fx|x
attachment; filename*=UTF-8''%2Fetc%2Fpasswd|passwd
attachment; filename*=UTF-8''%2E%2E|_.
attachment; filename*=UTF-8''%2E%2E%2F|23
attachment; filename*=UTF-8''a%01b%1Bc%00d|a_b_c_d
attachment; filename*=UTF-8''a%5C..%5Cb|b
attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; filename="eur.txt"|€ rates.txt
attachment; filename="eur.txt"; filename*=utf-8'en'%E2%82%AC.txt|€.txt
attachment; filename*=ISO-8859-1''%E9t%E9.txt|été.txt
attachment; filename*=UTF-8''%C0%AE%C0%AE; filename="fallback.txt"|fallback.txt
attachment; filename*=KOI8-R''%C1; filename="other.txt"|other.txt
attachment; filename*="UTF-8''quoted.txt"; filename="q.txt"|q.txt
attachment; filename="a.txt"; filename="b.txt"|url-name
attachment; filename=two words.txt|url-name
filename="no-type.txt"|url-name
attachment|url-name
EOF
	assert_equal "outside the directory: $(strays)" "outside the directory: "
}

# The same responses to curl -O -J --output-dir and to hcli: the names SPEC
# shares with curl 7.88 are the same; where they differ (SPEC's choice, see
# DOWNLOADS in the man page), each row says how.
@test "curl as a peer: for the same responses, curl -O -J --output-dir picks the same names, except where the man page says" {
	local row cd path ours theirs
	dl_start
	while IFS='|' read -r path cd; do
		rm -rf "$T/d" "$T/c" && mkdir "$T/d" "$T/c"
		local url="$DL_URL$path"
		[[ -z $cd ]] || url=$(cd_url "$path" "$cd")
		hrun --output-dir "$T/d" -O -J "$url"
		assert_equal "[$path $cd] $status" "[$path $cd] 0"
		command curl -s --output-dir "$T/c" -O -J "$url" </dev/null
		ours=$(files_in "$T/d") theirs=$(files_in "$T/c")
		assert_equal "[$path $cd] $ours" "[$path $cd] $theirs"
		[[ -n $ours ]]
	done <<'EOF'
/dl/plain.bin|
/dl/a/b/deep.tar.gz|
/dl/name|attachment; filename="report.pdf"
/dl/name|attachment; filename=plain.txt
/dl/name|attachment; filename="../../up.txt"
/dl/name|attachment; filename="/etc/abs.txt"
/dl/name|inline; filename="inline.txt"
/dl/name|attachment; filename="x y.txt"
/dl/name|attachment; filename="a\\b.txt"
EOF
	# where they differ, as the man page's DOWNLOADS says: path | field | hcli's | curl's
	while IFS='|' read -r path cd ours theirs; do
		rm -rf "$T/d" "$T/c" && mkdir "$T/d" "$T/c"
		local url="$DL_URL$path"
		[[ -z $cd ]] || url=$(cd_url "$path" "$cd")
		hrun --output-dir "$T/d" -O -J "$url"
		command curl -s --output-dir "$T/c" -O -J "$url" </dev/null
		assert_equal "[$path $cd] $(files_in "$T/d") $(files_in "$T/c")" "[$path $cd] $ours $theirs"
	done <<'EOF'
/dl/a%20b||a b|a%20b
/dl/.hidden||_hidden|.hidden
/dl/-rf||_rf|-rf
/dl/name|attachment; filename=".bashrc"|_bashrc|.bashrc
/dl/name|attachment; filename*=UTF-8''x.txt; filename="y.txt"|x.txt|y.txt
/dl/name|attachment; filename*=UTF-8''x.txt|x.txt|name
/dl/name|attachment; filename=two words.txt|name|two words.txt
/dl/name|attachment; filename="a.txt"; filename="b.txt"|name|a.txt
EOF
}

# --- whole files or none -----------------------------------------------------------

@test "a transfer cut short leaves NAME.part and exit 18; NAME, already there, is untouched; a stale .part is replaced" {
	dl_start
	big_file big.bin 100000
	printf 'old\n' >"$T/d/big.bin"
	printf 'stale stale stale\n' >"$T/d/big.bin.part"
	hrun --output-dir "$T/d" -O "$DL_URL/f/big.bin?cut=40000"
	assert_equal "$status" 18
	assert_line_re "$T/err" '^hcli: IncompleteRead: '
	assert_bytes "$T/d/big.bin" 'old\n'
	cmp <(head -c 40000 "$DL_ROOT/big.bin") "$T/d/big.bin.part"
	# complete: renamed over NAME, no .part left
	hrun --output-dir "$T/d" -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	cmp "$DL_ROOT/big.bin" "$T/d/big.bin"
	assert_equal "$(files_in "$T/d")" 'big.bin'
}

@test "NAME.part is a new file: a symbolic link planted as NAME.part is replaced, never written through" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	printf 'victim\n' >"$T/victim"
	ln -s "$T/victim" "$T/d/a.txt.part"
	ln -s "$T/victim" "$T/d/a.txt"
	hrun --output-dir "$T/d" -O "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/victim" 'victim\n'
	assert_bytes "$T/d/a.txt" 'A\n'
	[[ ! -L $T/d/a.txt ]] || fail "-O wrote through a link"
}

@test "resume after kill -9: -C - keeps the bytes of NAME.part, asks for the rest, and the sha256 matches" {
	local have
	dl_start
	big_file big.bin $((4 << 20))
	printf 'old\n' >"$T/d/big.bin"
	"$HCLI" --output-dir "$T/d" -O "$DL_URL/f/big.bin?stall=1500000" </dev/null >/dev/null 2>"$T/err" &
	BG_PID=$!
	harness_wait_for 10 eval '[[ $(stat -c %s "$T/d/big.bin.part" 2>/dev/null) == 1500000 ]]' ||
		fail "the .part never had the 1500000 bytes sent: $(stat -c %s "$T/d/big.bin.part")"
	assert_bytes "$T/d/big.bin" 'old\n' # untouched while the new one is incomplete
	kill -9 "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	cmp <(head -c 1500000 "$DL_ROOT/big.bin") "$T/d/big.bin.part"
	assert_bytes "$T/d/big.bin" 'old\n'
	: >"$DL_DIR/requests"
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/d/big.bin")" "$(sha256_of "$DL_ROOT/big.bin")"
	assert_equal "$(files_in "$T/d")" 'big.bin'
	have=$(dl_requests)
	[[ $have == 'GET /f/big.bin range=bytes=1500000- '* ]] || fail "request: $have"
}

@test "-C - from NAME itself (no .part): NAME stays whole until the rest is there; -C OFFSET keeps OFFSET bytes" {
	dl_start
	big_file big.bin 10000
	head -c 6000 "$DL_ROOT/big.bin" >"$T/d/big.bin"
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	cmp "$DL_ROOT/big.bin" "$T/d/big.bin"
	grep -q 'range=bytes=6000- ' "$DL_DIR/requests"
	# -C 4000 with 9000 local bytes (the last ones wrong): 4000 kept, the rest from the server
	{ head -c 4000 "$DL_ROOT/big.bin" && head -c 5000 /dev/zero; } >"$T/d/big.bin.part"
	hrun --output-dir "$T/d" -C 4000 -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	cmp "$DL_ROOT/big.bin" "$T/d/big.bin"
	grep -q 'range=bytes=4000- ' "$DL_DIR/requests"
}

@test "-C -: a server that ignores Range (200) is 33 and NAME.part is kept as it was" {
	dl_start
	big_file big.bin 10000
	head -c 3000 "$DL_ROOT/big.bin" >"$T/d/big.bin.part"
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin?norange=1"
	assert_equal "$status" 33
	assert_equal "$(wc -l <"$T/err")" 1
	assert_line_re "$T/err" "^hcli: RangeError: a request for the bytes from 3000 was answered with 'HTTP/1.1 200 OK'; the \.part file is kept"
	cmp <(head -c 3000 "$DL_ROOT/big.bin") "$T/d/big.bin.part"
	assert_equal "$(files_in "$T/d")" 'big.bin.part'
	# a 206 that starts elsewhere: 33 too
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin?badrange=0"
	assert_equal "$status" 33
	cmp <(head -c 3000 "$DL_ROOT/big.bin") "$T/d/big.bin.part"
	# and any other status to the range request (here 404)
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin?status=404"
	assert_equal "$status" 33
	cmp <(head -c 3000 "$DL_ROOT/big.bin") "$T/d/big.bin.part"
}

@test "-C -: a 416 whose Content-Range */N is the local size renames the whole .part, 0; any other 416 is 33" {
	dl_start
	big_file big.bin 5000
	cp "$DL_ROOT/big.bin" "$T/d/big.bin.part"
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	cmp "$DL_ROOT/big.bin" "$T/d/big.bin"
	assert_equal "$(files_in "$T/d")" 'big.bin'
	# NAME already whole: 0, nothing changes
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin"
	assert_equal "$status" 0
	cmp "$DL_ROOT/big.bin" "$T/d/big.bin"
	# a 416 for another length
	head -c 100 "$DL_ROOT/big.bin" >"$T/d/big.bin.part"
	hrun --output-dir "$T/d" -C - -O "$DL_URL/f/big.bin?bad416=99"
	assert_equal "$status" 33
	assert_equal "$(wc -c <"$T/d/big.bin.part")" 100
}

@test "--no-clobber never overwrites: NAME.1, NAME.2 ...; without it NAME is replaced" {
	dl_start
	printf 'new\n' >"$DL_ROOT/a.txt"
	printf 'one\n' >"$T/d/a.txt"
	hrun --output-dir "$T/d" --no-clobber -O "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	hrun --output-dir "$T/d" --no-clobber -O "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	hrun --no-clobber -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'one\n'
	assert_equal "$(files_in "$T/d")" $'a.txt\na.txt.1\na.txt.2\na.txt.3'
	assert_bytes "$T/d/a.txt.3" 'new\n'
	hrun --output-dir "$T/d" -O "$DL_URL/f/a.txt"
	assert_bytes "$T/d/a.txt" 'new\n'
}

@test "an output directory that cannot be written: 23 before anything is requested; --create-dirs makes it" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	mkdir -p "$T/ro"
	chmod 0555 "$T/ro"
	# as an ordinary user: root may write anywhere
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HCLI" --output-dir "$T/ro" -O "$DL_URL/f/a.txt"
	assert_equal "$status" 23
	assert_output --regexp "^hcli: WriteError: $T/ro: Permission denied$"
	hrun --output-dir "$T/missing/sub" -O "$DL_URL/f/a.txt"
	assert_equal "$status" 23
	assert_line_re "$T/err" "^hcli: WriteError: $T/missing/sub: No such file or directory$"
	hrun -o "$T/missing2/x/a" "$DL_URL/f/a.txt"
	assert_equal "$status" 23
	assert_equal "$(dl_requests)" ''
	hrun --create-dirs --output-dir "$T/missing/sub" -O -o deeper/b.txt "$DL_URL/f/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/missing/sub/a.txt" 'A\n'
	assert_bytes "$T/missing/sub/deeper/b.txt" 'A\n'
	assert_equal "$(stat -c %a "$T/missing/sub")" 750
}

@test "devices, FIFOs, /dev/stdout and - are written directly, no .part" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	hrun -o /dev/null "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	hrun -o /dev/stdout "$DL_URL/f/a.txt" -o - "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/out" 'A\nA\n'
	mkfifo "$T/d/fifo"
	cat "$T/d/fifo" >"$T/fromfifo" &
	local reader=$!
	hrun -o "$T/d/fifo" "$DL_URL/f/a.txt"
	wait "$reader"
	assert_equal "$status" 0
	assert_bytes "$T/fromfifo" 'A\n'
	assert_equal "$(files_in "$T/d")" 'fifo'
}

@test "usage errors: -J without -O, -C with -J, -C for a URL with no file, -C with a Range item, -z that is neither date nor file" {
	local row
	dl_start
	for row in "-J $DL_URL/f/a" "-C - -O -J $DL_URL/f/a" "-C - $DL_URL/f/a" \
		"-C - -O $DL_URL/f/a -o x $DL_URL/f/b $DL_URL/f/c" "-C 5 -O $DL_URL/f/a Range:bytes=1-" \
		"-C x -O $DL_URL/f/a" "-z notadate-notafile -O $DL_URL/f/a"; do
		# shellcheck disable=SC2086 # row is a word list
		hrun $row
		assert_equal "[$row] $status" "[$row] 2"
		assert_line_re "$T/err" '^hcli: Usage: '
	done
	assert_equal "$(dl_requests)" ''
}

# --- -R, -z, ETags ---------------------------------------------------------------------

@test "-R: the file's time is the Last-Modified; -z FILE sends its time, a 304 leaves the file as it was" {
	dl_start 'Tue, 13 Jun 2000 12:10:00 GMT'
	printf 'A\n' >"$DL_ROOT/a.txt"
	hrun -R -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_equal "$(stat -c %Y "$T/d/a.txt")" "$(date -d 'Tue, 13 Jun 2000 12:10:00 GMT' +%s)"
	printf 'mine\n' >"$T/d/a.txt"
	touch -d '2001-01-01 00:00:00 UTC' "$T/d/a.txt"
	: >"$DL_DIR/requests"
	hrun -z "$T/d/a.txt" -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'mine\n'
	assert_equal "$(files_in "$T/d")" 'a.txt'
	grep -q 'if-modified-since=Mon, 01 Jan 2001 00:00:00 GMT' "$DL_DIR/requests"
	# older than the file on the server: downloaded
	hrun -z '1999-12-31' -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'A\n'
	grep -q 'if-modified-since=Fri, 31 Dec 1999 00:00:00 GMT' "$DL_DIR/requests"
	# -DATE: If-Unmodified-Since
	hrun -z '-Sun, 06 Nov 1994 08:49:37 GMT' -o "$T/d/b.txt" "$DL_URL/f/a.txt"
	grep -q 'if-unmodified-since=Sun, 06 Nov 1994 08:49:37 GMT' "$DL_DIR/requests"
}

@test "--etag-save then --etag-compare: If-None-Match with the saved ETag; the 304 leaves file and ETag file alone" {
	dl_start
	printf 'A\n' >"$DL_ROOT/a.txt"
	hrun --etag-compare "$T/etag" --etag-save "$T/etag" -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_line_re "$T/etag" '^"[0-9a-f]{16}"$'
	assert_equal "$(grep -c 'if-none-match=-' "$DL_DIR/requests")" 1
	printf 'mine\n' >"$T/d/a.txt"
	cp "$T/etag" "$T/etag.before"
	hrun --etag-compare "$T/etag" --etag-save "$T/etag" -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'mine\n'
	cmp "$T/etag.before" "$T/etag"
	grep -qF "if-none-match=$(cat "$T/etag")" "$DL_DIR/requests"
	# the file changed on the server: a 200 and the new ETag
	printf 'B\n' >"$DL_ROOT/a.txt"
	hrun --etag-compare "$T/etag" --etag-save "$T/etag" -o "$T/d/a.txt" "$DL_URL/f/a.txt"
	assert_equal "$status" 0
	assert_bytes "$T/d/a.txt" 'B\n'
	! cmp -s "$T/etag.before" "$T/etag"
}

# --- nginx: real ranges and ETags ---------------------------------------------------------

@test "nginx: a 20 MiB -O is whole; -C - of a half file gets a 206 for the rest (sha256 matches), a whole .part a 416; its ETag gives a 304" {
	mkdir -p "$T/ng/www"
	head -c 300000 /dev/urandom >"$T/ng/www/n.bin"
	head -c $((20 << 20)) /dev/urandom >"$T/ng/www/big.bin"
	nginx_start "$T/ng"
	# past the 8 MiB steps at which writeback is started: every byte in place
	hrun --output-dir "$T/d" -O "$NGINX_URL/big.bin"
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/d/big.bin")" "$(sha256_of "$T/ng/www/big.bin")"
	rm "$T/d/big.bin"
	head -c 123456 "$T/ng/www/n.bin" >"$T/d/n.bin.part"
	hrun --output-dir "$T/d" -C - -O "$NGINX_URL/n.bin"
	assert_equal "$status" 0
	assert_equal "$(sha256_of "$T/d/n.bin")" "$(sha256_of "$T/ng/www/n.bin")"
	cp "$T/d/n.bin" "$T/d/n.bin.part"
	hrun --output-dir "$T/d" -C - -O "$NGINX_URL/n.bin"
	assert_equal "$status" 0
	assert_equal "$(files_in "$T/d")" 'n.bin'
	hrun --etag-save "$T/etag" -o "$T/d/n.bin" "$NGINX_URL/n.bin"
	assert_equal "$status" 0
	printf 'mine\n' >"$T/d/n.bin"
	hrun --etag-compare "$T/etag" -o "$T/d/n.bin" "$NGINX_URL/n.bin"
	assert_equal "$status" 0
	assert_bytes "$T/d/n.bin" 'mine\n'
	nginx_wait_log 5
	grep -c 'status=206' "$NGINX_DIR/access.log" | grep -qx 1
	grep -c 'status=416' "$NGINX_DIR/access.log" | grep -qx 1
	grep -c 'status=304' "$NGINX_DIR/access.log" | grep -qx 1
}

# --- progress ---------------------------------------------------------------------------

@test "progress on a terminal names the file (escaped), not 'down'" {
	raw_start - <<'EOF'
[[{"reply": "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", "chunks": ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"], "chunk_delay_ms": 600}]]
EOF
	local cmd
	cmd="stty -onlcr; exec $(printf '%q ' "$HCLI" -o "$T/d/rep"$'\e'"ort.bin" "$RAW_URL/x")"
	status=0
	timeout -k 2 20 script -qfec "$cmd" /dev/null </dev/null >"$T/tty" || status=$?
	assert_equal "$status" 0
	assert_bytes "$T/d/rep"$'\e'"ort.bin" 'aaaaaaaaaabbbbbbbbbbcccccccccc'
	grep -qF 'rep\033ort.bin 100.0% 30B of 30B' "$T/tty" || fail "no named update: $(od -c "$T/tty")"
	! grep -q $'\e''ort' "$T/tty" || fail "the name's escape byte reached the terminal raw"
}
