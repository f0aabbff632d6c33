import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The bytes a federation's TCP connections carried, as the kernel counts them (`ss -ti`): what the network
/// benchmark reports as wire bytes.
enum LoopbackTraffic {
    /// The TCP payload bytes, both directions, of every open connection whose server side listens on one of
    /// `serverPorts`; `nil` when `ss` (iproute2) is not installed or the kernel gives no byte counters.
    ///
    /// The payload is what the processes wrote to their sockets: TLS records, which carry HTTP/2 frames, which
    /// carry protobuf. Connections that were closed are gone from the kernel's table and are not counted.
    static func bytes(serverPorts: Set<Int>) -> Int? {
        guard
            let ss = ["/usr/bin/ss", "/usr/sbin/ss", "/bin/ss", "/sbin/ss"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ss)
        process.arguments = ["-tinH"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return total(String(decoding: data, as: UTF8.self), serverPorts: serverPorts)
    }

    /// Sums `bytes_sent` and `bytes_received` of the sockets in `ss -tinH` output whose local port is in
    /// `serverPorts`. Each socket is a line with its addresses, then an indented line with its counters.
    static func total(_ output: String, serverPorts: Set<Int>) -> Int? {
        guard output.contains("bytes_received:") else { return nil }
        var sum = 0
        var local: Int?
        for line in output.split(separator: "\n") {
            if let first = line.first, !first.isWhitespace {
                // State, Recv-Q, Send-Q, local address:port, peer address:port.
                local = line.split(separator: " ", omittingEmptySubsequences: true)
                    .first { $0.contains(":") }
                    .flatMap { address in
                        address.lastIndex(of: ":").flatMap { Int(address[address.index(after: $0)...]) }
                    }
                continue
            }
            guard let port = local, serverPorts.contains(port) else { continue }
            for field in line.split(whereSeparator: \.isWhitespace) {
                for key in ["bytes_sent:", "bytes_received:"] where field.hasPrefix(key) {
                    if let value = Int(field.dropFirst(key.count)) { sum += value }
                }
            }
            local = nil
        }
        return sum
    }
}

/// CPU time, user and system, as the kernel accounts it: of this process, and of a federation's processes.
enum CPUTime {
    /// Seconds this process has run on any core.
    static func ofThisProcess() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Seconds the running processes whose command line mentions `marker` (a deployment's directory, which every
    /// participant's `--config` path is in) have run on any core; `nil` without `/proc`.
    static func ofProcesses(mentioning marker: String) -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticksPerSecond > 0 else { return nil }
        var total = 0.0
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: command, as: UTF8.self).contains(marker),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm)": state is field 3, utime field 14, stime field 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            total += (user + system) / ticksPerSecond
        }
        return total
    }
}
