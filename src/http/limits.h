/* Every limit of the engine, in one place (the seed's numbers where it has one). */
#ifndef HC_LIMITS_H
#define HC_LIMITS_H

#define HC_MAX_LINE 65536	     /* seed's _MAXLINE: one received line, CRLF included */
#define HC_MAX_HEADERS 100	     /* seed's _MAXHEADERS: fields in one response head */
#define HC_BLOCKSIZE 65536	     /* default bytes per read of a streamed request body */
#define HC_BLOCKSIZE_MAX (16 << 20)  /* largest --blocksize */
#define HC_RECV_BUF (128 * 1024)     /* receive buffer; larger than HC_MAX_LINE */
#define HC_REQ_HEAD_MAX (1 << 20)    /* request head we are willing to build */
#define HC_DATA_MAX (64 << 20)	     /* -d/--data-urlencode data joined in memory */
#define HC_HEADER_FILE_MAX (1 << 20) /* -H @FILE */
#define HC_CONFIG_FILE_MAX (1 << 20) /* -K FILE and the default config file */
#define HC_MAX_INTERIM 1000	     /* interim (1xx) responses before the final one, per request */
#define HC_ERRBUF 512		     /* detail text of one error */
#define HC_SPLICE_MIN (64 * 1024)    /* chunk data worth splicing rather than reading */
#define HC_PIPE_SIZE (1024 * 1024)   /* a request body's pipe, enlarged to this when smaller */
#define HC_COOKIE_MAX 4096	     /* RFC 6265bis §5.6: a cookie's name and value together */
#define HC_COOKIE_ATTR_MAX 1024      /* RFC 6265bis §5.6: one attribute's value */
#define HC_COOKIE_AGE_MAX (400 * 86400) /* RFC 6265bis §5.6.1-2: Expires and Max-Age capped */
#define HC_COOKIES_PER_DOMAIN 180    /* cookies servers may keep under one domain (Chrome, Firefox) */
#define HC_COOKIES_MAX 20000	     /* cookies in the store; the oldest go first */
#define HC_COOKIES_SENT_MAX 150	     /* cookies in one request's Cookie field (curl's number) */
#define HC_JAR_FILE_MAX (64 << 20)   /* a cookie file read with -b */
#define HC_DIGEST_FIELD_MAX 1024     /* a Digest realm, nonce or opaque, unescaped, with its NUL */
#define HC_H2_FIELD_MAX 65536	     /* SPEC Part 2: a decoded h2 field's name and value together */
#define HC_H2_FRAME 16384	     /* RFC 9113 §4.2: the largest frame a server may send us */
#define HC_H2_STREAM_WINDOW (8 << 20) /* an h2 stream's receive window (64 KiB measured 1.7x slower) */
#define HC_H2_CONN_WINDOW (64 << 20) /* the h2 connection's receive window */

#if HC_RECV_BUF <= HC_MAX_LINE
#error "the receive buffer must hold a whole line"
#endif

#endif
