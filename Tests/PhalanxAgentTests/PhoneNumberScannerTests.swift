import Foundation
import Testing
import _TestSupport

@testable import PhalanxAgent

/// The hand-written phone-number scanner against the expression it follows, run by the standard library over the whole
/// text.
@Suite("Phone number scanner")
struct PhoneNumberScannerTests {
    private func byExpression(_ text: String) -> [Range<Int>] {
        PhoneNumberScanner.expression.wholeTextMatches(in: text).map(\.span)
    }

    private func byScanner(_ text: String) -> [Range<Int>] {
        PhoneNumberScanner.matches(in: text, bytes: Array(text.utf8)).map(\.span)
    }

    @Test(
        "numbers where the expression finds them, and nothing where it finds nothing",
        arguments: [
            "Call us: +44 (0)333 090 3093 or sales@example.co.uk", "+1 415-555-0867", "+1-415-555-0867x", "+33.1.23.45",
            "+4915112345678", "+49 151 1234 5678 9012 3456", "+1 (800) 555 0199.", "+12 (3)4", "+123", "+1 2",
            "++44 20",
            "a+44 20 7946 0958_", "+44 20 7946 0958é", "+44 20 7946 0958\u{301}", "é+44 20 7946", "+44 (20 7946 0958",
            "+44 (12345) 67 89", "1+1=2", "no number here",
        ])
    func examples(text: String) {
        #expect(byScanner(text) == byExpression(text), "\(text)")
    }

    @Test("random texts over the characters that matter: the same matches as the expression")
    func randomTexts() {
        var generator = SplitMix64(seed: 41)
        let pieces = [
            "+", "+", "+44", "1", "22", "333", "4444", "55555", " ", ".", "-", "--", "(", ")", "(0)", "(20)", "x", "_",
            ",", "é", "1\u{301}", "\r\n", "日",
        ]
        for _ in 0..<5000 {
            let count = Int(generator.next() % 24)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(byScanner(text) == byExpression(text), "\(text.debugDescription)")
        }
    }
}
