/*
 * Cookie files. Reading: curl's Netscape jar (seven tab-separated fields:
 * domain, TRUE for a domain cookie, path, TRUE for Secure, expiry in seconds
 * (0: session), name, value; "#HttpOnly_" before the domain marks HttpOnly)
 * and "Set-Cookie:" lines. Writing: the same format, to a temporary file in
 * the jar's directory that is synced and renamed over the jar, so that a run
 * killed at any moment leaves the old jar whole; always mode 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jar.h"

#define JAR_HEAD                                                                                   \
	"# Netscape HTTP Cookie File\n"                                                            \
	"# The format: https://curl.se/docs/http-cookies.html (written by hcli)\n"                 \
	"\n"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* "TRUE" or "FALSE" into *b. */
static bool parse_bool(const char *s, bool *b)
{
	if (!strcasecmp(s, "TRUE"))
		return *b = true;
	if (!strcasecmp(s, "FALSE"))
		return !(*b = false);
	return false;
}

static bool parse_expiry(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* The Domain attribute of a Set-Cookie value (the last one, dot dropped), or "" for none. */
static void named_domain(const char *v, char *out, size_t cap)
{
	out[0] = '\0';
	for (const char *p = strchr(v, ';'); p; p = strchr(p + 1, ';')) {
		const char *a = p + 1;
		while (is_space(*a))
			a++;
		if (strncasecmp(a, "domain", 6) != 0)
			continue;
		a += 6;
		while (is_space(*a))
			a++;
		if (*a++ != '=')
			continue;
		while (is_space(*a) || *a == '.')
			a++;
		size_t n = strcspn(a, ";");
		while (n && is_space(a[n - 1]))
			n--;
		if (n && n < cap)
			memcpy(out, a, n), out[n] = '\0';
	}
}

/* One Set-Cookie: line; NULL when it is kept (or expired), else why not. */
static const char *set_cookie_line(struct ck_store *s, const char *v, const struct ck_origin *first,
				   int64_t now)
{
	char host[HC_COOKIE_ATTR_MAX + 1];
	struct ck_origin o = {first->host, "/", true};
	named_domain(v, host, sizeof(host));
	if (host[0])
		o.host = host;
	enum ck_verdict r = ck_set(s, &o, v, strlen(v), now);
	return r == CK_STORED || r == CK_REMOVED ? NULL : ck_verdict_str(r);
}

/* One Netscape line (NUL-terminated, writable); NULL when it is kept (or expired). */
static const char *netscape_line(struct ck_store *s, char *line, bool http_only, int64_t now)
{
	char *f[8];
	size_t n = 0;
	for (char *p = line; n < 8; p++) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p = '\0';
	}
	if (n == 6) /* curl writes an empty value as nothing after the last tab */
		f[n++] = "";
	struct ck_line l = {.domain = f[0], .http_only = http_only};
	if (n != 7)
		return "not 7 tab-separated fields";
	l.path = f[2], l.name = f[5], l.value = f[6];
	if (!parse_bool(f[1], &l.tailmatch) || !parse_bool(f[3], &l.secure))
		return "TRUE or FALSE expected in fields 2 and 4";
	if (!parse_expiry(f[4], &l.expires))
		return "field 5 is not an expiry time in seconds";
	enum ck_verdict r = ck_add(s, &l, now);
	return r == CK_STORED || r == CK_REMOVED ? NULL : ck_verdict_str(r);
}

size_t jar_parse(struct ck_store *s, const char *text, size_t len, const struct ck_origin *first,
		 int64_t now, jar_warn_fn *warn, void *ud)
{
	char *copy = malloc(len + 1);
	size_t lineno = 0, skipped = 0;
	if (copy == NULL) {
		warn(ud, 0, "out of memory");
		return 1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (char *line = copy, *next; line < copy + len; line = next) {
		size_t n = strcspn(line, "\n"); /* stops at a NUL too */
		char *eol = line + n;
		while (eol < copy + len && *eol != '\n')
			eol++;
		next = eol + (eol < copy + len);
		lineno++;
		if (line + n != eol) {
			warn(ud, lineno, "a NUL byte");
			skipped++;
			continue;
		}
		if (n && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		bool http_only = strncmp(line, "#HttpOnly_", 10) == 0;
		if (http_only)
			line += 10;
		const char *t = line;
		while (is_space(*t))
			t++;
		if (*t == '\0' || *line == '#')
			continue;
		const char *why;
		if (!http_only && strncasecmp(line, "Set-Cookie:", 11) == 0)
			why = set_cookie_line(s, line + 11, first, now);
		else
			why = netscape_line(s, line, http_only, now);
		if (why) {
			warn(ud, lineno, why);
			skipped++;
		}
	}
	free(copy);
	return skipped;
}

char *jar_format(const struct ck_store *s, int64_t now, size_t *len)
{
	size_t n;
	struct ck_cookie **v = ck_list(s, now, &n);
	char *text = NULL;
	FILE *m = v ? open_memstream(&text, len) : NULL;
	if (m == NULL) {
		free(v);
		return NULL;
	}
	fputs(JAR_HEAD, m);
	for (size_t i = 0; i < n; i++) {
		const struct ck_cookie *c = v[i];
		fprintf(m, "%s%s%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", c->http_only ? "#HttpOnly_" : "",
			c->host_only ? "" : ".", c->domain, c->host_only ? "FALSE" : "TRUE",
			c->path, c->secure ? "TRUE" : "FALSE", (long long)c->expires, c->name,
			c->value);
	}
	free(v);
	bool bad = ferror(m);
	if (fclose(m) != 0 || bad) {
		free(text);
		return NULL;
	}
	return text;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w, n -= (size_t)w;
	}
	return true;
}

/* The directory entry of the rename made durable too (best effort). */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

enum hc_err jar_replace(const char *path, const char *text, size_t len, const char *what, char *err,
			size_t errlen)
{
	char *tmp = NULL;
	int fd = -1;
	bool made = false;
	if (strcmp(path, "-") == 0) {
		bool ok = write_all(STDOUT_FILENO, text, len);
		if (!ok)
			snprintf(err, errlen, "%s to standard output: %s", what, strerror(errno));
		return ok ? HC_OK : HC_EWRITE;
	}
	/* a temporary file beside the target: rename(2) only replaces within one file system */
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return HC_ENOMEM;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0 || !(made = true) || fchmod(fd, 0600) < 0 ||
	    !write_all(fd, text, len) || fsync(fd) < 0) {
		snprintf(err, errlen, "%s %s: %s%s", what, path,
			 fd < 0 ? "a temporary file beside it: " : "", strerror(errno));
		goto fail;
	}
	int fd2 = fd;
	fd = -1;
	if (close(fd2) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	sync_dir(path);
	free(tmp);
	return HC_OK;
fail:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	free(tmp);
	return HC_EWRITE;
}

enum hc_err jar_save(const struct ck_store *s, const char *path, int64_t now, char *err,
		     size_t errlen)
{
	size_t len;
	char *text = jar_format(s, now, &len);
	if (text == NULL)
		return HC_ENOMEM;
	enum hc_err rc = jar_replace(path, text, len, "cookie jar", err, errlen);
	free(text);
	return rc;
}
