import Compute
import ComputeCPU
import NN
import Randomness
import Testing

@Suite("Every model on every image shape")
struct ModelShapesTests {
    @Test("each model gives [n, classes] logits for 3×32×32 and 1×28×28 images and a gradient for every parameter, or says the images are too small",
          arguments: ModelZoo.names)
    func shapes(_ name: String) throws {
        try Backends.with(try CPUBackend(threads: 2)) { try check(name) }
    }

    func check(_ name: String) throws {
        for (channels, side) in [(3, 32), (1, 28)] {
            let request = ModelRequest(channels: channels, height: side, width: side, classes: 7)
            let entry = try #require(ModelZoo.entries.first { $0.name == name })
            guard side >= entry.minimumSide else {
                #expect { try ModelZoo.make(name, request) } throws: { "\($0)".contains("needs images of at least") }
                continue
            }
            let model = try ModelZoo.make(name, request)
            let state = model.initialState(seed: 1)
            var random = SplitMix64(seed: 2)
            let images = Tensor((0..<(2 * channels * side * side)).map { _ in random.normal() }, shape: [2, channels, side, side])
            let labels = Tensor([1, 5], shape: [2])
            let (loss, gradients) = try valueAndGradient(of: { p in
                let out = try model.logits(images, parameters: p, buffers: state.buffers, training: true, random: random)
                #expect(out.logits.shape == [2, 7])
                return try out.logits.crossEntropy(labels: labels)
            }, at: state.parameters)
            #expect(loss.scalar.isFinite)
            #expect(Set(gradients.keys) == Set(state.parameters.keys))
        }
    }
}
