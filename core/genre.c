/* style.c - GMD primary genre names <-> ids. */
#include "genre.h"

#include <string.h>

static const char *const genre_names[GENRE_COUNT] = {
    "afrobeat", "afrocuban", "blues", "country", "dance", "funk", "gospel", "highlife", "hiphop",
    "jazz", "latin", "middleeastern", "neworleans", "pop", "punk", "reggae", "rock", "soul"};

int genre_from_name(const char *name)
{
    if (!name)
        return -1;
    size_t n = strcspn(name, "/");
    for (int i = 0; i < GENRE_COUNT; i++)
        if (strlen(genre_names[i]) == n && strncmp(genre_names[i], name, n) == 0)
            return i;
    return -1;
}

const char *genre_name(int id) { return id >= 0 && id < GENRE_COUNT ? genre_names[id] : "none"; }
