// Batched matrix product C[b] = A[b] × B[b] with arbitrary strides (so transposes cost nothing):
// 64 × 64 tiles of C per workgroup, 4 × 4 per thread, 16-deep slices of K staged in shared memory.
#version 450
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 6) buffer C { float c[]; };

layout(push_constant) uniform Parameters {
    uint M, N, K;
    uint aOffset, aBatch, aRow, aColumn;
    uint bOffset, bBatch, bRow, bColumn;
    uint cOffset, cBatch, cRow, cColumn;
} p;

const uint TILE = 64, DEPTH = 16;
shared float tileA[DEPTH][TILE];
shared float tileB[DEPTH][TILE];

void main() {
    uint batch = gl_WorkGroupID.z;
    uint row0 = gl_WorkGroupID.y * TILE, column0 = gl_WorkGroupID.x * TILE;
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, thread = ty * 16 + tx;
    uint aBase = p.aOffset + batch * p.aBatch, bBase = p.bOffset + batch * p.bBatch;
    float sums[4][4];
    for (uint i = 0; i < 4; i++) for (uint j = 0; j < 4; j++) sums[i][j] = 0.0;

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
            float left[4], right[4];
            for (uint i = 0; i < 4; i++) left[i] = tileA[k][ty + 16 * i];
            for (uint j = 0; j < 4; j++) right[j] = tileB[k][tx + 16 * j];
            for (uint i = 0; i < 4; i++) for (uint j = 0; j < 4; j++) sums[i][j] += left[i] * right[j];
        }
        barrier();
    }
    uint cBase = p.cOffset + batch * p.cBatch;
    for (uint i = 0; i < 4; i++) {
        uint m = row0 + ty + 16 * i;
        if (m >= p.M) continue;
        for (uint j = 0; j < 4; j++) {
            uint n = column0 + tx + 16 * j;
            if (n < p.N) c[cBase + m * p.cRow + n * p.cColumn] = sums[i][j];
        }
    }
}
