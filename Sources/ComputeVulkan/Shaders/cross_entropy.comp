// Softmax cross-entropy per example with label smoothing, and its gradient: a thread per row, the
// log-sum-exp taken around the row's maximum.
#version 450
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) readonly buffer Labels { float labels[]; };
layout(std430, binding = 4) readonly buffer Gradient { float gradient[]; };
layout(std430, binding = 6) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Parameters {
    uint mode;  // 0: loss per row, 1: gradient of the logits
    uint rows, classes;
    float smoothing;
} p;

void main() {
    uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint row = gl_GlobalInvocationID.x; row < p.rows; row += step) {
        uint base = row * p.classes;
        float m = logits[base];
        float total = 0.0;
        for (uint j = 1; j < p.classes; j++) m = max(m, logits[base + j]);
        for (uint j = 0; j < p.classes; j++) total += exp(logits[base + j] - m);
        uint label = uint(labels[row]);
        float uniform_ = p.smoothing / float(p.classes);
        if (p.mode == 0) {
            float sum = 0.0;
            for (uint j = 0; j < p.classes; j++) sum += logits[base + j];
            y[row] = m + log(total) - ((1.0 - p.smoothing) * logits[base + label] + uniform_ * sum);
        } else {
            for (uint j = 0; j < p.classes; j++) {
                float target = (j == label ? 1.0 - p.smoothing : 0.0) + uniform_;
                y[base + j] = (exp(logits[base + j] - m) / total - target) * gradient[row];
            }
        }
    }
}
