import Pipeline
import SystemIO
import Yams

/// The checks that need the whole pipeline: kinds and their options, stage names, `needs`, outputs
/// (inside the workspace, written by one stage), dependencies (a file or some stage's output), cycles.
struct PipelineValidator {
    let reader: NodeReader
    let kinds: StageKindRegistry
    let fileSystem: any FileSystem
    let workspaceRoot: String

    /// The pipeline's graph, or nil when a diagnostic was reported.
    func validate(_ stages: [ResolvedStage]) -> Graph? {
        let names = stages.map(\.definition.name)
        var seen: [String: Node] = [:]
        for stage in stages {
            let raw = stage.raw, definition = stage.definition
            if seen[definition.name] != nil {
                reader.error("two stages are named '\(definition.name)'", at: raw.nameNode)
            }
            seen[definition.name] = raw.nameNode
            checkName(raw)
            checkKind(stage)
            for (need, node) in raw.needs where !names.contains(need) && !names.contains(where: { $0.hasPrefix(need + "@") }) {
                reader.error("stage '\(raw.name)' needs '\(need)', but no stage has that name", at: node,
                             hint: NearestName.hint(need, among: names))
            }
            if raw.needs.contains(where: { $0.0 == raw.name }) {
                reader.error("stage '\(raw.name)' needs itself", at: raw.needs.first { $0.0 == raw.name }!.1)
            }
        }
        checkOutputs(stages)
        checkDependencies(stages)
        guard reader.diagnostics.isEmpty else { return nil }
        do {
            return try Graph(stages.map(\.definition))
        } catch {
            switch error {
            case .cycle(let cycle):
                let first = stages.first { $0.definition.name == cycle[0] }
                reader.error("the stages form a cycle: \((cycle + [cycle[0]]).joined(separator: " → ")); a pipeline must be acyclic",
                             at: first.map { reader.location($0.raw.nameNode) })
            case .unknownStage(let name, let neededBy):
                reader.error("stage '\(neededBy)' needs '\(name)', but no stage has that name", at: nil as SourceLocation?)
            }
            return nil
        }
    }

    private func checkName(_ raw: RawStage) {
        let allowed = raw.name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
        }
        if !allowed || raw.name.isEmpty || raw.name.hasPrefix(".") {
            reader.error("'\(raw.name)' is not a valid stage name; use letters, digits, '_', '-' and '.'", at: raw.nameNode)
        }
    }

    private func checkKind(_ stage: ResolvedStage) {
        let raw = stage.raw
        switch (raw.command, raw.uses) {
        case (nil, nil):
            reader.error("stage '\(raw.name)' has neither 'cmd:' (a shell command) nor 'uses:' (a built-in kind)",
                         at: raw.nameNode, hint: builtInKinds.isEmpty ? nil : "built-in kinds: \(builtInKinds.joined(separator: ", "))")
        case (_?, let uses?):
            reader.error("stage '\(raw.name)' has both 'cmd:' and 'uses:'; a stage is either a command or a built-in kind", at: uses.1)
        case (_?, nil):
            if let withNode = raw.withNode {
                reader.error("stage '\(raw.name)' is a command stage; 'with:' is for built-in kinds (pass values with 'params:')", at: withNode)
            }
        case (nil, let uses?):
            guard let kind = kinds[uses.0], uses.0 != StageDefinition.commandKind else {
                reader.error("stage '\(raw.name)' uses '\(uses.0)', which is not a stage kind; known kinds: \(builtInKinds.joined(separator: ", "))",
                             at: uses.1, hint: NearestName.hint(uses.0, among: builtInKinds))
                return
            }
            if let options = kind.optionNames {
                reader.checkKeys((raw.with ?? []).map(\.0), allowed: options, in: "with of stage '\(raw.name)' (kind \(kind.name))")
            }
            for problem in kind.validate(stage.definition) {
                let node = raw.with?.first { $0.0.key == problem.option }?.0.value ?? raw.withNode ?? raw.nameNode
                reader.error("stage '\(raw.name)': with.\(problem.option): \(problem.message)", at: node)
            }
        }
    }

    private var builtInKinds: [String] { kinds.names.filter { $0 != StageDefinition.commandKind } }

    private func checkOutputs(_ stages: [ResolvedStage]) {
        var owners: [String: (stage: String, node: Node)] = [:]
        for stage in stages {
            for (index, out) in stage.definition.outs.enumerated() {
                let node = index < stage.raw.outs.count ? stage.raw.outs[index].1 : stage.raw.nameNode  // a kind's default output
                let path = PathRules.normalized(out)
                if PathRules.isOutsideWorkspace(out) {
                    reader.error("output '\(out)' of stage '\(stage.definition.name)' is outside the workspace; outputs must be relative paths inside it", at: node)
                } else if path == ".labmake" || path.hasPrefix(".labmake/") {
                    reader.error("output '\(out)' of stage '\(stage.definition.name)' is inside .labmake/, which labmake owns", at: node)
                } else if let owner = owners[path] {
                    reader.error(owner.stage == stage.definition.name
                                 ? "stage '\(owner.stage)' lists output '\(out)' twice"
                                 : "output '\(out)' is written by two stages: '\(owner.stage)' (\(reader.location(owner.node))) and '\(stage.definition.name)'",
                                 at: node)
                } else {
                    owners[path] = (stage.definition.name, node)
                }
            }
        }
        for (inner, outer) in OutputIndex(stages.map(\.definition)).nestedOutputs() {
            guard let innerOwner = owners[inner], let outerOwner = owners[outer] else { continue }
            reader.error("output '\(inner)' of stage '\(innerOwner.stage)' lies inside output '\(outer)' of stage '\(outerOwner.stage)'; outputs must not overlap",
                         at: innerOwner.node)
        }
    }

    private func checkDependencies(_ stages: [ResolvedStage]) {
        let producersIndex = OutputIndex(stages.map(\.definition))
        for (position, stage) in stages.enumerated() {
            for (index, dep) in stage.definition.deps.enumerated() {
                let node = index < stage.raw.deps.count ? stage.raw.deps[index].1
                    : stage.raw.with?.first { $0.0.key == stage.optionOfDependency[dep] }?.0.value ?? stage.raw.withNode ?? stage.raw.nameNode
                let path = PathRules.normalized(dep)
                let producers = producersIndex.stages(overlapping: path)
                if producers.contains(position) {
                    reader.error("stage '\(stage.definition.name)' both reads and writes '\(dep)'; a stage cannot depend on its own output", at: node)
                    continue
                }
                if producers.isEmpty {
                    let absolute = dep.hasPrefix("/") ? dep : workspaceRoot + "/" + path
                    if !fileSystem.exists(absolute), let option = stage.optionOfDependency[dep] {
                        reader.error("stage '\(stage.definition.name)': with.\(option): '\(dep)' is neither an existing file nor an output of any stage",
                                     at: node, hint: NearestName.hint(path, among: stages.flatMap(\.definition.outs)))
                    } else if !fileSystem.exists(absolute) {
                        reader.error("dependency '\(dep)' of stage '\(stage.definition.name)' is neither an existing file nor an output of any stage",
                                     at: node, hint: NearestName.hint(path, among: stages.flatMap(\.definition.outs)))
                    }
                }
            }
        }
    }
}
