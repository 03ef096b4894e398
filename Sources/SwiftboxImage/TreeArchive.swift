// A directory tree as a tar stream on a file descriptor (`swiftbox export`), written
// by the same walk as a layer (LayerWriter.Walk: sorted, parents first, hard links
// kept, xattrs kept), in the same pax-restricted format.
#if canImport(Glibc)
import Glibc
#endif
import CArchive
import SwiftboxKernel

public enum TreeArchive {
    public static func write(directory: String, to fd: Int32) throws {
        guard let a = archive_write_new() else { throw ImageError.io("libarchive: out of memory") }
        defer { archive_write_free(a) }
        archive_write_set_format_pax_restricted(a)
        archive_write_set_bytes_in_last_block(a, 1)
        guard archive_write_open_fd(a, fd) == ARCHIVE_OK else { throw ImageError.io("libarchive: \(String(cString: archive_error_string(a)))") }
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw KernelError("open", [directory]) }
        defer { close(root) }
        var walk = LayerWriter.Walk(archive: a, directory: directory)
        try walk.directory(root, relative: "")
        guard archive_write_close(a) == ARCHIVE_OK else { throw ImageError.io("libarchive: \(String(cString: archive_error_string(a)))") }
    }
}
