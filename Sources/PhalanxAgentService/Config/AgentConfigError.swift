import PhalanxCore

/// An `agent.yaml` (or a file it points at) that cannot be used: where — file and line when known — and what is wrong.
public typealias AgentConfigError = ConfigError
