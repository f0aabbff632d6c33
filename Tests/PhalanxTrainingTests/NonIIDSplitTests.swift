import PhalanxAgent
import PhalanxTraining
import Testing

@Suite("The non-IID deal of a corpus to organizations")
struct NonIIDSplitTests {
    static let corpus = SyntheticCorpus.make(perFamily: 200, seed: 11)

    @Test("every example goes to exactly one organization and one of its splits, the same way every time")
    func partition() throws {
        let split = NonIIDSplit(organizations: 3, homeShare: 0.8, seed: 4)
        let organizations = try split.split(Self.corpus)
        let dealt = organizations.flatMap(\.all)
        #expect(dealt.count == Self.corpus.count)
        #expect(Set(dealt.map(\.text)) == Set(Self.corpus.map(\.text)))
        let again = try split.split(Self.corpus)
        #expect(again.map { $0.train.map(\.text) } == organizations.map { $0.train.map(\.text) })
        let reseeded = try NonIIDSplit(organizations: 3, homeShare: 0.8, seed: 5).split(Self.corpus)
        #expect(reseeded.map { $0.train.map(\.text) } != organizations.map { $0.train.map(\.text) })
        // Roughly 70 / 10 / 20 overall.
        let train = Double(organizations.map(\.train.count).reduce(0, +)) / Double(Self.corpus.count)
        #expect(abs(train - 0.7) < 0.05)
    }

    @Test("each family's home organization holds most of it, and every family has a home")
    func homes() throws {
        let organizations = try NonIIDSplit(organizations: 3, homeShare: 0.8, seed: 4).split(Self.corpus)
        let families = Set(Self.corpus.map(NonIIDSplit.family(of:)))
        #expect(Set(organizations.flatMap(\.homeFamilies)) == families)
        for organization in organizations {
            #expect(organization.homeFamilies.contains { $0.hasPrefix("benign/") })
            #expect(organization.homeFamilies.contains { !$0.hasPrefix("benign/") })
            for family in organization.homeFamilies {
                let held = organization.all.count { NonIIDSplit.family(of: $0) == family }
                let share = Double(held) / 200
                #expect(share > 0.7 && share < 0.9, "\(organization.name) holds \(share) of \(family)")
            }
        }
    }

    @Test("a home share of 1/n deals evenly; invalid settings are refused")
    func evenAndInvalid() throws {
        let even = try NonIIDSplit(organizations: 4, homeShare: 0.25, seed: 1).split(Self.corpus)
        for organization in even {
            #expect(abs(Double(organization.all.count) / Double(Self.corpus.count) - 0.25) < 0.04)
        }
        #expect(throws: TrainingPlanError.self) { try NonIIDSplit(organizations: 0).split(Self.corpus) }
        #expect(throws: TrainingPlanError.self) { try NonIIDSplit(organizations: 2, homeShare: 1.5).split(Self.corpus) }
    }
}
