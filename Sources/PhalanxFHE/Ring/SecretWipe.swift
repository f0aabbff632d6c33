import PhalanxCore

/// Overwrites buffers that held secret residues (keys, masks, noise) before they are released.
///
/// Swift may have copied an array before it reaches here, so this narrows the window rather than closing it.
enum SecretWipe {
    static func array<Element: BitwiseCopyable>(_ array: inout [Element]) {
        array.withUnsafeMutableBytes { SecretBytes.zero($0) }
    }
}
