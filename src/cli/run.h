/*
 * One run of hcli: the state the URLs share (connection, output, body
 * source, proxies, credentials) and the steps that drive the engine.
 */
#ifndef HC_RUN_H
#define HC_RUN_H

#include "../http/cookie.h"
#include "args.h"
#include "download.h"
#include "output.h"
#include "policy.h"
#include "progress.h"

/* What one exchange sends: the way a URL has come so far. */
struct hop_in {
	const char *arg; /* the URL as given */
	struct hc_url url;
	const char *method;
	const struct hc_body *body;
	bool drop_creds; /* a redirect left the first origin */
	int64_t t0;	 /* when this URL's transfer began */
	int64_t deadline; /* -m: the end of this try, redirects included (0: none) */
	char *url_user;	 /* the first URL's credentials, kept while the origin is */
	char *url_pass;
	long hops; /* redirects followed */
	bool may_retry;
	int auth_retries;   /* requests sent again after a 401, since the last redirect */
	bool dg_answered;   /* a Digest challenge came since the last redirect */
	bool stale_retried; /* stale=true was answered once */
};

/* What one exchange brought back. */
struct hop_out {
	int status;	  /* 0: no response */
	bool pending;	  /* a redirect or a retry replaces this response */
	bool quiet_error; /* a failure a retry may still mend */
	bool auth_retry;  /* a 401 to answer with credentials */
	char *location;
	long retry_after;     /* ms, or -1 */
	enum hc_err last_err; /* with quiet_error */
	char why[HC_ERRBUF * 2];
	struct hc_response last; /* the last response received (status 0: none yet), for -w */
};

/* One URL's way through redirects and retries. */
struct hop {
	struct hop_in in;
	struct hop_out out;
};

struct run {
	struct cli *cli;
	struct hc_conn_cfg cfg;
	struct hc_conn conn;
	struct out out;
	struct hc_body body;
	struct hc_multipart form; /* -F parts, the body's source with BODY_FORM */
	int body_owned_fd; /* a file we opened for the body, or -1 */
	struct proxies proxies;
	char *user, *pass;   /* -u or -a */
	enum auth_type auth; /* how credentials go */
	char *token;	     /* a bearer token */
	struct auth_digest dg;
	const char *netrc_path;
	int netrc_warned;
	bool insecure_warned; /* -k's warning is shown once */
	long redirects;
	char *wfmt; /* -w, read from @FILE if need be */
	bool progress_ok; /* standard error is a terminal, and no -s */
	struct progress prog;
	struct dl dl; /* the current URL's output file */
	struct ck_store cookies; /* on in every run: -b files, then what responses set */
	char *session_path, *session_dir; /* --session: the file, and its directory to create */
	bool session_save;		  /* --session (not read-only), read whole or new */
};

/* Report an error as "hcli: KIND: detail"; returns its exit status. */
int cli_fail(enum hc_err e, const char *detail);

/* body.c: the request body source, opened once for every URL */
enum hc_err body_open(struct run *R, char *err, size_t errlen);
/* form.c: the -F parts as a multipart body */
enum hc_err form_open(struct run *R, char *err, size_t errlen);

/* exchange.c: one request and its response, shown unless a redirect or retry replaces it */
int exchange(struct run *R, struct hop *h);
/* -w once the URL is done, whatever ended it; returns code, or a write error's if code is 0 */
int exchange_report(struct run *R, const struct hop *h, int code);

/* cookies.c: -b files into R->cookies (26 when one cannot be read), -c at the end */
int cookies_load(struct run *R);
int cookies_save(struct run *R);
/* session.c: --session and --session-read-only (2 for a damaged file) */
int session_load(struct run *R);
int session_save(struct run *R);
/* Set-Cookie fields of a response to u into R->cookies */
void cookies_take(struct run *R, const struct hc_url *u, const struct hc_response *resp);
/* policy.c: the Authorization value for this request (NULL: none); *digest when Digest */
char *auth_value(struct run *R, const struct hop_in *h, const char *target, bool *digest);
/* policy.c: does this 401 ask for the request again, with Digest credentials? */
bool auth_retry(struct run *R, struct hop *h, const struct hc_response *resp, bool digest_sent);
/* policy.c: hold a pipe's body back (send Content-Length: 0) until Digest credentials go? */
bool auth_holds_body(const struct run *R, const struct hop_in *h, bool digest_sent);
void auth_digest_free(struct auth_digest *d);

/* policy.c: one URL through its redirects and retries */
int run_url(struct run *R, size_t i);

#endif
