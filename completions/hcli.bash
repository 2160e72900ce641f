# bash completion for hcli(1)                              -*- shell-script -*-
# Installed as share/bash-completion/completions/hcli.

# Every option of hcli --help; keep in step with src/cli/args.c.
_hcli_long_opts='--request --data --data-urlencode --json --form --multipart --get --header --user-agent --cookie
--cookie-jar --junk-session-cookies --session --session-read-only
--print --include --body --output --remote-name --remote-header-name --output-dir --create-dirs
--no-clobber --continue-at --remote-time --time-cond --etag-save --etag-compare --verbose --silent
--fail --fail-with-body --fail-early --parallel --parallel-max --connect-timeout --timeout --max-time
--source-address --blocksize --max-headers --ipv4 --ipv6 --resolve --unix-socket
--http1.0 --http1.1 --http2 --http2-prior-knowledge --chunked --form-field --boundary --expect100 --expect100-timeout -F --form-field --boundary --cacert --capath --insecure
--cert --key --tls-min --priority --pinnedpubkey --proxy --proxy-header --noproxy
--location --max-redirs --user --auth --auth-type --basic --digest --oauth2-bearer
--netrc --netrc-file --retry --retry-delay
--retry-max-time --write-out --compressed --color --pretty --format-options --config --disable
--help --version'
_hcli_short_opts='-X -d -j -G -H -A -b -c -F -p -i -o -O -J -C -R -z -v -s -f -Z -m -4 -6 -k -x -L -u -a -w -K -q -h -V'
# Options that take an argument in the next word.
_hcli_arg_opts='-X --request -d --data --data-urlencode -H --header -A --user-agent
-b --cookie -c --cookie-jar --session --session-read-only -p --print -o --output --output-dir -C --continue-at -z --time-cond --etag-save
--etag-compare --parallel-max --connect-timeout --timeout
-m --max-time --source-address --blocksize --max-headers --resolve --unix-socket
-F --form-field --boundary --expect100-timeout --cacert --capath --cert --key --tls-min --priority --pinnedpubkey
-x --proxy --proxy-header --noproxy --max-redirs -u --user -a --auth --auth-type --oauth2-bearer
--netrc-file --retry
--retry-delay --retry-max-time -w --write-out --pretty --format-options -K --config'
# --color's value: in the same word (--color=WHEN), or the next word when it is one of these.
_hcli_color_values='auto always never'
_hcli_methods='GET HEAD POST PUT PATCH DELETE OPTIONS TRACE'

# Files and directories after a leading '@' (items @PATH, -d @PATH, -H @FILE and -w @FILE).
_hcli_at_files()
{
	local IFS=$'\n' f
	local -a found
	found=($(compgen -f -- "${1#@}"))
	COMPREPLY=()
	for f in "${found[@]}"; do
		if [[ -d $f ]]; then
			COMPREPLY+=("@$f/")
		else
			COMPREPLY+=("@$f")
		fi
	done
	# let a directory be completed further without a space after it
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
}

# Items whose first separator ends with '@' (field@FILE, field=@FILE, field:=@FILE,
# Name:@FILE, name==@FILE): files after it. ITEM is the whole word typed so far.
_hcli_item_files()
{
	local item=$1 re='^(([^\\:=@;]|\\.)*)(:=@|==@|=@|:@|@)(.*)$' lead i
	[[ $item != -* && $item =~ $re ]] || return 1
	lead=${BASH_REMATCH[1]}${BASH_REMATCH[3]}
	_hcli_at_files "@${BASH_REMATCH[4]}"
	COMPREPLY=("${COMPREPLY[@]/#@/$lead}")
	# readline replaces the word after its last break character ('=' and ':' here)
	for ((i = ${#item} - 1; i >= 0; i--)); do
		[[ $COMP_WORDBREAKS == *"${item:i:1}"* ]] && break
	done
	lead=${item:0:i+1}
	COMPREPLY=("${COMPREPLY[@]#"$lead"}")
}

# -F's NAME=@FILE and NAME=<FILE (the '<' typed \< or in quotes): files after the '@' or
# '<'. WORD is -F's argument as typed.
_hcli_form_files()
{
	local word=$1 re='^(["'\'']?[^=]*=(@|\\?<))(.*)$' lead i
	[[ $word =~ $re ]] || return 1
	lead=${BASH_REMATCH[1]}
	_hcli_at_files "@${BASH_REMATCH[3]}"
	COMPREPLY=("${COMPREPLY[@]/#@/$lead}")
	# readline replaces what follows an opening quote, or else its last break character
	# that no backslash escapes ('=' in f=@FILE and f=\<FILE)
	if [[ $word == [\"\']* ]]; then
		i=0
	else
		for ((i = ${#word} - 1; i > 0; i--)); do
			[[ $COMP_WORDBREAKS == *"${word:i:1}"* && ${word:i-1:1} != \\ ]] && break
		done
		[[ $COMP_WORDBREAKS == *"${word:i:1}"* ]] || i=-1
	fi
	COMPREPLY=("${COMPREPLY[@]#"${word:0:i+1}"}")
}

_hcli()
{
	local cur prev words cword split=false
	if declare -F _init_completion >/dev/null 2>&1; then
		# keep URLs, Name:Value items and --resolve HOST:PORT:ADDR in one word
		_init_completion -s -n : || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		# '=' is a word of its own here: --color=al is "--color" "=" "al"
		if [[ $cur == = && $prev == --* ]]; then
			cur= split=true
		elif [[ $prev == = && $cword -ge 2 && ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
			prev=${COMP_WORDS[COMP_CWORD - 2]} split=true
		fi
	fi

	case $prev in
	-X | --request)
		COMPREPLY=($(compgen -W "$_hcli_methods" -- "$cur"))
		return
		;;
	--auth-type)
		COMPREPLY=($(compgen -W "basic digest bearer" -- "$cur"))
		return
		;;
	-o | --output | -c | --cookie-jar | --session | --session-read-only | --unix-socket | --cacert | --cert | --key | --netrc-file | -z | --time-cond | \
		--etag-save | --etag-compare | -K | --config)
		local IFS=$'\n'
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--capath | --output-dir)
		local IFS=$'\n'
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--tls-min)
		COMPREPLY=($(compgen -W '1.2 1.3' -- "$cur"))
		return
		;;
	-C | --continue-at)
		COMPREPLY=($(compgen -W '-' -- "$cur"))
		return
		;;
	-d | --data | -H | --header)
		[[ $cur == @* ]] && _hcli_at_files "$cur"
		declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
		return
		;;
	-F | --form-field)
		# NAME=@FILE, NAME=<FILE: files; any other value is the user's
		_hcli_form_files "$cur"
		return
		;;
	-p | --print)
		COMPREPLY=($(compgen -W 'b h hb H Hhb HBhb' -- "$cur"))
		return
		;;
	-w | --write-out)
		# a format string is the user's; offer files after '@' (@FILE)
		[[ $cur == @* ]] && _hcli_at_files "$cur"
		declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
		return
		;;
	--pretty)
		COMPREPLY=($(compgen -W 'all colors format none' -- "$cur"))
		return
		;;
	--format-options)
		# KEY:VALUE pairs, comma-separated: offer the keys after the last comma
		local done_=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$done_" -W 'json.indent: json.sort_keys:true json.sort_keys:false' -- "${cur##*,}"))
		compopt -o nospace 2>/dev/null
		declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
		return
		;;
	--color)
		# --color=WHEN, or WHEN as the next word; any other next word is a positional
		COMPREPLY=($(compgen -W "$_hcli_color_values" -- "$cur"))
		if $split || ((${#COMPREPLY[@]})); then
			return
		fi
		;;
	-x | --proxy)
		# offer the scheme (before any colon); host and port are the user's
		if [[ $cur != *:* && http:// == "$cur"* ]]; then
			COMPREPLY=(http://)
			compopt -o nospace 2>/dev/null
		fi
		return
		;;
	--data-urlencode)
		# [NAME]@FILE: files after the '@'; any other value is the user's text
		if [[ $cur == *@* && $cur != *=* ]]; then
			local name=${cur%%@*}
			_hcli_at_files "@${cur#*@}"
			COMPREPLY=("${COMPREPLY[@]/#/$name}")
		fi
		declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
		return
		;;
	--connect-timeout | --timeout | -m | --max-time | --source-address | --blocksize | \
		--max-headers | --resolve | --expect100-timeout | --priority | --pinnedpubkey | \
		--proxy-header | --noproxy | --max-redirs | -u | --user | --retry | --retry-delay | \
		--parallel-max | \
		--retry-max-time | -A | --user-agent)
		return # a number, an address or a string: nothing to offer
		;;
	-b | --cookie)
		# NAME=VALUE data is the user's; any other word is a cookie file
		[[ $cur == *=* ]] || COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	$split && return

	if [[ $cur == -F?* ]]; then
		_hcli_form_files "${cur#-F}" # -FNAME=@FILE
		return
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_hcli_long_opts $_hcli_short_opts" -- "$cur"))
		return
	fi

	# Count the positional words before the one being completed.
	local i w npos=0 dashdash=false skip=false
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if $skip; then
			skip=false
		elif ! $dashdash && [[ $w == = ]]; then
			skip=true # the value after an option and "=", split off (no bash-completion)
		elif $dashdash || [[ $w == - || $w != -* ]]; then
			((npos++))
		elif [[ $w == -- ]]; then
			dashdash=true
		elif [[ " ${_hcli_arg_opts//$'\n'/ } " == *" $w "* ]]; then
			skip=true
		elif [[ $w == --color && " $_hcli_color_values " == *" ${words[i + 1]} "* ]] &&
			((i + 1 < cword)); then
			skip=true # --color WHEN
		fi
	done

	# the whole word, '=' and ':' included, for field=@FILE and its kin
	local item=${COMP_LINE:0:COMP_POINT}
	item=${item##*[[:space:]]}
	if ((npos >= 1)) && [[ $item != @* ]] && _hcli_item_files "$item"; then
		return
	elif [[ $cur == @* ]]; then
		_hcli_at_files "$cur"
		declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
	elif ((npos == 0)); then
		COMPREPLY=($(compgen -W "$_hcli_methods" -- "$cur"))
	fi
} &&
	complete -F _hcli hcli

# ex: filetype=sh
