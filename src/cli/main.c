/* hcli: argv into requests, each run on the engine, each response shown. */
#include <bsd/readpassphrase.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "output.h"
#include "policy.h"
#include "progress.h"
#include "writeout.h"
#include "../http/decode.h"
#include "../http/tls.h"

#define USAGE_LINE "usage: hcli [OPTIONS] [METHOD] URL [ITEM ...] [URL ...]\n"

/* One URL's way through redirects and retries. */
struct hop {
	const char *method;
	const struct hc_body *body;
	bool drop_creds; /* a redirect left the first origin */
	int64_t t0;	 /* when this URL's transfer began */
	char *url_user;	 /* the first URL's credentials, kept while the origin is */
	char *url_pass;
	long hops;	 /* redirects followed */
	bool may_retry;
	/* filled by exchange() */
	int status;
	bool pending;	  /* a redirect or a retry replaces this response */
	bool quiet_error; /* a failure a retry may still mend */
	char *location;
	long retry_after; /* ms, or -1 */
	enum hc_err last_err; /* with quiet_error */
	char why[HC_ERRBUF * 2];
};

static const struct hc_body R_nobody = {.kind = HC_BODY_NONE, .fd = -1};

struct run {
	struct cli *cli;
	struct hc_conn_cfg cfg;
	struct hc_conn conn;
	struct out out;
	struct hc_body body;
	int body_owned_fd; /* a file we opened for the body, or -1 */
	struct proxies proxies;
	char *user, *pass; /* -u */
	const char *netrc_path;
	int netrc_warned;
	long redirects;
	char *wfmt; /* -w, read from @FILE if need be */
	bool progress_ok; /* standard error is a terminal, and no -s */
	struct progress prog;
};

static void upload_progress(void *ud, uint64_t sent)
{
	progress_update(&((struct run *)ud)->prog, sent);
}

static void progress_wait(void *ud)
{
	progress_tick(&((struct run *)ud)->prog);
}

/* The last error reported, for -w %{errormsg}. */
static char last_error[HC_ERRBUF * 2];

static int fail(enum hc_err e, const char *detail)
{
	snprintf(last_error, sizeof(last_error), "%s", detail);
	out_error(e, detail);
	return hc_err_exit(e);
}

/* A streamed body with --http1.0: spooled to an unnamed file to learn its length. */
static enum hc_err spool(struct run *R, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096], buf[65536];
	if (dir == NULL || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/hcli-spool-XXXXXX", dir);
		if ((fd = mkstemp(path)) >= 0)
			unlink(path);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot spool the body for HTTP/1.0 in %s: %s", dir, strerror(errno));
		return HC_EREAD;
	}
	off_t total = 0;
	for (;;) {
		ssize_t n = read(R->body.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading the request body: %s", strerror(errno));
			close(fd);
			return HC_EREAD;
		}
		if (n == 0)
			break;
		for (ssize_t w, off = 0; off < n; off += w) {
			if ((w = write(fd, buf + off, (size_t)(n - off))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				snprintf(err, errlen, "spooling the body: %s", strerror(errno));
				close(fd);
				return HC_EREAD;
			}
		}
		total += n;
	}
	if (R->body_owned_fd >= 0)
		close(R->body_owned_fd);
	R->body_owned_fd = R->body.fd = fd;
	R->body.start = 0;
	R->body.size = total;
	return HC_OK;
}

static enum hc_err open_body(struct run *R, char *err, size_t errlen)
{
	struct cli *cli = R->cli;
	struct hc_body *b = &R->body;
	struct stat st;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	switch (cli->body) {
	case BODY_NONE:
		return HC_OK;
	case BODY_STRING:
		b->kind = HC_BODY_MEM;
		b->mem = cli->body_arg;
		b->len = strlen(cli->body_arg);
		return HC_OK;
	case BODY_FILE:
		if ((b->fd = open(cli->body_arg, O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(err, errlen, "cannot open '%s': %s", cli->body_arg, strerror(errno));
			return HC_EREAD;
		}
		R->body_owned_fd = b->fd;
		break;
	case BODY_STDIN:
		b->fd = STDIN_FILENO;
		break;
	}
	b->kind = HC_BODY_FD;
	if (fstat(b->fd, &st) < 0) {
		snprintf(err, errlen, "the request body: %s", strerror(errno));
		return HC_EREAD;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is a directory", cli->body_arg ? cli->body_arg : "stdin");
		return HC_EREAD;
	}
	if (S_ISREG(st.st_mode)) {
		/* standard input redirected from a file may not start at offset 0 */
		off_t at = lseek(b->fd, 0, SEEK_CUR);
		b->start = at > 0 && at <= st.st_size ? at : 0;
		b->size = st.st_size - b->start;
	} else {
		b->size = -1; /* pipe, FIFO, socket, device: chunked */
	}
	if (b->size < 0 && cli->http10)
		return spool(R, err, errlen);
	return HC_OK;
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
 * The request's fields: credentials (-u, the URL, netrc), the defaults, then
 * the user's items. After a redirect to another origin, credentials are gone.
 */
static enum hc_err compose(struct run *R, const struct hc_url *u, const struct hop *h,
			   bool tunnel, struct hc_field **out, size_t *n, char **auth)
{
	const struct cli *cli = R->cli;
	struct hc_field *f = calloc(cli->nhdrs + 6, sizeof(*f));
	size_t k = 0;
	if (f == NULL)
		return HC_ENOMEM;
	*auth = NULL;
	if (!h->drop_creds && !named(cli, "Authorization")) {
		if (R->user)
			*auth = auth_basic(R->user, R->pass);
		else if (h->url_user)
			*auth = auth_basic(h->url_user, h->url_pass);
		else if (R->netrc_path) {
			char *l = NULL, *p = NULL, err[HC_ERRBUF];
			int r = netrc_lookup(R->netrc_path, u->host, &l, &p, err, sizeof(err));
			bool quiet = r == -2 && !cli->netrc_file; /* no ~/.netrc is no news */
			if (r < 0 && !quiet && !R->netrc_warned++)
				out_warn(&R->out, "%s", err);
			if (r == 0)
				*auth = auth_basic(l, p);
			free(l);
			if (p)
				explicit_bzero(p, strlen(p));
			free(p);
		}
		if (*auth)
			f[k++] = (struct hc_field){"Authorization", *auth};
	}
	if (!named(cli, "User-Agent"))
		f[k++] = (struct hc_field){"User-Agent", "hcli/" HC_VERSION};
	if (!named(cli, "Accept"))
		f[k++] = (struct hc_field){"Accept", "*/*"};
	if (cli->compressed && !named(cli, "Accept-Encoding"))
		f[k++] = (struct hc_field){"Accept-Encoding", "gzip, deflate, br, zstd"};
	for (size_t i = 0; i < cli->nhdrs; i++) {
		if (cli->hdrs[i].value == NULL || (h->drop_creds && is_credential(cli->hdrs[i].name)))
			continue;
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

/* Read the rest of a body nobody will see, so the connection can serve the next URL. */
static enum hc_err drain(struct hc_response *resp)
{
	const char *p;
	size_t n;
	enum hc_err rc;
	do
		rc = resp_read(resp, &p, &n);
	while (rc == HC_OK && !resp->done);
	return rc;
}

static enum hc_err decoded_out(void *ud, const char *p, size_t n)
{
	return out_body(ud, p, n);
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
		return fail(rc, rc == HC_ENOMEM ? "out of memory" : err);
	if (*dec)
		conn_info(&R->conn, "Decoding %s", names);
	return 0;
}

static int body_out(struct run *R, struct hc_response *resp)
{
	struct hc_decoder *dec = NULL;
	char err[HC_ERRBUF];
	int code;
	if (R->cli->compressed && !resp->done && (code = open_decoder(R, resp, &dec)))
		return code;
	progress_start(&R->prog, R->progress_ok, "down",
		       resp->mode == HC_BM_LENGTH ? resp->length : 0);
	for (;;) {
		const char *p;
		size_t n;
		enum hc_err rc;
		if (dec == NULL && R->out.body_pipe && !R->out.req_printed && resp_can_splice(resp)) {
			rc = resp_splice(resp, R->out.body_fd, &n);
			if (rc == HC_EWRITE) {
				snprintf(R->out.errmsg, sizeof(R->out.errmsg), "%s: %s", R->out.body_name,
					 strerror(EPIPE));
				code = fail(rc, R->out.errmsg);
				goto out;
			}
			if (rc) {
				code = fail(rc, R->conn.err);
				goto out;
			}
			progress_update(&R->prog, resp->nread);
			if (resp->done)
				break;
			continue;
		}
		enum hc_err w = HC_OK;
		bool got;
		if (dec == NULL) {
			struct iovec iov[64];
			int cnt = 0;
			rc = resp_readv(resp, iov, 64, &cnt);
			got = cnt > 0;
			if (got)
				w = out_bodyv(&R->out, iov, cnt);
		} else {
			rc = resp_read(resp, &p, &n);
			got = n > 0;
			if (got)
				w = dec_write(dec, p, n, decoded_out, &R->out, err, sizeof(err));
		}
		if (w) {
			code = fail(w, w == HC_EENCODING ? err : R->out.errmsg);
			goto out;
		}
		if (got)
			progress_update(&R->prog, resp->nread);
		if (rc) {
			out_body_end(&R->out, resp);
			code = fail(rc, R->conn.err);
			goto out;
		}
		if (resp->done)
			break;
	}
	if (dec && (code = dec_end(dec, err, sizeof(err)))) {
		out_body_end(&R->out, resp);
		code = fail(code, err);
		goto out;
	}
	code = out_body_end(&R->out, resp) ? fail(HC_EWRITE, R->out.errmsg) : 0;
out:
	progress_end(&R->prog);
	dec_free(dec);
	return code;
}

/*
 * One request and its response. A response that a redirect or a retry will
 * replace is read but not shown: only the final one reaches the output.
 */
static int exchange(struct run *R, const struct hc_url *u, struct hop *h)
{
	struct cli *cli = R->cli;
	struct hc_field *fields = NULL;
	size_t nfields = 0;
	char *auth = NULL, *target = NULL;
	enum hc_err rc;
	int code = 0;

	h->status = 0;
	const struct hc_proxy *proxy = proxy_for(&R->proxies, u);
	if ((rc = compose(R, u, h, proxy && u->https, &fields, &nfields, &auth)))
		return fail(rc, "out of memory");
	if (proxy && !u->https) {
		/* RFC 9112 §3.2.2: absolute form to a proxy */
		target = url_format(u);
		if (target == NULL) {
			free(fields);
			free(auth);
			return fail(HC_ENOMEM, "out of memory");
		}
		if (proxy->auth && !named(cli, "Proxy-Authorization"))
			fields[nfields++] = (struct hc_field){"Proxy-Authorization", proxy->auth};
	}
	struct hc_request req = {
		.method = h->method,
		.target = target ? target : u->target,
		.http10 = cli->http10,
		.skip_host = removed(cli, "Host"),
		.skip_accept_encoding = removed(cli, "Accept-Encoding"),
		.chunked = cli->chunked,
		.headers = fields,
		.nheaders = nfields,
		.body = h->body,
		.expect100 = cli->expect100,
		.expect100_timeout_ms = cli->expect100_timeout_ms,
	};
	struct hc_conn *c = &R->conn;
	struct hc_response resp;

	R->cfg.deadline_ns = cli->max_time_ms >= 0 ? hc_now_ns() + (int64_t)cli->max_time_ms * 1000000 : 0;
	if ((rc = conn_target(c, u->host, u->port, u->https, proxy))) {
		free(fields);
		free(auth);
		free(target);
		return fail(rc, "out of memory");
	}
	if (conn_is_open(c) && !c->reusable)
		conn_close(c);
	/* -w times run from the start of the URL's transfer, redirects and all */
	memset(&c->tm, 0, sizeof(c->tm));
	c->tm.t0 = h->t0;
	resp_init(&resp, c);
	progress_start(&R->prog, R->progress_ok && h->body->kind != HC_BODY_NONE, "up",
		       h->body->kind == HC_BODY_MEM ? h->body->len
		       : h->body->size > 0	    ? (uint64_t)h->body->size
						    : 0);
	rc = http_request(c, &req, &resp);
	progress_end(&R->prog);
	if (R->out.err) {
		code = fail(R->out.err, R->out.errmsg);
		goto out;
	}
	if (rc) {
		h->quiet_error = h->may_retry && policy_retry_error(rc);
		if (h->quiet_error) {
			h->last_err = rc;
			snprintf(h->why, sizeof(h->why), "%s", c->err);
			code = hc_err_exit(rc);
		} else {
			code = fail(rc, c->err);
		}
		goto out;
	}
	h->status = resp.status;
	const char *loc = hdr_get(&resp.hdrs, "Location");
	if ((cli->location && policy_is_redirect(resp.status) && loc) ||
	    (h->may_retry && policy_retry_status(resp.status))) {
		/* not the final response: its body is read and dropped */
		free(h->location);
		h->location = loc ? strdup(loc) : NULL;
		h->retry_after = policy_retry_after(hdr_get(&resp.hdrs, "Retry-After"));
		h->pending = true;
		snprintf(h->why, sizeof(h->why), "%s", resp.status_line);
		if ((rc = drain(&resp)))
			conn_close(c);
		goto out;
	}
	h->pending = false;
	bool failing = (cli->fail || cli->fail_with_body) && resp.status >= 400;
	if ((R->out.print & PRINT_RESP_HEAD) && (rc = out_head(&R->out, &resp))) {
		code = fail(rc, R->out.errmsg);
		goto out;
	}
	if ((R->out.print & PRINT_RESP_BODY) && !(failing && !cli->fail_with_body)) {
		if ((code = body_out(R, &resp)))
			goto out;
	} else if (failing) {
		conn_close(c); /* as curl: the rest of a failed response is not read */
	} else if ((rc = drain(&resp))) {
		code = fail(rc, c->err);
		goto out;
	}
	if (failing) {
		char detail[HC_ERRBUF];
		snprintf(detail, sizeof(detail), "%d %s", resp.status,
			 *resp.reason ? resp.reason : status_reason(resp.status));
		code = fail(HC_EHTTP, detail);
	}
out:
	if (R->wfmt && !h->pending && !h->quiet_error) {
		char *eff = url_format(u);
		struct wo_info wi = {
			.c = c,
			.resp = resp.status ? &resp : NULL,
			.url_effective = eff,
			.redirects = h->hops,
			.exit_code = code,
			.errormsg = code ? last_error : "",
		};
		if (writeout(&R->out, R->wfmt, &wi) && !code)
			code = fail(HC_EWRITE, R->out.errmsg);
		free(eff);
	}
	if (code || !c->reusable)
		conn_close(c);
	resp_free(&resp);
	free(fields);
	free(auth);
	free(target);
	return code;
}

/* -w @FILE or @- reads the format; anything else is the format. */
static enum hc_err read_format(const char *arg, char **out, char *err, size_t errlen)
{
	if (arg[0] != '@') {
		*out = strdup(arg);
		return *out ? HC_OK : HC_ENOMEM;
	}
	FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "re");
	if (f == NULL) {
		snprintf(err, errlen, "-w %s: %s", arg, strerror(errno));
		return HC_EUSAGE;
	}
	size_t cap = 4096, len = 0, n;
	char *s = malloc(cap);
	while (s) {
		if (len + 1 == cap) {
			char *ns = cap < (1 << 20) ? realloc(s, cap * 2) : NULL;
			if (ns == NULL)
				break;
			s = ns;
			cap *= 2;
		}
		if ((n = fread(s + len, 1, cap - len - 1, f)) == 0)
			break;
		len += n;
	}
	if (f != stdin)
		fclose(f);
	if (s == NULL)
		return HC_ENOMEM;
	s[len] = '\0';
	*out = s;
	return HC_OK;
}

/* Sleep before a retry; the delay is the tool's policy, not a synchronisation. */
static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* RFC 9110 §15.4: which method and body the next hop gets. */
static void redirect_method(struct hop *h, int status)
{
	if ((status == 301 || status == 302 || status == 303) && strcmp(h->method, "HEAD") != 0) {
		h->method = "GET";
		h->body = &R_nobody;
	}
}

static int follow(struct run *R, struct hc_url *u, struct hop *h)
{
	char err[HC_ERRBUF];
	if (h->hops >= R->cli->max_redirs) {
		snprintf(err, sizeof(err), "more than %ld redirects (--max-redirs)", R->cli->max_redirs);
		return fail(HC_EREDIRS, err);
	}
	char *next = url_resolve(u, h->location);
	struct hc_url nu;
	if (next == NULL)
		return fail(HC_ENOMEM, "out of memory");
	enum hc_err rc = url_parse(next, false, &nu, err, sizeof(err));
	if (rc) {
		char msg[HC_ERRBUF + 256];
		snprintf(msg, sizeof(msg), "redirect to '%.200s': %s", next, err);
		free(next);
		url_free(&nu);
		return fail(rc, msg);
	}
	conn_info(&R->conn, "Redirect %d to %s", h->status, next);
	free(next);
	if (nu.https != u->https || nu.port != u->port || strcasecmp(nu.host, u->host) != 0)
		h->drop_creds = true;
	redirect_method(h, h->status);
	if ((h->status == 307 || h->status == 308) && !req_body_replayable(h->body)) {
		url_free(&nu);
		return fail(HC_EREAD, "cannot send the body again for the redirect: it was read from a pipe");
	}
	url_free(u);
	*u = nu;
	h->hops++;
	return -1; /* go on */
}

static int run_url(struct run *R, size_t i)
{
	struct cli *cli = R->cli;
	struct hc_url u;
	char err[HC_ERRBUF];
	enum hc_err rc = url_parse(cli->urls[i], i == 0, &u, err, sizeof(err));
	for (size_t q = 0; rc == HC_OK && q < cli->nquery; q++)
		rc = url_add_query(&u, cli->query[q].name, cli->query[q].value);
	if (rc) {
		url_free(&u);
		return fail(rc, rc == HC_ENOMEM ? "out of memory" : err);
	}
	struct hop h = {
		.method = cli->method ? cli->method : cli->body != BODY_NONE ? "POST" : "GET",
		.body = &R->body,
		.t0 = hc_now_ns(),
		.url_user = u.user ? strdup(u.user) : NULL,
		.url_pass = u.pass ? strdup(u.pass) : NULL,
	};
	int64_t first = hc_now_ns();
	long tries = 0;
	int code;
	for (;;) {
		/* curl's --retry-max-time: retries go on while the clock is under it */
		int64_t spent = (hc_now_ns() - first) / 1000000;
		h.may_retry = tries < cli->retry && req_body_replayable(h.body) &&
			      (cli->retry_max_time_ms < 0 || spent < cli->retry_max_time_ms);
		code = exchange(R, &u, &h);
		if (code == 0 && h.pending && cli->location && policy_is_redirect(h.status) &&
		    h.location) {
			if ((code = follow(R, &u, &h)) >= 0)
				break;
			continue;
		}
		if (!h.may_retry || !(h.pending || h.quiet_error))
			break;
		long delay = cli->retry_delay_ms >= 0 ? cli->retry_delay_ms
			     : tries < 10		 ? 1000L << tries
							 : 600000;
		if (h.retry_after >= 0 && h.pending)
			delay = h.retry_after;
		spent = (hc_now_ns() - first) / 1000000;
		if (cli->retry_max_time_ms >= 0 && spent + delay > cli->retry_max_time_ms)
			delay = cli->retry_max_time_ms > spent ? cli->retry_max_time_ms - spent : 0;
		tries++;
		out_warn(&R->out, "%s%s%s; retry %ld of %ld in %ld ms",
			 h.quiet_error ? hc_err_name(h.last_err) : "", h.quiet_error ? ": " : "", h.why,
			 tries, cli->retry, delay);
		pause_ms(delay);
		h.pending = h.quiet_error = false;
	}
	if (h.quiet_error) /* cannot happen without may_retry; kept for safety */
		code = fail(h.last_err, h.why);
	R->redirects = h.hops;
	free(h.location);
	free(h.url_user);
	if (h.url_pass)
		explicit_bzero(h.url_pass, strlen(h.url_pass));
	free(h.url_pass);
	url_free(&u);
	return code;
}

static enum hc_err key_passphrase(struct cli *cli, char *pass, size_t passlen, char *err,
				  size_t errlen)
{
	const char *key = cli->tls.key ? cli->tls.key : cli->tls.cert;
	char head[65536];
	int fd = key ? open(key, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return HC_OK; /* GnuTLS reports the unreadable file */
	ssize_t n = read(fd, head, sizeof(head) - 1);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	if (strstr(head, "ENCRYPTED") == NULL)
		return HC_OK;
	char prompt[600];
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", key);
	if (readpassphrase(prompt, pass, passlen, RPP_REQUIRE_TTY) == NULL) {
		snprintf(err, errlen, "the key %s is encrypted and there is no terminal to ask for its passphrase",
			 key);
		return HC_ECERTLOCAL;
	}
	cli->tls.key_password = pass;
	return HC_OK;
}

static bool any_https(const struct cli *cli)
{
	for (size_t i = 0; i < cli->nurls; i++)
		if (strncasecmp(cli->urls[i], "https://", 8) == 0)
			return true;
	return false;
}

static int usage_error(const char *detail)
{
	out_error(HC_EUSAGE, detail);
	(void)!write(STDERR_FILENO, USAGE_LINE, sizeof(USAGE_LINE) - 1);
	return hc_err_exit(HC_EUSAGE);
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct run R = {.cli = &cli, .body_owned_fd = -1};
	char err[HC_ERRBUF];
	int code = 0;

	/* a closed standard output is an EPIPE to handle, not a signal */
	signal(SIGPIPE, SIG_IGN);
	enum hc_err rc = args_parse(argc, argv, &cli, err, sizeof(err));
	if (rc) {
		code = rc == HC_EUSAGE ? usage_error(err) : fail(rc, "out of memory");
		goto out;
	}
	if (cli.help || cli.version) {
		if (cli.help)
			args_help(stdout);
		else
			printf("hcli %s\n", HC_VERSION);
		if (fflush(stdout) != 0 || ferror(stdout))
			code = fail(HC_EWRITE, "standard output");
		goto out;
	}
	if ((rc = open_body(&R, err, sizeof(err)))) {
		code = fail(rc, err);
		goto out;
	}
	if (R.body.kind == HC_BODY_FD && R.body.size < 0 && cli.nurls > 1) {
		code = usage_error("a body from a pipe can be sent once, but several URLs were given");
		goto out;
	}
	int body_fd = STDOUT_FILENO;
	if (cli.output) {
		body_fd = open(cli.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (body_fd < 0) {
			snprintf(err, sizeof(err), "%s: %s", cli.output, strerror(errno));
			code = fail(HC_EWRITE, err);
			goto out;
		}
	}
	char pass[1024] = "";
	if (any_https(&cli)) {
		if ((cli.tls.cert || cli.tls.key) && (rc = key_passphrase(&cli, pass, sizeof(pass), err, sizeof(err)))) {
			code = fail(rc, err);
			goto out;
		}
		if (cli.tls.insecure && !cli.silent)
			fputs("hcli: warning: --insecure: the server's certificate and name are not verified\n",
			      stderr);
	}
	if (cli.write_out && !strcmp(cli.write_out, "@-") && cli.body == BODY_STDIN) {
		code = usage_error("-w @- and a body from standard input cannot share it");
		goto out;
	}
	if (cli.write_out && (rc = read_format(cli.write_out, &R.wfmt, err, sizeof(err)))) {
		code = rc == HC_EUSAGE ? usage_error(err) : fail(rc, "out of memory");
		goto out;
	}
	if ((rc = proxy_setup(&R.proxies, &cli, err, sizeof(err)))) {
		code = fail(rc, err);
		goto out;
	}
	if (cli.user) {
		const char *colon = strchr(cli.user, ':');
		R.user = colon ? strndup(cli.user, (size_t)(colon - cli.user)) : strdup(cli.user);
		if (colon) {
			R.pass = strdup(colon + 1);
		} else {
			char prompt[300], buf[1024];
			snprintf(prompt, sizeof(prompt), "Password for %.200s: ", R.user);
			if (readpassphrase(prompt, buf, sizeof(buf), RPP_REQUIRE_TTY) == NULL) {
				code = usage_error("-u USER has no password and there is no terminal to ask for it");
				goto out;
			}
			R.pass = strdup(buf);
			explicit_bzero(buf, sizeof(buf));
		}
	}
	char netrc_buf[4096];
	if (cli.netrc_file) {
		R.netrc_path = cli.netrc_file;
	} else if (cli.netrc) {
		const char *env = getenv("NETRC"), *home = getenv("HOME");
		if (env && *env)
			R.netrc_path = env;
		else if (home && snprintf(netrc_buf, sizeof(netrc_buf), "%s/.netrc", home) > 0)
			R.netrc_path = netrc_buf;
	}
	R.progress_ok = !cli.silent && isatty(STDERR_FILENO);
	int print = cli.print;
	if (print == 0)
		print = isatty(STDOUT_FILENO) ? PRINT_RESP_HEAD | PRINT_RESP_BODY : PRINT_RESP_BODY;
	out_init(&R.out, print, cli.verbose, cli.silent, body_fd, cli.output ? cli.output : "standard output",
		 cli.color);

	R.cfg = (struct hc_conn_cfg){
		.family = cli.family,
		.connect_timeout_ms = cli.connect_timeout_ms,
		.timeout_ms = cli.timeout_ms,
		.source_addr = cli.source_addr,
		.source_port = cli.source_port,
		.blocksize = cli.blocksize,
		.max_headers = cli.max_headers,
		.unix_path = cli.unix_socket,
		.resolve = cli.resolve,
		.nresolve = cli.nresolve,
		.trace = out_trace,
		.trace_ud = &R.out,
		.debuglevel = cli.verbose,
		.trace_body = (print & PRINT_REQ_BODY) != 0,
		.tls = &cli.tls,
		.progress = R.progress_ok ? upload_progress : NULL,
		.tick = R.progress_ok ? progress_wait : NULL,
		.progress_ud = &R,
	};
	conn_init(&R.conn, &R.cfg);
	for (size_t i = 0; i < cli.nurls; i++) {
		int c = run_url(&R, i);
		if (c && !code)
			code = c;
		if (c && (cli.fail_early || c == hc_err_exit(HC_EWRITE)))
			break;
	}
	conn_free(&R.conn);
	explicit_bzero(pass, sizeof(pass));
	if (cli.output && close(body_fd) < 0 && !code) {
		snprintf(err, sizeof(err), "%s: %s", cli.output, strerror(errno));
		code = fail(HC_EWRITE, err);
	}
out:
	free(R.wfmt);
	proxy_free(&R.proxies);
	free(R.user);
	if (R.pass)
		explicit_bzero(R.pass, strlen(R.pass));
	free(R.pass);
	if (R.body_owned_fd >= 0)
		close(R.body_owned_fd);
	tls_global_free();
	args_free(&cli);
	return code;
}
