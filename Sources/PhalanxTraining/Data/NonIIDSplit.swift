import Crypto
import PhalanxAgent

/// One simulated organization's own data: what it trains on, calibrates on and tests on. None of it leaves the
/// organization in a federated run.
public struct OrganizationData: Sendable {
    public let name: String
    public var train: [LabeledText]
    public var validation: [LabeledText]
    public var test: [LabeledText]
    /// The attack families (`category/source`) and benign sources whose home this organization is.
    public var homeFamilies: [String]

    public var all: [LabeledText] { train + validation + test }
}

/// Deals a labelled corpus to simulated organizations so that their data differ as real ones' would (seed 000's
/// "non-IID data"): every attack family (a category from one source package, e.g. `jailbreak/pyrit`) and every
/// benign source has a home organization, which gets ``homeShare`` of its examples; the rest are spread evenly over
/// the others. So each organization sees mostly some kinds of attack and its own kind of benign traffic, and still
/// a little of everything — as organizations facing the same internet do.
///
/// Homes are assigned largest family first to the organization with the fewest examples of that class so far, so
/// sizes stay comparable. Which organization and which of its splits (70% train, 10% validation, 20% test) an
/// example lands in depends only on the seed and a SHA-256 of its text: the deal is the same on every machine.
public struct NonIIDSplit: Hashable, Sendable {
    public var organizations: Int
    /// The fraction of a family's examples its home organization gets (1/n is an IID deal).
    public var homeShare: Double
    public var seed: UInt64
    /// The organizations' names; `nil`: `org-1`, `org-2`, ….
    public var customNames: [String]?

    public init(organizations: Int, homeShare: Double = 0.8, seed: UInt64 = 2026, names: [String]? = nil) {
        self.organizations = organizations
        self.homeShare = homeShare
        self.seed = seed
        self.customNames = names
    }

    /// The organizations' names.
    public var names: [String] {
        if let customNames, customNames.count == organizations { return customNames }
        return (1...max(1, organizations)).map { "org-\($0)" }
    }

    /// The family of an example: `category/source` for attacks, `benign/source` for benign texts.
    public static func family(of example: LabeledText) -> String {
        let category = example.isAttack ? (example.category ?? "attack") : "benign"
        return "\(category)/\(example.source ?? "unknown")"
    }

    public func split(_ examples: [LabeledText]) throws(TrainingPlanError) -> [OrganizationData] {
        guard organizations >= 1 else { throw TrainingPlanError("--orgs must be at least 1, got \(organizations)") }
        guard homeShare.isFinite, homeShare >= 0, homeShare <= 1 else {
            throw TrainingPlanError("the home share must be within 0…1, got \(homeShare)")
        }
        let n = organizations
        var families: [String: [LabeledText]] = [:]
        for example in examples { families[Self.family(of: example), default: []].append(example) }
        // Homes: per class, largest family first, to the organization with the fewest examples of the class.
        var home: [String: Int] = [:]
        for attacks in [true, false] {
            var load = [Int](repeating: 0, count: n)
            let ordered = families.filter { ($0.value.first?.isAttack ?? false) == attacks }
                .sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            for (family, members) in ordered {
                let target = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
                home[family] = target
                load[target] += members.count
            }
        }
        var result = names.map { OrganizationData(name: $0, train: [], validation: [], test: [], homeFamilies: []) }
        for (family, index) in home.sorted(by: { $0.key < $1.key }) { result[index].homeFamilies.append(family) }
        for example in examples {
            let draws = Self.draws(example.text, seed: seed)
            let homeIndex = home[Self.family(of: example)]!
            var target = homeIndex
            if n > 1 && draws.0 >= homeShare {
                // Evenly over the other organizations.
                let other = min(n - 2, Int(draws.1 * Double(n - 1)))
                target = other >= homeIndex ? other + 1 : other
            }
            switch draws.2 {
            case ..<0.7: result[target].train.append(example)
            case ..<0.8: result[target].validation.append(example)
            default: result[target].test.append(example)
            }
        }
        return result
    }

    /// Three independent uniform draws in [0, 1) from SHA-256(seed ‖ text).
    static func draws(_ text: String, seed: UInt64) -> (Double, Double, Double) {
        var hasher = SHA256()
        withUnsafeBytes(of: seed.bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(text.utf8))
        let bytes = Array(hasher.finalize())
        func unit(_ offset: Int) -> Double {
            var value: UInt64 = 0
            for byte in bytes[offset..<(offset + 8)] { value = value << 8 | UInt64(byte) }
            return Double(value >> 11) * 0x1p-53
        }
        return (unit(0), unit(8), unit(16))
    }
}
