/// The check digits that tell a real identifier from a run of digits that merely looks like one.
enum Checksums {
    /// Luhn (ISO/IEC 7812-1): payment card numbers. `digits` holds the digits only.
    static func luhn(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 12 else { return false }
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// IBAN (ISO 13616): move the first four characters to the end, letters to numbers (A = 10 … Z = 35), and the
    /// result modulo 97 must be 1. `iban` holds letters and digits only, upper case.
    static func iban(_ iban: String) -> Bool {
        let characters = Array(iban.utf8)
        guard (15...34).contains(characters.count), characters.prefix(2).allSatisfy({ (65...90).contains($0) }),
            characters.dropFirst(2).prefix(2).allSatisfy({ (48...57).contains($0) })
        else { return false }
        var remainder = 0
        for byte in characters.dropFirst(4) + characters.prefix(4) {
            switch byte {
            case 48...57: remainder = (remainder * 10 + Int(byte - 48)) % 97
            case 65...90: remainder = (remainder * 100 + Int(byte - 55)) % 97
            default: return false
            }
        }
        return remainder == 1
    }
}
