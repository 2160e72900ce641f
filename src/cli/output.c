/* Heads and bodies to standard output (or -o FILE), the trace to standard error. */
#define LIBBSD_NETBSD_VIS /* strnvisx(3) as NetBSD has it */
#include <bsd/stdlib.h>
#include <bsd/vis.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../http/headers.h"

#include "args.h"
#include "output.h"

/* NO_COLOR (no-color.org): any non-empty value turns automatic colour off */
static bool want_color(enum color_mode m, bool tty)
{
	const char *nc = getenv("NO_COLOR");
	return m == COLOR_ALWAYS || (m == COLOR_AUTO && tty && !(nc && *nc));
}

/* Standard output and standard error on one terminal? */
static bool same_terminal(void)
{
	struct stat a, b;
	return isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && fstat(STDOUT_FILENO, &a) == 0 &&
	       fstat(STDERR_FILENO, &b) == 0 && a.st_rdev == b.st_rdev;
}

void out_init(struct out *o, int print, int verbose, bool silent, int body_fd,
	      const char *body_name, enum color_mode color)
{
	memset(o, 0, sizeof(*o));
	/* -v where the trace and the output share a terminal: the heads show once, in the trace, as
	 * curl -v shows them; the body follows on standard output */
	o->print = verbose && same_terminal() ? print & ~(PRINT_REQ_HEAD | PRINT_RESP_HEAD) : print;
	o->verbose = verbose;
	o->silent = silent;
	o->tty_out = isatty(STDOUT_FILENO);
	o->tty_err = isatty(STDERR_FILENO);
	o->color_out = want_color(color, o->tty_out);
	o->color_err = want_color(color, o->tty_err);
	o->spipe[0] = o->spipe[1] = -1;
	out_set_body(o, body_fd, body_name);
}

void out_set_body(struct out *o, int body_fd, const char *body_name)
{
	o->body_fd = body_fd;
	o->body_name = body_name;
	o->body_tty = body_fd == STDOUT_FILENO ? o->tty_out : false;
	struct stat st;
	int fl = fcntl(body_fd, F_GETFL);
	bool ok = fstat(body_fd, &st) == 0;
	o->body_pipe = !o->body_tty && ok && S_ISFIFO(st.st_mode) && fl >= 0 && !(fl & O_NONBLOCK);
	/*
	 * A pipe's reader wakes once per pipe-full: at 64 KiB, hcli and a reader such as
	 * `dd bs=1M` take turns every few dozen microseconds. Grown to 1 MiB (where the
	 * kernel allows), a body in small chunks reaches it about twice as fast.
	 */
	if (ok && S_ISFIFO(st.st_mode) && fcntl(body_fd, F_GETPIPE_SZ) < HC_PIPE_SIZE)
		(void)fcntl(body_fd, F_SETPIPE_SZ, HC_PIPE_SIZE);
	/* splice(2) refuses O_APPEND; a terminal keeps plain writes */
	o->body_splice = !o->body_tty && !o->body_pipe && ok && fl >= 0 && !(fl & O_APPEND) &&
			 (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(body_fd)));
}

void out_hold(struct out *o, struct hold *h)
{
	o->hold = h;
}

void out_unhold(struct out *o)
{
	o->hold = NULL;
}

/* Is the body kept in a hold (it is for standard output, and this out is held)? */
static bool body_held(const struct out *o)
{
	return o->hold && o->body_fd == STDOUT_FILENO;
}

/* Standard output's bytes into the hold; its failure becomes this out's. */
static enum hc_err to_hold(struct out *o, const char *p, size_t n)
{
	if (hold_write(o->hold, p, n) == HC_OK)
		return HC_OK;
	snprintf(o->errmsg, sizeof(o->errmsg), "standard output held in %s", o->hold->errmsg);
	return o->err = HC_EWRITE;
}

int out_splice_fd(struct out *o)
{
	if (body_held(o))
		return -1;
	if (o->body_pipe)
		return o->body_fd;
	if (!o->body_splice)
		return -1;
	if (o->spipe[1] < 0) {
		if (pipe2(o->spipe, O_CLOEXEC) < 0) {
			o->body_splice = false;
			return -1;
		}
		(void)fcntl(o->spipe[1], F_SETPIPE_SZ, HC_PIPE_SIZE);
	}
	return o->spipe[1];
}

static void close_spipe(struct out *o)
{
	close(o->spipe[0]);
	close(o->spipe[1]);
	o->spipe[0] = o->spipe[1] = -1;
}

/* What is in our pipe, through a buffer: for an output splice cannot write. */
static enum hc_err copy_spipe(struct out *o, size_t n)
{
	char buf[16384];
	while (n > 0) {
		ssize_t r = read(o->spipe[0], buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(o->errmsg, sizeof(o->errmsg), "%s: %s", o->body_name,
				 r < 0 ? strerror(errno) : "internal pipe ended early");
			return o->err = HC_EWRITE;
		}
		enum hc_err rc = out_write_all(o, o->body_fd, buf, (size_t)r, o->body_name);
		if (rc)
			return rc;
		n -= (size_t)r;
	}
	return HC_OK;
}

enum hc_err out_spliced(struct out *o, size_t n)
{
	if (o->body_pipe)
		return HC_OK;
	while (n > 0) {
		ssize_t w = splice(o->spipe[0], NULL, o->body_fd, NULL, n, SPLICE_F_MOVE);
		if (w > 0) {
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		enum hc_err rc = HC_EWRITE;
		if (w < 0 && errno == EINVAL) {
			/* an output splice cannot write after all: plain writes from now on */
			o->body_splice = false;
			rc = copy_spipe(o, n);
		} else {
			snprintf(o->errmsg, sizeof(o->errmsg), "%s: %s", o->body_name,
				 strerror(w < 0 ? errno : EIO));
			o->err = rc;
		}
		/* never left holding bytes that a later body would follow */
		close_spipe(o);
		return rc;
	}
	return HC_OK;
}

/* A full non-blocking output (EAGAIN) is waited for: a slow reader is not an error. */
static bool wait_writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int r;
	while ((r = poll(&p, 1, -1)) < 0 && errno == EINTR)
		;
	return r > 0;
}

bool out_write_fd(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR || (errno == EAGAIN && wait_writable(fd)))
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

enum hc_err out_write_all(struct out *o, int fd, const char *p, size_t n, const char *name)
{
	if (fd == STDOUT_FILENO && o->hold)
		return to_hold(o, p, n);
	if (out_write_fd(fd, p, n))
		return HC_OK;
	snprintf(o->errmsg, sizeof(o->errmsg), "%s: %s", name, strerror(errno));
	return o->err = HC_EWRITE;
}

/* The length of a UTF-8 sequence at p for a character from U+00A0 up, or 0. */
size_t out_utf8_char(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : p[0] >= 0xe0 && p[0] < 0xf0 ? 3
						 : p[0] >= 0xf0 && p[0] < 0xf5 ? 4
										: 0;
	uint32_t cp = p[0] & (0x7f >> len);
	if (len == 0 || n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* C1 controls as characters (U+009B is CSI too), overlong forms and surrogates are not */
	if (cp < 0xa0 || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * The one escaper for bytes bound for a terminal. Printable ASCII, tab and
 * UTF-8 from U+00A0 up pass; every other byte (C0 controls, DEL, C1 controls
 * raw or UTF-8 encoded, bytes that are not UTF-8) goes through strnvisx(3) in
 * the C locale as C-style or octal escapes: \r, \a, \033, \233.
 */
enum hc_err out_vis(struct hc_headbuf *b, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	enum hc_err rc = HC_OK;
	size_t i = 0;
	while (i < n && rc == HC_OK) {
		size_t safe = i, k;
		for (;;) {
			if (safe < n && ((u[safe] >= 0x20 && u[safe] < 0x7f) || u[safe] == '\t'))
				safe++;
			else if (safe < n && (k = out_utf8_char(u + safe, n - safe)) > 0)
				safe += k;
			else
				break;
		}
		if (safe > i)
			rc = hb_add(b, p + i, safe - i);
		i = safe;
		if (i < n && rc == HC_OK) {
			char esc[8]; /* four bytes at most, as \ooo */
			int len = strnvisx(esc, sizeof(esc), p + i, 1,
					   VIS_CSTYLE | VIS_OCTAL | VIS_WHITE | VIS_NOLOCALE);
			rc = len > 0 ? hb_add(b, esc, (size_t)len) : HC_ENOMEM;
			i++;
		}
	}
	return rc;
}

static enum hc_err add_text(struct hc_headbuf *b, const char *p, size_t n, bool escape)
{
	return escape ? out_vis(b, p, n) : hb_add(b, p, n);
}

#define SGR_RESET "\033[0m"
#define SGR_DIM "\033[2m"
#define SGR_NAME "\033[36m"

/* Status lines by class: 1xx blue, 2xx green, 3xx cyan, 4xx yellow, 5xx red, all bold. */
static const char *status_color(int status)
{
	static const char *const by_class[] = {"\033[1;34m", "\033[1;32m", "\033[1;36m",
					       "\033[1;33m", "\033[1;31m"};
	int k = status / 100 - 1;
	return k >= 0 && k < 5 ? by_class[k] : "\033[1m";
}

static enum hc_err add_field(struct hc_headbuf *b, const char *name, const char *value,
			     bool escape, bool color)
{
	enum hc_err rc = color ? hb_adds(b, SGR_NAME) : HC_OK;
	if (rc == HC_OK)
		rc = add_text(b, name, strlen(name), escape);
	if (rc == HC_OK && color)
		rc = hb_adds(b, SGR_RESET);
	if (rc == HC_OK)
		rc = hb_add(b, ": ", 2);
	if (rc == HC_OK)
		rc = add_text(b, value, strlen(value), escape);
	if (rc == HC_OK)
		rc = hb_add(b, "\n", 1);
	return rc;
}

/* A raw head (CRLF or LF lines) as lines with a prefix and LF endings. */
static enum hc_err add_lines(struct hc_headbuf *b, const char *p, size_t n, const char *prefix,
			     bool escape, bool color)
{
	enum hc_err rc = HC_OK;
	while (n > 0 && rc == HC_OK) {
		const char *lf = memchr(p, '\n', n);
		size_t l = lf ? (size_t)(lf - p) : n, adv = lf ? l + 1 : n;
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (prefix && color)
			rc = hb_adds(b, SGR_DIM);
		if (prefix && rc == HC_OK)
			rc = hb_adds(b, prefix);
		if (prefix && color && rc == HC_OK)
			rc = hb_adds(b, SGR_RESET);
		if (rc == HC_OK)
			rc = add_text(b, p, l, escape);
		if (rc == HC_OK)
			rc = hb_add(b, "\n", 1);
		p += adv;
		n -= adv;
	}
	return rc;
}

static void trace_err(struct out *o, const char *prefix, const char *p, size_t n)
{
	struct hc_headbuf b = {.max = 64 << 20};
	if (add_lines(&b, p, n, prefix, true, o->color_err) == HC_OK)
		(void)out_write_fd(STDERR_FILENO, b.p, b.len);
	hb_free(&b);
}

void out_trace(void *ud, enum hc_trace kind, const char *data, size_t len)
{
	struct out *o = ud;
	struct hc_headbuf b = {.max = 64 << 20};

	switch (kind) {
	case HC_TR_INFO:
		if (o->verbose)
			trace_err(o, "* ", data, len);
		break;
	case HC_TR_REQ_HEAD:
		if (o->verbose)
			trace_err(o, "> ", data, len);
		if ((o->print & PRINT_REQ_HEAD) && o->err == HC_OK) {
			if (add_lines(&b, data, len, NULL, o->tty_out, false) == HC_OK)
				out_write_all(o, STDOUT_FILENO, b.p, b.len, "standard output");
		}
		break;
	case HC_TR_REQ_BODY:
		if ((o->print & PRINT_REQ_BODY) && o->err == HC_OK) {
			out_write_all(o, STDOUT_FILENO, data, len, "standard output");
			o->req_printed = true;
		}
		break;
	case HC_TR_RESP_HEAD:
		if (o->verbose)
			trace_err(o, "< ", data, len);
		break;
	}
	hb_free(&b);
}

void out_trace_file(void *ud, const char *filename, off_t size)
{
	struct out *o = ud;
	struct hc_headbuf b = {.max = 64 << 20};
	char n[40];
	snprintf(n, sizeof(n), ", %lld bytes>", (long long)size);
	if ((o->print & PRINT_REQ_BODY) && o->err == HC_OK && hb_adds(&b, "<file ") == HC_OK &&
	    out_vis(&b, filename, strlen(filename)) == HC_OK && hb_adds(&b, n) == HC_OK) {
		out_write_all(o, STDOUT_FILENO, b.p, b.len, "standard output");
		o->req_printed = true;
	}
	hb_free(&b);
}

enum hc_err out_head(struct out *o, const struct hc_response *r)
{
	struct hc_headbuf b = {.max = 64 << 20};
	enum hc_err rc = HC_OK;

	if (o->req_printed)
		rc = hb_add(&b, "\n\n", 2);
	o->req_printed = false;
	if (rc == HC_OK && o->color_out)
		rc = hb_adds(&b, status_color(r->status));
	if (rc == HC_OK)
		rc = add_text(&b, r->status_line, strlen(r->status_line), o->tty_out);
	if (rc == HC_OK && o->color_out)
		rc = hb_adds(&b, SGR_RESET);
	if (rc == HC_OK)
		rc = hb_add(&b, "\n", 1);
	for (size_t i = 0; i < r->hdrs.n && rc == HC_OK; i++)
		rc = add_field(&b, r->hdrs.v[i].name, r->hdrs.v[i].value, o->tty_out, o->color_out);
	if (rc == HC_OK)
		rc = hb_add(&b, "\n", 1);
	if (rc == HC_OK)
		rc = out_write_all(o, STDOUT_FILENO, b.p, b.len, "standard output");
	hb_free(&b);
	return rc;
}

void out_pretty(struct out *o, enum pretty_mode mode, unsigned indent, bool sort_keys,
		bool keep_bytes)
{
	o->indent = indent;
	o->sort_keys = sort_keys;
	o->fmt_keep_ws = false;
	if (mode == PRETTY_UNSET) {
		/* colour as --color and NO_COLOR say; formatting only for a terminal */
		o->fmt_json = o->body_tty && !keep_bytes;
		return;
	}
	/* an explicit --pretty wins over NO_COLOR, --color and pipes on standard output */
	o->fmt_json = mode != PRETTY_NONE;
	o->fmt_keep_ws = mode == PRETTY_COLORS; /* JSON tokens coloured, the layout as received */
	o->color_out = mode == PRETTY_ALL || mode == PRETTY_COLORS;
}

#define INDENT_MAX 64

static enum hc_err bad_format_option(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum hc_err bad_format_option(char *err, size_t errlen, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "--format-options: ");
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return HC_EUSAGE;
}

enum hc_err out_format_options(const char *s, unsigned *indent, bool *sort_keys, char *err,
			       size_t errlen)
{
	while (*s) {
		int n = (int)strcspn(s, ","), klen = (int)strcspn(s, ":");
		if (klen >= n)
			return bad_format_option(err, errlen, "'%.*s' is not KEY:VALUE", n, s);
		const char *v = s + klen + 1;
		int vlen = n - klen - 1;
		if (klen == 11 && strncmp(s, "json.indent", 11) == 0) {
			char val[8] = "";
			const char *e = "too long";
			long long k = 0;
			if (vlen < (int)sizeof(val)) {
				memcpy(val, v, (size_t)vlen);
				k = strtonum(val, 0, INDENT_MAX, &e);
			}
			if (e)
				return bad_format_option(err, errlen, "json.indent takes 0 to %d, not '%.*s'",
							 INDENT_MAX, vlen, v);
			*indent = (unsigned)k;
		} else if (klen == 14 && strncmp(s, "json.sort_keys", 14) == 0) {
			*sort_keys = vlen == 4 && strncmp(v, "true", 4) == 0;
			if (!*sort_keys && !(vlen == 5 && strncmp(v, "false", 5) == 0))
				return bad_format_option(err, errlen,
							 "json.sort_keys takes true or false, not '%.*s'",
							 vlen, v);
		} else {
			return bad_format_option(err, errlen,
						 "unknown key '%.*s' (json.indent, json.sort_keys)", klen,
						 s);
		}
		s += n;
		if (*s == ',' && *++s == '\0')
			return bad_format_option(err, errlen, "empty option after ','");
	}
	return HC_OK;
}

/* Does the media type (parameters aside) equal want, ignoring case? */
static bool media_is(const char *mt, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(mt, want, n) == 0;
}

int out_json_kind(const char *ct)
{
	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	size_t n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (media_is(ct, n, "application/x-ndjson") || media_is(ct, n, "application/jsonl"))
		return 2;
	if (media_is(ct, n, "application/json") || media_is(ct, n, "text/json"))
		return 1;
	/* TYPE/SUBTYPE+json, with a type and a subtype before the suffix */
	const char *slash = memchr(ct, '/', n);
	if (slash == NULL || slash == ct || memchr(ct, ' ', n) || memchr(ct, '\t', n))
		return 0;
	size_t sub = n - (size_t)(slash + 1 - ct);
	return sub > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0 && !memchr(slash + 1, '/', sub)
		       ? 1
		       : 0;
}

#define FBUF_CAP (64 << 10)

enum hc_err out_body_begin(struct out *o, const struct hc_response *r)
{
	out_body_close(o);
	if (!o->fmt_json)
		return HC_OK;
	char *ct = hdr_get_joined(&r->hdrs, "Content-Type");
	int kind = out_json_kind(ct);
	free(ct);
	if (kind == 0 || (o->fmt_keep_ws && !(o->color_out && o->body_fd == STDOUT_FILENO)))
		return HC_OK; /* not JSON; or neither layout nor colour: the bytes as received */
	if (o->fmt == NULL && (o->fmt = malloc(sizeof(*o->fmt))) == NULL)
		return HC_ENOMEM;
	if (o->fbuf == NULL && (o->fbuf = malloc(FBUF_CAP)) == NULL)
		return HC_ENOMEM;
	/* JSON tokens in colour only where the heads are: standard output */
	struct pretty_opts po = {.indent = o->indent,
				 .color = o->color_out && o->body_fd == STDOUT_FILENO,
				 .ndjson = kind == 2,
				 .keep_ws = o->fmt_keep_ws,
				 .sort_keys = o->sort_keys && !o->fmt_keep_ws};
	if (pretty_init(o->fmt, &po) < 0)
		return HC_ENOMEM;
	o->flen = 0;
	o->fmt_on = true;
	return HC_OK;
}

void out_body_close(struct out *o)
{
	if (o->fmt_on)
		pretty_free(o->fmt);
	o->fmt_on = false;
	o->flen = 0;
	o->held_off = o->held_len = 0;
}

void out_free(struct out *o)
{
	out_body_close(o);
	free(o->fmt);
	free(o->fbuf);
	free(o->held);
	o->fmt = NULL;
	o->fbuf = NULL;
	o->held = NULL;
	o->held_cap = 0;
}

/*
 * A full non-blocking output (issue 8): the body's bytes it does not take now
 * are held, in order, and the body's sink says "wait for POLLOUT" until they
 * are out; the engine reads nothing meanwhile. A blocking output never
 * returns EAGAIN and holds nothing.
 */
#define OUT_HOLD_MAX (1 << 20)

static enum hc_err body_error(struct out *o)
{
	snprintf(o->errmsg, sizeof(o->errmsg), "%s: %s", o->body_name, strerror(errno));
	return o->err = HC_EWRITE;
}

/* What is held, out now: waiting in place for the output, as a blocking one does. */
static enum hc_err held_out(struct out *o)
{
	enum hc_err rc = HC_OK;
	if (o->held_len)
		rc = out_write_all(o, o->body_fd, o->held + o->held_off, o->held_len, o->body_name);
	o->held_off = o->held_len = 0;
	return rc;
}

/* Bytes the output did not take, kept behind what is held already. */
static enum hc_err held_keep(struct out *o, const char *p, size_t n)
{
	enum hc_err rc;
	if (o->held_len + n > OUT_HOLD_MAX) {
		/* a decoder's or the formatter's output outgrew the hold: wait in place */
		if ((rc = held_out(o)) || n > OUT_HOLD_MAX)
			return rc ? rc : out_write_all(o, o->body_fd, p, n, o->body_name);
	}
	if (o->held_off > 0 && o->held_off + o->held_len + n > o->held_cap) {
		memmove(o->held, o->held + o->held_off, o->held_len);
		o->held_off = 0;
	}
	if (o->held_len + n > o->held_cap) {
		size_t cap = o->held_cap ? o->held_cap : 64 << 10;
		while (cap < o->held_len + n)
			cap *= 2;
		if (cap > OUT_HOLD_MAX)
			cap = OUT_HOLD_MAX;
		char *h = realloc(o->held, cap);
		if (h == NULL) { /* no room to hold: wait in place */
			if ((rc = held_out(o)))
				return rc;
			return out_write_all(o, o->body_fd, p, n, o->body_name);
		}
		o->held = h;
		o->held_cap = cap;
	}
	memcpy(o->held + o->held_off + o->held_len, p, n);
	o->held_len += n;
	return HC_OK;
}

/* Body bytes to the output as far as it takes them now; the rest is held. */
static enum hc_err write_or_hold(struct out *o, const char *p, size_t n)
{
	if (o->held_len)
		return held_keep(o, p, n);
	if (body_held(o))
		return to_hold(o, p, n);
	while (n > 0) {
		ssize_t w = write(o->body_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return held_keep(o, p, n);
		if (w < 0)
			return body_error(o);
		p += w;
		n -= (size_t)w;
	}
	return HC_OK;
}

enum hc_err out_more(struct out *o, int *fd)
{
	*fd = -1;
	while (o->held_len > 0) {
		ssize_t w = write(o->body_fd, o->held + o->held_off, o->held_len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			*fd = o->body_fd;
			return HC_OK;
		}
		if (w < 0)
			return body_error(o);
		o->held_off += (size_t)w;
		o->held_len -= (size_t)w;
	}
	o->held_off = 0;
	return HC_OK;
}

/* Body bytes as they are written, formatted or not. */
static enum hc_err body_write(struct out *o, const char *p, size_t n)
{
	if (o->body_tty) {
		/* a terminal gets no binary: a NUL byte says the body is not text */
		if (!o->suppressed && memchr(p, '\0', n))
			o->suppressed = true;
		if (o->suppressed) {
			o->suppressed_bytes += n;
			return HC_OK;
		}
		if (n > 0)
			o->tty_last = p[n - 1];
	}
	return write_or_hold(o, p, n);
}

static enum hc_err fmt_flush(struct out *o)
{
	size_t n = o->flen;
	o->flen = 0;
	return n ? body_write(o, o->fbuf, n) : HC_OK;
}

/*
 * Body bytes through the formatter. What it makes goes out at the end of each
 * call, so output follows the network; once the body stops being JSON the
 * rest goes out as received, the same way as an unformatted body.
 */
static enum hc_err fmt_body(struct out *o, const char *p, size_t n)
{
	enum hc_err rc = HC_OK;
	while (n > 0 && rc == HC_OK) {
		if (pretty_raw(o->fmt)) {
			if ((rc = fmt_flush(o)) == HC_OK)
				rc = body_write(o, p, n);
			return rc;
		}
		struct pretty_out po = {o->fbuf, o->flen, FBUF_CAP};
		size_t used = pretty_feed(o->fmt, p, n, &po);
		o->flen = po.len;
		p += used;
		n -= used;
		if (n > 0 || o->flen > FBUF_CAP - PRETTY_OUT_MIN)
			rc = fmt_flush(o);
	}
	return rc == HC_OK ? fmt_flush(o) : rc;
}

/* The end of a formatted body: a final number, or held whitespace, then all of it out. */
static enum hc_err fmt_end(struct out *o)
{
	enum hc_err rc = HC_OK;
	for (;;) {
		struct pretty_out po = {o->fbuf, o->flen, FBUF_CAP};
		int more = pretty_finish(o->fmt, &po);
		o->flen = po.len;
		if ((rc = fmt_flush(o)) != HC_OK || !more)
			break;
	}
	out_body_close(o);
	return rc;
}

enum hc_err out_body(struct out *o, const char *p, size_t n)
{
	if (o->req_printed) {
		/* keep the request part apart from the response body */
		o->req_printed = false;
		enum hc_err rc = out_write_all(o, STDOUT_FILENO, "\n\n", 2, "standard output");
		if (rc)
			return rc;
	}
	return o->fmt_on ? fmt_body(o, p, n) : body_write(o, p, n);
}

enum hc_err out_bodyv(struct out *o, struct iovec *iov, int cnt)
{
	if (o->req_printed || o->body_tty || o->fmt_on || cnt == 1 || o->held_len || body_held(o)) {
		enum hc_err rc = HC_OK;
		for (int i = 0; i < cnt && rc == HC_OK; i++)
			rc = out_body(o, iov[i].iov_base, iov[i].iov_len);
		return rc;
	}
	while (cnt > 0) {
		ssize_t w = writev(o->body_fd, iov, cnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			enum hc_err rc = HC_OK;
			for (int i = 0; i < cnt && rc == HC_OK; i++)
				rc = held_keep(o, iov[i].iov_base, iov[i].iov_len);
			return rc;
		}
		if (w < 0)
			return body_error(o);
		tr_iov_advance(&iov, &cnt, (size_t)w);
	}
	return HC_OK;
}

enum hc_err out_body_end(struct out *o, const struct hc_response *r)
{
	enum hc_err rc = held_out(o);
	if (rc == HC_OK && o->fmt_on)
		rc = fmt_end(o);
	rc = rc == HC_OK ? held_out(o) : rc;
	/* as HTTPie: a body on a terminal ends its line, so the prompt starts on its own */
	if (rc == HC_OK && o->tty_last && o->tty_last != '\n' && !o->suppressed)
		rc = out_write_all(o, o->body_fd, "\n", 1, o->body_name);
	o->tty_last = '\0';
	if (o->suppressed) {
		char note[200];
		int n = snprintf(note, sizeof(note),
				 "\n[binary body of %llu bytes not shown on a terminal; save it with -o FILE "
				 "or a redirect]\n",
				 (unsigned long long)o->suppressed_bytes);
		rc = out_write_all(o, STDOUT_FILENO, note, (size_t)n, "standard output");
		o->suppressed = false;
		o->suppressed_bytes = 0;
	}
	if (rc == HC_OK && r->trailers.n && (o->print & PRINT_RESP_HEAD) &&
	    (o->print & PRINT_RESP_BODY)) {
		struct hc_headbuf b = {.max = 64 << 20};
		for (size_t i = 0; i < r->trailers.n && rc == HC_OK; i++)
			rc = add_field(&b, r->trailers.v[i].name, r->trailers.v[i].value, o->tty_out,
				       o->color_out);
		if (rc == HC_OK)
			rc = out_write_all(o, STDOUT_FILENO, b.p, b.len, "standard output");
		hb_free(&b);
	}
	return rc;
}

/* One line on standard error, its text escaped: error and warning text may quote the server. */
static void err_line(const char *prefix, const char *text, size_t n)
{
	struct hc_headbuf b = {.max = 64 << 10};
	if (hb_adds(&b, prefix) == HC_OK && out_vis(&b, text, n) == HC_OK &&
	    hb_add(&b, "\n", 1) == HC_OK)
		(void)out_write_fd(STDERR_FILENO, b.p, b.len);
	hb_free(&b);
}

void out_error(enum hc_err e, const char *detail)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "hcli: %s: ", hc_err_name(e));
	err_line(prefix, detail, strlen(detail));
}

void out_warn(const struct out *o, const char *fmt, ...)
{
	char text[HC_ERRBUF];
	if (o->silent)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	err_line("hcli: warning: ", text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}
