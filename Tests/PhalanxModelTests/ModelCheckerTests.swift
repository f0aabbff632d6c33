import PhalanxCore
import Testing

@testable import PhalanxModel

/// The model checker on the correct model and on every planted fault. (Larger configurations, k = 3 with every
/// fault budget, run in `scripts/spin-check.sh` and `phalanx verify-model`; docs/model-checking.md has figures.)
@Suite("model checker")
struct ModelCheckerTests {
    static let correct: [ModelConfiguration] = [
        ModelConfiguration(nodes: 1, rounds: 1),
        ModelConfiguration(nodes: 2, rounds: 1, duplicates: 0, delays: 0),
        ModelConfiguration(nodes: 2, rounds: 2, delays: 0, crashes: 0),
        ModelConfiguration(nodes: 3, rounds: 1, delays: 0, crashes: 0),
    ]

    @Test("the correct model passes: safety, at-most-once, termination and ranking", arguments: correct)
    func correctModelPasses(configuration: ModelConfiguration) throws {
        let result = try ModelChecker(configuration).run()
        #expect(result.counterexample == nil, "\(result.counterexample?.text ?? "")")
        #expect(result.passed)
        #expect(!result.truncated)
        // Both outcomes are reachable: the checker did explore finalization and aborts.
        #expect(result.finalized > 0)
        #expect(result.aborted > 0)
        #expect(result.longestRun != nil)
        #expect(result.initialRank == configuration.nodes * (configuration.rounds + 3) + 2 * configuration.rounds)
    }

    @Test("every planted fault yields a counterexample of the property it breaks", arguments: PlantedFault.allCases)
    func plantedFaults(fault: PlantedFault) throws {
        let result = try ModelChecker(ModelConfiguration(nodes: 1, rounds: 1, delays: 0, plantedFault: fault)).run()
        let counterexample = try #require(result.counterexample)
        #expect(counterexample.property == fault.breaks)
        #expect(counterexample.entries.first?.step == nil)
        #expect(counterexample.entries.count > 1)
        if fault.breaks == .termination {
            let loopStart = try #require(counterexample.loopStart)
            #expect(loopStart < counterexample.entries.count - 1)
        } else {
            #expect(counterexample.loopStart == nil)
        }
        #expect(!result.passed)
    }

    @Test("planted faults are found with two nodes as well", arguments: PlantedFault.allCases)
    func plantedFaultsTwoNodes(fault: PlantedFault) throws {
        // Small budgets that still exercise the fault: a volatile command log needs a crash, the others do not.
        let crash = fault == .volatileCommandLog
        let configuration = ModelConfiguration(
            nodes: 2, rounds: 1, duplicates: crash ? 0 : 1, delays: 0, crashes: crash ? 1 : 0, plantedFault: fault)
        let result = try ModelChecker(configuration).run()
        #expect(result.counterexample?.property == fault.breaks)
    }

    @Test("a duplicated-command counterexample shows the second execution step by step")
    func dedupTrace() throws {
        let result = try ModelChecker(ModelConfiguration(nodes: 1, rounds: 1, plantedFault: .noAckDeduplication)).run()
        let text = try #require(result.counterexample).text
        #expect(text.contains("A SECOND TIME"))
        #expect(text.contains("0. initial state"))
    }

    @Test("the finalize-with-firing-predicate counterexample ends in FINALIZE after a clearance under a predicate")
    func firingPredicateTrace() throws {
        let configuration = ModelConfiguration(nodes: 1, rounds: 1, plantedFault: .finalizeWithFiringPredicate)
        let counterexample = try #require(try ModelChecker(configuration).run().counterexample)
        let steps = counterexample.entries.compactMap(\.step)
        #expect(steps.contains { $0.events.contains { $0.contains("holds") } })
        #expect(steps.last?.events.contains { $0.contains("--releaseCleared--> FINALIZE") } == true)
    }

    @Test("without fault budgets the job always finalizes")
    func noFaults() throws {
        let configuration = ModelConfiguration(
            nodes: 3, rounds: 2, losses: 0, duplicates: 0, delays: 0, crashes: 0, predicates: [])
        let result = try ModelChecker(configuration).run()
        #expect(result.passed)
        #expect(result.finalized == 1)
        #expect(result.aborted == 0)
    }

    @Test("configurations out of range are refused with the parameter's name")
    func validation() {
        #expect(throws: ModelConfigurationError.self) { try ModelChecker(ModelConfiguration(nodes: 5)) }
        #expect(throws: ModelConfigurationError.self) { try ModelChecker(ModelConfiguration(rounds: 0)) }
        #expect(throws: ModelConfigurationError.self) { try ModelChecker(ModelConfiguration(losses: 4)) }
        let observe = ModelPredicate(id: "x", command: .observe)
        #expect(throws: ModelConfigurationError.self) { try ModelChecker(ModelConfiguration(predicates: [observe])) }
        do {
            try ModelConfiguration(nodes: 0).validate()
        } catch {
            #expect(error.parameter == "nodes")
        }
    }
}
