/*
 * Downloads (SPEC Part 2): where each URL's body goes (-o FILE, -O, -J,
 * standard output), whole files or none (NAME.part, renamed when complete),
 * resume (-C), -R, -z and the ETag files.
 */
#ifndef HC_DOWNLOAD_H
#define HC_DOWNLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "../http/http.h"

struct run;
struct job;
struct cli;

/* One URL's output file. */
struct dl {
	bool on;	/* the body goes to a file of ours, not standard output */
	bool direct;	/* a device, FIFO or standard output: written as it is, no .part */
	bool owned;	/* fd is ours to close */
	bool skip;	/* nothing to write: a 304, or a 416 saying the file is whole */
	bool whole;	/* with skip: a complete .part to rename into place */
	int fd;		/* the open output, or -1 */
	char *path;	/* the final name; NULL until known (-J) */
	char *part;	/* path + ".part" */
	char *url_name; /* -O: the name from the URL, or NULL when refused */
	char *url_msg;	/* -O: why it was refused */
	int64_t from;	/* -C: the offset the Range asks for (0: no Range) */
	int64_t keep;	/* -C: local bytes kept at the start of the .part */
	char *src;	/* -C: where the kept bytes are (the .part or the final file), or NULL */
	uint64_t kicked; /* body bytes read when writeback was last started */
	int64_t synced;	 /* file bytes whose writeback has been started */
	char range[48];	 /* "bytes=N-", or "" */
	char label[80]; /* the name on the progress line, escaped */
};

/* An answer of dl_open: nothing to write, the exchange is complete. */
#define DL_SKIP (-1)

/*
 * Before any request: every output's directory exists (--create-dirs makes
 * it) and is writable, no -o FILE is the request body's own file, and with
 * -Z no two URLs have the same -o FILE. 0 or an exit status (23, or 2 for
 * the body's file or a shared one), the error reported.
 */
int dl_check(struct run *R);
/* Before J's URL (parsed as u) is requested: its output, its -O name, its -C offset. */
int dl_prepare(struct job *J, const struct hc_url *u);
/*
 * At the final response, before its body: the -C checks (33), the -J name,
 * the .part file opened and made the body's output. 0, DL_SKIP, or an exit
 * status with the error reported.
 */
int dl_open(struct job *J, const struct hc_response *resp);
/* After body bytes were written (nread so far): every few MiB, writeback of the file starts. */
void dl_written(struct job *J, uint64_t nread);
/*
 * After the body (code: its exit status): complete, the file is synced, -R
 * applied and renamed into place; otherwise NAME.part stays. --etag-save too.
 * Returns code, or 23 when finishing the file failed.
 */
int dl_close(struct job *J, const struct hc_response *resp, int code);
void dl_free(struct dl *d);

/*
 * -z/--time-cond DATE|FILE as curl: a leading '-' asks If-Unmodified-Since;
 * DATE in an HTTP date form or YYYY-MM-DD[ HH:MM:SS] (UTC), else FILE's mtime.
 * Sets *name and value (an IMF-fixdate); HC_EUSAGE with err set when neither.
 */
enum hc_err dl_time_cond(const char *arg, const char **name, char *value, size_t vlen, char *err,
			 size_t errlen);
/* --etag-compare FILE: its first line into value ("" when the file is missing or empty). */
enum hc_err dl_etag_read(const char *path, char *value, size_t vlen, char *err, size_t errlen);

#endif
