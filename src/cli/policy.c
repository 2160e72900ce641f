/* Proxy choice (curl's environment rules), credentials, redirect and retry rules. */
#include <arpa/inet.h>
#include <bsd/stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "run.h"

char *auth_basic(const char *user, const char *pass)
{
	size_t ul = strlen(user), pl = strlen(pass);
	char *cred = malloc(ul + pl + 2), *val = malloc(6 + 4 * ((ul + pl + 3) / 3) + 1);
	if (cred == NULL || val == NULL) {
		free(cred);
		free(val);
		return NULL;
	}
	memcpy(cred, user, ul);
	cred[ul] = ':';
	memcpy(cred + ul + 1, pass, pl);
	memcpy(val, "Basic ", 6);
	hc_base64((unsigned char *)cred, ul + pl + 1, val + 6);
	explicit_bzero(cred, ul + pl + 1);
	free(cred);
	return val;
}

void auth_free(char *auth)
{
	if (auth)
		freezero(auth, strlen(auth));
}

static void wipe(char *s)
{
	if (s)
		freezero(s, strlen(s));
}

/* -u or -a, else the URL's userinfo, else netrc's: copies, wiped by the caller. */
static bool creds_for(struct run *R, const struct hop_in *h, char **user, char **pass)
{
	*user = *pass = NULL;
	if (R->user) {
		*user = strdup(R->user);
		*pass = strdup(R->pass ? R->pass : "");
	} else if (h->url_user) {
		*user = strdup(h->url_user);
		*pass = strdup(h->url_pass ? h->url_pass : "");
	} else if (R->netrc_path) {
		char err[HC_ERRBUF];
		int r = netrc_lookup(R->netrc_path, h->url.host, user, pass, err, sizeof(err));
		bool quiet = r == -2 && !R->cli->netrc_file; /* no ~/.netrc is no news */
		if (r < 0 && !quiet && !R->netrc_warned++)
			out_warn(&R->out, "%s", err);
	}
	if (*user && *pass)
		return true;
	wipe(*user);
	wipe(*pass);
	*user = *pass = NULL;
	return false;
}

static bool dg_for(const struct auth_digest *d, const struct hc_url *u)
{
	return d->have && d->port == u->port && d->https == u->https &&
	       strcasecmp(d->host, u->host) == 0;
}

void auth_digest_free(struct auth_digest *d)
{
	free(d->host);
	explicit_bzero(d, sizeof(*d));
}

/* A new challenge for this origin: its nonce counts from 1 again (RFC 7616 §3.4). */
static bool dg_keep(struct auth_digest *d, const struct hc_url *u, const struct dg_challenge *c)
{
	char *host = strdup(u->host);
	if (host == NULL)
		return false;
	auth_digest_free(d);
	*d = (struct auth_digest){
	    .have = true, .ch = *c, .host = host, .port = u->port, .https = u->https};
	return true;
}

char *auth_value(struct run *R, const struct hop_in *h, const char *target, bool *digest)
{
	char *user, *pass, *v = NULL;
	*digest = false;
	if (h->drop_creds)
		return NULL;
	if (R->auth == AUTH_BEARER) {
		if (R->token && asprintf(&v, "Bearer %s", R->token) < 0)
			v = NULL;
		return v;
	}
	/* Digest credentials answer a challenge: none known for this origin, none sent */
	if ((R->auth == AUTH_DIGEST && !dg_for(&R->dg, &h->url)) || !creds_for(R, h, &user, &pass))
		return NULL;
	if (R->auth == AUTH_DIGEST) {
		char cnonce[33];
		dg_cnonce(cnonce);
		v = dg_response(&R->dg.ch, user, pass, h->method, target, ++R->dg.nc, cnonce);
		*digest = v != NULL;
	} else {
		v = auth_basic(user, pass);
	}
	wipe(user);
	wipe(pass);
	return v;
}

bool auth_holds_body(const struct run *R, const struct hop_in *h, bool digest_sent)
{
	/* as curl for multi-pass schemes: the body goes once, with the credentials */
	return R->auth == AUTH_DIGEST && !digest_sent && !h->drop_creds &&
	       h->body->kind != HC_BODY_NONE && !req_body_replayable(h->body) &&
	       (R->user || h->url_user || R->netrc_path);
}

bool auth_retry(struct run *R, struct hop *h, const struct hc_response *resp, bool digest_sent)
{
	struct hop_in *in = &h->in;
	struct dg_challenge c;
	char *user, *pass;
	if (R->auth != AUTH_DIGEST || in->drop_creds || in->auth_retries >= 3)
		return false;
	/* a body from a pipe went with those credentials: it cannot go again */
	if (digest_sent && !req_body_replayable(in->body))
		return false;
	char *v = hdr_get_joined(&resp->hdrs, "WWW-Authenticate");
	bool usable = v && dg_parse(v, strlen(v), &c);
	free(v);
	if (!usable) /* no challenge hcli can answer: the 401 is the answer */
		return false;
	if (digest_sent && in->dg_answered) {
		/* refused credentials are final; an expired nonce (stale=true) is tried once more
		 */
		if (!c.stale || in->stale_retried)
			return false;
		in->stale_retried = true;
	}
	bool ok = creds_for(R, in, &user, &pass) && dg_keep(&R->dg, &in->url, &c);
	wipe(user);
	wipe(pass);
	if (ok) {
		in->dg_answered = true;
		in->auth_retries++;
		conn_info(resp->c, "Answering the %s Digest challenge%s", dg_alg_name(c.alg),
			  c.stale ? " (stale nonce)" : "");
	}
	explicit_bzero(&c, sizeof(c));
	return ok;
}

/* http://[user:pass@]host[:port]; the port defaults to 1080, as curl's. */
static enum hc_err parse_proxy(const char *s, struct hc_proxy *p, char *err, size_t errlen)
{
	struct hc_url u;
	char e[HC_ERRBUF];
	enum hc_err rc = url_parse(s, true, &u, e, sizeof(e));
	if (rc == HC_OK && u.https)
		rc = HC_EPROTO, snprintf(e, sizeof(e), "https:// proxies are not supported");
	if (rc) {
		size_t pl = 0;
		const char *pw = url_password(s, &pl); /* not shown */
		snprintf(err, errlen, "proxy '%.*s%s%s': %s", pw ? (int)(pw - s) : (int)strlen(s), s,
			 pw ? "***" : "", pw ? pw + pl : "", e);
		url_free(&u);
		return rc;
	}
	const char *auth = strstr(s, "://");
	auth = auth ? auth + 3 : s;
	const char *at = strchr(auth, '@');
	const char *hostpart = at && at < auth + strcspn(auth, "/?#") ? at + 1 : auth;
	size_t hl = strcspn(hostpart, "/?#");
	const char *rb = memchr(hostpart, ']', hl);
	const char *colon = memchr(rb ? rb : hostpart, ':', hl - (size_t)((rb ? rb : hostpart) - hostpart));
	p->host = u.host;
	p->port = colon ? u.port : 1080;
	p->auth = u.user ? auth_basic(u.user, u.pass) : NULL;
	u.host = NULL;
	url_free(&u);
	return HC_OK;
}

static const char *env2(const char *a, const char *b)
{
	const char *v = getenv(a);
	if ((v == NULL || !*v) && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

enum hc_err proxy_setup(struct proxies *p, const struct cli *cli, char *err, size_t errlen)
{
	const char *http, *https;
	enum hc_err rc;
	memset(p, 0, sizeof(*p));
	if (cli->proxy_set) {
		http = https = *cli->proxy ? cli->proxy : NULL;
		p->noproxy = cli->noproxy;
	} else {
		/* HTTP_PROXY is not read: under CGI it is the client's Proxy: header */
		const char *all = env2("all_proxy", "ALL_PROXY");
		http = env2("http_proxy", NULL);
		https = env2("https_proxy", "HTTPS_PROXY");
		http = http ? http : all;
		https = https ? https : all;
		p->noproxy = cli->noproxy ? cli->noproxy : env2("no_proxy", "NO_PROXY");
	}
	if (http && (rc = parse_proxy(http, &p->http, err, errlen)))
		return rc;
	if (https && (rc = parse_proxy(https, &p->https, err, errlen)))
		return rc;
	p->http.headers = p->https.headers = cli->proxy_hdrs;
	p->http.nheaders = p->https.nheaders = cli->nproxy_hdrs;
	return HC_OK;
}

const struct hc_proxy *proxy_for(const struct proxies *p, const struct hc_url *u)
{
	const struct hc_proxy *px = u->https ? &p->https : &p->http;
	if (px->host == NULL)
		return NULL;
	if (p->noproxy && noproxy_match(p->noproxy, u->host))
		return NULL;
	return px;
}

void proxy_free(struct proxies *p)
{
	free(p->http.host);
	auth_free(p->http.auth);
	free(p->https.host);
	auth_free(p->https.auth);
}

/* addr inside net/bits? Both of one family. */
static bool in_cidr(const unsigned char *addr, const unsigned char *net, long bits)
{
	for (long i = 0; bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
		if ((addr[i] & mask) != (net[i] & mask))
			return false;
	}
	return true;
}

static bool match_entry(const char *e, size_t n, const char *host)
{
	char entry[300];
	unsigned char ha[16], ea[16];
	if (n == 0 || n >= sizeof(entry))
		return false;
	memcpy(entry, e, n);
	entry[n] = '\0';
	if (strcmp(entry, "*") == 0)
		return true;
	if (entry[0] == '[' && entry[n - 1] == ']') {
		memmove(entry, entry + 1, n - 2);
		entry[n - 2] = '\0';
	}
	int hf = inet_pton(AF_INET, host, ha) == 1 ? AF_INET
		 : inet_pton(AF_INET6, host, ha) == 1 ? AF_INET6
						      : 0;
	char *slash = strchr(entry, '/');
	if (slash) {
		*slash = '\0';
		char *end;
		long bits = strtol(slash + 1, &end, 10);
		int ef = inet_pton(AF_INET, entry, ea) == 1 ? AF_INET
			 : inet_pton(AF_INET6, entry, ea) == 1 ? AF_INET6
							      : 0;
		return ef && ef == hf && *end == '\0' && bits >= 0 &&
		       bits <= (ef == AF_INET ? 32 : 128) && in_cidr(ha, ea, bits);
	}
	if (hf) {
		int ef = inet_pton(hf, entry, ea) == 1;
		return ef && memcmp(ha, ea, hf == AF_INET ? 4 : 16) == 0;
	}
	/* a name matches itself and its subdomains; a leading dot is optional */
	const char *name = entry[0] == '.' ? entry + 1 : entry;
	size_t nl = strlen(name), hl = strlen(host);
	if (hl == nl)
		return strcasecmp(host, name) == 0;
	return hl > nl && host[hl - nl - 1] == '.' && strcasecmp(host + hl - nl, name) == 0;
}

bool noproxy_match(const char *list, const char *host)
{
	const char *e;
	size_t n;
	while (hdr_list_next(&list, &e, &n))
		if (match_entry(e, n, host))
			return true;
	return false;
}

/* netrc(5): machine NAME login L password P, or default; macdef bodies skipped. */
int netrc_lookup(const char *path, const char *host, char **login, char **password, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	*login = *password = NULL;
	if (f == NULL) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		return e == ENOENT ? -2 : -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fclose(f);
		snprintf(err, errlen, "%s is open to group or others; not using it (chmod 600 it)",
			 path);
		return -1;
	}
	char buf[BUFSIZ], tok[1024];
	char *val[4] = {NULL, NULL, NULL, NULL}; /* machine's login, password; default's */
	setvbuf(f, buf, _IOFBF, sizeof(buf)); /* stdio's copy of the file is zeroed below */
	enum { NONE, MATCH, OTHER, DEFAULT } state = NONE;
	bool matched = false;
	while (fscanf(f, "%1023s", tok) == 1) {
		if (!strcmp(tok, "machine") || !strcmp(tok, "default")) {
			if (matched)
				break;
			state = DEFAULT;
			if (tok[0] == 'm')
				state = fscanf(f, "%1023s", tok) == 1 && !strcasecmp(tok, host) ? MATCH
												: OTHER;
			matched = state == MATCH;
		} else if (!strcmp(tok, "login") || !strcmp(tok, "password")) {
			int k = (tok[0] == 'p') + (state == DEFAULT ? 2 : 0);
			if (fscanf(f, "%1023s", tok) != 1)
				break;
			if ((state == MATCH || state == DEFAULT) && val[k] == NULL)
				val[k] = strdup(tok);
		} else if (!strcmp(tok, "account")) {
			if (fscanf(f, "%1023s", tok) != 1)
				break;
		} else if (!strcmp(tok, "macdef")) {
			int ch, prev = 0; /* its body runs to an empty line */
			while ((ch = fgetc(f)) != EOF && !(ch == '\n' && prev == '\n'))
				prev = ch;
		}
	}
	fclose(f);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(tok, sizeof(tok));
	int k = matched && val[0] ? 0 : val[2] ? 2 : -1;
	if (k >= 0) {
		*login = val[k];
		*password = val[k + 1] ? val[k + 1] : strdup("");
		val[k] = val[k + 1] = NULL;
	}
	for (int i = 0; i < 4; i++)
		if (val[i])
			freezero(val[i], strlen(val[i]));
	return k >= 0 ? 0 : 1;
}

bool policy_is_redirect(int s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

bool policy_retry_status(int s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

bool policy_retry_error(enum hc_err e)
{
	/* could not connect, timeout, empty reply, send or receive failure; not a refused CONNECT */
	return e == HC_ECONNECT || e == HC_ETIMEOUT || e == HC_EEMPTY || e == HC_ESEND ||
	       e == HC_ERESET;
}

long policy_retry_after(const char *v)
{
	if (v == NULL)
		return -1;
	char *end;
	errno = 0;
	long s = strtol(v, &end, 10);
	if (end != v && *end == '\0' && errno == 0 && s >= 0)
		return s > 86400 ? 86400000 : s * 1000;
	/* RFC 9110 §5.6.7: IMF-fixdate */
	struct tm tm = {0};
	const char *r = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (r == NULL || *r)
		return -1;
	time_t when = timegm(&tm), now = time(NULL);
	return when <= now ? 0 : (long)(when - now > 86400 ? 86400000 : (when - now) * 1000);
}

/* The redirect and retry loop: the policies that drive the engine again. */

static const struct hc_body R_nobody = {.kind = HC_BODY_NONE, .fd = -1};

/* A retry's delay: a task that only waits for its deadline on the run's loop. */
static enum hc_err pause_step(struct hc_task *t, short revents)
{
	(void)t;
	(void)revents;
	return HC_OK;
}

static enum hc_err pause_over(struct hc_task *t)
{
	t->done = true;
	return HC_OK;
}

static const struct hc_task_ops pause_ops = {.step = pause_step, .expire = pause_over};

/* RFC 9110 §15.4: which method and body the next hop gets. */
static void redirect_method(struct hop_in *h, int status)
{
	if ((status == 301 || status == 302 || status == 303) && strcmp(h->method, "HEAD") != 0) {
		h->method = "GET";
		h->body = &R_nobody;
	}
}

static int follow(struct job *J)
{
	struct run *R = J->R;
	struct hop *h = &J->h;
	struct hc_url *u = &h->in.url;
	char err[HC_ERRBUF];
	if (h->in.hops >= R->cli->max_redirs) {
		snprintf(err, sizeof(err), "more than %ld redirects (--max-redirs)", R->cli->max_redirs);
		return cli_fail(HC_EREDIRS, err);
	}
	char *next = url_resolve(u, h->out.location);
	struct hc_url nu;
	if (next == NULL)
		return cli_fail(HC_ENOMEM, "out of memory");
	enum hc_err rc = url_parse(next, false, &nu, err, sizeof(err));
	if (rc) {
		char msg[HC_ERRBUF + 256];
		snprintf(msg, sizeof(msg), "redirect to '%.200s': %s", next, err);
		free(next);
		url_free(&nu);
		return cli_fail(rc, msg);
	}
	conn_info(&J->conn->c, "Redirect %d to %s", h->out.status, next);
	free(next);
	if (nu.https != u->https || nu.port != u->port || strcasecmp(nu.host, u->host) != 0)
		h->in.drop_creds = true;
	redirect_method(&h->in, h->out.status);
	if ((h->out.status == 307 || h->out.status == 308) && !req_body_replayable(h->in.body)) {
		url_free(&nu);
		return cli_fail(HC_EREAD, "cannot send the body again for the redirect: it was read from a pipe");
	}
	url_free(u);
	*u = nu;
	h->in.hops++;
	/* a new resource: its own challenge may come */
	h->in.auth_retries = 0;
	h->in.dg_answered = h->in.stale_retried = false;
	return -1; /* go on */
}

int job_begin(struct job *J)
{
	struct run *R = J->R;
	struct cli *cli = R->cli;
	struct hop *h = &J->h;
	h->in = (struct hop_in){
		.arg = cli->urls[J->i],
		.method = cli->method ? cli->method : cli->body != BODY_NONE ? "POST" : "GET",
		.body = &R->body,
		.t0 = hc_now_ns(),
	};
	struct hc_url *u = &h->in.url;
	char err[HC_ERRBUF];
	int code;
	/* args.c takes a later word without a scheme as a URL only when it looks like one */
	enum hc_err rc = url_parse(h->in.arg, true, u, err, sizeof(err));
	for (size_t q = 0; rc == HC_OK && q < cli->nquery; q++)
		rc = url_add_query(u, cli->query[q].name, cli->query[q].value);
	if (rc) {
		url_free(u);
		memset(u, 0, sizeof(*u));
		J->wc.tm.t0 = h->in.t0; /* -w: no transfer, no times */
		return cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : err);
	}
	if ((code = dl_prepare(J, u)))
		return code;
	h->in.url_user = u->user ? strdup(u->user) : NULL;
	h->in.url_pass = u->pass ? strdup(u->pass) : NULL;
	J->first = hc_now_ns();
	J->tries = 0;
	return 0;
}

void job_try(struct job *J)
{
	const struct cli *cli = J->R->cli;
	struct hop *h = &J->h;
	/* -m, as curl's: one clock for a try and the redirects it follows */
	if (cli->max_time_ms >= 0 && h->in.deadline == 0)
		h->in.deadline = hc_now_ns() + (int64_t)cli->max_time_ms * 1000000;
	/* curl's --retry-max-time: retries go on while the clock is under it */
	int64_t spent = (hc_now_ns() - J->first) / 1000000;
	h->in.may_retry = J->tries < cli->retry && req_body_replayable(h->in.body) &&
			  (cli->retry_max_time_ms < 0 || spent < cli->retry_max_time_ms);
	J->state = JOB_TRY;
}

void job_after(struct job *J, int code)
{
	struct run *R = J->R;
	const struct cli *cli = R->cli;
	struct hop *h = &J->h;
	if (code == 0 && h->out.pending && h->out.auth_retry) {
		job_try(J); /* the same request with Digest credentials */
		return;
	}
	if (code == 0 && h->out.pending && cli->location && policy_is_redirect(h->out.status) &&
	    h->out.location) {
		if ((code = follow(J)) >= 0)
			job_end(J, code);
		else
			job_try(J);
		return;
	}
	if (!h->in.may_retry || !(h->out.pending || h->out.quiet_error)) {
		job_end(J, code);
		return;
	}
	long delay = cli->retry_delay_ms >= 0 ? cli->retry_delay_ms
		     : J->tries < 10		  ? 1000L << J->tries
						  : 600000;
	if (h->out.retry_after >= 0 && h->out.pending)
		delay = h->out.retry_after;
	int64_t spent = (hc_now_ns() - J->first) / 1000000;
	if (cli->retry_max_time_ms >= 0 && spent + delay > cli->retry_max_time_ms)
		delay = cli->retry_max_time_ms > spent ? cli->retry_max_time_ms - spent : 0;
	J->tries++;
	out_warn(&J->out, "%s%s%s; retry %ld of %ld in %ld ms",
		 h->out.quiet_error ? hc_err_name(h->out.last_err) : "",
		 h->out.quiet_error ? ": " : "", h->out.why, J->tries, cli->retry, delay);
	h->out.pending = h->out.quiet_error = false;
	h->in.deadline = 0; /* a retry gets a clock of its own */
	/* the delay is the tool's policy: a deadline on the loop, while the other jobs go on */
	J->timer = (struct hc_task){.ops = &pause_ops, .fd = -1};
	loop_add(&R->loop, &J->timer);
	J->timer.deadline = hc_now_ns() + (int64_t)delay * 1000000;
	J->state = JOB_PAUSE;
}

void job_end(struct job *J, int code)
{
	struct hop *h = &J->h;
	if (h->out.quiet_error) /* cannot happen without may_retry; kept for safety */
		code = cli_fail(h->out.last_err, h->out.why);
	/* -w after every ending: success, a failed hop, a refused redirect, a bad URL */
	if (J->R->wfmt)
		code = exchange_report(J, code);
	resp_free(&h->out.last);
	free(h->out.location);
	h->out.location = NULL;
	free(h->in.url_user);
	if (h->in.url_pass)
		explicit_bzero(h->in.url_pass, strlen(h->in.url_pass));
	free(h->in.url_pass);
	h->in.url_user = h->in.url_pass = NULL;
	url_free(&h->in.url);
	memset(&h->in.url, 0, sizeof(h->in.url));
	J->code = code;
	J->state = JOB_DONE;
}
