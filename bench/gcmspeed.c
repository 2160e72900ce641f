/*
 * gcmspeed: AES-GCM decryption speed of GnuTLS on one core, over TLS-sized records.
 *
 *     gcmspeed [SECONDS]
 *
 * For AES-128-GCM and AES-256-GCM, decrypts and authenticates one 16 KiB record (5 bytes
 * of associated data, 16-byte tag, as a TLS 1.3 record) over and over for SECONDS
 * (default 2) of wall-clock time, and prints one line each:
 *
 *     AES-256-GCM 3.210 GB/s 3.305 GB/s-cpu
 *
 * GB/s is 10^9 plaintext bytes per wall-clock second; GB/s-cpu divides by the thread's CPU
 * time instead, as openssl speed does by default, so that it shows what one core does
 * whatever share of it the machine's other load leaves. The bench takes GB/s-cpu as the
 * ceiling for a TLS download that the client decrypts on one core: gnutls-cli
 * --benchmark-ciphers (GnuTLS 3.7) has no AES-256-GCM line.
 */
#define _POSIX_C_SOURCE 200809L
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD 16384
#define TAG 16

static double secs(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(gnutls_cipher_algorithm_t alg, double limit)
{
	static unsigned char plain[RECORD], sealed[RECORD + TAG], out[RECORD];
	unsigned char keybuf[32], nonce[12], aad[5] = {0x17, 0x03, 0x03, 0x40, 0x11};
	gnutls_datum_t key = {keybuf, (unsigned)gnutls_cipher_get_key_size(alg)};
	gnutls_aead_cipher_hd_t h;
	size_t n = sizeof sealed;
	int err;

	memset(keybuf, 0x5a, sizeof keybuf);
	memset(nonce, 0xa5, sizeof nonce);
	memset(plain, 'x', sizeof plain);
	if ((err = gnutls_aead_cipher_init(&h, alg, &key)) < 0 ||
	    (err = gnutls_aead_cipher_encrypt(h, nonce, sizeof nonce, aad, sizeof aad, TAG, plain,
					      RECORD, sealed, &n)) < 0) {
		fprintf(stderr, "gcmspeed: %s: %s\n", gnutls_cipher_get_name(alg), gnutls_strerror(err));
		return 1;
	}

	unsigned long long bytes = 0;
	double w0 = secs(CLOCK_MONOTONIC), c0 = secs(CLOCK_THREAD_CPUTIME_ID), w = w0;
	while (w - w0 < limit) {
		for (int i = 0; i < 64; i++) {
			size_t m = sizeof out;
			err = gnutls_aead_cipher_decrypt(h, nonce, sizeof nonce, aad, sizeof aad, TAG,
							 sealed, n, out, &m);
			if (err < 0 || m != RECORD) {
				fprintf(stderr, "gcmspeed: decrypt: %s\n", gnutls_strerror(err));
				gnutls_aead_cipher_deinit(h);
				return 1;
			}
			bytes += m;
		}
		w = secs(CLOCK_MONOTONIC);
	}
	double c = secs(CLOCK_THREAD_CPUTIME_ID) - c0;
	gnutls_aead_cipher_deinit(h);
	if (memcmp(out, plain, RECORD) != 0) {
		fprintf(stderr, "gcmspeed: %s: wrong plaintext\n", gnutls_cipher_get_name(alg));
		return 1;
	}
	printf("%s %.3f GB/s %.3f GB/s-cpu\n", gnutls_cipher_get_name(alg), (double)bytes / (w - w0) / 1e9,
	       c > 0 ? (double)bytes / c / 1e9 : 0.0);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	double limit = argc > 1 ? atof(argv[1]) : 2.0;
	if (!(limit > 0) || limit > 60) {
		fprintf(stderr, "usage: gcmspeed [SECONDS]\n");
		return 2;
	}
	if (gnutls_global_init() < 0)
		return 1;
	int rc = run(GNUTLS_CIPHER_AES_128_GCM, limit) | run(GNUTLS_CIPHER_AES_256_GCM, limit);
	gnutls_global_deinit();
	return rc;
}
