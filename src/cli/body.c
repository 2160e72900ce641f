/* The request body source: a string, a file, or standard input (spooled for HTTP/1.0). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

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

enum hc_err body_open(struct run *R, char *err, size_t errlen)
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
		b->len = cli->body_len;
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
	case BODY_FORM:
		return form_open(R, err, errlen);
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

