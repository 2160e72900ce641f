/*
 * Unit tests for the connection's reuse rules: conn_check_idle closes an idle
 * connection that turned readable (RFC 9112 §6.3: bytes nobody asked for are
 * never a response), and keeps a quiet one; and the write cursor over spans
 * moved past what a short write took (tr_iov_advance).
 */
#include <sys/socket.h>

#include "http.h"
#include "unit.h"

static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = -1,
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

enum peer_act { PEER_QUIET, PEER_SENDS, PEER_CLOSES, BUFFERED };

static void idle_case(const char *name, enum peer_act act, bool want_open)
{
	unit_begin("conn_check_idle: %s -> %s", name, want_open ? "reused" : "closed");
	int sv[2];
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0)) {
		unit_end();
		return;
	}
	struct hc_conn c;
	conn_init(&c, &cfg);
	c.fd = sv[0];
	c.nrequests = 1;
	c.reusable = true;
	c.cap = 64;
	c.buf = malloc(c.cap);
	if (act == PEER_SENDS)
		CHECK(write(sv[1], "HTTP/1.1 200 OK\r\n\r\n", 19) == 19);
	else if (act == PEER_CLOSES)
		close(sv[1]);
	else if (act == BUFFERED)
		c.end = 3; /* three bytes read but never asked for */
	conn_check_idle(&c);
	CHECK_EQ_INT(conn_is_open(&c), want_open);
	if (!want_open)
		CHECK_EQ_INT(c.reusable, false);
	if (act != PEER_CLOSES)
		close(sv[1]);
	conn_free(&c);
	unit_end();
}

/* Spans "ab", "", "cde", "f" (cursor at the first); a write took n bytes. */
static void advance_case(size_t n, int want_cnt, const char *want_first)
{
	unit_begin("tr_iov_advance: %zu bytes taken -> %d spans left, first \"%s\"", n, want_cnt,
		   want_first);
	char a[] = "ab", c[] = "cde", f[] = "f";
	struct iovec v[4] = {{a, 2}, {c, 0}, {c, 3}, {f, 1}};
	struct iovec *iov = v;
	int cnt = 4;
	tr_iov_advance(&iov, &cnt, n);
	CHECK_EQ_INT(cnt, want_cnt);
	CHECK(iov == v + 4 - cnt);
	if (cnt > 0)
		CHECK_EQ_MEM(iov->iov_base, iov->iov_len, want_first, strlen(want_first));
	unit_end();
}

int main(void)
{
	idle_case("the peer is quiet", PEER_QUIET, true);
	idle_case("the peer sent bytes while idle", PEER_SENDS, false);
	idle_case("the peer closed while idle", PEER_CLOSES, false);
	idle_case("unread bytes in the receive buffer", BUFFERED, false);
	advance_case(0, 4, "ab");
	advance_case(1, 4, "b");
	advance_case(2, 2, "cde"); /* an empty span is passed with the one before it */
	advance_case(4, 2, "e");
	advance_case(5, 1, "f");
	advance_case(6, 0, "");
	return unit_done();
}
