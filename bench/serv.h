/* serv.h: the listen/accept/fork loop of the benchmark servers (chunkserv.c,
 * sinkserv.c, slowserv.c), included by each; bench/run compiles every server
 * from its one .c file.
 *
 * serv_main(NAME, argc, argv, handle) takes the command line "NAME PORTFILE",
 * listens on 127.0.0.1 (a free port, written to PORTFILE) and forks one child
 * per connection. The child has 600 s to live (alarm), runs handle(fd) and
 * exits 0. The process exits on its own after an hour (alarm). It returns
 * only on an error, with main's exit status.
 *
 * serv_heads(fd, answer) is a handle for servers whose requests carry no
 * body: it reads each request head (up to 16 KiB) and calls answer(fd, head)
 * with the head NUL-terminated, until the peer closes or answer returns < 0.
 */
#ifndef BENCH_SERV_H
#define BENCH_SERV_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int serv_main(const char *name, int argc, char **argv, void (*handle)(int fd))
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PORTFILE\n", name);
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 64) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &alen) < 0) {
		perror(name);
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (!pf) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	alarm(3600);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("accept");
			return 1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(ls);
			alarm(600);
			handle(fd);
			_exit(0);
		}
		close(fd);
	}
}

static inline void serv_heads(int fd, int (*answer)(int fd, const char *head))
{
	static char req[16384 + 1];
	const size_t room = sizeof req - 1;
	size_t have = 0;
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	for (;;) {
		char *end;
		while (!(end = memmem(req, have, "\r\n\r\n", 4))) {
			if (have == room)
				return;
			ssize_t r = read(fd, req + have, room - have);
			if (r <= 0)
				return;
			have += (size_t)r;
		}
		size_t used = (size_t)(end + 4 - req);
		char keep = req[used];
		req[used] = '\0';
		if (answer(fd, req) < 0)
			return;
		req[used] = keep;
		/* no body: drop the head, keep what follows */
		memmove(req, req + used, have - used);
		have -= used;
	}
}

#endif
