import Compute

/// How many rows of a batch's logits have their first maximum at the label, computed where the logits
/// are (on a GPU backend only the count is read back, not the logits).
struct CorrectCount {
    /// c − j at column j, made once: over a row's maxima its largest is c − (the first maximum's column).
    private let reversedColumns: Tensor
    private let classes: Float

    init(classes: Int) {
        self.classes = Float(classes)
        reversedColumns = Tensor((0..<classes).map { Float(classes - $0) }, shape: [1, classes])
    }

    /// The count for `logits` `[n, classes]` and `labels` `[n]` (class indices), a scalar tensor.
    func callAsFunction(_ logits: Tensor, labels: Tensor) throws(ComputeError) -> Tensor {
        let isMaximum = try Tensor.apply(.equal, [logits, logits.max(axes: [1], keepingDims: true)])
        let first = try (isMaximum * reversedColumns).max(axes: [1])
        return try Tensor.apply(.equal, [first, Tensor.constant(classes) - labels]).sum()
    }
}
