/*
 * Content codings (RFC 9110 §8.4.1) for --compressed: gzip, deflate, br and
 * zstd, stacked in any order, decoded as the bytes stream in. zlib, brotli
 * and zstd are loaded with dlopen(3) the first time a body needs them, so
 * runs without --compressed pay nothing for them.
 */
#include <brotli/decode.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"
#include "headers.h"

#define DEC_BUF 65536
#define DEC_MAX_STAGES 4

enum coding { C_GZIP, C_DEFLATE, C_BR, C_ZSTD };

struct stage {
	enum coding kind;
	bool ended; /* the coded stream is complete */
	bool started;
	z_stream z;
	BrotliDecoderState *br;
	ZSTD_DStream *zs;
	char *buf;
};

struct hc_decoder {
	int n;
	struct stage st[DEC_MAX_STAGES]; /* st[0] undoes the coding applied last */
	char *err;
	size_t errlen;
};

/* The libraries' entry points, looked up once. */
static struct {
	void *z, *br, *zstd;
	int (*inflateInit2_)(z_streamp, int, const char *, int);
	int (*inflate)(z_streamp, int);
	int (*inflateEnd)(z_streamp);
	int (*inflateReset2)(z_streamp, int);
	BrotliDecoderState *(*br_create)(brotli_alloc_func, brotli_free_func, void *);
	BrotliDecoderResult (*br_stream)(BrotliDecoderState *, size_t *, const uint8_t **, size_t *,
					 uint8_t **, size_t *);
	void (*br_destroy)(BrotliDecoderState *);
	ZSTD_DStream *(*zs_create)(void);
	size_t (*zs_init)(ZSTD_DStream *);
	size_t (*zs_stream)(ZSTD_DStream *, ZSTD_outBuffer *, ZSTD_inBuffer *);
	size_t (*zs_free)(ZSTD_DStream *);
	unsigned (*zs_iserror)(size_t);
	const char *(*zs_errname)(size_t);
} L;

static const char *dec_name(enum coding k);

static enum hc_err failf(struct hc_decoder *d, const char *fmt, const char *a, const char *b)
{
	snprintf(d->err, d->errlen, fmt, a, b);
	return HC_EENCODING;
}

static void *sym(void *lib, const char *name, bool *ok)
{
	void *p = lib ? dlsym(lib, name) : NULL;
	if (p == NULL)
		*ok = false;
	return p;
}

static bool load(enum coding k, char *err, size_t errlen)
{
	bool ok = true;
	if ((k == C_GZIP || k == C_DEFLATE) && L.z == NULL) {
		void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
		*(void **)&L.inflateInit2_ = sym(h, "inflateInit2_", &ok);
		*(void **)&L.inflate = sym(h, "inflate", &ok);
		*(void **)&L.inflateEnd = sym(h, "inflateEnd", &ok);
		*(void **)&L.inflateReset2 = sym(h, "inflateReset2", &ok);
		if (ok)
			L.z = h;
		else
			snprintf(err, errlen, "cannot load zlib (libz.so.1)");
	} else if (k == C_BR && L.br == NULL) {
		void *h = dlopen("libbrotlidec.so.1", RTLD_NOW | RTLD_LOCAL);
		*(void **)&L.br_create = sym(h, "BrotliDecoderCreateInstance", &ok);
		*(void **)&L.br_stream = sym(h, "BrotliDecoderDecompressStream", &ok);
		*(void **)&L.br_destroy = sym(h, "BrotliDecoderDestroyInstance", &ok);
		if (ok)
			L.br = h;
		else
			snprintf(err, errlen, "cannot load brotli (libbrotlidec.so.1)");
	} else if (k == C_ZSTD && L.zstd == NULL) {
		void *h = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
		*(void **)&L.zs_create = sym(h, "ZSTD_createDStream", &ok);
		*(void **)&L.zs_init = sym(h, "ZSTD_initDStream", &ok);
		*(void **)&L.zs_stream = sym(h, "ZSTD_decompressStream", &ok);
		*(void **)&L.zs_free = sym(h, "ZSTD_freeDStream", &ok);
		*(void **)&L.zs_iserror = sym(h, "ZSTD_isError", &ok);
		*(void **)&L.zs_errname = sym(h, "ZSTD_getErrorName", &ok);
		if (ok)
			L.zstd = h;
		else
			snprintf(err, errlen, "cannot load zstd (libzstd.so.1)");
	}
	return ok;
}

static bool start_stage(struct stage *s)
{
	if ((s->buf = malloc(DEC_BUF)) == NULL)
		return false;
	switch (s->kind) {
	case C_GZIP:
	case C_DEFLATE:
		/* gzip: 15+16; deflate: the zlib wrapper first, raw deflate if that fails */
		return L.inflateInit2_(&s->z, s->kind == C_GZIP ? 15 + 16 : 15, ZLIB_VERSION,
				       (int)sizeof(z_stream)) == Z_OK;
	case C_BR:
		return (s->br = L.br_create(NULL, NULL, NULL)) != NULL;
	case C_ZSTD:
		return (s->zs = L.zs_create()) != NULL && !L.zs_iserror(L.zs_init(s->zs));
	}
	return false;
}

static const char *dec_name(enum coding k)
{
	static const char *const n[] = {"gzip", "deflate", "br", "zstd"};
	return n[k];
}

enum hc_err dec_open(struct hc_decoder **out, const char *codings, char *err, size_t errlen,
		     char *names, size_t nameslen)
{
	enum coding list[DEC_MAX_STAGES];
	int n = 0;
	*out = NULL;
	names[0] = '\0';
	const char *p;
	size_t l;
	for (const char *s = codings; hdr_list_next(&s, &p, &l);) {
		enum coding k;
		if ((l == 4 && !strncasecmp(p, "gzip", 4)) || (l == 6 && !strncasecmp(p, "x-gzip", 6)))
			k = C_GZIP;
		else if (l == 7 && !strncasecmp(p, "deflate", 7))
			k = C_DEFLATE;
		else if (l == 2 && !strncasecmp(p, "br", 2))
			k = C_BR;
		else if (l == 4 && !strncasecmp(p, "zstd", 4))
			k = C_ZSTD;
		else if (l == 8 && !strncasecmp(p, "identity", 8))
			continue;
		else {
			snprintf(err, errlen, "unknown content coding '%.*s'", (int)l, p);
			return HC_EENCODING;
		}
		if (n == DEC_MAX_STAGES) {
			snprintf(err, errlen, "more than %d content codings", DEC_MAX_STAGES);
			return HC_EENCODING;
		}
		if (!load(k, err, errlen))
			return HC_EENCODING;
		list[n++] = k;
	}
	if (n == 0)
		return HC_OK;
	struct hc_decoder *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return HC_ENOMEM;
	d->n = n;
	for (int i = 0; i < n; i++) {
		d->st[i].kind = list[n - 1 - i];
		if (!start_stage(&d->st[i])) {
			d->n = i + 1;
			dec_free(d);
			return HC_ENOMEM;
		}
		size_t used = strlen(names);
		snprintf(names + used, nameslen - used, "%s%s", i ? ", then " : "",
			 dec_name(d->st[i].kind));
	}
	*out = d;
	return HC_OK;
}

static enum hc_err feed(struct hc_decoder *d, int i, const char *p, size_t n, hc_sink sink,
			void *ud);

static enum hc_err feed_zlib(struct hc_decoder *d, int i, const char *p, size_t n, hc_sink sink,
			     void *ud)
{
	struct stage *s = &d->st[i];
	s->z.next_in = (Bytef *)p;
	s->z.avail_in = (uInt)n;
	while (s->z.avail_in > 0) {
		if (s->ended) {
			if (s->kind != C_GZIP)
				return failf(d, "%s%s", "data after the end of the deflate stream", "");
			/* a new gzip member follows (RFC 1952 §2.2) */
			L.inflateReset2(&s->z, 15 + 16);
			s->ended = false;
		}
		s->z.next_out = (Bytef *)s->buf;
		s->z.avail_out = DEC_BUF;
		int r = L.inflate(&s->z, Z_NO_FLUSH);
		if (r == Z_DATA_ERROR && s->kind == C_DEFLATE && !s->started) {
			/* some servers send raw deflate without the zlib wrapper */
			L.inflateReset2(&s->z, -15);
			s->started = true;
			s->z.next_in = (Bytef *)p;
			s->z.avail_in = (uInt)n;
			continue;
		}
		s->started = true;
		/* what decoded before the damage goes out first */
		size_t out = DEC_BUF - s->z.avail_out;
		if (out) {
			enum hc_err rc = feed(d, i + 1, s->buf, out, sink, ud);
			if (rc)
				return rc;
		}
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return failf(d, "corrupt %s data: %s", dec_name(s->kind),
				     s->z.msg ? s->z.msg : "inflate failed");
		if (r == Z_STREAM_END)
			s->ended = true;
		else if (r == Z_BUF_ERROR && out == 0)
			break;
	}
	return HC_OK;
}

static enum hc_err feed(struct hc_decoder *d, int i, const char *p, size_t n, hc_sink sink,
			void *ud)
{
	if (i == d->n)
		return sink(ud, p, n);
	struct stage *s = &d->st[i];
	if (s->kind == C_GZIP || s->kind == C_DEFLATE)
		return feed_zlib(d, i, p, n, sink, ud);
	if (s->kind == C_BR) {
		const uint8_t *in = (const uint8_t *)p;
		size_t avail = n;
		for (;;) {
			uint8_t *o = (uint8_t *)s->buf;
			size_t room = DEC_BUF;
			BrotliDecoderResult r = L.br_stream(s->br, &avail, &in, &room, &o, NULL);
			if (DEC_BUF - room) {
				enum hc_err rc = feed(d, i + 1, s->buf, DEC_BUF - room, sink, ud);
				if (rc)
					return rc;
			}
			if (r == BROTLI_DECODER_RESULT_ERROR)
				return failf(d, "corrupt %s data%s", "br", "");
			if (r == BROTLI_DECODER_RESULT_SUCCESS) {
				s->ended = true;
				if (avail)
					return failf(d, "%s%s", "data after the end of the br stream", "");
				return HC_OK;
			}
			if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
				return HC_OK;
		}
	}
	ZSTD_inBuffer in = {p, n, 0};
	while (in.pos < in.size || !s->ended) {
		ZSTD_outBuffer o = {s->buf, DEC_BUF, 0};
		size_t r = L.zs_stream(s->zs, &o, &in);
		if (o.pos) {
			enum hc_err rc = feed(d, i + 1, s->buf, o.pos, sink, ud);
			if (rc)
				return rc;
		}
		if (L.zs_iserror(r))
			return failf(d, "corrupt zstd data: %s%s", L.zs_errname(r), "");
		s->ended = r == 0; /* a frame is complete; another may follow */
		if (in.pos == in.size && o.pos < o.size)
			break;
	}
	return HC_OK;
}

enum hc_err dec_write(struct hc_decoder *d, const char *p, size_t n, hc_sink sink, void *ud,
		      char *err, size_t errlen)
{
	d->err = err;
	d->errlen = errlen;
	return n ? feed(d, 0, p, n, sink, ud) : HC_OK;
}

enum hc_err dec_end(struct hc_decoder *d, char *err, size_t errlen)
{
	for (int i = 0; i < d->n; i++)
		if (!d->st[i].ended) {
			snprintf(err, errlen, "the %s data ends before its stream does",
				 dec_name(d->st[i].kind));
			return HC_EENCODING;
		}
	return HC_OK;
}

void dec_free(struct hc_decoder *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < d->n; i++) {
		struct stage *s = &d->st[i];
		if (s->kind == C_GZIP || s->kind == C_DEFLATE)
			L.inflateEnd(&s->z);
		else if (s->kind == C_BR && s->br)
			L.br_destroy(s->br);
		else if (s->kind == C_ZSTD && s->zs)
			L.zs_free(s->zs);
		free(s->buf);
	}
	free(d);
}
