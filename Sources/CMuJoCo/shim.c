#include "cmujoco.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int repro_mj_version(void) { return mj_version(); }

/*
 * One libm for every x86-64 CPU.
 *
 * glibc picks the variant of exp, log, sin, cos, pow, ... once per process, at
 * load time, from the CPU's features (FMA, FMA4, AVX2 versions round
 * differently from the baseline ones), and MuJoCo and the trainer call them:
 * without this, the same binary gives different bits on CPUs with and without
 * FMA. Before main, every process that links MuJoCo checks that the glibc
 * tunable masking those features is set, and if not, sets it and re-executes
 * itself (once), so that the baseline variants are used everywhere.
 *
 * REPRO_NATIVE_LIBM=1 keeps the CPU's own variants (faster on some CPUs; the
 * bits then depend on the CPU). The mask changes the choice of libm and string
 * function variants only; it is measured in BENCHMARKS.md.
 */
#define REPRO_HWCAPS_MASK "glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F"

const char *repro_hwcaps_mask(void) { return REPRO_HWCAPS_MASK; }

#if defined(__linux__) && defined(__x86_64__)
__attribute__((constructor)) static void repro_fix_libm(int argc, char **argv, char **envp) {
  (void)argc;
  (void)envp;
  const char *native = getenv("REPRO_NATIVE_LIBM");
  if (native != NULL && strcmp(native, "1") == 0) return;
  const char *tunables = getenv("GLIBC_TUNABLES");
  if (tunables != NULL && strstr(tunables, REPRO_HWCAPS_MASK) != NULL) return;
  if (getenv("REPRO_LIBM_REEXEC") != NULL) return; /* tried once: never loop */
  size_t n = (tunables ? strlen(tunables) + 1 : 0) + sizeof(REPRO_HWCAPS_MASK);
  char *value = malloc(n);
  if (value == NULL || argv == NULL) return;
  if (tunables != NULL && tunables[0] != '\0') {
    snprintf(value, n, "%s:%s", tunables, REPRO_HWCAPS_MASK);
  } else {
    snprintf(value, n, "%s", REPRO_HWCAPS_MASK);
  }
  setenv("GLIBC_TUNABLES", value, 1);
  setenv("REPRO_LIBM_REEXEC", "1", 1);
  free(value);
  execv("/proc/self/exe", argv);
  /* exec failed: go on with this process (its libm is the CPU's). */
}
#endif
