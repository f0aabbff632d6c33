/// An operation of the plug-in IR.
///
/// Local opcodes run inside one participant on data it already holds; every runtime implements them.
/// Privacy-relevant opcodes move or release data across participants and are implemented by an
/// execution provider, which is what admission checks.
public enum Opcode: String, Hashable, Comparable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    // Local, node side.
    case load
    case filter
    case select
    case countBy = "count_by"
    case histogram
    case count
    case sum
    case sumBy = "sum_by"
    case vector
    case clipL1 = "clip_l1"
    case clipLinf = "clip_linf"
    case clipL2 = "clip_l2"
    case quantize
    // Local, either side.
    case constant
    case arithmetic
    // Local, aggregator side.
    case contributors
    case cumulative
    case dequantize
    case element
    // Privacy-relevant.
    case secureSum = "secure_sum"
    case noise
    case thresholdRelease = "threshold_release"
    case release

    /// Whether an execution provider must implement this opcode.
    public var isPrivacyRelevant: Bool {
        switch self {
        case .secureSum, .noise, .thresholdRelease, .release: true
        default: false
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: Opcode, rhs: Opcode) -> Bool { lhs.rawValue < rhs.rawValue }
}
