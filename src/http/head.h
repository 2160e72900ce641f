/*
 * The response head parser: status line and header block, without copying.
 * Like picohttpparser, names and values are slices of the caller's buffer and
 * the caller's field array is the field limit.
 */
#ifndef HC_HEAD_H
#define HC_HEAD_H

#include <stdbool.h>
#include <stddef.h>

struct hc_head_field {
	const char *name;
	size_t nlen;
	const char *value; /* when folded, the raw span across its lines */
	size_t vlen;
	bool folded;
};

struct hc_head {
	int version; /* 10 or 11 */
	int status;
	const char *line; /* the status line without its line ending */
	size_t line_len;
	const char *reason;
	size_t rlen;
	struct hc_head_field *fields; /* the caller's array of maxfields */
	size_t nfields, maxfields;
};

/*
 * Parse one head from buf[0..len).
 * Returns the bytes it takes (> 0) when complete, 0 when more bytes are
 * needed, or -(enum hc_err) when the bytes can never make a valid head.
 */
long head_parse(const char *buf, size_t len, struct hc_head *h);

/* One "Name: value" line without its line ending (a trailer). 0 or -(enum hc_err). */
int head_parse_field(const char *line, size_t len, struct hc_head_field *f);

/* Copy a field value to out, joining folded lines with one space; returns its length. */
size_t head_unfold(const char *v, size_t vlen, char *out);

#endif
