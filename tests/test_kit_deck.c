/* test_kit_deck.c - switching kits while playing (app/play/kit_deck.h): stepping goes through
 * kit_list in order (default, then the user's kits, then Hydrogen's), skips a kit that does not
 * load and says so, wraps around both ways, hands the engine the new kit at its next block, and
 * never frees a kit the audio may still play. */
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "kit.h"
#include "kit_deck.h"

#define RATE 48000

static int write_tone(const char *path)
{
    SF_INFO info = {0};
    info.samplerate = RATE;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf)
        return -1;
    float x[4800];
    for (int i = 0; i < 4800; i++)
        x[i] = (float)(0.5 * sin(0.03 * i) * exp(-i / 800.0));
    sf_writef_float(sf, x, 4800);
    sf_close(sf);
    return 0;
}

/* Renders one block so the audio side takes what it was handed. */
static void block(Engine *e)
{
    float buf[2 * 256];
    engine_render(e, buf, 256);
}

int main(void)
{
    char dir[128] = "/tmp/groove-test-deck.XXXXXX", path[512], msg[400];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/groove", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits/Broken", dir); /* an empty folder: does not load */
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits/MyKit", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits/MyKit/kick.wav", dir);
    write_tone(path);
    setenv("XDG_DATA_HOME", dir, 1);
    setenv("HOME", dir, 1);

    Kit first;
    char err[512];
    CHECK(kit_load_default(&first, RATE, err, sizeof err) == 0, "the default kit loads");
    Engine e;
    CHECK(engine_init(&e, RATE, &first) == 0, "engine up");
    Kit_deck deck;
    CHECK(kit_deck_init(&deck, &e, &first, RATE) == 0, "deck up");
    Kit_info infos[64];
    int n = kit_list(infos, 64);
    if (n > 64)
        n = 64;

    int rc = kit_deck_step(&deck, +1, msg, sizeof msg);
    CHECK(rc == 0 && !strcmp(kit_deck_kit(&deck)->name, "MyKit") && strstr(msg, "kit 3 of") && strstr(msg, "MyKit") &&
              strstr(msg, "skipped"),
          "next: the broken user kit is skipped, MyKit plays: %s", msg);
    CHECK(engine_kit_in_use(&e) == &first, "until the next audio block the old kit still plays");
    rc = kit_deck_step(&deck, +1, msg, sizeof msg);
    CHECK(rc == -1 && strstr(msg, "under way") && !strcmp(kit_deck_kit(&deck)->name, "MyKit"),
          "a second step before the audio let go of the old kit waits (nothing freed): %s", msg);
    block(&e);
    CHECK(engine_kit_in_use(&e) == kit_deck_kit(&deck), "after one block the engine plays the new kit");
    engine_hit(&e, VOICE_KICK, 1.0f);
    float buf[2 * 256];
    engine_render(&e, buf, 256);
    float peak = 0;
    for (int i = 0; i < 512; i++)
        peak = fmaxf(peak, fabsf(buf[i]));
    CHECK(peak > 0.01f, "and it sounds (kick peak %.3f)", peak);

    rc = kit_deck_step(&deck, +1, msg, sizeof msg);
    CHECK(rc == 0 && n > 3 && !strcmp(kit_deck_kit(&deck)->path, infos[3].path),
          "next again: the kit after MyKit in the list (%s)", msg);
    block(&e);
    CHECK(kit_deck_kit(&deck) == &first, "the first kit's slot was freed and reused once the audio let go of it");
    rc = kit_deck_step(&deck, -1, msg, sizeof msg);
    block(&e);
    CHECK(rc == 0 && !strcmp(kit_deck_kit(&deck)->name, "MyKit"), "back: MyKit again (%s)", msg);
    rc = kit_deck_step(&deck, -1, msg, sizeof msg);
    block(&e);
    CHECK(rc == 0 && !strcmp(kit_deck_kit(&deck)->name, "default") && strstr(msg, "kit 1 of"),
          "back over the broken kit: the default kit (%s)", msg);
    rc = kit_deck_step(&deck, -1, msg, sizeof msg);
    block(&e);
    CHECK(rc == 0 && !strcmp(kit_deck_kit(&deck)->path, infos[n - 1].path), "back from the first wraps to the last (%s)",
          msg);

    engine_deinit(&e);
    kit_deck_deinit(&deck);
    kit_deinit(&first);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", dir);
    return check_summary();
}
