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
#include <sys/socket.h>
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

enum hc_err req_check_field(struct hc_conn *c, const char *name, const char *value)
{
	if (!hdr_valid_name(name, strlen(name)))
		return conn_seterr(c, HC_EUSAGE, "invalid header name '%s'", name);
	if (!hdr_valid_value(value, strlen(value)))
		return conn_seterr(c, HC_EUSAGE, "header '%s' has CR, LF or NUL in its value",
				   name);
	return HC_OK;
}

enum hc_err req_check_method(struct hc_conn *c, const char *method)
{
	/* RFC 9110 §9.1: method = token; anything else could start a second request */
	if (!hdr_valid_name(method, strlen(method)))
		return conn_seterr(c, HC_EUSAGE,
				   "the method is not an RFC 9110 token (letters, digits and "
				   "!#$%%&'*+-.^_`|~ only)");
	return HC_OK;
}

enum hc_err req_putheader(struct hc_conn *c, struct hc_headbuf *hb, const char *name,
			  const char *value)
{
	enum hc_err rc;
	if ((rc = req_check_field(c, name, value)))
		return rc;
	if ((rc = hb_adds(hb, name)) || (rc = hb_add(hb, ": ", 2)) || (rc = hb_adds(hb, value)) ||
	    (rc = hb_add(hb, "\r\n", 2)))
		return rc == HC_EUSAGE ? conn_seterr(c, rc, "request head too large") : rc;
	return HC_OK;
}

enum hc_err req_putrequest(struct hc_conn *c, struct hc_headbuf *hb, const struct hc_request *r)
{
	enum hc_err rc;
	if ((rc = req_check_method(c, r->method)))
		return rc;
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

/* --- the send cursor ---------------------------------------------------- */

/* Body bytes on their way out: counted for -w and the progress line. */
static void counted(struct hc_conn *c, size_t n)
{
	c->tx_body += n;
	if (c->cfg->progress)
		c->cfg->progress(c->cfg->progress_ud, c->tx_body);
}

/* The same, shown for -p B too. */
static void trace_body(struct hc_conn *c, const char *p, size_t n)
{
	counted(c, n);
	if (c->cfg->trace_body && n)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_BODY, p, n);
}

static void out_set(struct hc_out *o, int n, bool last_chunk)
{
	o->cur = o->iov;
	o->left = n;
	o->flags = 0;
	o->last_chunk = last_chunk;
}

void req_out_piece(struct hc_out *o, const void *p, size_t n, int flags)
{
	o->iov[0] = (struct iovec){(void *)p, n};
	out_set(o, 1, false);
	o->flags = flags;
}

void req_out_chunk(struct hc_out *o, const void *p, size_t n)
{
	int sl = snprintf(o->size, sizeof(o->size), "%zx\r\n", n);
	o->iov[0] = (struct iovec){o->size, (size_t)sl};
	o->iov[1] = (struct iovec){(void *)p, n};
	o->iov[2] = (struct iovec){"\r\n", 2};
	out_set(o, 3, false);
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
			if ((rc = tr_sendv_nowait(c, &o->cur, &o->left, o->flags, again)) || *again)
				return rc;
			continue;
		}
		if (o->count) {
			counted(c, o->count);
			o->count = 0;
		}
		if (o->fblock) {
			o->fsent += o->fblock;
			o->fblock = 0;
			if (c->cfg->progress)
				c->cfg->progress(c->cfg->progress_ud, c->tx_body + o->fsent);
		}
		if (o->last_chunk) {
			req_out_piece(o, "0\r\n\r\n", 5, 0);
			continue;
		}
		if (o->fsent < o->flen) {
			if (c->tls_session)
				rc = out_file_block(c, o);
			else
				rc = tr_sendfile_nowait(c, o->fd, o->start, o->flen, &o->fsent,
							again);
			if (rc)
				out_file_done(c, o);
			if (rc || *again)
				return rc;
			continue;
		}
		if (o->flen)
			out_file_done(c, o);
		if (o->pmoved < o->plen)
			return tr_splice_nowait(c, o->pipe, o->plen, &o->pmoved, again);
		return HC_OK;
	}
}

/* --- the body's source ----------------------------------------------------- */

/*
 * What comes after the pieces, taken from the source as the socket takes
 * them. A stream is read only when poll says a read will not block (else the
 * loop waits for it, POLLIN, as long as it takes: a slow writer is not a
 * timeout, as with a blocking read); regular files are read by offset.
 */
enum out_phase {
	OUT_DONE,
	OUT_LENGTH,    /* Content-Length by reads, the last piece held for the probe */
	OUT_PROBE,     /* one byte more must not be there */
	OUT_CHUNKS,    /* chunks of what each read brings */
	OUT_PIPE,      /* chunks of what waits in the pipe, spliced through the stage */
	OUT_PIPE_SENT, /* a chunk's bytes spliced: its CRLF next */
	OUT_PARTS,     /* multipart segments (multipart.c) */
};

enum hc_err req_src_poll(struct hc_conn *c, int fd, short *revents)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, 0)) < 0)
		if (errno != EINTR)
			return conn_seterr(c, HC_EREAD, "waiting for the request body: %s",
					   strerror(errno));
	*revents = r > 0 ? p.revents : 0;
	return HC_OK;
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

/* A stream's read would block: *again and *fd say what the loop waits for. */
static enum hc_err src_wait(struct hc_conn *c, const struct hc_body *b, bool *wait, short *again,
			    int *fd)
{
	short rev = POLLIN;
	enum hc_err rc = HC_OK;
	*wait = false;
	if (b->size < 0 && (rc = req_src_poll(c, b->fd, &rev)) == HC_OK && rev == 0) {
		*wait = true;
		*again = POLLIN;
		*fd = b->fd;
	}
	return rc;
}

static bool is_pipe(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static enum hc_err too_long(struct hc_conn *c, uint64_t length)
{
	return conn_seterr(c, HC_EREAD,
			   "the body source has more than the %" PRIu64 " bytes of Content-Length",
			   length);
}

/* A stream with a declared length: exactly that many bytes, and not one more at the source. */
static enum hc_err out_length(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	const struct hc_body *b = o->src;
	uint64_t left = o->length - o->taken;
	size_t want = left < c->cfg->blocksize ? (size_t)left : c->cfg->blocksize;
	size_t got;
	bool wait;
	enum hc_err rc;
	if (want == 0)
		want = 1; /* probe: the source must end here */
	if ((rc = src_wait(c, b, &wait, again, fd)) || wait)
		return rc;
	if ((rc = body_read(c, b, (off_t)o->taken, want, &got)))
		return rc;
	if (left == 0) {
		o->phase = OUT_DONE;
		return got ? too_long(c, o->length) : HC_OK;
	}
	if (got == 0)
		return conn_seterr(c, HC_EREAD,
				   "the body source ended after %" PRIu64 " of %" PRIu64
				   " bytes of Content-Length",
				   o->taken, o->length);
	if (got == left) {
		/* hold back the last piece until the source is known to end with it */
		o->held = got;
		o->phase = OUT_PROBE;
		return HC_OK;
	}
	trace_body(c, c->sbuf, got);
	req_out_piece(o, c->sbuf, got, 0);
	o->taken += got;
	return HC_OK;
}

static enum hc_err out_probe(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	const struct hc_body *b = o->src;
	char one;
	ssize_t n;
	bool wait;
	enum hc_err rc;
	if ((rc = src_wait(c, b, &wait, again, fd)) || wait)
		return rc;
	if (b->size >= 0)
		n = pread(b->fd, &one, 1, b->start + (off_t)o->length);
	else
		while ((n = read(b->fd, &one, 1)) < 0 && errno == EINTR)
			;
	if (n < 0)
		return conn_seterr(c, HC_EREAD, "reading the request body: %s", strerror(errno));
	if (n > 0)
		return too_long(c, o->length);
	trace_body(c, c->sbuf, o->held);
	req_out_piece(o, c->sbuf, o->held, 0);
	o->phase = OUT_DONE;
	return HC_OK;
}

/* A stream as chunks, each of what one read brings (never an empty chunk before the last). */
static enum hc_err out_chunks(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	const struct hc_body *b = o->src;
	size_t got;
	bool wait;
	enum hc_err rc;
	if ((rc = src_wait(c, b, &wait, again, fd)) || wait)
		return rc;
	if ((rc = body_read(c, b, (off_t)o->taken, c->cfg->blocksize, &got)))
		return rc;
	if (got == 0) {
		req_out_piece(o, "0\r\n\r\n", 5, 0);
		o->phase = OUT_DONE;
		return HC_OK;
	}
	trace_body(c, c->sbuf, got);
	req_out_chunk(o, c->sbuf, got);
	o->taken += got;
	return HC_OK;
}

/* --- a pipe, spliced ------------------------------------------------------ */

void req_stage_close(struct hc_conn *c)
{
	if (c->stage_open) {
		close(c->stage[0]);
		close(c->stage[1]);
	}
	c->stage[0] = c->stage[1] = -1;
	c->stage_open = false;
	c->staged = 0;
}

/* The connection's stage, empty; false when there is none (no descriptors left: reads then). */
static bool stage_ready(struct hc_conn *c)
{
	if (c->stage_open && c->staged == 0)
		return true;
	req_stage_close(c); /* what a failed send left in it is not this body's */
	if (pipe2(c->stage, O_CLOEXEC | O_NONBLOCK) < 0) {
		c->stage[0] = c->stage[1] = -1;
		return false;
	}
	c->stage_open = true;
	if (fcntl(c->stage[0], F_GETPIPE_SZ) < HC_PIPE_SIZE)
		(void)fcntl(c->stage[0], F_SETPIPE_SZ, HC_PIPE_SIZE); /* best effort */
	return true;
}

/* Exactly n bytes from the stage into sbuf (they are there). */
static enum hc_err stage_take(struct hc_conn *c, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(c->stage[0], c->sbuf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return conn_seterr(c, HC_EINTERNAL, "reading hcli's own pipe: %s",
					   r < 0 ? strerror(errno) : "it ended early");
		got += (size_t)r;
	}
	c->staged -= n;
	return HC_OK;
}

/*
 * The stage's next chunk (at most blocksize): its size line, after the last
 * chunk's CRLF when crlf, then its bytes spliced (or read, as stage_read says).
 */
static enum hc_err stage_chunk(struct hc_conn *c, struct hc_out *o, bool crlf)
{
	size_t n = c->staged < c->cfg->blocksize ? c->staged : c->cfg->blocksize;
	int sl = snprintf(o->size, sizeof(o->size), "%s%zx\r\n", crlf ? "\r\n" : "", n);
	o->chunk = n;
	o->phase = OUT_PIPE_SENT;
	if (o->stage_read) {
		enum hc_err rc = stage_take(c, n);
		if (rc)
			return rc;
		req_out_chunk(o, c->sbuf, n);
		return HC_OK;
	}
	/* with a CRLF ahead it pushes what the last splice left corked; alone it waits (MSG_MORE) */
	req_out_piece(o, o->size, (size_t)sl, crlf ? 0 : MSG_MORE);
	o->pipe = c->stage[0];
	o->plen = n;
	o->pmoved = 0;
	return HC_OK;
}

/*
 * A pipe as chunks with no copy through user space. What waits in it moves
 * at once into the connection's own pipe, the stage (one splice(2) per
 * refill: a writer that keeps the pipe full is woken once per refill, not
 * once per chunk), and each chunk of at most blocksize goes from there to
 * the socket by splice(2) after its size line. A chunk's CRLF goes as soon
 * as its bytes are out: in one sendmsg with the next chunk's size line while
 * the stage holds more, alone when it is empty (before any wait). Sending
 * that pair with MSG_MORE, or holding the CRLF for the next refill, cost
 * more CPU here. An empty pipe is a wait for POLLIN; its end (no writer
 * left, nothing in it) is the last chunk.
 */
static enum hc_err out_pipe(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	const struct hc_body *b = o->src;
	if (c->staged == 0) {
		ssize_t n;
		while ((n = splice(b->fd, NULL, c->stage[1], NULL, HC_PIPE_SIZE,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK)) < 0 &&
		       errno == EINTR)
			;
		if (n < 0 && errno == EAGAIN) {
			*again = POLLIN;
			*fd = b->fd;
			return HC_OK;
		}
		if (n < 0 && errno == EINVAL) {
			o->phase = OUT_CHUNKS; /* splice(2) cannot read this pipe: reads */
			return HC_OK;
		}
		if (n < 0)
			return conn_seterr(c, HC_EREAD, "reading the request body: %s",
					   strerror(errno));
		if (n == 0) {
			req_out_piece(o, "0\r\n\r\n", 5, 0);
			o->phase = OUT_DONE;
			return HC_OK;
		}
		c->staged = (size_t)n;
	}
	return stage_chunk(c, o, false);
}

/* A chunk is out but for its CRLF (a read chunk carried its own). */
static enum hc_err out_pipe_sent(struct hc_conn *c, struct hc_out *o)
{
	counted(c, o->chunk);
	o->phase = OUT_PIPE;
	if (o->plen == 0)
		return HC_OK;
	c->staged -= o->plen;
	o->plen = o->pmoved = o->chunk = 0;
	if (c->staged)
		return stage_chunk(c, o, true);
	req_out_piece(o, "\r\n", 2, 0);
	return HC_OK;
}

/* splice(2) cannot write to this socket: the chunk begun, and the ones after it, are read. */
static enum hc_err out_pipe_unspliced(struct hc_conn *c, struct hc_out *o)
{
	size_t n = o->plen;
	enum hc_err rc = stage_take(c, n);
	if (rc)
		return rc;
	o->plen = o->pmoved = 0;
	o->stage_read = true;
	o->iov[0] = (struct iovec){c->sbuf, n};
	o->iov[1] = (struct iovec){"\r\n", 2};
	out_set(o, 2, false);
	return HC_OK;
}

enum hc_err req_out_start(struct hc_conn *c, const struct hc_body *b, bool chunked, int64_t length,
			  struct hc_out *o)
{
	o->src = b;
	o->phase = OUT_DONE;
	o->chunked = chunked;
	o->length = length >= 0 ? (uint64_t)length : 0;
	o->taken = 0;
	o->held = 0;
	o->plen = o->pmoved = o->chunk = 0;
	o->stage_read = false;
	o->count = 0;
	if (b == NULL || b->kind == HC_BODY_NONE) {
		out_set(o, 0, chunked);
		return HC_OK;
	}
	if (b->kind == HC_BODY_MEM) {
		if (chunked && b->len == 0) {
			out_set(o, 0, true);
		} else if (chunked) {
			trace_body(c, b->mem, b->len);
			req_out_chunk(o, b->mem, b->len);
			o->last_chunk = true;
		}
		if (chunked)
			return HC_OK;
		if ((uint64_t)length != b->len)
			return conn_seterr(c, HC_EREAD,
					   "the body has %zu bytes but Content-Length says %" PRId64,
					   b->len, length);
		trace_body(c, b->mem, b->len);
		req_out_piece(o, b->mem, b->len, 0);
		return HC_OK;
	}
	if (c->sbuf == NULL && (c->sbuf = malloc(c->cfg->blocksize)) == NULL)
		return HC_ENOMEM;
	if (b->kind == HC_BODY_PARTS) {
		o->phase = OUT_PARTS;
		return mp_out_start(c, b->parts, o);
	}
	if (!chunked) {
		if (b->size >= 0 && (int64_t)b->size != length)
			return conn_seterr(c, HC_EREAD,
					   "the body file has %lld bytes but Content-Length says %" PRId64,
					   (long long)b->size, length);
		if (b->size >= 0 && !c->cfg->trace_body) {
			/* the file's range in the cursor: sendfile(2), or blocks over TLS */
			o->fd = b->fd;
			o->start = b->start;
			o->flen = (uint64_t)length;
			o->fsent = o->fblock = 0;
			return HC_OK;
		}
		o->phase = OUT_LENGTH;
		return HC_OK;
	}
	o->phase = OUT_CHUNKS;
	/* plain TCP, and no -p B that must see the bytes */
	if (b->size < 0 && c->tls_session == NULL && !c->cfg->trace_body && is_pipe(b->fd) &&
	    stage_ready(c)) {
		/* room for a writer's large writes: fewer switches between it and us (best effort)
		 */
		if (fcntl(b->fd, F_GETPIPE_SZ) < HC_PIPE_SIZE)
			(void)fcntl(b->fd, F_SETPIPE_SZ, HC_PIPE_SIZE);
		o->phase = OUT_PIPE;
	}
	return HC_OK;
}

/* The next pieces from the source, or a wait for it (*again, *fd). */
static enum hc_err out_next(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	switch ((enum out_phase)o->phase) {
	case OUT_DONE:
		return HC_OK;
	case OUT_LENGTH:
		return out_length(c, o, again, fd);
	case OUT_PROBE:
		return out_probe(c, o, again, fd);
	case OUT_CHUNKS:
		return out_chunks(c, o, again, fd);
	case OUT_PIPE:
		return out_pipe(c, o, again, fd);
	case OUT_PIPE_SENT:
		return out_pipe_sent(c, o);
	case OUT_PARTS: {
		bool end;
		enum hc_err rc = mp_out_next(c, o->src->parts, o, again, fd, &end);
		if (end)
			o->phase = OUT_DONE;
		return rc;
	}
	}
	return HC_EINTERNAL;
}

enum hc_err req_out_step(struct hc_conn *c, struct hc_out *o, short *again, int *fd)
{
	for (;;) {
		*fd = c->fd;
		enum hc_err rc = req_out_send(c, o, again);
		if (rc == HC_EUSAGE && o->phase == OUT_PIPE_SENT) {
			/* nothing of the chunk has moved: it is read from the stage */
			if ((rc = out_pipe_unspliced(c, o)))
				return rc;
			continue;
		}
		if (rc && o->phase == OUT_PARTS)
			rc = mp_out_failed(c, o->src->parts, o, rc);
		if (rc || *again || o->phase == OUT_DONE)
			return rc;
		if ((rc = out_next(c, o, again, fd)) || *again)
			return rc;
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
	*o = (struct hc_out){.phase = OUT_DONE, .fd = -1, .pipe = -1};
	o->iov[0] = (struct iovec){hb->p, hb->len};
	*with_body = with_head(b, f, hold_body);
	if (*with_body) {
		o->iov[1] = (struct iovec){(void *)b->mem, b->len};
		trace_body(c, b->mem, b->len);
	}
	out_set(o, *with_body ? 2 : 1, false);
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
