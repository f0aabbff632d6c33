import ArgumentParser
import Foundation
import Testing

@testable import PhalanxCLI

/// A target with a planted bug of the kind the mutations aim at: it reads `limit: N` lines and `[`…`]`
/// nesting, and "crashes" (throws an error type it does not document) when N does not fit in 32 bits or
/// the nesting is deeper than 100 — the integer-overflow trap and the stack overflow it stands for.
struct PlantedBugTarget: FuzzTarget {
    struct PlantedCrash: Error, CustomStringConvertible {
        var description: String
    }

    enum Bug { case overflow, nesting }

    var bug: Bug
    let name = "planted"
    let isTextual = true
    let maximumInputSize = 4_096
    let seeds = [Array("limit: 250\nlist: [1, [2, 3]]\n".utf8), Array("limit: -7\n".utf8)]
    let dictionary = ["limit: ", "[", "]", ",", "\n", "1"].map { Array($0.utf8) }
    let nesting = [FuzzNesting("[", "]")]

    func run(_ input: [UInt8]) throws -> FuzzOutcome {
        guard let text = String(validating: input, as: UTF8.self) else { return .rejected("not UTF-8") }
        var depth = 0
        var deepest = 0
        for byte in input {
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") { depth -= 1 }
            deepest = max(deepest, depth)
        }
        if bug == .nesting, deepest > 100 { throw PlantedCrash(description: "nesting \(deepest) deep") }
        var limits = 0
        for line in text.split(separator: "\n") where line.hasPrefix("limit: ") {
            let number = line.dropFirst("limit: ".count)
            guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }), Int(number) != nil else {
                return .rejected("limit is not an integer")
            }
            if bug == .overflow, Int32(number) == nil { throw PlantedCrash(description: "Int32(\(number)) traps") }
            limits += 1
        }
        return limits > 0 ? .accepted("limits") : .rejected("no limit")
    }
}

@Suite("phalanx fuzz")
struct FuzzTests {
    /// Inputs per target in the deterministic sample, and their size limit, which keeps a debug build's run
    /// short while leaving room for nesting far past every depth limit; the 1,000,000-input runs with the
    /// targets' own limits are in docs/fuzzing.md.
    static let sample = 20_000
    static let sampleInputSize = 4_096
    static let seed: UInt64 = 0x5048_414c_414e_5846

    @Test(
        "a fixed-seed sample finds nothing; mutations of the seeds are both accepted and rejected",
        arguments: FuzzCommand.Target.allCases)
    func sampleFindsNothing(_ target: FuzzCommand.Target) throws {
        let engine = FuzzEngine(target: try FuzzCommand.makeTarget(target), maximumInputSize: Self.sampleInputSize)
        let report = engine.run(inputs: Self.sample, seed: Self.seed)
        #expect(report.inputs == Self.sample)
        #expect(report.findingCount == 0, "\(report.findings.map { "\($0.message) — \($0.base64)" })")
        #expect(report.accepted + report.rejected + report.findingCount == report.inputs)
        let mutated = report.inputsByStrategy["mutated"] ?? 0
        let acceptedMutants = report.acceptedByStrategy["mutated"] ?? 0
        #expect(acceptedMutants > Self.sample / 100, "mutations should often stay valid")
        #expect(mutated - acceptedMutants > Self.sample / 10, "mutations should often be refused")
        #expect(report.distinctRejections >= 10, "refusals should have many reasons")
    }

    @Test("every seed of every target is a valid input", arguments: FuzzCommand.Target.allCases)
    func seedsAreAccepted(_ target: FuzzCommand.Target) throws {
        let fuzzTarget = try FuzzCommand.makeTarget(target)
        #expect(!fuzzTarget.seeds.isEmpty)
        for seed in fuzzTarget.seeds {
            let outcome = try fuzzTarget.run(seed)
            #expect(outcome.isAccepted, "\(outcome): \(String(decoding: seed, as: UTF8.self).debugDescription)")
        }
    }

    @Test("the same seed gives the same run")
    func deterministic() throws {
        let engine = FuzzEngine(target: try FuzzCommand.makeTarget(.expressions), maximumInputSize: 1_024)
        let a = engine.run(inputs: 2_000, seed: 7)
        let b = engine.run(inputs: 2_000, seed: 7)
        let c = engine.run(inputs: 2_000, seed: 8)
        #expect(a.topRejections == b.topRejections && a.accepted == b.accepted)
        #expect(a.topRejections != c.topRejections || a.accepted != c.accepted)
    }

    @Test(
        "the engine is not vacuous: planted bugs are found, and their inputs replay",
        arguments: [
            PlantedBugTarget.Bug.overflow, .nesting,
        ])
    func plantedBugIsFound(_ bug: PlantedBugTarget.Bug) throws {
        let target = PlantedBugTarget(bug: bug)
        for seed in target.seeds { #expect(try target.run(seed).isAccepted) }
        let engine = FuzzEngine(target: target)
        let report = engine.run(inputs: 5_000, seed: Self.seed)
        #expect(report.findingCount > 0)
        let finding = try #require(report.findings.first)
        #expect(finding.errorType.hasSuffix("PlantedCrash"))
        let input = try #require(Data(base64Encoded: finding.base64))
        #expect(throws: PlantedBugTarget.PlantedCrash.self) { try engine.replay(Array(input)) }
        #expect(report.accepted > 0 && report.rejected > 0)
    }

    @Test("the mutator stays within the size limit and each operator changes its input")
    func mutatorOperators() {
        let mutator = FuzzMutator(
            dictionary: [Array("token".utf8)], nesting: [FuzzNesting("(", ")")], maximumSize: 512, textual: true)
        var rng = FuzzRandom(seed: 3)
        let input = Array("limit: 250 and (x < 1.5)".utf8)
        for op in FuzzMutator.Operator.allCases {
            var changed = 0
            for _ in 0..<50 {
                var bytes = input
                mutator.apply(op, to: &bytes, other: Array("other".utf8), using: &rng)
                if bytes != input { changed += 1 }
            }
            #expect(changed > 0, "\(op) never changed the input")
        }
        for _ in 0..<2_000 {
            #expect(mutator.mutate(input, other: input, using: &rng).count <= 512)
        }
        #expect(FuzzMutator.decimalNumbers(in: Array("a -12.5e3 b 7".utf8)) == [2..<9, 12..<13])
    }

    @Test("rejection reasons are grouped without quoted text, numbers or positions")
    func reasons() {
        #expect(
            FuzzReason.normalize("unknown key \"parameter\" in the top level; expected one of: x")
                == "unknown key \"…\" in the top level")
        #expect(FuzzReason.normalize("frames.jsonl:1: at $.seq: expected 12") == "at $.seq: expected N")
        #expect(FuzzReason.normalize("7:3: unexpected character '%'\n    %\n    ^") == "unexpected character '…'")
    }

    // MARK: - The command

    func run(_ arguments: [String]) async throws -> Int32 {
        var command = try PhalanxCommand.parseAsRoot(arguments)
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        }
    }

    @Test("phalanx fuzz runs each target and exits 0; --replay runs one input; bad base64 is a usage error")
    func command() async throws {
        for target in FuzzCommand.Target.allCases {
            let arguments = ["fuzz", target.rawValue, "--inputs", "300", "--seed", "9", "--max-size", "1024", "--json"]
            #expect(try await run(arguments) == 0)
        }
        let frame = try FrameFuzzTarget().seeds[0]
        #expect(try await run(["fuzz", "frames", "--replay", Data(frame).base64EncodedString()]) == 0)
        #expect(try await run(["fuzz", "frames", "--replay", "not base64!"]) == PhalanxExit.usage.rawValue)
        #expect(throws: (any Error).self) { try PhalanxCommand.parseAsRoot(["fuzz", "nothing"]) }
    }

    @Test("the text report shows the counts, the reasons and how to replay a finding")
    func describe() throws {
        let report = FuzzEngine(target: PlantedBugTarget(bug: .overflow)).run(inputs: 2_000, seed: 1)
        let text = FuzzCommand.describe(report)
        #expect(text.contains("inputs         2000"))
        #expect(text.contains("top rejection reasons:"))
        #expect(text.contains("replay: phalanx fuzz planted --replay "))
    }
}
