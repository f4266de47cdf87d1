import Compute

/// A 4-D activation `[n, c, h, w]` kept channels-last (NHWC): the order oneDNN's convolutions read and
/// write without reordering, so that one layer hands its output to the next as it is. Read as a tensor's
/// values, it is converted to row-major (NCHW) once.
final class ChannelsLastStorage: DeviceStorage, @unchecked Sendable {
    /// The name a tensor keeps this copy of its elements under.
    static let key = "cpu:channels-last"
    var backendName: String { Self.key }
    /// The logical shape, `[n, c, h, w]`.
    let shape: Shape
    /// The elements, NHWC.
    let elements: [Float]

    init(_ elements: [Float], shape: Shape) {
        precondition(shape.rank == 4 && elements.count == shape.count, "channels-last: \(elements.count) values for shape \(shape)")
        self.elements = elements
        self.shape = shape
    }

    func read() -> [Float] { ChannelsLast.toChannelsFirst(elements, shape) }
}

/// Conversions between NCHW and NHWC, and the NHWC view of a tensor that ops on channels-last
/// activations compute on.
enum ChannelsLast {
    /// The shape whose row-major order is `shape`'s channels-last order: `[n, h, w, c]`.
    static func physicalShape(_ shape: Shape) -> Shape { Shape([shape[0], shape[2], shape[3], shape[1]]) }

    /// Where logical axis `a` of `[n, c, h, w]` lies in `[n, h, w, c]`.
    static func physicalAxis(_ axis: Int) -> Int { [0, 3, 1, 2][axis] }

    /// Whether the tensor's elements are held channels-last (computed so, or converted before).
    static func isHeld(_ tensor: Tensor) -> Bool { tensor.existingDeviceStorage(on: ChannelsLastStorage.key) != nil }

    /// The elements of a `[n, c, h, w]` tensor in NHWC order: its own when held so, else converted
    /// once and kept with the tensor for the ops after this one.
    static func elements(_ tensor: Tensor) -> [Float] {
        let storage = tensor.deviceStorage(on: ChannelsLastStorage.key) { values in
            ChannelsLastStorage(toChannelsLast(values, tensor.shape), shape: tensor.shape)
        }
        return (storage as! ChannelsLastStorage).elements
    }

    /// `tensor` seen from an op whose output is the rank-4 `output`, in that op's channels-last frame:
    /// a full-size operand as its NHWC elements, a broadcast one (a per-channel `[1, c, 1, 1]`, a
    /// scalar) with its axes permuted the same way.
    static func physical(_ tensor: Tensor, against output: Shape) -> Tensor {
        if tensor.shape == output { return Tensor(elements(tensor), shape: physicalShape(output)) }
        let padded = Shape(Array(repeating: 1, count: 4 - tensor.shape.rank) + tensor.shape.dims)
        let permuted = physicalShape(padded)
        let values = padded[1] == 1 || padded[2] * padded[3] == 1
            ? tensor.values  // the channel axis or the plane is trivial: the order is the same
            : FastMovement.transpose(Tensor(tensor.values, shape: padded), [0, 2, 3, 1], permuted)
        return Tensor(values, shape: permuted)
    }

    /// `[a, 1, 1, b]` (a physical operand) repeated over the planes of `output` (`[n, c, h, w]`, a = 1 or n,
    /// b = 1 or c), NHWC.
    static func expandOverPlanes(_ value: Tensor, _ output: Shape) -> [Float] {
        let (n, c, plane) = (output[0], output[1], output[2] * output[3])
        let (images, channels) = (value.shape[0], value.shape[3])
        return value.values.withUnsafeBufferPointer { v in
            [Float](unsafeUninitializedCapacity: output.count) { target, initialized in
                let out = target.baseAddress!
                Parallel.forEach(n, threads: output.count >= Loops.chunk ? Loops.threads : 1) { image in
                    let row = v.baseAddress! + (images == 1 ? 0 : image * channels)
                    for pixel in 0..<plane {
                        let to = out + (image * plane + pixel) * c
                        if channels == 1 { to.initialize(repeating: row[0], count: c) } else { to.initialize(from: row, count: c) }
                    }
                }
                initialized = output.count
            }
        }
    }

    /// NCHW → NHWC: each image's `[c, h·w]` matrix transposed, in tiles, images spread over threads.
    static func toChannelsLast(_ values: [Float], _ shape: Shape) -> [Float] {
        transposeImages(values, images: shape[0], rows: shape[1], columns: shape[2] * shape[3])
    }

    /// NHWC → NCHW.
    static func toChannelsFirst(_ values: [Float], _ shape: Shape) -> [Float] {
        transposeImages(values, images: shape[0], rows: shape[2] * shape[3], columns: shape[1])
    }

    /// Transposes `images` consecutive `rows × columns` matrices.
    private static func transposeImages(_ values: [Float], images: Int, rows: Int, columns: Int) -> [Float] {
        let size = rows * columns
        guard rows > 1 && columns > 1 else { return values }
        return values.withUnsafeBufferPointer { source in
            [Float](unsafeUninitializedCapacity: values.count) { target, initialized in
                let (from, to) = (source.baseAddress!, target.baseAddress!)
                Parallel.forEach(images, threads: values.count >= Loops.chunk ? Loops.threads : 1) { image in
                    transpose(from + image * size, to + image * size, rows: rows, columns: columns)
                }
                initialized = values.count
            }
        }
    }

    /// One `rows × columns` matrix into `columns × rows`, in 16 × 16 tiles so that both sides stay in cache.
    @inline(__always)
    private static func transpose(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let tile = 16
        var r0 = 0
        while r0 < rows {
            let r1 = Swift.min(r0 + tile, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = Swift.min(c0 + tile, columns)
                for r in r0..<r1 {
                    for c in c0..<c1 { to[c * rows + r] = from[r * columns + c] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }
}
