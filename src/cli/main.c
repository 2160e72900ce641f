/* hcli: argv into requests, each run on the engine, each response shown. */
#include <bsd/readpassphrase.h>
#include <bsd/stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "../http/tls.h"

#define USAGE_LINE "usage: hcli [OPTIONS] [METHOD] URL [ITEM ...] [URL ...]\n"

static void upload_progress(void *ud, uint64_t sent)
{
	struct job *J = ud;
	progress_update(&J->prog, sent);
	sched_progress(J, J->px.down, sent);
}

/* -w @FILE or @- reads the format; anything else is the format. */
static enum hc_err read_format(const char *arg, char **out, char *err, size_t errlen)
{
	if (arg[0] != '@') {
		*out = strdup(arg);
		return *out ? HC_OK : HC_ENOMEM;
	}
	FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "re");
	if (f == NULL) {
		snprintf(err, errlen, "-w %s: %s", arg, strerror(errno));
		return HC_EUSAGE;
	}
	size_t cap = 4096, len = 0, n;
	char *s = malloc(cap);
	while (s) {
		if (len + 1 == cap) {
			char *ns = cap < (1 << 20) ? realloc(s, cap * 2) : NULL;
			if (ns == NULL)
				break;
			s = ns;
			cap *= 2;
		}
		if ((n = fread(s + len, 1, cap - len - 1, f)) == 0)
			break;
		len += n;
	}
	if (f != stdin)
		fclose(f);
	if (s == NULL)
		return HC_ENOMEM;
	s[len] = '\0';
	*out = s;
	return HC_OK;
}

/* An encrypted client key: its passphrase from the terminal, never from a pipe. */
static enum hc_err key_passphrase(struct cli *cli, char *pass, size_t passlen, char *err,
				  size_t errlen)
{
	const char *key = cli->tls.key ? cli->tls.key : cli->tls.cert;
	char head[65536];
	int fd = key ? open(key, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return HC_OK; /* GnuTLS reports the unreadable file */
	ssize_t n = read(fd, head, sizeof(head) - 1);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	if (strstr(head, "ENCRYPTED") == NULL)
		return HC_OK;
	char prompt[600];
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", key);
	if (readpassphrase(prompt, pass, passlen, RPP_REQUIRE_TTY) == NULL) {
		snprintf(err, errlen, "the key %s is encrypted and there is no terminal to ask for its passphrase",
			 key);
		return HC_ECERTLOCAL;
	}
	cli->tls.key_password = pass;
	return HC_OK;
}

static int usage_error(const char *detail)
{
	out_error(HC_EUSAGE, detail);
	(void)!write(STDERR_FILENO, USAGE_LINE, sizeof(USAGE_LINE) - 1);
	return hc_err_exit(HC_EUSAGE);
}

/*
 * -u or -a USER[:PASS] (a password missing is asked for on the terminal),
 * or a bearer token, and the scheme they go by. Returns an exit status.
 */
static int credentials(struct run *R)
{
	const struct cli *cli = R->cli;
	R->auth = args_auth_type(cli);
	if (R->auth == AUTH_BEARER) {
		const char *t = cli->bearer ? cli->bearer : cli->auth;
		return t && (R->token = strdup(t)) == NULL ? cli_fail(HC_ENOMEM, "out of memory")
							   : 0;
	}
	const char *cred = cli->user ? cli->user : cli->auth;
	if (cred == NULL)
		return 0;
	const char *colon = strchr(cred, ':');
	R->user = colon ? strndup(cred, (size_t)(colon - cred)) : strdup(cred);
	if (colon) {
		R->pass = strdup(colon + 1);
	} else {
		char prompt[300], buf[1024], msg[128];
		snprintf(prompt, sizeof(prompt), "Password for %.200s: ", R->user ? R->user : "");
		if (readpassphrase(prompt, buf, sizeof(buf), RPP_REQUIRE_TTY) == NULL) {
			snprintf(msg, sizeof(msg),
				 "%s USER has no password and there is no terminal to ask for it",
				 cli->user ? "-u" : "-a");
			return usage_error(msg);
		}
		R->pass = strdup(buf);
		explicit_bzero(buf, sizeof(buf));
	}
	return R->user && R->pass ? 0 : cli_fail(HC_ENOMEM, "out of memory");
}

static bool any_https(const struct cli *cli)
{
	for (size_t i = 0; i < cli->nurls; i++)
		if (strncasecmp(cli->urls[i], "https://", 8) == 0)
			return true;
	return false;
}

static bool same_file(int fd, const struct stat *out)
{
	struct stat in;
	return fd >= 0 && fstat(fd, &in) == 0 && S_ISREG(in.st_mode) && in.st_dev == out->st_dev &&
	       in.st_ino == out->st_ino;
}

/* Is this file the request body's, or one of its multipart parts'? */
static bool body_reads(const struct run *R, const struct stat *out)
{
	if (R->body.kind == HC_BODY_FD)
		return same_file(R->body.fd, out);
	for (size_t i = 0; R->body.kind == HC_BODY_PARTS && i < R->form.nsegs; i++)
		if (R->form.segs[i].mem == NULL && same_file(R->form.segs[i].fd, out))
			return true;
	return false;
}

/*
 * No -o FILE may be a file the request body reads (its file or a multipart
 * part's, by any name, or standard input redirected from it): replacing it
 * would make no sense of the body. 0, or the usage error's status.
 */
static int output_is_body(const struct run *R)
{
	const struct cli *cli = R->cli;
	struct stat out;
	char err[HC_ERRBUF];
	for (size_t i = 0; i < cli->nouts; i++) {
		const char *p = cli->outs[i].path;
		if (p && stat(p, &out) == 0 && body_reads(R, &out)) {
			snprintf(err, sizeof(err),
				 "-o %.200s is the request body's own file; write the output elsewhere",
				 p);
			return usage_error(err);
		}
	}
	return 0;
}

/* --help or --version on standard output; an exit status. */
static int show_help(const struct cli *cli)
{
	if (cli->help)
		args_help(stdout);
	else
		printf("hcli %s\n", HC_VERSION);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail(HC_EWRITE, "standard output");
	return 0;
}

/*
 * The body opened and the -w format read, and what the run reads and writes
 * checked to go together: a body from a pipe for one URL, standard input
 * for one reader, no -o on a file the body reads. 0, or an exit status.
 */
static int inputs_open(struct run *R)
{
	const struct cli *cli = R->cli;
	char err[HC_ERRBUF];
	enum hc_err rc;
	int code;
	if ((rc = body_open(R, err, sizeof(err))))
		return cli_fail(rc, err);
	if ((R->body.kind == HC_BODY_FD || R->body.kind == HC_BODY_PARTS) && R->body.size < 0 &&
	    cli->nurls > 1)
		return usage_error(
		    "a body from a pipe can be sent once, but several URLs were given");
	if (cli->write_out && !strcmp(cli->write_out, "@-") && cli->body == BODY_STDIN)
		return usage_error("-w @- and a body from standard input cannot share it");
	for (size_t i = 0; i < cli->ncookie_files; i++)
		if (!strcmp(cli->cookie_files[i], "-") && cli->body == BODY_STDIN)
			return usage_error("-b - and a body from standard input cannot share it");
	if (cli->write_out && (rc = read_format(cli->write_out, &R->wfmt, err, sizeof(err))))
		return rc == HC_EUSAGE ? usage_error(err) : cli_fail(rc, "out of memory");
	if ((code = output_is_body(R)))
		return code;
	return dl_check(R);
}

/* --netrc-file, or with --netrc $NETRC or ~/.netrc (its name in buf). */
static void netrc_find(struct run *R, char *buf, size_t len)
{
	const struct cli *cli = R->cli;
	if (cli->netrc_file) {
		R->netrc_path = cli->netrc_file;
	} else if (cli->netrc) {
		const char *env = getenv("NETRC"), *home = getenv("HOME");
		if (env && *env)
			R->netrc_path = env;
		else if (home && snprintf(buf, len, "%s/.netrc", home) > 0)
			R->netrc_path = buf;
	}
}

/* What is printed where, and how; returns what -p says (or its default). */
static int output_setup(struct run *R, unsigned indent, bool sort_keys)
{
	const struct cli *cli = R->cli;
	/* one progress line per transfer: not while several run at once */
	R->progress_ok =
	    !cli->silent && isatty(STDERR_FILENO) && (!cli->parallel || cli->nurls == 1);
	int print = cli->print;
	if (print == 0)
		print = isatty(STDOUT_FILENO) ? PRINT_RESP_HEAD | PRINT_RESP_BODY : PRINT_RESP_BODY;
	out_init(&R->out, print, cli->verbose, cli->silent, STDOUT_FILENO, "standard output",
		 cli->color);
	out_pretty(&R->out, cli->pretty, indent, sort_keys, cli->print != 0 || cli->nouts > 0);
	if (cli->nouts > cli->nurls) /* as curl's "Got more output options than URLs" */
		out_warn(&R->out, "more -o and -O than URLs: the last %zu are not used",
			 cli->nouts - cli->nurls);
	return print;
}

/* The engine's settings for every connection of the run. */
static void conn_cfg_init(struct run *R, int print)
{
	struct cli *cli = R->cli;
	R->cfg = (struct hc_conn_cfg){
		.family = cli->family,
		.connect_timeout_ms = cli->connect_timeout_ms,
		.timeout_ms = cli->timeout_ms,
		.source_addr = cli->source_addr,
		.source_port = cli->source_port,
		.blocksize = cli->blocksize,
		.max_headers = cli->max_headers,
		.http = cli->http10 ? HC_HTTP_1_1 : (enum hc_http)cli->http,
		.unix_path = cli->unix_socket,
		.resolve = cli->resolve,
		.nresolve = cli->nresolve,
		.trace = out_trace,
		.trace_ud = &R->out,
		.debuglevel = cli->verbose,
		.trace_body = (print & PRINT_REQ_BODY) != 0,
		.trace_file = R->out.tty_out ? out_trace_file : NULL, /* SPEC: elided on a terminal */
		.tls = &cli->tls,
		.progress = !cli->silent && isatty(STDERR_FILENO) ? upload_progress : NULL,
	};
}

/* What the run holds, released; secrets wiped first. */
static void run_free(struct run *R)
{
	ck_free(&R->cookies);
	free(R->session_path);
	free(R->session_dir);
	out_free(&R->out);
	free(R->wfmt);
	proxy_free(&R->proxies);
	free(R->user);
	if (R->token)
		freezero(R->token, strlen(R->token));
	auth_digest_free(&R->dg);
	if (R->pass)
		explicit_bzero(R->pass, strlen(R->pass));
	free(R->pass);
	if (R->body_owned_fd >= 0)
		close(R->body_owned_fd);
	mp_free(&R->form);
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct run R = {.cli = &cli, .body_owned_fd = -1};
	char err[HC_ERRBUF];
	int code = 0;

	/* a closed standard output is an EPIPE to handle, not a signal */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The connection's 128 KiB receive buffer (and h2's) come from the heap,
	 * not from a mapping of their own: glibc maps blocks of 128 KiB and more
	 * (its dynamic threshold moves with what was freed before), and receiving
	 * into a fresh mapping cost a chunked 16 KiB download to /dev/null a third
	 * of its rate in the bench (row 3). A -Z hold's 1 MiB still gets a mapping.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	enum hc_err rc = args_parse(argc, argv, &cli, err, sizeof(err));
	if (rc) {
		code = rc == HC_EUSAGE	 ? usage_error(err)
		       : rc == HC_ENOMEM ? cli_fail(rc, "out of memory")
					 : cli_fail(rc, err); /* a -d/--data-urlencode file */
		goto out;
	}
	if (cli.help || cli.version) {
		code = show_help(&cli);
		goto out;
	}
	unsigned indent = 4; /* HTTPie's */
	bool sort_keys = false;
	if (cli.format_options &&
	    (rc = out_format_options(cli.format_options, &indent, &sort_keys, err, sizeof(err)))) {
		code = usage_error(err);
		goto out;
	}
	if ((code = inputs_open(&R)))
		goto out;
	char pass[1024] = "";
	if (any_https(&cli) && (cli.tls.cert || cli.tls.key) &&
	    (rc = key_passphrase(&cli, pass, sizeof(pass), err, sizeof(err)))) {
		code = cli_fail(rc, err);
		goto out;
	}
	if ((rc = proxy_setup(&R.proxies, &cli, err, sizeof(err)))) {
		code = cli_fail(rc, err);
		goto out;
	}
	if ((code = credentials(&R)))
		goto out;
	char netrc_buf[4096];
	netrc_find(&R, netrc_buf, sizeof(netrc_buf));
	conn_cfg_init(&R, output_setup(&R, indent, sort_keys));
	R.max_jobs = cli.parallel ? (size_t)cli.parallel_max : 1;
	if ((code = session_load(&R)) || (code = cookies_load(&R)))
		goto out;
	code = sched_run(&R);
	explicit_bzero(pass, sizeof(pass));
	int jc = cookies_save(&R); /* whatever the transfers did, as curl */
	if (jc && !code)
		code = jc;
	if ((jc = session_save(&R)) && !code)
		code = jc;
out:
	run_free(&R);
	tls_global_free();
	args_free(&cli);
	return code;
}
