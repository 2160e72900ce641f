/*
 * The JSON formatter alone: standard input to standard output through
 * src/cli/pretty.c with big reads and writes, for bench/README.md's
 * comparison with jq and python3 -m json.tool.
 *   prettyjson [-n] [-c] [-i INDENT]     (-n: NDJSON, -c: colours)
 * Exit 0 when the body was complete JSON, 1 when not, 2 on an I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cli/pretty.h"

#define IN_SIZE (256 * 1024)
#define OUT_SIZE (512 * 1024)

static char inbuf[IN_SIZE], outbuf[OUT_SIZE];

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int drain(struct pretty_out *o)
{
	if (write_all(o->buf, o->len) < 0)
		return -1;
	o->len = 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct pretty_opts opts = {.indent = 4};
	struct pretty p;
	struct pretty_out out = {.buf = outbuf, .cap = sizeof(outbuf)};
	int c;
	while ((c = getopt(argc, argv, "nci:")) != -1) {
		if (c == 'n')
			opts.ndjson = true;
		else if (c == 'c')
			opts.color = true;
		else if (c == 'i')
			opts.indent = (unsigned)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	pretty_init(&p, &opts);
	for (;;) {
		ssize_t r = read(STDIN_FILENO, inbuf, sizeof(inbuf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 2;
		if (r == 0)
			break;
		size_t at = 0;
		while (at < (size_t)r) {
			at += pretty_feed(&p, inbuf + at, (size_t)r - at, &out);
			if (out.cap - out.len < OUT_SIZE / 2 && drain(&out) < 0)
				return 2;
		}
	}
	while (pretty_finish(&p, &out))
		if (drain(&out) < 0)
			return 2;
	if (drain(&out) < 0)
		return 2;
	pretty_free(&p);
	return pretty_ok(&p) ? 0 : 1;
}
