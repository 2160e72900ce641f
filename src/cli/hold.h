/*
 * A transfer's standard-output bytes kept until its turn (-Z; SPEC Part 2:
 * bodies for standard output are written whole and in command-line order).
 *
 * What the hold guarantees:
 * - Bytes come out of hold_drain exactly as they went into hold_write, in
 *   order, none twice, none lost, also when writes and drains alternate.
 * - Memory: the first HOLD_MEM_MAX bytes (1 MiB) are kept in memory, the rest
 *   in an unnamed temporary file (O_TMPFILE in $TMPDIR, else /tmp; mkstemp
 *   and an unlink at once where the filesystem has no O_TMPFILE), so memory
 *   does not grow with the body past 1 MiB plus a small buffer.
 * - A failure (no such directory, a full disk) is HC_EWRITE with a message
 *   in errmsg ("a temporary file in DIR: reason"); the hold keeps the error
 *   and takes no more bytes, but what it took before can still be drained.
 * - hold_drain never waits: on a non-blocking output that is full it returns
 *   with the descriptor to poll for POLLOUT. The file's part goes out with
 *   sendfile(2) where the output takes it (a pipe, a file, a socket), else
 *   through a buffer (a terminal).
 * - Once everything is drained, the hold is empty again: its file is closed
 *   and later bytes start over in memory.
 * - hold_free closes and frees everything, whatever state the hold is in.
 */
#ifndef HC_HOLD_H
#define HC_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/error.h"
#include "../http/limits.h"

#define HOLD_MEM_MAX (1 << 20) /* bytes in memory before the temporary file */

struct hold {
	char *mem; /* mem[mem_off..mem_len]: the first bytes, not drained yet */
	size_t mem_off, mem_len, mem_cap;
	int fd;		   /* the temporary file, or -1 */
	uint64_t file_off; /* its bytes [file_off..file_len] are not drained yet */
	uint64_t file_len;
	enum hc_err err;	    /* the first failure, kept */
	char errmsg[HC_ERRBUF / 2]; /* fits in a longer message */
};

void hold_init(struct hold *h);
/* Keep n more bytes behind the ones held. HC_EWRITE (errmsg) when they cannot be kept. */
enum hc_err hold_write(struct hold *h, const void *p, size_t n);
/* Bytes held and not drained yet. */
uint64_t hold_pending(const struct hold *h);
/*
 * Copy what is held to fd, in order, as far as fd takes it now. *poll_fd: -1
 * when everything is out, else fd (full, non-blocking: poll it for POLLOUT,
 * then drain again). HC_EWRITE with errmsg ("NAME: reason") when fd fails.
 */
enum hc_err hold_drain(struct hold *h, int fd, const char *name, int *poll_fd);
/* The memory and the temporary file; the hold is as after hold_init. */
void hold_free(struct hold *h);

#endif
