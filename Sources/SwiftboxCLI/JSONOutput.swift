// JSON as the commands print it: sorted keys, slashes unescaped; pretty for inspect
// and state, one object per line for `--format json` listings (as Docker prints them).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

func jsonText<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try enc.encode(value), as: UTF8.self)
}
