/*
 * curl's data flags: several -d and --data-urlencode joined with '&' into one
 * body held in memory, or, with -G, into each URL's query. A single -d is
 * left to body.c, which streams a file or a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "args.h"

static enum hc_err usage_msg(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return HC_EUSAGE;
}

/* A growable byte string with a cap. */
struct buf {
	char *p;
	size_t len, cap, max;
};

static enum hc_err buf_add(struct buf *b, const char *s, size_t n)
{
	if (n > b->max - b->len)
		return HC_EREAD; /* over the cap: the caller says which */
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (np == NULL)
			return HC_ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return HC_OK;
}

enum hc_err data_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
			   size_t errlen)
{
	struct buf b = {.max = max};
	char chunk[65536];
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	enum hc_err rc = buf_add(&b, "", 0);
	const char *shown = fd == STDIN_FILENO ? "standard input" : path;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		free(b.p);
		return HC_EREAD;
	}
	while (rc == HC_OK) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading '%s': %s", shown, strerror(errno));
			rc = HC_EREAD;
		} else if (n == 0) {
			break;
		} else if ((rc = buf_add(&b, chunk, (size_t)n)) == HC_EREAD) {
			snprintf(err, errlen, "'%s' is larger than %zu bytes", shown, max);
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	*len = b.len;
	return HC_OK;
}

/*
 * curl 7.88's --data-urlencode: a space as '+', and all but ALPHA, DIGIT and
 * -._~ (RFC 3986 unreserved) as %XX.
 */
static enum hc_err add_escaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	enum hc_err rc = HC_OK;
	for (size_t i = 0; i < n && rc == HC_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};
		if (c == ' ')
			rc = buf_add(b, "+", 1);
		else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			rc = buf_add(b, s + i, 1);
		else
			rc = buf_add(b, e, 3);
	}
	return rc;
}

/*
 * One piece of data onto b. -d: a string, or @FILE / @- as is (curl's
 * --data-binary). --data-urlencode, as curl reads it: the first '=' splits
 * NAME=CONTENT (NAME kept as given, may be empty); without '=', the first
 * '@' splits NAME@FILE; without either, the whole argument is the content.
 */
static const char *piece_split(const struct cli_data *d, size_t *nlen, const char **file)
{
	const char *a = d->arg, *sep;
	*nlen = 0;
	*file = NULL;
	if (!d->urlencode) {
		*file = a[0] == '@' ? a + 1 : NULL;
		return a;
	}
	if ((sep = strchr(a, '=')) == NULL && (sep = strchr(a, '@')))
		*file = sep + 1;
	if (sep == NULL)
		return a;
	*nlen = (size_t)(sep - a);
	return sep + 1;
}

static bool piece_is_stdin(const struct cli_data *d)
{
	size_t nlen;
	const char *file;
	piece_split(d, &nlen, &file);
	return file && strcmp(file, "-") == 0;
}

static enum hc_err add_piece(struct buf *b, const struct cli_data *d, char *err, size_t errlen)
{
	const char *a = d->arg, *file, *content;
	size_t nlen, tlen;
	char *text = NULL;
	enum hc_err rc;
	content = piece_split(d, &nlen, &file);
	if (file) {
		if ((rc = data_read_file(file, b->max, &text, &tlen, err, errlen)))
			return rc;
		content = text;
	} else {
		tlen = strlen(content);
	}
	if (!d->urlencode) {
		rc = buf_add(b, content, tlen);
	} else {
		rc = buf_add(b, a, nlen);
		if (rc == HC_OK && nlen)
			rc = buf_add(b, "=", 1);
		if (rc == HC_OK)
			rc = add_escaped(b, content, tlen);
	}
	free(text);
	return rc;
}

/* "URL" + '?' or '&' + query, before any #fragment. */
static char *url_with_query(const char *url, const char *q)
{
	size_t at = strcspn(url, "#");
	const char *qm = memchr(url, '?', at);
	const char *sep = qm == NULL ? "?" : qm + 1 == url + at ? "" : "&";
	char *s;
	if (asprintf(&s, "%.*s%s%s%s", (int)at, url, sep, q, url + at) < 0)
		return NULL;
	return s;
}

static enum hc_err keep(struct cli *cli, char *s)
{
	char **no = reallocarray(cli->owned, cli->nowned + 1, sizeof(*no));
	if (no == NULL) {
		free(s);
		return HC_ENOMEM;
	}
	cli->owned = no;
	no[cli->nowned++] = s;
	return HC_OK;
}

static enum hc_err data_to_query(struct cli *cli, const struct buf *b, char *err, size_t errlen)
{
	if (memchr(b->p, '\0', b->len))
		return usage_msg(err, errlen,
				 "-G: the data has a NUL byte, which a URL cannot carry");
	for (size_t i = 0; i < cli->nurls; i++) {
		char *u = url_with_query(cli->urls[i], b->p);
		enum hc_err rc = u ? keep(cli, u) : HC_ENOMEM;
		if (rc)
			return rc;
		cli->urls[i] = u;
	}
	return HC_OK;
}

enum hc_err data_finish(struct cli *cli, char *err, size_t errlen)
{
	struct buf b = {.max = HC_DATA_MAX};
	enum hc_err rc;
	size_t stdin_pieces = 0;
	for (size_t i = 0; i < cli->ndata; i++)
		stdin_pieces += piece_is_stdin(&cli->data[i]);
	if (stdin_pieces > 1 || (stdin_pieces && cli->body == BODY_STDIN))
		return usage_msg(err, errlen,
				 "standard input can be read for one piece of data only");
	if (stdin_pieces && cli->write_out && strcmp(cli->write_out, "@-") == 0)
		return usage_msg(err, errlen, "-w @- and data from standard input cannot share it");
	if (cli->body != BODY_NONE && !cli->get)
		return usage_msg(err, errlen, "only one request body may be given");
	err[0] = '\0';
	rc = buf_add(&b, "", 0);
	for (size_t i = 0; rc == HC_OK && i < cli->ndata; i++) {
		if (i > 0)
			rc = buf_add(&b, "&", 1);
		if (rc == HC_OK)
			rc = add_piece(&b, &cli->data[i], err, errlen);
	}
	if (rc == HC_EREAD && !err[0])
		snprintf(err, errlen,
			 "the data is larger than %d bytes (a single -d @FILE is streamed)",
			 HC_DATA_MAX);
	if (rc == HC_OK && cli->get)
		rc = data_to_query(cli, &b, err, errlen);
	if (rc || cli->get) {
		free(b.p);
		return rc;
	}
	if ((rc = keep(cli, b.p)))
		return rc;
	cli->body = BODY_STRING;
	cli->body_arg = b.p;
	cli->body_len = b.len;
	return HC_OK;
}
