#!/usr/bin/env bats
# make install / make uninstall with DESTDIR and PREFIX: the binary, the man
# page and the three completion files, each where its tool looks for it.

load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	DEST=$T/root
}

# installed path (under DESTDIR) | file of the source tree | mode
INSTALLED=(
	'/usr/local/bin/hcli|hcli|755'
	'/usr/local/share/man/man1/hcli.1|man/hcli.1|644'
	'/usr/local/share/bash-completion/completions/hcli|completions/hcli.bash|644'
	'/usr/local/share/zsh/site-functions/_hcli|completions/_hcli|644'
	'/usr/local/share/fish/vendor_completions.d/hcli.fish|completions/hcli.fish|644'
)

make_in_repo() {
	# the build is done already; make rebuilds only when a source is newer
	make -s -C "$REPO_ROOT" "$@"
}

@test "make install DESTDIR PREFIX=/usr/local: every file in place, with its mode and content" {
	local row path src mode
	run make_in_repo install DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	for row in "${INSTALLED[@]}"; do
		IFS='|' read -r path src mode <<<"$row"
		[[ -f $DEST$path ]] || fail "$path not installed; installed: $(cd "$DEST" && find . -type f)"
		assert_equal "$path mode $(stat -c %a "$DEST$path")" "$path mode $mode"
		cmp -s "$REPO_ROOT/$src" "$DEST$path" || fail "$path differs from $src"
	done
	# nothing else: five files
	run find "$DEST" -type f
	assert_equal "${#lines[@]}" "${#INSTALLED[@]}"
}

@test "the installed binary runs: --version" {
	run make_in_repo install DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	run "$DEST/usr/local/bin/hcli" --version
	assert_success
	assert_output "$("$REPO_ROOT/hcli" --version)"
	assert_output --regexp '^hcli [0-9]+\.[0-9]+\.[0-9]+'
}

@test "another PREFIX: the same layout under it" {
	local row path
	run make_in_repo install DESTDIR="$DEST" PREFIX=/opt/hcli
	assert_success
	for row in "${INSTALLED[@]}"; do
		path=${row%%|*}
		path=/opt/hcli${path#/usr/local}
		[[ -f $DEST$path ]] || fail "$path not installed; installed: $(cd "$DEST" && find . -type f)"
	done
	[[ ! -e $DEST/usr ]] || fail "files outside PREFIX: $(cd "$DEST" && find ./usr)"
}

@test "make uninstall removes every installed file, and only those" {
	local row path
	run make_in_repo install DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	# a file of someone else's next to ours stays
	printf 'other\n' >"$DEST/usr/local/bin/other-tool"
	run make_in_repo uninstall DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
	for row in "${INSTALLED[@]}"; do
		path=${row%%|*}
		[[ ! -e $DEST$path ]] || fail "$path still there after make uninstall"
	done
	[[ -f $DEST/usr/local/bin/other-tool ]] || fail "make uninstall removed another file"
	run find "$DEST" -type f
	assert_output "$DEST/usr/local/bin/other-tool"
	# uninstalling again is harmless
	run make_in_repo uninstall DESTDIR="$DEST" PREFIX=/usr/local
	assert_success
}
