// Batched matrix product C[b] = A[b] × B[b] with arbitrary strides (so transposes cost nothing):
// TILE × TILE tiles of C per workgroup, TILE/16 × TILE/16 per thread, 16-deep slices of K staged in
// shared memory. Included by gemm.comp (64 × 64 tiles) and gemm_128.comp (128 × 128, for products
// large enough to keep a device busy with them), which define TILE.

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 6) buffer C { float c[]; };

layout(push_constant) uniform Parameters {
    uint M, N, K;
    uint aOffset, aBatch, aRow, aColumn;
    uint bOffset, bBatch, bRow, bColumn;
    uint cOffset, cBatch, cRow, cColumn;
} p;

// TILE × TILE results per workgroup of 16 × 16 threads, BLOCK × BLOCK per thread.
const uint DEPTH = 16, BLOCK = TILE / 16;
shared float tileA[DEPTH][TILE];
shared float tileB[DEPTH][TILE];

void main() {
    uint batch = gl_WorkGroupID.z;
    uint row0 = gl_WorkGroupID.y * TILE, column0 = gl_WorkGroupID.x * TILE;
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, thread = ty * 16 + tx;
    uint aBase = p.aOffset + batch * p.aBatch, bBase = p.bOffset + batch * p.bBatch;
    float sums[BLOCK][BLOCK];
    for (uint i = 0; i < BLOCK; i++) for (uint j = 0; j < BLOCK; j++) sums[i][j] = 0.0;

    for (uint k0 = 0; k0 < p.K; k0 += DEPTH) {
        for (uint e = thread; e < TILE * DEPTH; e += 256) {
            uint m = e / DEPTH, k = e % DEPTH;
            uint gm = row0 + m, gk = k0 + k;
            tileA[k][m] = (gm < p.M && gk < p.K) ? a[aBase + gm * p.aRow + gk * p.aColumn] : 0.0;
            uint kb = e / TILE, n = e % TILE;
            uint gn = column0 + n, gkb = k0 + kb;
            tileB[kb][n] = (gn < p.N && gkb < p.K) ? b[bBase + gkb * p.bRow + gn * p.bColumn] : 0.0;
        }
        barrier();
        for (uint k = 0; k < DEPTH; k++) {
            float left[BLOCK], right[BLOCK];
            for (uint i = 0; i < BLOCK; i++) left[i] = tileA[k][ty + 16 * i];
            for (uint j = 0; j < BLOCK; j++) right[j] = tileB[k][tx + 16 * j];
            for (uint i = 0; i < BLOCK; i++) for (uint j = 0; j < BLOCK; j++) sums[i][j] += left[i] * right[j];
        }
        barrier();
    }
    uint cBase = p.cOffset + batch * p.cBatch;
    for (uint i = 0; i < BLOCK; i++) {
        uint m = row0 + ty + 16 * i;
        if (m >= p.M) continue;
        for (uint j = 0; j < BLOCK; j++) {
            uint n = column0 + tx + 16 * j;
            if (n < p.N) c[cBase + m * p.cRow + n * p.cColumn] = sums[i][j];
        }
    }
}
