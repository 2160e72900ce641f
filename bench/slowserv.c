/* slowserv: benchmark server that answers each request after a delay.
 *
 * usage: slowserv PORTFILE
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), forks one child per
 * connection. A request for /slow/MS is answered MS milliseconds (at most 10 s)
 * after its head has arrived, with a 10-byte body and a Content-Length. Keep-alive
 * is honoured, one request at a time per connection (as HTTP/1.1 clients send
 * them); every other path gets a 404 at once. Transfers that run at once each
 * wait on their own connection, so N of them take one delay, not N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serv.h"

#define MAX_DELAY_MS 10000ul

static int write_str(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static void delay_ms(unsigned long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int answer(int fd, const char *head)
{
	unsigned long ms = 0;
	if (sscanf(head, "GET /slow/%lu ", &ms) == 1 && ms <= MAX_DELAY_MS) {
		delay_ms(ms);
		return write_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				     "Content-Length: 10\r\n\r\n0123456789");
	}
	return write_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

static void serve(int fd)
{
	serv_heads(fd, answer);
}

int main(int argc, char **argv)
{
	return serv_main("slowserv", argc, argv, serve);
}
