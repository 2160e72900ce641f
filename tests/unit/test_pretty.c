/*
 * The streaming JSON formatter (src/cli/pretty.c) against SPEC.md Part 2
 * "Formatting responses".
 *
 * Every table case is run fed all at once and 1, 2, 3 and 7 bytes at a time,
 * into an output buffer of PRETTY_OUT_MIN bytes and of 4 KiB, each feed ending
 * right before an unreadable page; all must give the expected bytes. Every
 * run is also held to the raw-tail rule (raw_tail_ok below).
 */
#include "unit.h"

#include "../../src/cli/pretty.h"
#include "json_strip.h"

struct pcase {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
	size_t wlen;
	unsigned indent;
	int ndjson;
	bool ok;
	const char *sorted; /* with json.sort_keys */
	size_t slen;
};

static const struct pcase cases[] = {
#include "pretty_cases.h"
};

struct run {
	struct unit_buf out;
	bool ok, raw;
	uint64_t raw_at;
	size_t first_raw; /* the input offset where a pretty_feed call stopped for the raw tail */
};

static struct unit_guard guard;

/*
 * Formats in[0..len), the first split bytes first, then feed bytes at a time
 * (0: all at once), into an output buffer of cap bytes, drained into r->out
 * whenever a call leaves input.
 */
static bool format_split(const char *in, size_t len, const struct pretty_opts *opts, size_t split,
			 size_t feed, size_t cap, struct run *r)
{
	struct pretty p;
	char *obuf = malloc(cap);
	struct pretty_out out = {.buf = obuf, .cap = cap};
	bool good = true;
	unit_buf_reset(&r->out);
	r->first_raw = (size_t)-1;
	if (obuf == NULL || pretty_init(&p, opts) != 0) {
		FAIL("pretty_init");
		free(obuf);
		return false;
	}
	size_t at = 0, stuck = 0;
	while (at < len && good) {
		size_t n = at < split ? split - at : feed == 0 || feed > len - at ? len - at : feed;
		const char *piece = unit_guard_put(&guard, in + at, n, false);
		size_t used_piece = 0;
		while (used_piece < n) {
			bool was_raw = pretty_raw(&p);
			size_t used = pretty_feed(&p, piece + used_piece, n - used_piece, &out);
			if (used > n - used_piece || out.len > out.cap) {
				FAIL("feed %zu cap %zu: used %zu of %zu, out %zu of %zu", feed, cap,
				     used, n - used_piece, out.len, out.cap);
				good = false;
				break;
			}
			if (!was_raw && pretty_raw(&p) && r->first_raw == (size_t)-1)
				r->first_raw = at + used_piece + used;
			used_piece += used;
			stuck = used == 0 && out.len == 0 ? stuck + 1 : 0;
			unit_buf_add(&r->out, out.buf, out.len);
			out.len = 0;
			if (stuck > 2) {
				FAIL("feed %zu cap %zu: no progress", feed, cap);
				good = false;
				break;
			}
		}
		at += n;
	}
	while (good && pretty_finish(&p, &out)) {
		stuck = out.len == 0 ? stuck + 1 : 0;
		unit_buf_add(&r->out, out.buf, out.len);
		out.len = 0;
		if (stuck > 2) {
			FAIL("finish: no progress");
			good = false;
		}
	}
	unit_buf_add(&r->out, out.buf, out.len);
	r->ok = pretty_ok(&p);
	r->raw = pretty_raw(&p);
	r->raw_at = pretty_raw_at(&p);
	pretty_free(&p);
	free(obuf);
	return good;
}

static bool format(const char *in, size_t len, const struct pretty_opts *opts, size_t feed,
		   size_t cap, struct run *r)
{
	return format_split(in, len, opts, 0, feed, cap, r);
}

/* b holds what strip (json_strip.h) leaves of s[0..n). */
static void strip_to(size_t (*strip)(const char *, size_t, char *), const char *s, size_t n,
		     struct unit_buf *b)
{
	unit_buf_reset(b);
	unit_buf_fill(b, '\0', n);
	b->len = strip(s, n, b->p);
	if (b->p)
		b->p[b->len] = '\0';
}

/*
 * The raw-tail rule: the output is the input up to raw_at with its layout
 * changed (nothing else), then input[raw_at..] unchanged. For complete JSON,
 * raw_at is the input's length.
 */
static bool raw_tail_ok(const char *in, size_t len, const struct run *r)
{
	static struct unit_buf a, b;
	if (r->raw_at > len) {
		FAIL("raw_at %llu past the input (%zu)", (unsigned long long)r->raw_at, len);
		return false;
	}
	size_t tail = len - (size_t)r->raw_at;
	if (r->ok && tail != 0) {
		FAIL("complete, yet raw_at %llu", (unsigned long long)r->raw_at);
		return false;
	}
	if (r->out.len < tail || memcmp(r->out.p + r->out.len - tail, in + r->raw_at, tail) != 0) {
		FAIL("the output does not end with input[%llu..]", (unsigned long long)r->raw_at);
		return false;
	}
	strip_to(strip_layout, r->out.p, r->out.len - tail, &a);
	strip_to(strip_layout, in, (size_t)r->raw_at, &b);
	return CHECK_EQ_MEM(a.p, a.len, b.p, b.len);
}

static void test_table(void)
{
	static const size_t feeds[] = {0, 1, 2, 3, 7};
	static const size_t caps[] = {PRETTY_OUT_MIN, 4096};
	struct run r = {0};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct pcase *c = &cases[k];
		struct pretty_opts o = {.indent = c->indent, .ndjson = c->ndjson};
		unit_begin("table: %s", c->name);
		for (size_t f = 0; f < sizeof(feeds) / sizeof(feeds[0]); f++) {
			for (size_t m = 0; m < 2; m++) {
				if (!format(c->in, c->len, &o, feeds[f], caps[m], &r))
					break;
				unit_note("feed %zu, out buffer %zu", feeds[f], caps[m]);
				if (!CHECK_EQ_MEM(r.out.p, r.out.len, c->want, c->wlen) ||
				    !CHECK_EQ_INT(r.ok, c->ok) || !raw_tail_ok(c->in, c->len, &r))
					goto next;
			}
		}
		/* keep_ws (--pretty=colors): the input, with colour codes or not */
		for (int color = 0; color < 2; color++) {
			static struct unit_buf plain;
			struct pretty_opts k = {.indent = c->indent,
						.ndjson = c->ndjson,
						.keep_ws = true,
						.color = color};
			for (size_t f = 0; f < sizeof(feeds) / sizeof(feeds[0]); f++) {
				if (!format(c->in, c->len, &k, feeds[f], PRETTY_OUT_MIN, &r))
					goto next;
				unit_note("keep_ws, colour %d, feed %zu", color, feeds[f]);
				strip_to(strip_sgr, r.out.p, r.out.len, &plain);
				if (!CHECK_EQ_MEM(plain.p, plain.len, c->in, c->len) ||
				    !CHECK_EQ_INT(r.ok, c->ok) || !raw_tail_ok(c->in, c->len, &r) ||
				    !CHECK_EQ_INT(color || r.out.len == c->len, true))
					goto next;
			}
		}
		/* sort_keys: Python's order; not JSON, the same bytes as without it */
		struct pretty_opts so = {
		    .indent = c->indent, .ndjson = c->ndjson, .sort_keys = true};
		for (size_t f = 0; f < sizeof(feeds) / sizeof(feeds[0]); f++) {
			for (size_t m = 0; m < 2; m++) {
				if (!format(c->in, c->len, &so, feeds[f], caps[m], &r))
					goto next;
				unit_note("sort_keys, feed %zu, out buffer %zu", feeds[f], caps[m]);
				if (!CHECK_EQ_MEM(r.out.p, r.out.len, c->sorted, c->slen) ||
				    !CHECK_EQ_INT(r.ok, c->ok) ||
				    (!c->ok && !raw_tail_ok(c->in, c->len, &r)))
					goto next;
			}
		}
		if (c->ok) { /* the layout is a fixed point */
			struct run again = {0};
			if (format(c->want, c->wlen, &o, 0, 4096, &again)) {
				CHECK_EQ_MEM(again.out.p, again.out.len, c->want, c->wlen);
				CHECK(again.ok);
			}
			unit_buf_free(&again.out);
		}
	next:
		unit_end();
	}
	unit_buf_free(&r.out);
}

static void expect(const char *name, const char *in, size_t len, const struct pretty_opts *o,
		   const char *want, size_t wlen, bool ok)
{
	struct run r = {0};
	unit_begin("%s", name);
	static const size_t feeds[] = {0, 1, 5};
	for (size_t f = 0; f < 3; f++) {
		if (!format(in, len, o, feeds[f], f == 1 ? PRETTY_OUT_MIN : 65536, &r))
			break;
		/* sorted members are moved: the raw-tail rule is for what is not complete */
		if (!CHECK_EQ_MEM(r.out.p, r.out.len, want, wlen) || !CHECK_EQ_INT(r.ok, ok) ||
		    ((!ok || !o->sort_keys) && !raw_tail_ok(in, len, &r)))
			break;
	}
	unit_end();
	unit_buf_free(&r.out);
}

/* 10,000 levels: the input, and the layout built line by line. */
static void test_deep(void)
{
	enum { DEPTH = 10000 };
	struct unit_buf in = {0}, want = {0};
	struct pretty_opts o = {.indent = 4};
	unit_buf_fill(&in, '[', DEPTH);
	unit_buf_adds(&in, "{\"k\":1}");
	unit_buf_fill(&in, ']', DEPTH);
	for (int d = 0; d < DEPTH; d++) {
		unit_buf_fill(&want, ' ', (size_t)d * 4);
		unit_buf_adds(&want, "[\n");
	}
	unit_buf_fill(&want, ' ', (size_t)DEPTH * 4);
	unit_buf_adds(&want, "{\n");
	unit_buf_fill(&want, ' ', (size_t)DEPTH * 4 + 4);
	unit_buf_adds(&want, "\"k\": 1\n");
	unit_buf_fill(&want, ' ', (size_t)DEPTH * 4);
	unit_buf_adds(&want, "}\n");
	for (int d = DEPTH - 1; d >= 0; d--) {
		unit_buf_fill(&want, ' ', (size_t)d * 4);
		unit_buf_adds(&want, "]\n");
	}
	expect("10,000 levels of arrays", in.p, in.len, &o, want.p, want.len, true);

	/* objects all the way down, cut off: the held whitespace ends it */
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	for (int d = 0; d < DEPTH; d++)
		unit_buf_adds(&in, "{\"a\":");
	unit_buf_adds(&in, "  ");
	for (int d = 0; d < DEPTH; d++) {
		unit_buf_adds(&want, d == 0 ? "{\n" : " {\n");
		unit_buf_fill(&want, ' ', (size_t)d * 4 + 4);
		unit_buf_adds(&want, "\"a\":");
	}
	unit_buf_adds(&want, "  ");
	expect("10,000 levels of objects, truncated", in.p, in.len, &o, want.p, want.len, false);

	/* sort_keys at every one of 10,000 levels (indent 0: the layout stays small) */
	struct pretty_opts so = {.indent = 0, .sort_keys = true};
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	for (int d = 0; d < DEPTH; d++)
		unit_buf_adds(&in, "{\"b\":0,\"a\":");
	unit_buf_adds(&in, "1");
	unit_buf_fill(&in, '}', DEPTH);
	for (int d = 0; d < DEPTH; d++)
		unit_buf_adds(&want, "{\n\"a\": ");
	unit_buf_adds(&want, "1");
	for (int d = 0; d < DEPTH; d++)
		unit_buf_adds(&want, ",\n\"b\": 0\n}");
	unit_buf_adds(&want, "\n");
	expect("sort_keys: 10,000 levels of objects", in.p, in.len, &so, want.p, want.len, true);
	unit_buf_free(&in);
	unit_buf_free(&want);
}

/* r is want's output, end and raw tail; a note and the differences otherwise. */
static bool same_run(const struct run *r, const struct run *want, const char *in, size_t len,
		     const char *what)
{
	if (r->out.len == want->out.len && memcmp(r->out.p, want->out.p, r->out.len) == 0 &&
	    r->ok == want->ok && r->raw == want->raw && r->raw_at == want->raw_at &&
	    raw_tail_ok(in, len, r))
		return true;
	unit_note("%s", what);
	CHECK_EQ_MEM(r->out.p, r->out.len, want->out.p, want->out.len);
	CHECK_EQ_INT(r->ok, want->ok);
	CHECK_EQ_INT(r->raw, want->raw);
	CHECK_EQ_UINT(r->raw_at, want->raw_at);
	return false;
}

/*
 * Compact JSON goes through pretty.c's fast path when whole tokens are at hand,
 * and through the byte-wise steps at every cut (end of a feed, out's room, the
 * nesting stack's growth at 512 levels, a bad byte). Split in two at every
 * place, and fed in pieces of 1 to 41 bytes, into outputs of several sizes, the
 * output and the raw tail are the same as fed one byte at a time.
 */
static void test_fast_cuts(void)
{
	static const char doc[] =
	    "{\"a\":[1,-0.5e+10,0,-0,1E3,12.25,-7,true,false,null,\"\",{},[],"
	    "\"\\u00e9\\\"\\\\ \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",{\"k\":{\"l\":[[]]}}],"
	    "\"b\":\"x\",\"c\":";
	static const char *const tails[] = {
	    "{\"z\":0}}",
	    "[tru]}",
	    "01}",
	    "1.e5}",
	    "\"a\x01\"}",
	    "[1,]}",
	    "{\"z\"1}}",
	    "[1]]",
	    "\"\xc3\x28\"}",
	    "{\"z\":0}}{}",
	    "{\"z\":0}}\n[]\n", /* NDJSON */
	    "-}",
	    "[1 , 2]}",
	    "{\"z\":0}} x",
	    /* found by fuzz_pretty: out's room ending right after a number */
	    ("[0,-1e400,12345678901234345678023456789012343056711,\"abcdefghijklmnopqrstuvwxyz\","
	     "{\"k\":\"v\"},1.,-]}"),
	};
	static const unsigned indents[] = {0, 4, 40};
	static const size_t feeds[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 23, 41};
	/* out's room ends at every place of a token for one cut or another */
	static const size_t caps[] = {PRETTY_OUT_MIN,
				      PRETTY_OUT_MIN + 1,
				      PRETTY_OUT_MIN + 3,
				      PRETTY_OUT_MIN + 7,
				      PRETTY_OUT_MIN + 14,
				      PRETTY_OUT_MIN + 21,
				      PRETTY_OUT_MIN + 28,
				      200,
				      65536};
	struct unit_buf in = {0};
	struct run want = {0}, r = {0};
	char what[96];
	unit_begin("fast path: cut at every place, the same bytes as fed byte by byte");
	for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]) + 1; t++) {
		unit_buf_reset(&in);
		if (t == sizeof(tails) / sizeof(tails[0])) { /* the stack grows midway */
			unit_buf_fill(&in, '[', 600);
			unit_buf_adds(&in, doc);
			unit_buf_adds(&in, "[]}");
			unit_buf_fill(&in, ']', 600);
		} else {
			unit_buf_adds(&in, doc);
			unit_buf_adds(&in, tails[t]);
		}
		bool deep = t == sizeof(tails) / sizeof(tails[0]);
		for (size_t k = 0; k < sizeof(indents) / sizeof(indents[0]); k++) {
			/* 600 levels: indent 0 and 1 keep the output small */
			struct pretty_opts o = {.indent = deep ? (unsigned)k : indents[k],
						.ndjson = t == 10};
			if (deep && k == 2)
				break;
			if (!format(in.p, in.len, &o, 1, PRETTY_OUT_MIN, &want))
				goto done;
			for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
				for (size_t f = 0; f < sizeof(feeds) / sizeof(feeds[0]); f++) {
					snprintf(what, sizeof(what),
						 "tail %zu, indent %u, feed %zu, out %zu", t,
						 o.indent, feeds[f], caps[c]);
					if (!format(in.p, in.len, &o, feeds[f], caps[c], &r) ||
					    !same_run(&r, &want, in.p, in.len, what))
						goto done;
				}
				for (size_t split = 1; split < in.len && !deep && caps[c] < 200;
				     split++) {
					snprintf(what, sizeof(what),
						 "tail %zu, indent %u, split %zu, out %zu", t,
						 o.indent, split, caps[c]);
					if (!format_split(in.p, in.len, &o, split, 0, caps[c],
							  &r) ||
					    !same_run(&r, &want, in.p, in.len, what))
						goto done;
				}
			}
		}
	}
done:
	unit_end();
	unit_buf_free(&in);
	unit_buf_free(&want.out);
	unit_buf_free(&r.out);
}

/* Output comes as input arrives, and whitespace is held in counted runs, not bytes. */
static void test_streaming(void)
{
	struct pretty p;
	struct pretty_opts o = {.indent = 4};
	static char obuf[4096];
	struct pretty_out out = {.buf = obuf, .cap = sizeof(obuf)};
	char chunk[1024];

	unit_begin("a long string streams through");
	pretty_init(&p, &o);
	CHECK_EQ_UINT(pretty_feed(&p, "[\"", 2, &out), 2);
	memset(chunk, 'a', sizeof(chunk));
	uint64_t got = out.len;
	for (int k = 0; k < 1024; k++) {
		out.len = 0;
		size_t used = pretty_feed(&p, chunk, sizeof(chunk), &out);
		if (!CHECK_EQ_UINT(used, sizeof(chunk)) || !CHECK_EQ_UINT(out.len, sizeof(chunk)))
			break;
		got += out.len;
	}
	CHECK_EQ_UINT(got, 2 + 4 + 1 + 1024 * 1024); /* "[\n    \"" then the bytes */
	pretty_free(&p);
	unit_end();

	unit_begin("1 MiB of whitespace before a bad byte comes back exactly");
	struct unit_buf all = {0};
	pretty_init(&p, &o);
	out.len = 0;
	pretty_feed(&p, "[1,", 3, &out);
	unit_buf_add(&all, out.buf, out.len);
	for (int k = 0; k < 1024; k++) {
		out.len = 0;
		memset(chunk, k % 2 ? ' ' : '\n', sizeof(chunk));
		CHECK_EQ_UINT(pretty_feed(&p, chunk, sizeof(chunk), &out), sizeof(chunk));
		CHECK_EQ_UINT(out.len, 0); /* held, not written */
		if (k == 30)
			break; /* 31 runs: one less than PRETTY_WS_RUNS */
	}
	for (int k = 0; k < 1024; k++) { /* the same byte: one run grows */
		out.len = 0;
		memset(chunk, '\t', sizeof(chunk));
		CHECK_EQ_UINT(pretty_feed(&p, chunk, sizeof(chunk), &out), sizeof(chunk));
		CHECK_EQ_UINT(out.len, 0);
	}
	_Static_assert(sizeof(struct pretty) < 1024, "the state is small and fixed");
	size_t used = 0;
	for (;;) {
		out.len = 0;
		used += pretty_feed(&p, &"x]"[used], 2 - used, &out);
		unit_buf_add(&all, out.buf, out.len);
		if (used == 2)
			break;
	}
	while (out.len = 0, pretty_finish(&p, &out))
		unit_buf_add(&all, out.buf, out.len);
	unit_buf_add(&all, out.buf, out.len);
	struct unit_buf want = {0};
	unit_buf_adds(&want, "[\n    1,");
	for (int k = 0; k < 31; k++)
		unit_buf_fill(&want, k % 2 ? ' ' : '\n', 1024);
	unit_buf_fill(&want, '\t', 1024 * 1024);
	unit_buf_adds(&want, "x]");
	CHECK_EQ_MEM(all.p, all.len, want.p, want.len);
	CHECK(!pretty_ok(&p) && pretty_raw(&p));
	CHECK_EQ_UINT(pretty_raw_at(&p), 3);
	pretty_free(&p);
	unit_buf_free(&all);
	unit_buf_free(&want);
	unit_end();
}

static void test_cases(void)
{
	struct pretty_opts o = {.indent = 4};
	struct unit_buf in = {0}, want = {0};

	/* more runs of differing whitespace than PRETTY_WS_RUNS: the rest goes raw */
	unit_buf_adds(&in, "[1,");
	for (int k = 0; k < PRETTY_WS_RUNS + 1; k++)
		unit_buf_adds(&in, k % 2 ? " " : "\t");
	unit_buf_adds(&in, "2]");
	unit_buf_adds(&want, "[\n    1,");
	unit_buf_add(&want, in.p + 3, in.len - 3);
	expect("too many whitespace runs between tokens: raw from there", in.p, in.len, &o, want.p,
	       want.len, false);
	struct pretty_opts k = {.keep_ws = true};
	expect("keep_ws: too many whitespace runs, the same bytes, not complete", in.p, in.len, &k,
	       in.p, in.len, false);
	unit_buf_reset(&in);
	unit_buf_reset(&want);
	unit_buf_adds(&in, "[1,");
	for (int k = 0; k < PRETTY_WS_RUNS; k++)
		unit_buf_adds(&in, k % 2 ? " " : "\t");
	unit_buf_adds(&in, "2]");
	expect("PRETTY_WS_RUNS runs of whitespace are layout", in.p, in.len, &o,
	       "[\n    1,\n    2\n]\n", 17, true);

	/* the indentation of one line is larger than the output buffer */
	o.indent = 1000;
	unit_buf_reset(&want);
	unit_buf_adds(&want, "[\n");
	unit_buf_fill(&want, ' ', 1000);
	unit_buf_adds(&want, "[\n");
	unit_buf_fill(&want, ' ', 2000);
	unit_buf_adds(&want, "1\n");
	unit_buf_fill(&want, ' ', 1000);
	unit_buf_adds(&want, "],\n");
	unit_buf_fill(&want, ' ', 1000);
	unit_buf_adds(&want, "2\n]\n");
	expect("indentation larger than the output buffer", "[[1],2]", 7, &o, want.p, want.len,
	       true);
	unit_buf_free(&in);
	unit_buf_free(&want);
}

static void test_colors(void)
{
	struct pretty_opts o = {.indent = 2, .color = true};
	static const char in[] = "{\"k\":[\"s\",1.5,true,null,{}]}";
	/* clang-format off */
#define P(c) "\033[2m" c "\033[0m"
#define KEY(s) "\033[36m" s "\033[0m"
#define STR(s) "\033[32m" s "\033[0m"
#define NUM(s) "\033[33m" s "\033[0m"
#define LIT(s) "\033[35m" s "\033[0m"
	static const char want[] =
		P("{") "\n"
		"  " KEY("\"k\"") P(":") " " P("[") "\n"
		"    " STR("\"s\"") P(",") "\n"
		"    " NUM("1.5") P(",") "\n"
		"    " LIT("true") P(",") "\n"
		"    " LIT("null") P(",") "\n"
		"    " P("{") P("}") "\n"
		"  " P("]") "\n"
		P("}") "\n";
	/* clang-format on */
	expect("colours", in, sizeof(in) - 1, &o, want, sizeof(want) - 1, true);
	static const char bad[] = "[\"ab\001\"]";
	static const char wbad[] = P("[") "\n  " STR("\"ab") "\001\"]";
	expect("colour reset before the raw tail", bad, sizeof(bad) - 1, &o, wbad, sizeof(wbad) - 1,
	       false);
	static const char cut[] = "[12";
	static const char wcut[] = P("[") "\n  " NUM("12");
	expect("colour reset at a cut", cut, sizeof(cut) - 1, &o, wcut, sizeof(wcut) - 1, false);

	/* keep_ws: the same colours, the whitespace as received, no newline added */
	struct pretty_opts k = {.indent = 2, .color = true, .keep_ws = true};
	static const char kin[] = " {\"k\" :\t[\"s\", 1.5,\r\ntrue,null,{ }]}\n\n";
	/* clang-format off */
	static const char kwant[] =
		" " P("{") KEY("\"k\"") " " P(":") "\t" P("[") STR("\"s\"") P(",") " "
		NUM("1.5") P(",") "\r\n" LIT("true") P(",") LIT("null") P(",") P("{") " " P("}")
		P("]") P("}") "\n\n";
	/* clang-format on */
	expect("keep_ws colours", kin, sizeof(kin) - 1, &k, kwant, sizeof(kwant) - 1, true);
	static const char kbad[] = "[1 ,  tru e]";
	static const char wkbad[] = P("[") NUM("1") " " P(",") "  " LIT("tru") " e]";
	expect("keep_ws: colour reset before the raw tail", kbad, sizeof(kbad) - 1, &k, wkbad,
	       sizeof(wkbad) - 1, false);
	k.ndjson = true;
	static const char knd[] = "1\n\n[]\r\n\"x\"";
	static const char wknd[] = NUM("1") "\n\n" P("[") P("]") "\r\n" STR("\"x\"");
	expect("keep_ws: NDJSON separators as received", knd, sizeof(knd) - 1, &k, wknd,
	       sizeof(wknd) - 1, true);
#undef P
#undef KEY
#undef STR
#undef NUM
#undef LIT
}

/* pretty_feed stops where the raw tail starts, so a caller can take it over. */
static void test_stop_at_raw(void)
{
	struct pretty p;
	struct pretty_opts o = {.indent = 4};
	char obuf[256];
	struct pretty_out out = {.buf = obuf, .cap = sizeof(obuf)};
	unit_begin("pretty_feed stops at the first raw byte");
	pretty_init(&p, &o);
	CHECK_EQ_UINT(pretty_feed(&p, "[1, x]", 6, &out), 4);
	CHECK(pretty_raw(&p));
	CHECK_EQ_MEM(out.buf, out.len, "[\n    1, ", 9);
	CHECK_EQ_UINT(pretty_raw_at(&p), 3);
	out.len = 0;
	CHECK_EQ_UINT(pretty_feed(&p, "x]", 2, &out), 2);
	CHECK_EQ_MEM(out.buf, out.len, "x]", 2);
	out.len = 0;
	CHECK_EQ_INT(pretty_finish(&p, &out), 0);
	CHECK_EQ_UINT(out.len, 0);
	CHECK(!pretty_ok(&p));
	pretty_free(&p);
	unit_end();

	unit_begin("sort_keys: pretty_feed stops at the first raw byte, after what was held");
	o.sort_keys = true;
	CHECK_EQ_INT(pretty_init(&p, &o), 0);
	out.len = 0;
	static const char in[] = "{\"b\":1, \"a\": x}";
	size_t used = 0;
	for (int k = 0; k < 8 && !pretty_raw(&p); k++)
		used += pretty_feed(&p, in + used, sizeof(in) - 1 - used, &out);
	CHECK_EQ_UINT(used, 13);
	CHECK_EQ_MEM(out.buf, out.len, "{\n    \"b\": 1,\n    \"a\": ", 23);
	CHECK_EQ_UINT(pretty_raw_at(&p), 12);
	pretty_free(&p);
	unit_end();
}

int main(void)
{
	test_table();
	test_deep();
	test_fast_cuts();
	test_streaming();
	test_cases();
	test_colors();
	test_stop_at_raw();
	unit_guard_free(&guard);
	return unit_done();
}
