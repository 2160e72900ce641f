/* Base64 (RFC 4648 §4), for Basic credentials and public key pins. */
#include "http.h"

size_t hc_base64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = out;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		*o++ = t[in[i] >> 2];
		*o++ = t[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*o++ = t[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*o++ = t[in[i + 2] & 63];
	}
	if (i < n) {
		*o++ = t[in[i] >> 2];
		if (i + 1 < n) {
			*o++ = t[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*o++ = t[(in[i + 1] & 15) << 2];
		} else {
			*o++ = t[(in[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return (size_t)(o - out);
}
