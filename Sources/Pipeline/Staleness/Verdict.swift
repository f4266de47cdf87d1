/// The judgement of one stage before anything is done to it.
public enum Verdict: Sendable {
    /// Nothing it reads or writes changed: its outputs are these.
    case upToDate(ContentMap)
    /// It must run (or be restored), for these reasons, in ``Scan``'s order; its outputs are now `current`.
    case stale(StageFingerprint, [StaleReason], current: ContentMap)
}

extension Scan {
    /// The one verdict `run`, `run --dry-run` and `status` all reach on a stage.
    ///
    /// In order: `--force` makes it stale; else, when no upstream stage is stale and its stat signature
    /// matches its record (nothing it reads or writes changed, by `stat`), it is up to date without
    /// reading a byte; else its content is compared with its record (``reasons(current:outputs:previous:)``),
    /// and upstream stages that are stale (in a dry run, where they do not run first) are reasons too.
    ///
    /// - Parameters:
    ///   - signatureMatches: the stat signature equals the recorded one.
    ///   - recordedOutputs: the outputs of its record, when the signature matches.
    ///   - measure: the stage's fingerprint and current outputs, computed only when needed.
    ///   - previous: its record, read only when needed.
    public static func verdict(force: Bool, upstreamStale: [String], signatureMatches: Bool, recordedOutputs: ContentMap?,
                               measure: () throws -> (StageFingerprint, ContentMap),
                               previous: () throws -> StageRecord?) rethrows -> Verdict {
        if !force, upstreamStale.isEmpty, signatureMatches, let recordedOutputs { return .upToDate(recordedOutputs) }
        let (fingerprint, current) = try measure()
        var reasons = force ? [.forced] : reasons(current: fingerprint, outputs: current, previous: try previous())
        reasons += upstreamStale.map { .upstreamStale(stage: $0) }
        return reasons.isEmpty ? .upToDate(current) : .stale(fingerprint, reasons, current: current)
    }
}
