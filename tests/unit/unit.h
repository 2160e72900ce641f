/*
 * A tiny test framework for the C unit tests, header only.
 *
 * Each case runs between unit_begin() and unit_end() and prints one TAP line:
 *   ok N - name
 *   not ok N - name
 *   # file:line: what went wrong           (diagnostics, after a failure)
 * unit_done() prints the plan "1..N" and returns the exit status: 1 when any
 * case failed. A crash inside a case still prints its "not ok" line (except
 * under AddressSanitizer, which reports the crash itself).
 *
 * unit_guard_put() places bytes right before (or right after) a page that
 * cannot be read, so that a parser reading one byte too far crashes at once.
 */
#ifndef UNIT_H
#define UNIT_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define UNIT_FN static inline __attribute__((unused))
#define UNIT_VAR static __attribute__((unused))

#if defined(__SANITIZE_ADDRESS__)
#define UNIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNIT_ASAN 1
#endif
#endif

UNIT_VAR int unit_num;	 /* cases started */
UNIT_VAR int unit_nfail; /* cases failed */
UNIT_VAR bool unit_bad;	 /* the current case has failed */
UNIT_VAR bool unit_open; /* inside a case */
UNIT_VAR char unit_name[256];
UNIT_VAR char unit_diag[8192]; /* diagnostics of the current case */
UNIT_VAR size_t unit_dlen;
UNIT_VAR char unit_crash[320]; /* the line a crash prints */
UNIT_VAR size_t unit_crash_len;

UNIT_FN void unit_on_signal(int sig)
{
	if (unit_open && unit_crash_len > 0) {
		ssize_t w = write(STDOUT_FILENO, unit_crash, unit_crash_len);
		(void)w;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

UNIT_FN void unit_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef UNIT_ASAN
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], unit_on_signal);
#endif
}

/* Start a case; the name is a printf format. '#' and control bytes in it become '_'. */
UNIT_FN __attribute__((format(printf, 1, 2))) void unit_begin(const char *fmt, ...)
{
	unit_init();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(unit_name, sizeof(unit_name), fmt, ap);
	va_end(ap);
	for (char *p = unit_name; *p; p++)
		if (*p == '#' || (unsigned char)*p < ' ' || *p == 0x7f)
			*p = '_';
	unit_num++;
	unit_bad = false;
	unit_open = true;
	unit_dlen = 0;
	unit_diag[0] = '\0';
	int n = snprintf(unit_crash, sizeof(unit_crash), "not ok %d - %s\n# crashed\n", unit_num,
			 unit_name);
	unit_crash_len = n < 0				  ? 0
			 : (size_t)n < sizeof(unit_crash) ? (size_t)n
							  : sizeof(unit_crash) - 1;
}

/* Add one diagnostic line to the current case (printed only if it fails). */
UNIT_FN __attribute__((format(printf, 1, 2))) void unit_note(const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* "# " + the text on one line + "\n" */
	size_t n = strlen(line);
	if (unit_dlen + n + 4 > sizeof(unit_diag))
		return;
	unit_diag[unit_dlen++] = '#';
	unit_diag[unit_dlen++] = ' ';
	for (size_t i = 0; i < n; i++)
		unit_diag[unit_dlen++] = (line[i] == '\n' || line[i] == '\r') ? ' ' : line[i];
	unit_diag[unit_dlen++] = '\n';
	unit_diag[unit_dlen] = '\0';
}

UNIT_FN void unit_failv(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	unit_bad = true;
	unit_note("%s:%d: %s", file, line, msg);
}

UNIT_FN __attribute__((format(printf, 3, 4))) void unit_fail(const char *file, int line,
							     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unit_failv(file, line, fmt, ap);
	va_end(ap);
}

/* Finish the current case: prints its line; returns true when it passed. */
UNIT_FN bool unit_end(void)
{
	if (!unit_open)
		return true;
	unit_open = false;
	if (unit_bad) {
		unit_nfail++;
		printf("not ok %d - %s\n%s", unit_num, unit_name, unit_diag);
	} else {
		printf("ok %d - %s\n", unit_num, unit_name);
	}
	fflush(stdout);
	return !unit_bad;
}

/* The plan and the exit status for main(). */
UNIT_FN int unit_done(void)
{
	unit_end();
	printf("1..%d\n# %d passed, %d failed\n", unit_num, unit_num - unit_nfail, unit_nfail);
	fflush(stdout);
	return unit_nfail > 0 || unit_num == 0 ? 1 : 0;
}

/* C-escaped, at most about max bytes of it shown. */
UNIT_FN const char *unit_esc(char *out, size_t cap, const void *data, size_t len, size_t max)
{
	const unsigned char *s = data;
	size_t o = 0;
	if (data == NULL) {
		snprintf(out, cap, "(null)");
		return out;
	}
	out[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		if (i == max) {
			o += (size_t)snprintf(out + o, cap - o, "\"...(%zu bytes)", len);
			return out;
		}
		unsigned char ch = s[i];
		if (ch == '\r')
			o += (size_t)snprintf(out + o, cap - o, "\\r");
		else if (ch == '\n')
			o += (size_t)snprintf(out + o, cap - o, "\\n");
		else if (ch == '\t')
			o += (size_t)snprintf(out + o, cap - o, "\\t");
		else if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", ch);
		else if (ch < ' ' || ch >= 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	if (o + 2 <= cap)
		out[o++] = '"';
	out[o < cap ? o : cap - 1] = '\0';
	return out;
}

UNIT_FN bool unit_eq_int(long long got, long long want, const char *gs, const char *ws,
			 const char *file, int line)
{
	if (got == want)
		return true;
	unit_fail(file, line, "%s is %lld, want %s = %lld", gs, got, ws, want);
	return false;
}

UNIT_FN bool unit_eq_uint(unsigned long long got, unsigned long long want, const char *gs,
			  const char *ws, const char *file, int line)
{
	if (got == want)
		return true;
	unit_fail(file, line, "%s is %llu (0x%llx), want %s = %llu (0x%llx)", gs, got, got, ws,
		  want, want);
	return false;
}

UNIT_FN bool unit_eq_mem(const void *got, size_t glen, const void *want, size_t wlen,
			 const char *gs, const char *ws, const char *file, int line)
{
	if (got == NULL && want == NULL)
		return true;
	if (got != NULL && want != NULL && glen == wlen &&
	    (glen == 0 || memcmp(got, want, glen) == 0))
		return true;
	size_t at = 0;
	if (got != NULL && want != NULL)
		while (at < glen && at < wlen &&
		       ((const char *)got)[at] == ((const char *)want)[at])
			at++;
	char a[400], b[400];
	unit_fail(file, line,
		  "%s differs from %s at byte %zu: got %s (%zu bytes), want %s (%zu bytes)", gs, ws,
		  at, unit_esc(a, sizeof(a), got, glen, 120), glen,
		  unit_esc(b, sizeof(b), want, wlen, 120), wlen);
	return false;
}

UNIT_FN bool unit_eq_str(const char *got, const char *want, const char *gs, const char *ws,
			 const char *file, int line)
{
	return unit_eq_mem(got, got ? strlen(got) : 0, want, want ? strlen(want) : 0, gs, ws, file,
			   line);
}

#define CHECK(cond)                                                                                \
	((cond) ? true : (unit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond), false))
#define CHECK_EQ_INT(got, want)                                                                    \
	unit_eq_int((long long)(got), (long long)(want), #got, #want, __FILE__, __LINE__)
#define CHECK_EQ_UINT(got, want)                                                                   \
	unit_eq_uint((unsigned long long)(got), (unsigned long long)(want), #got, #want, __FILE__, \
		     __LINE__)
#define CHECK_EQ_MEM(got, glen, want, wlen)                                                        \
	unit_eq_mem((got), (glen), (want), (wlen), #got, #want, __FILE__, __LINE__)
#define CHECK_EQ_STR(got, want) unit_eq_str((got), (want), #got, #want, __FILE__, __LINE__)
#define FAIL(...) unit_fail(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Guard pages: [no access][data area][no access]. unit_guard_put copies len
 * bytes to end exactly where the second guard starts (at_start false) or to
 * begin exactly where the first one ends (at_start true) and returns where.
 * The area is reused and grown as needed; earlier pointers become invalid.
 */
struct unit_guard {
	char *map;
	size_t area; /* bytes between the guards, a multiple of the page size */
	size_t pg;
};

UNIT_FN char *unit_guard_put(struct unit_guard *g, const void *data, size_t len, bool at_start)
{
	if (g->pg == 0)
		g->pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t need = (len + g->pg - 1) / g->pg * g->pg;
	if (need == 0)
		need = g->pg;
	if (g->area < need) {
		if (g->map != NULL)
			munmap(g->map, g->area + 2 * g->pg);
		void *m = mmap(NULL, need + 2 * g->pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			perror("mmap");
			exit(2);
		}
		g->map = m;
		g->area = need;
		if (mprotect(g->map, g->pg, PROT_NONE) != 0 ||
		    mprotect(g->map + g->pg + need, g->pg, PROT_NONE) != 0) {
			perror("mprotect");
			exit(2);
		}
	}
	char *area = g->map + g->pg;
	memset(area, 0xA5, g->area);
	char *p = at_start ? area : area + g->area - len;
	if (len > 0)
		memcpy(p, data, len);
	return p;
}

UNIT_FN void unit_guard_free(struct unit_guard *g)
{
	if (g->map != NULL)
		munmap(g->map, g->area + 2 * g->pg);
	g->map = NULL;
	g->area = 0;
}

/* A growable byte string for building inputs and collecting outputs. */
struct unit_buf {
	char *p;
	size_t len, cap;
};

UNIT_FN void unit_buf_add(struct unit_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			perror("realloc");
			exit(2);
		}
		b->p = p;
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

UNIT_FN void unit_buf_adds(struct unit_buf *b, const char *s)
{
	unit_buf_add(b, s, strlen(s));
}

UNIT_FN void unit_buf_fill(struct unit_buf *b, char ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		unit_buf_add(b, &ch, 1);
}

UNIT_FN __attribute__((format(printf, 2, 3))) void unit_buf_printf(struct unit_buf *b,
								   const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		unit_buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

UNIT_FN void unit_buf_reset(struct unit_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

UNIT_FN void unit_buf_free(struct unit_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

#endif
