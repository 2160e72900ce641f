/*
 * libFuzzer target for the JSON formatter (src/cli/pretty.c). The first three
 * bytes pick the options and how the rest is fed; then:
 * - fed whole into a big buffer, split in two into a small one, and one byte
 *   at a time, the output is the same;
 * - the raw-tail rule: the output is the input up to pretty_raw_at() with its
 *   whitespace outside strings replaced (and colour codes added), then the
 *   rest of the input unchanged; a complete body has no raw tail and ends
 *   with a newline;
 * - formatting the output of complete JSON again gives the same bytes;
 * - keep_ws (--pretty=colors): the output without colour codes is the input;
 * - sort_keys: members move, nothing else: the same length, bytes, end and raw
 *   tail as without it, and sorting the sorted layout again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/pretty.h"
#include "../unit/json_strip.h"
#include "fuzz.h"

struct run {
	char *out;
	size_t len, cap;
	bool ok, raw;
	uint64_t raw_at;
};

static void append(struct run *r, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (r->len + n > r->cap) { /* doubling: deep nesting makes long outputs in many pieces */
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n)
			cap *= 2;
		char *q = realloc(r->out, cap);
		check(q != NULL);
		r->out = q;
		r->cap = cap;
	}
	memcpy(r->out + r->len, p, n);
	r->len += n;
}

/* Feeds in[0..len) in pieces of at most piece bytes (the first split bytes first). */
static void format(const char *in, size_t len, const struct pretty_opts *o, size_t split,
		   size_t piece, size_t cap, struct run *r)
{
	struct pretty p;
	char *obuf = malloc(cap);
	struct pretty_out out = {.buf = obuf, .cap = cap};
	check(obuf != NULL && pretty_init(&p, o) == 0);
	memset(r, 0, sizeof(*r));
	size_t at = 0, stuck = 0, bufn = 0;
	char *buf = NULL;
	while (at < len) {
		size_t n = at < split ? split - at : len - at;
		if (n > piece)
			n = piece;
		/* each call sees its bytes in an allocation of exactly that size */
		if (n != bufn) {
			free(buf);
			buf = malloc(n);
			bufn = n;
			check(buf != NULL);
		}
		memcpy(buf, in + at, n);
		size_t used = pretty_feed(&p, buf, n, &out);
		check(used <= n && out.len <= out.cap);
		stuck = used == 0 && out.len == 0 ? stuck + 1 : 0;
		check(stuck < 3);
		append(r, out.buf, out.len);
		out.len = 0;
		at += used;
	}
	free(buf);
	while (pretty_finish(&p, &out)) {
		check(out.len > 0);
		append(r, out.buf, out.len);
		out.len = 0;
	}
	append(r, out.buf, out.len);
	r->ok = pretty_ok(&p);
	r->raw = pretty_raw(&p);
	r->raw_at = pretty_raw_at(&p);
	pretty_free(&p);
	free(obuf);
}

static void raw_tail_rule(const char *in, size_t len, const struct run *r, bool keep_ws)
{
	check(r->raw_at <= len);
	size_t tail = len - (size_t)r->raw_at;
	if (r->ok) /* keep_ws adds no newline */
		check(tail == 0 && r->len > 0 && (keep_ws || r->out[r->len - 1] == '\n'));
	check(r->len >= tail);
	check(tail == 0 || memcmp(r->out + r->len - tail, in + r->raw_at, tail) == 0);
	char *a = malloc(r->len + 1), *b = malloc(len + 1);
	check(a != NULL && b != NULL);
	size_t na = strip_layout(r->out, r->len - tail, a);
	size_t nb = strip_layout(in, (size_t)r->raw_at, b);
	check(na == nb && memcmp(a, b, na) == 0);
	free(a);
	free(b);
}

static void same(const struct run *a, const struct run *b)
{
	check(a->len == b->len && (a->len == 0 || memcmp(a->out, b->out, a->len) == 0));
	check(a->ok == b->ok && a->raw == b->raw && a->raw_at == b->raw_at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	struct pretty_opts o = {.indent = data[0] & 7,
				.ndjson = data[0] & 8,
				.color = data[0] & 16,
				.keep_ws = data[2] & 1,
				.sort_keys = data[2] & 2};
	const char *in = (const char *)data + 3;
	size_t len = size - 3;
	size_t split = data[1] % (len + 1);
	size_t cap = PRETTY_OUT_MIN + (data[0] >> 5) * 7;

	struct run whole, two, bytes;
	format(in, len, &o, 0, len, 1 << 16, &whole);
	format(in, len, &o, split, len, cap, &two);
	format(in, len, &o, 0, 1, cap, &bytes);
	same(&whole, &two);
	same(&whole, &bytes);
	if (o.sort_keys && !o.keep_ws) {
		struct pretty_opts u = o;
		struct run plain;
		u.sort_keys = false;
		format(in, len, &u, 0, len, 1 << 16, &plain);
		raw_tail_rule(in, len, &plain, false);
		check(plain.len == whole.len && plain.ok == whole.ok &&
		      plain.raw_at == whole.raw_at);
		size_t hist[256] = {0};
		for (size_t i = 0; i < whole.len; i++) {
			hist[(unsigned char)whole.out[i]]++;
			hist[(unsigned char)plain.out[i]]--;
		}
		for (int c = 0; c < 256; c++)
			check(hist[c] == 0);
		size_t tail = len - (size_t)whole.raw_at;
		check(tail == 0 ||
		      memcmp(whole.out + whole.len - tail, in + whole.raw_at, tail) == 0);
		free(plain.out);
	} else {
		raw_tail_rule(in, len, &whole, o.keep_ws);
	}
	if (o.keep_ws && !o.color)
		check(whole.len == len && (len == 0 || memcmp(whole.out, in, len) == 0));
	if (o.keep_ws && o.color) { /* the raw tail may hold ESC bytes: it is compared above */
		size_t tail = len - (size_t)whole.raw_at;
		char *plain = malloc(whole.len + 1);
		check(plain != NULL);
		size_t n = strip_sgr(whole.out, whole.len - tail, plain);
		check(n == whole.raw_at && (n == 0 || memcmp(plain, in, n) == 0));
		free(plain);
	}
	if (whole.ok && !o.color && !o.keep_ws) {
		/* the layout is a fixed point: formatting it again changes nothing */
		struct run again;
		format(whole.out, whole.len, &o, 0, whole.len, 1 << 16, &again);
		check(again.ok);
		check(again.len == whole.len && memcmp(again.out, whole.out, whole.len) == 0);
		free(again.out);
	}
	free(whole.out);
	free(two.out);
	free(bytes.out);
	return 0;
}
