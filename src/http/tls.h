/* The TLS side of the transport (GnuTLS, loaded only when an https:// URL needs it). */
#ifndef HC_TLS_H
#define HC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "error.h"

struct hc_conn;

/* A session on the connected socket, verifying as c->cfg->tls says: tls_handshake_step next. */
enum hc_err tls_start(struct hc_conn *c);
/* The handshake, as far as it goes now: *wait is POLLIN or POLLOUT to go on, 0 when done. */
enum hc_err tls_handshake_step(struct hc_conn *c, short *wait);
/* The handshake's wait ran out of time: the session is dropped. */
enum hc_err tls_handshake_timed_out(struct hc_conn *c);
enum hc_err tls_read(struct hc_conn *c, char *buf, size_t len, size_t *got);
/*
 * One receive that never waits: data, the end (*got 0), or *again when what
 * had arrived carried no application data (a TLS 1.3 session ticket).
 */
enum hc_err tls_read_nowait(struct hc_conn *c, char *buf, size_t len, size_t *got, bool *again);
/* What the last GnuTLS call that returned GNUTLS_E_AGAIN waits for: POLLIN or POLLOUT. */
short tls_direction(struct hc_conn *c);
/* What the socket takes now, the cursor moved past it; *again: the direction to wait for. */
enum hc_err tls_writev_nowait(struct hc_conn *c, struct iovec **iov, int *iovcnt, short *again);
bool tls_pending(struct hc_conn *c);
void tls_close(struct hc_conn *c);
/* Free what was loaded once per process (trust store, library). */
void tls_global_free(void);

#endif
