/*
 * Cookie files: curl's Netscape jar format (and Set-Cookie: lines) into the
 * engine's cookie store, and the store back out as a jar, written atomically.
 */
#ifndef HC_JAR_H
#define HC_JAR_H

#include <stddef.h>
#include <stdint.h>

#include "../http/cookie.h"
#include "../http/error.h"

/* Told about each line that is not a cookie (lineno from 1). */
typedef void jar_warn_fn(void *ud, size_t lineno, const char *why);

/*
 * The lines of text (len bytes; NUL bytes end nothing) into s. A
 * "Set-Cookie:" line is a response to first (https: Secure allowed) unless
 * it names a Domain, which is then its host. Returns the lines skipped.
 */
size_t jar_parse(struct ck_store *s, const char *text, size_t len, const struct ck_origin *first,
		 int64_t now, jar_warn_fn *warn, void *ud);

/* The jar's text for every cookie alive at now, header included (malloc'd, *len bytes). */
char *jar_format(const struct ck_store *s, int64_t now, size_t *len);

/*
 * path's content replaced by text: a temporary file beside it, synced, mode
 * 0600, renamed over it ("-": standard output). what names it in err.
 */
enum hc_err jar_replace(const char *path, const char *text, size_t len, const char *what, char *err,
			size_t errlen);

/* Every cookie alive at now in curl's format, into path ("-": standard output). */
enum hc_err jar_save(const struct ck_store *s, const char *path, int64_t now, char *err,
		     size_t errlen);

#endif
