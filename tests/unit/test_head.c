/*
 * head_parse, head_parse_field and head_unfold against SPEC.md "Fine points
 * (settled)" / "Response side". Every input is parsed where it ends right
 * before an unreadable page (and again where it starts right after one), so
 * a read past either end crashes the test.
 */
#include "unit.h"

#include "error.h"
#include "head.h"
#include "limits.h"

#define IN(s) s, sizeof(s) - 1
#define WHOLE (-1000000L) /* the whole input is the head */
#define MAXF 100
#define BAD(name, s, err)                                                                          \
	{                                                                                          \
		name, IN(s), err, 0, 0, NULL, NULL                                                 \
	}

struct hcase {
	const char *name;
	const char *in;
	size_t len;
	long want;   /* WHOLE, the head's length, 0 or -HC_E... */
	int version; /* for a complete head */
	int status;
	const char *reason;
	const char *fields; /* "Name: value\n" per field, folded values joined */
};

static struct unit_guard guard;

static const char *rcname(long rc, char *buf, size_t cap)
{
	if (rc > 0)
		snprintf(buf, cap, "%ld (complete)", rc);
	else if (rc == 0)
		snprintf(buf, cap, "0 (need more)");
	else if (-rc < HC_ERR_COUNT)
		snprintf(buf, cap, "%ld (%s)", rc, hc_err_name((enum hc_err) - rc));
	else
		snprintf(buf, cap, "%ld (?)", rc);
	return buf;
}

static bool check_rc(long got, long want, const char *what)
{
	if (got == want)
		return true;
	char a[64], b[64];
	FAIL("%s: head_parse returned %s, want %s", what, rcname(got, a, sizeof(a)),
	     rcname(want, b, sizeof(b)));
	return false;
}

static bool inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p != NULL && p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* The fields as "Name: value\n" lines, folded values joined; checks their slices too. */
static void render_fields(const struct hc_head *h, const char *buf, size_t len,
			  struct unit_buf *out)
{
	for (size_t i = 0; i < h->nfields; i++) {
		const struct hc_head_field *f = &h->fields[i];
		if (!CHECK(inside(f->name, f->nlen, buf, len)) ||
		    !CHECK(inside(f->value, f->vlen, buf, len)))
			return;
		unit_buf_add(out, f->name, f->nlen);
		unit_buf_adds(out, ": ");
		if (f->folded) {
			/* head_unfold never writes more than vlen bytes: give it exactly that */
			char *v = malloc(f->vlen ? f->vlen : 1);
			size_t n = head_unfold(f->value, f->vlen, v);
			CHECK(n <= f->vlen);
			unit_buf_add(out, v, n);
			free(v);
		} else {
			CHECK(memchr(f->value, '\r', f->vlen) == NULL);
			CHECK(memchr(f->value, '\n', f->vlen) == NULL);
			unit_buf_add(out, f->value, f->vlen);
		}
		unit_buf_adds(out, "\n");
	}
}

/* Parse in at both guarded placements and check the outcome against the case. */
static void run_case(const struct hcase *c, size_t maxf)
{
	size_t len = c->len;
	long want = c->want == WHOLE ? (long)len : c->want;
	struct hc_head_field *fields = calloc(maxf + 1, sizeof(*fields));
	struct unit_buf got = {0};

	for (int front = 0; front < 2; front++) {
		const char *where = front ? "start at a guard" : "end at a guard";
		const char *buf = unit_guard_put(&guard, c->in, len, front);
		struct hc_head h;
		memset(&h, 0, sizeof(h));
		h.fields = fields;
		h.maxfields = maxf;
		long rc = head_parse(buf, len, &h);
		if (!check_rc(rc, want, where))
			continue;
		if (rc <= 0)
			continue;
		CHECK_EQ_INT(h.version, c->version);
		CHECK_EQ_INT(h.status, c->status);
		if (CHECK(inside(h.reason, h.rlen, buf, (size_t)rc)))
			CHECK_EQ_MEM(h.reason, h.rlen, c->reason, strlen(c->reason));
		if (CHECK(inside(h.line, h.line_len, buf, (size_t)rc)))
			CHECK(h.line == buf);
		CHECK(h.nfields <= maxf);
		unit_buf_reset(&got);
		render_fields(&h, buf, (size_t)rc, &got);
		CHECK_EQ_MEM(got.p ? got.p : "", got.len, c->fields, strlen(c->fields));
	}
	unit_buf_free(&got);
	free(fields);
}

/*
 * Every proper prefix of a head must ask for more bytes (for a valid head) or
 * give 0 or the same error (for an invalid one): never a complete head.
 */
static void run_prefixes(const struct hcase *c, size_t maxf)
{
	long want = c->want == WHOLE ? (long)c->len : c->want;
	size_t upto = want > 0 ? (size_t)want : c->len;
	struct hc_head_field *fields = calloc(maxf + 1, sizeof(*fields));
	for (size_t k = 0; k < upto; k++) {
		const char *buf = unit_guard_put(&guard, c->in, k, false);
		struct hc_head h = {.fields = fields, .maxfields = maxf};
		long rc = head_parse(buf, k, &h);
		if (rc == 0 || (want < 0 && rc == want))
			continue;
		char a[64], e[200];
		FAIL("prefix of %zu bytes %s: head_parse returned %s, want 0%s", k,
		     unit_esc(e, sizeof(e), buf, k, 60), rcname(rc, a, sizeof(a)),
		     want < 0 ? " or the same error" : "");
		break;
	}
	free(fields);
}

static const struct hcase valid[] = {
    {"HTTP/1.1 with CRLF", IN("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: x\r\n\r\n"), WHOLE,
     11, 200, "OK", "Content-Length: 0\nServer: x\n"},
    {"HTTP/1.0", IN("HTTP/1.0 404 Not Found\r\nServer: y\r\n\r\n"), WHOLE, 10, 404, "Not Found",
     "Server: y\n"},
    {"no fields", IN("HTTP/1.1 204 No Content\r\n\r\n"), WHOLE, 11, 204, "No Content", ""},
    {"no reason", IN("HTTP/1.1 204\r\n\r\n"), WHOLE, 11, 204, "", ""},
    {"empty reason", IN("HTTP/1.1 200 \r\n\r\n"), WHOLE, 11, 200, "", ""},
    {"reason with spaces and a tab", IN("HTTP/1.1 500 Internal  Server\tError \r\n\r\n"), WHOLE, 11,
     500, "Internal  Server\tError ", ""},
    {"several spaces before the code", IN("HTTP/1.1   302 Found\r\n\r\n"), WHOLE, 11, 302, "Found",
     ""},
    {"status 100", IN("HTTP/1.1 100 Continue\r\n\r\n"), WHOLE, 11, 100, "Continue", ""},
    {"status 999", IN("HTTP/1.1 999 x\r\n\r\n"), WHOLE, 11, 999, "x", ""},
    {"obs-text in the reason", IN("HTTP/1.1 200 D\xc3\xa9j\xc3\xa0\r\n\r\n"), WHOLE, 11, 200,
     "D\xc3\xa9j\xc3\xa0", ""},
    {"bare LF everywhere", IN("HTTP/1.1 200 OK\nA: b\nC: d\n\n"), WHOLE, 11, 200, "OK",
     "A: b\nC: d\n"},
    {"bare LF then CRLF", IN("HTTP/1.1 200 OK\nA: b\r\nC: d\n\r\n"), WHOLE, 11, 200, "OK",
     "A: b\nC: d\n"},
    {"CRLF head, bare LF blank line", IN("HTTP/1.1 200 OK\r\nA: b\r\n\n"), WHOLE, 11, 200, "OK",
     "A: b\n"},
    {"obs-fold joined with one space", IN("HTTP/1.1 200 OK\r\nX: a\r\n  b\r\n\tc\r\nY: d\r\n\r\n"),
     WHOLE, 11, 200, "OK", "X: a b c\nY: d\n"},
    {"obs-fold with bare LF", IN("HTTP/1.1 200 OK\nX: a  \n \t b\nY: d\n\n"), WHOLE, 11, 200, "OK",
     "X: a b\nY: d\n"},
    {"obs-fold of an empty value", IN("HTTP/1.1 200 OK\r\nX:\r\n   b c\r\n\r\n"), WHOLE, 11, 200,
     "OK", "X: b c\n"},
    {"obs-fold of whitespace only", IN("HTTP/1.1 200 OK\r\nX: a\r\n   \r\n b\r\n\r\n"), WHOLE, 11,
     200, "OK", "X: a b\n"},
    {"value OWS trimmed", IN("HTTP/1.1 200 OK\r\nX: \t v a l \t \r\nY:v\r\n\r\n"), WHOLE, 11, 200,
     "OK", "X: v a l\nY: v\n"},
    {"empty values", IN("HTTP/1.1 200 OK\r\nX:\r\nY:   \r\n\r\n"), WHOLE, 11, 200, "OK",
     "X: \nY: \n"},
    {"colon in the value", IN("HTTP/1.1 301 Moved\r\nLocation: http://h:1/a:b\r\n\r\n"), WHOLE, 11,
     301, "Moved", "Location: http://h:1/a:b\n"},
    {"every token character in a name", IN("HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n"),
     WHOLE, 11, 200, "OK", "!#$%&'*+-.^_`|~09azAZ: v\n"},
    {"obs-text in a value", IN("HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\x80\xff\r\n\r\n"), WHOLE, 11, 200,
     "OK", "X: caf\xc3\xa9\x80\xff\n"},
    {"repeated fields in order", IN("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nA: 3\r\n\r\n"), WHOLE, 11,
     200, "OK", "A: 1\nB: 2\nA: 3\n"},
    {"body bytes after the head are not taken",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), 38, 11, 200, "OK",
     "Content-Length: 5\n"},
    {"a second head after the first", IN("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
     25, 11, 100, "Continue", ""},
};

static const struct hcase invalid[] = {
    BAD("lower-case http/", "http/1.1 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/2", "HTTP/2 200\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/0.9 status", "HTTP/0.9 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("HTTP/0.9 simple response", "<html>hello</html>\r\n\r\n", -HC_EBADSTATUS),
    BAD("ICY", "ICY 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("two-digit code", "HTTP/1.1 20 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("two-digit code, no reason", "HTTP/1.1 20\r\n\r\n", -HC_EBADSTATUS),
    BAD("four-digit code", "HTTP/1.1 2000 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("four-digit code, no reason", "HTTP/1.1 2000\r\n\r\n", -HC_EBADSTATUS),
    BAD("code 099", "HTTP/1.1 099 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("code 000", "HTTP/1.1 000 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("non-digit in the code", "HTTP/1.1 2x0 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("signed code", "HTTP/1.1 +200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("no code", "HTTP/1.1 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("version only", "HTTP/1.1\r\n\r\n", -HC_EBADSTATUS),
    BAD("tab before the code", "HTTP/1.1\t200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("tab after the code", "HTTP/1.1 200\tOK\r\n\r\n", -HC_EBADSTATUS),
    BAD("blank line first", "\r\nHTTP/1.1 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("bare LF blank line first", "\nHTTP/1.1 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("space before the version", " HTTP/1.1 200 OK\r\n\r\n", -HC_EBADSTATUS),
    BAD("bare CR in the status line", "HTTP/1.1 200 O\rK\r\n\r\n", -HC_EBADSTATUS),
    BAD("CR CR LF after the status line", "HTTP/1.1 200 OK\r\r\n\r\n", -HC_EBADSTATUS),
    BAD("NUL in the status line", "HTTP/1.1 200 O\0K\r\n\r\n", -HC_EBADSTATUS),
    BAD("whitespace between name and colon", "HTTP/1.1 200 OK\r\nX : v\r\n\r\n", -HC_EHEADER),
    BAD("tab between name and colon", "HTTP/1.1 200 OK\r\nX\t: v\r\n\r\n", -HC_EHEADER),
    BAD("line without a colon", "HTTP/1.1 200 OK\r\nA: b\r\nNoColon\r\n\r\n", -HC_EHEADER),
    BAD("empty name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n", -HC_EHEADER),
    BAD("bare CR in a value", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", -HC_EHEADER),
    BAD("bare CR before CRLF", "HTTP/1.1 200 OK\r\nX: a\r\r\n\r\n", -HC_EHEADER),
    BAD("bare CR as a line ending", "HTTP/1.1 200 OK\r\nX: a\rY: b\r\n\r\n", -HC_EHEADER),
    BAD("a line of one CR", "HTTP/1.1 200 OK\r\nX: a\r\n\r\r\n\r\n", -HC_EHEADER),
    BAD("bare CR in a folded line", "HTTP/1.1 200 OK\r\nX: a\r\n b\rc\r\n\r\n", -HC_EHEADER),
    BAD("NUL in a value", "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", -HC_EHEADER),
    BAD("NUL in a name", "HTTP/1.1 200 OK\r\nX\0Y: v\r\n\r\n", -HC_EHEADER),
    BAD("NUL in a folded line", "HTTP/1.1 200 OK\r\nX: a\r\n b\0\r\n\r\n", -HC_EHEADER),
    BAD("space before the first field", "HTTP/1.1 200 OK\r\n X: v\r\n\r\n", -HC_EHEADER),
    BAD("tab before the first field", "HTTP/1.1 200 OK\r\n\tX: v\r\n\r\n", -HC_EHEADER),
    BAD("name with a space", "HTTP/1.1 200 OK\r\nX Y: v\r\n\r\n", -HC_EHEADER),
    BAD("name with '@'", "HTTP/1.1 200 OK\r\nX@Y: v\r\n\r\n", -HC_EHEADER),
    BAD("name with parentheses", "HTTP/1.1 200 OK\r\n(X): v\r\n\r\n", -HC_EHEADER),
    BAD("name with a slash", "HTTP/1.1 200 OK\r\nX/Y: v\r\n\r\n", -HC_EHEADER),
    BAD("name with a non-ASCII byte", "HTTP/1.1 200 OK\r\nX\xc3\xa9: v\r\n\r\n", -HC_EHEADER),
    BAD("name with a DEL", "HTTP/1.1 200 OK\r\nX\x7f: v\r\n\r\n", -HC_EHEADER),
};

/* "HTTP/1.1 200 OK\r\n" + n fields + "\r\n", and the expected rendering. */
static void many_fields(size_t n, struct unit_buf *in, struct unit_buf *want)
{
	unit_buf_adds(in, "HTTP/1.1 200 OK\r\n");
	for (size_t i = 0; i < n; i++) {
		unit_buf_printf(in, "X-Field-%03zu: value %zu\r\n", i, i);
		unit_buf_printf(want, "X-Field-%03zu: value %zu\n", i, i);
	}
	unit_buf_adds(in, "\r\n");
}

static void field_count_cases(void)
{
	struct unit_buf in = {0}, want = {0};
	many_fields(HC_MAX_HEADERS, &in, &want);
	struct hcase c = {"", in.p, in.len, WHOLE, 11, 200, "OK", want.p};

	unit_begin("head: 100 fields accepted with maxfields 100");
	run_case(&c, MAXF);
	unit_end();
	unit_begin("head: 100 fields, every prefix needs more");
	run_prefixes(&c, MAXF);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_reset(&want);
	many_fields(HC_MAX_HEADERS + 1, &in, &want);
	c = (struct hcase){"", in.p, in.len, -HC_EHEADERS, 0, 0, NULL, NULL};
	unit_begin("head: 101 fields with maxfields 100 -> HC_EHEADERS");
	run_case(&c, MAXF);
	unit_end();
	unit_begin("head: 101 fields, every prefix needs more or is HC_EHEADERS");
	run_prefixes(&c, MAXF);
	unit_end();

	/* the limit is the caller's array, not a constant */
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	many_fields(3, &in, &want);
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, "OK", want.p};
	unit_begin("head: 3 fields with maxfields 3");
	run_case(&c, 3);
	unit_end();
	c = (struct hcase){"", in.p, in.len, -HC_EHEADERS, 0, 0, NULL, NULL};
	unit_begin("head: 3 fields with maxfields 2 -> HC_EHEADERS");
	run_case(&c, 2);
	unit_end();
	c = (struct hcase){"", IN("HTTP/1.1 200 OK\r\n\r\n"), WHOLE, 11, 200, "OK", ""};
	unit_begin("head: no fields with maxfields 0");
	run_case(&c, 0);
	unit_end();

	/* folded lines are not fields */
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	many_fields(HC_MAX_HEADERS, &in, &want);
	in.len -= 2; /* before the blank line */
	unit_buf_adds(&in, " folded\r\n\tagain\r\n\r\n");
	want.len -= 1;
	unit_buf_adds(&want, " folded again\n");
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, "OK", want.p};
	unit_begin("head: 100 fields and folded lines with maxfields 100");
	run_case(&c, MAXF);
	unit_end();

	unit_buf_free(&in);
	unit_buf_free(&want);
}

/*
 * SPEC: "a line may be 65,536 bytes including its CRLF; the limit applies to
 * the status line, header lines". A partial line is too long only once no
 * line ending can make it fit: 65,536 bytes without a LF.
 */
static void line_limit_cases(void)
{
	struct unit_buf in = {0}, want = {0}, reason = {0};
	struct hcase c;
	const size_t max = HC_MAX_LINE;

	/* status line of exactly max bytes with CRLF: "HTTP/1.1 200 " + reason + CRLF */
	unit_buf_fill(&reason, 'r', max - 13 - 2);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_add(&in, reason.p, reason.len);
	unit_buf_adds(&in, "\r\n\r\n");
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, reason.p, ""};
	unit_begin("head: status line of 65,536 bytes with CRLF accepted");
	run_case(&c, MAXF);
	unit_end();

	/* the same with a bare LF: max bytes with the LF */
	unit_buf_reset(&in);
	unit_buf_reset(&reason);
	unit_buf_fill(&reason, 'r', max - 13 - 1);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_add(&in, reason.p, reason.len);
	unit_buf_adds(&in, "\n\n");
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, reason.p, ""};
	unit_begin("head: status line of 65,536 bytes with bare LF accepted");
	run_case(&c, MAXF);
	unit_end();

	/* one byte more: 65,537 with CRLF */
	unit_buf_reset(&in);
	unit_buf_reset(&reason);
	unit_buf_fill(&reason, 'r', max - 13 - 2 + 1);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_add(&in, reason.p, reason.len);
	unit_buf_adds(&in, "\r\n\r\n");
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: status line of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_fill(&in, 'r', max - 13 - 1 + 1);
	unit_buf_adds(&in, "\n\n");
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: status line of 65,537 bytes with bare LF -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	/* partial status line: 65,535 bytes may still end in time, 65,536 cannot */
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_fill(&in, 'r', max - 1 - 13);
	c = (struct hcase){"", in.p, in.len, 0, 0, 0, NULL, NULL};
	unit_begin("head: partial status line of 65,535 bytes needs more");
	run_case(&c, MAXF);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_fill(&in, 'r', max - 1 - 13 - 1);
	unit_buf_adds(&in, "\r");
	c = (struct hcase){"", in.p, in.len, 0, 0, 0, NULL, NULL};
	unit_begin("head: partial status line of 65,535 bytes ending in CR needs more");
	run_case(&c, MAXF);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_fill(&in, 'r', max - 13);
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: partial status line of 65,536 bytes -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 ");
	unit_buf_fill(&in, 'r', max - 13 - 1);
	unit_buf_adds(&in, "\r");
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: partial status line of 65,536 bytes ending in CR -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	/* header line of exactly max bytes with CRLF: "X: " + value + CRLF */
	struct unit_buf value = {0};
	unit_buf_fill(&value, 'v', max - 3 - 2);
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\nA: 1\r\nX: ");
	unit_buf_add(&in, value.p, value.len);
	unit_buf_adds(&in, "\r\nB: 2\r\n\r\n");
	unit_buf_reset(&want);
	unit_buf_adds(&want, "A: 1\nX: ");
	unit_buf_add(&want, value.p, value.len);
	unit_buf_adds(&want, "\nB: 2\n");
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, "OK", want.p};
	unit_begin("head: header line of 65,536 bytes with CRLF accepted");
	run_case(&c, MAXF);
	unit_end();

	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\nA: 1\r\nX: ");
	unit_buf_add(&in, value.p, value.len);
	unit_buf_adds(&in, "v\r\nB: 2\r\n\r\n");
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: header line of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	/* a folded continuation line is a line too */
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\nX: a\r\n ");
	unit_buf_fill(&in, 'v', max - 1 - 2 + 1);
	unit_buf_adds(&in, "\r\n\r\n");
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: folded line of 65,537 bytes with CRLF -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	/* partial header line after a complete status line */
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\nX: ");
	unit_buf_fill(&in, 'v', max - 1 - 3);
	c = (struct hcase){"", in.p, in.len, 0, 0, 0, NULL, NULL};
	unit_begin("head: partial header line of 65,535 bytes needs more");
	run_case(&c, MAXF);
	unit_end();
	unit_buf_reset(&in);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\nX: ");
	unit_buf_fill(&in, 'v', max - 3);
	c = (struct hcase){"", in.p, in.len, -HC_ELINE, 0, 0, NULL, NULL};
	unit_begin("head: partial header line of 65,536 bytes -> HC_ELINE");
	run_case(&c, MAXF);
	unit_end();

	/* many long lines: the limit is per line, not per head */
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	unit_buf_adds(&in, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 3; i++) {
		unit_buf_printf(&in, "X%d: ", i);
		unit_buf_add(&in, value.p, value.len - 1);
		unit_buf_adds(&in, "\r\n");
		unit_buf_printf(&want, "X%d: ", i);
		unit_buf_add(&want, value.p, value.len - 1);
		unit_buf_adds(&want, "\n");
	}
	unit_buf_adds(&in, "\r\n");
	c = (struct hcase){"", in.p, in.len, WHOLE, 11, 200, "OK", want.p};
	unit_begin("head: three header lines of 65,536 bytes each accepted");
	run_case(&c, MAXF);
	unit_end();

	unit_buf_free(&value);
	unit_buf_free(&in);
	unit_buf_free(&want);
	unit_buf_free(&reason);
}

/* head_parse_field: one trailer line without its line ending. */
struct fcase {
	const char *name;
	const char *in;
	size_t len;
	int want;
	const char *fname, *fvalue;
};

static const struct fcase field_cases[] = {
    {"simple", IN("Name: value"), 0, "Name", "value"},
    {"OWS trimmed", IN("X-Sum:\t  a b \t"), 0, "X-Sum", "a b"},
    {"empty value", IN("X:"), 0, "X", ""},
    {"colon in the value", IN("X: a:b"), 0, "X", "a:b"},
    {"no colon", IN("Name value"), -HC_EHEADER, NULL, NULL},
    {"empty name", IN(": v"), -HC_EHEADER, NULL, NULL},
    {"space before the colon", IN("X : v"), -HC_EHEADER, NULL, NULL},
    {"leading space", IN(" X: v"), -HC_EHEADER, NULL, NULL},
    {"non-token name", IN("X,Y: v"), -HC_EHEADER, NULL, NULL},
    {"bare CR in the value", IN("X: a\rb"), -HC_EHEADER, NULL, NULL},
    {"trailing CR", IN("X: a\r"), -HC_EHEADER, NULL, NULL},
    {"NUL in the value", IN("X: a\0b"), -HC_EHEADER, NULL, NULL},
    {"empty line", IN(""), -HC_EHEADER, NULL, NULL},
};

static void parse_field_cases(void)
{
	for (size_t i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const struct fcase *c = &field_cases[i];
		unit_begin("head_parse_field: %s", c->name);
		const char *buf = unit_guard_put(&guard, c->in, c->len, false);
		struct hc_head_field f;
		memset(&f, 0, sizeof(f));
		int rc = head_parse_field(buf, c->len, &f);
		if (CHECK_EQ_INT(rc, c->want) && rc == 0) {
			CHECK(inside(f.name, f.nlen, buf, c->len));
			CHECK(inside(f.value, f.vlen, buf, c->len));
			CHECK_EQ_MEM(f.name, f.nlen, c->fname, strlen(c->fname));
			CHECK_EQ_MEM(f.value, f.vlen, c->fvalue, strlen(c->fvalue));
			CHECK(!f.folded);
		}
		unit_end();
	}
}

/* head_unfold alone: folded spans as head_parse leaves them. */
static void unfold_cases(void)
{
	static const struct {
		const char *name, *in, *want;
	} cases[] = {
	    {"plain", "abc", "abc"},
	    {"CRLF and spaces", "a\r\n  b", "a b"},
	    {"bare LF and tab", "a\n\tb", "a b"},
	    {"trailing spaces before the fold", "a  \r\n b", "a b"},
	    {"several folds", "a\r\n b\r\n\t\tc", "a b c"},
	    {"inner spaces kept", "a  b\r\n c  d", "a  b c  d"},
	    {"whitespace-only line between", "a\r\n   \r\n b", "a b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("head_unfold: %s", cases[i].name);
		size_t n = strlen(cases[i].in);
		const char *buf = unit_guard_put(&guard, cases[i].in, n, false);
		char *out = malloc(n + 1);
		size_t o = head_unfold(buf, n, out);
		if (CHECK(o <= n))
			CHECK_EQ_MEM(out, o, cases[i].want, strlen(cases[i].want));
		free(out);
		unit_end();
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		unit_begin("head: valid: %s", valid[i].name);
		run_case(&valid[i], MAXF);
		unit_end();
		unit_begin("head: valid: %s: every prefix needs more", valid[i].name);
		run_prefixes(&valid[i], MAXF);
		unit_end();
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		char e[64];
		unit_begin("head: invalid: %s -> %s", invalid[i].name,
			   rcname(invalid[i].want, e, sizeof(e)));
		run_case(&invalid[i], MAXF);
		run_prefixes(&invalid[i], MAXF);
		unit_end();
	}
	field_count_cases();
	line_limit_cases();
	parse_field_cases();
	unfold_cases();
	unit_guard_free(&guard);
	return unit_done();
}
