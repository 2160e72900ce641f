/*
 * A streaming JSON formatter (SPEC.md Part 2 "Formatting responses"): body
 * bytes go in as they arrive, Python's json.dumps(indent=N) layout comes out.
 *
 * Its own validating lexer (RFC 8259, UTF-8 checked in strings): tokens are
 * copied exactly as received (escapes as sent, "1e400" unchanged); only the
 * whitespace between tokens is replaced by the layout. Memory is the struct
 * plus one bit per nesting level beyond 512; never a function of body size,
 * except with sort_keys (below).
 *
 * Output rules:
 * - A complete top-level value is followed by "\n" (as `python3 -m json.tool`
 *   and HTTPie print it); whitespace after it is dropped. With keep_ws
 *   (--pretty=colors) whitespace is printed as received instead, and nothing
 *   is added but colour codes.
 * - NDJSON mode: each top-level value is formatted on its own and followed by
 *   "\n"; values may be separated by any whitespace, or none.
 * - A leading UTF-8 BOM is kept.
 * - When the body stops being JSON (a bad byte, a second value outside NDJSON
 *   mode, more than PRETTY_MAX_DEPTH levels, or more than PRETTY_WS_RUNS runs
 *   of differing whitespace bytes between two tokens), what was formatted
 *   stays and the rest of the body follows exactly as received, starting with
 *   the whitespace after the last token (held, as counted runs, until the next
 *   token shows whether it was layout). A colour in use is reset first.
 * - A body that ends early (pretty_finish inside a value) ends with the held
 *   whitespace as received; no newline is added.
 * So the output, with layout whitespace outside strings (and colour codes)
 * removed, is the input with its whitespace outside strings removed up to
 * pretty_raw_at(), followed by input[pretty_raw_at()..] unchanged.
 *
 * Lone \uD800-\uDFFF escapes are kept as sent (RFC 8259 §8.2 lets parsers
 * accept them); raw bytes in strings must be well-formed UTF-8 (RFC 3629).
 */
#ifndef HC_PRETTY_H
#define HC_PRETTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRETTY_OUT_MIN 64	    /* the least room pretty_feed needs in out to make progress */
#define PRETTY_WS_RUNS 32	    /* runs of one whitespace byte held between two tokens */
#define PRETTY_MAX_DEPTH (1u << 22) /* nesting levels: 512 KiB of bits at most */
#define PRETTY_STACK0 64	    /* bytes of levels kept in the struct (512 levels) */

struct pretty_opts {
	unsigned indent; /* spaces per level; 0: newlines only, as Python's indent=0 */
	bool color;	 /* ANSI colours for keys, strings, numbers, literals, punctuation */
	bool ndjson;	 /* application/x-ndjson, application/jsonl: values one after another */
	/*
	 * --pretty=colors: whitespace between tokens goes out as received and no
	 * newline is added; only colour codes are (so without colour the output
	 * is the input). Validation and the raw tail are as when formatting.
	 */
	bool keep_ws;
	/*
	 * json.sort_keys (ignored with keep_ws): members in the order of Python's
	 * json.dumps(sort_keys=True), by decoded key in code-point order, equal
	 * keys as received, at every level. Each outermost object is held until
	 * its '}' (compacted, with an index): memory grows with the largest one,
	 * the one documented exception to flat memory. Objects complete before
	 * the body stops being JSON are sorted; the one it stops in comes out as
	 * without sort_keys (formatted as received up to the bad byte, then the
	 * raw tail), so the output is then exactly the unsorted one's.
	 */
	bool sort_keys;
};

/* The caller's output buffer: pretty_* append at buf + len, never past cap. */
struct pretty_out {
	char *buf;
	size_t len, cap; /* cap >= PRETTY_OUT_MIN */
};

/* The formatter's state; fields are private. Lives wherever the caller puts it. */
struct pretty {
	uint64_t indent;
	bool color, ndjson, keep_ws;
	uint8_t st, ctx;      /* lexer state; what the grammar allows next */
	uint8_t after_flush;  /* the state once held whitespace is out */
	bool key;	      /* the string being read is an object key */
	bool obj;	      /* the innermost open container is an object */
	bool sgr_open;	      /* a colour is on in the output */
	bool owing;	      /* owed_* must go out before anything else */
	bool ok;	      /* finished: the body was complete JSON */
	uint8_t need, lo, hi; /* \u hex digits, or UTF-8 continuation bytes and their range */
	uint8_t lit_pos, bom; /* position in true/false/null; BOM bytes held */
	const char *lit;
	uint64_t owed_spaces; /* indentation not yet written */
	uint8_t owed_len;     /* then these bytes */
	char owed[40];
	uint64_t ws[PRETTY_WS_RUNS]; /* held whitespace: 2 bits of byte kind, 62 of count */
	unsigned ws_n, ws_head;
	uint64_t ws_total;
	uint64_t pos;	 /* body bytes consumed */
	uint64_t raw_at; /* body offset where the raw tail starts */
	uint64_t depth;
	struct pretty_sort *sort; /* json.sort_keys, or NULL */
	unsigned char *heap;	  /* levels beyond stack0 (bit set: object), or NULL */
	size_t heap_cap;
	unsigned char stack0[PRETTY_STACK0];
};

/* Returns 0, or -1 when out of memory (sort_keys allocates its state). */
int pretty_init(struct pretty *p, const struct pretty_opts *opts);

/*
 * Formats in[0..n) into out and returns how many input bytes it used. It uses
 * fewer than n when out has less than PRETTY_OUT_MIN bytes of room (drain out,
 * call again with the rest), and it stops exactly where the body stops being
 * JSON: pretty_raw() turns true and the bytes from the returned position on
 * are the raw tail (pretty_raw() may turn true one call later, once held
 * whitespace is out). Later calls copy the tail to out unchanged; a caller
 * that must escape bytes bound for a terminal takes them over itself instead.
 * Not to be called after pretty_finish.
 */
size_t pretty_feed(struct pretty *p, const char *in, size_t n, struct pretty_out *out);

/*
 * At the end of the body: completes a final number, or writes the held
 * whitespace of a truncated body. Returns 1 while output remains (drain out
 * and call again), then 0.
 */
int pretty_finish(struct pretty *p, struct pretty_out *out);

/* The body stopped being JSON; the rest is passed through raw. */
bool pretty_raw(const struct pretty *p);
/* After pretty_finish returned 0: the body was complete JSON (or NDJSON). */
bool pretty_ok(const struct pretty *p);
/* When pretty_raw, or finished and not ok: the body offset of the first raw byte. */
uint64_t pretty_raw_at(const struct pretty *p);

/* Frees the nesting stack grown on the heap; p may be reused after pretty_init. */
void pretty_free(struct pretty *p);

#endif
