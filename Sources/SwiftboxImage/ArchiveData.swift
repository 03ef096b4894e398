// Reading an entry's data from libarchive block by block — the one loop the layer
// unpacker and the image loader share.
import CArchive

enum ArchiveData {
    /// Calls `body` with each data block of the current entry and its offset in the file
    /// (sparse files have gaps between blocks).
    static func forEachBlock(_ a: OpaquePointer, _ what: @autoclosure () -> String,
                             _ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        var buf: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let rc = archive_read_data_block(a, &buf, &size, &offset)
            if rc == ARCHIVE_EOF { return }
            guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN else { throw ImageError.layer("\(what()): \(LayerUnpacker.errorString(a))") }
            if let buf { try body(UnsafeRawBufferPointer(start: buf, count: size), Int64(offset)) }
        }
    }
}
