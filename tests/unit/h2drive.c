/*
 * A test driver for tests/h2.bats: several GETs at once as streams of one
 * h2c connection (prior knowledge), on one loop, the way the command line's
 * -Z drives the engine: every transfer started, each given its sink when its
 * head is in, the loop run until all have ended. Each body goes to
 * OUTDIR/N (N from 1, in the order of the paths); one line per transfer on
 * standard output: "N STATUS BYTES" or "N error KIND-NUMBER MESSAGE".
 *
 *   h2drive HOST PORT OUTDIR PATH...
 *
 * Exit status: 0 when every transfer ended whole, 1 otherwise, 2 on usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

#define MAX_PATHS 64

struct out {
	int fd;
	enum hc_err err;
};

static enum hc_err out_write(void *ud, struct iovec *iov, int cnt)
{
	struct out *o = ud;
	for (int i = 0; i < cnt; i++)
		for (size_t off = 0; off < iov[i].iov_len;) {
			ssize_t n = write(o->fd, (char *)iov[i].iov_base + off, iov[i].iov_len - off);
			if (n < 0)
				return o->err = HC_EWRITE;
			off += (size_t)n;
		}
	return HC_OK;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc - 4 > MAX_PATHS) {
		fprintf(stderr, "usage: h2drive HOST PORT OUTDIR PATH...\n");
		return 2;
	}
	int n = argc - 4;
	static struct hc_request req[MAX_PATHS];
	static struct hc_response resp[MAX_PATHS];
	static struct hc_xfer x[MAX_PATHS];
	static struct out out[MAX_PATHS];
	static struct hc_sink sink[MAX_PATHS];
	static bool bodied[MAX_PATHS];
	struct hc_conn_cfg cfg = {.connect_timeout_ms = 10000,
				  .timeout_ms = 30000,
				  .blocksize = HC_BLOCKSIZE,
				  .max_headers = HC_MAX_HEADERS,
				  .http = HC_HTTP_2_PRIOR};
	struct hc_conn c;
	struct hc_loop L;
	conn_init(&c, &cfg);
	loop_init(&L);
	if (conn_target(&c, argv[1], (unsigned)atoi(argv[2]), false, NULL))
		return 2;
	for (int i = 0; i < n; i++) {
		char name[4096];
		snprintf(name, sizeof(name), "%s/%d", argv[3], i + 1);
		if ((out[i].fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
			perror(name);
			return 2;
		}
		req[i] = (struct hc_request){.method = "GET", .target = argv[4 + i]};
		sink[i] = (struct hc_sink){.ud = &out[i], .write = out_write};
		resp_init(&resp[i], &c);
		h1_xfer_init(&x[i], &c, &req[i], &resp[i]);
		x[i].loop = &L;
		if (x[i].proto->start(&x[i], &L)) {
			fprintf(stderr, "h2drive: %s\n", c.err);
			return 2;
		}
	}
	/* as xfer_open and xfer_recv run it: until one pauses (its head) or ends; then the next */
	for (int i = 0; i < n; i++)
		while (!x[i].task.done) {
			for (int k = 0; k < n; k++)
				if (!bodied[k] && x[k].task.paused && !x[k].task.done) {
					bodied[k] = true;
					if (x[k].proto->body(&x[k], &sink[k]))
						x[k].task.done = true;
				}
			if (!x[i].task.paused && loop_run_until(&L, &x[i].task)) {
				fprintf(stderr, "h2drive: the loop failed\n");
				return 1;
			}
		}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (x[i].task.result || out[i].err) {
			printf("%d error %d %s\n", i + 1, x[i].task.result, x[i].err);
			rc = 1;
		} else {
			printf("%d %d %llu\n", i + 1, resp[i].status,
			       (unsigned long long)resp[i].nread);
		}
		x[i].proto->finish(&x[i], &L);
		resp_free(&resp[i]);
		close(out[i].fd);
	}
	conn_free(&c);
	loop_free(&L);
	return rc;
}
