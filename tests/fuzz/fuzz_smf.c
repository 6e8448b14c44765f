/* fuzz_smf.c - libFuzzer harness for the MIDI file reader and everything that consumes it.
 *
 * Any byte string goes to smf_read_memory(). When it reads, the result must be consistent
 * (notes ordered by tick, notes < 128, PPQ > 0); it is then converted to a part, to HVO
 * windows and grooves (the first and the last few bars), written back with the writer, and
 * the written bytes must read again with the same notes. Any inconsistency traps. Built by
 * `make fuzz` with -fsanitize=fuzzer,address,undefined; seeds in tests/fuzz/seeds/smf/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "midi_hvo.h"
#include "smf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Smf smf;
    char err[256];
    if (smf_read_memory(&smf, data, size, err, sizeof err) != 0) {
        if (!err[0])
            __builtin_trap(); /* a refusal always has a reason */
        return 0;
    }
    if (smf.ppq <= 0)
        __builtin_trap();
    for (int i = 0; i < smf.n_notes; i++)
        if (smf.notes[i].note > 127 || smf.notes[i].channel > 15 || (i && smf.notes[i].tick < smf.notes[i - 1].tick))
            __builtin_trap();
    for (int i = 1; i < smf.n_tempos; i++)
        if (smf.tempos[i].tick < smf.tempos[i - 1].tick || smf.tempos[i].us_per_quarter == 0)
            __builtin_trap();
    (void)smf_tick_to_seconds(&smf, smf.end_tick);

    Midi_part part;
    if (midi_part_from_smf(&part, &smf, err, sizeof err) == 0) {
        int windows = midi_part_window_count(&part);
        int bars[6] = {0, 1, 2, windows - 1, part.n_bars - 1, part.n_bars};
        for (int k = 0; k < 6; k++) {
            Hvo p;
            Groove g;
            Midi_hvo_stats st;
            memset(&st, 0, sizeof st);
            int hits = midi_part_to_hvo(&part, bars[k], &p, &st);
            if (hits != hvo_count_hits(&p) || st.mapped + st.unmapped != st.notes)
                __builtin_trap();
            for (int t = 0; t < HVO_STEPS; t++)
                for (int v = 0; v < HVO_VOICES; v++)
                    if (hvo_off(&p, t, v) < -0.5f || hvo_off(&p, t, v) >= 0.5f || (t == 0 && hvo_off(&p, t, v) < 0.0f))
                        __builtin_trap();
            midi_part_to_groove(&part, bars[k], &g);
            hvo_flatten(&p, &g);
        }
        (void)midi_part_bpm_at(&part, 0.0);
        midi_part_deinit(&part);
    }

    uint8_t *bytes;
    size_t len;
    if (smf_write_memory(&smf, &bytes, &len, err, sizeof err) == 0) {
        Smf again;
        if (smf_read_memory(&again, bytes, len, err, sizeof err) != 0)
            __builtin_trap(); /* what we write, we read */
        if (again.n_notes != smf.n_notes || again.n_tempos != smf.n_tempos || again.ppq != smf.ppq)
            __builtin_trap();
        smf_deinit(&again);
        free(bytes);
    }
    smf_deinit(&smf);
    return 0;
}
