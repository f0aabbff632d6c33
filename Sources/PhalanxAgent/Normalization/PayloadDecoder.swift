import Foundation

/// Finds encoded and transformed stretches of a text and decodes the ones that read as text (``DecodedPayload``).
///
/// What it recognizes, each by its shape before anything is decoded, so that ordinary text costs one or two passes:
/// - runs of at least ``minimumRun`` base64-alphabet bytes: hex if they are all hex digits, base32 if all capitals
///   and 2–7, base64 if they mix cases (words in capitals do not);
/// - runs of 0s and 1s in groups of eight (binary), and runs of dots, dashes and slashes (Morse);
/// - other runs of at least ``minimumRun`` printable bytes without spaces: ASCII85 (`<~…~>`) or RFC 1924 base85,
///   tried only if the run has a character outside the base64 alphabet and the text one that prose rarely uses
///   (`~ ^ ` { | } ; < >` or `%`), as all but a few percent of base85 strings of that length do;
/// - runs without spaces holding at least three `%XX` escapes (percent-encoding) or three `\uXXXX` / `\xXX` escapes;
/// - the whole text in ROT13 or backwards, when at least three of its short words are the ROT13 or mirror images of
///   common English words ("gur", "naq"; "eht", "dna"), and at least half as many as those words themselves;
/// - leetspeak, when at least three of some eight consecutive words mix letters with the digits that stand for
///   letters, two of them heavily.
///
/// The last three are decided by one pass over the words (``WordShape``).
///
/// A decoded candidate is kept only if it is readable: valid UTF-8, 95% printable, at least one space. Hashes, keys
/// and identifiers decode to bytes that are not, and are left to the secret detector. At most ``maximumPayloads``
/// are decoded per text, and no payload is decoded twice (a payload inside a payload is not looked for).
///
/// Not recognized: rarer encodings (uuencode, quoted-printable, Base2048, Braille, emoji alphabets), hex with spaces
/// between bytes, ciphers other than ROT13, and translation into another language (the phrase lists cover some
/// languages, the classifier few).
public enum PayloadDecoder {
    /// The shortest run of an alphabet considered: 24 base64 characters decode to 18 bytes, about three words.
    public static let minimumRun = 24
    /// At most this many payloads per text, so a text made of encodings costs a bounded amount.
    public static let maximumPayloads = 8

    public static func payloads(in text: NormalizedText) -> [DecodedPayload] {
        let bytes = text.bytes
        var found: [DecodedPayload] = []
        func add(_ encoding: PayloadEncoding, _ span: Range<Int>, _ decoded: [UInt8]?) {
            guard found.count < maximumPayloads, let decoded, let readable = readableText(decoded) else { return }
            found.append(DecodedPayload(encoding: encoding, span: span, normalized: NormalizedText(readable)))
        }
        for run in byteRuns(in: bytes, minimum: minimumRun, where: isBase64Byte) {
            let (encoding, decoded) = decodeAlphabetRun(bytes[run])
            if let encoding { add(encoding, run, decoded) }
        }
        // These alphabets include the space, so a run is trimmed to where its symbols start and end.
        for run in byteRuns(in: bytes, minimum: minimumRun, where: { $0 == 0x30 || $0 == 0x31 || $0 == 0x20 }) {
            let symbols = trimmingSpaces(run, in: bytes)
            add(.binary, symbols, decodeBinary(bytes[symbols]))
        }
        for run in byteRuns(in: bytes, minimum: minimumRun, where: isMorseByte) {
            let symbols = trimmingSpaces(run, in: bytes)
            add(.morse, symbols, decodeMorse(bytes[symbols]))
        }
        // Runs without spaces are looked at only when the text has what their encodings need: a `%` or a `\` for
        // the escapes, a symbol prose rarely uses for base85 (which cannot avoid them for long). Prose is mostly
        // such runs, of words, and walking them all cost more than everything else here together.
        // One table look-up and an OR per byte: a `switch` here compiled to a jump per byte, mispredicted often.
        let flags = symbolFlags.withUnsafeBufferPointer { table in bytes.reduce(0) { $0 | table[Int($1)] } }
        let hasPercent = flags & 1 != 0, hasBackslash = flags & 2 != 0, hasRareSymbol = flags & 4 != 0
        let shortest = hasPercent || hasBackslash ? 12 : hasRareSymbol ? minimumRun : Int.max
        for run in shortest == Int.max ? [] : byteRuns(in: bytes, minimum: shortest, where: { $0 > 0x20 && $0 < 0x7F })
        {
            if hasPercent, let decoded = decodePercent(bytes[run]) { add(.percentEncoding, run, decoded) }
            if hasBackslash, let decoded = decodeEscapes(bytes[run]) { add(.escapes, run, decoded) }
            if hasRareSymbol, run.count >= minimumRun, !bytes[run].allSatisfy(isBase64Byte) {
                if bytes[run].starts(with: [0x3C, 0x7E]) {  // "<~"
                    add(.ascii85, run, decodeASCII85(bytes[run]))
                } else {
                    add(.base85, run, decodeBase85(bytes[run]))
                }
            }
        }
        let whole = 0..<bytes.count
        let shape = WordShape(bytes)
        if shape.looksLikeROT13 { add(.rot13, whole, bytes.map(rot13)) }
        if shape.looksReversed { add(.reversed, whole, Array(String(text.text.reversed()).utf8)) }
        if shape.looksLikeLeetspeak { add(.leetspeak, whole, unleet(bytes)) }
        return found
    }

    static func trimmingSpaces(_ run: Range<Int>, in bytes: [UInt8]) -> Range<Int> {
        var (start, end) = (run.lowerBound, run.upperBound)
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        return start..<end
    }

    /// Per byte: 1 for `%`, 2 for `\`, 4 for a symbol prose rarely uses (`~ ^ ` { | } ; < >`).
    private static let symbolFlags: [UInt8] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "%"): 1
        case UInt8(ascii: "\\"): 2
        case UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"),
            UInt8(ascii: "}"), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            4
        default: 0
        }
    }

    // MARK: - Readability

    /// `bytes` as a string if they are readable text: at least 12 bytes of valid UTF-8, at least 95% of the
    /// characters printable, and a space (text, not an identifier).
    static func readableText(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 12, let decoded = String(validating: bytes, as: UTF8.self) else { return nil }
        var characters = 0, printable = 0, spaces = 0
        for scalar in decoded.unicodeScalars {
            characters += 1
            if scalar == " " { spaces += 1 }
            if scalar.properties.isWhitespace || !isControl(scalar.properties.generalCategory) { printable += 1 }
        }
        guard spaces >= 1, Double(printable) >= 0.95 * Double(characters) else { return nil }
        return decoded
    }

    private static func isControl(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .control, .format, .unassigned, .privateUse, .surrogate: true
        default: false
        }
    }

    // MARK: - Alphabet runs: base64, base32, hex

    @inline(__always) static func isBase64Byte(_ byte: UInt8) -> Bool { SecretDetector.isTokenByte(byte) }

    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    /// Which encoding a run of the base64 alphabet is in, by its characters, and its decoded bytes.
    static func decodeAlphabetRun(_ run: ArraySlice<UInt8>) -> (PayloadEncoding?, [UInt8]?) {
        var allHex = true, base32 = true, hasLower = false, hasUpper = false
        for byte in run {
            let isUpper = byte >= 0x41 && byte <= 0x5A, isLower = byte >= 0x61 && byte <= 0x7A
            hasUpper = hasUpper || isUpper
            hasLower = hasLower || isLower
            allHex = allHex && hexValue(byte) != nil
            base32 = base32 && (isUpper || (byte >= 0x32 && byte <= 0x37) || byte == UInt8(ascii: "="))
        }
        if allHex { return (.hex, decodeHex(run)) }
        if base32 { return (.base32, decodeBase32(run)) }
        if hasLower && hasUpper { return (.base64, decodeBase64(run)) }
        return (nil, nil)
    }

    static func decodeHex(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        guard run.count % 2 == 0 else { return nil }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(run.count / 2)
        var index = run.startIndex
        while index < run.endIndex {
            guard let high = hexValue(run[index]), let low = hexValue(run[index + 1]) else { return nil }
            decoded.append(high << 4 | low)
            index += 2
        }
        return decoded
    }

    /// RFC 4648 base32 (A–Z, 2–7), padding optional.
    static func decodeBase32(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var decoded: [UInt8] = []
        var buffer: UInt64 = 0, bits = 0
        for byte in run where byte != UInt8(ascii: "=") {
            let value: UInt64
            switch byte {
            case 0x41...0x5A: value = UInt64(byte - 0x41)
            case 0x32...0x37: value = UInt64(byte - 0x32 + 26)
            default: return nil
            }
            buffer = buffer << 5 | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                decoded.append(UInt8(truncatingIfNeeded: buffer >> UInt64(bits)))
            }
        }
        return decoded
    }

    /// Standard or URL-safe base64, padding optional.
    static func decodeBase64(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var standard = run.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while standard.last == UInt8(ascii: "=") { standard.removeLast() }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(standard)).map { [UInt8]($0) }
    }

    // MARK: - Base85

    /// Adobe ASCII85: `!`…`u` in groups of five for four bytes, `z` for four zero bytes, between `<~` and `~>`.
    static func decodeASCII85(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var body = run.dropFirst(2)
        if body.suffix(2).elementsEqual([0x7E, 0x3E]) { body = body.dropLast(2) }  // "~>"
        var digits: [UInt8] = []
        var decoded: [UInt8] = []
        for byte in body {
            if byte == UInt8(ascii: "z"), digits.isEmpty {
                decoded += [0, 0, 0, 0]
                continue
            }
            guard byte >= 0x21, byte <= 0x75 else { return nil }
            digits.append(byte - 0x21)
        }
        return decodeGroupsOf85(digits, into: decoded)
    }

    /// RFC 1924's alphabet, as Python's `base64.b85encode` writes it.
    private static let base85Values: [UInt8?] = {
        var values = [UInt8?](repeating: nil, count: 128)
        let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
        for (value, byte) in alphabet.utf8.enumerated() { values[Int(byte)] = UInt8(value) }
        return values
    }()

    static func decodeBase85(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var digits: [UInt8] = []
        digits.reserveCapacity(run.count)
        for byte in run {
            guard byte < 128, let value = base85Values[Int(byte)] else { return nil }
            digits.append(value)
        }
        return decodeGroupsOf85(digits, into: [])
    }

    /// Base-85 digits in groups of five, most significant first, each group four bytes; a last group of n < 5
    /// digits is padded with the highest digit, 84 (as both alphabets pad), and gives n − 1 bytes. A group above
    /// 2^32 − 1 is not base85.
    static func decodeGroupsOf85(_ digits: [UInt8], into prefix: [UInt8]) -> [UInt8]? {
        guard digits.count % 5 != 1 else { return nil }
        var decoded = prefix
        decoded.reserveCapacity(prefix.count + digits.count / 5 * 4 + 4)
        var start = 0
        while start < digits.count {
            let count = min(5, digits.count - start)
            var value: UInt64 = 0
            for offset in 0..<5 { value = value * 85 + UInt64(offset < count ? digits[start + offset] : 84) }
            guard value <= UInt64(UInt32.max) else { return nil }
            let bytes = [
                UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
            ]
            decoded += bytes.prefix(count - 1)
            start += 5
        }
        return decoded
    }

    // MARK: - Binary and Morse

    /// Groups of eight bits separated by spaces (or one unbroken multiple of eight), most significant bit first.
    static func decodeBinary(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        let groups = run.split(separator: 0x20)
        guard groups.count >= 3 || (groups.count == 1 && groups[0].count % 8 == 0) else { return nil }
        var decoded: [UInt8] = []
        for group in groups {
            guard group.count % 8 == 0 else { return nil }
            var index = group.startIndex
            while index < group.endIndex {
                var byte: UInt8 = 0
                for bit in group[index..<(index + 8)] { byte = byte << 1 | (bit - 0x30) }
                decoded.append(byte)
                index += 8
            }
        }
        return decoded
    }

    @inline(__always) static func isMorseByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == 0x20 || byte == UInt8(ascii: "/")
    }

    /// International Morse code: letters and digits.
    static let morse: [String: UInt8] = {
        let table: [(String, Character)] = [
            (".-", "a"), ("-...", "b"), ("-.-.", "c"), ("-..", "d"), (".", "e"), ("..-.", "f"), ("--.", "g"),
            ("....", "h"), ("..", "i"), (".---", "j"), ("-.-", "k"), (".-..", "l"), ("--", "m"), ("-.", "n"),
            ("---", "o"), (".--.", "p"), ("--.-", "q"), (".-.", "r"), ("...", "s"), ("-", "t"), ("..-", "u"),
            ("...-", "v"), (".--", "w"), ("-..-", "x"), ("-.--", "y"), ("--..", "z"), ("-----", "0"),
            (".----", "1"), ("..---", "2"), ("...--", "3"), ("....-", "4"), (".....", "5"), ("-....", "6"),
            ("--...", "7"), ("---..", "8"), ("----.", "9"), (".-.-.-", "."), ("--..--", ","), ("..--..", "?"),
        ]
        return Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.1.asciiValue!) })
    }()

    /// Letters separated by one space, words by a slash or by two spaces or more. Every code must be known, and
    /// there must be both dots and dashes and at least three letters: a line of dashes is a rule, not a message.
    static func decodeMorse(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        guard run.contains(UInt8(ascii: ".")), run.contains(UInt8(ascii: "-")) else { return nil }
        var decoded: [UInt8] = []
        var letters = 0
        let words = String(decoding: run, as: UTF8.self)
            .replacingOccurrences(of: "/", with: "  ")
            .components(separatedBy: "  ")
        for word in words {
            let codes = word.split(separator: " ")
            guard !codes.isEmpty else { continue }
            if !decoded.isEmpty { decoded.append(0x20) }
            for code in codes {
                guard let letter = morse[String(code)] else { return nil }
                decoded.append(letter)
                letters += 1
            }
        }
        return letters >= 3 ? decoded : nil
    }

    // MARK: - Escapes

    /// A run without spaces with at least three `%XX` escapes, unescaped (UTF-8 bytes as they come).
    static func decodePercent(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var decoded: [UInt8] = []
        var escapes = 0
        var index = run.startIndex
        while index < run.endIndex {
            if run[index] == UInt8(ascii: "%"), index + 2 < run.endIndex,
                let high = hexValue(run[index + 1]), let low = hexValue(run[index + 2])
            {
                decoded.append(high << 4 | low)
                escapes += 1
                index += 3
            } else {
                decoded.append(run[index])
                index += 1
            }
        }
        return escapes >= 3 ? decoded : nil
    }

    /// A run without spaces with at least three `\uXXXX` or `\xXX` escapes, unescaped (`\u` as a code point, with
    /// surrogate pairs joined; `\x` as a byte).
    static func decodeEscapes(_ run: ArraySlice<UInt8>) -> [UInt8]? {
        var decoded: [UInt8] = []
        var escapes = 0
        var pendingHighSurrogate: UInt32?
        var index = run.startIndex
        func hex(_ range: Range<Int>) -> UInt32? {
            guard range.upperBound <= run.endIndex else { return nil }
            var value: UInt32 = 0
            for position in range {
                guard let digit = hexValue(run[position]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < run.endIndex {
            guard run[index] == UInt8(ascii: "\\"), index + 1 < run.endIndex else {
                decoded.append(run[index])
                index += 1
                continue
            }
            let marker = run[index + 1]
            if marker == UInt8(ascii: "u"), let value = hex((index + 2)..<(index + 6)) {
                index += 6
                escapes += 1
                if (0xD800...0xDBFF).contains(value) {
                    pendingHighSurrogate = value
                    continue
                }
                var scalarValue = value
                if let high = pendingHighSurrogate, (0xDC00...0xDFFF).contains(value) {
                    scalarValue = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
                }
                pendingHighSurrogate = nil
                UTF8.encode(Unicode.Scalar(scalarValue) ?? "\u{FFFD}") { decoded.append($0) }
            } else if marker == UInt8(ascii: "x"), let value = hex((index + 2)..<(index + 4)) {
                decoded.append(UInt8(value))
                index += 4
                escapes += 1
            } else {
                decoded.append(run[index])
                index += 1
            }
        }
        return escapes >= 3 ? decoded : nil
    }

    // MARK: - Whole-text transforms

    @inline(__always) static func rot13(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x41...0x5A: (byte - 0x41 + 13) % 26 + 0x41
        case 0x61...0x7A: (byte - 0x61 + 13) % 26 + 0x61
        default: byte
        }
    }

    /// What digits and symbols stand for in leetspeak. "1" is read as "i" (as in "1nstruct10ns"), not "l".
    @inline(__always) static func leetLetter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0"): UInt8(ascii: "o")
        case UInt8(ascii: "1"): UInt8(ascii: "i")
        case UInt8(ascii: "3"): UInt8(ascii: "e")
        case UInt8(ascii: "4"), UInt8(ascii: "@"): UInt8(ascii: "a")
        case UInt8(ascii: "5"), UInt8(ascii: "$"): UInt8(ascii: "s")
        case UInt8(ascii: "7"): UInt8(ascii: "t")
        case UInt8(ascii: "8"): UInt8(ascii: "b")
        default: nil
        }
    }

    /// The text with the leetspeak digits of every word that also has a letter read as letters; words of digits
    /// alone ("2024", "5173") stay numbers.
    static func unleet(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        var start = 0
        while start < bytes.count {
            guard WordShape.kind(of: bytes[start]) != .separator else {
                start += 1
                continue
            }
            var end = start
            var hasLetter = false
            while end < bytes.count {
                let kind = WordShape.kind(of: bytes[end])
                guard kind != .separator else { break }
                hasLetter = hasLetter || kind == .letter
                end += 1
            }
            if hasLetter {
                for index in start..<end { if let letter = leetLetter(bytes[index]) { result[index] = letter } }
            }
            start = end
        }
        return result
    }
}
