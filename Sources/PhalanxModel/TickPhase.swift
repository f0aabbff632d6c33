/// The micro-steps of one tick, in the order `FederationRun` drives them: the nodes step (each drains its
/// inbox, advances and emits a frame), the aggregator steps, the control plane collects (seals the frames,
/// evaluates the predicates, signs commands or the clearance), every node and the aggregator handle their
/// commands, and the control plane settles (gathers acks, retries or escalates, commits the audit block).
///
/// The nodes never talk to each other, so their steps within a tick commute and are taken as one synchronous
/// step; so are the participants' command phases.
enum TickPhase: Int, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case nodeSteps, aggregatorStep, collect, commands, settle

    var description: String {
        switch self {
        case .nodeSteps: "nodes step"
        case .aggregatorStep: "aggregator step"
        case .collect: "control collects"
        case .commands: "participants handle commands"
        case .settle: "control settles"
        }
    }
}
