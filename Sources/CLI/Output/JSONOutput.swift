import Pipeline

/// The JSON that `--json` prints, built from ``ConfigValue`` so that it is canonical.
enum JSONOutput {
    static func stage(_ outcome: StageOutcome) -> ConfigValue {
        var fields: [String: ConfigValue] = [
            "name": .string(outcome.name),
            "status": .string(outcome.status.rawValue),
            "seconds": .double((outcome.seconds * 1000).rounded() / 1000),
            "reasons": .array(outcome.reasons.map { .string($0) }),
            "why": why(outcome),
        ]
        if let error = outcome.error { fields["error"] = .string(error) }
        return .object(fields)
    }

    /// The reasons as data: `{"reason": "dependency_changed", "path": "obj.py", "text": "dep obj.py changed"}`;
    /// a skipped stage's is `{"reason": "skipped", "text": …}`.
    static func why(_ outcome: StageOutcome) -> ConfigValue {
        if let skip = outcome.skipReason {
            return .array([.object(["reason": .string("skipped"), "text": .string(skip.description)])])
        }
        return .array(outcome.staleReasons.map { reason in
            var fields = reason.details.mapValues(ConfigValue.string)
            fields["reason"] = .string(reason.code)
            fields["text"] = .string(reason.description)
            return .object(fields)
        })
    }

    static func run(_ summary: RunSummary) -> String {
        ConfigValue.object([
            "ok": .bool(summary.ok),
            "interrupted": .bool(summary.interrupted),
            "stages": .array(summary.outcomes.map(stage)),
        ]).canonicalJSON
    }
}
