/* The one table from error kind to name and exit code. These never change. */
#include <string.h>

#include "error.h"

static const struct {
	const char *name;
	int exit;
} table[HC_ERR_COUNT] = {
	[HC_OK] = {"OK", 0},
	[HC_EUSAGE] = {"Usage", 2},
	[HC_EPROTO] = {"UnknownProtocol", 1},
	[HC_EURL] = {"InvalidURL", 3},
	[HC_EPROXYRESOLVE] = {"ProxyNotFound", 5},
	[HC_ERESOLVE] = {"HostNotFound", 6},
	[HC_ECONNECT] = {"ConnectionRefused", 7},
	[HC_EBADSTATUS] = {"BadStatusLine", 8},
	[HC_ELINE] = {"LineTooLong", 8},
	[HC_EHEADERS] = {"TooManyHeaders", 8},
	[HC_EHEADER] = {"BadHeader", 8},
	[HC_ECHUNK] = {"BadChunk", 8},
	[HC_ELENGTH] = {"BadContentLength", 8},
	[HC_EUPGRADE] = {"UnexpectedUpgrade", 8},
	[HC_EINTERIM] = {"TooManyInterim", 8},
	[HC_EINCOMPLETE] = {"IncompleteRead", 18},
	[HC_EHTTP] = {"HTTPError", 22},
	[HC_EWRITE] = {"WriteError", 23},
	[HC_EREAD] = {"ReadError", 26},
	[HC_ETIMEOUT] = {"Timeout", 28},
	[HC_ETLS] = {"TLSHandshake", 35},
	[HC_ECERT] = {"CertificateError", 60},
	[HC_ECERTLOCAL] = {"ClientCertificate", 58},
	[HC_ECAFILE] = {"CAFileError", 77},
	[HC_EREDIRS] = {"TooManyRedirects", 47},
	[HC_EEMPTY] = {"RemoteDisconnected", 52},
	[HC_ESEND] = {"SendError", 55},
	[HC_ERESET] = {"ConnectionReset", 56},
	[HC_EPROXY] = {"ProxyError", 56},
	[HC_EENCODING] = {"BadContentEncoding", 61},
	[HC_ENOMEM] = {"OutOfMemory", 27},
	[HC_EINTERNAL] = {"InternalError", 1},
	[HC_ERANGE] = {"RangeError", 33},
	[HC_EH2] = {"HTTP2", 16},
	[HC_EH2STREAM] = {"HTTP2Stream", 92},
};

const char *hc_err_name(enum hc_err e)
{
	return (unsigned)e < HC_ERR_COUNT ? table[e].name : "InternalError";
}

int hc_err_exit(enum hc_err e)
{
	return (unsigned)e < HC_ERR_COUNT ? table[e].exit : 1;
}

const char *hc_clip(const char *p, size_t n, size_t max, char *out, size_t outlen)
{
	size_t o = n < max ? n : max;
	if (o > outlen - 4)
		o = outlen - 4;
	memcpy(out, p, o);
	if (n > o) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
