/*
 * libFuzzer target for the HTTP/2 glue: server bytes fed to a client session
 * (h2.c's callbacks, libnghttp2 loaded as in a run) that has one GET open as
 * stream 1. The input goes in two pieces, split where its first byte says,
 * so frames cut in the middle are tried too. Invariants: no crash or leak,
 * the stream's buffered DATA stays inside its buffer and below its window,
 * a status is three digits or none.
 * max_len: 65536
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = -1,
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

static void check(int ok)
{
	if (!ok)
		abort();
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
	size_t cut = size ? (size_t)data[0] * size / 256 : 0;
	/* an exact-size copy of each piece, so ASan sees a read past its end */
	uint8_t *a = malloc(cut ? cut : 1), *b = malloc(size - cut ? size - cut : 1);
	memcpy(a, data, cut);
	memcpy(b, data + cut, size - cut);
	if (h2_feed(&c, a, cut) == HC_OK)
		h2_feed(&c, b, size - cut);
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
