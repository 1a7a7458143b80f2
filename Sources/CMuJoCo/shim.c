#include "cmujoco.h"

int repro_mj_version(void) { return mj_version(); }
