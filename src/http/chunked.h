/*
 * The chunked transfer coding decoder (RFC 9112 §7.1), as a state machine
 * over the caller's buffer: data comes back as slices of it, never copied.
 */
#ifndef HC_CHUNKED_H
#define HC_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

enum hc_chunk_state { HC_CH_SIZE, HC_CH_DATA, HC_CH_DATA_END, HC_CH_TRAILER, HC_CH_DONE };

struct hc_chunker {
	enum hc_chunk_state state;
	uint64_t left; /* data bytes left in the current chunk */
};

enum hc_chunk_ev {
	HC_CHUNK_NEED,	  /* give more bytes (keep the unused ones) */
	HC_CHUNK_DATA,	  /* *out, *outlen: body bytes */
	HC_CHUNK_TRAILER, /* *out, *outlen: one trailer line without its ending */
	HC_CHUNK_DONE,	  /* the last chunk and the trailer section are read */
};

/*
 * Take what it can from buf[0..len): sets *used to the bytes consumed.
 * Returns an enum hc_chunk_ev (>= 0) or -(enum hc_err) on malformed framing.
 */
int chunk_step(struct hc_chunker *c, const char *buf, size_t len, size_t *used, const char **out,
	       size_t *outlen);

#endif
