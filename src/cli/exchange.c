/* One request and its response: compose the fields, run the engine, show what comes back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../http/decode.h"
#include "hint.h"
#include "run.h"
#include "writeout.h"

/* The last error reported, for -w %{errormsg}: the job's that is moving (cli_fail_into). */
static char run_error[HC_ERRBUF * 2];
static char *last_error = run_error;
static size_t last_error_len = sizeof(run_error);

void cli_fail_into(char *buf, size_t len)
{
	last_error = buf ? buf : run_error;
	last_error_len = buf ? len : sizeof(run_error);
}

int cli_fail(enum hc_err e, const char *detail)
{
	snprintf(last_error, last_error_len, "%s", detail);
	out_error(e, detail);
	return hc_err_exit(e);
}

/* An engine error: its detail with the command line's hint for the condition. */
static int fail_conn(enum hc_err e, const struct hc_conn *c)
{
	char detail[HC_ERRBUF + 128];
	return cli_fail(e, cli_conn_detail(c, e, detail, sizeof(detail)));
}

static bool named(const struct cli *cli, const char *name)
{
	for (size_t i = 0; i < cli->nhdrs; i++)
		if (strcasecmp(cli->hdrs[i].name, name) == 0)
			return true;
	return false;
}

/* Is the last item for this name "Name:" (do not send)? */
static bool removed(const struct cli *cli, const char *name)
{
	for (size_t i = cli->nhdrs; i-- > 0;)
		if (strcasecmp(cli->hdrs[i].name, name) == 0)
			return cli->hdrs[i].value == NULL;
	return false;
}

static bool is_credential(const char *name)
{
	return !strcasecmp(name, "Authorization") || !strcasecmp(name, "Cookie") ||
	       !strcasecmp(name, "Proxy-Authorization");
}

/*
 * The Cookie field: the store's cookies for the URL, then the user's Cookie
 * (-b DATA or an item) when it is sent; one field (RFC 6265bis §5.8.3).
 * "Cookie:" alone sends none. NULL when there is nothing to send.
 */
static char *cookie_field(struct run *R, const struct hop_in *h, const char *user)
{
	const struct hc_url *u = &h->url;
	if (removed(R->cli, "Cookie"))
		return NULL;
	struct ck_origin o = {u->host, u->target, u->https};
	char *jar = ck_header(&R->cookies, &o, time(NULL)), *both;
	if (jar == NULL || user == NULL)
		return jar;
	if (asprintf(&both, "%s; %s", jar, user) < 0)
		both = NULL;
	free(jar);
	return both;
}

/* The first Cookie item still sent to this hop, or NULL. */
static const char *user_cookie(const struct cli *cli, const struct hop_in *h)
{
	if (h->drop_creds)
		return NULL;
	for (size_t i = 0; i < cli->nhdrs; i++)
		if (!strcasecmp(cli->hdrs[i].name, "Cookie") && cli->hdrs[i].value)
			return cli->hdrs[i].value;
	return NULL;
}

/*
 * The request's fields: credentials (-u or -a, the URL, netrc, a bearer
 * token), the defaults, then the user's items. After a redirect to another
 * origin, credentials are gone.
 */
static enum hc_err compose(struct job *J, const struct hop_in *h, bool tunnel, const char *target,
			   struct hc_field **out, size_t *n, char **auth, char **cookie,
			   bool *digest)
{
	struct run *R = J->R;
	const struct cli *cli = R->cli;
	struct hc_field *f = calloc(cli->nhdrs + 8, sizeof(*f));
	size_t k = 0;
	if (f == NULL)
		return HC_ENOMEM;
	*auth = NULL;
	const char *user = user_cookie(cli, h);
	*cookie = cookie_field(R, h, user);
	*digest = false;
	if (!h->drop_creds && !named(cli, "Authorization") &&
	    (*auth = auth_value(R, h, target, digest)))
		f[k++] = (struct hc_field){"Authorization", *auth};
	if (!named(cli, "User-Agent"))
		f[k++] = (struct hc_field){"User-Agent", "hcli/" HC_VERSION};
	if (!named(cli, "Accept"))
		f[k++] = (struct hc_field){"Accept", "*/*"};
	if (cli->compressed && !named(cli, "Accept-Encoding"))
		f[k++] = (struct hc_field){"Accept-Encoding", "gzip, deflate, br, zstd"};
	if (J->dl.range[0]) /* -C */
		f[k++] = (struct hc_field){"Range", J->dl.range};
	if (*cookie && user == NULL)
		f[k++] = (struct hc_field){"Cookie", *cookie};
	for (size_t i = 0; i < cli->nhdrs; i++) {
		if (cli->hdrs[i].value == NULL || (h->drop_creds && is_credential(cli->hdrs[i].name)))
			continue;
		/* the first Cookie item carries the store's cookies too */
		if (*cookie && cli->hdrs[i].value == user) {
			f[k++] = (struct hc_field){"Cookie", *cookie};
			continue;
		}
		/* proxy credentials never travel inside a tunnel to the server */
		if (tunnel && !strcasecmp(cli->hdrs[i].name, "Proxy-Authorization"))
			continue;
		/* a later "Name:" takes back what came before it */
		bool taken_back = false;
		for (size_t j = i + 1; j < cli->nhdrs; j++)
			if (cli->hdrs[j].value == NULL &&
			    strcasecmp(cli->hdrs[j].name, cli->hdrs[i].name) == 0)
				taken_back = true;
		if (!taken_back)
			f[k++] = (struct hc_field){cli->hdrs[i].name, cli->hdrs[i].value};
	}
	*out = f;
	*n = k;
	return HC_OK;
}

/* A body nobody will see: taken and dropped. */
static enum hc_err drop_bytes(void *ud, struct iovec *iov, int cnt)
{
	(void)ud;
	(void)iov;
	(void)cnt;
	return HC_OK;
}

static const struct hc_sink drop_sink = {.write = drop_bytes};

/*
 * The shown body's sink: the decoder (--compressed), the formatter and the
 * output, then progress and the download's bookkeeping. An error of its own
 * is kept here, to be reported as it is; the engine's end with it.
 */
struct body_sink {
	struct job *J;
	const struct hc_response *resp;
	struct hc_decoder *dec;
	enum hc_err err; /* the sink's own failure (HC_OK: none) */
	const char *msg; /* its message */
	bool at_end;	 /* it came at the end: what was received goes out first */
	char dec_err[HC_ERRBUF];
};

static enum hc_err sink_failed(struct body_sink *b, enum hc_err e, const char *msg)
{
	b->err = e;
	b->msg = msg;
	return e;
}

static enum hc_err decoded_out(void *ud, const char *p, size_t n)
{
	return out_body(ud, p, n);
}

/* Bytes that reached the output (or our pipe): the progress line and the download move on. */
static void body_moved(struct body_sink *b)
{
	progress_update(&b->J->prog, b->resp->nread);
	sched_progress(b->J, b->resp->nread, b->J->px.up);
	dl_written(b->J, b->resp->nread);
}

static enum hc_err sink_write(void *ud, struct iovec *iov, int cnt)
{
	struct body_sink *b = ud;
	struct out *o = &b->J->out;
	enum hc_err w = HC_OK;
	if (b->dec == NULL)
		w = out_bodyv(o, iov, cnt);
	for (int i = 0; b->dec && i < cnt && w == HC_OK; i++)
		w = dec_write(b->dec, iov[i].iov_base, iov[i].iov_len, decoded_out, o, b->dec_err,
			      sizeof(b->dec_err));
	if (w)
		return sink_failed(b, w, w == HC_EENCODING ? b->dec_err : o->errmsg);
	body_moved(b);
	return HC_OK;
}

static enum hc_err sink_more(void *ud, int *fd)
{
	struct body_sink *b = ud;
	enum hc_err w = out_more(&b->J->out, fd);
	return w ? sink_failed(b, w, b->J->out.errmsg) : HC_OK;
}

/* Formatted, decoded or after request bytes (-p B): never spliced. */
static int sink_pipe(void *ud)
{
	struct body_sink *b = ud;
	struct out *o = &b->J->out;
	return b->dec == NULL && !o->req_printed && !o->fmt_on ? out_splice_fd(o) : -1;
}

static enum hc_err sink_spliced(void *ud, size_t n)
{
	struct body_sink *b = ud;
	enum hc_err w = out_spliced(&b->J->out, n);
	if (w)
		return sink_failed(b, w, b->J->out.errmsg);
	body_moved(b);
	return HC_OK;
}

static enum hc_err sink_end(void *ud)
{
	struct body_sink *b = ud;
	enum hc_err w = b->dec ? dec_end(b->dec, b->dec_err, sizeof(b->dec_err)) : HC_OK;
	b->at_end = true;
	return w ? sink_failed(b, w, b->dec_err) : HC_OK;
}

/* --compressed: a decoder for the response's Content-Encoding, or NULL. */
static int open_decoder(const struct hc_response *resp, struct hc_decoder **dec)
{
	char *ce = hdr_get_joined(&resp->hdrs, "Content-Encoding");
	char err[HC_ERRBUF], names[128];
	*dec = NULL;
	if (ce == NULL)
		return 0;
	enum hc_err rc = dec_open(dec, ce, err, sizeof(err), names, sizeof(names));
	free(ce);
	if (rc)
		return cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : err);
	if (*dec)
		conn_info(resp->c, "Decoding %s", names);
	return 0;
}

/* How the body ended: the sink's own error, the output's pipe, the connection's, or none. */
static int body_result(struct job *J, struct body_sink *b, enum hc_err rc)
{
	const struct hc_response *resp = b->resp;
	struct out *o = &J->out;
	if (b->err) {
		/* a failed write is not followed by more; an undecodable end is, by what came */
		if (b->at_end)
			out_body_end(o, resp);
		return cli_fail(b->err, b->msg);
	}
	if (rc == HC_EWRITE) { /* the splice into the output's pipe */
		snprintf(o->errmsg, sizeof(o->errmsg), "%s: %s", o->body_name, strerror(EPIPE));
		return cli_fail(rc, o->errmsg);
	}
	if (rc) {
		out_body_end(o, resp);
		return fail_conn(rc, resp->c);
	}
	return out_body_end(o, resp) ? cli_fail(HC_EWRITE, o->errmsg) : 0;
}

/* A request on its way out: it owns its fields and target until request_free(). */
struct outgoing {
	struct hc_request req;
	struct hc_field *fields;
	char *auth, *target, *cookie;
	bool digest; /* auth answers a Digest challenge */
	bool held;   /* a pipe's body waits for Digest credentials (Content-Length: 0) */
};

static const struct hc_body held_body = {.kind = HC_BODY_MEM, .mem = "", .len = 0, .fd = -1};

static void request_free(struct outgoing *o)
{
	free(o->fields);
	free(o->cookie);
	auth_free(o->auth);
	free(o->target);
}

/* The request for this hop: fields, and the absolute form when a proxy carries plain http. */
static enum hc_err request_build(struct job *J, const struct hop_in *h,
				 const struct hc_proxy *proxy, struct outgoing *o)
{
	const struct cli *cli = J->R->cli;
	size_t nfields = 0;
	enum hc_err rc;

	memset(o, 0, sizeof(*o));
	/* RFC 9112 §3.2.2: absolute form to a proxy */
	if (proxy && !h->url.https && (o->target = url_format(&h->url)) == NULL)
		return HC_ENOMEM;
	const char *target = o->target ? o->target : h->url.target;
	if ((rc = compose(J, h, proxy && h->url.https, target, &o->fields, &nfields, &o->auth,
			  &o->cookie, &o->digest)))
		return rc;
	o->held = auth_holds_body(J->R, h, o->digest);
	if (proxy && !h->url.https) {
		if (proxy->auth && !named(cli, "Proxy-Authorization"))
			o->fields[nfields++] =
				(struct hc_field){"Proxy-Authorization", proxy->auth};
	}
	o->req = (struct hc_request){
		.method = h->method,
		.target = target,
		.http10 = cli->http10,
		.skip_host = removed(cli, "Host"),
		.skip_accept_encoding = removed(cli, "Accept-Encoding"),
		.chunked = cli->chunked,
		.headers = o->fields,
		.nheaders = nfields,
		.body = o->held ? &held_body : h->body,
		.expect100 = cli->expect100,
		.expect100_timeout_ms = cli->expect100_timeout_ms,
	};
	return HC_OK;
}

/* What an exchange waits for now. */
enum exch_phase {
	EX_HEAD, /* the request goes out, the response head comes in */
	EX_NEXT, /* a replaced response's body, read and dropped */
	EX_SKIP, /* a body the download does not need (a 304, a whole file), read and dropped */
	EX_DROP, /* the final response's body nobody sees (-p without b), read and dropped */
	EX_BODY, /* the final response's body to the output */
};

/* One request and its response, in flight on the run's loop. */
struct exch {
	struct outgoing o;
	struct hc_response resp;
	struct hc_xfer x;
	struct body_sink b;
	struct hc_sink sink;
	enum exch_phase phase;
	bool failing; /* -f: the status is a failure, reported once its body is dealt with */
};


/*
 * Close J's connection, unless other jobs' streams are on it or its h2 session
 * takes more: the response's stream alone is reset when it is freed, and the
 * next URL of the origin is a stream of the same connection (as curl keeps a
 * multiplexed connection after a transfer it stopped).
 */
static void conn_drop(struct job *J)
{
	struct hc_conn *c = &J->conn->c;
	if (J->conn->users <= 1 && !(c->h2 && h2_usable(c)))
		conn_close(c);
}

/* -k: one warning, when the first TLS connection without verification is made. */
static void warn_insecure(struct run *R, const struct hc_conn *c)
{
	if (!R->cli->tls.insecure || R->insecure_warned || !c->tls || c->tm.appconnect == 0)
		return;
	R->insecure_warned = true;
	out_warn(&R->out, "--insecure: the server's certificate and name are not verified");
}

/* A failed exchange: reported now, or kept quiet when a retry may still mend it. */
static int send_failed(struct hop *h, struct hc_conn *c, enum hc_err rc)
{
	h->out.quiet_error = h->in.may_retry && policy_retry_error(rc);
	if (!h->out.quiet_error)
		return fail_conn(rc, c);
	h->out.last_err = rc;
	cli_conn_detail(c, rc, h->out.why, sizeof(h->out.why));
	return hc_err_exit(rc);
}

/* Does a redirect (-L) or a retry replace this response? */
static bool replaced(const struct cli *cli, const struct hop_in *h, const struct hc_response *resp)
{
	return (cli->location && policy_is_redirect(resp->status) &&
		hdr_get(&resp->hdrs, "Location")) ||
	       (h->may_retry && policy_retry_status(resp->status));
}

/* The next phase: the paused transfer's body to s, from the next round. */
static int phase_done(struct job *J, struct exch *E, enum hc_err rc);
static int phase_go(struct job *J, struct exch *E, enum exch_phase p, const struct hc_sink *s)
{
	E->phase = p;
	enum hc_err rc = xfer_sink(&E->x, s);
	return rc ? phase_done(J, E, rc) : EXCH_GOING;
}

/* Keep what the next hop needs from a replaced response; its body is read and dropped. */
static int keep_for_next(struct job *J, struct exch *E)
{
	struct hop_out *out = &J->h.out;
	const struct hc_response *resp = &E->resp;
	const char *loc = hdr_get(&resp->hdrs, "Location");
	free(out->location);
	out->location = loc ? strdup(loc) : NULL;
	out->retry_after = policy_retry_after(hdr_get(&resp->hdrs, "Retry-After"));
	out->pending = true;
	snprintf(out->why, sizeof(out->why), "%s", resp->status_line);
	return phase_go(J, E, EX_NEXT, &drop_sink);
}

/* -f's verdict on the final response, once its body is dealt with. */
static int verdict(const struct exch *E)
{
	const struct hc_response *resp = &E->resp;
	if (!E->failing)
		return 0;
	char detail[HC_ERRBUF];
	snprintf(detail, sizeof(detail), "%d %s", resp->status,
		 *resp->reason ? resp->reason : status_reason(resp->status));
	return cli_fail(HC_EHTTP, detail);
}

/* The URL's file after its body (code: how the body went), then the verdict. */
static int after_body(struct job *J, struct exch *E, int code)
{
	if ((code = dl_close(J, &E->resp, code)))
		return code;
	return verdict(E);
}

/* The body to the output: the transfer feeds this sink from the next round. */
static int body_start(struct job *J, struct exch *E)
{
	struct run *R = J->R;
	struct hc_response *resp = &E->resp;
	int code;
	E->b = (struct body_sink){.J = J, .resp = resp};
	if (R->cli->compressed && !resp->done && (code = open_decoder(resp, &E->b.dec)))
		return code;
	enum hc_err e = out_body_begin(&J->out, resp);
	if (e) {
		dec_free(E->b.dec);
		E->b.dec = NULL;
		return cli_fail(e, "out of memory");
	}
	/* a file's download shows its name */
	progress_start(&J->prog, R->progress_ok, J->dl.on && J->dl.path ? J->dl.label : "down",
		       resp->mode == HC_BM_LENGTH ? resp->length : 0);
	E->sink = (struct hc_sink){.ud = &E->b,
				   .write = sink_write,
				   .more = sink_more,
				   .pipe = sink_pipe,
				   .spliced = sink_spliced,
				   .end = sink_end};
	return phase_go(J, E, EX_BODY, &E->sink);
}

/* The body has ended (rc: how the transfer did). */
static int body_done(struct job *J, struct exch *E, enum hc_err rc)
{
	int code = body_result(J, &E->b, rc);
	out_body_close(&J->out);
	progress_end(&J->prog);
	dec_free(E->b.dec);
	E->b.dec = NULL;
	return code;
}

/* The final response: head and body as -p says, and -f's verdict on its status. */
static int show(struct job *J, struct exch *E)
{
	const struct hc_response *resp = &E->resp;
	const struct cli *cli = J->R->cli;
	struct out *o = &J->out;
	enum hc_err rc;
	int code;
	E->failing = (cli->fail || cli->fail_with_body) && resp->status >= 400;

	if ((o->print & PRINT_RESP_HEAD) && (rc = out_head(o, resp)))
		return cli_fail(rc, o->errmsg);
	if ((o->print & PRINT_RESP_BODY) && !(E->failing && !cli->fail_with_body)) {
		/* the URL's file: opened now that the answer is known, renamed when complete */
		if ((code = dl_open(J, resp)) == DL_SKIP)
			return phase_go(J, E, EX_SKIP, &drop_sink);
		if (code)
			return code;
		code = body_start(J, E);
		return code == EXCH_GOING ? code : after_body(J, E, code);
	}
	if (E->failing) {
		conn_drop(J); /* as curl: the rest of a failed response is not read */
		return verdict(E);
	}
	return phase_go(J, E, EX_DROP, &drop_sink);
}

static int phase_done(struct job *J, struct exch *E, enum hc_err rc)
{
	struct hc_conn *c = E->resp.c;
	switch (E->phase) {
	case EX_NEXT:
		if (rc)
			conn_drop(J);
		return 0;
	case EX_SKIP:
		return after_body(J, E, rc ? fail_conn(rc, c) : 0);
	case EX_BODY:
		return after_body(J, E, body_done(J, E, rc));
	case EX_DROP:
		return rc ? fail_conn(rc, c) : verdict(E);
	case EX_HEAD:
		break;
	}
	return cli_fail(HC_EINTERNAL, "an exchange ended in no phase");
}

/* The response head is in (rc HC_OK), or the exchange failed before it. */
static int head_in(struct job *J, struct exch *E, enum hc_err rc)
{
	struct run *R = J->R;
	struct hop *h = &J->h;
	struct hc_response *resp = &E->resp;
	struct hc_conn *c = &J->conn->c;

	progress_end(&J->prog);
	warn_insecure(R, c);
	if (J->out.err)
		return cli_fail(J->out.err, J->out.errmsg);
	if (rc)
		return send_failed(h, c, rc);
	h->out.status = resp->status;
	cookies_take(R, &h->in.url, resp);
	if (resp->status == 401 && !named(R->cli, "Authorization") &&
	    auth_retry(R, h, resp, E->o.digest)) {
		h->out.auth_retry = true;
		return keep_for_next(J, E);
	}
	if (replaced(R->cli, &h->in, resp))
		return keep_for_next(J, E);
	return show(J, E);
}

/* The exchange is over (code): its transfer off the loop, its connection kept or closed. */
static int exch_end(struct job *J, int code)
{
	struct exch *E = J->ex;
	struct hop *h = &J->h;
	struct hc_conn *c = &J->conn->c;

	xfer_end(&E->x);
	if (E->o.held && E->resp.status && !h->out.auth_retry)
		out_warn(&J->out,
			 "the streamed body was not sent: the server asked for no Digest credentials");
	/* an h2 stream's failure leaves its connection to the next URL when the session lives */
	if (!c->reusable || (code && !h2_usable(c)))
		conn_drop(J);
	if (E->resp.status) { /* -w reports the last response received, as curl */
		/* its head only: an h2 stream left open (a body cut short by -m while the
		 * connection carries others) would point to E, freed below */
		resp_detach(&E->resp);
		resp_free(&h->out.last);
		h->out.last = E->resp;
	} else {
		resp_free(&E->resp);
	}
	/* -w: the connection's address, the transfer's counts and times */
	J->wc.tls = c->tls;
	J->wc.tm = E->x.tm.t0 ? E->x.tm : c->tm;
	J->wc.tx_body = E->x.tm.t0 ? E->x.tx_body : c->tx_body;
	J->wc.remote_port = c->remote_port;
	memcpy(J->wc.remote_ip, c->remote_ip, sizeof(J->wc.remote_ip));
	request_free(&E->o);
	free(E);
	J->ex = NULL;
	return code;
}

int exch_start(struct job *J)
{
	struct run *R = J->R;
	struct hop *h = &J->h;
	const struct hc_proxy *proxy = proxy_for(&R->proxies, &h->in.url);
	struct pooled *failed = pool_take_failed(J);
	struct pooled *p = failed ? failed : pool_take(R, J, &h->in.url, proxy);
	enum hc_err rc;

	if (p == NULL)
		return EXCH_WAIT;
	struct hc_conn *c = &p->c;
	struct exch *E = calloc(1, sizeof(*E));
	if (E == NULL)
		return cli_fail(HC_ENOMEM, "out of memory");
	h->out.status = 0;
	/* nothing of the hop before holds */
	h->out.pending = h->out.quiet_error = h->out.auth_retry = false;
	J->cfg.deadline_ns = h->in.deadline;
	if ((rc = request_build(J, &h->in, proxy, &E->o)) ||
	    (rc = conn_target(c, h->in.url.host, h->in.url.port, h->in.url.https, proxy))) {
		request_free(&E->o);
		free(E);
		return cli_fail(rc, "out of memory");
	}
	J->ex = E;
	resp_init(&E->resp, c);
	h1_xfer_init(&E->x, c, &E->o.req, &E->resp);
	E->x.deadline_ns = h->in.deadline; /* c->cfg is the run's when c carries other jobs too */
	/* -w times run from the start of the URL's transfer, redirects and all */
	E->x.tm.t0 = h->in.t0;
	if (p->users == 1 && !failed) { /* J's alone: not a stream beside others' */
		if (conn_is_open(c) && !c->reusable)
			conn_close(c);
		p->fresh = !conn_is_open(c);
		p->dial_gen += p->fresh;
		memset(&c->tm, 0, sizeof(c->tm));
		c->tm.t0 = h->in.t0;
	}
	const struct hc_body *body = h->in.body;
	progress_start(&J->prog, R->progress_ok && body->kind != HC_BODY_NONE, "up",
		       body->kind == HC_BODY_MEM ? body->len
		       : body->size > 0	  ? (uint64_t)body->size
					  : 0);
	E->phase = EX_HEAD;
	if (failed) { /* the dial J waited for failed: its error is J's, without a dial of its own */
		rc = conn_seterr_cond(c, p->fail_err, p->fail_cond, "%s", p->fail_msg);
		return exch_end(J, head_in(J, E, rc));
	}
	if ((rc = xfer_start(&E->x, &R->loop))) {
		p->fresh = false;
		return exch_end(J, head_in(J, E, rc));
	}
	return EXCH_GOING;
}

int exch_poll(struct job *J, int *code)
{
	struct exch *E = J->ex;
	const struct hc_task *t = &E->x.task;
	int c;
	if (t->done && t->result && E->x.err[0]) {
		/* other transfers on its connection may have stepped since: the message is x's */
		memcpy(E->resp.c->err, E->x.err, sizeof(E->x.err));
		E->resp.c->cond = E->x.cond;
	}
	if (E->phase == EX_HEAD) {
		if (!t->done && !t->paused)
			return 1;
		if (t->done)
			pool_dial_failed(J, t->result);
		J->conn->fresh = false; /* what it speaks is known */
		c = head_in(J, E, t->done ? t->result : HC_OK);
	} else {
		if (!t->done)
			return 1;
		c = phase_done(J, E, t->result);
	}
	if (c == EXCH_GOING)
		return 1;
	*code = exch_end(J, c);
	return 0;
}

void exch_fail(struct job *J, int err)
{
	struct hc_task *t = &J->ex->x.task;
	if (t->done)
		return;
	t->done = true;
	t->result = conn_seterr(&J->conn->c, HC_EINTERNAL, "poll: %s", strerror(err));
}

void exch_abort(struct job *J)
{
	struct exch *E = J->ex;
	if (E->phase == EX_BODY) { /* nothing reported: the run ends for another URL's failure */
		out_body_close(&J->out);
		progress_end(&J->prog);
		dec_free(E->b.dec);
		E->b.dec = NULL;
	}
	conn_close(&J->conn->c);
	(void)dl_close(J, &E->resp, hc_err_exit(HC_EINTERNAL));
	(void)exch_end(J, hc_err_exit(HC_EINTERNAL));
}

int exchange_report(struct job *J, int code)
{
	const struct hop *h = &J->h;
	const struct hc_response *last = &h->out.last;
	char *eff = h->in.url.host ? url_format(&h->in.url) : NULL;
	struct wo_info wi = {
		.c = &J->wc,
		.resp = last->status ? last : NULL,
		.url_effective = eff ? eff : h->in.arg,
		.redirects = h->in.hops,
		.exit_code = code,
		.errormsg = code ? J->errmsg : "",
	};
	if (writeout(&J->out, J->R->wfmt, &wi) && !code)
		code = cli_fail(HC_EWRITE, J->out.errmsg);
	free(eff);
	return code;
}
