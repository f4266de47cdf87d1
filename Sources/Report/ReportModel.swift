/// Everything the lab report says, gathered from the pipeline's outputs: a plain Codable value, so the
/// report is a pure function of it and a template.
public struct ReportModel: Codable, Sendable, Equatable {
    public var title: String
    public var environment: Environment
    public var dataset: Dataset?
    /// What sweep and tuning trials were scored on, e.g. "validation accuracy".
    public var trialMetric: String
    public var sweep: Sweep?
    public var tuning: Tuning?
    public var retraining: Retraining?
    public var pipeline: Pipeline
    /// The lab's notes (Markdown), when the report stage names a notes file: what the experimenter wrote
    /// down beside the figures (in the dashboard, or by hand).
    public var notes: String?

    public init(title: String, environment: Environment, dataset: Dataset?, trialMetric: String, sweep: Sweep?, tuning: Tuning?,
                retraining: Retraining?, pipeline: Pipeline) {
        self.title = title
        self.environment = environment
        self.dataset = dataset
        self.trialMetric = trialMetric
        self.sweep = sweep
        self.tuning = tuning
        self.retraining = retraining
        self.pipeline = pipeline
    }

    /// The machine and software the lab ran on.
    public struct Environment: Codable, Sendable, Equatable {
        public var cpu: String
        public var cores: Int
        public var memoryBytes: Int64
        public var gpu: String
        public var os: String
        public var swift: String
        public var labmake: String
        public var backend: String

        public init(cpu: String, cores: Int, memoryBytes: Int64, gpu: String, os: String, swift: String, labmake: String, backend: String) {
            self.cpu = cpu
            self.cores = cores
            self.memoryBytes = memoryBytes
            self.gpu = gpu
            self.os = os
            self.swift = swift
            self.labmake = labmake
            self.backend = backend
        }
    }

    public struct Dataset: Codable, Sendable, Equatable {
        public var name: String
        public var classes: [String]
        public var train: Int
        public var validation: Int
        public var test: Int

        public init(name: String, classes: [String], train: Int, validation: Int, test: Int) {
            self.name = name
            self.classes = classes
            self.train = train
            self.validation = validation
            self.test = test
        }
    }

    /// One trial as the report shows it.
    public struct Trial: Codable, Sendable, Equatable {
        public var number: Int
        /// `baseline`, `initial_lr=0.01`, `combined best`… for sweeps; nil for tuning trials.
        public var label: String?
        /// The parameter a one-at-a-time trial varies.
        public var parameter: String?
        public var parameters: [String: String]
        /// NNI's status: SUCCEEDED, FAILED, EARLY_STOPPED…
        public var status: String
        public var metric: Double?
        /// The metric after each epoch.
        public var intermediates: [Double]
        public var seconds: Double?
        public var reused: Bool

        public init(number: Int, label: String?, parameter: String?, parameters: [String: String], status: String, metric: Double?,
                    intermediates: [Double], seconds: Double?, reused: Bool) {
            self.number = number
            self.label = label
            self.parameter = parameter
            self.parameters = parameters
            self.status = status
            self.metric = metric
            self.intermediates = intermediates
            self.seconds = seconds
            self.reused = reused
        }
    }

    /// The manual sweep: its baseline, the values tried for each parameter, and the combinations.
    public struct Sweep: Codable, Sendable, Equatable {
        public var strategy: String
        public var baseline: [String: String]
        /// The varied parameters, in order, with the values tried.
        public var varied: [String]
        public var trials: [Trial]
        public var bestTrial: Int

        public init(strategy: String, baseline: [String: String], varied: [String], trials: [Trial], bestTrial: Int) {
            self.strategy = strategy
            self.baseline = baseline
            self.varied = varied
            self.trials = trials
            self.bestTrial = bestTrial
        }
    }

    /// Automatic tuning: every trial, and the best one's full parameters.
    public struct Tuning: Codable, Sendable, Equatable {
        public var tuner: String
        public var trials: [Trial]
        public var bestTrial: Int
        /// The best trial's parameters with the baseline under them.
        public var bestParameters: [String: String]

        public init(tuner: String, trials: [Trial], bestTrial: Int, bestParameters: [String: String]) {
            self.tuner = tuner
            self.trials = trials
            self.bestTrial = bestTrial
            self.bestParameters = bestParameters
        }
    }

    /// The winner trained again, usually longer, and scored on the test set.
    public struct Retraining: Codable, Sendable, Equatable {
        /// Which stage's best configuration was retrained, and its trial.
        public var fromStage: String?
        public var fromTrial: Int?
        public var parameters: [String: String]
        public var epochs: [Epoch]
        public var finalAccuracy: Double
        public var seconds: Double

        public init(fromStage: String?, fromTrial: Int?, parameters: [String: String], epochs: [Epoch], finalAccuracy: Double, seconds: Double) {
            self.fromStage = fromStage
            self.fromTrial = fromTrial
            self.parameters = parameters
            self.epochs = epochs
            self.finalAccuracy = finalAccuracy
            self.seconds = seconds
        }
    }

    public struct Epoch: Codable, Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Double
        public var trainAccuracy: Double
        public var testLoss: Double
        public var testAccuracy: Double
        public var learningRate: Double
        public var seconds: Double

        public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double, learningRate: Double,
                    seconds: Double) {
            self.epoch = epoch
            self.trainLoss = trainLoss
            self.trainAccuracy = trainAccuracy
            self.testLoss = testLoss
            self.testAccuracy = testAccuracy
            self.learningRate = learningRate
            self.seconds = seconds
        }
    }

    /// The pipeline: its graph and how each stage ran.
    public struct Pipeline: Codable, Sendable, Equatable {
        public var mermaid: String
        public var stages: [Stage]

        public init(mermaid: String, stages: [Stage]) {
            self.mermaid = mermaid
            self.stages = stages
        }
    }

    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
        /// `executed`, `cached`, `restored`… in the run that wrote the report.
        public var status: String
        /// How long its last execution took.
        public var seconds: Double?

        public init(name: String, kind: String, status: String, seconds: Double?) {
            self.name = name
            self.kind = kind
            self.status = status
            self.seconds = seconds
        }
    }
}
