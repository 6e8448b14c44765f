/* test_undo.c - bounded snapshot undo/redo. */
#include "check.h"
#include "undo.h"

typedef struct {
    int value;
    float cells[8];
} State;

int main(void)
{
    Undo u;
    CHECK(undo_init(&u, sizeof(State), 4) == 0, "init a history 4 deep");
    State s = {0, {0}};
    CHECK(undo_undo(&u, &s) == 0 && s.value == 0, "nothing to undo at first, state untouched");
    CHECK(undo_redo(&u, &s) == 0, "nothing to redo at first");

    /* Six edits: value 1..6; only the last 4 are undoable. */
    for (int i = 1; i <= 6; i++) {
        undo_push(&u, &s);
        s.value = i;
        s.cells[i % 8] = (float)i;
    }
    CHECK(undo_can_undo(&u) == 4, "history is bounded to 4 (holds %d)", undo_can_undo(&u));
    CHECK(undo_undo(&u, &s) == 1 && s.value == 5, "undo goes back to 5");
    CHECK(s.cells[6] == 0.0f, "undo restores the whole snapshot");
    undo_undo(&u, &s);
    undo_undo(&u, &s);
    undo_undo(&u, &s);
    CHECK(s.value == 2, "four undos reach the oldest kept state (2, got %d)", s.value);
    CHECK(undo_undo(&u, &s) == 0 && s.value == 2, "a fifth undo does nothing");
    CHECK(undo_can_redo(&u) == 4, "four redos available");
    CHECK(undo_redo(&u, &s) == 1 && s.value == 3, "redo goes forward to 3");
    CHECK(undo_redo(&u, &s) == 1 && s.value == 4, "redo again to 4");

    /* A new edit after undo drops the redo history. */
    undo_push(&u, &s);
    s.value = 40;
    CHECK(undo_can_redo(&u) == 0, "a new edit drops redo");
    CHECK(undo_redo(&u, &s) == 0 && s.value == 40, "redo then does nothing");
    CHECK(undo_undo(&u, &s) == 1 && s.value == 4, "undo the new edit back to 4");
    CHECK(undo_undo(&u, &s) == 1 && s.value == 3, "and on back to 3");

    undo_clear(&u);
    CHECK(undo_can_undo(&u) == 0 && undo_can_redo(&u) == 0, "clear empties both ways");
    undo_deinit(&u);

    Undo bad;
    CHECK(undo_init(&bad, 0, 4) == -1, "size 0 is refused");
    undo_push(&bad, &s); /* must not crash on an empty history */
    CHECK(undo_undo(&bad, &s) == 0, "a refused history undoes nothing");
    undo_deinit(&bad);
    return check_summary();
}
