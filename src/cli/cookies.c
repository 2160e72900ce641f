/*
 * The run's cookies: -b files loaded before the first request, Set-Cookie
 * fields taken from every response (redirects and retries included), -c
 * written at the end. Which cookies a request carries is compose()'s part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jar.h"
#include "run.h"

#define JAR_WARN_MAX 10 /* warnings about one file's lines; then a count */

struct jar_warn {
	struct run *R;
	const char *path;
	size_t shown;
};

static void warn_line(void *ud, size_t lineno, const char *why)
{
	struct jar_warn *w = ud;
	if (w->shown++ < JAR_WARN_MAX)
		out_warn(&w->R->out, "cookie file %s line %zu: %s; line skipped", w->path, lineno,
			 why);
}

int cookies_load(struct run *R)
{
	const struct cli *cli = R->cli;
	int64_t now = time(NULL);
	char err[HC_ERRBUF];
	struct hc_url first = {0};
	if (cli->ncookie_files == 0)
		return 0;
	/* Set-Cookie: lines without a Domain belong to the first URL's host */
	if (url_parse(cli->urls[0], true, &first, err, sizeof(err)) != HC_OK) {
		url_free(&first);
		first = (struct hc_url){0};
	}
	struct ck_origin o = {first.host ? first.host : "localhost", "/", first.https};
	for (size_t i = 0; i < cli->ncookie_files; i++) {
		const char *path = cli->cookie_files[i];
		char *text, detail[HC_ERRBUF + 64];
		size_t len;
		enum hc_err rc =
		    data_read_file(path, HC_JAR_FILE_MAX, &text, &len, err, sizeof(err));
		if (rc) {
			url_free(&first);
			snprintf(detail, sizeof(detail), "cookie file: %s", err);
			return cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : detail);
		}
		struct jar_warn w = {R, path, 0};
		jar_parse(&R->cookies, text, len, &o, now, warn_line, &w);
		if (w.shown > JAR_WARN_MAX)
			out_warn(&R->out, "cookie file %s: %zu more lines skipped", path,
				 w.shown - JAR_WARN_MAX);
		free(text);
	}
	url_free(&first);
	if (cli->junk_session)
		ck_drop_session(&R->cookies);
	return 0;
}

int cookies_save(struct run *R)
{
	char err[HC_ERRBUF];
	if (R->cli->cookie_jar == NULL)
		return 0;
	enum hc_err rc = jar_save(&R->cookies, R->cli->cookie_jar, time(NULL), err, sizeof(err));
	return rc ? cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : err) : 0;
}

void cookies_take(struct run *R, const struct hc_url *u, const struct hc_response *resp)
{
	struct ck_origin o = {u->host, u->target, u->https};
	int64_t now = time(NULL);
	for (size_t i = 0; i < resp->hdrs.n; i++) {
		const struct hc_field *f = &resp->hdrs.v[i];
		if (strcasecmp(f->name, "Set-Cookie") != 0)
			continue;
		enum ck_verdict r = ck_set(&R->cookies, &o, f->value, strlen(f->value), now);
		if (r != CK_STORED && r != CK_REMOVED) /* RFC 6265bis: ignored, never an error */
			conn_info(resp->c, "Cookie from %s ignored: %s", u->host,
				  ck_verdict_str(r));
	}
}
