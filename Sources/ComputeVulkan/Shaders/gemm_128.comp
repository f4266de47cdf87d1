// Matrix products, 128 × 128 tiles of the result per workgroup (8 × 8 per thread; 16 KB of shared
// memory): gemm.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
#define TILE 128
#include "gemm.glsl"
