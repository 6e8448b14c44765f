#!/usr/bin/python3
"""torch_train_ref.py - one training step of the Groove Transformer VAE in PyTorch autograd,
compared with the C trainer's loss and every gradient (tests/t_train_torch.sh).

Reads DIR/meta.txt, params.f32 (model_params.h flat layout), batch.f32 (inputs, targets, memories),
eps.f32 and grads.f32 written by `build/tests/test_grad --dump DIR`, rebuilds the same model
in float64 (memory beside the groove in the input, post-norm blocks, PE, conditioning
incl. the input kind added to z), computes the SPEC loss and its
gradients, and prints PASS/FAIL lines per tensor. Exit status 1 on any failure."""
import math
import sys

import numpy as np
import torch

if len(sys.argv) > 1 and sys.argv[1] == "--bench":
    # --bench key=value...: samples/s of full training steps (forward, loss, backward, AdamW)
    # in float32 on random data, for `groove bench --train`.
    import time
    kv = dict(a.split("=") for a in sys.argv[2:])
    K = lambda k: int(kv[k])
    torch.set_num_threads(K("threads"))
    T, Bb = 32, K("batch")
    De, He, Fe, Ne, Dd, Hd, Fd, Nd, L = (K(k) for k in
        ("enc_d", "enc_heads", "enc_ff", "enc_layers", "dec_d", "dec_heads", "dec_ff", "dec_layers", "latent"))
    drop = float(kv.get("dropout", "0.1"))
    def linp(o, i):
        return [torch.nn.Parameter(torch.empty(o, i).uniform_(-i ** -0.5, i ** -0.5)),
                torch.nn.Parameter(torch.zeros(o))]
    def blockp(D, F):
        return {"qkv": linp(3 * D, D), "proj": linp(D, D), "ff1": linp(F, D), "ff2": linp(D, F),
                "ln1": [torch.nn.Parameter(torch.ones(D)), torch.nn.Parameter(torch.zeros(D))],
                "ln2": [torch.nn.Parameter(torch.ones(D)), torch.nn.Parameter(torch.zeros(D))]}
    IND, NKB = int(kv.get("input_dim", "27")), int(kv.get("n_kinds", "0"))   # 55: with memory
    M = {"in": linp(De, IND), "enc": [blockp(De, Fe) for _ in range(Ne)],
         "eln": [torch.nn.Parameter(torch.ones(De)), torch.nn.Parameter(torch.zeros(De))],
         "mu": linp(L, T * De), "lv": linp(L, T * De), "style": [torch.nn.Parameter(torch.randn(18, L) * 0.1)],
         "din": linp(T * Dd, L), "dec": [blockp(Dd, Fd) for _ in range(Nd)], "out": linp(27, Dd)}
    if NKB: M["kind"] = [torch.nn.Parameter(torch.randn(NKB, L) * 0.1)]
    params = []
    def collect(o):
        if isinstance(o, torch.nn.Parameter): params.append(o)
        elif isinstance(o, dict): [collect(v) for v in o.values()]
        else: [collect(v) for v in o]
    collect(M)
    F_ = torch.nn.functional
    def blk(h, p, D, H):
        B_ = h.shape[0]
        q, k, v = F_.linear(h, *p["qkv"]).split(D, dim=-1)
        hs = D // H
        sh = lambda t: t.reshape(B_, T, H, hs).transpose(1, 2)
        att = torch.softmax(sh(q) @ sh(k).transpose(-1, -2) / math.sqrt(hs), dim=-1)
        a = (att @ sh(v)).transpose(1, 2).reshape(B_, T, D)
        h = F_.layer_norm(h + F_.dropout(F_.linear(a, *p["proj"]), drop), (D,), *p["ln1"])
        f = F_.linear(F_.dropout(F_.relu(F_.linear(h, *p["ff1"])), drop), *p["ff2"])
        return F_.layer_norm(h + F_.dropout(f, drop), (D,), *p["ln2"])
    pe = torch.zeros(T, De)
    for t in range(T):
        for i in range(0, De, 2):
            pe[t, i] = math.sin(t * 10000.0 ** (-i / De))
            if i + 1 < De: pe[t, i + 1] = math.cos(t * 10000.0 ** (-i / De))
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(Bb, T, IND, generator=g) < 0.1).float()
    y = (torch.rand(Bb, T, 27, generator=g) < 0.1).float()
    styles = torch.randint(0, 18, (Bb,), generator=g)
    kinds = torch.randint(0, max(NKB, 1), (Bb,), generator=g)
    def step():
        h = F_.dropout(F_.relu(F_.linear(x, *M["in"])) + pe, drop)
        for p in M["enc"]: h = blk(h, p, De, He)
        h = F_.layer_norm(h, (De,), *M["eln"]).reshape(Bb, T * De)
        mu, lv = F_.linear(h, *M["mu"]), F_.linear(h, *M["lv"])
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu) + M["style"][0][styles]
        if NKB: z = z + M["kind"][0][kinds]
        h = F_.linear(z, *M["din"]).reshape(Bb, T, Dd)
        for p in M["dec"]: h = blk(h, p, Dd, Hd)
        out = F_.linear(h, *M["out"])
        w = torch.where(y[..., :9] > 0.5, 1.0, 0.5)
        loss = ((w * F_.binary_cross_entropy_with_logits(out[..., :9], y[..., :9], reduction="none")).sum()
                + (w * (torch.sigmoid(out[..., 9:18]) - y[..., 9:18]) ** 2).sum()
                + (w * (0.5 * torch.tanh(out[..., 18:]) - y[..., 18:]) ** 2).sum()) / (Bb * T) \
               + 0.2 * (-0.5 * (1 + lv - mu ** 2 - lv.exp())).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    for _ in range(2): step()
    n = K("steps")
    t0 = time.perf_counter()
    for _ in range(n): step()
    dt = time.perf_counter() - t0
    print(f"samples_per_s {n * Bb / dt:.3f}")
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}")
    sys.exit(0)

d = sys.argv[1]
meta, samples = {}, []
for line in open(f"{d}/meta.txt"):
    p = line.split()
    if p[0] == "sample":
        samples.append({"style": int(p[3]), "fill": int(p[5]), "mutes": int(p[7]),
                        "kind": int(p[9]) if len(p) > 9 else 0, "memory": int(p[11]) if len(p) > 11 else 0})
    else:
        meta[p[0]] = float(p[1])
I = lambda k: int(meta[k])
T, IN, OUT = 32, 27, 27
De, He, Fe, Ne = I("enc_d"), I("enc_heads"), I("enc_ff"), I("enc_layers")
Dd, Hd, Fd, Nd = I("dec_d"), I("dec_heads"), I("dec_ff"), I("dec_layers")
L, NS, FILL, NM, B = I("latent"), I("n_styles"), I("has_fill"), I("n_mute_groups"), I("batch")
NK, MEM = int(meta.get("n_kinds", 0)), int(meta.get("has_memory", 0))
IN = {0: 27, 1: 55, 2: 58}[MEM]   # groove 27 | memory 27 | memory present 1 | memory's groove 3

# the tensor list in model_params_visit order
shapes = [("in_w", De, IN), ("in_b", 1, De)]
def block(prefix, i, D, F):
    return [(f"{prefix}.{i}.{n}", r, c) for n, r, c in [
        ("qkv_w", 3 * D, D), ("qkv_b", 1, 3 * D), ("proj_w", D, D), ("proj_b", 1, D),
        ("ln1_g", 1, D), ("ln1_b", 1, D), ("ff1_w", F, D), ("ff1_b", 1, F),
        ("ff2_w", D, F), ("ff2_b", 1, D), ("ln2_g", 1, D), ("ln2_b", 1, D)]]
for i in range(Ne):
    shapes += block("enc", i, De, Fe)
shapes += [("enc_ln_g", 1, De), ("enc_ln_b", 1, De), ("mu_w", L, T * De), ("mu_b", 1, L),
           ("logvar_w", L, T * De), ("logvar_b", 1, L)]
if NS: shapes.append(("style_emb", NS, L))
if FILL: shapes.append(("fill_emb", 2, L))
if NM: shapes.append(("mute_emb", NM, L))
if NK: shapes.append(("kind_emb", NK, L))
shapes += [("dec_in_w", T * Dd, L), ("dec_in_b", 1, T * Dd)]
for i in range(Nd):
    shapes += block("dec", i, Dd, Fd)
shapes += [("out_w", OUT, Dd), ("out_b", 1, OUT)]

flat = np.fromfile(f"{d}/params.f32", dtype=np.float32)
gflat = np.fromfile(f"{d}/grads.f32", dtype=np.float32)
total = sum(r * c for _, r, c in shapes)
assert flat.size == total, f"params {flat.size} floats, layout says {total}"
P, G, off = {}, {}, 0
for n, r, c in shapes:
    t = torch.tensor(flat[off:off + r * c].astype(np.float64)).reshape(r, c)
    if r == 1: t = t.reshape(c)
    P[n] = t.requires_grad_(True)
    G[n] = gflat[off:off + r * c]
    off += r * c
batch = torch.tensor(np.fromfile(f"{d}/batch.f32", dtype=np.float32).astype(np.float64)).reshape(-1, B, T, 27)
x, y = batch[0], batch[1]
if MEM:
    present = torch.tensor([float(s["memory"]) for s in samples], dtype=torch.float64).reshape(B, 1, 1)
    x = torch.cat([x, batch[2] * present, present.expand(B, T, 1)], dim=-1)
if MEM == 2:
    mg = torch.tensor(np.fromfile(f"{d}/mgroove.f32", dtype=np.float32).astype(np.float64)).reshape(B, T, 3)
    x = torch.cat([x, mg], dim=-1)   # zeros where C had none; without the part when gated
eps = torch.tensor(np.fromfile(f"{d}/eps.f32", dtype=np.float32).astype(np.float64)).reshape(B, L)

def lin(h, w, b): return h @ P[w].T + P[b]
def ln(h, g, b): return torch.nn.functional.layer_norm(h, (h.shape[-1],), P[g], P[b], eps=1e-5)
def blk(h, pre, D, H):
    qkv = lin(h, pre + "qkv_w", pre + "qkv_b")
    q, k, v = qkv.split(D, dim=-1)
    hs = D // H
    sh = lambda t: t.reshape(B, T, H, hs).transpose(1, 2)
    att = torch.softmax(sh(q) @ sh(k).transpose(-1, -2) / math.sqrt(hs), dim=-1)
    a = (att @ sh(v)).transpose(1, 2).reshape(B, T, D)
    h = ln(h + lin(a, pre + "proj_w", pre + "proj_b"), pre + "ln1_g", pre + "ln1_b")
    f = lin(torch.relu(lin(h, pre + "ff1_w", pre + "ff1_b")), pre + "ff2_w", pre + "ff2_b")
    return ln(h + f, pre + "ln2_g", pre + "ln2_b")

pe = torch.zeros(T, De, dtype=torch.float64)
for t in range(T):
    for i in range(0, De, 2):
        fr = 10000.0 ** (-i / De)
        pe[t, i] = math.sin(t * fr)
        if i + 1 < De: pe[t, i + 1] = math.cos(t * fr)
h = torch.relu(lin(x, "in_w", "in_b")) + pe
for i in range(Ne): h = blk(h, f"enc.{i}.", De, He)
h = ln(h, "enc_ln_g", "enc_ln_b").reshape(B, T * De)
mu, lv = lin(h, "mu_w", "mu_b"), lin(h, "logvar_w", "logvar_b")
z = mu + torch.exp(0.5 * lv) * eps
cond = []
for b, s in enumerate(samples):
    c = torch.zeros(L, dtype=torch.float64)
    if NS and 0 <= s["style"] < NS: c = c + P["style_emb"][s["style"]]
    if FILL: c = c + P["fill_emb"][s["fill"]]
    for g in range(NM):
        if s["mutes"] >> g & 1: c = c + P["mute_emb"][g]
    if NK: c = c + P["kind_emb"][s["kind"] if 0 <= s["kind"] < NK else 0]
    cond.append(c)
z = z + torch.stack(cond)
h = lin(z, "dec_in_w", "dec_in_b").reshape(B, T, Dd)
for i in range(Nd): h = blk(h, f"dec.{i}.", Dd, Hd)
out = lin(h, "out_w", "out_b")

hit_t = (y[..., :9] > 0.5).double()
w = torch.where(hit_t > 0, torch.ones_like(hit_t), torch.full_like(hit_t, meta["hit_weight"]))
bce = torch.nn.functional.binary_cross_entropy_with_logits(out[..., :9], hit_t, reduction="none")
l_hit = (w * bce).sum() / (B * T)
wr = torch.where(hit_t > 0, torch.ones_like(hit_t), torch.full_like(hit_t, meta["reg_weight"]))
l_vel = (wr * (torch.sigmoid(out[..., 9:18]) - y[..., 9:18]) ** 2).sum() / (B * T)
l_off = (wr * (0.5 * torch.tanh(out[..., 18:]) - y[..., 18:]) ** 2).sum() / (B * T)
l_kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp())).sum() / (B * L)
loss = l_hit + meta["vel_weight"] * l_vel + meta["offset_weight"] * l_off + meta["beta"] * l_kl
loss.backward()

failed = 0
def check(ok, msg):
    global failed
    print(("PASS " if ok else "FAIL ") + msg)
    failed += not ok
for name, ref, key in [("total", loss, "loss_total"), ("hit", l_hit, "loss_hit"), ("vel", l_vel, "loss_vel"),
                       ("offset", l_off, "loss_offset"), ("kl", l_kl, "loss_kl")]:
    r, c = ref.item(), meta[key]
    check(abs(r - c) <= 1e-4 * max(1.0, abs(r)), f"torch step: loss {name} C {c:.7g} vs torch {r:.7g}")
worst_name, worst = "", 0.0
bad = []
for n, r, c in shapes:
    ref = P[n].grad.detach().numpy().reshape(-1)
    got = G[n].astype(np.float64)
    scale = max(1e-3, float(np.abs(ref).max()))
    err = float(np.abs(ref - got).max()) / scale
    if err > worst: worst, worst_name = err, n
    if err > 2e-3: bad.append(f"{n} ({err:.2g})")
check(not bad, f"torch step: all {len(shapes)} gradient tensors match autograd (worst relative {worst:.2g} in {worst_name})"
      + ("; off: " + ", ".join(bad) if bad else ""))
sys.exit(1 if failed else 0)
