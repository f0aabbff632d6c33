/// The stable name of a participant in a federation (a node, an aggregator, the control plane or an operator).
///
/// Identifiers appear in signed objects, file names and ledger entries, so they are restricted to a small
/// alphabet that needs no escaping anywhere: 1–64 characters of lowercase ASCII letters, digits, `-`, `_`
/// and `.`, starting with a letter or digit.
public struct ParticipantID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Creates an identifier, throwing when `rawValue` is outside the allowed alphabet or length.
    public init(_ rawValue: String) throws(IdentifierError) {
        if let problem = Self.problem(with: rawValue) {
            throw IdentifierError(value: rawValue, problem: problem)
        }
        self.rawValue = rawValue
    }

    /// Returns why `candidate` is not a valid identifier, or `nil` when it is.
    public static func problem(with candidate: String) -> String? {
        let bytes = Array(candidate.utf8)
        guard !bytes.isEmpty else { return "an identifier cannot be empty" }
        guard bytes.count <= 64 else { return "an identifier has at most 64 characters" }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isAlnum(bytes[0]) else { return "an identifier starts with a lowercase letter or a digit" }
        for b in bytes where !(isAlnum(b) || b == 0x2D || b == 0x5F || b == 0x2E) {
            return "an identifier may contain only a-z, 0-9, '-', '_' and '.'"
        }
        return nil
    }

    public var description: String { rawValue }

    public static func < (lhs: ParticipantID, rhs: ParticipantID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A rejected participant identifier.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public let problem: String
    public var description: String { "invalid participant id \"\(value)\": \(problem)" }
}
