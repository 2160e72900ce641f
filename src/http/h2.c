/*
 * HTTP/2 (RFC 9113) as a second protocol handler, on libnghttp2.
 *
 * libnghttp2.so.14 is loaded with dlopen(3) the first time a connection
 * speaks h2 (a server chose it by ALPN, or prior knowledge); offering h2 in a
 * handshake loads nothing, so an HTTPS exchange answered in HTTP/1.1 never maps
 * the library (the ssize_t API family: Debian 12 has 1.52). The connection's
 * session is a task on the loop: it reads the socket into the session and
 * writes what the session has to send, its fd polled for the mask its
 * streams need. Each request is a stream; every callback finds the stream's
 * state through the stream user data, never through "the current one".
 *
 * Flow control: automatic WINDOW_UPDATE is off. DATA comes in at one place
 * (h2_deliver): once the caller has handed the transfer a sink, it goes
 * straight to the sink when the sink can take more (the pieces of one read
 * for one stream gathered into one write: nginx's 8 KiB frames come cut by
 * 16 KiB TLS records); otherwise it waits in the stream's buffer. Bytes are
 * consumed (nghttp2_session_consume) only when they reach the sink or the
 * caller pulls them (h2_read), so a stream's buffer never holds more than
 * its window, whatever the body's size: a sink that cannot take more closes
 * its stream's window, and the session goes on reading for the other
 * streams (SETTINGS, PING, WINDOW_UPDATE, their DATA).
 *
 * Several transfers at once: each is a stream with its own state (its
 * buffer, sink, error text, body counts and times); the session's task is
 * on their loop once, however many of them are there, and its idle timeout
 * runs only while a sent stream waits for the server. Streams beyond the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS (one until its SETTINGS come)
 * wait in nghttp2's queue, their transfers timed by -m alone. A stream's
 * reset or early end fails that transfer only (92); a connection error or
 * an error GOAWAY fails every open one (16) after the bytes it received
 * went to its sink. Streams the server never processed (REFUSED_STREAM,
 * above a GOAWAY's last-stream-id, still queued when a GOAWAY came) go
 * again, once, when their bodies can be replayed: on the same session while
 * it takes streams, else on a new connection, one for all of them (h1.c
 * lets one transfer dial it while the others wait, and fails them with its
 * error when the dial fails; over HTTP/1.1 they take it in turn), while the
 * streams below the GOAWAY finish on the old one, detached (h2_detach).
 *
 * Each stream's transfer is timed by its own -m (x->deadline_ns): the
 * connection's cfg is the first transfer's, or the run's once it is shared.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http.h"
#include "h2.h"
#include "tls.h"

#define H2_FUNCS(X)                                                                                \
	X(nghttp2_version)                                                                         \
	X(nghttp2_session_callbacks_new)                                                           \
	X(nghttp2_session_callbacks_del)                                                           \
	X(nghttp2_session_callbacks_set_send_callback)                                             \
	X(nghttp2_session_callbacks_set_on_frame_recv_callback)                                    \
	X(nghttp2_session_callbacks_set_on_frame_send_callback)                                    \
	X(nghttp2_session_callbacks_set_on_data_chunk_recv_callback)                               \
	X(nghttp2_session_callbacks_set_on_stream_close_callback)                                  \
	X(nghttp2_session_callbacks_set_on_header_callback)                                        \
	X(nghttp2_session_callbacks_set_on_begin_headers_callback)                                 \
	X(nghttp2_session_callbacks_set_on_begin_frame_callback)                                   \
	X(nghttp2_session_callbacks_set_error_callback2)                                           \
	X(nghttp2_session_callbacks_set_on_frame_not_send_callback)                                \
	X(nghttp2_option_new)                                                                      \
	X(nghttp2_option_del)                                                                      \
	X(nghttp2_option_set_no_auto_window_update)                                                \
	X(nghttp2_option_set_max_send_header_block_length)                                         \
	X(nghttp2_option_set_peer_max_concurrent_streams)                                          \
	X(nghttp2_session_client_new2)                                                             \
	X(nghttp2_session_del)                                                                     \
	X(nghttp2_submit_settings)                                                                 \
	X(nghttp2_submit_request)                                                                  \
	X(nghttp2_submit_rst_stream)                                                               \
	X(nghttp2_session_set_local_window_size)                                                   \
	X(nghttp2_session_mem_recv)                                                                \
	X(nghttp2_session_send)                                                                    \
	X(nghttp2_session_want_read)                                                               \
	X(nghttp2_session_want_write)                                                              \
	X(nghttp2_session_consume)                                                                 \
	X(nghttp2_session_resume_data)                                                             \
	X(nghttp2_session_get_stream_user_data)                                                    \
	X(nghttp2_session_set_stream_user_data)                                                    \
	X(nghttp2_strerror)                                                                        \
	X(nghttp2_http2_strerror)

#define H2_DECL(f) static __typeof__(f) *p_##f;
H2_FUNCS(H2_DECL)
#define N(f) (p_##f)

/* Only in builds with the CVE-2024-28182 fix (Debian's 1.52, upstream 1.61): their cap is 8 */
static void (*p_set_max_continuations)(nghttp2_option *, size_t);

static void *lib;
static int lib_state; /* 0: not tried, 1: loaded, -1: failed */

static bool load_library(void)
{
	if (lib_state)
		return lib_state > 0;
	lib_state = -1;
	if ((lib = dlopen("libnghttp2.so.14", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return false;
#define H2_LOAD(f)                                                                                 \
	if ((p_##f = (__typeof__(f) *)dlsym(lib, #f)) == NULL)                                     \
		return false;
	H2_FUNCS(H2_LOAD)
	/* the ssize_t calls and options used here are all in 1.52 */
	if (N(nghttp2_version)(0x013400) == NULL)
		return false;
	p_set_max_continuations = (void (*)(nghttp2_option *, size_t))dlsym(
	    lib, "nghttp2_option_set_max_continuations");
	lib_state = 1;
	return true;
}

bool h2_available(void)
{
	return load_library();
}

bool h2_offerable(void)
{
	return lib_state >= 0; /* not tried yet, or loaded */
}

/* One stream: owned by its response (resp_free), listed on its session while both live. */
struct h2_stream {
	struct hc_h2 *h;	/* NULL once the session is gone */
	struct h2_stream *next; /* the session's list */
	int32_t id;
	struct hc_xfer *x; /* the transfer, while it waits for the head */
	struct hc_response *resp;
	struct hc_task *waiter; /* woken by what it waits for (head, data, the end) */
	struct hc_task wait;	/* the caller's wait for body bytes */
	char *buf;		/* DATA not yet taken: [start, end) */
	size_t start, end, cap;
	size_t nfields, continuations;
	bool head_in, closed, trailers;
	bool eos;  /* the server's END_STREAM came (the stream may stay open while we upload) */
	bool sent; /* its HEADERS went out (before: it waits in the session for a free stream) */
	bool unprocessed; /* closed before the server processed it: it may go again */
	bool joined;	  /* counted in its session's joined (the session's task is on loop) */
	uint32_t rst;	  /* the error code that closed it */
	enum hc_err err;
	char msg[HC_ERRBUF];
	/* the request body */
	const struct hc_body *body;
	bool up_done, up_deferred, up_stop;
	bool expect; /* the body waits for 100 Continue (up's deadline: the expect timeout) */
	int expect_ms;
	uint64_t up_sent;
	size_t seg; /* multipart: the segment being sent, and the offset in it */
	uint64_t seg_off;
	struct hc_task up;    /* a pipe body waits in the loop for its bytes */
	struct hc_loop *loop; /* the loop the stream's waits are on, while there is one */
	bool up_on;	      /* up is on loop */
	/* the response body to the transfer's sink (h2_body), when the caller gave one */
	const struct hc_sink *sink;
	bool sink_blocked; /* it cannot take more: its window closes, no timeout runs */
	bool sink_ended;   /* its end() was called */
	enum hc_err sink_err;
};

struct hc_h2 {
	struct hc_task task; /* first: the loop's view of the connection */
	struct hc_conn *c;   /* the transfers' connection, or one of its own once apart */
	nghttp2_session *s;
	struct h2_stream *streams;
	struct hc_loop *loop; /* the loop its task is on, for joined streams (0: none) */
	unsigned joined;
	bool apart; /* detached from the transfers' connection: it ends with its last stream */
	char *out;  /* bytes the session gave to send: [ostart, oend) */
	size_t ostart, oend;
	short want; /* what a full socket waits for (TLS may want POLLIN to write) */
	bool dead, goaway;
	int32_t goaway_last;
	uint32_t goaway_code;
	size_t continuations, continuations_max;
	enum hc_err err;
	struct h2_scan scan;
	/* DATA for one stream's sink from the input being parsed, written when it is through */
	struct h2_stream *batch;
	struct iovec span[64];
	int nspan;
};

#define H2_OUT_BUF (128 * 1024)
/* Another read while the receive buffer has room for a whole TLS record (RFC 8446 §5.1) */
#define H2_READ_MIN 16384
/*
 * The header block nghttp2 may send (its default, 64 KiB, is below Part 1's
 * request head): it measures a list as nghttp2_hd_deflate_bound does, 12
 * bytes and 12 more a field beside the names and values. req_prepare has
 * kept the request's head as HTTP/1.1 writes it, at least 5 bytes a field,
 * within HC_REQ_HEAD_MAX (else "request head too large"), so 3 times that
 * bounds the block of every request that comes this far.
 */
#define H2_SEND_BLOCK_MAX (3 * (size_t)HC_REQ_HEAD_MAX)

static struct hc_h2 *h2_of(struct hc_task *t)
{
	return (struct hc_h2 *)t;
}

/*
 * Something outside the session's own step gave it work: a frame queued (a
 * request, a reset, a WINDOW_UPDATE, DATA resumed) or a change in what its
 * wait is timed by. Its step runs in the next round: it writes what the
 * socket takes, and what is left makes it wait for POLLOUT (arm). The one
 * way in for all of them: a session that waits for POLLIN alone would
 * leave such a frame until the server sends something. (With no stream on
 * a loop, the next stream to join runs it.)
 */
static void session_wake(struct hc_h2 *h)
{
	h->task.run_again = true;
}

static void trace_frame(struct hc_conn *c, const char *dir, const nghttp2_frame *f)
{
	switch (f->hd.type) {
	case NGHTTP2_SETTINGS:
		if (f->hd.flags & NGHTTP2_FLAG_ACK)
			conn_info(c, "HTTP/2 %s SETTINGS ACK", dir);
		else
			conn_info(c, "HTTP/2 %s SETTINGS (%zu settings)", dir, f->settings.niv);
		for (size_t i = 0; i < f->settings.niv && c->cfg->debuglevel >= 2; i++)
			conn_info(c, "  setting 0x%x = %u", f->settings.iv[i].settings_id,
				  f->settings.iv[i].value);
		break;
	case NGHTTP2_HEADERS:
		conn_info(c, "HTTP/2 %s HEADERS on stream %" PRId32 "%s", dir, f->hd.stream_id,
			  f->hd.flags & NGHTTP2_FLAG_END_STREAM ? " (END_STREAM)" : "");
		break;
	case NGHTTP2_RST_STREAM:
		conn_info(c, "HTTP/2 %s RST_STREAM on stream %" PRId32 ": %s", dir, f->hd.stream_id,
			  N(nghttp2_http2_strerror)(f->rst_stream.error_code));
		break;
	case NGHTTP2_GOAWAY:
		conn_info(c, "HTTP/2 %s GOAWAY: last stream %" PRId32 ", %s", dir,
			  f->goaway.last_stream_id,
			  N(nghttp2_http2_strerror)(f->goaway.error_code));
		break;
	default:
		break;
	}
}

/*
 * A time of the stream's transfer (pretransfer, starttransfer, total): in
 * its own timing from its t0, and in its connection's from that one's (-w
 * reads it there after one transfer at a time).
 */
enum stamp { ST_PRETRANSFER, ST_STARTTRANSFER, ST_TOTAL };

static int64_t *stamp_field(struct hc_timing *t, enum stamp which)
{
	switch (which) {
	case ST_PRETRANSFER:
		return &t->pretransfer;
	case ST_STARTTRANSFER:
		return &t->starttransfer;
	case ST_TOTAL:
		break;
	}
	return &t->total;
}

static void stamp(struct h2_stream *st, enum stamp which)
{
	struct hc_conn *c = st->resp->c;
	int64_t now = hc_now_ns();
	*stamp_field(&c->tm, which) = now - c->tm.t0;
	if (st->x)
		*stamp_field(&st->x->tm, which) = now - st->x->tm.t0;
}

static struct h2_stream *stream_of(struct hc_h2 *h, int32_t id)
{
	return id > 0 ? N(nghttp2_session_get_stream_user_data)(h->s, id) : NULL;
}

/* Whoever waits on the stream goes on: a transfer waiting for its head, or a body read. */
static void wake(struct h2_stream *st)
{
	struct hc_task *w = st->waiter;
	if (w == NULL)
		return;
	if (st->sink)
		w->run_again = true; /* the body's step feeds the sink */
	else if (w == &st->wait || st->head_in)
		w->paused = true;
	else if (st->closed)
		w->run_again = true; /* its step reports the error or retries */
}

static void stream_fail(struct h2_stream *st, enum hc_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void stream_fail(struct h2_stream *st, enum hc_err e, const char *fmt, ...)
{
	if (st->err == HC_OK) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
		st->err = e;
	}
}

/* The server did not process the stream's request (RFC 9113 §8.7): it may go again. */
static void refused(struct h2_stream *st, const char *why)
{
	st->unprocessed = true;
	stream_fail(st, HC_EH2, "the server did not process the request (stream %" PRId32 "): %s",
		    st->id, why);
}

/* The connection failed: every stream still open fails with it. */
static void conn_fail(struct hc_h2 *h, enum hc_err e, const char *what)
{
	if (!h->dead && h->goaway && e == HC_EEMPTY)
		conn_info(h->c, "HTTP/2 connection closed after the server's GOAWAY: %s", what);
	else if (!h->dead)
		conn_info(h->c, "HTTP/2 connection error: %s", what);
	h->dead = true;
	if (h->err == HC_OK)
		h->err = e;
	h->c->reusable = false;
	for (struct h2_stream *st = h->streams; st; st = st->next) {
		if (st->closed)
			continue;
		if (!st->sent) /* its HEADERS never went: the server knows nothing of it */
			refused(st, "the connection ended before the request was sent");
		else if (e == HC_EEMPTY && h->goaway && st->head_in)
			/* answered, then cut short by the close after a GOAWAY(NO_ERROR): a
			 * partial body (curl: 18), not a lost request */
			stream_fail(st, HC_EINCOMPLETE,
				    "the server closed the connection after its GOAWAY, %" PRIu64
				    " body bytes in",
				    st->resp->nread + (st->end - st->start));
		else if (e == HC_EH2)
			stream_fail(st, e, "HTTP/2 connection error: %s", what);
		else
			stream_fail(st, e, "%s", what);
		st->closed = true;
		wake(st);
	}
}

/* ---- the request as a name/value list ---- */

static bool conn_specific(const char *name)
{
	/* RFC 9113 §8.2.2 */
	static const char *const drop[] = {"Connection", "Keep-Alive", "Transfer-Encoding",
					   "Upgrade", "Proxy-Connection"};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (strcasecmp(name, drop[i]) == 0)
			return true;
	return false;
}

/* Does the request wait for 100 Continue before its body? */
static bool h2_expects_100(const struct hc_request *r, const struct hc_framing *f)
{
	return r->expect100 && req_body_expected(r, f);
}

static void nv_set(nghttp2_nv *nv, const char *name, size_t nlen, const char *value)
{
	*nv = (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, nlen, strlen(value),
			   NGHTTP2_NV_FLAG_NONE};
}

void h2_nv_free(struct h2_nv *l)
{
	free(l->nv);
	free(l->names);
	free(l->authority);
	*l = (struct h2_nv){0};
}

enum hc_err h2_nv_build(struct hc_conn *c, const struct hc_request *r, const struct hc_framing *f,
			struct h2_nv *l)
{
	size_t room = 0;
	enum hc_err rc;
	*l = (struct h2_nv){0};
	/* checked as for HTTP/1.1: a proxy may forward the request to an HTTP/1.1 server */
	if ((rc = req_check_method(c, r->method)))
		return rc;
	for (size_t i = 0; i < r->nheaders; i++) {
		if ((rc = req_check_field(c, r->headers[i].name, r->headers[i].value)))
			return rc;
		room += strlen(r->headers[i].name) + 1;
	}
	l->nv = calloc(r->nheaders + 8, sizeof(*l->nv));
	l->names = malloc(room + 1);
	if (l->nv == NULL || l->names == NULL)
		goto nomem;
	const char *host = NULL;
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, "Host") == 0 && host == NULL)
			host = r->headers[i].value;
	if (host == NULL && (l->authority = url_hostport(c->host, c->port, c->tls)) == NULL)
		goto nomem;
	/* RFC 9113 §8.3.1: the pseudo-header fields first */
	nv_set(&l->nv[l->n++], ":method", 7, r->method);
	nv_set(&l->nv[l->n++], ":scheme", 7, c->tls ? "https" : "http");
	nv_set(&l->nv[l->n++], ":authority", 10, host ? host : l->authority);
	nv_set(&l->nv[l->n++], ":path", 5, r->target);
	char *p = l->names;
	bool has_ae = false, has_expect = false;
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *name = r->headers[i].name, *value = r->headers[i].value;
		if (strcasecmp(name, "Host") == 0)
			continue; /* it is :authority */
		/* RFC 9113 §8.2.2: TE only as "trailers" */
		if (conn_specific(name) ||
		    (strcasecmp(name, "TE") == 0 && strcasecmp(value, "trailers") != 0)) {
			conn_info(c, "Not sent over HTTP/2: %s (connection-specific)", name);
			continue;
		}
		size_t n = strlen(name);
		for (size_t k = 0; k < n; k++) /* RFC 9113 §8.2.1: lower case */
			p[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
		p[n] = '\0';
		has_ae = has_ae || strcmp(p, "accept-encoding") == 0;
		has_expect = has_expect || strcmp(p, "expect") == 0;
		nv_set(&l->nv[l->n++], p, n, value);
		p += n + 1;
	}
	if (!r->skip_accept_encoding && !has_ae)
		nv_set(&l->nv[l->n++], "accept-encoding", 15, "identity");
	if (f->add_cl) {
		snprintf(l->length, sizeof(l->length), "%" PRId64, f->length);
		nv_set(&l->nv[l->n++], "content-length", 14, l->length);
	}
	/* --expect100 as over HTTP/1.1 (RFC 9110 §10.1.1; RFC 9113 §8.1 keeps 100-continue) */
	if (h2_expects_100(r, f) && !has_expect)
		nv_set(&l->nv[l->n++], "expect", 6, "100-continue");
	return HC_OK;
nomem:
	h2_nv_free(l);
	return HC_ENOMEM;
}

/* -v and -p H: the request as curl shows an h2 request, a request line and its fields. */
static void trace_request(struct hc_conn *c, const struct h2_nv *l)
{
	if (c->cfg->trace == NULL)
		return;
	struct hc_headbuf hb = {.max = HC_REQ_HEAD_MAX};
	const nghttp2_nv *nv = l->nv;
	enum hc_err rc = HC_OK;
	if ((rc = hb_add(&hb, (char *)nv[0].value, nv[0].valuelen)) == HC_OK &&
	    (rc = hb_add(&hb, " ", 1)) == HC_OK &&
	    (rc = hb_add(&hb, (char *)nv[3].value, nv[3].valuelen)) == HC_OK &&
	    (rc = hb_adds(&hb, " HTTP/2\r\nhost: ")) == HC_OK &&
	    (rc = hb_add(&hb, (char *)nv[2].value, nv[2].valuelen)) == HC_OK)
		rc = hb_add(&hb, "\r\n", 2);
	for (size_t i = 4; i < l->n && rc == HC_OK; i++)
		if ((rc = hb_add(&hb, (char *)nv[i].name, nv[i].namelen)) == HC_OK &&
		    (rc = hb_add(&hb, ": ", 2)) == HC_OK &&
		    (rc = hb_add(&hb, (char *)nv[i].value, nv[i].valuelen)) == HC_OK)
			rc = hb_add(&hb, "\r\n", 2);
	if (rc == HC_OK && hb_add(&hb, "\r\n", 2) == HC_OK)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_HEAD, hb.p, hb.len);
	hb_free(&hb);
}

/* -v: a response head as received (1xx included), in the form HTTP/1 shows it. */
static void trace_response(struct hc_conn *c, const char *status_line,
			   const struct hc_headers *hdrs)
{
	if (c->cfg->trace == NULL || c->cfg->debuglevel < 1)
		return;
	struct hc_headbuf hb = {.max = 64 << 20};
	enum hc_err rc = hb_adds(&hb, status_line);
	for (size_t i = 0; i < hdrs->n && rc == HC_OK; i++)
		if ((rc = hb_add(&hb, "\r\n", 2)) == HC_OK &&
		    (rc = hb_adds(&hb, hdrs->v[i].name)) == HC_OK &&
		    (rc = hb_add(&hb, ": ", 2)) == HC_OK)
			rc = hb_adds(&hb, hdrs->v[i].value);
	if (rc == HC_OK && hb_adds(&hb, "\r\n\r\n") == HC_OK)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_RESP_HEAD, hb.p, hb.len);
	hb_free(&hb);
}

/* ---- the header limits (SPEC Part 2: Part 1's limits on decoded lists) ---- */

size_t h2_continuations_max(size_t max_fields)
{
	/* max_fields fields and :status, each a literal of its name and value and at most
	 * 32 bytes of HPACK's (RFC 7541 §6.2), in frames of HC_H2_FRAME */
	return (max_fields + 1) * (HC_H2_FIELD_MAX + 32) / HC_H2_FRAME + 1;
}

enum hc_err h2_field_check(size_t *nfields, size_t max_fields, size_t nlen, size_t vlen,
			   bool pseudo)
{
	if (nlen + vlen > HC_H2_FIELD_MAX)
		return HC_ELINE;
	if (!pseudo && ++*nfields > max_fields)
		return HC_EHEADERS;
	return HC_OK;
}

/* ---- callbacks ---- */

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud)
{
	(void)s;
	(void)flags;
	struct hc_h2 *h = ud;
	if (h->ostart == h->oend)
		h->ostart = h->oend = 0;
	size_t room = H2_OUT_BUF - h->oend;
	if (room == 0)
		return NGHTTP2_ERR_WOULDBLOCK;
	if (len > room)
		len = room;
	memcpy(h->out + h->oend, data, len);
	h->oend += len;
	return (ssize_t)len;
}

static int on_begin_frame(nghttp2_session *s, const nghttp2_frame_hd *hd, void *ud)
{
	(void)s;
	struct hc_h2 *h = ud;
	/* CVE-2024-28182: nghttp2 1.52 takes any number of CONTINUATION frames */
	if (hd->type == NGHTTP2_HEADERS)
		h->continuations = 0;
	else if (hd->type == NGHTTP2_CONTINUATION && ++h->continuations > h->continuations_max) {
		conn_fail(h, HC_EH2, "too many CONTINUATION frames in one header block");
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	return 0;
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	(void)s;
	struct h2_stream *st = stream_of(ud, f->hd.stream_id);
	if (st == NULL)
		return 0;
	st->nfields = 0;
	if (st->head_in)
		st->trailers = true;
	return 0;
}

/* Reset one stream for its own fault, leaving the session and the others alone (pitfall 7). */
static int stream_refuse(struct hc_h2 *h, struct h2_stream *st)
{
	N(nghttp2_submit_rst_stream)(h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_PROTOCOL_ERROR);
	return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

/* A :status value: 100 to 999, or 0. */
static int status_code(const uint8_t *v, size_t n)
{
	if (n != 3 || v[0] < '1' || v[0] > '9' || v[1] < '0' || v[1] > '9' || v[2] < '0' ||
	    v[2] > '9')
		return 0;
	return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen, uint8_t flags, void *ud)
{
	(void)s;
	(void)flags;
	struct hc_h2 *h = ud;
	struct h2_stream *st = stream_of(h, f->hd.stream_id);
	if (st == NULL || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	struct hc_response *resp = st->resp;
	bool pseudo = nlen > 0 && name[0] == ':';
	enum hc_err e = h2_field_check(&st->nfields, h->c->cfg->max_headers, nlen, vlen, pseudo);
	if (e == HC_ELINE) {
		stream_fail(st, e, "a header field's name and value are longer than %d bytes",
			    HC_H2_FIELD_MAX);
		return stream_refuse(h, st);
	}
	if (e == HC_EHEADERS) {
		stream_fail(st, e, "more than %zu header fields", h->c->cfg->max_headers);
		return stream_refuse(h, st);
	}
	if (pseudo) {
		if (nlen != 7 || memcmp(name, ":status", 7) != 0 || st->trailers)
			return 0;
		if ((resp->status = status_code(value, vlen)) == 0) {
			/* RFC 9110 §15: three digits, 100 to 999 (found by fuzz_h2: "001") */
			stream_fail(st, HC_EBADSTATUS, "not an HTTP status: ':status: %.*s'",
				    vlen < 16 ? (int)vlen : 16, (const char *)value);
			return stream_refuse(h, st);
		}
		/* Part 1's cap on interim heads, as over HTTP/1.1 */
		if (resp->status < 200 && resp->ninterim >= HC_MAX_INTERIM) {
			stream_fail(st, HC_EINTERIM,
				    "more than %d interim (1xx) responses without a final one",
				    HC_MAX_INTERIM);
			return stream_refuse(h, st);
		}
		return 0;
	}
	struct hc_headers *to = st->trailers ? &resp->trailers : &resp->hdrs;
	if (hdr_add(to, (const char *)name, nlen, (const char *)value, vlen)) {
		stream_fail(st, HC_ENOMEM, "out of memory");
		return stream_refuse(h, st);
	}
	return 0;
}

/* The length the response declares, or -1 (a HEAD's or a 304's is not the body's). */
static void set_length(struct hc_response *resp)
{
	const char *cl = hdr_get(&resp->hdrs, "content-length");
	char *end;
	resp->mode = HC_BM_CLOSE;
	if (cl == NULL || resp->status == 304 || resp->status == 204)
		return;
	errno = 0;
	unsigned long long v = strtoull(cl, &end, 10);
	if (errno || end == cl || *end || cl[0] == '-' || cl[0] == '+')
		return;
	resp->mode = HC_BM_LENGTH;
	resp->length = resp->remaining = v;
}

/*
 * 100 Continue came, or the expect timeout passed, or a final answer: the
 * body's wait is over (up_stop says whether it goes). The wait's task leaves
 * the loop; a pipe body puts it back when it has nothing yet (defer).
 */
static void expect_over(struct h2_stream *st)
{
	if (!st->expect)
		return;
	st->expect = false;
	st->up.deadline = 0;
	if (st->up_on && st->up.events == 0) {
		loop_remove(st->loop, &st->up);
		st->up_on = false;
	}
	if (st->h && !st->closed && st->up_deferred) {
		st->up_deferred = false;
		N(nghttp2_session_resume_data)(st->h->s, st->id);
		session_wake(st->h);
	}
}

/* A HEADERS frame ended: an interim head is dropped, a final one is the response's head. */
static void headers_in(struct hc_h2 *h, struct h2_stream *st, const nghttp2_frame *f)
{
	struct hc_response *resp = st->resp;
	struct hc_conn *c = h->c;
	if (st->trailers || st->head_in)
		return;
	char line[16];
	snprintf(line, sizeof(line), "HTTP/2 %d", resp->status);
	if (resp->status >= 100 && resp->status < 200) {
		trace_response(c, line, &resp->hdrs);
		hdr_free(&resp->hdrs);
		if (resp->status == 100 && st->expect)
			expect_over(st);
		resp->status = 0;
		resp->ninterim++;
		return;
	}
	free(resp->status_line);
	resp->status_line = strdup(line);
	resp->reason = "";
	resp->version = 20;
	if (resp->status_line == NULL) {
		stream_fail(st, HC_ENOMEM, "out of memory");
		return;
	}
	set_length(resp);
	st->head_in = true;
	stamp(st, ST_STARTTRANSFER);
	trace_response(c, resp->status_line, &resp->hdrs);
	/* an early final answer while uploading: the rest of the body is not sent; one
	 * instead of 100 Continue: none of it (as over HTTP/1.1) */
	if (!st->up_done && (resp->status >= 300 || st->expect)) {
		conn_info(c, "The server answered before the body was sent");
		resp->early = true;
		st->up_stop = true;
		expect_over(st);
	}
	(void)f;
	wake(st);
}

/*
 * A GOAWAY came: streams still waiting in the session for a free stream
 * (SETTINGS_MAX_CONCURRENT_STREAMS) will never be opened; nghttp2 drops
 * them when their turn comes, without closing them. They end now, to go
 * again on a new connection; the open ones above last-stream-id are closed
 * by nghttp2 (on_stream_close, REFUSED_STREAM).
 */
static void goaway_unsent(struct hc_h2 *h)
{
	for (struct h2_stream *st = h->streams; st; st = st->next) {
		if (st->sent || st->closed || st->id <= h->goaway_last)
			continue;
		N(nghttp2_session_set_stream_user_data)(h->s, st->id, NULL);
		refused(st, "a GOAWAY came before it was sent");
		st->closed = true;
		st->rst = NGHTTP2_REFUSED_STREAM;
		wake(st);
	}
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	(void)s;
	struct hc_h2 *h = ud;
	trace_frame(h->c, "received", f);
	if (f->hd.type == NGHTTP2_GOAWAY) {
		h->goaway = true;
		h->goaway_last = f->goaway.last_stream_id;
		h->goaway_code = f->goaway.error_code;
		h->c->reusable = false;
		if (f->goaway.error_code != NGHTTP2_NO_ERROR)
			h->err = HC_EH2;
		goaway_unsent(h);
		return 0;
	}
	struct h2_stream *st = stream_of(h, f->hd.stream_id);
	if (st == NULL)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS)
		headers_in(h, st, f);
	if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM) && st->head_in) {
		st->eos = true;
		if (st->waiter == &st->wait)
			wake(st);
	} else if (f->hd.type == NGHTTP2_WINDOW_UPDATE && st->up_deferred)
		N(nghttp2_session_resume_data)(h->s, st->id);
	return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	(void)s;
	struct hc_h2 *h = ud;
	trace_frame(h->c, "sent", f);
	struct h2_stream *st = stream_of(h, f->hd.stream_id);
	if (f->hd.type == NGHTTP2_HEADERS && st)
		st->sent = true;
	/* nghttp2 ends the session for the server's protocol error with a GOAWAY of ours */
	if (f->hd.type == NGHTTP2_GOAWAY && f->goaway.error_code != NGHTTP2_NO_ERROR) {
		char what[128];
		snprintf(what, sizeof(what), "the server broke the protocol (%s)",
			 N(nghttp2_http2_strerror)(f->goaway.error_code));
		conn_fail(h, HC_EH2, what);
	}
	return 0;
}

/* Bytes taken by the sink or the caller: they count, and the windows open again by as much. */
static void taken(struct h2_stream *st, size_t n)
{
	struct hc_response *resp = st->resp;
	resp->nread += n;
	if (resp->mode == HC_BM_LENGTH)
		resp->remaining = resp->remaining > n ? resp->remaining - n : 0;
	if (st->h) {
		N(nghttp2_session_consume)(st->h->s, st->id, n);
		session_wake(st->h); /* the WINDOW_UPDATE goes out */
	}
}

/* The gathered spans go to their stream's sink in one write (they point into the input). */
static void batch_flush(struct hc_h2 *h)
{
	struct h2_stream *st = h->batch;
	if (st == NULL)
		return;
	size_t n = 0;
	for (int i = 0; i < h->nspan; i++)
		n += h->span[i].iov_len;
	if (st->sink_err == HC_OK && st->sink)
		st->sink_err = st->sink->write(st->sink->ud, h->span, h->nspan);
	/* after the sink's error the stream's bytes are dropped; the transfer ends with it */
	taken(st, n);
	if (st->sink_err && st->waiter)
		st->waiter->run_again = true;
	h->batch = NULL;
	h->nspan = 0;
}

/* Straight to the sink, if it can take more now and nothing waits before these bytes. */
static bool to_sink(struct h2_stream *st, const uint8_t *data, size_t len)
{
	struct hc_h2 *h = st->h;
	const struct hc_sink *s = st->sink;
	if (s == NULL || st->start != st->end || st->sink_blocked)
		return false;
	if (h->batch != st || h->nspan == (int)(sizeof(h->span) / sizeof(h->span[0]))) {
		batch_flush(h);
		int fd = -1;
		if (st->sink_err == HC_OK && s->more &&
		    (st->sink_err = s->more(s->ud, &fd)) == HC_OK && fd >= 0)
			return false;
		h->batch = st;
	}
	h->span[h->nspan++] = (struct iovec){(void *)data, len};
	return true;
}

/* Stream data in → the transfer's sink, or the stream's buffer until it is taken. */
static int h2_deliver(struct hc_h2 *h, struct h2_stream *st, const uint8_t *data, size_t len)
{
	if (to_sink(st, data, len)) {
		h->c->rx += len;
		return 0;
	}
	if (st->start == st->end)
		st->start = st->end = 0;
	if (st->end + len > st->cap) {
		size_t cap = st->cap ? st->cap : 16384;
		while (cap < st->end + len)
			cap *= 2;
		if (cap > (2 * HC_H2_STREAM_WINDOW)) {
			/* the window bounds it; more means flow control was broken */
			stream_fail(st, HC_EH2STREAM, "more DATA than the stream window allows");
			return stream_refuse(h, st);
		}
		char *b = realloc(st->buf, cap);
		if (b == NULL) {
			stream_fail(st, HC_ENOMEM, "out of memory");
			return stream_refuse(h, st);
		}
		st->buf = b;
		st->cap = cap;
	}
	memcpy(st->buf + st->end, data, len);
	st->end += len;
	h->c->rx += len;
	if (st->waiter == &st->wait)
		wake(st);
	return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
			 size_t len, void *ud)
{
	(void)flags;
	struct hc_h2 *h = ud;
	struct h2_stream *st = stream_of(h, id);
	if (st == NULL) {
		/* a stream nobody reads any more: its bytes still count (pitfall 4) */
		N(nghttp2_session_consume)(s, id, len);
		return 0;
	}
	return h2_deliver(h, st, data, len);
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud)
{
	struct hc_h2 *h = ud;
	struct h2_stream *st = stream_of(h, id);
	if (st == NULL)
		return 0;
	N(nghttp2_session_set_stream_user_data)(s, id, NULL);
	st->closed = true;
	st->rst = code;
	st->up.events = 0;
	if (code == NGHTTP2_REFUSED_STREAM || (h->goaway && id > h->goaway_last && !st->head_in)) {
		refused(st, code == NGHTTP2_REFUSED_STREAM && !h->goaway
				? "REFUSED_STREAM"
				: "above the GOAWAY's last stream");
	} else if (code != NGHTTP2_NO_ERROR && !(st->up_stop && st->resp->done)) {
		stream_fail(st, h->err == HC_EH2 ? HC_EH2 : HC_EH2STREAM,
			    "stream %" PRId32 " was reset: %s", id,
			    N(nghttp2_http2_strerror)(code));
	} else if (!st->head_in) {
		stream_fail(st, HC_EH2STREAM, "stream %" PRId32 " ended without a response", id);
	}
	wake(st);
	return 0;
}

/* A request's HEADERS nghttp2 would not send (a GOAWAY came while it waited): it never opened. */
static int on_frame_not_send(nghttp2_session *s, const nghttp2_frame *f, int code, void *ud)
{
	(void)s;
	struct hc_h2 *h = ud;
	if (f->hd.type != NGHTTP2_HEADERS)
		return 0;
	struct h2_stream *st = h->streams;
	while (st && st->id != f->hd.stream_id)
		st = st->next;
	if (st == NULL || st->closed || st->sent)
		return 0;
	if (code == NGHTTP2_ERR_START_STREAM_NOT_ALLOWED) {
		refused(st, "the session was ending");
		st->rst = NGHTTP2_REFUSED_STREAM;
	} else {
		stream_fail(st, HC_EH2, "HTTP/2 request: %s", N(nghttp2_strerror)(code));
	}
	st->closed = true;
	wake(st);
	return 0;
}

static int on_error(nghttp2_session *s, int code, const char *msg, size_t len, void *ud)
{
	(void)s;
	(void)code;
	conn_info(((struct hc_h2 *)ud)->c, "HTTP/2: %.*s", (int)len, msg);
	return 0;
}

/* ---- the request body as DATA frames ---- */

static void trace_up(struct hc_conn *c, const uint8_t *p, size_t n)
{
	const struct hc_conn_cfg *cfg = c->cfg;
	if (cfg->trace_body && cfg->trace && n)
		cfg->trace(cfg->trace_ud, HC_TR_REQ_BODY, (const char *)p, n);
}

/* The pipe waits in the loop for its bytes; the session asks again then (up_step). */
static ssize_t defer(struct h2_stream *st, int fd)
{
	st->up_deferred = true;
	st->up.fd = fd;
	st->up.events = POLLIN;
	if (st->loop && !st->up_on) {
		loop_add(st->loop, &st->up);
		st->up.run_again = false;
		st->up_on = true;
	}
	return NGHTTP2_ERR_DEFERRED;
}

/* A pipe: bytes now, or none yet (it is polled), or its end. */
static ssize_t read_pipe(struct h2_stream *st, int fd, uint8_t *buf, size_t len, bool *eof)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	*eof = false;
	if (poll(&p, 1, 0) == 0)
		return defer(st, fd);
	ssize_t n;
	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	if (n < 0 && errno == EAGAIN)
		return defer(st, fd);
	*eof = n == 0; /* a 0-byte read still ends the stream (pitfall 5) */
	return n;
}

/* Bytes of one source: memory, a file from an offset (size >= 0), or a pipe. */
static ssize_t read_source(struct h2_stream *st, const char *mem, size_t mlen, int fd, off_t start,
			   off_t size, uint64_t off, uint8_t *buf, size_t len, bool *eof)
{
	*eof = false;
	if (mem || fd < 0) {
		size_t left = mlen - (size_t)off;
		size_t n = left < len ? left : len;
		memcpy(buf, mem + off, n);
		*eof = off + n == mlen;
		return (ssize_t)n;
	}
	if (size < 0)
		return read_pipe(st, fd, buf, len, eof);
	uint64_t left = (uint64_t)size - off;
	if (left < len)
		len = (size_t)left;
	if (len == 0) {
		*eof = true;
		return 0;
	}
	ssize_t n;
	while ((n = pread(fd, buf, len, start + (off_t)off)) < 0 && errno == EINTR)
		;
	if (n == 0) /* the file shrank */
		return -1;
	*eof = n > 0 && off + (uint64_t)n == (uint64_t)size;
	return n;
}

/* The next bytes of the body, whatever its kind; *eof at its end. */
static ssize_t body_next(struct h2_stream *st, uint8_t *buf, size_t len, bool *eof)
{
	const struct hc_body *b = st->body;
	*eof = false;
	if (b == NULL || b->kind == HC_BODY_NONE) {
		*eof = true;
		return 0;
	}
	if (b->kind == HC_BODY_MEM)
		return read_source(st, b->mem, b->len, -1, 0, 0, st->up_sent, buf, len, eof);
	if (b->kind == HC_BODY_FD)
		return read_source(st, NULL, 0, b->fd, b->start, b->size, st->up_sent, buf, len,
				   eof);
	const struct hc_multipart *mp = b->parts;
	while (st->seg < mp->nsegs) {
		const struct hc_mp_seg *g = &mp->segs[st->seg];
		bool end;
		ssize_t n = read_source(st, g->mem, g->len, g->fd, g->start, g->size, st->seg_off,
					buf, len, &end);
		if (n < 0)
			return n;
		st->seg_off += (uint64_t)n;
		if (end) {
			st->seg++;
			st->seg_off = 0;
		}
		if (n > 0 || !end)
			return n;
	}
	*eof = true;
	return 0;
}

static ssize_t on_data_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
			    uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	(void)s;
	(void)id;
	struct hc_h2 *h = ud;
	struct h2_stream *st = src->ptr;
	struct hc_conn *c = h->c;
	if (st->up_stop)
		return NGHTTP2_ERR_DEFERRED;
	if (st->expect) {
		st->up_deferred = true; /* expect_over resumes it */
		return NGHTTP2_ERR_DEFERRED;
	}
	st->up_deferred = false;
	bool eof;
	ssize_t n = body_next(st, buf, len, &eof);
	if (n == NGHTTP2_ERR_DEFERRED)
		return n;
	if (n < 0) {
		stream_fail(st, HC_EREAD, "could not read the request body: %s",
			    errno ? strerror(errno) : "the file shrank");
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	trace_up(c, buf, (size_t)n);
	st->up_sent += (uint64_t)n;
	if (st->x) {
		st->x->tx_body = st->up_sent;
		st->x->c->tx_body = st->up_sent;
	}
	if (c->cfg->progress)
		c->cfg->progress(c->cfg->progress_ud, st->up_sent);
	if (eof) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		st->up_done = true;
	}
	return n;
}

/* ---- frames nghttp2 lets pass ---- */

size_t h2_scan(struct h2_scan *sc, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (sc->left > 0) {
			size_t k = n - i < sc->left ? n - i : sc->left;
			i += k;
			sc->left -= (uint32_t)k;
			continue;
		}
		sc->hdr[sc->have++] = p[i++];
		if (sc->have < 9)
			continue;
		sc->have = 0;
		const uint8_t *h = sc->hdr;
		uint32_t len = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
		uint8_t type = h[3], flags = h[4];
		int32_t id = (int32_t)(((uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 |
					(uint32_t)h[7] << 8 | h[8]) &
				       0x7fffffff);
		sc->left = len;
		if (id == 0 || (type != NGHTTP2_DATA && type != NGHTTP2_HEADERS))
			continue;
		for (unsigned k = 0; k < 8; k++)
			if (sc->ended[k] == id)
				return i >= 9 ? i - 9 : 0; /* a header cut between calls: 0 */
		if (flags & NGHTTP2_FLAG_END_STREAM)
			sc->ended[sc->nended++ % 8] = id;
	}
	return n;
}

/* ---- the connection's task: read into the session, write what it has to send ---- */

static enum hc_err write_out(struct hc_h2 *h, bool *full)
{
	struct hc_conn *c = h->c;
	*full = false;
	while (h->ostart < h->oend) {
		/* over TLS a full socket leaves the record with GnuTLS: the same bytes go again */
		struct iovec v = {h->out + h->ostart, h->oend - h->ostart}, *iov = &v;
		int cnt = 1;
		short again;
		enum hc_err rc = tr_writev_nowait(c, &iov, &cnt, &again);
		if (rc)
			return rc;
		h->ostart = h->oend - (cnt ? iov->iov_len : 0);
		if (again) {
			*full = true;
			h->want = again;
			return HC_OK;
		}
	}
	return HC_OK;
}

/* What the session has to send, as far as the socket takes it. */
static enum hc_err flush(struct hc_h2 *h, bool *full)
{
	for (;;) {
		enum hc_err rc = write_out(h, full);
		if (rc || *full)
			return rc;
		if (!N(nghttp2_session_want_write)(h->s))
			return HC_OK;
		int r = N(nghttp2_session_send)(h->s);
		if (r != 0) {
			conn_fail(h, HC_EH2, N(nghttp2_strerror)(r));
			return HC_OK;
		}
		if (h->ostart == h->oend)
			return HC_OK;
	}
}

/*
 * The connection ends (the server closed it, or the session wants nothing
 * more). After a GOAWAY(NO_ERROR) that is the server's plan: the streams it
 * answered are whole and no connection error reaches them (ended); one still
 * open fails as a close with no answer. Otherwise it is a connection error.
 */
static enum hc_err graceful_end(const struct hc_h2 *h)
{
	if (h->err)
		return h->err;
	return h->goaway ? HC_EEMPTY : HC_EH2;
}

/* The socket failed (rc) or the server closed it: after a GOAWAY with an error, that error. */
static void closed(struct hc_h2 *h, enum hc_err rc)
{
	if (h->goaway && h->goaway_code != NGHTTP2_NO_ERROR) {
		char why[96];
		snprintf(why, sizeof(why), "the server's GOAWAY said %s",
			 N(nghttp2_http2_strerror)(h->goaway_code));
		conn_fail(h, HC_EH2, why);
	} else if (rc) {
		conn_fail(h, h->err ? h->err : rc, h->c->err);
	} else {
		conn_fail(h, graceful_end(h), "the server closed the connection");
	}
}

/* Server bytes into the session; the DATA it finds for a sink is written once it is through. */
static const char *session_recv(struct hc_h2 *h, const uint8_t *p, size_t n)
{
	/* RFC 9113 §5.1: nothing after END_STREAM on a stream; what came before it counts */
	size_t ok = h2_scan(&h->scan, p, n);
	ssize_t r = N(nghttp2_session_mem_recv)(h->s, p, ok);
	batch_flush(h);
	if (r < 0)
		return N(nghttp2_strerror)((int)r);
	return ok < n ? "DATA or HEADERS after the stream's END_STREAM" : NULL;
}

/*
 * Read what the socket has, as far as the buffer holds it (over TLS, several
 * records: the session parses them, and a sink writes their DATA, at once).
 */
static enum hc_err read_in(struct hc_h2 *h, bool *more)
{
	struct hc_conn *c = h->c;
	*more = false;
	for (int i = 0; i < 4 && !h->dead; i++) {
		size_t fill = 0, got = 0;
		short again = 0;
		enum hc_err rc;
		do {
			rc = tr_read_nowait(c, c->buf + fill, c->cap - fill, &got, &again);
			fill += rc || again ? 0 : got;
		} while (rc == HC_OK && !again && got > 0 && c->cap - fill >= H2_READ_MIN);
		const char *bad = fill ? session_recv(h, (const uint8_t *)c->buf, fill) : NULL;
		if (h->dead)
			return HC_OK;
		if (bad) {
			conn_fail(h, HC_EH2, bad);
			return HC_OK;
		}
		if (rc) {
			closed(h, rc);
			return HC_OK;
		}
		if (again)
			return HC_OK;
		if (got == 0) {
			c->eof = true;
			closed(h, HC_OK);
			return HC_OK;
		}
	}
	*more = true;
	return HC_OK;
}

/*
 * The socket's wait: read always (SETTINGS, PING, WINDOW_UPDATE must flow),
 * and write while bytes the session gave wait for a full socket (in the
 * direction TLS wants).
 */
static void arm(struct hc_h2 *h, bool more)
{
	struct hc_conn *c = h->c;
	const struct hc_conn_cfg *cfg = c->cfg;
	bool by_limit;
	h->task.fd = c->fd;
	h->task.events = POLLIN | (h->ostart < h->oend ? h->want : 0);
	h->task.run_again = more || tls_pending(c);
	/*
	 * Timed only while a stream waits for the server: one whose sink cannot
	 * take more closed its own window (the silence is ours), and one still
	 * waiting for a free stream has asked the server nothing yet.
	 */
	bool waits = false;
	for (struct h2_stream *st = h->streams; st && !waits; st = st->next)
		waits =
		    st->sent && !st->closed && !st->eos && !st->sink_blocked && st->waiter != NULL;
	h->task.deadline = tr_wait_deadline(waits ? cfg->timeout_ms : -1, 0, &by_limit);
}

static enum hc_err h2_conn_step(struct hc_task *t, short revents)
{
	struct hc_h2 *h = h2_of(t);
	(void)revents;
	bool full = false, more = false;
	enum hc_err rc;
	if (h->dead) {
		t->events = 0;
		t->paused = true;
		return HC_OK;
	}
	if ((rc = flush(h, &full)) == HC_OK && !h->dead)
		rc = read_in(h, &more);
	if (rc == HC_OK && !h->dead)
		rc = flush(h, &full);
	if (rc)
		conn_fail(h, rc, h->c->err);
	if (h->dead) {
		t->events = 0;
		t->paused = true;
		return HC_OK;
	}
	if (!N(nghttp2_session_want_read)(h->s) && !N(nghttp2_session_want_write)(h->s) &&
	    h->ostart == h->oend)
		conn_fail(h, graceful_end(h), "the session ended");
	arm(h, more);
	return HC_OK;
}

static enum hc_err h2_conn_expire(struct hc_task *t)
{
	struct hc_h2 *h = h2_of(t);
	struct hc_conn *c = h->c;
	enum hc_err rc = tr_timed_out(c, t->events, c->cfg->timeout_ms, false);
	conn_fail(h, rc, c->err);
	t->events = 0;
	t->paused = true;
	return HC_OK;
}

static const struct hc_task_ops h2_conn_ops = {.step = h2_conn_step, .expire = h2_conn_expire};

/* A pipe body's bytes came: the session asks for them again. */
static enum hc_err up_step(struct hc_task *t, short revents)
{
	struct h2_stream *st = (struct h2_stream *)((char *)t - offsetof(struct h2_stream, up));
	t->run_again = false;
	if (revents == 0)
		return HC_OK; /* added to a loop: it waits as it was */
	t->events = 0;
	if (st->h && !st->closed && st->up_deferred) {
		st->up_deferred = false;
		N(nghttp2_session_resume_data)(st->h->s, st->id);
		session_wake(st->h);
	}
	return HC_OK;
}

/* The expect timeout passed without 100 Continue: the body goes (as over HTTP/1.1). */
static enum hc_err up_expire(struct hc_task *t)
{
	struct h2_stream *st = (struct h2_stream *)((char *)t - offsetof(struct h2_stream, up));
	if (st->expect && st->h) {
		conn_info(st->h->c, "No 100 Continue within %d ms; sending the body", st->expect_ms);
		expect_over(st);
	}
	t->deadline = 0;
	return HC_OK;
}

static const struct hc_task_ops up_ops = {.step = up_step, .expire = up_expire};

/* ---- the session ---- */

/* Windows chosen by measurement (see the commit): the connection's larger than any stream's. */
static enum hc_err session_new(struct hc_conn *c)
{
	if (!load_library())
		return conn_seterr(c, HC_EH2, "HTTP/2 needs libnghttp2.so.14, which did not load");
	struct hc_h2 *h = calloc(1, sizeof(*h));
	nghttp2_session_callbacks *cb = NULL;
	nghttp2_option *opt = NULL;
	if (h == NULL || (h->out = malloc(H2_OUT_BUF)) == NULL)
		goto nomem;
	if (N(nghttp2_session_callbacks_new)(&cb) || N(nghttp2_option_new)(&opt))
		goto nomem;
	N(nghttp2_session_callbacks_set_send_callback)(cb, on_send);
	N(nghttp2_session_callbacks_set_on_frame_recv_callback)(cb, on_frame_recv);
	N(nghttp2_session_callbacks_set_on_frame_send_callback)(cb, on_frame_send);
	N(nghttp2_session_callbacks_set_on_data_chunk_recv_callback)(cb, on_data_chunk);
	N(nghttp2_session_callbacks_set_on_stream_close_callback)(cb, on_stream_close);
	N(nghttp2_session_callbacks_set_on_header_callback)(cb, on_header);
	N(nghttp2_session_callbacks_set_on_begin_headers_callback)(cb, on_begin_headers);
	N(nghttp2_session_callbacks_set_on_begin_frame_callback)(cb, on_begin_frame);
	N(nghttp2_session_callbacks_set_error_callback2)(cb, on_error);
	N(nghttp2_session_callbacks_set_on_frame_not_send_callback)(cb, on_frame_not_send);
	N(nghttp2_option_set_no_auto_window_update)(opt, 1);
	/* RFC 9113 §6.5.2: until the server's SETTINGS say how many streams it takes at once
	 * (unlimited is the initial value, nghttp2 assumes 100), one: a server that takes
	 * fewer would refuse the rest; the others wait in the session meanwhile */
	N(nghttp2_option_set_peer_max_concurrent_streams)(opt, 1);
	N(nghttp2_option_set_max_send_header_block_length)(opt, H2_SEND_BLOCK_MAX);
	/* the flood is bounded by on_begin_frame, the same with every build of the library:
	 * the library's own cap, where it has one, is set past it */
	h->continuations_max = h2_continuations_max(c->cfg->max_headers);
	if (p_set_max_continuations)
		p_set_max_continuations(opt, h->continuations_max + 1);
	int r = N(nghttp2_session_client_new2)(&h->s, cb, h, opt);
	N(nghttp2_session_callbacks_del)(cb);
	N(nghttp2_option_del)(opt);
	cb = NULL;
	opt = NULL;
	if (r)
		goto nomem;
	nghttp2_settings_entry iv[] = {
	    {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
	    {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
	    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, HC_H2_STREAM_WINDOW},
	};
	if (N(nghttp2_submit_settings)(h->s, NGHTTP2_FLAG_NONE, iv, 3) ||
	    N(nghttp2_session_set_local_window_size)(h->s, NGHTTP2_FLAG_NONE, 0, HC_H2_CONN_WINDOW))
		goto nomem;
	h->c = c;
	h->task.ops = &h2_conn_ops;
	h->task.fd = c->fd;
	c->h2 = h;
	conn_info(c, "Using HTTP/2 (%s)", c->tls ? "ALPN" : "prior knowledge");
	return HC_OK;
nomem:
	if (cb)
		N(nghttp2_session_callbacks_del)(cb);
	if (opt)
		N(nghttp2_option_del)(opt);
	if (h && h->s)
		N(nghttp2_session_del)(h->s);
	if (h)
		free(h->out);
	free(h);
	return HC_ENOMEM;
}

/* The session's task leaves the loop its streams are on. */
static void off_loop(struct hc_h2 *h)
{
	if (h->loop)
		loop_remove(h->loop, &h->task);
	h->loop = NULL;
	h->joined = 0;
}

void h2_conn_free(struct hc_conn *c)
{
	struct hc_h2 *h = c->h2;
	if (h == NULL)
		return;
	/* streams still open fail with the connection (16); their transfers hear of it */
	for (struct h2_stream *st = h->streams, *n; st; st = n) {
		n = st->next;
		if (!st->closed) {
			if (!st->sent)
				refused(st, "the connection was closed before it was sent");
			else
				stream_fail(st, HC_EH2, "the connection was closed");
			st->closed = true;
			wake(st);
		}
		st->h = NULL;
		st->joined = false;
		st->next = NULL;
	}
	off_loop(h);
	N(nghttp2_session_del)(h->s);
	free(h->out);
	free(h);
	c->h2 = NULL;
}

/* A session apart ends with its last stream: its connection is its own. */
static void end_apart(struct hc_h2 *h)
{
	struct hc_conn *g = h->c;
	conn_free(g);
	free(g);
}

void h2_detach(struct hc_conn *c)
{
	struct hc_h2 *h = c->h2;
	bool open = false;
	for (struct h2_stream *st = h ? h->streams : NULL; st && !open; st = st->next)
		open = !st->closed;
	struct hc_conn *g = open ? calloc(1, sizeof(*g)) : NULL;
	if (g == NULL) {
		conn_close(c); /* nothing open on it (or no memory: what is open fails, 16) */
		return;
	}
	/* the socket, TLS and session move to a connection of the session's own */
	conn_init(g, c->cfg);
	g->host = c->host ? strdup(c->host) : NULL;
	g->port = c->port;
	g->tls = c->tls;
	g->proxy = c->proxy;
	g->tunnel = c->tunnel;
	g->fd = c->fd;
	g->tls_session = c->tls_session;
	g->alpn_h2 = c->alpn_h2;
	g->h2 = h;
	g->buf = c->buf;
	g->cap = c->cap;
	g->eof = c->eof;
	g->nrequests = c->nrequests;
	memcpy(g->remote_ip, c->remote_ip, sizeof(g->remote_ip));
	g->remote_port = c->remote_port;
	h->c = g;
	h->apart = true;
	conn_info(c, "HTTP/2: the connection goes on apart for its open streams");
	c->fd = -1;
	c->tls_session = NULL;
	c->tunnel = false;
	c->alpn_h2 = false;
	c->h2 = NULL;
	c->buf = NULL;
	c->cap = c->start = c->end = 0;
	c->eof = c->reusable = false;
	c->nrequests = 0;
}

bool h2_wanted(const struct hc_conn *c)
{
	if (c->h2)
		return true;
	if (c->tls)
		return c->alpn_h2;
	return c->proxy == NULL && (c->cfg->http == HC_HTTP_2 || c->cfg->http == HC_HTTP_2_PRIOR);
}

bool h2_usable(const struct hc_conn *c)
{
	const struct hc_h2 *h = c->h2;
	return h && !h->dead && !h->goaway && conn_is_open(c);
}

/* ---- a transfer as a stream ---- */

static void unlink_stream(struct h2_stream *st)
{
	struct hc_h2 *h = st->h;
	if (h == NULL)
		return;
	for (struct h2_stream **p = &h->streams; *p; p = &(*p)->next)
		if (*p == st) {
			*p = st->next;
			break;
		}
	st->h = NULL;
	if (h->apart && h->streams == NULL)
		end_apart(h);
}

/* The stream's state goes with its response; an open stream is reset first. */
void h2_resp_free(struct hc_response *resp)
{
	struct h2_stream *st = resp->h2;
	if (st == NULL)
		return;
	struct hc_h2 *h = st->h;
	if (h && !st->closed) {
		/* one still waiting for a free stream is dropped from the session's queue */
		N(nghttp2_session_set_stream_user_data)(h->s, st->id, NULL);
		N(nghttp2_submit_rst_stream)(h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_CANCEL);
		session_wake(h);
	}
	/* a body its caller stopped reading: the stream alone ends, its session takes the next
	 * request */
	if (h && !resp->done && h->c == resp->c)
		resp->c->reusable = h2_usable(resp->c);
	if (h && st->end > st->start) /* bytes never taken still count against the windows */
		N(nghttp2_session_consume)(h->s, st->id, st->end - st->start);
	unlink_stream(st);
	free(st->buf);
	free(st);
	resp->h2 = NULL;
}

static enum hc_err stream_step(struct hc_task *t, short revents);
static enum hc_err stream_expire(struct hc_task *t);
static const struct hc_task_ops stream_ops = {.step = stream_step, .expire = stream_expire};

/* A body read's wait: no fd, woken by the stream's bytes or its end. */
static enum hc_err wait_step(struct hc_task *t, short revents)
{
	(void)revents;
	t->run_again = false;
	t->events = 0;
	return HC_OK;
}

static enum hc_err wait_expire(struct hc_task *t)
{
	struct h2_stream *st = (struct h2_stream *)((char *)t - offsetof(struct h2_stream, wait));
	struct hc_conn *c = st->resp->c;
	return tr_timed_out(c, POLLIN, c->cfg->timeout_ms, true);
}

static const struct hc_task_ops wait_ops = {.step = wait_step, .expire = wait_expire};

static void leave(struct h2_stream *st, struct hc_loop *L);

/*
 * Put the connection's task (and a pipe body's wait) on L, with w as the
 * stream's waiter. The session's task is on one loop once, however many of
 * its streams are there; it moves with a stream that joins another loop
 * (the pull API's private one).
 */
static void join(struct h2_stream *st, struct hc_loop *L, struct hc_task *w)
{
	struct hc_h2 *h = st->h;
	if (st->joined || st->up_on)
		leave(st, st->loop);
	st->waiter = w;
	st->loop = L;
	if (h->loop != L) {
		off_loop(h);
		h->loop = L;
		loop_add(L, &h->task);
	}
	h->joined++;
	st->joined = true;
	if (st->up.events || st->up.deadline) {
		loop_add(L, &st->up);
		st->up.run_again = false;
		st->up_on = true;
	}
}

static void leave(struct h2_stream *st, struct hc_loop *L)
{
	struct hc_h2 *h = st->h;
	if (h && st->joined && h->loop == L && --h->joined == 0)
		off_loop(h);
	st->joined = false;
	if (st->up_on && L)
		loop_remove(L, &st->up);
	st->up_on = false;
	st->loop = NULL;
	st->waiter = NULL;
}

/* The stream's error, its message now the connection's. */
static enum hc_err stream_err(struct h2_stream *st, struct hc_conn *c)
{
	enum hc_err e = st->err ? st->err : HC_EH2STREAM;
	/* a stream's own error leaves the session to the other streams */
	c->reusable = e != HC_EH2 && h2_usable(c);
	if (st->err)
		conn_seterr(c, e, "%s", st->msg);
	else
		conn_seterr(c, e, "stream %" PRId32 " failed", st->id);
	return e;
}

static enum hc_err ended(struct hc_response *resp, struct h2_stream *st);

/*
 * The body phase (h2_body): what the stream's buffer holds goes to the sink
 * while it can take more (h2_deliver hands it later bytes directly); then
 * the end, and the transfer is done once the sink holds nothing. A sink that
 * cannot take more has its descriptor polled (untimed: a slow reader is not
 * a stalled server) while its stream's window closes; otherwise the task
 * waits without an fd, woken by the stream's bytes or its end, within -m.
 */
static enum hc_err sink_step(struct hc_xfer *x, struct h2_stream *st)
{
	const struct hc_sink *s = st->sink;
	struct hc_response *resp = x->resp;
	struct hc_task *t = &x->task;
	enum hc_err rc;
	t->fd = -1;
	for (;;) {
		if (st->sink_err)
			return st->sink_err;
		int fd = -1;
		if (s->more && (rc = s->more(s->ud, &fd)))
			return rc;
		bool was = st->sink_blocked;
		st->sink_blocked = fd >= 0;
		/* the session's wait is timed again, or not */
		if (st->h && was != st->sink_blocked)
			session_wake(st->h);
		if (fd >= 0) {
			t->fd = fd;
			t->events = POLLOUT;
			t->deadline = 0;
			return HC_OK;
		}
		if (resp->done) {
			if (!st->sink_ended) {
				st->sink_ended = true;
				if (s->end && (rc = s->end(s->ud)))
					return rc;
				continue; /* what the end wrote may be held */
			}
			t->done = true;
			return HC_OK;
		}
		if (st->start < st->end) {
			size_t n = st->end - st->start;
			struct iovec iov = {st->buf + st->start, n};
			st->start = st->end;
			taken(st, n);
			if ((rc = s->write(s->ud, &iov, 1)))
				return rc;
			continue;
		}
		if (st->closed || st->eos) {
			if ((rc = ended(resp, st)))
				return rc;
			continue;
		}
		if (st->h == NULL || st->h->dead) {
			st->closed = true;
			if (st->err == HC_OK)
				stream_fail(st, HC_EH2, "the HTTP/2 connection is gone");
			continue;
		}
		t->deadline = x->deadline_ns;
		return HC_OK;
	}
}

/*
 * The stream's own task is the transfer's: it waits (no fd) until the
 * session's callbacks wake it with the head (paused) or an error (done). A
 * request the server never processed (GOAWAY, REFUSED_STREAM) goes again,
 * once, on a new connection when its body can be replayed.
 */
static enum hc_err stream_step(struct hc_task *t, short revents)
{
	(void)revents;
	struct hc_xfer *x = (struct hc_xfer *)t;
	struct h2_stream *st = x->h2s;
	t->run_again = false;
	t->events = 0;
	if (st && st->sink) {
		enum hc_err rc = sink_step(x, st);
		if (rc && st->sink_err == HC_OK)
			st->sink_err = rc; /* the transfer ends: what still comes is dropped */
		return xfer_fail(x, rc);
	}
	if (st == NULL || !st->closed || st->head_in)
		return HC_OK;
	if (!st->unprocessed || x->h1.retried || !req_body_replayable(x->req->body))
		return xfer_fail(x, stream_err(st, x->c));
	/* the same session while it takes streams (REFUSED_STREAM), else a new connection;
	 * its other streams go on (h1.c's do_connect, h2_detach) */
	bool same = st->h && st->h->c == x->c && h2_usable(x->c);
	conn_info(x->c, "The server did not process stream %" PRId32 "; retrying on %s", st->id,
		  same ? "the same connection" : "a new connection");
	leave(st, x->loop);
	h2_resp_free(x->resp);
	x->h2s = NULL;
	resp_free(x->resp);
	resp_init(x->resp, x->c);
	x->h1.retried = true;
	h1_restart(x);
	return HC_OK;
}

static enum hc_err stream_expire(struct hc_task *t)
{
	struct hc_xfer *x = (struct hc_xfer *)t;
	return xfer_fail(x, tr_timed_out(x->c, POLLIN, x->c->cfg->timeout_ms, true));
}

enum hc_err h2_attach(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	enum hc_err rc;
	if (c->h2 == NULL && (rc = session_new(c)))
		return rc;
	struct hc_h2 *h = c->h2;
	struct h2_stream *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return HC_ENOMEM;
	struct h2_nv l;
	if ((rc = h2_nv_build(c, x->req, &x->h1.f, &l))) {
		free(st);
		return rc;
	}
	st->resp = x->resp;
	st->x = x;
	st->body = x->req->body;
	st->up.ops = &up_ops;
	st->up.fd = -1;
	st->wait.ops = &wait_ops;
	nghttp2_data_provider prd = {.source.ptr = st, .read_callback = on_data_read};
	bool has_body = st->body && st->body->kind != HC_BODY_NONE;
	c->reusable = false;
	c->rx = 0;
	c->tx_body = 0;
	x->tx_body = 0;
	trace_request(c, &l);
	int32_t id = N(nghttp2_submit_request)(h->s, NULL, l.nv, l.n, has_body ? &prd : NULL, st);
	h2_nv_free(&l);
	if (id < 0) {
		free(st);
		return conn_seterr(c, HC_EH2, "HTTP/2 request: %s", N(nghttp2_strerror)(id));
	}
	st->id = id;
	st->up_done = !has_body;
	if (has_body && h2_expects_100(x->req, &x->h1.f)) {
		int ms = x->req->expect100_timeout_ms;
		st->expect = true;
		st->expect_ms = ms;
		st->up.deadline = ms >= 0 ? hc_now_ns() + (int64_t)ms * 1000000 : 0;
	}
	st->h = h;
	st->next = h->streams;
	h->streams = st;
	x->resp->h2 = st;
	x->h2s = st;
	x->proto = &h2_proto;
	c->nrequests++;
	/* the connection's times so far are the transfer's too; from here on its own */
	int64_t t0 = x->tm.t0;
	x->tm = c->tm;
	x->tm.t0 = t0 ? t0 : c->tm.t0;
	stamp(st, ST_PRETRANSFER);
	/* the transfer's task now waits for the stream; the connection's runs the socket */
	x->task.ops = &stream_ops;
	x->task.events = 0;
	x->task.run_again = false;
	x->task.deadline = x->deadline_ns; /* its own: the session's cfg may be another's */
	join(st, x->loop, &x->task);
	/* its HEADERS goes out now: a session already waiting on the loop may wait for POLLIN
	 * only, and nothing the server sends need come to wake it */
	session_wake(h);
	return HC_OK;
}

static void h2_finish(struct hc_xfer *x, struct hc_loop *L)
{
	struct h2_stream *st = x->h2s;
	if (st) {
		leave(st, L);
		st->x = NULL;
		st->sink = NULL;
		st->sink_blocked = false;
	}
	h1_proto.finish(x, L);
}

static enum hc_err h2_start(struct hc_xfer *x, struct hc_loop *L)
{
	return h1_proto.start(x, L);
}

static enum hc_err h2_body(struct hc_xfer *x, const struct hc_sink *s)
{
	struct h2_stream *st = x->h2s;
	if (st == NULL || !x->task.paused || x->task.done)
		return conn_seterr(x->c, HC_EINTERNAL, "no response head to read a body after");
	st->sink = s;
	x->sink = s;
	x->task.paused = false;
	x->task.run_again = true;
	return HC_OK;
}

const struct hc_proto h2_proto = {
    .alpn = "h2", .start = h2_start, .body = h2_body, .finish = h2_finish};

/* The stream ended: the response is whole, or its error is the caller's. */
static enum hc_err ended(struct hc_response *resp, struct h2_stream *st)
{
	struct hc_conn *c = resp->c;
	if (st->err)
		return stream_err(st, c);
	/* a connection error hcli found in the same input as the end (DATA after END_STREAM)
	 * is the stream's too; its bytes were all handed out before. A GOAWAY the server sent
	 * does not undo an answer it ended: that stream is whole, whatever its error code. */
	if (st->h && st->h->dead && st->h->err == HC_EH2 && !st->h->goaway) {
		stream_fail(st, HC_EH2, "HTTP/2 connection error after the stream ended");
		return stream_err(st, c);
	}
	resp->done = true;
	resp->remaining = 0;
	stamp(st, ST_TOTAL);
	c->reusable = h2_usable(c);
	if (st->up_stop && !st->up_done && st->h && !st->closed) {
		/* RFC 9113 §8.1: the rest is not wanted; the reset goes now, as far as the socket
		 * takes it, in case no other request follows on this connection */
		bool full;
		N(nghttp2_submit_rst_stream)(st->h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_NO_ERROR);
		if (flush(st->h, &full))
			c->reusable = false;
		session_wake(st->h); /* what the socket did not take waits for POLLOUT */
	}
	return HC_OK;
}

/* Run a private loop with the connection until the stream has bytes or ends. */
static enum hc_err pump(struct hc_response *resp, struct h2_stream *st)
{
	struct hc_conn *c = resp->c;
	struct hc_loop L;
	loop_init(&L);
	L.tick = c->cfg->tick;
	L.tick_ud = c->cfg->progress_ud;
	st->wait.deadline = c->cfg->deadline_ns;
	join(st, &L, &st->wait);
	loop_add(&L, &st->wait);
	enum hc_err rc = loop_run_until(&L, &st->wait);
	if (rc == HC_EINTERNAL)
		rc = conn_seterr(c, rc, "poll: %s", strerror(L.err));
	else if (rc == HC_OK && st->wait.done)
		rc = st->wait.result;
	loop_remove(&L, &st->wait);
	leave(st, &L);
	loop_free(&L);
	return rc;
}

enum hc_err h2_read(struct hc_response *resp, const char **data, size_t *len)
{
	struct h2_stream *st = resp->h2;
	*len = 0;
	if (resp->done)
		return HC_OK;
	for (;;) {
		if (st->start < st->end) {
			size_t n = st->end - st->start;
			*data = st->buf + st->start;
			*len = n;
			st->start = st->end;
			taken(st, n);
			return HC_OK;
		}
		if (st->closed || st->eos)
			return ended(resp, st);
		if (st->h == NULL || st->h->dead) {
			st->closed = true;
			if (st->err == HC_OK)
				stream_fail(st, HC_EH2, "the HTTP/2 connection is gone");
			continue;
		}
		enum hc_err rc = pump(resp, st);
		if (rc)
			return rc;
	}
}

const struct hc_task *h2_session_task(const struct hc_conn *c)
{
	return c->h2 ? &c->h2->task : NULL;
}

size_t h2_buffered(const struct hc_response *resp)
{
	const struct h2_stream *st = resp->h2;
	if (st == NULL)
		return 0;
	if (st->start > st->end || st->end > st->cap)
		abort();
	return st->end - st->start;
}

/* For tests/fuzz/fuzz_h2.c: server bytes fed by hand, what the session sends dropped. */
enum hc_err h2_feed(struct hc_conn *c, const uint8_t *p, size_t n)
{
	if (c->h2 == NULL)
		return HC_EINTERNAL;
	const char *bad = session_recv(c->h2, p, n);
	c->h2->ostart = c->h2->oend = 0;
	return bad ? HC_EH2 : HC_OK;
}

enum hc_err h2_fuzz_session(struct hc_conn *c, struct hc_xfer *x)
{
	enum hc_err rc = session_new(c);
	if (rc || x == NULL)
		return rc;
	rc = h2_attach(x);
	N(nghttp2_session_send)(c->h2->s);
	c->h2->ostart = c->h2->oend = 0;
	return rc;
}
