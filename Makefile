# hcli — see README.md. `make deps` installs what the build and the tests need.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
PKG_CONFIG ?= pkg-config
# No unwind tables (.eh_frame): C needs none to run, gdb reads -g's .debug_frame instead, and
# without their 32 KiB the read-only data after the code is half as large, which a tiny HTTPS
# GET maps whole (about 50 KiB less at its peak). The sanitizer build sets CFLAGS and keeps
# them, for its error reports' stacks.
CFLAGS ?= -O2 -g -fno-asynchronous-unwind-tables
WARN = -Wall -Wextra -Wformat=2 -Wno-format-nonliteral -Wstrict-prototypes -Wmissing-prototypes
# libbsd and libmd (Digest hashes) are linked statically: only the functions hcli calls come
# in, and a run maps no shared library but libc (ld.so need not load, relocate and fault in
# two more; a tiny HTTPS GET peaks about 60 KiB lower). --exclude-libs keeps their functions
# out of hcli's dynamic symbols: the libraries dlopen(3) loads later (p11-kit's reallocarray)
# still bind to libc's own, not to libbsd's copies in hcli.
# libidn2, GnuTLS, zlib, brotli, zstd, json-c, libpsl and libnghttp2 are loaded with dlopen(3) when a URL
# or an item needs them: only their headers here, so a plain request pays nothing for them.
PKGS = libmd libbsd
HDR_PKGS = libidn2 gnutls zlib libbrotlidec libzstd json-c libpsl libnghttp2
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(HDR_PKGS) 2>/dev/null)
PKG_LIBS := -Wl,--exclude-libs,libbsd.a:libmd.a \
	-Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs $(PKGS) 2>/dev/null) -Wl,-Bdynamic
# Each function in its own section, so that the link can put the ones an ordinary request runs
# (src/hot.ld, made by bench/hotlist) together before the rest of .text: a run touches half as
# many pages of hcli's code.
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(PKG_CFLAGS) -ffunction-sections $(CFLAGS)
HOT_LD = src/hot.ld
LDLIBS = $(PKG_LIBS) -ldl -lm
# pack-relative-relocs (DT_RELR, glibc 2.36): the relative relocations take a few hundred
# bytes instead of 14 KiB that ld.so reads at every start
LDFLAGS ?= -Wl,-O1 -Wl,--as-needed -Wl,-z,relro -Wl,-z,pack-relative-relocs

BUILD ?= build
SHELL := /bin/bash
ENGINE_SRC = $(wildcard src/http/*.c)
CLI_SRC = $(wildcard src/cli/*.c)
HEADERS = $(wildcard src/http/*.h src/cli/*.h)
ENGINE_OBJ = $(ENGINE_SRC:src/%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

DEBIAN_PKGS = build-essential pkg-config libbsd-dev libmd-dev libidn2-dev libgnutls28-dev \
	zlib1g-dev libbrotli-dev libzstd-dev libjson-c-dev bats bats-support bats-assert python3 \
	nginx-light tinyproxy gnutls-bin clang libclang-rt-14-dev mandoc curl \
	zstd brotli gzip bash-completion zsh fish tmux util-linux strace httpie \
	libpsl-dev libnghttp2-dev apache2 nghttp2-server python3-h2 time
# What only make bench uses, beyond DEBIAN_PKGS (make bench-deps): nghttp2-client for h2load
BENCH_PKGS = hyperfine wrk time nghttp2-client

.PHONY: all check unit sanitize fuzz bench deps bench-deps install uninstall clean format

all: hcli

hcli: $(BUILD)/hcli
	cp $< $@

$(BUILD)/hcli: $(CLI_OBJ) $(BUILD)/libhc.a $(HOT_LD)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,-T,$(HOT_LD) -o $@ $(CLI_OBJ) $(BUILD)/libhc.a $(LDLIBS)

$(BUILD)/libhc.a: $(ENGINE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libhc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/http $(LDFLAGS) -o $@ $< $(BUILD)/libhc.a $(LDLIBS)

# The h2 tables and the streams test record bodies with one sink (recsink.h).
$(BUILD)/unit/test_h2 $(BUILD)/unit/test_h2streams: tests/unit/recsink.h

# The loop's TLS cases run a GnuTLS server in the test itself (the engine still dlopens it).
$(BUILD)/unit/test_loop: LDLIBS += $(shell $(PKG_CONFIG) --libs gnutls 2>/dev/null)

# Several streams at once run against an HTTP/2 server session of nghttp2's in the test itself.
$(BUILD)/unit/test_h2streams: LDLIBS += $(shell $(PKG_CONFIG) --libs libnghttp2 2>/dev/null)

# The item grammar is command-line code: its test links it beside the engine.
$(BUILD)/unit/test_items: tests/unit/test_items.c tests/unit/unit.h $(BUILD)/cli/items.o \
		$(BUILD)/libhc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/http -Isrc/cli $(LDFLAGS) -o $@ $< $(BUILD)/cli/items.o \
		$(BUILD)/libhc.a $(LDLIBS)

# The cookie-file reader and writer are command-line code: its test links them beside the engine.
$(BUILD)/unit/test_jar: tests/unit/test_jar.c tests/unit/unit.h $(BUILD)/cli/jar.o $(BUILD)/libhc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/http -Isrc/cli $(LDFLAGS) -o $@ $< $(BUILD)/cli/jar.o \
		$(BUILD)/libhc.a $(LDLIBS)

# Config lines are command-line code too: their test links config.o alone.
$(BUILD)/unit/test_config: tests/unit/test_config.c tests/unit/unit.h $(BUILD)/cli/config.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli $(LDFLAGS) -o $@ $< $(BUILD)/cli/config.o $(LDLIBS)

# The JSON formatter lives in src/cli/ but stands alone: its test links its object only.
$(BUILD)/unit/test_pretty: tests/unit/test_pretty.c tests/unit/pretty_cases.h tests/unit/unit.h \
		tests/unit/json_strip.h $(BUILD)/cli/pretty.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/cli/pretty.o $(LDLIBS)

# The download name parser stands alone too: its test links its object only.
$(BUILD)/unit/test_disposition: tests/unit/test_disposition.c tests/unit/unit.h \
		$(BUILD)/cli/disposition.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli $(LDFLAGS) -o $@ $< $(BUILD)/cli/disposition.o $(LDLIBS)

# The hold for -Z is tested through the real output code (heads, bodies, -w) and the progress line.
HOLD_OBJ = $(addprefix $(BUILD)/cli/,hold.o output.o pretty.o writeout.o progress.o)
$(BUILD)/unit/test_hold: tests/unit/test_hold.c tests/unit/unit.h $(HOLD_OBJ) $(BUILD)/libhc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/http -Isrc/cli $(LDFLAGS) -o $@ $< $(HOLD_OBJ) $(BUILD)/libhc.a \
		$(LDLIBS)

# tests/h2.bats drives several transfers at once on one h2 connection with it.
$(BUILD)/unit/h2drive: tests/unit/h2drive.c $(BUILD)/libhc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/http $(LDFLAGS) -o $@ $< $(BUILD)/libhc.a $(LDLIBS)

unit: $(UNIT_BIN) $(BUILD)/unit/h2drive

# The README's test command: unit tests, then every bats file, one summary line.
check: hcli unit
	UNIT_DIR=$(BUILD)/unit ./tests/run

# The whole suite again on an ASan+UBSan build.
sanitize:
	$(MAKE) BUILD=build/san CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" build/san/hcli unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		HCLI=$(CURDIR)/build/san/hcli UNIT_DIR=build/san/unit ./tests/run

FUZZ_SECONDS ?= 60
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null)
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" LDFLAGS= build/fuzz/libhc.a \
		build/fuzz/cli/items.o build/fuzz/cli/pretty.o build/fuzz/cli/disposition.o \
		build/fuzz/cli/jar.o build/fuzz/cli/config.o
	@for t in $(FUZZ_TARGETS); do \
		extra=; [ $$t != fuzz_items ] || extra="build/fuzz/cli/items.o $(JSONC_LIBS)"; \
		[ $$t != fuzz_pretty ] || extra=build/fuzz/cli/pretty.o; \
		[ $$t != fuzz_disposition ] || extra=build/fuzz/cli/disposition.o; \
		[ $$t != fuzz_jar ] || extra=build/fuzz/cli/jar.o; \
		[ $$t != fuzz_config ] || extra=build/fuzz/cli/config.o; \
		clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Isrc/http -Isrc/cli \
			$(PKG_CFLAGS) -o build/fuzz/$$t tests/fuzz/$$t.c $$extra build/fuzz/libhc.a \
			$(LDLIBS) || exit 1; \
		mkdir -p build/fuzz/corpus-$$t; \
		ml=$$(sed -n 's/^ \* max_len: *\([0-9]*\).*/\1/p' tests/fuzz/$$t.c); \
		echo "== $$t for $(FUZZ_SECONDS) s, inputs up to $${ml:-4096} bytes"; \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$${ml:-4096} -print_final_stats=1 \
			-artifact_prefix=build/fuzz/$$t- \
			build/fuzz/corpus-$$t tests/fuzz/seeds/$$t 2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY|Done)' ; \
		test $${PIPESTATUS[0]:-0} -eq 0 || exit 1; \
	done

bench: hcli
	./bench/run

deps: PKGS = $(DEBIAN_PKGS)
bench-deps: PKGS = $(BENCH_PKGS)
deps bench-deps:
	@missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "$@: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else echo "$@: run as root: apt-get install$$missing"; exit 1; fi

install: hcli
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 hcli $(DESTDIR)$(BINDIR)/hcli
	install -m 644 man/hcli.1 $(DESTDIR)$(MANDIR)/hcli.1
	install -m 644 completions/hcli.bash $(DESTDIR)$(BASHCOMPDIR)/hcli
	install -m 644 completions/_hcli $(DESTDIR)$(ZSHCOMPDIR)/_hcli
	install -m 644 completions/hcli.fish $(DESTDIR)$(FISHCOMPDIR)/hcli.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hcli $(DESTDIR)$(MANDIR)/hcli.1 $(DESTDIR)$(BASHCOMPDIR)/hcli \
		$(DESTDIR)$(ZSHCOMPDIR)/_hcli $(DESTDIR)$(FISHCOMPDIR)/hcli.fish

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build hcli
