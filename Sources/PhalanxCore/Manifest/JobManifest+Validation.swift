/// A manifest that breaks a rule of the format. `path` is a JSON path such as `$.metricKeys[2]`.
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "at \(path): \(message)" }
}

extension JobManifest {
    /// The largest number of rounds a job may declare.
    public static let maximumRounds = 10_000

    /// Checks the rules that the JSON Schema cannot express, and the ones it can, in one place.
    public func validate() throws(ManifestError) {
        guard formatVersion == 1 else {
            throw ManifestError(
                path: "$.formatVersion", message: "unsupported format version \(formatVersion); expected 1")
        }
        guard jobNonce.utf8.count == 32, Hex.decode(jobNonce) != nil, jobNonce == jobNonce.lowercased() else {
            throw ManifestError(path: "$.jobNonce", message: "expected 32 lowercase hexadecimal characters")
        }
        try Self.checkName(plugin.name, path: "$.plugin.name")
        guard !plugin.version.isEmpty, plugin.version.utf8.count <= 32 else {
            throw ManifestError(path: "$.plugin.version", message: "expected a version of 1–32 characters")
        }
        guard !opcodes.isEmpty else {
            throw ManifestError(path: "$.opcodes", message: "a plug-in uses at least one opcode")
        }
        try Self.checkSortedUnique(opcodes.map(\.rawValue), path: "$.opcodes")
        // A provider may be a composition, outermost first: `dp+secagg` is dp's noise over secagg's masking.
        let layers = executionProvider.split(separator: "+", omittingEmptySubsequences: false)
        guard layers.count <= 4, executionProvider.utf8.count <= 64 else {
            throw ManifestError(
                path: "$.executionProvider", message: "\"\(executionProvider)\" composes too many providers")
        }
        for layer in layers { try Self.checkName(String(layer), path: "$.executionProvider") }
        for (i, key) in metricKeys.enumerated() where !MetricKey.isValid(key) {
            throw ManifestError(
                path: "$.metricKeys[\(i)]",
                message: "\"\(key)\" is not a metric key (letters, digits, '_'; not starting with a digit)")
        }
        for (i, key) in metricKeys.enumerated() where MetricKey.frameFields.contains(key) {
            throw ManifestError(
                path: "$.metricKeys[\(i)]",
                message: "\"\(key)\" is a top-level frame field and cannot be a provider metric")
        }
        for (i, key) in metricKeys.enumerated() where MetricKey.controlDerived.contains(key) {
            throw ManifestError(
                path: "$.metricKeys[\(i)]",
                message: "\"\(key)\" is derived by the control plane and cannot be a provider metric")
        }
        try Self.checkSortedUnique(metricKeys, path: "$.metricKeys")
        for (i, id) in predicates.enumerated() {
            try Self.checkName(id, path: "$.predicates[\(i)]")
        }
        try Self.checkSortedUnique(predicates, path: "$.predicates")
        for (name, value) in parameters where !value.isFinite {
            throw ManifestError(path: "$.parameters.\(name)", message: "parameters must be finite numbers")
        }
        guard !inputSchema.tables.isEmpty else {
            throw ManifestError(path: "$.inputSchema.tables", message: "a plug-in reads at least one table")
        }
        guard !participants.nodes.isEmpty else {
            throw ManifestError(path: "$.participants.nodes", message: "a job needs at least one node")
        }
        var seen = Set<ParticipantID>()
        for (i, id) in (participants.nodes + [participants.aggregator, participants.control]).enumerated()
        where !seen.insert(id).inserted {
            let path = i < participants.nodes.count ? "$.participants.nodes[\(i)]" : "$.participants"
            throw ManifestError(path: path, message: "participant \"\(id)\" appears more than once")
        }
        if let p = privacy {
            let numbers: [(String, Double)] = [
                ("noise", p.noise), ("sensitivity", p.sensitivity), ("l1Sensitivity", p.l1Sensitivity),
                ("epsilonPerRound", p.epsilonPerRound), ("epsilonTotal", p.epsilonTotal),
            ]
            for (name, value) in numbers where !(value.isFinite && value > 0) {
                throw ManifestError(path: "$.privacy.\(name)", message: "must be a finite number > 0, got \(value)")
            }
            guard p.delta.isFinite, p.delta >= 0, p.delta < 1 else {
                throw ManifestError(path: "$.privacy.delta", message: "must be in [0, 1), got \(p.delta)")
            }
            guard p.dimension >= 1 else {
                throw ManifestError(path: "$.privacy.dimension", message: "must be at least 1, got \(p.dimension)")
            }
            guard ["rdp", "pure"].contains(p.accountant) else {
                throw ManifestError(
                    path: "$.privacy.accountant",
                    message: "unknown accountant \"\(p.accountant)\"; expected rdp or pure")
            }
            guard ["discrete-gaussian", "discrete-laplace"].contains(p.mechanism) else {
                throw ManifestError(
                    path: "$.privacy.mechanism",
                    message: "unknown mechanism \"\(p.mechanism)\"; expected discrete-gaussian or discrete-laplace")
            }
            guard p.minimumContributors >= 1, p.minimumContributors <= participants.nodes.count else {
                throw ManifestError(
                    path: "$.privacy.minimumContributors", message: "must be between 1 and the number of nodes")
            }
        }
        guard (1...Self.maximumRounds).contains(rounds) else {
            throw ManifestError(
                path: "$.rounds", message: "rounds must be between 1 and \(Self.maximumRounds), got \(rounds)")
        }
    }

    private static func checkName(_ name: String, path: String) throws(ManifestError) {
        let ok =
            !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
            && name.utf8.first.map { (0x61...0x7A).contains($0) } == true
        guard ok else {
            throw ManifestError(
                path: path, message: "\"\(name)\" must be 1–64 characters of a-z, 0-9 and '-', starting with a letter")
        }
    }

    private static func checkSortedUnique(_ values: [String], path: String) throws(ManifestError) {
        for i in values.indices.dropFirst() where !(values[i - 1] < values[i]) {
            throw ManifestError(
                path: "\(path)[\(i)]",
                message: "entries must be sorted and unique (\"\(values[i])\" after \"\(values[i - 1])\")")
        }
    }
}
