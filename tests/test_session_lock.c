/* test_session_lock.c - one instrument per session file: the lock (app/play/session_lock.h) is
 * exclusive and names its holder's pid, goes with its holder, and a second Instrument on the
 * same session runs without autosave, says "session in use by pid N", and never writes the file;
 * once the first has gone, the next one autosaves again. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "instrument.h"
#include "session_lock.h"

#define RATE 48000

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
    char dir[] = "/tmp/groove-test-lock.XXXXXX", session[256], err[512];
    if (!mkdtemp(dir))
        return 1;
    snprintf(session, sizeof session, "%s/session", dir);

    Session_lock a, b;
    long holder = -5;
    CHECK(session_lock_acquire(&a, session, &holder, err, sizeof err) == 0, "the first lock is taken");
    CHECK(session_lock_acquire(&b, session, &holder, err, sizeof err) == 1 && holder == (long)getpid(),
          "a second lock on the same session is refused and names the holder's pid (%ld)", holder);
    session_lock_release(&a);
    CHECK(session_lock_acquire(&b, session, &holder, err, sizeof err) == 0, "once released it can be taken again");
    session_lock_release(&b);
    Session_lock c;
    CHECK(session_lock_acquire(&c, "/nonexistent-dir/session", &holder, err, sizeof err) == -1 && strstr(err, "lock"),
          "no folder for the lock: an error, not a hang (%s)", err);

    /* Two instruments on one session file. */
    Engine e1, e2;
    Instrument first, second;
    CHECK(engine_init(&e1, RATE, NULL) == 0 && engine_init(&e2, RATE, NULL) == 0, "engines");
    Instrument_options opt = {"/nonexistent/model.gtm", session, 0, 0.0f, 0, 0, NULL, 0, RATE};
    CHECK(instrument_init(&first, &e1, &opt, err, sizeof err) == 0, "the first instrument starts");
    CHECK(first.autosave == 1, "the first instrument autosaves");
    instrument_set_bpm(&first, 133);
    instrument_tick(&first, 10.0); /* autosaves the change */
    instrument_tick(&first, 20.0);
    long saved = file_size(session);
    CHECK(saved > 0, "the first instrument saved the session (%ld bytes)", saved);
    CHECK(instrument_init(&second, &e2, &opt, err, sizeof err) == 0, "a second instrument on the same session starts");
    char want[80];
    snprintf(want, sizeof want, "session in use by pid %ld: running without autosave", (long)getpid());
    CHECK(second.autosave == 0 && strstr(second.message, want), "it runs without autosave and says so: '%s'", second.message);
    CHECK(second.session.settings.bpm == 133.0f, "it plays the session as saved (133 BPM)");
    instrument_set_bpm(&second, 90);
    instrument_tick(&second, 10.0);
    instrument_tick(&second, 20.0);
    instrument_deinit(&second);
    Session check_s;
    session_defaults(&check_s);
    CHECK(session_load(session, &check_s, err, sizeof err) == SESSION_OK && check_s.settings.bpm == 133.0f,
          "the second never wrote the file (still 133 BPM after it set 90 and quit)");
    instrument_deinit(&first);
    Instrument third;
    Engine e3;
    engine_init(&e3, RATE, NULL);
    CHECK(instrument_init(&third, &e3, &opt, err, sizeof err) == 0 && third.autosave == 1,
          "once the first has gone the next instrument autosaves again");
    instrument_deinit(&third);
    engine_deinit(&e1);
    engine_deinit(&e2);
    engine_deinit(&e3);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", dir);
    return check_summary();
}
