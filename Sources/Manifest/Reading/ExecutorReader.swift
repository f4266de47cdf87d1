import Foundation
import Pipeline
import SystemIO
import Yams

/// Reads `executor:` and `slurm:` — in `settings:` and in a stage — checking each sbatch option's type
/// at its line and column.
struct ExecutorReader {
    let reader: NodeReader

    /// `executor: local | slurm`.
    func kind(_ node: Node, _ what: String) -> ExecutorSetting.Kind? {
        guard let text = reader.string(node, what) else { return nil }
        guard let kind = ExecutorSetting.Kind(rawValue: text) else {
            reader.error("\(what) must be \(ExecutorSetting.Kind.allCases.map(\.rawValue).joined(separator: " or ")), found '\(text)'", at: node,
                         hint: NearestName.hint(text, among: ExecutorSetting.Kind.allCases.map(\.rawValue)))
            return nil
        }
        return kind
    }

    /// `slurm: { partition: gpu, gpus: 1, time: "2:00:00", … }`.
    func slurm(_ node: Node, _ what: String) -> [String: ConfigValue] {
        guard let entries = reader.mapping(node, what) else { return [:] }
        reader.checkKeys(entries, allowed: ExecutorSetting.slurmKeys, in: what)
        var options: [String: ConfigValue] = [:]
        for entry in entries {
            let name = "\(what).\(entry.key)"
            let value = reader.value(entry.value)
            switch entry.key {
            case "partition", "account", "qos", "gres":
                if let text = reader.string(entry.value, name) { options[entry.key] = word(text, name, entry.value) }
            case "memory":
                // `16G`, `4000M`, or a bare number of megabytes as sbatch takes it.
                switch value {
                case .int(let megabytes)? where megabytes > 0: options[entry.key] = .string(String(megabytes))
                case .string(let text)? where text.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) != nil: options[entry.key] = .string(text)
                default: reader.error("\(name) must be an amount of memory such as 16G or 4000M, found \(reader.describe(entry.value))", at: entry.value)
                }
            case "time":
                // Minutes, or Slurm's `[D-]HH:MM:SS`, `MM:SS`, `D-HH`.
                switch value {
                case .int(let minutes)? where minutes > 0: options[entry.key] = .string(String(minutes))
                case .string(let text)? where text.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$"#, options: .regularExpression) != nil:
                    options[entry.key] = .string(text)
                default: reader.error("\(name) must be minutes (90) or a time such as \"2:00:00\" or \"1-12:00:00\", found \(reader.describe(entry.value))", at: entry.value)
                }
            case "cpus":
                guard let cpus = reader.int(entry.value, name) else { continue }
                if cpus >= 1 && cpus <= 100_000 { options[entry.key] = .int(cpus) } else {
                    reader.error("\(name) must be between 1 and 100000, found \(cpus)", at: entry.value)
                }
            case "gpus":
                switch value {
                case .int(let count)? where count >= 1 && count <= 1024: options[entry.key] = .string(String(count))
                case .string(let text)? where text.range(of: #"^[A-Za-z0-9_.-]+:[0-9]+$"#, options: .regularExpression) != nil: options[entry.key] = .string(text)
                default: reader.error("\(name) must be a count of GPUs (1) or TYPE:COUNT (a100:2), found \(reader.describe(entry.value))", at: entry.value)
                }
            case "flags":
                guard let flags = reader.stringList(entry.value, name) else { continue }
                var words: [ConfigValue] = []
                for (flag, node) in flags {
                    if flag.hasPrefix("-"), !flag.contains(where: \.isNewline) { words.append(.string(flag)) } else {
                        reader.error("each item of \(name) must be one sbatch option such as --constraint=v100, found '\(flag)'", at: node)
                    }
                }
                options[entry.key] = .array(words)
            case "poll_interval":
                switch value {
                case .int(let seconds)? where seconds >= 1 && seconds <= 3600: options[entry.key] = .double(Double(seconds))
                case .double(let seconds)? where seconds >= 1 && seconds <= 3600: options[entry.key] = .double(seconds)
                default: reader.error("\(name) must be seconds between 1 and 3600 (a site's controller serves many users: 10 or more is kind), found \(reader.describe(entry.value))", at: entry.value)
                }
            default: break
            }
        }
        return options
    }

    /// A value that becomes part of one sbatch argument: no spaces or line breaks.
    private func word(_ text: String, _ name: String, _ node: Node) -> ConfigValue? {
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else {
            reader.error("\(name) must be one word, found '\(text)'", at: node)
            return nil
        }
        return .string(text)
    }
}
