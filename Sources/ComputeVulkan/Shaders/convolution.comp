// The two halves of a convolution around the matrix products: im2col (the input's patches as the
// columns of a matrix, [image][channel · kh · kw][oh · ow]) and its adjoint col2im (each input
// pixel's gradient gathered from the patches that contain it).
#version 450
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Source { float source[]; };
layout(std430, binding = 6) writeonly buffer Destination { float destination[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint mode;  // 0: im2col, 1: col2im
    int channels, height, width;
    int kernelHeight, kernelWidth;
    int outputHeight, outputWidth;
    int strideY, strideX, paddingY, paddingX;
    int firstImage;  // the images of a batch are done in chunks that fit a storage buffer
} p;

void main() {
    uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    int window = p.kernelHeight * p.kernelWidth;
    int positions = p.outputHeight * p.outputWidth;
    int rows = p.channels * window;
    for (uint i = gl_GlobalInvocationID.x; i < p.count; i += step) {
        if (p.mode == 0) {
            int position = int(i % uint(positions));
            uint t = i / uint(positions);
            int row = int(t % uint(rows));
            int image = int(t / uint(rows)) + p.firstImage;
            int channel = row / window, r = row % window;
            int iy = (position / p.outputWidth) * p.strideY - p.paddingY + r / p.kernelWidth;
            int ix = (position % p.outputWidth) * p.strideX - p.paddingX + r % p.kernelWidth;
            bool inside = iy >= 0 && iy < p.height && ix >= 0 && ix < p.width;
            destination[i] = inside ? source[((image * p.channels + channel) * p.height + iy) * p.width + ix] : 0.0;
        } else {
            int ix = int(i % uint(p.width));
            uint t = i / uint(p.width);
            int iy = int(t % uint(p.height));
            t /= uint(p.height);
            int channel = int(t % uint(p.channels));
            int image = int(t / uint(p.channels));  // within the chunk
            float sum = 0.0;
            for (int ky = 0; ky < p.kernelHeight; ky++) {
                int ty = iy + p.paddingY - ky;
                if (ty < 0 || ty % p.strideY != 0) continue;
                int oy = ty / p.strideY;
                if (oy >= p.outputHeight) continue;
                for (int kx = 0; kx < p.kernelWidth; kx++) {
                    int tx = ix + p.paddingX - kx;
                    if (tx < 0 || tx % p.strideX != 0) continue;
                    int ox = tx / p.strideX;
                    if (ox >= p.outputWidth) continue;
                    int row = (channel * p.kernelHeight + ky) * p.kernelWidth + kx;
                    sum += source[(image * rows + row) * positions + oy * p.outputWidth + ox];
                }
            }
            destination[uint(p.firstImage * p.channels * p.height * p.width) + i] = sum;
        }
    }
}
