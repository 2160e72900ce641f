/* The seed's HTTPConnection: resolve, connect, keep-alive, close. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "http.h"
#include "tls.h"

void conn_init(struct hc_conn *c, const struct hc_conn_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->fd = -1;
}

enum hc_err conn_seterr(struct hc_conn *c, enum hc_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->cond = HC_COND_NONE;
	return e;
}

enum hc_err conn_seterr_cond(struct hc_conn *c, enum hc_err e, enum hc_cond cond, const char *fmt,
			     ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->cond = cond;
	return e;
}

void conn_info(struct hc_conn *c, const char *fmt, ...)
{
	char line[512];
	if (c->cfg->trace == NULL || c->cfg->debuglevel < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	c->cfg->trace(c->cfg->trace_ud, HC_TR_INFO, line,
		      (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static bool same_proxy(const struct hc_proxy *a, const struct hc_proxy *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->port == b->port && strcasecmp(a->host, b->host) == 0 &&
	       (a->auth == NULL) == (b->auth == NULL) && (!a->auth || !strcmp(a->auth, b->auth));
}

bool conn_matches(const struct hc_conn *c, const char *host, unsigned port, bool tls,
		  const struct hc_proxy *proxy)
{
	return c->host != NULL && c->port == port && c->tls == tls &&
	       strcasecmp(c->host, host) == 0 && same_proxy(c->proxy, proxy);
}

enum hc_err conn_target(struct hc_conn *c, const char *host, unsigned port, bool tls,
			const struct hc_proxy *proxy)
{
	if (conn_matches(c, host, port, tls, proxy)) {
		c->proxy = proxy;
		return HC_OK;
	}
	conn_close(c);
	free(c->host);
	c->host = strdup(host);
	c->port = port;
	c->tls = tls;
	c->proxy = proxy;
	return c->host ? HC_OK : HC_ENOMEM;
}

bool conn_needs_tunnel(const struct hc_conn *c)
{
	return c->proxy && c->tls;
}

/* The seed's _tunnel(): CONNECT host:port, then the proxy's answer through the same parser. */
enum hc_err conn_tunnel_head(struct hc_conn *c, struct hc_headbuf *hb)
{
	enum hc_err rc;
	/* authority-form needs the port even when it is the default; the host goes whole */
	char *target = NULL;
	if (asprintf(&target, strchr(c->host, ':') ? "[%s]:%u" : "%s:%u", c->host, c->port) < 0)
		return HC_ENOMEM;
	if ((rc = hb_adds(hb, "CONNECT ")) || (rc = hb_adds(hb, target)) ||
	    (rc = hb_adds(hb, " HTTP/1.1\r\n")) || (rc = req_putheader(c, hb, "Host", target)))
		goto out;
	if (c->proxy->auth)
		rc = req_putheader(c, hb, "Proxy-Authorization", c->proxy->auth);
	for (size_t i = 0; rc == HC_OK && i < c->proxy->nheaders; i++)
		rc = req_putheader(c, hb, c->proxy->headers[i].name, c->proxy->headers[i].value);
	if (rc == HC_OK)
		rc = hb_add(hb, "\r\n", 2);
	if (rc == HC_OK && c->cfg->trace)
		c->cfg->trace(c->cfg->trace_ud, HC_TR_REQ_HEAD, hb->p, hb->len);
out:
	free(target);
	return rc;
}

enum hc_err conn_tunnel_answer(struct hc_conn *c, const struct hc_response *r, enum hc_err rc)
{
	if (rc == HC_OK && (r->status < 200 || r->status > 299)) {
		rc = conn_seterr(c, HC_EPROXY, "the proxy refused CONNECT to %s port %u: %s",
				 c->host, c->port, r->status_line);
	} else if (rc == HC_OK && c->start != c->end) {
		/* the origin's TLS starts on a clean stream: the proxy cannot speak for it */
		rc = conn_seterr(
		    c, HC_EPROXY,
		    "the proxy sent %zu bytes after its %d reply to CONNECT, before the "
		    "tunnel was up",
		    c->end - c->start, r->status);
	} else if (rc == HC_OK) {
		conn_info(c, "Tunnel to %s port %u through the proxy: %s", c->host, c->port,
			  r->status_line);
		c->tunnel = true;
	} else if (rc != HC_ETIMEOUT && rc != HC_ENOMEM) {
		char msg[HC_ERRBUF];
		snprintf(msg, sizeof(msg), "%s", c->err);
		rc = conn_seterr(c, HC_EPROXY, "bad reply from the proxy to CONNECT: %s", msg);
	}
	if (rc)
		conn_close(c);
	return rc;
}

bool conn_is_open(const struct hc_conn *c)
{
	return c->fd >= 0;
}

bool conn_room(const struct hc_conn *c)
{
	if (c->h2 && h2_usable(c))
		return true;
	/* h1, closed, or a session going away (the next transfer dials anew) */
	if (c->users > 0 || c->dialer)
		return false;
	return !conn_is_open(c) || c->h2 || c->reusable;
}

void conn_check_idle(struct hc_conn *c)
{
	if (c->fd < 0)
		return;
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
		;
	if (r == 0 && c->start == c->end && !tls_pending(c))
		return;
	/* RFC 9112 §6.3 and §9.3: unasked-for bytes, a close or an error; never reused */
	conn_info(c, "The idle connection to %s %s; opening a new one", c->host,
		  r > 0 && (p.revents & (POLLHUP | POLLERR)) ? "was closed" : "has unread data");
	conn_close(c);
}

static const char *resolve_override(const struct hc_conn *c, const char *host, unsigned port)
{
	for (size_t i = 0; i < c->cfg->nresolve; i++) {
		const struct hc_resolve *r = &c->cfg->resolve[i];
		if (r->port == port && strcasecmp(r->host, host) == 0)
			return r->addr;
	}
	return NULL;
}

/*
 * RFC 6761 §6.3: localhost and the names under it are the loopback addresses, answered here
 * without the resolver (whose configuration files, NSS set-up and their heap a run would
 * otherwise carry: about 200 KiB of a tiny HTTPS GET's peak). ::1 first, then 127.0.0.1, as
 * getaddrinfo orders them (RFC 6724) and as curl does; -4 or -6 keeps one.
 */
struct loopback {
	struct addrinfo ai[2]; /* first: d->res points at the whole block */
	struct sockaddr_in6 v6;
	struct sockaddr_in v4;
};

static int loopback_addrs(struct hc_dial *d, int family, unsigned port)
{
	struct loopback *lo = calloc(1, sizeof(*lo));
	if (lo == NULL)
		return EAI_MEMORY;
	lo->v6 = (struct sockaddr_in6){.sin6_family = AF_INET6,
				       .sin6_port = htons((uint16_t)port),
				       .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	lo->v4 = (struct sockaddr_in){.sin_family = AF_INET,
				      .sin_port = htons((uint16_t)port),
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	size_t n = 0;
	if (family != AF_INET)
		lo->ai[n++] = (struct addrinfo){.ai_family = AF_INET6,
						.ai_socktype = SOCK_STREAM,
						.ai_protocol = IPPROTO_TCP,
						.ai_addrlen = sizeof(lo->v6),
						.ai_addr = (struct sockaddr *)&lo->v6};
	if (family != AF_INET6)
		lo->ai[n++] = (struct addrinfo){.ai_family = AF_INET,
						.ai_socktype = SOCK_STREAM,
						.ai_protocol = IPPROTO_TCP,
						.ai_addrlen = sizeof(lo->v4),
						.ai_addr = (struct sockaddr *)&lo->v4};
	if (n == 2)
		lo->ai[0].ai_next = &lo->ai[1];
	d->res = lo->ai;
	d->res_loopback = true;
	return 0;
}

/* Start connecting one address: 0 with *fd connected or in progress (*pending), or an errno value. */
static int dial_one(struct hc_conn *c, const struct sockaddr *sa, socklen_t salen, int *fd,
		    bool *pending)
{
	*pending = false;
	int s = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errno;
	if (c->cfg->source_addr && sa->sa_family != AF_UNIX) {
		struct addrinfo hints = {.ai_family = sa->sa_family,
					 .ai_socktype = SOCK_STREAM,
					 .ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV};
		struct addrinfo *src = NULL;
		char port[8];
		snprintf(port, sizeof(port), "%u", c->cfg->source_port);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (getaddrinfo(c->cfg->source_addr, port, &hints, &src) != 0) {
			close(s);
			return EAFNOSUPPORT;
		}
		int r = bind(s, src->ai_addr, src->ai_addrlen);
		int e = errno;
		freeaddrinfo(src);
		if (r < 0) {
			close(s);
			return e;
		}
	}
	if (connect(s, sa, salen) < 0) {
		if (errno != EINPROGRESS) {
			int e = errno;
			close(s);
			return e;
		}
		*pending = true;
	}
	*fd = s;
	return 0;
}

/* The socket is up: it becomes the connection's. */
static void dial_done(struct hc_conn *c, struct hc_dial *d)
{
	if (d->addr->sa_family != AF_UNIX) {
		int one = 1;
		setsockopt(d->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c->fd = d->fd;
	d->fd = -1;
}

static enum hc_err dial_unix(struct hc_conn *c, struct hc_dial *d)
{
	if (strlen(c->cfg->unix_path) >= sizeof(d->sun.sun_path))
		return conn_seterr(c, HC_ECONNECT, "unix socket path too long");
	d->sun = (struct sockaddr_un){.sun_family = AF_UNIX};
	memcpy(d->sun.sun_path, c->cfg->unix_path, strlen(c->cfg->unix_path) + 1);
	d->addr = (struct sockaddr *)&d->sun;
	bool pending;
	int e = dial_one(c, d->addr, sizeof(d->sun), &d->fd, &pending);
	if (e)
		return conn_seterr(c, HC_ECONNECT, "could not connect to %s: %s", c->cfg->unix_path,
				   strerror(e));
	if (!pending)
		dial_done(c, d);
	return HC_OK;
}

/* The unix socket is up: what conn_dial_step does for TCP. */
static void unix_up(struct hc_conn *c)
{
	snprintf(c->remote_ip, sizeof(c->remote_ip), "%s", c->cfg->unix_path);
	conn_info(c, "Connected to %s (unix socket)", c->cfg->unix_path);
	c->tm.namelookup = c->tm.connect = hc_now_ns() - c->tm.t0;
}

/* From d->ai on: the first address whose connect does not fail at once. */
static void dial_next(struct hc_conn *c, struct hc_dial *d)
{
	for (; d->ai; d->ai = d->ai->ai_next) {
		struct addrinfo *ai = d->ai;
		void *a = ai->ai_family == AF_INET6
				  ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
				  : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		snprintf(d->ip, sizeof(d->ip), "?");
		inet_ntop(ai->ai_family, a, d->ip, sizeof(d->ip));
		conn_info(c, "Trying %s port %u", d->ip, d->peer_port);
		d->addr = ai->ai_addr;
		bool pending;
		d->last = dial_one(c, ai->ai_addr, ai->ai_addrlen, &d->fd, &pending);
		if (d->last == 0) {
			if (!pending)
				dial_done(c, d);
			return;
		}
		conn_info(c, "%s port %u: %s", d->ip, d->peer_port, strerror(d->last));
	}
}

enum hc_err conn_dial_start(struct hc_conn *c, struct hc_dial *d)
{
	*d = (struct hc_dial){.fd = -1, .last = ECONNREFUSED};
	d->until = tr_connect_deadline(c);
	c->tunnel = false;
	c->start = c->end = 0;
	c->eof = false;
	c->tls_unclean = false;
	c->reusable = false;
	c->nrequests = 0;
	if (c->buf == NULL) {
		c->cap = HC_RECV_BUF;
		if ((c->buf = malloc(c->cap)) == NULL)
			return HC_ENOMEM;
	}
	if (c->cfg->unix_path) {
		enum hc_err rc = dial_unix(c, d);
		if (rc == HC_OK && d->fd < 0)
			unix_up(c);
		return rc;
	}

	d->peer = c->proxy ? c->proxy->host : c->host;
	d->peer_port = c->proxy ? c->proxy->port : c->port;
	const char *name = resolve_override(c, d->peer, d->peer_port);
	struct addrinfo hints = {.ai_family = c->cfg->family,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | (name ? AI_NUMERICHOST : 0)};
	char port[8];
	snprintf(port, sizeof(port), "%u", d->peer_port);
	bool loopback = name == NULL && url_is_localhost(d->peer); /* --resolve comes first */
	if (name == NULL)
		name = d->peer;
	conn_info(c, "Resolving %s%s", name, c->proxy ? " (proxy)" : "");
	int g = loopback ? loopback_addrs(d, c->cfg->family, d->peer_port)
			 : getaddrinfo(name, port, &hints, &d->res);
	if (g == EAI_ADDRFAMILY || (g == EAI_NONAME && url_is_ip_literal(name)))
		return conn_seterr_cond(
		    c, HC_ECONNECT, c->cfg->family == AF_INET ? HC_COND_IPV4_ONLY : HC_COND_IPV6_ONLY,
		    "cannot connect to %s over %s", name, c->cfg->family == AF_INET ? "IPv4" : "IPv6");
	if (g != 0) {
		d->res = NULL;
		return conn_seterr(c, c->proxy ? HC_EPROXYRESOLVE : HC_ERESOLVE,
				   "could not resolve %s '%s': %s", c->proxy ? "proxy" : "host", name,
				   g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
	}
	c->tm.namelookup = hc_now_ns() - c->tm.t0;
	d->ai = d->res;
	dial_next(c, d);
	return conn_dial_step(c, d, 0);
}

enum hc_err conn_dial_step(struct hc_conn *c, struct hc_dial *d, short revents)
{
	if (d->fd >= 0 && (revents || d->expired)) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (d->expired) {
			d->timed_out = true;
			err = ETIMEDOUT;
		} else {
			getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		}
		if (err == 0) {
			dial_done(c, d);
		} else {
			close(d->fd);
			d->fd = -1;
			d->last = err;
			if (c->cfg->unix_path == NULL) {
				conn_info(c, "%s port %u: %s", d->ip, d->peer_port, strerror(err));
				if (!d->timed_out && (d->ai = d->ai->ai_next))
					dial_next(c, d);
			}
		}
	}
	if (d->fd >= 0)
		return HC_OK; /* in progress: wait for POLLOUT until d->until */
	if (c->cfg->unix_path) {
		if (d->timed_out)
			return conn_seterr(c, HC_ETIMEOUT, "connecting to %s timed out",
					   c->cfg->unix_path);
		if (c->fd < 0)
			return conn_seterr(c, HC_ECONNECT, "could not connect to %s: %s",
					   c->cfg->unix_path, strerror(d->last));
		unix_up(c);
		return HC_OK;
	}
	if (c->fd >= 0) {
		snprintf(c->remote_ip, sizeof(c->remote_ip), "%s", d->ip);
		c->remote_port = d->peer_port;
		c->tm.connect = hc_now_ns() - c->tm.t0;
		conn_info(c, "Connected to %s (%s) port %u", d->peer, c->remote_ip, d->peer_port);
		return HC_OK;
	}
	if (d->timed_out)
		return conn_seterr(c, HC_ETIMEOUT, "connecting to %s port %u timed out", d->peer,
				   d->peer_port);
	return conn_seterr(c, HC_ECONNECT, "could not connect to %s%s port %u: %s",
			   c->proxy ? "proxy " : "", d->peer, d->peer_port, strerror(d->last));
}

enum hc_err conn_dial_finish(struct hc_conn *c)
{
	enum hc_err rc;
	if (c->tls && (rc = tls_start(c))) {
		conn_close(c);
		return rc;
	}
	if (!c->tls)
		c->tm.appconnect = hc_now_ns() - c->tm.t0;
	return HC_OK;
}

enum hc_err conn_tls_step(struct hc_conn *c, short *wait)
{
	enum hc_err rc = tls_handshake_step(c, wait);
	if (rc) {
		conn_close(c);
		return rc;
	}
	if (*wait == 0)
		c->tm.appconnect = hc_now_ns() - c->tm.t0;
	return HC_OK;
}

enum hc_err conn_tls_timed_out(struct hc_conn *c)
{
	enum hc_err rc = tls_handshake_timed_out(c);
	conn_close(c);
	return rc;
}

void conn_dial_free(struct hc_dial *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->res_loopback)
		free(d->res);
	else if (d->res)
		freeaddrinfo(d->res);
	d->res = d->ai = NULL;
	d->res_loopback = false;
}

void conn_close(struct hc_conn *c)
{
	if (c->fd >= 0)
		conn_info(c, "Closing connection to %s", c->host ? c->host : "?");
	h2_conn_free(c);
	c->alpn_h2 = false;
	tr_close(c);
	req_stage_close(c);
	c->start = c->end = 0;
	c->reusable = false;
	c->nrequests = 0;
}

void conn_free(struct hc_conn *c)
{
	conn_close(c);
	free(c->host);
	free(c->buf);
	free(c->sbuf);
	c->host = c->buf = c->sbuf = NULL;
}
