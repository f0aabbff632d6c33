import Foundation

/// Runs a ``FuzzTarget`` on a deterministic stream of inputs and counts what happened.
///
/// Each input is, by the draw of a seeded ``FuzzRandom``:
/// - one time in ten, random bytes;
/// - one time in ten, a "token soup": fragments of the target's language strung together;
/// - otherwise a mutation (``FuzzMutator``) of a seed or of an earlier interesting input, spliced with another.
///
/// An input is interesting, and joins the corpus that later mutations start from, when its mutation was
/// accepted or produced an outcome (an acceptance kind or a rejection reason) not seen before; new outcomes
/// stand in for the coverage feedback of coverage-guided fuzzers. The same seed gives the same inputs.
struct FuzzEngine {
    /// How an input was made.
    enum Strategy: String, CaseIterable, Codable, Sendable {
        case random, tokens, mutated
    }

    /// The most interesting inputs kept for mutation.
    static let corpusCapacity = 1_024
    /// Larger inputs are run but not kept: breeding from them would make every later input slow.
    static let corpusInputSize = 4_096
    /// How many findings a report lists in full (all are counted).
    static let listedFindings = 10

    let target: any FuzzTarget
    let mutator: FuzzMutator
    /// Inputs are never longer than this: the target's limit, or a smaller one for quick runs.
    let maximumInputSize: Int

    init(target: any FuzzTarget, maximumInputSize: Int? = nil) {
        self.target = target
        self.maximumInputSize = min(maximumInputSize ?? target.maximumInputSize, target.maximumInputSize)
        self.mutator = FuzzMutator(
            dictionary: target.dictionary, nesting: target.nesting, maximumSize: self.maximumInputSize,
            textual: target.isTextual)
    }

    /// Runs `inputs` inputs drawn from `seed`; `observe` sees each input (index, bytes) before it runs.
    func run(inputs: Int, seed: UInt64, observe: ((Int, [UInt8]) -> Void)? = nil) -> FuzzReport {
        var rng = FuzzRandom(seed: seed)
        let seeds = target.seeds.isEmpty ? [[]] : target.seeds
        var corpus: [[UInt8]] = []
        var seen: Set<FuzzOutcome> = []
        var report = FuzzReport(target: target.name, seed: seed)
        var rejections: [String: Int] = [:]
        var acceptances: [String: Int] = [:]
        var totalBytes = 0
        let start = ContinuousClock.now

        for index in 0..<inputs {
            let strategy: Strategy
            let input: [UInt8]
            switch rng.below(10) {
            case 0:
                strategy = .random
                let length = rng.length(upTo: maximumInputSize)
                input = rng.chance(1, in: 2) ? rng.bytes(length) : mutator.randomBytes(length, using: &rng)
            case 1:
                strategy = .tokens
                input = tokenSoup(using: &rng)
            default:
                strategy = .mutated
                let base = corpus.isEmpty || rng.chance(1, in: 2) ? rng.pick(seeds) : rng.pick(corpus)
                let other = corpus.isEmpty || rng.chance(1, in: 2) ? rng.pick(seeds) : rng.pick(corpus)
                input = mutator.mutate(base, other: other, using: &rng)
            }
            observe?(index, input)
            report.count(strategy)
            report.largestInput = max(report.largestInput, input.count)
            totalBytes += input.count

            let outcome: FuzzOutcome
            do {
                outcome = try target.run(input)
            } catch {
                report.record(FuzzFinding(input: index, strategy: strategy, error: error, bytes: input))
                continue
            }
            switch outcome {
            case .accepted(let kind):
                report.accept(strategy)
                acceptances[kind, default: 0] += 1
            case .rejected(let reason):
                report.rejected += 1
                rejections[reason, default: 0] += 1
            }
            let isNew = seen.insert(outcome).inserted
            if strategy == .mutated, isNew || outcome.isAccepted, input.count <= Self.corpusInputSize {
                if corpus.count < Self.corpusCapacity {
                    corpus.append(input)
                } else {
                    corpus[rng.below(corpus.count)] = input
                }
            }
        }

        report.seconds = (ContinuousClock.now - start).seconds
        report.inputsPerSecond = report.seconds > 0 ? Double(inputs) / report.seconds : 0
        report.averageInputSize = inputs > 0 ? Double(totalBytes) / Double(inputs) : 0
        report.topRejections = FuzzReport.Count.top(rejections, 10)
        report.distinctRejections = rejections.count
        report.topAcceptances = FuzzReport.Count.top(acceptances, 10)
        return report
    }

    /// Runs one input, e.g. one a report printed as base64; a thrown error is a finding.
    func replay(_ input: [UInt8]) throws -> FuzzOutcome {
        try target.run(input)
    }

    /// 1–40 fragments of the target's language, separated by nothing, a space, a line break or a random byte.
    private func tokenSoup(using rng: inout FuzzRandom) -> [UInt8] {
        guard !target.dictionary.isEmpty else { return rng.bytes(rng.length(upTo: maximumInputSize)) }
        var soup: [UInt8] = []
        for _ in 0..<(1 + rng.below(40)) {
            soup += rng.pick(target.dictionary)
            switch rng.below(6) {
            case 0: soup.append(0x20)
            case 1: soup.append(0x0a)
            case 2: soup.append(mutator.randomByte(using: &rng))
            default: break
            }
        }
        return Array(soup.prefix(maximumInputSize))
    }
}

extension FuzzOutcome {
    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}

/// An input that made the target throw an undocumented error or break a promise, with what it threw.
struct FuzzFinding: Encodable, Sendable {
    /// The input's index in the run (0-based).
    var input: Int
    var strategy: FuzzEngine.Strategy
    /// The Swift type of what was thrown, e.g. `PhalanxCLI.FuzzInvariantViolation`.
    var errorType: String
    var message: String
    /// The input, for `phalanx fuzz TARGET --replay BASE64`.
    var base64: String

    init(input: Int, strategy: FuzzEngine.Strategy, error: any Error, bytes: [UInt8]) {
        self.input = input
        self.strategy = strategy
        self.errorType = String(reflecting: type(of: error))
        self.message = String(String(describing: error).prefix(500))
        self.base64 = Data(bytes).base64EncodedString()
    }
}

/// What a fuzzing run found; `phalanx fuzz --json` prints it.
struct FuzzReport: Encodable, Sendable {
    /// A reason or kind and how many inputs had it.
    struct Count: Encodable, Sendable, Equatable {
        var reason: String
        var count: Int

        /// The `limit` largest counts, largest first, ties by reason.
        static func top(_ counts: [String: Int], _ limit: Int) -> [Count] {
            counts.map { Count(reason: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
                .prefix(limit).map { $0 }
        }
    }

    var target: String
    var seed: UInt64
    var build: String = {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }()
    var inputs = 0
    var accepted = 0
    var rejected = 0
    /// Inputs made by each strategy, and how many of them were accepted.
    var inputsByStrategy: [String: Int] = [:]
    var acceptedByStrategy: [String: Int] = [:]
    /// Every finding is counted; the first ``FuzzEngine/listedFindings`` are listed.
    var findingCount = 0
    var findings: [FuzzFinding] = []
    var topRejections: [Count] = []
    var distinctRejections = 0
    var topAcceptances: [Count] = []
    var largestInput = 0
    var averageInputSize = 0.0
    var seconds = 0.0
    var inputsPerSecond = 0.0

    init(target: String, seed: UInt64) {
        self.target = target
        self.seed = seed
        for strategy in FuzzEngine.Strategy.allCases {
            inputsByStrategy[strategy.rawValue] = 0
            acceptedByStrategy[strategy.rawValue] = 0
        }
    }

    mutating func count(_ strategy: FuzzEngine.Strategy) {
        inputs += 1
        inputsByStrategy[strategy.rawValue, default: 0] += 1
    }

    mutating func accept(_ strategy: FuzzEngine.Strategy) {
        accepted += 1
        acceptedByStrategy[strategy.rawValue, default: 0] += 1
    }

    mutating func record(_ finding: FuzzFinding) {
        findingCount += 1
        if findings.count < FuzzEngine.listedFindings { findings.append(finding) }
    }
}
