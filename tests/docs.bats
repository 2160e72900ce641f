#!/usr/bin/env bats
# The documentation and completions follow hcli --help: every long option of
# --help is in man/hcli.1 and in each completion file, and every long option
# they name exists; the man page lints clean; the completion files parse; bash
# and fish completion give the right answers.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$REPO_ROOT" || return
	MAN=man/hcli.1
	BASH_COMP=completions/hcli.bash
	ZSH_COMP=completions/_hcli
	FISH_COMP=completions/hcli.fish
}

# Long option names on standard input (--name, one per line, sorted, unique):
# every --word, with man's \- and \& undone and a sentence's full stop dropped.
long_opts() {
	sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\%//g' |
		grep -oE -- '--[A-Za-z0-9][A-Za-z0-9.-]*' | sed 's/\.*$//' | LC_ALL=C sort -u
}

# The long options of hcli --help, one per line, sorted.
help_opts() {
	"$HCLI" --help | sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9.-]*\).*/\2/p' | LC_ALL=C sort -u
}

# Every line of file WANT is in file HAVE (both sorted); else fail, naming them.
assert_subset() { # WANT HAVE MESSAGE
	local missing
	missing=$(LC_ALL=C comm -23 "$1" "$2")
	[[ -z $missing ]] || fail "$3: ${missing//$'\n'/ }"
}

@test "hcli --help lists the long options (the reference for the other tests)" {
	help_opts >"$T/help"
	local n
	n=$(wc -l <"$T/help")
	((n >= 40)) || fail "only $n long options found in --help: $(cat "$T/help")"
	for o in --request --data --timeout --tls-min --write-out --compressed --color --help --version; do
		grep -qx -- "$o" "$T/help" || fail "$o not found in --help"
	done
}

# --- man page -------------------------------------------------------------------------

@test "man page: every option of --help is documented" {
	help_opts >"$T/help"
	long_opts <"$MAN" >"$T/man"
	assert_subset "$T/help" "$T/man" "in --help but not in $MAN"
}

@test "man page: every long option named in OPTIONS exists in --help" {
	help_opts >"$T/help"
	awk '/^\.SH /{f = ($0 ~ /^\.SH "?OPTIONS"?$/); next} f' "$MAN" | long_opts >"$T/man"
	[[ -s $T/man ]] || fail "no OPTIONS section with options in $MAN"
	assert_subset "$T/man" "$T/help" "in the OPTIONS of $MAN but not in --help"
}

@test "man page: mandoc -Tlint -Wwarning prints nothing" {
	run mandoc -Tlint -Wwarning "$MAN"
	assert_output ''
	assert_success
}

@test "README: the quick start says how to read the man page (man ./man/hcli.1, or make install)" {
	local quick
	quick=$(sed -n '/^## Quick start/,/^## /p' README.md)
	[[ $quick == *'`man ./man/hcli.1`'* ]] || fail "no 'man ./man/hcli.1' in the quick start"
	[[ $quick == *'`make install`'* ]] || fail "no 'make install' in the quick start"
	[[ -f man/hcli.1 ]]
}

# --- completion files: syntax and option lists --------------------------------------

@test "README: every long option of its hcli examples exists in --help" {
	help_opts >"$T/help"
	# the indented example lines, from the word hcli on
	grep -E '^    .*\bhcli ' README.md | sed 's/.*\bhcli //' | grep -oE -- '(^| )--[a-z][a-z0-9.-]*[a-z0-9]' |
		tr -d ' ' | LC_ALL=C sort -u >"$T/readme"
	(($(wc -l <"$T/readme") >= 10)) || fail "too few options found: $(cat "$T/readme")"
	grep -qx -- --parallel-max "$T/readme" && grep -qx -- --http2-prior-knowledge "$T/readme" ||
		fail "the -Z and HTTP/2 examples are gone: $(cat "$T/readme")"
	assert_subset "$T/readme" "$T/help" "in README's examples but not in --help"
}

@test "completion files parse: bash -n, zsh -n, fish -n" {
	run bash -n "$BASH_COMP"
	assert_success
	assert_output ''
	run zsh -n "$ZSH_COMP"
	assert_success
	assert_output ''
	run fish --no-config -n "$FISH_COMP"
	assert_success
	assert_output ''
}

@test "bash completion file: names every option of --help, and only those" {
	help_opts >"$T/help"
	long_opts <"$BASH_COMP" >"$T/comp"
	assert_subset "$T/help" "$T/comp" "in --help but not in $BASH_COMP"
	assert_subset "$T/comp" "$T/help" "in $BASH_COMP but not in --help"
}

@test "zsh completion file: names every option of --help, and only those" {
	help_opts >"$T/help"
	long_opts <"$ZSH_COMP" >"$T/comp"
	assert_subset "$T/help" "$T/comp" "in --help but not in $ZSH_COMP"
	assert_subset "$T/comp" "$T/help" "in $ZSH_COMP but not in --help"
}

@test "fish completion file: offers every option of --help, and only those" {
	help_opts >"$T/help"
	# fish names long options with -l NAME: ask fish what it offers after --
	fish_complete 'hcli --' | cut -f1 | sed 's/=.*//' | LC_ALL=C sort -u >"$T/comp"
	assert_subset "$T/help" "$T/comp" "in --help but not offered by $FISH_COMP"
	assert_subset "$T/comp" "$T/help" "offered by $FISH_COMP but not in --help"
	# and the option words its functions compare against
	long_opts <"$FISH_COMP" >"$T/named"
	assert_subset "$T/named" "$T/help" "named in $FISH_COMP but not in --help"
}

# --- bash completion at work ------------------------------------------------------------

# COMPREPLY of the completion function for LINE (the cursor at its end), one
# per line, sorted, as bash-completion runs it: COMP_WORDS split the way
# readline splits (at blanks and at runs of COMP_WORDBREAKS characters).
bash_complete() { # LINE
	bash -c '
		source /usr/share/bash-completion/bash_completion || exit 3
		source "$2" || exit 3
		spec=$(complete -p hcli) || exit 3
		[[ $spec =~ -F\ ([^ ]+) ]] || { echo "no -F in: $spec" >&2; exit 3; }
		fn=${BASH_REMATCH[1]}
		line=$1 rest=$1 words=()
		while [[ -n $rest ]]; do
			if [[ $rest =~ ^[[:space:]]+ ]]; then
				:
			elif [[ $rest =~ ^[\>\<=\;\|\&\(:]+ ]]; then
				words+=("$BASH_REMATCH")
			else
				[[ $rest =~ ^[^[:space:]\>\<=\;\|\&\(:]+ ]]
				words+=("$BASH_REMATCH")
			fi
			rest=${rest:${#BASH_REMATCH}}
		done
		[[ $line != *[[:space:]] ]] || words+=("")
		COMP_WORDS=("${words[@]}")
		COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMPREPLY=()
		"$fn" hcli "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
	' _ "$1" "$BASH_COMP"
}

fish_complete() { # LINE
	# shellcheck disable=SC2016 # fish expands $argv
	env HOME="$T" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" \
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$FISH_COMP" "$1"
}

# Each ROW is "LINE|WANT": fish completes LINE to the candidates WANT (space separated).
fish_rows() { # ROW...
	local row line want
	for row in "$@"; do
		line=${row%%|*} want=${row#*|}
		run fish_complete "$line"
		assert_equal "[$line] status $status" "[$line] status 0"
		assert_equal "[$line] -> $(cut -f1 <<<"$output" | tr '\n' ' ' | sed 's/ $//')" "[$line] -> $want"
	done
}

@test "bash completion: the function named by complete -p hcli answers" {
	local row line want
	# line typed (cursor at the end) | COMPREPLY, sorted, space separated
	local rows=(
		'hcli --ti|--time-cond --timeout'
		'hcli --timeo|--timeout'
		'hcli -C |-'
		'hcli --tls-m|--tls-min'
		'hcli --tls-min |1.2 1.3'
		'hcli --tls-min 1.|1.2 1.3'
		'hcli PO|POST'
		'hcli -X P|PATCH POST PUT'
		'hcli --request DE|DELETE'
		'hcli -v PO|POST'
		'hcli http://x PO|'
		'hcli http://x @tests/hel|@tests/helpers/'
		'hcli http://x @tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli PUT http://x:8080/a @tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli -d @tests/helpers/raw.|@tests/helpers/raw.bash'
		# files after an item's @, =@, :=@ (and :@, ==@); readline keeps what precedes '=' or ':'
		'hcli http://x avatar@tests/helpers/raw.|avatar@tests/helpers/raw.bash'
		'hcli POST :8080 avatar@tests/hel|avatar@tests/helpers/'
		'hcli http://x f=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli http://x f:=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli http://x X-A:@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli http://x q==@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli http://x a\@b@tests/helpers/raw.|a\@b@tests/helpers/raw.bash'
		'hcli http://x a:b@tests/hel|'
		'hcli user@tests/hel|'
		# -F NAME=@FILE and NAME=<FILE ('<' quoted or typed \<): readline keeps what precedes
		# the last '=' or ':', or the opening quote
		'hcli -F f=@tests/hel|@tests/helpers/'
		'hcli -F f=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli http://x -F f=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli --form-field=f=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli -Ff=@tests/helpers/raw.|@tests/helpers/raw.bash'
		'hcli -F a:b=@tests/helpers/raw.|@tests/helpers/raw.bash'
		"hcli -F 'f=<tests/helpers/raw.|f=<tests/helpers/raw.bash"
		'hcli -F "f=<tests/hel|f=<tests/helpers/'
		'hcli -F f=\<tests/helpers/raw.|\<tests/helpers/raw.bash'
		'hcli -F f=tests/hel|'
		# -F and --boundary take the next word: a method may follow
		'hcli -F f=b PO|POST'
		'hcli --boundary x PO|POST'
	)
	# --color=WHEN values, when the completion file knows them
	if grep -q 'always' "$BASH_COMP" && grep -q -- '--color' "$BASH_COMP"; then
		rows+=('hcli --color=|always auto never' 'hcli --color=al|always' 'hcli http://x --color=n|never')
		# or as the next word; any other next word is a positional
		rows+=('hcli --color |always auto never' 'hcli --color n|never' 'hcli --color PO|POST'
			'hcli --color never PO|POST' 'hcli --color never http://x PO|')
	fi
	for row in "${rows[@]}"; do
		line=${row%%|*} want=${row#*|}
		run bash_complete "$line"
		assert_equal "[$line] status $status" "[$line] status 0"
		assert_equal "[$line] -> ${output//$'\n'/ }" "[$line] -> $want"
	done
}

@test "bash completion: -- offers exactly the long options of --help" {
	help_opts >"$T/help"
	bash_complete 'hcli --' | sed 's/=.*//' | LC_ALL=C sort -u >"$T/offered"
	assert_subset "$T/help" "$T/offered" "not offered after --"
	assert_subset "$T/offered" "$T/help" "offered after -- but not in --help"
}

# --- zsh completion at work -------------------------------------------------------------

# The command line after each LINE and a Tab, one a line, as an interactive
# zsh -f shows it: on a pseudo-terminal (zsh/zpty), compinit with completions/
# first on fpath, a key bound to print the buffer between << and >> and empty
# it. Keys are typed only at a prompt (ZLE> ): typed while the terminal is
# being set up they could be lost. Bounded by timeout.
zsh_complete() { # LINE...
	# shellcheck disable=SC2016 # zsh expands them
	HOME=$T timeout 60 zsh -f -c '
		zmodload zsh/zpty || exit 3
		comp=$1
		shift
		zpty z "PS1=\"ZLE> \" PROMPT_EOL_MARK= zsh -f -i" || exit 3
		zpty -r z out "*ZLE> " || exit 3
		zpty -w z "fpath=(${(q)comp} \$fpath); autoload -Uz compinit; compinit -u -D
			dump() { zle -I; print -rn -- \"<<\$BUFFER>>\"; BUFFER=; }
			zle -N dump; bindkey \"^X^D\" dump; print RE\"\"ADY"
		zpty -r z out "*READY*ZLE> " || exit 3
		keys=$(printf "\t\030\004") # Tab, then the key that prints the buffer
		for line; do
			zpty -w -n z "$line$keys"
			zpty -r z out "*<<*>>*ZLE> " || exit 3
			out=${out##*<<}
			print -r -- "${out%%>>*}"
		done
		zpty -d z
	' _ "$REPO_ROOT/completions" "$@"
}

@test "zsh completion: files after -d @, --data-urlencode [NAME]@, -F NAME=@ and NAME=<, and an item's @, =@, :=@, :@, ==@" {
	local row typed=() want=()
	# line typed | the line after Tab
	local rows=(
		'hcli --timeo|hcli --timeout='
		'hcli -X P|hcli -X P'
		'hcli -X PO|hcli -X POST '
		'hcli -d @tests/helpers/raw.|hcli -d @tests/helpers/raw.bash '
		'hcli -d@tests/helpers/raw.|hcli -d@tests/helpers/raw.bash '
		'hcli --data=@tests/hel|hcli --data=@tests/helpers/'
		'hcli -H @tests/helpers/raw.|hcli -H @tests/helpers/raw.bash '
		'hcli -w @tests/helpers/raw.|hcli -w @tests/helpers/raw.bash '
		'hcli --data-urlencode @tests/helpers/raw.|hcli --data-urlencode @tests/helpers/raw.bash '
		'hcli --data-urlencode n@tests/helpers/raw.|hcli --data-urlencode n@tests/helpers/raw.bash '
		'hcli --data-urlencode n=@tests/helpers/raw.|hcli --data-urlencode n=@tests/helpers/raw.'
		'hcli -F f=@tests/hel|hcli -F f=@tests/helpers/'
		'hcli -F f=@tests/helpers/raw.|hcli -F f=@tests/helpers/raw.bash '
		'hcli -Ff=@tests/helpers/raw.|hcli -Ff=@tests/helpers/raw.bash '
		'hcli --form-field=f=@tests/helpers/raw.|hcli --form-field=f=@tests/helpers/raw.bash '
		'hcli -F a:b=@tests/helpers/raw.|hcli -F a:b=@tests/helpers/raw.bash '
		"hcli -F 'f=<tests/helpers/raw.|hcli -F 'f=<tests/helpers/raw.bash' "
		'hcli -F f=\<tests/helpers/raw.|hcli -F f=\<tests/helpers/raw.bash '
		'hcli -F f=tests/hel|hcli -F f=tests/hel'
		'hcli -F f=b PO|hcli -F f=b POST '
		'hcli http://x @tests/helpers/raw.|hcli http://x @tests/helpers/raw.bash '
		'hcli http://x avatar@tests/helpers/raw.|hcli http://x avatar@tests/helpers/raw.bash '
		'hcli POST :8080 avatar@tests/hel|hcli POST :8080 avatar@tests/helpers/'
		'hcli http://x f=@tests/helpers/raw.|hcli http://x f=@tests/helpers/raw.bash '
		'hcli http://x f:=@tests/helpers/raw.|hcli http://x f:=@tests/helpers/raw.bash '
		'hcli http://x X-A:@tests/helpers/raw.|hcli http://x X-A:@tests/helpers/raw.bash '
		'hcli http://x q==@tests/helpers/raw.|hcli http://x q==@tests/helpers/raw.bash '
		# the item a\@b@FILE (field a@b, a file), typed a\\@b@FILE or in quotes
		'hcli http://x a\\@b@tests/helpers/raw.|hcli http://x a\\@b@tests/helpers/raw.bash '
		"hcli http://x 'a\\@b@tests/helpers/raw.|hcli http://x 'a\\@b@tests/helpers/raw.bash' "
		# typed a\@b is a@b to hcli: field a, file b@...
		'hcli http://x a\@b@tests/helpers/raw.|hcli http://x a\@b@tests/helpers/raw.'
		'hcli http://x a:b@tests/hel|hcli http://x a:b@tests/hel'
	)
	for row in "${rows[@]}"; do
		typed+=("${row%%|*}") want+=("${row#*|}")
	done
	run zsh_complete "${typed[@]}"
	assert_equal "status $status" "status 0"
	local i got=()
	mapfile -t got <<<"$output"
	for i in "${!typed[@]}"; do
		assert_equal "[${typed[i]}] -> ${got[i]-(nothing)}" "[${typed[i]}] -> ${want[i]}"
	done
}

# --- fish completion at work ------------------------------------------------------------

@test "fish completion: complete -C 'hcli --ti' offers --timeout" {
	run fish_complete 'hcli --ti'
	assert_success
	assert_line --regexp $'^--timeout(\t|$)'
	refute_line --regexp '^--tls-min'
	run fish_complete 'hcli --tls-min '
	assert_success
	assert_line --regexp $'^1\\.2(\t|$)'
	assert_line --regexp $'^1\\.3(\t|$)'
}

@test "fish completion: files after an item's @, =@ and :=@, not in the first positional" {
	local rows=(
		'hcli http://x avatar@tests/helpers/raw.|avatar@tests/helpers/raw.bash'
		'hcli POST :8080 avatar@tests/hel|avatar@tests/helpers/'
		'hcli http://x f=@tests/helpers/raw.|f=@tests/helpers/raw.bash'
		'hcli http://x f:=@tests/helpers/raw.|f:=@tests/helpers/raw.bash'
		'hcli http://x a:b@tests/hel|'
		'hcli user@tests/hel|'
	)
	fish_rows "${rows[@]}"
}

@test "fish completion: files after -F NAME=@ and NAME=< ('<' quoted or typed \\<)" {
	local rows=(
		'hcli -F f=@tests/hel|f=@tests/helpers/'
		'hcli -F f=@tests/helpers/raw.|f=@tests/helpers/raw.bash'
		'hcli http://x -F f=@tests/helpers/raw.|f=@tests/helpers/raw.bash'
		'hcli --form-field=f=@tests/helpers/raw.|--form-field=f=@tests/helpers/raw.bash'
		'hcli -Ff=@tests/helpers/raw.|-Ff=@tests/helpers/raw.bash'
		"hcli -F 'f=<tests/helpers/raw.|f=<tests/helpers/raw.bash"
		'hcli -F "f=<tests/hel|f=<tests/helpers/'
		'hcli -F f=\<tests/helpers/raw.|f=<tests/helpers/raw.bash'
		'hcli -F f=tests/hel|'
	)
	fish_rows "${rows[@]}"
}

@test "fish completion: --color WHEN as the next word; a method after it" {
	run fish_complete 'hcli --color '
	assert_success
	assert_line --regexp $'^never(\t|$)'
	assert_line --regexp $'^POST(\t|$)'
	run fish_complete 'hcli --color never '
	assert_success
	assert_line --regexp $'^POST(\t|$)'
	refute_line --regexp '^never'
}

@test "the engine names no command-line option in its messages: src/http/ strings hold no --name or -x" {
	# string literals of src/http/*.c that hold a long option, or a short one
	# standing alone ("-k", "(-4)"); PEM markers and C expressions do not match
	run grep -nE '"[^"]*(--[a-z][a-z0-9-]+|(^|[ (])-[a-zA-Z46]([ ),;:]|$))[^"]*"' src/http/*.c
	[[ $status -eq 1 ]] || fail "option names in engine strings:"$'\n'"$output"
	# and the command line has the one table of hints
	run grep -c 'raise --max-headers' src/cli/hint.c
	assert_output 1
}

@test "one helper per job (STYLE 11): one escaper, one comma-list tokenizer, one IP-literal check, one TLS verify step" {
	# the one escaper for a terminal is out_vis (strnvisx); no other code writes \xNN or \ooo
	run grep -lE 'strn?visx?\(' src/cli/*.c src/http/*.c
	assert_output src/cli/output.c
	run grep -nE '"[^"]*\\\\(x%0?2x|%03o)[^"]*"' src/cli/*.c src/http/*.c
	[[ $status -eq 1 ]] || fail "another escaper:"$'\n'"$output"
	# HTTP's comma lists (RFC 9110 §5.6.1) go through hdr_list_next alone
	run grep -lE "strcspn\([^)]*\",\"\)|strchr\([^)]*','\)" src/http/*.c src/cli/policy.c
	assert_output src/http/headers.c
	# the engine tells an IP literal by url_is_ip_literal alone (tls.c and conn.c had copies)
	run grep -l 'inet_pton' src/http/*.c
	assert_output src/http/url.c
	# every trust source and the pin are checked in the handshake's one verify step
	run grep -c 'gnutls_session_set_verify_function)(' src/http/tls.c
	assert_output 1
	run grep -c 'gnutls_certificate_verify_peers' src/http/tls.c
	assert_output 0
}
