import Testing
import _TestSupport

@testable import PhalanxControl

/// The columnar evaluator against the per-participant tree walk it replaced (`ReferenceExpressionEvaluator`):
/// on random well-typed expressions over random ticks — missing metrics, NaN, infinities, ±0, overflow, division by
/// zero, undefined parameters, repeated participant ids — both give the same verdict, offenders and trace.
@Suite("Guard-rail expressions: columnar evaluation equals the reference")
struct ExpressionEquivalenceTests {
    static let metrics = ["x", "y", "z"]
    static let parameters = ["a", "b", "c", "nope"]
    static let literals = ["0", "1", "2.5", "3", "1e308", "0.001", "-1"]
    static let values: [Double] = [0, -0.0, 1, 2, -3, 0.5, 1e308, -1e308, .nan, .infinity, 7, 7]

    /// A random expression of the guard-rail language that the checker accepts.
    struct Generator {
        var rng: SplitMix64

        mutating func pick(_ options: [String]) -> String { options.randomElement(using: &rng)! }
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

        mutating func condition(depth: Int) -> String {
            switch depth <= 0 ? 0 : Int.random(in: 0..<6, using: &rng) {
            case 0: return "\(pick(["any", "all"]))(\(localCondition(depth: 2)))"
            case 1:
                return
                    "\(number(depth: depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(number(depth: depth - 1))"
            case 2: return "not (\(condition(depth: depth - 1)))"
            case 3: return "(\(condition(depth: depth - 1))) \(pick(["and", "or"])) (\(condition(depth: depth - 1)))"
            case 4: return "(\(condition(depth: depth - 1))) \(pick(["==", "!="])) (\(condition(depth: depth - 1)))"
            default: return pick(["true", "false"])
            }
        }

        mutating func number(depth: Int) -> String {
            switch depth <= 0 ? Int.random(in: 0..<3, using: &rng) : Int.random(in: 0..<6, using: &rng) {
            case 0: return "\(pick(["max", "min", "mean", "sum"]))(\(localNumber(depth: 2)))"
            case 1: return "count(\(localCondition(depth: 2)))"
            case 2: return chance(50) ? pick(ExpressionEquivalenceTests.literals) : "params.\(parameter())"
            case 3: return "(\(number(depth: depth - 1)) \(pick(["+", "-", "*", "/"])) \(number(depth: depth - 1)))"
            case 4: return "-(\(number(depth: depth - 1)))"
            default: return "\(pick(["max", "min", "mean", "sum"]))(\(localNumber(depth: 1)))"
            }
        }

        mutating func parameter() -> String {
            chance(3) ? "nope" : pick(["a", "b", "c"])
        }

        mutating func localCondition(depth: Int) -> String {
            switch depth <= 0 ? 0 : Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                return
                    "\(localNumber(depth: depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(localNumber(depth: depth - 1))"
            case 2: return "not (\(localCondition(depth: depth - 1)))"
            case 3:
                return
                    "(\(localCondition(depth: depth - 1))) \(pick(["and", "or"])) (\(localCondition(depth: depth - 1)))"
            default: return pick(["true", "false"])
            }
        }

        mutating func localNumber(depth: Int) -> String {
            switch depth <= 0 ? Int.random(in: 0..<3, using: &rng) : Int.random(in: 0..<5, using: &rng) {
            case 0: return pick(ExpressionEquivalenceTests.metrics)
            case 1: return "forecast.\(pick(ExpressionEquivalenceTests.metrics))"
            case 2: return chance(50) ? pick(ExpressionEquivalenceTests.literals) : "params.\(parameter())"
            case 3:
                return
                    "(\(localNumber(depth: depth - 1)) \(pick(["+", "-", "*", "/"])) \(localNumber(depth: depth - 1)))"
            default: return "-(\(localNumber(depth: depth - 1)))"
            }
        }

        mutating func context(participants: ClosedRange<Int>) -> ExpressionContext {
            let count = Int.random(in: participants, using: &rng)
            func metrics() -> [String: Double] {
                var result: [String: Double] = [:]
                for key in ExpressionEquivalenceTests.metrics where chance(80) {
                    result[key] = ExpressionEquivalenceTests.values.randomElement(using: &rng)!
                }
                return result
            }
            let rows = (0..<count).map { _ in
                // Ids repeat now and then: a context is caller-made and may hold the same id twice.
                ParticipantMetrics(
                    id: "p\(Int.random(in: 0..<(count + 2), using: &rng))", current: metrics(), forecast: metrics())
            }
            var parameters: [String: Double] = [
                "a": 2, "b": 0, "c": [1, .infinity, .nan, 1e308][Int.random(in: 0..<4, using: &rng)],
            ]
            if chance(10) { parameters["nope"] = 4 }
            return ExpressionContext(participants: rows, parameters: parameters)
        }
    }

    /// An evaluation, or the description of the error it threw.
    enum Outcome: Equatable {
        case evaluated(ExpressionEvaluation)
        case failed(String)
    }

    /// Both evaluators' results.
    static func both(
        _ expression: GuardrailExpression, _ context: ExpressionContext
    ) -> (columnar: Outcome, reference: Outcome) {
        func run(_ body: () throws(ExpressionError) -> ExpressionEvaluation) -> Outcome {
            do { return .evaluated(try body()) } catch { return .failed(error.description) }
        }
        return (
            run { () throws(ExpressionError) in try expression.evaluate(context) },
            run { () throws(ExpressionError) in
                try ReferenceExpressionEvaluator.evaluate(expression.syntax, source: expression.input, context: context)
            }
        )
    }

    @Test("small ticks: the same verdict, offenders and trace, line for line", arguments: 0..<4)
    func smallTicks(seed: Int) throws {
        var generator = Generator(rng: SplitMix64(state: 0xC01_0000 + UInt64(seed)))
        var held = 0, evaluated = 0
        for _ in 0..<2_500 {
            let source = generator.condition(depth: Int.random(in: 0...3, using: &generator.rng))
            let expression = try GuardrailExpression(parsing: source)
            // At most 9 participants: no list reaches the trace's cut at 10 ids.
            let context = generator.context(participants: 0...9)
            let (columnar, reference) = Self.both(expression, context)
            #expect(columnar == reference, "\(source) over \(context.participants)")
            if case .evaluated(let result) = reference {
                evaluated += 1
                if result.holds { held += 1 }
            }
        }
        // The generator is not degenerate: both outcomes occur often.
        #expect(evaluated > 2_000)
        #expect(held > 300 && held < evaluated - 300)
    }

    @Test("large ticks: the same verdict and offenders; trace lists are cut after 10 ids", arguments: 0..<2)
    func largeTicks(seed: Int) throws {
        var generator = Generator(rng: SplitMix64(state: 0x1A2_0000 + UInt64(seed)))
        for _ in 0..<150 {
            let source = generator.condition(depth: Int.random(in: 0...3, using: &generator.rng))
            let expression = try GuardrailExpression(parsing: source)
            let context = generator.context(participants: 20...300)
            let (columnar, reference) = Self.both(expression, context)
            switch (columnar, reference) {
            case (.evaluated(let a), .evaluated(let b)):
                #expect(a.holds == b.holds, "\(source)")
                #expect(a.offenders == b.offenders, "\(source)")
                #expect(a.trace.count == b.trace.count, "\(source)")
                for (line, full) in zip(a.trace, b.trace) where line != full {
                    #expect(line.contains(" more"), "only a cut list may differ: \(line) vs \(full)")
                }
            default:
                #expect(columnar == reference, "\(source)")
            }
        }
    }

    @Test("a long list in the trace shows the first 10 ids and how many more")
    func cutList() throws {
        let context = ExpressionContext(
            participants: (0..<25).map { ParticipantMetrics(id: String(format: "n%02d", 24 - $0), current: ["x": 1]) })
        let result = try GuardrailExpression(parsing: "count(x > 0) > 24").evaluate(context)
        #expect(result.holds)
        #expect(result.offenders.count == 25, "offenders are never cut")
        #expect(result.trace == ["count(x > 0) = 25 (n00, n01, n02, n03, n04, n05, n06, n07, n08, n09 … and 15 more)"])
    }
}
