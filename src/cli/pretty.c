/*
 * The streaming JSON formatter: one pass over the bytes, a state machine in
 * the shape of chunk_step. Layout is written lazily, right before the token
 * it precedes, once that token's first byte has been checked: until then the
 * whitespace read is held as counted runs, so a bad byte can be preceded by
 * exactly the whitespace that came before it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r, for bench/prettyjson-run's plain cc */
#endif
#include <stdlib.h>
#include <string.h>

#include "pretty.h"

enum lex {
	L_BOM0, /* nothing read yet: a BOM may come */
	L_BOM1, /* EF held */
	L_BOM2, /* EF BB held */
	L_GAP,	/* between tokens */
	L_STR,
	L_ESC,	/* after a backslash */
	L_HEX,	/* need hex digits of \uXXXX */
	L_UTF8, /* need continuation bytes in [lo, hi] */
	L_NUM_MINUS,
	L_NUM_ZERO,
	L_NUM_INT,
	L_NUM_DOT,
	L_NUM_FRAC,
	L_NUM_E,
	L_NUM_ESIGN,
	L_NUM_EXP,
	L_LIT,
	L_FLUSH, /* writing held whitespace as received, then after_flush */
	L_RAW,	 /* the rest goes through unchanged */
	L_DONE,
};

/* What the grammar allows next (RFC 8259 §2-§5), and so the layout before it. */
enum ctx {
	C_TOP,	     /* the first value */
	C_END,	     /* after a top-level value: another only in NDJSON mode */
	C_OBJVAL,    /* after ':' */
	C_ARRVAL,    /* after ',' in an array */
	C_FIRST_ARR, /* after '[': a value or ']' */
	C_FIRST_OBJ, /* after '{': a key or '}' */
	C_KEY,	     /* after ',' in an object */
	C_COLON,     /* after a key */
	C_AFTER,     /* after a value in a container: ',' or its close */
};

/*
 * Room free before each step: its fixed parts (a newline, colour codes, a
 * token's first byte, a ',' or ':' after it) with a margin for 8-byte copies.
 * Indentation and runs of token bytes are measured against the room left,
 * keeping EV_TAIL bytes for what may follow them in the same step.
 */
#define EV_MAX 48
#define EV_TAIL 24

/* Colours: keys as header names in output.c (36), punctuation dim as its prefixes (2). */
enum { K_KEY, K_STR, K_NUM, K_LIT, K_PUNCT };
static const char sgr_code[][8] = {"\033[36m", "\033[32m", "\033[33m", "\033[35m", "\033[2m"};
static const uint8_t sgr_len[] = {5, 5, 5, 5, 4};
#define SGR_RESET "\033[0m"

#define WS_MASK                                                                                    \
	(UINT64_C(1) << ' ' | UINT64_C(1) << '\t' | UINT64_C(1) << '\n' | UINT64_C(1) << '\r')
static const char spaces16[16] = "                ";
static const char ws_byte[4] = {' ', '\t', '\n', '\r'};
#define WS_COUNT ((UINT64_C(1) << 62) - 1)

/* Bytes that end a run of plain string bytes: '"', '\\', controls, non-ASCII. */
static const unsigned char str_stop[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 1,
};

/* What a step writes besides tokens: a constant in the hot loop's copies (see fmt_feed). */
#define M_COLOR 1u /* colour codes */
#define M_KEEP 2u  /* keep_ws */
#define MODE(p) (((p)->color ? M_COLOR : 0u) | ((p)->keep_ws ? M_KEEP : 0u))

static const char lit_true[] = "true", lit_false[] = "false", lit_null[] = "null";

static int sort_init(struct pretty *p, bool ndjson);
static void sort_free(struct pretty *p);

int pretty_init(struct pretty *p, const struct pretty_opts *opts)
{
	memset(p, 0, sizeof(*p));
	if (opts->sort_keys && !opts->keep_ws && sort_init(p, opts->ndjson) < 0)
		return -1;
	p->indent = opts->indent;
	p->color = opts->color;
	p->keep_ws = opts->keep_ws;
	p->ndjson = opts->ndjson;
	p->st = L_BOM0;
	p->ctx = C_TOP;
	return 0;
}

void pretty_free(struct pretty *p)
{
	sort_free(p);
	free(p->heap);
	p->heap = NULL;
	p->heap_cap = 0;
}

static bool fmt_raw(const struct pretty *p)
{
	return p->st == L_RAW || (p->st == L_DONE && !p->ok && p->after_flush == L_RAW);
}

static bool sort_raw(const struct pretty *p);
static uint64_t sort_dropped(const struct pretty *p);

bool pretty_raw(const struct pretty *p)
{
	return p->sort ? sort_raw(p) : fmt_raw(p);
}

bool pretty_ok(const struct pretty *p)
{
	return p->st == L_DONE && p->ok;
}

uint64_t pretty_raw_at(const struct pretty *p)
{
	return p->sort ? p->raw_at + sort_dropped(p) : p->raw_at;
}

static unsigned char *levels(struct pretty *restrict p)
{
	return p->heap ? p->heap : p->stack0;
}

/* The nesting stack is full: twice the room, on the heap. */
static __attribute__((noinline)) int grow_levels(struct pretty *restrict p)
{
	size_t cap = p->heap ? p->heap_cap : sizeof(p->stack0);
	if (p->depth >= PRETTY_MAX_DEPTH)
		return -1;
	unsigned char *h = realloc(p->heap, cap * 2);
	if (h == NULL)
		return -1;
	if (p->heap == NULL)
		memcpy(h, p->stack0, sizeof(p->stack0));
	p->heap = h;
	p->heap_cap = cap * 2;
	return 0;
}

static inline int push(struct pretty *restrict p, bool obj)
{
	uint64_t d = p->depth;
	size_t cap = p->heap ? p->heap_cap : sizeof(p->stack0);
	if (d / 8 >= cap && grow_levels(p) < 0)
		return -1;
	unsigned char *b = levels(p) + d / 8, bit = (unsigned char)(1u << (d % 8));
	*b = obj ? (unsigned char)(*b | bit) : (unsigned char)(*b & ~bit);
	p->depth = d + 1;
	p->obj = obj;
	return 0;
}

static inline bool in_object(struct pretty *restrict p)
{
	uint64_t d = p->depth - 1;
	return (levels(p)[d / 8] >> (d % 8)) & 1;
}

static inline char *put_sgr(unsigned m, char *w, int k)
{
	if (!(m & M_COLOR))
		return w;
	memcpy(w, sgr_code[k], 8);
	return w + sgr_len[k];
}

static inline char *put_reset(unsigned m, char *w)
{
	if (!(m & M_COLOR))
		return w;
	memcpy(w, SGR_RESET, 4);
	return w + 4;
}

/* Punctuation: one byte in its colour. */
static inline char *put_punct(unsigned m, char *w, char c)
{
	w = put_sgr(m, w, K_PUNCT);
	*w++ = c;
	return put_reset(m, w);
}

/* Writes owed indentation and bytes as room allows. */
static char *drain(struct pretty *restrict p, char *o, char *oend)
{
	size_t room = (size_t)(oend - o);
	size_t n = p->owed_spaces < room ? (size_t)p->owed_spaces : room;
	memset(o, ' ', n);
	o += n;
	p->owed_spaces -= n;
	if (p->owed_spaces == 0 && p->owed_len <= (size_t)(oend - o)) {
		memcpy(o, p->owed, p->owed_len);
		o += p->owed_len;
		p->owed_len = 0;
		p->owing = false;
	}
	return o;
}

/*
 * "\n" and the indentation of level d at *o. Returns where the rest of the
 * step goes: right after, or p->owed when the indentation does not fit (then
 * *o is past the "\n" and end_step writes what it can).
 */
static inline char *lay_nl(struct pretty *restrict p, char **o, char *oend, uint64_t d)
{
	char *w = *o;
	*w++ = '\n';
	uint64_t n = d * p->indent;
	if (n <= (uint64_t)(oend - w) - EV_TAIL) {
		/* 16 at a time: up to 15 bytes past the indentation, within EV_TAIL */
		for (uint64_t k = 0; k < n; k += 16)
			memcpy(w + k, spaces16, 16);
		return w + n;
	}
	p->owed_spaces = n;
	p->owing = true;
	*o = w;
	return p->owed;
}

static inline char *end_step(struct pretty *restrict p, char *o, char *oend, char *w)
{
	if (!p->owing)
		return w;
	p->owed_len = (uint8_t)(w - p->owed);
	return drain(p, o, oend);
}

/* The layout before a value or key in the current context. */
static inline char *lay(struct pretty *restrict p, unsigned m, char **o, char *oend)
{
	if (m & M_KEEP) /* the whitespace received is the layout: it went out as it came */
		return *o;
	switch (p->ctx) {
	case C_TOP:
	case C_END:
		return *o;
	case C_OBJVAL:
		**o = ' ';
		return *o + 1;
	default:
		return lay_nl(p, o, oend, p->depth);
	}
}

static inline bool value_ok(const struct pretty *restrict p)
{
	return p->ctx == C_TOP || p->ctx == C_OBJVAL || p->ctx == C_ARRVAL ||
	       p->ctx == C_FIRST_ARR || (p->ctx == C_END && p->ndjson);
}

/* A value is complete: the newline after a top-level one. */
static inline char *after_value(struct pretty *restrict p, unsigned m, char *w)
{
	if (p->depth > 0) {
		p->ctx = C_AFTER;
		return w;
	}
	if (!(m & M_KEEP))
		*w++ = '\n';
	p->ctx = C_END;
	return w;
}

/* Held whitespace: one more byte. Returns -1 when the runs are all in use. */
static int ws_add(struct pretty *restrict p, unsigned char c)
{
	uint64_t kind = c == ' ' ? 0 : c == '\t' ? 1 : c == '\n' ? 2 : 3;
	p->ws_total++;
	if (p->ws_n > 0 && (p->ws[p->ws_n - 1] >> 62) == kind &&
	    (p->ws[p->ws_n - 1] & WS_COUNT) < WS_COUNT) {
		p->ws[p->ws_n - 1]++;
		return 0;
	}
	if (p->ws_n == PRETTY_WS_RUNS) {
		p->ws_total--;
		return -1;
	}
	p->ws[p->ws_n++] = kind << 62 | 1;
	return 0;
}

static void ws_drop(struct pretty *restrict p)
{
	p->ws_n = p->ws_head = 0;
	p->ws_total = 0;
}

/* Writes held whitespace as received, as room allows; then goes to after_flush. */
static char *flush(struct pretty *restrict p, char *o, char *oend)
{
	while (p->ws_head < p->ws_n) {
		uint64_t run = p->ws[p->ws_head], cnt = run & WS_COUNT;
		size_t room = (size_t)(oend - o);
		size_t k = cnt < room ? (size_t)cnt : room;
		memset(o, ws_byte[run >> 62], k);
		o += k;
		if (k < cnt) {
			p->ws[p->ws_head] = (run & ~WS_COUNT) | (cnt - k);
			return o;
		}
		p->ws_head++;
	}
	ws_drop(p);
	p->st = p->after_flush;
	return o;
}

/*
 * The body stops being JSON before the byte at body offset at: reset the
 * colour, give back held BOM bytes, then the held whitespace (L_FLUSH).
 * Room for EV_MAX bytes is there.
 */
static char *give_up(struct pretty *restrict p, char *o, uint64_t at, uint8_t next)
{
	unsigned m = MODE(p);
	if (p->sgr_open)
		o = put_reset(m, o);
	p->sgr_open = false;
	if (p->keep_ws) /* whitespace went out as it came: none is held */
		ws_drop(p);
	memcpy(o, "\xef\xbb\xbf", p->bom);
	o += p->bom;
	p->raw_at = at - p->ws_total - p->bom;
	p->bom = 0;
	p->st = L_FLUSH;
	p->after_flush = next;
	return o;
}

static inline int token_byte(struct pretty *restrict p, unsigned m, char **op, unsigned char c);

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * Copies the plain string bytes of s[i..lim) to *w and returns where the
 * first other one is (or lim): eight at a time where there are eight.
 */
static inline size_t str_run(const unsigned char *s, size_t i, size_t lim, char **w)
{
	char *o = *w;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (lim - i >= 8) {
		uint64_t v, q, b;
		memcpy(&v, s + i, 8);
		q = v ^ (ONES * '"');
		b = v ^ (ONES * '\\');
		/* a byte < 0x20, == '"', == '\\' or >= 0x80: exact up to the first one */
		uint64_t t =
		    (((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) | ((b - ONES) & ~b) | v) & HIGHS;
		memcpy(o, &v, 8);
		if (t != 0) {
			size_t k = (size_t)__builtin_ctzll(t) / 8;
			*w = o + k;
			return i + k;
		}
		o += 8;
		i += 8;
	}
#endif
	while (i < lim && !str_stop[s[i]])
		*o++ = (char)s[i++];
	*w = o;
	return i;
}

static inline bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The byte after a backslash in a two-byte escape (RFC 8259 §7). */
static const unsigned char esc_two[256] = {
    ['"'] = 1, ['\\'] = 1, ['/'] = 1, ['b'] = 1, ['f'] = 1, ['n'] = 1, ['r'] = 1, ['t'] = 1,
};

/*
 * A whole escape or UTF-8 sequence at s[i], all of it before lim, valid: copied
 * to *w, and its length returned. 0 otherwise (cut by lim, or not valid): the
 * byte-wise states take it from there, so a sequence split across reads or a
 * bad one is still handled, only more slowly.
 */
static inline size_t str_seq(const unsigned char *s, size_t i, size_t lim, char **w)
{
	const unsigned char *q = s + i;
	size_t n, left = lim - i;
	unsigned char lo = 0x80, hi = 0xbf;
	if (q[0] == '\\') {
		if (left >= 2 && esc_two[q[1]])
			n = 2;
		else if (left >= 6 && q[1] == 'u' && is_hex(q[2]) && is_hex(q[3]) && is_hex(q[4]) &&
			 is_hex(q[5]))
			n = 6;
		else
			return 0;
	} else {
		/* RFC 3629 §4, as utf8_lead */
		if (q[0] >= 0xc2 && q[0] <= 0xdf)
			n = 2;
		else if (q[0] >= 0xe0 && q[0] <= 0xef)
			n = 3;
		else if (q[0] >= 0xf0 && q[0] <= 0xf4)
			n = 4;
		else
			return 0;
		if (q[0] == 0xe0)
			lo = 0xa0;
		else if (q[0] == 0xed)
			hi = 0x9f;
		else if (q[0] == 0xf0)
			lo = 0x90;
		else if (q[0] == 0xf4)
			hi = 0x8f;
		if (left < n || q[1] < lo || q[1] > hi)
			return 0;
		for (size_t k = 2; k < n; k++)
			if (q[k] < 0x80 || q[k] > 0xbf)
				return 0;
	}
	memcpy(*w, q, n);
	*w += n;
	return n;
}

/* The closing quote of a string. */
static inline char *str_close(struct pretty *restrict p, unsigned m, char *w)
{
	*w++ = '"';
	w = put_reset(m, w);
	p->sgr_open = false;
	p->st = L_GAP;
	if (p->key) {
		p->ctx = C_COLON;
		return w;
	}
	return after_value(p, m, w);
}

static inline bool same4(const unsigned char *a, const char *b)
{
	uint32_t x, y;
	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return x == y;
}

/*
 * How many bytes after a token's first one may be copied at w in the same
 * step: the input there, and room for the rest of the step. None while
 * indentation is owed (w is then in p->owed).
 */
static inline size_t fast_room(const struct pretty *restrict p, const char *w, const char *oend,
			       size_t avail)
{
	if (p->owing || oend - w <= EV_TAIL)
		return 0;
	size_t room = (size_t)(oend - w) - EV_TAIL;
	return avail - 1 < room ? avail - 1 : room;
}

/*
 * A token starting at s[0] (avail bytes there) in L_GAP. Returns how many
 * bytes it used: the first, and as many more of the token as are at hand
 * (the common case: a whole short string, number or literal in one step);
 * -1 when s[0] cannot start a token here.
 */
static inline __attribute__((always_inline)) long gap_token(struct pretty *restrict p, unsigned m,
							    char **op, char *oend,
							    const unsigned char *s0, size_t avail0)
{
	char *o = *op, *w;
	const unsigned char *s;
	unsigned char c;
	size_t base = 0, avail, used, k;
again:
	s = s0 + base;
	avail = avail0 - base;
	c = s[0];
	used = 1;
	switch (c) {
	case '{':
	case '[':
		if (!value_ok(p) || push(p, c == '{') < 0)
			return base > 0 ? (long)base : -1;
		p->depth--; /* the layout is at the outer level */
		w = lay(p, m, &o, oend);
		p->depth++;
		w = put_punct(m, w, (char)c);
		p->ctx = c == '{' ? C_FIRST_OBJ : C_FIRST_ARR;
		break;
	case '}':
	case ']':
		if (p->depth == 0 || p->obj != (c == '}'))
			return base > 0 ? (long)base : -1;
		if (p->ctx == C_AFTER && !(m & M_KEEP))
			w = lay_nl(p, &o, oend, p->depth - 1);
		else if (p->ctx == C_AFTER)
			w = o;
		else if (p->ctx == (c == '}' ? C_FIRST_OBJ : C_FIRST_ARR))
			w = o;
		else
			return base > 0 ? (long)base : -1;
		p->depth--;
		p->obj = p->depth > 0 && in_object(p);
		w = put_punct(m, w, (char)c);
		w = after_value(p, m, w);
		break;
	case ',':
		if (p->ctx != C_AFTER)
			return base > 0 ? (long)base : -1;
		w = put_punct(m, o, ',');
		p->ctx = p->obj ? C_KEY : C_ARRVAL;
		break;
	case ':':
		if (p->ctx != C_COLON)
			return base > 0 ? (long)base : -1;
		w = put_punct(m, o, ':');
		p->ctx = C_OBJVAL;
		break;
	case '"':
		p->key = p->ctx == C_FIRST_OBJ || p->ctx == C_KEY;
		if (!p->key && !value_ok(p))
			return base > 0 ? (long)base : -1;
		w = lay(p, m, &o, oend);
		w = put_sgr(m, w, p->key ? K_KEY : K_STR);
		*w++ = '"';
		p->sgr_open = true;
		p->st = L_STR;
		k = fast_room(p, w, oend, avail);
		for (;;) { /* plain runs, escapes and UTF-8 up to the closing quote */
			size_t q;
			used = str_run(s, used, k + 1, &w);
			if (used > k)
				break;
			if (s[used] == '"') {
				w = str_close(p, m, w);
				used++;
				break;
			}
			if ((q = str_seq(s, used, k + 1, &w)) == 0)
				break;
			used += q;
		}
		break;
	case 't':
	case 'f':
	case 'n':
		if (!value_ok(p))
			return base > 0 ? (long)base : -1;
		w = lay(p, m, &o, oend);
		w = put_sgr(m, w, K_LIT);
		p->lit = c == 't' ? lit_true : c == 'f' ? lit_false : lit_null;
		k = c == 'f' ? 5 : 4;
		if (fast_room(p, w, oend, avail) >= k && same4(s, p->lit) &&
		    (k == 4 || s[4] == 'e')) {
			memcpy(w, p->lit, 5); /* room: fast_room leaves EV_TAIL */
			w = put_reset(m, w + k);
			w = after_value(p, m, w);
			used = k;
			break;
		}
		*w++ = (char)c;
		p->sgr_open = true;
		p->lit_pos = 1;
		p->st = L_LIT;
		break;
	case '-':
	case '0' ... '9':
		if (!value_ok(p))
			return base > 0 ? (long)base : -1;
		w = lay(p, m, &o, oend);
		w = put_sgr(m, w, K_NUM);
		*w++ = (char)c;
		p->sgr_open = true;
		p->st = c == '-' ? L_NUM_MINUS : c == '0' ? L_NUM_ZERO : L_NUM_INT;
		k = fast_room(p, w, oend, avail);
		if (p->st == L_NUM_INT)
			while (used <= k && s[used] >= '0' && s[used] <= '9')
				*w++ = (char)s[used++];
		/* a fraction's digits too (the common "12.5"), then the byte-wise states */
		if (p->st != L_NUM_MINUS && used < k && s[used] == '.' && s[used + 1] >= '0' &&
		    s[used + 1] <= '9') {
			*w++ = '.';
			used++;
			while (used <= k && s[used] >= '0' && s[used] <= '9')
				*w++ = (char)s[used++];
			p->st = L_NUM_FRAC;
		}
		/* most numbers end here: a byte that cannot go on with one ends it */
		if (p->st != L_NUM_MINUS && used <= k && !(s[used] >= '0' && s[used] <= '9') &&
		    (s[used] | 0x20) != 'e' && s[used] != '.') {
			w = put_reset(m, w);
			p->sgr_open = false;
			p->st = L_GAP;
			w = after_value(p, m, w);
			break;
		}
		/* the rest of the number, up to the byte after it (a bad one is left for later) */
		while (used <= k && token_byte(p, m, &w, s[used]) > 0)
			used++;
		break;
	default:
		return base > 0 ? (long)base : -1;
	}
	/* a ',' or ':' right after a complete token: the same step (fast_room left room) */
	if (p->st == L_GAP && used < avail && !p->owing) {
		if (s[used] == ',' && p->ctx == C_AFTER) {
			w = put_punct(m, w, ',');
			p->ctx = p->obj ? C_KEY : C_ARRVAL;
			used++;
		} else if (s[used] == ':' && p->ctx == C_COLON) {
			w = put_punct(m, w, ':');
			p->ctx = C_OBJVAL;
			used++;
		}
	}
	if (p->ws_n > 0)
		ws_drop(p);
	*op = end_step(p, o, oend, w);
	/* the next token right after this one (compact JSON): the same call */
	if (!p->owing && p->st == L_GAP && used < avail && s[used] > ' ' && oend - *op >= EV_MAX) {
		base += used;
		o = *op;
		goto again;
	}
	return (long)(base + used);
}

/* The first byte of a UTF-8 sequence in a string (RFC 3629 §4). */
static int utf8_lead(struct pretty *p, unsigned char c)
{
	p->lo = 0x80;
	p->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		p->need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		p->need = 2;
		if (c == 0xe0)
			p->lo = 0xa0; /* no overlongs */
		else if (c == 0xed)
			p->hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		p->need = 3;
		if (c == 0xf0)
			p->lo = 0x90;
		else if (c == 0xf4)
			p->hi = 0x8f; /* at most U+10FFFF */
	} else {
		return -1;
	}
	return 0;
}

/* A string byte that ends a plain run. Returns -1 when it is not allowed. */
static inline int str_special(struct pretty *restrict p, unsigned m, char **op, unsigned char c)
{
	char *w = *op;
	if (c == '"') {
		w = str_close(p, m, w);
	} else if (c == '\\') {
		*w++ = '\\';
		p->st = L_ESC;
	} else if (c < 0x20 || utf8_lead(p, c) < 0) {
		return -1; /* RFC 8259 §7: controls must be escaped */
	} else {
		*w++ = (char)c;
		p->st = L_UTF8;
	}
	*op = w;
	return 0;
}

/*
 * One byte inside an escape, a UTF-8 sequence, a number or a literal.
 * Returns 1 when it was used, 0 when it ends a number (the byte is looked at
 * again in L_GAP), -1 when it is not allowed.
 */
static inline int token_byte(struct pretty *restrict p, unsigned m, char **op, unsigned char c)
{
	char *w = *op;
	bool digit = c >= '0' && c <= '9';
	switch (p->st) {
	case L_ESC:
		if (c == 'u') {
			p->need = 4;
			p->st = L_HEX;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
			   c == 'r' || c == 't') {
			p->st = L_STR;
		} else {
			return -1;
		}
		break;
	case L_HEX:
		if (!is_hex(c))
			return -1;
		if (--p->need == 0)
			p->st = L_STR;
		break;
	case L_UTF8:
		if (c < p->lo || c > p->hi)
			return -1;
		p->lo = 0x80;
		p->hi = 0xbf;
		if (--p->need == 0)
			p->st = L_STR;
		break;
	case L_LIT:
		if ((char)c != p->lit[p->lit_pos])
			return -1;
		*w++ = (char)c;
		if (p->lit[++p->lit_pos] == '\0') {
			w = put_reset(m, w);
			p->sgr_open = false;
			p->st = L_GAP;
			w = after_value(p, m, w);
		}
		*op = w;
		return 1;
	/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
	case L_NUM_MINUS:
		if (!digit)
			return -1;
		p->st = c == '0' ? L_NUM_ZERO : L_NUM_INT;
		break;
	case L_NUM_ZERO:
	case L_NUM_INT:
	case L_NUM_FRAC:
		if (digit && p->st != L_NUM_ZERO)
			break;
		if (c == '.' && p->st != L_NUM_FRAC)
			p->st = L_NUM_DOT;
		else if (c == 'e' || c == 'E')
			p->st = L_NUM_E;
		else
			goto num_end;
		break;
	case L_NUM_DOT:
		if (!digit)
			return -1;
		p->st = L_NUM_FRAC;
		break;
	case L_NUM_E:
		if (c == '+' || c == '-') {
			p->st = L_NUM_ESIGN;
			break;
		}
		/* fall through */
	case L_NUM_ESIGN:
		if (!digit)
			return -1;
		p->st = L_NUM_EXP;
		break;
	case L_NUM_EXP:
		if (digit)
			break;
		goto num_end;
	default:
		return -1;
	}
	*w++ = (char)c;
	*op = w;
	return 1;
num_end:
	w = put_reset(m, w);
	p->sgr_open = false;
	p->st = L_GAP;
	*op = after_value(p, m, w);
	return 0;
}

static size_t feed_raw(const char *in, size_t n, char **op, char *oend)
{
	size_t k = (size_t)(oend - *op) < n ? (size_t)(oend - *op) : n;
	memcpy(*op, in, k);
	*op += k;
	return k;
}

/*
 * The fast path of --pretty=format (no colour, no keep_ws) for compact JSON
 * inside containers: whole tokens only, the state in locals and the place in
 * the grammar in the code, written back to p when it leaves. It leaves before
 * anything it does not take whole (whitespace, a token cut by the end of in or
 * of out's room, a level the stack has no room for, a bad byte, the end of the
 * outermost value), writing nothing for it: the byte-wise steps take it from
 * there with the same state, so the output is theirs byte for byte.
 */
static const char spaces32[32] = "                                ";

/*
 * Room at w before lim. A ',', ':' or ' ' is written without a look (EV_TAIL
 * is kept past lim for them), so w may be a few bytes past lim.
 */
static inline size_t fast_left(const char *w, const char *lim)
{
	return w < lim ? (size_t)(lim - w) : 0;
}

/* "\n" and n spaces at w, or NULL when they and 32 bytes of margin do not fit before lim. */
static inline char *fast_nl(char *restrict w, const char *lim, uint64_t n)
{
	if (n + 33 > fast_left(w, lim))
		return NULL;
	*w++ = '\n';
	memcpy(w, spaces32, 32);
	for (uint64_t k = 32; k < n; k += 32)
		memcpy(w + k, spaces32, 32);
	return w + n;
}

/* A whole string at s[i] (its '"') copied to *wp: the index after it, or 0. */
static inline size_t fast_str(const unsigned char *restrict s, size_t i, size_t n,
			      char *restrict *wp, const char *lim)
{
	char *w = *wp;
	size_t room = fast_left(w, lim);
	size_t end = n - i < room ? n : i + room;
	if (room < 2)
		return 0;
	*w++ = '"';
	i++;
	for (;;) {
		size_t q;
		i = str_run(s, i, end, &w);
		if (i >= end)
			return 0;
		if (s[i] == '"') {
			*w++ = '"';
			*wp = w;
			return i + 1;
		}
		if ((q = str_seq(s, i, end, &w)) == 0)
			return 0;
		i += q;
	}
}

static inline bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A whole number at s[i] (RFC 8259 §6) with the byte after it in s[..n): that byte's index, or 0.
 */
static inline size_t fast_num(const unsigned char *restrict s, size_t i, size_t n)
{
	size_t j = i + (s[i] == '-');
	if (j >= n || !digit(s[j]))
		return 0;
	if (s[j++] != '0')
		while (j < n && digit(s[j]))
			j++;
	if (j < n && s[j] == '.') {
		if (++j >= n || !digit(s[j]))
			return 0;
		while (++j < n && digit(s[j]))
			;
	}
	if (j < n && (s[j] | 0x20) == 'e') {
		if (++j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j >= n || !digit(s[j]))
			return 0;
		while (++j < n && digit(s[j]))
			;
	}
	return j < n ? j : 0;
}

static size_t fast_compact(struct pretty *restrict p, const unsigned char *restrict s, size_t i,
			   size_t n, char **op, char *oend)
{
	char *o = *op, *w;
	const char *lim = oend - EV_TAIL;
	uint64_t d = p->depth, ind = p->indent;
	uint64_t cap = (uint64_t)(p->heap ? p->heap_cap : sizeof(p->stack0)) * 8;
	unsigned char *lv = levels(p);
	bool obj = p->obj;
	unsigned ctx = p->ctx;
	size_t j;
	unsigned char c;

	if (i >= n)
		return i;
	switch (ctx) {
	case C_OBJVAL:
		goto objval;
	case C_ARRVAL:
	case C_FIRST_ARR:
		goto arrval;
	case C_FIRST_OBJ:
	case C_KEY:
		goto key;
	case C_COLON:
		goto colon;
	case C_AFTER:
		goto after;
	default:
		goto out;
	}
key: /* C_FIRST_OBJ or C_KEY */
	if (s[i] != '"') {
		if (s[i] == '}' && ctx == C_FIRST_OBJ && o < lim) {
			w = o;
			goto close;
		}
		goto out;
	}
	if ((w = fast_nl(o, lim, d * ind)) == NULL || (j = fast_str(s, i, n, &w, lim)) == 0)
		goto out;
	o = w;
	i = j;
	ctx = C_COLON;
	if (i >= n)
		goto out;
colon:
	if (s[i] != ':')
		goto out;
	*o++ = ':'; /* lim keeps EV_TAIL bytes */
	i++;
	ctx = C_OBJVAL;
	if (i >= n)
		goto out;
objval:
	w = o;
	*w++ = ' ';
	goto value;
arrval: /* C_ARRVAL or C_FIRST_ARR */
	if (s[i] == ']' && ctx == C_FIRST_ARR && o < lim) {
		w = o;
		goto close;
	}
	if ((w = fast_nl(o, lim, d * ind)) == NULL)
		goto out;
value:
	c = s[i];
	switch (c) {
	case '"':
		if ((j = fast_str(s, i, n, &w, lim)) == 0)
			goto out;
		break;
	case '-':
	case '0' ... '9':
		j = fast_num(s, i, n);
		if (j == 0 || j - i > fast_left(w, lim))
			goto out;
		if (j - i <= 16 && n - i >= 16)
			memcpy(w, s + i, 16); /* in in; in out before oend, past lim by < 16 */
		else
			memcpy(w, s + i, j - i);
		w += j - i;
		break;
	case 't':
	case 'n':
		if (n - i < 4 || !same4(s + i, c == 't' ? lit_true : lit_null) || w + 4 > lim)
			goto out;
		memcpy(w, s + i, 4);
		w += 4;
		j = i + 4;
		break;
	case 'f':
		if (n - i < 5 || !same4(s + i + 1, lit_false + 1) || w + 5 > lim)
			goto out;
		memcpy(w, s + i, 5);
		w += 5;
		j = i + 5;
		break;
	case '{':
	case '[':
		if (d >= cap || w >= lim)
			goto out;
		obj = c == '{';
		*w++ = (char)c;
		lv[d / 8] =
		    (unsigned char)(obj ? lv[d / 8] | 1u << (d % 8) : lv[d / 8] & ~(1u << (d % 8)));
		d++;
		o = w;
		i++;
		if (i >= n) {
			ctx = obj ? C_FIRST_OBJ : C_FIRST_ARR;
			goto out;
		}
		if (obj) {
			ctx = C_FIRST_OBJ;
			goto key;
		}
		ctx = C_FIRST_ARR;
		goto arrval;
	default:
		goto out;
	}
	o = w;
	i = j;
	ctx = C_AFTER;
	if (i >= n)
		goto out;
after: /* C_AFTER: ',' or the close of the container */
	c = s[i];
	if (c == ',') {
		*o++ = ',';
		i++;
		if (i >= n) {
			ctx = obj ? C_KEY : C_ARRVAL;
			goto out;
		}
		if (obj) {
			ctx = C_KEY;
			goto key;
		}
		ctx = C_ARRVAL;
		goto arrval;
	}
	if (c != (obj ? '}' : ']') || (w = fast_nl(o, lim, (d - 1) * ind)) == NULL)
		goto out;
close: /* s[i] closes the innermost container; w is after the layout before it */
	*w++ = (char)s[i];
	i++;
	d--;
	o = w;
	ctx = C_AFTER;
	if (d == 0) { /* the end of a top-level value: the byte-wise steps go on */
		*o++ = '\n';
		obj = false;
		ctx = C_END;
		goto out;
	}
	obj = (lv[(d - 1) / 8] >> ((d - 1) % 8)) & 1;
	if (i < n)
		goto after;
out:
	p->depth = d;
	p->obj = obj;
	p->ctx = (uint8_t)ctx;
	*op = o;
	return i;
}

static inline __attribute__((always_inline)) size_t
feed_mode(struct pretty *restrict p, unsigned m, const char *in, size_t n, struct pretty_out *out)
{
	char *o = out->buf + out->len, *oend = out->buf + out->cap;
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	if (p->owing && (o = drain(p, o, oend), p->owing))
		goto done;
	if (p->st == L_FLUSH) {
		o = flush(p, o, oend);
		goto done; /* the switch to raw: the caller sees it before any raw byte */
	}
	if (p->st == L_RAW) {
		i = feed_raw(in, n, &o, oend);
		goto done;
	}
	if (p->st == L_DONE)
		goto done;

	while (i < n) {
		size_t room = (size_t)(oend - o);
		if (room < EV_MAX || p->owing)
			break;
		unsigned char c = s[i];
		if (p->st == L_GAP)
			goto gap;
		switch (p->st) {
		case L_STR: {
			/* the hot path: a run of plain bytes, copied as room allows */
			size_t lim = n - i < room ? n : i + room;
			size_t q;
			if (!str_stop[c]) {
				i = str_run(s, i, lim, &o);
				continue;
			}
			if (c != '"' && (q = str_seq(s, i, lim, &o)) > 0) {
				i += q;
				continue;
			}
			if (str_special(p, m, &o, c) < 0)
				goto bad;
			i++;
			continue;
		}
		case L_NUM_INT:
		case L_NUM_FRAC:
		case L_NUM_EXP:
			if (c >= '0' && c <= '9') {
				size_t lim = n - i < room - EV_TAIL ? n : i + room - EV_TAIL;
				while (i < lim && s[i] >= '0' && s[i] <= '9')
					*o++ = (char)s[i++];
				continue;
			}
			/* fall through */
		case L_ESC:
		case L_HEX:
		case L_UTF8:
		case L_NUM_MINUS:
		case L_NUM_ZERO:
		case L_NUM_DOT:
		case L_NUM_E:
		case L_NUM_ESIGN:
		case L_LIT: {
			int r = token_byte(p, m, &o, c);
			if (r < 0)
				goto bad;
			if (r == 0) /* a number ended: the byte starts what follows */
				goto gap;
			i++;
			continue;
		}
		case L_BOM0:
			if (c != 0xef) {
				p->st = L_GAP;
				goto gap;
			}
			p->bom = 1;
			p->st = L_BOM1;
			i++;
			continue;
		case L_BOM1:
			if (c != 0xbb)
				goto bad;
			p->bom = 2;
			p->st = L_BOM2;
			i++;
			continue;
		case L_BOM2:
			if (c != 0xbf)
				goto bad;
			memcpy(o, "\xef\xbb\xbf", 3);
			o += 3;
			p->bom = 0;
			p->st = L_GAP;
			i++;
			continue;
		default:
			break;
		}
	gap:
		if (m == 0 && p->depth > 0 && p->ws_n == 0 && !p->owing) {
			size_t j = fast_compact(p, s, i, n, &o, oend);
			if (j != i) {
				i = j;
				continue;
			}
		}
		if (c <= ' ' && ((UINT64_C(1) << c) & WS_MASK)) {
			if (ws_add(p, c) < 0)
				goto bad;
			if (m & M_KEEP)
				*o++ = (char)c;
			i++;
			continue;
		}
		long used = gap_token(p, m, &o, oend, s + i, n - i);
		if (used < 0)
			goto bad;
		i += (size_t)used;
	}
	goto done;
bad:
	o = give_up(p, o, p->pos + i, L_RAW);
	o = flush(p, o, oend);
done:
	p->pos += i;
	out->len = (size_t)(o - out->buf);
	return i;
}

/* A body that ends here: the last number is complete, or the held whitespace goes out. */
static void finish_lexer(struct pretty *restrict p, char **op)
{
	unsigned m = MODE(p);
	char *o = *op;
	if (p->st == L_NUM_ZERO || p->st == L_NUM_INT || p->st == L_NUM_FRAC ||
	    p->st == L_NUM_EXP) {
		o = put_reset(m, o);
		p->sgr_open = false;
		p->st = L_GAP;
		o = after_value(p, m, o);
	}
	if (p->st == L_GAP && p->ctx == C_END) {
		ws_drop(p);
		p->ok = true;
		p->raw_at = p->pos;
		p->st = L_DONE;
	} else {
		o = give_up(p, o, p->pos, L_DONE);
	}
	*op = o;
}

static int fmt_finish(struct pretty *p, struct pretty_out *out)
{
	char *o = out->buf + out->len, *oend = out->buf + out->cap;
	if (p->owing)
		o = drain(p, o, oend);
	if (!p->owing) {
		if (p->st == L_RAW)
			p->st = L_DONE;
		else if (p->st != L_FLUSH && p->st != L_DONE && oend - o >= EV_MAX)
			finish_lexer(p, &o);
		if (p->st == L_FLUSH)
			o = flush(p, o, oend);
	}
	out->len = (size_t)(o - out->buf);
	return p->st == L_DONE ? 0 : 1;
}

/* The hot loop in two copies: plain formatting with m constant, and the rest. */
static size_t fmt_feed(struct pretty *restrict p, const char *in, size_t n, struct pretty_out *out)
{
	if (!p->color && !p->keep_ws)
		return feed_mode(p, 0, in, n, out);
	return feed_mode(p, MODE(p), in, n, out);
}

/*
 * json.sort_keys: Python's json.dumps(sort_keys=True) order, members sorted by
 * their decoded keys in code-point order, equal keys as received, at every
 * level. Three stages:
 *   lex   a second formatter in keep_ws mode without colour: its output is its
 *         input, and it says where the body stops being JSON. Only bytes it
 *         has passed are looked at below, so nothing invalid is ever reordered.
 *   hold  outside objects those bytes go straight on; from an outermost '{'
 *         to its '}' they are held (whitespace between tokens dropped) with an
 *         index of the objects and members, then fed on members sorted.
 *   p     the formatter itself, fed what comes out of hold.
 * Held memory is the largest outermost object plus its index: the one
 * documented exception to flat memory. When the body stops being JSON inside
 * a held object, the held bytes go on as received (compacted, whitespace after
 * the last token kept) followed by the rest, so the formatter gives up exactly
 * where it would without sort_keys: the output is the same as without it.
 */
#define SORT_LEX_BUF 4096
#define SORT_ARRAY SIZE_MAX /* a container stack entry that is an array */

struct sort_obj {
	size_t start, end; /* hold offsets of '{' and after '}' */
	size_t first, n;   /* members: mems[first..first+n), sorted */
	size_t wbase;	   /* while open: its members start at work[wbase] */
	size_t next;	   /* the object after this one's nested ones */
};

struct sort_mem {
	size_t start, end; /* hold offsets: the key's '"' to the end of the value */
	size_t child;	   /* the first object that may be nested in it */
	size_t koff, klen; /* the decoded key in keys */
};

struct sort_frame {
	size_t oi, j, cursor, c;
	int phase;
};
enum { PH_OPEN, PH_MEMBER, PH_BODY };

struct pretty_sort {
	struct pretty lex;
	char lbuf[SORT_LEX_BUF];
	size_t ahead;	  /* bytes lex has passed that are not through hold yet */
	bool lex_stopped; /* lex gave up after them */
	bool gave_up;	  /* hold is out unsorted: the rest goes to the formatter */
	bool in_str, esc, key, want_key;
	char *hold;
	size_t hold_len, hold_cap, tok_end;
	uint64_t dropped; /* whitespace taken out of held objects */
	size_t *stack;	  /* open containers in hold: objs index or SORT_ARRAY */
	size_t depth, stack_cap;
	struct sort_obj *objs;
	size_t nobjs, objs_cap;
	struct sort_mem *work, *mems; /* members of open objects; of closed ones, sorted */
	size_t nwork, work_cap, nmems, mems_cap;
	char *keys;
	size_t keys_len, keys_cap;
	struct sort_frame *frames;
	size_t nframes, frames_cap;
	bool emitting;
	const char *pend; /* bytes for the formatter not taken yet */
	size_t pend_len;
};

/* Room for n more elements of size sz in *a (count *len, capacity *cap). */
static int sort_grow(void *a, size_t *cap, size_t len, size_t n, size_t sz)
{
	if (*cap - len >= n)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c - len < n) {
		if (c > SIZE_MAX / 2 / sz)
			return -1;
		c *= 2;
	}
	void *q = realloc(*(void **)a, c * sz);
	if (q == NULL)
		return -1;
	*(void **)a = q;
	*cap = c;
	return 0;
}

static int sort_init(struct pretty *p, bool ndjson)
{
	struct pretty_opts lo = {.keep_ws = true, .ndjson = ndjson};
	p->sort = calloc(1, sizeof(*p->sort));
	if (p->sort == NULL)
		return -1;
	return pretty_init(&p->sort->lex, &lo);
}

static void sort_free(struct pretty *p)
{
	struct pretty_sort *s = p->sort;
	if (s == NULL)
		return;
	pretty_free(&s->lex);
	free(s->hold);
	free(s->stack);
	free(s->objs);
	free(s->work);
	free(s->mems);
	free(s->keys);
	free(s->frames);
	free(s);
	p->sort = NULL;
}

static bool sort_raw(const struct pretty *p)
{
	return p->sort->gave_up && p->sort->pend_len == 0 && fmt_raw(p);
}

static uint64_t sort_dropped(const struct pretty *p)
{
	return p->sort->dropped;
}

static unsigned hex4(const char *h)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)h[i];
		v = v << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/*
 * A key's text (between its quotes, valid JSON) decoded into keys: UTF-8, a
 * lone surrogate as its own 3 bytes, so that comparing bytes compares code
 * points, as Python compares str.
 */
static int key_decode(struct pretty_sort *s, const char *k, size_t n, struct sort_mem *m)
{
	m->koff = s->keys_len;
	m->klen = 0;
	if (n == 0)
		return 0;
	if (sort_grow(&s->keys, &s->keys_cap, s->keys_len, n, 1) < 0)
		return -1;
	unsigned char *w = (unsigned char *)s->keys + s->keys_len;
	for (size_t i = 0; i < n; i++) {
		if (k[i] != '\\') {
			*w++ = (unsigned char)k[i];
			continue;
		}
		char e = k[++i];
		if (e != 'u') {
			static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
			const char *f = strchr(from, e);
			*w++ = (unsigned char)(f ? to[f - from] : e);
			continue;
		}
		unsigned cp = hex4(k + i + 1);
		i += 4;
		if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && k[i + 1] == '\\' &&
		    k[i + 2] == 'u') {
			unsigned lo = hex4(k + i + 3);
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
		}
		/* at most 6 escaped bytes become at most 4: the room above is enough */
		if (cp < 0x80) {
			*w++ = (unsigned char)cp;
		} else if (cp < 0x800) {
			*w++ = (unsigned char)(0xc0 | cp >> 6);
			*w++ = (unsigned char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*w++ = (unsigned char)(0xe0 | cp >> 12);
			*w++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (unsigned char)(0xf0 | cp >> 18);
			*w++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			*w++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
	m->klen = (size_t)((char *)w - s->keys) - m->koff;
	s->keys_len += m->klen;
	return 0;
}

static int mem_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_mem *x = a, *y = b;
	const char *keys = arg;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int r = n > 0 ? memcmp(keys + x->koff, keys + y->koff, n) : 0;
	if (r == 0 && x->klen != y->klen)
		r = x->klen < y->klen ? -1 : 1;
	if (r == 0) /* stable: equal keys as received */
		r = x->start < y->start ? -1 : 1;
	return r;
}

/* An object closes at hold_len: its members sorted into mems. */
static int obj_close(struct pretty_sort *s)
{
	struct sort_obj *o = &s->objs[s->stack[s->depth - 1]];
	size_t n = s->nwork - o->wbase;
	if (n > 0)
		s->work[s->nwork - 1].end = s->hold_len - 1;
	if (n > 0) {
		if (sort_grow(&s->mems, &s->mems_cap, s->nmems, n, sizeof(*s->mems)) < 0)
			return -1;
		qsort_r(s->work + o->wbase, n, sizeof(*s->work), mem_cmp, s->keys);
		memcpy(s->mems + s->nmems, s->work + o->wbase, n * sizeof(*s->work));
	}
	o->first = s->nmems;
	o->n = n;
	o->end = s->hold_len;
	o->next = s->nobjs;
	s->nmems += n;
	s->nwork = o->wbase;
	s->depth--;
	return 0;
}

/* A container opens at hold_len - 1: obj, or an array. */
static int open_container(struct pretty_sort *s, bool obj)
{
	if (sort_grow(&s->stack, &s->stack_cap, s->depth, 1, sizeof(*s->stack)) < 0)
		return -1;
	/* the emission needs a frame per open object at most */
	if (sort_grow(&s->frames, &s->frames_cap, 0, s->stack_cap, sizeof(*s->frames)) < 0)
		return -1;
	s->stack[s->depth++] = obj ? s->nobjs : SORT_ARRAY;
	if (!obj)
		return 0;
	if (sort_grow(&s->objs, &s->objs_cap, s->nobjs, 1, sizeof(*s->objs)) < 0)
		return -1;
	s->objs[s->nobjs++] = (struct sort_obj){.start = s->hold_len - 1, .wbase = s->nwork};
	s->want_key = true;
	return 0;
}

/* One byte (valid JSON, lex says) of a held object. -1: no memory. */
static int hold_byte(struct pretty_sort *s, char c)
{
	if (sort_grow(&s->hold, &s->hold_cap, s->hold_len, 1, 1) < 0)
		return -1;
	if (s->in_str) {
		s->hold[s->hold_len++] = c;
		if (s->esc) {
			s->esc = false;
		} else if (c == '\\') {
			s->esc = true;
		} else if (c == '"') {
			s->in_str = false;
			s->tok_end = s->hold_len;
			if (s->key) {
				struct sort_mem *m = &s->work[s->nwork - 1];
				return key_decode(s, s->hold + m->start + 1,
						  s->hold_len - m->start - 2, m);
			}
		}
		return 0;
	}
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
		s->hold[s->hold_len++] = c; /* kept until a token shows it was layout */
		return 0;
	}
	s->dropped += s->hold_len - s->tok_end;
	s->hold_len = s->tok_end;
	s->hold[s->hold_len++] = c;
	s->tok_end = s->hold_len;
	bool in_obj = s->depth > 0 && s->stack[s->depth - 1] != SORT_ARRAY;
	switch (c) {
	case '"':
		s->in_str = true;
		s->key = in_obj && s->want_key;
		if (!s->key)
			return 0;
		s->want_key = false;
		if (sort_grow(&s->work, &s->work_cap, s->nwork, 1, sizeof(*s->work)) < 0)
			return -1;
		s->work[s->nwork++] =
		    (struct sort_mem){.start = s->hold_len - 1, .child = s->nobjs};
		return 0;
	case '{':
	case '[':
		return open_container(s, c == '{');
	case ',':
		if (in_obj) {
			s->work[s->nwork - 1].end = s->hold_len - 1;
			s->want_key = true;
		}
		return 0;
	case '}':
		s->want_key = false;
		return obj_close(s);
	case ']':
		s->depth--;
		return 0;
	default:
		return 0;
	}
}

/* The next piece of the sorted object for the formatter; false at its end. */
static bool emit_next(struct pretty_sort *s, const char **ptr, size_t *len)
{
	while (s->nframes > 0) {
		struct sort_frame *f = &s->frames[s->nframes - 1];
		const struct sort_obj *o = &s->objs[f->oi];
		const struct sort_mem *m = f->j < o->n ? &s->mems[o->first + f->j] : NULL;
		switch (f->phase) {
		case PH_OPEN:
			f->phase = PH_MEMBER;
			f->j = 0;
			*ptr = "{";
			*len = 1;
			return true;
		case PH_MEMBER:
			if (f->j == o->n) {
				s->nframes--;
				*ptr = "}";
				*len = 1;
				return true;
			}
			f->cursor = m->start;
			f->c = m->child;
			f->phase = PH_BODY;
			if (f->j > 0) {
				*ptr = ",";
				*len = 1;
				return true;
			}
			break;
		case PH_BODY:
			if (f->c < s->nobjs && s->objs[f->c].start < m->end) {
				const struct sort_obj *c = &s->objs[f->c];
				if (f->cursor < c->start) {
					*ptr = s->hold + f->cursor;
					*len = c->start - f->cursor;
					f->cursor = c->start;
					return true;
				}
				/* a nested object: in a frame of its own (see open_container) */
				size_t ci = f->c;
				f->cursor = c->end;
				f->c = c->next;
				s->frames[s->nframes++] =
				    (struct sort_frame){.oi = ci, .phase = PH_OPEN};
				break;
			}
			if (f->cursor < m->end) {
				*ptr = s->hold + f->cursor;
				*len = m->end - f->cursor;
				f->cursor = m->end;
				return true;
			}
			f->j++;
			f->phase = PH_MEMBER;
			break;
		}
	}
	return false;
}

static void hold_reset(struct pretty_sort *s)
{
	s->hold_len = s->tok_end = 0;
	s->nobjs = s->nwork = s->nmems = s->keys_len = s->depth = 0;
	s->emitting = false;
}

/* Pending bytes (a sorted object, or held bytes given up) into the formatter. */
static bool pend_out(struct pretty *restrict p, struct pretty_out *out)
{
	struct pretty_sort *s = p->sort;
	for (;;) {
		if (s->pend_len == 0) {
			if (!s->emitting)
				return true;
			if (!emit_next(s, &s->pend, &s->pend_len)) {
				hold_reset(s);
				return true;
			}
		}
		size_t u = fmt_feed(p, s->pend, s->pend_len, out);
		s->pend += u;
		s->pend_len -= u;
		if (s->pend_len > 0)
			return false;
	}
}

/* Sorting stops: what is held goes to the formatter as it is, then the rest. */
static void sort_give_up(struct pretty_sort *s)
{
	s->gave_up = true;
	s->emitting = false;
	s->pend = s->hold;
	s->pend_len = s->hold_len;
}

/*
 * Bytes lex has passed: outside objects to the formatter, inside held. Returns
 * how many were taken: fewer when the formatter's output is full, or when an
 * object is complete (its emission starts). -1: out of memory.
 */
static long sort_scan(struct pretty *restrict p, const char *in, size_t n, struct pretty_out *out)
{
	struct pretty_sort *s = p->sort;
	size_t i = 0;
	if (s->depth == 0) {
		bool str = s->in_str, esc = s->esc;
		while (i < n && (str || in[i] != '{')) {
			if (esc)
				esc = false;
			else if (str && in[i] == '\\')
				esc = true;
			else if (in[i] == '"')
				str = !str;
			i++;
		}
		size_t u = i > 0 ? fmt_feed(p, in, i, out) : 0;
		for (size_t k = 0; k < u; k++) { /* the string state up to where it took */
			if (s->esc)
				s->esc = false;
			else if (s->in_str && in[k] == '\\')
				s->esc = true;
			else if (in[k] == '"')
				s->in_str = !s->in_str;
		}
		if (u < i || i == n)
			return (long)u;
	}
	for (; i < n; i++) {
		if (hold_byte(s, in[i]) < 0)
			return -1;
		if (s->depth == 0) { /* the outermost object is complete */
			s->emitting = true;
			s->frames[0] = (struct sort_frame){.oi = 0, .phase = PH_OPEN};
			s->nframes = 1;
			return (long)i + 1;
		}
	}
	return (long)i;
}

static size_t sort_feed(struct pretty *restrict p, const char *in, size_t n, struct pretty_out *out)
{
	struct pretty_sort *s = p->sort;
	size_t i = 0;
	if (!pend_out(p, out))
		return 0;
	while (!s->gave_up && i < n) {
		if (s->ahead == 0) {
			if (s->lex_stopped) {
				sort_give_up(s);
				break;
			}
			struct pretty_out lo = {s->lbuf, 0, sizeof(s->lbuf)};
			s->ahead = fmt_feed(&s->lex, in + i, n - i, &lo);
			s->lex_stopped = s->lex.st == L_FLUSH || s->lex.st == L_RAW;
			continue;
		}
		size_t k = n - i < s->ahead ? n - i : s->ahead;
		long u = sort_scan(p, in + i, k, out);
		if (u < 0) {
			sort_give_up(s);
			break;
		}
		i += (size_t)u;
		s->ahead -= (size_t)u;
		if (!pend_out(p, out) || (size_t)u < k)
			return i;
	}
	if (s->gave_up && pend_out(p, out))
		i += fmt_feed(p, in + i, n - i, out);
	return i;
}

static int sort_finish(struct pretty *p, struct pretty_out *out)
{
	struct pretty_sort *s = p->sort;
	if (!pend_out(p, out))
		return 1;
	if (!s->gave_up && s->hold_len > 0) { /* cut inside an object: as received */
		sort_give_up(s);
		if (!pend_out(p, out))
			return 1;
	}
	return fmt_finish(p, out);
}

size_t pretty_feed(struct pretty *restrict p, const char *in, size_t n, struct pretty_out *out)
{
	return p->sort ? sort_feed(p, in, n, out) : fmt_feed(p, in, n, out);
}

int pretty_finish(struct pretty *p, struct pretty_out *out)
{
	return p->sort ? sort_finish(p, out) : fmt_finish(p, out);
}
