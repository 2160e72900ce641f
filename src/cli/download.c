/*
 * Downloads (SPEC Part 2 "Downloads"): each URL's body goes to standard
 * output, to its own -o FILE or to an -O name, in URL order as curl pairs
 * them. A regular file is written as NAME.part in the target directory,
 * fsync'ed and renamed over NAME only when the body is complete, so a
 * failure never leaves a truncated NAME; -C resumes the .part.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../http/headers.h"

#include "disposition.h"
#include "download.h"
#include "hint.h"
#include "run.h"

/* --no-clobber tries NAME.1 to NAME.100, as curl */
#define NOCLOBBER_MAX 100
/* writeback is started every 8 MiB, so that the fsync at the end finds little left to do */
#define DL_SYNC_STEP (8 << 20)

static int write_error(const char *what, int e)
{
	char msg[HC_ERRBUF];
	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(e));
	return cli_fail(HC_EWRITE, msg);
}

static int range_error(const char *fmt, const char *a, const char *b)
{
	char msg[HC_ERRBUF];
	const char *h = cli_hint(HC_ERANGE, HC_COND_NONE);
	int n = snprintf(msg, sizeof(msg), fmt, a, b);
	if (h && n > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, "%s", h);
	return cli_fail(HC_ERANGE, msg);
}

/* "-" and /dev/stdout are standard output itself (its offset and O_APPEND kept). */
static bool is_stdout(const char *p)
{
	return strcmp(p, "-") == 0 || strcmp(p, "/dev/stdout") == 0;
}

/* Devices, FIFOs, sockets and anything under /dev or /proc: written directly, never renamed. */
static bool is_direct(const char *p)
{
	struct stat st;
	if (is_stdout(p) || strncmp(p, "/dev/", 5) == 0 || strncmp(p, "/proc/", 6) == 0)
		return true;
	return stat(p, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* DIR/NAME, or NAME when there is no DIR or NAME is absolute (curl's --output-dir). */
static char *join(const char *dir, const char *name)
{
	char *s;
	if (dir == NULL || *dir == '\0' || name[0] == '/')
		return strdup(name);
	size_t dl = strlen(dir);
	bool slash = dir[dl - 1] == '/';
	return asprintf(&s, "%s%s%s", dir, slash ? "" : "/", name) < 0 ? NULL : s;
}

/* The directory part of a path: "." when it has none. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return strdup(".");
	return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

/* mkdir -p, each new directory 0750 as curl's --create-dirs. */
static int mkdirs(const char *dir)
{
	char buf[4096];
	if (strlen(dir) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, dir);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0750) < 0 && errno != EEXIST)
			return -1;
		if ((*p = c) == '\0')
			return 0;
	}
}

/*
 * -Z: two URLs whose -o name the same file (not a device) would write it at
 * once. 0, or the usage error's status.
 */
static int shared_output(const struct cli *cli)
{
	size_t n = cli->nouts < cli->nurls ? cli->nouts : cli->nurls;
	char err[HC_ERRBUF];
	for (size_t i = 0; cli->parallel && cli->parallel_max > 1 && i < n; i++) {
		const char *p = cli->outs[i].path;
		if (p == NULL || is_direct(p))
			continue;
		for (size_t j = i + 1; j < n; j++) {
			if (cli->outs[j].path == NULL || strcmp(p, cli->outs[j].path) != 0)
				continue;
			snprintf(err, sizeof(err),
				 "-o %.200s is given for URLs %zu and %zu, which -Z runs at once; "
				 "give each its own file",
				 p, i + 1, j + 1);
			return cli_fail(HC_EUSAGE, err);
		}
	}
	return 0;
}

int dl_check(struct run *R)
{
	const struct cli *cli = R->cli;
	int shared = shared_output(cli);
	if (shared)
		return shared;
	for (size_t i = 0; i < cli->nouts && i < cli->nurls; i++) {
		const char *p = cli->outs[i].path;
		char *full = p ? join(cli->output_dir, p) : NULL, *dir;
		struct stat st;
		int code = 0;
		if (p && full == NULL)
			return cli_fail(HC_ENOMEM, "out of memory");
		if (full && is_direct(full)) {
			free(full);
			continue;
		}
		dir = full ? dir_of(full) : cli->output_dir ? strdup(cli->output_dir) : strdup(".");
		if (dir == NULL)
			code = cli_fail(HC_ENOMEM, "out of memory");
		else if (cli->create_dirs && mkdirs(dir) < 0)
			code = write_error(dir, errno);
		else if (access(dir, W_OK | X_OK) < 0)
			code = write_error(dir, errno);
		else if (full && stat(full, &st) == 0 && S_ISDIR(st.st_mode))
			code = write_error(full, EISDIR);
		free(dir);
		free(full);
		if (code)
			return code;
	}
	return 0;
}

/* The -O name: the URL path's last segment, percent-decoded, reduced (SPEC). 0: refused. */
static size_t url_name(const struct hc_url *u, char *out, size_t cap)
{
	char dec[DL_NAME_MAX];
	const char *t = u->target;
	size_t n = strcspn(t, "?#");
	const char *seg = t;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '/')
			seg = t + i + 1;
	size_t sl = (size_t)(t + n - seg);
	if (sl > sizeof(dec))
		return 0;
	size_t dn = dl_pct_decode(seg, sl, dec, sizeof(dec));
	return dl_reduce(dec, dn, false, out, cap);
}

/* The progress line's name: the file's last component, escaped, cut to fit. */
static void set_label(struct dl *d, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	struct hc_headbuf b = {.max = 4096};
	size_t n = strlen(base);
	if (out_vis(&b, base, n < 40 ? n : 40) == HC_OK && b.len < sizeof(d->label))
		snprintf(d->label, sizeof(d->label), "%.*s", (int)b.len, b.p);
	else
		snprintf(d->label, sizeof(d->label), "down");
	hb_free(&b);
}

static int set_path(struct dl *d, char *path)
{
	free(d->path);
	free(d->part);
	d->path = path;
	d->part = NULL;
	if (path == NULL || asprintf(&d->part, "%s.part", path) < 0) {
		d->part = NULL;
		return cli_fail(HC_ENOMEM, "out of memory");
	}
	set_label(d, path);
	return 0;
}

/* -o FILE that is a symbolic link to a regular file: the file is replaced, not the link. */
static char *real_target(char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		char *rp = realpath(path, NULL);
		if (rp) {
			free(path);
			return rp;
		}
	}
	return path;
}

static int open_direct(struct job *J, const char *path)
{
	struct dl *d = &J->dl;
	d->on = d->direct = true;
	if (is_stdout(path)) {
		d->fd = STDOUT_FILENO;
	} else {
		if ((d->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0)
			return write_error(path, errno);
		d->owned = true;
	}
	out_set_body(&J->out, d->fd, path);
	return 0;
}

/* -C: what is already here (NAME.part, else NAME) and the Range to ask for. */
static void resume_point(struct dl *d, const struct cli *cli)
{
	struct stat st;
	int64_t have = 0;
	if (lstat(d->part, &st) == 0 && S_ISREG(st.st_mode)) {
		d->src = d->part;
		have = st.st_size;
	} else if (lstat(d->path, &st) == 0 && S_ISREG(st.st_mode)) {
		d->src = d->path;
		have = st.st_size;
	}
	if (cli->resume_at < 0) { /* -C - */
		d->from = d->keep = have;
	} else { /* -C OFFSET: the first OFFSET local bytes, if there are that many */
		d->from = cli->resume_at;
		d->keep = have >= d->from ? d->from : 0;
	}
	if (d->keep == 0)
		d->src = NULL;
	if (d->from > 0)
		snprintf(d->range, sizeof(d->range), "bytes=%lld-", (long long)d->from);
}

int dl_prepare(struct job *J, const struct hc_url *u)
{
	const struct cli *cli = J->R->cli;
	struct dl *d = &J->dl;
	size_t i = J->i;
	dl_free(d);
	const struct cli_out *o = i < cli->nouts ? &cli->outs[i] : NULL;
	if (o == NULL) {
		out_set_body(&J->out, STDOUT_FILENO, "standard output");
		return 0;
	}
	d->on = true; /* a failure from here on is this URL's file's, not standard output's */
	if (o->path) {
		char *full = join(cli->output_dir, o->path);
		if (full == NULL)
			return cli_fail(HC_ENOMEM, "out of memory");
		if (is_direct(full)) {
			d->path = full; /* the name in messages and on the progress line */
			set_label(d, full);
			return open_direct(J, full);
		}
		if (set_path(d, real_target(full)))
			return hc_err_exit(HC_ENOMEM);
	} else {
		/* -O's name, also -J's fallback: from the URL as given, not a redirect's */
		char name[DL_NAME_MAX], msg[HC_ERRBUF];
		if (url_name(u, name, sizeof(name)) > 0 && (d->url_name = strdup(name)) == NULL)
			return cli_fail(HC_ENOMEM, "out of memory");
		snprintf(msg, sizeof(msg), "refused file name from the URL path '%.200s' (%s)",
			 u->target, cli->remote_header_name ? "-J" : "-O");
		if ((d->url_msg = strdup(msg)) == NULL)
			return cli_fail(HC_ENOMEM, "out of memory");
		if (!cli->remote_header_name && d->url_name == NULL)
			return cli_fail(HC_EWRITE, msg);
		if (!cli->remote_header_name && set_path(d, join(cli->output_dir, name)))
			return hc_err_exit(HC_ENOMEM);
	}
	if (cli->resume && d->path)
		resume_point(d, cli);
	/* the response picks the name (-J), or it is known: the progress line says which */
	return 0;
}

/* The file's name from -J (Content-Disposition), else from the URL; 0 or 23. */
static int name_from_response(struct job *J, const struct hc_response *resp)
{
	const struct cli *cli = J->R->cli;
	char raw[DL_NAME_MAX], name[DL_NAME_MAX], msg[HC_ERRBUF];
	size_t n = 0;
	char *cd = hdr_get_joined(&resp->hdrs, "Content-Disposition");
	long r = cd ? cd_filename(cd, strlen(cd), raw, sizeof(raw)) : 0;
	if (r > 0 && (n = dl_reduce(raw, (size_t)r, true, name, sizeof(name))) == 0) {
		snprintf(msg, sizeof(msg), "refused file name '%.*s' from Content-Disposition (-J)",
			 (int)(r < 200 ? r : 200), raw);
		free(cd);
		return cli_fail(HC_EWRITE, msg);
	}
	free(cd);
	if (n == 0 && J->dl.url_name == NULL)
		return cli_fail(HC_EWRITE, J->dl.url_msg);
	return set_path(&J->dl, join(cli->output_dir, n ? name : J->dl.url_name));
}

/* Content-Range: FIRST of "bytes FIRST-LAST/LEN", or (star) LEN of "bytes *\/LEN"; -1: bad */
static int64_t content_range(const struct hc_response *resp, bool star)
{
	const char *v = hdr_get(&resp->hdrs, "Content-Range");
	long long a, b, len = -1;
	int used = 0;
	if (v == NULL || strncasecmp(v, "bytes ", 6) != 0)
		return -1;
	v += 6;
	if (star) {
		if (sscanf(v, "*/%lld%n", &len, &used) != 1 || v[used] != '\0' || len < 0)
			return -1;
		return len;
	}
	if (sscanf(v, "%lld-%lld/%n", &a, &b, &used) != 2 || used == 0 || a < 0 || b < a)
		return -1;
	return a;
}

/* -C: the answer to the Range request. 0 to write the body, DL_SKIP, or 33. */
static int check_range(struct dl *d, const struct hc_response *resp)
{
	char num[32];
	if (resp->status == 206) {
		snprintf(num, sizeof(num), "%lld", (long long)d->from);
		if (content_range(resp, false) != d->from)
			return range_error("206 whose Content-Range does not start at %s (%.100s)",
					   num, hdr_get(&resp->hdrs, "Content-Range") ?: "none");
		return 0;
	}
	if (resp->status == 416 && d->keep == d->from && content_range(resp, true) == d->keep) {
		d->skip = true;
		d->whole = d->src != NULL && d->src == d->part;
		return DL_SKIP;
	}
	snprintf(num, sizeof(num), "%lld", (long long)d->from);
	return range_error("a request for the bytes from %s was answered with '%.200s'", num,
			   resp->status_line);
}

/* Copy n bytes of the file at path to fd (resuming from NAME into NAME.part). */
static int copy_head(const char *path, int fd, int64_t n)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return write_error(path, errno);
	char buf[65536];
	while (n > 0) {
		ssize_t r = copy_file_range(in, NULL, fd, NULL, (size_t)n, 0);
		if (r < 0 &&
		    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			r = read(in, buf, n < (int64_t)sizeof(buf) ? (size_t)n : sizeof(buf));
			if (r > 0 && !out_write_fd(fd, buf, (size_t)r))
				r = -1;
		}
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(in);
			return write_error(path, e);
		}
		n -= r;
	}
	close(in);
	return 0;
}

/* NAME.part, new (a stale one replaced) or, with -C, holding the kept bytes. */
static int open_part(struct dl *d)
{
	if (d->src == d->part) {
		d->fd = open(d->part, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (d->fd < 0)
			return write_error(d->part, errno);
		if (ftruncate(d->fd, d->keep) < 0 || lseek(d->fd, d->keep, SEEK_SET) < 0)
			return write_error(d->part, errno);
		return 0;
	}
	/* never through a link or into a file someone else has open: a new inode */
	if (unlink(d->part) < 0 && errno != ENOENT)
		return write_error(d->part, errno);
	d->fd = open(d->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (d->fd < 0)
		return write_error(d->part, errno);
	return d->src ? copy_head(d->src, d->fd, d->keep) : 0;
}

int dl_open(struct job *J, const struct hc_response *resp)
{
	struct dl *d = &J->dl;
	int code;
	if (!d->on || d->direct)
		return 0;
	if (resp->status == 304) { /* -z, --etag-compare: what is here is current */
		d->skip = true;
		return DL_SKIP;
	}
	if (d->from > 0 && (code = check_range(d, resp)))
		return code;
	if (d->path == NULL && (code = name_from_response(J, resp)))
		return code;
	if ((code = open_part(d)))
		return code;
	out_set_body(&J->out, d->fd, d->part);
	return 0;
}

void dl_written(struct job *J, uint64_t nread)
{
	struct dl *d = &J->dl;
	if (!d->on || d->direct || d->fd < 0 || nread - d->kicked < DL_SYNC_STEP)
		return;
	d->kicked = nread;
	off_t pos = lseek(d->fd, 0, SEEK_CUR);
	if (pos > d->synced) {
		/* only a start: the data stays in the page cache, and an error shows at fsync */
		(void)sync_file_range(d->fd, d->synced, pos - d->synced, SYNC_FILE_RANGE_WRITE);
		d->synced = pos;
	}
}

/* s whole in the first of the n strptime(3) forms that takes it, as a UTC time. */
static bool date_in_forms(const char *s, const char *const *forms, size_t n, time_t *t)
{
	for (size_t i = 0; i < n; i++) {
		struct tm tm = {0};
		const char *r = strptime(s, forms[i], &tm);
		if (r && *r == '\0') {
			*t = timegm(&tm);
			return *t != (time_t)-1;
		}
	}
	return false;
}

/* RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms; UTC. */
static bool http_date(const char *s, time_t *t)
{
	static const char *const forms[] = {"%a, %d %b %Y %H:%M:%S GMT",
					    "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
	return date_in_forms(s, forms, sizeof(forms) / sizeof(forms[0]), t);
}

/* Into place: NAME replaced, or with --no-clobber the first free of NAME, NAME.1 ... */
static int rename_into_place(struct dl *d, bool no_clobber)
{
	if (!no_clobber)
		return rename(d->part, d->path) < 0 ? write_error(d->path, errno) : 0;
	for (int k = 0; k <= NOCLOBBER_MAX; k++) {
		char *name = d->path;
		if (k && asprintf(&name, "%s.%d", d->path, k) < 0)
			return cli_fail(HC_ENOMEM, "out of memory");
		int r = renameat2(AT_FDCWD, d->part, AT_FDCWD, name, RENAME_NOREPLACE), e = errno;
		if (k)
			free(name);
		if (r == 0)
			return 0;
		if (e != EEXIST)
			return write_error(d->path, e);
	}
	char msg[HC_ERRBUF];
	snprintf(msg, sizeof(msg), "%s and %s.1 to .%d exist (--no-clobber); the body is in %s",
		 d->path, d->path, NOCLOBBER_MAX, d->part);
	return cli_fail(HC_EWRITE, msg);
}

/* The directory entry of a rename made durable too. */
static void sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* A complete body: -R, synced, closed, renamed. */
static int finish(struct job *J, const struct hc_response *resp)
{
	struct run *R = J->R;
	struct dl *d = &J->dl;
	time_t t;
	const char *lm = hdr_get(&resp->hdrs, "Last-Modified");
	int fd = d->fd;
	d->fd = -1;
	if (R->cli->remote_time && lm && http_date(lm, &t)) {
		struct timespec ts[2] = {{t, 0}, {t, 0}};
		if (futimens(fd, ts) < 0) {
			close(fd);
			return write_error(d->part, errno);
		}
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		return write_error(d->part, e);
	}
	if (close(fd) < 0)
		return write_error(d->part, errno);
	int code = rename_into_place(d, R->cli->no_clobber);
	if (code == 0)
		sync_dir(d->path);
	return code;
}

/* --etag-save FILE: the ETag of a 2xx response and a newline, written whole (curl's format). */
static int etag_save(const char *path, const struct hc_response *resp)
{
	const char *etag = hdr_get(&resp->hdrs, "ETag");
	char *tmp;
	if (etag == NULL || resp->status < 200 || resp->status > 299)
		return 0; /* a stored ETag stays: a 304 or an answer without one says nothing new */
	if (asprintf(&tmp, "%s.part", path) < 0)
		return cli_fail(HC_ENOMEM, "out of memory");
	int code = 0;
	(void)unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || !out_write_fd(fd, etag, strlen(etag)) || !out_write_fd(fd, "\n", 1)) {
		code = write_error(path, errno);
	} else if (close(fd) < 0 || rename(tmp, path) < 0) {
		fd = -1;
		code = write_error(path, errno);
	} else {
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	free(tmp);
	return code;
}

int dl_close(struct job *J, const struct hc_response *resp, int code)
{
	struct run *R = J->R;
	struct dl *d = &J->dl;
	if (d->direct) {
		int r = d->owned && d->fd >= 0 ? close(d->fd) : 0;
		d->fd = -1;
		if (r < 0 && code == 0)
			code = write_error(d->path, errno);
	} else if (d->skip && d->whole && code == 0) {
		code = rename_into_place(d, false);
	} else if (d->fd >= 0 && code == 0) {
		code = finish(J, resp);
	} else if (d->fd >= 0) {
		close(d->fd); /* NAME.part stays, for -C - */
		d->fd = -1;
	}
	out_set_body(&J->out, STDOUT_FILENO, "standard output");
	if (code == 0 && R->cli->etag_save)
		code = etag_save(R->cli->etag_save, resp);
	return code;
}

void dl_free(struct dl *d)
{
	if (d->owned && d->fd >= 0)
		close(d->fd);
	else if (!d->direct && d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d->part);
	free(d->url_name);
	free(d->url_msg);
	*d = (struct dl){.fd = -1};
}

/* -z DATE: the HTTP forms, then ISO 8601 dates and times, UTC. */
static bool cond_date(const char *s, time_t *t)
{
	static const char *const forms[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d",
					    "%b %d, %Y", "%d %b %Y"};
	return http_date(s, t) || date_in_forms(s, forms, sizeof(forms) / sizeof(forms[0]), t);
}

enum hc_err dl_time_cond(const char *arg, const char **name, char *value, size_t vlen, char *err,
			 size_t errlen)
{
	struct stat st;
	time_t t;
	*name = "If-Modified-Since";
	if (*arg == '-') {
		*name = "If-Unmodified-Since";
		arg++;
	} else if (*arg == '+') {
		arg++;
	}
	if (!cond_date(arg, &t)) {
		if (stat(arg, &st) < 0) {
			snprintf(err, errlen, "-z '%.200s' is neither a date nor a file: %s", arg,
				 strerror(errno));
			return HC_EUSAGE;
		}
		t = st.st_mtime;
	}
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(value, vlen, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0) {
		snprintf(err, errlen, "-z '%.200s': the date is out of range", arg);
		return HC_EUSAGE;
	}
	return HC_OK;
}

enum hc_err dl_etag_read(const char *path, char *value, size_t vlen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	value[0] = '\0';
	if (f == NULL) {
		if (errno == ENOENT)
			return HC_OK; /* the first run of a --etag-compare F --etag-save F script */
		snprintf(err, errlen, "--etag-compare %.200s: %s", path, strerror(errno));
		return HC_EUSAGE;
	}
	bool got = fgets(value, (int)vlen, f) != NULL;
	fclose(f);
	if (!got)
		value[0] = '\0';
	value[strcspn(value, "\r\n")] = '\0';
	return HC_OK;
}
