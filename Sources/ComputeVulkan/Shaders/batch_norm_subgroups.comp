// Batch normalisation, reduced with subgroup operations: batch_norm.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#define WORKGROUP_SIZE 256
#define SUBGROUPS
#include "workgroup_reduce.glsl"
#include "batch_norm.glsl"
