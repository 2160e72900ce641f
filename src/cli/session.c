/*
 * --session and --session-read-only: HTTPie 3's session files. A JSON
 * object holding the custom headers (a list of {name, value}; not Content-*
 * or If-*), the credentials ({type: "basic", raw_auth: "USER:PASS"}, or
 * "digest", or "bearer" with the token) and the cookies ({name, value,
 * domain, path, secure, expires}), read before the
 * first request and, for --session, written back after the last one like a
 * jar: atomically, mode 0600. A file that is not such an object is damaged:
 * exit 2 naming it, nothing sent, the file left as it was.
 *
 * json-c is loaded with dlopen(3) only when a session is used.
 */
#include <bsd/stdlib.h>
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "jar.h"
#include "run.h"

#define SESSION_FILE_MAX (64 << 20)

/* Every json-c function this file calls, looked up once. */
#define SJ_FUNCS(X)                                                                                \
	X(json_tokener_new)                                                                        \
	X(json_tokener_free)                                                                       \
	X(json_tokener_parse_ex)                                                                   \
	X(json_tokener_get_error)                                                                  \
	X(json_tokener_error_desc)                                                                 \
	X(json_tokener_get_parse_end)                                                              \
	X(json_object_get_type)                                                                    \
	X(json_object_object_get_ex)                                                               \
	X(json_object_get_string)                                                                  \
	X(json_object_get_string_len)                                                              \
	X(json_object_get_int64)                                                                   \
	X(json_object_get_boolean)                                                                 \
	X(json_object_array_length)                                                                \
	X(json_object_array_get_idx)                                                               \
	X(json_object_iter_begin)                                                                  \
	X(json_object_iter_end)                                                                    \
	X(json_object_iter_next)                                                                   \
	X(json_object_iter_equal)                                                                  \
	X(json_object_iter_peek_name)                                                              \
	X(json_object_iter_peek_value)                                                             \
	X(json_object_new_object)                                                                  \
	X(json_object_new_array)                                                                   \
	X(json_object_new_string)                                                                  \
	X(json_object_new_int64)                                                                   \
	X(json_object_new_boolean)                                                                 \
	X(json_object_object_add)                                                                  \
	X(json_object_array_add)                                                                   \
	X(json_object_to_json_string_ext)                                                          \
	X(json_object_put)

#define SJ_DECL(f) static __typeof__(f) *s_##f;
SJ_FUNCS(SJ_DECL)
#define J(f) (s_##f)

static bool sj_load(char *err, size_t errlen)
{
	static void *lib;
	if (lib)
		return true;
	void *h = dlopen("libjson-c.so.5", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(err, errlen, "cannot load json-c (libjson-c.so.5): %s", dlerror());
		return false;
	}
#define SJ_LOAD(f)                                                                                 \
	if ((s_##f = (__typeof__(f) *)dlsym(h, #f)) == NULL) {                                     \
		snprintf(err, errlen, "json-c lacks %s", #f);                                      \
		dlclose(h);                                                                        \
		return false;                                                                      \
	}
	SJ_FUNCS(SJ_LOAD)
	lib = h;
	return true;
}

/*
 * NAME (no "/") is $XDG_CONFIG_HOME/hcli/sessions/HOST_PORT/NAME.json, HOST_PORT
 * the first URL's host and port as HTTPie names it ("127.0.0.1_8080"); *dir
 * gets that directory, to create. Anything else is a path.
 */
static char *session_path(const struct cli *cli, const char *arg, char **dir)
{
	char *p = NULL;
	*dir = NULL;
	if (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, ".."))
		return strdup(arg);
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct hc_url u;
	char e[HC_ERRBUF];
	if (url_parse(cli->urls[0], true, &u, e, sizeof(e)) != HC_OK) {
		url_free(&u);
		u = (struct hc_url){.host = strdup("localhost"), .port = 80};
	}
	char *hp = url_hostport(u.host, u.port, u.https);
	for (char *c = hp; c && *c; c++)
		if (*c == ':')
			*c = '_';
	int n = -1;
	if (hp && xdg && *xdg)
		n = asprintf(dir, "%s/hcli/sessions/%s", xdg, hp);
	else if (hp)
		n = asprintf(dir, "%s/.config/hcli/sessions/%s", home ? home : ".", hp);
	if (n < 0 || asprintf(&p, "%s/%s.json", *dir, arg) < 0) {
		free(*dir);
		*dir = p = NULL;
	}
	free(hp);
	url_free(&u);
	return p;
}

/* mkdir -p, 0700 (the files hold credentials). */
static bool make_dirs(const char *dir)
{
	char *d = strdup(dir);
	bool ok = d != NULL;
	for (char *s = d ? strchr(d + 1, '/') : NULL; ok && s; s = strchr(s + 1, '/')) {
		*s = '\0';
		ok = mkdir(d, 0700) == 0 || errno == EEXIST;
		*s = '/';
	}
	ok = ok && (mkdir(d, 0700) == 0 || errno == EEXIST);
	free(d);
	return ok;
}

static __attribute__((format(printf, 3, 4))) bool damaged(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!J(json_object_object_get_ex)(o, key, &v) ||
	    J(json_object_get_type)(v) != json_type_string)
		return NULL;
	return J(json_object_get_string)(v);
}

/* A header from the file: a token name and a one-line value, unless the user gives it too. */
static bool take_header(struct cli *cli, const char *name, struct json_object *v, size_t *at,
			char *err, size_t errlen)
{
	if (v == NULL || J(json_object_get_type)(v) != json_type_string)
		return damaged(err, errlen, "header '%.60s' has no string value", name);
	const char *val = J(json_object_get_string)(v);
	size_t vl = (size_t)J(json_object_get_string_len)(v);
	if (!hdr_valid_name(name, strlen(name)) || !hdr_valid_value(val, vl) || strlen(val) != vl)
		return damaged(err, errlen, "header '%.60s' is not a valid field", name);
	for (size_t i = 0; i < cli->nhdrs; i++)
		if (!strcasecmp(cli->hdrs[i].name, name))
			return true; /* the command line wins */
	struct cli_header *nh = reallocarray(cli->hdrs, cli->nhdrs + 1, sizeof(*nh));
	if (nh == NULL)
		return damaged(err, errlen, "out of memory");
	cli->hdrs = nh;
	/* before the user's items, in the file's order */
	memmove(nh + *at + 1, nh + *at, (cli->nhdrs - *at) * sizeof(*nh));
	nh[*at] = (struct cli_header){strdup(name), strdup(val), false};
	cli->nhdrs++;
	(*at)++;
	return true;
}

static bool read_headers(struct cli *cli, struct json_object *h, char *err, size_t errlen)
{
	size_t at = 0;
	if (J(json_object_get_type)(h) == json_type_object) { /* HTTPie before 3.0: {name: value} */
		struct json_object_iterator it = J(json_object_iter_begin)(h),
					    end = J(json_object_iter_end)(h);
		for (; !J(json_object_iter_equal)(&it, &end); J(json_object_iter_next)(&it))
			if (!take_header(cli, J(json_object_iter_peek_name)(&it),
					 J(json_object_iter_peek_value)(&it), &at, err, errlen))
				return false;
		return true;
	}
	if (J(json_object_get_type)(h) != json_type_array)
		return damaged(err, errlen, "\"headers\" is not a list");
	for (size_t i = 0; i < J(json_object_array_length)(h); i++) {
		struct json_object *e = J(json_object_array_get_idx)(h, i), *v = NULL;
		const char *name = e ? str_of(e, "name") : NULL;
		if (name == NULL)
			return damaged(err, errlen, "header %zu has no name", i + 1);
		J(json_object_object_get_ex)(e, "value", &v);
		if (!take_header(cli, name, v, &at, err, errlen))
			return false;
	}
	return true;
}

/*
 * {type: "basic"|"digest", raw_auth: "USER:PASS"} or {type: "bearer", raw_auth:
 * TOKEN} (HTTPie 3 and its bearer plugin), or {username, password} (before).
 * Credentials from the command line win; an --auth-type given there wins over
 * the file's type.
 */
static bool read_auth(struct run *R, struct json_object *a, char *err, size_t errlen)
{
	if (J(json_object_get_type)(a) == json_type_null)
		return true;
	if (J(json_object_get_type)(a) != json_type_object)
		return damaged(err, errlen, "\"auth\" is not an object");
	const char *type = str_of(a, "type"), *raw = str_of(a, "raw_auth");
	const char *user = str_of(a, "username"), *pass = str_of(a, "password");
	enum auth_type t = AUTH_BASIC;
	if (type && strcasecmp(type, "digest") == 0)
		t = AUTH_DIGEST;
	else if (type && strcasecmp(type, "bearer") == 0)
		t = AUTH_BEARER;
	else if (type && strcasecmp(type, "basic") != 0)
		return damaged(err, errlen, "auth type '%.40s' is not supported", type);
	if (R->user || R->token || (!raw && !user))
		return true; /* the command line's credentials win */
	if (R->cli->auth_type == AUTH_UNSET)
		R->auth = t;
	if (R->auth == AUTH_BEARER) {
		if (t != AUTH_BEARER)
			return true; /* a bearer scheme asked for, and the file has a password */
		R->token = strdup(raw ? raw : user);
		return R->token ? true : damaged(err, errlen, "out of memory");
	}
	if (t == AUTH_BEARER)
		return true; /* a token, and another scheme asked for */
	if (raw) {
		const char *colon = strchr(raw, ':');
		R->user = colon ? strndup(raw, (size_t)(colon - raw)) : strdup(raw);
		R->pass = strdup(colon ? colon + 1 : "");
	} else {
		R->user = strdup(user);
		R->pass = strdup(pass ? pass : "");
	}
	return R->user && R->pass ? true : damaged(err, errlen, "out of memory");
}

/* One cookie; a cookie the store refuses is left out, as a jar's expired line is. */
static bool read_cookie(struct run *R, struct json_object *c, const char *name, const char *host,
			int64_t now, char *err, size_t errlen)
{
	struct json_object *v;
	if (J(json_object_get_type)(c) != json_type_object || name == NULL)
		return damaged(err, errlen, "a cookie is not an object with a name");
	const char *value = str_of(c, "value"), *domain = str_of(c, "domain"),
		   *path = str_of(c, "path");
	struct ck_line l = {.domain = domain && *domain ? domain : host,
			    .path = path ? path : "/",
			    .name = name,
			    .value = value ? value : ""};
	l.tailmatch = domain && domain[0] == '.';
	if (J(json_object_object_get_ex)(c, "secure", &v))
		l.secure = J(json_object_get_boolean)(v);
	if (J(json_object_object_get_ex)(c, "expires", &v) &&
	    J(json_object_get_type)(v) != json_type_null) {
		if (J(json_object_get_type)(v) != json_type_int &&
		    J(json_object_get_type)(v) != json_type_double)
			return damaged(err, errlen, "cookie '%.60s' has a bad expires", name);
		l.expires = J(json_object_get_int64)(v);
		if (l.expires <= 0)
			return true; /* long gone */
	}
	(void)ck_add(&R->cookies, &l, now);
	return true;
}

static bool read_cookies(struct run *R, struct json_object *cs, char *err, size_t errlen)
{
	int64_t now = time(NULL);
	struct hc_url u;
	char e[HC_ERRBUF];
	bool ok = true;
	if (url_parse(R->cli->urls[0], true, &u, e, sizeof(e)) != HC_OK) {
		url_free(&u);
		u = (struct hc_url){0};
	}
	const char *host = u.host ? u.host : "localhost";
	if (J(json_object_get_type)(cs) == json_type_object) { /* before 3.0: {name: {...}} */
		struct json_object_iterator it = J(json_object_iter_begin)(cs),
					    end = J(json_object_iter_end)(cs);
		for (; ok && !J(json_object_iter_equal)(&it, &end); J(json_object_iter_next)(&it))
			ok =
			    read_cookie(R, J(json_object_iter_peek_value)(&it),
					J(json_object_iter_peek_name)(&it), host, now, err, errlen);
	} else if (J(json_object_get_type)(cs) == json_type_array) {
		for (size_t i = 0; ok && i < J(json_object_array_length)(cs); i++) {
			struct json_object *c = J(json_object_array_get_idx)(cs, i);
			ok =
			    read_cookie(R, c, c ? str_of(c, "name") : NULL, host, now, err, errlen);
		}
	} else {
		ok = damaged(err, errlen, "\"cookies\" is not a list");
	}
	url_free(&u);
	return ok;
}

/* The file's text into the run; false with err when it is damaged. */
static bool session_apply(struct run *R, const char *text, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok = J(json_tokener_new)();
	struct json_object *root = NULL, *v;
	bool ok = false;
	if (tok == NULL)
		return damaged(err, errlen, "out of memory");
	root = J(json_tokener_parse_ex)(tok, text, (int)len);
	size_t end = root ? J(json_tokener_get_parse_end)(tok) : 0;
	while (root && end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (root == NULL || J(json_tokener_get_error)(tok) != json_tokener_success)
		damaged(err, errlen, "not JSON (%s)",
			J(json_tokener_error_desc)(J(json_tokener_get_error)(tok)));
	else if (end != len || strlen(text) != len)
		damaged(err, errlen, "not one JSON value");
	else if (J(json_object_get_type)(root) != json_type_object)
		damaged(err, errlen, "not a JSON object");
	else
		ok = (!J(json_object_object_get_ex)(root, "headers", &v) ||
		      read_headers(R->cli, v, err, errlen)) &&
		     (!J(json_object_object_get_ex)(root, "auth", &v) ||
		      read_auth(R, v, err, errlen)) &&
		     (!J(json_object_object_get_ex)(root, "cookies", &v) ||
		      read_cookies(R, v, err, errlen));
	if (root)
		J(json_object_put)(root);
	J(json_tokener_free)(tok);
	return ok;
}

int session_load(struct run *R)
{
	const struct cli *cli = R->cli;
	const char *arg = cli->session ? cli->session : cli->session_ro;
	char err[HC_ERRBUF], detail[HC_ERRBUF + 600], *text;
	size_t len;
	if (arg == NULL)
		return 0;
	if (!sj_load(err, sizeof(err)))
		return cli_fail(HC_EINTERNAL, err);
	if ((R->session_path = session_path(cli, arg, &R->session_dir)) == NULL)
		return cli_fail(HC_ENOMEM, "out of memory");
	R->session_save = cli->session != NULL;
	struct stat st;
	if (stat(R->session_path, &st) < 0 && errno == ENOENT)
		return 0; /* a new session */
	enum hc_err rc =
	    data_read_file(R->session_path, SESSION_FILE_MAX, &text, &len, err, sizeof(err));
	if (rc) {
		R->session_save = false; /* never overwrite what could not be read */
		snprintf(detail, sizeof(detail), "session file: %s", err);
		return cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : detail);
	}
	bool ok = session_apply(R, text, len, err, sizeof(err));
	free(text);
	if (!ok) {
		R->session_save = false;
		snprintf(detail, sizeof(detail), "session file %s is damaged: %s", R->session_path,
			 err);
		return cli_fail(HC_EUSAGE, detail);
	}
	return 0;
}

/* Content-* and If-* describe one request, not the session (HTTPie's rule). */
static bool kept_header(const struct cli_header *h)
{
	return h->value && !h->implied && strncasecmp(h->name, "Content-", 8) != 0 &&
	       strncasecmp(h->name, "If-", 3) != 0 && strcasecmp(h->name, "Cookie") != 0;
}

static struct json_object *headers_json(const struct cli *cli)
{
	struct json_object *a = J(json_object_new_array)();
	for (size_t i = 0; a && i < cli->nhdrs; i++) {
		bool later = false; /* the last of a name wins */
		for (size_t j = i + 1; j < cli->nhdrs; j++)
			later |= kept_header(&cli->hdrs[j]) &&
				 !strcasecmp(cli->hdrs[j].name, cli->hdrs[i].name);
		if (!kept_header(&cli->hdrs[i]) || later)
			continue;
		struct json_object *h = J(json_object_new_object)();
		J(json_object_object_add)(h, "name", J(json_object_new_string)(cli->hdrs[i].name));
		J(json_object_object_add)
		(h, "value", J(json_object_new_string)(cli->hdrs[i].value));
		J(json_object_array_add)(a, h);
	}
	return a;
}

static struct json_object *cookies_json(const struct ck_store *s, int64_t now)
{
	size_t n;
	struct ck_cookie **v = ck_list(s, now, &n);
	struct json_object *a = J(json_object_new_array)();
	for (size_t i = 0; v && a && i < n; i++) {
		struct json_object *c = J(json_object_new_object)();
		char dom[HC_COOKIE_ATTR_MAX + 2];
		snprintf(dom, sizeof(dom), "%s%s", v[i]->host_only ? "" : ".", v[i]->domain);
		J(json_object_object_add)(c, "domain", J(json_object_new_string)(dom));
		J(json_object_object_add)
		(c, "expires", v[i]->expires ? J(json_object_new_int64)(v[i]->expires) : NULL);
		J(json_object_object_add)(c, "name", J(json_object_new_string)(v[i]->name));
		J(json_object_object_add)(c, "path", J(json_object_new_string)(v[i]->path));
		J(json_object_object_add)(c, "secure", J(json_object_new_boolean)(v[i]->secure));
		J(json_object_object_add)(c, "value", J(json_object_new_string)(v[i]->value));
		J(json_object_array_add)(a, c);
	}
	free(v);
	return a;
}

int session_save(struct run *R)
{
	char err[HC_ERRBUF];
	if (!R->session_save)
		return 0;
	if (R->session_dir && !make_dirs(R->session_dir)) {
		snprintf(err, sizeof(err), "session directory %s: %s", R->session_dir,
			 strerror(errno));
		return cli_fail(HC_EWRITE, err);
	}
	struct json_object *root = J(json_object_new_object)(), *meta = J(json_object_new_object)();
	struct json_object *auth = J(json_object_new_object)();
	/* HTTPie 3.2 reads the file without a migration note when it names this version */
	J(json_object_object_add)(meta, "about", J(json_object_new_string)("HTTPie session file"));
	J(json_object_object_add)
	(meta, "help", J(json_object_new_string)("https://httpie.io/docs#sessions"));
	J(json_object_object_add)(meta, "httpie", J(json_object_new_string)("3.2.1"));
	J(json_object_object_add)(root, "__meta__", meta);
	char *raw = NULL;
	const char *scheme = R->auth == AUTH_DIGEST ? "digest" : "basic";
	if (R->auth == AUTH_BEARER) {
		raw = R->token ? strdup(R->token) : NULL;
		scheme = "bearer";
	} else if (R->user && asprintf(&raw, "%s:%s", R->user, R->pass ? R->pass : "") < 0) {
		raw = NULL;
	}
	J(json_object_object_add)(auth, "raw_auth", raw ? J(json_object_new_string)(raw) : NULL);
	J(json_object_object_add)(auth, "type", raw ? J(json_object_new_string)(scheme) : NULL);
	if (raw)
		freezero(raw, strlen(raw));
	J(json_object_object_add)(root, "auth", auth);
	J(json_object_object_add)(root, "cookies", cookies_json(&R->cookies, time(NULL)));
	J(json_object_object_add)(root, "headers", headers_json(R->cli));
	const char *text = J(json_object_to_json_string_ext)(
	    root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	enum hc_err rc = HC_ENOMEM;
	if (text) {
		size_t n = strlen(text);
		char *withnl = malloc(n + 2);
		if (withnl) {
			memcpy(withnl, text, n);
			withnl[n] = '\n';
			rc = jar_replace(R->session_path, withnl, n + 1, "session file", err,
					 sizeof(err));
			explicit_bzero(withnl, n + 1);
			free(withnl);
		}
	}
	J(json_object_put)(root);
	return rc ? cli_fail(rc, rc == HC_ENOMEM ? "out of memory" : err) : 0;
}
