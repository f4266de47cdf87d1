import Foundation

/// The budgets of a multi-fidelity tuner (Hyperband, BOHB): each trial gets a budget between
/// `minBudget` and `maxBudget` under the parameter `parameter` (`epochs` for built-in training,
/// NNI's `TRIAL_BUDGET` for command trials), and successive halving keeps the best 1/`eta` of a rung
/// for the next one at `eta` times the budget.
///
/// The brackets are NNI's (and Li et al.'s): s_max = ⌊log_eta(max/min)⌋; bracket s starts
/// ⌈(s_max+1)·eta^s/(s+1)⌉ configurations at max·eta^-s, and its rung i keeps ⌊n/eta^i⌋ of them
/// at max·eta^(i-s). Brackets run from s_max down to 0, then again.
public struct MultiFidelity: Sendable, Hashable {
    /// The configuration's parameter that carries the budget.
    public var parameter: String
    public var minBudget: Double
    public var maxBudget: Double
    public var eta: Int
    /// Whether budgets are whole numbers (epochs; NNI's Hyperband floors them): ⌊budget⌋, at least 1.
    public var integral: Bool
    /// NNI's `exec_mode: serial`: a bracket starts only when the one before it is over. Otherwise
    /// (`parallelism`, NNI's default) a free worker starts the next bracket while a rung waits for its last trials.
    public var serial: Bool

    /// NNI's budget parameter for command trials.
    public static let trialBudget = "TRIAL_BUDGET"

    public init(parameter: String, minBudget: Double = 1, maxBudget: Double, eta: Int = 3, integral: Bool = true, serial: Bool = false) throws {
        guard minBudget.isFinite, minBudget > 0 else { throw TunerError("min_budget must be a positive number, found \(minBudget)") }
        guard maxBudget.isFinite, maxBudget >= minBudget else {
            throw TunerError("max_budget (\(maxBudget)) must be a number at least min_budget (\(minBudget))")
        }
        guard eta >= 2 else { throw TunerError("eta must be at least 2, found \(eta)") }
        guard maxBudget / minBudget <= 1e6 else {
            throw TunerError("max_budget / min_budget is \(maxBudget / minBudget): more than a million, too many brackets")
        }
        if integral && maxBudget < 1 { throw TunerError("max_budget must be at least 1 \(parameter), found \(maxBudget)") }
        self.parameter = parameter
        self.minBudget = minBudget
        self.maxBudget = maxBudget
        self.eta = eta
        self.integral = integral
        self.serial = serial
    }

    private static let epsilon = 1e-6

    /// NNI's defaults for command trials: Hyperband's R = 60 and eta = 3 (budgets floored), BOHB's
    /// budgets from 1 to 3 with eta = 3.
    public static func nniDefaults(for tuner: TunerKind) -> MultiFidelity {
        tuner == .bohb
            ? try! MultiFidelity(parameter: trialBudget, minBudget: 1, maxBudget: 3, eta: 3, integral: false)
            : try! MultiFidelity(parameter: trialBudget, minBudget: 1, maxBudget: 60, eta: 3, integral: true)
    }

    /// s_max: the largest bracket; there are s_max + 1 budgets.
    public var largestBracket: Int { Int((log(maxBudget / minBudget) / log(Double(eta)) + Self.epsilon).rounded(.down)) }

    /// Configurations that bracket `s` starts.
    public func configurations(bracket s: Int) -> Int {
        Int((Double(largestBracket + 1) * pow(Double(eta), Double(s)) / Double(s + 1) - Self.epsilon).rounded(.up))
    }

    /// Configurations that rung `i` of bracket `s` runs at most.
    public func rungSize(bracket s: Int, rung i: Int) -> Int {
        Int((Double(configurations(bracket: s)) / pow(Double(eta), Double(i)) + Self.epsilon).rounded(.down))
    }

    /// The budget of rung `i` of bracket `s`.
    public func budget(bracket s: Int, rung i: Int) -> Double {
        // As NNI computes it (r = max/eta^s, then r·eta^i), so that fractional budgets are NNI's to the last bit.
        let exact = maxBudget / pow(Double(eta), Double(s)) * pow(Double(eta), Double(i))
        return integral ? Swift.max(1, (exact + Self.epsilon).rounded(.down)) : exact
    }

    /// The bracket that follows bracket `s`.
    public func bracket(after s: Int?) -> Int {
        guard let s, s > 0 else { return largestBracket }
        return s - 1
    }

    /// A budget as a parameter value: a whole number as an integer.
    public func value(_ budget: Double) -> ParameterValue {
        budget == budget.rounded() && abs(budget) < 1e15 ? .int(Int(budget)) : .double(budget)
    }

    /// The budget a configuration carries; nil when it carries none.
    public func budget(of configuration: Configuration) -> Double? { configuration[parameter]?.number }

    /// The configuration without its budget.
    public func base(of configuration: Configuration) -> Configuration {
        var values = configuration.values
        values[parameter] = nil
        return Configuration(values: values)
    }

    /// A configuration with `budget` added.
    public func configuration(_ base: Configuration, budget: Double) -> Configuration {
        var values = base.values
        values[parameter] = value(budget)
        return Configuration(values: values)
    }

    /// The budgets in a line, for people: `budgets 1, 3, 9, 27 epochs (eta 3); one round of its 4 brackets runs 69 trials`.
    public var summary: String {
        let budgets = (0...largestBracket).map { value(budget(bracket: largestBracket, rung: $0)).description }
        return "budgets \(budgets.joined(separator: ", ")) \(parameter) (eta \(eta)\(serial ? ", brackets one after another" : ""));"
            + " one round of its \(largestBracket + 1) brackets runs \(trialsPerRound) trials"
    }

    /// Trials that one round of all the brackets runs, for people choosing `max_trials`.
    public var trialsPerRound: Int {
        (0...largestBracket).reduce(0) { total, s in total + (0...s).reduce(0) { $0 + rungSize(bracket: s, rung: $1) } }
    }
}
