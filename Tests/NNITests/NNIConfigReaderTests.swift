import NNI
import Testing
import Tuner
import Foundation

/// Every key of an NNI config file, v1 and v2, is mapped, ignored, or refused at its line and column.
@Suite("NNI config files")
struct NNIConfigReaderTests {
    static let file = "/lab/exp/config.yml"
    /// Three lines every v2 case starts from; a case's own lines begin at line 4.
    static let v2Base = "searchSpaceFile: space.json\ntrialCommand: python3 main.py\nmaxTrialNumber: 4\n"
    /// Three lines every v1 case starts from.
    static let v1Base = "trainingServicePlatform: local\nsearchSpacePath: space.json\nmaxTrialNum: 4\n"

    enum Expectation: Sendable {
        case mapped(@Sendable (NNIExperimentConfig) -> Bool)
        case ignored(String)
        /// Line, column, and words of the message.
        case refused(Int, Int, String)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var version: Int
        var yaml: String
        var expectation: Expectation
        var testDescription: String { "v\(version): " + yaml.replacingOccurrences(of: "\n", with: " ⏎ ") }
    }

    static let cases: [Case] = [
        // v2, mapped
        Case(version: 2, yaml: "experimentName: cifar", expectation: .mapped { $0.experimentName == "cifar" }),
        Case(version: 2, yaml: "trialCodeDirectory: ../code", expectation: .mapped { $0.trialCodeDirectory == "/lab/code" }),
        Case(version: 2, yaml: "trialConcurrency: 3", expectation: .mapped { $0.trialConcurrency == 3 }),
        Case(version: 2, yaml: "maxExperimentDuration: 1.5h", expectation: .mapped { $0.maxExperimentDuration == 5400 }),
        Case(version: 2, yaml: "maxExperimentDuration: 90", expectation: .mapped { $0.maxExperimentDuration == 90 }),
        Case(version: 2, yaml: "maxTrialDuration: 10m", expectation: .mapped { $0.maxTrialDuration == 600 }),
        Case(version: 2, yaml: "max_trial_duration: 2d", expectation: .mapped { $0.maxTrialDuration == 172_800 }),
        Case(version: 2, yaml: "tuner:\n  name: TPE", expectation: .mapped { $0.tuner == .tpe && $0.direction == .minimize }),
        Case(version: 2, yaml: "tuner:\n  name: Anneal", expectation: .mapped { $0.tuner == .anneal && $0.direction == .minimize }),
        Case(version: 2, yaml: "tuner:\n  name: Evolution\n  classArgs:\n    population_size: 12",
             expectation: .mapped { $0.tuner == .evolution && $0.populationSize == 12 && $0.direction == .maximize }),
        Case(version: 2, yaml: "tuner:\n  name: GridSearch", expectation: .mapped { $0.tuner == .grid }),
        Case(version: 2, yaml: "tuner:\n  name: random\n  classArgs:\n    seed: 7", expectation: .mapped { $0.tuner == .random && $0.seed == 7 }),
        Case(version: 2, yaml: "tuner:\n  name: TPE\n  classArgs:\n    optimize_mode: maximize",
             expectation: .mapped { $0.direction == .maximize && $0.directionSource.contains("tuner") }),
        Case(version: 2, yaml: "assessor:\n  name: Medianstop\n  classArgs:\n    start_step: 3",
             expectation: .mapped { $0.assessor == .medianstop && $0.assessorStartStep == 3 && $0.direction == .maximize }),
        Case(version: 2, yaml: "assessor:\n  name: Medianstop\n  classArgs:\n    optimize_mode: minimize",
             expectation: .mapped { $0.direction == .minimize && $0.directionSource.contains("assessor") }),
        Case(version: 2, yaml: "trainingService:\n  platform: local", expectation: .mapped { $0.trialEnvironment.isEmpty }),
        Case(version: 2, yaml: "trialGpuNumber: 0", expectation: .mapped { $0.trialEnvironment["CUDA_VISIBLE_DEVICES"] == "" }),
        Case(version: 2, yaml: "trialGpuNumber: 1\ntrialConcurrency: 1", expectation: .mapped { $0.trialEnvironment.isEmpty }),
        Case(version: 2, yaml: "trainingService:\n  platform: local\n  gpuIndices: [0, 2]",
             expectation: .mapped { $0.trialEnvironment["CUDA_VISIBLE_DEVICES"] == "0,2" }),
        Case(version: 2, yaml: "trainingService:\n  platform: local\n  gpuIndices: \"1,3\"",
             expectation: .mapped { $0.trialEnvironment["CUDA_VISIBLE_DEVICES"] == "1,3" }),
        Case(version: 2, yaml: "searchSpace:\n  lr: {_type: uniform, _value: [0, 1]}", expectation: .refused(4, 1, "not both")),
        // v2, ignored
        Case(version: 2, yaml: "authorName: someone", expectation: .ignored("authorName")),
        Case(version: 2, yaml: "description: a lab", expectation: .ignored("description")),
        Case(version: 2, yaml: "useAnnotation: false", expectation: .ignored("useAnnotation")),
        Case(version: 2, yaml: "logLevel: debug", expectation: .ignored("logLevel")),
        Case(version: 2, yaml: "debug: true", expectation: .ignored("debug")),
        Case(version: 2, yaml: "nniManagerIp: 10.0.0.1", expectation: .ignored("nniManagerIp")),
        Case(version: 2, yaml: "experimentWorkingDirectory: ~/nni-experiments", expectation: .ignored("experimentWorkingDirectory")),
        Case(version: 2, yaml: "tunerGpuIndices: 0", expectation: .ignored("tunerGpuIndices")),
        Case(version: 2, yaml: "trainingService:\n  platform: local\n  useActiveGpu: false", expectation: .ignored("trainingService.useActiveGpu")),
        Case(version: 2, yaml: "trainingService:\n  platform: local\n  maxTrialNumberPerGpu: 2",
             expectation: .ignored("trainingService.maxTrialNumberPerGpu")),
        Case(version: 2, yaml: "trainingService:\n  platform: local\n  reuseMode: true", expectation: .ignored("trainingService.reuseMode")),
        // v2, refused
        Case(version: 2, yaml: "useAnnotation: true", expectation: .refused(4, 1, "annotations")),
        Case(version: 2, yaml: "experimentType: nas", expectation: .refused(4, 1, "architecture search")),
        Case(version: 2, yaml: "advisor:\n  name: BOHB", expectation: .mapped {
            $0.tuner == .bohb && $0.fidelity == FidelityOptions() && $0.direction == .maximize
        }),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\n  classArgs:\n    R: 27\n    eta: 3\n    optimize_mode: minimize\n    exec_mode: serial",
             expectation: .mapped {
                 $0.tuner == .hyperband && $0.fidelity == FidelityOptions(minBudget: 1, maxBudget: 27, eta: 3, serial: true)
                     && $0.direction == .minimize
             }),
        Case(version: 2, yaml: "advisor:\n  name: BOHB\n  classArgs:\n    min_budget: 1\n    max_budget: 9\n    eta: 3",
             expectation: .mapped { $0.tuner == .bohb && $0.fidelity == FidelityOptions(minBudget: 1, maxBudget: 9, eta: 3) }),
        Case(version: 2, yaml: "advisor:\n  name: BOHB\n  classArgs:\n    top_n_percent: 20", expectation: .ignored("advisor.classArgs.top_n_percent")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\n  classArgs:\n    eta: 1", expectation: .refused(7, 10, "at least 2")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\n  classArgs:\n    R: lots", expectation: .refused(7, 8, "positive number")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\n  classArgs:\n    exec_mode: fast", expectation: .refused(7, 16, "parallelism or serial")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\n  classArgs:\n    min_budget: 2", expectation: .refused(7, 5, "min_budget")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperbnd", expectation: .refused(5, 9, "unknown advisor")),
        Case(version: 2, yaml: "advisor:\n  name: Hyperband\ntuner:\n  name: TPE", expectation: .refused(5, 3, "replaces the tuner")),
        Case(version: 2, yaml: "assessor:\n  name: Curvefitting", expectation: .refused(5, 9, "Curvefitting")),
        Case(version: 2, yaml: "tuner:\n  name: SMAC", expectation: .refused(5, 9, "SMAC tuner is not in labmake")),
        Case(version: 2, yaml: "tuner:\n  name: GPTuner", expectation: .mapped { $0.tuner == .gp && $0.direction == .maximize }),
        Case(version: 2, yaml: "tuner:\n  name: GPTuner\n  classArgs:\n    utility: ucb", expectation: .refused(7, 5, "utility")),
        Case(version: 2, yaml: "tuner:\n  name: Metis", expectation: .refused(5, 9, "Metis")),
        Case(version: 2, yaml: "tuner:\n  name: PBTTuner", expectation: .refused(5, 9, "PBTTuner")),
        Case(version: 2, yaml: "tuner:\n  name: TPE_legacy", expectation: .refused(5, 9, "TPE_legacy")),
        Case(version: 2, yaml: "tuner:\n  name: TPEE", expectation: .refused(5, 9, "unknown tuner")),
        Case(version: 2, yaml: "tuner:\n  className: my.Tuner\n  codeDirectory: .", expectation: .refused(5, 3, "custom tuners")),
        Case(version: 2, yaml: "tuner:\n  name: TPE\n  classArgs:\n    tpe_args: {}", expectation: .refused(7, 5, "tpe_args")),
        Case(version: 2, yaml: "tuner:\n  name: Anneal\n  classArgs:\n    parallel_optimize: true", expectation: .refused(7, 5, "parallel_optimize")),
        Case(version: 2, yaml: "tuner:\n  name: Anneal\n  classArgs:\n    constant_liar_type: min", expectation: .refused(7, 5, "constant_liar_type")),
        Case(version: 2, yaml: "tuner:\n  name: TPE\n  classArgs:\n    optimize_mode: biggest", expectation: .refused(7, 20, "optimize_mode")),
        Case(version: 2, yaml: "tuner:\n  name: TPE\n  classArgs:\n    optimize_mode: maximize\nassessor:\n  name: Medianstop\n  classArgs:\n    optimize_mode: minimize",
             expectation: .refused(1, 1, "must agree")),
        Case(version: 2, yaml: "trainingService:\n  platform: remote", expectation: .refused(5, 3, "this machine only")),
        Case(version: 2, yaml: "trainingService:\n  - platform: local\n  - platform: remote", expectation: .refused(4, 1, "hybrid")),
        Case(version: 2, yaml: "sharedStorage:\n  storageType: NFS", expectation: .refused(4, 1, "shared storage")),
        Case(version: 2, yaml: "trialGpuNumber: 1\ntrialConcurrency: 2", expectation: .refused(4, 17, "does not schedule GPUs")),
        Case(version: 2, yaml: "trialComand: python3 x.py", expectation: .refused(4, 1, "did you mean 'trialCommand'")),
        Case(version: 2, yaml: "trialConcurrency: many", expectation: .refused(4, 19, "integer")),
        Case(version: 2, yaml: "maxTrialDuration: soon", expectation: .refused(4, 19, "duration")),
        // v1, mapped
        Case(version: 1, yaml: "trial:\n  command: python3 mnist.py\n  codeDir: src\n  gpuNum: 0",
             expectation: .mapped { $0.trialCommand == "python3 mnist.py" && $0.trialCodeDirectory == "/lab/exp/src"
                 && $0.trialEnvironment["CUDA_VISIBLE_DEVICES"] == "" && $0.version == 1 }),
        Case(version: 1, yaml: "maxExecDuration: 2h", expectation: .mapped { $0.maxExperimentDuration == 7200 && $0.maxTrialNumber == 4 }),
        Case(version: 1, yaml: "tuner:\n  builtinTunerName: TPE\n  classArgs:\n    optimize_mode: maximize",
             expectation: .mapped { $0.tuner == .tpe && $0.direction == .maximize }),
        Case(version: 1, yaml: "assessor:\n  builtinAssessorName: Medianstop\n  classArgs:\n    start_step: 5",
             expectation: .mapped { $0.assessor == .medianstop && $0.assessorStartStep == 5 }),
        Case(version: 1, yaml: "localConfig:\n  gpuIndices: 1", expectation: .mapped { $0.trialEnvironment["CUDA_VISIBLE_DEVICES"] == "1" }),
        Case(version: 1, yaml: "multiPhase: false", expectation: .mapped { _ in true }),
        // v1, ignored
        Case(version: 1, yaml: "authorName: default", expectation: .ignored("authorName")),
        Case(version: 1, yaml: "logDir: /tmp/nni", expectation: .ignored("logDir")),
        Case(version: 1, yaml: "versionCheck: false", expectation: .ignored("versionCheck")),
        Case(version: 1, yaml: "logCollection: none", expectation: .ignored("logCollection")),
        Case(version: 1, yaml: "multiThread: true", expectation: .ignored("multiThread")),
        Case(version: 1, yaml: "tuner:\n  builtinTunerName: TPE\n  gpuIndices: 0", expectation: .ignored("tuner.gpuIndices")),
        Case(version: 1, yaml: "localConfig:\n  useActiveGpu: true", expectation: .ignored("localConfig.useActiveGpu")),
        // v1, refused
        Case(version: 1, yaml: "multiPhase: true", expectation: .refused(4, 1, "multiPhase")),
        Case(version: 1, yaml: "remoteConfig:\n  reuse: true", expectation: .refused(4, 1, "this machine only")),
        Case(version: 1, yaml: "machineList:\n  - ip: 10.0.0.2", expectation: .refused(4, 1, "this machine only")),
        Case(version: 1, yaml: "paiConfig:\n  host: x", expectation: .refused(4, 1, "this machine only")),
        Case(version: 1, yaml: "tuner:\n  codeDir: .\n  classFileName: t.py\n  className: T", expectation: .refused(5, 3, "custom tuners")),
        Case(version: 1, yaml: "tuner:\n  builtinTunerName: TPE\n  includeIntermediateResults: true", expectation: .refused(6, 3, "includeIntermediateResults")),
        Case(version: 1, yaml: "advisor:\n  builtinAdvisorName: Hyperband\n  classArgs:\n    R: 9", expectation: .mapped {
            $0.tuner == .hyperband && $0.fidelity.maxBudget == 9
        }),
        Case(version: 1, yaml: "trial:\n  command: x\n  image: msranni/nni", expectation: .refused(6, 3, "unknown key 'image'")),
    ]

    @Test("each key is mapped, ignored or refused at its location", arguments: cases)
    func key(_ testCase: Case) throws {
        var text = (testCase.version == 1 ? Self.v1Base : Self.v2Base) + testCase.yaml + "\n"
        if testCase.version == 1, !testCase.yaml.contains("trial:") { text += "trial:\n  command: python3 main.py\n" }
        switch testCase.expectation {
        case .mapped(let check):
            let config = try NNIConfigReader.read(text, file: Self.file)
            #expect(check(config), "\(config)")
            #expect(config.searchSpace == .file("/lab/exp/space.json"))
        case .ignored(let key):
            let config = try NNIConfigReader.read(text, file: Self.file)
            #expect(config.ignored.contains { $0.hasPrefix(key + " (") }, "\(config.ignored)")
            #expect(config.ignoredNotice?.contains("ignored") == true)
        case .refused(let line, let column, let words):
            do {
                _ = try NNIConfigReader.read(text, file: Self.file)
                Issue.record("accepted: \(text)")
            } catch {
                let problem = try #require(error.problems.first)
                #expect((problem.line, problem.column) == (line, column), "\(error)")
                #expect(problem.description.contains(words), "\(error)")
                #expect(error.description.hasPrefix("\(Self.file):\(line):\(column): error: "))
            }
        }
    }

    /// The seed lab's v1 config and the same experiment in v2.
    static let seedV1 = """
        authorName: default
        experimentName: cifar10-nni
        trialConcurrency: 1
        maxExecDuration: 1h
        maxTrialNum: 8
        trainingServicePlatform: local
        searchSpacePath: search_space.json
        useAnnotation: false
        tuner:
          builtinTunerName: TPE
          classArgs:
            optimize_mode: maximize
        trial:
          command: python3 main.py
          codeDir: .
          gpuNum: 0
        """
    static let seedV2 = """
        experimentName: cifar10-nni
        searchSpaceFile: search_space.json
        trialCommand: python3 main.py
        trialCodeDirectory: .
        trialGpuNumber: 0
        trialConcurrency: 1
        maxExperimentDuration: 1h
        maxTrialNumber: 8
        tuner:
          name: TPE
          classArgs:
            optimize_mode: maximize
        trainingService:
          platform: local
        """

    @Test("the seed lab's v1 config and its v2 twin say the same")
    func seedConfigs() throws {
        let v1 = try NNIConfigReader.read(Self.seedV1, file: Self.file)
        let v2 = try NNIConfigReader.read(Self.seedV2, file: Self.file)
        #expect(v1.version == 1 && v2.version == 2)
        for config in [v1, v2] {
            #expect(config.experimentName == "cifar10-nni")
            #expect(config.searchSpace == .file("/lab/exp/search_space.json"))
            #expect(config.trialCommand == "python3 main.py")
            #expect(config.trialCodeDirectory == "/lab/exp")
            #expect(config.trialConcurrency == 1 && config.maxTrialNumber == 8 && config.maxExperimentDuration == 3600)
            #expect(config.tuner == .tpe && config.direction == .maximize && config.assessor == .none)
            #expect(config.trialEnvironment == ["CUDA_VISIBLE_DEVICES": ""])
        }
        #expect(v1.ignored == ["authorName (1:1)", "useAnnotation (8:1)"])
    }

    @Test("an inline search space becomes JSON; keys match in any case and with underscores")
    func inlineSpace() throws {
        let config = try NNIConfigReader.read("""
            search_space:
              lr: {_type: loguniform, _value: [0.001, 0.1]}
              layers: {_type: choice, _value: [1, 2, 'three']}
            TrialCommand: python3 main.py
            max_trial_number: 2
            """, file: Self.file)
        guard case .inline(let json)? = config.searchSpace else { Issue.record("\(String(describing: config.searchSpace))"); return }
        let space = try SearchSpace.parse(Data(json.utf8))
        #expect(space.parameters.map(\.name).sorted() == ["layers", "lr"])
        #expect(config.trialCommand == "python3 main.py" && config.maxTrialNumber == 2)
    }

    @Test("hostile files are refused with a location: not a mapping, bad YAML, billion laughs, too deep")
    func hostile() throws {
        func problem(_ text: String) throws -> NNIConfigProblem {
            do {
                _ = try NNIConfigReader.read(text, file: Self.file)
            } catch {
                return try #require(error.problems.first)
            }
            throw NNIError("accepted")
        }
        #expect(try problem("- a\n- b").message.contains("mapping"))
        #expect(try problem("trialCommand: [unclosed").message.contains("invalid YAML"))
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { laughs += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(try problem(laughs).message.contains("more than"))
        #expect(try problem("searchSpace: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).message.contains("deep"))
        #expect(try problem("trialCommand: x\ntrialCommand: y").message.contains("duplicate"))
    }
}
