/// The guard-rail policy shipped with Phalanx, embedded so the binary needs no files.
/// `phalanx guardrails init FILE` writes it out for editing.
public enum DefaultPolicy {
    public static let fileName = "guardrails.yaml (embedded default)"

    public static let text = """
        # Phalanx default guard-rail policy. Format: docs/guardrails.md.
        # Only the predicates whose metric keys the job's execution provider emits are enabled for a job.
        version: "2026.12-1"
        parameters:
          maxContributionL1: 250   # equals the counting plug-in's clip_l1 bound
          maxLagMs: 5000
          epsilonLimit: 1.0
          noiseFloorBits: 20
          maxMissedTicks: 5        # ticks in a row without a frame before a node is taken out of the job
          maxClipRatio: 10         # a node's vector at most 10 times the L2 norm its plug-in clips it to
        predicates:
          - id: contribution-bound
            description: a participant's per-round contribution exceeds the declared L1 bound (clipping failed or was skipped)
            expr: max(contributionL1) > params.maxContributionL1
            severity: critical
            command: A-ABORT_JOB
          - id: straggler
            description: a participant's frame lags far behind the tick
            expr: any(lagMs > params.maxLagMs)
            severity: warning
            command: A-OBSERVE
          - id: dp-budget
            description: a node's privacy loss in this job exceeds the limit, or its next release would (seed 003, scenario B)
            expr: max(epsilonSpent) > params.epsilonLimit or max(epsilonNext) > params.epsilonLimit
            severity: critical
            command: A-ABORT_JOB
          - id: noise-floor
            description: a ciphertext noise budget is about to fall below the floor (seed 003, scenario A)
            expr: min(forecast.noiseBits) < params.noiseFloorBits
            severity: warning
            command: A-BOOTSTRAP
          - id: unresponsive
            description: a node sent no frame for maxMissedTicks ticks in a row (it crashed, was killed or is cut off); it is isolated so the job completes without it (secure aggregation's dropout path)
            expr: any(missedTicks >= params.maxMissedTicks)
            severity: critical
            command: A-ISOLATE_PARTY
          - id: update-norm
            description: a node's vector (a model update) was far longer than the norm its plug-in clips it to — boosted to outweigh the others, or broken; the node is isolated and the round completes without it
            expr: any(clipRatioL2 > params.maxClipRatio)
            severity: critical
            command: A-ISOLATE_PARTY
          - id: malformed-share
            description: a participant sent a share that failed verification (seed 003, scenario C)
            expr: any(invalidShares > 0)
            severity: critical
            command: A-ISOLATE_PARTY
        """

    public static func bytes() -> [UInt8] { Array(text.utf8) }

    public static func load() throws -> GuardrailPolicy {
        try GuardrailPolicyLoader.load(bytes(), file: fileName)
    }
}
