// Max and average pooling over NCHW windows, and their gradients (each input element gathers from
// the windows that contain it; a max window's gradient goes to its first maximum).
#version 450
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Gradient { float gradient[]; };
layout(std430, binding = 6) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint mode;  // 0: max, 1: average, 2: max's gradient, 3: average's gradient
    int height, width, outputHeight, outputWidth;
    int kernel, stride, padding;
} p;

// The input offset (within the plane) of the first maximum of window (oy, ox).
int firstMaximum(uint plane, int oy, int ox) {
    int best = -1;
    float bestValue = 0.0;
    for (int ky = 0; ky < p.kernel; ky++) {
        int iy = oy * p.stride - p.padding + ky;
        if (iy < 0 || iy >= p.height) continue;
        for (int kx = 0; kx < p.kernel; kx++) {
            int ix = ox * p.stride - p.padding + kx;
            if (ix < 0 || ix >= p.width) continue;
            float v = x[plane * uint(p.height * p.width) + uint(iy * p.width + ix)];
            if (best < 0 || v > bestValue) { best = iy * p.width + ix; bestValue = v; }
        }
    }
    return best;
}

void main() {
    uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    float area = float(p.kernel * p.kernel);
    for (uint i = gl_GlobalInvocationID.x; i < p.count; i += step) {
        if (p.mode < 2) {
            int ox = int(i % uint(p.outputWidth));
            int oy = int((i / uint(p.outputWidth)) % uint(p.outputHeight));
            uint plane = i / uint(p.outputWidth * p.outputHeight);
            float result = p.mode == 0 ? uintBitsToFloat(0xff800000u) : 0.0;
            for (int ky = 0; ky < p.kernel; ky++) {
                int iy = oy * p.stride - p.padding + ky;
                if (iy < 0 || iy >= p.height) continue;
                for (int kx = 0; kx < p.kernel; kx++) {
                    int ix = ox * p.stride - p.padding + kx;
                    if (ix < 0 || ix >= p.width) continue;
                    float v = x[plane * uint(p.height * p.width) + uint(iy * p.width + ix)];
                    result = p.mode == 0 ? max(result, v) : result + v;
                }
            }
            y[i] = p.mode == 0 ? result : result / area;
        } else {
            int ix = int(i % uint(p.width));
            int iy = int((i / uint(p.width)) % uint(p.height));
            uint plane = i / uint(p.width * p.height);
            int lowY = iy + p.padding - p.kernel + 1, lowX = ix + p.padding - p.kernel + 1;
            int firstY = lowY <= 0 ? 0 : (lowY + p.stride - 1) / p.stride;
            int firstX = lowX <= 0 ? 0 : (lowX + p.stride - 1) / p.stride;
            int lastY = min(p.outputHeight - 1, (iy + p.padding) / p.stride);
            int lastX = min(p.outputWidth - 1, (ix + p.padding) / p.stride);
            float sum = 0.0;
            for (int oy = firstY; oy <= lastY; oy++) {
                for (int ox = firstX; ox <= lastX; ox++) {
                    float g = gradient[plane * uint(p.outputHeight * p.outputWidth) + uint(oy * p.outputWidth + ox)];
                    if (p.mode == 3) sum += g / area;
                    else if (firstMaximum(plane, oy, ox) == iy * p.width + ix) sum += g;
                }
            }
            y[i] = sum;
        }
    }
}
