// Network namespace calls glibc declares only under _GNU_SOURCE (invisible to Swift).
#ifndef SB_NETNS_H
#define SB_NETNS_H
#ifdef __cplusplus
extern "C" {
#endif

/// setns(2): move the calling *thread* into the namespace `fd` refers to.
/// For CLONE_NEWNET this is per-thread, so a multi-threaded process may do it
/// (unlike CLONE_NEWNS, which fails with EINVAL in a multi-threaded process), see setns(2).
int sb_setns(int fd, int nstype);

/// unshare(2) for the calling thread (CLONE_NEWNET only needs the thread itself).
int sb_unshare(int flags);

/// CLONE_NEWNET (a _GNU_SOURCE constant).
int sb_clone_newnet(void);

#ifdef __cplusplus
}
#endif
#endif
