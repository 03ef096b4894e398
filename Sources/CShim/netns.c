// Thin wrappers: see include/sb_netns.h.
#define _GNU_SOURCE
#include <sched.h>
#include "sb_netns.h"

int sb_setns(int fd, int nstype) { return setns(fd, nstype); }
int sb_unshare(int flags) { return unshare(flags); }
int sb_clone_newnet(void) { return CLONE_NEWNET; }
