// A fused elementwise expression (ElementwiseProgram): up to six operands of one shape (or of one element,
// marked in `single`, which stand for every element), eight constants and sixteen steps, run element by
// element. Values are numbered operands, constants, then steps; each
// step is packed as code | a << 8 | b << 16 and writes the next value. `precise` keeps each step rounded
// to float as the tensor op it stands for (no fused multiply-add).
#version 450
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X0 { float x0[]; };
layout(std430, binding = 1) readonly buffer X1 { float x1[]; };
layout(std430, binding = 2) readonly buffer X2 { float x2[]; };
layout(std430, binding = 3) readonly buffer X3 { float x3[]; };
layout(std430, binding = 4) readonly buffer X4 { float x4[]; };
layout(std430, binding = 5) readonly buffer X5 { float x5[]; };
layout(std430, binding = 6) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint operands;
    uint constants;
    uint steps;
    uint single;  // bit k: operand k has one element
    uint step[16];
    float constant[8];
} p;

const uint ADD = 0, SUBTRACT = 1, MULTIPLY = 2, DIVIDE = 3, SQUARE_ROOT = 4;

void main() {
    uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride) {
        precise float v[30];
        v[0] = x0[(p.single & 1u) != 0 ? 0 : i];
        if (p.operands > 1) v[1] = x1[(p.single & 2u) != 0 ? 0 : i];
        if (p.operands > 2) v[2] = x2[(p.single & 4u) != 0 ? 0 : i];
        if (p.operands > 3) v[3] = x3[(p.single & 8u) != 0 ? 0 : i];
        if (p.operands > 4) v[4] = x4[(p.single & 16u) != 0 ? 0 : i];
        if (p.operands > 5) v[5] = x5[(p.single & 32u) != 0 ? 0 : i];
        for (uint c = 0; c < p.constants; c++) v[p.operands + c] = p.constant[c];
        uint base = p.operands + p.constants;
        for (uint s = 0; s < p.steps; s++) {
            uint code = p.step[s] & 0xFFu;
            precise float a = v[(p.step[s] >> 8) & 0xFFu], b = v[(p.step[s] >> 16) & 0xFFu];
            precise float r;
            switch (code) {
                case ADD: r = a + b; break;
                case SUBTRACT: r = a - b; break;
                case MULTIPLY: r = a * b; break;
                case DIVIDE: r = a / b; break;
                default: r = sqrt(a); break;
            }
            v[base + s] = r;
        }
        y[i] = v[base + p.steps - 1];
    }
}
