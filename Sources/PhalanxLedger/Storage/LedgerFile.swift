import Foundation

/// Facts about a ledger's file on disk.
public enum LedgerFile {
    /// The size of the SQLite file at `path` in bytes (0 when it cannot be read), for reports and metrics.
    public static func bytes(atPath path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }
}
