/* chunkserv: benchmark source of chunked HTTP/1.1 responses.
 *
 * usage: chunkserv PORTFILE
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), forks one child per
 * connection. A request for /chunked/SIZE/TOTAL is answered with TOTAL bytes of
 * body framed as chunks of SIZE bytes (the last one may be shorter), sent with
 * writev(2) from one pre-built buffer. Keep-alive is honoured; every other
 * path gets a 404. The process exits on its own after an hour (alarm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "serv.h"

#define MAX_CHUNK (16u << 20)
#define BATCH_BYTES (4u << 20)
#define MAX_IOV 900

static int write_all_iov(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int write_str(int fd, const char *s)
{
	struct iovec iov = {(void *)s, strlen(s)};
	return write_all_iov(fd, &iov, 1);
}

static int send_chunked(int fd, unsigned long chunk, unsigned long long total)
{
	static char *buf;
	static unsigned long bufsize;
	static struct iovec iov[MAX_IOV];
	static char crlf[] = "\r\n";
	char fullhead[32], lasthead[32];
	const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n";

	if (chunk == 0 || chunk > MAX_CHUNK)
		return write_str(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
	if (bufsize < chunk) {
		free(buf);
		buf = calloc(1, chunk);
		if (!buf)
			return -1;
		memset(buf, 'x', chunk);
		bufsize = chunk;
	}
	if (write_str(fd, head) < 0)
		return -1;
	int fulllen = snprintf(fullhead, sizeof fullhead, "%lx\r\n", chunk);
	unsigned long per_batch = BATCH_BYTES / chunk;
	if (per_batch < 1)
		per_batch = 1;
	if (per_batch > (MAX_IOV - 3) / 3)
		per_batch = (MAX_IOV - 3) / 3;
	while (total > 0) {
		int n = 0;
		for (unsigned long i = 0; i < per_batch && total > 0; i++) {
			unsigned long len = total < chunk ? (unsigned long)total : chunk;
			if (len == chunk) {
				iov[n++] = (struct iovec){fullhead, (size_t)fulllen};
			} else {
				int l = snprintf(lasthead, sizeof lasthead, "%lx\r\n", len);
				iov[n++] = (struct iovec){lasthead, (size_t)l};
			}
			iov[n++] = (struct iovec){buf, len};
			iov[n++] = (struct iovec){crlf, 2};
			total -= len;
		}
		if (total == 0)
			iov[n++] = (struct iovec){"0\r\n\r\n", 5};
		if (write_all_iov(fd, iov, n) < 0)
			return -1;
	}
	return 0;
}

static int answer(int fd, const char *head)
{
	unsigned long chunk = 0;
	unsigned long long total = 0;
	if (sscanf(head, "GET /chunked/%lu/%llu ", &chunk, &total) == 2)
		return send_chunked(fd, chunk, total);
	return write_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

static void serve(int fd)
{
	serv_heads(fd, answer);
}

int main(int argc, char **argv)
{
	return serv_main("chunkserv", argc, argv, serve);
}
