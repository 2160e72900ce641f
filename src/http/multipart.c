/*
 * multipart/form-data request bodies (RFC 7578, RFC 2046 §5.1): parts made
 * of a head in memory and a value in memory or in a file. Files are read as
 * they are sent (sendfile(2) over plain TCP), so memory does not grow with
 * their size; a file that changes size while it is sent is an error. The
 * body is a source of the send cursor (request.c): segments go as the
 * socket takes them, and a pipe part with nothing yet is a wait in the loop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

/* RFC 2046 §5.1.1 bcharsnospace, and the space */
static bool bchar(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch && strchr("'()+_,-./:=? ", ch) != NULL);
}

bool mp_boundary_valid(const char *b)
{
	size_t n = strlen(b);
	if (n == 0 || n > HC_MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!bchar(b[i]))
			return false;
	return true;
}

/* bchars outside RFC 9110's tchar */
bool mp_boundary_needs_quotes(const char *b)
{
	return strpbrk(b, "()/:=?, ") != NULL;
}

enum hc_err mp_init(struct hc_multipart *mp, const char *boundary)
{
	memset(mp, 0, sizeof(*mp));
	if (boundary) {
		if (!mp_boundary_valid(boundary))
			return HC_EUSAGE;
		memcpy(mp->boundary, boundary, strlen(boundary) + 1);
		return HC_OK;
	}
	/* curl's shape: 24 dashes and 16 random hex digits */
	unsigned char r[8];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		uint64_t v = (uint64_t)hc_now_ns() ^ ((uint64_t)getpid() << 32);
		memcpy(r, &v, sizeof(r));
	}
	int n = snprintf(mp->boundary, sizeof(mp->boundary), "------------------------");
	for (size_t i = 0; i < sizeof(r); i++)
		n += snprintf(mp->boundary + n, sizeof(mp->boundary) - (size_t)n, "%02x", r[i]);
	return HC_OK;
}

static enum hc_err add_seg(struct hc_multipart *mp, const struct hc_mp_seg *s)
{
	struct hc_mp_seg *ns = reallocarray(mp->segs, mp->nsegs + 1, sizeof(*ns));
	if (ns == NULL)
		return HC_ENOMEM;
	mp->segs = ns;
	ns[mp->nsegs++] = *s;
	return HC_OK;
}

/*
 * A name or filename inside quotes. curl (and HTML's form encoding today):
 * '"' CR LF as %XX, the rest kept. HTTPie (urllib3 1.26, HTML5's older rule):
 * '\\' doubled as well, and every C0 byte but ESC as %XX.
 */
static size_t put_quoted(char *o, const char *s, enum hc_mp_style style)
{
	size_t n = 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\r' || ch == '\n' ||
		    (style == HC_MP_HTTPIE && ch < 0x20 && ch != 0x1b)) {
			o[n++] = '%';
			o[n++] = "0123456789ABCDEF"[ch >> 4];
			o[n++] = "0123456789ABCDEF"[ch & 15];
		} else if (style == HC_MP_HTTPIE && ch == '\\') {
			o[n++] = '\\';
			o[n++] = '\\';
		} else {
			o[n++] = *s;
		}
	}
	return n;
}

/* The delimiter and the part's header fields, up to its value. */
static enum hc_err add_head(struct hc_multipart *mp, const char *name, const char *filename,
			    const char *type)
{
	if (type && !hdr_valid_value(type, strlen(type)))
		return HC_EUSAGE;
	size_t cap = 128 + strlen(mp->boundary) + 3 * strlen(name) +
		     (filename ? 3 * strlen(filename) : 0) + (type ? strlen(type) : 0);
	char *h = malloc(cap);
	if (h == NULL)
		return HC_ENOMEM;
	size_t n = 0;
	n += (size_t)sprintf(h + n, "%s--%s\r\nContent-Disposition: form-data",
			     mp->nsegs ? "\r\n" : "", mp->boundary);
	if (*name || mp->style == HC_MP_HTTPIE) { /* curl: no name parameter for an empty name */
		n += (size_t)sprintf(h + n, "; name=\"");
		n += put_quoted(h + n, name, mp->style);
		h[n++] = '"';
	}
	if (filename) {
		n += (size_t)sprintf(h + n, "; filename=\"");
		n += put_quoted(h + n, filename, mp->style);
		h[n++] = '"';
	}
	if (type)
		n += (size_t)sprintf(h + n, "\r\nContent-Type: %s", type);
	n += (size_t)sprintf(h + n, "\r\n\r\n");
	struct hc_mp_seg s = {.mem = h, .len = n, .fd = -1};
	enum hc_err rc = add_seg(mp, &s);
	if (rc)
		free(h);
	return rc;
}

enum hc_err mp_add_mem(struct hc_multipart *mp, const char *name, const char *filename,
		       const char *type, const char *value, size_t len)
{
	enum hc_err rc = add_head(mp, name, filename, type);
	if (rc)
		return rc;
	char *v = malloc(len ? len : 1);
	if (v == NULL)
		return HC_ENOMEM;
	memcpy(v, value, len);
	struct hc_mp_seg s = {.mem = v, .len = len, .fd = -1};
	if ((rc = add_seg(mp, &s)))
		free(v);
	return rc;
}

enum hc_err mp_add_fd(struct hc_multipart *mp, const char *name, const char *filename,
		      const char *type, int fd, off_t start, off_t size, bool take_fd)
{
	enum hc_err rc = add_head(mp, name, filename, type);
	char *nm = rc ? NULL : strdup(name);
	char *fn = rc ? NULL : strdup(filename ? filename : name);
	if (rc == HC_OK && (nm == NULL || fn == NULL))
		rc = HC_ENOMEM;
	struct hc_mp_seg s = {.mem = NULL,
			      .fd = fd,
			      .close_fd = take_fd,
			      .start = start,
			      .size = size,
			      .name = nm,
			      .filename = fn};
	if (rc == HC_OK && (rc = add_seg(mp, &s)) == HC_OK)
		return HC_OK;
	free(nm);
	free(fn);
	if (take_fd)
		close(fd);
	return rc;
}

enum hc_err mp_finish(struct hc_multipart *mp)
{
	size_t cap = strlen(mp->boundary) + 16;
	char *t = malloc(cap);
	if (t == NULL)
		return HC_ENOMEM;
	/* with no part at all, the body is the close delimiter alone */
	int n = snprintf(t, cap, "%s--%s--\r\n", mp->nsegs ? "\r\n" : "", mp->boundary);
	struct hc_mp_seg s = {.mem = t, .len = (size_t)n, .fd = -1};
	enum hc_err rc = add_seg(mp, &s);
	if (rc) {
		free(t);
		return rc;
	}
	mp->size = 0;
	for (size_t i = 0; i < mp->nsegs; i++) {
		const struct hc_mp_seg *g = &mp->segs[i];
		if (g->mem == NULL && g->size < 0) {
			mp->size = -1;
			break;
		}
		mp->size += g->mem ? (off_t)g->len : g->size;
	}
	return HC_OK;
}

void mp_free(struct hc_multipart *mp)
{
	for (size_t i = 0; i < mp->nsegs; i++) {
		free(mp->segs[i].mem);
		free((char *)mp->segs[i].name);
		free((char *)mp->segs[i].filename);
		if (mp->segs[i].close_fd && mp->segs[i].fd >= 0)
			close(mp->segs[i].fd);
	}
	free(mp->segs);
	mp->segs = NULL;
	mp->nsegs = 0;
}

/* --- sending ------------------------------------------------------------ */

/*
 * The body as the send cursor's source (req_out_step): each segment's
 * pieces in turn, as the socket takes them. Where a segment is in o->part.
 */
enum mp_part {
	MP_SEG,	      /* segment o->seg begins (or the end, after the last) */
	MP_FILE_READ, /* a file read into sbuf for -p B, o->taken bytes so far */
	MP_FILE_SENT, /* a file's range (or reads) through: its size checked again */
	MP_STREAM,    /* a pipe's chunks as its bytes come */
};

/* Body bytes on their way out: counted for -w and the progress line, shown for -p B. */
static void mp_trace(struct hc_conn *c, const char *p, size_t n)
{
	c->tx_body += n;
	if (c->cfg->progress)
		c->cfg->progress(c->cfg->progress_ud, c->tx_body);
	if (c->cfg->trace_body && n)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_BODY, p, n);
}

static void out_mem(struct hc_conn *c, struct hc_out *o, const char *p, size_t n, bool chunked)
{
	mp_trace(c, p, n);
	if (chunked)
		req_out_chunk(o, p, n);
	else
		req_out_piece(o, p, n, 0);
}

static enum hc_err changed(struct hc_conn *c, const struct hc_mp_seg *g, off_t now)
{
	return conn_seterr(c, HC_EREAD,
			   "the file of part '%s' changed size while it was sent (%lld bytes, now %lld)",
			   g->name, (long long)g->size, (long long)now);
}

/* Is the file still the size it was declared with? */
static enum hc_err check_size(struct hc_conn *c, const struct hc_mp_seg *g)
{
	struct stat st;
	if (fstat(g->fd, &st) < 0)
		return conn_seterr(c, HC_EREAD, "the file of part '%s': %s", g->name,
				   strerror(errno));
	if (st.st_size != g->start + g->size)
		return changed(c, g, st.st_size - g->start);
	return HC_OK;
}

/*
 * A regular file: its range in the cursor (sendfile(2), blocks over TLS), or
 * reads that -p B can see (off a terminal).
 */
static enum hc_err file_begin(struct hc_conn *c, struct hc_out *o, const struct hc_mp_seg *g)
{
	enum hc_err rc;
	bool named = c->cfg->trace_body && c->cfg->trace_file;
	if (named) /* the file is named to the trace, its bytes are not shown */
		c->cfg->trace_file(c->cfg->trace_ud, g->filename, g->size);
	if (g->size == 0) {
		o->seg++;
		return check_size(c, g);
	}
	if ((rc = check_size(c, g)))
		return rc;
	if (o->chunked) {
		int sl = snprintf(o->size, sizeof(o->size), "%" PRIx64 "\r\n", (uint64_t)g->size);
		req_out_piece(o, o->size, (size_t)sl, 0);
	}
	if (c->cfg->trace_body && !named) {
		o->taken = 0;
		o->part = MP_FILE_READ;
		return HC_OK;
	}
	o->fd = g->fd;
	o->start = g->start;
	o->flen = (uint64_t)g->size;
	o->fsent = o->fblock = 0;
	o->part = MP_FILE_SENT;
	return HC_OK;
}

static enum hc_err file_read(struct hc_conn *c, struct hc_out *o, const struct hc_mp_seg *g)
{
	off_t off = (off_t)o->taken;
	if (off == g->size) {
		o->part = MP_FILE_SENT;
		return HC_OK;
	}
	size_t want = c->cfg->blocksize;
	if ((off_t)want > g->size - off)
		want = (size_t)(g->size - off);
	ssize_t n;
	while ((n = pread(g->fd, c->sbuf, want, g->start + off)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return conn_seterr(c, HC_EREAD, "reading the file of part '%s': %s", g->name,
				   strerror(errno));
	if (n == 0)
		return changed(c, g, off);
	out_mem(c, o, c->sbuf, (size_t)n, false);
	o->taken += (uint64_t)n;
	return HC_OK;
}

/* Grown while it was sent: the bytes declared went, but the part is not the file. */
static enum hc_err file_end(struct hc_conn *c, struct hc_out *o, const struct hc_mp_seg *g)
{
	enum hc_err rc = check_size(c, g);
	if (rc)
		return rc;
	if (o->chunked)
		req_out_piece(o, "\r\n", 2, 0);
	o->seg++;
	o->part = MP_SEG;
	return HC_OK;
}

/* A pipe or other stream: chunks as its bytes come; nothing yet is a wait for POLLIN. */
static enum hc_err stream_read(struct hc_conn *c, struct hc_out *o, const struct hc_mp_seg *g,
			       short *again, int *fd)
{
	short rev;
	enum hc_err rc = req_src_poll(c, g->fd, &rev);
	if (rc || rev == 0) {
		*again = rc ? 0 : POLLIN;
		*fd = g->fd;
		return rc;
	}
	ssize_t n;
	while ((n = read(g->fd, c->sbuf, c->cfg->blocksize)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return conn_seterr(c, HC_EREAD, "reading part '%s': %s", g->name, strerror(errno));
	if (n == 0) {
		o->seg++;
		o->part = MP_SEG;
		return HC_OK;
	}
	out_mem(c, o, c->sbuf, (size_t)n, true);
	return HC_OK;
}

enum hc_err mp_out_start(struct hc_conn *c, const struct hc_multipart *mp, struct hc_out *o)
{
	if (!o->chunked && (mp->size < 0 || (uint64_t)mp->size != o->length))
		return conn_seterr(
		    c, HC_EREAD,
		    "the multipart body has %lld bytes but Content-Length says %" PRIu64,
		    (long long)mp->size, o->length);
	o->seg = 0;
	o->part = MP_SEG;
	return HC_OK;
}

enum hc_err mp_out_next(struct hc_conn *c, const struct hc_multipart *mp, struct hc_out *o,
			short *again, int *fd, bool *end)
{
	*end = false;
	if (o->part == MP_SEG && o->seg == mp->nsegs) {
		if (o->chunked)
			req_out_piece(o, "0\r\n\r\n", 5, 0);
		*end = true;
		return HC_OK;
	}
	const struct hc_mp_seg *g = &mp->segs[o->seg];
	switch ((enum mp_part)o->part) {
	case MP_SEG:
		if (g->mem) {
			o->seg++;
			if (g->len) /* never an empty chunk before the last */
				out_mem(c, o, g->mem, g->len, o->chunked);
			return HC_OK;
		}
		if (g->size < 0) {
			o->part = MP_STREAM;
			return HC_OK;
		}
		return file_begin(c, o, g);
	case MP_FILE_READ:
		return file_read(c, o, g);
	case MP_FILE_SENT:
		return file_end(c, o, g);
	case MP_STREAM:
		return stream_read(c, o, g, again, fd);
	}
	return HC_EINTERNAL;
}

enum hc_err mp_out_failed(struct hc_conn *c, const struct hc_multipart *mp, const struct hc_out *o,
			  enum hc_err rc)
{
	/* a file that ended early while it was sent: shrunk, most likely */
	if (rc != HC_EREAD || o->part != MP_FILE_SENT || o->seg >= mp->nsegs)
		return rc;
	const struct hc_mp_seg *g = &mp->segs[o->seg];
	struct stat st;
	if (fstat(g->fd, &st) == 0 && st.st_size != g->start + g->size)
		return changed(c, g, st.st_size - g->start);
	return rc;
}
