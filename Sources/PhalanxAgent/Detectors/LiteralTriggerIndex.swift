/// Where any of many literal triggers occur, found in one pass over the text.
///
/// The secret detector's twelve patterns have twenty literal triggers (`AKIA`, `ghp_`, `sk-`, `eyJ`, `bearer`…).
/// Searched one by one, each costs a pass over the text and a stop at every occurrence of its first byte — and
/// `e`, `s` and `g` are among the commonest letters — which took about 7 µs per kilobyte of ordinary prose. Here a
/// table of first bytes sends each position only to the triggers that can start there.
struct LiteralTriggerIndex: Sendable {
    /// One trigger: its bytes are `needles[needleStart..<needleStart + needleLength]` (lowercased when
    /// case-insensitive). Plain integers, so the pass over the text copies no reference-counted value.
    private struct Entry: Sendable {
        let needleStart: Int32
        let needleLength: Int32
        /// Which of the index's owners (patterns) the trigger belongs to.
        let owner: Int32
        let caseInsensitive: Bool
    }

    /// Entries grouped by the first byte they can start with (both cases when case-insensitive): those for byte b
    /// are `entries[starts[b]..<starts[b + 1]]`.
    private let entries: [Entry]
    private let starts: [Int32]
    private let needles: [UInt8]
    /// One bit per pair of bytes (first << 8 | second) that some trigger can start with: most positions of a text
    /// start no trigger, and one look-up in this 8 KiB set says so without visiting the entries of their first byte
    /// ("e", "s", "a" and "g" each begin a trigger, and are among the commonest letters).
    private let pairs: [UInt64]
    let ownerCount: Int

    /// `triggers[i]` are the triggers of owner `i`; each must be a non-empty `.literal`.
    init(_ triggers: [[TriggeredRegex.Trigger]]) {
        var table = [[Entry]](repeating: [], count: 256)
        var needles: [UInt8] = []
        var pairs = [UInt64](repeating: 0, count: 65536 / 64)
        for (owner, ownTriggers) in triggers.enumerated() {
            for trigger in ownTriggers {
                guard case .literal(let literal, let caseInsensitive) = trigger, let first = literal.utf8.first else {
                    preconditionFailure("LiteralTriggerIndex takes non-empty literal triggers only, not \(trigger)")
                }
                let entry = Entry(
                    needleStart: Int32(needles.count), needleLength: Int32(literal.utf8.count), owner: Int32(owner),
                    caseInsensitive: caseInsensitive)
                needles += literal.utf8.map { caseInsensitive ? Self.lowercased($0) : $0 }
                let firsts = Self.cases(of: first, caseInsensitive)
                for byte in firsts { table[Int(byte)].append(entry) }
                // A one-byte trigger may be followed by anything.
                let seconds = literal.utf8.dropFirst().first.map { Self.cases(of: $0, caseInsensitive) } ?? Set(0...255)
                for first in firsts {
                    for second in seconds {
                        let pair = Int(first) << 8 | Int(second)
                        pairs[pair >> 6] |= 1 << UInt64(pair & 63)
                    }
                }
            }
        }
        self.pairs = pairs
        entries = table.flatMap { $0 }
        var starts: [Int32] = [0]
        for group in table { starts.append(starts[starts.count - 1] + Int32(group.count)) }
        self.starts = starts
        self.needles = needles
        ownerCount = triggers.count
    }

    /// The positions of each owner's triggers in `bytes`, ascending, one list per owner.
    func positions(in bytes: [UInt8]) -> [[Int]] {
        var found = [[Int]](repeating: [], count: ownerCount)
        bytes.withUnsafeBufferPointer { text in
            starts.withUnsafeBufferPointer { starts in
                entries.withUnsafeBufferPointer { entries in
                    needles.withUnsafeBufferPointer { needles in
                        pairs.withUnsafeBufferPointer { pairs in
                            for position in 0..<text.count {
                                let byte = Int(text[position])
                                // The last byte has no pair; only a one-byte trigger could start there.
                                if position + 1 < text.count {
                                    let pair = byte << 8 | Int(text[position + 1])
                                    if pairs[pair >> 6] & (1 << UInt64(pair & 63)) == 0 { continue }
                                }
                                for entry in entries[Int(starts[byte])..<Int(starts[byte + 1])] {
                                    let length = Int(entry.needleLength), needle = Int(entry.needleStart)
                                    guard position + length <= text.count else { continue }
                                    var k = 1
                                    if entry.caseInsensitive {
                                        while k < length, Self.lowercased(text[position + k]) == needles[needle + k] {
                                            k += 1
                                        }
                                    } else {
                                        while k < length, text[position + k] == needles[needle + k] { k += 1 }
                                    }
                                    if k == length, found[Int(entry.owner)].last != position {
                                        found[Int(entry.owner)].append(position)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    /// The byte itself, or both its ASCII cases when the trigger ignores case.
    private static func cases(of byte: UInt8, _ caseInsensitive: Bool) -> Set<UInt8> {
        caseInsensitive ? [lowercased(byte), uppercased(byte)] : [byte]
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
    private static func uppercased(_ byte: UInt8) -> UInt8 { byte >= 97 && byte <= 122 ? byte - 32 : byte }
}
