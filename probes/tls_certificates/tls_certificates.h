/* SPDX-License-Identifier: MIT */
/* tls_certificates: the certificate parser (pure: a buffer in, JSON facts
 * out) shared by the probe, its unit tests and its fuzz target. */
#ifndef TLS_CERTIFICATES_H
#define TLS_CERTIFICATES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#define TLSC_MAX_FILE_SIZE (4u << 20)   /* one certificate file or bundle */
#define TLSC_MAX_CERTS_PER_FILE 512u    /* certificates read from one file */
#define TLSC_MAX_SAN 256u               /* SAN entries reported per certificate */
#define TLSC_MAX_NAME 4096u             /* characters of a printed subject/issuer */

/* Parses every X.509 certificate in buf[0,len): a PEM file or bundle (other
 * PEM blocks, such as a private key, are skipped, never read), or else one
 * DER certificate. Appends one JSON object per certificate to certs (a JSON
 * array owned by the caller), at most max certificates; now is the clock
 * (seconds since the epoch) for days_left. Adds to *stats the blocks that
 * could not be decoded and sets stats->truncated when more certificates were
 * present than max. Returns the number of certificates
 * appended (0: the data holds no certificate), or -ENOMEM. */
struct tlsc_stats {
        size_t bad;       /* certificate blocks that could not be decoded */
        bool truncated;   /* more certificates than max */
};
int tlsc_parse(const char *buf, size_t len, time_t now, size_t max, json_t *certs,
               struct tlsc_stats *stats);

#endif
