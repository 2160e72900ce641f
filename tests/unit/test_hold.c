/*
 * The hold for -Z (src/cli/hold.c, SPEC Part 2: standard output in
 * command-line order, memory up to 1 MiB, then an unnamed temporary file):
 * memory only, the spill in small writes and in one, drains into a file, a
 * file sendfile cannot write (O_APPEND), a non-blocking pipe that fills and
 * resumes while more is written, a spill that fails; then out_hold through
 * the real output code (head, body, -w text, a binary body's notice) and
 * the multi-transfer progress line's text.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "args.h"
#include "hold.h"
#include "output.h"
#include "progress.h"
#include "unit.h"
#include "writeout.h"

#define MIB (1u << 20)

/* The byte at offset i of a test stream: a reordering or a lost span shows. */
static char pat(uint64_t i)
{
	return (char)(i * 131 + (i >> 11) + (i >> 19));
}

static void pat_fill(char *p, uint64_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(from + i);
}

/* The first mismatch with the pattern, or -1 when all n bytes match. */
static long long pat_check(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i))
			return (long long)i;
	return -1;
}

/* n pattern bytes into h from offset *at, in writes of chunk bytes. */
static bool hold_pat(struct hold *h, uint64_t *at, size_t n, size_t chunk)
{
	char *buf = malloc(chunk);
	bool ok = buf != NULL;
	while (ok && n > 0) {
		size_t k = n < chunk ? n : chunk;
		pat_fill(buf, *at, k);
		ok = CHECK_EQ_INT(hold_write(h, buf, k), HC_OK);
		*at += k;
		n -= k;
	}
	free(buf);
	return ok;
}

/* A new empty file of our own (gone at close). */
static int tmp_fd(int extra_flags)
{
	char path[] = "/tmp/test_hold-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC | extra_flags);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void read_whole(int fd, struct unit_buf *b)
{
	char buf[65536];
	ssize_t r;
	off_t off = 0;
	while ((r = pread(fd, buf, sizeof(buf), off)) > 0) {
		unit_buf_add(b, buf, (size_t)r);
		off += r;
	}
}

/* Drain into a regular file (blocking): everything out at once, then compared. */
static void drain_to_file_case(const char *name, size_t total, size_t chunk, int fflags)
{
	unit_begin("%s", name);
	struct hold h;
	hold_init(&h);
	uint64_t at = 0;
	struct unit_buf got = {0};
	int fd = tmp_fd(fflags);
	if (CHECK(fd >= 0) && hold_pat(&h, &at, total, chunk)) {
		CHECK_EQ_UINT(hold_pending(&h), total);
		CHECK(h.mem_cap <= HOLD_MEM_MAX);
		CHECK_EQ_UINT(h.mem_len, total < HOLD_MEM_MAX ? total : HOLD_MEM_MAX);
		CHECK_EQ_INT(h.fd >= 0, total > HOLD_MEM_MAX);
		CHECK_EQ_UINT(h.file_len, total > HOLD_MEM_MAX ? total - HOLD_MEM_MAX : 0);
		/* SPEC: an unnamed temporary file, no name left behind in $TMPDIR */
		struct stat st;
		if (h.fd >= 0 && CHECK(fstat(h.fd, &st) == 0))
			CHECK_EQ_UINT(st.st_nlink, 0);
		int pfd = 0;
		CHECK_EQ_INT(hold_drain(&h, fd, "out", &pfd), HC_OK);
		CHECK_EQ_INT(pfd, -1);
		CHECK_EQ_UINT(hold_pending(&h), 0);
		CHECK_EQ_INT(h.fd, -1); /* the temporary file is closed once drained */
		read_whole(fd, &got);
		CHECK_EQ_UINT(got.len, total);
		long long bad = pat_check(got.p, got.len < total ? got.len : total);
		if (bad >= 0)
			FAIL("byte %lld differs", bad);
	}
	if (fd >= 0)
		close(fd);
	unit_buf_free(&got);
	hold_free(&h);
	unit_end();
}

static void file_cases(void)
{
	drain_to_file_case("memory only: 1000 bytes in writes of 7", 1000, 7, 0);
	drain_to_file_case("exactly 1 MiB stays in memory", HOLD_MEM_MAX, 4096, 0);
	drain_to_file_case("3 MiB in writes of 1000 bytes: 1 MiB in memory, the rest in the file",
			   3 * MIB, 1000, 0);
	drain_to_file_case("3 MiB in one write crosses 1 MiB inside it", 3 * MIB, 3 * MIB, 0);
	drain_to_file_case("20 MiB: memory stays at 1 MiB", 20 * MIB, 65536, 0);
	/* sendfile(2) refuses an O_APPEND output: the copy through a buffer */
	drain_to_file_case("into an O_APPEND file (no sendfile)", 3 * MIB + 5, 100000, O_APPEND);
}

/*
 * A non-blocking pipe much smaller than what is held: each drain stops with
 * the pipe to poll, the reader takes what is there, more bytes are held
 * between drains, and the reader gets every byte once, in order.
 */
static void pipe_case(void)
{
	unit_begin("a non-blocking pipe fills and resumes, with writes between the drains");
	struct hold h;
	hold_init(&h);
	int p[2] = {-1, -1};
	struct unit_buf got = {0};
	uint64_t at = 0;
	const size_t total = 3 * MIB + 12345;
	if (!CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0) || !hold_pat(&h, &at, 2 * MIB, 50000))
		goto out;
	(void)fcntl(p[1], F_SETPIPE_SZ, 65536);
	int waits = 0, pfd = -1;
	char buf[65536];
	for (int round = 0; round < 100000; round++) {
		if (!CHECK_EQ_INT(hold_drain(&h, p[1], "pipe", &pfd), HC_OK))
			break;
		if (pfd >= 0) {
			CHECK_EQ_INT(pfd, p[1]);
			struct pollfd q = {.fd = pfd, .events = POLLOUT};
			CHECK_EQ_INT(poll(&q, 1, 0), 0); /* it was full: not writable till read */
			waits++;
		}
		/* the transfer goes on meanwhile: more bytes behind those held */
		if (at < total &&
		    !hold_pat(&h, &at, total - at < 30000 ? total - at : 30000, 30000))
			break;
		ssize_t r = read(p[0], buf, sizeof(buf));
		if (r > 0)
			unit_buf_add(&got, buf, (size_t)r);
		if (pfd < 0 && at == total && hold_pending(&h) == 0)
			break;
	}
	ssize_t r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		unit_buf_add(&got, buf, (size_t)r);
	CHECK(waits > 10);
	CHECK_EQ_UINT(hold_pending(&h), 0);
	CHECK_EQ_UINT(got.len, total);
	long long bad = pat_check(got.p, got.len < total ? got.len : total);
	if (bad >= 0)
		FAIL("byte %lld differs", bad);
out:
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	unit_buf_free(&got);
	hold_free(&h);
	unit_end();
}

/* Drained empty, then used again: memory first again, the order kept. */
static void reuse_case(void)
{
	unit_begin("drained, then more bytes: memory again, the same stream");
	struct hold h;
	hold_init(&h);
	uint64_t at = 0;
	struct unit_buf got = {0};
	int fd = tmp_fd(0), pfd;
	if (CHECK(fd >= 0) && hold_pat(&h, &at, 2 * MIB, 65536) &&
	    CHECK_EQ_INT(hold_drain(&h, fd, "out", &pfd), HC_OK) && hold_pat(&h, &at, 1000, 100)) {
		CHECK_EQ_INT(h.fd, -1);
		CHECK_EQ_UINT(h.mem_len, 1000);
		CHECK_EQ_INT(hold_drain(&h, fd, "out", &pfd), HC_OK);
		read_whole(fd, &got);
		CHECK_EQ_UINT(got.len, 2 * MIB + 1000);
		if (pat_check(got.p, got.len) >= 0)
			FAIL("byte %lld differs", pat_check(got.p, got.len));
	}
	if (fd >= 0)
		close(fd);
	unit_buf_free(&got);
	hold_free(&h);
	unit_end();
}

/* TMPDIR names a missing directory: the spill fails, memory's bytes still drain. */
static void no_tmpdir_case(void)
{
	unit_begin("TMPDIR missing: the spill is a write error naming it");
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", "/nonexistent-hcli-test/tmp", 1);
	struct hold h;
	hold_init(&h);
	uint64_t at = 0;
	struct unit_buf got = {0};
	char *big = malloc(2 * MIB);
	int fd = tmp_fd(0), pfd;
	if (CHECK(big != NULL) && CHECK(fd >= 0)) {
		pat_fill(big, 0, 2 * MIB);
		CHECK_EQ_INT(hold_write(&h, big, 2 * MIB), HC_EWRITE);
		CHECK_EQ_STR(h.errmsg,
			     "a temporary file in /nonexistent-hcli-test/tmp: No such file "
			     "or directory");
		CHECK_EQ_INT(hold_write(&h, "x", 1), HC_EWRITE); /* the error is kept */
		CHECK_EQ_INT(hold_drain(&h, fd, "out", &pfd), HC_OK);
		read_whole(fd, &got);
		CHECK_EQ_UINT(got.len, HOLD_MEM_MAX);
		CHECK_EQ_INT(pat_check(got.p, got.len), -1);
	}
	(void)at;
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(big);
	if (fd >= 0)
		close(fd);
	unit_buf_free(&got);
	hold_free(&h);
	unit_end();
}

/*
 * /proc has no O_TMPFILE (EOPNOTSUPP): the named file is tried instead, and
 * it is its failure that is told (/proc takes no new files either).
 */
static void no_tmpfile_case(void)
{
	unit_begin("a filesystem without O_TMPFILE: mkstemp is tried");
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", "/proc", 1);
	struct hold h;
	hold_init(&h);
	char *big = malloc(HOLD_MEM_MAX + 1);
	if (CHECK(big != NULL)) {
		memset(big, 'x', HOLD_MEM_MAX + 1);
		CHECK_EQ_INT(hold_write(&h, big, HOLD_MEM_MAX + 1), HC_EWRITE);
		CHECK(strncmp(h.errmsg, "a temporary file in /proc: ", 27) == 0);
		if (strstr(h.errmsg, strerror(EOPNOTSUPP)))
			FAIL("the O_TMPFILE failure, not mkstemp's: %s", h.errmsg);
	}
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(big);
	hold_free(&h);
	unit_end();
}

/*
 * The temporary file cannot grow (RLIMIT_FSIZE: as a full disk does, without
 * root): a write error; what the file took before it still drains.
 */
static void full_case(void)
{
	unit_begin("the temporary file cannot grow: a write error, what was held still drains");
	struct rlimit old, lim;
	struct hold h;
	hold_init(&h);
	uint64_t at = 0;
	struct unit_buf got = {0};
	int fd = tmp_fd(0), pfd;
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	if (CHECK(fd >= 0) && CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0)) {
		lim = old;
		lim.rlim_cur = 100000;
		if (CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0)) {
			CHECK(hold_pat(&h, &at, HOLD_MEM_MAX + 60000, 30000));
			char buf[50000];
			pat_fill(buf, at, sizeof(buf));
			CHECK_EQ_INT(hold_write(&h, buf, sizeof(buf)), HC_EWRITE);
			CHECK_EQ_STR(h.errmsg + strlen(h.errmsg) - strlen(": File too large"),
				     ": File too large");
			CHECK(strncmp(h.errmsg, "a temporary file in ", 20) == 0);
			CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
			CHECK_EQ_INT(hold_drain(&h, fd, "out", &pfd), HC_OK);
			read_whole(fd, &got);
			CHECK_EQ_UINT(got.len, HOLD_MEM_MAX + 100000);
			CHECK_EQ_INT(pat_check(got.p, got.len), -1);
		}
	}
	signal(SIGXFSZ, oldsig);
	if (fd >= 0)
		close(fd);
	unit_buf_free(&got);
	hold_free(&h);
	unit_end();
}

/* A failing output: the drain says which, and why. */
static void drain_error_case(void)
{
	unit_begin("a drain into a closed pipe is a write error naming the output");
	struct hold h;
	hold_init(&h);
	int p[2], pfd;
	void (*oldsig)(int) = signal(SIGPIPE, SIG_IGN);
	if (CHECK(pipe(p) == 0)) {
		close(p[0]);
		CHECK_EQ_INT(hold_write(&h, "abc", 3), HC_OK);
		CHECK_EQ_INT(hold_drain(&h, p[1], "standard output", &pfd), HC_EWRITE);
		CHECK_EQ_STR(h.errmsg, "standard output: Broken pipe");
		close(p[1]);
	}
	signal(SIGPIPE, oldsig);
	hold_free(&h);
	unit_end();
}

/*
 * out_hold through the real output code. Standard output is a file of ours
 * meanwhile: nothing may reach it while held, and after out_unhold the body's
 * next bytes go straight there.
 */
struct held_out {
	int saved; /* the real standard output (the TAP lines) */
	int sink;  /* standard output during the case */
	struct out o;
	struct hold h;
	struct hc_response r;
	struct hc_conn c;
};

static bool held_open(struct held_out *t, int print)
{
	memset(t, 0, sizeof(*t));
	hold_init(&t->h);
	fflush(stdout);
	t->saved = dup(STDOUT_FILENO);
	t->sink = tmp_fd(0);
	if (!CHECK(t->saved >= 0 && t->sink >= 0) || !CHECK(dup2(t->sink, STDOUT_FILENO) >= 0))
		return false;
	out_init(&t->o, print, 0, false, STDOUT_FILENO, "standard output", COLOR_NEVER);
	out_hold(&t->o, &t->h);
	t->r.status = 200;
	t->r.version = 11;
	t->r.status_line = "HTTP/1.1 200 OK";
	hdr_add(&t->r.hdrs, "Content-Type", 12, "text/plain", 10);
	return true;
}

/* What reached standard output so far, and what the hold drains into a file. */
static void held_read(struct held_out *t, struct unit_buf *direct, struct unit_buf *drained)
{
	read_whole(t->sink, direct);
	int fd = tmp_fd(0), pfd;
	if (CHECK(fd >= 0) && CHECK_EQ_INT(hold_drain(&t->h, fd, "d", &pfd), HC_OK))
		read_whole(fd, drained);
	if (fd >= 0)
		close(fd);
}

static void held_close(struct held_out *t)
{
	out_unhold(&t->o);
	out_free(&t->o);
	hold_free(&t->h);
	hdr_free(&t->r.hdrs);
	if (t->saved >= 0) {
		dup2(t->saved, STDOUT_FILENO);
		close(t->saved);
	}
	if (t->sink >= 0)
		close(t->sink);
}

static void out_hold_case(void)
{
	unit_begin("out_hold: head, body spans, the end and -w text all held, in order");
	struct held_out t;
	struct unit_buf direct = {0}, drained = {0}, want = {0};
	if (held_open(&t, PRINT_RESP_HEAD | PRINT_RESP_BODY)) {
		CHECK_EQ_INT(out_head(&t.o, &t.r), HC_OK);
		CHECK_EQ_INT(out_body_begin(&t.o, &t.r), HC_OK);
		CHECK_EQ_INT(out_splice_fd(&t.o), -1); /* no splice around the hold */
		char a[] = "first ", b[] = "second ", c[] = "third";
		struct iovec iov[3] = {{a, 6}, {b, 7}, {c, 5}};
		CHECK_EQ_INT(out_bodyv(&t.o, iov, 3), HC_OK);
		char *big = malloc(2 * MIB);
		if (CHECK(big != NULL)) {
			memset(big, 'z', 2 * MIB);
			CHECK_EQ_INT(out_body(&t.o, big, 2 * MIB), HC_OK);
		}
		int fd = 0;
		CHECK_EQ_INT(out_more(&t.o, &fd), HC_OK);
		CHECK_EQ_INT(fd, -1); /* a hold always takes more */
		CHECK_EQ_INT(out_body_end(&t.o, &t.r), HC_OK);
		struct wo_info w = {.c = &t.c, .resp = &t.r};
		CHECK_EQ_INT(writeout(&t.o, "code %{http_code}\\n", &w), HC_OK);
		held_read(&t, &direct, &drained);
		CHECK_EQ_UINT(direct.len, 0);
		unit_buf_adds(&want,
			      "HTTP/1.1 200 OK\nContent-Type: text/plain\n\nfirst second third");
		if (big)
			unit_buf_add(&want, big, 2 * MIB);
		unit_buf_adds(&want, "code 200\n");
		CHECK_EQ_MEM(drained.p, drained.len, want.p, want.len);
		/* its turn: written directly from here on */
		out_unhold(&t.o);
		CHECK_EQ_INT(out_body(&t.o, "after", 5), HC_OK);
		unit_buf_reset(&direct);
		read_whole(t.sink, &direct);
		CHECK_EQ_MEM(direct.p, direct.len, "after", 5);
		free(big);
	}
	held_close(&t);
	unit_buf_free(&direct);
	unit_buf_free(&drained);
	unit_buf_free(&want);
	unit_end();
}

static void out_hold_tty_case(void)
{
	unit_begin("out_hold: a body bound for a terminal is still kept off it when binary");
	struct held_out t;
	struct unit_buf direct = {0}, drained = {0};
	if (held_open(&t, PRINT_RESP_BODY)) {
		t.o.tty_out = t.o.body_tty = true; /* as out_init finds on a terminal */
		CHECK_EQ_INT(out_body_begin(&t.o, &t.r), HC_OK);
		CHECK_EQ_INT(out_body(&t.o, "ab\0cd", 5), HC_OK);
		CHECK_EQ_INT(out_body_end(&t.o, &t.r), HC_OK);
		held_read(&t, &direct, &drained);
		CHECK_EQ_UINT(direct.len, 0);
		CHECK_EQ_STR(
		    drained.p ? drained.p : "",
		    "\n[binary body of 5 bytes not shown on a terminal; save it with -o FILE "
		    "or a redirect]\n");
	}
	held_close(&t);
	unit_buf_free(&direct);
	unit_buf_free(&drained);
	unit_end();
}

static void out_hold_file_case(void)
{
	unit_begin("out_hold: an -o file's body goes to it at once, the head is held");
	struct held_out t;
	struct unit_buf direct = {0}, drained = {0}, file = {0};
	int fd = -1;
	if (held_open(&t, PRINT_RESP_HEAD) && CHECK((fd = tmp_fd(0)) >= 0)) {
		out_set_body(&t.o, fd, "f");
		CHECK_EQ_INT(out_head(&t.o, &t.r), HC_OK);
		CHECK_EQ_INT(out_body_begin(&t.o, &t.r), HC_OK);
		CHECK_EQ_INT(out_body(&t.o, "body", 4), HC_OK);
		CHECK_EQ_INT(out_body_end(&t.o, &t.r), HC_OK);
		read_whole(fd, &file);
		CHECK_EQ_MEM(file.p, file.len, "body", 4);
		held_read(&t, &direct, &drained);
		CHECK_EQ_UINT(direct.len, 0);
		CHECK_EQ_STR(drained.p ? drained.p : "",
			     "HTTP/1.1 200 OK\nContent-Type: text/plain\n\n");
	}
	if (fd >= 0)
		close(fd);
	held_close(&t);
	unit_buf_free(&direct);
	unit_buf_free(&drained);
	unit_buf_free(&file);
	unit_end();
}

static void out_hold_error_case(void)
{
	unit_begin("out_hold: a spill that fails is the out's write error");
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", "/nonexistent-hcli-test", 1);
	struct held_out t;
	char *big = malloc(HOLD_MEM_MAX + 1);
	if (held_open(&t, PRINT_RESP_BODY) && CHECK(big != NULL)) {
		memset(big, 'x', HOLD_MEM_MAX + 1);
		CHECK_EQ_INT(out_body(&t.o, big, HOLD_MEM_MAX + 1), HC_EWRITE);
		CHECK_EQ_STR(t.o.errmsg, "standard output held in a temporary file in "
					 "/nonexistent-hcli-test: No such file or directory");
	}
	held_close(&t);
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(big);
	unit_end();
}

/* The multi line's text, at set times (no clock read). */
static void progress_cases(void)
{
	unit_begin("progress for several transfers: the line's text");
	struct progress_multi m;
	struct progress_xfer a, b, c;
	char line[160];
	progress_multi_start(&m, false, 3);
	m.start = 0;
	size_t n = progress_multi_text(&m, 0, line, sizeof(line));
	CHECK_EQ_UINT(n, strlen(line));
	CHECK_EQ_STR(line, "0/3 done, 0 running  down 0B  up 0B  0B/s");
	progress_multi_add(&m, &a);
	progress_multi_add(&m, &b);
	progress_multi_update(&m, &a, MIB, 0);
	progress_multi_update(&m, &b, MIB / 2, 2048);
	progress_multi_update(&m, &a, 2 * MIB, 0); /* counts as last told, not added up */
	progress_multi_text(&m, 1000000000, line, sizeof(line));
	CHECK_EQ_STR(line, "0/3 done, 2 running  down 2.5M  up 2.0K  2.5M/s");
	progress_multi_end_xfer(&m, &a);
	progress_multi_end_xfer(&m, &a); /* once only */
	progress_multi_add(&m, &c);
	progress_multi_update(&m, &b, 100, 2048); /* a retry starts over */
	progress_multi_text(&m, 1000000000, line, sizeof(line));
	CHECK_EQ_STR(line, "1/3 done, 2 running  down 2.0M  up 2.0K  2.0M/s");
	progress_multi_end_xfer(&m, &b);
	progress_multi_end_xfer(&m, &c);
	progress_multi_text(&m, 1000000000, line, sizeof(line));
	CHECK_EQ_STR(line, "3/3 done, 0 running  down 2.0M  up 2.0K  2.0M/s");
	char small[10];
	CHECK_EQ_UINT(progress_multi_text(&m, 1000000000, small, sizeof(small)), 9);
	CHECK_EQ_STR(small, "3/3 done,");
	progress_multi_end(&m); /* never drawn (not enabled): nothing to clear */
	CHECK(!m.shown);
	unit_end();
}

/*
 * Drawn on standard error (a file here) only when enabled, once due: the
 * start is set two seconds back, so the update draws (once: the next draw is
 * not due for 100 ms, and nothing else asks); the end clears.
 */
static void progress_draw_case(bool enabled)
{
	unit_begin("progress for several transfers: %s",
		   enabled ? "drawn, then cleared" : "never drawn when not enabled");
	struct progress_multi m;
	struct progress_xfer a;
	struct unit_buf got = {0};
	int saved = dup(STDERR_FILENO), fd = tmp_fd(0);
	if (CHECK(saved >= 0 && fd >= 0) && CHECK(dup2(fd, STDERR_FILENO) >= 0)) {
		progress_multi_start(&m, enabled, 1);
		m.start = m.last = hc_now_ns() - 2000000000;
		progress_multi_add(&m, &a);
		/* no bytes: a rate that does not depend on the time taken */
		progress_multi_update(&m, &a, 0, 0);
		progress_multi_end(&m);
		dup2(saved, STDERR_FILENO);
		read_whole(fd, &got);
		const char *want = "\r\033[K0/1 done, 1 running  down 0B  up 0B  0B/s\r\033[K";
		CHECK_EQ_STR(got.p ? got.p : "", enabled ? want : "");
	}
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (fd >= 0)
		close(fd);
	unit_buf_free(&got);
	unit_end();
}

int main(void)
{
	unit_init();
	file_cases();
	pipe_case();
	reuse_case();
	no_tmpdir_case();
	no_tmpfile_case();
	full_case();
	drain_error_case();
	out_hold_case();
	out_hold_tty_case();
	out_hold_file_case();
	out_hold_error_case();
	progress_cases();
	progress_draw_case(true);
	progress_draw_case(false);
	return unit_done();
}
