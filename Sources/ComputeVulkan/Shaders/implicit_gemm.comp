// Convolutions as implicit matrix products: the patch matrix (im2col) is never written; each 16-deep
// slice of it is gathered into shared memory straight from the input, or for the input gradient from
// the output gradient, as the tiles are loaded. 64 × 64 tiles of the result per workgroup, 4 × 4 per
// thread, as gemm.comp. Per group g (channels c and outputs o of that group, k = (ky, kx)):
//   mode 0, forward:          y[img][o][pos]  = Σ_c,k  w[o][c][k] · x[img][c][pos · s − pad + k]
//   mode 1, input gradient:   dx[img][c][q]   = Σ_o,k  w[o][c][k] · dy[img][o][(q + pad − k) / s]   (where it divides)
//   mode 2, weight gradient:  dw[slice][o][c][k] = Σ_img∈slice,pos  dy[img][o][pos] · x[img][c][pos · s − pad + k]
// Columns of the product are images × positions (modes 0 and 1), so that small planes still fill the
// tiles; gl_WorkGroupID.z is the group (modes 0, 1) or slice · groups + group (mode 2).
#version 450
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };  // modes 0, 1: weights; mode 2: output gradient
layout(std430, binding = 1) readonly buffer B { float b[]; };  // modes 0, 2: input; mode 1: output gradient
layout(std430, binding = 6) writeonly buffer C { float c[]; };

layout(push_constant) uniform Parameters {
    uint mode;
    uint images, channels, height, width;  // the input's
    uint outputs, outputHeight, outputWidth;
    uint kernelHeight, kernelWidth;
    int strideY, strideX, paddingY, paddingX;
    uint groups;
    uint imagesPerSlice;  // mode 2
} p;

const uint TILE = 64, DEPTH = 16;
shared float tileA[DEPTH][TILE];
shared float tileB[DEPTH][TILE];

uint group, slice, groupChannels, groupOutputs, window, positions, plane;

// The input at image `img`, channel `k / window` of the group, under kernel tap `k % window` of output position `pos`.
float inputAt(uint img, uint k, uint pos) {
    uint ch = k / window, r = k % window;
    int iy = int(pos / p.outputWidth) * p.strideY - p.paddingY + int(r / p.kernelWidth);
    int ix = int(pos % p.outputWidth) * p.strideX - p.paddingX + int(r % p.kernelWidth);
    if (iy < 0 || iy >= int(p.height) || ix < 0 || ix >= int(p.width)) return 0.0;
    return b[((img * p.channels + group * groupChannels + ch) * p.height + uint(iy)) * p.width + uint(ix)];
}

float loadA(uint m, uint k) {
    if (p.mode == 0) return a[(group * groupOutputs + m) * groupChannels * window + k];
    if (p.mode == 1) return a[((group * groupOutputs + k / window) * groupChannels + m) * window + k % window];
    uint img = slice * p.imagesPerSlice + k / positions;
    return a[(img * p.outputs + group * groupOutputs + m) * positions + k % positions];
}

float loadB(uint k, uint n) {
    if (p.mode == 0) return inputAt(n / positions, k, n % positions);
    if (p.mode == 2) return inputAt(slice * p.imagesPerSlice + k / positions, n, k % positions);
    uint img = n / plane, q = n % plane, o = k / window, r = k % window;
    int ty = int(q / p.width) + p.paddingY - int(r / p.kernelWidth);
    int tx = int(q % p.width) + p.paddingX - int(r % p.kernelWidth);
    if (ty < 0 || tx < 0 || ty % p.strideY != 0 || tx % p.strideX != 0) return 0.0;
    uint oy = uint(ty / p.strideY), ox = uint(tx / p.strideX);
    if (oy >= p.outputHeight || ox >= p.outputWidth) return 0.0;
    return b[((img * p.outputs + group * groupOutputs + o) * p.outputHeight + oy) * p.outputWidth + ox];
}

void store(uint m, uint n, float value) {
    if (p.mode == 0) {
        c[((n / positions) * p.outputs + group * groupOutputs + m) * positions + n % positions] = value;
    } else if (p.mode == 1) {
        c[((n / plane) * p.channels + group * groupChannels + m) * plane + n % plane] = value;
    } else {
        c[(slice * p.outputs + group * groupOutputs + m) * groupChannels * window + n] = value;
    }
}

void main() {
    group = gl_WorkGroupID.z % p.groups;
    slice = gl_WorkGroupID.z / p.groups;
    groupChannels = p.channels / p.groups;
    groupOutputs = p.outputs / p.groups;
    window = p.kernelHeight * p.kernelWidth;
    positions = p.outputHeight * p.outputWidth;
    plane = p.height * p.width;
    uint M, N, K;
    if (p.mode == 0) {
        M = groupOutputs; N = p.images * positions; K = groupChannels * window;
    } else if (p.mode == 1) {
        M = groupChannels; N = p.images * plane; K = groupOutputs * window;
    } else {
        M = groupOutputs; N = groupChannels * window;
        K = min(p.imagesPerSlice, p.images - slice * p.imagesPerSlice) * positions;
    }
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, thread = ty * 16 + tx;
    uint row0 = gl_WorkGroupID.y * TILE;
    uint columnTiles = (N + TILE - 1) / TILE;
    for (uint columnTile = gl_WorkGroupID.x; columnTile < columnTiles; columnTile += gl_NumWorkGroups.x) {
        uint column0 = columnTile * TILE;
        float sums[4][4];
        for (uint i = 0; i < 4; i++) for (uint j = 0; j < 4; j++) sums[i][j] = 0.0;
        for (uint k0 = 0; k0 < K; k0 += DEPTH) {
            for (uint e = thread; e < TILE * DEPTH; e += 256) {
                uint m = e / DEPTH, k = e % DEPTH;
                uint gm = row0 + m, gk = k0 + k;
                tileA[k][m] = (gm < M && gk < K) ? loadA(gm, gk) : 0.0;
                uint kb = e / TILE, n = e % TILE;
                uint gn = column0 + n, gkb = k0 + kb;
                tileB[kb][n] = (gn < N && gkb < K) ? loadB(gkb, gn) : 0.0;
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
        for (uint i = 0; i < 4; i++) {
            uint m = row0 + ty + 16 * i;
            if (m >= M) continue;
            for (uint j = 0; j < 4; j++) {
                uint n = column0 + tx + 16 * j;
                if (n < N) store(m, n, sums[i][j]);
            }
        }
    }
}
