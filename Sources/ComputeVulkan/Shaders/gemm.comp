// Matrix products, 64 × 64 tiles of the result per workgroup: gemm.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
#define TILE 64
#include "gemm.glsl"
