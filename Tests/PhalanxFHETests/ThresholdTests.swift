import Testing
import _TestSupport

@testable import PhalanxFHE

@Suite("t-out-of-N keys (Shamir sharing of the key shares)")
struct ThresholdTests {
    /// Five parties run CKG, then each Shamir-shares its key share with threshold `t`.
    static func thresholdFederation(t: Int) throws -> (Federation, [ThresholdSecretShare]) {
        let federation = try Federation(parties: 5)
        let sharing = try ThresholdKeySharing(context: federation.context, threshold: t)
        let points: [UInt64] = [1, 2, 3, 4, 5]
        let dealt = try federation.secrets.map { try sharing.deal($0, to: points) }
        let shares = try points.map { point in try sharing.combine(point: point, received: dealt.map { $0[point]! }) }
        return (federation, shares)
    }

    func decrypt(
        _ ciphertext: Ciphertext, with active: [ThresholdSecretShare], federation: Federation
    ) throws -> [UInt64] {
        let points = active.map(\.point)
        let cks = CollectiveKeySwitch(context: federation.context, parties: active.count)
        let shares = try active.map {
            try cks.decryptionShare(secret: try $0.activeSecret(among: points), ciphertext: ciphertext)
        }
        return federation.encoder.decode(try cks.decrypt(ciphertext, shares: shares))
    }

    @Test("3 of 5: any three parties decrypt the collective key's ciphertexts; two cannot")
    func threeOfFive() throws {
        let (federation, shares) = try Self.thresholdFederation(t: 3)
        let values: [UInt64] = [3, 1, 4, 1, 5, 9, 2, 6]
        let ciphertext = try federation.encryptor.encrypt(try federation.encoder.encode(values))
        for subset in [[0, 1, 2], [0, 2, 4], [1, 3, 4], [0, 1, 2, 3, 4]] {
            let decrypted = try decrypt(ciphertext, with: subset.map { shares[$0] }, federation: federation)
            #expect(Array(decrypted.prefix(8)) == values, "parties \(subset)")
        }
        #expect(throws: FHEError.self) { try shares[0].activeSecret(among: [1, 2]) }
        #expect(throws: FHEError.self) { try shares[0].activeSecret(among: [2, 3, 4]) }
        // Two parties pretending to be enough (their shares weighted as if the third were there) yield garbage.
        let cks = CollectiveKeySwitch(context: federation.context, parties: 2)
        let partial = try [shares[0], shares[1]].map {
            try cks.decryptionShare(secret: try $0.activeSecret(among: [1, 2, 3]), ciphertext: ciphertext)
        }
        #expect(Array(federation.encoder.decode(try cks.decrypt(ciphertext, shares: partial)).prefix(8)) != values)
    }

    @Test("a threshold set refreshes a ciphertext, and the refreshed one decrypts with another set")
    func refreshWithThreshold() throws {
        let (federation, shares) = try Self.thresholdFederation(t: 2)
        let context = federation.context
        let values: [UInt64] = [10, 20, 30]
        let ciphertext = try federation.encryptor.encrypt(try federation.encoder.encode(values))
        let active = [shares[1], shares[3]]
        let refresh = CollectiveRefresh(
            context: context,
            crp: CommonRandomPolynomial.derive(context: context, seed: [7], label: "threshold-refresh"),
            parties: 2)
        let refreshed = try refresh.combine(
            ciphertext,
            shares: try active.map {
                try refresh.share(secret: try $0.activeSecret(among: active.map(\.point)), ciphertext: ciphertext)
            })
        #expect(
            Array(try decrypt(refreshed, with: [shares[0], shares[4]], federation: federation).prefix(3)) == values)
    }

    @Test("bad points and thresholds are refused")
    func refusals() throws {
        let context = BFVContext(multipartyTestParameters)
        #expect(throws: FHEError.self) { try ThresholdKeySharing(context: context, threshold: 0) }
        let sharing = try ThresholdKeySharing(context: context, threshold: 3)
        let secret = SecretKey(context: context)
        #expect(throws: FHEError.self) { try sharing.deal(secret, to: [1, 2]) }
        #expect(throws: FHEError.self) { try sharing.deal(secret, to: [1, 1, 2]) }
        #expect(throws: FHEError.self) { try sharing.deal(secret, to: [0, 1, 2]) }
        #expect(throws: FHEError.self) { try sharing.combine(point: 1, received: []) }
    }
}
