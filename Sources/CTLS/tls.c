#include "ctls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
} session;

static void describe(char *err, size_t errlen, const char *what) {
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", buf);
}

void *sb_tls_connect(int fd, const char *host, const char *ca_file, int verify, char *err, size_t errlen) {
    session *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->ctx = SSL_CTX_new(TLS_client_method());
    if (!s->ctx) { describe(err, errlen, "SSL_CTX_new"); free(s); return NULL; }
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(s->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_default_verify_paths(s->ctx);
    if (ca_file && *ca_file && SSL_CTX_load_verify_locations(s->ctx, ca_file, NULL) != 1) {
        describe(err, errlen, "cannot load CA file");
        SSL_CTX_free(s->ctx); free(s); return NULL;
    }
    s->ssl = SSL_new(s->ctx);
    SSL_set_fd(s->ssl, fd);
    // Check the certificate names the host we meant: an IP address or a DNS name.
    X509_VERIFY_PARAM *param = SSL_get0_param(s->ssl);
    unsigned char addr[16];
    if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host);
    } else {
        SSL_set_tlsext_host_name(s->ssl, host);   // SNI
        X509_VERIFY_PARAM_set1_host(param, host, 0);
    }
    if (SSL_connect(s->ssl) != 1) {
        long v = SSL_get_verify_result(s->ssl);
        if (v != X509_V_OK) snprintf(err, errlen, "certificate verification failed: %s", X509_verify_cert_error_string(v));
        else describe(err, errlen, "TLS handshake failed");
        SSL_free(s->ssl); SSL_CTX_free(s->ctx); free(s); return NULL;
    }
    return s;
}

ssize_t sb_tls_read(void *p, void *buf, size_t n) {
    session *s = p;
    int r = SSL_read(s->ssl, buf, (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(s->ssl, r);
    return (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) && r == 0 ? 0 : -1;
}

ssize_t sb_tls_write(void *p, const void *buf, size_t n) {
    session *s = p;
    int r = SSL_write(s->ssl, buf, (int)n);
    return r > 0 ? r : -1;
}

void sb_tls_close(void *p) {
    session *s = p;
    if (!s) return;
    SSL_shutdown(s->ssl);
    SSL_free(s->ssl);
    SSL_CTX_free(s->ctx);
    free(s);
}
