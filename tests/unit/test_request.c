/*
 * Unit tests for the request side: req_putrequest takes a method only when it
 * is an RFC 9110 token, and a refused request sends nothing at all.
 */
#include <errno.h>
#include <sys/socket.h>

#include "http.h"
#include "unit.h"

/* the timeout only bounds a broken engine that would send and wait for an answer */
static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = 2000,
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

static const struct {
	const char *method;
	bool ok;
} methods[] = {
    {"GET", true},	   {"M-SEARCH", true},
    {"PROPFIND", true},	   {"x!#$%&'*+-.^_`|~9", true},
    {"", false},	   {"GET /a HTTP/1.1\r\nHost: x\r\n\r\nDELETE", false},
    {"GET\r\n", false},	   {"GET\n", false},
    {"GET /", false},	   {"GET\t", false},
    {"G(T)", false},	   {"G:T", false},
    {"G\"T", false},	   {"G\x7fT", false},
    {"G\xc3\x89T", false},
};

static void putrequest_cases(void)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char shown[128];
		unit_begin("req_putrequest: method %s -> %s",
			   unit_esc(shown, sizeof(shown), methods[i].method,
				    strlen(methods[i].method), 60),
			   methods[i].ok ? "taken" : "Usage");
		struct hc_conn c;
		conn_init(&c, &cfg);
		c.host = strdup("example.org");
		c.port = 80;
		struct hc_headbuf hb = {.max = HC_REQ_HEAD_MAX};
		struct hc_request r = {.method = methods[i].method, .target = "/"};
		enum hc_err rc = req_putrequest(&c, &hb, &r);
		if (methods[i].ok) {
			CHECK_EQ_INT(rc, HC_OK);
			CHECK(hb.len > strlen(methods[i].method) &&
			      memcmp(hb.p, methods[i].method, strlen(methods[i].method)) == 0);
		} else {
			CHECK_EQ_INT(rc, HC_EUSAGE);
			CHECK_EQ_UINT(hb.len, 0);
			CHECK(c.err[0] != '\0' && strpbrk(c.err, "\r\n") == NULL);
		}
		hb_free(&hb);
		conn_free(&c);
		unit_end();
	}
}

/* http_request on an open connection: a bad method puts not one byte on it. */
static void nothing_sent_case(void)
{
	unit_begin("http_request: an injected method sends nothing on the connection");
	int sv[2];
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0)) {
		unit_end();
		return;
	}
	struct hc_conn c;
	conn_init(&c, &cfg);
	c.host = strdup("example.org");
	c.port = 80;
	c.fd = sv[0];
	c.cap = HC_RECV_BUF;
	c.buf = malloc(c.cap);
	struct hc_request r = {.method = "GET / HTTP/1.1\r\nHost: x\r\n\r\nDELETE", .target = "/"};
	struct hc_response resp;
	resp_init(&resp, &c);
	CHECK_EQ_INT(http_request(&c, &r, &resp), HC_EUSAGE);
	char got[16];
	errno = 0;
	CHECK_EQ_INT(recv(sv[1], got, sizeof(got), 0), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	CHECK_EQ_UINT(c.nrequests, 0);
	resp_free(&resp);
	conn_free(&c);
	close(sv[1]);
	unit_end();
}

int main(void)
{
	putrequest_cases();
	nothing_sent_case();
	return unit_done();
}
