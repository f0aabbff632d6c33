import Dispatch
import Foundation
import PhalanxControl
import PhalanxCore
import Synchronization

/// The paced pass of `phalanx bench control`: frames arrive over real time, as a 1 Hz deployment delivers them,
/// and the collector verifies them as they come. A tick closes when its last expected frame has arrived (the
/// collector's ``TelemetryCollector/outstanding`` reaches 0); sense-to-act is measured from that frame's arrival to
/// the control engine's decision.
extension ControlBenchmark {
    /// What the paced pass measured.
    struct PacedFigures {
        /// From the arrival of a tick's last frame to the decision, per tick, in milliseconds.
        var senseToAct: [Double] = []
        /// Mean milliseconds per tick after the last arrival: verifying what was still waiting, seal, evaluate,
        /// decide.
        var afterClose = [Double](repeating: 0, count: 4)
        /// The most frames that were waiting for the collector at once.
        var largestBacklog = 0
        /// Micro-batches the collector took.
        var takes = 0
        var framesAccepted = 0
        var commandsSigned = 0
    }

    /// One tick's frames, handed over by the network side at one instant.
    private struct Arrival: Sendable {
        let tick: Int
        let frames: [Signed<TelemetryFrame>]
        let at: ContinuousClock.Instant
    }

    /// Where the simulated network leaves frames for the collector.
    private final class Inbox: Sendable {
        private let arrivals = Mutex<[Arrival]>([])
        private let signal = DispatchSemaphore(value: 0)

        func deliver(_ arrival: Arrival) {
            arrivals.withLock { $0.append(arrival) }
            signal.signal()
        }

        /// Everything delivered so far, waiting until there is something.
        func take() -> [Arrival] {
            while true {
                signal.wait()
                let taken = arrivals.withLock { arrivals in
                    defer { arrivals.removeAll(keepingCapacity: true) }
                    return arrivals
                }
                if !taken.isEmpty { return taken }
            }
        }
    }

    /// Runs the paced pass over `frames` (one array per tick) with a fresh collector, sentinel and engine.
    ///
    /// A producer thread plays the network: tick t's frames arrive in a seeded random order at offsets spread
    /// uniformly over the first `arrivalSpread` of the tick, which starts at t × `tickMs`. The collector takes what
    /// has arrived whenever it is free, verifies it on every core, and closes the tick when nothing is outstanding.
    func runPaced(
        frames: [[Signed<TelemetryFrame>]], setup: Setup, tickMs: Int, arrivalSpread: Double = 0.9
    ) throws -> PacedFigures {
        var loop = Loop(setup)
        let inbox = Inbox()
        let start = ContinuousClock.now + .milliseconds(50)
        let schedule = Self.arrivalSchedule(
            ticks: frames.count, perTick: frames.first?.count ?? 0, tickMs: tickMs, spread: arrivalSpread)
        let producer = Thread {
            for (tick, offsets) in schedule.enumerated() {
                var next = 0
                while next < offsets.count {
                    let now = ContinuousClock.now
                    let due = start + offsets[next].offset
                    guard due <= now else {
                        // Sleep towards the next arrival, a millisecond at most at a time.
                        Thread.sleep(forTimeInterval: min(Self.seconds(now, due), 0.001))
                        continue
                    }
                    var batch: [Signed<TelemetryFrame>] = []
                    while next < offsets.count, start + offsets[next].offset <= now {
                        batch.append(frames[tick][offsets[next].frame])
                        next += 1
                    }
                    inbox.deliver(Arrival(tick: tick, frames: batch, at: now))
                }
            }
        }
        producer.start()

        var figures = PacedFigures()
        var tick = 0
        var waiting: [Arrival] = []
        while tick < frames.count {
            if waiting.isEmpty { waiting = inbox.take() }
            figures.takes += 1
            figures.largestBacklog = max(figures.largestBacklog, waiting.reduce(0) { $0 + $1.frames.count })
            // What arrived for this tick is verified now; a later tick's frames wait for this one to close.
            let current = waiting.filter { $0.tick == tick }
            waiting.removeAll { $0.tick == tick }
            let nowMs = Self.baseMs + Int64(tick) * 1_000
            let verifyStart = ContinuousClock.now
            _ = loop.collector.ingest(batch: current.flatMap(\.frames), tick: UInt64(tick), nowMs: nowMs)
            guard loop.collector.outstanding == 0, let lastArrival = current.map(\.at).max() else { continue }
            let verified = ContinuousClock.now
            let closed = try loop.close(tick: tick, nowMs: nowMs)

            figures.senseToAct.append(Self.seconds(lastArrival, closed.decided) * 1e3)
            for (stage, (from, to)) in [
                (verifyStart, verified), (verified, closed.sealed), (closed.sealed, closed.evaluated),
                (closed.evaluated, closed.decided),
            ].enumerated() {
                figures.afterClose[stage] += Self.seconds(from, to) * 1e3 / Double(frames.count)
            }
            figures.framesAccepted += closed.batch.frames.count
            figures.commandsSigned += closed.decision.commands.count
            try loop.acknowledge(closed.decision, tick: tick, nowMs: nowMs)
            tick += 1
        }
        return figures
    }

    /// For each tick, its frames' indices in arrival order with their arrival offsets from the start of the run.
    static func arrivalSchedule(
        ticks: Int, perTick: Int, tickMs: Int, spread: Double
    ) -> [[(frame: Int, offset: Duration)]] {
        var rng = FuzzRandom(seed: 0x1_0A0D)
        let window = Double(tickMs) * spread
        return (0..<ticks).map { tick in
            (0..<perTick).map { frame in
                let within = Double(rng.next() >> 11) / Double(1 << 53) * window
                return (frame, .microseconds(Int64((Double(tick * tickMs) + within) * 1_000)))
            }.sorted { $0.offset < $1.offset }
        }
    }
}
