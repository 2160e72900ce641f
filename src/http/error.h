/* The error kinds of the engine and the CLI, with their names and exit codes. */
#ifndef HC_ERROR_H
#define HC_ERROR_H

#include <stddef.h>

enum hc_err {
	HC_OK = 0,
	HC_EUSAGE,	  /* bad command line */
	HC_EPROTO,	  /* UnknownProtocol */
	HC_EURL,	  /* InvalidURL */
	HC_EPROXYRESOLVE, /* proxy host not resolved */
	HC_ERESOLVE,	  /* host not resolved */
	HC_ECONNECT,	  /* refused, unreachable */
	HC_EBADSTATUS,	  /* BadStatusLine */
	HC_ELINE,	  /* LineTooLong */
	HC_EHEADERS,	  /* more header fields than allowed */
	HC_EHEADER,	  /* malformed header field */
	HC_ECHUNK,	  /* malformed chunked framing */
	HC_ELENGTH,	  /* bad or conflicting Content-Length */
	HC_EUPGRADE,	  /* 101 that nobody asked for */
	HC_EINTERIM,	  /* more interim (1xx) responses than HC_MAX_INTERIM */
	HC_EINCOMPLETE,	  /* IncompleteRead */
	HC_EHTTP,	  /* status >= 400 with --fail */
	HC_EWRITE,	  /* could not write output */
	HC_EREAD,	  /* could not read the request body source */
	HC_ETIMEOUT,
	HC_ETLS,	  /* handshake failed */
	HC_ECERT,	  /* server certificate or name not verified */
	HC_ECERTLOCAL,	  /* client certificate or key problem */
	HC_ECAFILE,	  /* CA file or directory unreadable */
	HC_EREDIRS,	  /* too many redirects */
	HC_EEMPTY,	  /* RemoteDisconnected */
	HC_ESEND,	  /* send failed */
	HC_ERESET,	  /* receive failed, connection reset */
	HC_EPROXY,	  /* proxy refused CONNECT */
	HC_EENCODING,	  /* bad content encoding */
	HC_ENOMEM,
	HC_EINTERNAL,
	HC_ERANGE,	  /* a range request not answered with its range */
	HC_EH2,		  /* HTTP/2 connection error */
	HC_EH2STREAM,	  /* HTTP/2 stream reset */
	HC_ERR_COUNT
};

/*
 * A condition behind an error that its kind alone does not tell, for the
 * caller to explain further (the command line names the option that helps).
 */
enum hc_cond {
	HC_COND_NONE = 0,
	HC_COND_DEADLINE,    /* the whole transfer's time limit passed */
	HC_COND_IPV4_ONLY,   /* only IPv4 addresses were allowed */
	HC_COND_IPV6_ONLY,   /* only IPv6 addresses were allowed */
	HC_COND_KEY_NO_CERT, /* a client key without its certificate */
	HC_COND_CERT_WANTED, /* the server asked for a client certificate; none was given */
	HC_COND_PRIORITY,    /* the TLS priority string was refused */
	HC_COND_PIN,	     /* the server's key does not match the pin */
};

/* The seed's exception name (or ours where it has none), e.g. "IncompleteRead". */
const char *hc_err_name(enum hc_err e);

/*
 * At most max bytes of p[0..n) in out (outlen bytes, at least 4), with "..." when cut: text
 * quoted in an error message. Not escaped: whoever prints the message escapes it.
 */
const char *hc_clip(const char *p, size_t n, size_t max, char *out, size_t outlen);
/* The exit status, as curl's for the same failure. */
int hc_err_exit(enum hc_err e);

#endif
