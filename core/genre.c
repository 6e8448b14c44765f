/* style.c - GMD primary genre names <-> ids. */
#include "style.h"

#include <string.h>

static const char *const style_names[STYLE_COUNT] = {
    "afrobeat", "afrocuban", "blues", "country", "dance", "funk", "gospel", "highlife", "hiphop",
    "jazz", "latin", "middleeastern", "neworleans", "pop", "punk", "reggae", "rock", "soul"};

int style_from_name(const char *name)
{
    if (!name)
        return -1;
    size_t n = strcspn(name, "/");
    for (int i = 0; i < STYLE_COUNT; i++)
        if (strlen(style_names[i]) == n && strncmp(style_names[i], name, n) == 0)
            return i;
    return -1;
}

const char *style_name(int id) { return id >= 0 && id < STYLE_COUNT ? style_names[id] : "none"; }
