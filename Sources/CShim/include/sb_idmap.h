// ID-mapped mounts (mount_setattr(2) with MOUNT_ATTR_IDMAP, Linux 5.12) and the user
// namespace that describes their mapping: the new mount API's structs and flags are not
// visible to Swift, so these thin wrappers carry them.
#ifndef SB_IDMAP_H
#define SB_IDMAP_H
#include <sys/types.h>
#include <sys/xattr.h>   // llistxattr, lgetxattr, lsetxattr for layer copies (TreeCopy+Shift)
#ifdef __cplusplus
extern "C" {
#endif

/// A child in a new user namespace (clone(CLONE_NEWUSER)) that does nothing but wait
/// for `*release_fd` to be closed, then exits. Its namespace has no mapping yet: the
/// caller writes /proc/PID/uid_map and gid_map, opens /proc/PID/ns/user, closes
/// *release_fd and reaps the child. Returns the pid, or -1 with errno.
pid_t sb_spawn_userns_holder(int *release_fd);

/// Attach at `target` (an existing directory) a clone of the mount at `source`
/// (open_tree(OPEN_TREE_CLONE)) whose owners are shown through the mapping of the user
/// namespace `userns_fd` (mount_setattr(MOUNT_ATTR_IDMAP)), then move_mount(2) it there.
/// 0, or -1 with errno (EINVAL: the file system cannot be idmapped). `target` NULL:
/// only whether the kernel would idmap it (the clone is dropped, never attached).
int sb_idmapped_bind(const char *source, const char *target, int userns_fd);

#ifdef __cplusplus
}
#endif
#endif
