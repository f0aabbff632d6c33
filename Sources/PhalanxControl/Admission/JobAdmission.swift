import PhalanxCore
import PhalanxProviders

/// A job that passed admission. Only ``JobAdmission/admit(manifest:plugin:providers:policy:roster:)`` creates one.
public struct AdmittedJob: Sendable {
    public let manifest: JobManifest
    /// The manifest hash: the job's name everywhere.
    public let jobId: SHA256Digest
    public let plugin: PluginIR
    public let provider: any ExecutionProvider
    /// The enabled predicates, in the order of the manifest.
    public let predicates: [PredicateRule]

    fileprivate init(
        manifest: JobManifest, plugin: PluginIR, provider: any ExecutionProvider, predicates: [PredicateRule]
    ) {
        self.manifest = manifest
        self.jobId = manifest.hash
        self.plugin = plugin
        self.provider = provider
        self.predicates = predicates
    }
}

/// Fail-fast admission (seed 003 §4): every check runs before any data moves, and a refusal lists every
/// problem found, each with the manifest path it concerns.
public enum JobAdmission {
    /// Builds the manifest for running `plugin` on `provider` under `policy`: it records the opcodes, the
    /// provider's metric keys, the predicates the provider can feed (the others are left out) and the
    /// parameters they use.
    public static func makeManifest(
        plugin: PluginIR,
        provider: ProviderDescriptor,
        policy: GuardrailPolicy,
        participants: ParticipantSet,
        rounds: Int,
        jobNonce: String = JobAdmission.freshNonce(),
        providerImplementation: (any ExecutionProvider)? = nil
    ) throws -> (manifest: JobManifest, selection: PolicySelection) {
        let providerPlan =
            try providerImplementation?.privacyPlan(plugin: plugin, nodes: participants.nodes.count, rounds: rounds)
        let metricKeys = emittedMetricKeys(provider: provider, plugin: plugin)
        let selection = policy.selection(availableMetricKeys: Set(metricKeys).union(MetricKey.alwaysAvailable))
        var parameters: [String: Double] = [:]
        for rule in selection.enabled {
            for name in rule.expression.parameterNames { parameters[name] = policy.parameters[name] }
        }
        let manifest = JobManifest(
            jobNonce: jobNonce,
            plugin: PluginReference(name: plugin.name, version: plugin.version, digest: try plugin.digest),
            opcodes: plugin.opcodes,
            executionProvider: provider.name,
            metricKeys: metricKeys,
            predicates: selection.enabled.map(\.id).sorted(),
            guardrails: policy.reference,
            parameters: parameters,
            inputSchema: plugin.inputSchema,
            participants: participants,
            rounds: rounds,
            privacy: providerPlan
        )
        return (manifest, selection)
    }

    /// The metric keys every frame of a job running `plugin` on `provider` carries, sorted as its manifest lists
    /// them: the provider's and those the node runtime derives from the plug-in (``MetricKey/runtimeDerived(by:)``).
    public static func emittedMetricKeys(provider: ProviderDescriptor, plugin: PluginIR) -> [String] {
        provider.metricKeys.union(MetricKey.runtimeDerived(by: plugin)).sorted()
    }

    /// 16 random bytes from the system's cryptographic source, as hex.
    public static func freshNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Checks `manifest` against the plug-in it names, the provider registry, the guard-rail policy and the
    /// federation roster.
    public static func admit(
        manifest: JobManifest,
        plugin: PluginIR,
        providers: ProviderRegistry,
        policy: GuardrailPolicy,
        roster: FederationRoster,
        declarations: [ParticipantID: InputSchema]? = nil
    ) throws(AdmissionError) -> AdmittedJob {
        var problems: [AdmissionError.Problem] = []
        func problem(_ path: String, _ message: String) { problems.append(.init(path: path, message: message)) }

        do { try manifest.validate() } catch {
            throw AdmissionError(problems: [.init(path: error.path, message: error.message)])
        }
        var analysis: PluginAnalysis?
        do { analysis = try plugin.analysis() } catch {
            problem("$.plugin", "the plug-in is not well formed: \(error)")
        }

        if manifest.plugin.name != plugin.name || manifest.plugin.version != plugin.version {
            problem(
                "$.plugin",
                "names \(manifest.plugin.name)@\(manifest.plugin.version) but the plug-in is \(plugin.name)@\(plugin.version)"
            )
        }
        if let digest = try? plugin.digest, digest != manifest.plugin.digest {
            problem(
                "$.plugin.digest",
                "does not match the plug-in's IR (\(digest.short)…); the plug-in changed after compilation")
        }
        if manifest.opcodes != plugin.opcodes {
            problem(
                "$.opcodes",
                "lists \(manifest.opcodes.map(\.rawValue)) but the plug-in uses \(plugin.opcodes.map(\.rawValue))")
        }
        if manifest.inputSchema != plugin.inputSchema {
            problem("$.inputSchema", "differs from the plug-in's declared input schema")
        }

        let provider = providers.provider(named: manifest.executionProvider)
        if let provider {
            let unsupported = provider.descriptor.unsupportedOpcodes(in: manifest.opcodes)
            if !unsupported.isEmpty {
                let list = unsupported.map(\.rawValue).joined(separator: ", ")
                // Providers that implement every opcode and add the noise the plug-in asks for.
                let able = providers.names.filter { name in
                    guard let descriptor = providers.provider(named: name)?.descriptor else { return false }
                    return descriptor.unsupportedOpcodes(in: plugin.opcodes).isEmpty
                        && Set(analysis?.noise.values ?? [:].values).isSubset(of: descriptor.noiseMechanisms)
                }
                let why =
                    unsupported.contains(.noise)
                    ? " (the plug-in asks for differentially private noise)" : ""
                problem(
                    "$.opcodes",
                    "execution provider \(manifest.executionProvider) does not implement \(list)\(why); "
                        + (able.isEmpty
                            ? "no provider of this build implements every opcode of the plug-in"
                            : "run it on \(able.joined(separator: " or "))"))
            }
            for (channel, mechanism) in (analysis?.noise ?? [:]).sorted(by: { $0.key < $1.key })
            where provider.descriptor.opcodes.contains(.noise) {
                if !provider.descriptor.noiseMechanisms.contains(mechanism) {
                    let offered = provider.descriptor.noiseMechanisms.map(\.rawValue).sorted().joined(separator: ", ")
                    let fix =
                        mechanism == .laplace
                        ? "run it on dp with the Laplace mechanism (shares of Laplace noise do not add up to Laplace "
                            + "noise, so dp+secagg cannot)"
                        : "run it on a provider that adds \(mechanism.rawValue) noise"
                    problem(
                        "$.executionProvider",
                        "the plug-in asks for \(mechanism.rawValue) noise on \(channel), and "
                            + "\(manifest.executionProvider) adds \(offered) noise; \(fix)")
                } else if let plan = manifest.privacy, plan.mechanism != "discrete-\(mechanism.rawValue)" {
                    problem(
                        "$.privacy.mechanism",
                        "the plug-in asks for \(mechanism.rawValue) noise on \(channel), but the job is calibrated "
                            + "for \(plan.mechanism) noise; make the manifest for the \(mechanism.rawValue) mechanism")
                }
            }
            for message in provider.privacyPlanProblems(
                manifest.privacy, plugin: plugin, nodes: manifest.participants.nodes.count, rounds: manifest.rounds)
            {
                problem("$.privacy", message)
            }
            let emitted = emittedMetricKeys(provider: provider.descriptor, plugin: plugin)
            if manifest.metricKeys != emitted {
                problem(
                    "$.metricKeys",
                    "must be the keys \(manifest.executionProvider) emits: \(emitted.joined(separator: ", "))")
            }
        } else {
            problem(
                "$.executionProvider",
                "unknown execution provider \"\(manifest.executionProvider)\"; this build has: \(providers.names.joined(separator: ", "))"
            )
        }

        if manifest.guardrails.digest != policy.digest {
            problem(
                "$.guardrails.digest",
                "was made with guard-rail policy \(manifest.guardrails.version) (\(manifest.guardrails.digest.short)…), but the loaded policy is \(policy.version) (\(policy.digest.short)…)"
            )
        }
        let available = Set(manifest.metricKeys).union(MetricKey.alwaysAvailable)
        var enabled: [PredicateRule] = []
        for (i, id) in manifest.predicates.enumerated() {
            guard let rule = policy.predicate(id: id) else {
                problem("$.predicates[\(i)]", "predicate \"\(id)\" is not in the guard-rail policy")
                continue
            }
            let missing = rule.expression.metricKeys.subtracting(available).sorted()
            if !missing.isEmpty {
                problem(
                    "$.predicates[\(i)]",
                    "predicate \(id) reads \(missing.joined(separator: ", ")), which this job's frames do not carry")
            }
            for name in rule.expression.parameterNames.sorted()
            where manifest.parameters[name] != policy.parameters[name] {
                problem(
                    "$.parameters.\(name)",
                    "predicate \(id) needs params.\(name) = \(policy.parameters[name].map { "\($0)" } ?? "?") from the policy"
                )
            }
            enabled.append(rule)
        }

        // The policy, not the manifest's author, decides which guard-rails apply: a manifest that leaves out a
        // predicate the job's frames can feed would switch that guard-rail off.
        // Feedable means: by what the provider really emits, not by what the manifest claims.
        let feedable = provider.map { $0.descriptor.metricKeys.union(MetricKey.alwaysAvailable) } ?? available
        for rule in policy.selection(availableMetricKeys: feedable).enabled where !manifest.predicates.contains(rule.id)
        {
            problem(
                "$.predicates",
                "leaves out predicate \(rule.id), which the policy enables for every job whose frames carry \(rule.expression.metricKeys.sorted().joined(separator: ", "))"
            )
        }

        func checkRole(_ id: ParticipantID, _ role: Role, _ path: String) {
            guard let identity = roster.identity(for: id) else {
                problem(path, "\"\(id)\" is not in the federation roster")
                return
            }
            if identity.role != role { problem(path, "\"\(id)\" is a \(identity.role), not \(role.withArticle)") }
        }
        for (i, node) in manifest.participants.nodes.enumerated() {
            checkRole(node, .node, "$.participants.nodes[\(i)]")
        }
        checkRole(manifest.participants.aggregator, .aggregator, "$.participants.aggregator")
        checkRole(manifest.participants.control, .control, "$.participants.control")

        if let declarations {
            for (i, node) in manifest.participants.nodes.enumerated() {
                for (path, message) in Self.dataProblems(
                    plugin.inputSchema, declared: declarations[node], node: node, at: "$.participants.nodes[\(i)]")
                {
                    problem(path, message)
                }
            }
        }

        guard problems.isEmpty, let provider else { throw AdmissionError(problems: problems) }
        return AdmittedJob(manifest: manifest, plugin: plugin, provider: provider, predicates: enabled)
    }

    /// What is wrong with a node's declared data for `schema` (empty when every table the plug-in reads is declared
    /// with every column it reads, of the same kind, and values within what the plug-in declares).
    static func dataProblems(
        _ schema: InputSchema, declared: InputSchema?, node: ParticipantID, at path: String
    ) -> [(String, String)] {
        guard let declared else {
            return [
                (
                    path,
                    "node \(node) declared no data; it cannot run a plug-in that reads \(schema.tables.map(\.name).joined(separator: ", "))"
                )
            ]
        }
        var problems: [(String, String)] = []
        for table in schema.tables {
            guard let held = declared.table(named: table.name) else {
                problems.append(
                    (
                        path,
                        "node \(node) holds no table \(table.name) (it holds \(declared.tables.map(\.name).joined(separator: ", "))); give it that table or run a plug-in that reads its tables"
                    ))
                continue
            }
            for column in table.columns {
                guard let own = held.column(named: column.name) else {
                    problems.append(
                        (
                            path,
                            "node \(node)'s table \(table.name) has no column \(column.name), which the plug-in reads"
                        ))
                    continue
                }
                guard own.kind == column.kind else {
                    problems.append(
                        (
                            path,
                            "node \(node)'s \(table.name).\(column.name) holds \(own.kind.rawValue) values; the plug-in reads \(column.kind.rawValue) values"
                        ))
                    continue
                }
                if let domain = column.domain, let extra = (own.domain ?? []).first(where: { !domain.contains($0) }) {
                    problems.append(
                        (
                            path,
                            "node \(node)'s \(table.name).\(column.name) may hold \"\(extra)\", which the plug-in's domain lacks"
                        ))
                }
                if let low = column.minimum, own.minimum.map({ $0 < low }) ?? true {
                    problems.append(
                        (
                            path,
                            "node \(node)'s \(table.name).\(column.name) is not declared ≥ \(low), the plug-in's minimum"
                        ))
                }
                if let high = column.maximum, own.maximum.map({ $0 > high }) ?? true {
                    problems.append(
                        (
                            path,
                            "node \(node)'s \(table.name).\(column.name) is not declared ≤ \(high), the plug-in's maximum"
                        ))
                }
            }
        }
        return problems
    }
}

extension Role {
    /// "a node", "an aggregator", "a control", "an operator".
    var withArticle: String {
        "aeiou".contains(rawValue.first ?? "x") ? "an \(rawValue)" : "a \(rawValue)"
    }
}

/// Why a job was refused at admission.
public struct AdmissionError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Hashable, Sendable {
        public let path: String
        public let message: String
    }

    public let problems: [Problem]

    public var description: String {
        "job refused at admission:\n" + problems.map { "  - at \($0.path): \($0.message)" }.joined(separator: "\n")
    }
}
