// Sums and maxima over a workgroup of WORKGROUP_SIZE invocations, two values at a time: with SUBGROUPS
// defined, through subgroup operations (each subgroup reduces in registers, then the first subgroup
// reduces the subgroups' results: two barriers), else a tree in shared memory (log2 WORKGROUP_SIZE
// barriers). Every invocation of the workgroup must call them, and each gets the result.
// Included by shaders that define WORKGROUP_SIZE (a power of two) and, for the subgroup variant, SUBGROUPS.

#ifdef SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

shared vec2 subgroupResults[WORKGROUP_SIZE];
shared vec2 workgroupResult;

vec2 workgroupReduce(vec2 v, bool maximum) {
    v = maximum ? subgroupMax(v) : subgroupAdd(v);
    if (subgroupElect()) subgroupResults[gl_SubgroupID] = v;
    barrier();
    if (gl_SubgroupID == 0) {
        vec2 w = maximum ? vec2(uintBitsToFloat(0xff800000u)) : vec2(0.0);
        for (uint i = gl_SubgroupInvocationID; i < gl_NumSubgroups; i += gl_SubgroupSize) {
            w = maximum ? max(w, subgroupResults[i]) : w + subgroupResults[i];
        }
        w = maximum ? subgroupMax(w) : subgroupAdd(w);
        if (subgroupElect()) workgroupResult = w;
    }
    barrier();
    vec2 result = workgroupResult;
    barrier();  // before a next call writes the shared results again
    return result;
}
#else
shared vec2 treeValues[WORKGROUP_SIZE];

vec2 workgroupReduce(vec2 v, bool maximum) {
    uint lane = gl_LocalInvocationIndex;
    treeValues[lane] = v;
    barrier();
    for (uint half_ = WORKGROUP_SIZE / 2; half_ > 0; half_ >>= 1) {
        if (lane < half_) {
            treeValues[lane] = maximum ? max(treeValues[lane], treeValues[lane + half_]) : treeValues[lane] + treeValues[lane + half_];
        }
        barrier();
    }
    vec2 result = treeValues[0];
    barrier();  // before a next call writes the tree again
    return result;
}
#endif
