import Pipeline

/// The JSON that `--json` prints, built from ``ConfigValue`` so that it is canonical.
enum JSONOutput {
    static func stage(_ outcome: StageOutcome) -> ConfigValue {
        var fields: [String: ConfigValue] = [
            "name": .string(outcome.name),
            "status": .string(outcome.status.rawValue),
            "seconds": .double((outcome.seconds * 1000).rounded() / 1000),
            "reasons": .array(outcome.reasons.map { .string($0) }),
        ]
        if let error = outcome.error { fields["error"] = .string(error) }
        return .object(fields)
    }

    static func run(_ summary: RunSummary) -> String {
        ConfigValue.object([
            "ok": .bool(summary.ok),
            "interrupted": .bool(summary.interrupted),
            "stages": .array(summary.outcomes.map(stage)),
        ]).canonicalJSON
    }
}
