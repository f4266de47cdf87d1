// Convolutions as implicit matrix products: the patch matrix (im2col) is never written; each 16-deep
// slice of it is gathered into shared memory straight from the input, or for the input gradient from
// the output gradient, as the tiles are loaded. 64 × 64 tiles of the result per workgroup, 4 × 4 per
// thread, as gemm.comp; 32 × 128 and 16 × 128 tiles (the _32 and _16 variants) where the result has
// at most 32 or 16 rows (output channels forward, input channels for the input gradient); 128 × 128,
// 8 × 8 per thread (the _128 variant), for results large enough to keep a device busy with such tiles,
// on devices with the shared memory for them. Per group g (channels c and outputs o of that group, k = (ky, kx)):
//   mode 0, forward:          y[img][o][pos]  = Σ_c,k  w[o][c][k] · x[img][c][pos · s − pad + k]
//   mode 1, input gradient:   dx[img][c][q]   = Σ_o,k  w[o][c][k] · dy[img][o][(q + pad − k) / s]   (where it divides)
//   mode 2, weight gradient:  dw[slice][o][c][k] = Σ_img∈slice,pos  dy[img][o][pos] · x[img][c][pos · s − pad + k]
// Columns of the product are images × positions (modes 0 and 1), so that small planes still fill the
// tiles. The input gradient of a strided convolution is split into phases, the input pixels of one
// residue modulo the stride, each of which receives from only the kernel taps of the matching residue:
// no zero is multiplied. gl_WorkGroupID.z is the group (mode 0), phase · groups + group (mode 1) or
// slice · groups + group (mode 2).
// Included by implicit_gemm*.comp, which define TILE_M and TILE_N.

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

// TILE_M × TILE_N results per workgroup of 16 × 16 threads, ROWS × COLUMNS per thread.
const uint DEPTH = 16, ROWS = TILE_M / 16, COLUMNS = TILE_N / 16;
shared float tileA[DEPTH][TILE_M];
shared float tileB[DEPTH][TILE_N];
// The part of a B element's address and position that depends on its row k, for the slice's 16 rows.
shared int rowOffset[DEPTH], rowY[DEPTH], rowX[DEPTH];

uint group, slice, groupChannels, groupOutputs, window, positions, plane;
// Mode 1, this workgroup's phase: its pixels are (residueY + strideY · t, residueX + strideX · u) for
// t < phaseHeight, u < phaseWidth; its taps (firstTapY + strideY · v, firstTapX + strideX · w) for
// v < tapsY, w < tapsX; the output gradient row such a pixel and tap read is t + shiftY − v.
uint residueY, residueX, phaseHeight, phaseWidth, firstTapY, firstTapX, tapsY, tapsX;
int shiftY, shiftX;

// B's elements are source[offset + y · width + x] at (y, x) = (column's + row's), zero outside the
// plane. Mode 0: columns are (image, output position), rows (channel, kernel tap); mode 2 the other way
// round; mode 1: columns (image, input pixel), rows (output, kernel tap) subtracted, and a pixel reads
// the output gradient only where the stride divides its distance.
void decomposeColumn(uint n, out int offset, out int y, out int x) {
    if (p.mode == 0) {
        uint img = n / positions, pos = n % positions;
        offset = int((img * p.channels + group * groupChannels) * plane);
        y = int(pos / p.outputWidth) * p.strideY - p.paddingY;
        x = int(pos % p.outputWidth) * p.strideX - p.paddingX;
    } else if (p.mode == 1) {
        uint phasePlane = phaseHeight * phaseWidth;
        uint img = n / phasePlane, q = n % phasePlane;
        offset = int((img * p.outputs + group * groupOutputs) * positions);
        y = int(q / phaseWidth) + shiftY;
        x = int(q % phaseWidth) + shiftX;
    } else {
        uint ch = n / window, r = n % window;
        offset = int((group * groupChannels + ch) * plane);
        y = int(r / p.kernelWidth);
        x = int(r % p.kernelWidth);
    }
}

void decomposeRow(uint k, out int offset, out int y, out int x) {
    if (p.mode == 0) {
        uint ch = k / window, r = k % window;
        offset = int(ch * plane);
        y = int(r / p.kernelWidth);
        x = int(r % p.kernelWidth);
    } else if (p.mode == 1) {
        uint taps = tapsY * tapsX;
        uint o = k / taps, r = k % taps;
        offset = int(o * positions);
        y = -int(r / tapsX);
        x = -int(r % tapsX);
    } else {
        uint img = slice * p.imagesPerSlice + k / positions, pos = k % positions;
        offset = int(img * p.channels * plane);
        y = int(pos / p.outputWidth) * p.strideY - p.paddingY;
        x = int(pos % p.outputWidth) * p.strideX - p.paddingX;
    }
}

float loadB(int offset, int y, int x) {
    if (p.mode == 1) {
        if (y < 0 || y >= int(p.outputHeight) || x < 0 || x >= int(p.outputWidth)) return 0.0;
        return b[offset + y * int(p.outputWidth) + x];
    }
    if (y < 0 || y >= int(p.height) || x < 0 || x >= int(p.width)) return 0.0;
    return b[offset + y * int(p.width) + x];
}

// The part of an A element's address that depends on its k (modes 1 and 2 split k), and the stride of m.
void decomposeA(uint k, out uint base, out uint mStride) {
    if (p.mode == 0) {
        mStride = groupChannels * window;
        base = group * groupOutputs * mStride + k;
    } else if (p.mode == 1) {
        uint taps = tapsY * tapsX;
        uint o = k / taps, r = k % taps;
        uint ky = firstTapY + p.strideY * (r / tapsX), kx = firstTapX + p.strideX * (r % tapsX);
        mStride = window;
        base = (group * groupOutputs + o) * groupChannels * window + ky * p.kernelWidth + kx;
    } else {
        uint img = slice * p.imagesPerSlice + k / positions, pos = k % positions;
        mStride = positions;
        base = (img * p.outputs + group * groupOutputs) * positions + pos;
    }
}

void store(uint m, uint n, float value) {
    if (p.mode == 0) {
        c[((n / positions) * p.outputs + group * groupOutputs + m) * positions + n % positions] = value;
    } else if (p.mode == 1) {
        uint phasePlane = phaseHeight * phaseWidth;
        uint img = n / phasePlane, q = n % phasePlane;
        uint iy = residueY + p.strideY * (q / phaseWidth), ix = residueX + p.strideX * (q % phaseWidth);
        c[((img * p.channels + group * groupChannels + m) * p.height + iy) * p.width + ix] = value;
    } else {
        c[(slice * p.outputs + group * groupOutputs + m) * groupChannels * window + n] = value;
    }
}

void main() {
    group = gl_WorkGroupID.z % p.groups;
    slice = gl_WorkGroupID.z / p.groups;
    if (p.mode == 1) {
        uint sy = uint(p.strideY), sx = uint(p.strideX);
        residueY = slice / sx;
        residueX = slice % sx;
        phaseHeight = residueY < p.height ? (p.height - residueY + sy - 1) / sy : 0;
        phaseWidth = residueX < p.width ? (p.width - residueX + sx - 1) / sx : 0;
        // A pixel iy reads tap ky where sy divides iy + pad − ky: ky ≡ residueY + pad (mod sy).
        firstTapY = (residueY + uint(p.paddingY)) % sy;
        firstTapX = (residueX + uint(p.paddingX)) % sx;
        tapsY = firstTapY < p.kernelHeight ? (p.kernelHeight - firstTapY + sy - 1) / sy : 0;
        tapsX = firstTapX < p.kernelWidth ? (p.kernelWidth - firstTapX + sx - 1) / sx : 0;
        shiftY = int((residueY + uint(p.paddingY)) / sy);
        shiftX = int((residueX + uint(p.paddingX)) / sx);
    }
    groupChannels = p.channels / p.groups;
    groupOutputs = p.outputs / p.groups;
    window = p.kernelHeight * p.kernelWidth;
    positions = p.outputHeight * p.outputWidth;
    plane = p.height * p.width;
    uint M, N, K;
    if (p.mode == 0) {
        M = groupOutputs; N = p.images * positions; K = groupChannels * window;
    } else if (p.mode == 1) {
        M = groupChannels; N = p.images * phaseHeight * phaseWidth; K = groupOutputs * tapsY * tapsX;
    } else {
        M = groupOutputs; N = groupChannels * window;
        K = min(p.imagesPerSlice, p.images - slice * p.imagesPerSlice) * positions;
    }
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, thread = ty * 16 + tx;
    uint row0 = gl_WorkGroupID.y * TILE_M;
    // A thread loads A at one k (thread % 16) and ROWS m's, B at one column (thread % TILE_N) and COLUMNS k's.
    uint aK = thread % DEPTH, aM = thread / DEPTH, bN = thread % TILE_N, bK = thread / TILE_N;
    const uint kStep = 256 / TILE_N;
    uint columnTiles = (N + TILE_N - 1) / TILE_N;
    for (uint columnTile = gl_WorkGroupID.x; columnTile < columnTiles; columnTile += gl_NumWorkGroups.x) {
        uint column0 = columnTile * TILE_N;
        int columnOffset = 0, columnY = 0, columnX = 0;
        bool columnInside = column0 + bN < N;
        if (columnInside) decomposeColumn(column0 + bN, columnOffset, columnY, columnX);
        float sums[ROWS][COLUMNS];
        for (uint i = 0; i < ROWS; i++) for (uint j = 0; j < COLUMNS; j++) sums[i][j] = 0.0;
        for (uint k0 = 0; k0 < K; k0 += DEPTH) {
            if (thread < DEPTH && k0 + thread < K) decomposeRow(k0 + thread, rowOffset[thread], rowY[thread], rowX[thread]);
            barrier();
            uint aBase = 0, aStride = 0;
            bool aInside = k0 + aK < K;
            if (aInside) decomposeA(k0 + aK, aBase, aStride);
            for (uint j = 0; j < ROWS; j++) {
                uint m = aM + 16 * j, gm = row0 + m;
                tileA[aK][m] = (aInside && gm < M) ? a[aBase + gm * aStride] : 0.0;
            }
            for (uint j = 0; j < COLUMNS; j++) {
                uint kb = bK + kStep * j;
                tileB[kb][bN] = (columnInside && k0 + kb < K)
                    ? loadB(columnOffset + rowOffset[kb], columnY + rowY[kb], columnX + rowX[kb]) : 0.0;
            }
            barrier();
            for (uint k = 0; k < DEPTH; k++) {
                float left[ROWS], right[COLUMNS];
                for (uint i = 0; i < ROWS; i++) left[i] = tileA[k][ty + 16 * i];
                for (uint j = 0; j < COLUMNS; j++) right[j] = tileB[k][tx + 16 * j];
                for (uint i = 0; i < ROWS; i++) for (uint j = 0; j < COLUMNS; j++) sums[i][j] += left[i] * right[j];
            }
            barrier();
        }
        for (uint i = 0; i < ROWS; i++) {
            uint m = row0 + ty + 16 * i;
            if (m >= M) continue;
            for (uint j = 0; j < COLUMNS; j++) {
                uint n = column0 + tx + 16 * j;
                if (n < N) store(m, n, sums[i][j]);
            }
        }
    }
}
