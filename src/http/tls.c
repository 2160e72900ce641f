/* TLS is not built yet: https:// URLs fail cleanly until it is. */
#include "http.h"
#include "tls.h"

enum hc_err tls_connect(struct hc_conn *c)
{
	return conn_seterr(c, HC_EPROTO, "https is not supported by this build yet");
}

enum hc_err tls_read(struct hc_conn *c, char *buf, size_t len, size_t *got)
{
	(void)buf;
	(void)len;
	*got = 0;
	return conn_seterr(c, HC_EINTERNAL, "no TLS session");
}

enum hc_err tls_writev(struct hc_conn *c, struct iovec *iov, int iovcnt)
{
	(void)iov;
	(void)iovcnt;
	return conn_seterr(c, HC_EINTERNAL, "no TLS session");
}

bool tls_pending(struct hc_conn *c)
{
	(void)c;
	return false;
}

void tls_close(struct hc_conn *c)
{
	c->tls_session = NULL;
}

void tls_global_free(void)
{
}
