/*
 * One run of hcli: the state the URLs share (options, connections, body
 * source, proxies, credentials, cookies), each URL's job, and the steps that
 * drive the engine.
 */
#ifndef HC_RUN_H
#define HC_RUN_H

#include "../http/cookie.h"
#include "args.h"
#include "download.h"
#include "hold.h"
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

/* A connection of the run's pool: jobs take it, and give it back when they end. */
struct pooled {
	struct hc_conn c;
	unsigned users;	   /* jobs using it now (one, until h2 streams run at once) */
	bool fresh;	   /* made for its user: not yet known to speak h2 or HTTP/1.1 */
	unsigned dial_gen; /* its dials so far */
	/* the dial numbered fail_gen failed so: the jobs that waited for it fail alike */
	unsigned fail_gen;
	enum hc_err fail_err;
	enum hc_cond fail_cond;
	char fail_msg[HC_ERRBUF];
};

struct exch;

/* Where a job is: its URL's way from start to its last byte (sched.c drives it). */
enum job_state {
	JOB_TRY,   /* a request to send: waits for a connection it may use */
	JOB_XFER,  /* an exchange in flight (struct exch) */
	JOB_PAUSE, /* a retry's delay: a deadline on the loop */
	JOB_DONE,  /* ended (code); its held output waits for its turn */
};

/* One URL's transfer: its hop, exchange, connection, output, file and progress. */
struct job {
	struct run *R;
	size_t i; /* its URL's index: the order of standard output and of exit statuses */
	enum job_state state;
	struct hop h;
	struct hc_conn_cfg cfg; /* the run's, with this job's deadline, trace and progress */
	struct pooled *conn;	/* the connection it took, or NULL */
	struct pooled *waited;	/* the one it waits for while another job dials it (pipewait) */
	unsigned waited_gen;	/* that dial's number */
	struct hc_conn wc;	/* -w: the last connection's address, counts and times */
	struct exch *ex;	/* the exchange in flight, or NULL */
	struct out out;
	struct progress prog;
	struct dl dl;  /* its output file */
	int64_t first; /* when its first try began (--retry-max-time) */
	long tries;
	struct hc_task timer; /* a retry's delay */
	struct hold hold;     /* -Z: its standard output, until its turn */
	bool held;	      /* out goes to hold */
	struct progress_xfer px; /* its part of the -Z progress line */
	int code;
	char errmsg[HC_ERRBUF * 2]; /* the last error reported, for -w %{errormsg} */
	struct job *next;	    /* the run's jobs in URL order */
};

/* What the URLs share: options, connections, cookies, credentials, the body source. */
struct run {
	struct cli *cli;
	struct hc_conn_cfg cfg;
	struct out out; /* warnings, and the settings each job's output starts from */
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
	char *wfmt; /* -w, read from @FILE if need be */
	bool progress_ok; /* standard error is a terminal, and no -s */
	struct ck_store cookies; /* on in every run: -b files, then what responses set */
	char *session_path, *session_dir; /* --session: the file, and its directory to create */
	bool session_save;		  /* --session (not read-only), read whole or new */

	/* the scheduler (sched.c) */
	struct hc_loop loop;
	size_t max_jobs;	 /* at once: 1, or --parallel-max with -Z */
	size_t next_url;	 /* the next URL to start */
	struct job *jobs, *last; /* running, or ended with output still held, in URL order */
	size_t njobs;
	struct pooled **pool;
	size_t npool;
	bool stop;	 /* start no more URLs (--fail-early, a failed standard output) */
	bool out_failed; /* standard output could not be written: the run ends */
	struct hc_task out_wait; /* a held output waits for standard output to take more */
	bool out_waiting;	 /* out_wait is on the loop */
	struct progress_multi pm; /* -Z: one progress line for the transfers at once */
	bool multi;		  /* pm is on */
	size_t fail_url; /* the first URL in order that failed (with fail_code) */
	int fail_code;
};

/* Report an error as "hcli: KIND: detail"; returns its exit status. */
int cli_fail(enum hc_err e, const char *detail);

/* body.c: the request body source, opened once for every URL */
enum hc_err body_open(struct run *R, char *err, size_t errlen);
/* form.c: the -F parts as a multipart body */
enum hc_err form_open(struct run *R, char *err, size_t errlen);

/* Errors reported from here on are the -w %{errormsg} of this buffer (a job's). */
void cli_fail_into(char *buf, size_t len);

/*
 * exchange.c: one request and its response, shown unless a redirect or retry
 * replaces it, in steps: exch_start sends it on the job's connection (the
 * transfer on R->loop; 0, or an exit status when it could not start);
 * exch_poll, after each round, moves it on when its transfer changed (1:
 * still going, 0 ended: *code its exit status).
 */
#define EXCH_GOING (-100) /* the transfer goes on */
#define EXCH_WAIT (-101)  /* exch_start: no connection for it yet */
int exch_start(struct job *J);
int exch_poll(struct job *J, int *code);
/* Take the exchange off the loop at once, nothing reported (--fail-early ended the run). */
void exch_abort(struct job *J);
/* The loop's poll failed (errno err): the exchange ends with that. */
void exch_fail(struct job *J, int err);
/* -w once the URL is done, whatever ended it; returns code, or a write error's if code is 0 */
int exchange_report(struct job *J, int code);

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

/*
 * policy.c: one URL through its redirects and retries, as steps of its job:
 * job_begin (the URL parsed, its output prepared; 0 or an exit status),
 * job_try before each request (the clocks of -m and --retry-max-time),
 * job_after an exchange (its code): JOB_TRY again (a redirect, Digest
 * credentials), JOB_PAUSE (a retry's delay on the loop) or JOB_DONE.
 */
int job_begin(struct job *J);
void job_try(struct job *J);
void job_after(struct job *J, int code);
/* The end of a URL: -w, its code kept, JOB_DONE. */
void job_end(struct job *J, int code);

/* sched.c: run every URL, up to R->max_jobs at once; the exit status of the first that failed */
int sched_run(struct run *R);
/* A connection for J's next request (J->conn), or NULL: it must wait for one. */
struct pooled *pool_take(struct run *R, struct job *J, const struct hc_url *u,
			 const struct hc_proxy *proxy);
/* J gives its connection back. */
void pool_give(struct job *J);
/* J's transfer failed (rc: c->err says how); if its connection was still being dialed, the
 * jobs waiting for it fail the same way (pool_take_failed). */
void pool_dial_failed(struct job *J, enum hc_err rc);
/* The connection J waited for failed while being dialed: J takes it (closed) to fail with
 * that error (fail_err, fail_cond, fail_msg) instead of dialing again; else NULL. */
struct pooled *pool_take_failed(struct job *J);
/* J's bytes so far (down, up), for the -Z progress line. */
void sched_progress(struct job *J, uint64_t down, uint64_t up);

#endif
