/*
 * File names for downloads: the Content-Disposition parser (RFC 6266, with
 * RFC 8187 ext-values) and the reduction of a name from a server to one that
 * is safe to create in the output directory (SPEC Part 2, "Downloads").
 * Standalone: no I/O, no allocation; the unit test and the fuzz target link
 * this object alone.
 */
#ifndef HC_DISPOSITION_H
#define HC_DISPOSITION_H

#include <stdbool.h>
#include <stddef.h>

/* The longest name these functions make, in bytes (a file name is 255 at most on Linux). */
#define DL_NAME_MAX 1024

/*
 * The file name a Content-Disposition field value gives: the filename*
 * parameter decoded (charset UTF-8 or ISO-8859-1, converted to UTF-8), or when
 * it is absent or undecodable, the filename parameter (a token or a quoted
 * string, quoted pairs undone). The bytes go to out (at most cap). Returns
 * their count, 0 when the field names no file, -1 when the field is
 * malformed (a bad disposition type or parameter, a repeated parameter, a
 * name longer than cap).
 */
long cd_filename(const char *v, size_t n, char *out, size_t cap);

/* %XX sequences into bytes; a % not followed by two hex digits stays. Returns the length. */
size_t dl_pct_decode(const char *in, size_t n, char *out, size_t cap);

/*
 * A name from the server made safe: with split, only what follows the last
 * '/' or '\' is kept; then control bytes (C0, DEL), '/' and '\' become '_',
 * and a leading '.' or '-' becomes '_'. Returns the length written to out
 * (NUL-terminated, at most cap - 1 bytes), or 0 when nothing usable is left
 * (empty, ".", "..", or too long): the name is refused.
 */
size_t dl_reduce(const char *in, size_t n, bool split, char *out, size_t cap);

#endif
