/*
 * Unit tables for HTTP/2's request side and limits: the name/value list
 * built from a struct hc_request (pseudo-headers first, lower-case names,
 * connection-specific fields left out, Host as :authority, TE only as
 * trailers, content-length from the framing; a method or a field that
 * HTTP/1.1 would refuse is refused), and the decoded field limits
 * (Part 1's --max-headers and 65,536 bytes per name and value); a
 * stream's body to a sink (straight when it can take more, else kept and
 * not consumed until it can).
 */
#include "h2.h"
#include "recsink.h"
#include "unit.h"

static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = -1,
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

/* The list as "name: value" lines, one string, to compare with a table's. */
static void nv_text(const struct h2_nv *l, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		int w = snprintf(out + o, cap - o, "%.*s: %.*s\n", (int)l->nv[i].namelen,
				 (const char *)l->nv[i].name, (int)l->nv[i].valuelen,
				 (const char *)l->nv[i].value);
		if (w < 0 || (size_t)w >= cap - o)
			return;
		o += (size_t)w;
	}
}

struct nv_case {
	const char *name;
	const char *method, *target, *host;
	unsigned port;
	bool tls, skip_ae;
	struct hc_field fields[6];
	int64_t length; /* content-length from the framing, or -1 */
	const char *want;
};

/* clang-format off */
static const struct nv_case nv_cases[] = {
    {"a GET: pseudo-headers in order, then fields, accept-encoding identity",
     "GET", "/a?b=c", "example.org", 443, true, false,
     {{"User-Agent", "hcli/0.1.0"}, {"Accept", "*/*"}}, -1,
     ":method: GET\n:scheme: https\n:authority: example.org\n:path: /a?b=c\n"
     "user-agent: hcli/0.1.0\naccept: */*\naccept-encoding: identity\n"},
    {"http and a port that is not the default: in :authority",
     "HEAD", "/", "127.0.0.1", 8080, false, false, {{NULL, NULL}}, -1,
     ":method: HEAD\n:scheme: http\n:authority: 127.0.0.1:8080\n:path: /\n"
     "accept-encoding: identity\n"},
    {"an IPv6 literal is bracketed",
     "GET", "/", "::1", 8443, true, true, {{NULL, NULL}}, -1,
     ":method: GET\n:scheme: https\n:authority: [::1]:8443\n:path: /\n"},
    {"a Host item is :authority, not a field",
     "GET", "/", "127.0.0.1", 80, false, true, {{"Host", "virtual.test"}, {"X-A", "1"}}, -1,
     ":method: GET\n:scheme: http\n:authority: virtual.test\n:path: /\nx-a: 1\n"},
    {"connection-specific fields are left out (RFC 9113 §8.2.2)",
     "GET", "/", "h", 443, true, true,
     {{"Connection", "close"}, {"Keep-Alive", "5"}, {"Transfer-Encoding", "chunked"},
      {"Upgrade", "h2c"}, {"Proxy-Connection", "keep-alive"}, {"X-Kept", "yes"}}, -1,
     ":method: GET\n:scheme: https\n:authority: h\n:path: /\nx-kept: yes\n"},
    {"TE: trailers is sent, another TE is not",
     "GET", "/", "h", 443, true, true, {{"TE", "trailers"}, {"te", "gzip"}}, -1,
     ":method: GET\n:scheme: https\n:authority: h\n:path: /\nte: trailers\n"},
    {"names in lower case, values as given; the user's Accept-Encoding stays alone",
     "POST", "/up", "h", 443, true, false,
     {{"X-MiXeD-Case", "VaLue"}, {"Accept-Encoding", "gzip"}}, 5,
     ":method: POST\n:scheme: https\n:authority: h\n:path: /up\nx-mixed-case: VaLue\n"
     "accept-encoding: gzip\ncontent-length: 5\n"},
    {"an empty body with a known length: content-length 0",
     "PUT", "/x", "h", 80, false, true, {{NULL, NULL}}, 0,
     ":method: PUT\n:scheme: http\n:authority: h\n:path: /x\ncontent-length: 0\n"},
};
/* clang-format on */

static void nv_table(void)
{
	for (size_t i = 0; i < sizeof(nv_cases) / sizeof(nv_cases[0]); i++) {
		const struct nv_case *t = &nv_cases[i];
		unit_begin("h2_nv_build: %s", t->name);
		struct hc_conn c;
		conn_init(&c, &cfg);
		c.host = strdup(t->host);
		c.port = t->port;
		c.tls = t->tls;
		size_t nf = 0;
		while (nf < 6 && t->fields[nf].name)
			nf++;
		struct hc_request r = {.method = t->method,
				       .target = t->target,
				       .headers = t->fields,
				       .nheaders = nf,
				       .skip_accept_encoding = t->skip_ae};
		struct hc_framing f = {.length = t->length, .add_cl = t->length >= 0};
		struct h2_nv l;
		char got[2048];
		CHECK_EQ_INT(h2_nv_build(&c, &r, &f, &l), HC_OK);
		nv_text(&l, got, sizeof(got));
		CHECK_EQ_STR(got, t->want);
		h2_nv_free(&l);
		conn_free(&c);
		unit_end();
	}
}

/* What HTTP/1.1 refuses (req_putrequest, req_putheader) never becomes a HEADERS frame either. */
static const struct {
	const char *name, *method;
	struct hc_field field;
} refused_cases[] = {
    {"a method with a second request in it", "GET / HTTP/1.1\r\nHost: x\r\n\r\nDELETE", {"A", "1"}},
    {"a method with a space", "GET /", {"A", "1"}},
    {"an empty method", "", {"A", "1"}},
    {"a field name with a space", "GET", {"X A", "1"}},
    {"a field name with a colon", "GET", {"X:A", "1"}},
    {"a field value with CR LF", "GET", {"X-A", "1\r\nX-Injected: 1"}},
    {"a field value with LF", "GET", {"X-A", "1\nb"}},
};

static void refused_table(void)
{
	for (size_t i = 0; i < sizeof(refused_cases) / sizeof(refused_cases[0]); i++) {
		unit_begin("h2_nv_build: %s -> Usage", refused_cases[i].name);
		struct hc_conn c;
		conn_init(&c, &cfg);
		c.host = strdup("h");
		c.port = 443;
		c.tls = true;
		struct hc_request r = {.method = refused_cases[i].method,
				       .target = "/",
				       .headers = &refused_cases[i].field,
				       .nheaders = 1};
		struct hc_framing f = {.length = -1};
		struct h2_nv l;
		CHECK_EQ_INT(h2_nv_build(&c, &r, &f, &l), HC_EUSAGE);
		CHECK(l.nv == NULL && l.n == 0);
		conn_free(&c);
		unit_end();
	}
}

static const struct {
	const char *name;
	size_t nlen, vlen, max, before;
	bool pseudo;
	enum hc_err want;
	size_t after;
} limit_cases[] = {
    {"a small field under the count", 4, 10, 100, 0, false, HC_OK, 1},
    {"the 100th field is taken", 4, 10, 100, 99, false, HC_OK, 100},
    {"the 101st field is refused", 4, 10, 100, 100, false, HC_EHEADERS, 101},
    {"--max-headers 1: the second is refused", 1, 1, 1, 1, false, HC_EHEADERS, 2},
    {"a pseudo-header does not count", 7, 3, 1, 1, true, HC_OK, 1},
    {"name and value of exactly 65,536 bytes", 6, 65530, 100, 0, false, HC_OK, 1},
    {"one byte more: LineTooLong", 6, 65531, 100, 0, false, HC_ELINE, 0},
    {"a long pseudo-header is refused too", 7, 65536, 100, 0, true, HC_ELINE, 0},
};

static void limit_table(void)
{
	for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
		unit_begin("h2_field_check: %s", limit_cases[i].name);
		size_t n = limit_cases[i].before;
		enum hc_err rc = h2_field_check(&n, limit_cases[i].max, limit_cases[i].nlen,
						limit_cases[i].vlen, limit_cases[i].pseudo);
		CHECK_EQ_INT(rc, limit_cases[i].want);
		if (rc != HC_ELINE)
			CHECK_EQ_INT(n, limit_cases[i].after);
		unit_end();
	}
}

/* CONTINUATION frames a header block may take: enough for Part 1's largest list, no more. */
static const struct {
	size_t max_fields, want;
} cont_cases[] = {
    {1, 9},	      /* 2 x 65,568 bytes in 16 KiB frames: 8, and 1 */
    {100, 405},	      /* the default --max-headers */
    {100000, 400200}, /* the largest --max-headers */
};

static void continuations_table(void)
{
	for (size_t i = 0; i < sizeof(cont_cases) / sizeof(cont_cases[0]); i++) {
		size_t max = cont_cases[i].max_fields;
		unit_begin("h2_continuations_max(%zu) is %zu", max, cont_cases[i].want);
		size_t cap = h2_continuations_max(max);
		CHECK_EQ_INT(cap, cont_cases[i].want);
		/* max fields and :status of 65,536 bytes, 9 of HPACK's each (a new-name
		 * literal: one byte, and two lengths of four): HEADERS and cap frames hold it */
		size_t block = (max + 1) * (HC_H2_FIELD_MAX + 9);
		CHECK((block + HC_H2_FRAME - 1) / HC_H2_FRAME <= 1 + cap);
		unit_end();
	}
}

/* A frame header: length, type, flags, stream. */
static size_t fh(uint8_t *o, uint32_t len, uint8_t type, uint8_t flags, uint32_t id)
{
	uint8_t h[9] = {len >> 16, len >> 8, len, type, flags, id >> 24, id >> 16, id >> 8, id};
	memcpy(o, h, 9);
	memset(o + 9, 'x', len);
	return 9 + len;
}

static void scan_table(void)
{
	static const struct {
		const char *name;
		uint8_t type[4], flags[4];
		uint32_t id[4], len[4];
		int bad; /* index of the frame that must be refused, or -1 */
	} cases[] = {
	    {"SETTINGS, HEADERS, DATA with END_STREAM: all pass",
	     {4, 1, 0, 0},
	     {0, 4, 1, 0},
	     {0, 1, 1, 0},
	     {0, 3, 5, 0},
	     -1},
	    {"DATA after DATA with END_STREAM: refused",
	     {1, 0, 0, 0},
	     {4, 1, 0, 0},
	     {1, 1, 1, 0},
	     {3, 5, 5, 0},
	     2},
	    {"HEADERS after HEADERS with END_STREAM: refused",
	     {1, 1, 4, 0},
	     {5, 4, 0, 0},
	     {3, 3, 0, 0},
	     {2, 2, 0, 0},
	     1},
	    {"another stream after an ended one: passes",
	     {1, 0, 1, 0},
	     {4, 1, 5, 0},
	     {1, 1, 3, 0},
	     {2, 4, 2, 0},
	     -1},
	    {"trailers after DATA without END_STREAM: pass",
	     {1, 0, 1, 0},
	     {4, 0, 5, 0},
	     {5, 5, 5, 0},
	     {2, 4, 2, 0},
	     -1},
	    {"RST_STREAM after the end: passes (not DATA or HEADERS)",
	     {0, 3, 0, 0},
	     {1, 0, 0, 0},
	     {1, 1, 0, 0},
	     {0, 4, 0, 0},
	     -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t cut = 0; cut < 40; cut += 7) {
			unit_begin("h2_scan: %s (fed in two at %zu)", cases[i].name, cut);
			uint8_t buf[256];
			size_t n = 0, start[4] = {0};
			for (int k = 0;
			     k < 4 && cases[i].type[k] + cases[i].len[k] + cases[i].id[k]; k++) {
				start[k] = n;
				n += fh(buf + n, cases[i].len[k], cases[i].type[k],
					cases[i].flags[k], cases[i].id[k]);
			}
			struct h2_scan sc = {0};
			size_t c = cut < n ? cut : n;
			size_t a = h2_scan(&sc, buf, c), b = c;
			if (a == c)
				b = c + h2_scan(&sc, buf + c, n - c);
			size_t at = a < c ? a : b;
			if (cases[i].bad < 0) {
				CHECK_EQ_INT(at, n);
			} else {
				/* where the refused frame starts, or the start of the second piece
				 * when its header was cut */
				size_t want = start[cases[i].bad];
				CHECK(at == want || (want < c && c < want + 9 && at == c));
			}
			unit_end();
		}
	}
}

/* A DATA frame on stream 1 with text as its payload. */
static size_t data_frame(uint8_t *o, const char *text, uint8_t flags)
{
	size_t n = strlen(text);
	fh(o, (uint32_t)n, 0, flags, 1);
	memcpy(o + 9, text, n);
	return 9 + n;
}

/* A GET on stream 1 whose head (200) is in, its body handed to a rec_sink. */
struct sink_fix {
	struct hc_conn c;
	struct hc_loop L;
	struct hc_xfer x;
	struct hc_response resp;
	struct hc_request r;
	struct rec_sink rec;
	struct hc_sink sink;
};

static void sink_open(struct sink_fix *t)
{
	uint8_t f[32];
	t->r = (struct hc_request){.method = "GET", .target = "/"};
	t->sink = rec_sink_init(&t->rec);
	conn_init(&t->c, &cfg);
	t->c.host = strdup("example.org");
	t->c.port = 443;
	t->c.tls = true;
	t->c.cap = HC_RECV_BUF;
	loop_init(&t->L);
	resp_init(&t->resp, &t->c);
	h1_xfer_init(&t->x, &t->c, &t->r, &t->resp);
	t->x.loop = &t->L;
	CHECK(t->c.host != NULL && h2_fuzz_session(&t->c, &t->x) == HC_OK);
	/* SETTINGS, then HEADERS :status 200 (HPACK index 8) */
	size_t n = fh(f, 0, 4, 0, 0);
	n += fh(f + n, 1, 1, 0x4, 1);
	f[n - 1] = 0x88;
	CHECK(h2_feed(&t->c, f, n) == HC_OK);
	CHECK_EQ_INT(t->resp.status, 200);
	CHECK(t->x.task.paused);
	CHECK(t->x.proto->body(&t->x, &t->sink) == HC_OK);
}

static void sink_close(struct sink_fix *t)
{
	t->x.proto->finish(&t->x, &t->L);
	resp_free(&t->resp);
	conn_free(&t->c);
	loop_free(&t->L);
}

/*
 * The body to a sink: DATA goes straight to a sink that can take more; a
 * sink that cannot leaves it in the stream's buffer (its window stays
 * closed by as much) until the transfer's step finds it can; the end is
 * told once, after the last bytes, and the transfer is then done.
 */
static void sink_case(void)
{
	unit_begin("h2: a stream's DATA to its sink, kept while the sink cannot take more");
	struct sink_fix t;
	sink_open(&t);
	uint8_t f[64];

	CHECK(h2_feed(&t.c, f, data_frame(f, "hello ", 0)) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "hello ");
	CHECK_EQ_UINT(h2_buffered(&t.resp), 0);

	t.rec.block_fd = 0; /* it cannot take more: the bytes wait, unconsumed */
	CHECK(h2_feed(&t.c, f, data_frame(f, "wor", 0)) == HC_OK);
	CHECK(h2_feed(&t.c, f, data_frame(f, "ld", 0)) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "hello ");
	CHECK_EQ_UINT(h2_buffered(&t.resp), 5);
	CHECK_EQ_UINT(t.resp.nread, 6);
	CHECK(t.x.task.ops->step(&t.x.task, 0) == HC_OK);
	CHECK(t.x.task.events == POLLOUT && t.x.task.fd == 0 && t.x.task.deadline == 0);
	CHECK_EQ_UINT(h2_buffered(&t.resp), 5);

	t.rec.block_fd = -1; /* it can again: what waited goes first, in one write */
	CHECK(t.x.task.ops->step(&t.x.task, POLLOUT) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "hello world");
	CHECK_EQ_UINT(h2_buffered(&t.resp), 0);
	CHECK(!t.x.task.done && t.x.task.events == 0);

	CHECK(h2_feed(&t.c, f, data_frame(f, "!", 0x1)) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "hello world!");
	CHECK_EQ_INT(t.rec.ends, 0);
	CHECK(t.x.task.run_again);
	CHECK(t.x.task.ops->step(&t.x.task, 0) == HC_OK);
	CHECK(t.x.task.done && t.resp.done);
	CHECK_EQ_INT(t.rec.ends, 1);
	CHECK_EQ_INT(t.rec.writes, 3);
	CHECK_EQ_UINT(t.resp.nread, 12);
	sink_close(&t);
	unit_end();
}

/*
 * DATA frames that came in one read reach the sink in one write (spans into
 * the input), and count as taken once written; a sink that cannot take more
 * when the read begins keeps them all in the stream's buffer.
 */
static void batch_case(void)
{
	unit_begin("h2: the DATA frames of one read go to the sink in one write");
	struct sink_fix t;
	sink_open(&t);
	uint8_t f[128];
	size_t n = data_frame(f, "one ", 0);
	n += data_frame(f + n, "two ", 0);
	n += data_frame(f + n, "three", 0);
	CHECK(h2_feed(&t.c, f, n) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "one two three");
	CHECK_EQ_INT(t.rec.writes, 1);
	CHECK_EQ_UINT(t.resp.nread, 13);
	CHECK_EQ_UINT(h2_buffered(&t.resp), 0);

	t.rec.block_fd = 0;
	n = data_frame(f, "four ", 0);
	n += data_frame(f + n, "five", 0x1);
	CHECK(h2_feed(&t.c, f, n) == HC_OK);
	CHECK_EQ_INT(t.rec.writes, 1);
	CHECK_EQ_UINT(h2_buffered(&t.resp), 9);
	CHECK_EQ_UINT(t.resp.nread, 13);

	t.rec.block_fd = -1;
	CHECK(t.x.task.ops->step(&t.x.task, POLLOUT) == HC_OK);
	CHECK_EQ_STR(t.rec.got, "one two threefour five");
	CHECK(t.x.task.done && t.resp.done);
	CHECK_EQ_INT(t.rec.writes, 2);
	CHECK_EQ_INT(t.rec.ends, 1);
	sink_close(&t);
	unit_end();
}

int main(void)
{
	unit_init();
	nv_table();
	refused_table();
	limit_table();
	continuations_table();
	scan_table();
	sink_case();
	batch_case();
	return unit_done();
}
