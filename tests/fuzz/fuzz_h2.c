/*
 * libFuzzer target for the HTTP/2 glue: server bytes fed to a client session
 * (h2.c's callbacks, libnghttp2 loaded as in a run) that has one GET open as
 * stream 1. The input goes in two pieces, split where its last byte says
 * (the first is a frame length's high byte, 0 in any valid input), so
 * frames cut in the middle are tried too. When the first piece brings a
 * final head, the second one's DATA goes to a sink that can take more or,
 * as the last byte's low bit says, cannot (the stream's buffer keeps it).
 * Invariants: no crash or leak, the stream's buffered DATA stays inside its
 * buffer and below its window, a status is three digits or none, the sink
 * was given exactly the bytes counted as taken.
 * max_len: 65536
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "h2.h"

static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = -1,
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

struct count_sink {
	size_t n;
	unsigned sum;
	bool blocked;
};

static enum hc_err count_write(void *ud, struct iovec *iov, int cnt)
{
	struct count_sink *k = ud;
	/* every byte read: ASan checks the spans */
	for (int i = 0; i < cnt; i++)
		for (size_t j = 0; j < iov[i].iov_len; j++)
			k->sum += ((const uint8_t *)iov[i].iov_base)[j];
	for (int i = 0; i < cnt; i++)
		k->n += iov[i].iov_len;
	return HC_OK;
}

static enum hc_err count_more(void *ud, int *fd)
{
	*fd = ((struct count_sink *)ud)->blocked ? 0 : -1;
	return HC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_conn c;
	struct hc_loop L;
	struct hc_xfer x;
	struct hc_response resp;
	static const struct hc_field fields[] = {{"Accept", "*/*"}, {"TE", "trailers"}};
	struct hc_request r = {.method = "GET", .target = "/", .headers = fields, .nheaders = 2};

	conn_init(&c, &cfg);
	c.host = strdup("example.org");
	c.port = 443;
	c.tls = true;
	c.cap = HC_RECV_BUF;
	loop_init(&L);
	resp_init(&resp, &c);
	h1_xfer_init(&x, &c, &r, &resp);
	x.loop = &L;
	if (c.host == NULL || h2_fuzz_session(&c, &x) != HC_OK)
		abort();
	size_t cut = size ? (size_t)data[size - 1] * size / 256 : 0;
	/* an exact-size copy of each piece, so ASan sees a read past its end */
	uint8_t *a = malloc(cut ? cut : 1), *b = malloc(size - cut ? size - cut : 1);
	memcpy(a, data, cut);
	memcpy(b, data + cut, size - cut);
	struct count_sink k = {.blocked = size && (data[size - 1] & 1)};
	const struct hc_sink sink = {.ud = &k, .write = count_write, .more = count_more};
	if (h2_feed(&c, a, cut) == HC_OK) {
		if (x.task.paused && !x.task.done && resp.status >= 200)
			check(x.proto->body(&x, &sink) == HC_OK);
		h2_feed(&c, b, size - cut);
	}
	check(x.sink == NULL || k.n == resp.nread);
	check(resp.status == 0 || (resp.status >= 100 && resp.status <= 999));
	check(h2_buffered(&resp) <= 2 * (size_t)HC_H2_STREAM_WINDOW);
	free(a);
	free(b);
	x.proto->finish(&x, &L);
	resp_free(&resp);
	conn_free(&c);
	loop_free(&L);
	return 0;
}
