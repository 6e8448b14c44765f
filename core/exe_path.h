/* exe_path.h - files that ship beside the executable (the default model, the PyTorch
 * reference script), found through /proc/self/exe so the program works from any directory.
 * Pure and stateless: any thread may call it.
 */
#ifndef GROOVE_EXE_PATH_H
#define GROOVE_EXE_PATH_H

#include <stddef.h>

/* Writes DIR/rel into path (len bytes), DIR being the running executable's directory.
 * Returns 1 when that file is readable, else 0 (path then holds nothing useful). */
int exe_path_find(char *path, size_t len, const char *rel);

#endif
