// Unary and binary elementwise ops with broadcasting, and strided copies (expand, transpose, slice,
// concat): every operand is addressed through its own strides over the output's coordinates.
#version 450
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 6) writeonly buffer C { float c[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint op;
    uint rank;
    uint aOffset;
    uint cOffset;
    uint dims[6];
    uint aStrides[6];
    uint bStrides[6];
    uint cStrides[6];
} p;

// Binary ops (0–6) read b; unary ops (10–17) do not.
const uint ADD = 0, SUBTRACT = 1, MULTIPLY = 2, DIVIDE = 3, EQUAL = 4, RELU_GRADIENT = 5, RELU6_GRADIENT = 6;
const uint NEGATE = 10, EXP = 11, LOG = 12, SQRT = 13, RELU = 14, POSITIVE = 15, COPY = 16, RELU6 = 17;

void main() {
    uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint i = gl_GlobalInvocationID.x; i < p.count; i += step) {
        uint rest = i, ia = p.aOffset, ib = 0, ic = p.cOffset;
        for (int k = int(p.rank) - 1; k >= 0; k--) {
            uint coordinate = rest % p.dims[k];
            rest /= p.dims[k];
            ia += coordinate * p.aStrides[k];
            ib += coordinate * p.bStrides[k];
            ic += coordinate * p.cStrides[k];
        }
        float x = a[ia];
        float y = p.op < 10 ? b[ib] : 0.0;
        float r;
        switch (p.op) {
            case ADD: r = x + y; break;
            case SUBTRACT: r = x - y; break;
            case MULTIPLY: r = x * y; break;
            case DIVIDE: r = x / y; break;
            case EQUAL: r = x == y ? 1.0 : 0.0; break;
            case RELU_GRADIENT: r = x > 0.0 ? y : 0.0; break;
            case RELU6_GRADIENT: r = x > 0.0 && x < 6.0 ? y : 0.0; break;
            case NEGATE: r = -x; break;
            case EXP: r = exp(x); break;
            case LOG: r = log(x); break;
            case SQRT: r = sqrt(x); break;
            case RELU: r = max(x, 0.0); break;
            case RELU6: r = clamp(x, 0.0, 6.0); break;
            case POSITIVE: r = x > 0.0 ? 1.0 : 0.0; break;
            default: r = x; break;
        }
        c[ic] = r;
    }
}
