/* exe_path.c - files beside the executable. See exe_path.h. */
#include "exe_path.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int exe_path_find(char *path, size_t len, const char *rel)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = 0;
    int w = snprintf(path, len, "%s/%s", exe, rel);
    return w >= 0 && (size_t)w < len && access(path, R_OK) == 0;
}
