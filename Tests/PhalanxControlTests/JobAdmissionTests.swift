import PhalanxControl
import PhalanxCore
import PhalanxProviders
import Testing

/// A change to an otherwise correct manifest, and the problem admission must report for it.
struct ManifestChange: Sendable, CustomTestStringConvertible {
    let name: String
    let change: @Sendable (inout JobManifest) -> Void
    let path: String
    let says: String
    /// How many problems the change causes in all.
    var problems = 1

    var testDescription: String { name }
}

/// A provider that implements `secure_sum` only, to show admission checks opcodes against the descriptor.
private struct SumOnlyProvider: ExecutionProvider {
    var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            name: "sum-only", protection: "test provider", opcodes: [.secureSum],
            metricKeys: [PlainProvider.contributionL1, PlainProvider.pendingContributions])
    }

    func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        throw ProviderError(provider: "sum-only", message: "admission tests never run a job")
    }

    func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        throw ProviderError(provider: "sum-only", message: "admission tests never run a job")
    }
}

@Suite("Job admission")
struct JobAdmissionTests {
    let federation = Federation()
    let policy: GuardrailPolicy
    let manifest: JobManifest

    init() throws {
        policy = try Fixtures.policy()
        manifest = try federation.manifest(policy: policy)
    }

    /// The admission error for the given inputs, or `nil` when the job is admitted.
    func refusal(
        _ manifest: JobManifest,
        plugin: PluginIR = Fixtures.plugin(),
        providers: ProviderRegistry = Fixtures.providers,
        policy: GuardrailPolicy? = nil,
        roster: FederationRoster? = nil
    ) -> AdmissionError? {
        do {
            _ = try JobAdmission.admit(
                manifest: manifest, plugin: plugin, providers: providers, policy: policy ?? self.policy,
                roster: roster ?? federation.roster)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Making a manifest

    @Test("makeManifest records the plug-in, the provider's keys and only the predicates it can feed")
    func makeManifest() throws {
        let plugin = Fixtures.plugin()
        let (manifest, selection) = try JobAdmission.makeManifest(
            plugin: plugin, provider: Fixtures.plain, policy: policy, participants: federation.participants, rounds: 4,
            jobNonce: Fixtures.nonce)
        try manifest.validate()
        #expect(
            manifest.plugin == PluginReference(name: "safety-event-count", version: "1.0.0", digest: try plugin.digest))
        #expect(manifest.opcodes == [.clipL1, .countBy, .filter, .load, .release, .secureSum])
        #expect(manifest.executionProvider == "plain")
        #expect(manifest.metricKeys == ["contributionL1", "pendingContributions"])
        #expect(manifest.predicates == ["contribution-bound", "straggler", "unresponsive"])
        #expect(manifest.parameters == ["maxContributionL1": 250, "maxLagMs": 5000, "maxMissedTicks": 5])
        #expect(manifest.guardrails == policy.reference)
        #expect(manifest.inputSchema == plugin.inputSchema)
        #expect(manifest.participants == federation.participants)
        #expect(manifest.rounds == 4)
        #expect(manifest.jobNonce == Fixtures.nonce)
        #expect(selection.enabled.map(\.id) == ["contribution-bound", "straggler", "unresponsive"])
        #expect(selection.disabled.map(\.rule.id) == ["dp-budget", "noise-floor", "update-norm", "malformed-share"])
    }

    @Test("predicate ids in the manifest are sorted even when the policy lists them otherwise")
    func manifestPredicatesSorted() throws {
        let policy = try Fixtures.policy(
            """
            version: "1"
            predicates:
              - id: zz-lag
                expr: any(lagMs > 100)
                command: A-OBSERVE
              - id: aa-latency
                expr: any(opLatencyMs > 100)
                command: A-OBSERVE
            """)
        let manifest = try federation.manifest(policy: policy)
        #expect(manifest.predicates == ["aa-latency", "zz-lag"])
        #expect(manifest.parameters.isEmpty)
        let job = try JobAdmission.admit(
            manifest: manifest, plugin: Fixtures.plugin(), providers: Fixtures.providers, policy: policy,
            roster: federation.roster)
        #expect(job.predicates.map(\.id) == ["aa-latency", "zz-lag"])
    }

    @Test("a fresh nonce is 32 lowercase hex characters and differs each time")
    func freshNonce() throws {
        let a = JobAdmission.freshNonce()
        let b = JobAdmission.freshNonce()
        #expect(a.utf8.count == 32)
        #expect(a == a.lowercased())
        #expect(Hex.decode(a)?.count == 16)
        #expect(a != b)
        let (manifest, _) = try JobAdmission.makeManifest(
            plugin: Fixtures.plugin(), provider: Fixtures.plain, policy: policy, participants: federation.participants,
            rounds: 1)
        try manifest.validate()
        #expect(manifest.jobNonce != Fixtures.nonce)
    }

    // MARK: - Admitting

    @Test("a correct manifest is admitted")
    func admitted() throws {
        let job = try JobAdmission.admit(
            manifest: manifest, plugin: Fixtures.plugin(), providers: Fixtures.providers, policy: policy,
            roster: federation.roster)
        #expect(job.jobId == manifest.hash)
        #expect(job.manifest == manifest)
        #expect(job.plugin == Fixtures.plugin())
        #expect(job.provider.descriptor == Fixtures.plain)
        #expect(job.predicates.map(\.id) == manifest.predicates)
        #expect(job.predicates.map(\.command) == [.abortJob, .observe, .isolateParty])
    }

    static let manifestChanges: [ManifestChange] = [
        ManifestChange(
            name: "opcodes differ from the plug-in's",
            change: { $0.opcodes.removeAll { $0 == .filter } },
            path: "$.opcodes", says: "but the plug-in uses"),
        ManifestChange(
            name: "noise on plain",
            change: { $0.opcodes = ($0.opcodes + [.noise]).sorted() },
            path: "$.opcodes", says: "execution provider plain does not implement noise", problems: 2),
        ManifestChange(
            name: "unknown provider",
            change: { $0.executionProvider = "secagg" },
            path: "$.executionProvider", says: "unknown execution provider \"secagg\"; this build has: plain"),
        ManifestChange(
            name: "a metric key missing",
            change: { $0.metricKeys = ["contributionL1"] },
            path: "$.metricKeys", says: "must be the keys plain emits: contributionL1, pendingContributions"),
        ManifestChange(
            name: "an extra metric key",
            change: { $0.metricKeys = ["contributionL1", "noiseBits", "pendingContributions"] },
            path: "$.metricKeys", says: "must be the keys plain emits: contributionL1, pendingContributions"),
        ManifestChange(
            name: "guard-rail digest of another policy",
            change: { $0.guardrails.digest = SHA256Digest.of(Array("another policy".utf8)) },
            path: "$.guardrails.digest", says: "was made with guard-rail policy 2026.12-1"),
        ManifestChange(
            name: "a predicate the policy does not have",
            // Added to the manifest's own predicates: leaving one out would be a second problem.
            change: { $0.predicates = ($0.predicates + ["no-such-rule"]).sorted() },
            path: "$.predicates[1]", says: "predicate \"no-such-rule\" is not in the guard-rail policy"),
        ManifestChange(
            name: "a predicate reading a metric the provider does not emit",
            change: {
                $0.predicates = ($0.predicates + ["noise-floor"]).sorted()
                $0.parameters["noiseFloorBits"] = 20
            },
            path: "$.predicates[1]", says: "predicate noise-floor reads noiseBits, which this job's frames do not carry"
        ),
        ManifestChange(
            name: "the unresponsive guard-rail left out",
            change: {
                $0.predicates.removeAll { $0 == "unresponsive" }
                $0.parameters["maxMissedTicks"] = nil
            },
            path: "$.predicates", says: "leaves out predicate unresponsive"),
        ManifestChange(
            name: "a parameter value differing from the policy",
            change: { $0.parameters["maxLagMs"] = 9_999 },
            path: "$.parameters.maxLagMs", says: "predicate straggler needs params.maxLagMs = 5000.0 from the policy"),
        ManifestChange(
            name: "a parameter left out",
            change: { $0.parameters["maxContributionL1"] = nil },
            path: "$.parameters.maxContributionL1",
            says: "predicate contribution-bound needs params.maxContributionL1 = 250.0 from the policy"),
        ManifestChange(
            name: "another plug-in's name",
            change: { $0.plugin.name = "other-plugin" },
            path: "$.plugin", says: "names other-plugin@1.0.0 but the plug-in is safety-event-count@1.0.0"),
        ManifestChange(
            name: "another input schema",
            change: { $0.inputSchema.tables.append(TableSchema(name: "extra", columns: [])) },
            path: "$.inputSchema", says: "differs from the plug-in's declared input schema"),
    ]

    @Test("each refusal reason is reported at its manifest path", arguments: manifestChanges)
    func refused(_ change: ManifestChange) throws {
        var manifest = manifest
        change.change(&manifest)
        try manifest.validate()
        let error = try #require(refusal(manifest))
        #expect(error.problems.count == change.problems, "\(error)")
        #expect(
            error.problems.contains { $0.path == change.path && $0.message.contains(change.says) }, "\(error)")
    }

    @Test("a plug-in changed after compilation no longer matches the manifest's digest")
    func pluginChanged() throws {
        let error = try #require(refusal(manifest, plugin: Fixtures.plugin(contributionBound: 10_000)))
        #expect(error.problems.count == 1)
        let problem = try #require(error.problems.first)
        #expect(problem.path == "$.plugin.digest")
        #expect(problem.message.contains("the plug-in changed after compilation"))
        #expect(problem.message.contains(try Fixtures.plugin(contributionBound: 10_000).digest.short))
    }

    @Test("a plug-in that is not well formed is refused")
    func pluginNotWellFormed() throws {
        var plugin = Fixtures.plugin()
        plugin.aggregator.removeLast()  // nothing is ever released
        let manifest = try federation.manifest(policy: policy, plugin: plugin)
        let error = try #require(refusal(manifest, plugin: plugin))
        #expect(error.problems.map(\.path) == ["$.plugin"])
        #expect(error.problems.first?.message.contains("the plug-in is not well formed") == true)
    }

    @Test("a provider that lacks one of the plug-in's privacy opcodes is refused")
    func providerLacksOpcode() throws {
        let sumOnly = SumOnlyProvider()
        let manifest = try federation.manifest(policy: policy, provider: sumOnly.descriptor)
        let error = try #require(refusal(manifest, providers: ProviderRegistry([PlainProvider(), sumOnly])))
        #expect(error.problems.map(\.path) == ["$.opcodes"])
        #expect(
            error.problems.first?.message == "execution provider sum-only does not implement release; run it on plain")
    }

    @Test("a manifest made under another version of the policy is refused")
    func policyDigestMismatch() throws {
        let edited = try Fixtures.policy(Fixtures.defaultPolicyText + "\n# tightened later\n")
        let error = try #require(refusal(manifest, policy: edited))
        #expect(error.problems.map(\.path) == ["$.guardrails.digest"])
        #expect(error.problems.first?.message.contains(manifest.guardrails.digest.short) == true)
        #expect(error.problems.first?.message.contains(edited.digest.short) == true)
    }

    @Test("a participant missing from the roster is named at its path")
    func participantNotInRoster() throws {
        let roster = try FederationRoster(
            federation.everyone.filter { $0.id.rawValue != "org-c" }.map(\.publicIdentity))
        let error = try #require(refusal(manifest, roster: roster))
        #expect(error.problems.map(\.path) == ["$.participants.nodes[2]"])
        #expect(error.problems.first?.message == "\"org-c\" is not in the federation roster")
    }

    @Test(
        "a participant registered with another role is refused",
        arguments: [
            ("org-b", Role.aggregator, "$.participants.nodes[1]"),
            ("aggregator", Role.node, "$.participants.aggregator"),
            ("control", Role.operator, "$.participants.control"),
        ]
    )
    func wrongRole(name: String, role: Role, path: String) throws {
        let identities = try federation.everyone.map { identity in
            identity.id.rawValue == name
                ? try PublicIdentity(id: identity.id, role: role, publicKey: identity.publicIdentity.publicKey)
                : identity.publicIdentity
        }
        let error = try #require(refusal(manifest, roster: try FederationRoster(identities)))
        #expect(error.problems.map(\.path) == [path])
        #expect(error.problems.first?.message.contains("\"\(name)\" is a \(role)") == true)
    }

    static let malformed: [ManifestChange] = [
        ManifestChange(
            name: "short nonce", change: { $0.jobNonce = "abc" }, path: "$.jobNonce",
            says: "expected 32 lowercase hexadecimal characters"),
        ManifestChange(
            name: "format version 2", change: { $0.formatVersion = 2 }, path: "$.formatVersion",
            says: "unsupported format version 2"),
        ManifestChange(
            name: "no rounds", change: { $0.rounds = 0 }, path: "$.rounds", says: "rounds must be between 1"),
        ManifestChange(
            name: "unsorted metric keys", change: { $0.metricKeys.reverse() }, path: "$.metricKeys[1]",
            says: "entries must be sorted and unique"),
        ManifestChange(
            name: "a frame field as a metric key", change: { $0.metricKeys = ["contributionL1", "lagMs"] },
            path: "$.metricKeys[1]", says: "is a top-level frame field"),
        ManifestChange(
            name: "a control-derived metric as a metric key",
            change: { $0.metricKeys = ["contributionL1", "missedTicks"] },
            path: "$.metricKeys[1]", says: "is derived by the control plane and cannot be a provider metric"),
        ManifestChange(
            name: "a node listed twice", change: { $0.participants.nodes.append($0.participants.nodes[0]) },
            path: "$.participants.nodes[3]", says: "appears more than once"),
        ManifestChange(
            name: "a non-finite parameter", change: { $0.parameters["maxLagMs"] = .infinity },
            path: "$.parameters.maxLagMs", says: "parameters must be finite numbers"),
    ]

    @Test("a malformed manifest is refused with only its format problem", arguments: malformed)
    func malformedManifest(_ change: ManifestChange) throws {
        var manifest = manifest
        change.change(&manifest)
        manifest.executionProvider = "secagg"  // would be a problem too, but validation stops admission first
        let error = try #require(refusal(manifest))
        #expect(error.problems.count == 1, "\(error)")
        #expect(error.problems.first?.path == change.path)
        #expect(error.problems.first?.message.contains(change.says) == true, "\(error)")
    }

    @Test("several problems are all reported at once, in the order they are checked")
    func severalProblems() throws {
        var manifest = manifest
        manifest.executionProvider = "secagg"
        manifest.predicates = ["contribution-bound", "no-such-rule", "straggler", "unresponsive"]
        manifest.parameters["maxLagMs"] = 1
        let roster = try FederationRoster(
            federation.everyone.filter { $0.id.rawValue != "org-c" }.map(\.publicIdentity))
        let error = try #require(
            refusal(manifest, plugin: Fixtures.plugin(contributionBound: 7), roster: roster))
        #expect(
            error.problems.map(\.path) == [
                "$.plugin.digest", "$.executionProvider", "$.predicates[1]", "$.parameters.maxLagMs",
                "$.participants.nodes[2]",
            ])
        #expect(error.description.hasPrefix("job refused at admission:\n  - at $.plugin.digest: "))
        #expect(error.description.split(separator: "\n").count == 6)
    }

    @Test(
        "a manifest that leaves out a predicate its provider can feed is refused"
    )
    func feedablePredicateLeftOut() throws {
        var manifest = manifest
        manifest.predicates = ["straggler"]
        manifest.parameters = ["maxLagMs": 5000]
        let error = try #require(refusal(manifest))
        #expect(error.problems.contains { $0.path == "$.predicates" && $0.message.contains("contribution-bound") })
    }
}
