// Convolutions as implicit matrix products, 128 × 128 tiles of the result per workgroup (8 × 8 per
// thread; 16.6 KB of shared memory, more than the 16 KB every device offers): implicit_gemm.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
#define TILE_M 128
#define TILE_N 128
#include "implicit_gemm.glsl"
