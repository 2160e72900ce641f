/*
 * argv into a struct cli. One table of options drives getopt_long and
 * --help; a test checks it against the man page and the completions. Each
 * row says what kind of value its option takes and where the value goes, and
 * one function per kind parses and checks it.
 */
#include <bsd/stdlib.h>
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "download.h"
#include "config.h"

enum {
	OPT_FAIL_WITH_BODY = 256,
	OPT_FAIL_EARLY,
	OPT_PARALLEL_MAX,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_SOURCE_ADDRESS,
	OPT_BLOCKSIZE,
	OPT_MAX_HEADERS,
	OPT_RESOLVE,
	OPT_UNIX_SOCKET,
	OPT_HTTP10,
	OPT_HTTP11,
	OPT_HTTP2,
	OPT_HTTP2_PRIOR,
	OPT_CHUNKED,
	OPT_EXPECT100,
	OPT_EXPECT100_TIMEOUT,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_CERT,
	OPT_KEY,
	OPT_TLS_MIN,
	OPT_PRIORITY,
	OPT_PINNEDPUBKEY,
	OPT_PROXY_HEADER,
	OPT_NOPROXY,
	OPT_MAX_REDIRS,
	OPT_NETRC,
	OPT_NETRC_FILE,
	OPT_RETRY,
	OPT_RETRY_DELAY,
	OPT_RETRY_MAX_TIME,
	OPT_COLOR,
	OPT_COMPRESSED,
	OPT_BODY,
	OPT_DATA_URLENCODE,
	OPT_PRETTY,
	OPT_FORMAT_OPTIONS,
	OPT_BOUNDARY,
	OPT_FORM,
	OPT_MULTIPART,
	OPT_OUTPUT_DIR,
	OPT_CREATE_DIRS,
	OPT_NO_CLOBBER,
	OPT_ETAG_SAVE,
	OPT_ETAG_COMPARE,
	OPT_JUNK_SESSION,
	OPT_SESSION,
	OPT_SESSION_RO,
	OPT_AUTH_TYPE,
	OPT_BASIC,
	OPT_DIGEST,
	OPT_OAUTH2_BEARER,
};

struct cli_word;

/* What an option's value is, and so which function parses it. */
enum opt_kind {
	K_FLAG,	   /* no value: the bool field becomes true */
	K_CONST,   /* no value: the field becomes the row's min */
	K_REPEAT,  /* no value: the field counts the times given */
	K_STRING,  /* the argument as given (it lives in argv) */
	K_SECONDS, /* seconds, fractions allowed, min..max: milliseconds in an int */
	K_COUNT,   /* a whole number, min..max */
	K_BYTES,   /* a number of bytes, min..max */
	K_CHOICE,  /* one word of the row's list */
	K_CALL,	   /* a parser of its own */
	K_MARK,	   /* no value: a parser of its own, called with NULL */
};

/* Which part of an argument is a password. */
enum secret {
	SECRET_NONE,
	SECRET_AFTER_COLON, /* USER:PASS */
	SECRET_URL,	    /* scheme://user:PASS@host/... */
	SECRET_AUTH,	    /* USER:PASS, or a TOKEN (no colon) whole */
	SECRET_ALL,	    /* a TOKEN */
};

struct choice {
	const char *word;
	int value;
};

typedef enum hc_err opt_fn(struct cli *cli, const char *arg, char *err, size_t errlen);

struct opt {
	const char *name;
	int key; /* the short option's letter, or an OPT_ value */
	enum opt_kind kind;
	size_t off, size; /* the field of struct cli it sets (all kinds but K_CALL) */
	long long min, max;
	const struct choice *choices; /* K_CHOICE: ends with {NULL} */
	const char *implicit;	      /* K_CHOICE: the value when the option is given alone */
	bool optional;	    /* K_CALL: a value only joined (--json=DATA), else fn gets NULL */
	opt_fn *fn;	    /* K_CALL */
	enum secret secret; /* the part of the value to blank in argv */
	const char *meta;
	const char *help;
};

static enum hc_err usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return HC_EUSAGE;
}

/* ADDR, [V6]:PORT or V4:PORT */
static enum hc_err parse_source(struct cli *cli, const char *s, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':');
	const char *port = NULL;
	free(cli->source_addr);
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || (rb[1] && rb[1] != ':'))
			return usage(err, errlen, "bad --source-address '%s'", s);
		cli->source_addr = strndup(s + 1, (size_t)(rb - s - 1));
		port = rb[1] ? rb + 2 : NULL;
	} else if (colon && strchr(s, ':') == colon) {
		cli->source_addr = strndup(s, (size_t)(colon - s));
		port = colon + 1;
	} else {
		cli->source_addr = strdup(s);
	}
	if (port) {
		const char *e = NULL;
		cli->source_port = (unsigned)strtonum(port, 0, 65535, &e);
		if (e)
			return usage(err, errlen, "bad port in --source-address '%s'", s);
	}
	return HC_OK;
}

static enum hc_err parse_resolve(struct cli *cli, const char *s, char *err, size_t errlen)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL || c1 == s || !c2[1])
		return usage(err, errlen, "--resolve takes HOST:PORT:ADDR, not '%s'", s);
	char port[8];
	if ((size_t)(c2 - c1 - 1) >= sizeof(port))
		return usage(err, errlen, "bad port in --resolve '%s'", s);
	memcpy(port, c1 + 1, (size_t)(c2 - c1 - 1));
	port[c2 - c1 - 1] = '\0';
	const char *e = NULL;
	unsigned p = (unsigned)strtonum(port, 1, 65535, &e);
	if (e)
		return usage(err, errlen, "bad port in --resolve '%s'", s);
	const char *addr = c2 + 1;
	size_t alen = strlen(addr);
	if (addr[0] == '[' && addr[alen - 1] == ']') {
		addr++;
		alen -= 2;
	}
	struct hc_resolve *nr = reallocarray(cli->resolve, cli->nresolve + 1, sizeof(*nr));
	if (nr == NULL)
		return HC_ENOMEM;
	cli->resolve = nr;
	nr[cli->nresolve].host = strndup(s, (size_t)(c1 - s));
	nr[cli->nresolve].port = p;
	nr[cli->nresolve].addr = strndup(addr, alen);
	cli->nresolve++;
	return HC_OK;
}

static enum hc_err set_body(struct cli *cli, enum body_src src, const char *arg, char *err,
			    size_t errlen)
{
	if (cli->body != BODY_NONE)
		return usage(err, errlen, "only one request body may be given");
	cli->body = src;
	cli->body_arg = arg;
	cli->body_len = src == BODY_STRING ? strlen(arg) : 0;
	return HC_OK;
}

static enum hc_err body_arg(struct cli *cli, const char *d, char *err, size_t errlen)
{
	if (d[0] != '@')
		return set_body(cli, BODY_STRING, d, err, errlen);
	if (strcmp(d, "@-") == 0)
		return set_body(cli, BODY_STDIN, NULL, err, errlen);
	return set_body(cli, BODY_FILE, d + 1, err, errlen);
}

/* A positional method (SPEC.md): A-Z 0-9 - _, token characters all; other words are URLs. */
static bool is_method(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Text from argv for a one-line message, cut at 60 bytes; out_error() escapes it. */
static const char *printable(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = n < 60 ? n : 60;
	if (o >= outlen)
		o = outlen - 1;
	memcpy(out, s, o);
	out[o] = '\0';
	return out;
}

static enum hc_err add_header(struct cli *cli, const char *name, size_t nlen, const char *value,
			      char *err, size_t errlen)
{
	char shown[300];
	if (!hdr_valid_name(name, nlen))
		return usage(err, errlen, "'%s' is not a valid header name",
			     printable(name, nlen, shown, sizeof(shown)));
	if (value && !hdr_valid_value(value, strlen(value)))
		return usage(err, errlen, "the value of header '%s' has CR, LF or NUL",
			     printable(name, nlen, shown, sizeof(shown)));
	struct cli_header *nh = reallocarray(cli->hdrs, cli->nhdrs + 1, sizeof(*nh));
	if (nh == NULL)
		return HC_ENOMEM;
	cli->hdrs = nh;
	nh[cli->nhdrs].name = strndup(name, nlen);
	nh[cli->nhdrs].value = value ? strdup(value) : NULL;
	nh[cli->nhdrs].implied = false;
	cli->nhdrs++;
	return HC_OK;
}

/*
 * A header-shaped item or -H argument (opt: "" or "-H "): Name:Value,
 * Name: (do not send), Name; (empty), as curl's -H reads them.
 */
static enum hc_err header_item(struct cli *cli, const char *it, const char *opt, char *err,
			       size_t errlen)
{
	size_t colon = strcspn(it, ":"), semi = strcspn(it, ";");
	char shown[300];
	if (colon < semi && it[colon]) {
		const char *v = it + colon + 1;
		if (*v == '\0')
			return add_header(cli, it, colon, NULL, err, errlen);
		while (*v == ' ')
			v++; /* spaces after the colon are dropped */
		return add_header(cli, it, colon, v, err, errlen);
	}
	if (it[semi] && !it[semi + 1])
		return add_header(cli, it, semi, "", err, errlen);
	printable(it, strlen(it), shown, sizeof(shown));
	if (it[semi])
		return usage(err, errlen, "%s'%s': use Name; alone for an empty header", opt,
			     shown);
	return usage(err, errlen, "%s'%s': a header is 'Name: value', 'Name:' or 'Name;'", opt,
		     shown);
}

/* -H @FILE, as curl: one header a line (CRLF or LF), blank lines skipped. */
static enum hc_err header_file(struct cli *cli, const char *path, char *err, size_t errlen)
{
	char *text, shown[300];
	size_t len, lineno = 0;
	enum hc_err rc;
	if (strcmp(path, "-") == 0)
		return usage(err, errlen, "-H @-: headers from standard input are not supported");
	if ((rc = data_read_file(path, HC_HEADER_FILE_MAX, &text, &len, shown, sizeof(shown))))
		return rc == HC_ENOMEM ? rc : usage(err, errlen, "-H: %s", shown);
	for (char *line = text, *next; rc == HC_OK && line < text + len; line = next) {
		/* not strcspn, which a NUL byte would stop for good */
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		next = line + n + (nl != NULL);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		if (strlen(line) != n) {
			rc = usage(err, errlen, "-H @%s: line %zu has a NUL byte",
				   printable(path, strlen(path), shown, sizeof(shown)), lineno);
		} else if (n) {
			char where[400];
			snprintf(where, sizeof(where), "-H @%s line %zu: ",
				 printable(path, strlen(path), shown, sizeof(shown)), lineno);
			rc = header_item(cli, line, where, err, errlen);
		}
	}
	free(text);
	return rc;
}

static enum hc_err add_word(struct cli *cli, char *arg, bool header, bool url)
{
	struct cli_word *nw = reallocarray(cli->words, cli->nwords + 1, sizeof(*nw));
	if (nw == NULL)
		return HC_ENOMEM;
	cli->words = nw;
	nw[cli->nwords++] = (struct cli_word){arg, header, url};
	return HC_OK;
}

/* -H: kept in argv order with the positionals, so that it mixes with header items in order. */
static enum hc_err opt_header(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return add_word(cli, (char *)s, true, false);
}

static opt_fn opt_config;

static enum hc_err add_data(struct cli *cli, const char *s, bool urlencode)
{
	struct cli_data *nd = reallocarray(cli->data, cli->ndata + 1, sizeof(*nd));
	if (nd == NULL)
		return HC_ENOMEM;
	cli->data = nd;
	nd[cli->ndata++] = (struct cli_data){urlencode, s};
	return HC_OK;
}

static enum hc_err opt_data(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return add_data(cli, s, false);
}

static enum hc_err opt_data_urlencode(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return add_data(cli, s, true);
}

/*
 * -b NAME=VALUE[; ...]: several are joined with "; ", as curl does. An
 * argument without "=" names a cookie file ("" only turns the engine on in
 * curl, and ours always is).
 */
static enum hc_err opt_cookie(struct cli *cli, const char *s, char *err, size_t errlen)
{
	char *joined;
	if (strchr(s, '=') == NULL) {
		if (*s == '\0')
			return HC_OK;
		const char **nf =
		    reallocarray(cli->cookie_files, cli->ncookie_files + 1, sizeof(*nf));
		if (nf == NULL)
			return HC_ENOMEM;
		cli->cookie_files = nf;
		nf[cli->ncookie_files++] = s;
		return HC_OK;
	}
	if (!hdr_valid_value(s, strlen(s)))
		return usage(err, errlen, "-b: the cookie data has CR, LF or NUL");
	if (asprintf(&joined, "%s%s%s", cli->cookie ? cli->cookie : "", cli->cookie ? "; " : "",
		     s) < 0)
		return HC_ENOMEM;
	free(cli->cookie);
	cli->cookie = joined;
	return HC_OK;
}

/*
 * -j, --json (HTTPie's flag) sets the JSON headers; --json=DATA is curl's
 * --json DATA, the same as -j -d DATA. The value is only ever joined, so
 * that "--json URL" stays HTTPie's flag followed by the URL.
 */
static enum hc_err opt_json(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	cli->json = true;
	return s ? add_data(cli, s, false) : HC_OK;
}

static enum hc_err opt_agent(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (!hdr_valid_value(s, strlen(s)))
		return usage(err, errlen, "-A: the user agent has CR, LF or NUL");
	cli->agent = s;
	return HC_OK;
}

/* --proxy-header 'Name: value' */
static enum hc_err add_proxy_header(struct cli *cli, const char *s, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	char shown[300];
	if (colon == NULL || !hdr_valid_name(s, (size_t)(colon - s)))
		return usage(err, errlen, "--proxy-header takes 'Name: value', not '%s'",
			     printable(s, strlen(s), shown, sizeof(shown)));
	const char *v = colon + 1;
	while (*v == ' ')
		v++;
	if (!hdr_valid_value(v, strlen(v)))
		return usage(err, errlen, "--proxy-header value has CR, LF or NUL");
	struct hc_field *nh = reallocarray(cli->proxy_hdrs, cli->nproxy_hdrs + 1, sizeof(*nh));
	if (nh == NULL)
		return HC_ENOMEM;
	cli->proxy_hdrs = nh;
	nh[cli->nproxy_hdrs].name = strndup(s, (size_t)(colon - s));
	nh[cli->nproxy_hdrs].value = strdup(v);
	cli->nproxy_hdrs++;
	return HC_OK;
}

/* RFC 9110 §9.1: a method is a token; anything else would rewrite the request line. */
static enum hc_err opt_method(struct cli *cli, const char *s, char *err, size_t errlen)
{
	char shown[300];
	if (!hdr_valid_name(s, strlen(s)))
		return usage(err, errlen, "-X '%s' is not a method (an RFC 9110 token)",
			     printable(s, strlen(s), shown, sizeof(shown)));
	cli->method = s;
	return HC_OK;
}

static enum hc_err opt_print(struct cli *cli, const char *s, char *err, size_t errlen)
{
	int p = 0;
	for (const char *c = s; *c; c++) {
		switch (*c) {
		case 'H': p |= PRINT_REQ_HEAD; break;
		case 'B': p |= PRINT_REQ_BODY; break;
		case 'h': p |= PRINT_RESP_HEAD; break;
		case 'b': p |= PRINT_RESP_BODY; break;
		default: return usage(err, errlen, "--print takes letters of HBhb, not '%s'", s);
		}
	}
	if (p == 0)
		return usage(err, errlen, "--print takes letters of HBhb, not '%s'", s);
	cli->print = p;
	return HC_OK;
}

static enum hc_err opt_pinned(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (strncmp(s, "sha256//", 8) != 0)
		return usage(err, errlen, "--pinnedpubkey takes sha256//BASE64[;sha256//BASE64...]");
	cli->tls.pinned = s;
	return HC_OK;
}

/* -o FILE and -O: kept in order, the n-th for the n-th URL. */
static enum hc_err add_out(struct cli *cli, const char *path)
{
	struct cli_out *no = reallocarray(cli->outs, cli->nouts + 1, sizeof(*no));
	if (no == NULL)
		return HC_ENOMEM;
	cli->outs = no;
	no[cli->nouts++] = (struct cli_out){path};
	return HC_OK;
}

static enum hc_err opt_output(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (*s == '\0')
		return usage(err, errlen, "-o takes a file name, not ''");
	return add_out(cli, s);
}

static enum hc_err opt_remote_name(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)s, (void)err, (void)errlen;
	return add_out(cli, NULL);
}

/* -C OFFSET or -C - (where the local file ends) */
static enum hc_err opt_continue(struct cli *cli, const char *s, char *err, size_t errlen)
{
	const char *e = NULL;
	char shown[300];
	cli->resume = true;
	cli->resume_at = strcmp(s, "-") == 0 ? -1 : strtonum(s, 0, INT64_MAX, &e);
	if (e)
		return usage(err, errlen, "-C takes a byte offset or -, not '%s'",
			     printable(s, strlen(s), shown, sizeof(shown)));
	return HC_OK;
}

static enum hc_err opt_proxy(struct cli *cli, const char *s, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	cli->proxy = s;
	cli->proxy_set = true;
	return HC_OK;
}

/* clang-format off */
/* The field a row sets: its offset and size in struct cli. */
#define FIELD(f) .off = offsetof(struct cli, f), .size = sizeof(((struct cli *)0)->f)
#define FLAG(n, k, f, h) {n, k, K_FLAG, FIELD(f), .help = h}
#define CONST(n, k, f, v, h) {n, k, K_CONST, FIELD(f), .min = v, .help = h}
#define STRING(n, k, f, m, h) {n, k, K_STRING, FIELD(f), .meta = m, .help = h}
#define SECONDS(n, k, f, h) {n, k, K_SECONDS, FIELD(f), 0, 2000000, .meta = "S", .help = h}
#define NUMBER(n, k, kind, f, lo, hi, m, h) {n, k, kind, FIELD(f), lo, hi, .meta = m, .help = h}
#define CALL(n, k, f, m, h) {n, k, K_CALL, .fn = f, .meta = m, .help = h}

static const struct choice auth_types[] = {
	{"basic", AUTH_BASIC}, {"digest", AUTH_DIGEST}, {"bearer", AUTH_BEARER}, {NULL, 0}};
static const struct choice tls_versions[] = {{"1.2", 0}, {"1.3", 1}, {NULL, 0}};
static const struct choice color_modes[] = {
	{"auto", COLOR_AUTO}, {"always", COLOR_ALWAYS}, {"never", COLOR_NEVER}, {NULL, 0}};
static const struct choice pretty_modes[] = {
	{"all", PRETTY_ALL}, {"colors", PRETTY_COLORS}, {"format", PRETTY_FORMAT},
	{"none", PRETTY_NONE}, {NULL, 0}};

static const struct opt opts[] = {
	CALL("request", 'X', opt_method, "METHOD", "request method (default GET, or POST with a body)"),
	CALL("data", 'd', opt_data, "DATA", "request body: a string, @FILE, or @- for standard input; several are joined with &"),
	CALL("data-urlencode", OPT_DATA_URLENCODE, opt_data_urlencode, "DATA", "data percent-encoded, as curl's: TEXT, =TEXT, NAME=TEXT, @FILE or NAME@FILE"),
	{"json", 'j', K_CALL, .fn = opt_json, .optional = true, .meta = "[=DATA]", .help = "JSON: data fields as a JSON body (the default), JSON Content-Type and Accept; --json=DATA sends DATA"},
	FLAG("form", OPT_FORM, form, "data fields as a form (application/x-www-form-urlencoded)"),
	FLAG("multipart", OPT_MULTIPART, multipart, "data fields as multipart/form-data, even without file fields"),
	FLAG("get", 'G', get, "send the -d and --data-urlencode data in the URL's query, with GET"),
	CALL("header", 'H', opt_header, "'NAME: VALUE'", "send this header, as the Name:Value item (also Name:, Name; and @FILE)"),
	CALL("user-agent", 'A', opt_agent, "STRING", "the User-Agent header (\"\" sends none)"),
	CALL("cookie", 'b', opt_cookie, "DATA|FILE", "send cookies 'NAME=VALUE[; ...]', or load a cookie file (Netscape format or Set-Cookie: lines)"),
	STRING("cookie-jar", 'c', cookie_jar, "FILE", "write every cookie to FILE at the end (curl's format; - for standard output)"),
	FLAG("junk-session-cookies", OPT_JUNK_SESSION, junk_session, "drop the session cookies read from -b files"),
	STRING("session", OPT_SESSION, session, "NAME|PATH", "keep headers, credentials and cookies in a session file (HTTPie's), read before and updated after"),
	STRING("session-read-only", OPT_SESSION_RO, session_ro, "NAME|PATH", "use a session file without updating it"),
	CALL("print", 'p', opt_print, "WHAT", "what to print: H request head, B request body, h response head, b response body"),
	CONST("include", 'i', print, PRINT_RESP_HEAD | PRINT_RESP_BODY, "print the response head and body (-p hb)"),
	CONST("body", OPT_BODY, print, PRINT_RESP_BODY, "print the response body only (-p b)"),
	CALL("output", 'o', opt_output, "FILE", "write the body to FILE (the first -o or -O is the first URL's, and so on)"),
	{"remote-name", 'O', K_MARK, .fn = opt_remote_name, .help = "write the body to a file named as the URL's last path segment"},
	FLAG("remote-header-name", 'J', remote_header_name, "with -O, the file name from Content-Disposition if it gives one"),
	STRING("output-dir", OPT_OUTPUT_DIR, output_dir, "DIR", "the directory for -O files and relative -o names"),
	FLAG("create-dirs", OPT_CREATE_DIRS, create_dirs, "create missing directories for -o, -O and --output-dir"),
	FLAG("no-clobber", OPT_NO_CLOBBER, no_clobber, "never replace a file: save as NAME.1, NAME.2 ... instead"),
	CALL("continue-at", 'C', opt_continue, "OFFSET|-", "resume from byte OFFSET, or - where NAME.part (or NAME) ends"),
	FLAG("remote-time", 'R', remote_time, "give the file the time of the response's Last-Modified"),
	STRING("time-cond", 'z', time_cond, "DATE|FILE", "only if changed since DATE or FILE's time (-DATE: only if not)"),
	STRING("etag-save", OPT_ETAG_SAVE, etag_save, "FILE", "save the response's ETag in FILE"),
	STRING("etag-compare", OPT_ETAG_COMPARE, etag_compare, "FILE", "only if the ETag differs from the one in FILE (If-None-Match)"),
	{"verbose", 'v', K_REPEAT, FIELD(verbose), .help = "trace connection events and heads on standard error (repeat for more)"},
	FLAG("silent", 's', silent, "no progress and no warnings"),
	FLAG("fail", 'f', fail, "exit 22 on an HTTP status of 400 or more, body not printed"),
	FLAG("fail-with-body", OPT_FAIL_WITH_BODY, fail_with_body, "exit 22 on an HTTP status of 400 or more, body printed"),
	FLAG("fail-early", OPT_FAIL_EARLY, fail_early, "with several URLs, stop at the first that fails"),
	FLAG("parallel", 'Z', parallel, "run the URLs at once (standard output still in URL order)"),
	NUMBER("parallel-max", OPT_PARALLEL_MAX, K_COUNT, parallel_max, 1, 300, "N", "with -Z, transfers at once (1-300, default 50)"),
	SECONDS("connect-timeout", OPT_CONNECT_TIMEOUT, connect_timeout_ms, "seconds allowed for connecting (default 300)"),
	SECONDS("timeout", OPT_TIMEOUT, timeout_ms, "seconds allowed for each blocking operation"),
	SECONDS("max-time", 'm', max_time_ms, "seconds allowed for the whole transfer of each URL"),
	CALL("source-address", OPT_SOURCE_ADDRESS, parse_source, "ADDR[:PORT]", "local address (and port) to connect from"),
	NUMBER("blocksize", OPT_BLOCKSIZE, K_BYTES, blocksize, 1, HC_BLOCKSIZE_MAX, "BYTES", "bytes per read of a streamed request body (default 65536)"),
	NUMBER("max-headers", OPT_MAX_HEADERS, K_COUNT, max_headers, 1, 100000, "N", "response header fields accepted (default 100)"),
	CONST("ipv4", '4', family, AF_INET, "connect over IPv4 only"),
	CONST("ipv6", '6', family, AF_INET6, "connect over IPv6 only"),
	CALL("resolve", OPT_RESOLVE, parse_resolve, "HOST:PORT:ADDR", "use ADDR for HOST:PORT instead of resolving it"),
	STRING("unix-socket", OPT_UNIX_SOCKET, unix_socket, "PATH", "connect to this Unix domain socket"),
	FLAG("http1.0", OPT_HTTP10, http10, "send HTTP/1.0 requests"),
	CONST("http1.1", OPT_HTTP11, http, HC_HTTP_1_1, "speak HTTP/1.1 only (https offers no h2)"),
	CONST("http2", OPT_HTTP2, http, HC_HTTP_2, "prefer HTTP/2: h2 by ALPN on https, prior knowledge on http"),
	CONST("http2-prior-knowledge", OPT_HTTP2_PRIOR, http, HC_HTTP_2_PRIOR, "speak HTTP/2 on http:// without asking (h2c)"),
	FLAG("chunked", OPT_CHUNKED, chunked, "send the body with chunked framing"),
	CALL("form-field", 'F', form_arg, "NAME=VALUE", "multipart form part: NAME=VALUE, NAME=@FILE[;type=MIME][;filename=NAME] or NAME=<FILE"),
	CALL("boundary", OPT_BOUNDARY, form_boundary, "STRING", "the multipart boundary (RFC 2046: 1-70 characters)"),
	FLAG("expect100", OPT_EXPECT100, expect100, "send Expect: 100-continue and wait before the body"),
	SECONDS("expect100-timeout", OPT_EXPECT100_TIMEOUT, expect100_timeout_ms, "seconds to wait for 100 Continue (default 1)"),
	STRING("cacert", OPT_CACERT, tls.cafile, "FILE", "trust the CA certificates in FILE (PEM) instead of the system's"),
	STRING("capath", OPT_CAPATH, tls.capath, "DIR", "trust the CA certificates in DIR instead of the system's"),
	FLAG("insecure", 'k', tls.insecure, "do not verify the server's certificate or name (warns)"),
	STRING("cert", OPT_CERT, tls.cert, "FILE", "client certificate (PEM; may hold the key too)"),
	STRING("key", OPT_KEY, tls.key, "FILE", "client private key (PEM); asks for a passphrase on a terminal"),
	{"tls-min", OPT_TLS_MIN, K_CHOICE, FIELD(tls.tls13_min), .choices = tls_versions, .meta = "VERSION", .help = "lowest TLS version: 1.2 (default) or 1.3"},
	STRING("priority", OPT_PRIORITY, tls.priority, "STRING", "GnuTLS priority string for ciphers and groups"),
	CALL("pinnedpubkey", OPT_PINNEDPUBKEY, opt_pinned, "sha256//BASE64[;...]", "accept only these server public keys"),
	{"proxy", 'x', K_CALL, .fn = opt_proxy, .secret = SECRET_URL, .meta = "URL", .help = "use this HTTP proxy (\"\" ignores the environment)"},
	CALL("proxy-header", OPT_PROXY_HEADER, add_proxy_header, "'NAME: VALUE'", "send this header to the proxy with CONNECT"),
	STRING("noproxy", OPT_NOPROXY, noproxy, "LIST", "hosts reached without a proxy (as no_proxy)"),
	FLAG("location", 'L', location, "follow redirects"),
	NUMBER("max-redirs", OPT_MAX_REDIRS, K_COUNT, max_redirs, 0, 100000, "N", "redirects followed at most (default 50)"),
	{"user", 'u', K_STRING, FIELD(user), .secret = SECRET_AFTER_COLON, .meta = "USER[:PASS]", .help = "credentials, Basic unless --digest; asks for PASS on a terminal"},
	{"auth", 'a', K_STRING, FIELD(auth), .secret = SECRET_AUTH, .meta = "USER[:PASS]|TOKEN", .help = "credentials for --auth-type (HTTPie's); asks for PASS on a terminal"},
	{"auth-type", OPT_AUTH_TYPE, K_CHOICE, FIELD(auth_type), .choices = auth_types, .meta = "TYPE", .help = "basic (default), digest or bearer: how -u or -a credentials are sent"},
	CONST("basic", OPT_BASIC, auth_type, AUTH_BASIC, "send -u credentials by Basic authentication (the default)"),
	CONST("digest", OPT_DIGEST, auth_type, AUTH_DIGEST, "send -u credentials by Digest authentication (RFC 7616) when asked"),
	{"oauth2-bearer", OPT_OAUTH2_BEARER, K_STRING, FIELD(bearer), .secret = SECRET_ALL, .meta = "TOKEN", .help = "send Authorization: Bearer TOKEN"},
	FLAG("netrc", OPT_NETRC, netrc, "credentials from ~/.netrc"),
	STRING("netrc-file", OPT_NETRC_FILE, netrc_file, "FILE", "credentials from this netrc file"),
	NUMBER("retry", OPT_RETRY, K_COUNT, retry, 0, 1000000, "N", "retry transient failures up to N times"),
	SECONDS("retry-delay", OPT_RETRY_DELAY, retry_delay_ms, "seconds between retries (default: 1, doubling)"),
	SECONDS("retry-max-time", OPT_RETRY_MAX_TIME, retry_max_time_ms, "no retry after S seconds since the first try"),
	STRING("write-out", 'w', write_out, "FORMAT", "after each transfer print FORMAT: %{http_code}, %{json}, ... or @FILE"),
	FLAG("compressed", OPT_COMPRESSED, compressed, "ask for gzip, deflate, br or zstd and decode it"),
	{"color", OPT_COLOR, K_CHOICE, FIELD(color), .choices = color_modes, .implicit = "always", .meta = "[=WHEN]", .help = "colour: auto (terminals, default), always or never"},
	{"pretty", OPT_PRETTY, K_CHOICE, FIELD(pretty), .choices = pretty_modes, .meta = "STYLE", .help = "all (terminals, default), colors, format (indent JSON) or none"},
	STRING("format-options", OPT_FORMAT_OPTIONS, format_options, "OPTS", "json.indent:N (default 4), json.sort_keys:true|false"),
	CALL("config", 'K', opt_config, "FILE", "read options from FILE, in curl's config syntax"),
	FLAG("disable", 'q', disable, "as the first argument: do not read the default config file"),
	FLAG("help", 'h', help, "show this help and exit"),
	FLAG("version", 'V', version, "show the version and exit"),
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))
/* clang-format on */

static int opt_has_arg(const struct opt *o)
{
	if (o->kind == K_FLAG || o->kind == K_CONST || o->kind == K_REPEAT || o->kind == K_MARK)
		return no_argument;
	return o->implicit || o->optional ? optional_argument : required_argument;
}

void args_help(FILE *f)
{
	fputs("usage: hcli [OPTIONS] [METHOD] URL [ITEM ...] [URL ...]\n"
	      "\n"
	      "A command-line HTTP client.\n"
	      "\n"
	      "Items, after the URL (\\ escapes : ; = @ [ ] in names and values):\n"
	      "  Name:Value     send this request header (Name:@FILE: FILE's text)\n"
	      "  Name:          do not send this header (Host, User-Agent, Accept, ...)\n"
	      "  Name;          send this header with an empty value\n"
	      "  name==value    add a query parameter (name==@FILE: FILE's text)\n"
	      "  field=value    a JSON string field, or a form field with --form\n"
	      "  field:=JSON    a raw JSON value: n:=3, ok:=true, tags:='[\"a\"]'\n"
	      "  field=@FILE    a string field holding FILE's text (field:=@FILE: its JSON)\n"
	      "  a[b][]=x       nested JSON paths, as HTTPie's ([]:=1 a top-level array)\n"
	      "  field@FILE     a file upload (multipart/form-data); ;type=MIME sets its type\n"
	      "  @PATH          the request body is this file\n"
	      "  @- or -        the request body is standard input\n"
	      "\n"
	      "Options:\n",
	      f);
	for (size_t i = 0; i < NOPTS; i++) {
		char left[64];
		const struct opt *o = &opts[i];
		const char *sep = o->meta && opt_has_arg(o) == required_argument ? " " : "";
		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name, sep,
				 o->meta ? o->meta : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, sep, o->meta ? o->meta : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
	fputs("\nSee hcli(1) for the output, the exit status and examples.\n", f);
}

/* --- one parser per kind of value ------------------------------------------- */

/* A number into the row's field, whatever its integer type (bool, int, long, size_t). */
static void store_number(struct cli *cli, const struct opt *o, long long v)
{
	char *p = (char *)cli + o->off;
	if (o->size == sizeof(bool)) {
		bool b = v != 0;
		memcpy(p, &b, sizeof(b));
	} else if (o->size == sizeof(int)) {
		int i = (int)v;
		memcpy(p, &i, sizeof(i));
	} else if (o->size == sizeof(long long)) {
		memcpy(p, &v, sizeof(v));
	}
}

/* What goes before word i of n in "a, b or c". */
static const char *list_sep(size_t i, size_t n)
{
	if (i == 0)
		return "";
	return i + 1 == n ? " or " : ", ";
}

/* Seconds with a fraction, into milliseconds. */
static enum hc_err parse_seconds(struct cli *cli, const struct opt *o, const char *s, char *err,
				 size_t errlen)
{
	char *end, shown[300];
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < (double)o->min || v > (double)o->max)
		return usage(err, errlen, "--%s takes seconds, %lld to %lld, not '%s'", o->name,
			     o->min, o->max, printable(s, strlen(s), shown, sizeof(shown)));
	/* rounded up to a whole millisecond; no libm (a plain run maps libc and libbsd only) */
	double ms = v * 1000;
	long long n = (long long)ms;
	store_number(cli, o, (double)n < ms ? n + 1 : n);
	return HC_OK;
}

/* A count or a size: a whole number within the row's bounds. */
static enum hc_err parse_number(struct cli *cli, const struct opt *o, const char *s, char *err,
				size_t errlen)
{
	const char *e = NULL;
	char shown[300];
	long long v = strtonum(s, o->min, o->max, &e);
	if (e)
		return usage(err, errlen, "--%s must be %lld..%lld, not '%s'", o->name, o->min,
			     o->max, printable(s, strlen(s), shown, sizeof(shown)));
	store_number(cli, o, v);
	return HC_OK;
}

static enum hc_err parse_choice(struct cli *cli, const struct opt *o, const char *s, char *err,
				size_t errlen)
{
	char words[128], shown[300];
	size_t n = 0, len = 0;
	if (s == NULL)
		s = o->implicit;
	for (const struct choice *c = o->choices; c->word; c++, n++)
		if (strcmp(s, c->word) == 0) {
			store_number(cli, o, c->value);
			return HC_OK;
		}
	/* "a, b or c" */
	words[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(words); i++)
		len += (size_t)snprintf(words + len, sizeof(words) - len, "%s%s", list_sep(i, n),
					o->choices[i].word);
	return usage(err, errlen, "--%s takes %s, not '%s'", o->name, words,
		     printable(s, strlen(s), shown, sizeof(shown)));
}

/* --- passwords out of argv ------------------------------------------------------ */

const char *url_password(const char *url, size_t *len)
{
	const char *sep = strstr(url, "://"), *at = NULL, *colon;
	const char *start = sep ? sep + 3 : url;
	size_t auth = strcspn(start, "/?#");
	for (const char *p = start; p < start + auth; p++)
		if (*p == '@')
			at = p; /* the last @ of the authority ends the userinfo */
	if (at == NULL || (colon = memchr(start, ':', (size_t)(at - start))) == NULL)
		return NULL;
	*len = (size_t)(at - colon - 1);
	return *len ? colon + 1 : NULL;
}

/* The password in s (its first byte, *len bytes long), or NULL if s holds none. */
static char *secret_span(char *s, enum secret kind, size_t *len)
{
	char *colon;
	if (kind == SECRET_URL)
		return (char *)url_password(s, len);
	if ((kind == SECRET_ALL || (kind == SECRET_AUTH && strchr(s, ':') == NULL)) &&
	    (*len = strlen(s)) > 0)
		return s;
	if ((colon = strchr(s, ':')) == NULL || (*len = strlen(colon + 1)) == 0)
		return NULL;
	return colon + 1;
}

/*
 * The argument s for cli to keep: when it holds a password, a copy (zeroed
 * when freed), and the password in s itself overwritten, as curl does, so
 * that ps and /proc/PID/cmdline no longer show it. NULL: out of memory.
 */
static char *keep_secret(struct cli *cli, char *s, enum secret kind)
{
	size_t len;
	char *pw = secret_span(s, kind, &len);
	if (pw == NULL)
		return s;
	char **ns = reallocarray(cli->secrets, cli->nsecrets + 1, sizeof(*ns));
	if (ns == NULL)
		return NULL;
	cli->secrets = ns;
	if ((ns[cli->nsecrets] = strdup(s)) == NULL)
		return NULL;
	memset(pw, '*', len);
	return ns[cli->nsecrets++];
}

/* The value of option o (NULL when it takes none) into cli. */
static enum hc_err opt_apply(struct cli *cli, const struct opt *o, char *arg, char *err,
			     size_t errlen)
{
	char *field = (char *)cli + o->off;
	if (o->secret && arg && (arg = keep_secret(cli, arg, o->secret)) == NULL)
		return HC_ENOMEM;
	switch (o->kind) {
	case K_FLAG:
		store_number(cli, o, 1);
		return HC_OK;
	case K_CONST:
		store_number(cli, o, o->min);
		return HC_OK;
	case K_REPEAT:
		(*(int *)field)++;
		return HC_OK;
	case K_STRING:
		memcpy(field, &arg, sizeof(arg));
		return HC_OK;
	case K_SECONDS:
		return parse_seconds(cli, o, arg, err, errlen);
	case K_COUNT:
	case K_BYTES:
		return parse_number(cli, o, arg, err, errlen);
	case K_CHOICE:
		return parse_choice(cli, o, arg, err, errlen);
	case K_CALL:
		return o->fn(cli, arg, err, errlen);
	case K_MARK:
		return o->fn(cli, NULL, err, errlen);
	}
	return HC_OK;
}

/* --- the getopt_long loop ------------------------------------------------------ */

static void cli_defaults(struct cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->connect_timeout_ms = 300000; /* curl's default */
	cli->timeout_ms = cli->max_time_ms = -1;
	cli->blocksize = HC_BLOCKSIZE;
	cli->max_headers = HC_MAX_HEADERS;
	cli->family = AF_UNSPEC;
	cli->expect100_timeout_ms = 1000;
	cli->max_redirs = 50; /* curl's */
	cli->parallel_max = 50; /* curl's */
	cli->retry_delay_ms = -1;
	cli->retry_max_time_ms = -1;
}

/* getopt_long's two forms of the table; sopts holds at least 2 * NOPTS + 3 bytes. */
static void getopt_tables(struct option *lopts, char *sopts)
{
	*sopts++ = '-'; /* positionals in argv order, as key 1 (-H mixes with items in order) */
	*sopts++ = ':'; /* report missing arguments as ':' */
	for (size_t i = 0; i < NOPTS; i++) {
		int has_arg = opt_has_arg(&opts[i]);
		lopts[i] = (struct option){opts[i].name, has_arg, NULL, opts[i].key};
		if (opts[i].key < 256) {
			*sopts++ = (char)opts[i].key;
			if (has_arg == required_argument)
				*sopts++ = ':';
		}
	}
	*sopts = '\0';
	memset(&lopts[NOPTS], 0, sizeof(lopts[NOPTS]));
}

static const struct opt *opt_by_key(int key)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].key == key)
			return &opts[i];
	return NULL;
}

/*
 * The value of an option whose value may be left out (--color): joined to it
 * (--color=never), or the next word when that is one of its choices
 * (--color never), which is then not a positional. The value of any other
 * option is optarg.
 */
static char *optional_value(int argc, char **argv, const struct opt *o)
{
	if (optarg || !o->implicit || optind >= argc)
		return optarg;
	for (const struct choice *c = o->choices; c->word; c++)
		if (strcmp(argv[optind], c->word) == 0)
			return argv[optind++];
	return NULL;
}

/* --- an option that is not in the table --------------------------------------- */

/*
 * Optimal string alignment distance (Levenshtein, plus two neighbours
 * swapped), ignoring case; words longer than 63 bytes are far from all.
 */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned char d[64][64];
	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			unsigned v = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1u < v)
				v = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < v)
				v = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)v;
		}
	}
	return d[la][lb];
}

/* The long option nearest to name[0..len) when it is near enough to be a slip, or NULL. */
static const struct opt *nearest_option(const char *name, size_t len)
{
	const struct opt *best = NULL;
	size_t bestd = SIZE_MAX;
	for (size_t i = 0; i < NOPTS; i++) {
		size_t d = edit_distance(name, len, opts[i].name, strlen(opts[i].name));
		if (d < bestd) {
			best = &opts[i];
			bestd = d;
		}
	}
	/* one slip in a short word, two in a longer one; never most of the word */
	size_t limit = len <= 4 ? 1 : 2;
	return bestd <= limit && bestd < len ? best : NULL;
}

/* The long options that name[0..len) abbreviates, "--a, --b or --c", into out; how many. */
static size_t abbreviated(const char *name, size_t len, char *out, size_t outlen)
{
	size_t n = 0, used = 0, total = 0;
	for (size_t i = 0; i < NOPTS; i++)
		total += strncmp(opts[i].name, name, len) == 0;
	out[0] = '\0';
	for (size_t i = 0; i < NOPTS && used < outlen; i++) {
		if (strncmp(opts[i].name, name, len) != 0)
			continue;
		n++;
		used += (size_t)snprintf(out + used, outlen - used, "%s--%s",
					 list_sep(n - 1, total), opts[i].name);
	}
	return total;
}

/* An unknown or ambiguous long option (word is "--name" or "--name=value"). */
static enum hc_err bad_long_option(const char *word, char *err, size_t errlen)
{
	char shown[300], names[400];
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	const struct opt *near;
	printable(word, len + 2, shown, sizeof(shown));
	if (len > 0 && abbreviated(name, len, names, sizeof(names)) > 1)
		return usage(err, errlen, "option '%s' is ambiguous: %s", shown, names);
	if ((near = nearest_option(name, len)))
		return usage(err, errlen, "unknown option '%s' (did you mean --%s?)", shown,
			     near->name);
	return usage(err, errlen, "unknown option '%s'", shown);
}

static bool cluster_has(const char *w, int ch)
{
	return w[0] == '-' && w[1] && w[1] != '-' && strchr(w + 1, ch);
}

/*
 * An unknown short option ch. Its word is argv[optind - 1] when ch ended it
 * (getopt_long then moved on), else argv[optind]. A word that is a long
 * option with one dash (-retry) gets that option as a hint; a letter whose
 * other case is an option (-K) gets that one.
 */
static enum hc_err bad_short_option(int argc, char **argv, int before, int ch, char *err,
				    size_t errlen)
{
	char shown[300], hint[80] = "";
	const char *word = argv[optind - 1];
	if (!(optind != before && cluster_has(word, ch)) && optind < argc &&
	    cluster_has(argv[optind], ch))
		word = argv[optind];
	const struct opt *near = NULL;
	int other = ch > 0 && ch < 0x80 ? (isupper(ch) ? tolower(ch) : toupper(ch)) : ch;
	if (strlen(word) > 2 && (near = nearest_option(word + 1, strcspn(word + 1, "="))))
		snprintf(hint, sizeof(hint), " (did you mean --%s?)", near->name);
	else if (strlen(word) == 2 && other != ch && opt_by_key(other))
		snprintf(hint, sizeof(hint), " (did you mean -%c?)", other);
	if (ch < 0x21 || ch > 0x7e || !cluster_has(word, ch))
		return usage(err, errlen, "unknown option '%s'%s",
			     printable(word, strlen(word), shown, sizeof(shown)), hint);
	if (strlen(word) == 2)
		return usage(err, errlen, "unknown option '-%c'%s", ch, hint);
	return usage(err, errlen, "unknown option '-%c' in '%s'%s", ch,
		     printable(word, strlen(word), shown, sizeof(shown)), hint);
}

/*
 * getopt_long's '?': optopt is 0 for an unknown or ambiguous long option,
 * the option's key for a long option given a value it does not take, else
 * the unknown short option's letter.
 */
static enum hc_err bad_option(int argc, char **argv, int before, char *err, size_t errlen)
{
	const struct opt *o = optopt ? opt_by_key(optopt) : NULL;
	if (o)
		return usage(err, errlen, "option '--%s' takes no value", o->name);
	if (optopt == 0)
		return bad_long_option(argv[optind - 1], err, errlen);
	return bad_short_option(argc, argv, before, optopt, err, errlen);
}

static bool is_disable(const char *arg)
{
	return strcmp(arg, "-q") == 0 || strcmp(arg, "--disable") == 0;
}

/* --- config files ------------------------------------------------------------------ */

/* The table's row for a config line's option name (long, or one letter), or NULL. */
static const struct opt *config_opt(const struct cfg_line *l)
{
	if (l->is_short)
		return opt_by_key((unsigned char)l->name[0]);
	for (size_t i = 0; i < NOPTS; i++)
		if (strlen(opts[i].name) == l->nlen && !strncmp(opts[i].name, l->name, l->nlen))
			return &opts[i];
	return NULL;
}

/* One option of a config line through the table, as if it stood in argv; value owned by cli. */
static enum hc_err config_apply(struct cli *cli, struct cfg_line *l, char *err, size_t errlen)
{
	const struct opt *o = config_opt(l);
	const char *dash = l->is_short ? "-" : "--";
	char *v = l->value;
	if (!l->is_short && l->nlen == 3 && !strncmp(l->name, "url", 3)) {
		if (v == NULL)
			return usage(err, errlen, "url needs a value");
	} else if (o == NULL) {
		const struct opt *near = l->is_short ? NULL : nearest_option(l->name, l->nlen);
		return usage(err, errlen, "unknown option '%s%.*s'%s%s%s", dash, (int)l->nlen,
			     l->name, near ? " (did you mean --" : "", near ? near->name : "",
			     near ? "?)" : "");
	} else if (o->key == 'K' || o->key == 'q') {
		return usage(err, errlen, "--%s does not work inside a config file", o->name);
	} else if (opt_has_arg(o) == no_argument && v) {
		return usage(err, errlen, "option '--%s' takes no value", o->name);
	} else if (opt_has_arg(o) == required_argument && v == NULL) {
		return usage(err, errlen, "option '--%s' needs a value", o->name);
	}
	char **no = reallocarray(cli->owned, cli->nowned + 1, sizeof(*no));
	if (no == NULL)
		return HC_ENOMEM;
	cli->owned = no;
	if (v)
		no[cli->nowned++] = v; /* freed with cli, as K_STRING values point into it */
	l->value = NULL;
	if (o == NULL)
		return add_word(cli, v, false, true);
	return opt_apply(cli, o, v, err, errlen);
}

/* A config file's options, in order; a bad line is a usage error naming file and line. */
static enum hc_err config_read(struct cli *cli, const char *path, char *err, size_t errlen)
{
	char *text, shown[300], e[HC_ERRBUF];
	size_t len, lineno = 0;
	enum hc_err rc = data_read_file(path, HC_CONFIG_FILE_MAX, &text, &len, e, sizeof(e));
	if (rc)
		return rc == HC_ENOMEM ? rc : usage(err, errlen, "config file: %s", e);
	for (char *line = text, *next; rc == HC_OK && line < text + len; line = next) {
		/* not strcspn: a NUL byte must not end the line (cfg_parse_line refuses it) */
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		struct cfg_line l;
		next = line + n + (nl != NULL);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		int r = cfg_parse_line(line, n, &l, e, sizeof(e));
		if (r > 0)
			rc = config_apply(cli, &l, e, sizeof(e));
		if (r < 0 || rc == HC_EUSAGE)
			rc = usage(err, errlen, "config file %s line %zu: %s",
				   printable(path, strlen(path), shown, sizeof(shown)), lineno, e);
		free(l.value);
	}
	explicit_bzero(text, len); /* it may hold credentials */
	free(text);
	return rc;
}

/* -K FILE, where it stands among the options */
static enum hc_err opt_config(struct cli *cli, const char *path, char *err, size_t errlen)
{
	return config_read(cli, path, err, errlen);
}

/* The default file, unless -q comes first; a missing file is no news. */
static enum hc_err config_default(struct cli *cli, int argc, char **argv, char *err, size_t errlen)
{
	char path[4096];
	if ((argc > 1 && is_disable(argv[1])) || !cfg_default_path(path, sizeof(path)) ||
	    access(path, F_OK) != 0)
		return HC_OK;
	return config_read(cli, path, err, errlen);
}

/* Every option of argv; the positionals and -H arguments, in order, into cli->words. */
static enum hc_err parse_options(int argc, char **argv, struct cli *cli, char *err, size_t errlen)
{
	struct option lopts[NOPTS + 1];
	char sopts[NOPTS * 2 + 3];
	enum hc_err rc;
	int c, before = 1;

	getopt_tables(lopts, sopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		const struct opt *o = opt_by_key(c);
		if (c == 1) {
			if ((rc = add_word(cli, optarg, false, false)))
				return rc;
			before = optind;
			continue;
		}
		/* -q is curl's: it means something only as the very first argument */
		if (c == 'q' && !(optind == 2 && is_disable(argv[1])))
			return usage(err, errlen, "-q, --disable works only as the first argument");
		if (c == ':')
			return usage(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
		if (c == '?' || o == NULL)
			return bad_option(argc, argv, before, err, errlen);
		if ((rc = opt_apply(cli, o, optional_value(argc, argv, o), err, errlen)))
			return rc;
		if (cli->help || cli->version)
			return HC_OK; /* the rest of argv is not looked at */
		before = optind;
	}
	while (optind < argc) /* after "--" */
		if ((rc = add_word(cli, argv[optind++], false, false)))
			return rc;
	return HC_OK;
}

static enum hc_err add_query(struct cli *cli, const char *name, const char *value)
{
	struct cli_query *nq = reallocarray(cli->query, cli->nquery + 1, sizeof(*nq));
	if (nq == NULL)
		return HC_ENOMEM;
	cli->query = nq;
	nq[cli->nquery].name = strdup(name);
	nq[cli->nquery].value = strdup(value);
	cli->nquery++;
	return HC_OK;
}

/*
 * One item, by items.c's grammar (SPEC Part 2): headers, queries and bodies
 * go where Part 1's went; data fields wait in cli->items for the body.
 */
static enum hc_err parse_item(struct cli *cli, const char *arg, char *err, size_t errlen)
{
	enum hc_err rc = items_add(&cli->items, arg, err, errlen);
	if (rc)
		return rc;
	const struct item *it = &cli->items.v[cli->items.n - 1];
	switch (it->kind) {
	case ITEM_HEADER:
	case ITEM_HEADER_FILE:
	case ITEM_HEADER_EMPTY:
		return add_header(cli, it->key, strlen(it->key), it->value, err, errlen);
	case ITEM_HEADER_UNSET:
		return add_header(cli, it->key, strlen(it->key), NULL, err, errlen);
	case ITEM_QUERY:
	case ITEM_QUERY_FILE:
		return add_query(cli, it->key, it->value);
	case ITEM_BODY_FILE:
		return set_body(cli, BODY_FILE, it->path, err, errlen);
	case ITEM_BODY_STDIN:
		return set_body(cli, BODY_STDIN, NULL, err, errlen);
	default:
		return HC_OK; /* a data field: the body, once all are known */
	}
}

/* -H ARG, where it stood among the items. */
static enum hc_err header_opt(struct cli *cli, const char *s, char *err, size_t errlen)
{
	if (s[0] == '@')
		return header_file(cli, s + 1, err, errlen);
	return header_item(cli, s, "-H ", err, errlen);
}

/* [METHOD] URL [ITEM | URL ...], with -H arguments among them in argv order. */
static enum hc_err positionals(struct cli *cli, char *err, size_t errlen)
{
	size_t npos = 0, seen = 0;
	const char *first = NULL;
	enum hc_err rc;
	for (size_t i = 0; i < cli->nwords; i++)
		if (!cli->words[i].header && npos++ == 0 && !cli->words[i].url)
			first = cli->words[i].arg;
	bool method = npos >= 2 && first && is_method(first);
	if (method && cli->method)
		return usage(err, errlen, "a method is given both with -X and as '%s'", first);
	if (npos == (size_t)method) {
		for (size_t i = 0; i < cli->nwords; i++) /* a bad -H is the clearer message */
			if (cli->words[i].header &&
			    (rc = header_opt(cli, cli->words[i].arg, err, errlen)))
				return rc;
		return usage(err, errlen, "no URL given");
	}
	if ((cli->urls = calloc(npos, sizeof(*cli->urls))) == NULL)
		return HC_ENOMEM;
	for (size_t i = 0; i < cli->nwords; i++) {
		char *w = cli->words[i].arg;
		if (cli->words[i].header) {
			rc = header_opt(cli, w, err, errlen);
		} else if (seen++ == 0 && method) {
			cli->method = w;
			cli->method_positional = true;
			rc = HC_OK;
		} else if (cli->nurls == 0 || cli->words[i].url || url_has_scheme(w) ||
			   item_looks_like_url(w)) {
			cli->urls[cli->nurls] = keep_secret(cli, w, SECRET_URL);
			rc = cli->urls[cli->nurls++] ? HC_OK : HC_ENOMEM;
		} else {
			rc = parse_item(cli, w, err, errlen);
		}
		if (rc)
			return rc;
	}
	return HC_OK;
}

static bool has_header(const struct cli *cli, const char *name)
{
	for (size_t i = 0; i < cli->nhdrs; i++)
		if (strcasecmp(cli->hdrs[i].name, name) == 0)
			return true;
	return false;
}

static const struct item *first_data(const struct items *its)
{
	for (size_t i = 0; i < its->n; i++)
		if (item_is_data(&its->v[i]))
			return &its->v[i];
	return NULL;
}

/* A header the user did not name (an item, -H, or "Name:" to drop it). */
static enum hc_err add_default(struct cli *cli, const char *name, const char *value, char *err,
			       size_t errlen)
{
	if (has_header(cli, name))
		return HC_OK;
	enum hc_err rc = add_header(cli, name, strlen(name), value, err, errlen);
	if (rc == HC_OK)
		cli->hdrs[cli->nhdrs - 1].implied = true;
	return rc;
}

/* One data item as a multipart part, HTTPie's way. */
static enum hc_err item_part(const struct item *it, struct cli_form *f, char *err, size_t errlen)
{
	f->item = true;
	if ((f->name = strdup(it->key)) == NULL)
		return HC_ENOMEM;
	if (it->kind != ITEM_FILE)
		return items_form_value(it, &f->value, &f->vlen, err, errlen);
	if ((f->path = strdup(it->path)) == NULL ||
	    (it->type && (f->type = strdup(it->type)) == NULL))
		return HC_ENOMEM;
	return HC_OK;
}

/*
 * SPEC Part 2: a file field, or --multipart, makes the data fields a
 * multipart/form-data body, every field a part in argv order (as HTTPie's
 * --multipart), streamed as -F's are. -F parts alone stay curl's.
 */
static enum hc_err item_parts(struct cli *cli, char *err, size_t errlen)
{
	enum hc_err rc = HC_OK;
	for (size_t i = 0; i < cli->items.n && rc == HC_OK; i++) {
		const struct item *it = &cli->items.v[i];
		if (!item_is_data(it))
			continue;
		struct cli_form f = {0}, *nf;
		if ((rc = item_part(it, &f, err, errlen)) == HC_OK &&
		    (nf = reallocarray(cli->forms, cli->nforms + 1, sizeof(*nf))) == NULL)
			rc = HC_ENOMEM;
		if (rc) {
			free(f.name);
			free(f.value);
			free(f.path);
			free(f.type);
			break;
		}
		cli->forms = nf;
		nf[cli->nforms++] = f;
	}
	if (rc == HC_OK)
		cli->body = BODY_FORM;
	return rc;
}

/*
 * SPEC Part 2: data fields make the body, JSON unless --form; -j and --form
 * set their headers even without fields (with -d, -j is curl's --json DATA).
 */
static enum hc_err data_fields(struct cli *cli, char *err, size_t errlen)
{
	const struct item *d = first_data(&cli->items);
	char shown[300];
	enum hc_err rc = HC_OK;
	bool multipart = cli->multipart || items_have_files(&cli->items);
	if (cli->json && (cli->form || multipart))
		return usage(err, errlen, "--json and %s do not go together",
			     cli->form	      ? "--form"
			     : cli->multipart ? "--multipart"
					      : "file fields");
	const char *what = d && d->kind == ITEM_FILE ? "file" : "data";
	if (d && cli->ndata)
		return usage(err, errlen,
			     "'%s': %s fields do not go with -d, --data-urlencode or --json=DATA",
			     printable(d->arg, strlen(d->arg), shown, sizeof(shown)), what);
	if (d && cli->body != BODY_NONE)
		return usage(err, errlen,
			     "'%s': %s fields do not go with another request body (-F, @FILE or -)",
			     printable(d->arg, strlen(d->arg), shown, sizeof(shown)), what);
	if (cli->multipart && (cli->ndata || (cli->body != BODY_NONE && cli->body != BODY_FORM)))
		return usage(err, errlen,
			     "--multipart does not go with -d, --data-urlencode, @FILE or -");
	if (multipart)
		return item_parts(cli, err, errlen);
	if (d && cli->form)
		rc = items_form_body(&cli->items, &cli->item_body, &cli->body_len, err, errlen);
	else if (d)
		rc = items_json_body(&cli->items, &cli->item_body, &cli->body_len, err, errlen);
	if (rc)
		return rc;
	if (d) {
		cli->body = BODY_STRING;
		cli->body_arg = cli->item_body;
	}
	if (cli->form && cli->nforms == 0) /* -F makes its own multipart Content-Type */
		return add_default(cli, "Content-Type",
				   "application/x-www-form-urlencoded; charset=utf-8", err, errlen);
	if (d || cli->json) {
		/* HTTPie's order: Accept, then Content-Type */
		if ((rc = add_default(cli, "Accept", "application/json, */*;q=0.5", err, errlen)))
			return rc;
		return add_default(cli, "Content-Type", "application/json", err, errlen);
	}
	return HC_OK;
}

/*
 * The data, -b and -A. As curl: a header item or -H of the same name wins
 * over -b and -A; -A "" sends no User-Agent.
 */
static enum hc_err finish(struct cli *cli, char *err, size_t errlen)
{
	enum hc_err rc = data_fields(cli, err, errlen);
	bool form = false;
	for (size_t i = 0; i < cli->ndata; i++)
		form |= cli->data[i].urlencode;
	if (rc == HC_OK && cli->ndata == 1 && !form && !cli->get)
		rc = body_arg(cli, cli->data[0].arg, err, errlen); /* streamed as before */
	else if (rc == HC_OK && cli->ndata)
		rc = data_finish(cli, err, errlen);
	/* curl's Content-Type for --data-urlencode; -d alone keeps Part 1's none */
	if (rc == HC_OK && form && !cli->get && !has_header(cli, "Content-Type"))
		rc = add_header(cli, "Content-Type", 12, "application/x-www-form-urlencoded", err,
				errlen);
	if (rc == HC_OK && cli->cookie)
		rc = add_default(cli, "Cookie", cli->cookie, err, errlen);
	const char *agent = cli->agent && *cli->agent ? cli->agent : NULL; /* "": none */
	if (rc == HC_OK && cli->agent && !has_header(cli, "User-Agent"))
		rc = add_header(cli, "User-Agent", 10, agent, err, errlen);
	return rc;
}

/* -J, -C, -z and --etag-compare: their rules, and the request fields they add. */
static enum hc_err downloads(struct cli *cli, char *err, size_t errlen)
{
	bool remote = false;
	enum hc_err rc = HC_OK;
	for (size_t i = 0; i < cli->nouts; i++)
		remote |= cli->outs[i].path == NULL;
	if (cli->remote_header_name && !remote)
		return usage(err, errlen, "-J names the files of -O: give -O too");
	if (cli->resume && cli->remote_header_name)
		return usage(err, errlen, "-C and -J do not go together: the name is known only from the answer");
	if (cli->resume && cli->nouts < cli->nurls)
		return usage(err, errlen, "-C needs an output file (-o or -O) for every URL");
	if (cli->resume && has_header(cli, "Range"))
		return usage(err, errlen, "-C and a Range header do not go together");
	if (cli->time_cond) {
		const char *name;
		char value[64];
		if ((rc = dl_time_cond(cli->time_cond, &name, value, sizeof(value), err, errlen)))
			return rc;
		rc = add_default(cli, name, value, err, errlen);
	}
	if (rc == HC_OK && cli->etag_compare) {
		char etag[1024];
		if ((rc = dl_etag_read(cli->etag_compare, etag, sizeof(etag), err, errlen)))
			return rc;
		if (!hdr_valid_value(etag, strlen(etag)))
			return usage(err, errlen, "--etag-compare %s: the ETag has a control byte",
				     cli->etag_compare);
		if (*etag)
			rc = add_default(cli, "If-None-Match", etag, err, errlen);
	}
	return rc;
}

enum auth_type args_auth_type(const struct cli *cli)
{
	if (cli->bearer)
		return AUTH_BEARER;
	return cli->auth_type == AUTH_UNSET ? AUTH_BASIC : (enum auth_type)cli->auth_type;
}

/* One source of credentials per scheme: -u or -a; a bearer token from -a or --oauth2-bearer. */
static enum hc_err check_auth(const struct cli *cli, char *err, size_t errlen)
{
	if (cli->user && cli->auth)
		return usage(err, errlen, "-u and -a both give credentials; give one");
	if (cli->bearer && (cli->user || cli->auth))
		return usage(err, errlen, "--oauth2-bearer and %s both give credentials; give one",
			     cli->user ? "-u" : "-a");
	if (cli->bearer && cli->auth_type != AUTH_UNSET && cli->auth_type != AUTH_BEARER)
		return usage(err, errlen,
			     "--oauth2-bearer sends a bearer token, not %s credentials",
			     cli->auth_type == AUTH_DIGEST ? "Digest" : "Basic");
	if (cli->auth_type == AUTH_BEARER && cli->user)
		return usage(err, errlen, "--auth-type bearer takes its token from -a, not -u");
	if (cli->auth_type == AUTH_BEARER && !cli->auth && !cli->bearer)
		return usage(err, errlen, "--auth-type bearer needs -a TOKEN");
	const char *token = cli->bearer			    ? cli->bearer
			    : cli->auth_type == AUTH_BEARER ? cli->auth
							    : NULL;
	if (token && !hdr_valid_value(token, strlen(token)))
		return usage(err, errlen, "the bearer token has CR, LF or NUL");
	return HC_OK;
}

/* Rules that span options and items. */
static enum hc_err check(struct cli *cli, char *err, size_t errlen)
{
	enum hc_err rc;
	if (cli->session && cli->session_ro)
		return usage(err, errlen, "--session and --session-read-only do not go together");
	if (cli->http10 && cli->chunked)
		return usage(err, errlen, "--http1.0 and --chunked do not go together");
	for (size_t i = 0; i < cli->nhdrs; i++) {
		const char *v = cli->hdrs[i].value;
		if (v == NULL || strcasecmp(cli->hdrs[i].name, "Transfer-Encoding") != 0)
			continue;
		if (!req_te_chunked_last(v))
			return usage(err, errlen,
				     "Transfer-Encoding '%s' is not supported: its last coding must be chunked",
				     v);
		if (cli->http10)
			return usage(err, errlen, "chunked framing needs HTTP/1.1, not --http1.0");
		for (size_t j = 0; j < cli->nhdrs; j++)
			if (cli->hdrs[j].value && strcasecmp(cli->hdrs[j].name, "Content-Length") == 0)
				return usage(err, errlen,
					     "Content-Length and Transfer-Encoding do not go together (RFC 9112 §6.2)");
	}
	if ((rc = check_auth(cli, err, errlen)))
		return rc;
	/* as curl: 0 means the default (backoff; no time limit) */
	if (cli->retry_delay_ms == 0)
		cli->retry_delay_ms = -1;
	if (cli->retry_max_time_ms == 0)
		cli->retry_max_time_ms = -1;
	return HC_OK;
}

enum hc_err args_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen)
{
	enum hc_err rc;

	cli_defaults(cli);
	if ((rc = config_default(cli, argc, argv, err, errlen)) ||
	    (rc = parse_options(argc, argv, cli, err, errlen)) || cli->help || cli->version)
		return rc;
	if ((rc = positionals(cli, err, errlen)) || (rc = finish(cli, err, errlen)) ||
	    (rc = downloads(cli, err, errlen)))
		return rc;
	return check(cli, err, errlen);
}

void args_free(struct cli *cli)
{
	for (size_t i = 0; i < cli->nhdrs; i++) {
		free(cli->hdrs[i].name);
		free(cli->hdrs[i].value);
	}
	for (size_t i = 0; i < cli->nquery; i++) {
		free(cli->query[i].name);
		free(cli->query[i].value);
	}
	for (size_t i = 0; i < cli->nresolve; i++) {
		free(cli->resolve[i].host);
		free(cli->resolve[i].addr);
	}
	for (size_t i = 0; i < cli->nproxy_hdrs; i++) {
		free((char *)cli->proxy_hdrs[i].name);
		free((char *)cli->proxy_hdrs[i].value);
	}
	free(cli->proxy_hdrs);
	form_free(cli);
	free(cli->hdrs);
	free(cli->query);
	free(cli->resolve);
	free(cli->urls);
	free(cli->outs);
	free(cli->source_addr);
	for (size_t i = 0; i < cli->nsecrets; i++)
		freezero(cli->secrets[i], strlen(cli->secrets[i]));
	free(cli->secrets);
	for (size_t i = 0; i < cli->nowned; i++) /* -G's URLs may hold a password */
		freezero(cli->owned[i], strlen(cli->owned[i]));
	free(cli->owned);
	free(cli->words);
	free(cli->data);
	free(cli->cookie);
	free(cli->cookie_files);
	items_free(&cli->items);
	free(cli->item_body);
}
