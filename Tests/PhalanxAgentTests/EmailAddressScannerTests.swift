import Foundation
import Testing
import _TestSupport

@testable import PhalanxAgent

/// The hand-written e-mail scanner against the expression it follows, run by the standard library over the whole text.
@Suite("E-mail address scanner")
struct EmailAddressScannerTests {
    private func byExpression(_ text: String) -> [Range<Int>] {
        EmailAddressScanner.expression.wholeTextMatches(in: text).map(\.span)
    }

    private func byScanner(_ text: String) -> [Range<Int>] {
        EmailAddressScanner.matches(in: text, bytes: Array(text.utf8)).map(\.span)
    }

    @Test(
        "addresses where the expression finds them, and nothing where it finds nothing",
        arguments: [
            "Email: diana.kowalski@photoworks.com | DOB", "write to a@b.co, or to x.y+tag@mail.example.org.",
            "a@b.com-x and _a@b.com and a@b.c and a@b.com1 and a@b.comx_", "..abc@x.com and abc@@x.com and @x.com",
            "a@b@c.com", "x@y.z.com.museum.", "user@host.abcdefghijklmnopqrstuvwxyzab", "e\u{301}@x.com a@x.coe\u{301}",
            "é@x.com and xé@y.com and a@x.comé", "mail me: first.last@sub-domain.example.co.uk!", "no address here",
            // The top-level domain from an earlier label when the last one cannot be one.
            "a@b.com.1x", "a@b.co.7 and c@d.org.x1", "a@b.com.-", "a@b.c.d",
        ])
    func examples(text: String) {
        #expect(byScanner(text) == byExpression(text), "\(text)")
    }

    @Test("random texts over the characters that matter: the same matches as the expression")
    func randomTexts() {
        var generator = SplitMix64(seed: 7)
        let pieces = [
            "a", "b", "Z", "q", "0", "7", ".", "..", "_", "%", "+", "-", "@", "@", " ", ",", "#", "é", "e\u{301}",
            "com", "co", "x", "日", "1x", ".org", "@a.b",
        ]
        for _ in 0..<5000 {
            let count = Int(generator.next() % 32)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(byScanner(text) == byExpression(text), "\(text.debugDescription)")
        }
    }
}
