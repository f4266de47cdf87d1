/// When matrix products and convolutions compute their result in 128 × 128 tiles, 8 × 8 per thread: twice
/// the arithmetic per shared-memory read of 64 × 64 tiles, but a quarter as many workgroups.
public enum LargeTiles: String, Sendable, CaseIterable {
    /// Never: 64 × 64 tiles at most.
    case never
    /// For results of more than 64 rows that make enough large tiles to keep the device busy
    /// (``ProductTiles/busyWorkgroups(computeUnits:)``); with fewer, compute units would be left idle.
    case whereBusy = "where-busy"
    /// For every result of more than 32 rows.
    case always
}
