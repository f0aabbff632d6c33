/// Typed reads of one JSON object's members, each refusal naming the field by its path (`context.source`).
///
/// Unknown members are refused when the reader is made, so a misspelt optional field (`"diretion"`) is an error
/// instead of a silently ignored default. `null` counts as absent for optional fields.
struct JSONFields {
    let members: [String: JSONValue]
    /// The path of this object in the body, with a trailing dot (`""` for the top level, `"context."` below it).
    let path: String

    init(_ value: JSONValue, path: String = "", allowed: Set<String>) throws(APIError) {
        guard case .object(let members) = value else {
            let what = path.isEmpty ? "the body" : "\"\(path.dropLast())\""
            throw APIError(.wrongType, "\(what) must be a JSON object, not \(value.typeName)")
        }
        if let unknown = members.keys.filter({ !allowed.contains($0) }).min() {
            throw APIError(
                .unknownField,
                "unknown field \"\(path)\(StrictJSON.printable(unknown))\"; expected "
                    + allowed.sorted().map { "\(path)\($0)" }.joined(separator: ", "))
        }
        self.members = members
        self.path = path
    }

    private func present(_ name: String) -> JSONValue? {
        guard let value = members[name], value != .null else { return nil }
        return value
    }

    /// A string of at most `maximumBytes` UTF-8 bytes.
    func string(_ name: String, maximumBytes: Int = .max) throws(APIError) -> String? {
        guard let value = present(name) else { return nil }
        guard case .string(let text) = value else {
            throw APIError(.wrongType, "\"\(path)\(name)\" must be a string, not \(value.typeName)")
        }
        guard text.utf8.count <= maximumBytes else {
            throw APIError(.invalidValue, "\"\(path)\(name)\" is longer than \(maximumBytes) bytes")
        }
        return text
    }

    func requiredString(_ name: String, maximumBytes: Int = .max) throws(APIError) -> String {
        guard let text = try string(name, maximumBytes: maximumBytes) else {
            throw APIError(.missingField, "\"\(path)\(name)\" is required")
        }
        return text
    }

    /// A whole number in `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = present(name) else { return nil }
        guard case .number(let number, let literal) = value else {
            throw APIError(.wrongType, "\"\(path)\(name)\" must be a number, not \(value.typeName)")
        }
        guard let integer = Int(literal), Double(integer) == number, range.contains(integer) else {
            throw APIError(
                .invalidValue,
                "\"\(path)\(name)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    func requiredInteger(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let value = try integer(name, in: range) else {
            throw APIError(.missingField, "\"\(path)\(name)\" is required")
        }
        return value
    }

    /// A string that must be one of `Value`'s raw values.
    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, as: Value.Type) throws(APIError) -> Value?
    where Value.RawValue == String {
        guard let text = try string(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw APIError(
                .invalidValue,
                "\"\(path)\(name)\" must be one of: " + Value.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// A nested object, read with its own allowed members.
    func object(_ name: String, allowed: Set<String>) throws(APIError) -> JSONFields? {
        guard let value = present(name) else { return nil }
        return try JSONFields(value, path: "\(path)\(name).", allowed: allowed)
    }
}
