/// The tiles a matrix product or convolution computes its result in: rows × columns of the result per
/// workgroup, and the shader that computes such tiles.
struct ProductTiles: Equatable {
    let shader: Shader
    let rows: Int
    let columns: Int

    /// Large-tile workgroups that keep a device of `computeUnits` busy: two waves of two per unit (a 128 × 128
    /// workgroup's 64 accumulators a thread leave room for about two on a unit), 4 per unit; 256 where the
    /// driver does not tell its units (as many as a GPU of 64).
    static func busyWorkgroups(computeUnits: Int?) -> Int {
        computeUnits.map { 4 * max($0, 1) } ?? 256
    }

    /// Workgroups over an `m × n` result, `batches` times.
    func workgroups(rows m: Int, columns n: Int, batches: Int = 1) -> Int {
        ((m + rows - 1) / rows) * ((n + columns - 1) / columns) * batches
    }

    /// Whether `large` takes 128 × 128 tiles for an `m × n` result computed `batches` times, on a device of
    /// `computeUnits` that can run them (`available`).
    static func takesLarge(_ large: LargeTiles, available: Bool, computeUnits: Int?, rows m: Int, columns n: Int, batches: Int) -> Bool {
        guard available else { return false }
        switch large {
        case .never: return false
        case .always: return m > 32
        case .whereBusy:
            return m > 64 && ProductTiles(shader: .implicitGemm128, rows: 128, columns: 128).workgroups(rows: m, columns: n, batches: batches)
                >= busyWorkgroups(computeUnits: computeUnits)
        }
    }

    /// The implicit_gemm variant for an `m × n` convolution result computed `batches` times (groups, phases or
    /// slices): 16 × 128 up to 16 rows, 32 × 128 up to 32 (the least wasted), 128 × 128 where `large` takes it,
    /// else 64 × 64.
    static func convolution(rows m: Int, columns n: Int, batches: Int, large: LargeTiles, available: Bool, computeUnits: Int? = nil) -> ProductTiles {
        if m <= 16 { return ProductTiles(shader: .implicitGemm16, rows: 16, columns: 128) }
        if m <= 32 { return ProductTiles(shader: .implicitGemm32, rows: 32, columns: 128) }
        if takesLarge(large, available: available, computeUnits: computeUnits, rows: m, columns: n, batches: batches) {
            return ProductTiles(shader: .implicitGemm128, rows: 128, columns: 128)
        }
        return ProductTiles(shader: .implicitGemm, rows: 64, columns: 64)
    }

    /// The gemm variant for an `m × n` product computed `batches` times: 128 × 128 where `large` takes it, else 64 × 64.
    static func product(rows m: Int, columns n: Int, batches: Int, large: LargeTiles, available: Bool, computeUnits: Int? = nil) -> ProductTiles {
        takesLarge(large, available: available, computeUnits: computeUnits, rows: m, columns: n, batches: batches)
            ? ProductTiles(shader: .gemm128, rows: 128, columns: 128) : ProductTiles(shader: .gemm, rows: 64, columns: 64)
    }
}
