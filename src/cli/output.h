/* Everything hcli shows: heads, body bytes, the -v trace. */
#ifndef HC_OUTPUT_H
#define HC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../http/http.h"

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
	enum hc_err err;  /* a write that failed inside a trace callback */
	char errmsg[HC_ERRBUF];
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
void out_init(struct out *o, int print, int verbose, bool silent, int body_fd,
	      const char *body_name, enum color_mode color);
void out_trace(void *ud, enum hc_trace kind, const char *data, size_t len);
enum hc_err out_head(struct out *o, const struct hc_response *r);
enum hc_err out_body(struct out *o, const char *p, size_t n);
/* Several body spans in one writev (a pipe or a file); iov is consumed. */
enum hc_err out_bodyv(struct out *o, struct iovec *iov, int cnt);
/* Where resp_splice may move body bytes: the output, a pipe of ours, or -1 (none). */
int out_splice_fd(struct out *o);
/* n bytes that resp_splice moved into out_splice_fd: on to the output when the pipe is ours. */
enum hc_err out_spliced(struct out *o, size_t n);
/* After a body: the binary notice, and trailers when h and b are both printed. */
enum hc_err out_body_end(struct out *o, const struct hc_response *r);
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
