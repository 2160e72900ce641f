/* curl's -F: multipart form parts from the command line, and their body source. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

static enum hc_err form_usage(char *err, size_t errlen, const char *spec, const char *why)
{
	snprintf(err, errlen, "-F '%.60s': %s", spec, why);
	return HC_EUSAGE;
}

/* ;type=MIME and ;filename=NAME after @FILE or <FILE (the path ends at the first ';'). */
static enum hc_err form_params(struct cli_form *f, const char *spec, const char *p, char *err,
			       size_t errlen)
{
	while (*p == ';') {
		p++;
		size_t n = strcspn(p, ";");
		char **dst = NULL;
		size_t skip = 0;
		if (strncmp(p, "type=", 5) == 0)
			dst = &f->type, skip = 5;
		else if (strncmp(p, "filename=", 9) == 0 && !f->text)
			dst = &f->filename, skip = 9;
		if (dst == NULL)
			return form_usage(err, errlen, spec,
					  "after the file only ;type=MIME and ;filename=NAME may follow");
		free(*dst);
		if ((*dst = strndup(p + skip, n - skip)) == NULL)
			return HC_ENOMEM;
		if (dst == &f->type && !hdr_valid_value(f->type, strlen(f->type)))
			return form_usage(err, errlen, spec, "the type has CR, LF or NUL");
		p += n;
	}
	return HC_OK;
}

static enum hc_err form_parse(struct cli_form *f, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	if (eq == NULL)
		return form_usage(err, errlen, spec, "a form part is NAME=VALUE, NAME=@FILE or NAME=<FILE");
	if ((f->name = strndup(spec, (size_t)(eq - spec))) == NULL)
		return HC_ENOMEM;
	const char *v = eq + 1;
	if (*v != '@' && *v != '<') {
		f->vlen = strlen(v);
		return (f->value = strdup(v)) ? HC_OK : HC_ENOMEM;
	}
	f->text = *v == '<';
	size_t n = strcspn(v + 1, ";");
	if (n == 0)
		return form_usage(err, errlen, spec, "no file name after '@' or '<'");
	if ((f->path = strndup(v + 1, n)) == NULL)
		return HC_ENOMEM;
	return form_params(f, spec, v + 1 + n, err, errlen);
}

static void form_clear(struct cli_form *f)
{
	free(f->name);
	free(f->value);
	free(f->path);
	free(f->type);
	free(f->filename);
}

enum hc_err form_arg(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (cli->body != BODY_NONE && cli->body != BODY_FORM) {
		snprintf(err, errlen, "only one request body may be given");
		return HC_EUSAGE;
	}
	struct cli_form f = {0};
	enum hc_err rc = form_parse(&f, s, err, errlen);
	struct cli_form *nf = rc ? NULL : reallocarray(cli->forms, cli->nforms + 1, sizeof(*nf));
	if (nf == NULL) {
		form_clear(&f);
		return rc ? rc : HC_ENOMEM;
	}
	cli->forms = nf;
	nf[cli->nforms++] = f;
	cli->body = BODY_FORM;
	return HC_OK;
}

enum hc_err form_boundary(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (!mp_boundary_valid(s)) {
		snprintf(err, errlen,
			 "--boundary '%.80s' is not 1 to 70 of A-Z a-z 0-9 '()+_,-./:=? "
			 "(RFC 2046), not ending with a space",
			 s);
		return HC_EUSAGE;
	}
	cli->boundary = s;
	return HC_OK;
}

void form_free(struct cli *cli)
{
	for (size_t i = 0; i < cli->nforms; i++)
		form_clear(&cli->forms[i]);
	free(cli->forms);
	cli->forms = NULL;
	cli->nforms = 0;
}

/* curl's table: a file part's type from its extension, else application/octet-stream. */
static const char *type_by_name(const char *name)
{
	static const char *const map[][2] = {
	    {".gif", "image/gif"},	 {".jpg", "image/jpeg"},	{".jpeg", "image/jpeg"},
	    {".png", "image/png"},	 {".svg", "image/svg+xml"},	{".txt", "text/plain"},
	    {".htm", "text/html"},	 {".html", "text/html"},	{".pdf", "application/pdf"},
	    {".xml", "application/xml"},
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t e = strlen(map[i][0]);
		if (n >= e && strcasecmp(name + n - e, map[i][0]) == 0)
			return map[i][1];
	}
	return "application/octet-stream";
}

/* One @FILE or <FILE part: opened now, read when it is sent. */
static enum hc_err form_add_file(struct run *R, const struct cli_form *f, char *err, size_t errlen)
{
	bool in = !f->item && strcmp(f->path, "-") == 0;
	int fd = in ? STDIN_FILENO : open(f->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open '%.200s' for part '%.60s': %s", f->path, f->name,
			 strerror(errno));
		if (fd > STDIN_FILENO)
			close(fd);
		return HC_EREAD;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%.200s' (part '%.60s') is a directory", f->path, f->name);
		if (!in)
			close(fd);
		return HC_EREAD;
	}
	off_t start = 0, size = -1;
	if (S_ISREG(st.st_mode)) {
		/* standard input redirected from a file may not start at offset 0 */
		off_t at = in ? lseek(fd, 0, SEEK_CUR) : 0;
		start = at > 0 && at <= st.st_size ? at : 0;
		size = st.st_size - start;
	}
	const char *filename = NULL, *type = f->type;
	if (!f->text) {
		const char *slash = strrchr(f->path, '/');
		filename = f->filename ? f->filename : slash ? slash + 1 : f->path;
		if (type == NULL && f->item)
			type = items_file_type(f->path);
		else if (type == NULL && !in) /* curl names no type for standard input */
			type = type_by_name(filename);
	}
	return mp_add_fd(&R->form, f->name, filename, type, fd, start, size, !in);
}

/*
 * A Content-Type the user gave: a multipart/... type without a boundary gets
 * the body's (as HTTPie and curl do); any other is sent as given.
 */
static enum hc_err own_type(struct cli_header *h, const char *bnd)
{
	if (h->value == NULL || strncasecmp(h->value, "multipart/", 10) != 0 ||
	    strcasestr(h->value, "boundary=") != NULL)
		return HC_OK;
	char *v;
	if (asprintf(&v, "%s; %s", h->value, bnd) < 0)
		return HC_ENOMEM;
	free(h->value);
	h->value = v;
	return HC_OK;
}

/* The multipart parts as the body, and their Content-Type unless a header item gives one. */
enum hc_err form_open(struct run *R, char *err, size_t errlen)
{
	struct cli *cli = R->cli;
	snprintf(err, errlen, "out of memory"); /* unless a file sets its own message */
	enum hc_err rc = mp_init(&R->form, cli->boundary);
	if (cli->nforms && cli->forms[0].item) /* items and -F do not mix */
		R->form.style = HC_MP_HTTPIE;
	for (size_t i = 0; rc == HC_OK && i < cli->nforms; i++) {
		const struct cli_form *f = &cli->forms[i];
		if (f->path)
			rc = form_add_file(R, f, err, errlen);
		else
			rc = mp_add_mem(&R->form, f->name, NULL, NULL, f->value, f->vlen);
	}
	if (rc == HC_OK)
		rc = mp_finish(&R->form);
	if (rc)
		return rc;
	R->body.kind = HC_BODY_PARTS;
	R->body.parts = &R->form;
	R->body.size = R->form.size;
	const char *q = mp_boundary_needs_quotes(R->form.boundary) ? "\"" : "";
	char bnd[128];
	snprintf(bnd, sizeof(bnd), "boundary=%s%s%s", q, R->form.boundary, q);
	for (size_t i = 0; i < cli->nhdrs; i++)
		if (strcasecmp(cli->hdrs[i].name, "Content-Type") == 0)
			return own_type(&cli->hdrs[i], bnd);
	struct cli_header *nh = reallocarray(cli->hdrs, cli->nhdrs + 1, sizeof(*nh));
	if (nh == NULL)
		return HC_ENOMEM;
	cli->hdrs = nh;
	char ct[160];
	snprintf(ct, sizeof(ct), "multipart/form-data; %s", bnd);
	nh[cli->nhdrs].name = strdup("Content-Type");
	nh[cli->nhdrs].value = strdup(ct);
	if (nh[cli->nhdrs].name == NULL || nh[cli->nhdrs].value == NULL) {
		free(nh[cli->nhdrs].name);
		free(nh[cli->nhdrs].value);
		return HC_ENOMEM;
	}
	cli->nhdrs++;
	return HC_OK;
}
