/// A Merkle computation or verification that could not be completed: a request outside the tree, a proof of the
/// wrong shape, a root that does not match, or a node the store cannot supply.
///
/// The ``code`` is for programs (compare it with the static members of ``Code``; new codes may be added), the
/// ``message`` for people. Only sizes, indices and public hashes appear in messages.
public struct MerkleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case indexOutOfRange
            case sizeOutOfRange
            case oldSizeGreaterThanNew
            case wrongProofLength
            case rootMismatch
            case missingNode
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A leaf index is not below the tree size (this includes every index in the empty tree).
        public static let indexOutOfRange = Code(.indexOutOfRange)
        /// A tree size is larger than the number of leaves the node source holds.
        public static let sizeOutOfRange = Code(.sizeOutOfRange)
        /// A consistency proof was asked for, or presented, from a larger tree to a smaller one.
        public static let oldSizeGreaterThanNew = Code(.oldSizeGreaterThanNew)
        /// A proof has more or fewer hashes than its sizes and index determine.
        public static let wrongProofLength = Code(.wrongProofLength)
        /// A proof recomputes a root hash different from the one it was checked against.
        public static let rootMismatch = Code(.rootMismatch)
        /// The node source could not supply a complete-subtree hash it should hold.
        public static let missingNode = Code(.missingNode)

        public var description: String {
            switch wrapped {
            case .indexOutOfRange: "index out of range"
            case .sizeOutOfRange: "size out of range"
            case .oldSizeGreaterThanNew: "old size greater than new"
            case .wrongProofLength: "wrong proof length"
            case .rootMismatch: "root mismatch"
            case .missingNode: "missing node"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, for a person to read.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
