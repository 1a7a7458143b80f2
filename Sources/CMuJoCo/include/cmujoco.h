#ifndef REPRO_CMUJOCO_H
#define REPRO_CMUJOCO_H
// MuJoCo 3.3.7's C API, from the headers that `make deps` unpacks into .deps/include.
#include <mujoco/mujoco.h>

/// The MuJoCo version this harness was written and checked against (mj_version() form).
#define REPRO_MUJOCO_VERSION 337

/// mj_version() of the library actually loaded (a function, so Swift sees a plain call).
int repro_mj_version(void);

/// The glibc tunable that fixes libm's variants (see shim.c).
const char *repro_hwcaps_mask(void);
#endif
