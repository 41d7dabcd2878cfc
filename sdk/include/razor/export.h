#pragma once
/// RAZOR_API marks SDK classes and functions that plugins use across the shared-library boundary.
/// Everything else is hidden (the build uses -fvisibility=hidden).
#define RAZOR_API __attribute__((visibility("default")))
