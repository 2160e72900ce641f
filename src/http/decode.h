/* Streaming content decoding (gzip, deflate, br, zstd) for --compressed. */
#ifndef HC_DECODE_H
#define HC_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct hc_decoder;
typedef enum hc_err (*hc_sink)(void *ud, const char *p, size_t n);

/*
 * A decoder for a Content-Encoding value (codings in the order applied).
 * *out stays NULL when there is nothing to undo (absent or identity).
 * names gets what will be decoded, for -v. Unknown codings: HC_EENCODING.
 */
enum hc_err dec_open(struct hc_decoder **out, const char *codings, char *err, size_t errlen,
		     char *names, size_t nameslen);
/* Decode n bytes, handing every decoded piece to sink as it comes. */
enum hc_err dec_write(struct hc_decoder *d, const char *p, size_t n, hc_sink sink, void *ud,
		      char *err, size_t errlen);
/* At the end of the body: every coded stream must be complete. */
enum hc_err dec_end(struct hc_decoder *d, char *err, size_t errlen);
void dec_free(struct hc_decoder *d);

#endif
