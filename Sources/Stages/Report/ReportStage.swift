import Foundation
import Pipeline
import Report
import Tuner
import SystemIO

/// The `report` kind: the lab report in Markdown, with SVG charts beside it, from the outputs of the
/// lab's stages.
///
/// Options (`with:`): `templates` — Mustache templates (the first renders to `REPORT.md`, a template
/// named `NAME.LANG.md` to `REPORT.LANG.md`); `title` (default: named after the dataset, "Fashion-MNIST AutoML lab
/// report"); `data`, `sweep`, `tune`, `retrain` — the
/// output folders of those stages, each optional; `notes` — a Markdown file of the lab's notes (the
/// dashboard edits it), rendered in the report's notes section. Every one of them is a dependency, so
/// editing a template or a note reruns the report alone.
public struct ReportStage: StageKind {
    public let name = "report"
    public let version = "1"
    public var optionNames: [String]? { ["templates", "title", "data", "sweep", "tune", "retrain", "notes"] }

    public init() {}

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency] {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        return options.templates.map { StageOptionDependency(option: "templates", path: $0) }
            + options.inputs.map { StageOptionDependency(option: $0.key, path: $0.value) }.sorted { $0.option < $1.option }
            + (options.notes.map { [StageOptionDependency(option: "notes", path: $0)] } ?? [])
    }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        if options.templates.isEmpty && problems.isEmpty {
            problems.append(.init(option: "templates", message: "is required: the Markdown templates to render, e.g. [../templates/lab-report.md]"))
        }
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        guard problems.isEmpty else { throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; ")) }
        try? StageDevice.activate(context.settings.device, log: { _ in })
        var model = try ReportInputs(root: context.workspaceRoot, fileSystem: context.fileSystem, folders: options.inputs)
            .model(title: options.title, environment: MachineDescription.environment(device: context.settings.device,
                                                                                     labmakeVersion: LabmakeVersion.current),
                   pipeline: context.pipeline, reportStage: stage.name)
        if let notes = options.notes {
            let path = context.workspaceRoot + "/" + PathRules.normalized(notes)
            do { model.notes = try context.fileSystem.readText(path) } catch { throw StageFailure("cannot read the notes \(notes): \(error)") }
        }
        let report = LabReport(model)
        let folder = context.workspaceRoot + "/" + PathRules.normalized(stage.outs.first ?? stage.name)
        try context.fileSystem.createDirectory(folder)
        for (index, template) in options.templates.enumerated() {
            let path = context.workspaceRoot + "/" + PathRules.normalized(template)
            let text: String
            do { text = try context.fileSystem.readText(path) } catch { throw StageFailure("cannot read the template \(template): \(error)") }
            let markdown: String
            do { markdown = try report.markdown(template: text) } catch { throw StageFailure("\(template): \(error)") }
            let name = Self.reportName(template: template, first: index == 0)
            try context.fileSystem.writeText(folder + "/" + name, markdown)
            context.output("\(stage.name): wrote \(PathRules.normalized(stage.outs.first ?? stage.name))/\(name)")
        }
        for (name, svg) in report.charts.sorted(by: { $0.key < $1.key }) { try context.fileSystem.writeText(folder + "/" + name, svg) }
    }

    /// `REPORT.md` for the first template; `REPORT.zh.md` for `lab-report.zh.md`, `REPORT.NAME.md` otherwise.
    static func reportName(template: String, first: Bool) -> String {
        let file = URL(fileURLWithPath: template).lastPathComponent
        let parts = file.split(separator: ".")
        if parts.count >= 3 { return "REPORT.\(parts[parts.count - 2]).md" }
        return first ? "REPORT.md" : "REPORT.\(parts.first ?? "other").md"
    }

    struct Options {
        var templates: [String] = []
        /// nil: named after the dataset (``ReportInputs/defaultTitle(dataset:)``).
        var title: String?
        var inputs: [String: String] = [:]
        /// The notes file, relative to the workspace.
        var notes: String?

        init(_ with: [String: ConfigValue], problems: inout [StageOptionProblem]) {
            let reader = OptionReader(with)
            switch with["templates"] {
            case nil: break
            case .string(let s)?: templates = [s]
            case .array(let items)? where !items.isEmpty && items.allSatisfy({ if case .string = $0 { true } else { false } }):
                templates = items.map(\.interpolated)
            case let other?: problems.append(.init(option: "templates", message: "must be a list of template files, found \(other)"))
            }
            title = reader.string("title", &problems)
            for key in ["data", "sweep", "tune", "retrain"] { inputs[key] = reader.string(key, &problems) }
            notes = reader.string("notes", &problems)
        }
    }
}
