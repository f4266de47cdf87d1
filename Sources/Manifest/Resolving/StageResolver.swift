import Pipeline
import SystemIO
import Yams
import Foundation

/// A resolved stage and the nodes it came from, so that checks can point at the file.
struct ResolvedStage {
    var definition: StageDefinition
    var raw: RawStage
    /// The option that named each dependency not listed in `deps:` (a kind's option dependencies).
    var optionOfDependency: [String: String] = [:]
}

/// Binds parameters (pipeline `params` < a stage's own values < `--set`), expands matrices and
/// interpolates `${params.NAME}` into commands and paths.
struct StageResolver {
    let reader: NodeReader
    let kinds: StageKindRegistry
    let pipelineParams: [(String, ConfigValue, Node)]
    let overrides: [Override]

    func resolve(_ stages: [RawStage]) -> (params: [String: ConfigValue], stages: [ResolvedStage]) {
        var params: [String: ConfigValue] = [:]
        for (name, value, _) in pipelineParams { params[name] = value }
        var setParams: [String: ConfigValue] = [:]
        let ownNames = Set(stages.flatMap { stage -> [String] in
            if case .values(let values) = stage.params { return values.map(\.0) }
            return []
        })
        for o in overrides {
            guard case .parameter(let name) = o.target else { continue }
            guard params[name] != nil || ownNames.contains(name) else {
                let known = Array(Set(params.keys).union(ownNames)).sorted()
                reader.error("--set \(o.text): no parameter named '\(name)'; known parameters: \(known.joined(separator: ", "))",
                             at: nil as SourceLocation?, hint: NearestName.hint(name, among: known))
                continue
            }
            setParams[name] = o.value
            if params[name] != nil { params[name] = o.value }
        }

        var resolved: [ResolvedStage] = []
        var expansions: [String: [String]] = [:]
        var expanded = 0
        for raw in stages {
            // Count before expanding: a matrix of nine keys with ten values each is a billion stages.
            let count = raw.matrix.reduce(1) { product, axis in product.multipliedReportingOverflow(by: axis.1.count).partialValue > ExpansionLimits.maximumStages
                ? ExpansionLimits.maximumStages + 1 : product * axis.1.count }
            expanded += count
            guard expanded <= ExpansionLimits.maximumStages else {
                let at = raw.matrix.first.map { reader.location($0.2) }
                reader.error("the matrix of stage '\(raw.name)' makes \(count > ExpansionLimits.maximumStages ? "more than \(ExpansionLimits.maximumStages)" : String(count)) stages; "
                             + "a pipeline may have at most \(ExpansionLimits.maximumStages) stages", at: at)
                break
            }
            for combination in combinations(raw.matrix) {
                guard let stage = resolve(raw, combination, params: params, setParams: setParams) else { continue }
                expansions[raw.name, default: []].append(stage.name)
                resolved.append(ResolvedStage(definition: stage, raw: raw))
            }
        }
        for i in resolved.indices {
            resolved[i].definition.needs = resolved[i].definition.needs.flatMap { name in
                expansions[name].map { $0 == [name] ? [name] : $0 } ?? [name]
            }
        }
        applyStageOptions(&resolved, expansions: expansions)
        addOptionDependencies(&resolved)
        return (params, resolved)
    }

    private func resolve(_ raw: RawStage, _ combination: [(String, ConfigValue)], params: [String: ConfigValue],
                         setParams: [String: ConfigValue]) -> StageDefinition? {
        let kindName = raw.uses?.0 ?? StageDefinition.commandKind
        let kind = kinds[kindName]
        var values: [String: ConfigValue] = [:]
        if let kind, kind.parameterUse == .all { values = params }
        switch raw.params {
        case .names(let names):
            for (name, node) in names {
                if let value = params[name] {
                    values[name] = value
                } else {
                    reader.error("stage '\(raw.name)' reads parameter '\(name)', which 'params:' at the top does not define",
                                 at: node, hint: NearestName.hint(name, among: Array(params.keys)))
                }
            }
        case .values(let own):
            for (name, value, _) in own { values[name] = setParams[name] ?? value }
        }
        for (name, value) in combination { values[name] = value }

        let suffix = combination.map { "\($0.0)=\($0.1.interpolated)" }.joined(separator: ",")
        let name = combination.isEmpty ? raw.name : raw.name + "@" + suffix
        func interpolate(_ item: (String, Node), _ what: String) -> String {
            interpolateParams(item.0, values, stage: raw.name, what: what, node: item.1)
        }
        return StageDefinition(
            name: name, kind: kindName,
            command: raw.command.map { interpolate($0, "cmd") },
            params: values,
            with: Dictionary(uniqueKeysWithValues: (raw.with ?? []).map { ($0.0.key, $0.1) }),
            deps: raw.deps.map { interpolate($0, "deps") },
            outs: raw.outs.isEmpty ? (kind?.defaultOutputs(stageName: name) ?? []) : raw.outs.map { interpolate($0, "outs") },
            needs: raw.needs.map(\.0),
            location: reader.location(raw.nameNode),
            executor: raw.executor)
    }

    /// Replaces `${params.NAME}` with the parameter's value as it is, and `${params.NAME:q}` with the value
    /// quoted for `/bin/sh` (one word, whatever it holds); other `${…}` are left to the shell.
    private func interpolateParams(_ text: String, _ values: [String: ConfigValue], stage: String, what: String,
                                   node: Node) -> String {
        guard text.utf8.contains(UInt8(ascii: "$")), text.contains("${params.") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${params.") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                reader.error("unterminated '${params.' in \(what) of stage '\(stage)'; expected ${params.NAME}", at: node)
                return text
            }
            let written = String(rest[start.upperBound..<end])
            let quoted = written.hasSuffix(":q")
            let name = quoted ? String(written.dropLast(2)) : written
            if let value = values[name] {
                result += quoted ? value.interpolated.shellQuoted : value.interpolated
            } else {
                let hint = NearestName.hint(name, among: Array(values.keys))
                    ?? "list it in the stage's params: [\(name)]"
                reader.error("\(what) of stage '\(stage)' uses ${params.\(name)}, but the stage reads no parameter '\(name)'",
                             at: node, hint: hint)
            }
            rest = rest[end...].dropFirst()
        }
        return result + rest
    }

    /// Every combination of matrix values, in file order; one empty combination without a matrix.
    private func combinations(_ matrix: [(String, [ConfigValue], Node)]) -> [[(String, ConfigValue)]] {
        matrix.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.1.map { prefix + [(axis.0, $0)] } }
        }
    }

    /// Appends the paths a kind's options name to the stage's dependencies.
    private func addOptionDependencies(_ stages: inout [ResolvedStage]) {
        for i in stages.indices {
            guard let kind = kinds[stages[i].definition.kind], !stages[i].definition.isCommand else { continue }
            for dependency in kind.optionDependencies(stages[i].definition) {
                let path = PathRules.normalized(dependency.path)
                guard !stages[i].definition.deps.map(PathRules.normalized).contains(path) else { continue }
                stages[i].definition.deps.append(dependency.path)
                stages[i].optionOfDependency[dependency.path] = dependency.option
            }
        }
    }

    private func applyStageOptions(_ stages: inout [ResolvedStage], expansions: [String: [String]]) {
        for o in overrides {
            guard case .stageOption(let stageName, let key) = o.target else { continue }
            let names = expansions[stageName] ?? [stageName]
            let indices = stages.indices.filter { names.contains(stages[$0].definition.name) }
            guard !indices.isEmpty else {
                reader.error("--set \(o.text): no stage named '\(stageName)'", at: nil as SourceLocation?,
                             hint: NearestName.hint(stageName, among: Array(expansions.keys)))
                continue
            }
            for i in indices {
                guard !stages[i].definition.isCommand else {
                    reader.error("--set \(o.text): stage '\(stageName)' is a command stage and has no options; use --set NAME=VALUE for a parameter",
                                 at: nil as SourceLocation?)
                    break
                }
                stages[i].definition.with[key] = o.value
            }
        }
    }
}
