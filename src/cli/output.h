/* Everything hcli shows: heads, body bytes, the -v trace. */
#ifndef HC_OUTPUT_H
#define HC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../http/http.h"
#include "hold.h"
#include "pretty.h"

struct out {
	int print; /* enum print_flag bits */
	int verbose;
	bool silent;
	bool tty_out, tty_err;
	bool color_out, color_err; /* ANSI colour on standard output / error */
	int body_fd; /* standard output, or -o FILE */
	const char *body_name;
	bool body_tty;
	bool body_pipe; /* a blocking pipe: body bytes may be spliced into it */
	bool body_splice; /* a file or device (no terminal) that splice(2) may write */
	int spipe[2];	  /* our own pipe between the socket and body_splice's output */
	bool suppressed; /* a binary body is being kept off the terminal */
	uint64_t suppressed_bytes;
	char tty_last; /* the last body byte shown on a terminal, '\0' before any */
	bool req_printed; /* request body bytes (B) went out: a blank line follows */
	bool fmt_json;	  /* JSON bodies go through the formatter (--pretty all|colors|format) */
	bool fmt_keep_ws; /* --pretty=colors: JSON tokens coloured, whitespace as received */
	unsigned indent;  /* --format-options json.indent */
	bool sort_keys;	  /* --format-options json.sort_keys */
	bool fmt_on;	  /* this body goes through the formatter: no splice, no writev */
	struct pretty *fmt; /* with fbuf: allocated at the first formatted body */
	char *fbuf;
	size_t flen;
	char *held; /* body bytes a full non-blocking output did not take yet: held[held_off..] */
	size_t held_off, held_len, held_cap;
	struct hold *hold; /* -Z: all standard output is kept here until this transfer's turn */
	enum hc_err err;  /* a write that failed inside a trace callback */
	char errmsg[HC_ERRBUF];
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
/* --pretty; PRETTY_UNSET: all on a terminal (colour as --color says), none otherwise */
enum pretty_mode { PRETTY_UNSET, PRETTY_ALL, PRETTY_COLORS, PRETTY_FORMAT, PRETTY_NONE };
void out_init(struct out *o, int print, int verbose, bool silent, int body_fd,
	      const char *body_name, enum color_mode color);
/* Where the next body goes (each URL has its own output): fd, named so in messages. */
void out_set_body(struct out *o, int body_fd, const char *body_name);
/*
 * After out_init: --pretty (mode), json.indent and json.sort_keys. keep_bytes:
 * -p or -o was given, so without an explicit --pretty the body is left as
 * received.
 */
void out_pretty(struct out *o, enum pretty_mode mode, unsigned indent, bool sort_keys,
		bool keep_bytes);
/*
 * --format-options, HTTPie's syntax: KEY:VALUE,... with json.indent:N and
 * json.sort_keys:BOOL. Returns HC_EUSAGE with err set for anything else.
 */
enum hc_err out_format_options(const char *s, unsigned *indent, bool *sort_keys, char *err,
			       size_t errlen);
/* What a Content-Type value says: 0 not JSON, 1 JSON, 2 NDJSON (one value after another). */
int out_json_kind(const char *content_type);
void out_trace(void *ud, enum hc_trace kind, const char *data, size_t len);
/* -p B on a terminal: a multipart file part as "<file NAME, N bytes>" instead of its bytes. */
void out_trace_file(void *ud, const char *filename, off_t size);
enum hc_err out_head(struct out *o, const struct hc_response *r);
/* Before a response body: whether it goes through the formatter (o->fmt_on). */
enum hc_err out_body_begin(struct out *o, const struct hc_response *r);
enum hc_err out_body(struct out *o, const char *p, size_t n);
/* Several body spans in one writev (a pipe or a file); iov is consumed. */
enum hc_err out_bodyv(struct out *o, struct iovec *iov, int cnt);
/*
 * Can the output take more body bytes? It writes what it holds (what a full
 * non-blocking output would not take) as far as it goes now; *fd -1: yes,
 * else the output to poll for POLLOUT first. The body's sink asks this.
 */
enum hc_err out_more(struct out *o, int *fd);
/*
 * -Z: every byte this out would write to standard output (heads, the body
 * formatted or decoded, the notices at its end, -w text) goes into h instead,
 * never spliced or written around it; what goes to standard error, or to an
 * -o file, is not held. Terminal decisions (binary bodies, escapes, colour)
 * stay those of standard output. Set before the transfer writes anything;
 * h is the caller's: out_unhold before it is freed.
 */
void out_hold(struct out *o, struct hold *h);
/* h drained (hold_drain): standard output is written directly again. */
void out_unhold(struct out *o);
/* Where resp_splice may move body bytes: the output, a pipe of ours, or -1 (none). */
int out_splice_fd(struct out *o);
/* n bytes that resp_splice moved into out_splice_fd: on to the output when the pipe is ours. */
enum hc_err out_spliced(struct out *o, size_t n);
/*
 * After a body, complete or not: what is held (waited for), what the
 * formatter holds, the binary notice, and trailers when h and b are both
 * printed.
 */
enum hc_err out_body_end(struct out *o, const struct hc_response *r);
/* After each body, whatever happened: the formatter is off and its memory back, nothing held. */
void out_body_close(struct out *o);
/* At the end of the run: the formatter's buffers. */
void out_free(struct out *o);
/* Bytes for a terminal, escaped: C0, DEL, C1 and non-UTF-8 bytes as \ooo or \r-style. */
enum hc_err out_vis(struct hc_headbuf *b, const char *p, size_t n);
/* The length of a UTF-8 sequence at p for a character from U+00A0 up (no C1 control), or 0. */
size_t out_utf8_char(const unsigned char *p, size_t n);
/* One line on standard error: "hcli: KIND: detail", the detail escaped. */
void out_error(enum hc_err e, const char *detail);
void out_warn(const struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* write(2) until done: short writes, EINTR and a full non-blocking fd (EAGAIN) handled. */
bool out_write_fd(int fd, const void *p, size_t n);
/* The same, a failure kept in o->err and o->errmsg (NAME: reason). */
enum hc_err out_write_all(struct out *o, int fd, const char *p, size_t n, const char *name);

#endif
