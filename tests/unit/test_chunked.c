/*
 * chunk_step against SPEC.md "Fine points (settled)" / "Response side".
 *
 * The decoder is driven like the real caller: a receive buffer that keeps
 * the bytes chunk_step did not use (*used) and gets more appended, fed all
 * at once or a few bytes at a time. Each call sees its bytes ending right
 * before an unreadable page, so any read past them crashes.
 */
#include "unit.h"

#include "chunked.h"
#include "error.h"
#include "limits.h"

#define IN(s) s, sizeof(s) - 1
#define DATA(s) s, sizeof(s) - 1

struct ccase {
	const char *name;
	const char *in;
	size_t len;
	int want;	  /* HC_CHUNK_DONE, HC_CHUNK_NEED (the input ends early) or -HC_E... */
	const char *data; /* every body byte decoded, also those before an error */
	size_t dlen;
	const char *trailers; /* "line\n" per trailer line */
	size_t tail;	      /* bytes after the body that must stay unused (DONE only) */
};

struct result {
	int rc;
	struct unit_buf data, trailers;
	size_t consumed; /* input bytes used in all */
	struct hc_chunker c;
	bool bad; /* an invariant failed (already reported) */
};

static struct unit_guard guard;

static const char *evname(int ev, char *buf, size_t cap)
{
	static const char *const names[] = {"NEED", "DATA", "TRAILER", "DONE"};
	if (ev >= 0 && ev <= HC_CHUNK_DONE)
		snprintf(buf, cap, "HC_CHUNK_%s", names[ev]);
	else if (ev < 0 && -ev < HC_ERR_COUNT)
		snprintf(buf, cap, "%d (%s)", ev, hc_err_name((enum hc_err) - ev));
	else
		snprintf(buf, cap, "%d (?)", ev);
	return buf;
}

/*
 * Decode in[0..len) giving at most feed new bytes each time more are needed
 * (0: everything at once). Stops at DONE, at an error, or when the input is
 * exhausted and the decoder still needs more (rc HC_CHUNK_NEED).
 */
static void decode(const char *in, size_t len, size_t feed, struct result *r)
{
	struct unit_buf pending = {0};
	size_t fed = 0;
	memset(&r->c, 0, sizeof(r->c));
	r->c.state = HC_CH_SIZE;
	unit_buf_reset(&r->data);
	unit_buf_reset(&r->trailers);
	r->consumed = 0;
	r->bad = false;

	size_t first = feed == 0 || feed > len ? len : feed;
	unit_buf_add(&pending, in, first);
	fed = first;
	for (unsigned long iter = 0;; iter++) {
		if (iter > 4 * len + 100) {
			FAIL("feed %zu: no progress after %lu calls", feed, iter);
			r->bad = true;
			r->rc = -HC_EINTERNAL;
			break;
		}
		const char *buf =
		    unit_guard_put(&guard, pending.p ? pending.p : "", pending.len, false);
		size_t used = (size_t)-1, outlen = (size_t)-1;
		const char *out = NULL;
		int ev = chunk_step(&r->c, buf, pending.len, &used, &out, &outlen);
		if (used > pending.len) {
			FAIL("feed %zu: *used %zu > len %zu", feed, used, pending.len);
			r->bad = true;
			r->rc = -HC_EINTERNAL;
			break;
		}
		if (ev == HC_CHUNK_DATA || ev == HC_CHUNK_TRAILER) {
			if (out == NULL || out < buf || outlen > used ||
			    (size_t)(out - buf) > used - outlen) {
				FAIL("feed %zu: slice at %td+%zu outside the %zu used bytes", feed,
				     out ? out - buf : -1, outlen, used);
				r->bad = true;
				r->rc = -HC_EINTERNAL;
				break;
			}
			if (ev == HC_CHUNK_DATA && outlen == 0) {
				FAIL("feed %zu: empty DATA event", feed);
				r->bad = true;
			}
			if (ev == HC_CHUNK_DATA) {
				unit_buf_add(&r->data, out, outlen);
			} else {
				unit_buf_add(&r->trailers, out, outlen);
				unit_buf_adds(&r->trailers, "\n");
			}
		}
		/* the caller drops what was used and keeps the rest */
		r->consumed += used;
		memmove(pending.p, pending.p + used, pending.len - used);
		pending.len -= used;
		if (ev < 0 || ev == HC_CHUNK_DONE) {
			r->rc = ev;
			break;
		}
		if (ev == HC_CHUNK_NEED) {
			if (fed == len) {
				r->rc = HC_CHUNK_NEED;
				break;
			}
			size_t more = feed == 0 || feed > len - fed ? len - fed : feed;
			unit_buf_add(&pending, in + fed, more);
			fed += more;
		} else if (ev != HC_CHUNK_DATA && ev != HC_CHUNK_TRAILER) {
			char e[64];
			FAIL("feed %zu: unknown event %s", feed, evname(ev, e, sizeof(e)));
			r->bad = true;
			r->rc = ev;
			break;
		}
	}
	unit_buf_free(&pending);
}

static void check_result(const struct ccase *c, size_t feed, const struct result *r)
{
	if (r->bad)
		return;
	if (r->rc != c->want) {
		char a[64], b[64];
		FAIL("feed %zu: ended with %s, want %s", feed, evname(r->rc, a, sizeof(a)),
		     evname(c->want, b, sizeof(b)));
	}
	if (!CHECK_EQ_MEM(r->data.p ? r->data.p : "", r->data.len, c->data, c->dlen))
		unit_note("feed %zu", feed);
	const char *tr = c->trailers ? c->trailers : "";
	if (!CHECK_EQ_MEM(r->trailers.p ? r->trailers.p : "", r->trailers.len, tr, strlen(tr)))
		unit_note("feed %zu", feed);
	if (c->want == HC_CHUNK_DONE && r->rc == HC_CHUNK_DONE) {
		if (!CHECK_EQ_UINT(r->consumed, c->len - c->tail))
			unit_note("feed %zu", feed);
		CHECK_EQ_INT(r->c.state, HC_CH_DONE);
	}
}

static void run_case(const struct ccase *c, const size_t *feeds, size_t nfeeds)
{
	struct result r = {0};
	for (size_t i = 0; i < nfeeds; i++) {
		decode(c->in, c->len, feeds[i], &r);
		check_result(c, feeds[i], &r);
	}
	unit_buf_free(&r.data);
	unit_buf_free(&r.trailers);
}

static const size_t small_feeds[] = {0, 1, 2, 3, 5, 64};
static const size_t big_feeds[] = {0, 4093, 65536};

#define OK(name, s, d, tr)                                                                         \
	{                                                                                          \
		name, IN(s), HC_CHUNK_DONE, DATA(d), tr, 0                                         \
	}
#define BAD(name, s, err, d)                                                                       \
	{                                                                                          \
		name, IN(s), err, DATA(d), NULL, 0                                                 \
	}

static const struct ccase cases[] = {
    OK("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", NULL),
    OK("two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", NULL),
    OK("one-byte chunks", "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n", "abc", NULL),
    OK("empty body", "0\r\n\r\n", "", NULL),
    OK("several zeros as the last chunk", "000\r\n\r\n", "", NULL),
    OK("leading zeros", "0005\r\nhello\r\n0\r\n\r\n", "hello", NULL),
    OK("more than 16 digits with leading zeros", "000000000000000000000003\r\nabc\r\n0\r\n\r\n",
       "abc", NULL),
    OK("uppercase hex", "A\r\n0123456789\r\n1F\r\n0123456789abcdefghijklmnopqrstu\r\n0\r\n\r\n",
       "01234567890123456789abcdefghijklmnopqrstu", NULL),
    OK("lowercase hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789", NULL),
    OK("extension", "5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", NULL),
    OK("extensions with BWS and quotes", "5 ;a=b;c=\"x;y z\"\r\nhello\r\n0\t; e\r\n\r\n", "hello",
       NULL),
    OK("data holding CRLF and a last-chunk", "7\r\n0\r\n\r\nab\r\n0\r\n\r\n", "0\r\n\r\nab", NULL),
    OK("binary data", "4\r\n\0\r\xff\n\r\n0\r\n\r\n", "\0\r\xff\n", NULL),
    OK("bare LF everywhere", "5\nhello\n6\n world\n0\nX: y\n\n", "hello world", "X: y\n"),
    OK("bare LF after data only", "5\r\nhello\n0\r\n\r\n", "hello", NULL),
    OK("bare LF after the size only", "5\nhello\r\n0\n\r\n", "hello", NULL),
    OK("bare LF ends the trailers", "0\r\nA: 1\r\n\n", "", "A: 1\n"),
    OK("trailers", "5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum:  abc \r\n\r\n", "hello",
       "Expires: never\nX-Sum:  abc \n"),
    OK("trailers with bare LF", "0\nA: 1\nB: 2\n\n", "", "A: 1\nB: 2\n"),
    {"bytes after the body stay unused", IN("3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"),
     HC_CHUNK_DONE, DATA("abc"), NULL, 17},
    {"bytes after trailers stay unused", IN("0\r\nA: b\r\n\r\nnext"), HC_CHUNK_DONE, DATA(""),
     "A: b\n", 4},
    {"cut inside the data", IN("5\r\nhel"), HC_CHUNK_NEED, DATA("hel"), NULL, 0},
    {"cut inside the size line", IN("5\r\nhello\r\n1"), HC_CHUNK_NEED, DATA("hello"), NULL, 0},
    {"cut after the data", IN("5\r\nhello"), HC_CHUNK_NEED, DATA("hello"), NULL, 0},
    {"cut between CR and LF after the data", IN("5\r\nhello\r"), HC_CHUNK_NEED, DATA("hello"), NULL,
     0},
    {"cut after the last chunk", IN("5\r\nhello\r\n0\r\n"), HC_CHUNK_NEED, DATA("hello"), NULL, 0},
    {"cut inside a trailer", IN("0\r\nA: b"), HC_CHUNK_NEED, DATA(""), NULL, 0},
    {"largest size 7fffffffffffffff", IN("7fffffffffffffff\r\nabc"), HC_CHUNK_NEED, DATA("abc"),
     NULL, 0},
    {"largest size in uppercase", IN("7FFFFFFFFFFFFFFF;x\r\nab"), HC_CHUNK_NEED, DATA("ab"), NULL,
     0},
    BAD("non-hex size", "xyz\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("non-hex after hex", "5g\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("empty size", "\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("empty size with bare LF", "\n", -HC_ECHUNK, ""),
    BAD("empty size before an extension", ";a=b\r\n", -HC_ECHUNK, ""),
    BAD("0x prefix", "0x10\r\n0123456789abcdef\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("plus sign", "+5\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("minus sign", "-5\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("space before the size", " 5\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("junk after the size", "5 x\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("NUL after the size", "5\0\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("bare CR in the size line", "5;a\rb\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("CR CR LF after the size", "5\r\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, ""),
    BAD("size 8000000000000000 overflows 2^63-1", "8000000000000000\r\nabc\r\n0\r\n\r\n",
	-HC_ECHUNK, ""),
    BAD("size ffffffffffffffff", "ffffffffffffffff\r\nabc\r\n", -HC_ECHUNK, ""),
    BAD("17 hex digits", "10000000000000000\r\nabc\r\n", -HC_ECHUNK, ""),
    BAD("40 hex digits", "1000000000000000000000000000000000000005\r\nhello\r\n", -HC_ECHUNK, ""),
    BAD("second size overflows", "3\r\nabc\r\n8000000000000000\r\n", -HC_ECHUNK, "abc"),
    BAD("data not followed by CRLF", "5\r\nhelloX\r\n0\r\n\r\n", -HC_ECHUNK, "hello"),
    BAD("data longer than its size", "3\r\nhello\r\n0\r\n\r\n", -HC_ECHUNK, "hel"),
    BAD("CR then junk after the data", "5\r\nhello\rX0\r\n\r\n", -HC_ECHUNK, "hello"),
    BAD("CR CR LF after the data", "5\r\nhello\r\r\n0\r\n\r\n", -HC_ECHUNK, "hello"),
    BAD("second chunk's data not followed by CRLF", "1\r\na\r\n1\r\nbc\r\n0\r\n\r\n", -HC_ECHUNK,
	"ab"),
};

/* A size line of n bytes with CRLF: "1;" + padding + CRLF, then "x\r\n0\r\n\r\n". */
static void size_line_cases(void)
{
	struct unit_buf in = {0};
	struct ccase c;
	const size_t max = HC_MAX_LINE;

	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 4);
	unit_buf_adds(&in, "\r\nx\r\n0\r\n\r\n");
	c = (struct ccase){"", in.p, in.len, HC_CHUNK_DONE, DATA("x"), NULL, 0};
	unit_begin("chunked: size line of 65,536 bytes with CRLF accepted");
	run_case(&c, big_feeds, 3);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 3);
	unit_buf_adds(&in, "\nx\n0\n\n");
	c = (struct ccase){"", in.p, in.len, HC_CHUNK_DONE, DATA("x"), NULL, 0};
	unit_begin("chunked: size line of 65,536 bytes with bare LF accepted");
	run_case(&c, big_feeds, 3);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 3);
	unit_buf_adds(&in, "\r\nx\r\n0\r\n\r\n");
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA(""), NULL, 0};
	unit_begin("chunked: size line of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, big_feeds, 3);
	unit_end();

	/* size digits alone: 65,537 bytes of zeros and a 1 */
	unit_buf_reset(&in);
	unit_buf_fill(&in, '0', max - 2);
	unit_buf_adds(&in, "1\r\nx\r\n0\r\n\r\n");
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA(""), NULL, 0};
	unit_begin("chunked: size digits of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, big_feeds, 3);
	unit_end();

	/* partial: 65,535 bytes may still end in time, 65,536 without a LF cannot */
	unit_buf_reset(&in);
	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 1 - 2);
	c = (struct ccase){"", in.p, in.len, HC_CHUNK_NEED, DATA(""), NULL, 0};
	unit_begin("chunked: partial size line of 65,535 bytes needs more");
	run_case(&c, big_feeds, 3);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 2);
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA(""), NULL, 0};
	unit_begin("chunked: partial size line of 65,536 bytes -> HC_ELINE");
	run_case(&c, big_feeds, 3);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "1;");
	unit_buf_fill(&in, 'e', max - 3);
	unit_buf_adds(&in, "\r");
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA(""), NULL, 0};
	unit_begin("chunked: partial size line of 65,536 bytes ending in CR -> HC_ELINE");
	run_case(&c, big_feeds, 3);
	unit_end();

	/* the second size line counts from its own start */
	unit_buf_reset(&in);
	unit_buf_adds(&in, "3\r\nabc\r\n1;");
	unit_buf_fill(&in, 'e', max - 3);
	unit_buf_adds(&in, "\r\nx\r\n0\r\n\r\n");
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA("abc"), NULL, 0};
	unit_begin("chunked: second size line of 65,537 bytes -> HC_ELINE after the first data");
	run_case(&c, big_feeds, 3);
	unit_end();

	/* trailer lines have the same limit */
	struct unit_buf tr = {0};
	unit_buf_adds(&tr, "X: ");
	unit_buf_fill(&tr, 't', max - 3 - 2);
	unit_buf_reset(&in);
	unit_buf_adds(&in, "0\r\n");
	unit_buf_add(&in, tr.p, tr.len);
	unit_buf_adds(&in, "\r\n\r\n");
	unit_buf_adds(&tr, "\n");
	c = (struct ccase){"", in.p, in.len, HC_CHUNK_DONE, DATA(""), tr.p, 0};
	unit_begin("chunked: trailer line of 65,536 bytes with CRLF accepted");
	run_case(&c, big_feeds, 3);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_adds(&in, "0\r\nX: ");
	unit_buf_fill(&in, 't', max - 3 - 2 + 1);
	unit_buf_adds(&in, "\r\n\r\n");
	c = (struct ccase){"", in.p, in.len, -HC_ELINE, DATA(""), NULL, 0};
	unit_begin("chunked: trailer line of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, big_feeds, 3);
	unit_end();

	unit_buf_free(&tr);
	unit_buf_free(&in);
}

/* What the caller relies on beyond the events: *used, the state, the count left. */
static void caller_contract_cases(void)
{
	struct hc_chunker c;
	size_t used, outlen;
	const char *out;
	int ev;
	const char *buf;

	unit_begin("chunked: a size line alone is used and the state is DATA");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("5\r\n"), false);
	ev = chunk_step(&c, buf, 3, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_NEED);
	CHECK_EQ_UINT(used, 3);
	CHECK_EQ_INT(c.state, HC_CH_DATA);
	CHECK_EQ_UINT(c.left, 5);
	unit_end();

	unit_begin("chunked: a partial size line is not used");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("1f;a=b\r"), false);
	ev = chunk_step(&c, buf, 7, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_NEED);
	CHECK_EQ_UINT(used, 0);
	CHECK_EQ_INT(c.state, HC_CH_SIZE);
	unit_end();

	unit_begin("chunked: no bytes at all need more");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, "", 0, false);
	ev = chunk_step(&c, buf, 0, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_NEED);
	CHECK_EQ_UINT(used, 0);
	unit_end();

	unit_begin("chunked: data ends at the chunk and at *used");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("3\r\nabcdef"), false);
	ev = chunk_step(&c, buf, 9, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_DATA);
	CHECK_EQ_UINT(used, 6);
	if (CHECK(out == buf + 3))
		CHECK_EQ_MEM(out, outlen, "abc", 3);
	CHECK_EQ_INT(c.state, HC_CH_DATA_END);
	unit_end();

	/* SPEC: a close right after the last chunk "0\r\n" leaves a complete body */
	unit_begin("chunked: after the last chunk the state is TRAILER");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("0\r\n"), false);
	ev = chunk_step(&c, buf, 3, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_NEED);
	CHECK_EQ_UINT(used, 3);
	CHECK_EQ_INT(c.state, HC_CH_TRAILER);
	unit_end();

	unit_begin("chunked: 7fffffffffffffff is a size; the count left goes down");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("7fffffffffffffff\r\nabcd"), false);
	ev = chunk_step(&c, buf, 22, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_DATA);
	CHECK_EQ_UINT(used, 22);
	CHECK_EQ_UINT(outlen, 4);
	CHECK_EQ_INT(c.state, HC_CH_DATA);
	CHECK_EQ_UINT(c.left, UINT64_C(0x7fffffffffffffff) - 4);
	unit_end();

	unit_begin("chunked: DONE again after DONE, nothing used");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("0\r\n\r\nXYZ"), false);
	ev = chunk_step(&c, buf, 8, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_DONE);
	CHECK_EQ_UINT(used, 5);
	buf = unit_guard_put(&guard, IN("XYZ"), false);
	ev = chunk_step(&c, buf, 3, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_DONE);
	CHECK_EQ_UINT(used, 0);
	unit_end();

	unit_begin("chunked: a trailer line is returned without its ending");
	memset(&c, 0, sizeof(c));
	buf = unit_guard_put(&guard, IN("0\r\nA: b\r\n\r\n"), false);
	ev = chunk_step(&c, buf, 3, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_NEED);
	CHECK_EQ_UINT(used, 3);
	buf = unit_guard_put(&guard, IN("A: b\r\n\r\n"), false);
	ev = chunk_step(&c, buf, 8, &used, &out, &outlen);
	CHECK_EQ_INT(ev, HC_CHUNK_TRAILER);
	CHECK_EQ_UINT(used, 6);
	if (CHECK(out == buf))
		CHECK_EQ_MEM(out, outlen, "A: b", 4);
	unit_end();
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char e[64];
		unit_begin("chunked: %s -> %s", cases[i].name, evname(cases[i].want, e, sizeof(e)));
		run_case(&cases[i], small_feeds, sizeof(small_feeds) / sizeof(small_feeds[0]));
		unit_end();
	}
	size_line_cases();
	caller_contract_cases();
	unit_guard_free(&guard);
	return unit_done();
}
