/* The chunked transfer coding, decoded in place (RFC 9112 §7.1). */
#include <string.h>

#include "chunked.h"
#include "error.h"
#include "limits.h"
#include "url.h"

/* chunk-size [ BWS ; chunk-ext ]: hex digits that fit in 2^63-1. */
static int parse_size(const char *p, size_t n, uint64_t *size)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n && hc_hexval(p[i]) >= 0; i++) {
		if (v > (UINT64_C(0x7fffffffffffffff) >> 4))
			return -HC_ECHUNK;
		v = (v << 4) | (uint64_t)hc_hexval(p[i]);
	}
	if (i == 0)
		return -HC_ECHUNK;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] != ';')
		return -HC_ECHUNK;
	for (; i < n; i++)
		if (p[i] == '\r' || p[i] == '\0')
			return -HC_ECHUNK;
	*size = v;
	return 0;
}

/* One line: sets *n to its length without the ending, returns its length with it, 0 if partial. */
static long take_line(const char *buf, size_t len, size_t *n)
{
	size_t lim = len < HC_MAX_LINE ? len : HC_MAX_LINE;
	const char *lf = memchr(buf, '\n', lim);
	if (lf == NULL)
		return len >= HC_MAX_LINE ? -HC_ELINE : 0;
	size_t e = (size_t)(lf - buf);
	*n = (e > 0 && buf[e - 1] == '\r') ? e - 1 : e; /* bare LF accepted */
	return (long)(e + 1);
}

int chunk_step(struct hc_chunker *c, const char *buf, size_t len, size_t *used, const char **out,
	       size_t *outlen)
{
	size_t pos = 0, n;
	long l = 0;

	for (;;) {
		switch (c->state) {
		case HC_CH_SIZE:
			if ((l = take_line(buf + pos, len - pos, &n)) <= 0)
				goto partial;
			if (parse_size(buf + pos, n, &c->left) < 0) {
				*used = pos;
				return -HC_ECHUNK;
			}
			pos += (size_t)l;
			c->state = c->left ? HC_CH_DATA : HC_CH_TRAILER;
			break;
		case HC_CH_DATA:
			if (pos == len)
				goto partial;
			n = len - pos < c->left ? len - pos : (size_t)c->left;
			c->left -= n;
			if (c->left == 0)
				c->state = HC_CH_DATA_END;
			*out = buf + pos;
			*outlen = n;
			*used = pos + n;
			return HC_CHUNK_DATA;
		case HC_CH_DATA_END:
			if (pos == len)
				goto partial;
			if (buf[pos] == '\n') {
				pos += 1;
			} else if (buf[pos] == '\r') {
				if (pos + 1 == len)
					goto partial;
				if (buf[pos + 1] != '\n') {
					*used = pos;
					return -HC_ECHUNK;
				}
				pos += 2;
			} else {
				*used = pos;
				return -HC_ECHUNK;
			}
			c->state = HC_CH_SIZE;
			break;
		case HC_CH_TRAILER:
			if ((l = take_line(buf + pos, len - pos, &n)) <= 0)
				goto partial;
			*used = pos + (size_t)l;
			if (n == 0) {
				c->state = HC_CH_DONE;
				return HC_CHUNK_DONE;
			}
			*out = buf + pos;
			*outlen = n;
			return HC_CHUNK_TRAILER;
		case HC_CH_DONE:
			*used = pos;
			return HC_CHUNK_DONE;
		}
	}
partial:
	*used = pos;
	return l < 0 ? (int)l : HC_CHUNK_NEED;
}
