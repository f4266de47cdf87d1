// Batch normalisation over N, H and W of NCHW tensors: per-channel moments and affine gradients
// (a workgroup per channel, then workgroup_reduce.glsl), the forward pass (plus a residual and through
// an activation, when asked) and the input's gradient.
// Included by batch_norm.comp (shared-memory tree) and batch_norm_subgroups.comp (subgroup operations).

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Moments { float moments[]; };
layout(std430, binding = 2) readonly buffer Scale { float scale[]; };
layout(std430, binding = 3) readonly buffer Shift { float shift[]; };
layout(std430, binding = 4) readonly buffer Gradient { float gradient[]; };
layout(std430, binding = 5) readonly buffer Affine { float affine[]; };
layout(std430, binding = 6) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Parameters {
    uint mode;  // 0: moments, 1: forward, 2: affine gradient, 3: input gradient
    uint images, channels, plane;
    float epsilon;
    uint activation;  // forward: 0 none, 1 ReLU, 2 ReLU6
    uint residual;    // forward: 1 adds the residual, bound as `gradient`
} p;

uint offset(uint channel, uint j) { return ((j / p.plane) * p.channels + channel) * p.plane + j % p.plane; }

void main() {
    uint lane = gl_LocalInvocationID.x;
    uint perChannel = p.images * p.plane;
    if (p.mode == 0 || p.mode == 2) {
        for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
            float mean;
            if (p.mode == 0) {
                float sum = 0.0;
                for (uint j = lane; j < perChannel; j += 256) sum += x[offset(channel, j)];
                mean = workgroupReduce(vec2(sum, 0.0), false).x / float(perChannel);
                float squares = 0.0;
                for (uint j = lane; j < perChannel; j += 256) {
                    float d = x[offset(channel, j)] - mean;
                    squares += d * d;
                }
                float variance = workgroupReduce(vec2(squares, 0.0), false).x / float(perChannel);
                if (lane == 0) {
                    y[channel] = mean;
                    y[p.channels + channel] = variance;
                }
            } else {
                mean = moments[channel];
                float inverse = inversesqrt(moments[p.channels + channel] + p.epsilon);
                float scaleSum = 0.0, shiftSum = 0.0;
                for (uint j = lane; j < perChannel; j += 256) {
                    uint k = offset(channel, j);
                    scaleSum += gradient[k] * (x[k] - mean) * inverse;
                    shiftSum += gradient[k];
                }
                vec2 sums = workgroupReduce(vec2(scaleSum, shiftSum), false);
                if (lane == 0) {
                    y[channel] = sums.x;
                    y[p.channels + channel] = sums.y;
                }
            }
        }
    } else {
        uint count = perChannel * p.channels;
        uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
        for (uint i = gl_GlobalInvocationID.x; i < count; i += step) {
            uint channel = (i / p.plane) % p.channels;
            float inverse = 1.0 / sqrt(moments[p.channels + channel] + p.epsilon);
            float normalized = (x[i] - moments[channel]) * inverse;
            if (p.mode == 1) {
                float v = normalized * scale[channel] + shift[channel];
                if (p.residual != 0u) v += gradient[i];
                if (p.activation == 1u) v = max(v, 0.0);
                else if (p.activation == 2u) v = min(max(v, 0.0), 6.0);
                y[i] = v;
            } else {
                float n = float(perChannel);
                float centred = gradient[i] - affine[p.channels + channel] / n - normalized * affine[channel] / n;
                y[i] = scale[channel] * inverse * centred;
            }
        }
    }
}
