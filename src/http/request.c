/*
 * The request side of the seed's HTTPConnection: putrequest, putheader,
 * endheaders and send, and request() with its framing rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

bool req_method_idempotent(const char *m)
{
	/* the set SPEC.md retries on a stale connection */
	static const char *const set[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (strcmp(m, set[i]) == 0)
			return true;
	return false;
}

bool req_body_replayable(const struct hc_body *b)
{
	return b == NULL || (b->kind != HC_BODY_FD && b->kind != HC_BODY_PARTS) || b->size >= 0;
}

static const char *user_header(const struct hc_request *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

enum hc_err req_putheader(struct hc_conn *c, struct hc_headbuf *hb, const char *name,
			  const char *value)
{
	if (!hdr_valid_name(name, strlen(name)))
		return conn_seterr(c, HC_EUSAGE, "invalid header name '%s'", name);
	if (!hdr_valid_value(value, strlen(value)))
		return conn_seterr(c, HC_EUSAGE, "header '%s' has CR, LF or NUL in its value", name);
	enum hc_err rc;
	if ((rc = hb_adds(hb, name)) || (rc = hb_add(hb, ": ", 2)) || (rc = hb_adds(hb, value)) ||
	    (rc = hb_add(hb, "\r\n", 2)))
		return rc == HC_EUSAGE ? conn_seterr(c, rc, "request head too large") : rc;
	return HC_OK;
}

enum hc_err req_putrequest(struct hc_conn *c, struct hc_headbuf *hb, const struct hc_request *r)
{
	enum hc_err rc;
	/* RFC 9110 §9.1: method = token; anything else could start a second request */
	if (!hdr_valid_name(r->method, strlen(r->method)))
		return conn_seterr(c, HC_EUSAGE,
				   "the method is not an RFC 9110 token (letters, digits and "
				   "!#$%%&'*+-.^_`|~ only)");
	if ((rc = hb_adds(hb, r->method)) || (rc = hb_add(hb, " ", 1)) ||
	    (rc = hb_adds(hb, r->target)) ||
	    (rc = hb_adds(hb, r->http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")))
		return rc == HC_EUSAGE ? conn_seterr(c, rc, "request line too long") : rc;
	if (!r->skip_host && user_header(r, "Host") == NULL) {
		char *hp = url_hostport(c->host, c->port, c->tls);
		if (hp == NULL)
			return HC_ENOMEM;
		rc = req_putheader(c, hb, "Host", hp);
		free(hp);
	}
	return rc;
}

/* RFC 9112 §6.1: in a request, chunked must be the final transfer coding (nothing else ends the body). */
bool req_te_chunked_last(const char *te)
{
	const char *last = NULL;
	size_t llen = 0;
	while (hdr_list_next(&te, &last, &llen))
		;
	return llen == 7 && strncasecmp(last, "chunked", 7) == 0;
}

static enum hc_err decide_framing(struct hc_conn *c, const struct hc_request *r,
				  struct hc_framing *f)
{
	const struct hc_body *b = r->body;
	const char *te = user_header(r, "Transfer-Encoding");
	const char *cl = user_header(r, "Content-Length");
	bool has_body = b && b->kind != HC_BODY_NONE;

	f->chunked = false;
	f->length = -1;
	f->add_cl = f->add_te = false;
	if (te) {
		if (!req_te_chunked_last(te))
			return conn_seterr(c, HC_EUSAGE,
					   "Transfer-Encoding '%s' is not supported (its last coding must be chunked)",
					   te);
		f->chunked = true;
		return HC_OK;
	}
	if (cl) {
		char *end;
		errno = 0;
		long long v = strtoll(cl, &end, 10);
		if (errno || end == cl || *end || v < 0 || cl[0] == '+' || cl[0] == '-')
			return conn_seterr(c, HC_EUSAGE, "invalid Content-Length '%s'", cl);
		f->length = v;
		/* a source whose size is known must match now, before anything is sent */
		int64_t known = !has_body ? 0
				: b->kind == HC_BODY_MEM ? (int64_t)b->len
							 : (int64_t)b->size;
		if (known >= 0 && known != v)
			return conn_seterr(c, HC_EREAD,
					   "the body has %" PRId64 " bytes but Content-Length says %lld",
					   known, v);
		return HC_OK;
	}
	if (r->chunked && !r->http10) {
		f->chunked = f->add_te = true;
		return HC_OK;
	}
	if (!has_body) {
		/* the seed's _METHODS_EXPECTING_BODY */
		if (!strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
		    !strcmp(r->method, "PATCH")) {
			f->length = 0;
			f->add_cl = true;
		}
		return HC_OK;
	}
	if (b->kind == HC_BODY_MEM) {
		f->length = (int64_t)b->len;
		f->add_cl = true;
	} else if (b->size >= 0) {
		f->length = b->size;
		f->add_cl = true;
	} else if (r->http10) {
		return conn_seterr(c, HC_EUSAGE, "a streamed body needs a known length with HTTP/1.0");
	} else {
		f->chunked = f->add_te = true;
	}
	return HC_OK;
}

/* Body bytes on their way out: counted for -w, shown for -p B. */
static void trace_body(struct hc_conn *c, const char *p, size_t n)
{
	c->tx_body += n;
	if (c->cfg->progress)
		c->cfg->progress(c->cfg->progress_ud, c->tx_body);
	if (c->cfg->trace_body && n)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_BODY, p, n);
}

static enum hc_err send_chunk(struct hc_conn *c, const char *p, size_t n)
{
	char size[24];
	int sl = snprintf(size, sizeof(size), "%zx\r\n", n);
	struct iovec iov[3] = {{size, (size_t)sl}, {(void *)p, n}, {"\r\n", 2}};
	trace_body(c, p, n);
	return tr_writev(c, iov, 3);
}

/* Read into the send buffer: regular files by offset (replayable), others as they come. */
static enum hc_err body_read(struct hc_conn *c, const struct hc_body *b, off_t off, size_t want,
			     size_t *got)
{
	for (;;) {
		ssize_t n = b->size >= 0 ? pread(b->fd, c->sbuf, want, b->start + off)
					 : read(b->fd, c->sbuf, want);
		if (n >= 0) {
			*got = (size_t)n;
			return HC_OK;
		}
		if (errno != EINTR)
			return conn_seterr(c, HC_EREAD, "reading the request body: %s",
					   strerror(errno));
	}
}

/* A stream with a declared length: exactly that many bytes, and not one more at the source. */
static enum hc_err send_fd_length(struct hc_conn *c, const struct hc_body *b, uint64_t length)
{
	uint64_t sent = 0;
	size_t got;
	enum hc_err rc;
	for (;;) {
		uint64_t left = length - sent;
		size_t want = left < c->cfg->blocksize ? (size_t)left : c->cfg->blocksize;
		if (want == 0)
			want = 1; /* probe: the source must end here */
		if ((rc = body_read(c, b, (off_t)sent, want, &got)))
			return rc;
		if (left == 0) {
			if (got)
				return conn_seterr(c, HC_EREAD,
						   "the body source has more than the %" PRIu64
						   " bytes of Content-Length",
						   length);
			return HC_OK;
		}
		if (got == 0)
			return conn_seterr(c, HC_EREAD,
					   "the body source ended after %" PRIu64 " of %" PRIu64
					   " bytes of Content-Length",
					   sent, length);
		/* hold back the last piece until the source is known to end with it */
		if (got == left) {
			char one;
			ssize_t n;
			if (b->size >= 0)
				n = pread(b->fd, &one, 1, b->start + (off_t)length);
			else
				while ((n = read(b->fd, &one, 1)) < 0 && errno == EINTR)
					;
			if (n < 0)
				return conn_seterr(c, HC_EREAD, "reading the request body: %s",
						   strerror(errno));
			if (n > 0)
				return conn_seterr(c, HC_EREAD,
						   "the body source has more than the %" PRIu64
						   " bytes of Content-Length",
						   length);
			trace_body(c, c->sbuf, got);
			return tr_write(c, c->sbuf, got);
		}
		trace_body(c, c->sbuf, got);
		if ((rc = tr_write(c, c->sbuf, got)))
			return rc;
		sent += got;
	}
}

/* How many bytes wait in the pipe now. */
static enum hc_err pipe_avail(struct hc_conn *c, int fd, size_t *avail)
{
	int n = 0;
	if (ioctl(fd, FIONREAD, &n) < 0)
		return conn_seterr(c, HC_EREAD, "reading the request body: %s", strerror(errno));
	*avail = n > 0 ? (size_t)n : 0;
	return HC_OK;
}

/* Wait until the empty pipe has bytes, or *end: no writer is left. */
static enum hc_err pipe_wait(struct hc_conn *c, int fd, bool *end)
{
	/* as a blocking read: a slow writer is not a timeout */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, -1)) < 0)
		if (errno != EINTR)
			return conn_seterr(c, HC_EREAD, "waiting for the request body: %s",
					   strerror(errno));
	*end = !(p.revents & POLLIN);
	return HC_OK;
}

/*
 * A pipe as chunks, each of bytes already waiting in it (at most blocksize),
 * spliced to the socket between its size line and CRLF: no copy through user
 * space. Each chunk leaves whole at once, as with reads (a CRLF held back for
 * the next size line cost more CPU here). HC_EUSAGE: splice cannot read this
 * pipe; the chunk begun has been finished by reads, and the caller goes on
 * with reads.
 */
static enum hc_err send_pipe_chunked(struct hc_conn *c, const struct hc_body *b)
{
	/* room for a writer's large writes: fewer switches between it and us (best effort) */
	if (fcntl(b->fd, F_GETPIPE_SZ) < HC_PIPE_SIZE)
		(void)fcntl(b->fd, F_SETPIPE_SZ, HC_PIPE_SIZE);
	for (;;) {
		enum hc_err rc;
		size_t avail = 0;
		bool end = false;
		if ((rc = pipe_avail(c, b->fd, &avail)))
			return rc;
		if (avail == 0) {
			if ((rc = pipe_wait(c, b->fd, &end)))
				return rc;
			if (end)
				return tr_write(c, "0\r\n\r\n", 5);
			continue;
		}
		size_t n = avail < c->cfg->blocksize ? avail : c->cfg->blocksize;
		char size[24];
		int sl = snprintf(size, sizeof(size), "%zx\r\n", n);
		if ((rc = tr_write_more(c, size, (size_t)sl)))
			return rc;
		rc = tr_splice_from(c, b->fd, n);
		if (rc == HC_EUSAGE) {
			size_t got;
			for (size_t left = n; left > 0; left -= got) {
				if ((rc = body_read(c, b, 0, left, &got)) ||
				    (rc = got ? tr_write(c, c->sbuf, got)
					      : conn_seterr(c, HC_EREAD,
							    "the request body's pipe ended early")))
					return rc;
				trace_body(c, c->sbuf, got);
			}
			return (rc = tr_write(c, "\r\n", 2)) ? rc : HC_EUSAGE;
		}
		if (rc)
			return rc;
		c->tx_body += n;
		if (c->cfg->progress)
			c->cfg->progress(c->cfg->progress_ud, c->tx_body);
		if ((rc = tr_write(c, "\r\n", 2)))
			return rc;
	}
}

static bool is_pipe(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

enum hc_err req_send_body(struct hc_conn *c, const struct hc_body *b, bool chunked, int64_t length)
{
	enum hc_err rc;
	if (b == NULL || b->kind == HC_BODY_NONE)
		return chunked ? tr_write(c, "0\r\n\r\n", 5) : HC_OK;
	if (b->kind == HC_BODY_MEM) {
		if (chunked) {
			if (b->len && (rc = send_chunk(c, b->mem, b->len)))
				return rc;
			return tr_write(c, "0\r\n\r\n", 5);
		}
		if ((uint64_t)length != b->len)
			return conn_seterr(c, HC_EREAD,
					   "the body has %zu bytes but Content-Length says %" PRId64,
					   b->len, length);
		trace_body(c, b->mem, b->len);
		return tr_write(c, b->mem, b->len);
	}
	if (b->kind == HC_BODY_PARTS)
		return mp_send(c, b->parts, chunked, length);
	if (c->sbuf == NULL && (c->sbuf = malloc(c->cfg->blocksize)) == NULL)
		return HC_ENOMEM;
	if (!chunked) {
		if (b->size >= 0 && (int64_t)b->size != length)
			return conn_seterr(c, HC_EREAD,
					   "the body file has %lld bytes but Content-Length says %" PRId64,
					   (long long)b->size, length);
		if (b->size >= 0 && !c->cfg->trace_body) {
			uint64_t sent;
			rc = tr_sendfile(c, b->fd, b->start, (uint64_t)length, &sent);
			c->tx_body += sent;
			return rc;
		}
		return send_fd_length(c, b, (uint64_t)length);
	}
	/* plain TCP, and no -p B that must see the bytes */
	if (b->size < 0 && c->tls_session == NULL && !c->cfg->trace_body && is_pipe(b->fd) &&
	    (rc = send_pipe_chunked(c, b)) != HC_EUSAGE)
		return rc;
	for (off_t off = 0;;) {
		size_t got;
		if ((rc = body_read(c, b, off, c->cfg->blocksize, &got)))
			return rc;
		if (got == 0) /* never an empty chunk before the last */
			return tr_write(c, "0\r\n\r\n", 5);
		if ((rc = send_chunk(c, c->sbuf, got)))
			return rc;
		off += (off_t)got;
	}
}

static enum hc_err build_head(struct hc_conn *c, const struct hc_request *r,
			      const struct hc_framing *f, struct hc_headbuf *hb)
{
	enum hc_err rc;
	if ((rc = req_putrequest(c, hb, r)))
		return rc;
	for (size_t i = 0; i < r->nheaders; i++)
		if ((rc = req_putheader(c, hb, r->headers[i].name, r->headers[i].value)))
			return rc;
	if (!r->skip_accept_encoding && user_header(r, "Accept-Encoding") == NULL &&
	    (rc = req_putheader(c, hb, "Accept-Encoding", "identity")))
		return rc;
	if (f->add_cl) {
		char len[24];
		snprintf(len, sizeof(len), "%" PRId64, f->length);
		if ((rc = req_putheader(c, hb, "Content-Length", len)))
			return rc;
	}
	if (f->add_te && (rc = req_putheader(c, hb, "Transfer-Encoding", "chunked")))
		return rc;
	if (r->expect100 && user_header(r, "Expect") == NULL &&
	    (rc = req_putheader(c, hb, "Expect", "100-continue")))
		return rc;
	return hb_add(hb, "\r\n", 2); /* endheaders */
}

static void out_set(struct hc_out *o, int n, bool last_chunk)
{
	o->cur = o->iov;
	o->left = n;
	o->flags = 0;
	o->last_chunk = last_chunk;
}

/* The same pieces as req_send_body writes for a memory body, in a cursor. */
enum hc_err req_out_body(struct hc_conn *c, const struct hc_body *b, bool chunked, int64_t length,
			 struct hc_out *o, bool *mem)
{
	*mem = true;
	if (b == NULL || b->kind == HC_BODY_NONE) {
		out_set(o, 0, chunked);
		return HC_OK;
	}
	if (b->kind != HC_BODY_MEM) {
		*mem = false;
		return HC_OK;
	}
	if (chunked) {
		if (b->len == 0) {
			out_set(o, 0, true);
			return HC_OK;
		}
		int sl = snprintf(o->size, sizeof(o->size), "%zx\r\n", b->len);
		o->iov[0] = (struct iovec){o->size, (size_t)sl};
		o->iov[1] = (struct iovec){(void *)b->mem, b->len};
		o->iov[2] = (struct iovec){"\r\n", 2};
		trace_body(c, b->mem, b->len);
		out_set(o, 3, true);
		return HC_OK;
	}
	if ((uint64_t)length != b->len)
		return conn_seterr(c, HC_EREAD,
				   "the body has %zu bytes but Content-Length says %" PRId64,
				   b->len, length);
	trace_body(c, b->mem, b->len);
	o->iov[0] = (struct iovec){(void *)b->mem, b->len};
	out_set(o, 1, false);
	return HC_OK;
}

enum hc_err req_out_file(struct hc_conn *c, const struct hc_body *b, bool chunked, int64_t length,
			 struct hc_out *o, bool *file)
{
	*file = false;
	if (b == NULL || b->kind != HC_BODY_FD || chunked || b->size < 0 || c->cfg->trace_body)
		return HC_OK;
	if ((int64_t)b->size != length)
		return conn_seterr(c, HC_EREAD,
				   "the body file has %lld bytes but Content-Length says %" PRId64,
				   (long long)b->size, length);
	/* over TLS the file goes in blocks read into the send buffer */
	if (c->tls_session && c->sbuf == NULL && (c->sbuf = malloc(c->cfg->blocksize)) == NULL)
		return HC_ENOMEM;
	o->fd = b->fd;
	o->start = b->start;
	o->flen = (uint64_t)length;
	o->fsent = o->fblock = 0;
	*file = o->flen > 0;
	return HC_OK;
}

/* Over TLS: the file's next block into the send buffer, as the pieces (tr_sendfile's reads). */
static enum hc_err out_file_block(struct hc_conn *c, struct hc_out *o)
{
	uint64_t want = o->flen - o->fsent;
	uint64_t piece = c->cfg->progress ? (8u << 20) : (1u << 30);
	if (want > piece)
		want = piece;
	if (want > c->cfg->blocksize)
		want = c->cfg->blocksize;
	ssize_t n;
	while ((n = pread(o->fd, c->sbuf, (size_t)want, o->start + (off_t)o->fsent)) < 0 &&
	       errno == EINTR)
		;
	if (n < 0)
		return conn_seterr(c, HC_EREAD, "reading the body: %s", strerror(errno));
	if (n == 0)
		return conn_seterr(c, HC_EREAD, "the body file ended after %llu of %llu bytes",
				   (unsigned long long)o->fsent, (unsigned long long)o->flen);
	o->iov[0] = (struct iovec){c->sbuf, (size_t)n};
	o->fblock = (size_t)n;
	out_set(o, 1, false);
	return HC_OK;
}

/* The file's range is through (or failed): its bytes are counted as tr_sendfile's callers did. */
static void out_file_done(struct hc_conn *c, struct hc_out *o)
{
	c->tx_body += o->fsent;
	o->flen = o->fsent = 0;
}

enum hc_err req_out_send(struct hc_conn *c, struct hc_out *o, short *again)
{
	enum hc_err rc;
	*again = 0;
	for (;;) {
		if (o->left > 0) {
			if ((rc = tr_writev_nowait(c, &o->cur, &o->left, o->flags, again)) || *again)
				return rc;
			continue;
		}
		if (o->fblock) {
			o->fsent += o->fblock;
			o->fblock = 0;
			if (c->cfg->progress)
				c->cfg->progress(c->cfg->progress_ud, c->tx_body + o->fsent);
		}
		if (o->last_chunk) {
			o->iov[0] = (struct iovec){"0\r\n\r\n", 5};
			out_set(o, 1, false);
			continue;
		}
		if (o->fsent < o->flen) {
			if (c->tls_session)
				rc = out_file_block(c, o);
			else
				rc = tr_sendfile_nowait(c, o->fd, o->start, o->flen, &o->fsent, again);
			if (rc)
				out_file_done(c, o);
			if (rc || *again)
				return rc;
			continue;
		}
		if (o->flen)
			out_file_done(c, o);
		return HC_OK;
	}
}

/* A small body in memory goes out with the head, in one packet. */
static bool with_head(const struct hc_body *b, const struct hc_framing *f, bool hold_body)
{
	return !hold_body && !f->chunked && b && b->kind == HC_BODY_MEM && b->len <= 65536 &&
	       (int64_t)b->len == f->length;
}

void req_out_head(struct hc_conn *c, const struct hc_request *r, const struct hc_framing *f,
		  const struct hc_headbuf *hb, bool hold_body, struct hc_out *o, bool *with_body)
{
	const struct hc_body *b = r->body;
	if (c->cfg->trace)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_HEAD, hb->p, hb->len);
	c->nrequests++;
	o->iov[0] = (struct iovec){hb->p, hb->len};
	*with_body = with_head(b, f, hold_body);
	if (*with_body) {
		o->iov[1] = (struct iovec){(void *)b->mem, b->len};
		trace_body(c, b->mem, b->len);
	}
	out_set(o, *with_body ? 2 : 1, false);
}

/* Send the head, and the body unless it must wait for 100 Continue. */
enum hc_err req_send(struct hc_conn *c, const struct hc_request *r, const struct hc_framing *f,
		     const struct hc_headbuf *hb, bool hold_body)
{
	const struct hc_body *b = r->body;
	if (c->cfg->trace)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_HEAD, hb->p, hb->len);
	c->nrequests++;
	if (with_head(b, f, hold_body)) {
		struct iovec iov[2] = {{hb->p, hb->len}, {(void *)b->mem, b->len}};
		trace_body(c, b->mem, b->len);
		return tr_writev(c, iov, 2);
	}
	enum hc_err rc = tr_write(c, hb->p, hb->len);
	if (rc || hold_body)
		return rc;
	return req_send_body(c, b, f->chunked, f->length);
}

bool req_body_expected(const struct hc_request *r, const struct hc_framing *f)
{
	return f->chunked || f->length > 0 || (r->body && r->body->kind != HC_BODY_NONE);
}

/* The seed's request() up to endheaders: a request refused as built never opens a connection. */
enum hc_err req_prepare(struct hc_conn *c, const struct hc_request *r, struct hc_framing *f,
			struct hc_headbuf *hb)
{
	enum hc_err rc = decide_framing(c, r, f);
	return rc ? rc : build_head(c, r, f, hb);
}
