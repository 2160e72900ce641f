/* tcpraw: raw loopback TCP throughput, the ceiling for the download rows.
 *
 * usage: tcpraw BYTES [BUFSIZE]
 *
 * Forks a sender that connects to a listener on 127.0.0.1 and write(2)s BYTES
 * from a BUFSIZE buffer (default 1 MiB); the parent read(2)s everything into a
 * BUFSIZE buffer and throws it away. Prints "BYTES NANOSECONDS" measured from
 * accept to EOF. No HTTP, no files: plain user-space copy in, copy out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tcpraw BYTES [BUFSIZE]\n");
		return 2;
	}
	unsigned long long total = strtoull(argv[1], NULL, 10);
	size_t bufsize = argc > 2 ? strtoul(argv[2], NULL, 10) : (1u << 20);
	if (bufsize == 0)
		bufsize = 1u << 20;
	char *buf = malloc(bufsize);
	if (!buf)
		return 1;
	memset(buf, 'x', bufsize);

	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &alen) < 0) {
		perror("tcpraw");
		return 1;
	}
	alarm(300);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(ls);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
			_exit(1);
		unsigned long long left = total;
		while (left > 0) {
			size_t n = left < bufsize ? (size_t)left : bufsize;
			ssize_t w = write(s, buf, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			left -= (unsigned long long)w;
		}
		close(s);
		_exit(0);
	}
	int fd = accept(ls, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 1;
	}
	long long t0 = now_ns();
	unsigned long long got = 0;
	for (;;) {
		ssize_t r = read(fd, buf, bufsize);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (unsigned long long)r;
	}
	long long t1 = now_ns();
	int st;
	waitpid(pid, &st, 0);
	if (got != total) {
		fprintf(stderr, "tcpraw: received %llu of %llu bytes\n", got, total);
		return 1;
	}
	printf("%llu %lld\n", got, t1 - t0);
	return 0;
}
