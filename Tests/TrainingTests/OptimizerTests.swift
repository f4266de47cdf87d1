import Compute
import ComputeCPU
import Foundation
import Testing
import Training

/// One optimizer's first three steps on p = [1, −2, 0.5] with fixed gradients, against what
/// torch.optim (2.15) computed for the same settings (recorded below).
struct OptimizerCase: CustomTestStringConvertible, @unchecked Sendable {
    var name: String
    var optimizer: any Optimizer
    var lr: Float
    var expected: [[Float]]
    var testDescription: String { name }
}

let optimizerCases: [OptimizerCase] = [
    .init(name: "SGD", optimizer: SGD(), lr: 0.1,
          expected: [[0.99, -2.02, 0.53], [1.03, -2.025, 0.51], [1.0, -2.015, 0.5]]),
    .init(name: "SGD, momentum 0.9, weight decay 0.01", optimizer: SGD(momentum: 0.9, weightDecay: 0.01), lr: 0.1,
          expected: [[0.989, -2.018, 0.5295], [1.018111, -2.0371819, 0.5355205], [1.0132928, -2.0424085, 0.5304034]]),
    .init(name: "SGD, Nesterov", optimizer: SGD(momentum: 0.9, nesterov: true), lr: 0.1,
          expected: [[0.981, -2.038, 0.557], [1.0489, -2.0637, 0.5433], [1.01701, -2.06333, 0.52997]]),
    .init(name: "Adam, L2 weight decay 0.01", optimizer: Adam(weightDecay: 0.01), lr: 0.01,
          expected: [[0.99, -2.01, 0.51], [0.9953447, -2.0178299, 0.5112514], [0.994744, -2.019367, 0.5103847]]),
    .init(name: "AdamW, β₁ 0.8 (the lab's momentum), decay 0.1", optimizer: Adam(beta1: 0.8, weightDecay: 0.1, decoupled: true), lr: 0.01,
          expected: [[0.989, -2.008, 0.5095], [0.9941074, -2.0139973, 0.5098622], [0.9925009, -2.0140908, 0.5080619]]),
    .init(name: "RMSprop", optimizer: RMSprop(), lr: 0.01,
          expected: [[0.9, -2.1, 0.6], [0.9970429, -2.1243684, 0.5443369], [0.9380035, -2.0803795, 0.5173992]]),
    .init(name: "RMSprop, momentum 0.9, weight decay 0.01", optimizer: RMSprop(momentum: 0.9, weightDecay: 0.01), lr: 0.01,
          expected: [[0.9, -2.1, 0.6], [0.9062986, -2.2059839, 0.6325536], [0.8512065, -2.2453566, 0.6332931]]),
]

@Suite("Optimizers, schedules and clipping")
struct OptimizerTests {
    @Test("the first steps match torch.optim", arguments: optimizerCases)
    func firstSteps(_ c: OptimizerCase) throws {
        try Backends.with(try CPUBackend(threads: 1)) { try takeFirstSteps(c) }
    }

    private func takeFirstSteps(_ c: OptimizerCase) throws {
        var optimizer = c.optimizer
        var parameters = ["p": Tensor([1, -2, 0.5], shape: [3])]
        let gradients: [[Float]] = [[0.1, 0.2, -0.3], [-0.4, 0.05, 0.2], [0.3, -0.1, 0.1]]
        for (step, g) in gradients.enumerated() {
            try optimizer.step(&parameters, gradients: ["p": Tensor(g, shape: [3])], lr: c.lr)
            for (got, want) in zip(parameters["p"]!.values, c.expected[step]) {
                #expect(abs(got - want) <= 2e-6, "\(c.name), step \(step + 1): \(parameters["p"]!.values) vs \(c.expected[step])")
            }
        }
    }

    @Test("a step with a gradient scale (clipping's factor) equals the step on the gradients clipped first, bit for bit",
          arguments: optimizerCases)
    func scaledStep(_ c: OptimizerCase) throws {
        try Backends.with(try CPUBackend(threads: 1)) {
            var clipping = c.optimizer, scaling = c.optimizer
            var clipped = ["p": Tensor([1, -2, 0.5], shape: [3]), "q": Tensor([3, 1], shape: [2])], scaled = clipped
            for (step, g) in ([[2.1, 0.2, -3.3], [-0.4, 0.05, 0.2], [0.3, -1.1, 0.1]] as [[Float]]).enumerated() {
                let gradients: [String: Tensor] = ["p": Tensor(g, shape: [3]), "q": Tensor([Float(step) - 0.5, 1.5], shape: [2])]
                var clippedGradients = gradients
                try GradientClipping.clip(&clippedGradients, maxNorm: 1)
                try clipping.step(&clipped, gradients: clippedGradients, lr: c.lr)
                let factor = try GradientClipping.factor(gradients, maxNorm: 1).factor
                #expect(factor != nil)
                try scaling.step(&scaled, gradients: gradients, lr: c.lr, gradientScale: factor)
                for name in ["p", "q"] {
                    #expect(scaled[name]!.values.map(\.bitPattern) == clipped[name]!.values.map(\.bitPattern), "\(c.name), step \(step + 1), \(name)")
                }
            }
            for (key, value) in clipping.state { #expect(scaling.state[key]?.values == value.values, "\(c.name): \(key)") }
            #expect(try GradientClipping.factor(["p": Tensor([3], shape: [1])], maxNorm: 0).factor == nil)
        }
    }

    @Test("the lab's momentum maps to each optimizer")
    func momentumMapping() throws {
        var config = TrainingConfig()
        try config.set("momentum", "0.8")
        for (name, check) in [("sgd", { (o: any Optimizer) in (o as? SGD)?.momentum == 0.8 }),
                              ("adam", { (o: any Optimizer) in (o as? Adam)?.beta1 == 0.8 }),
                              ("adamw", { (o: any Optimizer) in (o as? Adam).map { $0.beta1 == 0.8 && $0.decoupled } ?? false }),
                              ("rmsprop", { (o: any Optimizer) in (o as? RMSprop)?.momentum == 0.8 })] {
            try config.set("optimizer", name)
            #expect(check(try Optimizers.make(config)), "\(name)")
        }
    }

    @Test("cosine runs per step from initial_lr to ending_lr")
    func cosine() throws {
        var config = TrainingConfig()
        for (k, v) in [("initial_lr", "0.1"), ("ending_lr", "0.001"), ("epochs", "2"), ("schedule", "cosine")] { try config.set(k, v) }
        let schedule = LearningRateSchedule(config, stepsPerEpoch: 10)
        #expect(abs(schedule.rate(atStep: 0) - 0.1) < 1e-7)
        #expect(abs(schedule.rate(atStep: 10) - 0.0505) < 1e-6)  // halfway: the mean of the ends
        let quarter: Double = 0.001 + 0.099 * (1 + cos(Double.pi / 4)) / 2
        #expect(abs(Double(schedule.rate(atStep: 5)) - quarter) < 1e-6)
        #expect(abs(schedule.rate(atStep: 20) - 0.001) < 1e-7)
    }

    @Test("step decay and linear warm-up")
    func stepAndWarmup() throws {
        var config = TrainingConfig()
        for (k, v) in [("initial_lr", "0.1"), ("schedule", "step"), ("step_size", "2"), ("gamma", "0.5"), ("epochs", "6"),
                       ("warmup_epochs", "1")] { try config.set(k, v) }
        let schedule = LearningRateSchedule(config, stepsPerEpoch: 4)
        #expect(abs(schedule.rate(atStep: 0) - 0.025) < 1e-7)  // warm-up: (0 + 1) / 4 of 0.1
        #expect(abs(schedule.rate(atStep: 3) - 0.1) < 1e-7)
        #expect(abs(schedule.rate(atStep: 7) - 0.1) < 1e-7)  // epoch 2
        #expect(abs(schedule.rate(atStep: 8) - 0.05) < 1e-7)  // epoch 3
        #expect(abs(schedule.rate(atStep: 16) - 0.025) < 1e-7)  // epoch 5
        try config.set("schedule", "constant")
        #expect(LearningRateSchedule(config, stepsPerEpoch: 4).rate(atStep: 20) == 0.1)
    }

    @Test("clipping scales the global norm down to the limit, and 0 is off")
    func clipping() throws {
        try Backends.with(try CPUBackend(threads: 1)) { try clipGradients() }
    }

    private func clipGradients() throws {
        var gradients = ["a": Tensor([3, 0], shape: [2]), "b": Tensor([4], shape: [1])]
        #expect(try GradientClipping.clip(&gradients, maxNorm: 0).scalar == 5)
        #expect(gradients["a"]!.values == [3, 0])
        #expect(try GradientClipping.clip(&gradients, maxNorm: 1).scalar == 5)
        let norm = (gradients["a"]!.values + gradients["b"]!.values).reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        let clipped = gradients.mapValues(\.values)
        #expect(try GradientClipping.clip(&gradients, maxNorm: 10).scalar < 1.0001)
        #expect(gradients.mapValues(\.values) == clipped, "below the limit the gradients are left exactly as they are")
    }

    @Test("settings are checked, with the nearest name for a typo", arguments: [
        ("initial_lr", "fast", "initial_lr=fast: initial_lr expects a number > 0"),
        ("optimizer", "lion", "optimizer=lion: optimizer expects sgd, adam, adamw or rmsprop"),
        ("batch_size", "0", "batch_size=0: batch_size expects a whole number ≥ 1"),
        ("weigth_decay", "0.1", "unknown setting 'weigth_decay'; did you mean 'weight_decay'?"),
    ])
    func badSettings(_ name: String, _ value: String, _ message: String) {
        var config = TrainingConfig()
        do {
            try config.set(name, value)
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }
}
