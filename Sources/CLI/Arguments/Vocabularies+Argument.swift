import ArgumentParser
import Tuner

// Closed vocabularies as command-line values: parsing, validation and the list of choices in
// `--help` come from the enum.

extension Direction: ExpressibleByArgument {}
extension Assessor: ExpressibleByArgument {}
