/* style.h - the GMD primary genres, as the model's style ids.
 *
 * The dataset stores, and the model's style embedding is indexed by, these ids. The list is
 * fixed (a model file trained on it stores n_styles = STYLE_COUNT); unknown genres map to -1.
 */
#ifndef GROOVE_STYLE_H
#define GROOVE_STYLE_H

#define STYLE_COUNT 18

/* Returns the id of a GMD style string ("funk", "jazz/funk", "neworleans/secondline": the
 * part before '/' counts), or -1 when it is not one of the known genres. */
int style_from_name(const char *name);
/* Returns the genre's name for an id, or "none" for -1 / out of range. */
const char *style_name(int id);

#endif
