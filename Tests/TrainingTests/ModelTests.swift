import Compute
import ComputeCPU
import NN
import Testing

@Suite("Models")
struct ModelTests {
    @Test("parameter counts match the known figures", arguments: [
        ("resnet20", 269_722), ("resnet32", 464_154), ("resnet56", 853_018),
        ("small-cnn", 94_538), ("simple-cnn", 545_098), ("vgg11", 9_231_114),
    ])
    func parameterCounts(_ name: String, _ expected: Int) throws {
        #expect(try ModelZoo.make(name).parameterCount == expected)
    }

    /// Recorded with benchmarks/models/reference_counts.py from torch 2.15.0 and torchvision 0.29.2: each model is
    /// `torchvision.models.<name>(num_classes=10)` with the first convolution 3×3 stride 1, no stem max-pool, and
    /// VGG's classifier sized for a 1×1×512 map, as labmake builds them.
    @Test("torchvision's models have torchvision's parameter counts, with the CIFAR stem", arguments: [
        ("resnet18", 11_173_962), ("resnet50", 23_520_842), ("resnext50_32x4d", 22_992_714), ("vgg16", 15_245_130),
        ("vgg16_bn", 15_253_578), ("densenet121", 6_956_426), ("squeezenet1_1", 727_626), ("shufflenet_v2_x1_0", 1_263_854),
        ("mobilenet_v2", 2_236_682), ("mnasnet1_0", 3_115_122),
    ])
    func torchvisionCounts(_ name: String, _ expected: Int) throws {
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
