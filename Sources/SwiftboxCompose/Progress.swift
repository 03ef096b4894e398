// Progress lines as Compose v2 prints them on stderr, one per finished event:
//    ✔ Network demo_default  Created
//    ✔ Container demo-web-1  Started
// Written whole under a lock: services are brought up in parallel.
import Foundation

public final class Progress: @unchecked Sendable {
    let lock = NSLock()
    let write: (String) -> Void
    public private(set) var lines: [String] = []
    public var quiet = false

    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    public func done(_ resource: String, _ name: String, _ event: String) {
        emit(" ✔ \(resource) \(name)  \(event)")
    }

    public func failed(_ resource: String, _ name: String, _ event: String = "Error") {
        emit(" ✘ \(resource) \(name)  \(event)")
    }

    public func warn(_ message: String) { emit("WARN[0000] \(message)") }

    public func emit(_ line: String) {
        lock.lock()
        lines.append(line)
        if !quiet { write(line + "\n") }
        lock.unlock()
    }
}
