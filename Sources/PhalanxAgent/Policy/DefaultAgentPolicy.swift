/// The policy an agent runs when its configuration names none: the shipped defaults, as YAML so that
/// `phalanx agent policy show` prints something an operator can copy and edit.
public enum DefaultAgentPolicy {
    public static let yaml = """
        # The shipped agent policy. Rules are tried in order; the first that matches decides.
        name: phalanx-default
        defaults:
          text: allow        # a text no rule matched
          actions: deny      # an action no rule matched: deny by default
        retention_days: 30
        keep_text: false     # the events store keeps digests, not texts
        thresholds:          # the score at which a category counts as present
          prompt_injection: 0.5
          jailbreak: 0.5
          toxicity: 0.5
          secret_exfiltration: 0.85
          pii_exfiltration: 0.8
          obfuscation: 0.95
        rules:
          - id: block-prompt-attacks
            direction: input
            categories: [prompt_injection, jailbreak]
            then: deny
            reason: prompt injection or jailbreak in the input
          - id: block-harmful-requests
            direction: input
            categories: [toxicity]
            then: deny
            reason: a harmful or abusive request
          - id: escalate-secrets-in-input
            direction: input
            categories: [secret_exfiltration]
            then: escalate
            reason: a credential pasted into a prompt would leave the organization; a human decides
          - id: redact-leaks-in-output
            direction: output
            categories: [secret_exfiltration, pii_exfiltration]
            then: redact
            reason: credentials or personal data in the model's output are redacted
          - id: block-toxic-output
            direction: output
            categories: [toxicity, jailbreak]
            then: deny
            reason: harmful content or a jailbroken persona in the model's output
          - id: block-hidden-text
            categories: [obfuscation]
            then: deny
            reason: text disguised with invisible characters, look-alike letters or encoded payloads
          - id: escalate-destructive-actions
            actions: ["*.delete*", "*.drop*", "payments.*", "*.transfer*"]
            then: escalate
            reason: destructive or financial actions need a human's approval
          - id: allow-read-actions
            actions: ["*.read*", "*.get*", "*.list*", "search*"]
            then: allow
            when_restricted: allow
            reason: read-only actions
        """

    /// The parsed default policy.
    public static let policy: AgentPolicy = {
        do {
            return try AgentPolicyLoader.load(Array(yaml.utf8), file: "default agent policy")
        } catch {
            // The default is a constant checked by the tests; failing to parse it is a build defect.
            preconditionFailure("the shipped agent policy does not parse: \(error)")
        }
    }()
}
