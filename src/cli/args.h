/* The command line: one table of options, and what argv asks for. */
#ifndef HC_ARGS_H
#define HC_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../http/http.h"
#include "items.h"
#include "output.h"

enum print_flag {
	PRINT_REQ_HEAD = 1,  /* H */
	PRINT_REQ_BODY = 2,  /* B */
	PRINT_RESP_HEAD = 4, /* h */
	PRINT_RESP_BODY = 8, /* b */
};

/* --auth-type, --basic, --digest; bearer also by --oauth2-bearer. */
enum auth_type { AUTH_UNSET, AUTH_BASIC, AUTH_DIGEST, AUTH_BEARER };

/* One header item, in argv order. */
struct cli_header {
	char *name;
	char *value; /* NULL: "Name:", do not send it */
	bool implied; /* added for an option (-j's Accept, -b DATA): not kept in a session */
};

struct cli_query {
	char *name;
	char *value;
};

enum body_src { BODY_NONE, BODY_STRING, BODY_FILE, BODY_STDIN, BODY_FORM };

/*
 * One -F NAME=VALUE, NAME=@FILE[;type=MIME][;filename=NAME] or NAME=<FILE, in argv order;
 * or a data item of a multipart request (field@FILE, --multipart).
 */
struct cli_form {
	char *name;
	char *value;	/* a literal value, or NULL */
	size_t vlen;	/* value's length (an item's text may hold NUL bytes) */
	char *path;	/* @FILE or <FILE ("-": standard input), or NULL */
	bool text;	/* <FILE: the file's bytes as the value, no filename */
	char *type;	/* ;type=, or NULL */
	char *filename; /* ;filename=, or NULL */
	bool item;	/* an HTTPie item (field=value, field@FILE): the path is only a path, the
			   type HTTPie's guess, the part head quoted as HTTPie's */
};

/* One -o FILE or -O, in argv order: the n-th goes with the n-th URL, as curl pairs them. */
struct cli_out {
	const char *path; /* -o FILE; NULL: -O */
};

/* One -d or --data-urlencode argument, in argv order. */
struct cli_data {
	bool urlencode;
	const char *arg;
};

/* A positional or a -H argument, in argv order (while argv is parsed). */
struct cli_word {
	char *arg;
	bool header; /* -H */
	bool url;    /* a config file's url = ... */
};

struct cli {
	const char *method; /* NULL: GET, or POST with a body */
	bool method_positional;
	const char **urls;
	size_t nurls;
	struct cli_header *hdrs;
	size_t nhdrs;
	struct cli_query *query;
	size_t nquery;
	enum body_src body;
	const char *body_arg; /* the string, or the file's path */
	size_t body_len;      /* BODY_STRING: its length (it may hold NUL bytes) */
	struct cli_data *data; /* -d and --data-urlencode */
	size_t ndata;
	struct items items; /* the items after the first URL, in argv order */
	bool json;	    /* -j, --json */
	bool form;	    /* --form */
	bool multipart;	    /* --multipart */
	char *item_body;    /* the body built from data fields */
	bool get;	   /* -G: the data goes into the query */
	char *cookie;	   /* -b DATA, joined with "; " */
	const char **cookie_files; /* -b FILE, in order */
	size_t ncookie_files;
	const char *cookie_jar; /* -c FILE, or NULL */
	bool junk_session;	/* --junk-session-cookies */
	const char *session;	/* --session NAME|PATH, or NULL */
	const char *session_ro; /* --session-read-only NAME|PATH, or NULL */
	const char *agent; /* -A */
	struct cli_word *words;
	size_t nwords;
	struct cli_form *forms; /* -F, BODY_FORM */
	size_t nforms;
	const char *boundary; /* --boundary, or NULL */

	int print; /* enum print_flag bits; 0: not given */
	struct cli_out *outs; /* -o and -O */
	size_t nouts;
	bool remote_header_name; /* -J */
	const char *output_dir;
	bool create_dirs, no_clobber, remote_time;
	bool resume;	      /* -C */
	long long resume_at;  /* -C OFFSET; -1 for -C - */
	const char *time_cond; /* -z, as given */
	const char *etag_save, *etag_compare;
	int verbose;
	bool silent, fail, fail_with_body, fail_early;
	bool parallel;	   /* -Z */
	long parallel_max; /* --parallel-max */

	int connect_timeout_ms, timeout_ms, max_time_ms; /* -1: none */
	char *source_addr;
	unsigned source_port;
	size_t blocksize, max_headers;
	int family;
	struct hc_resolve *resolve;
	size_t nresolve;
	const char *unix_socket;
	bool http10, chunked, expect100;
	int http; /* enum hc_http: --http1.1, --http2, --http2-prior-knowledge */
	int expect100_timeout_ms;
	struct hc_tls_cfg tls;

	const char *proxy; /* -x: NULL from the environment, "" for none */
	bool proxy_set;
	struct hc_field *proxy_hdrs;
	size_t nproxy_hdrs;
	const char *noproxy;
	bool location;
	long max_redirs;
	const char *user;   /* -u USER[:PASS] */
	const char *auth;   /* -a USER[:PASS] or TOKEN (HTTPie's) */
	const char *bearer; /* --oauth2-bearer TOKEN */
	int auth_type;	    /* enum auth_type */
	bool netrc;
	const char *netrc_file;
	long retry;
	int retry_delay_ms; /* -1: exponential from 1 s */
	int retry_max_time_ms; /* -1: no limit */
	const char *write_out; /* -w, as given (maybe @FILE) */
	enum color_mode color;
	int pretty; /* enum pretty_mode; PRETTY_UNSET: not given */
	const char *format_options; /* --format-options, as given */
	bool compressed;

	bool help, version;
	bool disable; /* -q, --disable: only as the first argument */

	char **secrets; /* copies of arguments that hold a password, zeroed when freed */
	size_t nsecrets;
	char **owned; /* built from arguments (the data, -G's URLs); freed with cli */
	size_t nowned;
};

/*
 * Fills cli from argv. On a usage error returns HC_EUSAGE with err set. The
 * passwords of -u, -a, -x and URLs and bearer tokens are overwritten in argv (cli keeps copies),
 * so that ps and /proc/PID/cmdline do not show them during the transfer.
 */
enum hc_err args_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen);
void args_help(FILE *f);
/* The scheme of the credentials given (-u, -a, --oauth2-bearer, the URL, netrc). */
enum auth_type args_auth_type(const struct cli *cli);
/* The password of a URL's userinfo (scheme optional): its first byte and length, or NULL. */
const char *url_password(const char *url, size_t *len);
void args_free(struct cli *cli);

/* data.c: the -d and --data-urlencode pieces joined into the body, or with -G into the URLs. */
enum hc_err data_finish(struct cli *cli, char *err, size_t errlen);
/* A file's bytes ("-": standard input) into a new NUL-terminated *out; more than max → HC_EREAD. */
enum hc_err data_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
			   size_t errlen);

/* form.c: -F and --boundary (called from the option table) */
enum hc_err form_arg(struct cli *cli, const char *s, char *err, size_t errlen);
enum hc_err form_boundary(struct cli *cli, const char *s, char *err, size_t errlen);
void form_free(struct cli *cli);

#endif
