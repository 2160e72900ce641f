/*
 * libFuzzer target for chunk_step. The first byte picks where the rest is
 * split into two feeds; the decoder is driven like the real caller (unused
 * bytes kept, more appended) and must give what a one-shot decode gives.
 * Every call sees its bytes in an allocation of exactly that size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"
#include "error.h"
#include "fuzz.h"

struct run {
	int rc;
	char *data, *trailers;
	size_t dlen, tlen, consumed;
};

static void append(char **dst, size_t *dlen, const char *src, size_t n)
{
	char *p = realloc(*dst, *dlen + n + 1);
	check(p != NULL);
	memcpy(p + *dlen, src, n);
	*dst = p;
	*dlen += n;
}

static void decode(const char *in, size_t len, size_t split, struct run *r)
{
	struct hc_chunker c = {.state = HC_CH_SIZE};
	size_t start = 0, avail = split;
	memset(r, 0, sizeof(*r));
	for (size_t iter = 0;; iter++) {
		check(iter <= 2 * len + 10);
		size_t n = avail - start;
		char *buf = malloc(n ? n : 1);
		check(buf != NULL);
		memcpy(buf, in + start, n);
		size_t used = (size_t)-1, outlen = 0;
		const char *out = NULL;
		int ev = chunk_step(&c, buf, n, &used, &out, &outlen);
		check(used <= n);
		if (ev == HC_CHUNK_DATA || ev == HC_CHUNK_TRAILER) {
			check(out != NULL && out >= buf && outlen <= used &&
			      (size_t)(out - buf) <= used - outlen);
			if (ev == HC_CHUNK_DATA) {
				check(outlen > 0);
				append(&r->data, &r->dlen, out, outlen);
			} else {
				append(&r->trailers, &r->tlen, out, outlen);
				append(&r->trailers, &r->tlen, "\n", 1);
			}
			check(used > 0);
		}
		free(buf);
		start += used;
		if (ev < 0) {
			check(ev == -HC_ECHUNK || ev == -HC_ELINE);
			r->rc = ev;
			break;
		}
		if (ev == HC_CHUNK_DONE) {
			check(c.state == HC_CH_DONE);
			r->rc = ev;
			break;
		}
		if (ev == HC_CHUNK_NEED) {
			if (avail == len) {
				r->rc = ev;
				break;
			}
			avail = len;
		} else {
			check(ev == HC_CHUNK_DATA || ev == HC_CHUNK_TRAILER);
		}
	}
	r->consumed = start;
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	size_t split = data[0] % (len + 1);

	struct run one, two;
	decode(in, len, len, &one);
	decode(in, len, split, &two);
	check(one.rc == two.rc);
	check(same(one.data, one.dlen, two.data, two.dlen));
	check(same(one.trailers, one.tlen, two.trailers, two.tlen));
	if (one.rc == HC_CHUNK_DONE)
		check(one.consumed == two.consumed);
	check(one.dlen <= len);
	free(one.data);
	free(one.trailers);
	free(two.data);
	free(two.trailers);
	return 0;
}
