/*
 * libFuzzer target for whole responses: resp_begin and resp_read/resp_readv
 * over a socketpair, as the engine reads a server (framing, interim
 * responses, bytes left over, keep-alive, content decoders).
 * max_len: 200000 (so that a line reaches HC_MAX_LINE)
 *
 * Input: one control byte, then the server's bytes. Control bits 0-1 pick
 * the method (GET, HEAD, CONNECT, POST), bit 2 reads with resp_readv, bit 3
 * decodes Content-Encoding, bit 4 stops at 100 Continue, bit 5 reads without
 * blocking (resp_readv_step, resp_splice_step) and polls when told, bit 6
 * splices into a pipe when resp_can_splice says it may.
 * Invariants: the buffer indices stay in bounds; a final status is 200..999
 * (100..199 only for a stopped 100); a Content-Length body hands out exactly
 * its length; a connection left reusable holds no unread byte (RFC 9112
 * §6.3); every error has a kind the seed names and a message.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decode.h"
#include "fuzz.h"
#include "http.h"

struct feed {
	int fd;
	const uint8_t *p;
	size_t n;
};

/* The server: every byte, then a clean close. */
static void *serve(void *arg)
{
	struct feed *f = arg;
	size_t off = 0;
	while (off < f->n) {
		ssize_t w = send(f->fd, f->p + off, f->n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(f->fd, SHUT_WR);
	return NULL;
}

static enum hc_err discard(void *ud, const char *p, size_t n)
{
	(void)ud;
	(void)p;
	(void)n;
	return HC_OK;
}

static void check_conn(const struct hc_conn *c)
{
	check(c->start <= c->end && c->end <= c->cap);
}

/* Wait for what a non-blocking read said (POLLIN on the socket). */
static void wait_for(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};
	check(ev == POLLIN);
	check(poll(&p, 1, 10000) == 1);
}

/* Body bytes spliced into a pipe, read back at once: how many moved. */
static enum hc_err spliced(struct hc_response *r, int pfd[2], bool step, uint64_t *total)
{
	size_t moved = 0;
	short wait = 0;
	enum hc_err rc =
	    step ? resp_splice_step(r, pfd[1], &moved, &wait) : resp_splice(r, pfd[1], &moved);
	if (rc == HC_OK && wait) {
		check(moved == 0 && wait == POLLIN); /* the pipe is emptied each time */
		wait_for(r->c->fd, wait);
	}
	char buf[65536];
	for (size_t left = moved; left > 0;) {
		ssize_t n = read(pfd[0], buf, left < sizeof(buf) ? left : sizeof(buf));
		check(n > 0);
		left -= (size_t)n;
	}
	*total += moved;
	return rc;
}

/* One response: its head, then its body to the end or the first error. */
static enum hc_err one_response(struct hc_conn *c, const char *method, unsigned ctl)
{
	struct hc_response r;
	bool got100 = false;
	resp_init(&r, c);
	enum hc_err rc = resp_begin_ex(&r, method, (ctl & 16) != 0, &got100);
	check_conn(c);
	if (rc != HC_OK || got100) {
		resp_free(&r);
		return rc;
	}
	check(r.status >= 200 && r.status <= 999 && r.status_line != NULL);
	check(r.version == 10 || r.version == 11);

	struct hc_decoder *dec = NULL;
	char err[HC_ERRBUF], names[128];
	const char *ce = hdr_get(&r.hdrs, "Content-Encoding");
	if ((ctl & 8) && ce && dec_open(&dec, ce, err, sizeof(err), names, sizeof(names)) != HC_OK)
		dec = NULL;
	bool dec_ok = true;
	uint64_t total = 0;
	int pfd[2] = {-1, -1};
	if (ctl & 64)
		check(pipe2(pfd, O_CLOEXEC) == 0);
	while (rc == HC_OK && !r.done) {
		struct iovec iov[8];
		int cnt = 0;
		short wait = 0;
		if ((ctl & 64) && dec == NULL && resp_can_splice(&r)) {
			rc = spliced(&r, pfd, (ctl & 32) != 0, &total);
			check_conn(c);
			continue;
		}
		if (ctl & 32) {
			rc = resp_readv_step(&r, iov, 8, &cnt, &wait);
			if (rc == HC_OK && wait) {
				check(cnt == 0);
				wait_for(c->fd, wait);
				continue;
			}
		} else if (ctl & 4) {
			rc = resp_readv(&r, iov, 8, &cnt);
		} else {
			const char *p = NULL;
			size_t n = 0;
			rc = resp_read(&r, &p, &n);
			if (rc == HC_OK && n) {
				iov[0] = (struct iovec){(void *)p, n};
				cnt = 1;
			}
		}
		check_conn(c);
		for (int i = 0; rc == HC_OK && i < cnt; i++) {
			const char *p = iov[i].iov_base;
			check(p >= c->buf && p + iov[i].iov_len <= c->buf + c->end);
			total += iov[i].iov_len;
			if (dec && dec_ok)
				dec_ok = dec_write(dec, p, iov[i].iov_len, discard, NULL, err,
						   sizeof(err)) == HC_OK;
		}
		if (rc == HC_OK && cnt == 0 && !r.done)
			check(r.mode == HC_BM_CHUNKED); /* a chunk event without data */
	}
	if (dec && dec_ok && rc == HC_OK)
		(void)dec_end(dec, err, sizeof(err));
	dec_free(dec);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (rc == HC_OK) {
		check(total == r.nread);
		if (r.mode == HC_BM_LENGTH)
			check(total == r.length);
		if (c->reusable)
			check(c->start == c->end && !r.will_close && r.mode != HC_BM_CLOSE);
	}
	resp_free(&r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = {"GET", "HEAD", "CONNECT", "POST"};
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);

	struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				  .timeout_ms = -1,
				  .blocksize = HC_BLOCKSIZE,
				  .max_headers = HC_MAX_HEADERS};
	struct hc_conn c;
	conn_init(&c, &cfg);
	c.fd = sv[0];
	c.cap = HC_RECV_BUF;
	c.buf = malloc(c.cap);
	check(c.buf != NULL);

	struct feed f = {.fd = sv[1], .p = data + 1, .n = size - 1};
	pthread_t th;
	check(pthread_create(&th, NULL, serve, &f) == 0);

	/* the responses a keep-alive connection would read, one after another */
	for (int i = 0; i < 4; i++) {
		c.reusable = false;
		c.err[0] = '\0';
		enum hc_err rc = one_response(&c, methods[ctl & 3], ctl);
		if (rc != HC_OK) {
			check(rc > HC_OK && rc < HC_ERR_COUNT && rc != HC_EINTERNAL);
			check(rc == HC_ENOMEM || c.err[0] != '\0');
			break;
		}
		if (!c.reusable)
			break;
	}
	/* drain what the server still sends, so that it ends */
	char sink[4096];
	for (;;) {
		size_t got;
		c.start = c.end = 0;
		if (tr_read(&c, sink, sizeof(sink), &got) != HC_OK || got == 0)
			break;
	}
	pthread_join(th, NULL);
	close(sv[1]);
	conn_free(&c);
	return 0;
}
