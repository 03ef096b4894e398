// Giving back the pages of our own executable that a long-idle process no longer needs.
//
// A container's monitor lives as long as the container, mostly asleep in poll(2). Its
// start-up touched megabytes of swiftbox's (static) executable: code and read-only data
// that stay mapped — and counted in its RSS — although the idle loop uses a few pages of
// them. Those pages are clean copies of the file: dropping them from our page tables
// with madvise(MADV_DONTNEED) (madvise(2)) loses nothing; the next access maps them
// again from the page cache (a minor fault, no disk read).
//
// Only pages that are still the file's own are dropped. /proc/self/pagemap (see the
// kernel's Documentation/admin-guide/mm/pagemap.rst) tells, per page: bit 63 "present",
// bit 61 "file page or shared anonymous". A page of a private file mapping that was
// ever written (copy-on-write: relocations, globals) is anonymous and is kept —
// dropping it would bring back the file's original bytes.
//
// Call only when no other thread of the process can be writing to the executable's
// writable segment (the monitor is single-threaded when it goes idle).
#if canImport(Glibc)
import Glibc
#endif

public enum ResidentPages {
    /// Release the clean, file-backed pages of the executable's mappings (and of shared
    /// libraries', for a dynamically linked build). Returns the bytes dropped from the
    /// resident set. Everything is decided first and the madvise calls come last, so
    /// that as little code as possible runs (and faults pages back) after them.
    @discardableResult
    public static func releaseExecutablePages() -> Int {
        guard let maps = try? FileSystem.readString("/proc/self/maps") else { return 0 }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return 0 }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var runs: [(address: Int, length: Int)] = []
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // Private mappings of files (p): the executable and libraries, not [heap] etc.
            guard fields.count >= 6, fields[5].hasPrefix("/"), fields[1].hasSuffix("p") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = Int(range[0], radix: 16), let end = Int(range[1], radix: 16) else { continue }
            runs += cleanRuns(start: start, end: end, pagemap: pagemap, pageSize: pageSize)
        }
        close(pagemap)
        var released = 0
        for run in runs where madvise(UnsafeMutableRawPointer(bitPattern: run.address), run.length, MADV_DONTNEED) == 0 {
            released += run.length
        }
        return released
    }

    /// Runs of pages in [start, end) that are present and still the file's own.
    static func cleanRuns(start: Int, end: Int, pagemap: Int32, pageSize: Int) -> [(address: Int, length: Int)] {
        let pages = (end - start) / pageSize
        var entries = [UInt64](repeating: 0, count: pages)
        let want = pages * 8
        let got = entries.withUnsafeMutableBytes { pread(pagemap, $0.baseAddress, want, off_t(start / pageSize * 8)) }
        guard got == want else { return [] }
        let present: UInt64 = 1 << 63, fileBacked: UInt64 = 1 << 61
        var runs: [(address: Int, length: Int)] = []
        var runStart = -1
        for i in 0...pages {
            let clean = i < pages && entries[i] & present != 0 && entries[i] & fileBacked != 0
            if clean && runStart < 0 { runStart = i }
            if !clean && runStart >= 0 {
                runs.append((start + runStart * pageSize, (i - runStart) * pageSize))
                runStart = -1
            }
        }
        return runs
    }
}
