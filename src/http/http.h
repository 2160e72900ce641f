/*
 * The hcli engine: HTTP/1.1 over a byte stream, shaped after Python's
 * http.client (HTTPConnection, HTTPResponse, HTTPMessage).
 *
 * The engine never prints, never exits and never reads argv. Every call
 * returns an enum hc_err; the detail text is left in the connection
 * (conn->err) for the caller to show.
 */
#ifndef HC_HTTP_H
#define HC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "limits.h"
#include "error.h"
#include "headers.h"
#include "head.h"
#include "chunked.h"
#include "url.h"
#include "loop.h"

#define HC_VERSION "0.1.0"

/* What the engine tells its caller as it goes (the seed's debuglevel). */
enum hc_trace {
	HC_TR_INFO,	 /* one connection event, no line ending: "Connected to …" */
	HC_TR_REQ_HEAD,	 /* the request head, exactly as sent */
	HC_TR_REQ_BODY,	 /* body bytes as they are sent (before framing) */
	HC_TR_RESP_HEAD, /* one response head as received, 1xx included */
};
typedef void (*hc_trace_fn)(void *ud, enum hc_trace kind, const char *data, size_t len);

/* --resolve HOST:PORT:ADDR */
struct hc_resolve {
	char *host;
	unsigned port;
	char *addr;
};

/* The seed's ssl context: what TLS connections verify and present. */
struct hc_tls_cfg {
	const char *cafile, *capath; /* NULL: the system trust store */
	const char *cert, *key;	     /* client certificate and key (PEM) */
	const char *key_password;    /* for an encrypted key, or NULL */
	const char *priority;	     /* GnuTLS priority string, or NULL for NORMAL */
	const char *pinned;	     /* sha256//BASE64[;sha256//BASE64...] */
	bool insecure;		     /* -k: no verification */
	bool tls13_min;		     /* --tls-min 1.3 */
};

/* A proxy (the seed's set_tunnel): CONNECT for TLS targets, absolute form otherwise. */
struct hc_proxy {
	char *host;
	unsigned port;
	char *auth;			/* Proxy-Authorization value, or NULL */
	const struct hc_field *headers; /* --proxy-header: sent with CONNECT only */
	size_t nheaders;
};

/* Which HTTP versions a connection may speak (--http1.1, --http2, --http2-prior-knowledge). */
enum hc_http {
	HC_HTTP_ANY,	 /* https offers h2 and http/1.1 by ALPN; http speaks HTTP/1.1 */
	HC_HTTP_1_1,	 /* HTTP/1.1 only */
	HC_HTTP_2,	 /* prefer h2: ALPN on https, prior knowledge on http */
	HC_HTTP_2_PRIOR, /* h2 on http without asking (h2c); ALPN on https */
};

/* What does not change from one connection to the next. */
struct hc_conn_cfg {
	int family;		  /* AF_UNSPEC, AF_INET or AF_INET6 */
	int connect_timeout_ms;	  /* -1: none */
	int timeout_ms;		  /* each blocking operation; -1: none */
	int64_t deadline_ns;	  /* whole transfer, CLOCK_MONOTONIC; 0: none */
	const char *source_addr;  /* numeric address to bind, or NULL */
	unsigned source_port;	  /* 0: any */
	size_t blocksize;	  /* bytes per read of a streamed request body */
	size_t max_headers;	  /* response header fields accepted */
	enum hc_http http;	  /* the versions to speak */
	const char *unix_path;	  /* connect here instead of host:port */
	const struct hc_resolve *resolve;
	size_t nresolve;
	const struct hc_tls_cfg *tls;
	hc_trace_fn trace;
	void *trace_ud;
	int debuglevel;
	bool trace_body; /* hand request body bytes to trace (-p B) */
	/* with trace_body: a multipart file part is not handed to trace, this is called instead */
	void (*trace_file)(void *ud, const char *filename, off_t size);
	void (*progress)(void *ud, uint64_t body_sent); /* upload progress, or NULL */
	void (*tick)(void *ud); /* called about ten times a second while waiting, or NULL */
	void *progress_ud;
};

struct hc_transport;
struct hc_h2;
struct h2_stream;

/* Timestamps of one exchange, in ns since conn->t0 (0: did not happen). */
struct hc_timing {
	int64_t t0;
	int64_t namelookup, connect, appconnect, pretransfer, starttransfer, total;
};

/* One HTTP connection (the seed's HTTPConnection). */
struct hc_conn {
	const struct hc_conn_cfg *cfg;
	char *host; /* the origin, as given (IPv6 without brackets) */
	unsigned port;
	bool tls;
	const struct hc_proxy *proxy; /* connect through this, or NULL */
	bool tunnel;		      /* a CONNECT tunnel is up */
	int fd;
	struct hc_transport *tr;
	void *tls_session;
	bool alpn_h2;	   /* the TLS handshake chose h2 */
	struct hc_h2 *h2;  /* the HTTP/2 session when the connection speaks h2 (h2.c) */

	/* The one receive buffer: unread bytes are buf[start..end). */
	char *buf;
	size_t cap, start, end;
	char *sbuf; /* send buffer for streamed bodies, cfg->blocksize */
	/* A pipe body's bytes on their way to the socket (request.c): stage[0] is read */
	int stage[2];
	bool stage_open;
	size_t staged; /* bytes in it */

	unsigned nrequests;  /* requests sent on this connection */
	bool reusable;	     /* the last response was read whole and may be followed */
	bool eof;	     /* the peer closed its side */
	bool tls_unclean;    /* TLS ended without close_notify */
	enum hc_err tls_verify_err; /* why the handshake's verify step refused the server */
	uint64_t rx;	     /* bytes received since the last request was sent */
	uint64_t tx_body;    /* request body bytes sent in the last exchange */
	char remote_ip[64];
	unsigned remote_port;
	struct hc_timing tm;
	char err[HC_ERRBUF];
	enum hc_cond cond; /* what err does not say by its kind alone */
	/*
	 * Transfers on it (an h1 connection has one at a time, an h2 session
	 * many): counted from proto->start to proto->finish. The one dialing
	 * it, while it does; others that need it then wait (conn_waiters).
	 */
	unsigned users;
	struct hc_xfer *dialer;
	struct hc_xfer *waiters;
	struct hc_xfer *holder; /* HTTP/1.1: the transfer whose exchange it carries, until it ends */
};

/* Where a request body comes from. */
enum hc_body_kind { HC_BODY_NONE, HC_BODY_MEM, HC_BODY_FD, HC_BODY_PARTS };
struct hc_multipart;
struct hc_body {
	enum hc_body_kind kind;
	const struct hc_multipart *parts; /* HC_BODY_PARTS (size: its total, or -1) */
	const char *mem; /* HC_BODY_MEM */
	size_t len;
	int fd;	     /* HC_BODY_FD */
	off_t start; /* offset where the body starts in a regular file */
	off_t size;  /* bytes from start, or -1 when streamed (pipe, socket …) */
};

struct hc_request {
	const char *method;
	const char *target; /* origin-form, or absolute-form through a proxy */
	bool http10;
	bool skip_host;		   /* the seed's skip_host */
	bool skip_accept_encoding; /* the seed's skip_accept_encoding */
	bool chunked;		   /* force chunked framing */
	const struct hc_field *headers; /* caller's fields, in order */
	size_t nheaders;
	const struct hc_body *body;
	bool expect100;
	int expect100_timeout_ms;
};

enum hc_body_mode { HC_BM_NONE, HC_BM_LENGTH, HC_BM_CHUNKED, HC_BM_CLOSE };

/* One response (the seed's HTTPResponse). */
struct hc_response {
	struct hc_conn *c;
	int version; /* 10, 11 or 20 */
	int status;
	char *status_line; /* as received, without its line ending */
	const char *reason;
	struct hc_headers hdrs;
	struct hc_headers trailers;
	enum hc_body_mode mode;
	uint64_t remaining; /* HC_BM_LENGTH: bytes still to come */
	uint64_t length;    /* HC_BM_LENGTH: the declared length */
	struct hc_chunker ch;
	uint64_t nread; /* body bytes handed to the caller */
	bool will_close;
	bool done;
	bool early; /* a final response arrived before the body was sent */
	unsigned ninterim; /* 1xx responses read so far */
	struct h2_stream *h2; /* an HTTP/2 response: its stream (h2.c), or NULL */
};

/* A connection being opened: one address at a time, each connect(2) in progress polled for POLLOUT. */
struct addrinfo;
struct sockaddr;
struct hc_dial {
	struct addrinfo *res, *ai; /* the addresses, the one being tried */
	bool res_loopback;	   /* res is conn.c's loopback pair, not getaddrinfo's */
	int fd;			   /* its socket while connect is in progress, else -1 */
	int64_t until;		   /* the connect timeout within the deadline (0: none) */
	bool expired;		   /* set by the caller: until passed before POLLOUT */
	bool timed_out;
	int last; /* errno of the last address tried */
	const char *peer;
	unsigned peer_port;
	char ip[64];
	const struct sockaddr *addr;
	struct sockaddr_un sun;
};

/* conn.c: the seed's HTTPConnection */
void conn_init(struct hc_conn *c, const struct hc_conn_cfg *cfg);
enum hc_err conn_target(struct hc_conn *c, const char *host, unsigned port, bool tls,
			const struct hc_proxy *proxy);
bool conn_matches(const struct hc_conn *c, const char *host, unsigned port, bool tls,
		  const struct hc_proxy *proxy);
/*
 * The seed's connect(), in steps: resolve (blocking), then connect. While d->fd >= 0 a connect
 * is in progress: poll it for POLLOUT until d->until and call conn_dial_step
 * (with d->expired set when the time ran out). With d->fd < 0 and HC_OK the
 * socket is up: the tunnel (below) when one is needed, then conn_dial_finish
 * starts TLS. conn_dial_free always.
 */
enum hc_err conn_dial_start(struct hc_conn *c, struct hc_dial *d);
enum hc_err conn_dial_step(struct hc_conn *c, struct hc_dial *d, short revents);
enum hc_err conn_dial_finish(struct hc_conn *c);
/*
 * TLS through a proxy wants a CONNECT tunnel first, between conn_dial_step
 * and conn_dial_finish: its head (traced) goes out, the answer is read with
 * resp_begin_step(r, "CONNECT", ...), and conn_tunnel_answer says whether
 * the tunnel is up (rc: how reading it went; on an error the connection is
 * closed).
 */
bool conn_needs_tunnel(const struct hc_conn *c);
enum hc_err conn_tunnel_head(struct hc_conn *c, struct hc_headbuf *hb);
struct hc_response;
enum hc_err conn_tunnel_answer(struct hc_conn *c, const struct hc_response *r, enum hc_err rc);
/* With c->tls, after conn_dial_finish: the handshake step by step (*wait: what to poll for, 0: up). */
enum hc_err conn_tls_step(struct hc_conn *c, short *wait);
enum hc_err conn_tls_timed_out(struct hc_conn *c);
void conn_dial_free(struct hc_dial *d);
bool conn_is_open(const struct hc_conn *c);
/*
 * May a new transfer start on c now, beside the ones on it? h2: the session
 * is usable (not failed, not going away); streams beyond the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS wait in the session for a free one. h1:
 * no transfer is on it, and it is closed (the transfer dials it) or idle
 * and reusable. False while a transfer dials it (it may turn out to speak
 * h2: ask again when that one has its head). The command line's -Z asks
 * this before it puts a transfer on a connection it already has.
 */
bool conn_room(const struct hc_conn *c);
/* Before a reuse: an idle connection that turned readable (data, close, error) is closed. */
void conn_check_idle(struct hc_conn *c);
void conn_close(struct hc_conn *c);
void conn_free(struct hc_conn *c);
enum hc_err conn_seterr(struct hc_conn *c, enum hc_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, with the condition behind the error (conn_seterr leaves none). */
enum hc_err conn_seterr_cond(struct hc_conn *c, enum hc_err e, enum hc_cond cond, const char *fmt,
			     ...) __attribute__((format(printf, 4, 5)));
void conn_info(struct hc_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t hc_now_ns(void);

/* transport.c: reads and writes with deadlines */
enum hc_err tr_read(struct hc_conn *c, char *buf, size_t len, size_t *got);
/* One read that never waits: *again is POLLIN or POLLOUT (what to wait for) when nothing came. */
enum hc_err tr_read_nowait(struct hc_conn *c, char *buf, size_t len, size_t *got, short *again);
/*
 * Write what the socket takes now, moving the cursor (*iov, *iovcnt) past it;
 * *again is what to wait for (POLLOUT, or POLLIN when TLS wants it) when the
 * socket is full before the end. Over TLS the cursor waits where it is until
 * GnuTLS has taken the record it holds.
 */
enum hc_err tr_writev_nowait(struct hc_conn *c, struct iovec **iov, int *iovcnt, short *again);
/* Move the cursor (*iov, *iovcnt) past n bytes a write took (n at most what it holds). */
void tr_iov_advance(struct iovec **iov, int *iovcnt, size_t n);
/* The same with sendmsg(2) flags on plain TCP (MSG_MORE: more follows at once). */
enum hc_err tr_sendv_nowait(struct hc_conn *c, struct iovec **iov, int *iovcnt, int flags,
			    short *again);
/* Plain TCP: sendfile(2) from off + *sent while the socket takes it (*sent moves on); *again is
 * POLLOUT when it is full before len. */
enum hc_err tr_sendfile_nowait(struct hc_conn *c, int fd, off_t off, uint64_t len, uint64_t *sent,
			       short *again);
/* Plain TCP: splice(2) from a pipe holding len bytes, from *moved on (*moved moves on); *again
 * is POLLOUT when the socket is full; HC_EUSAGE: splice cannot read the pipe, nothing moved. */
enum hc_err tr_splice_nowait(struct hc_conn *c, int pipe_fd, size_t len, size_t *moved,
			     short *again);
struct pollfd;
/* poll(2) within ms (-1: none), calling tick (if any) about ten times a second meanwhile. */
int tr_poll(struct pollfd *p, size_t n, int ms, void (*tick)(void *ud), void *ud);
/* Wait for POLLIN/POLLOUT within op_ms (-1: none) and before limit (0: none). */
enum hc_err tr_wait(struct hc_conn *c, short ev, int op_ms, int64_t limit);
/* When a wait started now ends: now + op_ms or limit, whichever is first (0: never). */
int64_t tr_wait_deadline(int op_ms, int64_t limit, bool *by_limit);
/* The error of a wait for ev that timed out (the deadline's, or op_ms without progress). */
enum hc_err tr_timed_out(struct hc_conn *c, short ev, int op_ms, bool by_limit);
/* When a connection step started now must end: the connect timeout, within the deadline (0: none). */
int64_t tr_connect_deadline(const struct hc_conn *c);
void tr_close(struct hc_conn *c);

/* The seed's request(): which framing the body gets. */
struct hc_framing {
	bool chunked;
	int64_t length; /* Content-Length to enforce, -1 for none */
	bool add_cl, add_te;
};

/* request.c: putrequest/putheader/endheaders/send */
/* A method that is an RFC 9110 token, a field that may go on the wire: else HC_EUSAGE. */
enum hc_err req_check_method(struct hc_conn *c, const char *method);
enum hc_err req_check_field(struct hc_conn *c, const char *name, const char *value);
enum hc_err req_putrequest(struct hc_conn *c, struct hc_headbuf *hb, const struct hc_request *r);
enum hc_err req_putheader(struct hc_conn *c, struct hc_headbuf *hb, const char *name,
			  const char *value);
/* Framing and the whole head (endheaders), before anything is sent. */
enum hc_err req_prepare(struct hc_conn *c, const struct hc_request *r, struct hc_framing *f,
			struct hc_headbuf *hb);
/*
 * A resumable send (h1.c): pieces of memory as a cursor the socket takes as
 * it can, then the last chunk when last_chunk, then a regular file's range
 * or a pipe's bytes; then what the body's source gives next (req_out_step).
 */
struct hc_out {
	struct iovec iov[3];
	struct iovec *cur; /* the first piece not wholly written */
	int left;	   /* pieces from cur on */
	int flags;	   /* sendmsg(2) flags for them (MSG_MORE) */
	bool last_chunk;   /* "0\r\n\r\n" follows them */
	char size[24];	   /* a chunk's size line */
	uint64_t count;	   /* body bytes they carry, counted once they are out */
	int fd;		   /* a regular file sendfile(2) takes from, when flen > 0 */
	off_t start;
	uint64_t flen, fsent;
	size_t fblock; /* over TLS: the file's block read into sbuf, in the pieces */
	int pipe;      /* a pipe splice(2) takes plen bytes from (plain TCP) */
	size_t plen, pmoved;
	size_t chunk;	 /* a pipe body: the chunk on its way, from the stage */
	bool stage_read; /* splice cannot write to the socket: chunks are read from the stage */
	/* the body's source (request.c) */
	const struct hc_body *src;
	int phase;
	bool chunked;
	uint64_t length; /* Content-Length to hold to */
	uint64_t taken;	 /* bytes taken from the source */
	size_t held;	 /* the last piece, held until the source is known to end */
	size_t seg;	 /* multipart: the segment being sent */
	int part;	 /* multipart: where in it (multipart.c) */
};
/* The head as a cursor, traced and counted; *with_body: a small memory body went into it (one
 * writev with the head). */
void req_out_head(struct hc_conn *c, const struct hc_request *r, const struct hc_framing *f,
		  const struct hc_headbuf *hb, bool hold_body, struct hc_out *o, bool *with_body);
/* The body after the head: its first pieces, and its source for req_out_step. */
enum hc_err req_out_start(struct hc_conn *c, const struct hc_body *b, bool chunked, int64_t length,
			  struct hc_out *o);
/* Send what o holds as far as the socket takes it; *again: what to wait for (0: all out). */
enum hc_err req_out_send(struct hc_conn *c, struct hc_out *o, short *again);
/*
 * The send as far as it goes now: the pieces, then what the source gives.
 * *again 0: all of it is out; else what to poll *fd for (the socket, or a
 * stream source that has nothing yet: POLLIN).
 */
enum hc_err req_out_step(struct hc_conn *c, struct hc_out *o, short *again, int *fd);
/* The connection's stage pipe is closed (conn_close); bytes in it are dropped. */
void req_stage_close(struct hc_conn *c);
/* poll(2) a stream source without waiting: *revents 0 when a read would block. */
enum hc_err req_src_poll(struct hc_conn *c, int fd, short *revents);
/* One piece (flags: MSG_MORE when more follows at once), or one chunk (size line, p, CRLF). */
void req_out_piece(struct hc_out *o, const void *p, size_t n, int flags);
void req_out_chunk(struct hc_out *o, const void *p, size_t n);
/* Does the request carry a body (and so may wait for 100 Continue)? */
bool req_body_expected(const struct hc_request *r, const struct hc_framing *f);

/*
 * Where a transfer's response body goes: the protocol handler hands it the
 * bytes as they arrive, on the loop, and never blocks on it. It knows no
 * protocol: h1 feeds it from its socket (or splices into its pipe), h2 feeds
 * it a stream's DATA. Each call's error ends the transfer with it.
 */
struct hc_sink {
	void *ud;
	/*
	 * Body bytes, in order: cnt spans, valid during the call only (the sink
	 * may use the array up). It takes them all; what its output will not
	 * take now it holds, and says so through more().
	 */
	enum hc_err (*write)(void *ud, struct iovec *iov, int cnt);
	/*
	 * Asked before each read: can it take more? It moves what it holds as
	 * far as its output takes it; *fd -1: yes; else a descriptor to poll for
	 * POLLOUT before asking again. No timeout runs meanwhile (a slow reader
	 * is not a stalled server), and the handler reads nothing for it: an h1
	 * connection is its transfer's alone; an h2 session reads on for its
	 * other streams while this one's window closes. NULL: it always can.
	 */
	enum hc_err (*more)(void *ud, int *fd);
	/*
	 * A pipe the handler may splice body bytes into when they need no
	 * decoding (-1: none this time), and the count of each splice. A full
	 * pipe is polled as more()'s descriptor is. NULL: never.
	 */
	int (*pipe)(void *ud);
	enum hc_err (*spliced)(void *ud, size_t n);
	/*
	 * The body is whole: no more bytes come (a decoder checks its streams).
	 * The transfer ends once more() says it holds nothing. NULL: nothing to do.
	 */
	enum hc_err (*end)(void *ud);
};

/*
 * One transfer (DESIGN.md Part 2): a structured request, its response, and
 * the protocol handler that moves it as a task on a loop. Requests stay
 * structured down to the handler (h1 writes them as text, h2 will build its
 * name/value list).
 */
struct hc_xfer;
struct hc_proto {
	const char *alpn; /* "http/1.1" */
	/* Put x on the loop; its task runs from the next round. */
	enum hc_err (*start)(struct hc_xfer *x, struct hc_loop *L);
	/* The head is in (the task paused): the body goes to s from the next round. */
	enum hc_err (*body)(struct hc_xfer *x, const struct hc_sink *s);
	/* Take x off the loop and release what its handler holds (done or not). */
	void (*finish)(struct hc_xfer *x, struct hc_loop *L);
};
struct hc_xfer {
	struct hc_task task; /* first: the loop's view of the handler's state machine */
	const struct hc_proto *proto;
	struct hc_conn *c;
	const struct hc_request *req;
	struct hc_response *resp;   /* paused with its head in; then the body to sink, or pulled */
	const struct hc_sink *sink; /* where the body goes, once the caller says (proto->body) */
	int state;		    /* the handler's */
	struct hc_loop *loop;	    /* the loop it runs on */
	struct h2_stream *h2s;	    /* over h2: its stream */
	/*
	 * The transfer's own, when its connection carries others too (h2): why
	 * it failed (the connection's err and cond are copied here when a step
	 * ends it; xfer_open and xfer_recv put them back in the connection for
	 * callers that read them there), its request body bytes sent and its
	 * timing (over h1 the connection's, copied after each step).
	 */
	char err[HC_ERRBUF];
	enum hc_cond cond;
	uint64_t tx_body;
	struct hc_timing tm; /* from tm.t0, which start takes from the connection's when 0 */
	/*
	 * -m: when the transfer must have ended (CLOCK_MONOTONIC ns; 0: none).
	 * Its own, not its connection's cfg: streams of one h2 session each
	 * keep theirs (h1_xfer_init takes the connection's; a caller whose
	 * connection's cfg is not the transfer's sets it after).
	 */
	int64_t deadline_ns;
	struct hc_xfer *conn_next; /* the connection's waiters while it is dialed by another */
	struct {
		struct hc_framing f;
		struct hc_headbuf hb;
		struct hc_dial dial;
		bool reused, retried;
		enum hc_err dial_err; /* the dial it waited for failed so (err, cond: how) */
		bool counted;	   /* in the connection's users (start to finish) */
		struct hc_out out; /* the send in progress */
		bool body_next;	   /* the body follows what out holds */
		bool held;	   /* sending the body held for 100 Continue */
		bool by_limit;	   /* the armed deadline is the transfer's, not the operation's */
		int64_t tls_limit; /* the TLS handshake ends by then (0: no limit) */
		struct hc_headbuf thb;	  /* CONNECT's head, while the tunnel is built */
		struct hc_response tresp; /* the proxy's answer to it */
		char send_err[HC_ERRBUF]; /* why the send failed, while an early answer is read */
	} h1;
};

/*
 * loop.c: the http.client-shaped calls, each a loop run for one transfer.
 * xfer_open: x on L (initialised here) until its response head is in (the
 * task paused) or x fails; xfer_recv: then its body to s, until the
 * transfer ends; xfer_close: x off L and L freed, whatever happened.
 * xfer_run: xfer_open and xfer_close on a private loop (the body is then
 * the caller's to pull: resp_read, resp_readv, resp_splice).
 */
/*
 * Several transfers at once on one loop (-Z; tests/unit/h2drive.c does it):
 * for each, h1_xfer_init, x->loop = L and x->proto->start(x, L) (on a
 * connection that already has others only when conn_room() says so); run
 * the loop (loop_run_until on one of them, or loop_round); a transfer whose
 * task is paused has its head: proto->body(x, sink); it has ended when
 * x->task.done (x->task.result, x->err); then proto->finish and resp_free.
 */
enum hc_err xfer_open(struct hc_xfer *x, struct hc_loop *L);
/*
 * The same steps for a driver of several transfers on one loop (the
 * command line's scheduler), which runs the rounds itself and looks at the
 * task after each: xfer_start puts x on L (paused: head in; done: ended,
 * result says how); xfer_sink hands the paused x its body's sink; xfer_end
 * takes x off L (the loop stays).
 */
enum hc_err xfer_start(struct hc_xfer *x, struct hc_loop *L);
enum hc_err xfer_sink(struct hc_xfer *x, const struct hc_sink *s);
void xfer_end(struct hc_xfer *x);
enum hc_err xfer_recv(struct hc_xfer *x, struct hc_loop *L, const struct hc_sink *s);
void xfer_close(struct hc_xfer *x, struct hc_loop *L);
enum hc_err xfer_run(struct hc_xfer *x);

/* h1.c: HTTP/1.1 as a protocol handler */
extern const struct hc_proto h1_proto;
void h1_xfer_init(struct hc_xfer *x, struct hc_conn *c, const struct hc_request *r,
		  struct hc_response *resp);
/* Put x back to connecting (after its h2 stream was refused): the session again when it is
 * usable, else a new connection. */
void h1_restart(struct hc_xfer *x);
/* A step of x ends it with rc: the connection's message becomes the transfer's (x->err). */
enum hc_err xfer_fail(struct hc_xfer *x, enum hc_err rc);
/* The seed's request(): one transfer on a loop of its own, up to its response head. */
enum hc_err http_request(struct hc_conn *c, const struct hc_request *r, struct hc_response *resp);
bool req_body_replayable(const struct hc_body *b);
bool req_method_idempotent(const char *method);
/* Does a request Transfer-Encoding value end with chunked (the only one a request may have)? */
bool req_te_chunked_last(const char *te);

/*
 * h2.c: HTTP/2 (RFC 9113) on libnghttp2, loaded with dlopen(3) when h2 is
 * offered or asked for. The connection's session is a task on the loop; each
 * request is a stream whose transfer its callbacks find by stream user data.
 */
extern const struct hc_proto h2_proto;
/* Can h2 be offered (the library loads)? */
bool h2_available(void);
/* May a handshake offer h2: the library is loaded, or was never tried (loads nothing). */
bool h2_offerable(void);
/* After connecting: does this connection speak h2 (ALPN chose it, or prior knowledge)? */
bool h2_wanted(const struct hc_conn *c);
/* Can the connection's session take another stream? */
bool h2_usable(const struct hc_conn *c);
/*
 * A session that cannot take more streams (failed, or going away) leaves c:
 * with streams still on it, it goes on apart with a connection of its own
 * until their transfers are done with them, else it is closed; c is then
 * closed, free to be dialed again.
 */
void h2_detach(struct hc_conn *c);
/* From h1's connect: the connection speaks h2, x becomes a stream of its session. */
enum hc_err h2_attach(struct hc_xfer *x);
/* The session goes with the connection (conn_close). */
void h2_conn_free(struct hc_conn *c);
/* resp_read, resp_free for an h2 response. */
enum hc_err h2_read(struct hc_response *resp, const char **data, size_t *len);
void h2_resp_free(struct hc_response *resp);

/*
 * multipart.c: a multipart/form-data body (RFC 7578) as segments sent in
 * order: each part's head in memory, then its value in memory or its file,
 * read as it is sent. The total is known when every file is regular.
 */
#define HC_MP_BOUNDARY_MAX 70 /* RFC 2046 §5.1.1 */
struct hc_mp_seg {
	char *mem; /* head text or value (owned), or NULL for a file */
	size_t len;
	int fd;		 /* a file's descriptor, or -1 */
	bool close_fd;	 /* mp_free closes fd */
	off_t start;	 /* where the part starts in a regular file */
	off_t size;	 /* bytes from start, or -1 when streamed (pipe) */
	const char *name; /* the part's name, for messages (in a head segment's owner) */
	const char *filename; /* a file part's filename, or its name when it has none */
};
/* How part heads quote names: curl's ('"', CR, LF as %XX; no name="" for an empty name), or
 * HTTPie's (urllib3 1.26: '\\' doubled too, every C0 byte but ESC as %XX, name="" kept). */
enum hc_mp_style { HC_MP_CURL, HC_MP_HTTPIE };
struct hc_multipart {
	char boundary[HC_MP_BOUNDARY_MAX + 1];
	enum hc_mp_style style; /* set after mp_init, before the first part */
	struct hc_mp_seg *segs;
	size_t nsegs;
	off_t size; /* total bytes, or -1 when a part streams; set by mp_finish */
};
/* RFC 2046 §5.1.1: 1 to 70 of bchars, not ending with a space. */
bool mp_boundary_valid(const char *b);
/* Does the boundary need quotes in a Content-Type parameter (RFC 9110 §5.6.6)? */
bool mp_boundary_needs_quotes(const char *b);
/* boundary NULL: a random one. */
enum hc_err mp_init(struct hc_multipart *mp, const char *boundary);
/* A part with its value in memory (copied); filename and type may be NULL. */
enum hc_err mp_add_mem(struct hc_multipart *mp, const char *name, const char *filename,
		       const char *type, const char *value, size_t len);
/* A part read from fd: size -1 streams it (chunked). take_fd: mp_free closes it. */
enum hc_err mp_add_fd(struct hc_multipart *mp, const char *name, const char *filename,
		      const char *type, int fd, off_t start, off_t size, bool take_fd);
/* The closing delimiter; sets mp->size. */
enum hc_err mp_finish(struct hc_multipart *mp);
void mp_free(struct hc_multipart *mp);
/* The body as the send cursor's source (request.c): checks and first state. */
struct hc_out;
enum hc_err mp_out_start(struct hc_conn *c, const struct hc_multipart *mp, struct hc_out *o);
/* The next segment's pieces into o, or a wait for a stream part (*again, *fd), or *end. */
enum hc_err mp_out_next(struct hc_conn *c, const struct hc_multipart *mp, struct hc_out *o,
			short *again, int *fd, bool *end);
/* A send of o's pieces failed with rc: a file part that changed size says so. */
enum hc_err mp_out_failed(struct hc_conn *c, const struct hc_multipart *mp, const struct hc_out *o,
			  enum hc_err rc);

/* response.c: getresponse() and read() */
void resp_init(struct hc_response *resp, struct hc_conn *c);
enum hc_err resp_begin(struct hc_response *resp, const char *method);
/* Like resp_begin, but with stop_at_100 a 100 Continue returns with *got100 set. */
enum hc_err resp_begin_ex(struct hc_response *resp, const char *method, bool stop_at_100,
			  bool *got100);
/*
 * resp_begin_ex without blocking: when the head is not all in, *wait is what
 * to poll for (POLLIN or POLLOUT) before calling again; 0 when it returned.
 */
enum hc_err resp_begin_step(struct hc_response *resp, const char *method, bool stop_at_100,
			    bool *got100, short *wait);
/* The seed's read(): the pull API, each call blocking until bytes come (0 at the end). */
enum hc_err resp_read(struct hc_response *resp, const char **data, size_t *len);
/* Like resp_read, but hands out every body span already buffered (up to max) at once. */
enum hc_err resp_readv(struct hc_response *resp, struct iovec *iov, int max, int *cnt);
/* resp_readv without blocking (the handlers' body state): *wait what to poll when *cnt is 0. */
enum hc_err resp_readv_step(struct hc_response *resp, struct iovec *iov, int max, int *cnt,
			    short *wait);
void resp_free(struct hc_response *resp);
/*
 * The response outlives its transfer (its head kept after xfer_end): what
 * still ties it to the connection goes, an h2 stream still open is reset,
 * so that nothing the server sends later reaches it; the head stays.
 */
void resp_detach(struct hc_response *resp);
/* Zero-copy body to a pipe: only when resp_can_splice() says the bytes need no decoding. */
bool resp_can_splice(const struct hc_response *resp);
enum hc_err resp_splice(struct hc_response *resp, int pipe_fd, size_t *moved);
/*
 * resp_splice with neither side blocking (the pipe too, SPLICE_F_NONBLOCK):
 * when nothing moved, *wait is POLLIN (poll the socket) or POLLOUT (the pipe is full).
 */
enum hc_err resp_splice_step(struct hc_response *resp, int pipe_fd, size_t *moved, short *wait);

/* base64.c: out needs 4 * ((n + 2) / 3) + 1 bytes; returns the length written */
size_t hc_base64(const unsigned char *in, size_t n, char *out);

/* status.c */
const char *status_reason(int code);

#endif
