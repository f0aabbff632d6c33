/// Numbers as fixed-point text for people: `0.774`, `-3.01`, `12`. Integer arithmetic after one rounding, so the
/// result does not depend on the C library's `printf` (and Foundation's `String(format:)` stays off hot paths).
public enum DecimalText {
    /// `value` rounded to `places` decimals (0 for a whole number); a minus sign only when a non-zero digit shows.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        let digits = String(fraction)
        let padded = String(repeating: "0", count: max(0, places - digits.count)) + digits
        return (value < 0 && scaled != 0 ? "-" : "") + (places <= 0 ? "\(whole)" : "\(whole).\(padded)")
    }
}
