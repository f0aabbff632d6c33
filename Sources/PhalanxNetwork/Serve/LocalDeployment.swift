import Foundation
import Logging
import PhalanxCore
import PhalanxFederation
import PhalanxPKI

#if canImport(Glibc)
import Glibc
#endif

/// A whole federation on one machine, one OS process per participant on loopback: what `phalanx demo
/// --processes`, the network tests and the network benchmark start. It creates the PKI (a CA, a certificate
/// per participant and one operator), writes each process's configuration, starts and stops processes, and
/// gives an operator client to the control plane.
public final class LocalDeployment: @unchecked Sendable {
    public let root: String
    public let binary: String
    public let nodes: [(id: ParticipantID, data: [String: ParticipantConfig.TableSource])]
    public let controlID = try! ParticipantID("control")
    public let aggregatorID = try! ParticipantID("aggregator")
    public let operatorID = try! ParticipantID("alice")
    public let tickMilliseconds: Int
    public let partitionAfterTicks: Int
    /// The control plane's guard-rail policy file (`policy:` in its configuration); `nil`: the embedded default.
    public let policy: String?
    /// The processes' log level (`PHALANX_LOG_LEVEL` overrides the default, info).
    public var logLevel = ProcessInfo.processInfo.environment["PHALANX_LOG_LEVEL"] ?? "info"
    /// Nodes' local safety agents (`agent:` in their configuration), set before ``prepare()``.
    public var agents: [ParticipantID: NetworkAddress] = [:]
    public private(set) var addresses: [ParticipantID: NetworkAddress] = [:]
    public private(set) var metricsAddresses: [ParticipantID: NetworkAddress] = [:]
    private var processes: [ParticipantID: Process] = [:]
    private let lock = NSLock()

    public var pki: PKIDirectory { PKIDirectory(path: root + "/pki") }
    public var participants: [ParticipantID] { [controlID, aggregatorID] + nodes.map(\.id) }

    public init(
        root: String, binary: String, nodes: [(id: ParticipantID, data: [String: ParticipantConfig.TableSource])],
        tickMilliseconds: Int = 200, partitionAfterTicks: Int = 3, policy: String? = nil
    ) {
        self.root = root
        self.binary = binary
        self.nodes = nodes
        self.tickMilliseconds = tickMilliseconds
        self.partitionAfterTicks = partitionAfterTicks
        self.policy = policy
    }

    /// The demo's five organizations with their synthetic safety events.
    public static func demoNodes(
        days: Int = 3, seed: UInt64 = 2026
    ) -> [(
        id: ParticipantID, data: [String: ParticipantConfig.TableSource]
    )] {
        SafetyEvents.demoProfiles.map { profile in
            (
                try! ParticipantID(profile.id),
                [SafetyEvents.table: .synthetic(profile: profile.id, days: days, seed: seed)]
            )
        }
    }

    /// Creates the PKI and the configurations (fresh certificates every time).
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        try pki.initialize(name: "Phalanx local federation CA", days: 31)
        try pki.issue(id: controlID, role: .control, days: 30)
        try pki.issue(id: aggregatorID, role: .aggregator, days: 30)
        for node in nodes { try pki.issue(id: node.id, role: .node, days: 30) }
        try pki.issue(id: operatorID, role: .operator, days: 30)
        let ports = try FreePorts.allocate(participants.count * 2)
        for (index, id) in participants.enumerated() {
            addresses[id] = NetworkAddress(host: "127.0.0.1", port: ports[2 * index])
            metricsAddresses[id] = NetworkAddress(host: "127.0.0.1", port: ports[2 * index + 1])
        }
        for id in participants { try writeConfig(for: id) }
    }

    public func configPath(for id: ParticipantID) -> String { root + "/\(id).yaml" }
    public func logPath(for id: ParticipantID) -> String { root + "/logs/\(id).log" }

    private func writeConfig(for id: ParticipantID) throws {
        let role: Role = id == controlID ? .control : id == aggregatorID ? .aggregator : .node
        let config = ParticipantConfig(
            id: id, role: role, listen: addresses[id]!, credentials: pki.privateDirectory(for: id), pki: pki.path,
            state: root + "/state/\(id)", metrics: metricsAddresses[id],
            peers: addresses.filter { $0.key != id }, tickMilliseconds: tickMilliseconds,
            partitionAfterTicks: partitionAfterTicks,
            tables: nodes.first { $0.id == id }?.data ?? [:], policy: role == .control ? policy : nil,
            federation: "local.phalanx")
        var withAgent = config
        withAgent.agent = agents[id]
        try withAgent.yaml.write(toFile: configPath(for: id), atomically: true, encoding: .utf8)
    }

    /// Starts `id`'s process (`phalanx node|aggregator|control serve`), its output appended to its log.
    public func start(_ id: ParticipantID) throws {
        if isRunning(id) {
            throw ConfigError(file: configPath(for: id), line: nil, message: "\(id) is already running")
        }
        let role = id == controlID ? "control" : id == aggregatorID ? "aggregator" : "node"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [role, "serve", "--config", configPath(for: id), "--log-level", logLevel]
        if !FileManager.default.fileExists(atPath: logPath(for: id)) {
            _ = FileManager.default.createFile(atPath: logPath(for: id), contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(for: id)))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { processes[id] = process }
    }

    public func startAll() throws {
        for id in participants { try start(id) }
    }

    /// Sends `signal` to `id`'s process and waits for it to exit.
    public func kill(_ id: ParticipantID, signal: Int32 = SIGKILL) {
        guard let process = lock.withLock({ processes.removeValue(forKey: id) }) else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Stops everything gracefully (SIGTERM), then kills what is still running after `grace`.
    public func stopAll(grace: TimeInterval = 5) {
        let running = lock.withLock { processes }
        for process in running.values where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(grace)
        for process in running.values {
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        lock.withLock { processes = [:] }
    }

    /// Sends `signal` to `id`'s process without waiting (SIGSTOP and SIGCONT simulate a partition).
    public func signal(_ id: ParticipantID, _ signal: Int32) {
        guard let process = lock.withLock({ processes[id] }) else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    public func isRunning(_ id: ParticipantID) -> Bool { lock.withLock { processes[id]?.isRunning ?? false } }

    public func operatorClient(logger: Logger = Logger(label: "phalanx.operator")) throws -> OperatorClient {
        try OperatorClient(
            credentials: pki.privateDirectory(for: operatorID), control: controlID, address: addresses[controlID]!,
            revocations: pki.revocationsPath, logger: logger)
    }

    /// Waits until the control plane reaches every node in `expected` (default: all) and the aggregator, and they
    /// have registered.
    public func waitUntilReady(nodes expected: [ParticipantID]? = nil, timeout: Duration = .seconds(60)) async throws {
        let wanted = Set((expected ?? nodes.map(\.id)).map(\.rawValue) + [aggregatorID.rawValue])
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            if let report = try? await operatorClient().status() {
                let up = Set(report.participants.filter { $0.reachable && $0.registered }.map(\.participant))
                if wanted.isSubset(of: up) { return }
                last = "up: \(up.sorted().joined(separator: ", "))"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ConfigError(file: root, line: nil, message: "the federation did not come up in time (\(last))")
    }
}

/// Free TCP ports on loopback, found by binding to port 0.
public enum FreePorts {
    public static func allocate(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ConfigError(file: "loopback", line: nil, message: "cannot open a socket") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw ConfigError(file: "loopback", line: nil, message: "cannot bind a port") }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
