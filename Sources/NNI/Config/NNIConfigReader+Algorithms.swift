import Foundation
import SystemIO
import Tuner
import Yams

/// Tuners, assessors and advisors: which NNI names labmake runs, with which `classArgs`.
extension NNIConfigReader {
    // MARK: - Tuners, assessors and advisors

    /// What an algorithm entry of the config is.
    enum AlgorithmRole: String { case tuner, assessor, advisor }

    mutating func readAlgorithm(_ entry: Entry, role: AlgorithmRole, version: Int) {
        guard let fields = mapping(entry) else { return }
        let what = role.rawValue
        let tuner = role != .assessor
        let nameKey = version == 1 ? "builtin\(what.prefix(1).uppercased() + what.dropFirst())Name" : "name"
        var keys = version == 1 ? [nameKey, "classArgs", "codeDir", "classFileName", "className"]
            : ["name", "classArgs", "className", "codeDirectory"]
        if tuner { keys += version == 1 ? ["gpuIndices", "gpuNum", "includeIntermediateResults"] : [] }
        var name: (String, Entry)?
        var classArgs: Entry?
        for field in fields {
            switch Self.canonical(field.key) {
            case Self.canonical(nameKey): if let value = string(field) { name = (value, field) }
            case "classargs": classArgs = field
            case "classname", "codedir", "codedirectory", "classfilename":
                refuse(field, "custom \(what)s (\(field.key)) run NNI's own Python classes; labmake runs its built-in \(what)s only")
            case "gpuindices" where tuner, "gpunum" where tuner: ignore(field, under: what)
            case "includeintermediateresults" where tuner:
                if bool(field) == true { refuse(field, "includeIntermediateResults: labmake's tuners learn from final results only") }
            default: unknown(field, among: keys, in: what)
            }
        }
        guard let (value, nameEntry) = name else {
            if !fields.contains(where: { ["classname", "codedir", "codedirectory", "classfilename"].contains(Self.canonical($0.key)) }) {
                add(problem("the \(what) has no \(nameKey)", at: entry.keyNode))
            }
            return
        }
        switch role {
        case .tuner: readTuner(value, nameEntry, classArgs)
        case .assessor: readAssessor(value, nameEntry, classArgs)
        case .advisor: readAdvisor(value, nameEntry, classArgs)
        }
    }

    /// Hyperband (`R`, `eta`, `exec_mode`) and BOHB (`min_budget`, `max_budget`, `eta`; its model's
    /// finer settings are noted as ignored: labmake's BOHB model is its own TPE's).
    mutating func readAdvisor(_ name: String, _ entry: Entry, _ classArgs: Entry?) {
        let lowered = name.lowercased()
        guard let kind = NNIAlgorithms.advisors[lowered] else {
            add(problem("unknown advisor '\(name)'; labmake has Hyperband and BOHB", at: entry.value,
                        hint: NearestName.hint(name, among: ["Hyperband", "BOHB"])))
            return
        }
        config.tuner = kind
        advisorEntry = entry
        let accepted = kind == .hyperband ? NNIAlgorithms.hyperbandClassArgs : NNIAlgorithms.bohbClassArgs + NNIAlgorithms.bohbModelClassArgs
        for argument in self.arguments(classArgs, accepted: accepted, of: name) {
            switch argument.key {
            case "optimize_mode": tunerDirection = optimizeMode(argument)
            case "R", "max_budget": config.fidelity.maxBudget = positiveNumber(argument)
            case "min_budget": config.fidelity.minBudget = positiveNumber(argument)
            case "eta": config.fidelity.eta = int(argument, minimum: 2)
            case "exec_mode":
                switch string(argument)?.lowercased() {
                case "parallelism"?: config.fidelity.serial = false
                case "serial"?: config.fidelity.serial = true
                case let other?: add(problem("exec_mode must be parallelism or serial, found '\(other)'", at: argument.value))
                case nil: break
                }
            default: ignore(argument, under: "advisor.classArgs")
            }
        }
        if kind == .hyperband { config.fidelity.minBudget = 1 }  // NNI's Hyperband starts at a budget of 1
    }

    mutating func readTuner(_ name: String, _ entry: Entry, _ classArgs: Entry?) {
        let lowered = name.lowercased()
        guard let spec = NNIAlgorithms.tuners[lowered] else {
            if NNIAlgorithms.missingTuners.contains(lowered) {
                refuse(entry, "the \(name) tuner is not in labmake; it has \(NNIAlgorithms.tunerNames.joined(separator: ", "))", atValue: true)
            } else {
                add(problem("unknown tuner '\(name)'; NNI's tuners in labmake: \(NNIAlgorithms.tunerNames.joined(separator: ", "))",
                            at: entry.value, hint: NearestName.hint(name, among: NNIAlgorithms.tunerNames)))
            }
            return
        }
        tunerSpec = spec
        config.tuner = spec.kind
        for argument in self.arguments(classArgs, accepted: spec.classArgs, of: name) {
            switch argument.key {
            case "optimize_mode": tunerDirection = optimizeMode(argument)
            case "seed": config.seed = int(argument, minimum: 0).map(UInt64.init)
            case "population_size": config.populationSize = int(argument, minimum: 2)
            default: break
            }
        }
    }

    mutating func readAssessor(_ name: String, _ entry: Entry, _ classArgs: Entry?) {
        let lowered = name.lowercased()
        guard lowered == "medianstop" else {
            if NNIAlgorithms.missingAssessors.contains(lowered) {
                refuse(entry, "the \(name) assessor is not in labmake; it has Medianstop", atValue: true)
            } else {
                add(problem("unknown assessor '\(name)'; labmake has Medianstop", at: entry.value, hint: NearestName.hint(name, among: ["Medianstop"])))
            }
            return
        }
        config.assessor = .medianstop
        for argument in self.arguments(classArgs, accepted: NNIAlgorithms.medianstopClassArgs, of: name) {
            switch argument.key {
            case "optimize_mode": assessorDirection = optimizeMode(argument)
            case "start_step": config.assessorStartStep = int(argument, minimum: 0) ?? 0
            default: break
            }
        }
    }

    /// The `classArgs` entries that labmake honours; a problem for each other one.
    mutating func arguments(_ classArgs: Entry?, accepted: [String], of name: String) -> [Entry] {
        guard let classArgs, let fields = mapping(classArgs) else { return [] }
        var kept: [Entry] = []
        for field in fields {
            if accepted.contains(field.key) {
                kept.append(field)
            } else {
                add(problem("classArgs.\(field.key) of \(name) is not something labmake can honour; it takes \(accepted.joined(separator: ", "))",
                            at: field.keyNode, hint: NearestName.hint(field.key, among: accepted)))
            }
        }
        return kept
    }

    mutating func optimizeMode(_ entry: Entry) -> Direction? {
        guard let mode = string(entry) else { return nil }
        guard let direction = Direction(rawValue: mode.lowercased()) else {
            add(problem("optimize_mode must be maximize or minimize, found '\(mode)'", at: entry.value))
            return nil
        }
        return direction
    }
}
