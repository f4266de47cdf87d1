import NN
import Testing
import Training

@Suite("Training settings")
struct TrainingConfigTests {
    static let values: [String: String] = [
        "model": "mlp", "epochs": "3", "batch_size": "64", "optimizer": "adamw", "momentum": "0.5", "nesterov": "true",
        "weight_decay": "0.001", "initial_lr": "0.2", "schedule": "step", "ending_lr": "0.01", "step_size": "2", "gamma": "0.5",
        "warmup_epochs": "1.0", "grad_clip": "5.0", "cutout": "8", "augment": "false", "label_smoothing": "0.1", "dropout": "0.25",
        "seed": "7", "train_subset": "100", "validation": "20", "hidden_size1": "128", "hidden_size2": "1024", "normalize": "false",
    ]

    @Test("every setting is set from its text and reads back the same, each into its own field")
    func everySettingRoundTrips() throws {
        #expect(Set(TrainingConfig.settings.map(\.name)) == Set(Self.values.keys), "the test covers every setting")
        for (name, text) in Self.values {
            var config = TrainingConfig()
            let before = config.summary
            try config.set(name, text)
            let after = config.summary
            #expect(Float(after[name] ?? "") ?? 0 == Float(text) ?? 0 || after[name] == text, "\(name)")
            let changed = Set(after.keys).union(before.keys).filter { after[$0] != before[$0] }
            #expect(changed == [name], "setting \(name) changed \(changed.sorted())")
        }
    }

    @Test("a wrong value says what the setting expects; a wrong name or choice suggests the nearest", arguments: [
        ("optimizer", "adm", "optimizer=adm: optimizer expects sgd, adam, adamw or rmsprop; did you mean 'adam'?"),
        ("schedule", "linear", "schedule=linear: schedule expects constant, cosine or step"),
        ("epochs", "0", "epochs=0: epochs expects a whole number ≥ 1"),
        ("momentum", "1", "momentum=1: momentum expects a number in [0, 1)"),
        ("batch_sise", "3", "unknown setting 'batch_sise'; did you mean 'batch_size'?"),
        ("model", "resnet2", "unknown model 'resnet2'; did you mean 'resnet20'?"),
        ("hidden_size1", "100000", "hidden_size1=100000: hidden_size1 expects a whole number from 1 to 16384"),
        ("hidden_size2", "0", "hidden_size2=0: hidden_size2 expects a whole number from 1 to 16384"),
        ("normalize", "maybe", "normalize=maybe: normalize expects true or false"),
    ])
    func mistakes(name: String, text: String, message: String) {
        var config = TrainingConfig()
        do {
            try config.set(name, text)
            Issue.record("\(name)=\(text) was accepted")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test("NNI's name lr sets initial_lr; the MLP's widths and normalisation are unset until given")
    func aliases() throws {
        var config = TrainingConfig()
        #expect(config.summary["hidden_size1"] == nil && config.summary["normalize"] == nil)
        #expect(config.modelRequest(classes: 10).hiddenSizes == [512, 256])
        try config.set("lr", "0.3")
        #expect(config.initialLR == 0.3 && config.summary["lr"] == nil)
        try config.set("hidden_size2", "64")
        #expect(config.modelRequest(classes: 10).hiddenSizes == [512, 64])
    }
}
