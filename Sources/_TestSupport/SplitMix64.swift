// The seeded generator of the test targets' random cases is Core's SplitMix64, re-exported so that a test needs
// only `import _TestSupport`.
@_exported import PhalanxCore
