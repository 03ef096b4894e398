// TLS for the registry client: OpenSSL on an already-connected socket, with
// certificate verification against the system trust store plus an optional CA file,
// and host-name (or IP address) checking. C because several OpenSSL calls are macros.
#ifndef SWIFTBOX_CTLS_H
#define SWIFTBOX_CTLS_H
#include <stddef.h>
#include <sys/types.h>

/// Handshake on `fd`. Returns an opaque session, or NULL with a message in `err`.
/// verify = 0 skips certificate checks (insecure registries, as Docker does for them).
void *sb_tls_connect(int fd, const char *host, const char *ca_file, int verify, char *err, size_t errlen);
ssize_t sb_tls_read(void *session, void *buf, size_t n);
ssize_t sb_tls_write(void *session, const void *buf, size_t n);
void sb_tls_close(void *session);
#endif
