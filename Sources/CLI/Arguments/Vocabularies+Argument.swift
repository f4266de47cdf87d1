import ArgumentParser
import Tuner

// Closed vocabularies as command-line values: parsing, validation and the list of choices in
// `--help` come from the enum.

extension Direction: ExpressibleByArgument {}
extension Assessor: ExpressibleByArgument {}

extension TunerKind: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(name: argument) }
}
