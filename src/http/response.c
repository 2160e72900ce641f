/*
 * The seed's HTTPResponse: read the head (skipping interim 1xx), decide the
 * body's framing (RFC 9112 §6.3), and hand out body bytes as they arrive.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "tls.h"

void resp_init(struct hc_response *resp, struct hc_conn *c)
{
	memset(resp, 0, sizeof(*resp));
	resp->c = c;
}

void resp_detach(struct hc_response *resp)
{
	h2_resp_free(resp);
}

void resp_free(struct hc_response *resp)
{
	h2_resp_free(resp);
	hdr_free(&resp->hdrs);
	hdr_free(&resp->trailers);
	free(resp->status_line);
	resp->status_line = NULL;
}

static enum hc_err head_error(struct hc_conn *c, long rc, const char *p, size_t n)
{
	char s[320];
	/* the buffer holds n bytes and no NUL after them: a string function would read past it */
	const char *lf = memchr(p, '\n', n);
	size_t line = lf ? (size_t)(lf - p) : n;
	switch (-rc) {
	case HC_EBADSTATUS:
		return conn_seterr(c, HC_EBADSTATUS, "not an HTTP/1.x status line: '%s'",
				   hc_clip(p, line, 60, s, sizeof(s)));
	case HC_ELINE:
		return conn_seterr(c, HC_ELINE, "a line of the response head is longer than %d bytes",
				   HC_MAX_LINE);
	case HC_EHEADERS:
		return conn_seterr(c, HC_EHEADERS,
				   "more than %zu header fields in the response",
				   c->cfg->max_headers);
	default:
		return conn_seterr(c, HC_EHEADER, "malformed header field in the response");
	}
}

/* Make room for more head bytes: compact, then grow up to what the limits allow. */
static enum hc_err make_room(struct hc_conn *c)
{
	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end < c->cap)
		return HC_OK;
	size_t max = (c->cfg->max_headers + 2) * (size_t)HC_MAX_LINE;
	if (c->cap >= max)
		return conn_seterr(c, HC_EHEADERS, "response head larger than %zu bytes", max);
	size_t ncap = c->cap * 2 > max ? max : c->cap * 2;
	char *nb = realloc(c->buf, ncap);
	if (nb == NULL)
		return HC_ENOMEM;
	c->buf = nb;
	c->cap = ncap;
	return HC_OK;
}

/*
 * RFC 9112 §6.3: bytes after a complete response are not a next response.
 * A connection that holds any is not reused (its next request would read them).
 */
static bool nothing_after(struct hc_conn *c)
{
	if (c->start == c->end && !tls_pending(c))
		return true;
	conn_info(c, "%zu%s bytes follow the complete response; the connection will not be reused",
		  c->end - c->start, tls_pending(c) ? "+" : "");
	return false;
}

/*
 * Read one head; returns its length in *hlen with h filled (slices of c->buf).
 * With wait non-NULL nothing blocks: when no byte is there yet, *wait says
 * what to poll for (POLLIN, or POLLOUT for TLS) and *hlen is 0.
 */
static enum hc_err read_head(struct hc_conn *c, struct hc_head *h, size_t *hlen, short *wait)
{
	for (;;) {
		long rc = head_parse(c->buf + c->start, c->end - c->start, h);
		if (rc > 0) {
			*hlen = (size_t)rc;
			return HC_OK;
		}
		if (rc < 0)
			return head_error(c, rc, c->buf + c->start, c->end - c->start);
		enum hc_err e;
		size_t got = 0;
		if ((e = make_room(c)))
			return e;
		if (wait) {
			if ((e = tr_read_nowait(c, c->buf + c->end, c->cap - c->end, &got, wait)))
				return e;
			if (*wait)
				return HC_OK;
		} else if ((e = tr_read(c, c->buf + c->end, c->cap - c->end, &got))) {
			return e;
		}
		if (got == 0) {
			if (c->end == c->start)
				return conn_seterr(c, HC_EEMPTY,
						   "the server closed the connection without replying");
			return conn_seterr(c, HC_EBADSTATUS,
					   "the server closed the connection inside the response head");
		}
		c->end += got;
	}
}

/* RFC 9110 §8.6: one or more equal decimal values, in one field or several. */
static enum hc_err content_length(struct hc_conn *c, const struct hc_headers *hs, bool *has,
				  uint64_t *len)
{
	*has = false;
	for (size_t i = 0; i < hs->n; i++) {
		if (strcasecmp(hs->v[i].name, "Content-Length") != 0)
			continue;
		const char *p = hs->v[i].value;
		do {
			while (*p == ' ' || *p == '\t')
				p++;
			uint64_t v = 0;
			const char *d = p;
			while (*p >= '0' && *p <= '9') {
				if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(*p - '0')) / 10)
					return conn_seterr(c, HC_ELENGTH, "Content-Length too large");
				v = v * 10 + (uint64_t)(*p++ - '0');
			}
			if (p == d)
				goto bad;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\0' && *p != ',')
				goto bad;
			if (*has && v != *len)
				return conn_seterr(c, HC_ELENGTH, "conflicting Content-Length values");
			*has = true;
			*len = v;
		} while (*p++ == ',');
		continue;
bad:;
		char s[320];
		return conn_seterr(c, HC_ELENGTH, "invalid Content-Length '%s'",
				   hc_clip(hs->v[i].value, strlen(hs->v[i].value), 60, s, sizeof(s)));
	}
	return HC_OK;
}

/* Is chunked the final transfer coding (RFC 9112 §6.1)? */
static bool chunked_last(const struct hc_headers *hs)
{
	const char *last = NULL;
	size_t llen = 0;
	for (size_t i = 0; i < hs->n; i++) {
		if (strcasecmp(hs->v[i].name, "Transfer-Encoding") != 0)
			continue;
		const char *p = hs->v[i].value;
		while (hdr_list_next(&p, &last, &llen))
			;
	}
	return last && llen == 7 && strncasecmp(last, "chunked", 7) == 0;
}

static enum hc_err set_framing(struct hc_response *resp, const char *method)
{
	struct hc_conn *c = resp->c;
	const struct hc_headers *hs = &resp->hdrs;
	bool has_cl;
	uint64_t cl = 0;

	if (resp->version == 10)
		resp->will_close = !hdr_has_token(hs, "Connection", "keep-alive");
	else
		resp->will_close = hdr_has_token(hs, "Connection", "close");

	/* RFC 9112 §6.3, in its order */
	if (strcmp(method, "HEAD") == 0 || resp->status < 200 || resp->status == 204 ||
	    resp->status == 304 || (strcmp(method, "CONNECT") == 0 && resp->status < 300)) {
		resp->mode = HC_BM_NONE;
		return HC_OK;
	}
	if (hdr_get(hs, "Transfer-Encoding")) {
		/* TE overrides CL; a message with both is not trusted for reuse */
		if (hdr_get(hs, "Content-Length"))
			resp->will_close = true;
		if (resp->version == 10 || !chunked_last(hs)) {
			resp->mode = HC_BM_CLOSE;
			resp->will_close = true;
		} else {
			resp->mode = HC_BM_CHUNKED;
		}
		return HC_OK;
	}
	enum hc_err rc = content_length(c, hs, &has_cl, &cl);
	if (rc)
		return rc;
	if (has_cl) {
		resp->mode = HC_BM_LENGTH;
		resp->length = resp->remaining = cl;
	} else {
		resp->mode = HC_BM_CLOSE;
		resp->will_close = true;
	}
	return HC_OK;
}

static enum hc_err keep_head(struct hc_response *resp, const struct hc_head *h)
{
	resp->version = h->version;
	resp->status = h->status;
	resp->status_line = strndup(h->line, h->line_len);
	if (resp->status_line == NULL)
		return HC_ENOMEM;
	resp->reason = resp->status_line + (h->reason - h->line);
	for (size_t i = 0; i < h->nfields; i++) {
		const struct hc_head_field *f = &h->fields[i];
		enum hc_err rc;
		if (f->folded) {
			char *v = malloc(f->vlen + 1);
			if (v == NULL)
				return HC_ENOMEM;
			size_t vl = head_unfold(f->value, f->vlen, v);
			while (vl > 0 && v[vl - 1] == ' ')
				vl--;
			rc = hdr_add(&resp->hdrs, f->name, f->nlen, v, vl);
			free(v);
		} else {
			rc = hdr_add(&resp->hdrs, f->name, f->nlen, f->value, f->vlen);
		}
		if (rc)
			return rc;
	}
	return HC_OK;
}

/* resp_begin_ex, blocking (wait NULL) or resumable (resp_begin_step). */
static enum hc_err begin(struct hc_response *resp, const char *method, bool stop_at_100,
			 bool *got100, short *wait)
{
	struct hc_conn *c = resp->c;
	struct hc_head h = {.maxfields = c->cfg->max_headers};
	enum hc_err rc;

	if ((h.fields = calloc(h.maxfields ? h.maxfields : 1, sizeof(*h.fields))) == NULL)
		return HC_ENOMEM;
	for (;;) {
		size_t hlen = 0;
		if ((rc = read_head(c, &h, &hlen, wait)))
			goto out;
		if (wait && *wait)
			goto out; /* heads already taken stay taken: the next call goes on */
		if (c->tm.starttransfer == 0)
			c->tm.starttransfer = hc_now_ns() - c->tm.t0;
		if (c->cfg->trace)
			c->cfg->trace(c->cfg->trace_ud, HC_TR_RESP_HEAD, c->buf + c->start, hlen);
		if (h.status >= 200)
			rc = keep_head(resp, &h);
		c->start += hlen;
		if (h.status >= 200 || rc)
			break;
		if (h.status == 101) {
			rc = conn_seterr(c, HC_EUPGRADE, "101 Switching Protocols, but no upgrade was asked for");
			goto out;
		}
		if (h.status == 100 && stop_at_100) {
			*got100 = true;
			goto out;
		}
		if (++resp->ninterim > HC_MAX_INTERIM) {
			rc = conn_seterr(c, HC_EINTERIM,
					 "more than %d interim (1xx) responses without a final one",
					 HC_MAX_INTERIM);
			goto out;
		}
		/* other interim responses are skipped (RFC 9110 §15.2) */
	}
	if (rc == HC_OK && (rc = set_framing(resp, method)) == HC_OK && c->cfg->debuglevel >= 2)
		conn_info(c, "Response body: %s%s",
			  resp->mode == HC_BM_NONE	 ? "none"
			  : resp->mode == HC_BM_CHUNKED ? "chunked"
			  : resp->mode == HC_BM_CLOSE	 ? "until the server closes"
							 : "Content-Length",
			  resp->will_close ? "; the connection closes after it" : "");
	if (rc == HC_OK &&
	    (resp->mode == HC_BM_NONE || (resp->mode == HC_BM_LENGTH && resp->remaining == 0))) {
		resp->done = true;
		c->reusable = !resp->will_close && nothing_after(c);
	}
out:
	free(h.fields);
	return rc;
}

enum hc_err resp_begin_ex(struct hc_response *resp, const char *method, bool stop_at_100,
			  bool *got100)
{
	return begin(resp, method, stop_at_100, got100, NULL);
}

enum hc_err resp_begin_step(struct hc_response *resp, const char *method, bool stop_at_100,
			    bool *got100, short *wait)
{
	*wait = 0;
	return begin(resp, method, stop_at_100, got100, wait);
}

enum hc_err resp_begin(struct hc_response *resp, const char *method)
{
	bool got100 = false;
	return resp_begin_ex(resp, method, false, &got100);
}

static void finish(struct hc_response *resp, bool clean)
{
	resp->done = true;
	resp->c->reusable =
	    clean && !resp->will_close && resp->mode != HC_BM_CLOSE && nothing_after(resp->c);
	resp->c->tm.total = hc_now_ns() - resp->c->tm.t0;
}

/*
 * Fresh bytes into the buffer, after the unread ones (compacted when at the
 * end). With wait non-NULL nothing blocks: *wait is what to poll for when
 * nothing came (*got 0 then, and not the end).
 */
static enum hc_err fill(struct hc_conn *c, size_t *got, short *wait)
{
	if (c->start == c->end) {
		c->start = c->end = 0;
	} else if (c->end == c->cap) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	enum hc_err rc = wait ? tr_read_nowait(c, c->buf + c->end, c->cap - c->end, got, wait)
			      : tr_read(c, c->buf + c->end, c->cap - c->end, got);
	if (rc == HC_OK)
		c->end += *got;
	return rc;
}

static enum hc_err incomplete(struct hc_response *resp)
{
	struct hc_conn *c = resp->c;
	if (resp->mode == HC_BM_LENGTH)
		return conn_seterr(c, HC_EINCOMPLETE, "%" PRIu64 " bytes read, %" PRIu64 " more expected",
				   resp->nread, resp->remaining);
	return conn_seterr(c, HC_EINCOMPLETE,
			   "%" PRIu64 " bytes read, the chunked body ended before its last chunk",
			   resp->nread);
}

/*
 * The next event of the chunked body from what is buffered, trailers taken
 * in passing: CHUNK_DATA with a span, CHUNK_NEED, CHUNK_DONE, or an error
 * (enum hc_err, negated) with its message set.
 */
static int chunk_next(struct hc_response *resp, const char **data, size_t *len)
{
	struct hc_conn *c = resp->c;
	for (;;) {
		size_t used, n;
		const char *p;
		int ev = chunk_step(&resp->ch, c->buf + c->start, c->end - c->start, &used, &p, &n);
		c->start += used;
		if (ev == HC_CHUNK_DATA) {
			*data = p;
			*len = n;
			resp->nread += n;
			return ev;
		}
		if (ev == HC_CHUNK_TRAILER) {
			struct hc_head_field f;
			if (resp->trailers.n >= c->cfg->max_headers)
				return -conn_seterr(c, HC_EHEADERS,
						    "more than %zu trailer fields",
						    c->cfg->max_headers);
			if (head_parse_field(p, n, &f) < 0)
				return -conn_seterr(c, HC_EHEADER, "malformed trailer field");
			enum hc_err rc = hdr_add(&resp->trailers, f.name, f.nlen, f.value, f.vlen);
			if (rc)
				return -(int)rc;
			continue;
		}
		if (ev == -HC_ELINE)
			return -conn_seterr(c, HC_ELINE,
					    "a chunk-size or trailer line is longer than %d bytes",
					    HC_MAX_LINE);
		if (ev < 0)
			return -conn_seterr(c, HC_ECHUNK,
					    "malformed chunked encoding after %" PRIu64 " body bytes",
					    resp->nread);
		return ev;
	}
}

/* The socket ended the body: whole for a close-delimited one (and after the last chunk). */
static enum hc_err body_eof(struct hc_response *resp)
{
	struct hc_conn *c = resp->c;
	if (resp->mode == HC_BM_CHUNKED) {
		if (resp->ch.state != HC_CH_TRAILER)
			return incomplete(resp);
		/* closed after the last chunk: the body is whole, the connection is not */
		resp->will_close = true;
	} else if (resp->mode == HC_BM_LENGTH) {
		return incomplete(resp);
	} else if (c->tls_unclean) {
		conn_info(c, "Warning: the server ended TLS without close_notify; the body "
			     "ends at the close and may be cut short");
	}
	finish(resp, true);
	return HC_OK;
}

/*
 * Body spans from what is buffered (every chunk's data already in, up to
 * max; one span otherwise), reading more only when nothing is: blocking when
 * wait is NULL, else *wait says what to poll for when nothing came (*cnt 0).
 * A chunk's data comes before the event or error that follows it (that one
 * comes with the next call). *cnt 0 and no wait: the body is done.
 */
static enum hc_err spans(struct hc_response *resp, struct iovec *iov, int max, int *cnt,
			 short *wait)
{
	struct hc_conn *c = resp->c;
	*cnt = 0;
	if (wait)
		*wait = 0;
	while (!resp->done) {
		if (resp->mode == HC_BM_CHUNKED) {
			const char *p = NULL;
			size_t n = 0;
			int ev;
			while (*cnt < max && (ev = chunk_next(resp, &p, &n)) == HC_CHUNK_DATA)
				iov[(*cnt)++] = (struct iovec){(void *)p, n};
			if (*cnt > 0)
				return HC_OK;
			if (ev == HC_CHUNK_DONE) {
				finish(resp, true);
				return HC_OK;
			}
			if (ev < 0)
				return (enum hc_err)-ev;
		} else if (c->start < c->end) {
			size_t n = c->end - c->start;
			if (resp->mode == HC_BM_LENGTH && n > resp->remaining)
				n = (size_t)resp->remaining;
			iov[(*cnt)++] = (struct iovec){c->buf + c->start, n};
			c->start += n;
			resp->nread += n;
			if (resp->mode == HC_BM_LENGTH && (resp->remaining -= n) == 0)
				finish(resp, true);
			return HC_OK;
		}
		size_t got = 0;
		enum hc_err rc = fill(c, &got, wait);
		if (rc || (wait && *wait))
			return rc;
		if (got == 0)
			return body_eof(resp);
	}
	return HC_OK;
}

enum hc_err resp_readv(struct hc_response *resp, struct iovec *iov, int max, int *cnt)
{
	if (resp->h2) { /* one span from the stream's buffer */
		const char *p = NULL;
		size_t n = 0;
		*cnt = 0;
		enum hc_err rc = h2_read(resp, &p, &n);
		if (rc == HC_OK && n) {
			iov[0] = (struct iovec){(void *)p, n};
			*cnt = 1;
		}
		return rc;
	}
	return spans(resp, iov, max, cnt, NULL);
}

enum hc_err resp_readv_step(struct hc_response *resp, struct iovec *iov, int max, int *cnt,
			    short *wait)
{
	return spans(resp, iov, max, cnt, wait);
}

enum hc_err resp_read(struct hc_response *resp, const char **data, size_t *len)
{
	if (resp->h2) {
		*len = 0;
		return h2_read(resp, data, len);
	}
	struct iovec iov;
	int cnt;
	enum hc_err rc = spans(resp, &iov, 1, &cnt, NULL);
	*len = cnt ? iov.iov_len : 0;
	if (cnt)
		*data = iov.iov_base;
	return rc;
}

/* A splice that met EAGAIN: is the pipe full (POLLOUT, the pipe's), or the socket empty (POLLIN)? */
static short splice_wait(int pipe_fd)
{
	struct pollfd p = {.fd = pipe_fd, .events = POLLOUT};
	int r;
	while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
		;
	return r == 0 ? POLLOUT : POLLIN;
}

/*
 * Body bytes straight from the socket into a pipe with splice(2): no copy
 * through user space. Only for bodies that need no decoding, on plain TCP,
 * once the receive buffer is empty (resp_can_splice). Blocking when wait is
 * NULL: the pipe side blocks (a slow reader is not a timeout), the socket is
 * waited for as every read. Otherwise neither blocks, and *wait says what to
 * poll when nothing moved: POLLIN the socket, POLLOUT the pipe.
 */
static enum hc_err splice_body(struct hc_response *resp, int pipe_fd, size_t *moved, short *wait)
{
	struct hc_conn *c = resp->c;
	unsigned flags = SPLICE_F_MOVE | SPLICE_F_MORE | (wait ? SPLICE_F_NONBLOCK : 0);
	*moved = 0;
	if (wait)
		*wait = 0;
	if (resp->done)
		return HC_OK;
	bool chunk = resp->mode == HC_BM_CHUNKED;
	for (;;) {
		size_t want = 1 << 20;
		if (resp->mode == HC_BM_LENGTH && resp->remaining < want)
			want = (size_t)resp->remaining;
		if (chunk && resp->ch.left < want) /* the rest of this chunk's data, no further */
			want = (size_t)resp->ch.left;
		ssize_t n = splice(c->fd, NULL, pipe_fd, NULL, want, flags);
		if (n > 0) {
			*moved = (size_t)n;
			c->rx += (uint64_t)n;
			resp->nread += (uint64_t)n;
			if (resp->mode == HC_BM_LENGTH && (resp->remaining -= (uint64_t)n) == 0)
				finish(resp, true);
			if (chunk && (resp->ch.left -= (uint64_t)n) == 0)
				resp->ch.state = HC_CH_DATA_END;
			return HC_OK;
		}
		if (n == 0) {
			c->eof = true;
			if (resp->mode != HC_BM_CLOSE)
				return incomplete(resp);
			finish(resp, true);
			return HC_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && wait) {
			*wait = splice_wait(pipe_fd);
			return HC_OK;
		}
		if (errno == EAGAIN) {
			enum hc_err e = tr_wait(c, POLLIN, c->cfg->timeout_ms, c->cfg->deadline_ns);
			if (e)
				return e;
			continue;
		}
		if (errno == EPIPE)
			return conn_seterr(c, HC_EWRITE, "output: %s", strerror(errno));
		if (errno == ECONNRESET)
			return conn_seterr(c, HC_ERESET, "connection reset by the server");
		return conn_seterr(c, HC_EWRITE, "splice: %s", strerror(errno));
	}
}

enum hc_err resp_splice(struct hc_response *resp, int pipe_fd, size_t *moved)
{
	return splice_body(resp, pipe_fd, moved, NULL);
}

enum hc_err resp_splice_step(struct hc_response *resp, int pipe_fd, size_t *moved, short *wait)
{
	return splice_body(resp, pipe_fd, moved, wait);
}

bool resp_can_splice(const struct hc_response *resp)
{
	const struct hc_conn *c = resp->c;
	if (resp->done || resp->h2 || c->tls_session != NULL || c->start != c->end)
		return false;
	/* inside a large chunk the data needs no decoding either, up to the chunk's end */
	if (resp->mode == HC_BM_CHUNKED)
		return resp->ch.state == HC_CH_DATA && resp->ch.left >= HC_SPLICE_MIN;
	return resp->mode == HC_BM_LENGTH || resp->mode == HC_BM_CLOSE;
}
