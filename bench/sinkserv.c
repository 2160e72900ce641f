/* sinkserv: benchmark sink for HTTP/1.1 uploads.
 *
 * usage: sinkserv PORTFILE
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), forks one child per
 * connection. Each request body (Content-Length or chunked) is read and thrown
 * away; the answer is 201 Created with an empty body and an X-Received header
 * giving the body bytes seen. "Expect: 100-continue" gets an immediate 100.
 * Keep-alive is honoured. The process exits on its own after an hour (alarm).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serv.h"

#define BUFSZ (1u << 20)

struct rd {
	int fd;
	char *buf;
	size_t pos, len;
};

/* Make sure at least one unread byte is buffered; 0 at EOF or error. */
static int fill(struct rd *r)
{
	if (r->pos < r->len)
		return 1;
	r->pos = r->len = 0;
	for (;;) {
		ssize_t n = read(r->fd, r->buf, BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		r->len = (size_t)n;
		return 1;
	}
}

/* Read one line (CRLF or LF terminated) into out; -1 at EOF or if too long. */
static int getline_crlf(struct rd *r, char *out, size_t cap)
{
	size_t n = 0;
	for (;;) {
		if (!fill(r))
			return -1;
		char c = r->buf[r->pos++];
		if (c == '\n')
			break;
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return (int)n;
}

/* Discard n body bytes: the buffered ones, then straight from the socket
 * with MSG_TRUNC (Linux TCP drops the data without copying it out). */
static int skip(struct rd *r, unsigned long long n)
{
	size_t b = r->len - r->pos;
	if (b > n)
		b = (size_t)n;
	r->pos += b;
	n -= b;
	while (n > 0) {
		size_t want = n > (1u << 30) ? (1u << 30) : (size_t)n;
		ssize_t got = recv(r->fd, NULL, want, MSG_TRUNC);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EINVAL || errno == EOPNOTSUPP || errno == EFAULT)) {
			size_t w = want > BUFSZ ? BUFSZ : want;
			got = read(r->fd, r->buf, w);
			r->pos = r->len = 0;
		}
		if (got <= 0)
			return -1;
		n -= (unsigned long long)got;
	}
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int one_request(struct rd *r)
{
	char line[8192];
	int chunked = 0, expect = 0, close_after = 0;
	unsigned long long clen = 0, received = 0;

	/* request line, skipping stray empty lines */
	do {
		if (getline_crlf(r, line, sizeof line) < 0)
			return -1;
	} while (line[0] == '\0');
	if (strstr(line, "HTTP/1.0"))
		close_after = 1;
	for (;;) {
		int n = getline_crlf(r, line, sizeof line);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcasecmp(line, "Content-Length"))
			clen = strtoull(v, NULL, 10);
		else if (!strcasecmp(line, "Transfer-Encoding") && strcasestr(v, "chunked"))
			chunked = 1;
		else if (!strcasecmp(line, "Expect") && !strcasecmp(v, "100-continue"))
			expect = 1;
		else if (!strcasecmp(line, "Connection") && strcasestr(v, "close"))
			close_after = 1;
	}
	if (expect && write_all(r->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0)
		return -1;
	if (chunked) {
		for (;;) {
			if (getline_crlf(r, line, sizeof line) < 0)
				return -1;
			if (!isxdigit((unsigned char)line[0]))
				return -1;
			unsigned long long sz = strtoull(line, NULL, 16); /* ignores extensions */
			if (sz == 0)
				break;
			if (skip(r, sz) < 0)
				return -1;
			received += sz;
			if (getline_crlf(r, line, sizeof line) != 0) /* CRLF after the data */
				return -1;
		}
		do { /* trailer section up to the empty line */
			if (getline_crlf(r, line, sizeof line) < 0)
				return -1;
		} while (line[0] != '\0');
	} else if (clen > 0) {
		if (skip(r, clen) < 0)
			return -1;
		received = clen;
	}
	char resp[160];
	int n = snprintf(resp, sizeof resp,
			 "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nX-Received: %llu\r\n%s\r\n",
			 received, close_after ? "Connection: close\r\n" : "");
	if (write_all(r->fd, resp, (size_t)n) < 0)
		return -1;
	return close_after ? -1 : 0;
}

/* One connection: its requests one after the other until it closes. */
static void serve(int fd)
{
	struct rd r = {fd, malloc(BUFSZ), 0, 0};
	if (!r.buf)
		_exit(1);
	while (one_request(&r) == 0)
		;
}

int main(int argc, char **argv)
{
	return serv_main("sinkserv", argc, argv, serve);
}
