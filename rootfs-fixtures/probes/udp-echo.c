// udp-echo PORT: answer every datagram with "echo: " + its payload, and print the
// payload on stdout (the network tests' UDP server; busybox's nc has no -u here).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: udp-echo PORT\n"); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    char buf[2048], out[2100];
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &len);
        if (n < 0) continue;
        buf[n] = 0;
        printf("%s from %s\n", buf, inet_ntoa(from.sin_addr));
        fflush(stdout);
        int m = snprintf(out, sizeof out, "echo: %s", buf);
        sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&from, len);
    }
}
