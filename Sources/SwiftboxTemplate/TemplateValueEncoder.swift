// Any Encodable → TemplateValue, keeping what Go's reflection would see: a struct's
// CodingKeys become a record's fields in declaration order, a [String: V] becomes a map
// (whose missing keys print "<no value>" and whose `index` of a missing key is V's
// zero), and an optional that is nil stays a nil field instead of vanishing — so
// `{{if .State.Health}}` is false rather than an error, while `json` still omits it.

public enum TemplateValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> TemplateValue {
        let slot = Slot()
        try slot.store(value)
        return slot.resolve()
    }
}

/// A [String: V] marks itself so the encoder can tell a map from a struct.
private protocol StringKeyedMap { static var elementZero: TemplateValue { get } }

extension Dictionary: StringKeyedMap where Key == String {
    fileprivate static var elementZero: TemplateValue {
        if Value.self == String.self { return .string("") }
        if Value.self == Int.self || Value.self == Int64.self || Value.self == Int32.self || Value.self == UInt16.self { return .int(0) }
        if Value.self == Bool.self { return .bool(false) }
        return .missing
    }
}

/// Where one value goes while it is being encoded.
private final class Slot {
    enum Content {
        case empty
        case value(TemplateValue)
        case keyed(typeName: String, mapZero: TemplateValue?, keys: [String], children: [String: Slot], nils: Set<String>)
        case unkeyed([Slot])
    }
    var content = Content.empty
    var typeName = ""
    var mapZero: TemplateValue?

    func store<T: Encodable>(_ value: T) throws {
        switch value {
        case let s as String: content = .value(.string(s))
        case let b as Bool: content = .value(.bool(b))
        case let d as Double: content = .value(.double(d))
        case let f as Float: content = .value(.double(Double(f)))
        default:
            if let i = Slot.integer(value) { content = .value(.int(i)); return }
            typeName = String(describing: T.self)
            mapZero = (T.self as? StringKeyedMap.Type)?.elementZero
            try value.encode(to: SlotEncoder(slot: self))
        }
    }

    static func integer<T>(_ v: T) -> Int? {
        switch v {
        case let i as Int: return i
        case let i as Int8: return Int(i)
        case let i as Int16: return Int(i)
        case let i as Int32: return Int(i)
        case let i as Int64: return Int(i)
        case let i as UInt: return Int(truncatingIfNeeded: i)
        case let i as UInt8: return Int(i)
        case let i as UInt16: return Int(i)
        case let i as UInt32: return Int(i)
        case let i as UInt64: return Int(truncatingIfNeeded: i)
        default: return nil
        }
    }

    func resolve() -> TemplateValue {
        switch content {
        case .empty: return .null
        case .value(let v): return v
        case .unkeyed(let items): return .list(items.map { $0.resolve() })
        case .keyed(let typeName, let mapZero, let keys, let children, let nils):
            if let mapZero {
                return .object(TemplateObject(map: children.mapValues { $0.resolve() }, elementZero: mapZero))
            }
            var o = TemplateObject(record: typeName, fields: keys.map { ($0, children[$0]!.resolve()) })
            o.omittedInJSON = nils
            return .object(o)
        }
    }

    func keyed() {
        if case .keyed = content { return }
        content = .keyed(typeName: typeName, mapZero: mapZero, keys: [], children: [:], nils: [])
    }

    func child(_ key: String, nilField: Bool = false) -> Slot {
        keyed()
        guard case .keyed(let t, let z, var keys, var children, var nils) = content else { return Slot() }
        let s = Slot()
        if children[key] == nil { keys.append(key) }
        children[key] = s
        if nilField { nils.insert(key) } else { nils.remove(key) }
        content = .keyed(typeName: t, mapZero: z, keys: keys, children: children, nils: nils)
        return s
    }

    func appended() -> Slot {
        var items: [Slot] = []
        if case .unkeyed(let existing) = content { items = existing }
        let s = Slot()
        items.append(s)
        content = .unkeyed(items)
        return s
    }
}

private struct SlotEncoder: Encoder {
    let slot: Slot
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.keyed()
        return KeyedEncodingContainer(KeyedSlot<Key>(slot: slot))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .unkeyed = slot.content {} else { slot.content = .unkeyed([]) }
        return UnkeyedSlot(slot: slot)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleSlot(slot: slot) }
}

private struct KeyedSlot<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    var codingPath: [CodingKey] = []

    mutating func encodeNil(forKey key: Key) throws { slot.child(key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try slot.child(key.stringValue).store(value) }

    // Synthesized Encodable calls these for optionals: nil stays a (nil) field.
    private func present<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try slot.child(key.stringValue).store(value) } else { slot.child(key.stringValue, nilField: true).content = .value(.null) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.child(key.stringValue)
        child.keyed()
        return KeyedEncodingContainer(KeyedSlot<NestedKey>(slot: child))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = slot.child(key.stringValue)
        child.content = .unkeyed([])
        return UnkeyedSlot(slot: child)
    }

    mutating func superEncoder() -> Encoder { SlotEncoder(slot: slot.child("super")) }
    mutating func superEncoder(forKey key: Key) -> Encoder { SlotEncoder(slot: slot.child(key.stringValue)) }
}

private struct UnkeyedSlot: UnkeyedEncodingContainer {
    let slot: Slot
    var codingPath: [CodingKey] = []
    var count: Int {
        if case .unkeyed(let items) = slot.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { slot.appended().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.appended().store(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.appended()
        child.keyed()
        return KeyedEncodingContainer(KeyedSlot<NestedKey>(slot: child))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = slot.appended()
        child.content = .unkeyed([])
        return UnkeyedSlot(slot: child)
    }

    mutating func superEncoder() -> Encoder { SlotEncoder(slot: slot.appended()) }
}

private struct SingleSlot: SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [CodingKey] = []
    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.store(value) }
}
