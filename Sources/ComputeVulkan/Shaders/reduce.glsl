// Sum or maximum over any set of axes: one workgroup of 64 per output element, each invocation summing
// (Kahan) or taking the maximum of a strided share, then workgroup_reduce.glsl.
// Included by reduce.comp (shared-memory tree) and reduce_subgroups.comp (subgroup operations).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 6) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Parameters {
    uint outputs;
    uint reduced;
    uint op;  // 0: sum, 1: max
    uint keptRank;
    uint reducedRank;
    uint keptDims[6];
    uint keptStrides[6];
    uint reducedDims[6];
    uint reducedStrides[6];
} p;

void main() {
    uint lane = gl_LocalInvocationID.x;
    for (uint o = gl_WorkGroupID.x; o < p.outputs; o += gl_NumWorkGroups.x) {
        uint rest = o, base = 0;
        for (int k = int(p.keptRank) - 1; k >= 0; k--) {
            base += (rest % p.keptDims[k]) * p.keptStrides[k];
            rest /= p.keptDims[k];
        }
        precise float accumulator = p.op == 0 ? 0.0 : uintBitsToFloat(0xff800000u);
        precise float compensation = 0.0;  // Kahan summation: long sums keep float's precision
        for (uint r = lane; r < p.reduced; r += 64) {
            uint index = base;
            rest = r;
            for (int k = int(p.reducedRank) - 1; k >= 0; k--) {
                index += (rest % p.reducedDims[k]) * p.reducedStrides[k];
                rest /= p.reducedDims[k];
            }
            if (p.op == 0) {
                precise float term = x[index] - compensation;
                precise float total = accumulator + term;
                compensation = (total - accumulator) - term;
                accumulator = total;
            } else {
                accumulator = max(accumulator, x[index]);
            }
        }
        float result = workgroupReduce(vec2(accumulator, 0.0), p.op == 1).x;
        if (lane == 0) y[o] = result;
    }
}
