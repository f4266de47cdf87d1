// Sum or maximum over any set of axes, reduced in shared memory: reduce.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#define WORKGROUP_SIZE 64
#include "workgroup_reduce.glsl"
#include "reduce.glsl"
