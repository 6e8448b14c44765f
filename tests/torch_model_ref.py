#!/usr/bin/python3
"""torch_model_ref.py - the Groove Transformer VAE rebuilt from torch.nn layers, an
independent reference for the C inference (nn/model.c).

  torch_model_ref.py check MODEL.gtm DUMP.bin   compare the C outputs in DUMP.bin (written by
                                                build/tests/test_model --dump) with torch's
  torch_model_ref.py bench MODEL.gtm [N]        time one generation in torch, 1 thread; prints
                                                one JSON line {"torch_us_median": ..., ...}

The model file is read here from its documented layout (nn/model_file.h), CRC included.
The network uses nn.Linear, nn.TransformerEncoderLayer (post-norm, ReLU, batch_first) and
nn.LayerNorm with the weights mapped by name; nothing is shared with the C code.
"""
import json
import math
import struct
import sys
import time
import zlib

import torch
from torch import nn

CONFIG_FIELDS = ["input_dim", "steps", "output_dim", "enc_d", "enc_heads", "enc_ff", "enc_layers",
                 "dec_d", "dec_heads", "dec_ff", "dec_layers", "latent", "n_styles", "has_fill",
                 "n_mute_groups", "n_kinds", "has_memory"]   # version 1: the first 15


def read_model(path):
    """Returns (config dict, {name: tensor}) from a groove model file."""
    data = open(path, "rb").read()
    if data[:8] != b"GROOVETM":
        raise SystemExit("torch_model_ref: bad magic")
    version, nfields = struct.unpack_from("<II", data, 8)
    if (version, nfields) not in ((1, 15), (2, 17)):
        raise SystemExit("torch_model_ref: unsupported version")
    cfg = dict(zip(CONFIG_FIELDS, struct.unpack_from(f"<{nfields}i", data, 16)))
    cfg.setdefault("n_kinds", 0)
    cfg.setdefault("has_memory", 0)
    tail = 16 + 4 * nfields
    n_tensors, _reserved, n_floats = struct.unpack_from("<IIQ", data, tail)
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise SystemExit("torch_model_ref: checksum mismatch")
    table = tail + 16
    block = table + 64 * n_tensors
    floats = torch.frombuffer(bytearray(data[block:block + 4 * n_floats]), dtype=torch.float32)
    tensors = {}
    for i in range(n_tensors):
        e = table + 64 * i
        name = data[e:e + 48].rstrip(b"\0").decode()
        rows, cols, off = struct.unpack_from("<IIQ", data, e + 48)
        t = floats[off:off + rows * cols].reshape(rows, cols).clone()
        tensors[name] = t
    return cfg, tensors


def positional_encoding(steps, d):
    pe = torch.zeros(steps, d, dtype=torch.float64)
    for t in range(steps):
        for i in range(0, d, 2):
            freq = 10000.0 ** (-i / d)
            pe[t, i] = math.sin(t * freq)
            if i + 1 < d:
                pe[t, i + 1] = math.cos(t * freq)
    return pe.float()


class GrooveVAE(nn.Module):
    def __init__(self, cfg, w):
        super().__init__()
        self.cfg = cfg
        T, De, Dd, L = cfg["steps"], cfg["enc_d"], cfg["dec_d"], cfg["latent"]
        self.inp = self.linear(w, "in", cfg["input_dim"], De)
        self.register_buffer("pe", positional_encoding(T, De))
        self.enc = nn.ModuleList(self.block(w, f"enc.{i}", De, cfg["enc_heads"], cfg["enc_ff"])
                                 for i in range(cfg["enc_layers"]))
        self.enc_ln = nn.LayerNorm(De, eps=1e-5)
        with torch.no_grad():
            self.enc_ln.weight.copy_(w["enc_ln_g"].flatten())
            self.enc_ln.bias.copy_(w["enc_ln_b"].flatten())
        self.mu = self.linear(w, "mu", T * De, L)
        self.logvar = self.linear(w, "logvar", T * De, L)
        self.style_emb = w.get("style_emb")
        self.fill_emb = w.get("fill_emb")
        self.mute_emb = w.get("mute_emb")
        self.kind_emb = w.get("kind_emb")
        self.dec_in = self.linear(w, "dec_in", L, T * Dd)
        self.dec = nn.ModuleList(self.block(w, f"dec.{i}", Dd, cfg["dec_heads"], cfg["dec_ff"])
                                 for i in range(cfg["dec_layers"]))
        self.out = self.linear(w, "out", Dd, cfg["output_dim"])

    @staticmethod
    def linear(w, name, cin, cout):
        lin = nn.Linear(cin, cout)
        with torch.no_grad():
            lin.weight.copy_(w[name + "_w"])
            lin.bias.copy_(w[name + "_b"].flatten())
        return lin

    @staticmethod
    def block(w, p, d, h, f):
        layer = nn.TransformerEncoderLayer(d, h, dim_feedforward=f, dropout=0.0, activation="relu",
                                           batch_first=True, norm_first=False, layer_norm_eps=1e-5)
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(w[p + ".qkv_w"])
            layer.self_attn.in_proj_bias.copy_(w[p + ".qkv_b"].flatten())
            layer.self_attn.out_proj.weight.copy_(w[p + ".proj_w"])
            layer.self_attn.out_proj.bias.copy_(w[p + ".proj_b"].flatten())
            layer.linear1.weight.copy_(w[p + ".ff1_w"])
            layer.linear1.bias.copy_(w[p + ".ff1_b"].flatten())
            layer.linear2.weight.copy_(w[p + ".ff2_w"])
            layer.linear2.bias.copy_(w[p + ".ff2_b"].flatten())
            layer.norm1.weight.copy_(w[p + ".ln1_g"].flatten())
            layer.norm1.bias.copy_(w[p + ".ln1_b"].flatten())
            layer.norm2.weight.copy_(w[p + ".ln2_g"].flatten())
            layer.norm2.bias.copy_(w[p + ".ln2_b"].flatten())
        return layer

    def encode(self, x, with_logvar=True, memory=None, memory_groove=None):
        """x [B][32][27], memory [B][32][27] or None, memory_groove [B][32][3] (the groove the
        memory was made from) or None -> encoder output [B][32][De], mu [B][L], logvar [B][L]
        or None. A model with memory reads [groove | memory | present] per step, one with
        has_memory 2 also the memory's groove (zeros without one; it may come without the part)."""
        if self.cfg["has_memory"]:
            B, T = x.shape[0], x.shape[1]
            present = torch.ones(B, T, 1) if memory is not None else torch.zeros(B, T, 1)
            mem = memory if memory is not None else torch.zeros_like(x)
            x = torch.cat([x, mem, present], dim=-1)
            if self.cfg["has_memory"] == 2:
                mg = memory_groove if memory_groove is not None else torch.zeros(B, T, 3)
                x = torch.cat([x, mg], dim=-1)
        h = torch.relu(self.inp(x)) + self.pe
        for layer in self.enc:
            h = layer(h)
        h = self.enc_ln(h)
        flat = h.flatten(1)
        return h, self.mu(flat), self.logvar(flat) if with_logvar else None

    def condition(self, z, style, fill, mutes, kind=0):
        z = z.clone()
        if self.kind_emb is not None:
            z = z + self.kind_emb[kind if 0 <= kind < self.kind_emb.shape[0] else 0]
        if self.style_emb is not None and style >= 0:
            z = z + self.style_emb[style]
        if self.fill_emb is not None:
            z = z + self.fill_emb[1 if fill else 0]
        if self.mute_emb is not None:
            for g in range(self.mute_emb.shape[0]):
                if mutes & (1 << g):
                    z = z + self.mute_emb[g]
        return z

    def decode(self, z):
        """z [B][L] -> raw outputs [B][32][27]."""
        h = self.dec_in(z).view(z.shape[0], self.cfg["steps"], self.cfg["dec_d"])
        for layer in self.dec:
            h = layer(h)
        return self.out(h)


THRESHOLDS = torch.tensor([0.49, 0.52, 0.52, 0.37, 0.32, 0.46, 0.36, 0.37, 0.53])


def generate(model, x, memory=None, memory_groove=None):
    """One play-time generation as groove generate does it: z = mu, decode, threshold."""
    _, mu, _ = model.encode(x, with_logvar=False, memory=memory, memory_groove=memory_groove)
    out = model.decode(model.condition(mu, -1, 0, 0))[0]
    hits = torch.sigmoid(out[:, :9]) > THRESHOLDS
    vel = torch.sigmoid(out[:, 9:18])
    off = 0.5 * torch.tanh(out[:, 18:])
    keep = hits & (vel >= 0.05)
    return torch.cat([keep.float(), vel * keep, off * keep], dim=1)


def check(model_path, dump_path):
    cfg, w = read_model(model_path)
    model = GrooveVAE(cfg, w).eval()
    data = open(dump_path, "rb").read()
    cases = struct.unpack_from("<i", data, 0)[0]
    pos = 8
    T, De, L = cfg["steps"], cfg["enc_d"], cfg["latent"]

    def take(n):
        nonlocal pos
        t = torch.frombuffer(bytearray(data[pos:pos + 4 * n]), dtype=torch.float32)
        pos += 4 * n
        return t

    worst = {"encoder": 0.0, "mu": 0.0, "logvar": 0.0, "hits": 0.0, "velocities": 0.0, "offsets": 0.0}
    scale = dict(worst)
    with torch.no_grad():
        for _ in range(cases):
            style, fill, mutes, kind, has_mem = struct.unpack_from("<5i", data, pos)
            pos += 20
            x = take(T * 27).view(1, T, 27)
            mem = take(T * 27).view(1, T, 27)
            mgroove = take(T * 3).view(1, T, 3)
            c_enc, c_mu, c_logvar = take(T * De), take(L), take(L)
            c_out = take(T * 27).view(T, 27)
            enc, mu, logvar = model.encode(x, memory=mem if has_mem else None,
                                           memory_groove=mgroove if has_mem else None)
            # Decode the C side's mu so the decoder check does not inherit encoder rounding.
            out = model.decode(model.condition(c_mu.view(1, L), style, fill, mutes, kind))[0]
            pairs = {"encoder": (enc.flatten(), c_enc), "mu": (mu.flatten(), c_mu),
                     "logvar": (logvar.flatten(), c_logvar), "hits": (out[:, :9], c_out[:, :9]),
                     "velocities": (out[:, 9:18], c_out[:, 9:18]), "offsets": (out[:, 18:], c_out[:, 18:])}
            for k, (ref, got) in pairs.items():
                worst[k] = max(worst[k], (ref - got).abs().max().item())
                scale[k] = max(scale[k], ref.abs().max().item())
    failed = 0
    for k in worst:
        tol = 1e-4 * max(1.0, scale[k])
        ok = worst[k] <= tol
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} torch vs C {k}: max |diff| {worst[k]:.3g} "
              f"(max |value| {scale[k]:.3g}, tolerance {tol:.3g}, {cases} random inputs)")
    return 1 if failed else 0


def bench(model_path, n):
    torch.set_num_threads(1)
    cfg, w = read_model(model_path)
    model = GrooveVAE(cfg, w).eval()
    g = torch.Generator().manual_seed(1)
    x = torch.zeros(1, cfg["steps"], 27)
    x[0, :, 2] = (torch.rand(cfg["steps"], generator=g) < 0.6).float()
    x[0, :, 11] = x[0, :, 2] * 0.8
    # as the C bench: the memory is a part the model made (a model without memory ignores it)
    with torch.inference_mode():
        memory = generate(model, x).view(1, cfg["steps"], 27)
        memory_groove = x[:, :, [2, 11, 20]]   # the groove the memory was made from (x flattened)
    times = []
    with torch.inference_mode():
        for _ in range(max(10, n // 10)):
            generate(model, x, memory, memory_groove)
        for _ in range(n):
            t0 = time.perf_counter()
            generate(model, x, memory, memory_groove)
            times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    print(json.dumps({"torch_us_median": times[len(times) // 2],
                      "torch_us_p99": times[min(len(times) - 1, int(len(times) * 0.99))],
                      "torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "runs": n}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if len(sys.argv) >= 3 and sys.argv[1] == "bench":
        sys.exit(bench(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
