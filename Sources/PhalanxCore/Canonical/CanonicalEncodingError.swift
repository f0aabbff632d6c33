/// Why a value could not be canonically encoded, or why bytes are not a canonical encoding.
///
/// Byte-level problems carry the ``offset`` of the offending item's first byte; problems found while
/// mapping to or from Swift types carry the ``codingPath`` (e.g. `metrics.noiseBits` or `frames[3].node`).
/// Messages describe structure only, never the content of strings or byte strings, so an error can be
/// logged even when the payload is secret.
public struct CanonicalEncodingError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Which rule was broken; compare against the static members, e.g. `error.code == .unsortedMapKeys`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // A private enum wrapped in a struct, so that cases can be added without breaking callers' switches.
        private enum Kind: String, Hashable, Sendable {
            case unexpectedEndOfInput, lengthExceedsInput, nonShortestHead, indefiniteLength
            case reservedAdditionalInfo, unsortedMapKeys, duplicateMapKey, nonTextMapKey
            case nonShortestFloat, nonFiniteFloat, tag, unsupportedSimpleValue, nestingTooDeep
            case invalidUTF8, trailingBytes, typeMismatch, valueOutOfRange, keyNotFound, valueNotFound
            case dataCorrupted, invalidValue, encoderMisuse
        }

        private let kind: Kind

        private init(_ kind: Kind) { self.kind = kind }

        public var description: String { kind.rawValue }

        /// The input ended in the middle of an item.
        public static let unexpectedEndOfInput = Code(.unexpectedEndOfInput)
        /// A string, array or map declares more content than the bytes that remain.
        public static let lengthExceedsInput = Code(.lengthExceedsInput)
        /// An integer or length is not written in its shortest head.
        public static let nonShortestHead = Code(.nonShortestHead)
        /// An indefinite-length string, array or map, or a stray break byte (`ff`).
        public static let indefiniteLength = Code(.indefiniteLength)
        /// Additional information 28–30 (or 31 where it has no meaning).
        public static let reservedAdditionalInfo = Code(.reservedAdditionalInfo)
        /// Map keys are not in bytewise lexicographic order of their encodings.
        public static let unsortedMapKeys = Code(.unsortedMapKeys)
        /// The same map key appears twice.
        public static let duplicateMapKey = Code(.duplicateMapKey)
        /// A map key is not a text string.
        public static let nonTextMapKey = Code(.nonTextMapKey)
        /// A float is wider than the narrowest of half, single and double precision that holds it exactly.
        public static let nonShortestFloat = Code(.nonShortestFloat)
        /// NaN or an infinity, which have no canonical meaning in Phalanx.
        public static let nonFiniteFloat = Code(.nonFiniteFloat)
        /// A CBOR tag (major type 6); Phalanx uses none.
        public static let tag = Code(.tag)
        /// A simple value other than false, true and null (e.g. `undefined`).
        public static let unsupportedSimpleValue = Code(.unsupportedSimpleValue)
        /// Arrays and maps nested deeper than ``CanonicalValue/maximumDepth``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A text string that is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Bytes follow the top-level item.
        public static let trailingBytes = Code(.trailingBytes)
        /// The encoded item has a different kind than the Swift type expects.
        public static let typeMismatch = Code(.typeMismatch)
        /// A number does not fit the Swift type exactly.
        public static let valueOutOfRange = Code(.valueOutOfRange)
        /// A required key is absent.
        public static let keyNotFound = Code(.keyNotFound)
        /// A required value is null or an array ended early.
        public static let valueNotFound = Code(.valueNotFound)
        /// A type's own decoding rejected the value (e.g. an unknown enum raw value).
        public static let dataCorrupted = Code(.dataCorrupted)
        /// A type's own encoding rejected the value, or the value has no canonical form.
        public static let invalidValue = Code(.invalidValue)
        /// An `encode(to:)` implementation used the encoder's containers inconsistently.
        public static let encoderMisuse = Code(.encoderMisuse)
    }

    /// The rule that was broken.
    public var code: Code
    /// Offset in the input of the first byte of the offending item, when decoding bytes.
    public var offset: Int?
    /// Dotted coding path of the offending value (`frames[3].node`), or empty at the top level or when unknown.
    public var codingPath: String
    /// What is wrong, in words.
    public var message: String

    /// Creates an error; most callers only read errors.
    public init(_ code: Code, offset: Int? = nil, codingPath: String = "", message: String) {
        self.code = code
        self.offset = offset
        self.codingPath = codingPath
        self.message = message
    }

    public var description: String {
        if let offset {
            return "canonical encoding: at byte \(offset): \(message)"
        }
        if !codingPath.isEmpty {
            return "canonical encoding: at \(codingPath): \(message)"
        }
        return "canonical encoding: \(message)"
    }
}

/// A Codable coding path, as the encoder and decoder pass it down.
typealias CanonicalCodingPath = [any CodingKey]

extension CanonicalEncodingError {
    /// Renders a Codable path the way Phalanx errors print it: `metrics.noiseBits`, `frames[3].node`.
    static func render(_ path: CanonicalCodingPath) -> String {
        var result = ""
        for key in path {
            result += render(component: key, first: result.isEmpty)
        }
        return result
    }

    /// One path component; array positions print as `[n]` rather than Foundation's `Index n`.
    static func render(component key: any CodingKey, first: Bool) -> String {
        if let index = key.intValue, key.stringValue == "Index \(index)" {
            return "[\(index)]"
        }
        return first ? key.stringValue : "." + key.stringValue
    }

    /// Returns this error with `key` put in front of its coding path; used while unwinding out of a value tree.
    func prefixed(by key: String) -> CanonicalEncodingError {
        var copy = self
        if codingPath.isEmpty {
            copy.codingPath = key
        } else if codingPath.hasPrefix("[") {
            copy.codingPath = key + codingPath
        } else {
            copy.codingPath = key + "." + codingPath
        }
        return copy
    }

    /// Converts the standard library's Codable errors so that callers see one error type.
    init(_ error: EncodingError) {
        switch error {
        case .invalidValue(_, let context):
            self.init(.invalidValue, codingPath: Self.render(context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(.invalidValue, message: String(describing: error))
        }
    }

    /// Converts the standard library's Codable errors so that callers see one error type.
    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(_, let context):
            self.init(.typeMismatch, codingPath: Self.render(context.codingPath), message: context.debugDescription)
        case .valueNotFound(_, let context):
            self.init(.valueNotFound, codingPath: Self.render(context.codingPath), message: context.debugDescription)
        case .keyNotFound(let key, let context):
            self.init(
                .keyNotFound, codingPath: Self.render(context.codingPath + [key]),
                message: context.debugDescription)
        case .dataCorrupted(let context):
            // The decoder reports range errors as dataCorrupted with a recognisable underlying error.
            let code = (context.underlyingError as? CanonicalEncodingError)?.code ?? .dataCorrupted
            self.init(code, codingPath: Self.render(context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(.dataCorrupted, message: String(describing: error))
        }
    }
}
