# fish completion for hcli(1); installed as share/fish/vendor_completions.d/hcli.fish.
# Every option of hcli --help; keep in step with src/cli/args.c.

set -l hcli_methods GET HEAD POST PUT PATCH DELETE OPTIONS TRACE

# True while no positional word (method or URL) has been typed yet.
function __fish_hcli_first_positional
    set -l skip 0
    set -l dashdash 0
    set -l color 0
    for t in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        # --color WHEN: the next word is its value when it is one of these
        if test $color -eq 1
            set color 0
            contains -- $t auto always never; and continue
        end
        if test $dashdash -eq 1
            return 1
        end
        switch $t
            case --
                set dashdash 1
            case --color
                set color 1
            case -X --request -d --data --data-urlencode -H --header -A --user-agent \
                -b --cookie -c --cookie-jar --session --session-read-only -p --print -o --output --output-dir -C --continue-at -z --time-cond \
                --etag-save --etag-compare -m --max-time --parallel-max \
                --connect-timeout --timeout --source-address --blocksize --max-headers \
                --resolve --unix-socket --expect100-timeout -F --form-field --boundary --cacert --capath --cert --key \
                --tls-min --priority --pinnedpubkey -x --proxy --proxy-header --noproxy \
                --max-redirs -u --user -a --auth --auth-type --oauth2-bearer \
                --netrc-file --retry --retry-delay --retry-max-time \
                -w --write-out --pretty --format-options -K --config
                set skip 1
            case -
                return 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# True when the word before the cursor is --color.
function __fish_hcli_after_color
    test (commandline -opc)[-1] = --color
end

# True when -X or --request was given.
function __fish_hcli_has_method_option
    for t in (commandline -opc)[2..-1]
        switch $t
            case -X --request '-X?*' '--request=*'
                return 0
        end
    end
    return 1
end

function __fish_hcli_token_is_at
    string match -q -- '@*' (commandline -ct)
end

# Files after a leading '@' (items @PATH, -d @PATH, -H @FILE and -w @FILE).
function __fish_hcli_at_files
    set -l tok (string replace -r -- '^--(data|header|write-out)=' '' (commandline -ct))
    string match -q -- '@*' $tok; or return
    set -l path (string sub -s 2 -- $tok)
    for f in $path*
        if test -d $f
            printf '@%s/\n' $f
        else
            printf '@%s\n' $f
        end
    end
end

# Items whose first separator ends with '@' (field@FILE, field=@FILE, field:=@FILE,
# Name:@FILE, name==@FILE), after the first positional: files after it.
# The files and directories whose names start with PARTIAL, each after PREFIX.
function __fish_hcli_files_after -a prefix partial
    for f in $partial*
        if test -d $f
            printf '%s%s/\n' $prefix $f
        else
            printf '%s%s\n' $prefix $f
        end
    end
end

function __fish_hcli_item_files
    __fish_hcli_first_positional; and return
    set -l tok (commandline -ct)
    string match -q -- '-*' $tok; and return
    set -l m (string match -r -- '^((?:[^\\\\:=@;]|\\\\.)*(?::=@|==@|=@|:@|@))(.*)$' $tok); or return
    __fish_hcli_files_after $m[2] $m[3]
end

# -F's NAME=@FILE and NAME=<FILE (the '<' quoted or typed \<): files after the '@' or '<'.
function __fish_hcli_form_files
    set -l tok (string replace -r -- '^(--form-field=|-F)' '' (commandline -ct))
    # the argument as hcli gets it, without the shell's quotes and backslashes
    set -l m (string match -r -- '^([^=]*=[@<])(.*)$' (string unescape -- $tok)); or return
    __fish_hcli_files_after $m[2] $m[3]
end

# Nothing is completed as a file unless asked for below.
complete -c hcli -f

complete -c hcli -s X -l request -x -a "$hcli_methods" -d 'request method (default GET, or POST with a body)'
complete -c hcli -s d -l data -x -a '(__fish_hcli_at_files)' -d 'request body: a string, @FILE, or @- for standard input; several are joined with &'
complete -c hcli -l data-urlencode -x -d "data percent-encoded, as curl's: TEXT, =TEXT, NAME=TEXT, @FILE or NAME@FILE"
complete -c hcli -s j -l json -d "JSON: data fields as a JSON body (the default), JSON Content-Type and Accept; --json=DATA sends DATA"
complete -c hcli -l form -d "data fields as a form (application/x-www-form-urlencoded)"
complete -c hcli -l multipart -d "data fields as multipart/form-data, even without file fields"
complete -c hcli -s G -l get -d "send the -d and --data-urlencode data in the URL's query, with GET"
complete -c hcli -s H -l header -x -a '(__fish_hcli_at_files)' -d 'send this header, as the Name:Value item (also Name:, Name; and @FILE)'
complete -c hcli -s A -l user-agent -x -d 'the User-Agent header ("" sends none)'
complete -c hcli -s b -l cookie -r -F -d "send cookies 'NAME=VALUE[; ...]', or load a cookie file (Netscape format or Set-Cookie: lines)"
complete -c hcli -s c -l cookie-jar -r -F -d "write every cookie to FILE at the end (curl's format; - for standard output)"
complete -c hcli -l junk-session-cookies -d 'drop the session cookies read from -b files'
complete -c hcli -l session -r -F -d "keep headers, credentials and cookies in a session file (HTTPie's), read before and updated after"
complete -c hcli -l session-read-only -r -F -d 'use a session file without updating it'
complete -c hcli -s p -l print -x -a 'b h hb H Hhb HBhb' -d 'what to print: H request head, B request body, h response head, b response body'
complete -c hcli -s i -l include -d 'print the response head and body (-p hb)'
complete -c hcli -l body -d 'print the response body only (-p b)'
complete -c hcli -s o -l output -r -F -d 'write the body to FILE (the first -o or -O is the first URL\'s, and so on)'
complete -c hcli -s O -l remote-name -d 'write the body to a file named as the URL\'s last path segment'
complete -c hcli -s J -l remote-header-name -d 'with -O, the file name from Content-Disposition if it gives one'
complete -c hcli -l output-dir -x -a '(__fish_complete_directories)' -d 'the directory for -O files and relative -o names'
complete -c hcli -l create-dirs -d 'create missing directories for -o, -O and --output-dir'
complete -c hcli -l no-clobber -d 'never replace a file: save as NAME.1, NAME.2 ... instead'
complete -c hcli -s C -l continue-at -x -a '-' -d 'resume from byte OFFSET, or - where NAME.part (or NAME) ends'
complete -c hcli -s R -l remote-time -d 'give the file the time of the response\'s Last-Modified'
complete -c hcli -s z -l time-cond -r -F -d 'only if changed since DATE or FILE\'s time (-DATE: only if not)'
complete -c hcli -l etag-save -r -F -d 'save the response\'s ETag in FILE'
complete -c hcli -l etag-compare -r -F -d 'only if the ETag differs from the one in FILE (If-None-Match)'
complete -c hcli -s v -l verbose -d 'trace connection events and heads on standard error'
complete -c hcli -s s -l silent -d 'no progress and no warnings'
complete -c hcli -s f -l fail -d 'exit 22 on an HTTP status of 400 or more, body not printed'
complete -c hcli -l fail-with-body -d 'exit 22 on an HTTP status of 400 or more, body printed'
complete -c hcli -l fail-early -d 'with several URLs, stop at the first that fails'
complete -c hcli -s Z -l parallel -d 'run the URLs at once (standard output still in URL order)'
complete -c hcli -l parallel-max -x -d 'with -Z, transfers at once (1-300, default 50)'
complete -c hcli -l connect-timeout -x -d 'seconds allowed for connecting (default 300)'
complete -c hcli -l timeout -x -d 'seconds allowed for each blocking operation'
complete -c hcli -s m -l max-time -x -d 'seconds allowed for the whole transfer of each URL'
complete -c hcli -l source-address -x -d 'local address (and port) to connect from'
complete -c hcli -l blocksize -x -d 'bytes per read of a streamed request body (default 65536)'
complete -c hcli -l max-headers -x -d 'response header fields accepted (default 100)'
complete -c hcli -s 4 -l ipv4 -d 'connect over IPv4 only'
complete -c hcli -s 6 -l ipv6 -d 'connect over IPv6 only'
complete -c hcli -l resolve -x -d 'use ADDR for HOST:PORT instead of resolving it'
complete -c hcli -l unix-socket -r -F -d 'connect to this Unix domain socket'
complete -c hcli -l http1.0 -d 'send HTTP/1.0 requests'
complete -c hcli -l http1.1 -d 'speak HTTP/1.1 only (https offers no h2)'
complete -c hcli -l http2 -d 'prefer HTTP/2: h2 by ALPN on https, prior knowledge on http'
complete -c hcli -l http2-prior-knowledge -d 'speak HTTP/2 on http:// without asking (h2c)'
complete -c hcli -l chunked -d 'send the body with chunked framing'
complete -c hcli -s F -l form-field -x -a '(__fish_hcli_form_files)' -d 'multipart form part: NAME=VALUE, NAME=@FILE[;type=MIME][;filename=NAME] or NAME=<FILE'
complete -c hcli -l boundary -x -d 'the multipart boundary (RFC 2046: 1-70 characters)'
complete -c hcli -l expect100 -d 'send Expect: 100-continue and wait before the body'
complete -c hcli -l expect100-timeout -x -d 'seconds to wait for 100 Continue (default 1)'
complete -c hcli -l cacert -r -F -d "trust the CA certificates in FILE (PEM) instead of the system's"
complete -c hcli -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d "trust the CA certificates in DIR instead of the system's"
complete -c hcli -s k -l insecure -d "do not verify the server's certificate or name (warns)"
complete -c hcli -l cert -r -F -d 'client certificate (PEM; may hold the key too)'
complete -c hcli -l key -r -F -d 'client private key (PEM); asks for a passphrase on a terminal'
complete -c hcli -l tls-min -x -a '1.2 1.3' -d 'lowest TLS version: 1.2 (default) or 1.3'
complete -c hcli -l priority -x -d 'GnuTLS priority string for ciphers and groups'
complete -c hcli -l pinnedpubkey -x -d 'accept only these server public keys (sha256//BASE64[;...])'
complete -c hcli -s x -l proxy -x -d 'use this HTTP proxy ("" ignores the environment)'
complete -c hcli -l proxy-header -x -d "send this header to the proxy with CONNECT ('Name: value')"
complete -c hcli -l noproxy -x -d 'hosts reached without a proxy (as no_proxy)'
complete -c hcli -s L -l location -d 'follow redirects'
complete -c hcli -l max-redirs -x -d 'redirects followed at most (default 50)'
complete -c hcli -s u -l user -x -d 'credentials USER[:PASS], Basic unless --digest; asks for PASS on a terminal'
complete -c hcli -s a -l auth -x -d "credentials for --auth-type (HTTPie's): USER[:PASS] or TOKEN"
complete -c hcli -l auth-type -x -a 'basic digest bearer' -d 'how -u or -a credentials are sent'
complete -c hcli -l basic -d 'send -u credentials by Basic authentication (the default)'
complete -c hcli -l digest -d 'send -u credentials by Digest authentication (RFC 7616) when asked'
complete -c hcli -l oauth2-bearer -x -d 'send Authorization: Bearer TOKEN'
complete -c hcli -l netrc -d 'credentials from $NETRC or ~/.netrc'
complete -c hcli -l netrc-file -r -F -d 'credentials from this netrc file'
complete -c hcli -l retry -x -d 'retry transient failures up to N times'
complete -c hcli -l retry-delay -x -d 'seconds between retries (default: 1, doubling)'
complete -c hcli -l retry-max-time -x -d 'no retry after S seconds since the first try'
complete -c hcli -s w -l write-out -x -a '(__fish_hcli_at_files)' -d 'after each transfer print FORMAT: %{http_code}, %{json}, ... or @FILE'
complete -c hcli -l compressed -d 'ask for gzip, deflate, br or zstd and decode it'
complete -c hcli -s K -l config -r -F -d "read options from FILE, in curl's config syntax"
complete -c hcli -s q -l disable -d 'as the first argument: do not read the default config file'
# --color=WHEN, or WHEN as the next word (any other next word is a positional)
complete -c hcli -l color -a 'auto always never' -d 'colour: auto (terminals, default), always or never'
complete -c hcli -n '__fish_hcli_after_color' -f -a 'auto always never' -d 'when to colour'
complete -c hcli -l pretty -x -a 'all colors format none' -d 'all (terminals, default), colors, format (indent JSON) or none'
complete -c hcli -l format-options -x -a 'json.indent:2 json.indent:4 json.sort_keys:true json.sort_keys:false' -d 'json.indent:N (default 4), json.sort_keys:true|false'
complete -c hcli -s h -l help -d 'show this help and exit'
complete -c hcli -s V -l version -d 'show the version and exit'

# The first word may be a method (unless -X gave one).
complete -c hcli -n '__fish_hcli_first_positional; and not __fish_hcli_has_method_option' -a "$hcli_methods" -d method
# @PATH items, and -d @PATH.
complete -c hcli -n __fish_hcli_token_is_at -a '(__fish_hcli_at_files)' -d file
# field@FILE, field=@FILE, field:=@FILE items.
complete -c hcli -n 'not __fish_hcli_token_is_at' -a '(__fish_hcli_item_files)' -d file
