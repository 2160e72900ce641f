/*
 * TLS on GnuTLS (the seed's HTTPSConnection and its ssl context).
 *
 * GnuTLS is loaded with dlopen(3) the first time an https:// URL needs it:
 * a plain http:// run pays nothing for it, not even the library's start-up.
 * The trust store is loaded once per process, however many URLs follow.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "tls.h"

#undef gnutls_free

/* Every GnuTLS function the engine calls, looked up once. */
#define TLS_FUNCS(X)                                                                               \
	X(gnutls_init)                                                                             \
	X(gnutls_deinit)                                                                           \
	X(gnutls_priority_set_direct)                                                              \
	X(gnutls_credentials_set)                                                                  \
	X(gnutls_server_name_set)                                                                  \
	X(gnutls_alpn_set_protocols)                                                               \
	X(gnutls_alpn_get_selected_protocol)                                                       \
	X(gnutls_session_set_verify_function)                                                      \
	X(gnutls_session_set_ptr)                                                                  \
	X(gnutls_session_get_ptr)                                                                  \
	X(gnutls_certificate_verification_status_print)                                            \
	X(gnutls_transport_set_int2)                                                               \
	X(gnutls_handshake)                                                                        \
	X(gnutls_record_recv)                                                                      \
	X(gnutls_record_send)                                                                      \
	X(gnutls_record_cork)                                                                      \
	X(gnutls_record_uncork)                                                                    \
	X(gnutls_record_check_corked)                                                              \
	X(gnutls_record_get_direction)                                                             \
	X(gnutls_record_check_pending)                                                             \
	X(gnutls_reauth)                                                                           \
	X(gnutls_bye)                                                                              \
	X(gnutls_strerror)                                                                         \
	X(gnutls_alert_get)                                                                        \
	X(gnutls_alert_get_name)                                                                   \
	X(gnutls_session_get_desc)                                                                 \
	X(gnutls_protocol_get_version)                                                             \
	X(gnutls_protocol_get_name)                                                                \
	X(gnutls_certificate_allocate_credentials)                                                 \
	X(gnutls_certificate_free_credentials)                                                     \
	X(gnutls_certificate_set_x509_key_file2)                                                   \
	X(gnutls_certificate_get_peers)                                                            \
	X(gnutls_x509_crt_init)                                                                    \
	X(gnutls_x509_crt_deinit)                                                                  \
	X(gnutls_x509_crt_import)                                                                  \
	X(gnutls_x509_crt_get_dn3)                                                                 \
	X(gnutls_x509_crt_get_issuer_dn3)                                                          \
	X(gnutls_x509_crt_get_activation_time)                                                     \
	X(gnutls_x509_crt_get_expiration_time)                                                     \
	X(gnutls_pubkey_init)                                                                      \
	X(gnutls_pubkey_deinit)                                                                    \
	X(gnutls_pubkey_import_x509)                                                               \
	X(gnutls_pubkey_export2)                                                                   \
	X(gnutls_hash_fast)                                                                        \
	X(gnutls_certificate_client_get_request_status)                                            \
	X(gnutls_x509_crt_get_raw_issuer_dn)                                                       \
	X(gnutls_x509_trust_list_init)                                                             \
	X(gnutls_x509_trust_list_deinit)                                                           \
	X(gnutls_x509_trust_list_add_trust_mem)                                                    \
	X(gnutls_x509_trust_list_add_trust_file)                                                   \
	X(gnutls_x509_trust_list_add_trust_dir)                                                    \
	X(gnutls_x509_trust_list_add_system_trust)                                                 \
	X(gnutls_x509_trust_list_verify_crt2)

#define TLS_DECL(f) static __typeof__(f) *p_##f;
TLS_FUNCS(TLS_DECL)
#define G(f) (p_##f)

static void *lib;
static gnutls_free_function *p_free;
static gnutls_certificate_credentials_t cred; /* the client certificate, if any */
static bool cred_ready;

/*
 * What the server is verified against, opened once. A trust file alone (the
 * system bundle or --cacert) stays on disk as text: a handshake needs one or
 * two of its ~145 roots, so the file is read through a small window and only
 * the certificates whose bytes hold an issuer name of the server's chain are
 * decoded and handed to GnuTLS, which verifies as ever. Parsing every root up
 * front was three quarters of a tiny HTTPS request, and holding the whole
 * file a sixth of its memory. A CA directory, with or without a file, and
 * the system store reached through p11-kit go into one trust list up front.
 */
static int trust_fd = -1;
static gnutls_x509_trust_list_t trust_list;

/*
 * The window starts at TRUST_WINDOW and doubles, up to TRUST_WINDOW_MAX, only
 * while one certificate does not fit (the system bundle's largest is under
 * 3 KiB); a larger one is skipped. Half the old fixed 32 KiB leaves a tiny
 * HTTPS GET's heap three pages smaller.
 */
#define TRUST_WINDOW 16384
#define TRUST_WINDOW_MAX 32768

static const char *terr(int rc);
static void trace_certs(struct hc_conn *c);

/*
 * Each certificate of the trust file, as its PEM body [p, e), to fn until fn
 * returns true: 1 then, 0 at the end of the file, -1 if it cannot be read.
 * fn may overwrite [p, e).
 */
static int trust_scan(bool (*fn)(char *p, char *e, void *ud), void *ud)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", endm[] = "-----END CERTIFICATE-----";
	const size_t lb = sizeof(begin) - 1, le = sizeof(endm) - 1;
	size_t cap = TRUST_WINDOW, have = 0;
	char *w = malloc(cap);
	off_t off = 0;
	bool eof = false;
	int found = 0;

	if (w == NULL)
		return -1;
	while (!eof && !found) {
		ssize_t n = pread(trust_fd, w + have, cap - have, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			found = -1;
			break;
		}
		eof = n == 0;
		off += n;
		have += (size_t)n;
		/* every whole certificate in the window; keep from the first partial one */
		char *p = w, *keep;
		for (;;) {
			char *b = memmem(p, have - (size_t)(p - w), begin, lb);
			if (b == NULL) {
				/* a marker may be cut at the window's end */
				keep = have - (size_t)(p - w) > lb ? w + have - lb : p;
				break;
			}
			char *e = memmem(b + lb, have - (size_t)(b + lb - w), endm, le);
			if (e == NULL) {
				keep = b;
				break;
			}
			if (fn(b + lb, e, ud)) {
				found = 1;
				break;
			}
			p = e + le;
		}
		if (found)
			break;
		if (keep == w && have == cap) {
			/* one certificate fills the window: a larger window, or skip it */
			char *nw = cap < TRUST_WINDOW_MAX ? realloc(w, cap * 2) : NULL;
			if (nw != NULL) {
				w = nw;
				cap *= 2;
				continue;
			}
			keep = w + have - lb;
		}
		have -= (size_t)(keep - w);
		memmove(w, keep, have);
	}
	free(w);
	return found;
}

static bool any_certificate(char *p, char *e, void *ud)
{
	(void)p, (void)e, (void)ud;
	return true;
}

static enum hc_err open_trust_file(struct hc_conn *c, const char *path)
{
	if ((trust_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return conn_seterr(c, HC_ECAFILE, "CA file '%s': %s", path, strerror(errno));
	int r = trust_scan(any_certificate, NULL);
	if (r == 1)
		return HC_OK;
	enum hc_err e = conn_seterr(c, HC_ECAFILE, "CA file '%s': %s", path,
				    r == 0 ? "no certificates in it" : strerror(errno));
	close(trust_fd);
	trust_fd = -1;
	return e;
}

/*
 * One PEM body into DER, in place: each byte lands before the text it came
 * from. Returns its length, 0 if malformed.
 */
static size_t pem_decode(char *p, const char *end)
{
	unsigned char *out = (unsigned char *)p;
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; p < end; p++) {
		int v;
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+')
			v = 62;
		else if (ch == '/')
			v = 63;
		else if (ch == '=' || ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
			continue;
		else
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

/* The server's issuer names, and the trust list that gets the roots bearing one. */
struct candidates {
	gnutls_x509_trust_list_t tl;
	const gnutls_datum_t *dns;
	unsigned ndn;
};

/*
 * A trust file certificate that may issue something in the chain goes to the
 * list, decoded where it lies in the window (no copy on the handshake's deep stack).
 */
static bool add_candidate(char *p, char *e, void *ud)
{
	const struct candidates *cd = ud;
	unsigned char *der = (unsigned char *)p;
	size_t n = pem_decode(p, e);
	for (unsigned i = 0; n && i < cd->ndn; i++) {
		if (cd->dns[i].size && memmem(der, n, cd->dns[i].data, cd->dns[i].size)) {
			gnutls_datum_t d = {der, (unsigned)n};
			G(gnutls_x509_trust_list_add_trust_mem)(cd->tl, &d, NULL, GNUTLS_X509_FMT_DER, 0,
								0);
			break;
		}
	}
	return false;
}

/* The server's chain as sent, decoded once for every check. */
struct peer_chain {
	gnutls_x509_crt_t crt[16];
	gnutls_datum_t issuer[16]; /* raw issuer names: what picks the trust file's candidates */
	unsigned n;
};

static void chain_free(struct peer_chain *pc)
{
	for (unsigned i = 0; i < pc->n; i++) {
		(*p_free)(pc->issuer[i].data);
		G(gnutls_x509_crt_deinit)(pc->crt[i]);
	}
	pc->n = 0;
}

static enum hc_err chain_load(struct hc_conn *c, struct peer_chain *pc)
{
	unsigned n = 0;
	const gnutls_datum_t *certs = G(gnutls_certificate_get_peers)(c->tls_session, &n);

	pc->n = 0;
	if (n == 0)
		return conn_seterr(c, HC_ECERT, "%s: the server sent no certificate", c->host);
	if (n > 16)
		n = 16;
	for (; pc->n < n; pc->n++) {
		unsigned k = pc->n;
		pc->issuer[k] = (gnutls_datum_t){NULL, 0};
		if (G(gnutls_x509_crt_init)(&pc->crt[k]) < 0) {
			chain_free(pc);
			return HC_ENOMEM;
		}
		if (G(gnutls_x509_crt_import)(pc->crt[k], &certs[k], GNUTLS_X509_FMT_DER) < 0 ||
		    G(gnutls_x509_crt_get_raw_issuer_dn)(pc->crt[k], &pc->issuer[k]) < 0) {
			pc->n++;
			chain_free(pc);
			return conn_seterr(c, HC_ECERT,
					   "%s: the server's certificate cannot be read", c->host);
		}
	}
	return HC_OK;
}

/* GnuTLS's words for a verification status, without their trailing blanks. */
static enum hc_err status_error(struct hc_conn *c, unsigned status)
{
	gnutls_datum_t out = {0};
	enum hc_err e;
	if (G(gnutls_certificate_verification_status_print)(status, GNUTLS_CRT_X509, &out, 0) == 0) {
		size_t l = strlen((char *)out.data);
		while (l > 0 && out.data[l - 1] == ' ')
			out.data[--l] = '\0';
		e = conn_seterr(c, HC_ECERT, "%s: %s", c->host, (char *)out.data);
	} else {
		e = conn_seterr(c, HC_ECERT, "%s: certificate not verified", c->host);
	}
	(*p_free)(out.data);
	return e;
}

/*
 * GnuTLS's chain verification, with name and purpose, against the trust
 * list, or against the trust file's candidate roots for this chain.
 */
static enum hc_err verify_chain(struct hc_conn *c, const struct peer_chain *pc)
{
	gnutls_x509_trust_list_t tl = trust_list;
	unsigned status = 0;

	if (tl == NULL) {
		if (G(gnutls_x509_trust_list_init)(&tl, 0) < 0)
			return HC_ENOMEM;
		struct candidates cd = {tl, pc->issuer, pc->n};
		/* unreadable now: no roots, and the chain does not verify */
		trust_scan(add_candidate, &cd);
	}
	gnutls_typed_vdata_st data[2] = {
		{GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)c->host, 0},
		{GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0},
	};
	int rc = G(gnutls_x509_trust_list_verify_crt2)(tl, (gnutls_x509_crt_t *)pc->crt, pc->n,
						       data, 2, 0, &status, NULL);
	if (tl != trust_list)
		G(gnutls_x509_trust_list_deinit)(tl, 1);
	if (rc < 0)
		return conn_seterr(c, HC_ECERT, "%s: %s", c->host, terr(rc));
	return status ? status_error(c, status) : HC_OK;
}

/* --pinnedpubkey sha256//BASE64[;sha256//BASE64…] against the leaf's public key. */
static enum hc_err check_pin(struct hc_conn *c, gnutls_x509_crt_t leaf, const char *pins)
{
	gnutls_pubkey_t pk = NULL;
	gnutls_datum_t der = {0};
	unsigned char hash[32];
	char b64[64];
	bool read = false, ok = false;

	if (G(gnutls_pubkey_init)(&pk) == 0 && G(gnutls_pubkey_import_x509)(pk, leaf, 0) == 0 &&
	    G(gnutls_pubkey_export2)(pk, GNUTLS_X509_FMT_DER, &der) == 0 &&
	    G(gnutls_hash_fast)(GNUTLS_DIG_SHA256, der.data, der.size, hash) == 0) {
		read = true;
		hc_base64(hash, sizeof(hash), b64);
		for (const char *p = pins; *p;) {
			size_t len = strcspn(p, ";");
			if (len > 8 && strncmp(p, "sha256//", 8) == 0 && len - 8 == strlen(b64) &&
			    strncmp(p + 8, b64, len - 8) == 0)
				ok = true;
			p += len;
			if (*p == ';')
				p++;
		}
	}
	(*p_free)(der.data);
	if (pk)
		G(gnutls_pubkey_deinit)(pk);
	if (!read)
		return conn_seterr_cond(c, HC_ECERT, HC_COND_PIN,
					"the server's public key cannot be read to check the pin");
	if (!ok)
		return conn_seterr_cond(c, HC_ECERT, HC_COND_PIN,
					"public key pin mismatch: the server's key is sha256//%s", b64);
	conn_info(c, "Public key pin matched");
	return HC_OK;
}

/*
 * The handshake's verify step, for every trust source and the pin: GnuTLS
 * runs it when the server's certificate has come, before the client's own
 * certificate goes out, so a server that fails it never sees that.
 */
static int verify_peer(gnutls_session_t s)
{
	struct hc_conn *c = G(gnutls_session_get_ptr)(s);
	const struct hc_tls_cfg *t = c->cfg->tls;
	struct peer_chain pc;
	enum hc_err *e = &c->tls_verify_err;

	*e = chain_load(c, &pc);
	if (*e == HC_OK) {
		if (!t->insecure)
			*e = verify_chain(c, &pc);
		if (*e == HC_OK && t->pinned)
			*e = check_pin(c, pc.crt[0], t->pinned);
		chain_free(&pc);
	}
	if (*e && c->cfg->debuglevel >= 1)
		trace_certs(c);
	return *e ? -1 : 0;
}

static enum hc_err load_library(struct hc_conn *c)
{
	if (lib)
		return HC_OK;
	void *h = dlopen("libgnutls.so.30", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return conn_seterr(c, HC_ETLS, "cannot load GnuTLS (libgnutls.so.30): %s", dlerror());
#define TLS_LOAD(f)                                                                                \
	if ((p_##f = (__typeof__(f) *)dlsym(h, #f)) == NULL)                                        \
		return conn_seterr(c, HC_ETLS, "GnuTLS lacks %s", #f);
	TLS_FUNCS(TLS_LOAD)
	if ((p_free = (gnutls_free_function *)dlsym(h, "gnutls_free")) == NULL)
		return conn_seterr(c, HC_ETLS, "GnuTLS lacks gnutls_free");
	lib = h;
	return HC_OK;
}

static const char *terr(int rc)
{
	return G(gnutls_strerror)(rc);
}


/* The trust list for a CA directory, a CA file with one, or p11-kit's system store. */
static enum hc_err load_trust_list(struct hc_conn *c)
{
	const struct hc_tls_cfg *t = c->cfg->tls;
	int rc;

	if (trust_list == NULL && G(gnutls_x509_trust_list_init)(&trust_list, 0) < 0)
		return HC_ENOMEM;
	if (t->cafile) {
		if (access(t->cafile, R_OK) != 0)
			return conn_seterr(c, HC_ECAFILE, "CA file '%s': %s", t->cafile, strerror(errno));
		rc = G(gnutls_x509_trust_list_add_trust_file)(trust_list, t->cafile, NULL,
							      GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc <= 0)
			return conn_seterr(c, HC_ECAFILE, "CA file '%s': %s", t->cafile,
					   rc == 0 ? "no certificates in it" : terr(rc));
	}
	if (t->capath) {
		struct stat st;
		const char *why = NULL;
		if (stat(t->capath, &st) != 0)
			why = strerror(errno);
		else if (!S_ISDIR(st.st_mode))
			why = "not a directory";
		else if (access(t->capath, R_OK | X_OK) != 0)
			why = strerror(errno);
		if (why)
			return conn_seterr(c, HC_ECAFILE, "CA directory '%s': %s", t->capath, why);
		rc = G(gnutls_x509_trust_list_add_trust_dir)(trust_list, t->capath, NULL,
							     GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc < 0)
			return conn_seterr(c, HC_ECAFILE, "CA directory '%s': %s", t->capath, terr(rc));
	}
	if (!t->cafile && !t->capath &&
	    (rc = G(gnutls_x509_trust_list_add_system_trust)(trust_list, 0, 0)) < 0)
		return conn_seterr(c, HC_ECAFILE, "system trust store: %s", terr(rc));
	return HC_OK;
}

/* The trust store and the client certificate: once per process. */
static enum hc_err load_credentials(struct hc_conn *c)
{
	const struct hc_tls_cfg *t = c->cfg->tls;
	/*
	 * Debian's bundle read as one file is several times faster than the
	 * p11-kit path GnuTLS takes for its "system trust".
	 */
	static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";
	enum hc_err e = HC_OK;
	int rc;

	if (cred_ready)
		return HC_OK;
	if (t->cafile && !t->capath)
		e = open_trust_file(c, t->cafile);
	else if (t->cafile || t->capath)
		e = load_trust_list(c);
	else if (!t->insecure)
		e = access(bundle, R_OK) == 0 ? open_trust_file(c, bundle) : load_trust_list(c);
	if (e)
		return e;
	if ((rc = G(gnutls_certificate_allocate_credentials)(&cred)) < 0)
		return conn_seterr(c, HC_ETLS, "GnuTLS credentials: %s", terr(rc));
	if (t->cert) {
		const char *key = t->key ? t->key : t->cert;
		rc = G(gnutls_certificate_set_x509_key_file2)(cred, t->cert, key, GNUTLS_X509_FMT_PEM,
							      t->key_password, 0);
		if (rc < 0) {
			G(gnutls_certificate_free_credentials)(cred);
			return conn_seterr(c, HC_ECERTLOCAL, "client certificate '%s' or key '%s': %s",
					   t->cert, key, terr(rc));
		}
	} else if (t->key) {
		G(gnutls_certificate_free_credentials)(cred);
		return conn_seterr_cond(c, HC_ECERTLOCAL, HC_COND_KEY_NO_CERT,
					"a client key without its certificate");
	}
	cred_ready = true;
	return HC_OK;
}

short tls_direction(struct hc_conn *c)
{
	return G(gnutls_record_get_direction)(c->tls_session) ? POLLOUT : POLLIN;
}

/* Wait for the direction GnuTLS wants, within limit (absolute ns, 0: none). */
static enum hc_err tls_wait(struct hc_conn *c, int64_t limit, int op_ms)
{
	bool out = G(gnutls_record_get_direction)(c->tls_session);
	return tr_wait(c, out ? POLLOUT : POLLIN, op_ms, limit);
}

static void fmt_time(time_t t, char *out, size_t n)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* -v: the certificate's subject, issuer and validity; -vv: the whole chain. */
static void trace_certs(struct hc_conn *c)
{
	unsigned n = 0;
	const gnutls_datum_t *certs = G(gnutls_certificate_get_peers)(c->tls_session, &n);
	unsigned show = c->cfg->debuglevel >= 2 ? n : (n ? 1 : 0);
	for (unsigned i = 0; i < show; i++) {
		gnutls_x509_crt_t crt;
		gnutls_datum_t dn = {0}, idn = {0};
		char from[40], until[40];
		if (G(gnutls_x509_crt_init)(&crt) < 0)
			return;
		if (G(gnutls_x509_crt_import)(crt, &certs[i], GNUTLS_X509_FMT_DER) == 0 &&
		    G(gnutls_x509_crt_get_dn3)(crt, &dn, 0) == 0 &&
		    G(gnutls_x509_crt_get_issuer_dn3)(crt, &idn, 0) == 0) {
			fmt_time(G(gnutls_x509_crt_get_activation_time)(crt), from, sizeof(from));
			fmt_time(G(gnutls_x509_crt_get_expiration_time)(crt), until, sizeof(until));
			conn_info(c, "Certificate %u: subject: %s", i, (char *)dn.data);
			conn_info(c, "Certificate %u: issuer: %s", i, (char *)idn.data);
			conn_info(c, "Certificate %u: valid from %s until %s", i, from, until);
		}
		(*p_free)(dn.data);
		(*p_free)(idn.data);
		G(gnutls_x509_crt_deinit)(crt);
	}
}


static enum hc_err handshake_error(struct hc_conn *c, int rc)
{
	gnutls_session_t s = c->tls_session;
	if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED)
		return conn_seterr(c, HC_ETLS, "handshake with %s: the server sent alert '%s'", c->host,
				   G(gnutls_alert_get_name)(G(gnutls_alert_get)(s)));
	return conn_seterr(c, HC_ETLS, "handshake with %s: %s", c->host, terr(rc));
}

/* A session that never completed its handshake: no close_notify, just gone. */
static enum hc_err drop_session(struct hc_conn *c, enum hc_err e)
{
	G(gnutls_deinit)(c->tls_session);
	c->tls_session = NULL;
	return e;
}

/*
 * After a failed send or receive: an alert the server sent may be waiting.
 * A TLS 1.3 server checks the client certificate only after the handshake,
 * so "certificate required" arrives here, and is a handshake failure.
 */
static enum hc_err alert_error(struct hc_conn *c, int rc, enum hc_err kind, const char *what)
{
	gnutls_session_t s = c->tls_session;
	if (rc != GNUTLS_E_FATAL_ALERT_RECEIVED) {
		char scratch[256];
		int r = (int)G(gnutls_record_recv)(s, scratch, sizeof(scratch));
		if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
			rc = r;
	}
	if (rc != GNUTLS_E_FATAL_ALERT_RECEIVED)
		return conn_seterr(c, kind, "TLS %s failed: %s", what, terr(rc));
	const char *alert = G(gnutls_alert_get_name)(G(gnutls_alert_get)(s));
	if (G(gnutls_certificate_client_get_request_status)(s) && c->cfg->tls->cert == NULL)
		return conn_seterr_cond(c, HC_ETLS, HC_COND_CERT_WANTED,
					"the server requires a client certificate (alert '%s')", alert);
	return conn_seterr(c, kind, "TLS alert from the server: %s", alert);
}


enum hc_err tls_start(struct hc_conn *c)
{
	const struct hc_tls_cfg *t = c->cfg->tls;
	gnutls_session_t s;
	enum hc_err e;
	int rc;

	if (t == NULL)
		return conn_seterr(c, HC_EINTERNAL, "no TLS settings");
	if ((e = load_library(c)) || (e = load_credentials(c)))
		return e;
	if ((rc = G(gnutls_init)(&s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_POST_HANDSHAKE_AUTH)) < 0)
		return conn_seterr(c, HC_ETLS, "GnuTLS session: %s", terr(rc));
	c->tls_session = s;
	c->tls_verify_err = HC_OK;

	/* TLS 1.2 is the floor, whatever the system's GnuTLS allows */
	char prio[1024];
	snprintf(prio, sizeof(prio), "%s:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1%s",
		 t->priority ? t->priority : "NORMAL", t->tls13_min ? ":-VERS-TLS1.2" : "");
	const char *where = NULL;
	if ((rc = G(gnutls_priority_set_direct)(s, prio, &where)) < 0)
		return drop_session(c, conn_seterr_cond(c, HC_ETLS, HC_COND_PRIORITY,
							"priority string '%s': %s at '%s'",
						   t->priority ? t->priority : "NORMAL", terr(rc),
						   where ? where : "?"));
	G(gnutls_credentials_set)(s, GNUTLS_CRD_CERTIFICATE, cred);
	if (!url_is_ip_literal(c->host)) /* RFC 6066 §3: no SNI for IP literals */
		G(gnutls_server_name_set)(s, GNUTLS_NAME_DNS, c->host, strlen(c->host));
	/* ALPN (RFC 7301): h2 first unless --http1.1, or once libnghttp2 failed to load; the
	 * library loads only if the server chooses h2 (h1.c) */
	gnutls_datum_t alpn[2];
	unsigned nalpn = 0;
	if (c->cfg->http != HC_HTTP_1_1 && h2_offerable())
		alpn[nalpn++] = (gnutls_datum_t){(unsigned char *)"h2", 2};
	alpn[nalpn++] = (gnutls_datum_t){(unsigned char *)"http/1.1", 8};
	G(gnutls_alpn_set_protocols)(s, alpn, nalpn, 0);
	c->alpn_h2 = false;
	if (!t->insecure || t->pinned) {
		G(gnutls_session_set_ptr)(s, c);
		G(gnutls_session_set_verify_function)(s, verify_peer);
	}
	G(gnutls_transport_set_int2)(s, c->fd, c->fd);
	return HC_OK;
}

enum hc_err tls_handshake_step(struct hc_conn *c, short *wait)
{
	gnutls_session_t s = c->tls_session;
	*wait = 0;
	for (;;) {
		int rc = G(gnutls_handshake)(s);
		if (rc == 0)
			break;
		if (rc == GNUTLS_E_AGAIN) {
			*wait = tls_direction(c);
			return HC_OK;
		}
		if (rc == GNUTLS_E_INTERRUPTED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED)
			continue;
		/* the verify step said why it refused the server */
		return drop_session(c,
				    c->tls_verify_err ? c->tls_verify_err : handshake_error(c, rc));
	}
	G(gnutls_session_set_ptr)(s, NULL);
	gnutls_datum_t sel = {0};
	bool has_alpn = G(gnutls_alpn_get_selected_protocol)(s, &sel) == 0;
	c->alpn_h2 = has_alpn && sel.size == 2 && memcmp(sel.data, "h2", 2) == 0;
	if (c->cfg->debuglevel >= 1) {
		char *desc = G(gnutls_session_get_desc)(s);
		conn_info(c, "TLS %s, %s",
			  G(gnutls_protocol_get_name)(G(gnutls_protocol_get_version)(s)),
			  desc ? desc : "?");
		conn_info(c, "ALPN: %s%.*s", has_alpn ? "server accepted " : "none",
			  has_alpn ? (int)sel.size : 0, has_alpn ? (char *)sel.data : "");
		(*p_free)(desc);
		trace_certs(c);
	}
	return HC_OK;
}

enum hc_err tls_handshake_timed_out(struct hc_conn *c)
{
	return drop_session(
	    c, conn_seterr(c, HC_ETIMEOUT, "TLS handshake with %s timed out", c->host));
}

enum hc_err tls_read_nowait(struct hc_conn *c, char *buf, size_t len, size_t *got, bool *again)
{
	gnutls_session_t s = c->tls_session;
	*again = false;
	*got = 0;
	/* after a close without close_notify GnuTLS answers with errors, not the end again */
	if (c->tls_unclean)
		return HC_OK;
	for (;;) {
		ssize_t n = G(gnutls_record_recv)(s, buf, len);
		if (n >= 0) {
			*got = (size_t)n;
			return HC_OK;
		}
		if (n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == GNUTLS_E_AGAIN) {
			*again = true;
			return HC_OK;
		}
		if (n == GNUTLS_E_REAUTH_REQUEST) {
			/* TLS 1.3 post-handshake authentication (the seed's post_handshake_auth) */
			int rc;
			while ((rc = G(gnutls_reauth)(s, 0)) == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
				if (tls_wait(c, c->cfg->deadline_ns, c->cfg->timeout_ms))
					return conn_seterr(c, HC_ETIMEOUT, "TLS re-authentication timed out");
			if (rc < 0)
				return conn_seterr(c, HC_ETLS, "post-handshake authentication: %s", terr(rc));
			continue;
		}
		if (n == GNUTLS_E_PREMATURE_TERMINATION) {
			/* closed without close_notify: only a complete framed body survives it */
			c->tls_unclean = true;
			return HC_OK;
		}
		return alert_error(c, (int)n, HC_ERESET, "receive");
	}
}

enum hc_err tls_read(struct hc_conn *c, char *buf, size_t len, size_t *got)
{
	for (;;) {
		bool again;
		enum hc_err e = tls_read_nowait(c, buf, len, got, &again);
		if (e || !again)
			return e;
		if ((e = tls_wait(c, c->cfg->deadline_ns, c->cfg->timeout_ms)))
			return e;
	}
}

/*
 * The cursor as records, never waiting. GnuTLS keeps a record it has built
 * when the socket is full (GNUTLS_E_AGAIN) and wants the same bytes offered
 * again: the cursor moves only past what it took. Several pieces (a chunk's
 * size, data and CRLF) are corked into few records; an uncork without
 * GNUTLS_RECORD_WAIT that meets a full socket leaves the rest corked, and
 * the next call flushes it before the cursor moves past the pieces.
 */
enum hc_err tls_writev_nowait(struct hc_conn *c, struct iovec **iovp, int *iovcntp, short *again)
{
	gnutls_session_t s = c->tls_session;
	struct iovec *iov = *iovp;
	*again = 0;
	if (*iovcntp > 1 || G(gnutls_record_check_corked)(s) > 0) {
		if (G(gnutls_record_check_corked)(s) == 0) {
			G(gnutls_record_cork)(s);
			for (int i = 0; i < *iovcntp; i++) {
				ssize_t w =
				    G(gnutls_record_send)(s, iov[i].iov_base, iov[i].iov_len);
				if (w < 0)
					return alert_error(c, (int)w, HC_ESEND, "send");
			}
		}
		for (;;) {
			int rc = G(gnutls_record_uncork)(s, 0);
			if (rc >= 0)
				break;
			if (rc == GNUTLS_E_INTERRUPTED)
				continue;
			if (rc == GNUTLS_E_AGAIN) {
				*again = tls_direction(c);
				return HC_OK;
			}
			return alert_error(c, rc, HC_ESEND, "send");
		}
		*iovp += *iovcntp;
		*iovcntp = 0;
		return HC_OK;
	}
	while (*iovcntp > 0) {
		ssize_t w = G(gnutls_record_send)(s, iov->iov_base, iov->iov_len);
		if (w == GNUTLS_E_INTERRUPTED)
			continue;
		if (w == GNUTLS_E_AGAIN) {
			*again = tls_direction(c);
			return HC_OK;
		}
		if (w < 0)
			return alert_error(c, (int)w, HC_ESEND, "send");
		tr_iov_advance(iovp, iovcntp, (size_t)w);
		iov = *iovp;
	}
	return HC_OK;
}

bool tls_pending(struct hc_conn *c)
{
	return c->tls_session && G(gnutls_record_check_pending)(c->tls_session) > 0;
}

void tls_close(struct hc_conn *c)
{
	gnutls_session_t s = c->tls_session;
	if (s == NULL)
		return;
	/* close_notify, once: a socket that cannot take it now is closed anyway */
	if (!c->eof)
		G(gnutls_bye)(s, GNUTLS_SHUT_WR);
	G(gnutls_deinit)(s);
	c->tls_session = NULL;
}

void tls_global_free(void)
{
	if (trust_fd >= 0)
		close(trust_fd);
	trust_fd = -1;
	if (trust_list)
		G(gnutls_x509_trust_list_deinit)(trust_list, 1);
	trust_list = NULL;
	if (cred_ready)
		G(gnutls_certificate_free_credentials)(cred);
	cred_ready = false;
}
