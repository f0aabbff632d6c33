import Foundation
import PhalanxAgent
import PhalanxCore

/// What the agent takes from the federation section of `agent.yaml`: the keys it trusts, who its operators are, and
/// the signed bounds on its policy — checked with the control plane's key before anything in them is used.
struct FederationTrust {
    var roster: FederationRoster
    var operators: Set<ParticipantID>
    var policy: FederationAgentPolicy?
    /// The node whose heartbeats count as contact (never its commands).
    var heartbeatRelays: FederationRoster?

    static func load(_ federation: AgentConfig.Federation?) throws(AgentServerError) -> FederationTrust {
        guard let federation else {
            // No control plane and no operators: every command is refused (there is no one to trust).
            return FederationTrust(roster: emptyRoster, operators: [], policy: nil, heartbeatRelays: nil)
        }
        var identities: [PublicIdentity] = []
        var control: PublicIdentity?
        if let path = federation.controlKey {
            let identity = try publicKey(path)
            guard identity.role == .control else {
                throw AgentServerError(
                    file: path, message: "control_key is the key of a \(identity.role), not of the control plane")
            }
            control = identity
            identities.append(identity)
        }
        var operators: Set<ParticipantID> = []
        for path in federation.operatorKeys {
            let identity = try publicKey(path)
            guard identity.role == .operator else {
                throw AgentServerError(
                    file: path, message: "operator_keys holds the key of a \(identity.role), not of an operator")
            }
            operators.insert(identity.id)
            identities.append(identity)
        }
        let roster: FederationRoster
        do { roster = try FederationRoster(identities) } catch {
            throw AgentServerError(file: federation.operatorKeys.last ?? "federation", message: error.description)
        }
        var policy: FederationAgentPolicy?
        if let path = federation.policy, let control {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AgentServerError(file: path, message: "cannot read the federation's agent policy")
            }
            let envelope: Signed<FederationAgentPolicy>
            do { envelope = try JSONDecoder().decode(Signed<FederationAgentPolicy>.self, from: data) } catch {
                throw AgentServerError(
                    file: path, message: "not a JSON Signed<FederationAgentPolicy> envelope: \(error)")
            }
            do { policy = try envelope.verify(with: control).value } catch {
                throw AgentServerError(file: path, message: "the federation's agent policy does not verify: \(error)")
            }
        }
        var relays: FederationRoster?
        if let path = federation.nodeKey {
            let identity = try publicKey(path)
            guard identity.role == .node else {
                throw AgentServerError(file: path, message: "node_key is the key of a \(identity.role), not of a node")
            }
            do { relays = try FederationRoster([identity]) } catch {
                throw AgentServerError(file: path, message: error.description)
            }
        }
        return FederationTrust(roster: roster, operators: operators, policy: policy, heartbeatRelays: relays)
    }

    // An empty list has no duplicates.
    static let emptyRoster = try! FederationRoster([])

    static func publicKey(_ path: String) throws(AgentServerError) -> PublicIdentity {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentServerError(file: path, message: "cannot read the public key file")
        }
        do { return try KeyFile.parsePublicKey(Array(data)) } catch {
            throw AgentServerError(file: path, line: error.line, message: error.message)
        }
    }
}
