import Compute
import ComputeCPU
import NN
import Testing

@Suite("Models")
struct ModelTests {
    @Test("parameter counts match the known figures", arguments: [
        ("resnet20", 269_722), ("resnet32", 464_154), ("resnet56", 853_018), ("resnet18", 11_173_962),
        ("small-cnn", 94_538), ("simple-cnn", 545_098), ("vgg11", 9_231_114), ("mobilenet_v2", 2_296_922),
    ])
    func parameterCounts(_ name: String, _ expected: Int) throws {
        #expect(try ModelZoo.make(name).parameterCount == expected)
    }

    @Test("an unknown model is named, with the nearest one")
    func unknownModel() {
        #expect(throws: ComputeError.self) { try ModelZoo.make("resnet2") }
        do { _ = try ModelZoo.make("resnet2") } catch {
            #expect("\(error)".contains("unknown model 'resnet2'; did you mean 'resnet20'?"))
        }
    }
}
