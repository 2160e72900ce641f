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

bool conn_matches(const struct hc_conn *c, const char *host, unsigned port, bool tls)
{
	return c->host != NULL && c->port == port && c->tls == tls && strcasecmp(c->host, host) == 0;
}

enum hc_err conn_target(struct hc_conn *c, const char *host, unsigned port, bool tls)
{
	if (conn_matches(c, host, port, tls))
		return HC_OK;
	conn_close(c);
	free(c->host);
	c->host = strdup(host);
	c->port = port;
	c->tls = tls;
	return c->host ? HC_OK : HC_ENOMEM;
}

bool conn_is_open(const struct hc_conn *c)
{
	return c->fd >= 0;
}

static int remaining_ms(int64_t until)
{
	int64_t left = until - hc_now_ns();
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* Connect one address within the deadline: 0, or an errno value. */
static int try_connect(struct hc_conn *c, const struct sockaddr *sa, socklen_t salen, int64_t until,
		       bool *timed_out)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (c->cfg->source_addr && sa->sa_family != AF_UNIX) {
		struct addrinfo hints = {.ai_family = sa->sa_family,
					 .ai_socktype = SOCK_STREAM,
					 .ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV};
		struct addrinfo *src = NULL;
		char port[8];
		snprintf(port, sizeof(port), "%u", c->cfg->source_port);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (getaddrinfo(c->cfg->source_addr, port, &hints, &src) != 0) {
			close(fd);
			return EAFNOSUPPORT;
		}
		int r = bind(fd, src->ai_addr, src->ai_addrlen);
		int e = errno;
		freeaddrinfo(src);
		if (r < 0) {
			close(fd);
			return e;
		}
	}
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS) {
			int e = errno;
			close(fd);
			return e;
		}
		for (;;) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int ms = until ? remaining_ms(until) : -1;
			int r = poll(&p, 1, ms);
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0) {
				close(fd);
				*timed_out = true;
				return ETIMEDOUT;
			}
			break;
		}
		int err = 0;
		socklen_t el = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			close(fd);
			return err;
		}
	}
	if (sa->sa_family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c->fd = fd;
	return 0;
}

static const char *resolve_override(const struct hc_conn *c)
{
	for (size_t i = 0; i < c->cfg->nresolve; i++) {
		const struct hc_resolve *r = &c->cfg->resolve[i];
		if (r->port == c->port && strcasecmp(r->host, c->host) == 0)
			return r->addr;
	}
	return NULL;
}

static enum hc_err connect_unix(struct hc_conn *c, int64_t until)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(c->cfg->unix_path) >= sizeof(sun.sun_path))
		return conn_seterr(c, HC_ECONNECT, "unix socket path too long");
	memcpy(sun.sun_path, c->cfg->unix_path, strlen(c->cfg->unix_path) + 1);
	bool to = false;
	int e = try_connect(c, (struct sockaddr *)&sun, sizeof(sun), until, &to);
	if (to)
		return conn_seterr(c, HC_ETIMEOUT, "connecting to %s timed out", c->cfg->unix_path);
	if (e)
		return conn_seterr(c, HC_ECONNECT, "could not connect to %s: %s", c->cfg->unix_path,
				   strerror(e));
	snprintf(c->remote_ip, sizeof(c->remote_ip), "%s", c->cfg->unix_path);
	conn_info(c, "Connected to %s (unix socket)", c->cfg->unix_path);
	return HC_OK;
}

static bool is_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int64_t connect_deadline(const struct hc_conn *c)
{
	int64_t until = 0;
	if (c->cfg->connect_timeout_ms >= 0)
		until = hc_now_ns() + (int64_t)c->cfg->connect_timeout_ms * 1000000;
	if (c->cfg->deadline_ns && (until == 0 || c->cfg->deadline_ns < until))
		until = c->cfg->deadline_ns;
	return until;
}

enum hc_err conn_connect(struct hc_conn *c)
{
	int64_t until = connect_deadline(c);
	enum hc_err rc;

	c->start = c->end = 0;
	c->eof = false;
	c->reusable = false;
	c->nrequests = 0;
	if (c->buf == NULL) {
		c->cap = HC_RECV_BUF;
		if ((c->buf = malloc(c->cap)) == NULL)
			return HC_ENOMEM;
	}
	if (c->cfg->unix_path) {
		if ((rc = connect_unix(c, until)))
			return rc;
		c->tm.namelookup = c->tm.connect = hc_now_ns() - c->tm.t0;
		goto connected;
	}

	const char *name = resolve_override(c);
	struct addrinfo hints = {.ai_family = c->cfg->family,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | (name ? AI_NUMERICHOST : 0)};
	struct addrinfo *res = NULL;
	char port[8];
	snprintf(port, sizeof(port), "%u", c->port);
	if (name == NULL)
		name = c->host;
	conn_info(c, "Resolving %s", name);
	int g = getaddrinfo(name, port, &hints, &res);
	if (g == EAI_ADDRFAMILY || (g == EAI_NONAME && is_literal(name)))
		return conn_seterr(c, HC_ECONNECT, "cannot connect to %s over %s", name,
				   c->cfg->family == AF_INET ? "IPv4 (-4)" : "IPv6 (-6)");
	if (g != 0)
		return conn_seterr(c, HC_ERESOLVE, "could not resolve host '%s': %s", name,
				   g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
	c->tm.namelookup = hc_now_ns() - c->tm.t0;

	int last = ECONNREFUSED;
	bool timed_out = false;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char ip[INET6_ADDRSTRLEN] = "?";
		void *a = ai->ai_family == AF_INET6
				  ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
				  : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		inet_ntop(ai->ai_family, a, ip, sizeof(ip));
		conn_info(c, "Trying %s port %u", ip, c->port);
		last = try_connect(c, ai->ai_addr, ai->ai_addrlen, until, &timed_out);
		if (last == 0) {
			snprintf(c->remote_ip, sizeof(c->remote_ip), "%s", ip);
			c->remote_port = c->port;
			break;
		}
		conn_info(c, "%s port %u: %s", ip, c->port, strerror(last));
		if (timed_out)
			break;
	}
	freeaddrinfo(res);
	if (timed_out)
		return conn_seterr(c, HC_ETIMEOUT, "connecting to %s port %u timed out", c->host,
				   c->port);
	if (last != 0)
		return conn_seterr(c, HC_ECONNECT, "could not connect to %s port %u: %s", c->host,
				   c->port, strerror(last));
	c->tm.connect = hc_now_ns() - c->tm.t0;
	conn_info(c, "Connected to %s (%s) port %u", c->host, c->remote_ip, c->port);
connected:
	if (c->tls && (rc = tls_connect(c))) {
		conn_close(c);
		return rc;
	}
	c->tm.appconnect = hc_now_ns() - c->tm.t0;
	return HC_OK;
}

void conn_close(struct hc_conn *c)
{
	if (c->fd >= 0)
		conn_info(c, "Closing connection to %s", c->host ? c->host : "?");
	tr_close(c);
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
