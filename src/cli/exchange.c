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

/* The last error reported, for -w %{errormsg}. */
static char last_error[HC_ERRBUF * 2];

int cli_fail(enum hc_err e, const char *detail)
{
	snprintf(last_error, sizeof(last_error), "%s", detail);
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
static enum hc_err compose(struct run *R, const struct hop_in *h, bool tunnel, const char *target,
			   struct hc_field **out, size_t *n, char **auth, char **cookie,
			   bool *digest)
{
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
	if (R->dl.range[0]) /* -C */
		f[k++] = (struct hc_field){"Range", R->dl.range};
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

/* Read the rest of a body nobody will see, so the connection can serve the next URL. */
static enum hc_err drain(struct hc_xfer *x, struct hc_loop *L)
{
	return xfer_recv(x, L, &drop_sink);
}

/*
 * The shown body's sink: the decoder (--compressed), the formatter and the
 * output, then progress and the download's bookkeeping. An error of its own
 * is kept here, to be reported as it is; the engine's end with it.
 */
struct body_sink {
	struct run *R;
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
	progress_update(&b->R->prog, b->resp->nread);
	dl_written(b->R, b->resp->nread);
}

static enum hc_err sink_write(void *ud, struct iovec *iov, int cnt)
{
	struct body_sink *b = ud;
	struct out *o = &b->R->out;
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
	enum hc_err w = out_more(&b->R->out, fd);
	return w ? sink_failed(b, w, b->R->out.errmsg) : HC_OK;
}

/* Formatted, decoded or after request bytes (-p B): never spliced. */
static int sink_pipe(void *ud)
{
	struct body_sink *b = ud;
	struct out *o = &b->R->out;
	return b->dec == NULL && !o->req_printed && !o->fmt_on ? out_splice_fd(o) : -1;
}

static enum hc_err sink_spliced(void *ud, size_t n)
{
	struct body_sink *b = ud;
	enum hc_err w = out_spliced(&b->R->out, n);
	if (w)
		return sink_failed(b, w, b->R->out.errmsg);
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
static int open_decoder(struct run *R, const struct hc_response *resp, struct hc_decoder **dec)
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
		conn_info(&R->conn, "Decoding %s", names);
	return 0;
}

/* How the body ended: the sink's own error, the output's pipe, the connection's, or none. */
static int body_result(struct run *R, struct body_sink *b, enum hc_err rc)
{
	const struct hc_response *resp = b->resp;
	if (b->err) {
		/* a failed write is not followed by more; an undecodable end is, by what came */
		if (b->at_end)
			out_body_end(&R->out, resp);
		return cli_fail(b->err, b->msg);
	}
	if (rc == HC_EWRITE) { /* the splice into the output's pipe */
		snprintf(R->out.errmsg, sizeof(R->out.errmsg), "%s: %s", R->out.body_name,
			 strerror(EPIPE));
		return cli_fail(rc, R->out.errmsg);
	}
	if (rc) {
		out_body_end(&R->out, resp);
		return fail_conn(rc, &R->conn);
	}
	return out_body_end(&R->out, resp) ? cli_fail(HC_EWRITE, R->out.errmsg) : 0;
}

/* The body to the output: the transfer's loop runs, with this sink, until the body ends. */
static int body_out(struct run *R, struct hc_xfer *x, struct hc_loop *L)
{
	struct hc_response *resp = x->resp;
	struct body_sink b = {.R = R, .resp = resp};
	int code;
	if (R->cli->compressed && !resp->done && (code = open_decoder(R, resp, &b.dec)))
		return code;
	enum hc_err e = out_body_begin(&R->out, resp);
	if (e) {
		dec_free(b.dec);
		return cli_fail(e, "out of memory");
	}
	/* a file's download shows its name */
	progress_start(&R->prog, R->progress_ok, R->dl.on && R->dl.path ? R->dl.label : "down",
		       resp->mode == HC_BM_LENGTH ? resp->length : 0);
	const struct hc_sink sink = {.ud = &b,
				     .write = sink_write,
				     .more = sink_more,
				     .pipe = sink_pipe,
				     .spliced = sink_spliced,
				     .end = sink_end};
	code = body_result(R, &b, xfer_recv(x, L, &sink));
	out_body_close(&R->out);
	progress_end(&R->prog);
	dec_free(b.dec);
	return code;
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
static enum hc_err request_build(struct run *R, const struct hop_in *h,
				 const struct hc_proxy *proxy, struct outgoing *o)
{
	const struct cli *cli = R->cli;
	size_t nfields = 0;
	enum hc_err rc;

	memset(o, 0, sizeof(*o));
	/* RFC 9112 §3.2.2: absolute form to a proxy */
	if (proxy && !h->url.https && (o->target = url_format(&h->url)) == NULL)
		return HC_ENOMEM;
	const char *target = o->target ? o->target : h->url.target;
	if ((rc = compose(R, h, proxy && h->url.https, target, &o->fields, &nfields, &o->auth,
			  &o->cookie, &o->digest)))
		return rc;
	o->held = auth_holds_body(R, h, o->digest);
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

/*
 * Send the request and read the response head, on the connection
 * conn_target() chose: x's loop runs until the head is in (xfer_close after).
 */
static enum hc_err request_send(struct run *R, const struct hop_in *h, struct hc_xfer *x,
				struct hc_loop *L)
{
	struct hc_conn *c = &R->conn;
	const struct hc_body *body = h->body;
	enum hc_err rc;

	if (conn_is_open(c) && !c->reusable)
		conn_close(c);
	/* -w times run from the start of the URL's transfer, redirects and all */
	memset(&c->tm, 0, sizeof(c->tm));
	c->tm.t0 = h->t0;
	progress_start(&R->prog, R->progress_ok && body->kind != HC_BODY_NONE, "up",
		       body->kind == HC_BODY_MEM ? body->len
		       : body->size > 0	  ? (uint64_t)body->size
					  : 0);
	rc = xfer_open(x, L);
	progress_end(&R->prog);
	return rc;
}

/* -k: one warning, when the first TLS connection without verification is made. */
static void warn_insecure(struct run *R)
{
	const struct hc_conn *c = &R->conn;
	if (!R->cli->tls.insecure || R->insecure_warned || !c->tls || c->tm.appconnect == 0)
		return;
	R->insecure_warned = true;
	out_warn(&R->out, "--insecure: the server's certificate and name are not verified");
}

/* A failed exchange: reported now, or kept quiet when a retry may still mend it. */
static int send_failed(struct run *R, struct hop *h, enum hc_err rc)
{
	h->out.quiet_error = h->in.may_retry && policy_retry_error(rc);
	if (!h->out.quiet_error)
		return fail_conn(rc, &R->conn);
	h->out.last_err = rc;
	cli_conn_detail(&R->conn, rc, h->out.why, sizeof(h->out.why));
	return hc_err_exit(rc);
}

/* Does a redirect (-L) or a retry replace this response? */
static bool replaced(const struct cli *cli, const struct hop_in *h, const struct hc_response *resp)
{
	return (cli->location && policy_is_redirect(resp->status) &&
		hdr_get(&resp->hdrs, "Location")) ||
	       (h->may_retry && policy_retry_status(resp->status));
}

/* Keep what the next hop needs from a replaced response; its body is read and dropped. */
static void keep_for_next(struct run *R, struct hop_out *out, struct hc_xfer *x, struct hc_loop *L)
{
	const struct hc_response *resp = x->resp;
	const char *loc = hdr_get(&resp->hdrs, "Location");
	free(out->location);
	out->location = loc ? strdup(loc) : NULL;
	out->retry_after = policy_retry_after(hdr_get(&resp->hdrs, "Retry-After"));
	out->pending = true;
	snprintf(out->why, sizeof(out->why), "%s", resp->status_line);
	if (drain(x, L))
		conn_close(&R->conn);
}

/* The final response: head and body as -p says, and -f's verdict on its status. */
static int show(struct run *R, struct hc_xfer *x, struct hc_loop *L)
{
	const struct hc_response *resp = x->resp;
	struct cli *cli = R->cli;
	enum hc_err rc;
	int code;
	bool failing = (cli->fail || cli->fail_with_body) && resp->status >= 400;

	if ((R->out.print & PRINT_RESP_HEAD) && (rc = out_head(&R->out, resp)))
		return cli_fail(rc, R->out.errmsg);
	if ((R->out.print & PRINT_RESP_BODY) && !(failing && !cli->fail_with_body)) {
		/* the URL's file: opened now that the answer is known, renamed when complete */
		if ((code = dl_open(R, resp)) == DL_SKIP)
			code = (rc = drain(x, L)) ? fail_conn(rc, &R->conn) : 0;
		else if (code == 0)
			code = body_out(R, x, L);
		else
			return code;
		if ((code = dl_close(R, resp, code)))
			return code;
	} else if (failing) {
		conn_close(&R->conn); /* as curl: the rest of a failed response is not read */
	} else if ((rc = drain(x, L))) {
		return fail_conn(rc, &R->conn);
	}
	if (failing) {
		char detail[HC_ERRBUF];
		snprintf(detail, sizeof(detail), "%d %s", resp->status,
			 *resp->reason ? resp->reason : status_reason(resp->status));
		return cli_fail(HC_EHTTP, detail);
	}
	return 0;
}

int exchange_report(struct run *R, const struct hop *h, int code)
{
	const struct hc_response *last = &h->out.last;
	char *eff = h->in.url.host ? url_format(&h->in.url) : NULL;
	struct wo_info wi = {
		.c = &R->conn,
		.resp = last->status ? last : NULL,
		.url_effective = eff ? eff : h->in.arg,
		.redirects = h->in.hops,
		.exit_code = code,
		.errormsg = code ? last_error : "",
	};
	if (writeout(&R->out, R->wfmt, &wi) && !code)
		code = cli_fail(HC_EWRITE, R->out.errmsg);
	free(eff);
	return code;
}

/*
 * One request and its response. A response that a redirect or a retry will
 * replace is read but not shown: only the final one reaches the output.
 */
int exchange(struct run *R, struct hop *h)
{
	struct hc_conn *c = &R->conn;
	const struct hc_proxy *proxy = proxy_for(&R->proxies, &h->in.url);
	struct outgoing o;
	struct hc_response resp;
	struct hc_xfer x;
	struct hc_loop L;
	enum hc_err rc;
	int code = 0;

	h->out.status = 0;
	/* nothing of the hop before holds */
	h->out.pending = h->out.quiet_error = h->out.auth_retry = false;
	R->cfg.deadline_ns = h->in.deadline;
	if ((rc = request_build(R, &h->in, proxy, &o)) ||
	    (rc = conn_target(c, h->in.url.host, h->in.url.port, h->in.url.https, proxy))) {
		request_free(&o);
		return cli_fail(rc, "out of memory");
	}
	resp_init(&resp, c);
	h1_xfer_init(&x, c, &o.req, &resp);
	rc = request_send(R, &h->in, &x, &L);
	warn_insecure(R);
	if (R->out.err) {
		code = cli_fail(R->out.err, R->out.errmsg);
	} else if (rc) {
		code = send_failed(R, h, rc);
	} else {
		h->out.status = resp.status;
		cookies_take(R, &h->in.url, &resp);
		if (resp.status == 401 && !named(R->cli, "Authorization") &&
		    auth_retry(R, h, &resp, o.digest)) {
			h->out.auth_retry = true;
			keep_for_next(R, &h->out, &x, &L);
		} else if (replaced(R->cli, &h->in, &resp))
			keep_for_next(R, &h->out, &x, &L);
		else
			code = show(R, &x, &L);
	}
	xfer_close(&x, &L);
	if (o.held && resp.status && !h->out.auth_retry)
		out_warn(&R->out,
			 "the streamed body was not sent: the server asked for no Digest credentials");
	/* an h2 stream's failure leaves its connection to the next URL when the session lives */
	if (!c->reusable || (code && !h2_usable(c)))
		conn_close(c);
	if (resp.status) { /* -w reports the last response received, as curl */
		resp_free(&h->out.last);
		h->out.last = resp;
	} else {
		resp_free(&resp);
	}
	request_free(&o);
	return code;
}
