@testable import ComputeVulkan
import Testing

@Suite("Which tiles a matrix product or convolution is computed in")
struct ProductTilesTests {
    func convolution(_ m: Int, _ n: Int, batches: Int = 1, _ large: LargeTiles = .whereBusy, available: Bool = true) -> Shader {
        ProductTiles.convolution(rows: m, columns: n, batches: batches, large: large, available: available).shader
    }

    @Test("few rows take the narrow tiles whatever the policy")
    func narrow() {
        for large in LargeTiles.allCases {
            #expect(convolution(16, 1 << 20, large) == .implicitGemm16)
            #expect(convolution(17, 1 << 20, large) == .implicitGemm32)
            #expect(convolution(32, 1 << 20, large) == .implicitGemm32)
        }
    }

    @Test("where busy: 128 × 128 once the result makes 256 such tiles and has more than 64 rows")
    func whereBusy() {
        #expect(convolution(128, 256 * 128) == .implicitGemm128)
        #expect(convolution(128, 255 * 128) == .implicitGemm)
        #expect(convolution(128, 255 * 128 + 1) == .implicitGemm128)  // a ragged last column tile counts
        #expect(convolution(256, 128 * 128) == .implicitGemm128)
        #expect(convolution(128, 128 * 128, batches: 2) == .implicitGemm128)  // groups or slices count
        #expect(convolution(64, 1 << 20) == .implicitGemm)
        #expect(convolution(65, 1 << 20) == .implicitGemm128)
        // ResNet-18 (CIFAR) at batch 128, forward: the 128-channel layers' 32,768 columns make 256 tiles;
        // the 256- and 512-channel layers' 8,192 and 2,048 make 128 and 64, too few.
        #expect(convolution(128, 128 * 16 * 16) == .implicitGemm128)
        #expect(convolution(256, 128 * 8 * 8) == .implicitGemm)
        #expect(convolution(512, 128 * 4 * 4) == .implicitGemm)
    }

    @Test("where the driver tells its compute units, busy is four large tiles a unit")
    func computeUnits() {
        let large = { (m: Int, n: Int, units: Int?) in
            ProductTiles.convolution(rows: m, columns: n, batches: 1, large: .whereBusy, available: true, computeUnits: units).shader == .implicitGemm128
        }
        #expect(ProductTiles.busyWorkgroups(computeUnits: nil) == 256)
        #expect(ProductTiles.busyWorkgroups(computeUnits: 30) == 120)
        // ResNet-18's 256-channel layers at batch 128 (128 large tiles): enough for 30 units (an RTX 2060), not for 132 (an H100).
        #expect(large(256, 128 * 8 * 8, 30))
        #expect(!large(256, 128 * 8 * 8, 132))
        #expect(!large(256, 128 * 8 * 8, nil))
        #expect(large(128, 120 * 128, 30) && !large(128, 119 * 128, 30))
    }

    @Test("never, always, and a device without the shared memory")
    func policies() {
        #expect(convolution(1024, 1 << 20, .never) == .implicitGemm)
        #expect(convolution(33, 1, .always) == .implicitGemm128)
        #expect(convolution(1024, 1 << 20, .always, available: false) == .implicitGemm)
        #expect(convolution(1024, 1 << 20, available: false) == .implicitGemm)
    }

    @Test("matrix products: the same rule over the gemm shaders")
    func products() {
        let product = { (m: Int, n: Int, large: LargeTiles) in ProductTiles.product(rows: m, columns: n, batches: 1, large: large, available: true) }
        #expect(product(4096, 1000, .whereBusy) == ProductTiles(shader: .gemm128, rows: 128, columns: 128))  // 256 large tiles
        #expect(product(4096, 7 * 128, .whereBusy) == ProductTiles(shader: .gemm, rows: 64, columns: 64))  // 224 large tiles
        #expect(product(130, 129, .always).shader == .gemm128)
        #expect(product(32, 1 << 20, .always).shader == .gemm)
    }

    @Test("workgroups count every tile, ragged ones too")
    func workgroups() {
        let tiles = ProductTiles(shader: .implicitGemm128, rows: 128, columns: 128)
        #expect(tiles.workgroups(rows: 129, columns: 128, batches: 3) == 6)
        #expect(tiles.workgroups(rows: 1, columns: 1) == 1)
    }
}
