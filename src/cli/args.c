/*
 * argv into a struct cli. One table of options drives getopt_long and
 * --help; a test checks it against the man page and the completions.
 */
#include <bsd/stdlib.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "args.h"

enum {
	OPT_FAIL_WITH_BODY = 256,
	OPT_FAIL_EARLY,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_SOURCE_ADDRESS,
	OPT_BLOCKSIZE,
	OPT_MAX_HEADERS,
	OPT_RESOLVE,
	OPT_UNIX_SOCKET,
	OPT_HTTP10,
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
};

static const struct opt {
	const char *name;
	int key;
	int arg; /* no_argument, required_argument */
	const char *meta;
	const char *help;
} opts[] = {
	{"request", 'X', required_argument, "METHOD", "request method (default GET, or POST with a body)"},
	{"data", 'd', required_argument, "DATA", "request body: a string, @FILE, or @- for standard input"},
	{"print", 'p', required_argument, "WHAT", "what to print: H request head, B request body, h response head, b response body"},
	{"include", 'i', no_argument, NULL, "print the response head and body (-p hb)"},
	{"body", 'b', no_argument, NULL, "print the response body only (-p b)"},
	{"output", 'o', required_argument, "FILE", "write the response body to FILE"},
	{"verbose", 'v', no_argument, NULL, "trace connection events and heads on standard error (repeat for more)"},
	{"silent", 's', no_argument, NULL, "no progress and no warnings"},
	{"fail", 'f', no_argument, NULL, "exit 22 on an HTTP status of 400 or more, body not printed"},
	{"fail-with-body", OPT_FAIL_WITH_BODY, no_argument, NULL, "exit 22 on an HTTP status of 400 or more, body printed"},
	{"fail-early", OPT_FAIL_EARLY, no_argument, NULL, "with several URLs, stop at the first that fails"},
	{"connect-timeout", OPT_CONNECT_TIMEOUT, required_argument, "S", "seconds allowed for connecting (default 300)"},
	{"timeout", OPT_TIMEOUT, required_argument, "S", "seconds allowed for each blocking operation"},
	{"max-time", 'm', required_argument, "S", "seconds allowed for the whole transfer of each URL"},
	{"source-address", OPT_SOURCE_ADDRESS, required_argument, "ADDR[:PORT]", "local address (and port) to connect from"},
	{"blocksize", OPT_BLOCKSIZE, required_argument, "BYTES", "bytes per read of a streamed request body (default 65536)"},
	{"max-headers", OPT_MAX_HEADERS, required_argument, "N", "response header fields accepted (default 100)"},
	{"ipv4", '4', no_argument, NULL, "connect over IPv4 only"},
	{"ipv6", '6', no_argument, NULL, "connect over IPv6 only"},
	{"resolve", OPT_RESOLVE, required_argument, "HOST:PORT:ADDR", "use ADDR for HOST:PORT instead of resolving it"},
	{"unix-socket", OPT_UNIX_SOCKET, required_argument, "PATH", "connect to this Unix domain socket"},
	{"http1.0", OPT_HTTP10, no_argument, NULL, "send HTTP/1.0 requests"},
	{"chunked", OPT_CHUNKED, no_argument, NULL, "send the body with chunked framing"},
	{"expect100", OPT_EXPECT100, no_argument, NULL, "send Expect: 100-continue and wait before the body"},
	{"expect100-timeout", OPT_EXPECT100_TIMEOUT, required_argument, "S", "seconds to wait for 100 Continue (default 1)"},
	{"cacert", OPT_CACERT, required_argument, "FILE", "trust the CA certificates in FILE (PEM) instead of the system's"},
	{"capath", OPT_CAPATH, required_argument, "DIR", "trust the CA certificates in DIR instead of the system's"},
	{"insecure", 'k', no_argument, NULL, "do not verify the server's certificate or name (warns)"},
	{"cert", OPT_CERT, required_argument, "FILE", "client certificate (PEM; may hold the key too)"},
	{"key", OPT_KEY, required_argument, "FILE", "client private key (PEM); asks for a passphrase on a terminal"},
	{"tls-min", OPT_TLS_MIN, required_argument, "VERSION", "lowest TLS version: 1.2 (default) or 1.3"},
	{"priority", OPT_PRIORITY, required_argument, "STRING", "GnuTLS priority string for ciphers and groups"},
	{"pinnedpubkey", OPT_PINNEDPUBKEY, required_argument, "sha256//BASE64[;...]", "accept only these server public keys"},
	{"proxy", 'x', required_argument, "URL", "use this HTTP proxy (\"\" ignores the environment)"},
	{"proxy-header", OPT_PROXY_HEADER, required_argument, "'NAME: VALUE'", "send this header to the proxy with CONNECT"},
	{"noproxy", OPT_NOPROXY, required_argument, "LIST", "hosts reached without a proxy (as no_proxy)"},
	{"location", 'L', no_argument, NULL, "follow redirects"},
	{"max-redirs", OPT_MAX_REDIRS, required_argument, "N", "redirects followed at most (default 50)"},
	{"user", 'u', required_argument, "USER[:PASS]", "Basic authentication; asks for PASS on a terminal"},
	{"netrc", OPT_NETRC, no_argument, NULL, "credentials from ~/.netrc"},
	{"netrc-file", OPT_NETRC_FILE, required_argument, "FILE", "credentials from this netrc file"},
	{"retry", OPT_RETRY, required_argument, "N", "retry transient failures up to N times"},
	{"retry-delay", OPT_RETRY_DELAY, required_argument, "S", "seconds between retries (default: 1, doubling)"},
	{"retry-max-time", OPT_RETRY_MAX_TIME, required_argument, "S", "no retry after S seconds since the first try"},
	{"write-out", 'w', required_argument, "FORMAT", "after each transfer print FORMAT: %{http_code}, %{json}, ... or @FILE"},
	{"compressed", OPT_COMPRESSED, no_argument, NULL, "ask for gzip, deflate, br or zstd and decode it"},
	{"color", OPT_COLOR, optional_argument, "[=WHEN]", "colour: auto (terminals, default), always or never"},
	{"help", 'h', no_argument, NULL, "show this help and exit"},
	{"version", 'V', no_argument, NULL, "show the version and exit"},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

void args_help(FILE *f)
{
	fputs("usage: hcli [OPTIONS] [METHOD] URL [ITEM ...] [URL ...]\n"
	      "\n"
	      "A command-line HTTP client.\n"
	      "\n"
	      "Items, after the URL:\n"
	      "  Name:Value     send this request header\n"
	      "  Name:          do not send this header (Host, User-Agent, Accept, ...)\n"
	      "  Name;          send this header with an empty value\n"
	      "  name==value    add a query parameter\n"
	      "  @PATH          the request body is this file\n"
	      "  @- or -        the request body is standard input\n"
	      "\n"
	      "Options:\n",
	      f);
	for (size_t i = 0; i < NOPTS; i++) {
		char left[64];
		const struct opt *o = &opts[i];
		const char *sep = o->meta && o->arg == required_argument ? " " : "";
		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name, sep,
				 o->meta ? o->meta : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, sep, o->meta ? o->meta : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
	fputs("\nSee hcli(1) for the output, the exit status and examples.\n", f);
}

static enum hc_err usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return HC_EUSAGE;
}

/* Seconds with a fraction, into milliseconds. */
static int parse_seconds(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < 0 || v > 2000000)
		return -1;
	*ms = (int)ceil(v * 1000);
	return 0;
}

static int parse_print(const char *s)
{
	int p = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'H': p |= PRINT_REQ_HEAD; break;
		case 'B': p |= PRINT_REQ_BODY; break;
		case 'h': p |= PRINT_RESP_HEAD; break;
		case 'b': p |= PRINT_RESP_BODY; break;
		default: return -1;
		}
	}
	return p;
}

/* ADDR, [V6]:PORT or V4:PORT */
static enum hc_err parse_source(const char *s, struct cli *cli, char *err, size_t errlen)
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

static enum hc_err parse_resolve(const char *s, struct cli *cli, char *err, size_t errlen)
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

static bool is_method(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Text from argv for a one-line message: control bytes as \\xNN, at most 60 bytes. */
static const char *printable(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n && i < 60 && o + 5 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
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
	cli->nhdrs++;
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

/* Name:Value, Name:, Name;, name==value, @PATH, @-, - */
static enum hc_err parse_item(struct cli *cli, const char *it, char *err, size_t errlen)
{
	if (strcmp(it, "-") == 0 || strcmp(it, "@-") == 0)
		return set_body(cli, BODY_STDIN, NULL, err, errlen);
	if (it[0] == '@')
		return set_body(cli, BODY_FILE, it + 1, err, errlen);

	size_t colon = strcspn(it, ":"), semi = strcspn(it, ";");
	const char *eq = strstr(it, "==");
	size_t eqpos = eq ? (size_t)(eq - it) : strlen(it);
	if (eqpos < colon && eqpos < semi) {
		struct cli_query *nq = reallocarray(cli->query, cli->nquery + 1, sizeof(*nq));
		if (nq == NULL)
			return HC_ENOMEM;
		cli->query = nq;
		nq[cli->nquery].name = strndup(it, eqpos);
		nq[cli->nquery].value = strdup(it + eqpos + 2);
		cli->nquery++;
		return HC_OK;
	}
	if (colon < semi && it[colon]) {
		const char *v = it + colon + 1;
		if (*v == '\0')
			return add_header(cli, it, colon, NULL, err, errlen);
		while (*v == ' ')
			v++; /* spaces after the colon are dropped */
		return add_header(cli, it, colon, v, err, errlen);
	}
	if (it[semi]) {
		if (it[semi + 1])
			return usage(err, errlen, "'%s': use Name; alone for an empty header", it);
		return add_header(cli, it, semi, "", err, errlen);
	}
	char shown[300];
	return usage(err, errlen, "'%s' is neither a URL nor an item (Name:Value, name==value, @FILE)",
		     printable(it, strlen(it), shown, sizeof(shown)));
}

static enum hc_err positionals(struct cli *cli, char **pos, size_t npos, char *err, size_t errlen)
{
	size_t i = 0;
	if (npos >= 2 && is_method(pos[0])) {
		if (cli->method)
			return usage(err, errlen, "a method is given both with -X and as '%s'", pos[0]);
		cli->method = pos[0];
		cli->method_positional = true;
		i = 1;
	}
	if (i == npos)
		return usage(err, errlen, "no URL given");
	if ((cli->urls = calloc(npos, sizeof(*cli->urls))) == NULL)
		return HC_ENOMEM;
	cli->urls[cli->nurls++] = pos[i++];
	for (; i < npos; i++) {
		enum hc_err rc;
		if (url_has_scheme(pos[i]))
			cli->urls[cli->nurls++] = pos[i];
		else if ((rc = parse_item(cli, pos[i], err, errlen)))
			return rc;
	}
	return HC_OK;
}

static enum hc_err check(struct cli *cli, char *err, size_t errlen)
{
	if (cli->http10 && cli->chunked)
		return usage(err, errlen, "--http1.0 and --chunked do not go together");
	for (size_t i = 0; i < cli->nhdrs; i++) {
		const char *v = cli->hdrs[i].value;
		if (v == NULL || strcasecmp(cli->hdrs[i].name, "Transfer-Encoding") != 0)
			continue;
		const char *last = strrchr(v, ',');
		last = last ? last + 1 : v;
		while (*last == ' ')
			last++;
		if (strncasecmp(last, "chunked", 7) != 0 || strspn(last + 7, " \t") != strlen(last + 7))
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
	return HC_OK;
}

enum hc_err args_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen)
{
	struct option lopts[NOPTS + 1];
	char sopts[NOPTS * 2 + 2], *sp = sopts;
	enum hc_err rc;
	const char *e = NULL;

	memset(cli, 0, sizeof(*cli));
	cli->connect_timeout_ms = 300000; /* curl's default */
	cli->timeout_ms = cli->max_time_ms = -1;
	cli->blocksize = HC_BLOCKSIZE;
	cli->max_headers = HC_MAX_HEADERS;
	cli->family = AF_UNSPEC;
	cli->expect100_timeout_ms = 1000;
	cli->max_redirs = 50; /* curl's */
	cli->retry_delay_ms = -1;
	cli->retry_max_time_ms = -1;

	*sp++ = ':'; /* report missing arguments as ':' */
	for (size_t i = 0; i < NOPTS; i++) {
		lopts[i] = (struct option){opts[i].name, opts[i].arg, NULL, opts[i].key};
		if (opts[i].key < 256) {
			*sp++ = (char)opts[i].key;
			if (opts[i].arg == required_argument)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	memset(&lopts[NOPTS], 0, sizeof(lopts[NOPTS]));

	opterr = 0;
	optind = 1;
	int c, ms;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		switch (c) {
		case 'X':
			cli->method = optarg;
			break;
		case 'd':
			if ((rc = body_arg(cli, optarg, err, errlen)))
				return rc;
			break;
		case 'p':
			if ((cli->print = parse_print(optarg)) <= 0)
				return usage(err, errlen, "--print takes letters of HBhb, not '%s'", optarg);
			break;
		case 'i':
			cli->print = PRINT_RESP_HEAD | PRINT_RESP_BODY;
			break;
		case 'b':
			cli->print = PRINT_RESP_BODY;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'v':
			cli->verbose++;
			break;
		case 's':
			cli->silent = true;
			break;
		case 'f':
			cli->fail = true;
			break;
		case OPT_FAIL_WITH_BODY:
			cli->fail_with_body = true;
			break;
		case OPT_FAIL_EARLY:
			cli->fail_early = true;
			break;
		case OPT_CONNECT_TIMEOUT:
		case OPT_TIMEOUT:
		case 'm':
		case OPT_EXPECT100_TIMEOUT:
			if (parse_seconds(optarg, &ms) < 0)
				return usage(err, errlen, "'%s' is not a number of seconds", optarg);
			if (c == OPT_CONNECT_TIMEOUT)
				cli->connect_timeout_ms = ms;
			else if (c == OPT_TIMEOUT)
				cli->timeout_ms = ms;
			else if (c == 'm')
				cli->max_time_ms = ms;
			else
				cli->expect100_timeout_ms = ms;
			break;
		case OPT_SOURCE_ADDRESS:
			if ((rc = parse_source(optarg, cli, err, errlen)))
				return rc;
			break;
		case OPT_BLOCKSIZE:
			cli->blocksize = (size_t)strtonum(optarg, 1, HC_BLOCKSIZE_MAX, &e);
			if (e)
				return usage(err, errlen, "--blocksize must be 1..%d, not '%s'",
					     HC_BLOCKSIZE_MAX, optarg);
			break;
		case OPT_MAX_HEADERS:
			cli->max_headers = (size_t)strtonum(optarg, 1, 100000, &e);
			if (e)
				return usage(err, errlen, "--max-headers must be 1..100000, not '%s'",
					     optarg);
			break;
		case '4':
			cli->family = AF_INET;
			break;
		case '6':
			cli->family = AF_INET6;
			break;
		case OPT_RESOLVE:
			if ((rc = parse_resolve(optarg, cli, err, errlen)))
				return rc;
			break;
		case OPT_UNIX_SOCKET:
			cli->unix_socket = optarg;
			break;
		case OPT_HTTP10:
			cli->http10 = true;
			break;
		case OPT_CHUNKED:
			cli->chunked = true;
			break;
		case OPT_EXPECT100:
			cli->expect100 = true;
			break;
		case OPT_CACERT:
			cli->tls.cafile = optarg;
			break;
		case OPT_CAPATH:
			cli->tls.capath = optarg;
			break;
		case 'k':
			cli->tls.insecure = true;
			break;
		case OPT_CERT:
			cli->tls.cert = optarg;
			break;
		case OPT_KEY:
			cli->tls.key = optarg;
			break;
		case OPT_TLS_MIN:
			if (strcmp(optarg, "1.2") && strcmp(optarg, "1.3"))
				return usage(err, errlen, "--tls-min takes 1.2 or 1.3, not '%s'", optarg);
			cli->tls.tls13_min = strcmp(optarg, "1.3") == 0;
			break;
		case OPT_PRIORITY:
			cli->tls.priority = optarg;
			break;
		case OPT_PINNEDPUBKEY:
			if (strncmp(optarg, "sha256//", 8) != 0)
				return usage(err, errlen, "--pinnedpubkey takes sha256//BASE64[;sha256//BASE64...]");
			cli->tls.pinned = optarg;
			break;
		case 'w':
			cli->write_out = optarg;
			break;
		case OPT_COMPRESSED:
			cli->compressed = true;
			break;
		case OPT_COLOR:
			if (optarg == NULL || !strcmp(optarg, "always"))
				cli->color = COLOR_ALWAYS;
			else if (!strcmp(optarg, "auto"))
				cli->color = COLOR_AUTO;
			else if (!strcmp(optarg, "never"))
				cli->color = COLOR_NEVER;
			else
				return usage(err, errlen, "--color takes auto, always or never, not '%s'", optarg);
			break;
		case 'x':
			cli->proxy = optarg;
			cli->proxy_set = true;
			break;
		case OPT_PROXY_HEADER:
			if ((rc = add_proxy_header(cli, optarg, err, errlen)))
				return rc;
			break;
		case OPT_NOPROXY:
			cli->noproxy = optarg;
			break;
		case 'L':
			cli->location = true;
			break;
		case OPT_MAX_REDIRS:
			cli->max_redirs = strtonum(optarg, 0, 100000, &e);
			if (e)
				return usage(err, errlen, "--max-redirs must be 0..100000, not '%s'", optarg);
			break;
		case 'u':
			cli->user = optarg;
			break;
		case OPT_NETRC:
			cli->netrc = true;
			break;
		case OPT_NETRC_FILE:
			cli->netrc_file = optarg;
			break;
		case OPT_RETRY:
			cli->retry = strtonum(optarg, 0, 1000000, &e);
			if (e)
				return usage(err, errlen, "--retry must be 0..1000000, not '%s'", optarg);
			break;
		case OPT_RETRY_DELAY:
		case OPT_RETRY_MAX_TIME:
			if (parse_seconds(optarg, &ms) < 0)
				return usage(err, errlen, "'%s' is not a number of seconds", optarg);
			/* as curl: 0 means the default (backoff; no time limit) */
			if (c == OPT_RETRY_DELAY)
				cli->retry_delay_ms = ms ? ms : -1;
			else
				cli->retry_max_time_ms = ms ? ms : -1;
			break;
		case 'h':
			cli->help = true;
			return HC_OK;
		case 'V':
			cli->version = true;
			return HC_OK;
		case ':':
			return usage(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if ((rc = positionals(cli, argv + optind, (size_t)(argc - optind), err, errlen)))
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
	free(cli->hdrs);
	free(cli->query);
	free(cli->resolve);
	free(cli->urls);
	free(cli->source_addr);
}
