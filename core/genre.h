/* genre.h - the GMD primary genres, as the model's genre ids (the user-facing word is "style":
 * `--style`, the `y` key).
 *
 * The dataset stores, and the model's genre embedding is indexed by, these ids. The list is
 * fixed (a model file trained on it stores n_genres = GENRE_COUNT); unknown genres map to -1.
 */
#ifndef GROOVE_GENRE_H
#define GROOVE_GENRE_H

#define GENRE_COUNT 18

/* Returns the id of a GMD style string ("funk", "jazz/funk", "neworleans/secondline": the
 * part before '/' counts), or -1 when it is not one of the known genres. */
int genre_from_name(const char *name);
/* Returns the genre's name for an id, or "none" for -1 / out of range. */
const char *genre_name(int id);

#endif
